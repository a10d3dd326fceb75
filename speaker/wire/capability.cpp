// OPEN capabilities (RFC 5492): one table row per capability code with its
// name, value decoder, value encoder and ExaBGP JSON rendering. A code without
// a row is kept as cap::Unknown (raw bytes) and travels on unchanged.
#include <algorithm>
#include <array>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "speaker/wire/capability.hpp"
#include "speaker/wire/json.hpp"
#include "speaker/wire/utf8.hpp"

namespace bgpsim::wire {

namespace {

// draft-ietf-idr-bgp-multisession's own code; Cisco uses 131 (cap::multisession).
constexpr std::uint8_t multisession_draft = 68;

// Malformed values are OPEN Message Errors; RFC 5492 defines no subcode for
// them, so they are Unspecific (RFC 4271 6.2).
DecodeError malformed(const Reader& r, std::string what) {
  return make_error(r.offset(), NotifyCode::open_message, open_error::unspecific, std::move(what));
}

DecodeError wrong_length(const Reader& r, std::string_view name, std::string_view expected) {
  return malformed(r, std::string(name) + " capability value must be " + std::string(expected) +
                          ", got " + std::to_string(r.remaining()) + " bytes");
}

// ExaBGP names families in capabilities "afi/safi" ("ipv4/unicast").
std::string family_key(Family f) { return f.afi_name() + "/" + f.safi_name(); }

std::string text_of(ByteView v) { return std::string(v.begin(), v.end()); }

// --- Values without content (RFC 2918, 7313, 8654, ...) -----------------------
template <class T>
Result<T> decode_empty(std::uint8_t, Reader& r) {
  if (!r.empty()) return wrong_length(r, "this", "empty");
  return T{};
}
template <class T>
void encode_empty(const T&, Writer&) {}

Result<cap::RouteRefresh> decode_route_refresh(std::uint8_t code, Reader& r) {
  if (!r.empty()) return wrong_length(r, "route refresh", "empty");
  return cap::RouteRefresh{code};
}
Json render_route_refresh(const cap::RouteRefresh& c) {
  return {{"name", "route-refresh"}, {"variant", c.code == cap::route_refresh ? "RFC" : "Cisco"}};
}

Json render_extended_message(const cap::ExtendedMessage&) {
  return {{"name", "extended-message"}, {"size", 65535}};
}
Json render_enhanced_route_refresh(const cap::EnhancedRouteRefresh&) {
  return {{"name", "enhanced-route-refresh"}};
}
Json render_link_local(const cap::LinkLocalNextHop&) { return {{"name", "link-local-nexthop"}}; }
Json render_operational(const cap::Operational&) { return {{"name", "operational"}}; }

// --- Multiprotocol (RFC 4760 8): AFI(2) reserved(1) SAFI(1) --------------------
Result<cap::Multiprotocol> decode_multiprotocol(std::uint8_t, Reader& r) {
  if (r.remaining() != 4) return wrong_length(r, "multiprotocol", "4 bytes");
  auto afi = *r.u16();
  r.u8();  // reserved: "SHOULD be set to 0 by the sender and ignored by the receiver"
  auto safi = *r.u8();
  return cap::Multiprotocol{Family(afi, safi)};
}
void encode_multiprotocol(const cap::Multiprotocol& c, Writer& w) {
  w.u16(c.family.afi);
  w.u8(0);
  w.u8(c.family.safi);
}
Json render_multiprotocol(const cap::Multiprotocol& c) {
  return {{"name", "multiprotocol"}, {"families", Json::array({family_key(c.family)})}};
}

// --- Extended next hop (RFC 8950 3): AFI(2) SAFI(2) next-hop AFI(2) ------------
Result<cap::ExtendedNextHop> decode_extended_next_hop(std::uint8_t, Reader& r) {
  if (r.remaining() % 6 != 0) return wrong_length(r, "extended next hop", "a multiple of 6 bytes");
  cap::ExtendedNextHop c;
  while (!r.empty()) {
    auto at = r.offset();
    auto afi = *r.u16();
    auto safi = *r.u16();
    auto nh_afi = *r.u16();
    if (safi > 0xFF)  // SAFIs are one byte everywhere else (RFC 4760)
      return make_error(at + 2, NotifyCode::open_message, open_error::unspecific,
                        "extended next hop SAFI " + std::to_string(safi) + " is out of range");
    c.entries.push_back({Family(afi, static_cast<std::uint8_t>(safi)), nh_afi});
  }
  return c;
}
void encode_extended_next_hop(const cap::ExtendedNextHop& c, Writer& w) {
  for (const auto& e : c.entries) {
    w.u16(e.nlri.afi);
    w.u16(e.nlri.safi);
    w.u16(e.next_hop_afi);
  }
}
Json render_extended_next_hop(const cap::ExtendedNextHop& c) {
  Json conversion = Json::array();
  for (const auto& e : c.entries)
    conversion.push_back(family_key(e.nlri) + "/" + Family(e.next_hop_afi, 1).afi_name());
  return {{"name", "nexthop"}, {"conversion", std::move(conversion)}};
}

// --- Graceful restart (RFC 4724 3, N bit RFC 8538 2) ---------------------------
// Restart Flags(4) Restart Time(12), then AFI(2) SAFI(1) Flags(1) per family.
constexpr std::uint16_t gr_restart_state = 0x8000;
constexpr std::uint16_t gr_notification = 0x4000;
constexpr std::uint16_t gr_time_mask = 0x0FFF;
constexpr std::uint8_t gr_forwarding = 0x80;

Result<cap::GracefulRestart> decode_graceful_restart(std::uint8_t, Reader& r) {
  if (r.remaining() < 2 || (r.remaining() - 2) % 4 != 0)
    return wrong_length(r, "graceful restart", "2 bytes plus 4 per family");
  cap::GracefulRestart c;
  auto head = *r.u16();
  c.restart_state = (head & gr_restart_state) != 0;
  c.notification = (head & gr_notification) != 0;
  c.restart_time_s = head & gr_time_mask;
  while (!r.empty()) {
    auto afi = *r.u16();
    auto safi = *r.u8();
    auto flags = *r.u8();
    c.families.push_back({Family(afi, safi), (flags & gr_forwarding) != 0});
  }
  return c;
}
void encode_graceful_restart(const cap::GracefulRestart& c, Writer& w) {
  std::uint16_t head = c.restart_time_s & gr_time_mask;
  if (c.restart_state) head |= gr_restart_state;
  if (c.notification) head |= gr_notification;
  w.u16(head);
  for (const auto& f : c.families) {
    w.u16(f.family.afi);
    w.u8(f.family.safi);
    w.u8(f.forwarding_preserved ? gr_forwarding : 0);
  }
}
// ExaBGP's own words: a family whose forwarding state was preserved is listed
// with "restart", and the R bit is rendered as "forwarding". We add
// "notification" for the RFC 8538 N bit, which ExaBGP does not decode.
Json render_graceful_restart(const cap::GracefulRestart& c) {
  Json families = Json::object();
  for (const auto& f : c.families)
    families[family_key(f.family)] =
        f.forwarding_preserved ? Json::array({"restart"}) : Json::array();
  Json flags = Json::array();
  if (c.restart_state) flags.push_back("forwarding");
  if (c.notification) flags.push_back("notification");
  return {{"name", "graceful restart"},
          {"time", c.restart_time_s},
          {"address-family-flags", std::move(families)},
          {"restart-flags", std::move(flags)}};
}

// --- Four-octet AS number (RFC 6793 9) ------------------------------------------
Result<cap::FourOctetAsn> decode_four_octet_asn(std::uint8_t, Reader& r) {
  if (r.remaining() != 4) return wrong_length(r, "4-byte ASN", "4 bytes");
  const auto at = r.offset();
  const auto asn = *r.u32();
  // RFC 7607 2: "If a BGP speaker receives zero as the peer AS in an OPEN
  // message, it MUST abort the connection and send a NOTIFICATION with Error
  // Code "OPEN Message Error" and subcode "Bad Peer AS"" -- with this
  // capability the peer's AS is this one (RFC 6793 4.1).
  if (asn == 0)
    return make_error(at, NotifyCode::open_message, open_error::bad_peer_as,
                      "4-octet AS number capability holds AS 0");
  return cap::FourOctetAsn{asn};
}
void encode_four_octet_asn(const cap::FourOctetAsn& c, Writer& w) { w.u32(c.asn); }
Json render_four_octet_asn(const cap::FourOctetAsn& c) {
  return {{"name", "asn4"}, {"asn4", c.asn}};
}

// --- BGP Role (RFC 9234 4.1): one octet ------------------------------------------
Result<cap::Role> decode_role(std::uint8_t, Reader& r) {
  if (r.remaining() != 1) return wrong_length(r, "BGP Role", "1 byte");
  return cap::Role{*r.u8()};
}
void encode_role(const cap::Role& c, Writer& w) { w.u8(c.value); }
Json render_role(const cap::Role& c) {
  return {{"name", "role"}, {"role", std::string(cap::role_name(c.value))}};
}

// --- ADD-PATH (RFC 7911 4): AFI(2) SAFI(1) Send/Receive(1) ---------------------
Result<cap::AddPath> decode_add_path(std::uint8_t, Reader& r) {
  if (r.remaining() % 4 != 0) return wrong_length(r, "add-path", "a multiple of 4 bytes");
  cap::AddPath c;
  while (!r.empty()) {
    auto afi = *r.u16();
    auto safi = *r.u8();
    auto direction = *r.u8();
    c.entries.push_back({Family(afi, safi), direction});
  }
  return c;
}
void encode_add_path(const cap::AddPath& c, Writer& w) {
  for (const auto& e : c.entries) {
    w.u16(e.family.afi);
    w.u8(e.family.safi);
    w.u8(e.direction);
  }
}
std::string add_path_direction(std::uint8_t d) {
  switch (d) {
    case 0:
      return "disabled";
    case cap::AddPath::receive:
      return "receive";
    case cap::AddPath::send:
      return "send";
    case cap::AddPath::both:
      return "send/receive";
  }
  return std::to_string(d);  // RFC 7911 defines no other value; shown as is
}
Json render_add_path(const cap::AddPath& c) {
  Json j = {{"name", "addpath"}};
  for (const auto& e : c.entries) j[family_key(e.family)] = add_path_direction(e.direction);
  return j;
}

// --- Long-lived graceful restart (RFC 9494 3) ----------------------------------
// AFI(2) SAFI(1) Flags(1) Long-lived Stale Time(3) per family.
constexpr std::uint8_t llgr_forwarding = 0x80;

Result<cap::LongLivedGracefulRestart> decode_llgr(std::uint8_t, Reader& r) {
  if (r.remaining() % 7 != 0)
    return wrong_length(r, "long-lived graceful restart", "a multiple of 7 bytes");
  cap::LongLivedGracefulRestart c;
  while (!r.empty()) {
    auto afi = *r.u16();
    auto safi = *r.u8();
    auto flags = *r.u8();
    std::uint32_t stale = 0;
    for (int i = 0; i < 3; ++i) stale = (stale << 8) | *r.u8();
    c.entries.push_back({Family(afi, safi), flags, stale});
  }
  return c;
}
void encode_llgr(const cap::LongLivedGracefulRestart& c, Writer& w) {
  for (const auto& e : c.entries) {
    w.u16(e.family.afi);
    w.u8(e.family.safi);
    w.u8(e.flags);
    for (int s = 16; s >= 0; s -= 8) w.u8(static_cast<std::uint8_t>(e.stale_time_s >> s));
  }
}
// ExaBGP has no LLGR capability; this follows its graceful restart shape.
Json render_llgr(const cap::LongLivedGracefulRestart& c) {
  Json families = Json::object();
  for (const auto& e : c.entries)
    families[family_key(e.family)] = {{"forwarding", (e.flags & llgr_forwarding) != 0},
                                      {"stale-time", e.stale_time_s}};
  return {{"name", "long-lived graceful restart"}, {"address-family", std::move(families)}};
}

// --- Hostname (draft-walton-bgp-hostname-capability 3) -------------------------
// Host Name Length(1) Host Name, Domain Name Length(1) Domain Name.
Result<cap::Fqdn> decode_fqdn(std::uint8_t, Reader& r) {
  cap::Fqdn c;
  auto host_length = r.u8();
  if (!host_length) return malformed(r, "hostname capability is empty");
  auto host = r.take(*host_length);
  if (!host) return malformed(r, "hostname capability: host name overruns the value");
  auto domain_length = r.u8();
  if (!domain_length) return malformed(r, "hostname capability: domain name length is missing");
  auto domain = r.take(*domain_length);
  if (!domain) return malformed(r, "hostname capability: domain name overruns the value");
  if (!r.empty()) return malformed(r, "hostname capability: bytes after the domain name");
  c.host_name = text_of(*host);
  c.domain_name = text_of(*domain);
  return c;
}
// One length byte each: longer names are cut to 255 bytes.
void write_short_text(std::string_view s, Writer& w) {
  auto n = std::min<std::size_t>(s.size(), 255);
  w.u8(static_cast<std::uint8_t>(n));
  w.bytes(ByteView(reinterpret_cast<const std::uint8_t*>(s.data()), n));
}
void encode_fqdn(const cap::Fqdn& c, Writer& w) {
  write_short_text(c.host_name, w);
  write_short_text(c.domain_name, w);
}
Json render_fqdn(const cap::Fqdn& c) {  // ExaBGP gives this one no "name"
  return {{"host-name", sanitize_utf8(c.host_name)}, {"domain-name", sanitize_utf8(c.domain_name)}};
}

// --- Software version (draft-ietf-idr-software-version 2): Length(1) Text ------
Result<cap::SoftwareVersion> decode_software_version(std::uint8_t, Reader& r) {
  auto length = r.u8();
  if (!length) return malformed(r, "software version capability is empty");
  auto text = r.take(*length);
  if (!text) return malformed(r, "software version capability: text overruns the value");
  if (!r.empty()) return malformed(r, "software version capability: bytes after the text");
  return cap::SoftwareVersion{text_of(*text)};
}
void encode_software_version(const cap::SoftwareVersion& c, Writer& w) {
  write_short_text(c.version, w);
}
Json render_software_version(const cap::SoftwareVersion& c) {
  return {{"software", sanitize_utf8(c.version)}};
}

// --- Multisession (draft-ietf-idr-bgp-multisession; Cisco 131): raw ----------
Result<cap::Multisession> decode_multisession(std::uint8_t code, Reader& r) {
  auto v = r.rest();
  return cap::Multisession{code, Bytes(v.begin(), v.end())};
}
void encode_multisession(const cap::Multisession& c, Writer& w) { w.bytes(c.value); }
Json render_multisession(const cap::Multisession& c);  // needs the table for names

// --- The table ----------------------------------------------------------------
struct Row {
  std::uint8_t code;
  std::string_view name;
  std::size_t index;  // the Capability alternative this row decodes to
  Result<Capability> (*decode)(std::uint8_t code, Reader& r);
  void (*encode)(const Capability& c, Writer& w);  // the value only
  Json (*render)(const Capability& c);
};

template <class T, class... Ts>
constexpr std::size_t index_in(const std::variant<Ts...>*) {
  constexpr std::array same{std::is_same_v<T, Ts>...};
  for (std::size_t i = 0; i < same.size(); ++i)
    if (same[i]) return i;
  return same.size();
}

template <class T, Result<T> (*Decode)(std::uint8_t, Reader&), void (*Encode)(const T&, Writer&),
          Json (*Render)(const T&)>
constexpr Row row(std::uint8_t code, std::string_view name) {
  return Row{code,
             name,
             index_in<T>(static_cast<const Capability*>(nullptr)),
             [](std::uint8_t c, Reader& r) -> Result<Capability> {
               auto v = Decode(c, r);
               if (!v) return v.error();
               return Capability(std::move(*v));
             },
             [](const Capability& c, Writer& w) { Encode(std::get<T>(c), w); },
             [](const Capability& c) { return Render(std::get<T>(c)); }};
}

template <class T, Json (*Render)(const T&)>
constexpr Row empty_row(std::uint8_t code, std::string_view name) {
  return row<T, decode_empty<T>, encode_empty<T>, Render>(code, name);
}

// Names as ExaBGP's CapabilityCode gives them.
constexpr std::array rows{
    row<cap::Multiprotocol, decode_multiprotocol, encode_multiprotocol, render_multiprotocol>(
        cap::multiprotocol, "multiprotocol"),
    row<cap::RouteRefresh, decode_route_refresh, encode_empty<cap::RouteRefresh>,
        render_route_refresh>(cap::route_refresh, "route-refresh"),
    row<cap::ExtendedNextHop, decode_extended_next_hop, encode_extended_next_hop,
        render_extended_next_hop>(cap::extended_next_hop, "nexthop"),
    empty_row<cap::ExtendedMessage, render_extended_message>(cap::extended_message,
                                                             "extended-message"),
    row<cap::GracefulRestart, decode_graceful_restart, encode_graceful_restart,
        render_graceful_restart>(cap::graceful_restart, "graceful-restart"),
    row<cap::FourOctetAsn, decode_four_octet_asn, encode_four_octet_asn, render_four_octet_asn>(
        cap::four_octet_asn, "asn4"),
    row<cap::Multisession, decode_multisession, encode_multisession, render_multisession>(
        multisession_draft, "multi-session"),
    row<cap::AddPath, decode_add_path, encode_add_path, render_add_path>(cap::add_path, "add-path"),
    empty_row<cap::EnhancedRouteRefresh, render_enhanced_route_refresh>(cap::enhanced_route_refresh,
                                                                        "enhanced-route-refresh"),
    row<cap::LongLivedGracefulRestart, decode_llgr, encode_llgr, render_llgr>(
        cap::long_lived_graceful_restart, "long-lived-graceful-restart"),
    row<cap::Fqdn, decode_fqdn, encode_fqdn, render_fqdn>(cap::fqdn, "hostname"),
    row<cap::SoftwareVersion, decode_software_version, encode_software_version,
        render_software_version>(cap::software_version, "software-version"),
    empty_row<cap::LinkLocalNextHop, render_link_local>(cap::link_local_next_hop,
                                                        "link-local-nexthop"),
    row<cap::RouteRefresh, decode_route_refresh, encode_empty<cap::RouteRefresh>,
        render_route_refresh>(cap::route_refresh_cisco, "cisco-route-refresh"),
    row<cap::Multisession, decode_multisession, encode_multisession, render_multisession>(
        cap::multisession, "cisco-multi-session"),
    empty_row<cap::Operational, render_operational>(cap::operational, "operational"),
    row<cap::Role, decode_role, encode_role, render_role>(cap::bgp_role, "role"),
};

const Row* row_for_code(std::uint8_t code) {
  for (const auto& r : rows)
    if (r.code == code) return &r;
  return nullptr;
}

// The row that encodes `c`: the one for its code when that row holds its type,
// else the first row of its type (a RouteRefresh whose code was set to 7, say).
const Row* row_for(const Capability& c, std::uint8_t code) {
  if (const Row* r = row_for_code(code); r && r->index == c.index()) return r;
  for (const auto& r : rows)
    if (r.index == c.index()) return &r;
  return nullptr;
}

Json render_multisession(const cap::Multisession& c) {
  Json codes = Json::array();
  for (auto code : c.value) codes.push_back(std::string(capability_name(code)));
  return {{"name", "multisession"},
          {"variant", c.code == multisession_draft ? "RFC" : "Cisco"},
          {"capabilities", std::move(codes)}};
}

std::string unknown_iana(std::uint8_t code) {  // ExaBGP's (dated) view of the registry
  if (code >= 128) return "reserved";
  if (code >= 70) return "unassigned";
  return "unknown";
}

}  // namespace

namespace cap {

namespace {
constexpr std::array<std::string_view, 5> role_names{"provider", "rs", "rs-client", "customer",
                                                     "peer"};
}

std::string_view role_name(std::uint8_t value) {
  return value < role_names.size() ? role_names[value] : "unknown";
}

std::optional<std::uint8_t> role_from_name(std::string_view name) {
  for (std::size_t i = 0; i < role_names.size(); ++i)
    if (role_names[i] == name) return static_cast<std::uint8_t>(i);
  return std::nullopt;
}

bool roles_pair(std::uint8_t local, std::uint8_t remote) {
  switch (local) {
    case role::provider:
      return remote == role::customer;
    case role::customer:
      return remote == role::provider;
    case role::rs:
      return remote == role::rs_client;
    case role::rs_client:
      return remote == role::rs;
    case role::peer:
      return remote == role::peer;
  }
  return false;
}

}  // namespace cap

std::string_view capability_name(std::uint8_t code) {
  if (const Row* r = row_for_code(code)) return r->name;
  return "unknown";
}

std::uint8_t capability_code(const Capability& c) {
  return std::visit(
      [&](const auto& v) -> std::uint8_t {
        if constexpr (requires { v.code; }) {
          return v.code;
        } else {
          return row_for(c, 0)->code;
        }
      },
      c);
}

Result<Capability> decode_capability(std::uint8_t code, Reader r) {
  if (const Row* row = row_for_code(code)) return row->decode(code, r);
  auto v = r.rest();
  return Capability(cap::Unknown{code, Bytes(v.begin(), v.end())});
}

void encode_capability(const Capability& c, Writer& w) {
  auto code = capability_code(c);
  w.u8(code);
  auto length_at = w.reserve_u8();
  auto start = w.size();
  if (const auto* u = std::get_if<cap::Unknown>(&c))
    w.bytes(u->value);
  else
    row_for(c, code)->encode(c, w);
  // The length is one byte (RFC 5492 4): a longer value cannot be sent, so it
  // is cut rather than let the length wrap and misframe the rest of the OPEN.
  auto length = w.size() - start;
  if (length > 255) {
    w.buffer().resize(start + 255);
    length = 255;
  }
  w.patch_u8(length_at, static_cast<std::uint8_t>(length));
}

Json capability_to_json(const Capability& c) {
  if (const auto* u = std::get_if<cap::Unknown>(&c))
    return {{"name", "unknown"},
            {"iana", unknown_iana(u->code)},
            {"value", u->code},
            {"raw", to_hex(u->value)}};
  return row_for(c, capability_code(c))->render(c);
}

}  // namespace bgpsim::wire
