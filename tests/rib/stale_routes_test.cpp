// The Adj-RIB-In's stale routes for graceful restart (RFC 4724 4.2): marked
// at the end of a session, replaced by what the peer sends again, swept by
// End-of-RIB or a timer, and deleted by a second restart.
#include <gtest/gtest.h>

#include "speaker/rib/adj_rib_in.hpp"

namespace bgpsim::rib {
namespace {

using namespace bgpsim::wire;

Update announce(std::vector<std::string_view> prefixes, std::uint32_t local_pref = 100) {
  Update u;
  u.attributes.origin = Origin::igp;
  u.attributes.as_path = AsPath{};
  u.attributes.next_hop = IpAddress::parse("192.0.2.1");
  u.attributes.local_pref = local_pref;
  for (auto p : prefixes) u.nlri.push_back(Nlri{*IpPrefix::parse(p), {}});
  return u;
}
Update announce_v6(std::string_view prefix) {
  Update u;
  u.attributes.origin = Origin::igp;
  u.attributes.as_path = AsPath{};
  MpReach reach;
  reach.family = ipv6_unicast;
  reach.next_hop = Bytes(16, 1);
  reach.nlri.push_back(Nlri{*IpPrefix::parse(prefix), {}});
  u.attributes.mp_reach = reach;
  return u;
}
RouteKey key(std::string_view prefix) {
  return RouteKey{prefix.find(':') == std::string_view::npos ? ipv4_unicast : ipv6_unicast,
                  Nlri{*IpPrefix::parse(prefix), {}}};
}

TEST(StaleRoutes, RetainMarksTheListedFamiliesAndDropsTheOthers) {
  AttributePool pool;
  AdjRibIn in;
  in.apply(announce({"10.0.0.0/24", "10.0.1.0/24"}), pool);
  in.apply(announce_v6("2001:db8::/32"), pool);
  auto gone = in.retain_stale({ipv4_unicast});
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0].key, key("2001:db8::/32"));
  EXPECT_EQ(gone[0].attributes, nullptr);
  EXPECT_EQ(in.size(), 2u);
  EXPECT_EQ(in.stale_count(), 2u);
  EXPECT_TRUE(in.stale(key("10.0.0.0/24")));
  EXPECT_EQ(in.stale_families(), std::vector<Family>{ipv4_unicast});
}

TEST(StaleRoutes, WhatThePeerSendsAgainIsNoLongerStale) {
  AttributePool pool;
  AdjRibIn in;
  in.apply(announce({"10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"}), pool);
  in.retain_stale({ipv4_unicast});
  // The same route again: no change reported, but fresh.
  EXPECT_TRUE(in.apply(announce({"10.0.0.0/24"}), pool).empty());
  // New attributes: a change, fresh.
  EXPECT_EQ(in.apply(announce({"10.0.1.0/24"}, 200), pool).size(), 1u);
  EXPECT_FALSE(in.stale(key("10.0.0.0/24")));
  EXPECT_FALSE(in.stale(key("10.0.1.0/24")));
  EXPECT_TRUE(in.stale(key("10.0.2.0/24")));
  // End-of-RIB: what is still stale goes.
  auto swept = in.sweep_stale(ipv4_unicast);
  ASSERT_EQ(swept.size(), 1u);
  EXPECT_EQ(swept[0].key, key("10.0.2.0/24"));
  EXPECT_EQ(in.size(), 2u);
  EXPECT_EQ(in.stale_count(), 0u);
}

TEST(StaleRoutes, AWithdrawalOfAStaleRouteRemovesIt) {
  AttributePool pool;
  AdjRibIn in;
  in.apply(announce({"10.0.0.0/24"}), pool);
  in.retain_stale({ipv4_unicast});
  Update w;
  w.withdrawn.push_back(Nlri{*IpPrefix::parse("10.0.0.0/24"), {}});
  EXPECT_EQ(in.apply(w, pool).size(), 1u);
  EXPECT_EQ(in.size(), 0u);
  EXPECT_EQ(in.stale_count(), 0u);
}

