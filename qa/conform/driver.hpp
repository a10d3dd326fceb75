// The scripted peer of the conformance suite: runs one case (cases.hpp)
// against a target over any Runtime — the speaker in the simulator, or a
// live daemon over real sockets. One coroutine reads what the target sends
// into a queue per connection; the case's steps run in order and the first
// step whose expectation is not met fails the case.
//
// Deterministic under SimRuntime: no clock but the runtime's, no randomness,
// containers in order.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <fmt/format.h>

#include <array>
#include <chrono>
#include <deque>
#include <optional>
#include <string>

#include "qa/conform/cases.hpp"
#include "speaker/runtime/runtime.hpp"

namespace bgpsim::conform {

// Whether the target holds a route learned from the suite (its Adj-RIB-In);
// only the simulator can look (live, route steps are reported unobserved).
class Probe {
 public:
  virtual ~Probe() = default;
  virtual bool has(const std::string& prefix) const = 0;
  virtual std::string held() const = 0;  // for failure messages
};

struct CaseResult {
  enum class Status { pass, fail, not_applicable } status = Status::pass;
  std::string detail;                   // why it failed or is not applicable
  bool route_unobserved = false;        // a route step could not be checked (live)
  std::chrono::nanoseconds elapsed{0};  // runtime time the case took
};

std::string_view to_string(CaseResult::Status s);
// Parses the target's OPEN (a whole message); false when it is not one.
bool parse_open(const Bytes& m, TargetOpen& out);
// "NOTIFICATION 3/1 (UPDATE Message Error / Malformed Attribute List)".
std::string describe(const Bytes& m);
bool is_end_of_rib(const Bytes& m);
// Whether the target's OPEN offers what a case needs.
bool offers(const TargetOpen& open, Needs needs);
// RFC 9234 4.2: Provider-Customer, RS-RS-Client, Peer-Peer.
bool role_pairs(std::uint8_t ours, std::uint8_t theirs);

struct Target {
  runtime::Endpoint endpoint;
  runtime::SocketOptions socket;                 // local address
  std::chrono::milliseconds connect_for{10000};  // retries while the target is not ready
};

template <runtime::Runtime R>
class Driver {
 public:
  using executor_type = typename R::executor_type;
  template <class T>
  using awaitable = boost::asio::awaitable<T, executor_type>;
  using ns = std::chrono::nanoseconds;

  Driver(R& rt, Target target, Context ctx, const Probe* probe)
      : rt_(rt),
        target_(std::move(target)),
        ctx_(std::move(ctx)),
        probe_(probe),
        wake_(rt.make_timer()) {}

  awaitable<CaseResult> run(const Case& c) {
    const ns start = rt_.now();
    CaseResult result;
    for (const auto& step : c.steps) {
      auto verdict = co_await perform(step, c, result);
      if (!verdict.empty()) {
        result.status =
            verdict == "n/a" ? CaseResult::Status::not_applicable : CaseResult::Status::fail;
        if (verdict != "n/a") result.detail = verdict;
        break;
      }
      if (ended_) break;  // an accepted NOTIFICATION ended the case early
    }
    result.elapsed = rt_.now() - start;
    co_await close_all();
    co_return result;
  }

 private:
  struct Conn {
    std::optional<typename R::socket_type> socket;
    std::deque<Bytes> in;
    bool closed = true;
    bool reading = false;
    bool keepalives = false;  // send KEEPALIVEs every keepalive_s
    std::uint16_t our_hold_s = 90;
    ns next_keepalive{0};
  };

  static constexpr auto tok = boost::asio::as_tuple(boost::asio::use_awaitable_t<executor_type>{});

  // "" when the step passed; "n/a" when the case does not apply; else why it failed.
  awaitable<std::string> perform(const Step& s, const Case& c, CaseResult& result) {
    Conn& conn = conns_[static_cast<std::size_t>(s.conn)];
    switch (s.op) {
      case Step::connect: {
        auto why = co_await connect(conn, s.conn, s.once || s.closed_ok, s.closed_ok);
        if (!why.empty()) co_return why;
        if (!offers(ctx_.target, c.needs)) co_return "n/a";
        co_return "";
      }
      case Step::send: {
        const Bytes bytes = s.bytes(ctx_);
        if (bytes.size() >= 19 && bytes[18] == msg::open && bytes.size() >= 29)
          conn.our_hold_s = static_cast<std::uint16_t>(bytes[22] << 8 | bytes[23]);
        if (bytes.size() == 19 && bytes[18] == msg::keepalive) {
          conn.keepalives = true;
          conn.next_keepalive = rt_.now() + keepalive_interval(conn);
        }
        co_await write(conn, bytes);
        co_return "";
      }
      case Step::expect:
        co_return co_await expect(conn, s.outcome);
      case Step::wait:
        co_await pass_time(s.time);
        co_return "";
      case Step::silence:
        conn.keepalives = false;
        co_return "";
      case Step::close:
        if (conn.socket) conn.socket->close();
        conn.closed = true;
        co_return "";
      case Step::route: {
        if (!probe_) {
          result.route_unobserved = true;
          co_return "";
        }
        const bool want = s.present_if ? s.present_if(ctx_) : s.present;
        if (probe_->has(s.prefix) != want)
          co_return fmt::format("the target {} the route {} (it holds: {})",
                                want ? "does not hold" : "holds", s.prefix, probe_->held());
        co_return "";
      }
    }
    co_return "";
  }

