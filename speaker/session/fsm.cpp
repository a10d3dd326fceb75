// The BGP FSM step function. One handler per state; each handles every event
// kind, so the (state, event) table in tests/session/fsm_table_test.cpp maps
// one to one onto these switches.
#include "speaker/session/fsm.hpp"

#include "speaker/session/graceful_restart.hpp"

#include <algorithm>
#include <utility>

namespace bgpsim::session {

namespace {

using std::chrono::seconds;

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

std::size_t index(Timer t) { return static_cast<std::size_t>(t); }

wire::Notification notification(wire::NotifyCode code, std::uint8_t subcode) {
  return {static_cast<std::uint8_t>(code), subcode, {}};
}

// splitmix64: a fixed hash, so jitter is a function of (seed, index).
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

bool is_version_error(const wire::Notification& n) {
  return n.code == static_cast<std::uint8_t>(wire::NotifyCode::open_message) &&
         n.subcode == wire::open_error::unsupported_version;
}

std::string received_reason(const wire::Notification& n) {
  std::string out = "NOTIFICATION received: " + std::string(wire::notify_code_name(n.code)) +
                    " / " + std::string(wire::notify_subcode_name(n.code, n.subcode));
  const bool shutdown = n.code == static_cast<std::uint8_t>(wire::NotifyCode::cease) &&
                        (n.subcode == wire::cease::administrative_shutdown ||
                         n.subcode == wire::cease::administrative_reset);
  if (!shutdown || n.data.empty()) return out;
  // RFC 9003 2: "If a Shutdown Communication with an invalid Length value,
  // or an invalid UTF-8 sequence is received, a message indicating this
  // event SHOULD be logged ... An erroneous or malformed Shutdown
  // Communication itself MUST NOT be logged verbatim."
  auto text = n.shutdown_communication();
  if (!text) return out + " (malformed Shutdown Communication, not shown)";
  if (text->empty()) return out;
  for (char& ch : *text)
    if (ch == '\r' || ch == '\n') ch = ' ';
  return out + ": \"" + *text + "\"";
}

namespace {

class Stepper {
 public:
  Stepper(const PeerConfig& c, FsmState& s, Time now) : c_(c), s_(s), now_(now) {}

  std::vector<Action> run(const Event& e) {
    if (std::holds_alternative<Tick>(e)) {
      tick();
    } else {
      switch (s_.state) {
        case State::idle:
          idle(e);
          break;
        case State::connect:
        case State::active:
          waiting(e);
          break;
        case State::open_sent:
          open_sent(e);
          break;
        case State::open_confirm:
          open_confirm(e);
          break;
        case State::established:
          established(e);
          break;
      }
    }
    return std::move(out_);
  }

 private:
  // --- timers ---------------------------------------------------------------
  void arm(Timer t, Time after) { s_.deadlines[index(t)] = now_ + after; }
  void disarm(Timer t) { s_.deadlines[index(t)].reset(); }
  void restart_hold() {
    if (s_.negotiated && s_.negotiated->hold_time_s > 0)
      arm(Timer::hold, seconds(s_.negotiated->hold_time_s));
  }
  void restart_keepalive() {
    if (s_.deadline(Timer::keepalive)) arm(Timer::keepalive, seconds(s_.negotiated->keepalive_s));
  }
  // RFC 9687: (re)started whenever the peer takes a message of ours.
  void restart_send_hold() {
    if (!s_.negotiated) return;
    const auto t = send_hold_time(c_, s_.negotiated->hold_time_s);
    if (t.count() > 0) arm(Timer::send_hold, t);
  }

  // Fires each expired deadline once, in an order where a firing that leaves
  // the state (hold) makes the later ones (keepalive) moot.
  void tick() {
    for (Timer t : {Timer::idle_hold, Timer::connect_retry, Timer::delay_open, Timer::hold,
                    Timer::send_hold, Timer::keepalive}) {
      const auto& d = s_.deadline(t);
      if (!d || *d > now_) continue;
      disarm(t);
      fire(t);
    }
  }

