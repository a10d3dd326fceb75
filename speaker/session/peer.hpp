// One configured peer over any Runtime: the FSM (fsm.hpp) driven by sibling
// coroutines joined with Asio's awaitable operators, never detached:
//   run() = timer_loop && connect_loop && session_loop
//   session_loop runs, per connection, reader || writer
// Every source of events (reader, connector, timers, the reactor) calls
// handle(), which steps the FSM and carries out its actions synchronously:
// the executor is single-threaded, so the FSM, the Adj-RIB-In and the
// Adj-RIB-Out need no locks, and a message decoded after an OPEN already
// sees the negotiated context.
//
// Connection collisions: see accept().
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <deque>
#include <memory>
#include <string>

#include "speaker/rib/adj_rib_in.hpp"
#include "speaker/rib/adj_rib_out.hpp"
#include "speaker/runtime/runtime.hpp"
#include "speaker/session/fsm.hpp"
#include "speaker/session/notifier.hpp"

namespace bgpsim::session {

struct PeerSettings {
  std::string name;               // how events and logs name the peer (its address)
  runtime::Endpoint remote;       // where we connect
  runtime::SocketOptions socket;  // local address, TCP-MD5, TTL
  PeerConfig fsm;                 // what we are and offer
  rib::BuildOptions build;        // update packing
};

// What a peer reports to whoever owns it (the reactor). All calls happen on
// the peer's executor, synchronously from handle().
class PeerObserver {
 public:
  virtual ~PeerObserver() = default;
  virtual void on_established(const std::string& /*peer*/, const Negotiated&) {}
  virtual void on_down(const std::string& /*peer*/, const Down&) {}
  // Every message received, with the context it was decoded with.
  virtual void on_message(const std::string& /*peer*/, const wire::Message&,
                          const wire::DecodeContext&) {}
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
        connection_ready_(rt.get_executor()) {}

  Peer(const Peer&) = delete;
  Peer& operator=(const Peer&) = delete;

  // The peer's whole life: starts the FSM and returns once stop() has
  // completed (NOTIFICATION flushed, connection closed).
  awaitable<void> run() {
    using namespace boost::asio::experimental::awaitable_operators;
    handle(0, Start{});
    co_await (timer_loop() && connect_loop() && session_loop());
  }

  // Manual stop (RFC 4271 event 2): NOTIFICATION (default Cease /
  // Administrative Shutdown), close, no reconnect; run() then returns.
  void stop(std::optional<wire::Notification> notification = std::nullopt) {
    if (stop_requested_) return;
    stop_requested_ = true;
    handle(live_id(), Stop{std::move(notification), false});
    cancel_connect();
    maybe_finish();
  }

  // An inbound connection for this peer, from the reactor's listener.
  // Returns false when it was refused (and closed).
  bool accept(socket_type socket) {
    // RFC 4271 6.8 resolves a collision with the identifiers from both OPENs,
    // which needs an FSM per connection; until the reactor runs two, the
    // connection we already hold is kept and the new one is refused. The
    // peers' jittered back-offs keep simultaneous attempts from repeating.
    if (stop_requested_ || current_) return refuse(socket);
    socket.apply(settings_.socket);
    cancel_connect();
    install(std::move(socket), false);
    // The FSM decides: valid in Connect and Active, refused (CloseConnection) in Idle.
    handle(live_id(), TcpConnected{});
    return current_ != nullptr;
  }

  // Route changes go straight into the Adj-RIB-Out; this wakes the writer.
  rib::AdjRibOut& adj_rib_out() { return adj_rib_out_; }
  void routes_changed() {
    if (current_) current_->writer_wake.notify();
  }

  const rib::AdjRibIn& adj_rib_in() const { return adj_rib_in_; }
  State state() const { return fsm_.state().state; }
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
    Notifier<executor_type> writer_wake;
  };
  using ConnectionPtr = std::shared_ptr<Connection>;

  static constexpr auto as_tuple_awaitable() {
    return boost::asio::as_tuple(boost::asio::use_awaitable_t<executor_type>{});
  }

  std::uint64_t live_id() const { return current_ ? current_->id : 0; }

  static bool refuse(socket_type& socket) {
    socket.close();
    return false;
  }

  void install(socket_type socket, bool outbound) {
    current_ = std::make_shared<Connection>(std::move(socket), ++next_connection_id_, outbound,
                                            rt_.get_executor());
    connection_ready_.notify();
  }

  // --- FSM ---------------------------------------------------------------

  // Steps the FSM for an event from connection `connection` (0: none) and
  // carries out the actions. Events from a connection the FSM has already
  // dropped are stale and ignored.
  void handle(std::uint64_t connection, const Event& event) {
    if (connection != live_id()) return;
    step(event);
  }

