// RapidCheck stateful test: random event sequences drive the FSM the way the
// session coroutines do (Tick at each deadline as time passes, then the
// event), against a model written from the RFC 4271 tables: state, armed
// timers and their deadlines, failure count. After every step the FSM must
// match the model and keep its invariants:
//  - no deadline at or before `now`;
//  - Idle holds no connection; OpenSent..Established hold one;
//  - Connect and Active listen: a connection that fails before the BGP
//    connection is up leads to Active, never to Idle, so an inbound
//    connection is never refused then;
//  - Established only after OPEN and KEEPALIVE went both ways on this connection;
//  - leaving a BGP connection because of an error or a stop sends a
//    NOTIFICATION before closing; nothing else sends one unasked;
//  - Down exactly when a non-Idle state returns to Idle, or a connection
//    (attempt) fails into Active;
//  - two Connect actions are at least min(connect retry, minimum back-off) apart.
// The configurations vary every timer setting, back-off jitter included, and
// the model owns its constants: they are written below from the RFC, not
// taken from speaker/session/fsm.hpp.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include <ostream>

#include "fsm_helpers.hpp"

namespace bgpsim::session {
namespace {

using namespace fsm_test;
using std::chrono::seconds;

// ---- Constants, from the RFC -------------------------------------------------
// RFC 4271 8.2.2 (Connect/Active, Tcp_CR_Acked): the HoldTimer is set "to a
// large value ... A HoldTimer value of 4 minutes is suggested."
constexpr seconds kOpenSentHold{4 * 60};
// RFC 4271 4.4: "A reasonable maximum time between KEEPALIVE messages would
// be one third of the Hold Time interval."
constexpr std::uint16_t kKeepaliveDivisor = 3;
// RFC 4271 4.2: the Hold Time "MUST be either zero or at least three seconds";
// 6.2: an unacceptable Hold Time is an OPEN error.
constexpr std::uint16_t kMinHold = 3;
// RFC 4271 10: "ConnectRetryTime 120 seconds", "HoldTime 90 seconds"
// (suggested values).
constexpr std::uint16_t kSuggestedConnectRetry = 120;
constexpr std::uint16_t kSuggestedHold = 90;
// The back-off (RFC 4271 8.1.1 IdleHoldTimer, configured per peer; the bounds
// are the documented configuration limits): doubling from the minimum to the
// maximum, at most one day, plus up to jitter-percent of the delay.
constexpr std::uint32_t kMaxBackoff = 24 * 60 * 60;
// RFC 9687 4: the SendHoldTime is "8 minutes or 2 times the negotiated
// HoldTime, whichever is greater" unless configured; none without a hold time.
constexpr seconds kSendHoldMin{8 * 60};
constexpr std::uint32_t kMaxJitterPercent = 100;

bool acceptable_hold(std::uint16_t h) { return h == 0 || h >= kMinHold; }
Time reconnect_gap(const PeerConfig& c) {
  return seconds(std::min<std::uint32_t>(c.connect_retry_s, c.backoff_min_s));
}

enum class Kind {
  start,
  stop,
  stop_auto,
  wait,  // only time passes
  tcp_connected,
  tcp_failed,
  open,
  message_error,
  collision_dump,  // RFC 4271 event 23: in any open state, Cease and Idle
  notification,
  notification_version,  // RFC 4271 event 24 (NotifMsgVerErr)
  keepalive,
  update,
  route_refresh,
  message_sent,
};

// ---- The model ---------------------------------------------------------------
struct Model {
  PeerConfig config;
  Time now{};
  State state = State::idle;
  bool started = false;
  std::array<std::optional<Time>, timer_count> deadlines{};
  std::uint32_t failures = 0;
  std::uint64_t backoffs = 0;  // back-offs drawn: the jitter index
  // The last back-off's jitter and the most the model allows for it.
  Time last_jitter{}, last_jitter_max{};
  std::optional<Time> last_connect;
  std::optional<Time> established_at;
  std::uint16_t hold_s = 0;
  std::uint16_t keepalive_s = 0;

