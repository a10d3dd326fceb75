// Issue 16.1: the speaker's random choices come from the Runtime's seed tree.
// The back-off jitter seed of a peer must change with the world's seed, stay
// the same for the same seed, and differ between peers of one speaker and
// between speakers that name the same peer.
#include <gtest/gtest.h>

#include "sim/sim_runtime.hpp"
#include "sim/speaker_on_sim.hpp"
#include "speaker/reactor/reactor.hpp"

namespace bgpsim {
namespace {

struct NoObserver : session::PeerObserver {};

config::Neighbor neighbor(const char* local, const char* peer) {
  config::Neighbor n;
  n.local_address = wire::IpAddress::parse(local);
  n.peer_address = *wire::IpAddress::parse(peer);
  n.local_as = 65001;
  n.peer_as = 65002;
  n.router_id = n.local_address->v4_u32();
  return n;
}

// Back-off seeds of the peers 10.0.0.2 and 10.0.0.3 as node `node` sees them.
std::pair<std::uint64_t, std::uint64_t> backoff_seeds(std::uint64_t world_seed,
                                                      const char* node = "a") {
  sim::World world(world_seed);
  auto& net = sim::Network::install(world);
  const auto id = net.add_node(node, {boost::asio::ip::make_address("10.0.0.1")});
  sim::SimRuntime rt(net, id);
  NoObserver observer;
  reactor::Reactor<sim::SimRuntime> speaker(rt, observer);
  config::Config config;
  config.neighbors.push_back(neighbor("10.0.0.1", "10.0.0.2"));
  config.neighbors.push_back(neighbor("10.0.0.1", "10.0.0.3"));
  EXPECT_FALSE(speaker.configure(config).has_value());
  return {speaker.find_peer("10.0.0.2")->settings().fsm.backoff_seed,
          speaker.find_peer("10.0.0.3")->settings().fsm.backoff_seed};
}

TEST(SeedTree, BackoffSeedFollowsTheWorldSeed) {
  const auto first = backoff_seeds(42);
  EXPECT_EQ(backoff_seeds(42), first) << "same seed, same jitter";
  EXPECT_NE(backoff_seeds(43).first, first.first) << "another seed, another jitter";
  EXPECT_NE(first.first, first.second) << "two peers of one speaker draw apart";
  EXPECT_NE(backoff_seeds(42, "b").first, first.first) << "two speakers draw apart";
}

}  // namespace
}  // namespace bgpsim
