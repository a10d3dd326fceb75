// The live Runtime: Boost.Asio io_context, steady clock, TCP sockets and a
// PRNG seeded from the OS. Header-only; see runtime.hpp for the concept.
#pragma once

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <boost/asio/posix/stream_descriptor.hpp>

#include <boost/asio/ip/host_name.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstring>

#include <chrono>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "speaker/runtime/child.hpp"
#include "speaker/runtime/runtime.hpp"

namespace bgpsim::runtime {

// RFC 2385 TCP-MD5 signatures for segments to/from `peer` (Linux TCP_MD5SIG).
template <class NativeSocket>
void set_md5(NativeSocket& socket, const boost::asio::ip::address& peer, const std::string& key,
             boost::system::error_code& ec) {
  ::tcp_md5sig md5{};
  if (key.size() > TCP_MD5SIG_MAXKEYLEN) {
    ec = boost::asio::error::invalid_argument;
    return;
  }
  if (peer.is_v4()) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&md5.tcpm_addr);
    sin->sin_family = AF_INET;
    auto bytes = peer.to_v4().to_bytes();
    std::memcpy(&sin->sin_addr, bytes.data(), bytes.size());
  } else {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&md5.tcpm_addr);
    sin6->sin6_family = AF_INET6;
    auto bytes = peer.to_v6().to_bytes();
    std::memcpy(&sin6->sin6_addr, bytes.data(), bytes.size());
  }
  md5.tcpm_keylen = static_cast<std::uint16_t>(key.size());
  std::memcpy(md5.tcpm_key, key.data(), key.size());
  if (::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_MD5SIG, &md5, sizeof md5) != 0)
    ec = boost::system::error_code(errno, boost::system::system_category());
}

// TTL of what we send and the minimum TTL we accept (GTSM, RFC 5082).
template <class NativeSocket>
void apply_ttl(NativeSocket& socket, const SocketOptions& options, boost::system::error_code& ec) {
  const bool v6 = socket.local_endpoint(ec).address().is_v6();
  if (ec) return;
  auto set = [&](int level, int name, int value) {
    if (!ec && ::setsockopt(socket.native_handle(), level, name, &value, sizeof value) != 0)
      ec = boost::system::error_code(errno, boost::system::system_category());
  };
  if (options.ttl)
    set(v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_UNICAST_HOPS : IP_TTL, *options.ttl);
  if (options.min_ttl)
    set(v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_MINHOPCOUNT : IP_MINTTL, *options.min_ttl);
}

class AsioRuntime {
 public:
  using executor_type = boost::asio::io_context::executor_type;
  using clock = std::chrono::steady_clock;

  class Timer {
   public:
    using executor_type = AsioRuntime::executor_type;
    explicit Timer(const executor_type& ex) : t_(ex) {}
    executor_type get_executor() { return t_.get_executor(); }
    std::size_t expires_after(std::chrono::nanoseconds d) { return t_.expires_after(d); }
    std::size_t cancel() { return t_.cancel(); }
    template <class Token>
    auto async_wait(Token&& token) {
      return t_.async_wait(std::forward<Token>(token));
    }

   private:
    boost::asio::basic_waitable_timer<clock, boost::asio::wait_traits<clock>, executor_type> t_;
  };

  class Socket {
   public:
    using executor_type = AsioRuntime::executor_type;
    using tcp_socket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, executor_type>;
    explicit Socket(const executor_type& ex) : s_(ex) {}
    explicit Socket(tcp_socket s) : s_(std::move(s)) {}
    executor_type get_executor() { return s_.get_executor(); }
    template <class Buffers, class Token>
    auto async_read_some(const Buffers& b, Token&& token) {
      return s_.async_read_some(b, std::forward<Token>(token));
    }
    template <class Buffers, class Token>
    auto async_write_some(const Buffers& b, Token&& token) {
      return s_.async_write_some(b, std::forward<Token>(token));
    }
    void shutdown_send() {
      boost::system::error_code ec;
      s_.shutdown(boost::asio::socket_base::shutdown_send, ec);
    }
    void close() {
      boost::system::error_code ec;
      s_.close(ec);
    }
    bool is_open() const { return s_.is_open(); }
    Endpoint local_endpoint() const {
      boost::system::error_code ec;
      return s_.local_endpoint(ec);
    }
    Endpoint remote_endpoint() const {
      boost::system::error_code ec;
      return s_.remote_endpoint(ec);
    }
    // TTL and minimum TTL (GTSM) on an accepted socket.
    void apply(const SocketOptions& options) {
      boost::system::error_code ignored;
      apply_ttl(s_, options, ignored);
    }
    tcp_socket& native() { return s_; }

