// The simulated TCP network: nodes with addresses, listeners, connections
// carrying byte streams with latency, bandwidth and a send window, delivered
// in segments of random size; FIN, RST, half-close; an ordered chain of fault
// rules; crash and restart of nodes. Bytes are never lost or reordered inside
// a live connection: faults only delay, hold or reset.
//
// The network is a service of the world's execution_context, so the world's
// teardown drops operations parked on sockets before it destroys anything.
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <concepts>
#include <cstdint>
#include <exception>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "sim/ops.hpp"
#include "sim/random.hpp"
#include "speaker/runtime/runtime.hpp"

namespace bgpsim::sim {

using Endpoint = boost::asio::ip::tcp::endpoint;
using Address = boost::asio::ip::address;

struct LinkConfig {
  Nanos latency{Nanos(1'000'000)};                    // one way, per segment
  std::uint64_t bandwidth_bytes_per_s = 125'000'000;  // 0 = unlimited
  std::size_t send_window_bytes = 64 * 1024;          // written but not yet read by the peer
  std::size_t segment_bytes_min = 1;                  // segment sizes are uniform in [min, max]
  std::size_t segment_bytes_max = 1460;
};

struct NetConfig {
  LinkConfig link;
  Nanos connect_timeout{Nanos(30'000'000'000)};  // SYN retries give up after this
  Nanos syn_rto_initial{Nanos(1'000'000'000)};   // doubles after each lost SYN
};

// Which traffic a fault rule applies to. kAnyNode matches every node.
inline constexpr NodeId kAnyNode = kNoNode;
struct Match {
  NodeId from = kAnyNode;
  NodeId to = kAnyNode;
  bool both_directions = true;
  bool matches(NodeId f, NodeId t) const {
    auto fits = [](NodeId want, NodeId got) { return want == kAnyNode || want == got; };
    return (fits(from, f) && fits(to, t)) || (both_directions && fits(from, t) && fits(to, f));
  }
};

// Rules are evaluated in the order they were added; the first `pass` that
// matches ends the evaluation (so an earlier pass exempts traffic from later
// rules).
//   pass       exempt matching traffic from the rules after it
//   delay      add `delay` to every segment sent (handshakes included)
//   stall      hold data segments (not handshakes) until released
//   partition  hold data segments and drop SYNs (connects time out)
//   reset      reset matching connections now and whenever they carry data
enum class FaultAction { pass, delay, stall, partition, reset };
struct FaultRule {
  Match match;
  FaultAction action = FaultAction::partition;
  Nanos delay{0};
};

class Network;

// Lifts a fault (or restarts a crashed node) when released or destroyed.
class FaultGuard {
 public:
  FaultGuard() = default;
  FaultGuard(Network* net, std::uint64_t id) : net_(net), id_(id) {}
  FaultGuard(FaultGuard&& o) noexcept : net_(std::exchange(o.net_, nullptr)), id_(o.id_) {}
  FaultGuard& operator=(FaultGuard&& o) noexcept {
    if (this != &o) {
      release();
      net_ = std::exchange(o.net_, nullptr);
      id_ = o.id_;
    }
    return *this;
  }
  ~FaultGuard() { release(); }
  void release();
  std::uint64_t id() const { return id_; }

 private:
  Network* net_ = nullptr;
  std::uint64_t id_ = 0;
};

namespace detail {
struct SocketImpl;
struct AcceptorImpl;
}  // namespace detail

class Socket;

namespace detail {
struct ReadOp : Op<boost::system::error_code, std::size_t> {
  boost::asio::mutable_buffer buffer;
};
struct WriteOp : Op<boost::system::error_code, std::size_t> {
  boost::asio::const_buffer buffer;
};
}  // namespace detail

// A connected stream socket: Asio's AsyncReadStream and AsyncWriteStream.
class Socket {
 public:
  using executor_type = Executor;
  using endpoint_type = Endpoint;

  Socket();
  explicit Socket(std::unique_ptr<detail::SocketImpl> impl);
  Socket(Socket&&) noexcept;
  Socket& operator=(Socket&&) noexcept;
  ~Socket();

  executor_type get_executor() const;
  bool is_open() const;
  Endpoint local_endpoint() const;
  Endpoint remote_endpoint() const;
  // Sends FIN after the bytes already written; reading still works.
  void shutdown_send();
  // TTL and GTSM settings have no meaning on simulated links.
  void apply(const runtime::SocketOptions&) {}
  // Graceful close (FIN), or RST if unread bytes remain, like Linux.
  void close();
  // Abortive close: RST now, both ends see connection_reset.
  void reset();
  std::uint64_t connection_id() const;

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [](auto handler, detail::SocketImpl* impl, boost::asio::mutable_buffer b) {
          auto* op = detail::make_op<detail::ReadOp>(std::move(handler), executor_of(impl));
          op->buffer = b;
          start_read(impl, op);
        },
        token, impl_.get(), first_buffer(buffers));
  }

  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [](auto handler, detail::SocketImpl* impl, boost::asio::const_buffer b) {
          auto* op = detail::make_op<detail::WriteOp>(std::move(handler), executor_of(impl));
          op->buffer = b;
          start_write(impl, op);
        },
        token, impl_.get(), first_cbuffer(buffers));
  }

