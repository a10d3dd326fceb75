// Maximum-prefix limits (RFC 4486) in the simulator: speaker A announces 100
// IPv4 routes to peer B, whose limit for IPv4 unicast is 50. B must end the
// session with Cease / Maximum Number of Prefixes Reached carrying AFI 1,
// SAFI 1 and the bound 50 (RFC 4486 4), flush what it learnt, and -- the stop
// being automatic -- try again after its back-off. With a limit of 100 the
// session stays up.
#include <gtest/gtest.h>

#include "sim/sim_runtime.hpp"
#include "sim/speaker_on_sim.hpp"
#include "speaker/reactor/reactor.hpp"
#include "tests/reactor/sim_fixture.hpp"

namespace bgpsim {
namespace {

using namespace std::chrono_literals;
using Recorder = simtest::SessionRecorder;
using PeerB = session::Peer<sim::SimRuntime>;

struct Outcome {
  Recorder a, b;
  std::size_t b_routes = 0;
  session::State b_state = session::State::idle;
};

void run(std::uint32_t limit, Outcome& out) {
  sim::World world(5);
  auto& net = sim::Network::install(world);
  const auto node_a = net.add_node("a", {boost::asio::ip::make_address("10.0.0.1")});
  const auto node_b = net.add_node("b", {boost::asio::ip::make_address("10.0.0.2")});
  sim::SimRuntime rt_a(net, node_a), rt_b(net, node_b);
  reactor::Reactor<sim::SimRuntime> speaker(rt_a, out.a);

  config::Neighbor n = simtest::sim_neighbor("10.0.0.1", "10.0.0.2", 65001, 65002);
  for (std::uint32_t i = 0; i < 100; ++i) {
    config::StaticRoute r;
    r.family = wire::ipv4_unicast;
    r.nlri.prefix = wire::IpPrefix{wire::IpAddress::v4_from_u32(0x0A000000 + (i << 8)), 24};
    wire::PathAttributes a;
    a.origin = wire::Origin::igp;
    a.as_path = wire::AsPath{};
    a.next_hop = n.local_address;
    r.attributes = config::share(std::move(a));
    n.routes.push_back(r);
  }
  config::Config config;
  config.neighbors.push_back(n);
  ASSERT_FALSE(speaker.configure(config));

  auto settings = simtest::passive_settings("10.0.0.2", "10.0.0.1", 65002, 65001);
  settings.prefix_limits = {session::PrefixLimit{wire::ipv4_unicast, limit}};
  rib::AttributePool pool;
  PeerB b(rt_b, settings, out.b, pool);
  net.spawn(node_b, simtest::accept_into(rt_b, "10.0.0.2", b));
  net.spawn(node_b, b.run());
  net.spawn(node_a, speaker.run());
  world.run_for(20s);
  out.b_routes = b.adj_rib_in().size();
  out.b_state = b.state();
  speaker.stop();
  b.stop();
  world.run_for(5s);
  EXPECT_TRUE(net.failures().empty());
}

TEST(SimPrefixLimit, OverTheLimitEndsTheSessionWithCease1) {
  Outcome o;
  run(50, o);
  ASSERT_FALSE(o.b.downs.empty());
  const auto& down = o.b.downs.front();
  EXPECT_EQ(down.from, session::State::established);
  ASSERT_TRUE(down.sent.has_value());
  EXPECT_EQ(down.sent->code, 6);
  EXPECT_EQ(down.sent->subcode, wire::cease::max_prefixes);
  // RFC 4486 4: AFI 1 (2 octets), SAFI 1, upper bound 50 (4 octets).
  EXPECT_EQ(down.sent->data, (wire::Bytes{0, 1, 1, 0, 0, 0, 50}));
  // A read the same NOTIFICATION.
  bool a_got_it = false;
  for (const auto& nt : o.a.received)
    if (nt == *down.sent) a_got_it = true;
  EXPECT_TRUE(a_got_it);
  // Automatic stop: B reconnects after its back-off and is cut off again, so
  // it never holds more than the limit; A's 100 routes keep exceeding it.
  EXPECT_GE(o.b.established, 2);
  EXPECT_LE(o.b_routes, 50u);
  // Every session B ended itself before the final stop ended on the limit.
  for (std::size_t i = 0; i + 1 < o.b.downs.size(); ++i) {
    const auto& d = o.b.downs[i];
    if (d.from != session::State::established) continue;
    ASSERT_TRUE(d.sent.has_value());
    EXPECT_EQ(d.sent->subcode, wire::cease::max_prefixes);
  }
}

TEST(SimPrefixLimit, AtTheLimitTheSessionStaysUp) {
  Outcome o;
  run(100, o);
  EXPECT_EQ(o.b.established, 1);
  EXPECT_EQ(o.b_routes, 100u);
  EXPECT_EQ(o.b_state, session::State::established);
}

}  // namespace
}  // namespace bgpsim
