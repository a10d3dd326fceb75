// Two bgpsim speakers peering in the simulator: 10,000 routes, half
// withdrawn, a reset and a partition survived, and each Adj-RIB-In ends equal
// to the other's Adj-RIB-Out; the same seed gives the same trace hash.
#include <gtest/gtest.h>

#include "sim/sim_runtime.hpp"
#include "speaker/reactor/reactor.hpp"

namespace bgpsim {
namespace {

using namespace std::chrono_literals;
using sim::SimRuntime;
using wire::IpAddress;

struct CountingObserver : session::PeerObserver {
  int established = 0, down = 0;
  void on_established(const std::string&, const session::Negotiated&) override { ++established; }
  void on_down(const std::string&, const session::Down&) override { ++down; }
};

config::Neighbor neighbor(std::string_view local, std::string_view peer, std::uint32_t local_as,
                          std::uint32_t peer_as, bool passive) {
  config::Neighbor n;
  n.local_address = IpAddress::parse(local);
  n.peer_address = *IpAddress::parse(peer);
  n.local_as = local_as;
  n.peer_as = peer_as;
  n.router_id = n.local_address->v4_u32();
  n.hold_time_s = 9;  // so a partition is noticed quickly
  n.passive = passive;
  if (passive) n.listen_port = 179;
  return n;
}

void add_routes(config::Neighbor& n, std::uint32_t first, std::size_t count, std::uint32_t med) {
  for (std::size_t i = 0; i < count; ++i) {
    config::StaticRoute r;
    r.family = wire::ipv4_unicast;
    r.nlri.prefix = wire::IpPrefix{IpAddress::v4_from_u32(first + (std::uint32_t(i) << 8)), 24};
    r.attributes.origin = wire::Origin::igp;
    r.attributes.as_path = wire::AsPath{{wire::AsPathSegment{wire::AsPathSegment::as_sequence, {n.local_as}}}};
    r.attributes.next_hop = n.local_address;
    r.attributes.med = med + std::uint32_t(i % 7);  // several attribute sets
    n.routes.push_back(r);
  }
}

// Each side's Adj-RIB-In holds exactly what the other advertises.
template <class PeerT>
::testing::AssertionResult converged(PeerT& a, PeerT& b) {
  auto same = [](const rib::AdjRibOut& out, const rib::AdjRibIn& in) {
    if (out.routes().size() != in.routes().size()) return false;
    auto i = in.routes().begin();
    for (const auto& [key, attributes] : out.routes()) {
      if (!(i->first == key) || !(*i->second == *attributes)) return false;
      ++i;
    }
    return true;
  };
  if (a.state() != session::State::established || b.state() != session::State::established)
    return ::testing::AssertionFailure() << "not established: " << session::to_string(a.state())
                                         << " / " << session::to_string(b.state());
  if (!same(a.adj_rib_out(), b.adj_rib_in()))
    return ::testing::AssertionFailure() << "B holds " << b.adj_rib_in().size() << " of A's "
                                         << a.adj_rib_out().size();
  if (!same(b.adj_rib_out(), a.adj_rib_in()))
    return ::testing::AssertionFailure() << "A holds " << a.adj_rib_in().size() << " of B's "
                                         << b.adj_rib_out().size();
  return ::testing::AssertionSuccess();
}

struct Outcome {
  std::uint64_t trace_hash = 0;
  int established = 0;
};

Outcome run_scenario(std::uint64_t seed) {
  sim::World world(seed);
  auto& net = sim::Network::install(world);
  const auto node_a = net.add_node("a", {boost::asio::ip::make_address("10.0.0.1")});
  const auto node_b = net.add_node("b", {boost::asio::ip::make_address("10.0.0.2")});
  SimRuntime rt_a(net, node_a), rt_b(net, node_b);
  CountingObserver events_a, events_b;
  reactor::Reactor<SimRuntime> speaker_a(rt_a, events_a), speaker_b(rt_b, events_b);

  config::Config config_a, config_b;
  config_a.neighbors.push_back(neighbor("10.0.0.1", "10.0.0.2", 65001, 65002, false));
  config_b.neighbors.push_back(neighbor("10.0.0.2", "10.0.0.1", 65002, 65001, true));
  add_routes(config_a.neighbors[0], 0x0A000000, 10'000, 100);
  add_routes(config_b.neighbors[0], 0xC0000000, 500, 200);
  EXPECT_FALSE(speaker_a.configure(config_a));
  EXPECT_FALSE(speaker_b.configure(config_b));
  bool a_done = false, b_done = false;
  net.spawn(node_a, speaker_a.run(), [&](std::exception_ptr e) { EXPECT_FALSE(e); a_done = true; });
  net.spawn(node_b, speaker_b.run(), [&](std::exception_ptr e) { EXPECT_FALSE(e); b_done = true; });

  auto& peer_a = *speaker_a.find_peer("10.0.0.2");
  auto& peer_b = *speaker_b.find_peer("10.0.0.1");
  world.run_for(30s);
  EXPECT_TRUE(converged(peer_a, peer_b)) << "initial exchange";
  EXPECT_EQ(peer_b.adj_rib_in().size(), 10'000u);

  // Withdraw half of A's routes by reconfiguring (a reload).
  config_a.neighbors[0].routes.resize(5'000);
  EXPECT_FALSE(speaker_a.configure(config_a));
  world.run_for(10s);
  EXPECT_TRUE(converged(peer_a, peer_b)) << "after withdrawing half";
  EXPECT_EQ(peer_b.adj_rib_in().size(), 5'000u);

  // A reset: both ends see it, the session comes back, tables are resent.
  {
    auto guard = net.add_fault(sim::FaultRule{sim::Match{}, sim::FaultAction::reset});
    world.run_for(1s);
    EXPECT_NE(peer_a.state(), session::State::established);
  }
  world.run_for(120s);
  EXPECT_TRUE(converged(peer_a, peer_b)) << "after a reset";

  // A partition longer than the hold time: the hold timer drops the session;
  // once healed, it comes back.
  {
    auto guard = net.add_fault(sim::FaultRule{sim::Match{}, sim::FaultAction::partition});
    world.run_for(20s);
    EXPECT_NE(peer_a.state(), session::State::established);
  }
  world.run_for(180s);
  EXPECT_TRUE(converged(peer_a, peer_b)) << "after a partition";

  speaker_a.stop();
  speaker_b.stop();
  world.run_for(10s);
  EXPECT_TRUE(a_done && b_done) << "both reactors returned after stop()";
  EXPECT_TRUE(net.failures().empty());
  return Outcome{world.trace().hash(), events_a.established};
}

TEST(SimPeering, TwoSpeakersConvergeThroughResetAndPartition) {
  auto first = run_scenario(42);
  EXPECT_GE(first.established, 3) << "initial, after the reset, after the partition";
  auto second = run_scenario(42);
  EXPECT_EQ(first.trace_hash, second.trace_hash) << "same seed, same trace";
  std::cout << "seed 42 trace hash " << std::hex << first.trace_hash << std::dec << "\n";
}

}  // namespace
}  // namespace bgpsim
