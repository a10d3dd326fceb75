// The conformance suite's own checks: its table is well formed, its OPEN
// reader reads what its writer writes, and a case fails when the target does
// not do what the case requires (the suite can say no). The whole suite
// against bgpsim runs as the ctest case conform_sim (tests/qa/CMakeLists.txt).
#include <gtest/gtest.h>

#include <set>

#include "qa/conform/run.hpp"

namespace bgpsim::conform {
namespace {

TEST(ConformTable, IdsAreUniqueAndEveryCaseCitesItsRfc) {
  const auto& cases = all_cases();
  EXPECT_GE(cases.size(), 240u);
  std::set<std::string> ids;
  for (const auto& c : cases) {
    EXPECT_TRUE(ids.insert(c.id).second) << "duplicate id " << c.id;
    EXPECT_EQ(c.rfc.rfind("RFC ", 0), 0u) << c.id;
    EXPECT_FALSE(c.section.empty()) << c.id;
    EXPECT_TRUE(c.level == "MUST" || c.level == "SHOULD" || c.level == "MAY") << c.id;
    EXPECT_FALSE(c.text.empty()) << c.id;
    EXPECT_FALSE(c.steps.empty()) << c.id;
    EXPECT_EQ(c.steps.front().op, Step::connect) << c.id;
  }
}

TEST(ConformOpen, ReadsWhatItWrites) {
  OpenSpec spec;
  spec.my_as = 23456;
  spec.hold_s = 30;
  spec.id = 0x01020304;
  spec.capabilities = {cap_multiprotocol(2, 1), cap_as4(4200000000u), capability(9, {3}),
                       capability(64, {0x40, 120, 0, 1, 1, 0x80}), capability(69, {0, 1, 1, 3})};
  for (bool extended : {false, true}) {
    spec.extended_parameters = extended;
    TargetOpen open;
    ASSERT_TRUE(parse_open(conform::open(spec), open));
    EXPECT_EQ(open.asn, 4200000000u);
    EXPECT_EQ(open.hold_s, 30);
    EXPECT_EQ(open.id, 0x01020304u);
    EXPECT_EQ(open.role, 3);
    EXPECT_TRUE(open.gr_notification);
    EXPECT_TRUE(open.add_path_receive_ipv4);
    EXPECT_TRUE(offers(open, Needs::graceful_restart_notification));
    EXPECT_FALSE(offers(open, Needs::enhanced_route_refresh));
    EXPECT_EQ(open.families, (std::set<std::pair<std::uint16_t, std::uint8_t>>{{2, 1}}));
  }
  EXPECT_FALSE(parse_open(keepalive(), *std::make_unique<TargetOpen>()));
}

TEST(ConformRole, PairsAsRfc9234Says) {
  EXPECT_TRUE(role_pairs(0, 3));
  EXPECT_TRUE(role_pairs(3, 0));
  EXPECT_TRUE(role_pairs(1, 2));
  EXPECT_TRUE(role_pairs(4, 4));
  EXPECT_FALSE(role_pairs(0, 0));
  EXPECT_FALSE(role_pairs(3, 4));
  EXPECT_FALSE(role_pairs(2, 2));
}

const Case& find(const std::string& id) {
  for (const auto& c : all_cases())
    if (c.id == id) return c;
  throw std::runtime_error("no case " + id);
}

TEST(ConformRun, PassesAndFailsAgainstTheSimulatedSpeaker) {
  const RunOptions options;
  const auto target = sim_target();
  EXPECT_EQ(run_case_sim(find("4271-6.2-version-3"), options, target).status,
            CaseResult::Status::pass);
  // The same case with a wrong expectation must fail, and say why.
  Case wrong = find("4271-6.2-version-3");
  wrong.steps.back().outcome.accepted = {{2, 2}};
  const auto r = run_case_sim(wrong, options, target);
  EXPECT_EQ(r.status, CaseResult::Status::fail);
  EXPECT_NE(r.detail.find("expected NOTIFICATION 2/2, got NOTIFICATION 2/1"), std::string::npos)
      << r.detail;
  // A treat-as-withdraw case checks the route: expecting it kept fails.
  Case kept = find("7606-origin-value-3");
  kept.steps.back().present = true;
  EXPECT_EQ(run_case_sim(kept, options, target).status, CaseResult::Status::fail);
}

TEST(ConformRun, NotApplicableWithoutTheCapability) {
  // The simulated target offers Enhanced Route Refresh with route refresh;
  // without route refresh it offers neither and the 7313 cases do not apply.
  EXPECT_EQ(run_case_sim(find("7313-5-subtype-3"), RunOptions{}, sim_target()).status,
            CaseResult::Status::pass);
  auto target = sim_target();
  for (auto& n : target.neighbors) n.capabilities.route_refresh = false;
  EXPECT_EQ(run_case_sim(find("7313-5-subtype-3"), RunOptions{}, target).status,
            CaseResult::Status::not_applicable);
}

TEST(ConformRun, RoleCasesFollowTheTargetsRole) {
  // The simulated target is a provider: customer pairs, peer does not, and a
  // route with OTC from its customer is a leak.
  const auto target = sim_target();
  for (const char* id : {"9234-4.2-role-3", "9234-4.2-role-4", "9234-5-otc-foreign-as",
                         "9234-5-otc-absent", "9234-4.2-two-roles"})
    EXPECT_EQ(run_case_sim(find(id), RunOptions{}, target).status, CaseResult::Status::pass) << id;
  Case kept = find("9234-5-otc-foreign-as");
  kept.steps.back().present_if = {};
  kept.steps.back().present = true;
  EXPECT_EQ(run_case_sim(kept, RunOptions{}, target).status, CaseResult::Status::fail);
}

}  // namespace
}  // namespace bgpsim::conform
