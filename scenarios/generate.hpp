// Generated scenarios: a Plan is the plain data a generator draws (RapidCheck
// in tests/scenarios, or a seed in `bgpsim check --generated`) and shrinks;
// to_scenario() turns it into a Scenario with ExaBGP-format configurations,
// so a failing plan is written out as an ordinary scenario file.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "scenarios/scenario.hpp"

namespace bgpsim::scenarios {

struct PlanLink {
  std::size_t a = 0, b = 1;
  bool both_active = false;  // both connect and listen (collisions); else a connects
  std::int64_t latency_ms = 1;
};

struct PlanStep {
  enum class Kind {
    advance,
    announce,
    withdraw,
    partition,
    stall,
    delay,
    reset,
    heal,
    crash,
    restart
  };
  Kind kind = Kind::advance;
  std::size_t node = 0;  // announce/withdraw/crash/restart: the node; link faults: the link
  std::size_t item = 0;  // announce/withdraw: which API prefix (and family, by parity)
  std::int64_t ms = 0;   // advance: how long; delay: added latency
};

// The families generated routes cover beyond IPv4/IPv6 unicast: every family
// with a row (speaker/wire/family_row.hpp) that ExaBGP's configuration can
// announce. EVPN, RTC and BGP-LS have rows but no configuration words.
struct GeneratedFamily {
  const char* name;  // as `family { ... }` spells it: "ipv4 flow-vpn"
  // The configuration statement of route `r` of node `self` (a line inside
  // `static`, `announce`, `flow` or `l2vpn`, with its block).
  std::string (*route)(std::size_t self, std::size_t r);
};
std::span<const GeneratedFamily> generated_families();

struct Plan {
  std::uint64_t seed = 1;
  std::size_t nodes = 2;
  std::vector<PlanLink> links;
  std::vector<std::size_t> v4_routes;  // configured IPv4 unicast routes per node
  std::vector<std::size_t> v6_routes;  // configured IPv6 unicast routes per node
  // Configured routes per node and generated family: family_routes[node][f]
  // routes of generated_families()[f] (a missing entry is 0).
  std::vector<std::vector<std::size_t>> family_routes;
  std::vector<PlanStep> steps;
  std::uint16_t hold_time_s = 9;
  bool broken = false;  // every speaker drops single withdrawals ("drop-withdraw")
};

Scenario to_scenario(const Plan& plan);
// A plan drawn from `seed` alone: `size` (0-100) scales nodes, routes and steps.
Plan random_plan(std::uint64_t seed, int size);

// The scale scenario (docs/scenarios.md, "Scale"): a two-tier Clos fabric of
// `spines` spine and `leaves` leaf speakers, every leaf peering with every
// spine over eBGP (the leaf dials), each leaf announcing `routes` IPv4 /32s;
// then `minutes` of faults: every 5 minutes a leaf-spine link partitions for
// longer than the hold time, a leaf crashes and restarts, a link resets.
// scenarios/make_clos.py writes the same scenario as a file (a test checks).
struct ClosOptions {
  std::size_t spines = 4;
  std::size_t leaves = 60;
  std::size_t routes = 100;  // per leaf
  int minutes = 60;
  int hold_time_s = 9;
};
Scenario clos_scenario(const ClosOptions& options);

}  // namespace bgpsim::scenarios
