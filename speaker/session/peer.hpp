// One configured peer over any Runtime: the FSM (fsm.hpp) driven by sibling
// coroutines joined with Asio's awaitable operators, never detached:
//   run() = timer_loop && connect_loop && lane && lane
//   a lane runs, per connection, reader || writer
// Every source of events (reader, connector, timers, the reactor) calls
// handle(), which steps the FSM and carries out its actions synchronously:
// the executor is single-threaded, so the FSM, the Adj-RIB-In and the
// Adj-RIB-Out need no locks, and a message decoded after an OPEN already
// sees the negotiated context.
//
// Connection collisions (RFC 4271 6.8): while the session's connection is in
// OpenSent or OpenConfirm, a second one (the peer's inbound, or our outbound
// that completes late) gets its own FsmState and sends its OPEN; the first
// OPEN received on either connection names the peer's BGP Identifier, and
// collision_winner() picks the connection to keep. The other is stepped
// OpenCollisionDump (Cease / Connection Collision Resolution, RFC 4486) and
// closed; when that is the session's connection, the second one takes its
// place. A connection arriving while the session is Established is closed.
// Each connection runs reader || writer in one of two lanes.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <string>

#include "speaker/rib/adj_rib_in.hpp"
#include "speaker/rib/adj_rib_out.hpp"
#include "speaker/runtime/runtime.hpp"
#include "speaker/session/fsm.hpp"
#include "speaker/session/graceful_restart.hpp"
#include "speaker/session/notifier.hpp"
#include "speaker/session/only_to_customer.hpp"

namespace bgpsim::session {

struct PeerSettings {
  std::string name;               // how events and logs name the peer (its address)
  runtime::Endpoint remote;       // where we connect
  runtime::SocketOptions socket;  // local address, TCP-MD5, TTL
  PeerConfig fsm;                 // what we are and offer
  rib::BuildOptions build;        // update packing
  // RFC 4486: more routes of a family than its limit end the session with
  // Cease / Maximum Number of Prefixes Reached (AutomaticStop: back-off,
  // then reconnect).
  std::vector<PrefixLimit> prefix_limits;
  // Graceful restart, receiving side (RFC 4724 4.2): once the peer is back,
  // stale routes whose End-of-RIB has not come by then are dropped ("an
  // implementation MAY support a (configurable) timer that imposes this upper
  // bound"); FRR's stalepath-time default.
  std::chrono::seconds stale_routes_time{360};
  // Enhanced Route Refresh, receiving side (RFC 7313 4): routes of a family
  // still stale this long after the peer's BoRR are purged as if its EoRR
  // had come (the RFC leaves the value local; the same 360 s as above).
  std::chrono::seconds refresh_stale_time{360};
};

// What a peer reports to whoever owns it (the reactor). All calls happen on
// the peer's executor, synchronously from handle().
class PeerObserver {
 public:
  virtual ~PeerObserver() = default;
  virtual void on_established(const std::string& /*peer*/, const Negotiated&) {}
  virtual void on_down(const std::string& /*peer*/, const Down&) {}
  // Every message received, with the context it was decoded with. `raw` is
  // the message as it arrived (header and body), borrowed from the reader's
  // buffer: valid during the call only (the API's `packets`).
  virtual void on_message(const std::string& /*peer*/, const wire::Message&,
                          const wire::DecodeContext&, wire::ByteView /*raw*/) {}
  // Every message handed to the connection, with the context it is encoded
  // with (the API's `send { ... }` events) and its bytes, borrowed likewise.
  virtual void on_sent(const std::string& /*peer*/, const wire::Message&,
                       const wire::EncodeContext&, wire::ByteView /*raw*/) {}
  // A whole message received that did not decode (the session resets after
  // it) or that is ignored (a ROUTE-REFRESH of unknown subtype, error code
  // 0): its bytes, borrowed likewise (ExaBGP's `packets` shows them).
  virtual void on_undecodable(const std::string& /*peer*/, wire::ByteView /*raw*/,
                              const wire::DecodeError&) {}
  // Adj-RIB-In changes (after RFC 7606 handling).
  virtual void on_routes(const std::string& /*peer*/, const std::vector<rib::Route>&) {}
  // Routes the update builder refused to send (no message of the session can
  // hold them), each with the route and the reason, for the owner to log.
  virtual void on_refused(const std::string& /*peer*/, const std::vector<rib::Refusal>&) {}
};

template <runtime::Runtime R>
class Peer {
 public:
  using executor_type = typename R::executor_type;
  using socket_type = typename R::socket_type;
  template <class T>
  using awaitable = boost::asio::awaitable<T, executor_type>;

  Peer(R& rt, PeerSettings settings, PeerObserver& observer, rib::AttributePool& pool)
      : rt_(rt),
        settings_(std::move(settings)),
        observer_(observer),
        pool_(pool),
        fsm_(settings_.fsm),
        timer_(rt.make_timer()),
        deadline_changed_(rt.get_executor()),
        connect_wanted_(rt.get_executor()),
        lane_ready_{Notifier<executor_type>(rt.get_executor()),
                    Notifier<executor_type>(rt.get_executor())} {}

  Peer(const Peer&) = delete;
  Peer& operator=(const Peer&) = delete;

  // The peer's whole life: starts the FSM and returns once stop() has
  // completed (NOTIFICATION flushed, connection closed).
  awaitable<void> run() {
    using namespace boost::asio::experimental::awaitable_operators;
    handle(0, Start{});
    co_await (timer_loop() && connect_loop() && lane(lane_ready_[0]) && lane(lane_ready_[1]));
  }

