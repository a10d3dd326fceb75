// Enhanced Route Refresh, receiving side (RFC 7313 4), in the simulator: a
// scripted peer M sends routes X and Y to a bgpsim session B, then a BoRR
// for IPv4 unicast and X again. With its EoRR, B drops Y (reported as a
// withdrawal) and keeps X; without one, B keeps both until the purge timer
// (PeerSettings::refresh_stale_time) has run, then drops Y. An EoRR with no
// BoRR before it removes nothing. Two bgpsim speakers: when A has lost a
// route without withdrawing it, A's refresh_out() (BoRR, table, EoRR)
// removes it from B.
#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "sim/sim_runtime.hpp"
#include "speaker/session/peer.hpp"
#include "tests/reactor/sim_fixture.hpp"

namespace bgpsim {
namespace {

using namespace std::chrono_literals;
using Peer = session::Peer<sim::SimRuntime>;
using Awaitable = boost::asio::awaitable<void, sim::Executor>;

// What B's Adj-RIB-In reported: "+N" announced, "-N" withdrawn, per batch.
struct Changes : simtest::SessionRecorder {
  std::vector<std::string> log;
  void on_routes(const std::string&, const std::vector<rib::Route>& routes) override {
    std::size_t added = 0;
    for (const auto& r : routes) added += r.attributes ? 1 : 0;
    if (added) log.push_back("+" + std::to_string(added));
    if (routes.size() != added) log.push_back("-" + std::to_string(routes.size() - added));
  }
};

wire::Nlri v4(const char* prefix) { return wire::Nlri{*wire::IpPrefix::parse(prefix), {}}; }
rib::RouteKey key(const char* prefix) { return rib::RouteKey{wire::ipv4_unicast, v4(prefix)}; }
constexpr const char* X = "10.1.0.0/24";
constexpr const char* Y = "10.2.0.0/24";

wire::Update announce(std::vector<const char*> prefixes) {
  wire::Update u;
  u.attributes.origin = wire::Origin::igp;
  u.attributes.as_path = wire::AsPath{};
  u.attributes.next_hop = wire::IpAddress::parse("10.0.0.2");
  for (auto p : prefixes) u.nlri.push_back(v4(p));
  return u;
}
wire::Message refresh(std::uint8_t subtype) {
  return wire::Message(wire::RouteRefresh{wire::ipv4_unicast, subtype});
}

// M's messages after B's OPEN: its OPEN (route refresh and Enhanced Route
// Refresh, 4-octet ASN), a KEEPALIVE, then `then`.
wire::Bytes script(const std::vector<wire::Message>& then) {
  wire::Open open;
  open.my_as = 65002;
  open.hold_time_s = 9;
  open.bgp_identifier = wire::IpAddress::parse("10.0.0.2")->v4_u32();
  open.capability_parameters = {{wire::cap::Multiprotocol{wire::ipv4_unicast},
                                 wire::cap::RouteRefresh{}, wire::cap::EnhancedRouteRefresh{},
                                 wire::cap::FourOctetAsn{65002}}};
  wire::Bytes out = wire::encode_message(wire::Message(open), {});
  auto add = [&](const wire::Message& m) { wire::encode_message(m, {}, out); };
  add(wire::Message(wire::Keepalive{}));
  for (const auto& m : then) add(m);
  return out;
}

// M: accepts B's connection, answers B's OPEN with the script and every
// KEEPALIVE with one (so the session stays up as long as the world runs).
Awaitable scripted_peer(sim::SimRuntime rt, wire::Bytes script) {
  constexpr auto tok = boost::asio::as_tuple(boost::asio::use_awaitable_t<sim::Executor>{});
  auto acceptor = rt.listen(sim::Endpoint(boost::asio::ip::make_address("10.0.0.2"), 179));
  auto [ec, socket] = co_await acceptor.async_accept(tok);
  acceptor.close();
  if (ec) co_return;
  for (;;) {
    wire::Bytes m = co_await simtest::read_message(socket);
    if (m.empty()) break;
    wire::Bytes answer;
    if (m[18] == 1) answer = script;
    if (m[18] == 4) answer = wire::encode_message(wire::Message(wire::Keepalive{}), {});
    if (answer.empty()) continue;
    auto [e3, n3] = co_await boost::asio::async_write(socket, boost::asio::buffer(answer), tok);
    if (e3) break;
  }
  socket.close();
}

// B, active on 10.0.0.1, offering Enhanced Route Refresh, against M.
struct World {
  sim::World world{5};
  sim::Network& net = sim::Network::install(world);
  sim::NodeId node_b = net.add_node("b", {boost::asio::ip::make_address("10.0.0.1")});
  sim::NodeId node_m = net.add_node("m", {boost::asio::ip::make_address("10.0.0.2")});
  sim::SimRuntime rt_b{net, node_b}, rt_m{net, node_m};
  rib::AttributePool pool;
  Changes rec;
  std::unique_ptr<Peer> b;

