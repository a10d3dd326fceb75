// `bgpsim conform`: the RFC conformance suite (qa/conform/, docs/conformance.md).
#include "tools/cli/conform.hpp"

#include <fmt/format.h>

#include <fstream>
#include <iostream>

#include "qa/conform/run.hpp"

namespace bgpsim::cli {

int run_conform(const ConformOptions& options) {
  conform::RunOptions run;
  run.filters = options.filters;
  run.quick = options.quick;
  run.suite_as = options.local_as;
  run.target_as = options.peer_as;
  run.connect_for = std::chrono::seconds(options.connect_timeout_s);
  run.pause = std::chrono::milliseconds(options.pause_ms);
  if (options.list) {
    for (const auto* c : conform::select(run))
      std::cout << fmt::format("{:46} {} {} {}{}: {}\n", c->id, c->rfc, c->section, c->level,
                               c->long_timer ? " (long timer)" : "", c->text);
    return 0;
  }
  if (options.target != "sim") {
    const auto colon = options.target.rfind(':');
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(
        options.target.substr(0, colon == std::string::npos ? options.target.size() : colon), ec);
    if (ec || colon == std::string::npos) {
      std::cerr << "bgpsim conform: --target " << options.target
                << ": expected sim or HOST:PORT (an IP address and a port)\n";
      return 2;
    }
    run.target = runtime::Endpoint(
        address, static_cast<std::uint16_t>(std::stoul(options.target.substr(colon + 1))));
    if (!options.next_hop.empty()) {
      run.next_hop = boost::asio::ip::make_address_v4(options.next_hop, ec);
      if (ec) {
        std::cerr << "bgpsim conform: --next-hop " << options.next_hop << ": not an IPv4 address\n";
        return 2;
      }
    }
    if (!options.local.empty()) {
      run.local = boost::asio::ip::make_address(options.local, ec);
      if (ec) {
        std::cerr << "bgpsim conform: --local " << options.local << ": not an IP address\n";
        return 2;
      }
    }
  }
  auto progress = [&](const conform::Report::Entry& e) {
    if (!run.target) return;  // live runs are slow: say where they are
    std::cerr << fmt::format("{:4} {} ({:.1f} s){}\n", conform::to_string(e.result.status), e.c->id,
                             e.wall_s, e.result.detail.empty() ? "" : ": " + e.result.detail);
  };
  const conform::Report report =
      run.target ? conform::run_live(run, progress) : conform::run_sim(run, progress);
  conform::print_report(report, options.verbose, std::cout);
  if (!options.json.empty()) {
    std::ofstream out(options.json);
    out << conform::json_report(report) << "\n";
    if (!out) {
      std::cerr << "bgpsim conform: cannot write " << options.json << "\n";
      return 2;
    }
  }
  if (report.entries.empty()) {
    std::cerr << "bgpsim conform: no case matches the filter\n";
    return 2;
  }
  return report.count(conform::CaseResult::Status::fail) == 0 ? 0 : 1;
}

void add_conform_command(CLI::App& app, ConformOptions& options, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "conform", "Run the RFC conformance suite against bgpsim (simulator) or a live speaker");
  cmd->add_option("--target", options.target,
                  "sim (bgpsim's speaker in the simulator) or HOST:PORT of a live speaker")
      ->capture_default_str();
  cmd->add_option("--filter", options.filters,
                  "Only cases whose id or RFC contains this text (repeatable)");
  cmd->add_flag("--quick", options.quick, "Live: skip the cases that wait minutes (timers)");
  cmd->add_flag("-v,--verbose", options.verbose, "A line for every case, not only failures");
  cmd->add_flag("--list", options.list, "List the cases and exit");
  cmd->add_option("--local", options.local,
                  "Live: the address to connect from (the one the target peers with)");
  cmd->add_option("--next-hop", options.next_hop,
                  "Live: the NEXT_HOP of the routes sent (default: the --local address)");
  cmd->add_option("--local-as", options.local_as, "Our AS (the target's peer AS)")
      ->capture_default_str();
  cmd->add_option("--peer-as", options.peer_as, "The target's AS")->capture_default_str();
  cmd->add_option("--json", options.json, "Write the JSON report to this file");
  cmd->add_option("--connect-timeout", options.connect_timeout_s,
                  "Live: seconds to retry a target that is not ready for the next case")
      ->capture_default_str();
  cmd->add_option("--pause-ms", options.pause_ms, "Live: milliseconds between cases")
      ->capture_default_str();
  cmd->callback([&options, &exit_code] { exit_code = run_conform(options); });
}

}  // namespace bgpsim::cli
