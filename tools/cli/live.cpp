// `bgpsim live CONFIG`: the speaker on real sockets (AsioRuntime), the
// configuration's helper processes and the text API (api::ApiHost, the same
// glue the simulator's functional runner uses), and a control socket for
// `bgpsim ctl`.
#include "tools/cli/live.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <memory>

#include "speaker/api/api_host.hpp"
#include "speaker/api/json_events.hpp"
#include "speaker/config/parser.hpp"
#include "speaker/reactor/on_asio.hpp"
#include "speaker/reactor/reactor.hpp"
#include "speaker/runtime/asio_runtime.hpp"

namespace bgpsim::cli {

namespace {

using Reactor = reactor::Reactor<runtime::AsioRuntime>;
using Host = api::ApiHost<runtime::AsioRuntime>;
using boost::asio::local::stream_protocol;
namespace asio = boost::asio;

void log_line(std::string_view line) { fmt::print(stderr, "bgpsim live: {}\n", line); }

std::optional<config::Config> load(const std::string& path) {
  auto parsed = config::load_config(path);
  if (auto* e = std::get_if<config::ParseError>(&parsed)) {
    log_line(e->to_string());
    return std::nullopt;
  }
  return std::get<config::Config>(std::move(parsed));
}

// Applies a configuration; the error (listener address in use...) if refused.
std::optional<std::string> apply(Reactor& reactor, api::JsonEvents& events,
                                 const config::Config& config) {
  try {
    if (auto error = reactor.configure(config)) return error;
  } catch (const boost::system::system_error& e) {
    return std::string(e.what());
  }
  events.set_neighbors(config);
  return std::nullopt;
}

// The control socket: each connection is an API client ("ctl#N") sending
// command lines and reading their answers. Answers are queued per
// connection, so a client that reads slowly or goes away mid-answer holds
// nothing up and loses nobody else's.
class ControlServer {
 public:
  ControlServer(asio::io_context& io, Host& host, const std::string& path)
      : io_(io), host_(host), acceptor_(io), path_(path) {}
  ~ControlServer() { close(); }

  // An error when the socket cannot be opened; another live server's socket
  // is left alone, a stale one (nobody listening) is replaced.
  std::optional<std::string> open() {
    boost::system::error_code ec;
    if (std::filesystem::exists(path_, ec)) {
      stream_protocol::socket probe(io_);
      probe.connect(stream_protocol::endpoint(path_), ec);
      if (!ec) return "another bgpsim live answers on " + path_ + " (give --socket PATH)";
      std::filesystem::remove(path_, ec);
    }
    acceptor_.open(stream_protocol(), ec);
    if (!ec) acceptor_.bind(stream_protocol::endpoint(path_), ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return "control socket " + path_ + ": " + ec.message();
    bound_ = true;
    asio::co_spawn(io_, accept(), asio::detached);
    return std::nullopt;
  }

  void close() {
    boost::system::error_code ec;
    acceptor_.close(ec);
    if (bound_) std::filesystem::remove(path_, ec);
    bound_ = false;
    // Each connection's reader sees the end; its writer still sends what was
    // answered (the `done` of a `shutdown`), then closes.
    for (auto& [id, c] : connections_)
      c->socket.shutdown(stream_protocol::socket::shutdown_receive, ec);
  }

 private:
  struct Connection {
    explicit Connection(stream_protocol::socket s) : socket(std::move(s)) {}
    stream_protocol::socket socket;
    std::deque<std::string> out;
    asio::steady_timer wake{socket.get_executor(), asio::steady_timer::time_point::max()};
    bool closed = false;
  };

  asio::awaitable<void> accept() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
      if (ec) continue;
      const std::uint64_t id = ++next_id_;
      auto c = std::make_shared<Connection>(std::move(socket));
      connections_[id] = c;
      asio::co_spawn(io_, serve(id, c), asio::detached);
      asio::co_spawn(io_, write(c), asio::detached);
    }
  }

  asio::awaitable<void> serve(std::uint64_t id, std::shared_ptr<Connection> c) {
    const std::string name = fmt::format("ctl#{}", id);
    host_.attach(name, [c](const std::string& line) {
      if (c->closed) return;
      c->out.push_back(line + "\n");
      c->wake.cancel();
    });
    std::string buf;
    for (;;) {
      auto [ec, n] = co_await asio::async_read_until(c->socket, asio::dynamic_buffer(buf), '\n',
                                                     asio::as_tuple(asio::use_awaitable));
      if (ec) break;
      const std::string line = buf.substr(0, n - 1);
      buf.erase(0, n);
      host_.command(name, line);
    }
    host_.detach(name);
    connections_.erase(id);
    // What was answered is still written; the writer closes the socket.
    c->closed = true;
    c->wake.cancel();
  }

  static asio::awaitable<void> write(std::shared_ptr<Connection> c) {
    for (;;) {
      while (!c->out.empty()) {
        auto [ec, n] = co_await asio::async_write(c->socket, asio::buffer(c->out.front()),
                                                  asio::as_tuple(asio::use_awaitable));
        if (ec) {  // the client went away: drop its answers, nobody else's
          c->out.clear();
          c->closed = true;
          boost::system::error_code ignored;
          c->socket.close(ignored);
          co_return;
        }
        c->out.pop_front();
      }
      if (c->closed) {
        boost::system::error_code ignored;
        c->socket.shutdown(stream_protocol::socket::shutdown_both, ignored);
        c->socket.close(ignored);
        co_return;
      }
      co_await c->wake.async_wait(asio::as_tuple(asio::use_awaitable));
    }
  }