  std::optional<Time>& timer(Timer t) { return deadlines[static_cast<std::size_t>(t)]; }
  const std::optional<Time>& timer(Timer t) const { return deadlines[static_cast<std::size_t>(t)]; }
  bool open_state() const {
    return state == State::open_sent || state == State::open_confirm || state == State::established;
  }

  void to_idle() {
    state = State::idle;
    deadlines = {};
    established_at.reset();
  }
  // One more consecutive failure (`count`, else the back-off of those so
  // far, at least one): the back-off it draws.
  Time draw_backoff(bool count = true) {
    if (count) ++failures;
    ++backoffs;
    const std::uint32_t n = std::max<std::uint32_t>(1, failures);
    std::uint64_t delay = config.backoff_min_s;
    for (std::uint32_t i = 1; i < n && delay < config.backoff_max_s; ++i) delay *= 2;
    const Time base = seconds(std::min<std::uint64_t>(delay, config.backoff_max_s));
    // The jitter is a hash of (seed, back-off number), deterministic but not
    // something to re-derive here: the model takes the implementation's draw
    // for its own back-off number and bounds it (checked after every step);
    // BackoffJitterIsBoundedAndSpread checks the draws themselves.
    last_jitter = backoff_delay(config, n, backoffs) - base;
    last_jitter_max = base * std::min(config.backoff_jitter_percent, kMaxJitterPercent) / 100;
    return base + last_jitter;
  }
  void fail() {
    if (established_at && now - *established_at >= seconds(config.backoff_reset_s)) failures = 0;
    to_idle();
    timer(Timer::idle_hold) = now + draw_backoff();
  }
  // RFC 4271 8.2.2 NotifMsgVerErr (OpenSent, OpenConfirm, Connect/Active with
  // the DelayOpenTimer running): Idle without incrementing the
  // ConnectRetryCounter; the IdleHoldTimer still runs, not growing.
  void version_error() {
    to_idle();
    timer(Timer::idle_hold) = now + draw_backoff(false);
  }
  // RFC 4271 8.2.2 event 18 in Connect and OpenSent: listen in Active, the
  // ConnectRetryTimer restarted (active peers) with the back-off delay, at
  // most the ConnectRetryTime (its value is a local matter, RFC 4271 10).
  void to_active() {
    deadlines = {};
    state = State::active;
    const Time wait = std::min<Time>(seconds(config.connect_retry_s), draw_backoff());
    if (!config.passive) timer(Timer::connect_retry) = now + wait;
  }
  void manual_stop() {
    to_idle();
    started = false;
    failures = 0;
  }
  void start() {
    timer(Timer::idle_hold).reset();
    if (config.passive) {
      state = State::active;
      return;
    }
    const Time gap = reconnect_gap(config);
    if (last_connect && now < *last_connect + gap) {
      timer(Timer::idle_hold) = *last_connect + gap;
      return;
    }
    connect();
  }
  void connect() {
    state = State::connect;
    last_connect = now;
    timer(Timer::connect_retry) = now + seconds(config.connect_retry_s);
  }
  void restart_hold() {
    if (hold_s) timer(Timer::hold) = now + seconds(hold_s);
  }

  Time send_hold_time() const {
    if (config.send_hold_time_s) return seconds(config.send_hold_time_s);
    return std::max<Time>(kSendHoldMin, seconds(2 * std::uint32_t{hold_s}));
  }
  void restart_send_hold() {
    if (hold_s) timer(Timer::send_hold) = now + send_hold_time();
  }
  bool delayed() const { return timer(Timer::delay_open).has_value(); }
  // Our OPEN goes out: OpenSent under the 4-minute HoldTimer.
  void open_sent() {
    timer(Timer::connect_retry).reset();
    timer(Timer::delay_open).reset();
    timer(Timer::hold) = now + kOpenSentHold;
    state = State::open_sent;
  }
  void open_confirm(std::uint16_t peer_hold) {
    hold_s = std::min(config.hold_time_s, peer_hold);
    keepalive_s = static_cast<std::uint16_t>(hold_s / kKeepaliveDivisor);
    timer(Timer::hold).reset();
    restart_hold();
    if (keepalive_s) timer(Timer::keepalive) = now + seconds(keepalive_s);
    restart_send_hold();
    state = State::open_confirm;
  }

