// Connection collision detection (RFC 4271 6.8) between two bgpsim speakers
// in the simulator: both are active and listening, both connect at the same
// virtual instant, so each holds two connections to the other. The first OPEN
// on either decides: both keep the connection initiated by the speaker with
// the higher BGP Identifier and close the other with Cease / Connection
// Collision Resolution (RFC 4486 subcode 7). Expected: one session each
// side, over the same connection, that never went down, for every seed.
#include <gtest/gtest.h>

#include "sim/sim_runtime.hpp"
#include "speaker/reactor/reactor.hpp"
#include "tests/reactor/sim_fixture.hpp"

namespace bgpsim {
namespace {

using namespace std::chrono_literals;
using Recorder = simtest::SessionRecorder;

config::Neighbor neighbor(const char* local, const char* peer, std::uint32_t local_as,
                          std::uint32_t peer_as, const char* router_id) {
  auto n = simtest::sim_neighbor(local, peer, local_as, peer_as);
  n.router_id = wire::IpAddress::parse(router_id)->v4_u32();
  n.passive = false;    // both connect ...
  n.listen_port = 179;  // ... and both listen
  return n;
}

struct Outcome {
  session::State state_a, state_b;
  std::optional<bool> a_outbound, b_outbound;
  std::uint64_t collisions_a = 0, collisions_b = 0;
  Recorder a, b;
};

// A is 10.0.0.1, B 10.0.0.2; their BGP Identifiers are given.
void run(std::uint64_t seed, const char* id_a, const char* id_b, Outcome& out) {
  using Reactor = reactor::Reactor<sim::SimRuntime>;
  sim::World world(seed);
  auto& net = sim::Network::install(world);
  const auto node_a = net.add_node("a", {boost::asio::ip::make_address("10.0.0.1")});
  const auto node_b = net.add_node("b", {boost::asio::ip::make_address("10.0.0.2")});
  sim::SimRuntime rt_a(net, node_a), rt_b(net, node_b);
  Reactor speaker_a(rt_a, out.a), speaker_b(rt_b, out.b);
  config::Config ca, cb;
  ca.neighbors.push_back(neighbor("10.0.0.1", "10.0.0.2", 65001, 65002, id_a));
  cb.neighbors.push_back(neighbor("10.0.0.2", "10.0.0.1", 65002, 65001, id_b));
  ASSERT_FALSE(speaker_a.configure(ca));
  ASSERT_FALSE(speaker_b.configure(cb));
  net.spawn(node_a, speaker_a.run());
  net.spawn(node_b, speaker_b.run());
  world.run_for(60s);
  auto& pa = *speaker_a.find_peer("10.0.0.2");
  auto& pb = *speaker_b.find_peer("10.0.0.1");
  out.state_a = pa.state();
  out.state_b = pb.state();
  out.a_outbound = pa.connection_outbound();
  out.b_outbound = pb.connection_outbound();
  out.collisions_a = pa.collisions_resolved();
  out.collisions_b = pb.collisions_resolved();
  speaker_a.stop();
  speaker_b.stop();
  world.run_for(10s);
  EXPECT_TRUE(net.failures().empty());
}

void expect_one_session(const Outcome& o, bool a_keeps_outbound, std::uint64_t seed) {
  SCOPED_TRACE("seed " + std::to_string(seed));
  EXPECT_EQ(o.state_a, session::State::established);
  EXPECT_EQ(o.state_b, session::State::established);
  // The same TCP connection on both sides: A's outbound is B's inbound.
  EXPECT_EQ(o.a_outbound, std::optional<bool>(a_keeps_outbound));
  EXPECT_EQ(o.b_outbound, std::optional<bool>(!a_keeps_outbound));
  EXPECT_EQ(o.a.established, 1) << "the session came up once and never flapped";
  EXPECT_EQ(o.b.established, 1);
  // The stop at the end is the only Down (Cease / Administrative Shutdown).
  EXPECT_EQ(o.a.downs.size(), 1u);
  EXPECT_EQ(o.b.downs.size(), 1u);
  EXPECT_GE(o.collisions_a + o.collisions_b, 1u) << "the connects collided";
  // Whoever read a NOTIFICATION before the end read Cease / Collision Resolution.
  for (const auto* r : {&o.a, &o.b})
    for (const auto& n : r->received) {
      if (n.code == 6 && n.subcode == wire::cease::administrative_shutdown) continue;
      EXPECT_EQ(std::make_pair(n.code, n.subcode),
                std::make_pair(std::uint8_t{6}, wire::cease::connection_collision_resolution));
    }
}

TEST(SimCollision, HigherIdentifierKeepsItsConnection) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    Outcome o;
    // B has the higher identifier: both keep the connection B initiated.
    run(seed, "10.0.0.1", "10.0.0.2", o);
    expect_one_session(o, false, seed);
    Outcome r;
    // Identifiers swapped (A higher): A's connection is kept.
    run(seed, "10.0.0.9", "10.0.0.2", r);
    expect_one_session(r, true, seed);
  }
}

// RFC 6286 2.3: equal identifiers (allowed on eBGP) -- the connection
// initiated by the speaker with the larger AS number (B, 65002) is kept.
TEST(SimCollision, EqualIdentifiersLargerAsKeepsItsConnection) {
  Outcome o;
  run(7, "10.0.0.5", "10.0.0.5", o);
  expect_one_session(o, false, 7);
}

}  // namespace
}  // namespace bgpsim