   private:
    tcp_socket s_;
  };

  class Acceptor {
   public:
    using executor_type = AsioRuntime::executor_type;
    Acceptor(const executor_type& ex, const Endpoint& ep) : a_(ex, ep) {}
    template <class Token>
    auto async_accept(Token&& token) {
      return boost::asio::async_initiate<Token, void(boost::system::error_code, Socket)>(
          [this](auto handler) {
            // Keep the caller's cancellation slot so `||` can cancel an accept.
            auto slot = boost::asio::get_associated_cancellation_slot(handler);
            a_.async_accept(boost::asio::bind_cancellation_slot(
                slot, [h = std::move(handler)](boost::system::error_code ec,
                                               Socket::tcp_socket s) mutable {
                  std::move(h)(ec, Socket(std::move(s)));
                }));
          },
          token);
    }
    void close() {
      boost::system::error_code ec;
      a_.close(ec);
    }
    Endpoint local_endpoint() const { return a_.local_endpoint(); }
    // GTSM (RFC 5082) on the listener: the kernel answers a SYN with the
    // listener's TTL, before any accepted socket exists, so a peer that
    // demands TTL 255 only completes the handshake if it is set here (and a
    // minimum TTL here drops SYNs that come from too far).
    void apply(const SocketOptions& options) {
      boost::system::error_code ec;
      apply_ttl(a_, options, ec);
      if (ec) throw boost::system::system_error(ec, "TTL on listener");
    }
    // RFC 2385: the key must be on the listening socket before the peer's SYN.
    void set_peer_md5(const boost::asio::ip::address& peer, const std::string& key) {
      if (key.empty()) return;
      boost::system::error_code ec;
      set_md5(a_, peer, key, ec);
      if (ec) throw boost::system::system_error(ec, "TCP_MD5SIG on listener");
    }

   private:
    boost::asio::basic_socket_acceptor<boost::asio::ip::tcp, executor_type> a_;
  };

  // A helper process in real time: its pipes as Asio stream descriptors, its
  // end seen through a pidfd and reaped at once (no zombie). Destroying a
  // process that still runs kills it (SIGKILL) and reaps it.
  class Process {
   public:
    using executor_type = AsioRuntime::executor_type;
    using descriptor = boost::asio::posix::basic_stream_descriptor<executor_type>;

    Process(const executor_type& ex, ChildFds fds)
        : impl_(std::make_unique<Impl>(ex, fds, open_pidfd(fds.pid))) {}
    Process(Process&&) noexcept = default;
    Process& operator=(Process&& o) noexcept {
      if (this != &o) {
        reap_now();
        impl_ = std::move(o.impl_);
      }
      return *this;
    }
    ~Process() { reap_now(); }

    executor_type get_executor() { return impl_->out.get_executor(); }
    int pid() const { return impl_->pid; }
    bool running() const {
      impl_->poll();
      return !impl_->exit_code;
    }

    template <class Buffers, class Token>
    auto async_read_some(const Buffers& b, Token&& token) {
      return impl_->out.async_read_some(b, std::forward<Token>(token));
    }
    template <class Buffers, class Token>
    auto async_read_stderr_some(const Buffers& b, Token&& token) {
      return impl_->err.async_read_some(b, std::forward<Token>(token));
    }
    template <class Buffers, class Token>
    auto async_write_some(const Buffers& b, Token&& token) {
      return impl_->in.async_write_some(b, std::forward<Token>(token));
    }
    void close_stdin() {
      boost::system::error_code ec;
      impl_->in.close(ec);
    }
    void terminate() { impl_->signal(SIGTERM); }
    void kill() { impl_->signal(SIGKILL); }

    // Completes when the process has ended, with its exit code.
    template <class Token>
    auto async_wait_exit(Token&& token) {
      return boost::asio::async_initiate<Token, void(boost::system::error_code, int)>(
          [](auto handler, Impl* impl) {
            if (impl->poll()) {
              boost::asio::post(impl->pidfd.get_executor(),
                                [h = std::move(handler), code = *impl->exit_code]() mutable {
                                  std::move(h)(boost::system::error_code{}, code);
                                });
              return;
            }
            auto slot = boost::asio::get_associated_cancellation_slot(handler);
            impl->pidfd.async_wait(
                descriptor::wait_read,
                boost::asio::bind_cancellation_slot(
                    slot, [h = std::move(handler), impl](boost::system::error_code ec) mutable {
                      if (!ec) impl->reap(0);
                      std::move(h)(ec, impl->exit_code ? *impl->exit_code : -1);
                    }));
          },
          token, impl_.get());
    }

