// `bgpsim sim`: runs a scenario in the simulator and prints a summary that
// ends with the seed and the trace hash.
#include "tools/cli/sim.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <fstream>
#include <variant>

#include "scenarios/chart.hpp"
#include "scenarios/engine.hpp"
#include "scenarios/scenario.hpp"

namespace bgpsim::cli {

namespace {

// `bgpsim sim SCENARIO`: one seed of a scenario file, its outcome, and the
// chart when asked.
int run_scenario_file(const SimOptions& options) {
  auto loaded = scenarios::load_scenario(options.scenario_file);
  if (auto* error = std::get_if<std::string>(&loaded)) {
    fmt::print(stderr, "{}\n", *error);
    return 2;
  }
  const auto& scenario = std::get<scenarios::Scenario>(loaded);
  const std::uint64_t seed = options.seed.value_or(scenario.seed);
  scenarios::EngineOptions eo;
  eo.keep_events = !options.svg_path.empty();
  const auto outcome = scenarios::run_scenario(scenario, seed, eo);
  fmt::print("{}: {} speakers, {} sessions established, {} routes in Adj-RIB-Ins\n",
             scenario.name.empty() ? options.scenario_file : scenario.name, scenario.nodes.size(),
             outcome.sessions, outcome.routes);
  fmt::print(
      "  virtual {:.3f} s, {} events, converged {}\n", double(outcome.virtual_ms) / 1e3,
      outcome.events,
      outcome.converged_after_ms < 0
          ? std::string("never")
          : fmt::format("{:.3f} s after the heal", double(outcome.converged_after_ms) / 1e3));
  for (const auto& f : outcome.failures) fmt::print("  failure: {}\n", f);
  bool ok = outcome.ok();
  if (!options.svg_path.empty()) {
    const auto chart = scenarios::render_chart(scenario, outcome.run.events);
    std::ofstream out(options.svg_path, std::ios::binary);
    out << chart.svg;
    out.close();
    if (!out) {
      fmt::print(stderr, "{}: cannot write\n", options.svg_path);
      return 2;
    }
    fmt::print("  chart: {} ({} messages, {} lost in flight, {} rows)\n", options.svg_path,
               chart.messages, chart.lost, chart.rows);
  }
  if (options.check_determinism) {
    eo.keep_events = false;
    const auto again = scenarios::run_scenario(scenario, seed, eo);
    const bool same = again.run.hash == outcome.run.hash;
    fmt::print("  determinism: second run {} ({:016x})\n", same ? "identical" : "DIFFERS",
               again.run.hash);
    ok = ok && same;
  }
  fmt::print("seed {} trace hash {:016x}\n", seed, outcome.run.hash);
  fmt::print("{} passed, {} failed\n", ok ? 1 : 0, ok ? 0 : 1);
  return ok ? 0 : 1;
}

}  // namespace

int run_sim(const SimOptions& options) {
  if (!options.scenario_file.empty()) return run_scenario_file(options);
  auto s = options.scenario;
  if (options.seed) s.seed = *options.seed;
  fmt::print("two speakers over simulated TCP: {} routes from A, {} from B, hold time {}s{}\n",
             s.routes, s.routes / 20, s.hold_time_s,
             s.faults ? ", with a reset and a partition" : "");
  auto result = scenarios::run_two_speakers(s);
  for (const auto& p : result.phases)
    fmt::print("  {:>9.3f}s  {:<28} {}  A->B {:>7}  B->A {:>6}{}\n",
               std::chrono::duration<double>(p.at).count(), p.name,
               p.converged ? "converged" : "DIVERGED ", p.routes_a_to_b, p.routes_b_to_a,
               p.detail.empty() ? "" : "  (" + p.detail + ")");
  fmt::print("  sessions established by A: {}; stopped cleanly: {}\n", result.sessions_established,
             result.stopped_cleanly ? "yes" : "no");
  for (const auto& f : result.failures) fmt::print("  failure: {}\n", f);
  if (!s.pcap_path.empty()) fmt::print("  capture: {}\n", s.pcap_path);
  bool ok = result.ok();
  if (options.check_determinism) {
    auto again = s;
    again.pcap_path.clear();
    auto second = scenarios::run_two_speakers(again).run;
    const bool same = second.hash == result.run.hash;
    fmt::print("  determinism: second run {} ({:016x})\n", same ? "identical" : "DIFFERS",
               second.hash);
    ok = ok && same;
  }
  fmt::print("seed {} trace hash {:016x}\n", result.run.seed, result.run.hash);
  fmt::print("{} passed, {} failed\n", ok ? 1 : 0, ok ? 0 : 1);
  return ok ? 0 : 1;
}

void add_sim_command(CLI::App& app, SimOptions& options, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "sim",
      "Run a scenario file in the simulator (or, without one, two bgpsim speakers through a "
      "reload, a reset and a partition)");
  auto& s = options.scenario;
  cmd->add_option("scenario", options.scenario_file,
                  "Scenario file (docs/scenarios.md); without it the built-in two-speaker run")
      ->check(CLI::ExistingFile);
  cmd->add_option("--seed", options.seed,
                  "Root seed of the simulated world (default: the scenario's, or 42)");
  cmd->add_option("--svg", options.svg_path,
                  "With a scenario: write the run as a message sequence chart (SVG)");
  cmd->add_option("--routes", s.routes, "Routes announced by speaker A (B announces 1/20 of it)")
      ->capture_default_str()
      ->check(CLI::Range(2, 1'000'000));
  cmd->add_option("--hold-time", s.hold_time_s, "Hold time in seconds (0 or >= 3)")
      ->capture_default_str();
  cmd->add_flag(
      "--no-faults", [&s](std::int64_t) { s.faults = false; },
      "Skip the reset and partition phases");
  cmd->add_option("--pcap", s.pcap_path, "Write the simulated connections to this pcap file");
  cmd->add_flag("--check-determinism", options.check_determinism,
                "Run the seed twice and fail if the trace hashes differ");
  cmd->callback([&options, &exit_code] { exit_code = run_sim(options); });
}

}  // namespace bgpsim::cli
