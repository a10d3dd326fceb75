// Trace determinism (in one process and across processes), seed sensitivity,
// and the pcap writer read back by tshark.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>

#include "sim/demo.hpp"
#include "tests/require.hpp"

using namespace bgpsim::sim;

namespace {

std::string run_command(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  while (std::size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  pclose(p);
  return out;
}

// BGP message counts by type in the bytes written by the application.
std::map<int, int> count_written_messages(const RunResult& r) {
  std::map<std::pair<std::uint32_t, std::uint64_t>, std::vector<std::uint8_t>> streams;
  for (const auto& e : r.events)
    if (e.kind == TraceKind::write) {
      auto& s = streams[{e.node, e.aux}];
      s.insert(s.end(), e.bytes.begin(), e.bytes.end());
    }
  std::map<int, int> counts;
  for (const auto& [key, s] : streams) {
    std::size_t off = 0;
    while (off + 19 <= s.size()) {
      const std::size_t len = (std::size_t(s[off + 16]) << 8) | s[off + 17];
      ++counts[s[off + 18]];
      off += len;
    }
  }
  return counts;
}

}  // namespace

TEST(Determinism, SameSeedSameHashInOneProcess) {
  const auto report = check_determinism(1234, [](std::uint64_t seed) {
    DemoOptions o;
    o.seed = seed;
    return run_demo(o);
  });
  EXPECT_TRUE(report.same) << report.message;
  EXPECT_NE(report.hash_first, 0u);
}

TEST(Determinism, ReportsFirstDifference) {
  int calls = 0;
  const auto report = check_determinism(5, [&](std::uint64_t seed) {
    DemoOptions o;
    o.seed = seed;
    o.updates = ++calls == 1 ? 3 : 4;  // deliberately nondeterministic
    return run_demo(o);
  });
  EXPECT_FALSE(report.same);
  ASSERT_TRUE(report.first_difference.has_value());
  EXPECT_NE(report.message.find("first difference"), std::string::npos) << report.message;
}

TEST(Determinism, DifferentSeedsChangeTheSchedule) {
  DemoOptions a, b;
  a.seed = 1;
  b.seed = 2;
  EXPECT_NE(run_demo(a).hash, run_demo(b).hash);
}

TEST(Determinism, SameHashAcrossProcesses) {
  const std::string cmd = std::string(SIM_ECHO_DEMO) + " --seed 77";
  const std::string first = run_command(cmd);
  const std::string second = run_command(cmd);
  ASSERT_NE(first.find("hash="), std::string::npos) << first;
  EXPECT_EQ(first, second);
  const std::string check =
      run_command(std::string(SIM_ECHO_DEMO) + " --seed 77 --check-determinism");
  EXPECT_NE(check.find("deterministic: trace hash"), std::string::npos) << check;
}

class PcapTshark : public ::testing::TestWithParam<bool> {};

TEST_P(PcapTshark, TsharkCountsTheBgpMessagesOfTheTrace) {
  if (std::system("command -v tshark >/dev/null 2>&1") != 0)
    return bgpsim::test::skip_or_fail("tshark not installed (apt-get install tshark)");
  const auto path =
      std::filesystem::temp_directory_path() /
      ("bgpsim_sim_" + std::to_string(::getpid()) + (GetParam() ? "_6" : "_4") + ".pcap");
  DemoOptions o;
  o.seed = 99;
  o.pcap_path = path.string();
  o.ipv6 = GetParam();
  o.segment_bytes_max = 7;  // messages span segments: tshark must reassemble
  const RunResult r = run_demo(o);
  const std::map<int, int> expected = count_written_messages(r);
  ASSERT_EQ(expected.at(2), 2 * o.updates);  // echoed back

  const std::string out =
      run_command("tshark -n -r " + path.string() +
                  " -d tcp.port==1179,bgp -Y bgp -T fields -e bgp.type 2>/dev/null");
  std::map<int, int> seen;
  std::size_t pos = 0;
  while (pos < out.size()) {
    std::size_t end = out.find_first_of(",\n", pos);
    if (end == std::string::npos) end = out.size();
    const std::string tok = out.substr(pos, end - pos);
    if (!tok.empty()) ++seen[std::stoi(tok)];
    pos = end + 1;
  }
  EXPECT_EQ(seen, expected) << out;
  std::filesystem::remove(path);
}

INSTANTIATE_TEST_SUITE_P(Families, PcapTshark, ::testing::Values(false, true));
