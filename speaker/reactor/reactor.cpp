#include "speaker/reactor/reactor.hpp"

#include <algorithm>

namespace bgpsim::reactor {

using namespace bgpsim::wire;

session::PeerSettings peer_settings(const config::Neighbor& n) {
  session::PeerSettings s;
  s.name = n.peer_address.to_string();
  s.remote = runtime::Endpoint(boost::asio::ip::make_address(s.name), n.connect_port);
  if (n.local_address)
    s.socket.local_address = boost::asio::ip::make_address(n.local_address->to_string());
  s.socket.md5_password = n.md5_password;
  s.socket.ttl = n.outgoing_ttl;
  s.socket.min_ttl = n.incoming_ttl;
  auto& f = s.fsm;
  f.local_as = n.local_as;
  f.peer_as = n.peer_as;
  f.router_id = n.router_id.value_or(0);
  f.hold_time_s = n.hold_time_s;
  f.passive = n.passive;
  f.families = n.negotiated_families();
  const auto& c = n.capabilities;
  f.four_octet_asn = c.asn4;
  f.route_refresh = c.route_refresh;
  // ExaBGP's `route-refresh` advertises Enhanced Route Refresh (RFC 7313)
  // beside it (capabilities.py _refresh); `flush adj-rib out` then sends
  // BoRR and EoRR around the table (its api-rr-rib.ci), and a peer's BoRR and
  // EoRR purge what it did not send again (Peer::refresh_in).
  f.enhanced_route_refresh = c.route_refresh;
  f.extended_message = c.extended_message;
  if (c.add_path.send || c.add_path.receive)
    for (auto family : c.add_path_families.empty() ? f.families : c.add_path_families)
      f.add_path.push_back(session::AddPathWish{family, c.add_path.send, c.add_path.receive});
  if (c.extended_next_hop)
    for (auto family : f.families)
      if (family.afi == static_cast<std::uint16_t>(Afi::ipv4))
        f.extended_next_hop.push_back(cap::ExtendedNextHop::Entry{family, 2});
  if (c.graceful_restart_s) {
    cap::GracefulRestart gr;
    gr.restart_time_s = *c.graceful_restart_s;
    gr.notification = c.graceful_restart_notification;  // RFC 8538
    for (auto family : f.families) gr.families.push_back({family, false});
    f.graceful_restart = gr;
    // RFC 9494: a family's own stale time, else the one for every family.
    cap::LongLivedGracefulRestart long_lived;
    for (auto family : f.families) {
      const auto& own = c.long_lived_families;
      auto it =
          std::find_if(own.begin(), own.end(), [&](const auto& e) { return e.first == family; });
      if (it != own.end())
        long_lived.entries.push_back({family, 0, it->second});
      else if (c.long_lived_stale_s)
        long_lived.entries.push_back({family, 0, *c.long_lived_stale_s});
    }
    if (!long_lived.entries.empty()) f.long_lived_graceful_restart = long_lived;
  }
  if (!n.host_name.empty() || !n.domain_name.empty())
    f.extra_capabilities.push_back(cap::Fqdn{n.host_name, n.domain_name});
  if (c.software_version)
    f.extra_capabilities.push_back(cap::SoftwareVersion{
        c.software_version_text.empty() ? std::string(session::default_software_version)
                                        : c.software_version_text});
  if (c.link_local_nexthop) f.extra_capabilities.push_back(cap::LinkLocalNextHop{});
  f.exabgp_compat = n.exabgp_compat;
  f.role = n.role;
  f.role_strict = n.role_strict;
  f.connect_retry_s = n.connect_retry_s;
  f.delay_open_s = n.delay_open_s;
  f.send_notification_without_open = n.send_notification_without_open;
  f.send_hold_time_s = n.send_hold_time_s;
  for (const auto& [family, limit] : n.maximum_prefix)
    s.prefix_limits.push_back(session::PrefixLimit{family, limit});
  s.stale_routes_time = std::chrono::seconds(n.stale_routes_time_s);
  s.refresh_stale_time = std::chrono::seconds(n.refresh_stale_time_s);
  s.build.group_updates = n.group_updates;
  s.build.link_local_next_hop = n.local_link_local;
  return s;
}

void normalise_communities(PathAttributes& a) {
  // Communities and large communities go out sorted and without duplicates,
  // as ExaBGP sends them (RFC 8092 3: duplicate large communities "SHOULD
  // NOT be transmitted"); extended communities keep their configured order,
  // since some (redirect, rate) are read in order, but lose duplicates.
  auto sort_unique = [](auto& v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
  };
  if (a.communities) sort_unique(*a.communities);
  if (a.large_communities) sort_unique(*a.large_communities);
  if (a.extended_communities) {
    auto& v = *a.extended_communities;
    std::vector<std::uint64_t> seen;
    std::erase_if(v, [&](std::uint64_t x) {
      if (std::find(seen.begin(), seen.end(), x) != seen.end()) return true;
      seen.push_back(x);
      return false;
    });
  }
}

RouteContext route_context(const config::Neighbor& n) {
  return RouteContext{n.local_as, n.peer_as, n.local_address};
}

std::variant<PathAttributes, std::string> outgoing_attributes(const RouteContext& n,
                                                              PathAttributes a,
                                                              bool next_hop_self) {
  if (next_hop_self) {
    if (!n.local_address) return std::string("next-hop self needs the neighbor's local-address");
    a.next_hop = *n.local_address;
  }
  normalise_communities(a);
  // RFC 4271 5.1.5: LOCAL_PREF "SHALL" be included towards internal peers
  // (100 when the route does not set it, as ExaBGP and most speakers do) and
  // "MUST NOT" be included in UPDATE messages sent to external peers.
  if (n.local_as == n.peer_as) {
    if (!a.local_pref) a.local_pref = default_local_pref;
  } else {
    a.local_pref.reset();
  }
  // RFC 4271 5.1.2: to an external peer, "the local system shall prepend its
  // own AS number as the last element of the sequence" (a new leftmost
  // AS_SEQUENCE when the path starts with a set or is empty).
  if (n.local_as != n.peer_as) {
    if (!a.as_path) a.as_path = AsPath{};
    auto& segments = a.as_path->segments;
    if (segments.empty() || segments.front().type != AsPathSegment::as_sequence ||
        segments.front().asns.size() >= 255)
      segments.insert(segments.begin(), AsPathSegment{AsPathSegment::as_sequence, {}});
    auto& asns = segments.front().asns;
    asns.insert(asns.begin(), n.local_as);
  }
  return a;
}

std::variant<ResolvedRoutes, std::string> ResolvedRoutes::resolve(const config::Neighbor& n,
                                                                  rib::AttributePool& pool) {
  if (auto unsupported = n.unsupported()) return *unsupported;
  ResolvedRoutes out;
  out.neighbor_ = &n;
  const auto context = route_context(n);
  for (const auto& r : n.routes) {
    // `withdraw` (with `watchdog NAME`): configured, but sent only once the
    // API announces the watchdog.
    if (r.extra().withdrawn) continue;
    auto [it, fresh] = out.resolved_.try_emplace({r.attributes.get(), r.next_hop_self});
    if (!fresh) continue;
    auto a = outgoing_attributes(context, *r.attributes, r.next_hop_self);
    if (auto* error = std::get_if<std::string>(&a)) return r.where.to_string() + ": " + *error;
    it->second = pool.intern(std::move(std::get<PathAttributes>(a)));
  }
  return out;
}

std::variant<std::map<rib::RouteKey, PathAttributes>, std::string> neighbor_routes(
    const config::Neighbor& n) {
  rib::AttributePool pool;
  auto resolved = ResolvedRoutes::resolve(n, pool);
  if (auto* error = std::get_if<std::string>(&resolved)) return *error;
  std::map<rib::RouteKey, PathAttributes> out;
  std::get<ResolvedRoutes>(resolved).for_each(
      [&](const rib::RouteKey& key, const rib::AttributesPtr& a) { out[key] = *a; });
  return out;
}

bool same_session(const session::PeerSettings& x, const session::PeerSettings& y) {
  return x.remote == y.remote && x.socket.local_address == y.socket.local_address &&
         x.socket.md5_password == y.socket.md5_password && x.socket.ttl == y.socket.ttl &&
         x.socket.min_ttl == y.socket.min_ttl && x.fsm.local_as == y.fsm.local_as &&
         x.fsm.peer_as == y.fsm.peer_as && x.fsm.router_id == y.fsm.router_id &&
         x.fsm.hold_time_s == y.fsm.hold_time_s && x.fsm.passive == y.fsm.passive &&
         x.fsm.connect_retry_s == y.fsm.connect_retry_s && x.fsm.families == y.fsm.families &&
         x.fsm.add_path == y.fsm.add_path && x.fsm.four_octet_asn == y.fsm.four_octet_asn &&
         x.fsm.route_refresh == y.fsm.route_refresh &&
         x.fsm.extended_message == y.fsm.extended_message &&
         x.fsm.extended_next_hop == y.fsm.extended_next_hop &&
         x.fsm.graceful_restart == y.fsm.graceful_restart &&
         x.fsm.long_lived_graceful_restart == y.fsm.long_lived_graceful_restart &&
         x.fsm.extra_capabilities == y.fsm.extra_capabilities && x.fsm.role == y.fsm.role &&
         x.fsm.role_strict == y.fsm.role_strict && x.fsm.delay_open_s == y.fsm.delay_open_s &&
         x.fsm.send_notification_without_open == y.fsm.send_notification_without_open &&
         x.fsm.send_hold_time_s == y.fsm.send_hold_time_s && x.prefix_limits == y.prefix_limits &&
         x.fsm.exabgp_compat == y.fsm.exabgp_compat && x.build == y.build &&
         x.stale_routes_time == y.stale_routes_time && x.refresh_stale_time == y.refresh_stale_time;
}

}  // namespace bgpsim::reactor