  void fire(Timer t) {
    switch (t) {
      case Timer::idle_hold:
        // 13 IdleHoldTimer_Expires -> 3 AutomaticStart.
        if (s_.state == State::idle && s_.started) start();
        break;
      case Timer::connect_retry:
        // RFC 4271 8.2.2 Connect, ConnectRetryTimer_Expires: "drops the TCP
        // connection, restarts the ConnectRetryTimer, stops the DelayOpenTimer
        // ..., initiates a TCP connection to the other BGP peer, continues to
        // listen for a connection ..., and stays in the Connect state."
        if (s_.state == State::connect) {
          out_.push_back(CloseConnection{});
          connect();
        }
        // RFC 4271 8.2.2 Active, ConnectRetryTimer_Expires: "restarts the
        // ConnectRetryTimer, initiates a TCP connection to the other BGP peer,
        // continues to listen for a TCP connection that may be initiated by a
        // remote BGP peer, and changes its state to Connect." (Passive peers
        // arm no ConnectRetryTimer: they stay in Active.)
        if (s_.state == State::active) connect();
        break;
      case Timer::delay_open:
        // RFC 4271 8.2.2 Connect/Active, DelayOpenTimer_Expires: "sends an
        // OPEN message to its peer, sets its HoldTimer to a large value, and
        // changes its state to OpenSent."
        if (s_.state == State::connect || s_.state == State::active) send_open();
        break;
      case Timer::send_hold:
        // RFC 9687 4, SendHoldTimer_Expires: "sends a NOTIFICATION message
        // with the Error Code Send Hold Timer Expired ... drops the TCP
        // connection ... changes its state to Idle". Our output is stuck, so
        // the connection is dropped at once (the NOTIFICATION cannot pass).
        if (s_.state == State::open_confirm || s_.state == State::established)
          fail("send hold timer expired",
               notification(wire::NotifyCode::send_hold_timer_expired, 0), std::nullopt, true);
        break;
      case Timer::hold:
        // RFC 4271 8.2.2 (OpenSent, OpenConfirm, Established), HoldTimer_Expires:
        // "sends a NOTIFICATION message with the error code Hold Timer Expired".
        if (s_.connection_open())
          fail("hold timer expired", notification(wire::NotifyCode::hold_timer_expired, 0));
        break;
      case Timer::keepalive:
        // RFC 4271 8.2.2 OpenConfirm/Established, KeepaliveTimer_Expires:
        // "sends a KEEPALIVE message, and restarts the KeepaliveTimer".
        if (s_.state == State::open_confirm || s_.state == State::established) {
          out_.push_back(SendKeepalive{});
          arm(Timer::keepalive, seconds(s_.negotiated->keepalive_s));
        }
        break;
    }
  }

  // --- transitions ----------------------------------------------------------
  void connect() {
    out_.push_back(Connect{});
    arm(Timer::connect_retry, seconds(c_.connect_retry_s));
    s_.last_connect_at = now_;
    s_.state = State::connect;
  }

  // Idle -> Connect (or Active for passive peers), unless the last Connect was
  // too recent: then the IdleHoldTimer waits out the rest (no busy loop).
  void start() {
    disarm(Timer::idle_hold);
    if (c_.passive) {
      s_.state = State::active;
      return;
    }
    const Time earliest =
        s_.last_connect_at ? *s_.last_connect_at + min_reconnect_interval(c_) : now_;
    if (now_ < earliest) {
      s_.deadlines[index(Timer::idle_hold)] = earliest;
      return;
    }
    connect();
  }