  // Manual stop (RFC 4271 event 2): NOTIFICATION (default Cease /
  // Administrative Shutdown), close, no reconnect; run() then returns.
  void stop(std::optional<wire::Notification> notification = std::nullopt) {
    if (stop_requested_) return;
    stop_requested_ = true;
    if (second_) step_second(Stop{notification, false});
    handle(live_id(), Stop{std::move(notification), false});
    cancel_connect();
    maybe_finish();
  }

  // ExaBGP's `teardown CODE`: the session ends with that NOTIFICATION and
  // comes back after the back-off (RFC 4271 event 8, AutomaticStop).
  void teardown(wire::Notification notification) {
    if (stop_requested_) return;
    handle(live_id(), Stop{std::move(notification), true});
  }

  // Sends a ROUTE-REFRESH request (RFC 2918 3) for `family`; false when the
  // session is not Established or did not negotiate route refresh.
  bool request_refresh(wire::Family family) {
    const auto& st = fsm_.state();
    if (!current_ || st.state != State::established || !st.negotiated ||
        !st.negotiated->route_refresh)
      return false;
    send_control(wire::Message(wire::RouteRefresh{family, wire::RouteRefresh::request}));
    return true;
  }

  // Sends the Adj-RIB-Out again (`flush adj-rib out`; `family`: that family
  // only). RFC 7313 4, when Enhanced Route Refresh was negotiated: "Before
  // the speaker starts a route refresh that is either initiated locally, or
  // in response to a "normal route refresh request" from the peer, the
  // speaker MUST send a BoRR message. After the speaker completes the
  // re-advertisement of the entire Adj-RIB-Out to the peer, it MUST send an
  // EoRR message."
  void refresh_out(std::optional<wire::Family> family = std::nullopt) {
    const auto& st = fsm_.state();
    if (!current_ || st.state != State::established || !st.negotiated ||
        !st.negotiated->enhanced_route_refresh) {
      adj_rib_out_.resend_all(family);
      routes_changed();
      return;
    }
    for (auto f : st.negotiated->families.items()) {
      if (family && f != *family) continue;
      send_control(wire::Message(wire::RouteRefresh{f, wire::RouteRefresh::begin_of_rib}));
      adj_rib_out_.resend_all(f);
      adj_rib_out_.request_refresh_end(f);
    }
    routes_changed();
  }

  // An inbound connection for this peer, from the reactor's listener.
  // Returns false when it was refused (and closed).
  bool accept(socket_type socket) {
    if (stop_requested_) return refuse(socket);
    if (current_) {
      // RFC 4271 6.8: a connection colliding with one in OpenSent or
      // OpenConfirm runs until an OPEN decides; "a connection collision with
      // an existing BGP connection that is in the Established state causes
      // closing of the newly created connection".
      if (!collision_possible()) return refuse(socket);
      socket.apply(settings_.socket);
      adopt_second(std::move(socket), false);
      return second_ != nullptr;
    }
    socket.apply(settings_.socket);
    // An outbound attempt still in flight is not cancelled: if it completes
    // it is the second connection of a collision.
    install(std::move(socket), false);
    // The FSM decides: valid in Connect and Active, refused (CloseConnection) in Idle.
    handle(live_id(), TcpConnected{});
    return current_ != nullptr;
  }

  // Collisions resolved so far (a connection dumped with Cease / Connection
  // Collision Resolution), for tests and logs.
  std::uint64_t collisions_resolved() const { return collisions_; }
  // Whether the session's connection is the one we initiated (nullopt: none).
  std::optional<bool> connection_outbound() const {
    if (!current_) return std::nullopt;
    return current_->outbound;
  }

  // Route changes go straight into the Adj-RIB-Out; this wakes the writer.
  rib::AdjRibOut& adj_rib_out() { return adj_rib_out_; }
  void routes_changed() {
    if (current_) current_->writer_wake.notify();
  }

  const rib::AdjRibIn& adj_rib_in() const { return adj_rib_in_; }
  State state() const { return fsm_.state().state; }
  // What the session negotiated, while it is Established.
  const Negotiated* negotiated() const {
    const auto& st = fsm_.state();
    return st.state == State::established && st.negotiated ? &*st.negotiated : nullptr;
  }
  const PeerSettings& settings() const { return settings_; }
  const std::string& name() const { return settings_.name; }
  bool finished() const { return finished_; }

 private:
  struct Connection {
    Connection(socket_type s, std::uint64_t i, bool out, executor_type ex)
        : socket(std::move(s)), id(i), outbound(out), writer_wake(std::move(ex)) {}
    socket_type socket;
    std::uint64_t id;
    bool outbound;
    std::deque<wire::Bytes> control;  // OPEN, KEEPALIVE, NOTIFICATION: before any UPDATE
    bool close_after_flush = false;
    bool claimed = false;  // a lane runs its reader and writer
    Notifier<executor_type> writer_wake;
  };
  using ConnectionPtr = std::shared_ptr<Connection>;

  // An operation co_awaited on its own takes as_tuple_deferred(): Asio 1.81
  // then resumes the caller from the operation's handler, where
  // use_awaitable allocates and runs an initiation frame per wait (docs/sim.md,
  // benchmarks). The awaitable operators (`||`) and async_connect need
  // awaitables.
  static constexpr auto as_tuple_deferred() { return boost::asio::as_tuple(boost::asio::deferred); }
  static constexpr auto as_tuple_awaitable() {
    return boost::asio::as_tuple(boost::asio::use_awaitable_t<executor_type>{});
  }