 private:
  // Reading or writing "some" may stop at the first buffer; that keeps ops
  // free of buffer-sequence templates.
  template <class Buffers>
  static boost::asio::mutable_buffer first_buffer(const Buffers& bs) {
    for (auto it = boost::asio::buffer_sequence_begin(bs);
         it != boost::asio::buffer_sequence_end(bs); ++it) {
      boost::asio::mutable_buffer b(*it);
      if (b.size() != 0) return b;
    }
    return {};
  }
  template <class Buffers>
  static boost::asio::const_buffer first_cbuffer(const Buffers& bs) {
    for (auto it = boost::asio::buffer_sequence_begin(bs);
         it != boost::asio::buffer_sequence_end(bs); ++it) {
      boost::asio::const_buffer b(*it);
      if (b.size() != 0) return b;
    }
    return {};
  }
  static Executor executor_of(detail::SocketImpl* impl);
  static void start_read(detail::SocketImpl* impl, detail::ReadOp* op);
  static void start_write(detail::SocketImpl* impl, detail::WriteOp* op);

  std::unique_ptr<detail::SocketImpl> impl_;
};

namespace detail {
struct AcceptOp : Op<boost::system::error_code, Socket> {};
struct ConnectOp : Op<boost::system::error_code, Socket> {};
void start_connect(Network& net, NodeId node, const Endpoint& remote, ConnectOp* op);
}  // namespace detail

class Acceptor {
 public:
  using executor_type = Executor;
  Acceptor();
  explicit Acceptor(std::unique_ptr<detail::AcceptorImpl> impl);
  Acceptor(Acceptor&&) noexcept;
  Acceptor& operator=(Acceptor&&) noexcept;
  ~Acceptor();

  executor_type get_executor() const;
  Endpoint local_endpoint() const;
  bool is_open() const;
  // Simulated connections carry no TCP options: both ends of a simulated
  // session share one configuration, so there is nothing to authenticate.
  void set_peer_md5(const Address&, const std::string&) {}
  void apply(const runtime::SocketOptions&) {}  // the simulator carries no TTL
  void close();

  template <class Token>
  auto async_accept(Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, Socket)>(
        [](auto handler, detail::AcceptorImpl* impl) {
          auto* op = detail::make_op<detail::AcceptOp>(std::move(handler), executor_of(impl));
          start_accept(impl, op);
        },
        token, impl_.get());
  }

 private:
  static Executor executor_of(detail::AcceptorImpl* impl);
  static void start_accept(detail::AcceptorImpl* impl, detail::AcceptOp* op);
  std::unique_ptr<detail::AcceptorImpl> impl_;
};

