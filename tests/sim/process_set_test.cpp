// ProcessSet<R> (speaker/process) over both runtimes: lines in and out,
// stderr logged, ExaBGP's respawn rules, and helpers that die, flood, close
// their stdout or cannot start, none of which stops the set.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "sim/sim_runtime.hpp"
#include "speaker/process/process_set.hpp"
#include "speaker/runtime/asio_runtime.hpp"
#include "tests/require.hpp"

namespace asio = boost::asio;
using namespace std::chrono_literals;
using ProcessConfig = bgpsim::config::Process;
using bgpsim::process::ProcessSet;
using bgpsim::process::ProcessSetOptions;
using bgpsim::runtime::AsioRuntime;
using namespace bgpsim::sim;

namespace {

struct Record {
  std::vector<std::string> lines;  // "name: line"
  std::vector<std::string> log;    // "name: message"
  bool contains_log(std::string_view text) const {
    for (const auto& l : log)
      if (l.find(text) != std::string::npos) return true;
    return false;
  }
};

ProcessConfig helper(std::string name, std::vector<std::string> run, bool respawn = true) {
  ProcessConfig p;
  p.name = std::move(name);
  p.run = std::move(run);
  p.respawn = respawn;
  return p;
}

// Runs the set in a simulated world until it returns (or the world is idle).
template <class Setup>
Record run_sim(std::vector<ProcessConfig> processes, Setup setup, ProcessSetOptions options = {}) {
  World world(5);
  Network& net = Network::install(world);
  const NodeId node = net.add_node("speaker", {Address::from_string("10.0.0.1")});
  SimRuntime rt(net, node);
  Record rec;
  ProcessSet<SimRuntime>* self = nullptr;
  ProcessSet<SimRuntime> set(
      rt, std::move(processes),
      [&](std::string_view name, std::string_view line) {
        rec.lines.push_back(std::string(name) + ": " + std::string(line));
        if (line.starts_with("ask")) self->write(name, "answer" + std::string(line.substr(3)));
      },
      [&](std::string_view name, std::string_view message) {
        rec.log.push_back(std::string(name) + ": " + std::string(message));
      },
      options);
  self = &set;
  bool returned = false;
  net.spawn(node, [&]() -> asio::awaitable<void, Executor> {
    co_await set.run();
    returned = true;
  });
  setup(set, rt, net, node);
  world.run();
  EXPECT_TRUE(net.failures().empty()) << net.failures().front();
  EXPECT_TRUE(returned) << "ProcessSet::run did not return";
  return rec;
}

auto no_setup = [](auto&, auto&, auto&, auto) {};

TEST(ProcessSetSim, LinesInRepliesOutAndStderrLogged) {
  const char* code = R"(
import sys, time
print('debug this is for the log  ', flush=True)
for i in range(3):
    print('ask', i, '  \t', flush=True)
    print('got', sys.stdin.readline().strip(), time.monotonic_ns(), flush=True)
    time.sleep(1)
print('to stderr', file=sys.stderr, flush=True)
)";
  Record rec = run_sim({helper("talker", {"python3", "-c", code}, false)}, no_setup);
  ASSERT_EQ(rec.lines.size(), 6u);
  EXPECT_EQ(rec.lines[1], "talker: got answer 0 0");
  EXPECT_EQ(rec.lines[5], "talker: got answer 2 2000000000");
  EXPECT_TRUE(rec.contains_log("talker: stderr: to stderr"));
  EXPECT_TRUE(rec.contains_log("talker: debug: this is for the log"));
  EXPECT_EQ(rec.lines[0], "talker: ask 0");
  EXPECT_TRUE(rec.contains_log("talker: ended with status 0"));
  EXPECT_TRUE(rec.contains_log("talker: not respawned (respawn false)"));
}