TEST(StaleRoutes, ASecondRestartDeletesWhatIsStillStale) {
  AttributePool pool;
  AdjRibIn in;
  in.apply(announce({"10.0.0.0/24", "10.0.1.0/24"}), pool);
  in.retain_stale({ipv4_unicast});
  in.apply(announce({"10.0.0.0/24"}), pool);  // refreshed before the second restart
  auto gone = in.retain_stale({ipv4_unicast});
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0].key, key("10.0.1.0/24"));
  EXPECT_EQ(in.size(), 1u);
  EXPECT_TRUE(in.stale(key("10.0.0.0/24")));
}

TEST(StaleRoutes, SweepingOneFamilyLeavesTheOthers) {
  AttributePool pool;
  AdjRibIn in;
  in.apply(announce({"10.0.0.0/24"}), pool);
  in.apply(announce_v6("2001:db8::/32"), pool);
  in.retain_stale({ipv4_unicast, ipv6_unicast});
  EXPECT_EQ(in.sweep_stale(ipv6_unicast).size(), 1u);
  EXPECT_EQ(in.stale_families(), std::vector<Family>{ipv4_unicast});
  EXPECT_EQ(in.sweep_stale().size(), 1u);
  EXPECT_EQ(in.size(), 0u);
  // clear() forgets the marks with the routes.
  in.apply(announce({"10.0.0.0/24"}), pool);
  in.retain_stale({ipv4_unicast});
  in.clear();
  EXPECT_EQ(in.stale_count(), 0u);
}

// Enhanced Route Refresh (RFC 7313 4): a BoRR marks the family's routes, what
// is sent (or withdrawn) again is unmarked, end_refresh drops the rest.
TEST(RefreshStale, EndRefreshDropsWhatWasNotSentAgain) {
  AttributePool pool;
  AdjRibIn in;
  in.apply(announce({"10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"}), pool);
  in.apply(announce_v6("2001:db8::/32"), pool);
  EXPECT_EQ(in.begin_refresh(ipv4_unicast), 3u);
  EXPECT_TRUE(in.refreshing(ipv4_unicast));
  EXPECT_FALSE(in.refreshing(ipv6_unicast));
  EXPECT_FALSE(in.refresh_stale(key("2001:db8::/32")));
  EXPECT_TRUE(in.apply(announce({"10.0.0.0/24"}), pool).empty());  // same route: fresh
  EXPECT_EQ(in.apply(announce({"10.0.1.0/24"}, 200), pool).size(), 1u);
  EXPECT_FALSE(in.refresh_stale(key("10.0.0.0/24")));
  EXPECT_TRUE(in.refresh_stale(key("10.0.2.0/24")));
  EXPECT_EQ(in.stale_count(), 0u);  // not graceful-restart stale
  auto gone = in.end_refresh(ipv4_unicast);
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0].key, key("10.0.2.0/24"));
  EXPECT_EQ(gone[0].attributes, nullptr);
  EXPECT_EQ(in.size(), 3u);
  EXPECT_FALSE(in.refreshing(ipv4_unicast));
  EXPECT_TRUE(in.end_refresh(ipv4_unicast).empty());
}

TEST(RefreshStale, ASecondBorrMarksEverythingAgainAndASessionEndForgets) {
  AttributePool pool;
  AdjRibIn in;
  in.apply(announce({"10.0.0.0/24", "10.0.1.0/24"}), pool);
  in.begin_refresh(ipv4_unicast);
  in.apply(announce({"10.0.0.0/24"}), pool);
  EXPECT_EQ(in.begin_refresh(ipv4_unicast), 2u);
  EXPECT_TRUE(in.refresh_stale(key("10.0.0.0/24")));
  EXPECT_EQ(in.end_refresh(ipv4_unicast).size(), 2u);
  EXPECT_EQ(in.size(), 0u);

  in.apply(announce({"10.0.0.0/24"}), pool);
  in.begin_refresh(ipv4_unicast);
  in.retain_stale({ipv4_unicast});  // graceful restart keeps the route, not the refresh
  EXPECT_FALSE(in.refreshing(ipv4_unicast));
  EXPECT_FALSE(in.refresh_stale(key("10.0.0.0/24")));
  EXPECT_TRUE(in.end_refresh(ipv4_unicast).empty());
  EXPECT_EQ(in.size(), 1u);
  in.begin_refresh(ipv4_unicast);
  EXPECT_EQ(in.clear().size(), 1u);
  EXPECT_FALSE(in.refreshing(ipv4_unicast));
}

}  // namespace
}  // namespace bgpsim::rib