  ns keepalive_interval(const Conn& conn) const {
    const unsigned hold = std::min<unsigned>(
        conn.our_hold_s, ctx_.target.hold_s ? ctx_.target.hold_s : conn.our_hold_s);
    if (hold == 0) return std::chrono::hours(24 * 365);
    return std::chrono::seconds(std::max(1u, hold / 3));
  }

  // Connects and waits for the target's OPEN; retries while the target
  // refuses or closes first (a live daemon holding down after the last case),
  // unless `once`.
  awaitable<std::string> connect(Conn& conn, int index, bool once, bool closed_ok = false) {
    const ns give_up = rt_.now() + (once ? ns::zero() : ns(target_.connect_for));
    std::string last = "no connection";
    for (;;) {
      auto [ec, socket] = co_await rt_.async_connect(target_.endpoint, target_.socket, tok);
      if (!ec) {
        conn = Conn{};
        conn.socket.emplace(std::move(socket));
        conn.closed = false;
        conn.reading = true;
        boost::asio::co_spawn(rt_.get_executor(), reader(index), boost::asio::detached);
        const ns deadline = rt_.now() + std::chrono::seconds(5);
        for (;;) {
          if (!conn.in.empty()) {
            Bytes m = std::move(conn.in.front());
            conn.in.pop_front();
            TargetOpen open;
            if (!parse_open(m, open)) co_return "the target's first message is " + describe(m);
            ctx_.target = open;
            co_return "";
          }
          if (conn.closed || rt_.now() >= deadline) break;
          co_await sleep_until(deadline);
        }
        if (conn.closed && closed_ok) co_return "";
        last = conn.closed ? "the target closed the connection before its OPEN"
                           : "no OPEN from the target within 5 s";
        if (conn.socket) conn.socket->close();
        co_await drain(conn);
      } else {
        last = "connect: " + ec.message();
      }
      if (rt_.now() >= give_up) co_return last;
      co_await pass_time(std::chrono::seconds(1));
    }
  }

  awaitable<void> reader(int index) {
    Conn& conn = conns_[static_cast<std::size_t>(index)];
    auto& socket = *conn.socket;
    for (;;) {
      Bytes header(19);
      auto [ec, n] = co_await boost::asio::async_read(socket, boost::asio::buffer(header), tok);
      if (ec) break;
      const std::size_t length = std::size_t(header[16]) << 8 | header[17];
      if (length < 19) break;
      header.resize(length);
      if (length > 19) {
        auto [ec2, m] = co_await boost::asio::async_read(
            socket, boost::asio::buffer(header.data() + 19, length - 19), tok);
        if (ec2) break;
      }
      conn.in.push_back(std::move(header));
      wake_.cancel();
    }
    conn.closed = true;
    conn.reading = false;
    wake_.cancel();
  }

  awaitable<void> write(Conn& conn, const Bytes& bytes) {
    if (!conn.socket || conn.closed) co_return;
    auto [ec, n] = co_await boost::asio::async_write(*conn.socket, boost::asio::buffer(bytes), tok);
    (void)n;
    (void)ec;  // a target that closed first: the expectations will tell
  }

  // Sleeps until `deadline` or until a message or a close arrives; sends the
  // KEEPALIVEs that fall due meanwhile.
  awaitable<void> sleep_until(ns deadline) {
    ns until = deadline;
    for (auto& conn : conns_) {
      if (conn.closed || !conn.keepalives) continue;
      if (rt_.now() >= conn.next_keepalive) {
        conn.next_keepalive = rt_.now() + keepalive_interval(conn);
        co_await write(conn, keepalive());
      }
      until = std::min(until, conn.next_keepalive);
    }
    const ns left = until - rt_.now();
    if (left <= ns::zero()) co_return;
    wake_.expires_after(left);
    auto [ec] = co_await wake_.async_wait(tok);
    (void)ec;
  }

  awaitable<void> pass_time(std::chrono::milliseconds d) {
    const ns deadline = rt_.now() + d;
    while (rt_.now() < deadline) co_await sleep_until(deadline);
  }

  static bool accepted(const Outcome& o, std::uint8_t code, std::uint8_t sub) {
    for (const auto& [c, s] : o.accepted)
      if (c == code && (s < 0 || s == sub)) return true;
    return false;
  }

  static std::string wanted(const Outcome& o) {
    std::string s;
    for (const auto& [c, sub] : o.accepted)
      s += (s.empty() ? "" : " or ") +
           (sub < 0 ? fmt::format("{}/*", c) : fmt::format("{}/{}", c, sub));
    return "NOTIFICATION " + s;
  }

