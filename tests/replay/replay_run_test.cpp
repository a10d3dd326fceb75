// `bgpsim replay run` (replay/drivers/run.hpp): the speaker replaces one side
// of a captured session in the simulator. Captures: our own live session with
// BIRD (tests/replay/data/bird-bgpsim.pcap, see make_bird_capture.py) and a
// simulated two-speaker session written to pcap at test time; both must
// replay with no divergence. Damaged copies of them must diverge, and say
// where.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <string>

#include "replay/drivers/run.hpp"
#include "scenarios/two_speakers.hpp"

namespace bgpsim::replay {
namespace {

const std::string bird_capture =
    std::string(BGPSIM_SOURCE_DIR) + "/tests/replay/data/bird-bgpsim.pcap";

CapturedSession load(const std::string& path, std::uint32_t session) {
  auto loaded = load_session(path, session);
  if (auto* e = std::get_if<std::string>(&loaded)) {
    ADD_FAILURE() << *e;
    return {};
  }
  return std::get<CapturedSession>(std::move(loaded));
}

RunReport run(const CapturedSession& s, int side, std::uint64_t seed = 1) {
  RunOptions options;
  options.side = side;
  options.seed = seed;
  auto result = run_replay(s, options);
  if (auto* e = std::get_if<std::string>(&result)) {
    ADD_FAILURE() << *e;
    return {};
  }
  return std::get<RunReport>(std::move(result));
}

std::string describe(const RunReport& r) {
  std::string out;
  if (r.first_recorded) out += "recorded " + r.first_recorded->kind + " ";
  if (r.first_speaker) out += "speaker " + r.first_speaker->kind + " ";
  for (const auto& n : r.unexpected_notifications) out += "notification " + n.kind + " ";
  for (const auto& d : r.rib_in) out += "rib-in " + d.what + " " + d.route + " ";
  for (const auto& d : r.sent) out += "sent " + d.what + " " + d.route + " ";
  for (const auto& f : r.failures) out += "failure " + f + " ";
  for (const auto& n : r.notes) out += "note " + n + "; ";
  return out;
}

std::size_t count_kind(const CapturedSession& s, int side, const std::string& kind) {
  std::size_t n = 0;
  for (const auto& m : s.messages)
    if (m.side == side && message_kind(m.bytes, m.context) == kind) ++n;
  return n;
}

TEST(ReplayRun, ComparedKindsDropTimerKeepalivesAndCollapseRuns) {
  const std::vector<std::string> kinds = {"open",      "keepalive", "update",
                                          "update",    "keepalive", "end-of-rib",
                                          "keepalive", "update",    "notification 6/2"};
  EXPECT_EQ(compared_kinds(kinds), (std::vector<std::size_t>{0, 1, 2, 5, 7, 8}));
  EXPECT_TRUE(compared_kinds({}).empty());
}

TEST(ReplayRun, BirdCaptureReplaysWithoutDivergence) {
  ASSERT_TRUE(std::filesystem::exists(bird_capture)) << bird_capture;
  const auto s = load(bird_capture, 1);
  ASSERT_FALSE(s.messages.empty());
  ASSERT_FALSE(s.context_inferred);
  // The capture: bgpsim (side a) announced 8 routes and withdrew 3, BIRD 5.
  const auto r = run(s, 0);
  EXPECT_FALSE(r.diverged()) << describe(r);
  EXPECT_TRUE(r.established);
  EXPECT_FALSE(r.passive);
  EXPECT_EQ(r.local_as, 65100u);
  EXPECT_EQ(r.peer_as, 65001u);
  EXPECT_EQ(r.rib_in_expected, 5u);
  EXPECT_EQ(r.rib_in_actual, 5u);
  EXPECT_EQ(r.routes_configured, 8u);
  EXPECT_EQ(r.sent_expected, 5u);
  EXPECT_EQ(r.sent_actual, 5u);
  EXPECT_EQ(r.replayed_messages, s.messages.size() - r.recorded_messages);
  EXPECT_GT(r.speaker_messages, 3u);
}

TEST(ReplayRun, SameSeedSameRun) {
  const auto s = load(bird_capture, 1);
  const auto a = run(s, 0, 7), b = run(s, 0, 7);
  EXPECT_EQ(a.trace_hash, b.trace_hash);
  EXPECT_EQ(a.speaker_messages, b.speaker_messages);
  EXPECT_EQ(a.end, b.end);
}

TEST(ReplayRun, SimulatedSessionReplaysFromEitherSide) {
  const auto path = (std::filesystem::temp_directory_path() /
                     ("bgpsim-replay-run-" + std::to_string(::getpid()) + ".pcap"))
                        .string();
  scenarios::TwoSpeakersOptions options;
  options.routes = 40;
  options.faults = false;
  options.pcap_path = path;
  ASSERT_TRUE(scenarios::run_two_speakers(options).ok());
  const auto s = load(path, 1);
  std::filesystem::remove(path);
  ASSERT_FALSE(s.messages.empty());
  for (int side : {0, 1}) {
    SCOPED_TRACE(side);
    const auto r = run(s, side);
    EXPECT_FALSE(r.diverged()) << describe(r);
    EXPECT_TRUE(r.established);
    EXPECT_EQ(r.passive, side == 1);
    // A announces 40 routes and withdraws 20 by a reload; B announces 2.
    EXPECT_EQ(r.rib_in_actual, side == 0 ? 2u : 20u);
    EXPECT_EQ(r.sent_actual, side == 0 ? 20u : 2u);
  }
}

// The other side's UPDATE (all five of BIRD's routes) damaged in its marker
// (RFC 4271 6.1, Connection Not Synchronized): the session resets, so the
// speaker's messages stop short of the capture's and the three withdrawals
// its side sent later never go out; the speaker's NOTIFICATION 1/1 reaches the
// scripted peer (it once did not: docs/replay.md).
TEST(ReplayRun, DamagedUpdateDiverges) {
  auto s = load(bird_capture, 1);
  bool damaged = false;
  for (auto& m : s.messages) {
    if (m.side != 1 || message_kind(m.bytes, m.context) != "update") continue;
    m.bytes[0] = 0;
    damaged = true;
    break;
  }
  ASSERT_TRUE(damaged);
  const auto r = run(s, 0);
  EXPECT_TRUE(r.diverged());
  EXPECT_TRUE(r.kinds_differ) << describe(r);
  EXPECT_EQ(r.rib_in_expected, 0u) << "the damaged UPDATE no longer decodes";
  EXPECT_EQ(r.rib_in_actual, 0u);
  EXPECT_EQ(r.sent_expected, 5u);
  EXPECT_EQ(r.sent_actual, 8u);
  ASSERT_EQ(r.sent.size(), 3u) << describe(r);
  for (const auto& d : r.sent) EXPECT_EQ(d.what, "extra");
  ASSERT_EQ(r.unexpected_notifications.size(), 1u) << describe(r);
  EXPECT_TRUE(r.unexpected_notifications[0].kind.starts_with("notification 1/1"))
      << r.unexpected_notifications[0].kind;
}

// The other side falls silent after its first KEEPALIVE (and the recorded
// side's Cease is taken out): the speaker's hold timer (30 s, from the OPENs)
// expires and it sends NOTIFICATION 4/0, which the capture does not have.
TEST(ReplayRun, HoldTimerNotificationIsUnexpected) {
  auto s = load(bird_capture, 1);
  bool keepalive_kept = false;
  std::erase_if(s.messages, [&](const CapturedMessage& m) {
    if (m.side == 0) return m.bytes[18] == 3;
    if (m.bytes[18] == 1) return false;
    if (m.bytes[18] == 4 && !keepalive_kept) return !(keepalive_kept = true);
    return true;
  });
  RunOptions options;
  options.side = 0;
  options.settle = std::chrono::seconds(60);
  auto result = run_replay(s, options);
  ASSERT_TRUE(std::holds_alternative<RunReport>(result)) << std::get<std::string>(result);
  const auto& r = std::get<RunReport>(result);
  EXPECT_TRUE(r.established);
  ASSERT_EQ(r.unexpected_notifications.size(), 1u) << describe(r);
  EXPECT_TRUE(r.unexpected_notifications[0].kind.starts_with("notification 4/0")) << describe(r);
  EXPECT_GE(r.unexpected_notifications[0].at, std::chrono::seconds(30));
  EXPECT_TRUE(r.rib_in.empty()) << "the other side announced nothing";
  EXPECT_TRUE(r.diverged());
}

// The recorded side's End-of-RIB removed: the speaker still sends one, and the
// first divergence names it.
TEST(ReplayRun, MissingEndOfRibIsTheFirstDivergence) {
  auto s = load(bird_capture, 1);
  ASSERT_EQ(count_kind(s, 0, "end-of-rib"), 1u);
  std::erase_if(s.messages, [](const CapturedMessage& m) {
    return m.side == 0 && message_kind(m.bytes, m.context) == "end-of-rib";
  });
  const auto r = run(s, 0);
  ASSERT_TRUE(r.kinds_differ) << describe(r);
  ASSERT_TRUE(r.first_speaker);
  EXPECT_EQ(r.first_speaker->kind, "end-of-rib");
  ASSERT_TRUE(r.first_recorded);
  EXPECT_NE(r.first_recorded->kind, "end-of-rib");
  EXPECT_TRUE(r.unexpected_notifications.empty());
  EXPECT_TRUE(r.rib_in.empty()) << describe(r);
}

TEST(ReplayRun, SessionWithoutOpensIsRefusedWithTheReason) {
  auto s = load(bird_capture, 1);
  std::erase_if(s.messages, [](const CapturedMessage& m) { return m.bytes[18] == 1; });
  auto result = run_replay(s, RunOptions{});
  ASSERT_TRUE(std::holds_alternative<std::string>(result));
  EXPECT_NE(std::get<std::string>(result).find("OPEN of side a was not captured"),
            std::string::npos)
      << std::get<std::string>(result);
}

}  // namespace
}  // namespace bgpsim::replay
