// Two bgpsim speakers peering in the simulator (scenarios/two_speakers):
// 10,000 routes, half withdrawn, a reset and a partition survived, each
// Adj-RIB-In equal to the other's Adj-RIB-Out after every phase; the same
// seed gives the same trace, another seed another schedule.
#include <gtest/gtest.h>

#include "scenarios/two_speakers.hpp"

namespace bgpsim {
namespace {

TEST(SimPeering, TwoSpeakersConvergeThroughResetAndPartition) {
  scenarios::TwoSpeakersOptions options;
  auto result = scenarios::run_two_speakers(options);
  ASSERT_EQ(result.phases.size(), 4u);
  for (const auto& phase : result.phases)
    EXPECT_TRUE(phase.converged) << phase.name << ": " << phase.detail;
  EXPECT_EQ(result.phases[0].routes_a_to_b, 10'000u);
  EXPECT_EQ(result.phases[0].routes_b_to_a, 500u);
  EXPECT_EQ(result.phases[1].routes_a_to_b, 5'000u);
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