  std::uint64_t live_id() const { return current_ ? current_->id : 0; }

  static bool refuse(socket_type& socket) {
    socket.close();
    return false;
  }

  ConnectionPtr make_connection(socket_type socket, bool outbound) {
    return std::make_shared<Connection>(std::move(socket), ++next_connection_id_, outbound,
                                        rt_.get_executor());
  }
  void wake_lanes() {
    for (auto& l : lane_ready_) l.notify();
  }
  void install(socket_type socket, bool outbound) {
    current_ = make_connection(std::move(socket), outbound);
    wake_lanes();
  }

  // --- Collisions (RFC 4271 6.8) -------------------------------------------

  bool collision_possible() const {
    const auto st = fsm_.state().state;
    return !second_ && !stop_requested_ && (st == State::open_sent || st == State::open_confirm);
  }

  // The colliding connection gets its own FSM, entered as if listening
  // (Active), so TcpConnected sends our OPEN on it (OpenSent).
  void adopt_second(socket_type socket, bool outbound) {
    second_ = make_connection(std::move(socket), outbound);
    second_state_ = FsmState{};
    second_state_.state = State::active;
    second_state_.started = true;
    wake_lanes();
    step_second(TcpConnected{});
  }

  // An OPEN arrived on `c`. If another connection is open, RFC 4271 6.8: "the
  // local system MUST examine all of its connections that are in the
  // OpenConfirm state ... [and may] examine connections in an OpenSent
  // state if it knows the BGP Identifier of the peer" -- the OPEN names it.
  // Returns false when `c` itself lost and its OPEN is not to be processed.
  bool resolve_collision(const ConnectionPtr& c, const wire::Open& open) {
    if (!second_ || (c != current_ && c != second_)) return true;
    const bool on_second = c == second_;
    const FsmState& mine = on_second ? second_state_ : fsm_.state();
    const FsmState& theirs = on_second ? fsm_.state() : second_state_;
    if (mine.state != State::open_sent || !mine.open_sent) return true;
    auto negotiated = negotiate(settings_.fsm, *mine.open_sent, open);
    if (!negotiated) return true;  // the OPEN is refused anyway: no collision to judge
    bool lose_mine = false;
    if (theirs.state == State::established) {
      lose_mine = true;  // "closing of the newly created connection"
    } else if (theirs.state == State::open_sent || theirs.state == State::open_confirm) {
      const auto keep = collision_winner(settings_.fsm.router_id, open.bgp_identifier,
                                         settings_.fsm.local_as, negotiated->peer_as);
      lose_mine = c->outbound != (keep == Initiator::local);
    } else {
      return true;
    }
    ++collisions_;
    const bool lose_second = lose_mine == on_second;
    if (lose_second)
      step_second(OpenCollisionDump{});
    else
      handle(current_->id, OpenCollisionDump{});
    return !lose_mine;
  }

  // Steps the second connection's FSM; its actions apply to that connection.
  // It never reaches Established (an OPEN on either connection resolves the
  // collision first), so once it holds no connection (Idle, or Active after a
  // TCP failure) it is discarded before any of its timers could dial.
  void step_second(const Event& event) {
    const auto before = next_deadline_all();
    on_second_ = true;
    perform(session::step(settings_.fsm, second_state_, rt_.now(), event));
    on_second_ = false;
    if (!second_state_.has_connection()) {
      if (second_) second_->socket.close();  // its lane sees the error and ends
      second_.reset();
      second_state_ = FsmState{};
    }
    deadlines_moved(before);
    maybe_finish();
  }

  // The session's connection is gone (Idle, or Active after a TCP failure):
  // a second connection still negotiating takes its place, with the
  // reconnect bookkeeping of the session.
  void promote_second() {
    if (!second_ || stop_requested_ || fsm_.state().has_connection()) return;
    auto& st = fsm_.mutable_state();
    FsmState next = second_state_;
    next.failures = st.failures;
    next.backoffs = st.backoffs;
    next.last_connect_at = st.last_connect_at;
    next.started = st.started;
    st = std::move(next);
    current_ = std::move(second_);
    second_.reset();
    second_state_ = FsmState{};
    current_->writer_wake.notify();
  }

  std::optional<Time> next_deadline_all() const {
    auto d = fsm_.next_deadline();
    auto earliest = [&d](const std::optional<Time>& t) {
      if (t && (!d || *t < *d)) d = t;
    };
    if (second_) earliest(session::next_deadline(second_state_));
    earliest(restart_deadline_);
    earliest(stale_deadline_);
    for (const auto& [_, deadline] : refresh_deadlines_) earliest(deadline);
    for (const auto& [_, deadline] : long_lived_deadlines_) earliest(deadline);
    return d;
  }
  void deadlines_moved(const std::optional<Time>& before) {
    if (next_deadline_all() != before) {
      ++timer_generation_;
      timer_.cancel();
      deadline_changed_.notify();
    }
  }
  ConnectionPtr& target() { return on_second_ ? second_ : current_; }
  const FsmState& target_state() const { return on_second_ ? second_state_ : fsm_.state(); }

  // --- FSM ---------------------------------------------------------------