  // Leaves for Idle: NOTIFICATION first if a BGP connection is open, then drop it.
  void to_idle(std::string reason, std::optional<wire::Notification> sent,
               std::optional<wire::Notification> received, bool abort = false) {
    const State from = s_.state;
    const bool delayed = s_.open_delayed();
    // RFC 4271 8.2.2 Connect/Active, BGPHeaderErr/BGPOpenMsgErr: "If the
    // SendNOTIFICATIONwithoutOPEN attribute is set to TRUE, then the local
    // system first sends a NOTIFICATION message" (callers pass one only then).
    if (!s_.connection_open() && !delayed) sent.reset();
    // RFC 8538 5.1: with the N bit exchanged, a Cease that ends the session
    // for good goes out as Hard Reset, so the peer does not keep our routes.
    const bool n_bit = s_.negotiated && s_.negotiated->graceful_restart &&
                       s_.negotiated->graceful_restart->notification && c_.graceful_restart &&
                       c_.graceful_restart->notification;
    if (sent && n_bit && requires_hard_reset(*sent)) sent = hard_reset(*sent);
    if (sent) out_.push_back(SendNotification{*sent});
    std::optional<wire::cap::GracefulRestart> graceful;
    std::optional<wire::cap::LongLivedGracefulRestart> long_lived;
    if (from == State::established && s_.negotiated &&
        retains_routes(s_.negotiated->graceful_restart, n_bit, sent, received)) {
      graceful = s_.negotiated->graceful_restart;
      long_lived = s_.negotiated->long_lived_graceful_restart;
    }
    if (from != State::active || delayed) out_.push_back(CloseConnection{abort});
    s_.deadlines = {};
    s_.open_sent.reset();
    s_.negotiated.reset();
    s_.established_at.reset();
    s_.state = State::idle;
    out_.push_back(Down{from, std::move(reason), std::move(sent), std::move(received),
                        std::move(graceful), std::move(long_lived)});
  }

  // RFC 4271 8.2.2: a TCP connection that fails before the BGP connection
  // is up -- in OpenSent, or in Connect (the connection with our OPEN
  // delayed, or our own attempt) -- "restarts the ConnectRetryTimer,
  // continues to listen for a connection that may be initiated by the remote
  // BGP peer, and changes its state to Active". Active accepts the peer's
  // connection at once. The timer's value "is a local matter" (RFC 4271 10):
  // the back-off delay of the consecutive failed attempts, at most the
  // ConnectRetryTime -- a peer that was briefly away (in its own Idle
  // back-off after a reset) is tried again soon, a dead one ever more slowly.
  void to_active(std::string reason) {
    const State from = s_.state;
    out_.push_back(CloseConnection{});
    s_.deadlines = {};
    s_.open_sent.reset();
    s_.state = State::active;
    s_.failures += 1;
    s_.backoffs += 1;
    if (!c_.passive)
      arm(Timer::connect_retry,
          std::min<Time>(seconds(c_.connect_retry_s), backoff_delay(c_, s_.failures, s_.backoffs)));
    Down down;
    down.from = from;
    down.to = State::active;
    down.reason = std::move(reason);
    out_.push_back(std::move(down));
  }

  // Any failure: Idle, then AutomaticStart after the back-off (RFC 4271:
  // "increments the ConnectRetryCounter by 1, (optionally) performs peer
  // oscillation damping ..., and changes its state to Idle").
  void fail(std::string reason, std::optional<wire::Notification> sent = std::nullopt,
            std::optional<wire::Notification> received = std::nullopt, bool abort = false) {
    if (s_.established_at && now_ - *s_.established_at >= seconds(c_.backoff_reset_s))
      s_.failures = 0;  // the session was healthy for a while: start afresh
    to_idle(std::move(reason), std::move(sent), std::move(received), abort);
    s_.failures += 1;
    s_.backoffs += 1;
    arm(Timer::idle_hold, backoff_delay(c_, s_.failures, s_.backoffs));
  }

