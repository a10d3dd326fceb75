// What the reactor makes of a neighbor's configured routes before they reach
// the Adj-RIB-Out: RFC 4271 5.1.2 (AS prepend) and 5.1.5 (LOCAL_PREF).
#include <gtest/gtest.h>

#include <set>

#include "speaker/reactor/reactor.hpp"

namespace bgpsim {
namespace {

config::Neighbor neighbor(std::uint32_t local_as, std::uint32_t peer_as,
                          std::optional<std::uint32_t> local_pref) {
  config::Neighbor n;
  n.local_address = wire::IpAddress::parse("192.0.2.1");
  n.peer_address = *wire::IpAddress::parse("192.0.2.2");
  n.local_as = local_as;
  n.peer_as = peer_as;
  config::StaticRoute r;
  r.family = wire::ipv4_unicast;
  r.nlri.prefix = *wire::IpPrefix::parse("10.0.0.0/24");
  wire::PathAttributes a;
  a.origin = wire::Origin::igp;
  a.next_hop = n.local_address;
  a.local_pref = local_pref;
  r.attributes = config::share(std::move(a));
  n.routes.push_back(r);
  return n;
}

wire::PathAttributes only_route(const config::Neighbor& n) {
  auto routes = reactor::neighbor_routes(n);
  using Routes = std::map<rib::RouteKey, wire::PathAttributes>;
  EXPECT_TRUE(std::holds_alternative<Routes>(routes));
  auto& map = std::get<0>(routes);
  EXPECT_EQ(map.size(), 1u);
  return map.begin()->second;
}

TEST(NeighborRoutes, InternalPeersGetLocalPref100ByDefault) {
  EXPECT_EQ(only_route(neighbor(65000, 65000, std::nullopt)).local_pref, 100u);
  EXPECT_EQ(only_route(neighbor(65000, 65000, 200)).local_pref, 200u) << "a configured value wins";
}

TEST(NeighborRoutes, ExternalPeersNeverGetLocalPref) {
  const auto a = only_route(neighbor(65000, 65001, 200));
  EXPECT_FALSE(a.local_pref.has_value()) << "RFC 4271 5.1.5: MUST NOT send to external peers";
  ASSERT_TRUE(a.as_path.has_value());
  ASSERT_EQ(a.as_path->segments.size(), 1u);
  EXPECT_EQ(a.as_path->segments[0].asns, std::vector<std::uint32_t>{65000});
}

TEST(NeighborRoutes, RoutesSharingAnAttributeSetShareTheOutgoingOne) {
  auto n = neighbor(65000, 65001, std::nullopt);
  const auto first = n.routes[0];
  for (std::uint32_t i = 1; i < 4; ++i) {
    auto r = first;  // the same set, as the parser interns it
    r.nlri.prefix = wire::IpPrefix{wire::IpAddress::v4_from_u32(0x0A000000 + (i << 8)), 24};
    n.routes.push_back(r);
  }
  auto self = first;
  self.next_hop_self = true;  // the same set, resolved otherwise
  self.nlri.prefix = *wire::IpPrefix::parse("10.9.0.0/24");
  n.routes.push_back(self);
  auto again = first;  // a key written twice: the last one wins
  again.attributes = config::share(wire::PathAttributes{*first.attributes});
  n.routes.push_back(again);
  rib::AttributePool pool;
  auto resolved = reactor::ResolvedRoutes::resolve(n, pool);
  ASSERT_TRUE(std::holds_alternative<reactor::ResolvedRoutes>(resolved));
  std::map<rib::RouteKey, rib::AttributesPtr> seen;
  std::get<0>(resolved).for_each(
      [&](const rib::RouteKey& key, const rib::AttributesPtr& a) { seen[key] = a; });
  ASSERT_EQ(seen.size(), 5u);
  std::set<const wire::PathAttributes*> sets;
  for (const auto& [key, a] : seen) sets.insert(a.get());
  EXPECT_EQ(sets.size(), 1u) << "one outgoing set (interned), whatever the route";
  EXPECT_EQ(seen.begin()->second->as_path->segments[0].asns, std::vector<std::uint32_t>{65000});
  EXPECT_EQ(pool.size(), 1u);

  n.local_address.reset();  // next-hop self cannot be resolved: the error names the route
  n.routes.back().where = config::Location("x.conf", 7, 3);
  n.routes[4].where = config::Location("x.conf", 5, 3);
  auto failed = reactor::ResolvedRoutes::resolve(n, pool);
  ASSERT_TRUE(std::holds_alternative<std::string>(failed));
  EXPECT_EQ(std::get<std::string>(failed),
            "x.conf:5:3: next-hop self needs the neighbor's local-address");
}

TEST(NeighborRoutes, CommunitiesSortedWithoutDuplicates) {
  wire::PathAttributes a;
  a.communities = std::vector<std::uint32_t>{30, 10, 30, 20, 10};
  a.large_communities = std::vector<wire::LargeCommunity>{{2, 0, 0}, {1, 5, 5}, {2, 0, 0}};
  a.extended_communities = std::vector<std::uint64_t>{9, 3, 9, 1};
  reactor::normalise_communities(a);
  EXPECT_EQ(*a.communities, (std::vector<std::uint32_t>{10, 20, 30}));
  EXPECT_EQ(*a.large_communities, (std::vector<wire::LargeCommunity>{{1, 5, 5}, {2, 0, 0}}));
  EXPECT_EQ(*a.extended_communities, (std::vector<std::uint64_t>{9, 3, 1}))
      << "extended communities keep their order";
}

// What the configuration's capabilities put in our OPEN (reactor::peer_settings
// then session::make_open).
std::vector<std::uint8_t> open_codes(const config::Neighbor& n) {
  std::vector<std::uint8_t> codes;
  for (const auto& c : session::make_open(reactor::peer_settings(n).fsm).capabilities())
    codes.push_back(wire::capability_code(c));
  return codes;
}

TEST(PeerSettings, ExtendedMessageIsAdvertisedUnlessDisabled) {
  auto n = neighbor(65000, 65000, std::nullopt);
  n.router_id = 1;
  // ExaBGP's default (configuration/neighbor: extended-message True).
  auto codes = open_codes(n);
  EXPECT_NE(std::find(codes.begin(), codes.end(), wire::cap::extended_message), codes.end());
  n.capabilities.extended_message = false;  // capability { extended-message false; }
  codes = open_codes(n);
  EXPECT_EQ(std::find(codes.begin(), codes.end(), wire::cap::extended_message), codes.end());
}

TEST(PeerSettings, SoftwareVersionAndLinkLocalWhenConfigured) {
  auto n = neighbor(65000, 65000, std::nullopt);
  n.router_id = 1;
  EXPECT_TRUE(reactor::peer_settings(n).fsm.extra_capabilities.empty()) << "neither by default";
  n.capabilities.software_version = true;
  n.capabilities.link_local_nexthop = true;
  auto extra = reactor::peer_settings(n).fsm.extra_capabilities;
  EXPECT_EQ(extra, (std::vector<wire::Capability>{
                       wire::cap::SoftwareVersion{std::string(session::default_software_version)},
                       wire::cap::LinkLocalNextHop{}}));
  n.capabilities.software_version_text = "ExaBGP/5.0.0-0+test";
  extra = reactor::peer_settings(n).fsm.extra_capabilities;
  ASSERT_FALSE(extra.empty());
  EXPECT_EQ(std::get<wire::cap::SoftwareVersion>(extra[0]).version, "ExaBGP/5.0.0-0+test");
}

TEST(PeerSettings, LinkLocalAddressAndExabgpCompatReachTheSession) {
  auto n = neighbor(65000, 65000, std::nullopt);
  EXPECT_FALSE(reactor::peer_settings(n).build.link_local_next_hop);
  EXPECT_FALSE(reactor::peer_settings(n).fsm.exabgp_compat);
  n.local_link_local = wire::IpAddress::parse("fe80::1");
  n.exabgp_compat = true;
  EXPECT_EQ(reactor::peer_settings(n).build.link_local_next_hop, n.local_link_local);
  EXPECT_TRUE(reactor::peer_settings(n).fsm.exabgp_compat);
  auto changed = n;
  changed.local_link_local = wire::IpAddress::parse("fe80::2");
  EXPECT_FALSE(reactor::same_session(reactor::peer_settings(n), reactor::peer_settings(changed)))
      << "a new link-local address is a new session";
}

// The FSM keywords reach the session's settings.
TEST(NeighborRoutes, FsmKeywordsReachThePeerSettings) {
  config::Neighbor n;
  n.peer_address = *wire::IpAddress::parse("10.0.0.2");
  n.local_as = 65001;
  n.peer_as = 65002;
  n.connect_retry_s = 30;
  n.delay_open_s = 5;
  n.send_notification_without_open = true;
  n.send_hold_time_s = 600;
  n.maximum_prefix = {{wire::ipv4_unicast, 1000}, {wire::ipv6_unicast, 200}};
  const auto s = reactor::peer_settings(n);
  EXPECT_EQ(s.fsm.connect_retry_s, 30);
  EXPECT_EQ(s.fsm.delay_open_s, 5);
  EXPECT_TRUE(s.fsm.send_notification_without_open);
  EXPECT_EQ(s.fsm.send_hold_time_s, 600u);
  EXPECT_EQ(s.prefix_limits, (std::vector<session::PrefixLimit>{{wire::ipv4_unicast, 1000},
                                                                {wire::ipv6_unicast, 200}}));
  auto other = n;
  other.connect_retry_s = 31;  // a changed session setting restarts the neighbor on reload
  EXPECT_FALSE(reactor::same_session(s, reactor::peer_settings(other)));
  EXPECT_TRUE(reactor::same_session(s, reactor::peer_settings(n)));
}

}  // namespace
}  // namespace bgpsim