  // Steps the FSM for an event from connection `connection` (0: none) and
  // carries out the actions. Events from a connection the FSM has already
  // dropped are stale and ignored.
  void handle(std::uint64_t connection, const Event& event) {
    if (second_ && connection != 0 && connection == second_->id) {
      step_second(event);
      return;
    }
    if (connection != live_id()) return;
    step(event);
  }

  // Steps the FSM, carries out its actions, and wakes the timer loop when
  // the earliest deadline moved.
  void step(const Event& event) {
    const auto before = next_deadline_all();
    perform(fsm_.step(rt_.now(), event));
    promote_second();
    deadlines_moved(before);
    maybe_finish();
  }

  void perform(const std::vector<Action>& actions) {
    for (const auto& action : actions) std::visit([this](const auto& a) { perform(a); }, action);
  }
  void perform(const Connect&) {
    want_connect_ = true;
    connect_wanted_.notify();
  }
  void perform(const CloseConnection& a) {
    if (!on_second_) cancel_connect();
    auto& slot = target();
    if (!slot) return;
    ConnectionPtr c = std::move(slot);
    slot.reset();
    c->close_after_flush = true;
    // abort: our output is blocked (RFC 9687), so what is queued cannot pass.
    if (a.abort) c->control.clear();
    if (c->control.empty()) c->socket.close();
    c->writer_wake.notify();
  }
  void perform(const SendOpen& a) { send_control(wire::Message(a.open)); }
  void perform(const SendKeepalive&) { send_control(wire::Message(wire::Keepalive{})); }
  void perform(const SendNotification& a) { send_control(wire::Message(a.notification)); }
  void perform(const Established& a) {
    // RFC 4271 9.4 / RFC 4724: the whole Adj-RIB-Out, then End-of-RIB per family.
    adj_rib_out_.clear_pending();
    first_routes_due_ = true;
    for (auto family : a.negotiated.families.items()) {
      adj_rib_out_.resend_all(family);
      adj_rib_out_.request_end_of_rib(family);
    }
    observer_.on_established(settings_.name, a.negotiated);
    routes_changed();
    // RFC 4724 4.2: stale routes of a family the new session does not
    // preserve go now; the others wait for their End-of-RIB, or the stale timer.
    restart_deadline_.reset();
    long_lived_deadlines_.clear();
    for (auto family : adj_rib_in_.stale_families())
      if (!keeps_stale_family(a.negotiated.graceful_restart,
                              a.negotiated.long_lived_graceful_restart, family))
        sweep_stale(family);
    if (adj_rib_in_.stale_count() != 0) stale_deadline_ = rt_.now() + settings_.stale_routes_time;
  }
  void perform(const Down& a) {
    // A connection that lost a collision, or gave way to the second one
    // before the session came up, was never the session: no event.
    if (on_second_ || (second_ && a.from != State::established && !stop_requested_)) return;
    if (a.from == State::established) {
      std::vector<rib::Route> changes;
      refresh_deadlines_.clear();  // the Adj-RIB-In drops the refresh marks below
      stale_deadline_.reset();
      restart_deadline_.reset();
      long_lived_deadlines_.clear();
      if (a.graceful_restart && !stop_requested_) {
        // RFC 4724 4.2: keep the routes of the families the peer listed,
        // stale, until it is back or its Restart Time has passed; RFC 9494
        // 4.2: and those of families with a Long-Lived Stale Time, which a
        // family missing from the Graceful Restart capability starts at once.
        long_lived_ = a.long_lived_graceful_restart;
        std::vector<wire::Family> graceful, long_lived_only;
        for (const auto& e : a.graceful_restart->families) graceful.push_back(e.family);
        if (long_lived_)
          for (const auto& e : long_lived_->entries)
            if (e.stale_time_s != 0 &&
                std::find(graceful.begin(), graceful.end(), e.family) == graceful.end())
              long_lived_only.push_back(e.family);
        auto families = graceful;
        families.insert(families.end(), long_lived_only.begin(), long_lived_only.end());
        changes = adj_rib_in_.retain_stale(families);
        for (auto family : long_lived_only) append(changes, enter_long_lived(family));
        if (adj_rib_in_.stale_count() != 0)
          restart_deadline_ = rt_.now() + std::chrono::seconds(a.graceful_restart->restart_time_s);
      } else {
        changes = adj_rib_in_.clear();
      }
      if (!changes.empty()) observer_.on_routes(settings_.name, changes);
    }
    observer_.on_down(settings_.name, a);
  }

