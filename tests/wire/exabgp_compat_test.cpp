// Compatibility with ExaBGP's JSON: every `N:raw:` UPDATE of the ExaBGP
// functional suite (../shared/exabgp-qa, reference data outside the project)
// that is followed by its `N:json:` line and only uses families this build
// decodes must render to the same JSON. When ../shared (or $BGPSIM_SHARED_DIR)
// is absent it skips, and fails in CI (tests/require.hpp).
#include <gtest/gtest.h>

#include <iostream>
#include <map>

#include "qa/runner/decode_check.hpp"
#include "tests/require.hpp"

namespace bgpsim::qa {
namespace {

namespace fs = std::filesystem;

// The count reached; the test fails on any regression below it.
constexpr int minimum_passing = 246;

TEST(ExabgpCompat, UnicastRawToJsonPairs) {
  const fs::path qa_dir = test::shared_dir() / "exabgp-qa";
  if (!fs::is_directory(qa_dir))
    return test::skip_or_fail(qa_dir.string() + " is absent: the ExaBGP floor of " +
                              std::to_string(minimum_passing) + " pairs is not checked");
  int passing = 0, considered = 0;
  std::map<std::string, int> later_families;
  std::vector<std::string> failures;
  for (const char* sub : {"encoding", "api"}) {
    for (const auto& path : ci_files_under(qa_dir / sub)) {
      auto parsed = read_ci_file(path);
      ASSERT_TRUE(std::holds_alternative<CiFile>(parsed)) << std::get<CiError>(parsed).where;
      const auto& file = std::get<CiFile>(parsed);
      auto ctx = file.configs.empty()
                     ? wire::DecodeContext{}
                     : context_from_exabgp_config(qa_dir / "etc" / file.configs.front());
      for (const auto& pair : raw_json_pairs(file)) {
        auto outcome = check_raw_json_pair(pair, ctx);
        if (outcome.kind == PairOutcome::other_family) {
          for (const auto& f : outcome.families)
            if (!decodable_families().count(f)) ++later_families[f];
          continue;
        }
        ++considered;
        if (outcome.kind == PairOutcome::pass)
          ++passing;
        else
          failures.push_back(pair.where + "\n  " + outcome.detail);
      }
    }
  }
  std::cout << "ExaBGP raw->json pairs in this build's families: " << passing << " of "
            << considered << " pass\n";
  for (const auto& f : failures) std::cout << "  FAIL " << f << "\n";
  std::cout << "Pairs left for later families:";
  for (const auto& [family, count] : later_families) std::cout << " " << family << "=" << count;
  std::cout << "\n";
  EXPECT_GE(passing, minimum_passing);
  EXPECT_TRUE(failures.empty()) << failures.size() << " pairs fail";
}

}  // namespace
}  // namespace bgpsim::qa
