// Two bgpsim speakers peering in the simulator (scenarios/two_speakers):
// 10,000 routes, half withdrawn, a reset and a partition survived. After every
// phase each Adj-RIB-In must equal the table this test derives from the
// scenario's configuration (prefixes, ORIGIN, AS_PATH, NEXT_HOP, MED and no
// other attribute), not merely the other side's Adj-RIB-Out: two emptied
// tables agree with each other but not with this. The same seed gives the
// same trace, another seed another schedule. Across processes (and the pinned
// hash of seed 42): sim_two_processes.cmake.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "scenarios/two_speakers.hpp"

namespace bgpsim {
namespace {

using wire::IpAddress;

// What one side's Adj-RIB-In must be: `count` /24s from a.b.0.0 upwards (the
// third octet counting), learnt over eBGP from `peer_as` at `next_hop`, route
// i with MED med_base + i % 7, ORIGIN IGP. Written out here from the
// scenario's documented configuration, not taken from the scenario's code.
std::map<std::string, std::string> expected_table(std::uint8_t first_octet, std::size_t count,
                                                  std::uint32_t peer_as, const char* next_hop,
                                                  std::uint32_t med_base) {
  std::map<std::string, std::string> t;
  for (std::size_t i = 0; i < count; ++i) {
    const auto prefix = fmt::format("{}.{}.{}.0/24", first_octet, i / 256, i % 256);
    t[prefix] = fmt::format("origin igp as-path [{}] next-hop {} med {}", peer_as, next_hop,
                            med_base + i % 7);
  }
  return t;
}

// The same rendering of a received table; any attribute the expectation does
// not name (LOCAL_PREF on eBGP, communities...) is printed so it cannot hide.
std::map<std::string, std::string> render(const scenarios::Table& table) {
  std::map<std::string, std::string> t;
  for (const auto& [key, attributes] : table) {
    const auto& a = *attributes;
    std::string s = "origin ";
    s += a.origin ? (*a.origin == wire::Origin::igp ? "igp" : "not-igp") : "none";
    s += " as-path [";
    if (a.as_path)
      for (std::size_t n = 0; n < a.as_path->segments.size(); ++n) {
        const auto& seg = a.as_path->segments[n];
        if (seg.type != wire::AsPathSegment::as_sequence) s += "type" + std::to_string(seg.type);
        for (std::size_t k = 0; k < seg.asns.size(); ++k)
          s += (n + k ? " " : "") + std::to_string(seg.asns[k]);
      }
    s += "] next-hop " + (a.next_hop ? a.next_hop->to_string() : std::string("none"));
    s += " med " + (a.med ? std::to_string(*a.med) : std::string("none"));
    auto rest = a;
    rest.origin.reset();
    rest.as_path.reset();
    rest.next_hop.reset();
    rest.med.reset();
    if (!(rest == wire::PathAttributes{})) s += " and other attributes";
    if (a.local_pref) s += " local-pref " + std::to_string(*a.local_pref);
    if (key.family != wire::ipv4_unicast || key.nlri.path_id) s += " (family/path id)";
    t[key.nlri.prefix.to_string()] = s;
  }
  return t;
}

// The first difference between two tables, for a readable failure.
std::string first_difference(const std::map<std::string, std::string>& want,
                             const std::map<std::string, std::string>& got) {
  for (const auto& [prefix, attributes] : want) {
    auto it = got.find(prefix);
    if (it == got.end()) return "missing " + prefix + " (" + attributes + ")";
    if (it->second != attributes)
      return prefix + ": got '" + it->second + "', want '" + attributes + "'";
  }
  for (const auto& [prefix, attributes] : got)
    if (!want.count(prefix)) return "unexpected " + prefix + " (" + attributes + ")";
  return {};
}

TEST(SimPeering, TwoSpeakersConvergeThroughResetAndPartition) {
  scenarios::TwoSpeakersOptions options;
  options.keep_tables = true;
  auto result = scenarios::run_two_speakers(options);
  ASSERT_EQ(result.phases.size(), 4u);
  // A announces 10,000 routes, then 5,000 after the reload; B 500 throughout.
  const std::size_t from_a[] = {10'000, 5'000, 5'000, 5'000};
  const auto from_b = expected_table(192, 500, 65002, "10.0.0.2", 200);
  for (std::size_t n = 0; n < result.phases.size(); ++n) {
    const auto& phase = result.phases[n];
    SCOPED_TRACE(phase.name);
    EXPECT_TRUE(phase.converged) << phase.detail;
    EXPECT_EQ(phase.routes_a_to_b, from_a[n]);
    EXPECT_EQ(phase.routes_b_to_a, 500u);
    const auto want_b = expected_table(10, from_a[n], 65001, "10.0.0.1", 100);
    const auto got_b = render(phase.rib_in_b);
    EXPECT_EQ(got_b.size(), want_b.size());
    EXPECT_TRUE(got_b == want_b) << "B's Adj-RIB-In: " << first_difference(want_b, got_b);
    const auto got_a = render(phase.rib_in_a);
    EXPECT_TRUE(got_a == from_b) << "A's Adj-RIB-In: " << first_difference(from_b, got_a);
  }
  EXPECT_GE(result.sessions_established, 3) << "initial, after the reset, after the partition";
  EXPECT_TRUE(result.stopped_cleanly);
  EXPECT_TRUE(result.failures.empty());
}

TEST(SimPeering, SameSeedSameTraceOtherSeedOtherSchedule) {
  scenarios::TwoSpeakersOptions options;
  options.routes = 2'000;
  auto report = sim::check_determinism(options.seed, [&](std::uint64_t seed) {
    options.seed = seed;
    return scenarios::run_two_speakers(options).run;
  });
  EXPECT_TRUE(report.same) << report.message;
  options.seed = 43;
  EXPECT_NE(scenarios::run_two_speakers(options).run.hash, report.hash_first)
      << "segment sizes and back-off jitter are drawn from the seed";
}

}  // namespace
}  // namespace bgpsim
