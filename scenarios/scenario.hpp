// A scenario file (JSON, scenarios/*.json): speakers with ExaBGP-format
// configurations, the links between them, a timeline of API commands, faults,
// advances of virtual time and checks, then a quiesce bound for liveness.
// docs/scenarios.md describes every key; scenarios/engine.hpp runs one.
//
//   { "name": "...", "seed": 1, "quiesce_s": 300,
//     "nodes": [ { "name": "a", "address": "10.0.0.1", "config": "neighbor ... { ... }",
//                  "config_file": "a.conf", "broken": "drop-withdraw" } ],
//     "links": [ { "between": ["a", "b"], "latency_ms": 5, "bandwidth_bytes_per_s": 0 } ],
//     "timeline": [ { "advance_ms": 1000 },
//                   { "node": "a", "command": "announce route 10.9.0.0/24 next-hop self" },
//                   { "fault": "partition|stall|delay|reset", "between": ["a", "b"], "ms": 200 },
//                   { "fault": "heal" }, { "fault": "crash|restart", "node": "a" },
//                   { "check": "state", "node": "a", "peer": "10.0.0.2", "state": "established" },
//                   { "check": "adj-rib-in", "node": "b", "peer": "10.0.0.1",
//                     "routes": ["10.9.0.0/24"] } ] }
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace bgpsim::scenarios {

struct NodeSpec {
  std::string name;
  std::string address;  // the node's IP address (one per node)
  std::string config;   // ExaBGP-format configuration text (config_file is read into it)
  // A deliberately broken speaker, for the tests that show the properties
  // catch one: "drop-withdraw" (the Adj-RIB-Out forgets single withdrawals).
  std::string broken;
  bool operator==(const NodeSpec&) const = default;
};

struct LinkSpec {
  std::string a, b;
  std::int64_t latency_ms = 1;
  std::uint64_t bandwidth_bytes_per_s = 0;  // 0: unlimited
  bool operator==(const LinkSpec&) const = default;
};

// One timeline entry; which fields count depends on `kind`.
struct Step {
  enum class Kind { advance, command, fault, check };
  Kind kind = Kind::advance;
  std::int64_t ms = 0;               // advance: how long; delay: the added latency
  std::string node, peer;            // command/crash/restart/check: the node; check: its peer
  std::string text;                  // command: the API line; fault: its name; check: what
  std::vector<std::string> between;  // faults on links: two nodes (empty: every link)
  std::string state;                 // check state: the expected FSM state
  std::optional<std::vector<std::string>> routes;  // check adj-rib-in/out: NLRI texts
  std::optional<std::size_t> count;                // check adj-rib-in/out: route count
  bool operator==(const Step&) const = default;
};

struct Scenario {
  std::string name;
  std::uint64_t seed = 1;
  std::int64_t quiesce_s = 300;  // liveness bound after the last step and heal
  std::vector<NodeSpec> nodes;
  std::vector<LinkSpec> links;
  std::vector<Step> timeline;
  bool operator==(const Scenario&) const = default;
};

// Parses a scenario; `config_file` names are read relative to `base_dir`.
// An error names the file and the JSON path of the bad entry.
std::variant<Scenario, std::string> parse_scenario(std::string_view text,
                                                   std::string_view file_name,
                                                   const std::filesystem::path& base_dir = {});
std::variant<Scenario, std::string> load_scenario(const std::filesystem::path& path);
// JSON text (configurations inline) that parse_scenario reads back equal.
std::string to_json(const Scenario& scenario);
// One line per step, for failure reports: "3: partition a b".
std::string describe(const Step& step);

}  // namespace bgpsim::scenarios
