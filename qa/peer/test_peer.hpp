// The test peer of the functional suite: the far end of the speaker's
// session, driven by a .ci script (qa/peer/script.hpp). It listens, accepts
// the speaker's connections, echoes the speaker's OPEN (echo_open), sends a
// KEEPALIVE, answers every message with a KEEPALIVE, checks each message
// with a body against the open group, replays the UPDATEs received so far
// when the speaker sends a ROUTE-REFRESH, and performs the script's
// notification, signal and send lines. Templated on the Runtime like the speaker:
// the simulator's nodes today, real sockets with AsioRuntime.
//
// Deterministic under SimRuntime: one coroutine per connection, no clock,
// no randomness, every container ordered.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "qa/peer/script.hpp"
#include "speaker/runtime/runtime.hpp"

namespace bgpsim::qa {

// How a test ended, from the peer's side.
struct PeerOutcome {
  enum class Status { running, passed, failed } status = Status::running;
  std::string reason;                  // why it failed
  std::string group;                   // the group open when it failed
  std::vector<Expected> expected;      // what that group still expected
  Bytes received;                      // the message that matched nothing
  std::chrono::nanoseconds at{0};      // when it passed or failed (runtime clock)
  int connections = 0;                 // accepted over the test
  std::vector<Bytes> sent_by_speaker;  // every message the speaker sent, in order
};

template <runtime::Runtime R>
class TestPeer {
 public:
  using executor_type = typename R::executor_type;
  template <class T>
  using awaitable = boost::asio::awaitable<T, executor_type>;

  // `on_signal` performs a signal: line (e.g. reload the speaker); `on_end`
  // is called once, when the outcome is decided.
  TestPeer(R& rt, PeerScript script, std::function<void(const std::string&)> on_signal,
           std::function<void()> on_end)
      : rt_(rt),
        checker_(std::move(script)),
        on_signal_(std::move(on_signal)),
        on_end_(std::move(on_end)) {}

  // Whether messages that follow the pass are still read and checked (only
  // End-of-RIB may come): the runner's settle time. Off, the peer stops
  // reading at the last expected message, as ExaBGP's qa/sbin/bgp exits
  // there, even when more arrived with it in one segment.
  void set_check_after_pass(bool on) { check_after_pass_ = on; }

  // Applied to every connection accepted (the far end's GTSM TTLs).
  void set_socket_options(runtime::SocketOptions options) { socket_options_ = std::move(options); }

  const PeerOutcome& outcome() const { return outcome_; }
  const Checker& checker() const { return checker_; }

  // Accepts connections on `acceptor` until the outcome is decided or the
  // acceptor is closed; each connection is a session (serve). Sessions run
  // one after another, as the speaker opens them one after another.
  awaitable<void> run(typename R::acceptor_type& acceptor) {
    constexpr auto tok = boost::asio::as_tuple(boost::asio::use_awaitable_t<executor_type>{});
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(tok);
      if (ec) co_return;
      const int limit = checker_.options().tcp_connections;
      if (limit != 0 && outcome_.connections >= limit) {
        socket.close();  // over option:tcp_connections
        continue;
      }
      ++outcome_.connections;
      socket.apply(socket_options_);
      co_await serve(socket);
      socket.close();
      if (ended_) co_return;
    }
  }

  // One session. Returns when the speaker closes, or the outcome is failed.
  awaitable<void> serve(typename R::socket_type& socket) {
    constexpr auto tok = boost::asio::as_tuple(boost::asio::use_awaitable_t<executor_type>{});
    bool open_seen = false;
    // The first group opens with the connection (ExaBGP's Checker.init), so
    // option:open:inspect-open-message can match the OPEN against it; its
    // leading actions are performed after the OPEN exchange.
    pending_ = checker_.advance();
    std::vector<Bytes> updates;  // received on this session, for ROUTE-REFRESH
    Bytes header(19);
    for (;;) {
      auto [ec, n] = co_await boost::asio::async_read(socket, boost::asio::buffer(header), tok);
      if (ec) co_return;
      const std::size_t length = std::size_t(header[16]) << 8 | header[17];
      if (length < 19) {
        fail("the speaker sent a message of length " + std::to_string(length), header);
        co_return;
      }
      Bytes message = header;
      message.resize(length);
      if (length > 19) {
        auto [ec2, m] = co_await boost::asio::async_read(
            socket, boost::asio::buffer(message.data() + 19, length - 19), tok);
        if (ec2) co_return;
      }
      outcome_.sent_by_speaker.push_back(message);
      const std::uint8_t type = message[18];
      std::vector<Bytes> out;
      if (!open_seen) {
        if (type != 1) {
          fail("the speaker's first message is not an OPEN", message);
          co_return;
        }
        open_seen = true;
        // option:open:inspect-open-message: the OPEN is checked like any message.
        if (checker_.options().inspect_open && !check(message)) co_return;
        auto reply = echo_open(message, checker_.options());
        if (!reply) {
          fail("the speaker's OPEN is too short to echo", message);
          co_return;
        }
        out.push_back(std::move(*reply));
        out.push_back(keepalive_message());
        if (!perform(out)) co_return;
        if (checker_.options().send_default_route) out.push_back(default_route_message());
        if (checker_.options().send_unknown_message) out.push_back(unknown_type_message());
      } else {
        out.push_back(keepalive_message());
        if (type == 2 && !end_of_rib(message)) updates.push_back(message);
        if (!check(message)) co_return;
        // RFC 2918: the speaker asks for our routes again; the test peer's
        // "routes" are the UPDATEs the speaker sent it, replayed (not its
        // End-of-RIB markers, which carry no route: ExaBGP's api-rr helper
        // reads the replayed routes and nothing else).
        if (type == 5)
          for (const auto& u : updates) out.push_back(u);
        if (!perform(out)) co_return;
      }
      // One write for the whole answer (one segment, as a peer that sends its
      // OPEN, KEEPALIVE and a message of unknown type back to back does): the
      // speaker reads them together, and answers the unknown type before it
      // sends its table (encoding/unknown-message.ci expects the
      // NOTIFICATION before any End-of-RIB).
      Bytes answer;
      for (const auto& m : out) answer.insert(answer.end(), m.begin(), m.end());
      if (!answer.empty()) {
        auto [wec, w] = co_await boost::asio::async_write(socket, boost::asio::buffer(answer), tok);
        if (wec) co_return;
      }
      if (ended_ && (outcome_.status == PeerOutcome::Status::failed || !check_after_pass_))
        co_return;
    }
  }

