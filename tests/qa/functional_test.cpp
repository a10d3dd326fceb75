// The functional suite in the simulator, one ctest case per .ci file:
//  - ExaBGP's encoding tests (../shared/exabgp-qa/encoding) against a floor:
//    a test listed in tests/qa/exabgp_encoding_expected_pass.txt must pass
//    (and run identically twice); one not listed that passes is reported so
//    the list can be raised; the others are reported with their reason.
//  - ExaBGP's API tests (../shared/exabgp-qa/api), their helper processes in
//    virtual time, against tests/qa/exabgp_api_expected_pass.txt alike;
//  - our own tests (every folder of qa/): every one must pass, deterministically.
// Without ../shared the ExaBGP cases are skipped (a failure in CI, see
// tests/require.hpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "qa/runner/functional.hpp"
#include "tests/require.hpp"

namespace fs = std::filesystem;
using namespace bgpsim;
using namespace bgpsim::qa;

namespace {

fs::path exabgp_dir() { return test::shared_dir() / "exabgp-qa"; }

std::vector<std::string> ci_stems(const fs::path& dir) {
  std::vector<std::string> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& f : ci_files_under(dir)) out.push_back(f.stem().string());
  return out;
}

// The floor of one ExaBGP folder: tests/qa/exabgp_FOLDER_expected_pass.txt.
std::string floor_file(const std::string& folder) {
  return "tests/qa/exabgp_" + folder + "_expected_pass.txt";
}

std::set<std::string> expected_pass(const std::string& folder = "encoding") {
  std::set<std::string> out;
  std::ifstream in(fs::path(BGPSIM_SOURCE_DIR) / floor_file(folder));
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line[0] != '#') out.insert(line);
  return out;
}

std::string param_name(const testing::TestParamInfo<std::string>& info) {
  std::string s = info.param;
  std::replace_if(
      s.begin(), s.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
  return s;
}

FunctionalResult run(const fs::path& ci, const fs::path& config_dir, std::uint64_t seed = 1,
                     FunctionalOptions options = {}) {
  auto parsed = read_ci_file(ci);
  if (auto* e = std::get_if<CiError>(&parsed)) {
    FunctionalResult r;
    r.reason = e->where + ": " + e->reason;
    return r;
  }
  options.seed = seed;
  options.python_path = fs::path(BGPSIM_SOURCE_DIR) / "qa" / "python";
  return run_functional(std::get<CiFile>(parsed), config_dir, options);
}

std::string describe(const FunctionalResult& r) {
  return std::string(to_string(r.status)) + ": " + r.reason + "\n" + r.detail;
}

}  // namespace

// The same test on real loopback sockets passes too, and the speaker sends
// the very bytes it sent in the simulator, OPEN, UPDATEs and NOTIFICATIONs
// (KEEPALIVEs follow time): what the simulator shows is what goes on the wire.
void expect_same_bytes_live(const fs::path& ci, const fs::path& config_dir,
                            const FunctionalResult& simulated) {
  auto parsed = read_ci_file(ci);
  ASSERT_TRUE(std::holds_alternative<CiFile>(parsed));
  FunctionalOptions options;
  options.settle = std::chrono::milliseconds(200);
  const auto live = run_functional_live(std::get<CiFile>(parsed), config_dir, options);
  EXPECT_EQ(live.status, FunctionalResult::Status::passed) << "live: " << describe(live);
  EXPECT_FALSE(simulated.messages_sent.empty());
  // The simulated run stops at its last expected message; the live one runs
  // on 0.2 s (only End-of-RIB may follow there): the same bytes up to the stop.
  ASSERT_GE(live.messages_sent.size(), simulated.messages_sent.size());
  for (std::size_t i = 0; i < simulated.messages_sent.size(); ++i)
    EXPECT_EQ(to_hex(live.messages_sent[i]), to_hex(simulated.messages_sent[i]))
        << "message " << i + 1;
}