  void stop(const Stop& e) {
    auto sent = e.notification.value_or(
        notification(wire::NotifyCode::cease, wire::cease::administrative_shutdown));
    // Before our OPEN went out no NOTIFICATION does (RFC 4271 8.2.2 Connect,
    // ManualStop / AutomaticStop: "drops the TCP connection"); only header
    // and OPEN errors may have one (SendNOTIFICATIONwithoutOPEN).
    // RFC 4271 8.2.2 Active, ManualStop: "If the DelayOpenTimer is running
    // and the SendNOTIFICATIONwithoutOPEN session attribute is set, the local
    // system sends a NOTIFICATION with a Cease" (Connect's ManualStop and
    // any AutomaticStop before our OPEN only drop the connection).
    const bool cease_without_open =
        !e.automatic && s_.state == State::active && c_.send_notification_without_open;
    std::optional<wire::Notification> maybe_sent = std::move(sent);
    if (s_.open_delayed() && !cease_without_open) maybe_sent.reset();
    if (e.automatic) {
      // 8 AutomaticStop: Cease NOTIFICATION, then reconnect after the back-off.
      fail("stopped", std::move(maybe_sent));
      return;
    }
    // 2 ManualStop: "sets the ConnectRetryCounter to zero ... changes its state to Idle".
    to_idle("stopped by operator", std::move(maybe_sent), std::nullopt);
    s_.started = false;
    s_.failures = 0;
  }

  // RFC 4271 8.2.2 OpenSent and OpenConfirm: NotifMsgVerErr (event 24) and
  // NotifMsg (25); Established treats both as NotifMsg.
  void notification_before_up(const wire::Notification& n) {
    if (is_version_error(n))
      version_error(n);
    else
      fail(received_reason(n), std::nullopt, n);
  }

  // Event 24, NotifMsgVerErr (OpenSent, OpenConfirm, and Connect/Active with
  // the DelayOpenTimer running): "sets the ConnectRetryTimer to zero, releases
  // all BGP resources, drops the TCP connection, and changes its state to
  // Idle" -- unlike event 25, without incrementing the ConnectRetryCounter:
  // the peer only said which version it speaks (RFC 4271 7). Idle still arms
  // the IdleHoldTimer (else the peer would never come back), with the
  // back-off of the failures so far: the back-off does not grow.
  void version_error(const wire::Notification& n) {
    to_idle(received_reason(n), std::nullopt, n);
    s_.backoffs += 1;
    arm(Timer::idle_hold, backoff_delay(c_, std::max<std::uint32_t>(1, s_.failures), s_.backoffs));
  }

  // RFC 6608: a message "that is not expected in this state" -> FSM Error.
  void unexpected(std::string_view what, std::uint8_t subcode) {
    fail("unexpected " + std::string(what) + " in " + std::string(to_string(s_.state)),
         notification(wire::NotifyCode::fsm, subcode));
  }

  void accept_connection() {
    if (s_.open_delayed()) return;  // one connection per FSM: the driver handles a second
    // RFC 4271 8.2.2 Connect/Active, Tcp_CR_Acked or TcpConnectionConfirmed:
    // "If the DelayOpen attribute is set to TRUE, the local system: stops the
    // ConnectRetryTimer ..., sets the DelayOpenTimer to the initial value, and
    // stays in the Connect state."
    if (c_.delay_open_s > 0) {
      disarm(Timer::connect_retry);
      arm(Timer::delay_open, seconds(c_.delay_open_s));
      return;
    }
    // "If the DelayOpen attribute is set to FALSE, the local system: stops the
    // ConnectRetryTimer ..., completes BGP initialization, sends an OPEN
    // message to its peer, sets its HoldTimer to a large value, and changes
    // its state to OpenSent."
    send_open();
  }

  void send_open() {
    disarm(Timer::connect_retry);
    disarm(Timer::delay_open);
    s_.open_sent = make_open(c_);
    out_.push_back(SendOpen{*s_.open_sent});
    arm(Timer::hold, open_sent_hold_time);
    s_.state = State::open_sent;
  }