  explicit World(const std::vector<wire::Message>& then) {
    auto s = simtest::passive_settings("10.0.0.1", "10.0.0.2", 65001, 65002);
    s.fsm.passive = false;
    s.fsm.enhanced_route_refresh = true;
    b = std::make_unique<Peer>(rt_b, s, rec, pool);
    net.spawn(node_m, scripted_peer(rt_m, script(then)));
    net.spawn(node_b, b->run());
  }
  bool has(const char* prefix) const { return b->adj_rib_in().find(key(prefix)) != nullptr; }
  ~World() {
    b->stop();
    world.run_for(5s);
    EXPECT_TRUE(net.failures().empty());
  }
};

TEST(SimEnhancedRefresh, EorrPurgesWhatWasNotSentAgain) {
  World w({wire::Message(announce({X, Y})), refresh(wire::RouteRefresh::begin_of_rib),
           wire::Message(announce({X})), refresh(wire::RouteRefresh::end_of_rib)});
  w.world.run_for(10s);
  ASSERT_EQ(w.b->state(), session::State::established);
  EXPECT_TRUE(w.has(X));
  EXPECT_FALSE(w.has(Y));
  EXPECT_FALSE(w.b->adj_rib_in().refreshing(wire::ipv4_unicast));
  // X announced again with the same attributes is no change; Y's purge is a withdrawal.
  EXPECT_EQ(w.rec.log, (std::vector<std::string>{"+2", "-1"}));
}

TEST(SimEnhancedRefresh, WithoutEorrTheTimerPurges) {
  World w({wire::Message(announce({X, Y})), refresh(wire::RouteRefresh::begin_of_rib),
           wire::Message(announce({X}))});
  w.world.run_for(10s);
  ASSERT_EQ(w.b->state(), session::State::established);
  EXPECT_TRUE(w.has(X));
  EXPECT_TRUE(w.has(Y));
  EXPECT_TRUE(w.b->adj_rib_in().refreshing(wire::ipv4_unicast));
  EXPECT_TRUE(w.b->adj_rib_in().refresh_stale(key(Y)));
  EXPECT_FALSE(w.b->adj_rib_in().refresh_stale(key(X)));
  w.world.run_for(w.b->settings().refresh_stale_time - 20s);  // not yet
  EXPECT_TRUE(w.has(Y));
  w.world.run_for(20s);
  ASSERT_EQ(w.b->state(), session::State::established);
  EXPECT_TRUE(w.has(X));
  EXPECT_FALSE(w.has(Y));
  EXPECT_FALSE(w.b->adj_rib_in().refreshing(wire::ipv4_unicast));
  EXPECT_EQ(w.rec.log, (std::vector<std::string>{"+2", "-1"}));
}

TEST(SimEnhancedRefresh, EorrWithoutBorrRemovesNothing) {
  World w({wire::Message(announce({X, Y})), refresh(wire::RouteRefresh::end_of_rib)});
  w.world.run_for(10s);
  ASSERT_EQ(w.b->state(), session::State::established);
  EXPECT_TRUE(w.has(X));
  EXPECT_TRUE(w.has(Y));
  EXPECT_EQ(w.rec.log, (std::vector<std::string>{"+2"}));
}

// Two bgpsim speakers: A lost Y without telling B (the test seam drops the
// withdrawal); A's enhanced refresh repairs B's Adj-RIB-In.
TEST(SimEnhancedRefresh, RefreshOutRepairsThePeer) {
  sim::World world{9};
  sim::Network& net = sim::Network::install(world);
  const auto node_a = net.add_node("a", {boost::asio::ip::make_address("10.0.0.1")});
  const auto node_b = net.add_node("b", {boost::asio::ip::make_address("10.0.0.2")});
  sim::SimRuntime rt_a{net, node_a}, rt_b{net, node_b};
  rib::AttributePool pool_a, pool_b;
  Changes rec_a, rec_b;
  auto sa = simtest::passive_settings("10.0.0.1", "10.0.0.2", 65001, 65002);
  sa.fsm.passive = false;
  sa.fsm.enhanced_route_refresh = true;
  auto sb = simtest::passive_settings("10.0.0.2", "10.0.0.1", 65002, 65001);
  sb.fsm.enhanced_route_refresh = true;
  Peer a(rt_a, sa, rec_a, pool_a), b(rt_b, sb, rec_b, pool_b);
  wire::PathAttributes attributes;
  attributes.origin = wire::Origin::igp;
  attributes.as_path = wire::AsPath{};
  attributes.next_hop = wire::IpAddress::parse("10.0.0.1");
  auto shared = pool_a.intern(attributes);
  a.adj_rib_out().announce(key(X), shared);
  a.adj_rib_out().announce(key(Y), shared);
  net.spawn(node_b, simtest::accept_into(rt_b, "10.0.0.2", b));
  net.spawn(node_b, b.run());
  net.spawn(node_a, a.run());
  world.run_for(10s);
  ASSERT_EQ(b.adj_rib_in().size(), 2u);
  a.adj_rib_out().drop_withdrawals_for_tests(true);
  a.adj_rib_out().withdraw(key(Y));
  a.routes_changed();
  world.run_for(5s);
  EXPECT_EQ(b.adj_rib_in().size(), 2u);  // B still holds Y
  a.refresh_out(wire::ipv4_unicast);
  world.run_for(5s);
  EXPECT_NE(b.adj_rib_in().find(key(X)), nullptr);
  EXPECT_EQ(b.adj_rib_in().find(key(Y)), nullptr);
  EXPECT_EQ(rec_b.log, (std::vector<std::string>{"+2", "-1"}));
  a.stop();
  b.stop();
  world.run_for(5s);
  EXPECT_TRUE(net.failures().empty());
}

}  // namespace
}  // namespace bgpsim
