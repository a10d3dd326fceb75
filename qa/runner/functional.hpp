// The functional half of `bgpsim qa`: a .ci test with expected raw messages
// and a configuration runs in a simulated world, the bgpsim speaker
// (reactor::Reactor<sim::SimRuntime>) configured from the test's .conf on
// one node, the test peer (qa/peer/) on another, both on the loopback
// address the configuration names. One world per test; the result is
// reproducible from the seed.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "qa/peer/script.hpp"
#include "qa/runner/ci_file.hpp"

namespace bgpsim::qa {

struct FunctionalOptions {
  std::uint64_t seed = 1;
  std::filesystem::path pcap_dir;    // empty: no capture; else DIR/TEST.pcap
  std::chrono::seconds timeout{30};  // virtual; option:timeout:S overrides
  // How long the test runs on after its last group matched, where only
  // End-of-RIB may still arrive. 0: it stops there, as ExaBGP's own test
  // server does (qa/sbin/bgp exits "successful" once every expected message
  // arrived), so what a helper does after the last expected message (api-api
  // asks for a route it knows to be wrong, api-multiple-api shuts down) is
  // not part of the test.
  std::chrono::nanoseconds settle{0};
  // The .ci format is ExaBGP's, and so is what its tests expect on the wire:
  // each neighbor gets config::Neighbor::exabgp_compat (NOTIFICATION 1/0 for
  // an unknown message type, NEXT_HOP beside an MP_REACH_NLRI with an IPv4
  // next hop, MP attributes last, extended communities sorted) and this
  // software-version text (the suite's README: "reads ExaBGP/5.0.0-0+test").
  bool exabgp_compat = true;
  std::string software_version = "ExaBGP/5.0.0-0+test";
  // A Python helper's program starts this long (virtual) after its spawn,
  // as an interpreter's start-up delays it on a real machine
  // (sim::ProcessTable::set_startup): a loopback session is up and has sent
  // the configured routes before a helper's first command, as with ExaBGP
  // (its conf-watchdog expects the watchdog route after the table).
  std::chrono::nanoseconds helper_startup{50'000'000};
  // Put before the helpers' PYTHONPATH: qa/python, bgpsim's stand-in for the
  // part of ExaBGP's Python package helpers import (`exabgp.application.
  // healthcheck`). Empty: nothing added.
  std::filesystem::path python_path;
};

struct FunctionalResult {
  enum class Status { passed, failed, skipped } status = Status::failed;
  std::string name;    // the .ci file's stem
  std::string reason;  // skipped: "needs ..."; failed: one line
  std::string detail;  // failed: the group, expected and received side by side
  std::chrono::nanoseconds virtual_time{0};
  double wall_s = 0;
  std::uint64_t seed = 0;
  std::uint64_t trace_hash = 0;  // 0 live: no trace
  int connections = 0;
  std::vector<Bytes> messages_sent;  // what the speaker sent but KEEPALIVEs, in order
};

// Whether a .ci file is a functional test: it names a configuration and
// expects raw messages from the speaker or has the peer act (notification,
// signal, send).
bool is_functional(const CiFile& file);

// Runs one test. `config_dir` holds its option:file configurations
// (ExaBGP's layout: the .ci's ../etc/).
FunctionalResult run_functional(const CiFile& file, const std::filesystem::path& config_dir,
                                const FunctionalOptions& options);

// The same test with the speaker and the test peer on real sockets on the
// loopback address (one io_context, real time): the peer listens on an
// ephemeral port, which every neighbor of the configurations connects to
// (no byte on the wire carries the port), so tests can run side by side and
// nothing needs port 179. `virtual_time` is then the elapsed real time.
FunctionalResult run_functional_live(const CiFile& file, const std::filesystem::path& config_dir,
                                     const FunctionalOptions& options);

std::string_view to_string(FunctionalResult::Status status);

}  // namespace bgpsim::qa