  // RFC 4271 8.2.2 Connect/Active, BGPOpen with the DelayOpenTimer running
  // (event 20): "completes the BGP initialization, stops and clears the
  // DelayOpenTimer ..., sends an OPEN message, sends a KEEPALIVE message, ...
  // and changes its state to OpenConfirm." An OPEN that fails the checks is
  // event 22 (BGPOpenMsgErr).
  void delayed_open_received(const wire::Open& open) {
    const auto ours = make_open(c_);
    auto result = negotiate(c_, ours, open);
    if (!result) {
      message_error_before_open(result.error());
      return;
    }
    send_open();
    accept_open(std::move(*result));
  }

  // Events 21/22 (header and OPEN errors) before our OPEN went out:
  // NOTIFICATION only with SendNOTIFICATIONwithoutOPEN; other errors (28)
  // are "any other event": drop the connection silently.
  void message_error_before_open(const wire::DecodeError& error) {
    const bool header_or_open =
        error.code == static_cast<std::uint8_t>(wire::NotifyCode::message_header) ||
        error.code == static_cast<std::uint8_t>(wire::NotifyCode::open_message);
    std::optional<wire::Notification> sent;
    if (s_.open_delayed() && c_.send_notification_without_open && header_or_open)
      sent = wire::to_notification(error);
    fail(error.reason.empty() ? "message error" : error.reason, std::move(sent));
  }

  // --- per state --------------------------------------------------------------
  void idle(const Event& e) {
    std::visit(Overloaded{
                   [&](const Start&) {
                     // A Start while a back-off is pending lets the back-off finish.
                     const bool waiting = s_.started && s_.deadline(Timer::idle_hold);
                     s_.started = true;
                     if (!waiting) start();
                   },
                   [&](const Stop& stop_event) {
                     if (stop_event.automatic) return;
                     s_.started = false;
                     s_.failures = 0;
                     disarm(Timer::idle_hold);
                   },
                   // RFC 4271 8.2.2 Idle: "the BGP FSM ... refuses all
                   // incoming BGP connections for this peer."
                   [&](const TcpConnected&) { out_.push_back(CloseConnection{}); },
                   // "Any other event ... received in the Idle state does not
                   // cause change in the state of the local system."
                   [&](const auto&) {},
               },
               e);
  }

  // Connect (active peer, connecting) and Active (passive peer, listening).
  void waiting(const Event& e) {
    std::visit(Overloaded{
                   [&](const Start&) {},
                   [&](const Stop& stop_event) { stop(stop_event); },
                   [&](const TcpConnected&) { accept_connection(); },
                   // RFC 4271 8.2.2 Connect, TcpConnectionFails: Active (see
                   // to_active; fsm.hpp says why without DelayOpen too).
                   // Active, TcpConnectionFails (the peer's connection, our
                   // OPEN delayed): "increments the ConnectRetryCounter ...
                   // changes its state to Idle".
                   [&](const TcpFailed&) {
                     if (s_.state == State::connect)
                       to_active("TCP connection failed");
                     else
                       fail("TCP connection failed");
                   },
                   [&](const OpenReceived& o) {
                     if (s_.open_delayed())
                       delayed_open_received(o.open);
                     else
                       fail("unexpected OPEN in " + std::string(to_string(s_.state)));
                   },
                   [&](const MessageError& m) { message_error_before_open(m.error); },
                   // RFC 4271 8.2.2 Connect/Active, NotifMsgVerErr: without
                   // the ConnectRetryCounter "If the DelayOpenTimer is
                   // running", as any NOTIFICATION otherwise.
                   [&](const NotificationReceived& n) {
                     if (s_.open_delayed() && is_version_error(n.notification))
                       version_error(n.notification);
                     else
                       fail(received_reason(n.notification), std::nullopt, n.notification);
                   },
                   [&](const MessageSent&) {},
                   // RFC 4271 8.2.2 Connect/Active: "In response to any other
                   // event ..., the local system: ... drops the TCP connection,
                   // ... changes its state to Idle." No OPEN was sent, so no
                   // NOTIFICATION either.
                   [&](const auto& other) {
                     fail("unexpected " + std::string(event_name(Event(other))) + " in " +
                          std::string(to_string(s_.state)));
                   },
               },
               e);
  }

