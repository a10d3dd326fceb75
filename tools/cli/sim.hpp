#pragma once

#include <CLI/CLI.hpp>

#include "scenarios/two_speakers.hpp"

namespace bgpsim::cli {

struct SimOptions {
  scenarios::TwoSpeakersOptions scenario;
  bool check_determinism = false;
};

int run_sim(const SimOptions& options);
void add_sim_command(CLI::App& app, SimOptions& options, int& exit_code);

}  // namespace bgpsim::cli
