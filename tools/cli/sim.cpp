// `bgpsim sim`: runs a scenario in the simulator and prints a summary that
// ends with the seed and the trace hash.
#include "tools/cli/sim.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace bgpsim::cli {

int run_sim(const SimOptions& options) {
  const auto& s = options.scenario;
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
      "Two bgpsim speakers peering in the simulator, through a reload, a reset and a partition");
  auto& s = options.scenario;
  cmd->add_option("--seed", s.seed, "Root seed of the simulated world")->capture_default_str();
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