  // RFC 4271 8.2.2 (OpenSent, OpenConfirm, Established), OpenCollisionDump:
  // "sends a NOTIFICATION with a Cease, ... drops the TCP connection,
  // increments the ConnectRetryCounter by 1, ... and changes its state to
  // Idle." The Cease subcode is Connection Collision Resolution (RFC 4486 3).
  void collision_dump() { fail("connection collision", collision_notification()); }

  void on_error(const wire::DecodeError& error) {
    fail(error.reason.empty() ? "message error" : error.reason, wire::to_notification(error));
  }

  void open_sent(const Event& e) {
    std::visit(Overloaded{
                   [&](const Start&) {}, [&](const Stop& stop_event) { stop(stop_event); },
                   // RFC 4271 8.2.2 OpenSent: a second connection is the driver's
                   // collision tracking (6.8); TcpConnectionFails "closes the BGP
                   // connection, restarts the ConnectRetryTimer, continues to listen
                   // ..., and changes its state to Active".
                   [&](const TcpConnected&) {},
                   [&](const TcpFailed&) { to_active("TCP connection closed"); },
                   [&](const OpenReceived& o) { open_received(o.open); },
                   [&](const MessageError& m) { on_error(m.error); },
                   [&](const OpenCollisionDump&) { collision_dump(); },
                   [&](const NotificationReceived& n) { notification_before_up(n.notification); },
                   [&](const KeepaliveReceived&) {
                     unexpected("KEEPALIVE", wire::fsm_error::unexpected_in_opensent);
                   },
                   [&](const UpdateReceived&) {
                     unexpected("UPDATE", wire::fsm_error::unexpected_in_opensent);
                   },
                   [&](const RouteRefreshReceived&) {
                     unexpected("ROUTE-REFRESH", wire::fsm_error::unexpected_in_opensent);
                   },
                   [&](const auto&) {},  // MessageSent (Tick is handled before)
               },
               e);
  }

  void open_received(const wire::Open& open) {
    auto result = negotiate(c_, *s_.open_sent, open);
    if (!result) {
      on_error(result.error());
      return;
    }
    // RFC 4271 8.2.2 OpenSent, BGPOpen: "sets the BGP ConnectRetryTimer to
    // zero, sends a KEEPALIVE message, and sets a KeepaliveTimer ..., sets the
    // HoldTimer according to the negotiated value ..., changes its state to
    // OpenConfirm." "If the negotiated hold time value is zero, then the
    // HoldTimer and KeepaliveTimer are not started."
    accept_open(std::move(*result));
  }

  void accept_open(Negotiated negotiated) {
    s_.negotiated = std::move(negotiated);
    out_.push_back(SendKeepalive{});
    disarm(Timer::hold);
    restart_hold();
    if (s_.negotiated->keepalive_s > 0) arm(Timer::keepalive, seconds(s_.negotiated->keepalive_s));
    restart_send_hold();
    s_.state = State::open_confirm;
  }

  void open_confirm(const Event& e) {
    std::visit(Overloaded{
                   [&](const Start&) {},
                   [&](const Stop& stop_event) { stop(stop_event); },
                   [&](const TcpConnected&) {},
                   [&](const TcpFailed&) { fail("TCP connection closed"); },
                   [&](const OpenReceived&) {
                     unexpected("OPEN", wire::fsm_error::unexpected_in_openconfirm);
                   },
                   [&](const MessageError& m) { on_error(m.error); },
                   [&](const OpenCollisionDump&) { collision_dump(); },
                   [&](const NotificationReceived& n) { notification_before_up(n.notification); },
                   [&](const KeepaliveReceived&) {
                     // RFC 4271 8.2.2 OpenConfirm, KeepAliveMsg: "restarts the
                     // HoldTimer and changes its state to Established."
                     restart_hold();
                     s_.state = State::established;
                     s_.established_at = now_;
                     out_.push_back(Established{*s_.negotiated});
                   },
                   [&](const UpdateReceived&) {
                     unexpected("UPDATE", wire::fsm_error::unexpected_in_openconfirm);
                   },
                   [&](const RouteRefreshReceived&) {
                     unexpected("ROUTE-REFRESH", wire::fsm_error::unexpected_in_openconfirm);
                   },
                   [&](const MessageSent&) {
                     restart_keepalive();
                     restart_send_hold();
                   },
                   [&](const Tick&) {},
               },
               e);
  }