TEST(ProcessSetSim, ARespawningHelperIsStartedFiveTimesPerBucketThenLeftAlone) {
  // Dies 10 s (virtual) after each start: starts at 0, 10, 20, 30 and 40 s
  // fill the first 64-s bucket; the sixth, at 50 s, is refused.
  const char* code = "import time; print('up', time.monotonic_ns(), flush=True); time.sleep(10)";
  Record rec = run_sim({helper("dier", {"python3", "-c", code})}, no_setup);
  ASSERT_EQ(rec.lines.size(), 5u);
  EXPECT_EQ(rec.lines[0], "dier: up 0");
  EXPECT_EQ(rec.lines[4], "dier: up 40000000000");
  EXPECT_TRUE(rec.contains_log("not started again"));
}

TEST(ProcessSetSim, RespawnsInANewBucketAndAMissingCommandNeverStopsTheOthers) {
  // Dies every 30 s: never more than 3 starts in one 64-s bucket.
  const char* code = "import time; print('up', time.monotonic_ns(), flush=True); time.sleep(30)";
  Record rec =
      run_sim({helper("slow", {"python3", "-c", code}), helper("missing", {"/nonexistent/helper"})},
              [](auto& set, auto& rt, auto& net, auto node) {
                net.spawn(node, [&set, &rt]() -> asio::awaitable<void, Executor> {
                  auto t = rt.make_timer();
                  t.expires_after(std::chrono::seconds(200));
                  co_await t.async_wait(asio::use_awaitable_t<Executor>{});
                  set.stop();
                });
              });
  // Starts at 0, 30, 60, 90, 120, 150, 180: 7 starts over buckets 0, 64, 128.
  ASSERT_EQ(rec.lines.size(), 7u);
  EXPECT_EQ(rec.lines[6], "slow: up 180000000000");
  EXPECT_TRUE(rec.contains_log("missing: cannot start: spawn '/nonexistent/helper'"));
  EXPECT_TRUE(rec.contains_log("(not tried again)"));
  EXPECT_EQ(std::count_if(rec.log.begin(), rec.log.end(),
                          [](const std::string& l) { return l.starts_with("missing: "); }),
            1);
}

TEST(ProcessSetSim, AFloodIsTakenLineByLine) {
  const char* code = R"(
import sys
for i in range(100000):
    sys.stdout.write('announce route 10.0.%d.%d/32 next-hop self\n' % (i // 256 % 256, i % 256))
sys.stdout.write('x' * 3000000 + '\n')
sys.stdout.write('last\n')
)";
  ProcessSetOptions options;
  options.line_bytes_max = 1 << 20;
  Record rec = run_sim({helper("flood", {"python3", "-c", code}, false)}, no_setup, options);
  ASSERT_EQ(rec.lines.size(), 100001u);
  EXPECT_EQ(rec.lines[99999], "flood: announce route 10.0.134.159/32 next-hop self");
  EXPECT_EQ(rec.lines[100000], "flood: last");
  EXPECT_TRUE(rec.contains_log("a line longer than 1048576 bytes was dropped"));
}

TEST(ProcessSetSim, AHelperThatClosesItsStdoutIsEnded) {
  const char* code = R"(
import os, sys, time
print('bye stdout', flush=True)
os.close(1)
time.sleep(1000)
)";
  Record rec = run_sim({helper("closer", {"python3", "-c", code}, false)}, no_setup);
  ASSERT_EQ(rec.lines.size(), 1u);
  EXPECT_TRUE(rec.contains_log("closer: closed its stdout: ending it"));
  EXPECT_TRUE(rec.contains_log("closer: ended with status 143"));
}