  void fire(Timer t) {
    timer(t).reset();
    switch (t) {
      case Timer::delay_open:
        if (state == State::connect || state == State::active) open_sent();
        break;
      case Timer::send_hold:
        if (state == State::open_confirm || state == State::established) fail();
        break;
      case Timer::idle_hold:
        if (state == State::idle && started) start();
        break;
      case Timer::connect_retry:
        if (state == State::connect || state == State::active) connect();
        break;
      case Timer::hold:
        if (open_state()) fail();
        break;
      case Timer::keepalive:
        if (state == State::open_confirm || state == State::established)
          timer(Timer::keepalive) = now + seconds(keepalive_s);
        break;
    }
  }
  std::optional<Time> next() const {
    std::optional<Time> n;
    for (const auto& d : deadlines)
      if (d && (!n || *d < *n)) n = d;
    return n;
  }
  void advance_to(Time t) {
    while (auto d = next()) {
      if (*d > t) break;
      now = *d;
      for (Timer timer_kind : {Timer::idle_hold, Timer::connect_retry, Timer::delay_open,
                               Timer::hold, Timer::send_hold, Timer::keepalive})
        if (timer(timer_kind) && *timer(timer_kind) <= now) fire(timer_kind);
    }
    now = t;
  }

  // RFC 4271 8.2.2, in the reduced form fsm.hpp documents.
  void event(Kind k, std::uint16_t peer_hold, bool peer_as_ok) {
    if (k == Kind::wait) return;
    switch (state) {
      case State::idle:
        if (k == Kind::start) {
          const bool waiting = started && timer(Timer::idle_hold);
          started = true;
          if (!waiting) start();
        } else if (k == Kind::stop) {
          manual_stop();
        }
        return;
      case State::connect:
      case State::active:
        if (k == Kind::start || k == Kind::message_sent) return;
        if (k == Kind::stop) return manual_stop();
        if (k == Kind::tcp_connected) {
          if (delayed()) return;      // one connection per FSM
          if (config.delay_open_s) {  // RFC 4271 8.2.2: DelayOpen TRUE
            timer(Timer::connect_retry).reset();
            timer(Timer::delay_open) = now + seconds(config.delay_open_s);
            return;
          }
          return open_sent();
        }
        if (k == Kind::tcp_failed && state == State::connect) return to_active();
        // Event 20: the peer's OPEN while ours is delayed.
        if (k == Kind::open && delayed() && peer_as_ok && acceptable_hold(peer_hold)) {
          open_sent();
          return open_confirm(peer_hold);
        }
        if (k == Kind::notification_version && delayed()) return version_error();
        return fail();
      case State::open_sent:
        if (k == Kind::start || k == Kind::tcp_connected || k == Kind::message_sent) return;
        if (k == Kind::stop) return manual_stop();
        if (k == Kind::open && peer_as_ok && acceptable_hold(peer_hold))
          return open_confirm(peer_hold);
        if (k == Kind::tcp_failed) return to_active();
        if (k == Kind::notification_version) return version_error();
        return fail();
      case State::open_confirm:
      case State::established:
        if (k == Kind::start || k == Kind::tcp_connected) return;
        if (k == Kind::stop) return manual_stop();
        if (k == Kind::message_sent) {
          if (timer(Timer::keepalive)) timer(Timer::keepalive) = now + seconds(keepalive_s);
          restart_send_hold();
          return;
        }
        if (k == Kind::keepalive && state == State::open_confirm) {
          restart_hold();
          state = State::established;
          established_at = now;
          return;
        }
        if (state == State::established &&
            (k == Kind::keepalive || k == Kind::update || k == Kind::route_refresh))
          return restart_hold();
        if (k == Kind::notification_version && state == State::open_confirm) return version_error();
        return fail();
    }
  }
};

// ---- The system under test, with the driver's view of the connection -------
struct Sut {
  PeerConfig config;
  FsmState fsm;
  bool connection = false;  // this FSM's TCP connection is up
  bool sent_open = false, got_open = false, sent_keepalive = false, got_keepalive = false;
  std::optional<Time> last_connect;

