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
  unsigned jobs = 0;               // worlds run at once; 0: one per core
  bool live = false;               // real loopback sockets instead of the simulator
  bool compare_live = false;       // both, and the speaker's UPDATE bytes compared
  std::string python_path;         // qa/python for the helpers (FunctionalOptions)
};

void add_functional_options(CLI::App* cmd, FunctionalCliOptions& options);

class FunctionalRun {
 public:
  explicit FunctionalRun(const FunctionalCliOptions& options) : options_(options) {}
  // Queues `file` for the simulator when it is a functional test.
  void maybe_run(const qa::CiFile& file, const std::filesystem::path& config_dir);
  // Runs the queued tests, `jobs` worlds at a time (one world per test, each
  // on one thread: worlds share nothing), results in the order queued. A
  // progress line on a terminal.
  void run_queued();
  // The table, each failure's detail, the skipped with their reasons, the
  // summary line. Nothing when no functional test ran.
  void print() const;
  int passed() const;
  int failed() const;
  int skipped() const { return static_cast<int>(results_.size()) - passed() - failed(); }

 private:
  FunctionalCliOptions options_;
  qa::FunctionalResult run_one(const qa::CiFile& file, const std::filesystem::path& dir) const;
  std::vector<std::pair<qa::CiFile, std::filesystem::path>> queued_;
  std::vector<qa::FunctionalResult> results_;
  double wall_s_ = 0;  // the whole run, start to end
};

}  // namespace bgpsim::cli
