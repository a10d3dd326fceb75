// The functional half of `bgpsim qa` (qa/runner/functional.hpp): options,
// running each functional .ci file in the simulator, the result table.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "qa/runner/functional.hpp"

namespace bgpsim::cli {

struct FunctionalCliOptions {
  std::uint64_t seed = 1;
  bool check_determinism = false;  // run each test twice, compare the trace hashes
  std::string pcap_dir;            // a pcap per test
  bool decode_only = false;        // skip the simulator runs
};

void add_functional_options(CLI::App* cmd, FunctionalCliOptions& options);

class FunctionalRun {
 public:
  explicit FunctionalRun(const FunctionalCliOptions& options) : options_(options) {}
  // Runs `file` in the simulator when it is a functional test.
  void maybe_run(const qa::CiFile& file, const std::filesystem::path& config_dir);
  // The table, each failure's detail, the skipped with their reasons, the
  // summary line. Nothing when no functional test ran.
  void print() const;
  int passed() const;
  int failed() const;

 private:
  FunctionalCliOptions options_;
  std::vector<qa::FunctionalResult> results_;
  double wall_s_ = 0;
};

}  // namespace bgpsim::cli
