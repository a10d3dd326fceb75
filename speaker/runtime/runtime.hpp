// The Runtime concept: everything nondeterministic the speaker uses — the
// executor, the clock, timers, stream sockets, listeners, the host name and
// the PRNG. Speaker code is `template <Runtime R>` and its coroutines are
// `boost::asio::awaitable<T, typename R::executor_type>`.
//
// Models: bgpsim::runtime::AsioRuntime (speaker/runtime/asio_runtime.hpp, real
// sockets) and bgpsim::sim::SimRuntime (sim/sim_runtime.hpp, one node of a
// simulated world). Both headers static_assert the concept, and
// tests/sim/net_test.cpp runs one templated echo coroutine on both.
//
// Shape (all asynchronous operations take any Asio completion token, e.g.
// `use_awaitable_t<executor_type>{}` or `as_tuple(use_awaitable_t<...>{})`;
// an operation co_awaited on its own takes `as_tuple(deferred)`, which Asio
// 1.81 resumes from the handler without allocating an initiation frame per
// wait, while operands of the awaitable operators `||`/`&&` need awaitables):
//   R::executor_type                 Asio executor the coroutines run on
//   R::timer_type   t = rt.make_timer();   t.expires_after(ns); t.cancel();
//                   t.async_wait(tok)      -> void(error_code); operation_aborted on cancel
//   R::socket_type  s.async_read_some(buf, tok)  -> void(error_code, size_t)
//                   s.async_write_some(buf, tok) -> void(error_code, size_t)
//                   s.shutdown_send(); s.close(); s.local_endpoint(); s.remote_endpoint()
//                   (so boost::asio::async_read/async_write work on it)
//   R::acceptor_type a = rt.listen(endpoint);  a.async_accept(tok) -> void(error_code, socket_type)
//                   a.close(); a.local_endpoint()
//   rt.async_connect(endpoint, tok)   -> void(error_code, socket_type)
//   rt.async_connect(endpoint, options, tok)  the same with SocketOptions
//   a.set_peer_md5(address, key)      TCP-MD5 key for connections from address
//   s.apply(options)                  TTL / minimum TTL on an accepted socket
//   rt.now()        -> std::chrono::nanoseconds (monotonic; virtual in the simulator)
//   rt.random()     -> uint64_t;  rt.derive_seed(name) -> uint64_t (stable per name)
//   rt.host_name()  -> std::string
//   R::process_type p = rt.spawn(ProcessSpec{argv, cwd, env});  a helper process with
//                   piped stdin/stdout/stderr (throws std::system_error naming the
//                   command when it cannot be started):
//                   p.async_read_some(buf, tok)        -> void(error_code, size_t)  its stdout
//                   p.async_read_stderr_some(buf, tok) -> void(error_code, size_t)  its stderr
//                   p.async_write_some(buf, tok)       -> void(error_code, size_t)  its stdin
//                   p.close_stdin(); p.terminate() (SIGTERM); p.kill() (SIGKILL)
//                   p.async_wait_exit(tok) -> void(error_code, int): exit status, or
//                   128 + signal number when a signal ended it (as a shell says)
//                   p.pid(); p.running()
//                   The live model runs it in real time; the simulator runs Python
//                   helpers in virtual time (docs/processes.md).
// Endpoints are boost::asio::ip::tcp::endpoint (address + port) in both.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bgpsim::runtime {

using Endpoint = boost::asio::ip::tcp::endpoint;

// Per-peer socket settings. The live runtime applies them all; the simulator
// ignores them: a node connects from its own address, its links have no TTL,
// and both ends of a simulated session share the configuration's keys.
struct SocketOptions {
  std::optional<boost::asio::ip::address> local_address;  // bind before connecting
  std::string md5_password;             // RFC 2385 TCP-MD5 (Linux TCP_MD5SIG), empty: none
  std::optional<std::uint8_t> ttl;      // TTL / hop limit of what we send (GTSM: 255)
  std::optional<std::uint8_t> min_ttl;  // drop what arrives with a lower TTL (RFC 5082)
};

// A helper process to start: argv[0] is looked up in PATH when it has no
// slash; env entries are added to (or replace) the speaker's environment.
struct ProcessSpec {
  std::vector<std::string> argv;
  std::string cwd;  // empty: the speaker's
  std::vector<std::pair<std::string, std::string>> env;
};