  void forget_connection() {
    connection = sent_open = got_open = sent_keepalive = got_keepalive = false;
  }

  // Steps and checks the invariants that hold for every step.
  void step_and_check(Time now, const Event& event) {
    const State before = fsm.state;
    const bool delayed_before = fsm.open_delayed();
    if (std::holds_alternative<TcpConnected>(event) &&
        (before == State::idle || before == State::connect || before == State::active))
      connection = true;
    if (std::holds_alternative<TcpFailed>(event)) forget_connection();
    if (std::holds_alternative<OpenReceived>(event)) got_open = true;
    if (std::holds_alternative<KeepaliveReceived>(event)) got_keepalive = true;

    const auto actions = step(config, fsm, now, event);
    const State after = fsm.state;

    bool notified = false, closed = false;
    std::size_t downs = 0;
    for (const auto& a : actions) {
      if (std::holds_alternative<Connect>(a)) {
        RC_ASSERT(!connection);
        if (last_connect) RC_ASSERT(now - *last_connect >= reconnect_gap(config));
        last_connect = now;
      } else if (std::holds_alternative<CloseConnection>(a)) {
        closed = true;
        forget_connection();
      } else if (std::holds_alternative<SendOpen>(a)) {
        RC_ASSERT(connection);
        sent_open = true;
      } else if (std::holds_alternative<SendKeepalive>(a)) {
        RC_ASSERT(connection && sent_open);
        sent_keepalive = true;
      } else if (std::holds_alternative<SendNotification>(a)) {
        RC_ASSERT(connection && !closed);  // NOTIFICATION goes out before the close
        notified = true;
      } else if (std::holds_alternative<Established>(a)) {
        RC_ASSERT(sent_open && got_open && sent_keepalive && got_keepalive);
        RC_ASSERT(after == State::established);
      } else if (std::holds_alternative<Down>(a)) {
        ++downs;
      }
    }

    // Deadlines lie in the future; Idle owns no connection.
    for (const auto& d : fsm.deadlines)
      if (d) RC_ASSERT(*d > now);
    if (after == State::idle) RC_ASSERT(!connection);
    if (fsm.connection_open()) RC_ASSERT(connection);
    const bool into_active =
        (before == State::connect || before == State::open_sent) && after == State::active;
    RC_ASSERT(downs ==
              (((before != State::idle && after == State::idle) || into_active) ? 1u : 0u));
    // A connection that fails before the BGP connection is up leaves us listening.
    if (std::holds_alternative<TcpFailed>(event) &&
        (before == State::connect || before == State::open_sent))
      RC_ASSERT(after == State::active);

    // A NOTIFICATION exactly when a BGP connection ends for any reason but the
    // peer's (TCP failure or its own NOTIFICATION).
    const bool peer_ended = std::holds_alternative<TcpFailed>(event) ||
                            std::holds_alternative<NotificationReceived>(event);
    const bool left_connection = (before == State::open_sent || before == State::open_confirm ||
                                  before == State::established) &&
                                 (after == State::idle || after == State::active);
    // Before our OPEN (DelayOpen), only an OPEN error is answered, and only
    // with SendNOTIFICATIONwithoutOPEN (the errors generated here are UPDATE
    // errors, event 28, never answered there).
    const bool open_error_before_open = delayed_before && after == State::idle &&
                                        config.send_notification_without_open &&
                                        std::holds_alternative<OpenReceived>(event);
    // RFC 4271 8.2.2 Active, ManualStop with the OPEN delayed: a Cease when
    // SendNOTIFICATIONwithoutOPEN is set.
    const bool cease_before_open =
        delayed_before && before == State::active && config.send_notification_without_open &&
        std::holds_alternative<Stop>(event) && !std::get<Stop>(event).automatic;
    RC_ASSERT(notified ==
              ((left_connection && !peer_ended) || open_error_before_open || cease_before_open));
  }
};

bool same(const Model& m, const FsmState& f) {
  return m.state == f.state && m.deadlines == f.deadlines && m.started == f.started &&
         m.failures == f.failures && m.backoffs == f.backoffs;
}

// ---- Commands -------------------------------------------------------------------
struct EventCommand : rc::state::Command<Model, Sut> {
  Kind kind;
  Time dt;
  std::uint16_t peer_hold = 180;
  bool peer_as_ok = true;

