#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace bgpsim::cli {

struct LiveOptions {
  std::string config_path;
};

// Runs the speaker on real sockets until SIGTERM/SIGINT; SIGHUP or SIGUSR1
// reloads the configuration. Returns the exit code.
int run_live(const LiveOptions& options);
void add_live_command(CLI::App& app, LiveOptions& options, int& exit_code);

}  // namespace bgpsim::cli