  awaitable<std::string> expect(Conn& conn, const Outcome& given) {
    Outcome o = given;
    if (o.kind == Outcome::role) {
      if (role_pairs(o.subtype, ctx_.target.role))
        o.kind = Outcome::keepalive;
      else
        o = Outcome{Outcome::notification, {{2, 11}}, o.within};
    }
    const ns deadline = rt_.now() + o.within;
    const auto secs = std::chrono::duration<double>(o.within).count();
    for (;;) {
      while (!conn.in.empty()) {
        Bytes m = std::move(conn.in.front());
        conn.in.pop_front();
        const std::uint8_t type = m[18];
        if (type == msg::notification) {
          const std::uint8_t code = m.size() > 19 ? m[19] : 0, sub = m.size() > 20 ? m[20] : 0;
          switch (o.kind) {
            case Outcome::notification:
              if (accepted(o, code, sub)) co_return "";
              co_return fmt::format("expected {}, got {}", wanted(o), describe(m));
            case Outcome::alive_or_notification:
              if (accepted(o, code, sub)) {
                ended_ = true;
                co_return "";
              }
              co_return fmt::format("expected the session to stay up or {}, got {}", wanted(o),
                                    describe(m));
            case Outcome::closed:
              if (o.silent) co_return "a NOTIFICATION in answer to ours: " + describe(m);
              if (o.accepted.empty() || accepted(o, code, sub)) continue;
              co_return fmt::format("expected the connection closed (or {}), got {}", wanted(o),
                                    describe(m));
            default:
              co_return "unexpected " + describe(m);
          }
        }
        if (o.kind == Outcome::keepalive && type == msg::keepalive) co_return "";
        if (o.kind == Outcome::update && type == msg::update && !is_end_of_rib(m))
          co_return o.check ? o.check(m, ctx_) : "";
        if (o.kind == Outcome::end_of_rib && type == msg::update && is_end_of_rib(m)) co_return "";
        if (o.kind == Outcome::open && type == msg::open) co_return "";
        if (o.kind == Outcome::refresh && type == msg::route_refresh && m.size() >= 23 &&
            m[21] == o.subtype)
          co_return "";
        if (o.kind == Outcome::quiet && type == msg::keepalive)
          co_return "a KEEPALIVE although the negotiated hold time is 0";
      }
      if (conn.closed) {
        if (o.kind == Outcome::closed) co_return "";
        if (o.kind == Outcome::notification)
          co_return fmt::format("expected {}, the target closed the connection without one",
                                wanted(o));
        co_return "the target closed the connection";
      }
      if (rt_.now() >= deadline) {
        switch (o.kind) {
          case Outcome::alive:
          case Outcome::quiet:
          case Outcome::alive_or_notification:
            co_return "";
          case Outcome::notification:
            co_return fmt::format("expected {} within {} s; the session stayed up", wanted(o),
                                  secs);
          case Outcome::closed:
            co_return fmt::format("the target kept the connection open for {} s", secs);
          case Outcome::keepalive:
            co_return fmt::format("no KEEPALIVE within {} s", secs);
          case Outcome::update:
            co_return fmt::format("no UPDATE within {} s", secs);
          case Outcome::end_of_rib:
            co_return fmt::format("no End-of-RIB within {} s", secs);
          case Outcome::open:
            co_return fmt::format("no OPEN within {} s", secs);
          case Outcome::role:  // resolved above
            co_return "";
          case Outcome::refresh:
            co_return fmt::format("no ROUTE-REFRESH of subtype {} within {} s", o.subtype, secs);
        }
      }
      co_await sleep_until(deadline);
    }
  }

  awaitable<void> drain(Conn& conn) {
    const ns deadline = rt_.now() + std::chrono::seconds(30);
    while (conn.reading && rt_.now() < deadline) co_await sleep_until(deadline);
  }

  // Ends a case as a peer should (RFC 4271 6: NOTIFICATION, then close): Cease
  // / Administrative Shutdown on each connection still open, then up to 3 s
  // for the target to close its side, so that a live daemon has dropped the
  // session before the next case connects (else it may resolve the next
  // case's connection as a collision with this one's session).
  awaitable<void> close_all() {
    for (auto& conn : conns_) {
      conn.keepalives = false;
      if (conn.socket && !conn.closed) co_await write(conn, notification(6, 2));
    }
    const ns deadline = rt_.now() + std::chrono::seconds(3);
    for (auto& conn : conns_)
      while (conn.reading && rt_.now() < deadline) co_await sleep_until(deadline);
    for (auto& conn : conns_)
      if (conn.socket) conn.socket->close();
    for (auto& conn : conns_) co_await drain(conn);
  }

  R& rt_;
  Target target_;
  Context ctx_;
  const Probe* probe_;
  typename R::timer_type wake_;
  std::array<Conn, 2> conns_;
  bool ended_ = false;
};

}  // namespace bgpsim::conform