  // Steps the FSM, carries out its actions, and wakes the timer loop when
  // the earliest deadline moved.
  void step(const Event& event) {
    const auto before = fsm_.next_deadline();
    perform(fsm_.step(rt_.now(), event));
    if (fsm_.next_deadline() != before) {
      ++timer_generation_;
      timer_.cancel();
      deadline_changed_.notify();
    }
    maybe_finish();
  }

  void perform(const std::vector<Action>& actions) {
    for (const auto& action : actions) std::visit([this](const auto& a) { perform(a); }, action);
  }
  void perform(const Connect&) {
    want_connect_ = true;
    connect_wanted_.notify();
  }
  void perform(const CloseConnection&) {
    cancel_connect();
    if (!current_) return;
    ConnectionPtr c = std::move(current_);
    current_.reset();
    c->close_after_flush = true;
    if (c->control.empty()) c->socket.close();
    c->writer_wake.notify();
  }
  void perform(const SendOpen& a) { send_control(wire::Message(a.open)); }
  void perform(const SendKeepalive&) { send_control(wire::Message(wire::Keepalive{})); }
  void perform(const SendNotification& a) { send_control(wire::Message(a.notification)); }
  void perform(const Established& a) {
    // RFC 4271 9.4 / RFC 4724: the whole Adj-RIB-Out, then End-of-RIB per family.
    adj_rib_out_.clear_pending();
    for (auto family : a.negotiated.families.items()) {
      adj_rib_out_.resend_all(family);
      adj_rib_out_.request_end_of_rib(family);
    }
    observer_.on_established(settings_.name, a.negotiated);
    routes_changed();
  }
  void perform(const Down& a) {
    if (a.from == State::established) {
      auto changes = adj_rib_in_.clear();
      if (!changes.empty()) observer_.on_routes(settings_.name, changes);
    }
    observer_.on_down(settings_.name, a);
  }

  void send_control(const wire::Message& m) {
    if (!current_) return;
    const auto& st = fsm_.state();
    current_->control.push_back(
        wire::encode_message(m, st.negotiated ? st.negotiated->send : wire::EncodeContext{}));
    current_->writer_wake.notify();
  }

  void cancel_connect() {
    want_connect_ = false;
    ++connect_generation_;
    if (connecting_) connect_cancel_.emit(boost::asio::cancellation_type::terminal);
  }

  void maybe_finish() {
    if (!stop_requested_ || finished_ || fsm_.state().state != State::idle) return;
    finished_ = true;
    ++timer_generation_;
    timer_.cancel();
    deadline_changed_.notify();
    connect_wanted_.notify();
    connection_ready_.notify();
  }

  // --- Coroutines ------------------------------------------------------------

  // Steps Tick whenever the FSM's earliest deadline passes.
  awaitable<void> timer_loop() {
    while (!finished_) {
      const auto deadline = fsm_.next_deadline();
      const auto generation = timer_generation_;
      if (!deadline) {
        auto [ec] = co_await deadline_changed_.async_wait(as_tuple_awaitable());
        if (ec) co_return;  // cancelled from outside
        continue;
      }
      const auto now = rt_.now();
      if (*deadline <= now) {
        handle(live_id(), Tick{});
        continue;
      }
      timer_.expires_after(*deadline - now);
      auto [ec] = co_await timer_.async_wait(as_tuple_awaitable());
      // Aborted without a re-arm of ours: cancelled from outside (or a crash).
      if (ec && generation == timer_generation_) co_return;
    }
  }

  // Opens the outbound connections the FSM asks for.
  awaitable<void> connect_loop() {
    while (!finished_) {
      if (!want_connect_) {
        auto [ec] = co_await connect_wanted_.async_wait(as_tuple_awaitable());
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
        handle(live_id(), TcpFailed{});
        continue;
      }
      if (current_) {
        socket.close();
        continue;
      }
      install(std::move(socket), true);
      handle(live_id(), TcpConnected{});
    }
  }

  // Runs reader || writer on each connection in turn.
  awaitable<void> session_loop() {
    using namespace boost::asio::experimental::awaitable_operators;
    for (;;) {
      if (!current_) {
        if (finished_) co_return;
        auto [ec] = co_await connection_ready_.async_wait(as_tuple_awaitable());
        if (ec) co_return;
        continue;
      }
      ConnectionPtr c = current_;
      co_await (reader(c) || writer(c));
      c->socket.close();
      if (current_ == c) {
        current_.reset();
        // RFC 4271 event 18: the connection closed or broke.
        step(TcpFailed{});
      }
      boost::asio::cancellation_state state = co_await boost::asio::this_coro::cancellation_state;
      if (state.cancelled() != boost::asio::cancellation_type::none) co_return;
    }
  }

