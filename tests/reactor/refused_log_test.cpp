// A route the update builder refuses (too large for any UPDATE the session
// allows) reaches the operator's log naming the neighbor, the route and why.
#include <gtest/gtest.h>

#include "speaker/api/json_events.hpp"

namespace bgpsim {
namespace {

TEST(RefusedRoutes, LoggedWithNeighborRouteAndReason) {
  std::vector<std::string> events, log;
  api::JsonEvents observer([&](const std::string& l) { events.push_back(l); },
                           [&](const std::string& l) { log.push_back(l); });
  rib::Refusal r;
  r.key.family = wire::ipv4_unicast;
  r.key.nlri.prefix = *wire::IpPrefix::parse("10.0.0.0/24");
  r.reason = "attributes of 70000 bytes exceed the 4096-byte maximum";
  observer.on_refused("192.0.2.2", {r});
  EXPECT_TRUE(events.empty()) << "not an ExaBGP event";
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0],
            "neighbor 192.0.2.2: ipv4 unicast 10.0.0.0/24 not sent: attributes of 70000 bytes "
            "exceed the 4096-byte maximum");
}

}  // namespace
}  // namespace bgpsim