// What the pcap writer sees: packets as they arrive at their destination.
struct PacketEvent {
  enum class Kind { syn, syn_ack, ack, data, fin, rst } kind;
  std::uint64_t conn = 0;
  Endpoint src, dst;
  std::span<const std::uint8_t> payload;
};

class Network : public boost::asio::execution_context::service {
 public:
  using key_type = Network;
  static inline boost::asio::execution_context::id id;

  // Installs the network into the world (once).
  static Network& install(World& world, NetConfig config = {});
  static Network& of(World& world);

  Network(boost::asio::execution_context& ctx, World& world, NetConfig config);
  ~Network() override;

  World& world() { return world_; }
  const NetConfig& config() const { return config_; }

  // A node and its addresses. An address belongs to one node, except
  // loopback addresses (127.0.0.0/8, ::1), which several nodes may share: a
  // connect to a shared address reaches the other owner that listens on the
  // port (see Impl::resolve); listeners are per (node, address, port), and
  // ephemeral ports of a shared address are drawn from one counter, so every
  // connection has its own 4-tuple. Throws std::invalid_argument otherwise.
  NodeId add_node(std::string name, std::vector<Address> addresses);
  const std::string& node_name(NodeId node) const;
  const std::vector<Address>& node_addresses(NodeId node) const;
  std::size_t node_count() const { return nodes_.size(); }
  Rng& node_rng(NodeId node);
  bool node_up(NodeId node) const { return world_.node_up(node); }
  // Overrides the default link between two nodes (both directions).
  void set_link(NodeId a, NodeId b, LinkConfig link);

  // Runs `boot` now and again after every restart of the node.
  void set_boot(NodeId node, std::function<void()> boot);
  // Starts a coroutine owned by the node: a crash cancels it (terminal
  // cancellation through a slot bound at co_spawn). `on_done` receives its
  // exception (nullptr on success); by default failures are kept in failures().
  void spawn(NodeId node, boost::asio::awaitable<void, Executor> task,
             std::function<void(std::exception_ptr)> on_done = {});
  // Same for a callable returning the coroutine (e.g. a lambda with captures):
  // the callable is kept alive in the coroutine frame while it runs.
  template <class F>
  requires std::invocable<F&>
  void spawn(NodeId node, F f, std::function<void(std::exception_ptr)> on_done = {}) {
    spawn(
        node, [](F fn) -> boost::asio::awaitable<void, Executor> { co_await fn(); }(std::move(f)),
        std::move(on_done));
  }
  const std::vector<std::string>& failures() const { return failures_; }

  Acceptor listen(NodeId node, const Endpoint& local);

  FaultGuard add_fault(FaultRule rule);
  // Crash now: the node's connections are reset, its listeners closed, its
  // spawned coroutines cancelled. Releasing the guard restarts it.
  FaultGuard crash(NodeId node);

  std::function<void(const PacketEvent&)> packet_observer;

  // Internal (used by sockets, guards and connection attempts).
  struct Impl;
  Impl& impl() { return *impl_; }
  void release(std::uint64_t guard_id);

 private:
  void shutdown() override;

  World& world_;
  NetConfig config_;
  struct NodeState {
    std::string name;
    std::vector<Address> addresses;
    Rng rng;
    std::function<void()> boot;
    std::list<boost::asio::cancellation_signal> signals;  // one per spawned coroutine
  };
  std::vector<NodeState> nodes_;
  std::vector<std::string> failures_;
  std::unique_ptr<Impl> impl_;
  friend struct Impl;
};

template <class Token>
auto async_connect(const Executor& ex, const Endpoint& remote, Token&& token) {
  return boost::asio::async_initiate<Token, void(boost::system::error_code, Socket)>(
      [](auto handler, const Executor& e, const Endpoint& r) {
        auto* op = detail::make_op<detail::ConnectOp>(std::move(handler), e);
        detail::start_connect(Network::of(e.world()), e.node(), r, op);
      },
      token, ex, remote);
}

}  // namespace bgpsim::sim
