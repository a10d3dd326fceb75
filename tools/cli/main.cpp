// The one `bgpsim` command line; each subcommand lives in its own file.
#include <CLI/CLI.hpp>

#include "tools/cli/check.hpp"
#include "tools/cli/config.hpp"
#include "tools/cli/conform.hpp"
#include "tools/cli/ctl.hpp"
#include "tools/cli/decode.hpp"
#include "tools/cli/live.hpp"
#include "tools/cli/qa.hpp"
#include "tools/cli/replay.hpp"
#include "tools/cli/sim.hpp"

int main(int argc, char** argv) {
  CLI::App app{"bgpsim: deterministic simulation and test harness for BGP speakers"};
  app.require_subcommand(1);
  int exit_code = 0;
  bgpsim::cli::DecodeOptions decode_options;
  bgpsim::cli::add_decode_command(app, decode_options, exit_code);
  bgpsim::cli::ConfigOptions config_options;
  bgpsim::cli::add_config_command(app, config_options, exit_code);
  bgpsim::cli::QaOptions qa_options;
  bgpsim::cli::add_qa_command(app, qa_options, exit_code);
  bgpsim::cli::LiveOptions live_options;
  bgpsim::cli::add_live_command(app, live_options, exit_code);
  bgpsim::cli::CtlOptions ctl_options;
  bgpsim::cli::add_ctl_command(app, ctl_options, exit_code);
  bgpsim::cli::CheckOptions check_options;
  bgpsim::cli::add_check_command(app, check_options, exit_code);
  bgpsim::cli::SimOptions sim_options;
  bgpsim::cli::add_sim_command(app, sim_options, exit_code);
  bgpsim::cli::ReplayOptions replay_options;
  bgpsim::cli::add_replay_command(app, replay_options, exit_code);
  bgpsim::cli::ConformOptions conform_options;
  bgpsim::cli::add_conform_command(app, conform_options, exit_code);
  CLI11_PARSE(app, argc, argv);
  return exit_code;
}
