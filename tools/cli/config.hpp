// `bgpsim config check FILE...` and `bgpsim config print FILE`: ExaBGP
// configuration files read as the speaker reads them.
#pragma once

#include <CLI/CLI.hpp>
#include <iosfwd>
#include <string>
#include <vector>

namespace bgpsim::cli {

struct ConfigOptions {
  std::vector<std::string> files;
  std::string print_file;
};

// Every error as "file:line:col: message" on `err`; one summary line per good
// file on `out`. Returns 1 when any file has an error, 0 otherwise.
int run_config_check(const std::vector<std::string>& files, std::ostream& out, std::ostream& err);
// The canonical form on `out`; errors as for check, and 1.
int run_config_print(const std::string& file, std::ostream& out, std::ostream& err);
void add_config_command(CLI::App& app, ConfigOptions& options, int& exit_code);

}  // namespace bgpsim::cli