   private:
    struct Impl {
      Impl(const executor_type& ex, ChildFds fds, int pfd)
          : pid(fds.pid), in(ex, fds.in), out(ex, fds.out), err(ex, fds.err), pidfd(ex, pfd) {}
      pid_t pid;
      descriptor in, out, err, pidfd;
      std::optional<int> exit_code;
      // Reaps the process if it has ended (flags 0: waits for it).
      bool reap(int flags) {
        if (exit_code) return true;
        int status = 0;
        const pid_t r = ::waitpid(pid, &status, flags);
        if (r == pid) exit_code = exit_code_of(status);
        return exit_code.has_value();
      }
      bool poll() { return reap(WNOHANG); }
      void signal(int sig) {
        if (!poll()) ::kill(pid, sig);
      }
    };
    void reap_now() {
      if (!impl_ || impl_->poll()) return;
      ::kill(impl_->pid, SIGKILL);
      impl_->reap(0);
    }
    std::unique_ptr<Impl> impl_;
  };

  using timer_type = Timer;
  using socket_type = Socket;
  using acceptor_type = Acceptor;
  using process_type = Process;

  explicit AsioRuntime(boost::asio::io_context& io)
      : io_(io), rng_(std::random_device{}()), seed_base_(std::random_device{}()) {}

  executor_type get_executor() { return io_.get_executor(); }
  std::chrono::nanoseconds now() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(clock::now().time_since_epoch());
  }
  std::uint64_t random() { return rng_(); }
  std::uint64_t derive_seed(std::string_view name) {
    std::uint64_t h = seed_base_ ^ 0xcbf29ce484222325ULL;
    for (unsigned char c : name) h = (h ^ c) * 0x100000001b3ULL;
    return h;
  }
  std::string host_name() const { return boost::asio::ip::host_name(); }

  Timer make_timer() { return Timer(get_executor()); }
  Process spawn(const ProcessSpec& spec) { return Process(get_executor(), spawn_child(spec)); }
  Acceptor listen(const Endpoint& ep) { return Acceptor(get_executor(), ep); }

  // Connects with per-peer settings: local address, TCP-MD5, TTL (GTSM).
  template <class Token>
  auto async_connect(const Endpoint& ep, const SocketOptions& options, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, Socket)>(
        [this](auto handler, Endpoint remote, SocketOptions opts) {
          auto sock = std::make_unique<Socket::tcp_socket>(get_executor());
          boost::system::error_code ec;
          sock->open(remote.protocol(), ec);
          if (!ec && !opts.md5_password.empty())
            set_md5(*sock, remote.address(), opts.md5_password, ec);
          if (!ec) apply_ttl(*sock, opts, ec);
          if (!ec && opts.local_address) sock->bind(Endpoint(*opts.local_address, 0), ec);
          if (ec) {
            boost::asio::post(get_executor(),
                              [h = std::move(handler), ec, s = std::move(sock)]() mutable {
                                std::move(h)(ec, Socket(std::move(*s)));
                              });
            return;
          }
          auto& ref = *sock;
          auto slot = boost::asio::get_associated_cancellation_slot(handler);
          ref.async_connect(remote, boost::asio::bind_cancellation_slot(
                                        slot, [h = std::move(handler), s = std::move(sock)](
                                                  boost::system::error_code e) mutable {
                                          std::move(h)(e, Socket(std::move(*s)));
                                        }));
        },
        token, ep, options);
  }

  template <class Token>
  auto async_connect(const Endpoint& ep, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, Socket)>(
        [this](auto handler, Endpoint remote) {
          auto sock = std::make_unique<Socket::tcp_socket>(get_executor());
          auto& ref = *sock;
          auto slot = boost::asio::get_associated_cancellation_slot(handler);
          ref.async_connect(remote, boost::asio::bind_cancellation_slot(
                                        slot, [h = std::move(handler), s = std::move(sock)](
                                                  boost::system::error_code ec) mutable {
                                          std::move(h)(ec, Socket(std::move(*s)));
                                        }));
        },
        token, ep);
  }

 private:
  boost::asio::io_context& io_;
  std::mt19937_64 rng_;
  std::uint64_t seed_base_;
};

static_assert(Runtime<AsioRuntime>);

}  // namespace bgpsim::runtime
