// Graceful restart, receiving side (RFC 4724 4.2, RFC 8538), in the
// simulator: peer A (the restarting speaker) crashes and comes back with
// fewer routes; peer B (the speaker under test) keeps A's routes stale across
// the restart, replaces what A sends again, and drops the rest at A's
// End-of-RIB, or when A's Restart Time runs out, or at once when A comes back
// without the Forwarding State bit. A NOTIFICATION ends the session normally
// unless both set the N bit, and a Hard Reset always does.
#include <gtest/gtest.h>

#include "sim/sim_runtime.hpp"
#include "sim/speaker_on_sim.hpp"
#include "speaker/config/parser.hpp"
#include "speaker/reactor/reactor.hpp"
#include "speaker/session/graceful_restart.hpp"
#include "speaker/session/peer.hpp"
#include "tests/reactor/sim_fixture.hpp"

namespace bgpsim {
namespace {

using namespace std::chrono_literals;
using Peer = session::Peer<sim::SimRuntime>;

// What B's Adj-RIB-In reported, one batch per call: "+N" routes announced,
// "-N" withdrawn, "up" for each Established.
struct Changes : simtest::SessionRecorder {
  std::vector<std::string> log;
  void on_established(const std::string& p, const session::Negotiated& n) override {
    SessionRecorder::on_established(p, n);
    log.push_back("up");
  }
  void on_routes(const std::string&, const std::vector<rib::Route>& routes) override {
    std::size_t added = 0;
    for (const auto& r : routes) added += r.attributes ? 1 : 0;
    if (added) log.push_back("+" + std::to_string(added));
    if (routes.size() != added) log.push_back("-" + std::to_string(routes.size() - added));
  }
};

// A's view: what the last session negotiated (B's capabilities).
struct Negotiations : simtest::SessionRecorder {
  std::optional<session::Negotiated> last;
  void on_established(const std::string& p, const session::Negotiated& n) override {
    SessionRecorder::on_established(p, n);
    last = n;
  }
};

wire::cap::GracefulRestart gr(std::uint16_t restart_time_s, bool forwarding, bool n_bit) {
  wire::cap::GracefulRestart g;
  g.restart_time_s = restart_time_s;
  g.notification = n_bit;
  g.families.push_back({wire::ipv4_unicast, forwarding});
  return g;
}

session::PeerSettings settings(const char* self, const char* other, std::uint32_t as,
                               std::uint32_t peer_as, bool passive) {
  session::PeerSettings s = simtest::passive_settings(self, other, as, peer_as);
  s.fsm.passive = passive;
  s.fsm.backoff_jitter_percent = 0;
  return s;
}

// The world: B passive on 10.0.0.2 with `b_gr`; A active on 10.0.0.1, built
// again at every boot: its first life announces `first` routes with
// `a_gr_first`, later lives `later` routes with `a_gr_later`.
struct Restart {
  sim::World world{3};
  sim::Network& net = sim::Network::install(world);
  sim::NodeId node_a = net.add_node("a", {boost::asio::ip::make_address("10.0.0.1")});
  sim::NodeId node_b = net.add_node("b", {boost::asio::ip::make_address("10.0.0.2")});
  sim::SimRuntime rt_a{net, node_a}, rt_b{net, node_b};
  rib::AttributePool pool_a, pool_b;
  Negotiations rec_a;
  Changes rec_b;
  std::optional<session::PeerSettings> b_settings;  // instead of the built-in ones
  std::vector<std::unique_ptr<Peer>> lives;         // every life of A (a crash only cancels)
  std::unique_ptr<Peer> b;
  std::optional<wire::cap::GracefulRestart> a_gr_first, a_gr_later;
  std::optional<wire::cap::LongLivedGracefulRestart> a_llgr;  // every life
  bool no_llgr_on_first_route = false;
  int first = 10, later = 6;