TEST(ProcessSetSim, StopEndsHelpersWithoutRespawning) {
  const char* code =
      "import sys\nfor line in sys.stdin:\n    print('echo', line.strip(), flush=True)\n";
  Record rec = run_sim({helper("echo", {"python3", "-c", code})},
                       [](auto& set, auto& rt, auto& net, auto node) {
                         net.spawn(node, [&set, &rt]() -> asio::awaitable<void, Executor> {
                           auto t = rt.make_timer();
                           t.expires_after(std::chrono::seconds(1));
                           co_await t.async_wait(asio::use_awaitable_t<Executor>{});
                           EXPECT_TRUE(set.write("echo", "one"));
                           EXPECT_FALSE(set.write("nobody", "one"));
                           t.expires_after(std::chrono::seconds(1));
                           co_await t.async_wait(asio::use_awaitable_t<Executor>{});
                           set.stop();
                         });
                       });
  ASSERT_EQ(rec.lines.size(), 1u);
  EXPECT_EQ(rec.lines[0], "echo: echo one");
  EXPECT_TRUE(rec.contains_log("echo: ended with status 143"));
  EXPECT_EQ(std::count_if(rec.log.begin(), rec.log.end(),
                          [](const std::string& l) { return l.starts_with("echo: started"); }),
            1);
}

// ---- live ----

TEST(ProcessSetLive, ShellAndPythonHelpersTalkDieAndRespawn) {
  asio::io_context io;
  AsioRuntime rt(io);
  Record rec;
  ProcessSet<AsioRuntime>* self = nullptr;
  ProcessSet<AsioRuntime> set(
      rt,
      {helper("sh", {"/bin/sh", "-c",
                     "echo ask 1; read x; echo got $x; echo oops >&2; sleep 0.05; exit 2"}),
       helper("py",
              {"python3", "-c",
               "import sys, time; print('ask 2', flush=True); "
               "print('got', sys.stdin.readline().strip(), flush=True); "
               "time.sleep(0.3)"},
              false)},
      [&](std::string_view name, std::string_view line) {
        rec.lines.push_back(std::string(name) + ": " + std::string(line));
        if (line.starts_with("ask")) self->write(name, "answer" + std::string(line.substr(3)));
      },
      [&](std::string_view name, std::string_view message) {
        rec.log.push_back(std::string(name) + ": " + std::string(message));
        if (message.starts_with("not respawned")) self->stop();
      });
  self = &set;
  bool returned = false;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void, AsioRuntime::executor_type> {
        co_await set.run();
        returned = true;
      },
      asio::detached);
  io.run_for(30s);
  EXPECT_TRUE(returned);
  EXPECT_TRUE(rec.contains_log("sh: stderr: oops"));
  EXPECT_TRUE(rec.contains_log("sh: ended with status 2"));
  EXPECT_TRUE(rec.contains_log("py: not respawned (respawn false)"));
  auto count = [&](std::string_view line) {
    return std::count(rec.lines.begin(), rec.lines.end(), std::string(line));
  };
  // py ran for 0.3 s or more, so sh (0.05 s a life) was respawned at least
  // once, and never more than 5 starts a bucket.
  const auto starts = set.status("sh")->starts;
  EXPECT_GE(starts, 2u);
  EXPECT_LE(starts, 5u);
  EXPECT_GE(count("sh: got answer 1"), 1);
  EXPECT_EQ(count("py: got answer 2"), 1);
  EXPECT_FALSE(set.status("sh")->running);
  EXPECT_EQ(set.status("py")->starts, 1u);
}

// ---- ExaBGP's own helper scripts, unchanged, in virtual time ----