  asio::io_context& io_;
  Host& host_;
  stream_protocol::acceptor acceptor_;
  std::string path_;
  bool bound_ = false;
  std::uint64_t next_id_ = 0;
  std::map<std::uint64_t, std::shared_ptr<Connection>> connections_;
};

}  // namespace

std::string default_socket_path() {
  if (const char* s = std::getenv("BGPSIM_SOCKET"); s && *s) return s;
  if (const char* d = std::getenv("XDG_RUNTIME_DIR"); d && *d)
    return (std::filesystem::path(d) / "bgpsim.sock").string();
  return fmt::format("/tmp/bgpsim-{}.sock", ::getuid());
}

int run_live(const LiveOptions& options) {
  auto config = load(options.config_path);
  if (!config) return 2;
  asio::io_context io;
  runtime::AsioRuntime rt(io);
  api::JsonEvents events(
      [](const std::string& line) {
        std::fputs(line.c_str(), stdout);
        std::fputc('\n', stdout);
        std::fflush(stdout);  // consumers read events as they happen
      },
      [](const std::string& line) { log_line(line); });
  reactor::ObserverFanout observers;
  observers.add(events);
  // Before the reactor: its last events (sessions closing) reach the helpers.
  api::ApiHostOptions host_options;
  host_options.processes.command_dir =
      std::filesystem::absolute(options.config_path).parent_path().string();
  host_options.log = [](const std::string& line) { log_line(line); };
  std::unique_ptr<Host> host;
  Reactor reactor(rt, observers);
  if (auto error = apply(reactor, events, *config)) {
    log_line(*error);
    return 2;
  }
  host = std::make_unique<Host>(rt, reactor, observers, *config, std::move(host_options));

  // A bad configuration leaves the running one untouched.
  auto reload = [&]() -> std::optional<std::string> {
    auto next = load(options.config_path);
    if (!next) return "the configuration does not load (the error is in the log)";
    if (auto error = apply(reactor, events, *next)) return error;
    host->reconfigure(*next);
    config = std::move(next);  // the one running now
    return std::nullopt;
  };
  auto shutdown = [&] {
    reactor.stop();  // Cease / Administrative Shutdown to every peer
    host->stop();
  };
  // ExaBGP's `restart`: reload, then every session again (Cease /
  // Administrative Reset; each comes back after its back-off).
  auto restart = [&]() -> std::optional<std::string> {
    if (auto error = reload()) return error;
    for (const auto& n : config->neighbors)
      if (auto* peer = reactor.find_peer(n.peer_address.to_string()))
        peer->teardown(
            wire::Notification{static_cast<std::uint8_t>(wire::NotifyCode::cease), 4, {}});
    return std::nullopt;
  };
  api::Control control;
  control.reload = reload;
  control.restart = restart;
  control.shutdown = shutdown;
  control.pid = ::getpid();
  control.ppid = ::getppid();
  host->set_control(std::move(control));

  std::unique_ptr<ControlServer> server;
  if (!options.no_socket) {
    const std::string path =
        options.socket_path.empty() ? default_socket_path() : options.socket_path;
    server = std::make_unique<ControlServer>(io, *host, path);
    if (auto error = server->open()) {
      // An explicit path must work; the default may be taken by another run.
      log_line(*error);
      if (!options.socket_path.empty()) return 2;
      server.reset();
    }
  }

  asio::signal_set signals(io, SIGTERM, SIGINT, SIGHUP);
  signals.add(SIGUSR1);
  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&](const boost::system::error_code& ec, int signal) {
        if (ec) return;
        if (signal == SIGHUP || signal == SIGUSR1) {
          if (auto error = reload()) log_line("reload refused: " + *error);
        } else {
          shutdown();
        }
        signals.async_wait(on_signal);
      };
  signals.async_wait(on_signal);

  int exit_code = 0;
  int running = 2;  // the reactor and the helpers
  auto ended = [&](std::exception_ptr e) {
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& error) {
        log_line(error.what());
      }
      exit_code = 1;
    }
    // Whichever ends first takes the other down.
    shutdown();
    if (--running == 0) {
      signals.cancel();
      if (server) server->close();
    }
  };
  asio::co_spawn(io, reactor.run(), ended);
  asio::co_spawn(io, host->run(), ended);
  io.run();
  return exit_code;
}

void add_live_command(CLI::App& app, LiveOptions& options, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "live",
      "Run the speaker on real sockets (ExaBGP configuration syntax): helper processes and "
      "the text API, JSON events on stdout, `bgpsim ctl` commands on a unix socket");
  cmd->add_option("config", options.config_path, "Configuration file")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--socket", options.socket_path,
                  "Control socket for `bgpsim ctl` (default: $BGPSIM_SOCKET, "
                  "$XDG_RUNTIME_DIR/bgpsim.sock, else /tmp/bgpsim-UID.sock)");
  cmd->add_flag("--no-socket", options.no_socket, "Open no control socket");
  cmd->callback([&options, &exit_code] { exit_code = run_live(options); });
}

}  // namespace bgpsim::cli
