#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace bgpsim::cli {

struct ConformOptions {
  std::string target = "sim";        // sim, or HOST:PORT of a live speaker
  std::vector<std::string> filters;  // substrings of case ids or RFC names
  bool quick = false;
  bool verbose = false;
  bool list = false;
  std::string next_hop;  // live: NEXT_HOP of the routes sent (default: --local)
  std::string local;     // live: the address to connect from (the target's neighbor)
  std::uint32_t local_as = 65001;
  std::uint32_t peer_as = 65000;
  std::string json;  // write the JSON report here
  int connect_timeout_s = 30;
  int pause_ms = 0;
};

int run_conform(const ConformOptions& options);
void add_conform_command(CLI::App& app, ConformOptions& options, int& exit_code);

}  // namespace bgpsim::cli