  void start(std::optional<wire::cap::GracefulRestart> b_gr,
             std::optional<wire::cap::LongLivedGracefulRestart> b_llgr = std::nullopt) {
    auto sb = settings("10.0.0.2", "10.0.0.1", 65002, 65001, true);
    sb.fsm.graceful_restart = b_gr;
    sb.fsm.long_lived_graceful_restart = b_llgr;
    if (b_settings) sb = *b_settings;
    b = std::make_unique<Peer>(rt_b, sb, rec_b, pool_b);
    net.spawn(node_b, simtest::accept_into(rt_b, "10.0.0.2", *b));
    net.spawn(node_b, b->run());
    net.set_boot(node_a, [this] {
      const bool again = !lives.empty();
      auto sa = settings("10.0.0.1", "10.0.0.2", 65001, 65002, false);
      sa.fsm.graceful_restart = again ? a_gr_later : a_gr_first;
      if (again && sa.fsm.graceful_restart) sa.fsm.graceful_restart->restart_state = true;
      sa.fsm.long_lived_graceful_restart = a_llgr;
      lives.push_back(std::make_unique<Peer>(rt_a, sa, rec_a, pool_a));
      Peer& a = *lives.back();
      wire::PathAttributes attributes;
      attributes.origin = wire::Origin::igp;
      attributes.as_path = wire::AsPath{};
      attributes.next_hop = wire::IpAddress::parse("10.0.0.1");
      auto shared = pool_a.intern(attributes);
      attributes.communities = std::vector<std::uint32_t>{rib::no_llgr_community};
      auto no_llgr = pool_a.intern(std::move(attributes));
      for (int i = 0; i < (again ? later : first); ++i)
        a.adj_rib_out().announce(
            rib::RouteKey{wire::ipv4_unicast,
                          wire::Nlri{wire::IpPrefix{wire::IpAddress::v4_from_u32(
                                                        0x0A000000u + (std::uint32_t(i) << 8)),
                                                    24},
                                     {}}},
            i == 0 && no_llgr_on_first_route ? no_llgr : shared);
      net.spawn(node_a, a.run());
    });
  }
  std::size_t b_routes() const { return b->adj_rib_in().size(); }
  std::size_t b_stale() const { return b->adj_rib_in().stale_count(); }
  void finish() {
    b->stop();
    if (!lives.empty()) lives.back()->stop();
    world.run_for(5s);
    EXPECT_TRUE(net.failures().empty());
  }
};

TEST(SimGracefulRestart, RoutesAreKeptStaleAndSweptAtEndOfRib) {
  Restart w;
  w.a_gr_first = w.a_gr_later = gr(120, true, false);
  w.start(gr(120, false, false));
  w.world.run_for(10s);
  ASSERT_EQ(w.b_routes(), 10u);
  EXPECT_EQ(w.b_stale(), 0u);
  {
    auto crash = w.net.crash(w.node_a);
    w.world.run_for(5s);
    EXPECT_NE(w.b->state(), session::State::established);
    EXPECT_EQ(w.b_routes(), 10u);  // kept ...
    EXPECT_EQ(w.b_stale(), 10u);   // ... as stale
  }                                // A restarts with 6 routes
  w.world.run_for(20s);
  EXPECT_EQ(w.b->state(), session::State::established);
  EXPECT_EQ(w.b_routes(), 6u);
  EXPECT_EQ(w.b_stale(), 0u);
  // The 6 sent again replaced their stale copies without a change; the 4
  // not sent went at A's End-of-RIB.
  EXPECT_EQ(w.rec_b.log, (std::vector<std::string>{"up", "+10", "up", "-4"}));
  w.finish();
}

TEST(SimGracefulRestart, TheRestartTimeRunsOut) {
  Restart w;
  w.a_gr_first = gr(5, true, false);
  w.start(gr(120, false, false));
  w.world.run_for(10s);
  ASSERT_EQ(w.b_routes(), 10u);
  auto crash = w.net.crash(w.node_a);
  w.world.run_for(4s);
  EXPECT_EQ(w.b_stale(), 10u);
  w.world.run_for(2s);  // past A's 5 s Restart Time
  EXPECT_EQ(w.b_routes(), 0u);
  EXPECT_EQ(w.b_stale(), 0u);
  crash.release();
  w.finish();
}

TEST(SimGracefulRestart, WithoutTheForwardingBitStaleRoutesGoAtOnce) {
  Restart w;
  w.a_gr_first = gr(120, true, false);
  w.a_gr_later = gr(120, false, false);
  w.start(gr(120, false, false));
  w.world.run_for(10s);
  {
    auto crash = w.net.crash(w.node_a);
    w.world.run_for(5s);
  }
  w.world.run_for(20s);
  EXPECT_EQ(w.b_routes(), 6u);
  // All 10 went when the session came back, before A's 6 arrived anew.
  EXPECT_EQ(w.rec_b.log, (std::vector<std::string>{"up", "+10", "up", "-10", "+6"}));
  w.finish();
}

TEST(SimGracefulRestart, NothingIsKeptWhenTheRestarterDoesNotAdvertiseIt) {
  Restart w;  // A advertises no graceful restart
  w.start(gr(120, false, false));
  w.world.run_for(10s);
  ASSERT_EQ(w.b_routes(), 10u);
  auto crash = w.net.crash(w.node_a);
  w.world.run_for(5s);
  EXPECT_EQ(w.b_routes(), 0u);
  crash.release();
  w.finish();
}

// RFC 4724 without the N bit: a NOTIFICATION ends the session normally.
TEST(SimGracefulRestart, ANotificationFlushesWithoutTheNBit) {
  Restart w;
  w.a_gr_first = gr(120, true, false);
  w.start(gr(120, false, false));
  w.world.run_for(10s);
  w.lives.back()->teardown(wire::Notification{6, wire::cease::other_configuration_change, {}});
  w.world.run_for(1s);
  EXPECT_EQ(w.b_routes(), 0u);
  w.finish();
}

// RFC 8538: with the N bit on both sides, a Cease that is not a Hard Reset
// keeps the routes; Administrative Shutdown goes out as Hard Reset, which
// flushes them.
TEST(SimGracefulRestart, WithTheNBitOnlyAHardResetFlushes) {
  Restart w;
  w.a_gr_first = w.a_gr_later = gr(120, true, true);
  w.start(gr(120, false, true));
  w.world.run_for(10s);
  w.lives.back()->teardown(wire::Notification{6, wire::cease::other_configuration_change, {}});
  w.world.run_for(1s);
  EXPECT_EQ(w.b_routes(), 10u);
  EXPECT_EQ(w.b_stale(), 10u);
  w.world.run_for(20s);  // A reconnects after its back-off; the stale routes are settled
  ASSERT_EQ(w.b->state(), session::State::established);
  EXPECT_EQ(w.b_routes(), 10u);
  EXPECT_EQ(w.b_stale(), 0u);
  w.lives.back()->stop();  // Cease / Administrative Shutdown -> Hard Reset
  w.world.run_for(1s);
  ASSERT_FALSE(w.rec_b.received.empty());
  EXPECT_TRUE(session::is_hard_reset(w.rec_b.received.back()));
  EXPECT_EQ(w.b_routes(), 0u);
  w.finish();
}

// RFC 9494: past the Restart Time, routes of a family with a Long-Lived
// Stale Time stay, with LLGR_STALE attached, except those carrying NO_LLGR;
// they go when the Long-Lived Stale Time has passed too.
TEST(SimGracefulRestart, LongLivedStaleRoutesOutliveTheRestartTime) {
  wire::cap::LongLivedGracefulRestart llgr;
  llgr.entries.push_back({wire::ipv4_unicast, 0x80, 30});
  Restart w;
  w.a_gr_first = gr(5, true, false);
  w.a_llgr = llgr;
  w.no_llgr_on_first_route = true;
  w.start(gr(120, false, false), llgr);
  w.world.run_for(10s);
  ASSERT_EQ(w.b_routes(), 10u);
  auto crash = w.net.crash(w.node_a);
  w.world.run_for(4s);
  EXPECT_EQ(w.b_stale(), 10u);
  w.world.run_for(2s);          // past the 5 s Restart Time
  EXPECT_EQ(w.b_routes(), 9u);  // the NO_LLGR route went
  EXPECT_EQ(w.b_stale(), 9u);
  for (const auto& [key, attributes] : w.b->adj_rib_in().routes()) {
    ASSERT_TRUE(attributes->communities.has_value());
    EXPECT_NE(std::find(attributes->communities->begin(), attributes->communities->end(),
                        rib::llgr_stale_community),
              attributes->communities->end());
  }
  w.world.run_for(30s);  // past the 30 s Long-Lived Stale Time
  EXPECT_EQ(w.b_routes(), 0u);
  crash.release();
  w.finish();
}

// The same with B configured by its keywords (docs/config.md): the
// capabilities reach the wire (A sees the N bit and B's stale time) and B,
// receiving, keeps A's routes for A's 30 s Long-Lived Stale Time.
TEST(SimGracefulRestart, KeywordsConfigureTheReceivingSide) {
  auto parsed = config::parse_config(R"(neighbor 10.0.0.1 {
  local-address 10.0.0.2; local-as 65002; peer-as 65001; hold-time 9; passive true;
  capability {
    graceful-restart 120;
    graceful-restart-notification;
    long-lived-graceful-restart 7200;
    long-lived-graceful-restart ipv6 unicast 60;
  }
})",
                                     "b.conf");
  ASSERT_TRUE(std::holds_alternative<config::Config>(parsed));
  auto b = reactor::peer_settings(std::get<config::Config>(parsed).neighbors.at(0));
  ASSERT_TRUE(b.fsm.long_lived_graceful_restart.has_value());
  EXPECT_EQ(
      b.fsm.long_lived_graceful_restart->entries,
      (std::vector<wire::cap::LongLivedGracefulRestart::Entry>{{wire::ipv4_unicast, 0, 7200}}))
      << "the ipv6 entry names a family the neighbor does not carry";
  b.fsm.backoff_jitter_percent = 0;
  wire::cap::LongLivedGracefulRestart llgr;
  llgr.entries.push_back({wire::ipv4_unicast, 0x80, 30});
  Restart w;
  w.b_settings = b;
  w.a_gr_first = gr(5, true, true);
  w.a_llgr = llgr;
  w.start(std::nullopt);
  w.world.run_for(10s);
  ASSERT_EQ(w.b_routes(), 10u);
  ASSERT_TRUE(w.rec_a.last && w.rec_a.last->graceful_restart);
  EXPECT_TRUE(w.rec_a.last->graceful_restart->notification) << "B's N bit";
  EXPECT_EQ(w.rec_a.last->graceful_restart->restart_time_s, 120);
  ASSERT_TRUE(w.rec_a.last->long_lived_graceful_restart.has_value());
  EXPECT_EQ(w.rec_a.last->long_lived_graceful_restart->entries.at(0).stale_time_s, 7200u);
  auto crash = w.net.crash(w.node_a);
  w.world.run_for(20s);  // past A's 5 s Restart Time: long-lived stale
  EXPECT_EQ(w.b_stale(), 10u);
  EXPECT_EQ(w.b_routes(), 10u);
  w.world.run_for(20s);  // past the 30 s Long-Lived Stale Time
  EXPECT_EQ(w.b_routes(), 0u);
  crash.release();
  w.finish();
}

