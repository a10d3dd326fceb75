// `bgpsim ctl [--socket PATH] COMMAND...`: sends API commands to a running
// `bgpsim live` over its control socket and prints the answers. Each
// command's answer ends with `done` or `error: REASON`.
#include "tools/cli/ctl.hpp"

#include <fmt/format.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdio>

#include "tools/cli/live.hpp"

namespace bgpsim::cli {

int run_ctl(const CtlOptions& options) {
  namespace asio = boost::asio;
  using asio::local::stream_protocol;
  const std::string path = options.socket_path.empty() ? default_socket_path() : options.socket_path;
  asio::io_context io;
  stream_protocol::socket socket(io);
  boost::system::error_code ec;
  socket.connect(stream_protocol::endpoint(path), ec);
  if (ec) {
    fmt::print(stderr, "bgpsim ctl: no bgpsim live on {}: {}\n", path, ec.message());
    return 3;
  }
  int exit_code = 0;
  std::string buf;
  for (const auto& command : options.commands) {
    asio::write(socket, asio::buffer(command + "\n"), ec);
    if (ec) {
      fmt::print(stderr, "bgpsim ctl: {}: {}\n", path, ec.message());
      return 3;
    }
    // Lines until this command's answer: `done` or `error...`.
    for (;;) {
      const std::size_t n = asio::read_until(socket, asio::dynamic_buffer(buf), '\n', ec);
      if (ec) {
        fmt::print(stderr, "bgpsim ctl: the connection ended before the answer to '{}' ({})\n",
                   command, ec.message());
        return 3;
      }
      const std::string line = buf.substr(0, n - 1);
      buf.erase(0, n);
      if (line.starts_with("error")) {
        fmt::print(stderr, "{}\n", line);
        exit_code = 1;
        break;
      }
      fmt::print("{}\n", line);
      if (line == "done") break;
    }
    std::fflush(stdout);
  }
  return exit_code;
}

void add_ctl_command(CLI::App& app, CtlOptions& options, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "ctl", "Send text API commands to a running `bgpsim live` (its control socket)");
  cmd->add_option("command", options.commands,
                  "API commands (one argument each), e.g. \"announce route 10.0.0.0/24 "
                  "next-hop 192.0.2.1\"; exit status 1 if one fails, 3 if no server answers")
      ->required();
  cmd->add_option("--socket", options.socket_path,
                  "Control socket (default: $BGPSIM_SOCKET, $XDG_RUNTIME_DIR/bgpsim.sock, "
                  "else /tmp/bgpsim-UID.sock)");
  cmd->callback([&options, &exit_code] { exit_code = run_ctl(options); });
}

}  // namespace bgpsim::cli
