// The scenario engine: runs a Scenario (scenario.hpp) in the simulator with
// one seed, in two phases.
//   1. The timeline (commands, faults, advances, checks). After every event
//      the safety invariants hold: every byte a speaker sends frames and
//      decodes as BGP; no NOTIFICATION but those the faults and commands so
//      far explain (Cease after a command or fault, Hold Timer Expired after
//      a fault, Connection Collision Resolution always); no route in an
//      Adj-RIB-In that its peer never announced on that session.
//   2. Every fault healed and every crashed node restarted (its Reactor
//      built again from its configuration), then liveness within the
//      scenario's quiesce bound of virtual time: every configured session
//      between two nodes Established, each Adj-RIB-In equal to the peer's
//      Adj-RIB-Out.
// Deterministic: the seed is the only source of variation; the trace hash
// (with speaker-level events: states, messages, routes, faults) identifies
// the run.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "scenarios/scenario.hpp"
#include "sim/trace.hpp"

namespace bgpsim::scenarios {

struct EngineOptions {
  bool bgp_trace = true;         // speaker-level trace events (decoded one-line summaries)
  bool keep_events = false;      // store trace events (to report where two runs differ)
  std::size_t max_failures = 5;  // stop reporting after this many
  // An API command the speaker rejects is a failure (a shipped scenario's
  // typo); generated timelines, which shrinking can leave withdrawing what
  // was never announced, turn this off.
  bool strict_commands = true;
};

struct Outcome {
  std::uint64_t seed = 0;
  std::vector<std::string> failures;     // each "t=12.345s step 3 (partition a b): what"
  std::int64_t converged_after_ms = -1;  // liveness reached this long after the heal
  std::int64_t virtual_ms = 0;           // virtual time of the whole run
  std::uint64_t events = 0;              // simulator events run
  std::size_t routes = 0;                // Adj-RIB-In routes of all nodes at the end
  std::size_t sessions = 0;              // sessions Established at the end
  sim::RunResult run;                    // seed, trace hash, events (keep_events)
  bool ok() const { return failures.empty(); }
};

Outcome run_scenario(const Scenario& scenario, std::uint64_t seed,
                     const EngineOptions& options = {});

}  // namespace bgpsim::scenarios
