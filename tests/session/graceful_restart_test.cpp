// Graceful restart in the FSM (RFC 4724 4.2, RFC 8538): which end of an
// Established session keeps the peer's routes, and which NOTIFICATIONs go out
// as Hard Reset once both sides set the N bit.
#include <gtest/gtest.h>

#include "fsm_helpers.hpp"
#include "speaker/session/graceful_restart.hpp"

namespace bgpsim::session {
namespace {

using namespace fsm_test;
namespace cap = wire::cap;

cap::GracefulRestart gr(bool n_bit, bool forwarding = true) {
  cap::GracefulRestart g;
  g.notification = n_bit;
  g.restart_time_s = 120;
  g.families.push_back({wire::ipv4_unicast, forwarding});
  return g;
}

// Established between us (GR `ours`, none: not advertised) and a peer
// advertising `theirs`.
Fsm established(std::optional<cap::GracefulRestart> ours,
                std::optional<cap::GracefulRestart> theirs) {
  auto config = test_config();
  config.graceful_restart = ours;
  Fsm fsm(config);
  PeerConfig remote;
  remote.local_as = 65002;
  remote.peer_as = 65001;
  remote.router_id = 0x02020202;
  remote.hold_time_s = 180;
  remote.graceful_restart = theirs;
  fsm.step(s(0), Start{});
  fsm.step(s(0), TcpConnected{});
  fsm.step(s(0), OpenReceived{make_open(remote)});
  fsm.step(s(0), KeepaliveReceived{});
  EXPECT_EQ(fsm.state().state, State::established);
  return fsm;
}

Down down_of(const std::vector<Action>& actions) {
  for (const auto& a : actions)
    if (const auto* d = std::get_if<Down>(&a)) return *d;
  ADD_FAILURE() << "no Down in " << render(actions);
  return {};
}

TEST(GracefulRestart, TcpFailureKeepsTheRoutesWhenBothAdvertised) {
  auto fsm = established(gr(false), gr(false));
  const Down d = down_of(fsm.step(s(1), TcpFailed{}));
  ASSERT_TRUE(d.graceful_restart.has_value());
  EXPECT_EQ(d.graceful_restart->restart_time_s, 120);
  ASSERT_EQ(d.graceful_restart->families.size(), 1u);
}

TEST(GracefulRestart, NothingIsKeptUnlessBothAdvertised) {
  for (auto [ours, theirs] : {std::pair{false, true}, std::pair{true, false}}) {
    auto fsm = established(ours ? std::optional(gr(false)) : std::nullopt,
                           theirs ? std::optional(gr(false)) : std::nullopt);
    EXPECT_FALSE(down_of(fsm.step(s(1), TcpFailed{})).graceful_restart.has_value());
  }
}

TEST(GracefulRestart, ANotificationEndsNormallyWithoutTheNBit) {
  auto fsm = established(gr(false), gr(false));
  EXPECT_FALSE(down_of(fsm.step(s(1), NotificationReceived{wire::Notification{6, 6, {}}}))
                   .graceful_restart.has_value());
  // Hold timer expiry sends 4/0: a NOTIFICATION sent, so no graceful restart.
  auto expired = established(gr(false), gr(false));
  const Down d = down_of(expired.step(s(500), Tick{}));
  ASSERT_TRUE(d.sent.has_value());
  EXPECT_EQ(d.sent->code, 4);
  EXPECT_FALSE(d.graceful_restart.has_value());
}

// RFC 8538 4: with the N bit exchanged, a NOTIFICATION other than Hard Reset
// keeps the routes, in either direction.
TEST(GracefulRestart, WithTheNBitANotificationKeepsTheRoutes) {
  auto received = established(gr(true), gr(true));
  EXPECT_TRUE(down_of(received.step(s(1), NotificationReceived{wire::Notification{6, 6, {}}}))
                  .graceful_restart.has_value());
  auto expired = established(gr(true), gr(true));
  const Down d = down_of(expired.step(s(500), Tick{}));
  ASSERT_TRUE(d.sent.has_value());
  EXPECT_EQ(d.sent->code, 4);  // not a Cease: sent as it is
  EXPECT_TRUE(d.graceful_restart.has_value());
  // Only one side with N: the RFC 4724 rule.
  auto half = established(gr(true), gr(false));
  EXPECT_FALSE(down_of(half.step(s(1), NotificationReceived{wire::Notification{6, 6, {}}}))
                   .graceful_restart.has_value());
}

// RFC 9494: the long-lived capability is negotiated only with graceful
// restart, and travels in the Down with it.
TEST(GracefulRestart, TheLongLivedCapabilityComesWithTheDown) {
  auto config = test_config();
  config.graceful_restart = gr(false);
  cap::LongLivedGracefulRestart llgr;
  llgr.entries.push_back({wire::ipv4_unicast, 0x80, 3600});
  config.long_lived_graceful_restart = llgr;
  PeerConfig remote;
  remote.local_as = 65002;
  remote.peer_as = 65001;
  remote.router_id = 0x02020202;
  remote.graceful_restart = gr(false);
  remote.long_lived_graceful_restart = llgr;
  // Our OPEN carries it right after the Graceful Restart capability.
  const auto caps = make_open(config).capabilities();
  auto gr_at = std::find_if(caps.begin(), caps.end(), [](const auto& c) {
    return std::holds_alternative<cap::GracefulRestart>(c);
  });
  ASSERT_NE(gr_at, caps.end());
  ASSERT_NE(gr_at + 1, caps.end());
  EXPECT_TRUE(std::holds_alternative<cap::LongLivedGracefulRestart>(*(gr_at + 1)));
  Fsm fsm(config);
  fsm.step(s(0), Start{});
  fsm.step(s(0), TcpConnected{});
  fsm.step(s(0), OpenReceived{make_open(remote)});
  fsm.step(s(0), KeepaliveReceived{});
  const Down d = down_of(fsm.step(s(1), TcpFailed{}));
  ASSERT_TRUE(d.long_lived_graceful_restart.has_value());
  EXPECT_EQ(*d.long_lived_graceful_restart, llgr);
  // Without graceful restart on our side, neither is used (nor sent).
  config.graceful_restart.reset();
  const auto without = make_open(config).capabilities();
  EXPECT_TRUE(std::none_of(without.begin(), without.end(), [](const auto& c) {
    return std::holds_alternative<cap::LongLivedGracefulRestart>(c);
  }));
}

TEST(GracefulRestart, AHardResetReceivedFlushes) {
  auto fsm = established(gr(true), gr(true));
  const auto hard = hard_reset(wire::Notification{6, 2, {}});
  EXPECT_FALSE(down_of(fsm.step(s(1), NotificationReceived{hard})).graceful_restart.has_value());
}

// RFC 8538 5.1 / 3: Administrative Shutdown goes out as Cease / Hard Reset
// carrying the original code, subcode and data; the session ends for good.
TEST(GracefulRestart, AShutdownIsSentAsHardResetWithTheNBit) {
  const auto shutdown = wire::Notification::make_shutdown(wire::cease::administrative_shutdown, "bye");
  auto fsm = established(gr(true), gr(true));
  const Down d = down_of(fsm.step(s(1), Stop{shutdown, true}));
  ASSERT_TRUE(d.sent.has_value());
  EXPECT_EQ(d.sent->code, 6);
  EXPECT_EQ(d.sent->subcode, wire::cease::hard_reset);
  wire::Bytes data{6, wire::cease::administrative_shutdown};
  data.insert(data.end(), shutdown.data.begin(), shutdown.data.end());
  EXPECT_EQ(d.sent->data, data);
  EXPECT_FALSE(d.graceful_restart.has_value());
  // Without the N bit it goes out unchanged.
  auto plain = established(gr(false), gr(false));
  EXPECT_EQ(*down_of(plain.step(s(1), Stop{shutdown, true})).sent, shutdown);
}

TEST(GracefulRestart, WhichCeasesAreHardResets) {
  for (std::uint8_t sub = 0; sub <= 10; ++sub) {
    const bool hard = sub == wire::cease::max_prefixes ||
                      sub == wire::cease::administrative_shutdown ||
                      sub == wire::cease::peer_deconfigured || sub == wire::cease::hard_reset;
    EXPECT_EQ(requires_hard_reset(wire::Notification{6, sub, {}}), hard) << int(sub);
  }
  EXPECT_FALSE(requires_hard_reset(wire::Notification{4, 0, {}}));
  EXPECT_FALSE(requires_hard_reset(wire::Notification{3, 2, {}}));
  // A Hard Reset is not wrapped twice.
  const auto once = hard_reset(wire::Notification{6, 3, {}});
  EXPECT_EQ(hard_reset(once), once);
}

TEST(GracefulRestart, AFamilyIsKeptOnlyWithItsForwardingBit) {
  EXPECT_TRUE(keeps_stale_family(gr(false, true), std::nullopt, wire::ipv4_unicast));
  EXPECT_FALSE(keeps_stale_family(gr(false, false), std::nullopt, wire::ipv4_unicast));
  EXPECT_FALSE(keeps_stale_family(gr(false, true), std::nullopt, wire::ipv6_unicast));
  EXPECT_FALSE(keeps_stale_family(std::nullopt, std::nullopt, wire::ipv4_unicast));
  // RFC 9494: the long-lived capability's F bit counts too.
  cap::LongLivedGracefulRestart llgr;
  llgr.entries.push_back({wire::ipv4_unicast, 0x80, 3600});
  llgr.entries.push_back({wire::ipv6_unicast, 0x00, 3600});
  EXPECT_TRUE(keeps_stale_family(gr(false, false), llgr, wire::ipv4_unicast));
  EXPECT_FALSE(keeps_stale_family(gr(false, false), llgr, wire::ipv6_unicast));
  EXPECT_EQ(long_lived_stale_time(llgr, wire::ipv4_unicast), 3600u);
  llgr.entries[0].stale_time_s = 0;
  EXPECT_EQ(long_lived_stale_time(llgr, wire::ipv4_unicast), std::nullopt);
  EXPECT_EQ(long_lived_stale_time(std::nullopt, wire::ipv4_unicast), std::nullopt);
}

}  // namespace
}  // namespace bgpsim::session
