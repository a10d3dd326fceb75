// The family table: one row per AFI/SAFI this build decodes, carrying all
// the family knows -- its NLRI coding, its next-hop forms, its JSON and its
// text -- so the codec, the Adj-RIBs, the update builder, the JSON and the
// parsers ask the row and have no per-family branches (BIRD's bgp_af_table
// is the model). A family without a row travels opaque.
//
// Adding a family: write its row(s) in a file of its own (family_NAME.cpp),
// declare them below, and list them in family_table (family_row.cpp).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "speaker/wire/nlri.hpp"

namespace bgpsim::wire {

// The MP_REACH next-hop field lengths a family accepts. `own`: addresses of
// the NLRI's address family (RFC 4760 3: 4 for IPv4; RFC 2545 3: 16, or 32
// for global then link-local). `extended`: those of the other address family,
// allowed once the Extended Next Hop capability is negotiated for the family
// (RFC 8950 4: "the Length of Next Hop Address field MUST be 16 or 32" for
// IPv4 NLRI; its capability names any Nexthop AFI, and ExaBGP negotiates
// "ipv6 unicast ipv4" too). `rd_prefixed`: each address is preceded by an
// 8-byte route distinguisher of zero (RFC 4364 4.3.2, RFC 4659 3.2.1), whose
// lengths are included above.
struct NextHopForms {
  std::array<std::uint8_t, 2> own{};
  std::array<std::uint8_t, 2> extended{};
  bool rd_prefixed = false;
};

// One word of a route's NLRI as configuration and the API write it, with the
// values that follow it: `rp 10.0.0.1`, `mup-isd 10.0.1.0/24`, `shared-join`.
struct NlriField {
  std::string key;
  std::vector<std::string> values;
};

struct RawAttribute;  // attributes.hpp

struct FamilyRow {
  Family family;
  std::string_view name;  // ExaBGP's spelling: "ipv4 mpls-vpn"
  // RFC 4271 4.3: IPv4 unicast may use the UPDATE's own Withdrawn Routes and
  // NLRI fields (and NEXT_HOP); every other family goes in MP_(UN)REACH_NLRI.
  bool base_fields = false;
  // What the NLRI carries besides the prefix (and the path id).
  bool labels = false;  // a label stack (RFC 8277)
  bool rd = false;      // a route distinguisher (RFC 4364)
  bool flow = false;    // flow specification components instead of a prefix (RFC 8955)

  // NLRI coding. decode: a whole run (the field's bytes), appending to `out`;
  // errors name the byte and use `subcode`. encode/size: one NLRI.
  // `add_path`: whether a path identifier precedes each NLRI (RFC 7911).
  std::optional<DecodeError> (*decode)(Reader& r, bool add_path, std::uint8_t subcode,
                                       std::vector<Nlri>& out);
  void (*encode)(const Nlri& n, bool add_path, Writer& w);
  std::size_t (*size)(const Nlri& n, bool add_path);
  // Why `n` cannot be encoded in this family (a prefix of the other address
  // family, more bits than the NLRI length byte can say), or nullopt.
  std::optional<std::string> (*invalid)(const Nlri& n);
  // A withdrawal as sent: RFC 8277 2.4 replaces the label stack by 0x800000.
  Nlri (*as_withdrawn)(const Nlri& n);

  NextHopForms next_hop;

  // ExaBGP's JSON object for one NLRI ({"nlri": ..., "path-information": ...,
  // "label": ..., "rd": ...}) and the configuration/API text of one NLRI.
  void (*to_json)(const Nlri& n, nlohmann::ordered_json& out);
  std::string (*to_text)(const Nlri& n);