  // Half the time the event that moves the session forward from the model's
  // state, so every state is visited often; otherwise any event at all.
  explicit EventCommand(const Model& m)
      : kind(*rc::gen::weightedOneOf<Kind>(
            {{1, rc::gen::just(happy_path(m.state))}, {1, any_kind()}})),
        dt(std::chrono::milliseconds(*rc::gen::weightedOneOf<std::int64_t>(
            {{3, rc::gen::just<std::int64_t>(0)},
             {6, rc::gen::inRange<std::int64_t>(0, 5000)},
             {2, rc::gen::inRange<std::int64_t>(0, 300000)},
             {1, rc::gen::inRange<std::int64_t>(0, 1800000)}}))) {
    if (kind == Kind::open) {
      peer_hold = *rc::gen::weightedOneOf<std::uint16_t>(
          {{4, rc::gen::elementOf(
                   std::vector<std::uint16_t>{0, 1, 2, kMinHold, 10, kSuggestedHold, 180})},
           {1, rc::gen::inRange<std::uint16_t>(kMinHold, 65535)}});
      peer_as_ok = *rc::gen::weightedElement<bool>({{9, true}, {1, false}});
    }
  }

  static Kind happy_path(State state) {
    switch (state) {
      case State::idle:
        return Kind::start;
      case State::connect:
      case State::active:
        return Kind::tcp_connected;
      case State::open_sent:
        return Kind::open;
      case State::open_confirm:
        return Kind::keepalive;
      case State::established:
        return Kind::update;
    }
    return Kind::wait;
  }

  static rc::Gen<Kind> any_kind() {
    return rc::gen::weightedElement<Kind>({{2, Kind::start},
                                           {1, Kind::stop},
                                           {1, Kind::stop_auto},
                                           {4, Kind::wait},
                                           {4, Kind::tcp_connected},
                                           {2, Kind::tcp_failed},
                                           {4, Kind::open},
                                           {1, Kind::message_error},
                                           {1, Kind::collision_dump},
                                           {1, Kind::notification},
                                           {1, Kind::notification_version},
                                           {4, Kind::keepalive},
                                           {2, Kind::update},
                                           {1, Kind::route_refresh},
                                           {2, Kind::message_sent}});
  }

  Event event() const {
    switch (kind) {
      case Kind::start:
        return Start{};
      case Kind::stop:
        return Stop{};
      case Kind::stop_auto:
        return Stop{wire::Notification{6, wire::cease::max_prefixes, {}}, true};
      case Kind::wait:
        return Tick{};
      case Kind::tcp_connected:
        return TcpConnected{};
      case Kind::tcp_failed:
        return TcpFailed{};
      case Kind::open:
        return OpenReceived{peer_open(peer_hold, peer_as_ok ? 65002 : 65009)};
      case Kind::message_error:
        return MessageError{wire::make_error(19, wire::NotifyCode::update_message,
                                             wire::update_error::malformed_attribute_list, "bad")};
      case Kind::collision_dump:
        return OpenCollisionDump{};
      case Kind::notification:
        return NotificationReceived{wire::Notification{6, 4, {}}};
      case Kind::notification_version:
        return NotificationReceived{wire::Notification{2, 1, {0, 4}}};
      case Kind::keepalive:
        return KeepaliveReceived{};
      case Kind::update:
        return UpdateReceived{};
      case Kind::route_refresh:
        return RouteRefreshReceived{};
      case Kind::message_sent:
        return MessageSent{};
    }
    return Tick{};
  }

