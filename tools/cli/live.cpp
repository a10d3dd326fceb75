// `bgpsim live CONFIG`: the speaker on real sockets (AsioRuntime).
#include "tools/cli/live.hpp"

#include <fmt/format.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <cstdio>

#include "speaker/api/json_events.hpp"
#include "speaker/config/parser.hpp"
#include "speaker/reactor/reactor.hpp"
#include "speaker/runtime/asio_runtime.hpp"

namespace bgpsim::cli {

namespace {

using Reactor = reactor::Reactor<runtime::AsioRuntime>;

std::optional<config::Config> load(const std::string& path) {
  auto parsed = config::load_config(path);
  if (auto* e = std::get_if<config::ParseError>(&parsed)) {
    fmt::print(stderr, "bgpsim live: {}\n", e->to_string());
    return std::nullopt;
  }
  return std::get<config::Config>(std::move(parsed));
}

// Applies a configuration; listener errors (address in use...) are reported.
bool apply(Reactor& reactor, api::JsonEvents& events, const config::Config& config) {
  try {
    if (auto error = reactor.configure(config)) {
      fmt::print(stderr, "bgpsim live: {}\n", *error);
      return false;
    }
  } catch (const boost::system::system_error& e) {
    fmt::print(stderr, "bgpsim live: {}\n", e.what());
    return false;
  }
  events.set_neighbors(config);
  return true;
}

}  // namespace

int run_live(const LiveOptions& options) {
  auto config = load(options.config_path);
  if (!config) return 2;
  boost::asio::io_context io;
  runtime::AsioRuntime rt(io);
  api::JsonEvents events(
      [](const std::string& line) {
        std::fputs(line.c_str(), stdout);
        std::fputc('\n', stdout);
        std::fflush(stdout);  // consumers read events as they happen
      },
      [](const std::string& line) { fmt::print(stderr, "bgpsim live: {}\n", line); });
  Reactor reactor(rt, events);
  if (!apply(reactor, events, *config)) return 2;

  boost::asio::signal_set signals(io, SIGTERM, SIGINT, SIGHUP);
  signals.add(SIGUSR1);
  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&](const boost::system::error_code& ec, int signal) {
        if (ec) return;
        if (signal == SIGHUP || signal == SIGUSR1) {
          // A bad configuration leaves the running one untouched.
          if (auto reloaded = load(options.config_path)) apply(reactor, events, *reloaded);
        } else {
          // Cease / Administrative Shutdown to every peer, then exit.
          reactor.stop();
        }
        signals.async_wait(on_signal);
      };
  signals.async_wait(on_signal);

  int exit_code = 0;
  boost::asio::co_spawn(io, reactor.run(), [&](std::exception_ptr e) {
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& error) {
        fmt::print(stderr, "bgpsim live: {}\n", error.what());
      }
      exit_code = 1;
    }
    signals.cancel();
  });
  io.run();
  return exit_code;
}

void add_live_command(CLI::App& app, LiveOptions& options, int& exit_code) {
  auto* cmd = app.add_subcommand("live",
                                 "Run the speaker on real sockets (ExaBGP configuration syntax); "
                                 "events as JSON lines on stdout");
  cmd->add_option("config", options.config_path, "Configuration file")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->callback([&options, &exit_code] { exit_code = run_live(options); });
}

}  // namespace bgpsim::cli