  wire::DecodeContext receive_context() const {
    const auto& st = fsm_.state();
    return st.negotiated ? st.negotiated->receive : wire::DecodeContext{};
  }

  awaitable<void> reader(ConnectionPtr c) {
    wire::Bytes buffer;
    std::array<std::uint8_t, 65536> chunk;
    for (;;) {
      std::size_t consumed = 0;
      for (;;) {
        const auto ctx = receive_context();
        auto rest = wire::ByteView(buffer).subspan(consumed);
        auto frame = wire::next_frame(rest, ctx);
        if (!frame) break;
        if (!*frame) {
          handle(c->id, MessageError{frame->error()});
          co_return;
        }
        auto bytes = rest.subspan(0, (*frame)->length);
        consumed += (*frame)->length;
        auto message = wire::decode_message(bytes, ctx);
        if (!message) {
          // RFC 7313 5: a ROUTE-REFRESH with an unknown subtype "MUST be ignored"
          // (the codec marks it with code 0).
          if (message.error().code == 0) continue;
          handle(c->id, MessageError{message.error()});
          co_return;
        }
        receive(c, *message, ctx);
        if (c != current_) co_return;  // the FSM dropped this connection
      }
      buffer.erase(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(consumed));
      auto [ec, n] =
          co_await c->socket.async_read_some(boost::asio::buffer(chunk), as_tuple_awaitable());
      if (ec) co_return;
      buffer.insert(buffer.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(n));
    }
  }

  void receive(const ConnectionPtr& c, const wire::Message& message,
               const wire::DecodeContext& ctx) {
    observer_.on_message(settings_.name, message, ctx);
    std::visit(
        [&](const auto& m) {
          using T = std::decay_t<decltype(m)>;
          if constexpr (std::is_same_v<T, wire::Open>) {
            handle(c->id, OpenReceived{m});
          } else if constexpr (std::is_same_v<T, wire::Keepalive>) {
            handle(c->id, KeepaliveReceived{});
          } else if constexpr (std::is_same_v<T, wire::Notification>) {
            handle(c->id, NotificationReceived{m});
          } else if constexpr (std::is_same_v<T, wire::Update>) {
            handle(c->id, UpdateReceived{});
            if (c == current_ && fsm_.state().state == State::established) {
              auto changes = adj_rib_in_.apply(m, pool_);
              if (!changes.empty()) observer_.on_routes(settings_.name, changes);
            }
          } else if constexpr (std::is_same_v<T, wire::RouteRefresh>) {
            handle(c->id, RouteRefreshReceived{});
            // RFC 2918 3: re-advertise the Adj-RIB-Out of the family asked for.
            const auto& st = fsm_.state();
            if (c == current_ && st.state == State::established &&
                m.subtype == wire::RouteRefresh::request && st.negotiated &&
                st.negotiated->families.contains(m.family)) {
              adj_rib_out_.resend_all(m.family);
              routes_changed();
            }
          }
        },
        message);
  }

  awaitable<void> writer(ConnectionPtr c) {
    wire::Bytes out;
    for (;;) {
      if (!c->control.empty()) {
        out = std::move(c->control.front());
        c->control.pop_front();
        auto [ec, n] = co_await boost::asio::async_write(c->socket, boost::asio::buffer(out),
                                                         as_tuple_awaitable());
        if (ec) co_return;
        if (c == current_) handle(c->id, MessageSent{});
        continue;
      }
      if (c->close_after_flush) {
        c->socket.shutdown_send();
        c->socket.close();
        co_return;
      }
      const auto& st = fsm_.state();
      if (c == current_ && st.state == State::established && adj_rib_out_.has_pending()) {
        auto options = settings_.build;
        options.families = st.negotiated->families;
        out.clear();
        for (const auto& u : adj_rib_out_.take_updates(st.negotiated->send, options))
          wire::encode_message(wire::Message(u), st.negotiated->send, out);
        if (auto refused = adj_rib_out_.take_refused(); !refused.empty())
          observer_.on_refused(settings_.name, refused);
        if (out.empty()) continue;
        auto [ec, n] = co_await boost::asio::async_write(c->socket, boost::asio::buffer(out),
                                                         as_tuple_awaitable());
        if (ec) co_return;
        if (c == current_) handle(c->id, MessageSent{});
        continue;
      }
      auto [ec] = co_await c->writer_wake.async_wait(as_tuple_awaitable());
      if (ec) co_return;  // cancelled: the reader ended
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
  Notifier<executor_type> connection_ready_;
  boost::asio::cancellation_signal connect_cancel_;
  bool connecting_ = false;
  std::uint64_t connect_generation_ = 0;
  bool want_connect_ = false;

  ConnectionPtr current_;
  std::uint64_t next_connection_id_ = 0;
  bool stop_requested_ = false;
  bool finished_ = false;
};

}  // namespace bgpsim::session
