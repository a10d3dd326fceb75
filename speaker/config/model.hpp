// The typed configuration model the reactor consumes. Parsers (ExaBGP's
// configuration language in parser.cpp) produce it; the reactor never sees
// text. Templates are resolved at parse time: a Neighbor holds what it
// inherited. Two models compare equal when they say the same thing: where a
// thing was written (Location) never takes part in a comparison.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "speaker/wire/attributes.hpp"
#include "speaker/wire/family.hpp"

namespace bgpsim::config {

// Where something was written: "file:line:col". 16 bytes: the file name is
// interned once per process (a configuration names few files, and a million
// routes must not carry a million copies of it).
class Location {
 public:
  Location() = default;
  Location(std::string_view file, std::size_t line, std::size_t column);
  std::string_view file() const;
  std::size_t line() const { return line_; }
  std::size_t column() const { return column_; }
  void set(std::size_t line, std::size_t column) {
    line_ = static_cast<std::uint32_t>(line);
    column_ = static_cast<std::uint32_t>(column);
  }
  std::string to_string() const;
  // Places never make two configurations differ.
  bool operator==(const Location&) const { return true; }

 private:
  const std::string* file_ = nullptr;
  std::uint32_t line_ = 0;
  std::uint32_t column_ = 0;
};

// RFC 4364 4.2 route distinguisher: type 0 (AS2:N), 1 (IPv4:N), 2 (AS4:N).
struct RouteDistinguisher {
  std::uint16_t type = 0;
  std::uint64_t value = 0;  // the 6 bytes after the type
  std::string to_string() const;
  auto operator<=>(const RouteDistinguisher&) const = default;
};

// RFC 8669 BGP Prefix-SID (MPLS): label index and originator SRGB ranges.
struct PrefixSid {
  std::uint32_t label_index = 0;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> srgbs;  // (base, range)
  auto operator<=>(const PrefixSid&) const = default;
};

// RFC 9252 SRv6 services TLV: `( l3-service SID [BEHAVIOR] [[6 structure bytes]] )`.
struct PrefixSidSrv6 {
  bool l2_service = false;
  wire::IpAddress sid;
  std::optional<std::uint16_t> behavior;
  std::optional<std::array<std::uint8_t, 6>> structure;
  auto operator<=>(const PrefixSidSrv6&) const = default;
};

// What a route may carry beyond the unicast fields: rarely set, so held out
// of line and shared.
struct RouteExtras {
  std::optional<RouteDistinguisher> rd;  // ipv4/ipv6 mpls-vpn
  std::vector<std::uint32_t> labels;     // nlri-mpls, mpls-vpn
  std::string name;                      // `name`: a label for people
  std::string watchdog;                  // `watchdog NAME`: the API switches it
  bool withdrawn = false;                // `withdraw`: starts withdrawn (watchdog)
  std::optional<PrefixSid> prefix_sid;
  std::optional<PrefixSidSrv6> prefix_sid_srv6;
  // The NLRI of a family that is not a prefix, built by its row from the
  // words of a `flow` or family route (FlowRoute, FamilyRoute keep the words).
  std::vector<wire::FlowComponent> flow;  // flow, flow-vpn
  wire::RawNlri raw;                      // mcast-vpn, mup, vpls
  auto operator<=>(const RouteExtras&) const = default;
};

// The attribute set shared by every route that has it (interned by the parser).
using SharedAttributes = std::shared_ptr<const wire::PathAttributes>;
SharedAttributes empty_attributes();
SharedAttributes share(wire::PathAttributes attributes);

// What a configured prefix route says of its NLRI beyond the family: the
// prefix and the path id (its rd and labels are in the extras). 28 bytes
// where a wire::Nlri takes 88.
struct RoutePrefix {
  wire::IpPrefix prefix;
  std::optional<std::uint32_t> path_id;
  auto operator<=>(const RoutePrefix&) const = default;
};

// A route of an NLRI-prefix family: unicast, multicast, nlri-mpls, mpls-vpn.
// Compact (88 bytes): a million of them fit in the memory budget.
struct StaticRoute {
  RoutePrefix nlri;
  wire::Family family;
  bool next_hop_self = false;                        // `next-hop self`: the local address
  SharedAttributes attributes = empty_attributes();  // next hop in attributes->next_hop
  std::shared_ptr<const RouteExtras> extras;         // null: none
  Location where;

