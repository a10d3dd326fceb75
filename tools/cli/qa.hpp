#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "tools/cli/qa_functional.hpp"

namespace bgpsim::cli {

struct QaOptions {
  std::vector<std::string> paths;  // .ci files or folders; default: the bundled suite
  std::string exabgp_root;         // an ExaBGP qa tree (encoding/, api/, etc/)
  bool verbose = false;
  FunctionalCliOptions functional;  // the simulator runs (qa_functional.hpp)
  int min_pass = 1;                 // fail when fewer raw -> JSON pairs pass (a floor for CI)
};

int run_qa(const QaOptions& options);
void add_qa_command(CLI::App& app, QaOptions& options, int& exit_code);

}  // namespace bgpsim::cli
