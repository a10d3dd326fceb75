// `bgpsim check`: runs a scenario (or generated scenarios) over many seeds,
// in separate worlds on worker threads (outside any Runtime), with a progress
// bar on a terminal; each failure is one line that reproduces it; the exit
// status is non-zero on any failure. `--shard K/M` takes every M-th seed from
// the K-th (0-based) so a CI matrix can fan a sweep out, and `--merge`
// combines the shards' `--json` results (docs/scenarios.md).
#include "tools/cli/check.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "git_commit.hpp"
#include "scenarios/engine.hpp"
#include "scenarios/generate.hpp"

namespace bgpsim::cli {

namespace {

using nlohmann::json;

struct SeedResult {
  std::uint64_t seed = 0;
  bool ok = true;
  std::uint64_t hash = 0;
  std::string failure;
  scenarios::Outcome outcome;  // figures of the first run (trace events not kept)
};

std::optional<std::pair<std::uint64_t, std::uint64_t>> parse_shard(const std::string& s) {
  const auto slash = s.find('/');
  if (slash == std::string::npos) return std::nullopt;
  try {
    const auto k = std::stoull(s.substr(0, slash)), m = std::stoull(s.substr(slash + 1));
    if (m == 0 || k >= m) return std::nullopt;
    return std::pair{k, m};
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// The line that reproduces a failure.
std::string repro(const CheckOptions& o, std::uint64_t seed) {
  const std::string what =
      o.scenario.empty() ? fmt::format("--generated {}", o.generated_size) : o.scenario;
  return fmt::format("bgpsim check {} --seed {} --seeds 1{}", what, seed,
                     o.check_determinism ? " --check-determinism" : "");
}

int merge(const CheckOptions& o) {
  std::uint64_t runs = 0;
  std::vector<json> failures;
  std::map<std::uint64_t, std::string> seen;  // seed -> file: overlapping shards are an error
  std::set<std::string> scenarios, commits;
  bool bad = false;
  for (const auto& path : o.merge) {
    std::ifstream in(path);
    json j;
    try {
      j = json::parse(in);
      scenarios.insert(j.at("scenario").get<std::string>());
      commits.insert(j.at("commit").get<std::string>());
      for (const auto& r : j.at("results")) {
        const auto seed = r.at("seed").get<std::uint64_t>();
        if (auto [it, fresh] = seen.emplace(seed, path); !fresh) {
          fmt::print(stderr, "{}: seed {} also in {}\n", path, seed, it->second);
          bad = true;
        }
        ++runs;
        if (!r.at("ok").get<bool>()) failures.push_back(r);
      }
    } catch (const json::exception& e) {
      fmt::print(stderr, "{}: not a `bgpsim check --json` result: {}\n", path, e.what());
      return 2;
    }
  }
  for (const auto& f : failures)
    fmt::print("FAIL seed {}: {}\n", f.at("seed").get<std::uint64_t>(),
               f.at("failure").get<std::string>());
  fmt::print("{} files, {} seeds, {} failed ({} scenario{}, commit{} {})\n", o.merge.size(), runs,
             failures.size(), scenarios.size(), scenarios.size() == 1 ? "" : "s",
             commits.size() == 1 ? "" : "s", fmt::join(commits, ", "));
  if (scenarios.size() > 1 || commits.size() > 1) {
    fmt::print(stderr, "the files come from different scenarios or commits\n");
    bad = true;
  }
  return failures.empty() && !bad ? 0 : 1;
}

}  // namespace

int run_check(const CheckOptions& o) {
  if (!o.merge.empty()) return merge(o);
  std::uint64_t shard_k = 0, shard_m = 1;
  if (!o.shard.empty()) {
    auto s = parse_shard(o.shard);
    if (!s) {
      fmt::print(stderr, "--shard {}: expected K/M with 0 <= K < M\n", o.shard);
      return 2;
    }
    std::tie(shard_k, shard_m) = *s;
  }
  std::optional<scenarios::Scenario> file;
  if (!o.scenario.empty()) {
    auto loaded = scenarios::load_scenario(o.scenario);
    if (auto* error = std::get_if<std::string>(&loaded)) {
      fmt::print(stderr, "{}\n", *error);
      return 2;
    }
    file = std::get<scenarios::Scenario>(std::move(loaded));
  }
  const std::uint64_t first = o.seed.value_or(file ? file->seed : 1);
  std::vector<std::uint64_t> seeds;
  for (std::uint64_t i = 0; i < o.seeds; ++i)
    if (i % shard_m == shard_k) seeds.push_back(first + i);

  auto run_one = [&](std::uint64_t seed) {
    // A generated scenario comes from the seed alone; a file's runs with it.
    const auto scenario =
        file ? *file : scenarios::to_scenario(scenarios::random_plan(seed, o.generated_size));
    scenarios::EngineOptions eo;
    eo.strict_commands = file.has_value();
    eo.bgp_trace = o.check_determinism;  // speaker events only where a diff may need them
    SeedResult r;
    r.seed = seed;
    const auto outcome = scenarios::run_scenario(scenario, seed, eo);
    r.hash = outcome.run.hash;
    r.ok = outcome.ok();
    if (!r.ok) r.failure = outcome.failures.front();
    r.outcome = outcome;
    if (r.ok && o.check_determinism) {
      const auto again = scenarios::run_scenario(scenario, seed, eo);
      if (again.run.hash != r.hash) {
        eo.keep_events = true;  // once more, keeping events, to name the first difference
        const auto report = sim::check_determinism(
            seed, [&](std::uint64_t s) { return scenarios::run_scenario(scenario, s, eo).run; });
        r.ok = false;
        r.failure = "not deterministic: " + report.message;
      }
    }
    return r;
  };

  std::vector<SeedResult> results(seeds.size());
  std::atomic<std::size_t> next{0}, done{0}, failed{0};
  std::mutex print;
  const bool bar = o.progress && isatty(fileno(stderr));
  const auto started = std::chrono::steady_clock::now();  // the CLI's wall clock, not a Runtime's
  const std::string commit = BGPSIM_GIT_COMMIT;
  const std::string name = file ? o.scenario : fmt::format("generated size {}", o.generated_size);
  auto worker = [&] {
    for (std::size_t i; (i = next++) < seeds.size();) {
      results[i] = run_one(seeds[i]);
      const auto d = ++done;
      std::lock_guard lock(print);
      if (!results[i].ok) {
        ++failed;
        fmt::print("{}FAIL seed {} scenario {} commit {}: {} | reproduce: {}\n",
                   bar ? "\r\x1b[K" : "", seeds[i], name, commit, results[i].failure,
                   repro(o, seeds[i]));
        std::fflush(stdout);
      }
      if (bar) {
        const double s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        const std::size_t width = 30, filled = width * d / seeds.size();
        fmt::print(stderr, "\r[{}{}] {}/{} seeds, {} failed, {:.0f} seeds/s",
                   std::string(filled, '#'), std::string(width - filled, ' '), d, seeds.size(),
                   failed.load(), s > 0 ? double(d) / s : 0.0);
      }
    }
  };
  std::vector<std::thread> threads;
  for (unsigned j = 1; j < std::max(1u, o.jobs); ++j) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  if (bar) fmt::print(stderr, "\n");
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  if (!o.json_out.empty()) {
    json j{{"scenario", name},
           {"commit", commit},
           {"first_seed", first},
           {"seeds", o.seeds},
           {"shard", o.shard.empty() ? "0/1" : o.shard},
           {"check_determinism", o.check_determinism},
           {"results", json::array()}};
    for (const auto& r : results) {
      json e{{"seed", r.seed}, {"ok", r.ok}, {"hash", fmt::format("{:016x}", r.hash)}};
      if (!r.ok) e["failure"] = r.failure + " (reproduce: " + repro(o, r.seed) + ")";
      j["results"].push_back(std::move(e));
    }
    std::ofstream(o.json_out) << j.dump(1) << "\n";
  }
  fmt::print("{}: {} seeds, {} passed, {} failed{} in {:.2f} s ({:.0f} seeds/s), commit {}\n", name,
             seeds.size(), seeds.size() - failed, failed.load(),
             o.check_determinism ? " (each run twice)" : "", wall,
             wall > 0 ? double(seeds.size()) / wall : 0.0, commit);
  if (seeds.size() == 1) {
    // One run: its scale figures (virtual against wall time, events/s).
    const auto& out = results[0].outcome;
    const double runs = o.check_determinism ? 2.0 : 1.0;
    fmt::print(
        "seed {} trace hash {:016x}: {} sessions established, {} routes in Adj-RIB-Ins, converged "
        "{:.1f} s after the heal; {:.0f} s virtual in {:.2f} s wall ({:.0f}x), {} events "
        "({:.0f}/s)\n",
        results[0].seed, results[0].hash, out.sessions, out.routes,
        double(out.converged_after_ms) / 1e3, double(out.virtual_ms) / 1e3, wall / runs,
        wall > 0 ? double(out.virtual_ms) / 1e3 / (wall / runs) : 0.0, out.events,
        wall > 0 ? double(out.events) / (wall / runs) : 0.0);
  }
  return failed == 0 ? 0 : 1;
}

void add_check_command(CLI::App& app, CheckOptions& o, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "check",
      "Run a scenario file (or generated scenarios) over many seeds: safety, liveness, checks");
  cmd->add_option("scenario", o.scenario, "Scenario file (JSON, scenarios/*.json)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--generated", o.generated_size,
                  "Without a file: one generated scenario per seed of this size (0-100)")
      ->capture_default_str()
      ->check(CLI::Range(0, 100));
  cmd->add_option("--seeds", o.seeds, "How many seeds to run")->capture_default_str();
  cmd->add_option("--seed", o.seed, "The first seed (default: the scenario's)");
  cmd->add_option("--jobs,-j", o.jobs, "Worker threads (each runs its own worlds)")
      ->capture_default_str()
      ->check(CLI::Range(1u, 256u));
  cmd->add_option("--shard", o.shard, "K/M: run only the seeds whose index % M == K (0-based)");
  cmd->add_flag("--check-determinism", o.check_determinism,
                "Run every seed twice and fail when the trace hashes differ");
  cmd->add_option("--json", o.json_out, "Write the results as JSON (for --merge)");
  cmd->add_option("--merge", o.merge, "Combine the JSON results of shards instead of running")
      ->check(CLI::ExistingFile);
  cmd->add_flag(
      "--no-progress", [&o](std::int64_t) { o.progress = false; },
      "No progress bar, even on a terminal");
  cmd->callback([&o, &exit_code] { exit_code = run_check(o); });
}

}  // namespace bgpsim::cli
