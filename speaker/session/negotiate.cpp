// OPEN construction and capability negotiation (RFC 4271, 5492, 4760, 6793,
// 7911, 8654, 8950, 2918, 7313, 4724).
#include "speaker/session/negotiate.hpp"

#include <algorithm>
#include <map>
#include <utility>

namespace bgpsim::session {

namespace {

constexpr std::uint8_t bgp_version = 4;
constexpr std::uint32_t max_two_byte_as = 65535;
constexpr std::uint32_t max_backoff_s = 86400;  // keeps back-off arithmetic in 64 bits

wire::DecodeError open_error(std::uint8_t subcode, std::string reason, wire::Bytes data = {}) {
  return wire::make_error(0, wire::NotifyCode::open_message, subcode, std::move(reason),
                          std::move(data));
}

template <class Cap>
bool has(const std::vector<wire::Capability>& caps) {
  return std::any_of(caps.begin(), caps.end(),
                     [](const wire::Capability& c) { return std::holds_alternative<Cap>(c); });
}

template <class Cap>
const Cap* first(const std::vector<wire::Capability>& caps) {
  for (const auto& c : caps)
    if (const auto* p = std::get_if<Cap>(&c)) return p;
  return nullptr;
}

// RFC 4760 8: a speaker that sends no Multiprotocol capability at all is
// understood to carry IPv4 unicast only.
wire::FamilySet families_of(const std::vector<wire::Capability>& caps) {
  wire::FamilySet set;
  for (const auto& c : caps)
    if (const auto* mp = std::get_if<wire::cap::Multiprotocol>(&c)) set.insert(mp->family);
  if (set.items().empty()) set.insert(wire::ipv4_unicast);
  return set;
}

// Family -> Send/Receive bits, merged over every ADD-PATH capability.
std::map<wire::Family, std::uint8_t> add_path_of(const std::vector<wire::Capability>& caps) {
  std::map<wire::Family, std::uint8_t> directions;
  for (const auto& c : caps)
    if (const auto* ap = std::get_if<wire::cap::AddPath>(&c))
      for (const auto& e : ap->entries) directions[e.family] |= e.direction;
  return directions;
}

std::vector<wire::cap::ExtendedNextHop::Entry> next_hops_of(
    const std::vector<wire::Capability>& caps) {
  std::vector<wire::cap::ExtendedNextHop::Entry> entries;
  for (const auto& c : caps)
    if (const auto* nh = std::get_if<wire::cap::ExtendedNextHop>(&c))
      entries.insert(entries.end(), nh->entries.begin(), nh->entries.end());
  return entries;
}

wire::Bytes multiprotocol_capabilities(const std::vector<wire::Capability>& caps) {
  wire::Bytes data;
  wire::Writer w(data);
  for (const auto& c : caps)
    if (std::holds_alternative<wire::cap::Multiprotocol>(c)) wire::encode_capability(c, w);
  return data;
}

std::optional<wire::DecodeError> check_peer(const PeerConfig& config, const wire::Open& received) {
  if (received.version != bgp_version)
    // RFC 4271 6.2: "the Data field is a 2-octet unsigned integer, which
    // indicates the largest, locally-supported version number less than the
    // version the remote BGP peer bid".
    return open_error(wire::open_error::unsupported_version,
                      "version " + std::to_string(received.version) + " is not 4",
                      {0, bgp_version});
  const std::uint32_t peer_as = received.asn();
  // RFC 7607 2: "A BGP speaker MUST NOT originate or propagate a route with an
  // AS number of zero ... an OPEN message received with an AS number of zero
  // ... SHALL be treated as an error (Bad Peer AS)".
  if (received.my_as == 0 || peer_as == 0)
    return open_error(wire::open_error::bad_peer_as, "peer AS is 0");
  // RFC 4271 6.2: "If the Autonomous System field of the OPEN message is
  // unacceptable, then the Error Subcode MUST be set to Bad Peer AS." With the
  // 4-byte ASN capability the real AS is in the capability and My AS holds
  // AS_TRANS (RFC 6793 4.1); received.asn() reads the right one.
  if (config.peer_as != 0 && peer_as != config.peer_as)
    return open_error(wire::open_error::bad_peer_as, "peer AS " + std::to_string(peer_as) +
                                                         " is not the configured " +
                                                         std::to_string(config.peer_as));
  if (received.bgp_identifier == 0)
    return open_error(wire::open_error::bad_bgp_identifier, "BGP identifier is 0");
  // RFC 6286 2.2: "For a BGP speaker that is ... internal peer, the BGP
  // Identifier MUST be unique" -- an iBGP peer may not share ours.
  if (peer_as == config.local_as && received.bgp_identifier == config.router_id)
    return open_error(wire::open_error::bad_bgp_identifier, "iBGP peer uses our BGP identifier");
  // RFC 4271 6.2: "An implementation MUST reject Hold Time values of one or two seconds."
  if (received.hold_time_s == 1 || received.hold_time_s == 2)
    return open_error(wire::open_error::unacceptable_hold_time,
                      "hold time " + std::to_string(received.hold_time_s) + " s");
  // RFC 4271 6.2: "If one of the Optional Parameters in the OPEN message is
  // not recognized, then the Error Subcode MUST be set to Unsupported Optional
  // Parameters."
  if (!received.other_parameters.empty())
    return open_error(
        wire::open_error::unsupported_optional_parameter,
        "optional parameter " + std::to_string(received.other_parameters.front().type));
  return std::nullopt;
}

// RFC 9234 4.2: "If the BGP Role Capability is sent and one is also
// received from the peer, the roles MUST be checked against the allowed
// pairs ... If the role of the receiving speaker for the eBGP session in
// consideration is included in an allowed Role pair, the speaker MUST reject
// the connection with the Role Mismatch Notification (code 2, subcode 11)"
// -- when not; "If multiple BGP Role Capabilities are received and not all of
// them have the same value, then the BGP speaker MUST reject the
// connection"; in strict mode a peer without the capability is refused.
std::optional<wire::DecodeError> check_role(const PeerConfig& config,
                                            const std::vector<wire::Capability>& theirs,
                                            Negotiated& n) {
  std::optional<std::uint8_t> peer_role;
  for (const auto& c : theirs)
    if (const auto* r = std::get_if<wire::cap::Role>(&c)) {
      if (peer_role && *peer_role != r->value)
        return open_error(wire::open_error::role_mismatch, "several different BGP Roles");
      peer_role = r->value;
    }
  n.peer_role = peer_role;
  n.local_role = config.role;
  if (!config.role) return std::nullopt;
  if (!peer_role) {
    if (config.role_strict)
      return open_error(wire::open_error::role_mismatch, "no BGP Role from the peer (strict mode)");
    return std::nullopt;
  }
  if (!wire::cap::roles_pair(*config.role, *peer_role))
    return open_error(wire::open_error::role_mismatch,
                      "the peer's role " + std::string(wire::cap::role_name(*peer_role)) +
                          " does not pair with ours (" +
                          std::string(wire::cap::role_name(*config.role)) + ")");
  return std::nullopt;
}

void negotiate_add_path(const std::vector<wire::Capability>& ours,
                        const std::vector<wire::Capability>& theirs, Negotiated& n) {
  using wire::cap::AddPath;
  const auto their = add_path_of(theirs);
  for (const auto& [family, mine] : add_path_of(ours)) {
    auto it = their.find(family);
    if (it == their.end()) continue;
    // RFC 7911 4: we receive path ids when we said receive and they said send,
    // and we send them when we said send and they said receive.
    if ((mine & AddPath::receive) && (it->second & AddPath::send))
      n.receive.add_path.insert(family);
    if ((mine & AddPath::send) && (it->second & AddPath::receive)) n.send.add_path.insert(family);
  }
}

}  // namespace

std::optional<std::string> config_error(const PeerConfig& c) {
  if (c.local_as == 0) return "local AS is 0";
  if (c.router_id == 0) return "router id is 0";
  if (c.local_as > max_two_byte_as && !c.four_octet_asn)
    return "local AS " + std::to_string(c.local_as) + " needs the 4-byte ASN capability";
  if (c.hold_time_s == 1 || c.hold_time_s == 2) return "hold time must be 0 or at least 3 s";
  if (c.connect_retry_s == 0) return "connect retry time must be at least 1 s";
  if (c.backoff_min_s == 0) return "minimum back-off must be at least 1 s";
  if (c.backoff_max_s < c.backoff_min_s) return "maximum back-off is below the minimum";
  if (c.backoff_max_s > max_backoff_s) return "maximum back-off is above one day";
  if (c.backoff_jitter_percent > 100) return "back-off jitter is above 100%";
  return std::nullopt;
}

wire::Open make_open(const PeerConfig& config) {
  wire::Open open;
  open.version = bgp_version;
  open.my_as = config.local_as > max_two_byte_as ? wire::as_trans
                                                 : static_cast<std::uint16_t>(config.local_as);
  open.hold_time_s = config.hold_time_s;
  open.bgp_identifier = config.router_id;

  std::vector<wire::Capability> caps;
  for (auto f : config.families) caps.emplace_back(wire::cap::Multiprotocol{f});
  if (config.four_octet_asn) caps.emplace_back(wire::cap::FourOctetAsn{config.local_as});
  if (!config.extended_next_hop.empty())
    caps.emplace_back(wire::cap::ExtendedNextHop{config.extended_next_hop});
  wire::cap::AddPath add_path;
  for (const auto& wish : config.add_path) {
    auto direction = static_cast<std::uint8_t>((wish.receive ? wire::cap::AddPath::receive : 0) |
                                               (wish.send ? wire::cap::AddPath::send : 0));
    if (direction != 0) add_path.entries.push_back({wish.family, direction});
  }
  if (!add_path.entries.empty()) caps.emplace_back(std::move(add_path));
  if (config.graceful_restart) caps.emplace_back(*config.graceful_restart);
  if (config.graceful_restart && config.long_lived_graceful_restart)
    caps.emplace_back(*config.long_lived_graceful_restart);
  if (config.route_refresh) caps.emplace_back(wire::cap::RouteRefresh{});
  if (config.enhanced_route_refresh) caps.emplace_back(wire::cap::EnhancedRouteRefresh{});
  if (config.extended_message) caps.emplace_back(wire::cap::ExtendedMessage{});
  if (config.role) caps.emplace_back(wire::cap::Role{*config.role});
  caps.insert(caps.end(), config.extra_capabilities.begin(), config.extra_capabilities.end());

  for (auto& c : caps) open.capability_parameters.push_back({std::move(c)});
  return open;
}

wire::Result<Negotiated> negotiate(const PeerConfig& config, const wire::Open& sent,
                                   const wire::Open& received) {
  if (auto error = check_peer(config, received)) return *error;
  const auto ours = sent.capabilities();
  const auto theirs = received.capabilities();

  Negotiated n;
  if (auto error = check_role(config, theirs, n)) return *error;
  n.local_as = config.local_as;
  n.peer_as = received.asn();
  n.peer_router_id = received.bgp_identifier;
  // RFC 4271 4.2: "BGP MUST use the smaller of its configured Hold Time and
  // the Hold Time received in the OPEN message."
  n.hold_time_s = std::min(sent.hold_time_s, received.hold_time_s);
  // RFC 4271 10: "A reasonable maximum time between KEEPALIVE messages would
  // be one third of the Hold Time interval."
  n.keepalive_s = static_cast<std::uint16_t>(n.hold_time_s / 3);

  const auto our_families = families_of(ours);
  const auto their_families = families_of(theirs);
  for (auto f : our_families.items())
    if (their_families.contains(f)) n.families.insert(f);
  if (n.families.items().empty())
    return open_error(wire::open_error::unsupported_capability, "no address family in common",
                      multiprotocol_capabilities(ours));

  // RFC 6793 / RFC 8654: both sides must advertise the capability to use it.
  const bool asn4 = has<wire::cap::FourOctetAsn>(ours) && has<wire::cap::FourOctetAsn>(theirs);
  n.receive.four_octet_asn = n.send.four_octet_asn = asn4;
  const bool extended =
      has<wire::cap::ExtendedMessage>(ours) && has<wire::cap::ExtendedMessage>(theirs);
  n.receive.extended_message = n.send.extended_message = extended;

  negotiate_add_path(ours, theirs, n);
  n.receive.exabgp_compat = n.send.exabgp_compat = config.exabgp_compat;

  // RFC 8950 4: the IPv6 next hop may be used for a family both sides listed
  // with the same next-hop AFI.
  const auto their_next_hops = next_hops_of(theirs);
  for (const auto& e : next_hops_of(ours))
    if (std::find(their_next_hops.begin(), their_next_hops.end(), e) != their_next_hops.end()) {
      n.receive.extended_next_hop.insert(e.nlri);
      n.send.extended_next_hop.insert(e.nlri);
    }

  n.route_refresh = has<wire::cap::RouteRefresh>(ours) && has<wire::cap::RouteRefresh>(theirs);
  n.enhanced_route_refresh =
      has<wire::cap::EnhancedRouteRefresh>(ours) && has<wire::cap::EnhancedRouteRefresh>(theirs);
  if (has<wire::cap::GracefulRestart>(ours))
    if (const auto* gr = first<wire::cap::GracefulRestart>(theirs)) n.graceful_restart = *gr;
  if (n.graceful_restart && has<wire::cap::LongLivedGracefulRestart>(ours))
    if (const auto* llgr = first<wire::cap::LongLivedGracefulRestart>(theirs))
      n.long_lived_graceful_restart = *llgr;
  return n;
}

}  // namespace bgpsim::session