  static void append(std::vector<rib::Route>& to, std::vector<rib::Route> from) {
    to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
  }
  // RFC 9494 4.3: the family's stale routes become long-lived stale until its
  // Long-Lived Stale Time has passed.
  std::vector<rib::Route> enter_long_lived(wire::Family family) {
    const auto stale_time = long_lived_stale_time(long_lived_, family);
    if (!stale_time) return adj_rib_in_.sweep_stale(family);
    long_lived_deadlines_[family] = rt_.now() + std::chrono::seconds(*stale_time);
    return adj_rib_in_.enter_long_lived(family, pool_);
  }
  // Drops stale routes (of one family, or all) and reports them.
  void sweep_stale(std::optional<wire::Family> family = std::nullopt) {
    auto changes = adj_rib_in_.sweep_stale(family);
    if (family) long_lived_deadlines_.erase(*family);
    if (adj_rib_in_.stale_count() == 0) {
      stale_deadline_.reset();
      restart_deadline_.reset();
      long_lived_deadlines_.clear();
    }
    if (!changes.empty()) observer_.on_routes(settings_.name, changes);
  }
  // The graceful-restart timers: the peer's Restart Time ran out before it
  // came back (each family goes, or turns long-lived stale), a family's
  // Long-Lived Stale Time ran out, or the End-of-RIB did not come within the
  // stale timer after the peer came back.
  void expire_stale(Time now) {
    if (restart_deadline_ && *restart_deadline_ <= now) {
      restart_deadline_.reset();
      std::vector<rib::Route> changes;
      for (auto family : adj_rib_in_.stale_families())
        if (!long_lived_deadlines_.contains(family)) append(changes, enter_long_lived(family));
      if (!changes.empty()) observer_.on_routes(settings_.name, changes);
    }
    std::vector<wire::Family> expired;
    for (const auto& [family, deadline] : long_lived_deadlines_)
      if (deadline <= now) expired.push_back(family);
    for (auto family : expired) sweep_stale(family);
    if (stale_deadline_ && *stale_deadline_ <= now) sweep_stale();
    std::vector<wire::Family> unfinished;
    for (const auto& [family, deadline] : refresh_deadlines_)
      if (deadline <= now) unfinished.push_back(family);
    for (auto family : unfinished) end_refresh(family);
  }

  // RFC 7313 4, receiving side: a BoRR marks the family's routes stale (a
  // second one starts over) and arms the purge timer; the EoRR, or the timer,
  // drops what was not sent again since, reported like any withdrawal. An
  // EoRR with no BoRR before it has nothing to end and is ignored.
  void refresh_in(const wire::RouteRefresh& m) {
    const auto before = next_deadline_all();
    if (m.subtype == wire::RouteRefresh::begin_of_rib) {
      adj_rib_in_.begin_refresh(m.family);
      refresh_deadlines_[m.family] = rt_.now() + settings_.refresh_stale_time;
    } else if (m.subtype == wire::RouteRefresh::end_of_rib && adj_rib_in_.refreshing(m.family)) {
      end_refresh(m.family);
    }
    deadlines_moved(before);
  }
  void end_refresh(wire::Family family) {
    refresh_deadlines_.erase(family);
    auto changes = adj_rib_in_.end_refresh(family);
    if (!changes.empty()) observer_.on_routes(settings_.name, changes);
  }

  void send_control(const wire::Message& m) {
    auto& c = target();
    if (!c) return;
    const auto& st = target_state();
    const wire::EncodeContext ctx = st.negotiated ? st.negotiated->send : wire::EncodeContext{};
    auto bytes = wire::encode_message(m, ctx);
    observer_.on_sent(settings_.name, m, ctx, bytes);
    c->control.push_back(std::move(bytes));
    c->writer_wake.notify();
  }

  void cancel_connect() {
    want_connect_ = false;
    ++connect_generation_;
    if (connecting_) connect_cancel_.emit(boost::asio::cancellation_type::terminal);
  }

  void maybe_finish() {
    if (!stop_requested_ || finished_ || fsm_.state().state != State::idle || second_) return;
    finished_ = true;
    ++timer_generation_;
    timer_.cancel();
    deadline_changed_.notify();
    connect_wanted_.notify();
    wake_lanes();
  }

  // --- Coroutines ------------------------------------------------------------

  // Steps Tick whenever the FSM's earliest deadline passes.
  awaitable<void> timer_loop() {
    while (!finished_) {
      const auto deadline = next_deadline_all();
      const auto generation = timer_generation_;
      if (!deadline) {
        auto [ec] = co_await deadline_changed_.async_wait(as_tuple_deferred());
        if (ec) co_return;  // cancelled from outside
        continue;
      }
      const auto now = rt_.now();
      if (*deadline <= now) {
        expire_stale(now);
        if (second_) step_second(Tick{});
        handle(live_id(), Tick{});
        continue;
      }
      timer_.expires_after(*deadline - now);
      auto [ec] = co_await timer_.async_wait(as_tuple_deferred());
      // Aborted without a re-arm of ours: cancelled from outside (or a crash).
      if (ec && generation == timer_generation_) co_return;
      // The tick may send a KEEPALIVE: a hint to load what waking the writer
      // touches while the FSM steps (with thousands of sessions those lines
      // are cold; this was a tenth of a 1,000-speaker run).
      if (current_) {
        __builtin_prefetch(current_.get());
        current_->writer_wake.prefetch();
      }
    }
  }

  // Opens the outbound connections the FSM asks for.
  awaitable<void> connect_loop() {
    while (!finished_) {
      if (!want_connect_) {
        auto [ec] = co_await connect_wanted_.async_wait(as_tuple_deferred());
        if (ec) co_return;
        continue;
      }
      want_connect_ = false;
      const auto generation = connect_generation_;
      connecting_ = true;
      auto [ec, socket] = co_await rt_.async_connect(
          settings_.remote, settings_.socket,
          boost::asio::bind_cancellation_slot(connect_cancel_.slot(), as_tuple_awaitable()));
      // The operation is over: its cancellation handler must not be called
      // again (it refers to the connecting socket, now moved or closed).
      connecting_ = false;
      connect_cancel_.slot().clear();
      if (generation != connect_generation_ || finished_) {
        // Superseded (CloseConnection, stop, or an adopted inbound connection).
        if (!ec) socket.close();
        continue;
      }
      if (ec) {
        if (ec == boost::asio::error::operation_aborted) co_return;  // cancelled from outside
        // Only the FSM waiting in Connect cares; a late attempt that fails
        // after an inbound connection was adopted is simply over.
        if (!current_) handle(0, TcpFailed{});
        continue;
      }
      if (current_) {
        if (collision_possible())
          adopt_second(std::move(socket), true);
        else
          socket.close();
        continue;
      }
      install(std::move(socket), true);
      handle(live_id(), TcpConnected{});
    }
  }

