#include "tools/cli/qa_functional.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

namespace bgpsim::cli {

namespace fs = std::filesystem;
using qa::FunctionalResult;
using Status = FunctionalResult::Status;

void add_functional_options(CLI::App* cmd, FunctionalCliOptions& options) {
  cmd->add_option("--seed", options.seed,
                  "Seed of every simulated world (the functional tests; printed in the table)")
      ->capture_default_str();
  cmd->add_flag("--check-determinism", options.check_determinism,
                "Run every functional test twice with the seed and compare the trace hashes");
  cmd->add_option("--pcap", options.pcap_dir, "Write DIR/TEST.pcap for every functional test")
      ->check(CLI::ExistingDirectory);
  cmd->add_flag("--decode-only", options.decode_only,
                "Only the raw -> JSON checks, no functional test in the simulator");
}

void FunctionalRun::maybe_run(const qa::CiFile& file, const fs::path& config_dir) {
  if (options_.decode_only || !qa::is_functional(file)) return;
  // ExaBGP's layout: configurations in the .ci folder's ../etc/.
  fs::path dir = config_dir;
  if (dir.empty() || !fs::exists(dir / file.configs.front()))
    dir = file.path.parent_path().parent_path() / "etc";
  qa::FunctionalOptions o;
  o.seed = options_.seed;
  o.pcap_dir = options_.pcap_dir;
  auto result = qa::run_functional(file, dir, o);
  wall_s_ += result.wall_s;
  if (options_.check_determinism && result.status != Status::skipped) {
    o.pcap_dir.clear();
    const auto again = qa::run_functional(file, dir, o);
    wall_s_ += again.wall_s;
    if (again.trace_hash != result.trace_hash || again.status != result.status) {
      result.detail = fmt::format("  first run:  {} hash {:016x}\n  second run: {} hash {:016x}\n",
                                  qa::to_string(result.status), result.trace_hash,
                                  qa::to_string(again.status), again.trace_hash) +
                      result.detail;
      result.status = Status::failed;
      result.reason =
          "nondeterministic: two runs with seed " + std::to_string(options_.seed) + " differ";
    }
  }
  results_.push_back(std::move(result));
}

int FunctionalRun::passed() const {
  return static_cast<int>(std::count_if(results_.begin(), results_.end(),
                                        [](const auto& r) { return r.status == Status::passed; }));
}
int FunctionalRun::failed() const {
  return static_cast<int>(std::count_if(results_.begin(), results_.end(),
                                        [](const auto& r) { return r.status == Status::failed; }));
}

void FunctionalRun::print() const {
  if (results_.empty()) return;
  std::size_t width = 4;
  for (const auto& r : results_) width = std::max(width, r.name.size());
  fmt::print("\nfunctional tests in the simulator (seed {}{})\n", options_.seed,
             options_.check_determinism ? ", each run twice" : "");
  fmt::print("{:<{}}  {:<6} {:>11} {:>9}  {}\n", "test", width, "result", "virtual", "wall",
             "reason");
  for (const auto& r : results_) {
    const bool ran = r.status != Status::skipped;
    fmt::print("{:<{}}  {:<6} {:>11} {:>9}  {}\n", r.name, width, qa::to_string(r.status),
               ran ? fmt::format("{:.3f} s", std::chrono::duration<double>(r.virtual_time).count())
                   : std::string("-"),
               fmt::format("{:.1f} ms", r.wall_s * 1000), r.reason);
  }
  for (const auto& r : results_)
    if (r.status == Status::failed && !r.detail.empty())
      fmt::print("\nFAIL {} (seed {}): {}\n{}", r.name, r.seed, r.reason, r.detail);
  const int skipped = static_cast<int>(results_.size()) - passed() - failed();
  fmt::print("\nfunctional: {} passed, {} failed, {} skipped in {:.2f} s wall\n", passed(),
             failed(), skipped, wall_s_);
}

}  // namespace bgpsim::cli
