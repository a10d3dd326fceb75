// Administrative shutdown communication (RFC 9003) between two speakers in the
// simulator: A is stopped with a configured message; B receives Cease /
// Administrative Shutdown whose data is the length octet and the UTF-8 text,
// shows it in its JSON (ExaBGP's "message") and in the Down reason (logs).
#include <gtest/gtest.h>

#include "sim/sim_runtime.hpp"
#include "sim/speaker_on_sim.hpp"
#include "speaker/reactor/reactor.hpp"
#include "speaker/wire/json.hpp"
#include "tests/reactor/sim_fixture.hpp"

namespace bgpsim {
namespace {

using namespace std::chrono_literals;
using Recorder = simtest::SessionRecorder;

config::Neighbor neighbor(const char* local, const char* peer, std::uint32_t local_as,
                          std::uint32_t peer_as, bool passive) {
  auto n = simtest::sim_neighbor(local, peer, local_as, peer_as);
  n.passive = passive;
  if (passive) n.listen_port = 179;
  return n;
}

TEST(SimShutdownCommunication, SentOnStopShownByThePeer) {
  const std::string text = "maintenance until 18:00 UTC \xe2\x80\x94 ticket #42";
  sim::World world(3);
  auto& net = sim::Network::install(world);
  const auto node_a = net.add_node("a", {boost::asio::ip::make_address("10.0.0.1")});
  const auto node_b = net.add_node("b", {boost::asio::ip::make_address("10.0.0.2")});
  sim::SimRuntime rt_a(net, node_a), rt_b(net, node_b);
  Recorder ra, rb;
  reactor::Reactor<sim::SimRuntime> a(rt_a, ra), b(rt_b, rb);
  config::Config ca, cb;
  ca.neighbors.push_back(neighbor("10.0.0.1", "10.0.0.2", 65001, 65002, false));
  cb.neighbors.push_back(neighbor("10.0.0.2", "10.0.0.1", 65002, 65001, true));
  ASSERT_FALSE(a.configure(ca));
  ASSERT_FALSE(b.configure(cb));
  net.spawn(node_a, a.run());
  net.spawn(node_b, b.run());
  world.run_for(10s);
  ASSERT_EQ(rb.established, 1);
  a.stop(wire::Notification::make_shutdown(wire::cease::administrative_shutdown, text));
  world.run_for(1s);

  ASSERT_EQ(rb.received.size(), 1u);
  const auto& n = rb.received.front();
  EXPECT_EQ(n.code, 6);
  EXPECT_EQ(n.subcode, wire::cease::administrative_shutdown);
  ASSERT_FALSE(n.data.empty());
  EXPECT_EQ(n.data[0], text.size()) << "RFC 9003 2: the Length octet, then the text";
  EXPECT_EQ(n.shutdown_communication(), text);
  const auto json = wire::notification_to_json(n).dump();
  EXPECT_NE(json.find("maintenance until 18:00 UTC"), std::string::npos) << json;
  ASSERT_FALSE(rb.downs.empty());
  EXPECT_EQ(rb.downs.front().reason,
            "NOTIFICATION received: Cease / Administrative Shutdown: \"" + text + "\"");
  b.stop();
  world.run_for(2s);
}

}  // namespace
}  // namespace bgpsim
