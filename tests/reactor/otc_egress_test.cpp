// RFC 9234 5 egress in the simulator: speaker A (a reactor with `role R;`)
// announces two routes to peer B (no role, so B's ingress rules change
// nothing): 10.0.0.0/24 without OTC and 10.0.1.0/24 with OTC 64999. Towards
// a customer, RS-client or peer A adds OTC 65001 to the first; towards a
// provider, peer or RS the second never arrives.
#include <gtest/gtest.h>

#include "sim/sim_runtime.hpp"
#include "sim/speaker_on_sim.hpp"
#include "speaker/reactor/reactor.hpp"
#include "speaker/session/only_to_customer.hpp"
#include "tests/reactor/sim_fixture.hpp"

namespace bgpsim {
namespace {

using namespace std::chrono_literals;
using PeerB = session::Peer<sim::SimRuntime>;
namespace role = wire::cap::role;

// B's routes: prefix -> OTC value (empty: none).
std::map<std::string, wire::Bytes> run(std::optional<std::uint8_t> a_role) {
  sim::World world(7);
  auto& net = sim::Network::install(world);
  const auto node_a = net.add_node("a", {boost::asio::ip::make_address("10.0.0.1")});
  const auto node_b = net.add_node("b", {boost::asio::ip::make_address("10.0.0.2")});
  sim::SimRuntime rt_a(net, node_a), rt_b(net, node_b);
  simtest::SessionRecorder rec_a, rec_b;
  reactor::Reactor<sim::SimRuntime> speaker(rt_a, rec_a);

  config::Neighbor n = simtest::sim_neighbor("10.0.0.1", "10.0.0.2", 65001, 65002);
  n.role = a_role;
  n.routes.push_back(simtest::static_route("10.0.0.0/24", n.local_address));
  auto leaked = simtest::static_route("10.0.1.0/24", n.local_address);
  wire::PathAttributes a = *leaked.attributes;
  a.other.push_back(wire::RawAttribute{0xC0, session::otc_code, {0, 0, 0xFD, 0xE7}});  // 64999
  leaked.attributes = config::share(std::move(a));
  n.routes.push_back(leaked);
  config::Config config;
  config.neighbors.push_back(n);
  EXPECT_FALSE(speaker.configure(config));

  rib::AttributePool pool;
  PeerB b(rt_b, simtest::passive_settings("10.0.0.2", "10.0.0.1", 65002, 65001), rec_b, pool);
  net.spawn(node_b, simtest::accept_into(rt_b, "10.0.0.2", b));
  net.spawn(node_b, b.run());
  net.spawn(node_a, speaker.run());
  world.run_for(10s);
  EXPECT_EQ(rec_b.established, 1);
  std::map<std::string, wire::Bytes> out;
  for (const auto& [key, attributes] : b.adj_rib_in().routes()) {
    auto& otc = out[key.nlri.prefix.to_string()];
    for (const auto& x : attributes->other)
      if (x.code == session::otc_code) otc = x.value;
  }
  speaker.stop();
  b.stop();
  world.run_for(5s);
  EXPECT_TRUE(net.failures().empty());
  return out;
}

TEST(SimOnlyToCustomer, EgressTowardsEachRole) {
  const wire::Bytes local{0, 0, 0xFD, 0xE9}, upstream{0, 0, 0xFD, 0xE7};
  // A is the Provider or RS: B is below it, OTC added, the marked route goes.
  for (auto r : {role::provider, role::rs}) {
    auto got = run(r);
    EXPECT_EQ(got, (std::map<std::string, wire::Bytes>{{"10.0.0.0/24", local},
                                                       {"10.0.1.0/24", upstream}}))
        << wire::cap::role_name(r);
  }
  // A is a Peer: OTC added, and the marked route is not sent.
  EXPECT_EQ(run(role::peer), (std::map<std::string, wire::Bytes>{{"10.0.0.0/24", local}}));
  // A is a Customer or RS-Client: nothing added, the marked route not sent.
  for (auto r : {role::customer, role::rs_client})
    EXPECT_EQ(run(r), (std::map<std::string, wire::Bytes>{{"10.0.0.0/24", {}}}))
        << wire::cap::role_name(r);
  // No role: the RFC 9234 rules do not apply, both go as configured.
  EXPECT_EQ(run(std::nullopt),
            (std::map<std::string, wire::Bytes>{{"10.0.0.0/24", {}}, {"10.0.1.0/24", upstream}}));
}

}  // namespace
}  // namespace bgpsim
