// What a test needs from outside the project (reference data in ../shared, a
// tool such as tshark) and what happens when it is missing. On a developer's
// machine the test is skipped with the reason; in CI (`CI=true`, or
// `BGPSIM_REQUIRE_ALL=1`, which tools/test.sh sets) a skip would let a check
// pass unrun, so it is a failure with the same reason.
//
//   if (!fs::exists(dir)) return test::skip_or_fail(dir.string() + " is absent");
//
// The call records the outcome; the caller returns (no macro hides the return).
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <source_location>
#include <string>
#include <string_view>

namespace bgpsim::test {

// True when every test must run: CI=true (set by most CI systems) or
// BGPSIM_REQUIRE_ALL=1.
inline bool require_all() {
  const char* ci = std::getenv("CI");
  const char* all = std::getenv("BGPSIM_REQUIRE_ALL");
  return (ci && std::string_view(ci) == "true") || (all && std::string_view(all) == "1");
}

// Reference data outside the project: $BGPSIM_SHARED_DIR when set (so a test
// can point it elsewhere, e.g. at a missing folder), else the folder the build
// was configured with (../shared next to the source tree).
inline std::filesystem::path shared_dir() {
  if (const char* env = std::getenv("BGPSIM_SHARED_DIR"); env && *env) return env;
  return BGPSIM_SHARED_DIR;
}

// Records a skip (developer machine) or a failure (CI) naming `reason`.
inline void skip_or_fail(const std::string& reason,
                         std::source_location where = std::source_location::current()) {
  if (require_all()) {
    ADD_FAILURE_AT(where.file_name(), static_cast<int>(where.line()))
        << "required in CI (CI=true or BGPSIM_REQUIRE_ALL=1) but cannot run: " << reason;
    return;
  }
  // GTEST_SKIP returns from this function only; the test is marked skipped.
  GTEST_SKIP() << reason << " (skipped; fails when CI=true or BGPSIM_REQUIRE_ALL=1)";
}

}  // namespace bgpsim::test
