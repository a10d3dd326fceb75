#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <optional>
#include <string>

#include "scenarios/two_speakers.hpp"

namespace bgpsim::cli {

struct SimOptions {
  scenarios::TwoSpeakersOptions scenario;
  bool check_determinism = false;
  // With a scenario file: run it (scenarios/engine.hpp) instead of the
  // built-in two-speaker run; --seed defaults to the file's seed.
  std::string scenario_file;
  std::optional<std::uint64_t> seed;
  std::string svg_path;  // a message sequence chart of the run (scenarios/chart.hpp)
};

int run_sim(const SimOptions& options);
void add_sim_command(CLI::App& app, SimOptions& options, int& exit_code);

}  // namespace bgpsim::cli