  // Runs reader || writer on each connection no other lane runs (two lanes:
  // the session's connection and a colliding one).
  awaitable<void> lane(Notifier<executor_type>& ready) {
    using namespace boost::asio::experimental::awaitable_operators;
    for (;;) {
      ConnectionPtr c = current_ && !current_->claimed ? current_
                        : second_ && !second_->claimed ? second_
                                                       : nullptr;
      if (!c) {
        if (finished_) co_return;
        auto [ec] = co_await ready.async_wait(as_tuple_deferred());
        if (ec) co_return;
        continue;
      }
      c->claimed = true;
      co_await (reader(c) || writer(c));
      c->socket.close();
      // RFC 4271 event 18: the connection closed or broke.
      if (current_ == c) {
        current_.reset();
        step(TcpFailed{});
      } else if (second_ == c) {
        second_.reset();
        step_second(TcpFailed{});
      }
      boost::asio::cancellation_state state = co_await boost::asio::this_coro::cancellation_state;
      if (state.cancelled() != boost::asio::cancellation_type::none) co_return;
    }
  }

  wire::DecodeContext receive_context(const ConnectionPtr& c) const {
    const auto& st = c == second_ ? second_state_ : fsm_.state();
    return st.negotiated ? st.negotiated->receive : wire::DecodeContext{};
  }

  awaitable<void> reader(ConnectionPtr c) {
    wire::Bytes buffer;
    std::array<std::uint8_t, 65536> chunk;
    for (;;) {
      std::size_t consumed = 0;
      for (;;) {
        const auto ctx = receive_context(c);
        auto rest = wire::ByteView(buffer).subspan(consumed);
        auto frame = wire::next_frame(rest, ctx);
        if (!frame) break;
        if (!*frame) {
          handle(c->id, MessageError{frame->error()});
          co_await linger(c);
          co_return;
        }
        auto bytes = rest.subspan(0, (*frame)->length);
        consumed += (*frame)->length;
        auto message = wire::decode_message(bytes, ctx);
        if (!message) {
          observer_.on_undecodable(settings_.name, bytes, message.error());
          // RFC 7313 5: a ROUTE-REFRESH with an unknown subtype "MUST be ignored"
          // (the codec marks it with code 0).
          if (message.error().code == 0) continue;
          handle(c->id, MessageError{message.error()});
          co_await linger(c);
          co_return;
        }
        receive(c, *message, ctx, bytes);
        if (c != current_ && c != second_) {  // the FSM dropped this connection
          co_await linger(c);
          co_return;
        }
      }
      buffer.erase(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(consumed));
      auto [ec, n] =
          co_await c->socket.async_read_some(boost::asio::buffer(chunk), as_tuple_deferred());
      if (ec) co_return;
      buffer.insert(buffer.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(n));
    }
  }

  // The FSM has let go of this connection after what it read, and may have
  // queued its last words for the writer (the NOTIFICATION of a malformed
  // message, a collision's Cease), which sends them and then closes the socket.
  // Returning at once would end `reader || writer` and cancel the writer before
  // it writes, losing the NOTIFICATION RFC 4271 6 requires; so the reader
  // discards input until the socket closes, for at most kLinger, so that a
  // peer that stops reading cannot hold the lane.
  static constexpr std::chrono::seconds kLinger{5};
  awaitable<void> linger(ConnectionPtr c) {
    using namespace boost::asio::experimental::awaitable_operators;
    auto timer = rt_.make_timer();
    timer.expires_after(kLinger);
    co_await (discard_input(c) || timer.async_wait(as_tuple_awaitable()));
  }
  awaitable<void> discard_input(ConnectionPtr c) {
    std::array<std::uint8_t, 4096> sink;
    for (;;) {
      auto [ec, n] =
          co_await c->socket.async_read_some(boost::asio::buffer(sink), as_tuple_deferred());
      if (ec) co_return;
    }
  }

