// Every (situation, event kind) pair of the FSM with its expected next state,
// actions and armed timers. A situation is a state reached along one path:
// each state is entered from more than one history (never started, after a
// failure during back-off, after a NOTIFICATION, after a connect retry, with
// a zero hold time, after a flap ...), because the FSM's answer to an event
// depends on more than the state's name (pending back-off, failure count,
// negotiated hold time, when the session came up).
//
// Expected values are written from RFC 4271 8.2.2 and the deviations listed
// in speaker/session/fsm.hpp, not computed by the FSM. Notification codes:
// 1/2 Bad Message Length, 2/2 Bad Peer AS, 4/0 Hold Timer Expired, 5/n FSM
// Error (RFC 6608), 6/1 Cease Max Prefixes, 6/2 Cease Administrative Shutdown,
// 6/7 Cease Connection Collision Resolution (RFC 4486).
//
// Timers are written as the deadlines armed after the event, relative to the
// event's time, in seconds: CR ConnectRetryTimer, H HoldTimer, K
// KeepaliveTimer, IH IdleHoldTimer, DO DelayOpenTimer, SH SendHoldTimer
// (RFC 9687: max(480 s, 2 x hold) = 480 s here unless configured). "" means
// no timer is armed.
#include <gtest/gtest.h>

#include <functional>

#include "fsm_helpers.hpp"