  void apply(Model& m) const override {
    m.advance_to(m.now + dt);
    if (kind == Kind::stop_auto) {
      if (m.state != State::idle) m.fail();
      return;
    }
    m.event(kind, peer_hold, peer_as_ok);
  }

  void run(const Model& m0, Sut& sut) const override {
    const Time t = m0.now + dt;
    // The driver: fire deadlines as time passes, then deliver the event.
    while (auto d = next_deadline(sut.fsm)) {
      if (*d > t) break;
      sut.step_and_check(*d, Tick{});
    }
    sut.step_and_check(t, event());
    const auto m1 = nextState(m0);
    RC_ASSERT(same(m1, sut.fsm));
    RC_ASSERT(m1.last_jitter >= Time{});
    RC_ASSERT(m1.last_jitter <= m1.last_jitter_max);
  }

  void show(std::ostream& os) const override {
    os << "+" << std::chrono::duration_cast<std::chrono::milliseconds>(dt).count() << "ms "
       << event_name(event());
    if (kind == Kind::open) os << "(hold " << peer_hold << (peer_as_ok ? "" : ", bad AS") << ")";
    if (kind == Kind::stop_auto) os << "(automatic)";
  }
};

}  // namespace

// RapidCheck prints the configuration of a failing case through this.
void showValue(const PeerConfig& c, std::ostream& os) {
  os << (c.passive ? "passive" : "active") << " hold " << c.hold_time_s << " s, connect retry "
     << c.connect_retry_s << " s, back-off " << c.backoff_min_s << ".." << c.backoff_max_s
     << " s + " << c.backoff_jitter_percent << "% jitter (seed " << c.backoff_seed
     << "), reset after " << c.backoff_reset_s << " s, delay open " << c.delay_open_s
     << " s (notification without open " << c.send_notification_without_open << "), send hold "
     << c.send_hold_time_s << " s";
}

namespace {

rc::Gen<PeerConfig> config_gen() {
  return rc::gen::exec([] {
    auto c = test_config(*rc::gen::weightedElement<bool>({{3, false}, {1, true}}));
    c.hold_time_s = *rc::gen::weightedOneOf<std::uint16_t>(
        {{4, rc::gen::elementOf(std::vector<std::uint16_t>{0, kMinHold, 9, kSuggestedHold, 180})},
         {1, rc::gen::inRange<std::uint16_t>(kMinHold, 65535)}});
    c.connect_retry_s = *rc::gen::weightedOneOf<std::uint16_t>(
        {{3, rc::gen::elementOf(std::vector<std::uint16_t>{1, 5, kSuggestedConnectRetry})},
         {1, rc::gen::inRange<std::uint16_t>(1, 600)}});
    c.backoff_min_s = *rc::gen::weightedOneOf<std::uint32_t>(
        {{3, rc::gen::elementOf(std::vector<std::uint32_t>{1, 2, 5})},
         {1, rc::gen::inRange<std::uint32_t>(1, 600)}});
    c.backoff_max_s =
        std::min(kMaxBackoff,
                 c.backoff_min_s * *rc::gen::elementOf(std::vector<std::uint32_t>{1, 3, 4, 64}));
    c.backoff_jitter_percent = *rc::gen::weightedOneOf<std::uint32_t>(
        {{1, rc::gen::just<std::uint32_t>(0)},
         {1, rc::gen::just(kMaxJitterPercent)},
         {2, rc::gen::inRange<std::uint32_t>(1, kMaxJitterPercent)}});
    c.backoff_seed = *rc::gen::arbitrary<std::uint64_t>();
    c.backoff_reset_s = *rc::gen::weightedOneOf<std::uint32_t>(
        {{3, rc::gen::elementOf(std::vector<std::uint32_t>{0, 10, 60})},
         {1, rc::gen::inRange<std::uint32_t>(0, 3600)}});
    c.delay_open_s = *rc::gen::weightedOneOf<std::uint16_t>(
        {{2, rc::gen::just<std::uint16_t>(0)}, {1, rc::gen::inRange<std::uint16_t>(1, 300)}});
    c.send_notification_without_open = *rc::gen::arbitrary<bool>();
    c.send_hold_time_s = *rc::gen::weightedOneOf<std::uint32_t>(
        {{2, rc::gen::just<std::uint32_t>(0)}, {1, rc::gen::inRange<std::uint32_t>(1, 1200)}});
    return c;
  });
}

RC_GTEST_PROP(FsmModel, MatchesTheModelAndKeepsInvariants, ()) {
  const auto config = *config_gen();
  RC_ASSERT(!config_error(config));
  Model model;
  model.config = config;
  Sut sut;
  sut.config = config;
  // execOneOfWithArgs passes the model to EventCommand's constructor.
  rc::state::check(model, sut, rc::state::gen::execOneOfWithArgs<EventCommand>());
}

// The back-off draws: within [delay, delay * (1 + jitter%)], a function of
// (seed, back-off number) only, spread over the range, and seed-dependent.
RC_GTEST_PROP(FsmModel, BackoffJitterIsBoundedAndSpread, ()) {
  auto c = test_config();
  c.backoff_min_s = *rc::gen::inRange<std::uint32_t>(1, 600);
  c.backoff_max_s =
      std::min(kMaxBackoff, c.backoff_min_s * *rc::gen::inRange<std::uint32_t>(1, 100));
  c.backoff_jitter_percent = *rc::gen::inRange<std::uint32_t>(10, kMaxJitterPercent + 1);
  c.backoff_seed = *rc::gen::arbitrary<std::uint64_t>();
  RC_ASSERT(!config_error(c));
  const auto failures = *rc::gen::inRange<std::uint32_t>(1, 40);
  std::uint64_t delay = c.backoff_min_s;
  for (std::uint32_t i = 1; i < failures && delay < c.backoff_max_s; ++i) delay *= 2;
  const Time base = seconds(std::min<std::uint64_t>(delay, c.backoff_max_s));
  const Time jitter_max = base * c.backoff_jitter_percent / 100;

  Time lowest = base + jitter_max, highest = base;
  bool seed_matters = false;
  auto other_seed = c;
  other_seed.backoff_seed = c.backoff_seed + 1;
  for (std::uint64_t index = 1; index <= 200; ++index) {
    const Time d = backoff_delay(c, failures, index);
    RC_ASSERT(d >= base);
    RC_ASSERT(d <= base + jitter_max);
    RC_ASSERT(d == backoff_delay(c, failures, index));
    lowest = std::min(lowest, d);
    highest = std::max(highest, d);
    if (d != backoff_delay(other_seed, failures, index)) seed_matters = true;
  }
  // 200 uniform draws all missing a quarter of the range: probability 0.75^200.
  RC_ASSERT(lowest - base <= jitter_max / 4);
  RC_ASSERT(highest - base >= jitter_max * 3 / 4);
  RC_ASSERT(seed_matters);
}

// The speaker's defaults against the RFC's suggestions, and the OpenSent hold
// time the implementation uses against the model's.
TEST(FsmModel, TimerConstantsFollowRfc4271) {
  EXPECT_EQ(PeerConfig{}.connect_retry_s, kSuggestedConnectRetry);
  EXPECT_TRUE(acceptable_hold(PeerConfig{}.hold_time_s));
  EXPECT_EQ(std::chrono::duration_cast<seconds>(open_sent_hold_time), kOpenSentHold);
}

}  // namespace
}  // namespace bgpsim::session