  const RouteExtras& extra() const;
  // The NLRI as its family's row carries it: with the route distinguisher and
  // the labels (from the extras) when the row has them. The route's key.
  wire::Nlri route_nlri() const;
  // The reverse (family set first): the prefix and path id here, the rd and
  // labels the family's row carries in the extras.
  void set_route_nlri(const wire::Nlri& n);
  bool operator==(const StaticRoute& o) const;
};

// A keyword and the words after it, as written (canonical spelling).
struct Field {
  std::string key;
  std::vector<std::string> values;
  bool operator==(const Field&) const = default;
};

// RFC 8955 flow specification components and actions.
struct FlowMatch {
  std::string component;           // source, destination, port, protocol, tcp-flags...
  std::vector<std::string> terms;  // prefixes, or operator expressions (">8080&<8088", "=tcp")
  bool operator==(const FlowMatch&) const = default;
};
struct FlowRoute {
  wire::Family family;  // ipv4/ipv6 flow, or flow-vpn with an rd
  std::string name;
  std::optional<RouteDistinguisher> rd;
  std::optional<wire::IpAddress> next_hop;
  std::vector<FlowMatch> match;
  std::vector<Field> then;   // discard, rate-limit, redirect, mark, action, copy...
  std::vector<Field> scope;  // interface-set...
  SharedAttributes attributes = empty_attributes();  // communities set in `then`
  Location where;
  bool operator==(const FlowRoute& o) const;
};

// A route of a family whose NLRI is not a prefix (sr-policy, mup, mcast-vpn,
// vpls): path attributes and rd typed, the NLRI's own fields kept in order.
struct FamilyRoute {
  wire::Family family;
  std::string kind;  // the statement word: sr-policy, mup, mcast-vpn, vpls
  std::string name;  // `vpls NAME { ... }`
  std::optional<RouteDistinguisher> rd;
  bool next_hop_self = false;
  RouteExtras extras;  // labels, prefix-sid... (rd and name are above)
  std::vector<Field> fields;
  SharedAttributes attributes = empty_attributes();
  Location where;
  bool operator==(const FamilyRoute& o) const;
};

struct AddPath {
  bool send = false;
  bool receive = false;
  bool operator==(const AddPath&) const = default;
};

struct Capabilities {
  bool asn4 = true;
  bool route_refresh = false;
  std::optional<std::uint16_t> graceful_restart_s;
  // Not ExaBGP's (it has neither): RFC 8538 `graceful-restart-notification;`
  // sets the N bit of the Graceful Restart capability; RFC 9494
  // `long-lived-graceful-restart S;` offers the Long-Lived Graceful Restart
  // capability with stale time S for every family, and
  // `long-lived-graceful-restart AFI SAFI S;` for one (that family's entry
  // wins). Both are sent only with `graceful-restart`.
  bool graceful_restart_notification = false;
  std::optional<std::uint32_t> long_lived_stale_s;
  std::vector<std::pair<wire::Family, std::uint32_t>> long_lived_families;
  AddPath add_path;
  std::vector<wire::Family> add_path_families;  // empty: every configured family
  std::vector<std::pair<wire::Family, std::uint32_t>> add_path_limits;  // `ipv4 unicast limit N`
  bool extended_message = true;  // RFC 8654; ExaBGP advertises it unless told not to
  bool extended_next_hop = false;
  bool software_version = false;
  // What the software-version capability says; empty: bgpsim's own
  // (session::default_software_version). No keyword sets it: programs do (the
  // qa runner gives ExaBGP's string to ExaBGP's tests).
  std::string software_version_text;
  bool multi_session = false;
  bool operational = false;
  bool link_local_nexthop = false;  // draft-ietf-idr-linklocal-capability
  bool aigp = false;
  bool operator==(const Capabilities&) const = default;
};

// Which messages go to the helper processes (`api { receive {...} send {...} }`).
struct MessageSet {
  bool parsed = false, packets = false, consolidate = false;
  bool open = false, update = false, keepalive = false, notification = false;
  bool refresh = false, operational = false;
  bool operator==(const MessageSet&) const = default;
};

struct ApiBinding {
  std::string name;  // `api NAME { ... }` (a label only)
  std::vector<std::string> processes;
  std::vector<std::string> processes_match;  // regular expressions on process names
  bool neighbor_changes = false;
  // `negotiated;`: a "negotiated" JSON event when the session comes up, and
  // the negotiated block in the neighbor's UPDATE and `packets` lines.
  bool negotiated = false;
  MessageSet receive, send;
  bool operator==(const ApiBinding&) const = default;
};

struct TcpAo {  // RFC 5925
  std::uint32_t keyid = 0;
  std::string algorithm;
  std::string password;
  bool operator==(const TcpAo&) const = default;
};

// `nexthop { ipv4 unicast ipv6; }`: RFC 8950 next-hop AFI per family.
struct NextHopFamily {
  wire::Family family;
  std::uint16_t next_hop_afi = 0;
  bool operator==(const NextHopFamily&) const = default;
};

struct Neighbor {
  wire::IpAddress peer_address;
  std::optional<wire::IpAddress> local_address;
  std::uint16_t connect_port = 179;  // ExaBGP `connect`: the peer's port we dial
  std::uint16_t listen_port = 0;     // ExaBGP `listen`: our port (0: do not listen)
  std::uint32_t local_as = 0;
  std::uint32_t peer_as = 0;
  std::optional<std::uint32_t> router_id;  // default: the local address if IPv4
  std::uint16_t hold_time_s = 180;
  bool passive = false;
  bool group_updates = true;
  bool auto_flush = true;
  bool manual_eor = false;
  bool adj_rib_in = true;
  bool adj_rib_out = true;
  std::string description;
  std::string host_name;
  std::string domain_name;
  std::string md5_password;  // RFC 2385 TCP-MD5
  bool md5_base64 = false;
  std::optional<wire::IpAddress> md5_ip;  // the address the MD5 key is bound to
  std::optional<TcpAo> tcp_ao;
  std::optional<std::uint8_t> outgoing_ttl;         // GTSM (RFC 5082): TTL we send
  std::optional<std::uint8_t> incoming_ttl;         // GTSM: minimum TTL we accept
  std::optional<wire::IpAddress> local_link_local;  // RFC 2545 3: sent after global next hops
  // RFC 9234: `role provider|rs|rs-client|customer|peer;` (wire::cap::role),
  // `role-strict true;` refuses a peer that sends no role. Not ExaBGP's.
  std::optional<std::uint8_t> role;
  bool role_strict = false;
  // RFC 4271 8.1.1 / 10 session attributes (not ExaBGP's): `connect-retry S;`
  // (ConnectRetryTime, 1..65535), `delay-open S;` (DelayOpenTime, 0: off),
  // `send-notification-without-open BOOL;`, and RFC 9687's `send-hold-time S;`
  // (0: max(8 minutes, 2 x the negotiated hold time)).
  std::uint16_t connect_retry_s = 120;
  std::uint16_t delay_open_s = 0;
  bool send_notification_without_open = false;
  std::uint32_t send_hold_time_s = 0;
  // Local timers of the receiving side (not ExaBGP's; 1..65535 s, default
  // 360, FRR's stalepath-time): `stale-routes-time S;` bounds how long a
  // restarted peer's stale routes wait for its End-of-RIB (RFC 4724 4.2, the
  // "(configurable) timer" it allows); `refresh-stale-time S;` how long routes
  // stay stale after the peer's BoRR without its EoRR (RFC 7313 4).
  std::uint16_t stale_routes_time_s = 360;
  std::uint16_t refresh_stale_time_s = 360;
  // RFC 4486 4: `maximum-prefix AFI SAFI N;` (one per family): more routes of
  // the family from the peer end the session with Cease / Maximum Number of
  // Prefixes Reached. Not ExaBGP's.
  std::vector<std::pair<wire::Family, std::uint32_t>> maximum_prefix;
  Capabilities capabilities;
  // ExaBGP's departures from the RFCs on the wire (session::PeerConfig::
  // exabgp_compat). No keyword sets it: the qa runner does for ExaBGP's tests.
  bool exabgp_compat = false;
  std::vector<wire::Family> families;  // empty: ipv4 unicast, plus what the routes need
  std::vector<NextHopFamily> next_hops;
  std::vector<ApiBinding> api;
  std::deque<StaticRoute> routes;  // a deque: no reallocation peak at a million routes
  // The words of `flow` and family routes as written, for printing; the
  // parser also adds each as a StaticRoute of `routes` (its NLRI built by the
  // family's row), which is what the speaker sends.
  std::vector<FlowRoute> flow_routes;
  std::vector<FamilyRoute> family_routes;
  Location where;

  // Families to negotiate: the configured ones, or the defaults.
  std::vector<wire::Family> negotiated_families() const;
  // The first route the speaker cannot send yet (its family has no codec):
  // "file:line:col: route of family ipv4 flow is not supported yet".
  std::optional<std::string> unsupported() const;
  bool operator==(const Neighbor&) const = default;
};

// `process NAME { run COMMAND; encoder json|text; respawn BOOL; }`
struct Process {
  std::string name;
  std::vector<std::string> run;  // the command and its arguments
  std::string encoder = "text";
  bool respawn = true;
  Location where;
  bool operator==(const Process&) const = default;
};

struct Config {
  std::vector<Process> processes;
  std::vector<Neighbor> neighbors;
  bool operator==(const Config&) const = default;
};

}  // namespace bgpsim::config