  // Events describe what the speaker did (DESIGN.md): an UPDATE is reported
  // after the FSM step and the Adj-RIB-In, and only when it was applied (one
  // arriving outside Established is an FSM error, not a route event). Other
  // messages are reported as they arrive, before the step they cause (a
  // NOTIFICATION before the session's Down).
  void receive(const ConnectionPtr& c, const wire::Message& message, const wire::DecodeContext& ctx,
               wire::ByteView raw) {
    if (!std::holds_alternative<wire::Update>(message))
      observer_.on_message(settings_.name, message, ctx, raw);
    std::visit(
        [&](const auto& m) {
          using T = std::decay_t<decltype(m)>;
          if constexpr (std::is_same_v<T, wire::Open>) {
            if (resolve_collision(c, m)) handle(c->id, OpenReceived{m});
          } else if constexpr (std::is_same_v<T, wire::Keepalive>) {
            handle(c->id, KeepaliveReceived{});
          } else if constexpr (std::is_same_v<T, wire::Notification>) {
            handle(c->id, NotificationReceived{m});
          } else if constexpr (std::is_same_v<T, wire::Update>) {
            handle(c->id, UpdateReceived{});
            if (c == current_ && fsm_.state().state == State::established) {
              const auto external = ingress(m);
              const wire::Update& u = external ? *external : m;
              auto changes = adj_rib_in_.apply(u, pool_);
              if (!changes.empty()) observer_.on_routes(settings_.name, changes);
              if (external)
                observer_.on_message(settings_.name, wire::Message{u}, ctx, raw);
              else
                observer_.on_message(settings_.name, message, ctx, raw);
              // RFC 4724 4.2: "Once the End-of-RIB marker for an address
              // family is received from the peer, it MUST immediately remove
              // any routes from the peer that are still marked as stale".
              if (adj_rib_in_.stale_count() != 0)
                if (auto family = m.end_of_rib()) {
                  const auto before = next_deadline_all();
                  sweep_stale(*family);
                  deadlines_moved(before);
                }
              check_prefix_limits(c, changes);
            }
          } else if constexpr (std::is_same_v<T, wire::RouteRefresh>) {
            handle(c->id, RouteRefreshReceived{});
            // RFC 2918 3: re-advertise the Adj-RIB-Out of the family asked for.
            const auto& st = fsm_.state();
            if (c == current_ && st.state == State::established && st.negotiated &&
                st.negotiated->families.contains(m.family)) {
              if (m.subtype == wire::RouteRefresh::request)
                refresh_out(m.family);
              else if (st.negotiated->enhanced_route_refresh)
                refresh_in(m);
            }
          }
        },
        message);
  }

  // The receive rules that depend on the neighbor, which the codec does not
  // know; applied to a copy of the UPDATE (nullopt when nothing changes).
  std::optional<wire::Update> ingress(const wire::Update& m) const {
    const auto& negotiated = fsm_.state().negotiated;
    if (!negotiated || negotiated->ibgp()) return std::nullopt;
    std::optional<wire::Update> out;
    auto copy = [&]() -> wire::Update& {
      if (!out) out = m;
      return *out;
    };
    // RFC 7606 7.5: "If the LOCAL_PREF attribute is received from an external
    // neighbor, it SHALL be discarded using the approach of "attribute
    // discard"" (the codec asked for treat-as-withdraw).
    auto local_pref = [](const wire::AttributeError& e) {
      return e.type_code == wire::attr::local_pref;
    };
    if (std::any_of(m.attribute_errors.begin(), m.attribute_errors.end(), local_pref)) {
      auto& u = copy();
      for (auto& e : u.attribute_errors)
        if (local_pref(e)) e.action = wire::ErrorAction::attribute_discard;
      u.attributes.local_pref.reset();
    }
    if (negotiated->local_role) only_to_customer(m, *negotiated, copy);
    return out;
  }

  // RFC 9234 5, the Only to Customer attribute (type 35, optional transitive,
  // four octets) on a session with a configured role:
  //  1. "If a route with the OTC Attribute is received from a Customer or an
  //     RS-Client, then it is a route leak and MUST be considered ineligible";
  //  2. "If a route with the OTC Attribute is received from a Peer (i.e.,
  //     remote AS with a Peer Role) and the Attribute has a value that is not
  //     equal to the remote (i.e., Peer's) AS number, then it is a route leak
  //     and MUST be considered ineligible";
  //  3. "If a route is received from a Provider, a Peer, or an RS and the OTC
  //     Attribute is not present, then it MUST be added with a value equal to
  //     the AS number of the remote AS".
  // A malformed OTC (length not 4) is treat-as-withdraw. Ineligible routes
  // are treated as withdrawn: the speaker keeps no route it may not use.
  template <class Copy>
  static void only_to_customer(const wire::Update& m, const Negotiated& n, Copy&& copy) {
    if (m.nlri.empty() && !m.attributes.mp_reach) return;  // nothing announced
    const auto& other = m.attributes.other;
    const auto it = find_otc(other);
    auto ineligible = [&](std::string reason) {
      copy().attribute_errors.push_back(wire::AttributeError{
          otc_code, wire::ErrorAction::treat_as_withdraw,
          wire::make_error(0, wire::NotifyCode::update_message,
                           wire::update_error::optional_attribute_error, std::move(reason))});
    };
    const std::uint8_t local = *n.local_role;
    namespace role = wire::cap::role;
    if (it == other.end()) {
      if (neighbor_above_or_peer(local)) add_otc(copy().attributes.other, n.peer_as);
      return;
    }
    if (it->value.size() != 4)
      return ineligible("OTC of length " + std::to_string(it->value.size()));
    const std::uint32_t value = std::uint32_t(it->value[0]) << 24 |
                                std::uint32_t(it->value[1]) << 16 |
                                std::uint32_t(it->value[2]) << 8 | it->value[3];
    if (local == role::provider || local == role::rs)
      return ineligible("route leak: OTC " + std::to_string(value) +
                        " from a customer or RS-client");
    if (local == role::peer && value != n.peer_as)
      return ineligible("route leak: OTC " + std::to_string(value) + " from a peer of AS " +
                        std::to_string(n.peer_as));
  }

  // The send rules that depend on the neighbor: RFC 9234 5 on an external
  // session with a configured role (only_to_customer.hpp).
  static std::vector<wire::Update> egress(wire::Update u, const Negotiated& n) {
    if (!n.local_role || n.ibgp()) return {std::move(u)};
    return only_to_customer_egress(std::move(u), *n.local_role, n.local_as, n.send);
  }

