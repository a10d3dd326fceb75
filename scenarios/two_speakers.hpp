// The first scenario: two bgpsim speakers peering over simulated TCP. A
// announces `routes` IPv4 routes (B a few hundred), then withdraws half by a
// reload; faults follow (a reset, then a partition longer than the hold
// time), and after each phase both Adj-RIB-Ins must hold the number of routes
// the configuration announces and equal the other side's Adj-RIB-Out. Used by
// `bgpsim sim` and tests/reactor.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sim/trace.hpp"
#include "speaker/rib/route.hpp"

namespace bgpsim::scenarios {

struct TwoSpeakersOptions {
  std::uint64_t seed = 42;
  std::size_t routes = 10'000;  // announced by A; B announces routes / 20
  bool faults = true;           // the reset and partition phases
  std::uint16_t hold_time_s = 9;
  std::string pcap_path;     // empty: no capture
  bool keep_tables = false;  // copy both Adj-RIB-Ins into each Phase (tests)
};

// Routes A announces are 10.0.0.0/24 upwards, B's 192.0.0.0/24 upwards; route
// i carries MED base + i % 7 (A: 100, B: 200), ORIGIN IGP, next hop the
// speaker's address, AS_PATH empty (the eBGP session prepends the AS).
using Table = std::map<rib::RouteKey, rib::AttributesPtr>;

struct Phase {
  std::string name;
  std::chrono::nanoseconds at{0};  // virtual time when checked
  bool converged = false;
  std::string detail;             // what differs, when not converged
  std::size_t routes_a_to_b = 0;  // B's Adj-RIB-In
  std::size_t routes_b_to_a = 0;  // A's Adj-RIB-In
  Table rib_in_a, rib_in_b;       // with keep_tables: A's and B's Adj-RIB-In
};

struct TwoSpeakersResult {
  std::vector<Phase> phases;
  int sessions_established = 0;       // by A, over the run
  bool stopped_cleanly = false;       // both reactors returned after stop()
  std::vector<std::string> failures;  // coroutine failures reported by the simulator
  sim::RunResult run;                 // seed, trace hash, events
  bool ok() const;
};

TwoSpeakersResult run_two_speakers(const TwoSpeakersOptions& options);

}  // namespace bgpsim::scenarios