TEST(ProcessSetSim, ExabgpApiAnnounceRunsInVirtualTimeAgainstAConsumerThatSaysDone) {
  const auto script = bgpsim::test::shared_dir() / "exabgp-qa/etc/run/api-announce.run";
  if (!std::filesystem::exists(script))
    return bgpsim::test::skip_or_fail(script.string() + " is absent");
  struct Run {
    std::vector<std::pair<std::int64_t, std::string>> lines;  // (virtual ns, line)
    std::vector<std::string> log;
    std::int64_t ended_ns = -1;
    std::chrono::steady_clock::time_point first_line_wall, ended_wall;
  };
  // `shutdown_at`: when (virtual) the consumer tells it "shutdown"; -1: never.
  auto run = [&](std::int64_t shutdown_at_ns) {
    World world(9);
    Network& net = Network::install(world);
    const NodeId node = net.add_node("speaker", {Address::from_string("127.0.0.1")});
    SimRuntime rt(net, node);
    Run r;
    ProcessSet<SimRuntime>* self = nullptr;
    // As etc/api-announce.conf names it, resolved beside the configuration.
    ProcessSetOptions options;
    options.command_dir = script.parent_path().parent_path().string();
    ProcessSet<SimRuntime> set(
        rt, {helper("announce-routes", {"./run/api-announce.run"}, false)},
        [&](std::string_view name, std::string_view line) {
          if (r.lines.empty()) r.first_line_wall = std::chrono::steady_clock::now();
          r.lines.emplace_back(rt.now().count(), std::string(line));
          self->write(name, "done");
        },
        [&](std::string_view, std::string_view message) {
          r.log.emplace_back(message);
          if (message.starts_with("ended")) {
            r.ended_ns = rt.now().count();
            r.ended_wall = std::chrono::steady_clock::now();
          }
        },
        options);
    self = &set;
    net.spawn(node, [&]() { return set.run(); });
    if (shutdown_at_ns >= 0)
      net.spawn(node, [&]() -> asio::awaitable<void, Executor> {
        auto t = rt.make_timer();
        t.expires_after(std::chrono::nanoseconds(shutdown_at_ns));
        co_await t.async_wait(asio::use_awaitable_t<Executor>{});
        set.write("announce-routes", "shutdown");
      });
    world.run();
    // From its first line to its end (Python's start, which depends on the
    // machine's load, left out): a small part of the seconds it waits.
    const double wall_s = std::chrono::duration<double>(r.ended_wall - r.first_line_wall).count();
    EXPECT_LT(wall_s, 0.5 * static_cast<double>(r.ended_ns) / 1e9)
        << "the script's waiting took " << wall_s << " s of wall time";
    EXPECT_TRUE(ProcessTable::of(world).warnings().empty())
        << ProcessTable::of(world).warnings().front();
    return r;
  };
  const Run quiet = run(-1);
  const std::vector<std::pair<std::int64_t, std::string>> expected = {
      {0, "announce route 1.1.0.0/24 next-hop 101.1.101.1"},
      {0, "announce route 1.2.0.0/25 next-hop 101.1.101.1"}};
  EXPECT_EQ(quiet.lines, expected);
  // Both acks arrive at 0; wait_for_shutdown() then polls stdin every 0.5 s
  // until its 5 s are up: the script ends at exactly 5 s of virtual time.
  EXPECT_EQ(quiet.ended_ns, 5'000'000'000);
  const Run again = run(-1);
  EXPECT_EQ(quiet.log, again.log) << "two runs differ";
  EXPECT_EQ(quiet.ended_ns, again.ended_ns);
  EXPECT_EQ(quiet.log.front(), "started (pid 1000)");  // the simulator's pids are virtual
  // Told "shutdown" at 1.2 s, it leaves at the next 0.5 s poll that reads it:
  // at once, since the line wakes its select.
  const Run told = run(1'200'000'000);
  EXPECT_EQ(told.lines, expected);
  EXPECT_EQ(told.ended_ns, 1'200'000'000);
}

}  // namespace

namespace {

// Every Python helper of ExaBGP's suite (etc/run/*.run), unchanged, all in
// one world against a consumer that answers "done" to every line, stopped
// at 60 s of virtual time. Two runs must print the same lines at the same
// virtual instants. A helper that starts a thread leaves virtual time (and
// the world then paces itself on the wall clock), so those are left out.
struct SuiteRun {
  std::map<std::string, std::vector<std::pair<std::int64_t, std::string>>> lines;
  std::map<std::string, std::vector<std::string>> log;
  std::vector<std::string> warnings;
  double wall_s = 0;
};

SuiteRun run_exabgp_helpers(const std::vector<std::filesystem::path>& scripts) {
  World world(11);
  Network& net = Network::install(world);
  const NodeId node = net.add_node("speaker", {Address::from_string("127.0.0.1")});
  SimRuntime rt(net, node);
  SuiteRun r;
  std::vector<ProcessConfig> helpers;
  for (const auto& s : scripts) helpers.push_back(helper(s.stem().string(), {s.string()}, false));
  ProcessSet<SimRuntime>* self = nullptr;
  ProcessSet<SimRuntime> set(
      rt, helpers,
      [&](std::string_view name, std::string_view line) {
        r.lines[std::string(name)].emplace_back(rt.now().count(), std::string(line));
        self->write(name, "done");
      },
      [&](std::string_view name, std::string_view message) {
        r.log[std::string(name)].push_back(fmt::format("{} {}", rt.now().count(), message));
      });
  self = &set;
  net.spawn(node, [&]() { return set.run(); });
  net.spawn(node, [&]() -> asio::awaitable<void, Executor> {
    auto t = rt.make_timer();
    t.expires_after(60s);
    co_await t.async_wait(asio::use_awaitable_t<Executor>{});
    set.stop();
  });
  const auto wall = std::chrono::steady_clock::now();
  world.run();
  r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall).count();
  r.warnings = ProcessTable::of(world).warnings();
  return r;
}

TEST(ProcessSetSim, EveryExabgpPythonHelperRunsReproduciblyInVirtualTime) {
  const auto dir = bgpsim::test::shared_dir() / "exabgp-qa/etc/run";
  if (!std::filesystem::exists(dir)) return bgpsim::test::skip_or_fail(dir.string() + " is absent");
  std::vector<std::filesystem::path> scripts;
  std::size_t threaded = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() != ".run") continue;
    std::ifstream in(e.path());
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // Left out too: a helper that imports ExaBGP's own package runs what the
    // machine's python3 finds (nothing, our qa/python stand-in, or Debian's
    // exabgp, whose healthcheck runs its check command as a subprocess in
    // real time: this test failed on a fresh Debian 12 with exabgp installed).
    if (text.find("threading.Thread(") != std::string::npos ||
        text.find("from exabgp.") != std::string::npos)
      ++threaded;
    else
      scripts.push_back(e.path());
  }
  std::sort(scripts.begin(), scripts.end());
  ASSERT_GE(scripts.size(), 40u);
  const SuiteRun a = run_exabgp_helpers(scripts);
  const SuiteRun b = run_exabgp_helpers(scripts);
  std::set<std::string> real_time;
  for (const auto& w : a.warnings) {
    std::cout << "warning: " << w << "\n";
    if (w.find("runs in real time") == std::string::npos) continue;  // e.g. slow to start
    for (const auto& s : scripts)
      if (w.find("'" + s.string() + "'") != std::string::npos) real_time.insert(s.stem().string());
  }
  std::size_t compared = 0, printed = 0;
  for (const auto& s : scripts) {
    const std::string name = s.stem().string();
    if (real_time.count(name)) continue;
    ++compared;
    auto la = a.lines.find(name), lb = b.lines.find(name);
    const bool any_a = la != a.lines.end(), any_b = lb != b.lines.end();
    EXPECT_EQ(any_a, any_b) << name;
    if (any_a && any_b) {
      EXPECT_EQ(la->second, lb->second) << name << " printed differently in two runs";
      printed += la->second.size();
    }
    EXPECT_EQ(a.log.at(name), b.log.at(name)) << name;
  }
  std::cout << compared << " helpers compared (" << threaded
            << " with threads or ExaBGP's package left out), " << printed << " lines, "
            << real_time.size() << " in real time; wall " << a.wall_s << " s and " << b.wall_s
            << " s for 60 s of virtual time\n";
  EXPECT_TRUE(real_time.empty());
  EXPECT_EQ(compared, scripts.size());
  // No bound on the wall time: starting 47 interpreters takes what the
  // machine's load makes it take (13-20 s here, for 60 s of virtual time).
}

}  // namespace
