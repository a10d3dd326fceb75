// FSM behaviours beyond single transitions: timers, back-off, collision.
#include <gtest/gtest.h>

#include <set>

#include "fsm_helpers.hpp"

namespace bgpsim::session {
namespace {

using namespace fsm_test;

template <class A>
std::size_t count(const std::vector<Action>& actions) {
  return static_cast<std::size_t>(
      std::count_if(actions.begin(), actions.end(),
                    [](const Action& a) { return std::holds_alternative<A>(a); }));
}

// Drives to Established at `t` with the peer's hold time.
std::vector<Action> establish(Fsm& fsm, Time t, std::uint16_t peer_hold = 180) {
  fsm.step(t, Start{});
  fsm.step(t, TcpConnected{});
  fsm.step(t, OpenReceived{peer_open(peer_hold)});
  return fsm.step(t, KeepaliveReceived{});
}

TEST(Fsm, EstablishedCarriesTheNegotiatedSession) {
  Fsm fsm(test_config());
  auto actions = establish(fsm, s(0), 60);
  ASSERT_EQ(actions.size(), 1u);
  const auto& up = std::get<Established>(actions[0]);
  EXPECT_EQ(up.negotiated.hold_time_s, 60);
  EXPECT_EQ(up.negotiated.keepalive_s, 20);
  EXPECT_EQ(up.negotiated.peer_as, 65002u);
  EXPECT_EQ(fsm.state().deadline(Timer::hold), s(60));
  EXPECT_EQ(fsm.state().deadline(Timer::keepalive), s(20));
  EXPECT_EQ(fsm.state().deadline(Timer::connect_retry), std::nullopt);
}

TEST(Fsm, OpenSentUsesALargeHoldTimer) {
  Fsm fsm(test_config());
  fsm.step(s(10), Start{});
  EXPECT_EQ(fsm.state().deadline(Timer::connect_retry), s(15));
  auto actions = fsm.step(s(11), TcpConnected{});
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(std::get<SendOpen>(actions[0]).open, make_open(test_config()));
  EXPECT_EQ(fsm.state().deadline(Timer::hold), s(11) + open_sent_hold_time);
  EXPECT_EQ(fsm.state().deadline(Timer::connect_retry), std::nullopt);
}

TEST(Fsm, HoldTimeZeroArmsNoTimers) {
  auto config = test_config();
  config.hold_time_s = 0;
  Fsm fsm(config);
  establish(fsm, s(0));
  EXPECT_EQ(fsm.state().state, State::established);
  EXPECT_EQ(fsm.next_deadline(), std::nullopt);
  // Nothing ever expires: a late Tick does nothing.
  EXPECT_TRUE(fsm.step(s(100000), Tick{}).empty());
  EXPECT_EQ(fsm.state().state, State::established);
}

TEST(Fsm, MessagesRestartTheirTimers) {
  Fsm fsm(test_config());  // hold 90 -> keepalive 30
  establish(fsm, s(0));
  fsm.step(s(50), UpdateReceived{});
  EXPECT_EQ(fsm.state().deadline(Timer::hold), s(140));
  fsm.step(s(60), KeepaliveReceived{});
  EXPECT_EQ(fsm.state().deadline(Timer::hold), s(150));
  fsm.step(s(25), MessageSent{});
  EXPECT_EQ(fsm.state().deadline(Timer::keepalive), s(55));
  auto actions = fsm.step(s(55), Tick{});
  EXPECT_EQ(render(actions), "SendKeepalive");
  EXPECT_EQ(fsm.state().deadline(Timer::keepalive), s(85));
}

TEST(Fsm, HoldExpiryWinsOverKeepalive) {
  Fsm fsm(test_config());
  establish(fsm, s(0));
  auto actions = fsm.step(s(500), Tick{});  // both hold (90) and keepalive (30) passed
  EXPECT_EQ(render(actions), "SendNotification(4/0) CloseConnection Down");
  EXPECT_EQ(fsm.state().state, State::idle);
  const auto& down = std::get<Down>(actions.back());
  EXPECT_EQ(down.from, State::established);
  ASSERT_TRUE(down.sent);
  EXPECT_EQ(down.sent->code, 4);
}

TEST(Fsm, DownNamesTheNotificationReceived) {
  Fsm fsm(test_config());
  establish(fsm, s(0));
  auto actions = fsm.step(s(1), NotificationReceived{wire::Notification{6, 4, {}}});
  const auto& down = std::get<Down>(actions.back());
  EXPECT_EQ(down.from, State::established);
  EXPECT_FALSE(down.sent);
  ASSERT_TRUE(down.received);
  EXPECT_EQ(down.received->subcode, 4);
}

TEST(Fsm, ManualStopNotificationIsConfigurable) {
  Fsm fsm(test_config());
  establish(fsm, s(0));
  auto shutdown = wire::Notification::make_shutdown(wire::cease::administrative_shutdown, "bye");
  auto actions = fsm.step(s(1), Stop{shutdown});
  EXPECT_EQ(std::get<SendNotification>(actions[0]).notification, shutdown);
  EXPECT_FALSE(fsm.state().started);
  EXPECT_EQ(fsm.next_deadline(), std::nullopt);  // no reconnect after a manual stop
}

TEST(Fsm, BackoffDoublesUpToTheMaximum) {
  auto config = test_config();  // 1..16 s, no jitter
  std::vector<long> delays;
  for (std::uint32_t n = 1; n <= 7; ++n)
    delays.push_back(
        std::chrono::duration_cast<std::chrono::seconds>(backoff_delay(config, n, n)).count());
  EXPECT_EQ(delays, (std::vector<long>{1, 2, 4, 8, 16, 16, 16}));
  EXPECT_EQ(backoff_delay(config, 1000, 1), s(16));  // no overflow
}

TEST(Fsm, BackoffJitterIsBoundedAndDeterministic) {
  auto config = test_config();
  config.backoff_jitter_percent = 25;
  std::set<Time> seen;
  for (std::uint64_t i = 0; i < 200; ++i) {
    const Time d = backoff_delay(config, 3, i);
    EXPECT_GE(d, s(4));
    EXPECT_LE(d, s(5));
    EXPECT_EQ(d, backoff_delay(config, 3, i));
    seen.insert(d);
  }
  EXPECT_GT(seen.size(), 100u);
  auto other = config;
  other.backoff_seed = 7;
  EXPECT_NE(backoff_delay(config, 3, 0), backoff_delay(other, 3, 0));
}

// The peer's Cease / Administrative Reset: a failure wherever a connection is up.
const NotificationReceived peer_cease{wire::Notification{6, 4, {}}};

TEST(Fsm, FailuresBackOffThenReconnect) {
  Fsm fsm(test_config());
  fsm.step(s(0), Start{});
  fsm.step(s(0), TcpConnected{});
  auto actions = fsm.step(s(1), peer_cease);
  EXPECT_EQ(render(actions), "CloseConnection Down");
  EXPECT_EQ(fsm.state().state, State::idle);
  EXPECT_EQ(fsm.state().deadline(Timer::idle_hold), s(2));
  EXPECT_TRUE(fsm.step(s(1) + s(1) / 2, Tick{}).empty());  // not yet
  EXPECT_EQ(render(fsm.step(s(2), Tick{})), "Connect");
  fsm.step(s(3), TcpConnected{});
  fsm.step(s(3), peer_cease);
  EXPECT_EQ(fsm.state().deadline(Timer::idle_hold), s(5));  // doubled
  EXPECT_EQ(fsm.state().failures, 2u);
}

// RFC 4271 8.2.2: a connection that fails before the BGP connection is up
// leaves the FSM listening in Active; the ConnectRetryTimer's expiry there
// dials again (Connect). Its value is the back-off delay of the consecutive
// failed attempts, at most the ConnectRetryTime.
TEST(Fsm, FailedConnectionListensInActiveThenRetries) {
  Fsm fsm(test_config());  // connect retry 5 s, back-off 1..16 s
  fsm.step(s(0), Start{});
  EXPECT_EQ(render(fsm.step(s(1), TcpFailed{})), "CloseConnection Down");  // the attempt
  EXPECT_EQ(fsm.state().state, State::active);
  EXPECT_EQ(fsm.state().deadline(Timer::connect_retry), s(2));
  EXPECT_EQ(fsm.state().failures, 1u);
  // The peer's connection is accepted meanwhile; it fails in OpenSent.
  EXPECT_EQ(render(fsm.step(s(1), TcpConnected{})), "SendOpen");
  auto actions = fsm.step(s(1), TcpFailed{});
  EXPECT_EQ(render(actions), "CloseConnection Down");
  EXPECT_EQ(std::get<Down>(actions[1]).from, State::open_sent);
  EXPECT_EQ(std::get<Down>(actions[1]).to, State::active);
  EXPECT_EQ(fsm.state().state, State::active);
  EXPECT_EQ(fsm.state().deadline(Timer::connect_retry), s(3));  // 2 s: the second in a row
  EXPECT_EQ(fsm.state().deadline(Timer::hold), std::nullopt);
  EXPECT_TRUE(fsm.step(s(2), Tick{}).empty());
  EXPECT_EQ(render(fsm.step(s(3), Tick{})), "Connect");
  EXPECT_EQ(fsm.state().state, State::connect);
  EXPECT_EQ(fsm.state().deadline(Timer::connect_retry), s(8));
  fsm.step(s(3), TcpFailed{});  // third: 4 s
  EXPECT_EQ(fsm.state().deadline(Timer::connect_retry), s(7));
  EXPECT_EQ(render(fsm.step(s(7), Tick{})), "Connect");
  fsm.step(s(7), TcpFailed{});  // fourth: 8 s, but at most the ConnectRetryTime
  EXPECT_EQ(fsm.state().deadline(Timer::connect_retry), s(12));
  // A session that comes up and lasts starts the count afresh.
  fsm.step(s(8), TcpConnected{});
  fsm.step(s(8), OpenReceived{peer_open()});
  fsm.step(s(8), KeepaliveReceived{});
  fsm.step(s(70), TcpFailed{});
  EXPECT_EQ(fsm.state().failures, 1u);
  EXPECT_EQ(fsm.state().deadline(Timer::idle_hold), s(71));
}

// RFC 4271 8.2.2 Active, ManualStop: "If the DelayOpenTimer is running and the
// SendNOTIFICATIONwithoutOPEN session attribute is set, the local system sends
// a NOTIFICATION with a Cease"; Connect's ManualStop does not.
TEST(Fsm, ManualStopInActiveWithOpenDelayedSendsCease) {
  for (bool passive : {true, false}) {
    auto config = test_config(passive);
    config.delay_open_s = 10;
    config.send_notification_without_open = true;
    Fsm fsm(config);
    fsm.step(s(0), Start{});
    fsm.step(s(0), TcpConnected{});
    EXPECT_EQ(fsm.state().state, passive ? State::active : State::connect);
    EXPECT_EQ(render(fsm.step(s(1), Stop{})),
              passive ? "SendNotification(6/2) CloseConnection Down" : "CloseConnection Down");
    config.send_notification_without_open = false;
    Fsm quiet(config);
    quiet.step(s(0), Start{});
    quiet.step(s(0), TcpConnected{});
    EXPECT_EQ(render(quiet.step(s(1), Stop{})), "CloseConnection Down");
  }
}

TEST(Fsm, StartDuringBackoffWaitsForIt) {
  Fsm fsm(test_config());
  fsm.step(s(0), Start{});
  fsm.step(s(0), TcpConnected{});
  fsm.step(s(0), peer_cease);
  EXPECT_TRUE(fsm.step(s(0), Start{}).empty());
  EXPECT_EQ(fsm.state().deadline(Timer::idle_hold), s(1));
}

TEST(Fsm, StopThenStartIsStillRateLimited) {
  auto config = test_config();
  config.backoff_min_s = 3;
  Fsm fsm(config);
  EXPECT_EQ(render(fsm.step(s(0), Start{})), "Connect");
  fsm.step(s(1), Stop{});
  EXPECT_TRUE(fsm.step(s(1), Start{}).empty());
  EXPECT_EQ(fsm.state().deadline(Timer::idle_hold), s(3));
  EXPECT_EQ(render(fsm.step(s(3), Tick{})), "Connect");
}

TEST(Fsm, StopInIdleCancelsTheBackoff) {
  Fsm fsm(test_config());
  fsm.step(s(0), Start{});
  fsm.step(s(0), TcpConnected{});
  fsm.step(s(0), peer_cease);
  ASSERT_EQ(fsm.state().state, State::idle);
  fsm.step(s(0), Stop{});
  EXPECT_EQ(fsm.next_deadline(), std::nullopt);
  EXPECT_EQ(fsm.state().failures, 0u);
  EXPECT_TRUE(fsm.step(s(100), Tick{}).empty());
}

TEST(Fsm, LongEstablishedSessionResetsTheBackoff) {
  auto config = test_config();
  config.backoff_reset_s = 60;
  Fsm fsm(config);
  fsm.step(s(0), Start{});
  fsm.step(s(0), TcpConnected{});
  fsm.step(s(0), peer_cease);
  fsm.step(s(1), Tick{});
  fsm.step(s(1), TcpConnected{});
  fsm.step(s(1), peer_cease);
  EXPECT_EQ(fsm.state().failures, 2u);
  fsm.step(s(3), Tick{});  // reconnect
  fsm.step(s(3), TcpConnected{});
  fsm.step(s(3), OpenReceived{peer_open()});
  fsm.step(s(3), KeepaliveReceived{});
  fsm.step(s(10), TcpFailed{});  // a short session: keeps doubling
  EXPECT_EQ(fsm.state().failures, 3u);
  fsm.step(s(14), Tick{});
  fsm.step(s(14), TcpConnected{});
  fsm.step(s(14), OpenReceived{peer_open()});
  fsm.step(s(14), KeepaliveReceived{});
  fsm.step(s(14) + s(60), TcpFailed{});  // lasted 60 s: back to the minimum
  EXPECT_EQ(fsm.state().failures, 1u);
  EXPECT_EQ(fsm.state().deadline(Timer::idle_hold), s(75));
}

TEST(Fsm, PassivePeerNeverConnects) {
  Fsm fsm(test_config(true));
  EXPECT_TRUE(fsm.step(s(0), Start{}).empty());
  EXPECT_EQ(fsm.state().state, State::active);
  EXPECT_EQ(fsm.next_deadline(), std::nullopt);
  fsm.step(s(1), TcpConnected{});
  fsm.step(s(2), TcpFailed{});  // in OpenSent: back to listening, no timer
  EXPECT_EQ(fsm.state().state, State::active);
  EXPECT_EQ(fsm.next_deadline(), std::nullopt);
  fsm.step(s(2), TcpConnected{});
  fsm.step(s(2), peer_cease);  // the second failure in a row: 2 s
  EXPECT_EQ(fsm.state().deadline(Timer::idle_hold), s(4));
  EXPECT_TRUE(fsm.step(s(4), Tick{}).empty());
  EXPECT_EQ(fsm.state().state, State::active);
}

TEST(Fsm, ConnectRetryKeepsTrying) {
  Fsm fsm(test_config());  // connect retry 5 s
  fsm.step(s(0), Start{});
  for (int i = 1; i <= 3; ++i) {
    EXPECT_EQ(render(fsm.step(s(5 * i), Tick{})), "CloseConnection Connect");
    EXPECT_EQ(fsm.state().deadline(Timer::connect_retry), s(5 * (i + 1)));
  }
}

TEST(Fsm, BadOpenSendsItsNotification) {
  Fsm fsm(test_config());
  fsm.step(s(0), Start{});
  fsm.step(s(0), TcpConnected{});
  auto actions = fsm.step(s(1), OpenReceived{peer_open(2)});
  EXPECT_EQ(render(actions), "SendNotification(2/6) CloseConnection Down");
}

TEST(Collision, HigherIdentifierKeepsItsConnection) {
  EXPECT_EQ(collision_winner(2, 1, 65001, 65002), Initiator::local);
  EXPECT_EQ(collision_winner(1, 2, 65001, 65002), Initiator::remote);
  EXPECT_EQ(collision_winner(0xC0000001, 0x0A000001, 1, 2), Initiator::local);  // unsigned
  // RFC 6286 2.3: equal identifiers -> the larger AS wins.
  EXPECT_EQ(collision_winner(5, 5, 65002, 65001), Initiator::local);
  EXPECT_EQ(collision_winner(5, 5, 65001, 65002), Initiator::remote);
  EXPECT_EQ(collision_notification().code, 6);
  EXPECT_EQ(collision_notification().subcode, wire::cease::connection_collision_resolution);
}

// RFC 4486 4: Cease subcode 1 with AFI (2 octets), SAFI (1), bound (4).
TEST(PrefixLimit, NotificationCarriesFamilyAndBound) {
  const auto n = max_prefixes_notification(PrefixLimit{wire::Family(2, 1), 0x01020304});
  EXPECT_EQ(n.code, 6);
  EXPECT_EQ(n.subcode, wire::cease::max_prefixes);
  EXPECT_EQ(n.data, (wire::Bytes{0, 2, 1, 1, 2, 3, 4}));
}

TEST(PrefixLimit, ExceededOnlyAboveTheFamilysBound) {
  const std::vector<PrefixLimit> limits = {{wire::ipv4_unicast, 10}, {wire::Family(2, 1), 3}};
  EXPECT_FALSE(exceeded_limit(limits, wire::ipv4_unicast, 10));
  EXPECT_EQ(exceeded_limit(limits, wire::ipv4_unicast, 11)->limit, 10u);
  EXPECT_EQ(exceeded_limit(limits, wire::Family(2, 1), 4)->limit, 3u);
  EXPECT_FALSE(exceeded_limit(limits, wire::Family(2, 128), 1000)) << "no limit, no bound";
  EXPECT_FALSE(exceeded_limit({}, wire::ipv4_unicast, 1u << 30));
}

// RFC 9003 2: a received Shutdown Communication is shown in the Down reason;
// a malformed one (length past the data, invalid UTF-8) is reported as such
// and never shown verbatim.
TEST(ShutdownCommunication, ShownWhenWellFormedNeverWhenMalformed) {
  auto down_reason = [](const wire::Notification& n) {
    Fsm fsm(test_config());
    fsm.step(s(0), Start{});
    fsm.step(s(0), TcpConnected{});
    fsm.step(s(0), OpenReceived{peer_open()});
    fsm.step(s(0), KeepaliveReceived{});
    for (const auto& a : fsm.step(s(1), NotificationReceived{n}))
      if (const auto* d = std::get_if<Down>(&a)) return d->reason;
    return std::string("no Down");
  };
  EXPECT_EQ(down_reason(wire::Notification::make_shutdown(2, "maintenance\nuntil 18:00 \xc3\xa9")),
            "NOTIFICATION received: Cease / Administrative Shutdown: \"maintenance until 18:00 "
            "\xc3\xa9\"");
  EXPECT_EQ(down_reason(wire::Notification::make_shutdown(4, "reset")),
            "NOTIFICATION received: Cease / Administrative Reset: \"reset\"");
  // Length 10, two octets follow: malformed.
  const auto too_long = down_reason(wire::Notification{6, 2, {10, 'a', 'b'}});
  EXPECT_EQ(too_long,
            "NOTIFICATION received: Cease / Administrative Shutdown (malformed Shutdown "
            "Communication, not shown)");
  // Invalid UTF-8 (a lone continuation octet) next to readable text.
  const auto bad_utf8 = down_reason(wire::Notification{6, 2, {3, 'o', 'k', 0x80}});
  EXPECT_NE(bad_utf8.find("malformed"), std::string::npos);
  EXPECT_EQ(bad_utf8.find("ok"), std::string::npos);
  // Other codes: names only.
  EXPECT_EQ(down_reason(wire::Notification{4, 0, {}}),
            "NOTIFICATION received: Hold Timer Expired / Unspecific");
}

}  // namespace
}  // namespace bgpsim::session