  // The NLRI is a typed record held as its bytes (Nlri::raw: MVPN, MUP, VPLS,
  // EVPN), built with nlri_from_bytes; the prefix, labels and RD stay unset.
  bool raw = false;
  // For a family whose NLRI is not a prefix (held as bytes, or flow), the NLRI
  // that ExaBGP's configuration and API words describe (its route
  // distinguisher given apart), or why they do not make one. nullptr when the
  // family has no such words (the prefix families, whose words are the prefix).
  std::variant<Nlri, std::string> (*from_fields)(const std::optional<RouteDistinguisher>& rd,
                                                 std::span<const NlriField> fields) = nullptr;
  // ExaBGP's wire (exabgp_compat) repeats an IPv4 next hop as a NEXT_HOP
  // attribute beside MP_REACH_NLRI, but not for flow and VPLS, whose next hop
  // it keeps in the NLRI (their conf-flow.ci and conf-l2vpn.ci bytes).
  bool exabgp_next_hop_attribute = true;
  // ExaBGP's group-updates packs NLRI sharing attributes into one UPDATE in
  // IPv4 unicast and mcast-vpn only (rib/outgoing.py updates(); its
  // conf-mvpn.ci, conf-ipv6grouping.ci); every other family goes one NLRI
  // per UPDATE. The RFC form (rib::BuildOptions) packs every family.
  bool exabgp_grouped = false;
  // ExaBGP's configuration gives an IPv6 route of this family an IPv4 next
  // hop as the IPv4-mapped IPv6 address ::ffff:a.b.c.d (RFC 4291 2.5.5.2),
  // which its MP_REACH_NLRI then carries (MUP; conf-srv6-mup.ci).
  bool maps_ipv4_next_hop = false;
  // The path attributes a route's words make besides its NLRI (sr-policy: the
  // Tunnel Encapsulation attribute from `preference`, `segment-list`, ...),
  // appended to `out`, or why the words are wrong. nullptr: the words make
  // only the NLRI.
  std::optional<std::string> (*route_attributes)(std::span<const NlriField> fields,
                                                 std::vector<RawAttribute>& out) = nullptr;
};

// The row of `family`, or nullptr for a family this build keeps opaque.
const FamilyRow* family_row(Family family);
// Every row, in family order.
std::span<const FamilyRow* const> family_rows();

// Rows, each defined in its family's file.
extern const FamilyRow ipv4_unicast_row, ipv4_multicast_row, ipv6_unicast_row,
    ipv6_multicast_row;                                     // family_inet.cpp
extern const FamilyRow ipv4_labeled_row, ipv6_labeled_row;  // family_labeled.cpp
extern const FamilyRow ipv4_vpn_row, ipv6_vpn_row;          // family_vpn.cpp
extern const FamilyRow ipv4_flow_row, ipv6_flow_row, ipv4_flow_vpn_row,
    ipv6_flow_vpn_row;                                        // family_flow.cpp
extern const FamilyRow ipv4_mvpn_row, ipv6_mvpn_row;          // family_mvpn.cpp
extern const FamilyRow ipv4_mup_row, ipv6_mup_row;            // family_mup.cpp
extern const FamilyRow l2vpn_vpls_row, l2vpn_evpn_row;        // family_l2vpn.cpp
extern const FamilyRow ipv4_rtc_row;                          // family_rtc.cpp
extern const FamilyRow bgp_ls_row, bgp_ls_vpn_row;            // family_bgpls.cpp
extern const FamilyRow ipv4_srpolicy_row, ipv6_srpolicy_row;  // family_srpolicy.cpp

// What one action word of a flow route (`then { WORD VALUES; }`, or `scope
// { interface-set [...]; }`) sends, as ExaBGP writes it (family_flow.cpp):
// extended communities (RFC 8955 7, RFC 7674, draft-ietf-idr-flowspec-redirect-ip
// and -interfaceset), IPv6 address specific ones (RFC 5701, attribute 25),
// and the next hop a redirect-to-nexthop points at.
struct FlowAction {
  std::vector<std::uint64_t> extended_communities;
  std::vector<Bytes> ipv6_extended_communities;  // 20 bytes each
  std::optional<IpAddress> next_hop;
};
std::variant<FlowAction, std::string> flow_action(std::string_view word,
                                                  std::span<const std::string> values);
// The action words flow_action knows ("accept", "discard", "rate-limit",
// ..., "interface-set"): what may follow `then` (or `scope`), and what a
// one-line flow route (the API's `flow route WORDS`) holds besides its match.
std::span<const std::string_view> flow_action_names();
// ExaBGP's names of the flow components of both address families
// ("destination-ipv4", ..., "flow-label"): the words that start a component
// in a flow route's text (nlri_text), which from_fields reads back.
std::span<const std::string_view> flow_component_names();

// RFC 7911 3: the path identifier in front of each NLRI when ADD-PATH was
// negotiated for the family; every row's decoder reads it the same way.
// false when the NLRI field ends inside it.
inline bool read_path_id(Reader& r, bool add_path, Nlri& n) {
  if (!add_path) return true;
  auto id = r.u32();
  if (!id) return false;
  n.path_id = *id;
  return true;
}

}  // namespace bgpsim::wire