template <class P, class Executor>
concept ChildProcess = requires(P& p, boost::asio::mutable_buffer mb, boost::asio::const_buffer cb,
                                boost::asio::use_awaitable_t<Executor> tok) {
  { p.get_executor() } -> std::convertible_to<Executor>;
  { p.async_read_some(mb, tok) } -> std::same_as<boost::asio::awaitable<std::size_t, Executor>>;
  {
    p.async_read_stderr_some(mb, tok)
    } -> std::same_as<boost::asio::awaitable<std::size_t, Executor>>;
  { p.async_write_some(cb, tok) } -> std::same_as<boost::asio::awaitable<std::size_t, Executor>>;
  { p.async_wait_exit(tok) } -> std::same_as<boost::asio::awaitable<int, Executor>>;
  p.close_stdin();
  p.terminate();
  p.kill();
  { p.pid() } -> std::convertible_to<int>;
  { p.running() } -> std::convertible_to<bool>;
}
&&std::movable<P>;

template <class T, class Executor>
concept StreamSocket = requires(T& s, boost::asio::mutable_buffer mb, boost::asio::const_buffer cb,
                                boost::asio::use_awaitable_t<Executor> tok) {
  { s.get_executor() } -> std::convertible_to<Executor>;
  { s.async_read_some(mb, tok) } -> std::same_as<boost::asio::awaitable<std::size_t, Executor>>;
  { s.async_write_some(cb, tok) } -> std::same_as<boost::asio::awaitable<std::size_t, Executor>>;
  s.shutdown_send();
  s.apply(SocketOptions{});
  s.close();
  { s.is_open() } -> std::convertible_to<bool>;
  { s.local_endpoint() } -> std::convertible_to<Endpoint>;
  { s.remote_endpoint() } -> std::convertible_to<Endpoint>;
}
&&std::movable<T>;

template <class R>
concept Runtime = requires(R& rt, const Endpoint& ep, std::string_view name,
                           boost::asio::use_awaitable_t<typename R::executor_type> tok,
                           typename R::timer_type& timer, typename R::acceptor_type& acceptor) {
  typename R::executor_type;
  typename R::timer_type;
  typename R::socket_type;
  typename R::acceptor_type;
  typename R::process_type;
  { rt.spawn(ProcessSpec{}) } -> std::same_as<typename R::process_type>;
  { rt.get_executor() } -> std::same_as<typename R::executor_type>;
  { rt.now() } -> std::same_as<std::chrono::nanoseconds>;
  { rt.random() } -> std::same_as<std::uint64_t>;
  { rt.derive_seed(name) } -> std::same_as<std::uint64_t>;
  { rt.host_name() } -> std::convertible_to<std::string>;

  { rt.make_timer() } -> std::same_as<typename R::timer_type>;
  timer.expires_after(std::chrono::nanoseconds(1));
  timer.cancel();
  {
    timer.async_wait(tok)
    } -> std::same_as<boost::asio::awaitable<void, typename R::executor_type>>;
  requires boost::asio::is_async_operation<decltype(timer.async_wait(
      boost::asio::as_tuple(boost::asio::deferred)))>::value;

  { rt.listen(ep) } -> std::same_as<typename R::acceptor_type>;
  acceptor.set_peer_md5(ep.address(), std::string());
  acceptor.apply(SocketOptions{});
  {
    acceptor.async_accept(tok)
    } -> std::same_as<boost::asio::awaitable<typename R::socket_type, typename R::executor_type>>;
  acceptor.close();
  { acceptor.local_endpoint() } -> std::convertible_to<Endpoint>;

  {
    rt.async_connect(ep, tok)
    } -> std::same_as<boost::asio::awaitable<typename R::socket_type, typename R::executor_type>>;
  {
    rt.async_connect(ep, SocketOptions{}, tok)
    } -> std::same_as<boost::asio::awaitable<typename R::socket_type, typename R::executor_type>>;
}
&&StreamSocket<typename R::socket_type, typename R::executor_type>&& ChildProcess<
    typename R::process_type, typename R::executor_type>&& std::movable<typename R::timer_type>;

}  // namespace bgpsim::runtime