 private:
  // RFC 4724 2, read from the bytes: an UPDATE whose withdrawn routes and
  // attributes are empty (IPv4 unicast), or whose only attribute is an
  // MP_UNREACH_NLRI holding just its AFI and SAFI.
  static bool end_of_rib(const Bytes& m) {
    constexpr std::size_t body = 19;
    if (m.size() < body + 4 || m[body] != 0 || m[body + 1] != 0) return false;
    const std::size_t attributes = std::size_t{m[body + 2]} << 8 | m[body + 3];
    if (attributes == 0) return m.size() == body + 4;
    const std::size_t at = body + 4;
    if (m.size() != at + attributes || attributes < 6) return false;
    const bool extended = (m[at] & 0x10) != 0;  // two length bytes
    const std::size_t length =
        extended ? (std::size_t{m[at + 2]} << 8 | m[at + 3]) : std::size_t{m[at + 2]};
    constexpr std::uint8_t mp_unreach = 15;
    return m[at + 1] == mp_unreach && length == 3 && attributes == (extended ? 4u : 3u) + 3;
  }

  // Checks a message; on a mismatch the outcome fails. After the outcome
  // passed, messages are still checked: only End-of-RIB may follow.
  bool check(const Bytes& message) {
    const std::string group = checker_.group_name();
    auto remaining = checker_.remaining();
    switch (checker_.receive(message)) {
      case Checker::Verdict::matched:
      case Checker::Verdict::ignored:
        return true;
      case Checker::Verdict::unexpected:
        break;
    }
    if (outcome_.status == PeerOutcome::Status::passed) {
      outcome_.status = PeerOutcome::Status::failed;
      outcome_.reason = "a message other than End-of-RIB after the last group";
      outcome_.received = message;
      return false;
    }
    outcome_.group = group;
    outcome_.expected = std::move(remaining);
    fail(group.empty() ? "a message other than End-of-RIB after the last group"
                       : "the message matches nothing the group expects",
         message);
    return false;
  }

  // Moves through the groups and performs their actions; decides a pass.
  bool perform(std::vector<Bytes>& out) {
    auto actions = std::exchange(pending_, {});
    for (auto& a : checker_.advance()) actions.push_back(std::move(a));
    for (const auto& action : actions) {
      if (action.kind == Expected::notification) {
        out.push_back(cease_message(action.text));
      } else if (action.kind == Expected::send) {
        out.push_back(action.bytes);
      } else if (on_signal_) {
        on_signal_(action.text);
      }
    }
    if (checker_.completed() && outcome_.status == PeerOutcome::Status::running) {
      outcome_.status = PeerOutcome::Status::passed;
      outcome_.at = rt_.now();
      end();
    }
    return true;
  }

  void fail(std::string reason, const Bytes& message) {
    if (outcome_.status == PeerOutcome::Status::failed) return;
    outcome_.status = PeerOutcome::Status::failed;
    outcome_.reason = std::move(reason);
    outcome_.received = message;
    if (outcome_.group.empty()) outcome_.group = checker_.group_name();
    outcome_.at = rt_.now();
    end();
  }

  void end() {
    if (ended_) return;
    ended_ = true;
    if (on_end_) on_end_();
  }

  R& rt_;
  Checker checker_;
  runtime::SocketOptions socket_options_;
  std::function<void(const std::string&)> on_signal_;
  std::function<void()> on_end_;
  PeerOutcome outcome_;
  std::vector<Checker::Action> pending_;
  bool ended_ = false;
  bool check_after_pass_ = true;
};

}  // namespace bgpsim::qa
