#include "tools/cli/qa_functional.hpp"

#include <fmt/format.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

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
  cmd->add_option("-j,--jobs", options.jobs,
                  "Functional tests run at once, one world per thread (default: one per core)");
  auto* live = cmd->add_flag("--live", options.live,
                             "Run the functional tests on real loopback sockets (real time)");
  cmd->add_flag("--compare-live", options.compare_live,
                "Run each functional test in the simulator and live; fail when what the "
                "speaker sends (but KEEPALIVEs) differs in any byte")
      ->excludes(live);
}

void FunctionalRun::maybe_run(const qa::CiFile& file, const fs::path& config_dir) {
  if (options_.decode_only || !qa::is_functional(file)) return;
  queued_.emplace_back(file, config_dir);  // found by run_qa (config_dir_for)
}

FunctionalResult FunctionalRun::run_one(const qa::CiFile& file, const fs::path& dir) const {
  qa::FunctionalOptions o;
  o.seed = options_.seed;
  o.pcap_dir = options_.pcap_dir;
  o.python_path = options_.python_path;
  auto result =
      options_.live ? qa::run_functional_live(file, dir, o) : qa::run_functional(file, dir, o);
  if (options_.compare_live && result.status == Status::passed) {
    // The live run only has to show the same bytes up to where the simulated
    // one stopped (its last expected message); a short settle after, where
    // only End-of-RIB may come.
    auto live_options = o;
    live_options.pcap_dir.clear();
    live_options.settle = std::chrono::milliseconds(200);
    const auto live = qa::run_functional_live(file, dir, live_options);
    result.wall_s += live.wall_s;
    const auto& sim = result.messages_sent;
    const bool same = live.messages_sent.size() >= sim.size() &&
                      std::equal(sim.begin(), sim.end(), live.messages_sent.begin());
    if (live.status != Status::passed || !same) {
      result.detail = fmt::format("  simulator: {} message(s); live: {} ({}), {} message(s)\n",
                                  result.messages_sent.size(), qa::to_string(live.status),
                                  live.reason, live.messages_sent.size()) +
                      live.detail;
      for (std::size_t i = 0; i < sim.size(); ++i) {
        const auto* a = i < result.messages_sent.size() ? &result.messages_sent[i] : nullptr;
        const auto* b = i < live.messages_sent.size() ? &live.messages_sent[i] : nullptr;
        if (a && b && *a == *b) continue;
        result.detail += fmt::format("  message {}: simulator {}\n            live      {}\n",
                                     i + 1, a ? qa::to_hex(*a) : "-", b ? qa::to_hex(*b) : "-");
        break;
      }
      result.status = Status::failed;
      result.reason = "the live run differs from the simulator's";
    }
  }
  if (options_.check_determinism && result.status != Status::skipped) {
    o.pcap_dir.clear();
    const auto again = qa::run_functional(file, dir, o);
    result.wall_s += again.wall_s;
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
  return result;
}

void FunctionalRun::run_queued() {
  if (queued_.empty()) return;
  using Clock = std::chrono::steady_clock;  // the report's wall time only
  const auto start = Clock::now();
  const std::size_t first = results_.size();
  results_.resize(first + queued_.size());
  const unsigned jobs = std::max(
      1u, std::min<unsigned>(options_.jobs ? options_.jobs : std::thread::hardware_concurrency(),
                             static_cast<unsigned>(queued_.size())));
  std::atomic<std::size_t> next{0}, done{0};
  std::mutex progress;
  const bool terminal = ::isatty(STDERR_FILENO) != 0;
  auto worker = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < queued_.size();) {
      results_[first + i] = run_one(queued_[i].first, queued_[i].second);
      const std::size_t n = done.fetch_add(1) + 1;
      if (terminal) {
        std::lock_guard lock(progress);
        fmt::print(stderr, "\r{} of {} functional tests done", n, queued_.size());
      }
    }
  };
  std::vector<std::thread> threads;
  for (unsigned t = 1; t < jobs; ++t) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  if (terminal) fmt::print(stderr, "\r\033[K");
  queued_.clear();
  wall_s_ += std::chrono::duration<double>(Clock::now() - start).count();
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
  fmt::print("\nfunctional: {} passed, {} failed, {} skipped in {:.2f} s wall\n", passed(),
             failed(), skipped(), wall_s_);
}

}  // namespace bgpsim::cli