// One test of an ExaBGP folder against that folder's floor.
void check_against_floor(const std::string& folder, const std::string& name) {
  const fs::path ci = exabgp_dir() / folder / (name + ".ci");
  if (!fs::exists(ci)) return test::skip_or_fail(ci.string() + " is absent");
  const auto listed = expected_pass(folder).count(name) != 0;
  const auto r = run(ci, exabgp_dir() / "etc");
  testing::Test::RecordProperty("result", std::string(to_string(r.status)));
  testing::Test::RecordProperty("reason", r.reason);
  if (listed) {
    EXPECT_EQ(r.status, FunctionalResult::Status::passed)
        << name << " is in " << floor_file(folder) << " but " << describe(r);
    const auto again = run(ci, exabgp_dir() / "etc");
    EXPECT_EQ(again.trace_hash, r.trace_hash) << "two runs with seed 1 differ";
    EXPECT_EQ(again.virtual_time, r.virtual_time);
    if (folder == "encoding") expect_same_bytes_live(ci, exabgp_dir() / "etc", r);
    return;
  }
  if (r.status == FunctionalResult::Status::passed)
    std::cout << "NOTE: " << name << " passes but is not in " << floor_file(folder)
              << ": raise the floor\n";
  else
    std::cout << "not in the floor (" << describe(r) << ")\n";
}

class ExabgpEncoding : public testing::TestWithParam<std::string> {};
TEST_P(ExabgpEncoding, AgainstTheFloor) { check_against_floor("encoding", GetParam()); }

// ExaBGP's API tests: their helper processes (etc/run, Python 3) run in
// virtual time and drive the speaker through the text API.
class ExabgpApi : public testing::TestWithParam<std::string> {};
TEST_P(ExabgpApi, AgainstTheFloor) { check_against_floor("api", GetParam()); }

// Every name in a floor list is an existing test (a typo would pass
// silently), and without ../shared (no parameter) one case says so.
class ExabgpFolder : public testing::TestWithParam<std::string> {};
TEST_P(ExabgpFolder, FloorListNamesExistingTests) {
  const fs::path dir = exabgp_dir() / GetParam();
  if (!fs::is_directory(dir)) return test::skip_or_fail(dir.string() + " is absent");
  const auto all = ci_stems(dir);
  EXPECT_FALSE(all.empty());
  const auto listed = expected_pass(GetParam());
  EXPECT_FALSE(listed.empty());
  for (const auto& name : listed)
    EXPECT_NE(std::find(all.begin(), all.end(), name), all.end()) << name << " is not a test";
}
INSTANTIATE_TEST_SUITE_P(Exabgp, ExabgpFolder, testing::Values("encoding", "api"));