  void established(const Event& e) {
    std::visit(Overloaded{
                   [&](const Start&) {},
                   [&](const Stop& stop_event) { stop(stop_event); },
                   // RFC 4271 6.8: "a connection collision with an existing BGP
                   // connection that is in the Established state causes closing
                   // of the newly created connection" (the reactor's job).
                   [&](const TcpConnected&) {},
                   [&](const TcpFailed&) { fail("TCP connection closed"); },
                   [&](const OpenReceived&) {
                     unexpected("OPEN", wire::fsm_error::unexpected_in_established);
                   },
                   [&](const MessageError& m) { on_error(m.error); },
                   [&](const OpenCollisionDump&) { collision_dump(); },
                   [&](const NotificationReceived& n) {
                     fail(received_reason(n.notification), std::nullopt, n.notification);
                   },
                   // RFC 4271 8.2.2 Established, KeepAliveMsg / UpdateMsg:
                   // "restarts its HoldTimer, if the negotiated HoldTime value is non-zero".
                   [&](const KeepaliveReceived&) { restart_hold(); },
                   [&](const UpdateReceived&) { restart_hold(); },
                   [&](const RouteRefreshReceived&) { restart_hold(); },
                   [&](const MessageSent&) {
                     restart_keepalive();
                     restart_send_hold();
                   },
                   [&](const Tick&) {},
               },
               e);
  }