namespace bgpsim::session {
namespace {

using namespace fsm_test;

enum class Ev {
  start,
  stop,
  stop_auto,
  tick,       // at the earliest deadline (1 s after the situation if none)
  tick_late,  // at 1000 s: every timer armed on entry has expired
  tcp_connected,
  tcp_failed,
  open,
  open_bad,  // wrong peer AS
  message_error,
  collision_dump,  // RFC 4271 event 23: this connection lost a collision
  notification,
  notification_version,  // RFC 4271 event 24: the peer's Unsupported Version Number
  keepalive,
  update,
  route_refresh,
  message_sent,
};
constexpr std::size_t event_count = static_cast<std::size_t>(Ev::message_sent) + 1;

const char* name(Ev e) {
  static const char* names[] = {"Start",
                                "Stop",
                                "Stop(automatic)",
                                "Tick",
                                "Tick(late)",
                                "TcpConnected",
                                "TcpFailed",
                                "OPEN",
                                "OPEN(bad AS)",
                                "MessageError",
                                "OpenCollisionDump",
                                "NOTIFICATION",
                                "NOTIFICATION(2/1)",
                                "KEEPALIVE",
                                "UPDATE",
                                "ROUTE-REFRESH",
                                "MessageSent"};
  return names[static_cast<int>(e)];
}

// Configurations. test_config(): hold 90 s (negotiated with the peer's 180 s:
// 90 s, KEEPALIVE every 90 / 3 = 30 s), connect retry 5 s, back-off 1..16 s
// doubling per consecutive failure, no jitter, failure count reset after 60 s
// Established.
PeerConfig active_config() { return test_config(false); }
PeerConfig passive_config() { return test_config(true); }
// Back-off from 4 s: the shortest gap between two Connects is min(5, 4) = 4 s.
PeerConfig slow_backoff_config() {
  auto c = test_config(false);
  c.backoff_min_s = 4;
  return c;
}
// Hold time 0: "the HoldTimer and KeepaliveTimer are not started" (8.2.2).
PeerConfig no_hold_config() {
  auto c = test_config(false);
  c.hold_time_s = 0;
  return c;
}
// DelayOpen with DelayOpenTime 10 s (RFC 4271 8.1.1), with and without
// SendNOTIFICATIONwithoutOPEN, active and passive.
PeerConfig delay_open_config(bool passive, bool notify_without_open) {
  auto c = test_config(passive);
  c.delay_open_s = 10;
  c.send_notification_without_open = notify_without_open;
  return c;
}
// A SendHoldTime of 20 s, shorter than the KeepaliveTimer (RFC 9687).
PeerConfig short_send_hold_config() {
  auto c = test_config(false);
  c.send_hold_time_s = 20;
  return c;
}

enum class Sit {
  idle_fresh,                 // never started
  idle_backoff,               // started; two Connects failed; back-off pending
  idle_after_notification,    // Established, then the peer's NOTIFICATION
  idle_stopped,               // stopped by the operator right after a Connect
  connect_start,              // Start
  connect_retried,            // after a failed connection, back-off and a retry expiry
  active_start,               // passive peer, Start
  active_after_failure,       // passive peer, back from a failed connection
  active_dial_failed,         // active peer, its connection attempt failed
  active_open_sent_failed,    // active peer, the connection failed in OpenSent
  open_sent,                  // our connection came up
  open_sent_inbound,          // passive peer accepted the peer's connection
  open_sent_after_retry,      // connected after a ConnectRetryTimer expiry
  open_confirm,               // the peer's OPEN accepted
  open_confirm_no_hold,       // hold time 0 negotiated: no timers
  established,                // straight through
  established_no_hold,        // hold time 0
  established_after_flap,     // second session after a NOTIFICATION, young
  established_long,           // second session, up for longer than the reset time
  connect_delay_open,         // DelayOpen: connected, our OPEN waits for the DelayOpenTimer
  connect_delay_open_notify,  // the same with SendNOTIFICATIONwithoutOPEN
  active_delay_open,          // DelayOpen on a passive peer's inbound connection
  established_send_hold,      // SendHoldTime 20 s, nothing sent since 0
  open_confirm_retry,         // OpenConfirm on the connection after a failed one
};
constexpr std::size_t situation_count = static_cast<std::size_t>(Sit::open_confirm_retry) + 1;

struct Step {
  long at_s;
  Event event;  // Tick{} only lets time pass
};

struct Situation {
  const char* name;
  State state;
  std::uint32_t failures;  // consecutive failures so far
  bool started;
  std::function<PeerConfig()> config;
  std::vector<Step> steps;
  long base_s;  // the events under test come at base + 1 s
};

// The peer's Cease / Administrative Reset: a failure in any state with a
// connection (Idle and the back-off).
const Event peer_cease = NotificationReceived{wire::Notification{6, 4, {}}};

const std::vector<Step> up_at_0 = {
    {0, Start{}}, {0, TcpConnected{}}, {0, OpenReceived{peer_open()}}, {0, KeepaliveReceived{}}};

std::vector<Step> concat(std::vector<Step> a, const std::vector<Step>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// A flap: up at 0, the peer's NOTIFICATION at 10 (IdleHold 1 s), Connect at 11
// by the back-off, up again at 11 (HoldTimer 101, KeepaliveTimer 41).
const std::vector<Step> flap =
    concat(up_at_0, {{10, NotificationReceived{wire::Notification{6, 4, {}}}},
                     {11, TcpConnected{}},
                     {11, OpenReceived{peer_open()}},
                     {11, KeepaliveReceived{}}});

const std::vector<Situation>& situations() {
  static const std::vector<Situation> all = {
      {"Idle (never started)", State::idle, 0, false, active_config, {}, 0},
      // Up to OpenSent at 0, the peer's Cease (IdleHold 1 s); Connect at 1,
      // OpenSent and Cease again (IdleHold 2 s, at 3).
      {"Idle (back-off after 2 failures)",
       State::idle,
       2,
       true,
       active_config,
       {{0, Start{}}, {0, TcpConnected{}}, {0, peer_cease}, {1, TcpConnected{}}, {1, peer_cease}},
       1},
      // Back-off 4 s from 0: IdleHold at 4.
      {"Idle (after NOTIFICATION)", State::idle, 1, true, slow_backoff_config,
       concat(up_at_0, {{0, NotificationReceived{wire::Notification{6, 4, {}}}}}), 0},
      {"Idle (stopped after Connect)",
       State::idle,
       0,
       false,
       slow_backoff_config,
       {{0, Start{}}, {0, Stop{}}},
       0},
      {"Connect (Start)", State::connect, 0, true, active_config, {{0, Start{}}}, 0},
      // OpenSent at 0 and the peer's Cease (IdleHold 1); Connect at 1 (CR 6);
      // retry at 6 (CR 11).
      {"Connect (retried)",
       State::connect,
       1,
       true,
       active_config,
       {{0, Start{}}, {0, TcpConnected{}}, {0, peer_cease}, {6, Tick{}}},
       6},
      {"Active (Start)", State::active, 0, true, passive_config, {{0, Start{}}}, 0},
      // Inbound connection ends in OpenSent at 0 by the peer's Cease
      // (IdleHold 1); Active at 1.
      {"Active (after failed connection)",
       State::active,
       1,
       true,
       passive_config,
       {{0, Start{}}, {0, TcpConnected{}}, {0, peer_cease}, {1, Tick{}}},
       1},
      // Back-off from 4 s. Connect at 0, the attempt fails at 0: Active,
      // listening, CR at min(5, 4) = 4.
      {"Active (connection attempt failed)",
       State::active,
       1,
       true,
       slow_backoff_config,
       {{0, Start{}}, {0, TcpFailed{}}},
       0},
      // Connected at 0, the connection fails in OpenSent at 2: Active, CR at 6.
      {"Active (TCP failed in OpenSent)",
       State::active,
       1,
       true,
       slow_backoff_config,
       {{0, Start{}}, {0, TcpConnected{}}, {2, TcpFailed{}}},
       2},
      {"OpenSent (connected)",
       State::open_sent,
       0,
       true,
       active_config,
       {{0, Start{}}, {0, TcpConnected{}}},
       0},
      {"OpenSent (inbound, passive)",
       State::open_sent,
       0,
       true,
       passive_config,
       {{0, Start{}}, {0, TcpConnected{}}},
       0},
      // Connect at 0, retry at 5, connected at 5 (HoldTimer 245).
      {"OpenSent (after a retry)",
       State::open_sent,
       0,
       true,
       active_config,
       {{0, Start{}}, {5, TcpConnected{}}},
       5},
      {"OpenConfirm",
       State::open_confirm,
       0,
       true,
       active_config,
       {{0, Start{}}, {0, TcpConnected{}}, {0, OpenReceived{peer_open()}}},
       0},
      {"OpenConfirm (hold time 0)",
       State::open_confirm,
       0,
       true,
       no_hold_config,
       {{0, Start{}}, {0, TcpConnected{}}, {0, OpenReceived{peer_open()}}},
       0},
      {"Established", State::established, 0, true, active_config, up_at_0, 0},
      {"Established (hold time 0)", State::established, 0, true, no_hold_config, up_at_0, 0},
      {"Established (after a flap)", State::established, 1, true, active_config, flap, 11},
      // KEEPALIVEs sent at 41 and 71; the peer's at 75 (HoldTimer 165); up
      // since 11, so at 76 the session has been Established for 65 s >= 60 s.
      {"Established (long)", State::established, 1, true, active_config,
       concat(flap, {{75, KeepaliveReceived{}}}), 75},
      // Connected at 0 with DelayOpen: DelayOpenTimer at 10, no ConnectRetryTimer.
      {"Connect (OPEN delayed)",
       State::connect,
       0,
       true,
       [] { return delay_open_config(false, false); },
       {{0, Start{}}, {0, TcpConnected{}}},
       0},
      {"Connect (OPEN delayed, NOTIFICATION without OPEN)",
       State::connect,
       0,
       true,
       [] { return delay_open_config(false, true); },
       {{0, Start{}}, {0, TcpConnected{}}},
       0},
      {"Active (OPEN delayed)",
       State::active,
       0,
       true,
       [] { return delay_open_config(true, false); },
       {{0, Start{}}, {0, TcpConnected{}}},
       0},
      // Up at 0 (SendHoldTimer at 20, KeepaliveTimer at 30).
      {"Established (SendHoldTime 20 s)", State::established, 0, true, short_send_hold_config,
       up_at_0, 0},
      // OpenSent at 0 and the peer's Cease (IdleHold 1); Connect at 1,
      // connected and the peer's OPEN at 1 (HoldTimer 91, KeepaliveTimer 31).
      {"OpenConfirm (after a failure)",
       State::open_confirm,
       1,
       true,
       active_config,
       {{0, Start{}},
        {0, TcpConnected{}},
        {0, peer_cease},
        {1, TcpConnected{}},
        {1, OpenReceived{peer_open()}}},
       1},
  };
  return all;
}

struct Machine {
  PeerConfig config;
  FsmState state;
  std::string error;
};

// Plays the situation's steps the way the session driver does: every deadline
// up to a step's time fires (Tick at the deadline) before the step.
Machine reach(const Situation& sit) {
  Machine m{sit.config(), {}, {}};
  for (const auto& st : sit.steps) {
    const Time t = s(st.at_s);
    while (auto d = next_deadline(m.state)) {
      if (*d > t) break;
      step(m.config, m.state, *d, Tick{});
    }
    step(m.config, m.state, t, st.event);
  }
  if (m.state.state != sit.state)
    m.error = "reached " + std::string(to_string(m.state.state)) + ", not " +
              std::string(to_string(sit.state));
  else if (m.state.failures != sit.failures)
    m.error =
        "failures " + std::to_string(m.state.failures) + " != " + std::to_string(sit.failures);
  else if (m.state.started != sit.started)
    m.error = "started " + std::to_string(m.state.started);
  else if (auto d = next_deadline(m.state); d && *d <= s(sit.base_s + 1))
    m.error = "a deadline falls before the events under test";
  return m;
}

std::pair<Time, Event> make(Ev e, const FsmState& state, long base_s) {
  const Time soon = s(base_s + 1);
  switch (e) {
    case Ev::start:
      return {soon, Start{}};
    case Ev::stop:
      return {soon, Stop{}};
    case Ev::stop_auto:
      return {soon, Stop{wire::Notification{6, wire::cease::max_prefixes, {}}, true}};
    case Ev::tick:
      return {next_deadline(state).value_or(soon), Tick{}};
    case Ev::tick_late:
      return {s(1000), Tick{}};
    case Ev::tcp_connected:
      return {soon, TcpConnected{}};
    case Ev::tcp_failed:
      return {soon, TcpFailed{}};
    case Ev::open:
      return {soon, OpenReceived{peer_open()}};
    case Ev::open_bad:
      return {soon, OpenReceived{peer_open(180, 65003)}};
    case Ev::message_error:
      return {soon, MessageError{wire::make_error(16, wire::NotifyCode::message_header,
                                                  wire::header_error::bad_message_length,
                                                  "bad length", {0, 5})}};
    case Ev::collision_dump:
      return {soon, OpenCollisionDump{}};
    case Ev::notification:
      return {soon, NotificationReceived{wire::Notification{6, 2, {}}}};
    case Ev::notification_version:
      return {soon, NotificationReceived{wire::Notification{2, 1, {0, 4}}}};
    case Ev::keepalive:
      return {soon, KeepaliveReceived{}};
    case Ev::update:
      return {soon, UpdateReceived{}};
    case Ev::route_refresh:
      return {soon, RouteRefreshReceived{}};
    case Ev::message_sent:
      return {soon, MessageSent{}};
  }
  return {soon, Tick{}};
}

// "CR+5 H+240": the armed deadlines relative to `now`, in timer order.
std::string render_timers(const FsmState& state, Time now) {
  static const char* const labels[timer_count] = {"CR", "H", "K", "IH", "DO", "SH"};
  std::string out;
  for (std::size_t i = 0; i < timer_count; ++i) {
    const auto& d = state.deadlines[i];
    if (!d) continue;
    if (!out.empty()) out += ' ';
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(*d - now).count();
    out += std::string(labels[i]) + "+" +
           (ms % 1000 == 0 ? std::to_string(ms / 1000) : std::to_string(ms) + "ms");
  }
  return out;
}

struct Row {
  Sit from;
  Ev event;
  State to;
  std::string actions;
  std::string timers;
};

using enum State;
const char* const kDown = "CloseConnection Down";
const char* const kStop = "SendNotification(6/2) CloseConnection Down";
const char* const kStopAuto = "SendNotification(6/1) CloseConnection Down";
const char* const kHoldExpired = "SendNotification(4/0) CloseConnection Down";
const char* const kBadLength = "SendNotification(1/2) CloseConnection Down";
const char* const kCollision = "SendNotification(6/7) CloseConnection Down";

// clang-format off
const std::vector<Row> table = {
  // Idle, never started: refuses connections, ignores the rest; no timer.
  {Sit::idle_fresh, Ev::start, connect, "Connect", "CR+5"},
  {Sit::idle_fresh, Ev::stop, idle, "", ""},
  {Sit::idle_fresh, Ev::stop_auto, idle, "", ""},
  {Sit::idle_fresh, Ev::tick, idle, "", ""},
  {Sit::idle_fresh, Ev::tick_late, idle, "", ""},
  {Sit::idle_fresh, Ev::tcp_connected, idle, "CloseConnection", ""},
  {Sit::idle_fresh, Ev::tcp_failed, idle, "", ""},
  {Sit::idle_fresh, Ev::open, idle, "", ""},
  {Sit::idle_fresh, Ev::open_bad, idle, "", ""},
  {Sit::idle_fresh, Ev::message_error, idle, "", ""},
  {Sit::idle_fresh, Ev::collision_dump, idle, "", ""},
  {Sit::idle_fresh, Ev::notification, idle, "", ""},
  {Sit::idle_fresh, Ev::notification_version, idle, "", ""},
  {Sit::idle_fresh, Ev::keepalive, idle, "", ""},
  {Sit::idle_fresh, Ev::update, idle, "", ""},
  {Sit::idle_fresh, Ev::route_refresh, idle, "", ""},
  {Sit::idle_fresh, Ev::message_sent, idle, "", ""},
  // Idle during the back-off (IdleHold at 3, event at 2): a Start lets the
  // back-off finish; a manual Stop cancels it; its expiry is AutomaticStart.
  {Sit::idle_backoff, Ev::start, idle, "", "IH+1"},
  {Sit::idle_backoff, Ev::stop, idle, "", ""},
  {Sit::idle_backoff, Ev::stop_auto, idle, "", "IH+1"},
  {Sit::idle_backoff, Ev::tick, connect, "Connect", "CR+5"},
  {Sit::idle_backoff, Ev::tick_late, connect, "Connect", "CR+5"},
  {Sit::idle_backoff, Ev::tcp_connected, idle, "CloseConnection", "IH+1"},
  {Sit::idle_backoff, Ev::tcp_failed, idle, "", "IH+1"},
  {Sit::idle_backoff, Ev::open, idle, "", "IH+1"},
  {Sit::idle_backoff, Ev::open_bad, idle, "", "IH+1"},
  {Sit::idle_backoff, Ev::message_error, idle, "", "IH+1"},
  {Sit::idle_backoff, Ev::collision_dump, idle, "", "IH+1"},
  {Sit::idle_backoff, Ev::notification, idle, "", "IH+1"},
  {Sit::idle_backoff, Ev::notification_version, idle, "", "IH+1"},
  {Sit::idle_backoff, Ev::keepalive, idle, "", "IH+1"},
  {Sit::idle_backoff, Ev::update, idle, "", "IH+1"},
  {Sit::idle_backoff, Ev::route_refresh, idle, "", "IH+1"},
  {Sit::idle_backoff, Ev::message_sent, idle, "", "IH+1"},
  // Idle after the peer's NOTIFICATION (IdleHold at 4, event at 1). The
  // back-off expiry at 4 connects: the last Connect (0) is 4 s back.
  {Sit::idle_after_notification, Ev::start, idle, "", "IH+3"},
  {Sit::idle_after_notification, Ev::stop, idle, "", ""},
  {Sit::idle_after_notification, Ev::stop_auto, idle, "", "IH+3"},
  {Sit::idle_after_notification, Ev::tick, connect, "Connect", "CR+5"},
  {Sit::idle_after_notification, Ev::tick_late, connect, "Connect", "CR+5"},
  {Sit::idle_after_notification, Ev::tcp_connected, idle, "CloseConnection", "IH+3"},
  {Sit::idle_after_notification, Ev::tcp_failed, idle, "", "IH+3"},
  {Sit::idle_after_notification, Ev::open, idle, "", "IH+3"},
  {Sit::idle_after_notification, Ev::open_bad, idle, "", "IH+3"},
  {Sit::idle_after_notification, Ev::message_error, idle, "", "IH+3"},
  {Sit::idle_after_notification, Ev::collision_dump, idle, "", "IH+3"},
  {Sit::idle_after_notification, Ev::notification, idle, "", "IH+3"},
  {Sit::idle_after_notification, Ev::notification_version, idle, "", "IH+3"},
  {Sit::idle_after_notification, Ev::keepalive, idle, "", "IH+3"},
  {Sit::idle_after_notification, Ev::update, idle, "", "IH+3"},
  {Sit::idle_after_notification, Ev::route_refresh, idle, "", "IH+3"},
  {Sit::idle_after_notification, Ev::message_sent, idle, "", "IH+3"},
  // Idle, stopped by the operator right after a Connect at 0: a Start at 1
  // waits out the 4 s minimum gap between Connects on the IdleHoldTimer.
  {Sit::idle_stopped, Ev::start, idle, "", "IH+3"},
  {Sit::idle_stopped, Ev::stop, idle, "", ""},
  {Sit::idle_stopped, Ev::stop_auto, idle, "", ""},
  {Sit::idle_stopped, Ev::tick, idle, "", ""},
  {Sit::idle_stopped, Ev::tick_late, idle, "", ""},
  {Sit::idle_stopped, Ev::tcp_connected, idle, "CloseConnection", ""},
  {Sit::idle_stopped, Ev::tcp_failed, idle, "", ""},
  {Sit::idle_stopped, Ev::open, idle, "", ""},
  {Sit::idle_stopped, Ev::open_bad, idle, "", ""},
  {Sit::idle_stopped, Ev::message_error, idle, "", ""},
  {Sit::idle_stopped, Ev::collision_dump, idle, "", ""},
  {Sit::idle_stopped, Ev::notification, idle, "", ""},
  {Sit::idle_stopped, Ev::notification_version, idle, "", ""},
  {Sit::idle_stopped, Ev::keepalive, idle, "", ""},
  {Sit::idle_stopped, Ev::update, idle, "", ""},
  {Sit::idle_stopped, Ev::route_refresh, idle, "", ""},
  {Sit::idle_stopped, Ev::message_sent, idle, "", ""},
  // Connect after Start (ConnectRetryTimer at 5, event at 1); no OPEN sent
  // yet, so no NOTIFICATION either; a failure is the first (back-off 1 s).
  {Sit::connect_start, Ev::start, connect, "", "CR+4"},
  {Sit::connect_start, Ev::stop, idle, kDown, ""},
  {Sit::connect_start, Ev::stop_auto, idle, kDown, "IH+1"},
  {Sit::connect_start, Ev::tick, connect, "CloseConnection Connect", "CR+5"},
  {Sit::connect_start, Ev::tick_late, connect, "CloseConnection Connect", "CR+5"},
  {Sit::connect_start, Ev::tcp_connected, open_sent, "SendOpen", "H+240"},
  {Sit::connect_start, Ev::tcp_failed, active, kDown, "CR+1"},
  {Sit::connect_start, Ev::open, idle, kDown, "IH+1"},
  {Sit::connect_start, Ev::open_bad, idle, kDown, "IH+1"},
  {Sit::connect_start, Ev::message_error, idle, kDown, "IH+1"},
  {Sit::connect_start, Ev::collision_dump, idle, kDown, "IH+1"},
  {Sit::connect_start, Ev::notification, idle, kDown, "IH+1"},
  {Sit::connect_start, Ev::notification_version, idle, kDown, "IH+1"},
  {Sit::connect_start, Ev::keepalive, idle, kDown, "IH+1"},
  {Sit::connect_start, Ev::update, idle, kDown, "IH+1"},
  {Sit::connect_start, Ev::route_refresh, idle, kDown, "IH+1"},
  {Sit::connect_start, Ev::message_sent, connect, "", "CR+4"},
  // Connect after one failure and a retry (ConnectRetryTimer at 11, event at
  // 7): the next failure is the second in a row, back-off 2 s; a failed
  // attempt waits as long, listening in Active, for the ConnectRetryTimer.
  {Sit::connect_retried, Ev::start, connect, "", "CR+4"},
  {Sit::connect_retried, Ev::stop, idle, kDown, ""},
  {Sit::connect_retried, Ev::stop_auto, idle, kDown, "IH+2"},
  {Sit::connect_retried, Ev::tick, connect, "CloseConnection Connect", "CR+5"},
  {Sit::connect_retried, Ev::tick_late, connect, "CloseConnection Connect", "CR+5"},
  {Sit::connect_retried, Ev::tcp_connected, open_sent, "SendOpen", "H+240"},
  {Sit::connect_retried, Ev::tcp_failed, active, kDown, "CR+2"},
  {Sit::connect_retried, Ev::open, idle, kDown, "IH+2"},
  {Sit::connect_retried, Ev::open_bad, idle, kDown, "IH+2"},
  {Sit::connect_retried, Ev::message_error, idle, kDown, "IH+2"},
  {Sit::connect_retried, Ev::collision_dump, idle, kDown, "IH+2"},
  {Sit::connect_retried, Ev::notification, idle, kDown, "IH+2"},
  {Sit::connect_retried, Ev::notification_version, idle, kDown, "IH+2"},
  {Sit::connect_retried, Ev::keepalive, idle, kDown, "IH+2"},
  {Sit::connect_retried, Ev::update, idle, kDown, "IH+2"},
  {Sit::connect_retried, Ev::route_refresh, idle, kDown, "IH+2"},
  {Sit::connect_retried, Ev::message_sent, connect, "", "CR+4"},
  // Active (passive peer): listening, no timer, nothing to close.
  {Sit::active_start, Ev::start, active, "", ""},
  {Sit::active_start, Ev::stop, idle, "Down", ""},
  {Sit::active_start, Ev::stop_auto, idle, "Down", "IH+1"},
  {Sit::active_start, Ev::tick, active, "", ""},
  {Sit::active_start, Ev::tick_late, active, "", ""},
  {Sit::active_start, Ev::tcp_connected, open_sent, "SendOpen", "H+240"},
  {Sit::active_start, Ev::tcp_failed, idle, "Down", "IH+1"},
  {Sit::active_start, Ev::open, idle, "Down", "IH+1"},
  {Sit::active_start, Ev::open_bad, idle, "Down", "IH+1"},
  {Sit::active_start, Ev::message_error, idle, "Down", "IH+1"},
  {Sit::active_start, Ev::collision_dump, idle, "Down", "IH+1"},
  {Sit::active_start, Ev::notification, idle, "Down", "IH+1"},
  {Sit::active_start, Ev::notification_version, idle, "Down", "IH+1"},
  {Sit::active_start, Ev::keepalive, idle, "Down", "IH+1"},
  {Sit::active_start, Ev::update, idle, "Down", "IH+1"},
  {Sit::active_start, Ev::route_refresh, idle, "Down", "IH+1"},
  {Sit::active_start, Ev::message_sent, active, "", ""},
  // Active again after a failed connection: the next failure backs off 2 s.
  {Sit::active_after_failure, Ev::start, active, "", ""},
  {Sit::active_after_failure, Ev::stop, idle, "Down", ""},
  {Sit::active_after_failure, Ev::stop_auto, idle, "Down", "IH+2"},
  {Sit::active_after_failure, Ev::tick, active, "", ""},
  {Sit::active_after_failure, Ev::tick_late, active, "", ""},
  {Sit::active_after_failure, Ev::tcp_connected, open_sent, "SendOpen", "H+240"},
  {Sit::active_after_failure, Ev::tcp_failed, idle, "Down", "IH+2"},
  {Sit::active_after_failure, Ev::open, idle, "Down", "IH+2"},
  {Sit::active_after_failure, Ev::open_bad, idle, "Down", "IH+2"},
  {Sit::active_after_failure, Ev::message_error, idle, "Down", "IH+2"},
  {Sit::active_after_failure, Ev::collision_dump, idle, "Down", "IH+2"},
  {Sit::active_after_failure, Ev::notification, idle, "Down", "IH+2"},
  {Sit::active_after_failure, Ev::notification_version, idle, "Down", "IH+2"},
  {Sit::active_after_failure, Ev::keepalive, idle, "Down", "IH+2"},
  {Sit::active_after_failure, Ev::update, idle, "Down", "IH+2"},
  {Sit::active_after_failure, Ev::route_refresh, idle, "Down", "IH+2"},
  {Sit::active_after_failure, Ev::message_sent, active, "", ""},
  // Active peer listening after its attempt failed (back-off from 4 s,
  // ConnectRetryTimer at 4, event at 1): RFC 4271 8.2.2 Active. The timer's expiry dials (Connect);
  // the peer's connection is accepted; any other event is a failure (Idle),
  // the second in a row (back-off 8 s).
  {Sit::active_dial_failed, Ev::start, active, "", "CR+3"},
  {Sit::active_dial_failed, Ev::stop, idle, "Down", ""},
  {Sit::active_dial_failed, Ev::stop_auto, idle, "Down", "IH+8"},
  {Sit::active_dial_failed, Ev::tick, connect, "Connect", "CR+5"},
  {Sit::active_dial_failed, Ev::tick_late, connect, "Connect", "CR+5"},
  {Sit::active_dial_failed, Ev::tcp_connected, open_sent, "SendOpen", "H+240"},
  {Sit::active_dial_failed, Ev::tcp_failed, idle, "Down", "IH+8"},
  {Sit::active_dial_failed, Ev::open, idle, "Down", "IH+8"},
  {Sit::active_dial_failed, Ev::open_bad, idle, "Down", "IH+8"},
  {Sit::active_dial_failed, Ev::message_error, idle, "Down", "IH+8"},
  {Sit::active_dial_failed, Ev::collision_dump, idle, "Down", "IH+8"},
  {Sit::active_dial_failed, Ev::notification, idle, "Down", "IH+8"},
  {Sit::active_dial_failed, Ev::notification_version, idle, "Down", "IH+8"},
  {Sit::active_dial_failed, Ev::keepalive, idle, "Down", "IH+8"},
  {Sit::active_dial_failed, Ev::update, idle, "Down", "IH+8"},
  {Sit::active_dial_failed, Ev::route_refresh, idle, "Down", "IH+8"},
  {Sit::active_dial_failed, Ev::message_sent, active, "", "CR+3"},
  // The same after the connection failed in OpenSent (ConnectRetryTimer at 6,
  // event at 3): RFC 4271 8.2.2 Active. The timer's expiry dials (Connect);
  // the peer's connection is accepted; any other event is a failure (Idle),
  // the second in a row (back-off 8 s).
  {Sit::active_open_sent_failed, Ev::start, active, "", "CR+3"},
  {Sit::active_open_sent_failed, Ev::stop, idle, "Down", ""},
  {Sit::active_open_sent_failed, Ev::stop_auto, idle, "Down", "IH+8"},
  {Sit::active_open_sent_failed, Ev::tick, connect, "Connect", "CR+5"},
  {Sit::active_open_sent_failed, Ev::tick_late, connect, "Connect", "CR+5"},
  {Sit::active_open_sent_failed, Ev::tcp_connected, open_sent, "SendOpen", "H+240"},
  {Sit::active_open_sent_failed, Ev::tcp_failed, idle, "Down", "IH+8"},
  {Sit::active_open_sent_failed, Ev::open, idle, "Down", "IH+8"},
  {Sit::active_open_sent_failed, Ev::open_bad, idle, "Down", "IH+8"},
  {Sit::active_open_sent_failed, Ev::message_error, idle, "Down", "IH+8"},
  {Sit::active_open_sent_failed, Ev::collision_dump, idle, "Down", "IH+8"},
  {Sit::active_open_sent_failed, Ev::notification, idle, "Down", "IH+8"},
  {Sit::active_open_sent_failed, Ev::notification_version, idle, "Down", "IH+8"},
  {Sit::active_open_sent_failed, Ev::keepalive, idle, "Down", "IH+8"},
  {Sit::active_open_sent_failed, Ev::update, idle, "Down", "IH+8"},
  {Sit::active_open_sent_failed, Ev::route_refresh, idle, "Down", "IH+8"},
  {Sit::active_open_sent_failed, Ev::message_sent, active, "", "CR+3"},
  // OpenSent: waiting for the peer's OPEN under the 4-minute HoldTimer (at
  // 240, event at 1). The OPEN sets hold 90 and KEEPALIVEs every 30 s. A TCP
  // failure goes to Active (RFC 4271 8.2.2 OpenSent, event 18): listening,
  // ConnectRetryTimer restarted with the back-off delay (at most 5 s).
  {Sit::open_sent, Ev::start, open_sent, "", "H+239"},
  {Sit::open_sent, Ev::stop, idle, kStop, ""},
  {Sit::open_sent, Ev::stop_auto, idle, kStopAuto, "IH+1"},
  {Sit::open_sent, Ev::tick, idle, kHoldExpired, "IH+1"},
  {Sit::open_sent, Ev::tick_late, idle, kHoldExpired, "IH+1"},
  {Sit::open_sent, Ev::tcp_connected, open_sent, "", "H+239"},
  {Sit::open_sent, Ev::tcp_failed, active, kDown, "CR+1"},
  {Sit::open_sent, Ev::open, open_confirm, "SendKeepalive", "H+90 K+30 SH+480"},
  {Sit::open_sent, Ev::open_bad, idle, "SendNotification(2/2) CloseConnection Down", "IH+1"},
  {Sit::open_sent, Ev::message_error, idle, kBadLength, "IH+1"},
  {Sit::open_sent, Ev::collision_dump, idle, kCollision, "IH+1"},
  {Sit::open_sent, Ev::notification, idle, kDown, "IH+1"},
  {Sit::open_sent, Ev::notification_version, idle, kDown, "IH+1"},
  {Sit::open_sent, Ev::keepalive, idle, "SendNotification(5/1) CloseConnection Down", "IH+1"},
  {Sit::open_sent, Ev::update, idle, "SendNotification(5/1) CloseConnection Down", "IH+1"},
  {Sit::open_sent, Ev::route_refresh, idle, "SendNotification(5/1) CloseConnection Down", "IH+1"},
  {Sit::open_sent, Ev::message_sent, open_sent, "", "H+239"},
  // OpenSent reached from Active on the peer's connection: the same answers
  // (a passive peer arms no ConnectRetryTimer in Active).
  {Sit::open_sent_inbound, Ev::start, open_sent, "", "H+239"},
  {Sit::open_sent_inbound, Ev::stop, idle, kStop, ""},
  {Sit::open_sent_inbound, Ev::stop_auto, idle, kStopAuto, "IH+1"},
  {Sit::open_sent_inbound, Ev::tick, idle, kHoldExpired, "IH+1"},
  {Sit::open_sent_inbound, Ev::tick_late, idle, kHoldExpired, "IH+1"},
  {Sit::open_sent_inbound, Ev::tcp_connected, open_sent, "", "H+239"},
  {Sit::open_sent_inbound, Ev::tcp_failed, active, kDown, ""},
  {Sit::open_sent_inbound, Ev::open, open_confirm, "SendKeepalive", "H+90 K+30 SH+480"},
  {Sit::open_sent_inbound, Ev::open_bad, idle, "SendNotification(2/2) CloseConnection Down", "IH+1"},
  {Sit::open_sent_inbound, Ev::message_error, idle, kBadLength, "IH+1"},
  {Sit::open_sent_inbound, Ev::collision_dump, idle, kCollision, "IH+1"},
  {Sit::open_sent_inbound, Ev::notification, idle, kDown, "IH+1"},
  {Sit::open_sent_inbound, Ev::notification_version, idle, kDown, "IH+1"},
  {Sit::open_sent_inbound, Ev::keepalive, idle, "SendNotification(5/1) CloseConnection Down", "IH+1"},
  {Sit::open_sent_inbound, Ev::update, idle, "SendNotification(5/1) CloseConnection Down", "IH+1"},
  {Sit::open_sent_inbound, Ev::route_refresh, idle, "SendNotification(5/1) CloseConnection Down", "IH+1"},
  {Sit::open_sent_inbound, Ev::message_sent, open_sent, "", "H+239"},
  // OpenSent after a retry at 5 (HoldTimer at 245, event at 6). No failure
  // happened (a retry expiry is not one), so the back-off is still 1 s.
  {Sit::open_sent_after_retry, Ev::start, open_sent, "", "H+239"},
  {Sit::open_sent_after_retry, Ev::stop, idle, kStop, ""},
  {Sit::open_sent_after_retry, Ev::stop_auto, idle, kStopAuto, "IH+1"},
  {Sit::open_sent_after_retry, Ev::tick, idle, kHoldExpired, "IH+1"},
  {Sit::open_sent_after_retry, Ev::tick_late, idle, kHoldExpired, "IH+1"},
  {Sit::open_sent_after_retry, Ev::tcp_connected, open_sent, "", "H+239"},
  {Sit::open_sent_after_retry, Ev::tcp_failed, active, kDown, "CR+1"},
  {Sit::open_sent_after_retry, Ev::open, open_confirm, "SendKeepalive", "H+90 K+30 SH+480"},
  {Sit::open_sent_after_retry, Ev::open_bad, idle, "SendNotification(2/2) CloseConnection Down", "IH+1"},
  {Sit::open_sent_after_retry, Ev::message_error, idle, kBadLength, "IH+1"},
  {Sit::open_sent_after_retry, Ev::collision_dump, idle, kCollision, "IH+1"},
  {Sit::open_sent_after_retry, Ev::notification, idle, kDown, "IH+1"},
  {Sit::open_sent_after_retry, Ev::notification_version, idle, kDown, "IH+1"},
  {Sit::open_sent_after_retry, Ev::keepalive, idle, "SendNotification(5/1) CloseConnection Down", "IH+1"},
  {Sit::open_sent_after_retry, Ev::update, idle, "SendNotification(5/1) CloseConnection Down", "IH+1"},
  {Sit::open_sent_after_retry, Ev::route_refresh, idle, "SendNotification(5/1) CloseConnection Down", "IH+1"},
  {Sit::open_sent_after_retry, Ev::message_sent, open_sent, "", "H+239"},
  // OpenConfirm: our KEEPALIVE sent at 0 (HoldTimer 90, KeepaliveTimer 30,
  // event at 1). The peer's KEEPALIVE restarts the HoldTimer only; a message
  // we send restarts the KeepaliveTimer only.
  {Sit::open_confirm, Ev::start, open_confirm, "", "H+89 K+29 SH+479"},
  {Sit::open_confirm, Ev::stop, idle, kStop, ""},
  {Sit::open_confirm, Ev::stop_auto, idle, kStopAuto, "IH+1"},
  {Sit::open_confirm, Ev::tick, open_confirm, "SendKeepalive", "H+60 K+30 SH+450"},
  {Sit::open_confirm, Ev::tick_late, idle, kHoldExpired, "IH+1"},
  {Sit::open_confirm, Ev::tcp_connected, open_confirm, "", "H+89 K+29 SH+479"},
  {Sit::open_confirm, Ev::tcp_failed, idle, kDown, "IH+1"},
  {Sit::open_confirm, Ev::open, idle, "SendNotification(5/2) CloseConnection Down", "IH+1"},
  {Sit::open_confirm, Ev::open_bad, idle, "SendNotification(5/2) CloseConnection Down", "IH+1"},
  {Sit::open_confirm, Ev::message_error, idle, kBadLength, "IH+1"},
  {Sit::open_confirm, Ev::collision_dump, idle, kCollision, "IH+1"},
  {Sit::open_confirm, Ev::notification, idle, kDown, "IH+1"},
  {Sit::open_confirm, Ev::notification_version, idle, kDown, "IH+1"},
  {Sit::open_confirm, Ev::keepalive, established, "Established", "H+90 K+29 SH+479"},
  {Sit::open_confirm, Ev::update, idle, "SendNotification(5/2) CloseConnection Down", "IH+1"},
  {Sit::open_confirm, Ev::route_refresh, idle, "SendNotification(5/2) CloseConnection Down", "IH+1"},
  {Sit::open_confirm, Ev::message_sent, open_confirm, "", "H+89 K+30 SH+480"},
  // OpenConfirm with hold time 0: no HoldTimer, no KeepaliveTimer, so even
  // a late Tick does nothing.
  {Sit::open_confirm_no_hold, Ev::start, open_confirm, "", ""},
  {Sit::open_confirm_no_hold, Ev::stop, idle, kStop, ""},
  {Sit::open_confirm_no_hold, Ev::stop_auto, idle, kStopAuto, "IH+1"},
  {Sit::open_confirm_no_hold, Ev::tick, open_confirm, "", ""},
  {Sit::open_confirm_no_hold, Ev::tick_late, open_confirm, "", ""},
  {Sit::open_confirm_no_hold, Ev::tcp_connected, open_confirm, "", ""},
  {Sit::open_confirm_no_hold, Ev::tcp_failed, idle, kDown, "IH+1"},
  {Sit::open_confirm_no_hold, Ev::open, idle, "SendNotification(5/2) CloseConnection Down", "IH+1"},
  {Sit::open_confirm_no_hold, Ev::open_bad, idle, "SendNotification(5/2) CloseConnection Down", "IH+1"},
  {Sit::open_confirm_no_hold, Ev::message_error, idle, kBadLength, "IH+1"},
  {Sit::open_confirm_no_hold, Ev::collision_dump, idle, kCollision, "IH+1"},
  {Sit::open_confirm_no_hold, Ev::notification, idle, kDown, "IH+1"},
  {Sit::open_confirm_no_hold, Ev::notification_version, idle, kDown, "IH+1"},
  {Sit::open_confirm_no_hold, Ev::keepalive, established, "Established", ""},
  {Sit::open_confirm_no_hold, Ev::update, idle, "SendNotification(5/2) CloseConnection Down", "IH+1"},
  {Sit::open_confirm_no_hold, Ev::route_refresh, idle, "SendNotification(5/2) CloseConnection Down", "IH+1"},
  {Sit::open_confirm_no_hold, Ev::message_sent, open_confirm, "", ""},
  // Established at 0 (HoldTimer 90, KeepaliveTimer 30, event at 1): KEEPALIVE,
  // UPDATE and ROUTE-REFRESH restart the HoldTimer; MessageSent the
  // KeepaliveTimer.
  {Sit::established, Ev::start, established, "", "H+89 K+29 SH+479"},
  {Sit::established, Ev::stop, idle, kStop, ""},
  {Sit::established, Ev::stop_auto, idle, kStopAuto, "IH+1"},
  {Sit::established, Ev::tick, established, "SendKeepalive", "H+60 K+30 SH+450"},
  {Sit::established, Ev::tick_late, idle, kHoldExpired, "IH+1"},
  {Sit::established, Ev::tcp_connected, established, "", "H+89 K+29 SH+479"},
  {Sit::established, Ev::tcp_failed, idle, kDown, "IH+1"},
  {Sit::established, Ev::open, idle, "SendNotification(5/3) CloseConnection Down", "IH+1"},
  {Sit::established, Ev::open_bad, idle, "SendNotification(5/3) CloseConnection Down", "IH+1"},
  {Sit::established, Ev::message_error, idle, kBadLength, "IH+1"},
  {Sit::established, Ev::collision_dump, idle, kCollision, "IH+1"},
  {Sit::established, Ev::notification, idle, kDown, "IH+1"},
  {Sit::established, Ev::notification_version, idle, kDown, "IH+1"},
  {Sit::established, Ev::keepalive, established, "", "H+90 K+29 SH+479"},
  {Sit::established, Ev::update, established, "", "H+90 K+29 SH+479"},
  {Sit::established, Ev::route_refresh, established, "", "H+90 K+29 SH+479"},
  {Sit::established, Ev::message_sent, established, "", "H+89 K+30 SH+480"},
  // Established with hold time 0: no timers, nothing expires.
  {Sit::established_no_hold, Ev::start, established, "", ""},
  {Sit::established_no_hold, Ev::stop, idle, kStop, ""},
  {Sit::established_no_hold, Ev::stop_auto, idle, kStopAuto, "IH+1"},
  {Sit::established_no_hold, Ev::tick, established, "", ""},
  {Sit::established_no_hold, Ev::tick_late, established, "", ""},
  {Sit::established_no_hold, Ev::tcp_connected, established, "", ""},
  {Sit::established_no_hold, Ev::tcp_failed, idle, kDown, "IH+1"},
  {Sit::established_no_hold, Ev::open, idle, "SendNotification(5/3) CloseConnection Down", "IH+1"},
  {Sit::established_no_hold, Ev::open_bad, idle, "SendNotification(5/3) CloseConnection Down", "IH+1"},
  {Sit::established_no_hold, Ev::message_error, idle, kBadLength, "IH+1"},
  {Sit::established_no_hold, Ev::collision_dump, idle, kCollision, "IH+1"},
  {Sit::established_no_hold, Ev::notification, idle, kDown, "IH+1"},
  {Sit::established_no_hold, Ev::notification_version, idle, kDown, "IH+1"},
  {Sit::established_no_hold, Ev::keepalive, established, "", ""},
  {Sit::established_no_hold, Ev::update, established, "", ""},
  {Sit::established_no_hold, Ev::route_refresh, established, "", ""},
  {Sit::established_no_hold, Ev::message_sent, established, "", ""},
  // Established again at 11 after a flap (HoldTimer 101, KeepaliveTimer 41,
  // event at 12): up for 1 s, so a failure is the second in a row (2 s). A
  // late Tick at 1000 finds the session up since 11 (>= 60 s): count reset.
  {Sit::established_after_flap, Ev::start, established, "", "H+89 K+29 SH+479"},
  {Sit::established_after_flap, Ev::stop, idle, kStop, ""},
  {Sit::established_after_flap, Ev::stop_auto, idle, kStopAuto, "IH+2"},
  {Sit::established_after_flap, Ev::tick, established, "SendKeepalive", "H+60 K+30 SH+450"},
  {Sit::established_after_flap, Ev::tick_late, idle, kHoldExpired, "IH+1"},
  {Sit::established_after_flap, Ev::tcp_connected, established, "", "H+89 K+29 SH+479"},
  {Sit::established_after_flap, Ev::tcp_failed, idle, kDown, "IH+2"},
  {Sit::established_after_flap, Ev::open, idle, "SendNotification(5/3) CloseConnection Down", "IH+2"},
  {Sit::established_after_flap, Ev::open_bad, idle, "SendNotification(5/3) CloseConnection Down", "IH+2"},
  {Sit::established_after_flap, Ev::message_error, idle, kBadLength, "IH+2"},
  {Sit::established_after_flap, Ev::collision_dump, idle, kCollision, "IH+2"},
  {Sit::established_after_flap, Ev::notification, idle, kDown, "IH+2"},
  {Sit::established_after_flap, Ev::notification_version, idle, kDown, "IH+2"},
  {Sit::established_after_flap, Ev::keepalive, established, "", "H+90 K+29 SH+479"},
  {Sit::established_after_flap, Ev::update, established, "", "H+90 K+29 SH+479"},
  {Sit::established_after_flap, Ev::route_refresh, established, "", "H+90 K+29 SH+479"},
  {Sit::established_after_flap, Ev::message_sent, established, "", "H+89 K+30 SH+480"},
  // Established since 11, event at 76 (HoldTimer 165, KeepaliveTimer 101):
  // healthy for 65 s, so a failure starts the back-off afresh at 1 s.
  {Sit::established_long, Ev::start, established, "", "H+89 K+25 SH+415"},
  {Sit::established_long, Ev::stop, idle, kStop, ""},
  {Sit::established_long, Ev::stop_auto, idle, kStopAuto, "IH+1"},
  {Sit::established_long, Ev::tick, established, "SendKeepalive", "H+64 K+30 SH+390"},
  {Sit::established_long, Ev::tick_late, idle, kHoldExpired, "IH+1"},
  {Sit::established_long, Ev::tcp_connected, established, "", "H+89 K+25 SH+415"},
  {Sit::established_long, Ev::tcp_failed, idle, kDown, "IH+1"},
  {Sit::established_long, Ev::open, idle, "SendNotification(5/3) CloseConnection Down", "IH+1"},
  {Sit::established_long, Ev::open_bad, idle, "SendNotification(5/3) CloseConnection Down", "IH+1"},
  {Sit::established_long, Ev::message_error, idle, kBadLength, "IH+1"},
  {Sit::established_long, Ev::collision_dump, idle, kCollision, "IH+1"},
  {Sit::established_long, Ev::notification, idle, kDown, "IH+1"},
  {Sit::established_long, Ev::notification_version, idle, kDown, "IH+1"},
  {Sit::established_long, Ev::keepalive, established, "", "H+90 K+25 SH+415"},
  {Sit::established_long, Ev::update, established, "", "H+90 K+25 SH+415"},
  {Sit::established_long, Ev::route_refresh, established, "", "H+90 K+25 SH+415"},
  {Sit::established_long, Ev::message_sent, established, "", "H+89 K+30 SH+480"},
  // Connect with the OPEN delayed (DelayOpenTimer at 10, event at 1). RFC
  // 4271 8.2.2 Connect: the DelayOpenTimer's expiry sends the OPEN (OpenSent);
  // the peer's OPEN meanwhile (event 20) is answered with OPEN and KEEPALIVE
  // (OpenConfirm); a stop closes without NOTIFICATION; a header or OPEN
  // error closes without one unless SendNOTIFICATIONwithoutOPEN; a TCP
  // failure goes to Active with the ConnectRetryTimer restarted.
  {Sit::connect_delay_open, Ev::start, connect, "", "DO+9"},
  {Sit::connect_delay_open, Ev::stop, idle, kDown, ""},
  {Sit::connect_delay_open, Ev::stop_auto, idle, kDown, "IH+1"},
  {Sit::connect_delay_open, Ev::tick, open_sent, "SendOpen", "H+240"},
  {Sit::connect_delay_open, Ev::tick_late, open_sent, "SendOpen", "H+240"},
  {Sit::connect_delay_open, Ev::tcp_connected, connect, "", "DO+9"},
  {Sit::connect_delay_open, Ev::tcp_failed, active, kDown, "CR+1"},
  {Sit::connect_delay_open, Ev::open, open_confirm, "SendOpen SendKeepalive", "H+90 K+30 SH+480"},
  {Sit::connect_delay_open, Ev::open_bad, idle, kDown, "IH+1"},
  {Sit::connect_delay_open, Ev::message_error, idle, kDown, "IH+1"},
  {Sit::connect_delay_open, Ev::collision_dump, idle, kDown, "IH+1"},
  {Sit::connect_delay_open, Ev::notification, idle, kDown, "IH+1"},
  {Sit::connect_delay_open, Ev::notification_version, idle, kDown, "IH+1"},
  {Sit::connect_delay_open, Ev::keepalive, idle, kDown, "IH+1"},
  {Sit::connect_delay_open, Ev::update, idle, kDown, "IH+1"},
  {Sit::connect_delay_open, Ev::route_refresh, idle, kDown, "IH+1"},
  {Sit::connect_delay_open, Ev::message_sent, connect, "", "DO+9"},
  // The same with SendNOTIFICATIONwithoutOPEN: the bad OPEN (2/2) and the
  // header error (1/2) are answered; a stop still is not (not an error).
  {Sit::connect_delay_open_notify, Ev::start, connect, "", "DO+9"},
  {Sit::connect_delay_open_notify, Ev::stop, idle, kDown, ""},
  {Sit::connect_delay_open_notify, Ev::stop_auto, idle, kDown, "IH+1"},
  {Sit::connect_delay_open_notify, Ev::tick, open_sent, "SendOpen", "H+240"},
  {Sit::connect_delay_open_notify, Ev::tick_late, open_sent, "SendOpen", "H+240"},
  {Sit::connect_delay_open_notify, Ev::tcp_connected, connect, "", "DO+9"},
  {Sit::connect_delay_open_notify, Ev::tcp_failed, active, kDown, "CR+1"},
  {Sit::connect_delay_open_notify, Ev::open, open_confirm, "SendOpen SendKeepalive", "H+90 K+30 SH+480"},
  {Sit::connect_delay_open_notify, Ev::open_bad, idle, "SendNotification(2/2) CloseConnection Down", "IH+1"},
  {Sit::connect_delay_open_notify, Ev::message_error, idle, kBadLength, "IH+1"},
  {Sit::connect_delay_open_notify, Ev::collision_dump, idle, kDown, "IH+1"},
  {Sit::connect_delay_open_notify, Ev::notification, idle, kDown, "IH+1"},
  {Sit::connect_delay_open_notify, Ev::notification_version, idle, kDown, "IH+1"},
  {Sit::connect_delay_open_notify, Ev::keepalive, idle, kDown, "IH+1"},
  {Sit::connect_delay_open_notify, Ev::update, idle, kDown, "IH+1"},
  {Sit::connect_delay_open_notify, Ev::route_refresh, idle, kDown, "IH+1"},
  {Sit::connect_delay_open_notify, Ev::message_sent, connect, "", "DO+9"},
  // Active (passive peer) with the peer's connection up and our OPEN
  // delayed: unlike plain Active, leaving closes that connection; a TCP
  // failure is counted (RFC 4271 8.2.2 Active, event 18: Idle).
  {Sit::active_delay_open, Ev::start, active, "", "DO+9"},
  {Sit::active_delay_open, Ev::stop, idle, kDown, ""},
  {Sit::active_delay_open, Ev::stop_auto, idle, kDown, "IH+1"},
  {Sit::active_delay_open, Ev::tick, open_sent, "SendOpen", "H+240"},
  {Sit::active_delay_open, Ev::tick_late, open_sent, "SendOpen", "H+240"},
  {Sit::active_delay_open, Ev::tcp_connected, active, "", "DO+9"},
  {Sit::active_delay_open, Ev::tcp_failed, idle, kDown, "IH+1"},
  {Sit::active_delay_open, Ev::open, open_confirm, "SendOpen SendKeepalive", "H+90 K+30 SH+480"},
  {Sit::active_delay_open, Ev::open_bad, idle, kDown, "IH+1"},
  {Sit::active_delay_open, Ev::message_error, idle, kDown, "IH+1"},
  {Sit::active_delay_open, Ev::collision_dump, idle, kDown, "IH+1"},
  {Sit::active_delay_open, Ev::notification, idle, kDown, "IH+1"},
  {Sit::active_delay_open, Ev::notification_version, idle, kDown, "IH+1"},
  {Sit::active_delay_open, Ev::keepalive, idle, kDown, "IH+1"},
  {Sit::active_delay_open, Ev::update, idle, kDown, "IH+1"},
  {Sit::active_delay_open, Ev::route_refresh, idle, kDown, "IH+1"},
  {Sit::active_delay_open, Ev::message_sent, active, "", "DO+9"},
  // Established with SendHoldTime 20 s (SendHoldTimer at 20, event at 1):
  // its expiry before anything was sent closes with NOTIFICATION 8/0 (RFC
  // 9687 4); a message sent restarts it; a late Tick finds the HoldTimer first.
  {Sit::established_send_hold, Ev::start, established, "", "H+89 K+29 SH+19"},
  {Sit::established_send_hold, Ev::stop, idle, kStop, ""},
  {Sit::established_send_hold, Ev::stop_auto, idle, kStopAuto, "IH+1"},
  {Sit::established_send_hold, Ev::tick, idle, "SendNotification(8/0) CloseConnection Down", "IH+1"},
  {Sit::established_send_hold, Ev::tick_late, idle, kHoldExpired, "IH+1"},
  {Sit::established_send_hold, Ev::tcp_connected, established, "", "H+89 K+29 SH+19"},
  {Sit::established_send_hold, Ev::tcp_failed, idle, kDown, "IH+1"},
  {Sit::established_send_hold, Ev::open, idle, "SendNotification(5/3) CloseConnection Down", "IH+1"},
  {Sit::established_send_hold, Ev::open_bad, idle, "SendNotification(5/3) CloseConnection Down", "IH+1"},
  {Sit::established_send_hold, Ev::message_error, idle, kBadLength, "IH+1"},
  {Sit::established_send_hold, Ev::collision_dump, idle, kCollision, "IH+1"},
  {Sit::established_send_hold, Ev::notification, idle, kDown, "IH+1"},
  {Sit::established_send_hold, Ev::notification_version, idle, kDown, "IH+1"},
  {Sit::established_send_hold, Ev::keepalive, established, "", "H+90 K+29 SH+19"},
  {Sit::established_send_hold, Ev::update, established, "", "H+90 K+29 SH+19"},
  {Sit::established_send_hold, Ev::route_refresh, established, "", "H+90 K+29 SH+19"},
  {Sit::established_send_hold, Ev::message_sent, established, "", "H+89 K+30 SH+20"},
  // OpenConfirm after one failure: failures answer with the back-off of the
  // second (IdleHold 2 s); the peer's version error counts none (1 s).
  {Sit::open_confirm_retry, Ev::start, open_confirm, "", "H+89 K+29 SH+479"},
  {Sit::open_confirm_retry, Ev::stop, idle, kStop, ""},
  {Sit::open_confirm_retry, Ev::stop_auto, idle, kStopAuto, "IH+2"},
  {Sit::open_confirm_retry, Ev::tick, open_confirm, "SendKeepalive", "H+60 K+30 SH+450"},
  {Sit::open_confirm_retry, Ev::tick_late, idle, kHoldExpired, "IH+2"},
  {Sit::open_confirm_retry, Ev::tcp_connected, open_confirm, "", "H+89 K+29 SH+479"},
  {Sit::open_confirm_retry, Ev::tcp_failed, idle, kDown, "IH+2"},
  {Sit::open_confirm_retry, Ev::open, idle, "SendNotification(5/2) CloseConnection Down", "IH+2"},
  {Sit::open_confirm_retry, Ev::open_bad, idle, "SendNotification(5/2) CloseConnection Down", "IH+2"},
  {Sit::open_confirm_retry, Ev::message_error, idle, kBadLength, "IH+2"},
  {Sit::open_confirm_retry, Ev::collision_dump, idle, kCollision, "IH+2"},
  {Sit::open_confirm_retry, Ev::notification, idle, kDown, "IH+2"},
  {Sit::open_confirm_retry, Ev::notification_version, idle, kDown, "IH+1"},
  {Sit::open_confirm_retry, Ev::keepalive, established, "Established", "H+90 K+29 SH+479"},
  {Sit::open_confirm_retry, Ev::update, idle, "SendNotification(5/2) CloseConnection Down", "IH+2"},
  {Sit::open_confirm_retry, Ev::route_refresh, idle, "SendNotification(5/2) CloseConnection Down", "IH+2"},
  {Sit::open_confirm_retry, Ev::message_sent, open_confirm, "", "H+89 K+30 SH+480"},
};
// clang-format on

const Situation& situation(Sit s) { return situations()[static_cast<std::size_t>(s)]; }

// Empty when the row holds, else what differs.
std::string mismatch(const Row& row) {
  const auto& sit = situation(row.from);
  auto m = reach(sit);
  if (!m.error.empty()) return std::string(sit.name) + ": " + m.error;
  auto [now, event] = make(row.event, m.state, sit.base_s);
  const auto actions = render(step(m.config, m.state, now, event));
  const auto timers = render_timers(m.state, now);
  std::string diff;
  if (m.state.state != row.to)
    diff += "state " + std::string(to_string(m.state.state)) +
            " != " + std::string(to_string(row.to)) + "; ";
  if (actions != row.actions) diff += "actions [" + actions + "] != [" + row.actions + "]; ";
  if (timers != row.timers) diff += "timers [" + timers + "] != [" + row.timers + "]";
  return diff;
}

TEST(FsmTable, CoversEverySituationAndEventPair) {
  ASSERT_EQ(situations().size(), situation_count);
  EXPECT_EQ(table.size(), situation_count * event_count);
  for (std::size_t i = 0; i < table.size(); ++i) {
    EXPECT_EQ(table[i].from, static_cast<Sit>(i / event_count)) << i;
    EXPECT_EQ(table[i].event, static_cast<Ev>(i % event_count)) << i;
  }
  // Every state is entered from at least two situations.
  std::array<int, state_count> per_state{};
  for (const auto& sit : situations()) ++per_state[static_cast<std::size_t>(sit.state)];
  for (std::size_t st = 0; st < state_count; ++st)
    EXPECT_GE(per_state[st], 2) << to_string(static_cast<State>(st));
}

TEST(FsmTable, EverySituationIsReached) {
  for (const auto& sit : situations()) EXPECT_EQ(reach(sit).error, "") << sit.name;
}

TEST(FsmTable, EveryRowHolds) {
  for (const auto& row : table)
    EXPECT_EQ(mismatch(row), "") << situation(row.from).name << " + " << name(row.event);
}

// The check is not vacuous: a wrong next state, action list or timer is caught.
TEST(FsmTable, WrongRowsAreCaught) {
  for (const auto& row : table) {
    const std::string where = std::string(situation(row.from).name) + " + " + name(row.event);
    Row wrong_state = row;
    wrong_state.to = row.to == State::idle ? State::established : State::idle;
    EXPECT_NE(mismatch(wrong_state), "") << where;
    Row wrong_actions = row;
    wrong_actions.actions += " SendKeepalive";
    EXPECT_NE(mismatch(wrong_actions), "") << where;
    Row wrong_timers = row;
    wrong_timers.timers = row.timers.empty() ? "IH+1" : "";
    EXPECT_NE(mismatch(wrong_timers), "") << where;
  }
}

}  // namespace
}  // namespace bgpsim::session