INSTANTIATE_TEST_SUITE_P(Ci, ExabgpEncoding, testing::ValuesIn(ci_stems(exabgp_dir() / "encoding")),
                         param_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(ExabgpEncoding);
INSTANTIATE_TEST_SUITE_P(Ci, ExabgpApi, testing::ValuesIn(ci_stems(exabgp_dir() / "api")),
                         param_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(ExabgpApi);

// Our own functional tests: every .ci of every folder of qa/ that names a
// configuration (qa/encoding, qa/api, qa/rfc7606, ...), as "folder/name".
std::vector<std::string> own_tests() {
  const fs::path root = fs::path(BGPSIM_SOURCE_DIR) / "qa";
  std::vector<std::string> out;
  for (const auto& folder : fs::directory_iterator(root)) {
    if (!folder.is_directory()) continue;
    for (const auto& f : ci_files_under(folder.path())) {
      auto parsed = read_ci_file(f);
      if (auto* file = std::get_if<CiFile>(&parsed); file && is_functional(*file))
        out.push_back(folder.path().filename().string() + "/" + f.stem().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

class OwnSuite : public testing::TestWithParam<std::string> {};

TEST_P(OwnSuite, PassesDeterministically) {
  const fs::path root = fs::path(BGPSIM_SOURCE_DIR) / "qa";
  const fs::path ci = root / (GetParam() + ".ci");
  const auto r = run(ci, root / "etc");
  EXPECT_EQ(r.status, FunctionalResult::Status::passed) << describe(r);
  EXPECT_GT(r.virtual_time.count(), 0);
  const auto again = run(ci, root / "etc");
  EXPECT_EQ(again.trace_hash, r.trace_hash);
  // Another seed gives another schedule but the same verdict.
  const auto other = run(ci, root / "etc", 99);
  EXPECT_EQ(other.status, FunctionalResult::Status::passed) << describe(other);
  // The encoding tests (no helper process, whose real-time pace could group
  // UPDATEs otherwise) send the same bytes live; conf-session so exercises
  // TCP-MD5 and GTSM on real sockets.
  if (GetParam().rfind("encoding/", 0) == 0) expect_same_bytes_live(ci, root / "etc", r);
}

INSTANTIATE_TEST_SUITE_P(Ci, OwnSuite, testing::ValuesIn(own_tests()), param_name);

// A test whose expectation is wrong fails, naming the group and showing both messages.
TEST(Functional, AWrongExpectationFailsWithTheGroupAndBothMessages) {
  const fs::path root = fs::path(BGPSIM_SOURCE_DIR) / "qa";
  const auto ci =
      fs::temp_directory_path() / ("bgpsim_wrong_" + std::to_string(::getpid()) + ".ci");
  {
    std::ifstream in(root / "encoding" / "ebgp-ipv4-unicast.ci");
    std::ofstream out(ci);
    for (std::string line; std::getline(in, line);) {
      // Change the last byte of the first UPDATE's prefix: the speaker cannot match it.
      if (line.find(":raw:") != std::string::npos && line.find(":02:") != std::string::npos &&
          line.size() > 60) {
        line.back() = line.back() == '0' ? '1' : '0';
      }
      out << line << "\n";
    }
  }
  const auto r = run(ci, root / "etc");
  fs::remove(ci);
  EXPECT_EQ(r.status, FunctionalResult::Status::failed);
  EXPECT_NE(r.detail.find("group A1"), std::string::npos) << r.detail;
  EXPECT_NE(r.detail.find("received"), std::string::npos) << r.detail;
  EXPECT_NE(r.detail.find("| "), std::string::npos) << r.detail;  // side by side
}

// A message of unknown type: RFC 4271 6.1's NOTIFICATION 1/3 with the type
// as data, unless the runner asks for ExaBGP's 1/0 with a text (it does by
// default, for ExaBGP's encoding/unknown-message.ci).
TEST(Functional, UnknownMessageTypeIsBadMessageTypeUnlessExabgpCompat) {
  const fs::path root = fs::path(BGPSIM_SOURCE_DIR) / "qa";
  const auto ci =
      fs::temp_directory_path() / ("bgpsim_unknown_" + std::to_string(::getpid()) + ".ci");
  std::ofstream(ci) << "option:file:ebgp-ipv4-unicast.conf\noption:asn:65002\n"
                       "option:open:send-unknown-message\n"
                       "1:raw:FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:0016:03:0103FF\n";
  FunctionalOptions rfc;
  rfc.exabgp_compat = false;
  const auto r = run(ci, root / "etc", 1, rfc);
  const auto exabgp = run(ci, root / "etc");
  fs::remove(ci);
  EXPECT_EQ(r.status, FunctionalResult::Status::passed) << describe(r);
  EXPECT_EQ(exabgp.status, FunctionalResult::Status::failed) << describe(exabgp);
  // ExaBGP's text: "can not decode update message of type "255"".
  EXPECT_NE(exabgp.detail.find("030100"
                               "63616E206E6F74206465636F6465"),
            std::string::npos)
      << exabgp.detail;
}

// A helper that cannot start (its command is missing) is logged and not
// retried; the session and its End-of-RIB go on as without it.
TEST(Functional, AHelperThatCannotStartLosesNoSession) {
  const fs::path etc = fs::temp_directory_path() / ("bgpsim_proc_" + std::to_string(::getpid()));
  fs::create_directories(etc);
  std::ofstream(etc / "p.conf")
      << "process p { run ./x.run; encoder json; }\n"
         "neighbor 127.0.0.1 { router-id 1.2.3.4; local-address 127.0.0.1;"
         " local-as 1; peer-as 1; api { processes [ p ]; } }\n";
  std::ofstream(etc / "p.ci")
      << "option:file:p.conf\n1:raw:FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:0017:02:00000000\n";
  const auto r = run(etc / "p.ci", etc);
  fs::remove_all(etc);
  EXPECT_EQ(r.status, FunctionalResult::Status::passed) << describe(r);
}