  const PeerConfig& c_;
  FsmState& s_;
  Time now_;
  std::vector<Action> out_;
};

}  // namespace

std::string_view to_string(State s) {
  switch (s) {
    case State::idle:
      return "Idle";
    case State::connect:
      return "Connect";
    case State::active:
      return "Active";
    case State::open_sent:
      return "OpenSent";
    case State::open_confirm:
      return "OpenConfirm";
    case State::established:
      return "Established";
  }
  return "?";
}

std::string_view to_string(Timer t) {
  switch (t) {
    case Timer::connect_retry:
      return "ConnectRetryTimer";
    case Timer::hold:
      return "HoldTimer";
    case Timer::keepalive:
      return "KeepaliveTimer";
    case Timer::idle_hold:
      return "IdleHoldTimer";
    case Timer::delay_open:
      return "DelayOpenTimer";
    case Timer::send_hold:
      return "SendHoldTimer";
  }
  return "?";
}

std::string_view event_name(const Event& e) {
  return std::visit(Overloaded{
                        [](const Start&) { return "Start"; },
                        [](const Stop&) { return "Stop"; },
                        [](const Tick&) { return "Tick"; },
                        [](const TcpConnected&) { return "TcpConnected"; },
                        [](const TcpFailed&) { return "TcpFailed"; },
                        [](const OpenReceived&) { return "OPEN"; },
                        [](const MessageError&) { return "MessageError"; },
                        [](const OpenCollisionDump&) { return "OpenCollisionDump"; },
                        [](const NotificationReceived&) { return "NOTIFICATION"; },
                        [](const KeepaliveReceived&) { return "KEEPALIVE"; },
                        [](const UpdateReceived&) { return "UPDATE"; },
                        [](const RouteRefreshReceived&) { return "ROUTE-REFRESH"; },
                        [](const MessageSent&) { return "MessageSent"; },
                    },
                    e);
}

std::string_view action_name(const Action& a) {
  return std::visit(Overloaded{
                        [](const Connect&) { return "Connect"; },
                        [](const CloseConnection&) { return "CloseConnection"; },
                        [](const SendOpen&) { return "SendOpen"; },
                        [](const SendKeepalive&) { return "SendKeepalive"; },
                        [](const SendNotification&) { return "SendNotification"; },
                        [](const Established&) { return "Established"; },
                        [](const Down&) { return "Down"; },
                    },
                    a);
}

std::vector<Action> step(const PeerConfig& config, FsmState& state, Time now, const Event& event) {
  return Stepper(config, state, now).run(event);
}

std::optional<Time> next_deadline(const FsmState& state) {
  std::optional<Time> next;
  for (const auto& d : state.deadlines)
    if (d && (!next || *d < *next)) next = d;
  return next;
}

Time backoff_delay(const PeerConfig& config, std::uint32_t failures, std::uint64_t index) {
  // Doubles from min to max: min * 2^(failures - 1), computed without overflow.
  std::uint64_t delay_s = std::max<std::uint32_t>(config.backoff_min_s, 1);
  for (std::uint32_t i = 1; i < failures && delay_s < config.backoff_max_s; ++i) delay_s *= 2;
  delay_s = std::min<std::uint64_t>(delay_s, std::max(config.backoff_max_s, config.backoff_min_s));
  const auto base = std::chrono::duration_cast<Time>(seconds(delay_s)).count();
  // Jitter in [0, percent]% of the delay in steps of 1/1000 (config_error keeps
  // delays under a day, so base * 100 * 1000 fits in 64 bits).
  const auto permille = static_cast<std::int64_t>(mix(config.backoff_seed ^ mix(index)) % 1001);
  const auto percent = static_cast<std::int64_t>(std::min(config.backoff_jitter_percent, 100u));
  return Time(base + base * percent * permille / 100000);
}

std::chrono::seconds send_hold_time(const PeerConfig& config, std::uint16_t negotiated_hold_s) {
  if (negotiated_hold_s == 0) return seconds(0);
  if (config.send_hold_time_s > 0) return seconds(config.send_hold_time_s);
  return std::max(send_hold_time_min, seconds(2 * std::uint32_t{negotiated_hold_s}));
}

Time min_reconnect_interval(const PeerConfig& config) {
  return seconds(std::min<std::uint32_t>(config.connect_retry_s, config.backoff_min_s));
}

Initiator collision_winner(std::uint32_t local_router_id, std::uint32_t remote_router_id,
                           std::uint32_t local_as, std::uint32_t remote_as) {
  if (local_router_id != remote_router_id)
    return local_router_id > remote_router_id ? Initiator::local : Initiator::remote;
  return local_as > remote_as ? Initiator::local : Initiator::remote;
}

wire::Notification collision_notification() {
  return notification(wire::NotifyCode::cease, wire::cease::connection_collision_resolution);
}

wire::Notification max_prefixes_notification(const PrefixLimit& limit) {
  wire::Notification n = notification(wire::NotifyCode::cease, wire::cease::max_prefixes);
  n.data = {static_cast<std::uint8_t>(limit.family.afi >> 8),
            static_cast<std::uint8_t>(limit.family.afi),
            static_cast<std::uint8_t>(limit.family.safi),
            static_cast<std::uint8_t>(limit.limit >> 24),
            static_cast<std::uint8_t>(limit.limit >> 16),
            static_cast<std::uint8_t>(limit.limit >> 8),
            static_cast<std::uint8_t>(limit.limit)};
  return n;
}

std::optional<PrefixLimit> exceeded_limit(const std::vector<PrefixLimit>& limits,
                                          wire::Family family, std::size_t routes) {
  for (const auto& l : limits)
    if (l.family == family && routes > l.limit) return l;
  return std::nullopt;
}

}  // namespace bgpsim::session
