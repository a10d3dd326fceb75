#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace bgpsim::cli {

struct LiveOptions {
  std::string config_path;
  std::string socket_path;  // the control socket; empty: default_socket_path()
  bool no_socket = false;
};

// The control socket when none is given: $BGPSIM_SOCKET, else
// $XDG_RUNTIME_DIR/bgpsim.sock, else /tmp/bgpsim-UID.sock.
std::string default_socket_path();

// Runs the speaker on real sockets until SIGTERM/SIGINT or the API's
// `shutdown`; SIGHUP, SIGUSR1 or the API's `reload` reloads the
// configuration. Returns the exit code.
int run_live(const LiveOptions& options);
void add_live_command(CLI::App& app, LiveOptions& options, int& exit_code);

}  // namespace bgpsim::cli