  // RFC 4486 4: a family over its configured upper bound ends the session.
  // Only families this UPDATE announced in are counted (the count walks the
  // family's routes, at most limit + 1 of them).
  void check_prefix_limits(const ConnectionPtr& c, const std::vector<rib::Route>& changes) {
    if (settings_.prefix_limits.empty()) return;
    std::vector<wire::Family> announced;
    for (const auto& r : changes)
      if (r.attributes &&
          std::find(announced.begin(), announced.end(), r.key.family) == announced.end())
        announced.push_back(r.key.family);
    for (auto family : announced)
      if (auto l = exceeded_limit(settings_.prefix_limits, family, adj_rib_in_.size(family))) {
        handle(c->id, Stop{max_prefixes_notification(*l), true});
        return;
      }
  }

  awaitable<void> writer(ConnectionPtr c) {
    wire::Bytes out;
    for (;;) {
      bool update = false;
      if (!c->control.empty()) {
        out = std::move(c->control.front());
        c->control.pop_front();
      } else if (c->close_after_flush) {
        c->socket.shutdown_send();
        c->socket.close();
        co_return;
      } else if (const auto& st = fsm_.state();
                 c == current_ && st.state == State::established && adj_rib_out_.has_pending()) {
        auto options = settings_.build;
        options.families = st.negotiated->families;
        out.clear();
        // ExaBGP sends no withdrawal in the first UPDATEs of a session that
        // carry routes (reactor/peer.py: include_withdraw is false until
        // that batch is out). Nothing was advertised on the session before,
        // so what they would withdraw is not the peer's anyway.
        options.include_withdraw = !(first_routes_due_ && st.negotiated->send.exabgp_compat);
        auto send = [&](const wire::Message& m) {
          const auto at = out.size();
          wire::encode_message(m, st.negotiated->send, out);
          observer_.on_sent(settings_.name, m, st.negotiated->send,
                            wire::ByteView(out).subspan(at));
        };
        for (auto& built : adj_rib_out_.take_updates(st.negotiated->send, options))
          for (auto& u : egress(std::move(built), *st.negotiated)) {
            if (!u.end_of_rib()) first_routes_due_ = false;
            send(wire::Message(std::move(u)));
          }
        for (auto family : adj_rib_out_.take_refresh_ends())
          send(wire::Message(wire::RouteRefresh{family, wire::RouteRefresh::end_of_rib}));
        if (auto refused = adj_rib_out_.take_refused(); !refused.empty())
          observer_.on_refused(settings_.name, refused);
        if (out.empty()) continue;
        update = true;
      } else {
        auto [ec] = co_await c->writer_wake.async_wait(as_tuple_deferred());
        if (ec) co_return;  // cancelled: the reader ended
        continue;
      }
      // All of `out`, as boost::asio::async_write would, but without its
      // composed operation: that installs a cancellation state of its own
      // per write, a handler block of another size than every other one,
      // and Asio's first-fit handler cache then missed on every write at
      // scale (malloc was 5 % of a 1,000-speaker run).
      for (std::size_t done = 0; done < out.size();) {
        auto [ec, n] = co_await c->socket.async_write_some(
            boost::asio::buffer(out.data() + done, out.size() - done), as_tuple_deferred());
        if (ec || n == 0) co_return;  // (0 bytes without an error: a broken stream)
        done += n;
      }
      if (!update || c == current_) handle(c->id, MessageSent{});
    }
  }

  R& rt_;
  PeerSettings settings_;
  PeerObserver& observer_;
  rib::AttributePool& pool_;
  Fsm fsm_;
  rib::AdjRibIn adj_rib_in_;
  rib::AdjRibOut adj_rib_out_;

  typename R::timer_type timer_;
  std::uint64_t timer_generation_ = 0;
  Notifier<executor_type> deadline_changed_;
  Notifier<executor_type> connect_wanted_;
  std::array<Notifier<executor_type>, 2> lane_ready_;
  boost::asio::cancellation_signal connect_cancel_;
  bool connecting_ = false;
  std::uint64_t connect_generation_ = 0;
  bool want_connect_ = false;

  ConnectionPtr current_;
  bool first_routes_due_ = false;  // no UPDATE with routes sent on the session yet
  // A colliding connection and its FSM (RFC 4271 6.8), until an OPEN decides.
  ConnectionPtr second_;
  FsmState second_state_;
  bool on_second_ = false;  // perform() acts on second_
  std::uint64_t collisions_ = 0;
  std::uint64_t next_connection_id_ = 0;
  // Graceful restart, receiving side: while the Adj-RIB-In holds stale routes,
  // the peer's Restart Time (session down) or the stale timer (session back).
  std::optional<Time> restart_deadline_;
  std::optional<Time> stale_deadline_;
  // RFC 9494: the last session's Long-Lived Graceful Restart capability, and
  // the families whose routes are long-lived stale, with their deadlines.
  std::optional<wire::cap::LongLivedGracefulRestart> long_lived_;
  std::map<wire::Family, Time> long_lived_deadlines_;
  // RFC 7313: the families whose BoRR awaits its EoRR, with their purge time.
  std::map<wire::Family, Time> refresh_deadlines_;
  bool stop_requested_ = false;
  bool finished_ = false;
};

}  // namespace bgpsim::session
