// Issue 16.5: generated scenarios (2-20 speakers, IPv4 and IPv6 unicast
// routes, API commands, faults) keep the safety invariants and reach liveness;
// a deliberately broken speaker (its Adj-RIB-Out drops single withdrawals) is
// caught, and RapidCheck shrinks it to a scenario of a few events, written
// out as a scenario file that reproduces the failure with its seed.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <filesystem>
#include <fstream>

#include "scenarios/engine.hpp"
#include "scenarios/generate.hpp"

namespace bgpsim::scenarios {
namespace {

// A plan RapidCheck draws and shrinks: fewer nodes, links, routes and steps,
// shorter advances. The size (0-100 over a run) scales the topology.
Plan draw_plan(bool broken) {
  // Every draw has a fixed place whatever the node count (fixed-size lists,
  // cut to the nodes drawn): when shrinking takes a node away, the steps and
  // the other nodes' routes keep their values, so the failure stays. The
  // lists do not shrink themselves (each element would cost a failing run).
  constexpr std::size_t most = 20;
  Plan p;
  p.broken = broken;
  p.seed = *rc::gen::inRange<std::uint64_t>(0, 1'000'000);
  const int size = *rc::gen::inRange(0, 101);
  using K = PlanStep::Kind;
  const auto step = rc::gen::exec([] {
    PlanStep s;
    s.kind = *rc::gen::weightedElement<K>({{4, K::advance},
                                           {3, K::announce},
                                           {3, K::withdraw},
                                           {1, K::partition},
                                           {1, K::stall},
                                           {1, K::delay},
                                           {1, K::reset},
                                           {1, K::heal},
                                           {1, K::crash},
                                           {1, K::restart}});
    s.node = *rc::gen::inRange<std::size_t>(0, 64);  // to_scenario takes it modulo
    s.item = *rc::gen::inRange<std::size_t>(0, 3);
    // Advances shrink towards 3 s, time enough for every session to come up
    // (shorter ones make a withdrawal race its announcement: a poor shrink).
    s.ms = s.kind == K::delay ? *rc::gen::inRange<std::int64_t>(0, 400)
                              : *rc::gen::inRange<std::int64_t>(3000, 20'000);
    return s;
  });
  p.steps = *rc::gen::resize(std::min(size, 12), rc::gen::container<std::vector<PlanStep>>(step));
  p.nodes = *rc::gen::inRange<std::size_t>(2, std::size_t(3 + size * (most - 2) / 100));
  const auto parents = *rc::gen::noShrink(
      rc::gen::container<std::vector<std::size_t>>(most, rc::gen::inRange<std::size_t>(0, 1024)));
  const auto latencies = *rc::gen::noShrink(
      rc::gen::container<std::vector<std::int64_t>>(most, rc::gen::inRange<std::int64_t>(1, 20)));
  const auto extra = *rc::gen::noShrink(
      rc::gen::container<std::vector<std::size_t>>(most, rc::gen::inRange<std::size_t>(0, 1024)));
  // One side dials, the other listens: two dialling sides can livelock
  // after a reset (docs/scenarios.md, "Findings"). A tree reaches every node.
  for (std::size_t i = 1; i < p.nodes; ++i)
    p.links.push_back(PlanLink{parents[i - 1] % i, i, false, latencies[i - 1]});
  for (std::size_t e = 0; e + 1 < p.nodes / 2 * 2; e += 2) {
    const auto a = extra[e] % p.nodes, b = extra[e + 1] % p.nodes;
    const bool known = std::any_of(p.links.begin(), p.links.end(), [&](const PlanLink& l) {
      return (l.a == a && l.b == b) || (l.a == b && l.b == a);
    });
    if (a != b && !known) p.links.push_back(PlanLink{a, b, false, 5});
  }
  p.v4_routes = *rc::gen::noShrink(
      rc::gen::container<std::vector<std::size_t>>(most, rc::gen::inRange<std::size_t>(0, 4)));
  p.v6_routes = *rc::gen::noShrink(
      rc::gen::container<std::vector<std::size_t>>(most, rc::gen::inRange<std::size_t>(0, 3)));
  p.v4_routes.resize(p.nodes);
  p.v6_routes.resize(p.nodes);
  // Other families: most nodes none, some a route in a few families.
  const auto families = generated_families().size();
  // A fixed number of draws (as above), so shrinking the node count keeps them.
  for (std::size_t i = 0; i < most; ++i)
    p.family_routes.push_back(*rc::gen::noShrink(rc::gen::container<std::vector<std::size_t>>(
        families, rc::gen::weightedElement<std::size_t>({{6, 0}, {1, 1}, {1, 2}}))));
  p.family_routes.resize(p.nodes);
  return p;
}

EngineOptions generated_options() {
  EngineOptions o;
  o.strict_commands = false;  // shrinking leaves withdrawals of what was never announced
  o.bgp_trace = false;        // hash only: the properties need no summaries
  return o;
}

RC_GTEST_PROP(ScenarioProperty, GeneratedScenariosAreSafeAndLive, ()) {
  const auto scenario = to_scenario(draw_plan(false));
  const auto outcome = run_scenario(scenario, scenario.seed, generated_options());
  if (!outcome.ok()) {
    std::string report;
    for (const auto& f : outcome.failures) report += f + "\n";
    RC_FAIL(report + to_json(scenario));
  }
}

// The smallest failing scenario seen, by (steps, nodes): the one RapidCheck
// ends its shrinking with.
struct Smallest {
  std::optional<Scenario> scenario;
  std::string failure;
  void offer(const Scenario& s, const std::string& f) {
    if (!scenario || std::pair(s.timeline.size(), s.nodes.size()) <
                         std::pair(scenario->timeline.size(), scenario->nodes.size())) {
      scenario = s;
      failure = f;
    }
  }
};

TEST(ScenarioProperty, BrokenSpeakerIsCaughtAndShrunk) {
  Smallest smallest;
  const bool passed = rc::check("a speaker that drops withdrawals", [&] {
    const auto scenario = to_scenario(draw_plan(true));
    const auto outcome = run_scenario(scenario, scenario.seed, generated_options());
    if (!outcome.ok()) smallest.offer(scenario, outcome.failures.front());
    RC_ASSERT(outcome.ok());
  });
  ASSERT_FALSE(passed) << "the properties missed a speaker that drops withdrawals";
  ASSERT_TRUE(smallest.scenario);
  const auto& s = *smallest.scenario;
  // Shrunk to a few speakers and events: an announce and its withdrawal
  // (plus perhaps an advance between them).
  std::string steps;
  for (const auto& st : s.timeline) steps += describe(st) + "; ";
  RecordProperty("shrunk", steps);
  EXPECT_LE(s.nodes.size(), 3u) << to_json(s);
  EXPECT_LE(s.timeline.size(), 4u) << steps;
  EXPECT_NE(smallest.failure.find("liveness"), std::string::npos) << smallest.failure;
  // Written out as a scenario file, it reproduces the failure with its seed.
  const auto path = std::filesystem::path(testing::TempDir()) / "shrunk.json";
  std::ofstream(path) << to_json(s);
  auto loaded = load_scenario(path);
  ASSERT_TRUE(std::holds_alternative<Scenario>(loaded)) << std::get<std::string>(loaded);
  EXPECT_EQ(std::get<Scenario>(loaded), s);
  const auto again = run_scenario(std::get<Scenario>(loaded), s.seed, generated_options());
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.failures.front(), smallest.failure);
  // And the same scenario with a sound speaker passes.
  auto sound = s;
  for (auto& n : sound.nodes) n.broken.clear();
  const auto fixed = run_scenario(sound, s.seed, generated_options());
  EXPECT_TRUE(fixed.ok()) << (fixed.failures.empty() ? "" : fixed.failures.front());
}

// Issue 16.5: every family the generators know, configured on both ends
// of a session, reaches the peer's Adj-RIB-In whole (liveness compares the
// Adj-RIBs and names the family of the first difference).
TEST(ScenarioProperty, EveryGeneratedFamilyReachesThePeer) {
  Plan p;
  p.nodes = 2;
  p.links = {PlanLink{0, 1, false, 3}};
  p.v4_routes = {1, 2};
  p.v6_routes = {1, 0};
  const auto families = generated_families().size();
  p.family_routes = {std::vector<std::size_t>(families, 2), std::vector<std::size_t>(families, 1)};
  p.steps = {PlanStep{PlanStep::Kind::advance, 0, 0, 5000}};
  const auto scenario = to_scenario(p);
  auto o = run_scenario(scenario, 1, generated_options());
  ASSERT_TRUE(o.ok()) << o.failures.front() << "\n" << to_json(scenario);
  EXPECT_EQ(o.routes, 1 + 2 + 1 + families * (2 + 1)) << to_json(scenario);
  // n1 holds n0's routes: one IPv4 and one IPv6 unicast, two of each family.
  auto s = scenario;
  Step check;
  check.kind = Step::Kind::check;
  check.text = "adj-rib-in";
  check.node = "n1";
  check.peer = "10.0.0.1";
  check.count = 1 + 1 + families * 2;
  s.timeline.push_back(check);
  o = run_scenario(s, 1, generated_options());
  EXPECT_TRUE(o.ok()) << o.failures.front();
}

// bgpsim check's generator draws valid plans from a seed alone.
TEST(ScenarioProperty, SeededPlansRun) {
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    const auto scenario = to_scenario(random_plan(seed, 30));
    const auto outcome = run_scenario(scenario, scenario.seed, generated_options());
    EXPECT_TRUE(outcome.ok()) << outcome.failures.front() << "\n" << to_json(scenario);
  }
}

}  // namespace
}  // namespace bgpsim::scenarios
