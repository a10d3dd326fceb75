#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bgpsim::cli {

struct CheckOptions {
  std::string scenario;               // a scenario file; empty: generated scenarios
  int generated_size = 30;            // without a file: the generator's size (0-100)
  std::uint64_t seeds = 1;            // how many seeds
  std::optional<std::uint64_t> seed;  // the first (default: the scenario's)
  unsigned jobs = 1;                  // worker threads, each with its own worlds
  std::string shard;                  // "K/M": the seeds whose index % M == K
  bool check_determinism = false;     // every seed twice, trace hashes compared
  std::string json_out;               // results as JSON (for --merge)
  std::vector<std::string> merge;     // combine these JSON results instead
  bool progress = true;               // a progress bar when stderr is a terminal
};

int run_check(const CheckOptions& options);
void add_check_command(CLI::App& app, CheckOptions& options, int& exit_code);

}  // namespace bgpsim::cli
