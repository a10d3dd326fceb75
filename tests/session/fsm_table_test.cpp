// Every (state, event kind) pair of the FSM with its expected next state and
// actions. Notification codes: 1/2 Bad Message Length, 2/2 Bad Peer AS,
// 4/0 Hold Timer Expired, 5/n FSM Error (RFC 6608), 6/1 Cease Max Prefixes,
// 6/2 Cease Administrative Shutdown.
#include <gtest/gtest.h>

#include "fsm_helpers.hpp"

namespace bgpsim::session {
namespace {

using namespace fsm_test;

enum class Ev {
  start,
  stop,
  stop_auto,
  tick,       // at the earliest deadline
  tick_late,  // at 1000 s: every timer armed on entry has expired
  tcp_connected,
  tcp_failed,
  open,
  open_bad,  // wrong peer AS
  message_error,
  notification,
  keepalive,
  update,
  route_refresh,
  message_sent,
};

const char* name(Ev e) {
  static const char* names[] = {"Start",        "Stop",          "Stop(automatic)", "Tick",
                                "Tick(late)",   "TcpConnected",  "TcpFailed",       "OPEN",
                                "OPEN(bad AS)", "MessageError",  "NOTIFICATION",    "KEEPALIVE",
                                "UPDATE",       "ROUTE-REFRESH", "MessageSent"};
  return names[static_cast<int>(e)];
}

struct Machine {
  PeerConfig config;
  FsmState state;
};

// Drives a fresh FSM into `target` at time 0 (Active is the passive peer's state).
Machine reach(State target) {
  Machine m{test_config(target == State::active), {}};
  auto go = [&](const Event& e) { step(m.config, m.state, Time{}, e); };
  if (target == State::idle) return m;
  go(Start{});
  if (target == State::connect || target == State::active) return m;
  go(TcpConnected{});
  if (target == State::open_sent) return m;
  go(OpenReceived{peer_open()});
  if (target == State::open_confirm) return m;
  go(KeepaliveReceived{});
  return m;
}

std::pair<Time, Event> make(Ev e, const FsmState& state) {
  const Time soon = s(1);
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
    case Ev::notification:
      return {soon, NotificationReceived{wire::Notification{6, 2, {}}}};
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

struct Row {
  State from;
  Ev event;
  State to;
  std::string actions;
};

using enum State;
const char* const kDown = "CloseConnection Down";

// clang-format off
const std::vector<Row> table = {
  // Idle (not started): refuses connections, ignores the rest.
  {idle, Ev::start, connect, "Connect"},
  {idle, Ev::stop, idle, ""},
  {idle, Ev::stop_auto, idle, ""},
  {idle, Ev::tick, idle, ""},
  {idle, Ev::tick_late, idle, ""},
  {idle, Ev::tcp_connected, idle, "CloseConnection"},
  {idle, Ev::tcp_failed, idle, ""},
  {idle, Ev::open, idle, ""},
  {idle, Ev::open_bad, idle, ""},
  {idle, Ev::message_error, idle, ""},
  {idle, Ev::notification, idle, ""},
  {idle, Ev::keepalive, idle, ""},
  {idle, Ev::update, idle, ""},
  {idle, Ev::route_refresh, idle, ""},
  {idle, Ev::message_sent, idle, ""},
  // Connect: connecting; no OPEN sent yet, so no NOTIFICATION either.
  {connect, Ev::start, connect, ""},
  {connect, Ev::stop, idle, kDown},
  {connect, Ev::stop_auto, idle, kDown},
  {connect, Ev::tick, connect, "CloseConnection Connect"},
  {connect, Ev::tick_late, connect, "CloseConnection Connect"},
  {connect, Ev::tcp_connected, open_sent, "SendOpen"},
  {connect, Ev::tcp_failed, idle, kDown},
  {connect, Ev::open, idle, kDown},
  {connect, Ev::open_bad, idle, kDown},
  {connect, Ev::message_error, idle, kDown},
  {connect, Ev::notification, idle, kDown},
  {connect, Ev::keepalive, idle, kDown},
  {connect, Ev::update, idle, kDown},
  {connect, Ev::route_refresh, idle, kDown},
  {connect, Ev::message_sent, connect, ""},
  // Active (passive peer): listening, no timer, nothing to close.
  {active, Ev::start, active, ""},
  {active, Ev::stop, idle, "Down"},
  {active, Ev::stop_auto, idle, "Down"},
  {active, Ev::tick, active, ""},
  {active, Ev::tick_late, active, ""},
  {active, Ev::tcp_connected, open_sent, "SendOpen"},
  {active, Ev::tcp_failed, idle, "Down"},
  {active, Ev::open, idle, "Down"},
  {active, Ev::open_bad, idle, "Down"},
  {active, Ev::message_error, idle, "Down"},
  {active, Ev::notification, idle, "Down"},
  {active, Ev::keepalive, idle, "Down"},
  {active, Ev::update, idle, "Down"},
  {active, Ev::route_refresh, idle, "Down"},
  {active, Ev::message_sent, active, ""},
  // OpenSent: waiting for the peer's OPEN under the 4-minute hold timer.
  {open_sent, Ev::start, open_sent, ""},
  {open_sent, Ev::stop, idle, "SendNotification(6/2) CloseConnection Down"},
  {open_sent, Ev::stop_auto, idle, "SendNotification(6/1) CloseConnection Down"},
  {open_sent, Ev::tick, idle, "SendNotification(4/0) CloseConnection Down"},
  {open_sent, Ev::tick_late, idle, "SendNotification(4/0) CloseConnection Down"},
  {open_sent, Ev::tcp_connected, open_sent, ""},
  {open_sent, Ev::tcp_failed, idle, kDown},
  {open_sent, Ev::open, open_confirm, "SendKeepalive"},
  {open_sent, Ev::open_bad, idle, "SendNotification(2/2) CloseConnection Down"},
  {open_sent, Ev::message_error, idle, "SendNotification(1/2) CloseConnection Down"},
  {open_sent, Ev::notification, idle, kDown},
  {open_sent, Ev::keepalive, idle, "SendNotification(5/1) CloseConnection Down"},
  {open_sent, Ev::update, idle, "SendNotification(5/1) CloseConnection Down"},
  {open_sent, Ev::route_refresh, idle, "SendNotification(5/1) CloseConnection Down"},
  {open_sent, Ev::message_sent, open_sent, ""},
  // OpenConfirm: our KEEPALIVE sent, waiting for theirs.
  {open_confirm, Ev::start, open_confirm, ""},
  {open_confirm, Ev::stop, idle, "SendNotification(6/2) CloseConnection Down"},
  {open_confirm, Ev::stop_auto, idle, "SendNotification(6/1) CloseConnection Down"},
  {open_confirm, Ev::tick, open_confirm, "SendKeepalive"},
  {open_confirm, Ev::tick_late, idle, "SendNotification(4/0) CloseConnection Down"},
  {open_confirm, Ev::tcp_connected, open_confirm, ""},
  {open_confirm, Ev::tcp_failed, idle, kDown},
  {open_confirm, Ev::open, idle, "SendNotification(5/2) CloseConnection Down"},
  {open_confirm, Ev::open_bad, idle, "SendNotification(5/2) CloseConnection Down"},
  {open_confirm, Ev::message_error, idle, "SendNotification(1/2) CloseConnection Down"},
  {open_confirm, Ev::notification, idle, kDown},
  {open_confirm, Ev::keepalive, established, "Established"},
  {open_confirm, Ev::update, idle, "SendNotification(5/2) CloseConnection Down"},
  {open_confirm, Ev::route_refresh, idle, "SendNotification(5/2) CloseConnection Down"},
  {open_confirm, Ev::message_sent, open_confirm, ""},
  // Established.
  {established, Ev::start, established, ""},
  {established, Ev::stop, idle, "SendNotification(6/2) CloseConnection Down"},
  {established, Ev::stop_auto, idle, "SendNotification(6/1) CloseConnection Down"},
  {established, Ev::tick, established, "SendKeepalive"},
  {established, Ev::tick_late, idle, "SendNotification(4/0) CloseConnection Down"},
  {established, Ev::tcp_connected, established, ""},
  {established, Ev::tcp_failed, idle, kDown},
  {established, Ev::open, idle, "SendNotification(5/3) CloseConnection Down"},
  {established, Ev::open_bad, idle, "SendNotification(5/3) CloseConnection Down"},
  {established, Ev::message_error, idle, "SendNotification(1/2) CloseConnection Down"},
  {established, Ev::notification, idle, kDown},
  {established, Ev::keepalive, established, ""},
  {established, Ev::update, established, ""},
  {established, Ev::route_refresh, established, ""},
  {established, Ev::message_sent, established, ""},
};
// clang-format on

// Empty when the row holds, else what differs.
std::string mismatch(const Row& row) {
  auto m = reach(row.from);
  if (m.state.state != row.from) return "could not reach " + std::string(to_string(row.from));
  auto [now, event] = make(row.event, m.state);
  const auto actions = render(step(m.config, m.state, now, event));
  std::string diff;
  if (m.state.state != row.to)
    diff += "state " + std::string(to_string(m.state.state)) +
            " != " + std::string(to_string(row.to)) + "; ";
  if (actions != row.actions) diff += "actions [" + actions + "] != [" + row.actions + "]";
  return diff;
}

TEST(FsmTable, CoversEveryStateAndEventPair) {
  EXPECT_EQ(table.size(), state_count * (static_cast<std::size_t>(Ev::message_sent) + 1));
  for (std::size_t i = 0; i < table.size(); ++i) {
    const auto expected_state = static_cast<State>(i / (static_cast<int>(Ev::message_sent) + 1));
    const auto expected_event = static_cast<Ev>(i % (static_cast<int>(Ev::message_sent) + 1));
    EXPECT_EQ(table[i].from, expected_state) << i;
    EXPECT_EQ(table[i].event, expected_event) << i;
  }
}

TEST(FsmTable, EveryRowHolds) {
  for (const auto& row : table)
    EXPECT_EQ(mismatch(row), "") << to_string(row.from) << " + " << name(row.event);
}

// The check is not vacuous: a wrong next state or a wrong action list is caught.
TEST(FsmTable, WrongRowsAreCaught) {
  for (const auto& row : table) {
    Row wrong_state = row;
    wrong_state.to = row.to == State::idle ? State::established : State::idle;
    EXPECT_NE(mismatch(wrong_state), "") << to_string(row.from) << " + " << name(row.event);
    Row wrong_actions = row;
    wrong_actions.actions += " SendKeepalive";
    EXPECT_NE(mismatch(wrong_actions), "") << to_string(row.from) << " + " << name(row.event);
  }
}

}  // namespace
}  // namespace bgpsim::session
