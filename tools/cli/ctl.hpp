#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace bgpsim::cli {

struct CtlOptions {
  std::string socket_path;  // empty: default_socket_path() (live.hpp)
  std::vector<std::string> commands;
};

// Sends each command, prints its answer lines (errors on stderr). Returns 0,
// 1 when a command was answered with an error, 3 when no server answers.
int run_ctl(const CtlOptions& options);
void add_ctl_command(CLI::App& app, CtlOptions& options, int& exit_code);

}  // namespace bgpsim::cli