// RFC 9494: A comes back within the Long-Lived Stale Time; what it sends
// again replaces the LLGR_STALE copies (without the community), the rest
// goes at its End-of-RIB.
TEST(SimGracefulRestart, ALongLivedPeerComingBackReplacesItsRoutes) {
  wire::cap::LongLivedGracefulRestart llgr;
  llgr.entries.push_back({wire::ipv4_unicast, 0x80, 300});
  Restart w;
  w.a_gr_first = w.a_gr_later = gr(5, true, false);
  w.a_llgr = llgr;
  w.start(gr(120, false, false), llgr);
  w.world.run_for(10s);
  {
    auto crash = w.net.crash(w.node_a);
    w.world.run_for(20s);
    EXPECT_EQ(w.b_stale(), 10u);
  }
  w.world.run_for(20s);
  ASSERT_EQ(w.b->state(), session::State::established);
  EXPECT_EQ(w.b_routes(), 6u);
  EXPECT_EQ(w.b_stale(), 0u);
  for (const auto& [key, attributes] : w.b->adj_rib_in().routes())
    EXPECT_FALSE(attributes->communities.has_value());
  w.finish();
}

// The receiving side's local timers (RFC 4724 4.2's stale-routes bound, RFC
// 7313 4's purge after a BoRR) come from their keywords, and a change of
// either is a change of the session (a reload restarts it, as for the
// other session timers).
TEST(SimGracefulRestart, StaleTimersComeFromTheirKeywords) {
  auto settings_of = [](const std::string& timers) {
    auto parsed = config::parse_config(
        "neighbor 10.0.0.1 {\n  local-as 65002; peer-as 65001; "
        "router-id 10.0.0.2;\n  " +
            timers + "\n}",
        "b.conf");
    EXPECT_TRUE(std::holds_alternative<config::Config>(parsed)) << timers;
    return reactor::peer_settings(std::get<config::Config>(parsed).neighbors.at(0));
  };
  const auto defaults = settings_of("");
  EXPECT_EQ(defaults.stale_routes_time, 360s);
  EXPECT_EQ(defaults.refresh_stale_time, 360s);
  const auto set = settings_of("stale-routes-time 45; refresh-stale-time 20;");
  EXPECT_EQ(set.stale_routes_time, 45s);
  EXPECT_EQ(set.refresh_stale_time, 20s);
  EXPECT_TRUE(reactor::same_session(defaults, settings_of("stale-routes-time 360;")));
  EXPECT_FALSE(reactor::same_session(defaults, settings_of("stale-routes-time 45;")));
  EXPECT_FALSE(reactor::same_session(defaults, settings_of("refresh-stale-time 20;")));
}

}  // namespace
}  // namespace bgpsim
