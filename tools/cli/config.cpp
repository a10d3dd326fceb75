#include "tools/cli/config.hpp"

#include <fmt/format.h>

#include <iostream>

#include "speaker/config/parser.hpp"

namespace bgpsim::cli {

namespace {

bool report(const config::ParseResult& r, std::ostream& err) {
  for (const auto& e : r.errors) err << e.to_string() << '\n';
  return r.errors.empty();
}

}  // namespace

int run_config_check(const std::vector<std::string>& files, std::ostream& out, std::ostream& err) {
  int code = 0;
  for (const auto& file : files) {
    auto r = config::parse_file(file);
    if (!report(r, err)) {
      code = 1;
      continue;
    }
    std::size_t routes = 0, flow = 0, other = 0;
    for (const auto& n : r.config.neighbors) {
      routes += n.routes.size();
      flow += n.flow_routes.size();
      other += n.family_routes.size();
    }
    out << fmt::format(
        "{}: ok, {} neighbors, {} routes, {} flow routes, {} other routes, {} processes\n", file,
        r.config.neighbors.size(), routes, flow, other, r.config.processes.size());
  }
  return code;
}

int run_config_print(const std::string& file, std::ostream& out, std::ostream& err) {
  auto r = config::parse_file(file);
  if (!report(r, err)) return 1;
  out << config::print_config(r.config);
  return 0;
}

void add_config_command(CLI::App& app, ConfigOptions& options, int& exit_code) {
  auto* cmd = app.add_subcommand("config", "Read ExaBGP configuration files as the speaker does");
  cmd->require_subcommand(1);
  auto* check = cmd->add_subcommand(
      "check", "Report every error as file:line:col: message; a summary line per good file");
  check->add_option("files", options.files, "Configuration files")
      ->required()
      ->check(CLI::ExistingFile);
  check->callback([&options, &exit_code] {
    exit_code = run_config_check(options.files, std::cout, std::cerr);
  });
  auto* print = cmd->add_subcommand(
      "print", "Print the canonical form (it parses back to the same configuration)");
  print->add_option("file", options.print_file, "Configuration file")
      ->required()
      ->check(CLI::ExistingFile);
  print->callback([&options, &exit_code] {
    exit_code = run_config_print(options.print_file, std::cout, std::cerr);
  });
}

}  // namespace bgpsim::cli
