// The send hold timer (RFC 9687) in the simulator: speaker A announces a
// large table to a peer that completes the OPEN exchange and keeps sending
// KEEPALIVEs but never reads again. A's send window fills, its writer blocks,
// and with nothing taken from it for the SendHoldTime (max(8 min, 2 x hold),
// RFC 9687 4) A ends the session with Send Hold Timer Expired (code 8) --
// while its HoldTimer, fed by the peer's KEEPALIVEs, never expires.
#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "sim/sim_runtime.hpp"
#include "sim/speaker_on_sim.hpp"
#include "speaker/reactor/reactor.hpp"
#include "tests/reactor/sim_fixture.hpp"

namespace bgpsim {
namespace {

using namespace std::chrono_literals;
using Recorder = simtest::SessionRecorder;
using Awaitable = boost::asio::awaitable<void, sim::Executor>;

// The peer that stops reading: OPEN and KEEPALIVE, then KEEPALIVEs every
// `keepalive` without reading anything after the first bytes. Records when
// its connection broke.
Awaitable deaf_peer(sim::SimRuntime rt, std::chrono::seconds keepalive,
                    std::optional<std::chrono::nanoseconds>& broke_at) {
  auto token = boost::asio::as_tuple(boost::asio::use_awaitable_t<sim::Executor>{});
  auto acceptor = rt.listen(sim::Endpoint(boost::asio::ip::make_address("10.0.0.2"), 179));
  auto [ec, socket] = co_await acceptor.async_accept(token);
  if (ec) co_return;
  session::PeerConfig me;
  me.local_as = 65002;
  me.peer_as = 65001;
  me.router_id = 0x0A000002;
  me.hold_time_s = 9;
  wire::Bytes hello = wire::encode_message(wire::Message(session::make_open(me)), {});
  wire::encode_message(wire::Message(wire::Keepalive{}), {}, hello);
  std::array<std::uint8_t, 4096> chunk;
  co_await socket.async_read_some(boost::asio::buffer(chunk), token);  // A's OPEN
  co_await boost::asio::async_write(socket, boost::asio::buffer(hello), token);
  const wire::Bytes ka = wire::encode_message(wire::Message(wire::Keepalive{}), {});
  auto timer = rt.make_timer();
  for (;;) {
    timer.expires_after(keepalive);
    co_await timer.async_wait(token);
    auto [wec, n] = co_await boost::asio::async_write(socket, boost::asio::buffer(ka), token);
    if (wec) break;
  }
  broke_at = rt.now();
}

TEST(SimSendHold, PeerThatStopsReadingIsDroppedWithCode8) {
  sim::World world(11);
  auto& net = sim::Network::install(world);
  const auto node_a = net.add_node("a", {boost::asio::ip::make_address("10.0.0.1")});
  const auto node_b = net.add_node("b", {boost::asio::ip::make_address("10.0.0.2")});
  sim::SimRuntime rt_a(net, node_a), rt_b(net, node_b);
  Recorder rec;
  rec.world = &world;
  reactor::Reactor<sim::SimRuntime> speaker(rt_a, rec);

  config::Neighbor n = simtest::sim_neighbor("10.0.0.1", "10.0.0.2", 65001, 65002);
  // 20,000 routes (well over the 64 KiB send window) in one attribute set each.
  for (std::uint32_t i = 0; i < 20'000; ++i) {
    config::StaticRoute r;
    r.family = wire::ipv4_unicast;
    r.nlri.prefix = wire::IpPrefix{wire::IpAddress::v4_from_u32(0x0A000000 + (i << 8)), 24};
    wire::PathAttributes a;
    a.origin = wire::Origin::igp;
    a.as_path = wire::AsPath{};
    a.next_hop = n.local_address;
    a.med = i;  // one UPDATE per route: about 1 MB in all
    r.attributes = config::share(std::move(a));
    n.routes.push_back(r);
  }
  config::Config config;
  config.neighbors.push_back(n);
  ASSERT_FALSE(speaker.configure(config));
  std::optional<std::chrono::nanoseconds> broke_at;
  net.spawn(node_b, deaf_peer(rt_b, 3s, broke_at));
  net.spawn(node_a, speaker.run());

  world.run_for(470s);
  EXPECT_EQ(rec.established, 1);
  EXPECT_TRUE(rec.downs.empty()) << "the peer's KEEPALIVEs keep the HoldTimer (9 s) from expiring";
  world.run_for(30s);
  // The first Down is the send hold timer's; later attempts to reconnect to
  // the deaf peer (it accepts once) fail without a session.
  ASSERT_GE(rec.downs.size(), 1u);
  ASSERT_EQ(rec.down_times.size(), rec.downs.size());
  const auto at = rec.down_times.front();
  const auto& down = rec.downs.front();
  EXPECT_EQ(down.from, session::State::established);
  EXPECT_EQ(down.reason, "send hold timer expired");
  ASSERT_TRUE(down.sent.has_value());
  EXPECT_EQ(down.sent->code, 8) << "RFC 9687 4: Send Hold Timer Expired";
  EXPECT_EQ(wire::notify_code_name(down.sent->code), "Send Hold Timer Expired");
  // SendHoldTime max(480 s, 2 x 9 s) after the last message A got out (at
  // most a few seconds after the session came up at about 0).
  EXPECT_GE(at, 480s);
  EXPECT_LE(at, 490s);
  // The peer's next KEEPALIVE meets a dead connection.
  world.run_for(10s);
  ASSERT_TRUE(broke_at.has_value());
  EXPECT_GE(*broke_at, at);
  EXPECT_EQ(rec.established, 1);
  speaker.stop();
  world.run_for(5s);
}

}  // namespace
}  // namespace bgpsim
