// Helper processes over both runtimes: in the simulator a Python helper runs
// in virtual time (sleeps cost no wall time, its lines arrive at exact virtual
// instants, two runs are identical); live, /bin/sh and python3 helpers are
// read, written, and seen to end.
#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/write.hpp>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "sim/sim_runtime.hpp"
#include "speaker/runtime/asio_runtime.hpp"

namespace asio = boost::asio;
using namespace std::chrono_literals;
using bgpsim::runtime::AsioRuntime;
using bgpsim::runtime::ProcessSpec;
using bgpsim::runtime::Runtime;
using namespace bgpsim::sim;

namespace {

template <Runtime R>
using Aw = asio::awaitable<void, typename R::executor_type>;

struct Line {
  std::int64_t at_ns;
  std::string text;
  bool operator==(const Line&) const = default;
};

struct Outcome {
  std::vector<Line> lines;
  std::vector<double> wall_s;  // wall clock (s, steady) when each line was read
  std::string err;
  int exit_code = -1000;
};

// Reads the helper's stdout line by line (stamped with the runtime's clock),
// answering each line that starts with "ask" by writing `reply` to its stdin;
// then its stderr and its exit code.
template <Runtime R>
Aw<R> converse(R& rt, typename R::process_type& p, Outcome& out, std::string reply = {}) {
  constexpr auto tok = asio::use_awaitable_t<typename R::executor_type>{};
  std::string buf;
  char chunk[4096];
  for (;;) {
    auto [ec, n] = co_await p.async_read_some(asio::buffer(chunk), asio::as_tuple(tok));
    if (ec) break;
    buf.append(chunk, n);
    for (std::size_t nl; (nl = buf.find('\n')) != std::string::npos;) {
      std::string line = buf.substr(0, nl);
      buf.erase(0, nl + 1);
      if (line.starts_with("ask") && !reply.empty())
        co_await asio::async_write(p, asio::buffer(reply), tok);
      out.lines.push_back({rt.now().count(), std::move(line)});
      out.wall_s.push_back(
          std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
              .count());
    }
  }
  for (;;) {
    auto [ec, n] = co_await p.async_read_stderr_some(asio::buffer(chunk), asio::as_tuple(tok));
    if (ec) break;
    out.err.append(chunk, n);
  }
  out.exit_code = co_await p.async_wait_exit(tok);
}

ProcessSpec python(std::string code) {
  return ProcessSpec{{"python3", "-c", std::move(code)}, {}, {}};
}

struct SimRun {
  World world;
  Network& net;
  NodeId node;
  SimRuntime rt;
  explicit SimRun(std::uint64_t seed = 1)
      : world(seed),
        net(Network::install(world)),
        node(net.add_node("speaker", {Address::from_string("10.0.0.1")})),
        rt(net, node) {}

  Outcome run(const ProcessSpec& spec, std::string reply = {}) {
    Outcome out;
    auto p = rt.spawn(spec);
    net.spawn(node, [&]() { return converse(rt, p, out, reply); });
    world.run();
    EXPECT_TRUE(net.failures().empty()) << net.failures().front();
    return out;
  }
  const std::vector<std::string>& warnings() { return ProcessTable::of(world).warnings(); }
};

static_assert(Runtime<SimRuntime>);
static_assert(Runtime<AsioRuntime>);

const char* kSleeper = R"(
import sys, time
print('start', time.monotonic_ns(), flush=True)
time.sleep(2.5)
print('slept', time.monotonic_ns(), flush=True)
time.sleep(0.001)
print('then', time.time_ns(), flush=True)
)";

TEST(SimProcess, SleepCostsNoWallTimeAndLinesArriveAtExactVirtualInstants) {
  SimRun sim;
  Outcome out = sim.run(python(kSleeper));
  ASSERT_EQ(out.lines.size(), 3u) << out.err;
  EXPECT_EQ(out.lines[0], (Line{0, "start 0"}));
  EXPECT_EQ(out.lines[1], (Line{2'500'000'000, "slept 2500000000"}));
  // time.time() is 2026-01-01T00:00:00Z at virtual 0.
  EXPECT_EQ(out.lines[2], (Line{2'501'000'000, "then 1767225602501000000"}));
  EXPECT_EQ(out.exit_code, 0);
  // The wall time from the first line to the last (Python's start, which
  // depends on the machine's load, left out) is a small part of the 2.5 s.
  const double wall_s = out.wall_s.back() - out.wall_s.front();
  EXPECT_LT(wall_s, 1.25) << "a 2.5 s virtual sleep took " << wall_s << " s of wall time";
  EXPECT_TRUE(sim.warnings().empty()) << sim.warnings().front();
}

TEST(SimProcess, AThousandSleepsEndAtTheExactVirtualSum) {
  SimRun sim;
  const auto wall = std::chrono::steady_clock::now();
  Outcome out = sim.run(python(R"(
import time
for i in range(1000):
    time.sleep(0.001)
print('done', time.monotonic_ns(), flush=True)
)"));
  const double wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall).count();
  ASSERT_EQ(out.lines.size(), 1u) << out.err;
  EXPECT_EQ(out.lines[0], (Line{1'000'000'000, "done 1000000000"}));
  // A figure for docs/processes.md: the wall cost of one blocking point.
  std::cout << "1000 virtual sleeps: " << wall_s << " s of wall time (Python start included)\n";
}

const char* kChatty = R"(
import os, random, select, sys, time
print('hello', random.randint(0, 10**9), os.urandom(4).hex(), flush=True)
for i in range(5):
    r, _, _ = select.select([sys.stdin], [], [], 0.3)
    print('tick', i, bool(r), time.monotonic_ns(), sys.stdin.readline().strip() if r else '', flush=True)
    if i == 2:
        print('ask', flush=True)
    time.sleep(0.05 * i)
print(hash('bgpsim') % 1000, flush=True)
)";

TEST(SimProcess, TwoRunsGiveIdenticalTraces) {
  std::vector<Line> first, second;
  std::uint64_t hash1 = 0, hash2 = 0;
  for (auto* dest : {&first, &second}) {
    SimRun sim(42);
    Outcome out = sim.run(python(kChatty), "answer\n");
    ASSERT_EQ(out.exit_code, 0) << out.err;
    *dest = out.lines;
    (dest == &first ? hash1 : hash2) = sim.world.trace().hash();
  }
  ASSERT_EQ(first.size(), 8u);
  EXPECT_EQ(first, second);
  EXPECT_EQ(hash1, hash2);
  // A different seed gives the helper's PRNG a different seed.
  SimRun other(43);
  Outcome out = other.run(python(kChatty), "answer\n");
  ASSERT_FALSE(out.lines.empty());
  EXPECT_NE(out.lines[0].text, first[0].text);
}

TEST(SimProcess, SelectTimeoutWakesAtTheVirtualDeadlineAndStdinWakesAWaiter) {
  SimRun sim;
  Outcome out = sim.run(python(kChatty), "answer\n");
  ASSERT_EQ(out.lines.size(), 8u) << out.err;
  // Ticks 0..2 time out after 0.3 s each (plus the sleeps 0, 0.05, 0.1 s).
  EXPECT_EQ(out.lines[1], (Line{300'000'000, "tick 0 False 300000000 "}));
  EXPECT_EQ(out.lines[2], (Line{600'000'000, "tick 1 False 600000000 "}));
  EXPECT_EQ(out.lines[3], (Line{950'000'000, "tick 2 False 950000000 "}));
  // "ask" is answered at once: the reply is in stdin before tick 3's select
  // (which starts 0.1 s later), so that select returns at once.
  EXPECT_EQ(out.lines[4], (Line{950'000'000, "ask"}));
  EXPECT_EQ(out.lines[5], (Line{1'050'000'000, "tick 3 True 1050000000 answer"}));
  EXPECT_EQ(out.lines[6], (Line{1'500'000'000, "tick 4 False 1500000000 "}));
}

TEST(SimProcess, DataWrittenToStdinWakesAHelperBlockedOnIt) {
  SimRun sim;
  // The helper blocks reading stdin with no deadline; the reply wakes it at
  // the virtual instant it was written (1 s, after the sleep).
  Outcome out = sim.run(python(R"(
import sys, time
time.sleep(1)
print('ask', flush=True)
line = sys.stdin.readline()
print('got', line.strip(), time.monotonic_ns(), flush=True)
line = sys.stdin.readline()
print('eof' if line == '' else 'more', flush=True)
)"),
                        "yes\n");
  ASSERT_GE(out.lines.size(), 2u) << out.err;
  EXPECT_EQ(out.lines[0], (Line{1'000'000'000, "ask"}));
  EXPECT_EQ(out.lines[1], (Line{1'000'000'000, "got yes 1000000000"}));
  // Nothing closes its stdin: it waits for ever, the world goes idle, and
  // the world's end kills it.
  EXPECT_EQ(out.lines.size(), 2u);
  EXPECT_EQ(out.exit_code, -1000);
}

TEST(SimProcess, PollOsReadDatetimeAndPidsFollowTheSimulator) {
  SimRun sim;
  Outcome out = sim.run(python(R"(
import datetime, os, select, sys, time
p = select.poll()
p.register(sys.stdin, select.POLLIN)
print('poll', p.poll(250), time.monotonic_ns(), flush=True)
print('ask', flush=True)
print('read', os.read(0, 100), time.monotonic_ns(), flush=True)
print('now', datetime.datetime.now(datetime.timezone.utc).isoformat(), time.strftime('%Y'), flush=True)
print('pids', os.getpid(), os.getppid(), flush=True)
)"),
                        "reply\n");
  ASSERT_EQ(out.lines.size(), 5u) << out.err;
  EXPECT_EQ(out.lines[0], (Line{250'000'000, "poll [] 250000000"}));
  EXPECT_EQ(out.lines[2], (Line{250'000'000, "read b'reply\\n' 250000000"}));
  EXPECT_EQ(out.lines[3].text, "now 2026-01-01T00:00:00.250000+00:00 2026");
  EXPECT_EQ(out.lines[4].text, "pids 1000 999");
}

TEST(SimProcess, ExitStatusAndStderrAreSeenAndClosingStdinGivesEof) {
  SimRun sim;
  Outcome out;
  auto p = sim.rt.spawn(python(R"(
import sys
print('line', sys.stdin.readline().strip(), flush=True)
print('rest', repr(sys.stdin.read()), flush=True)
print('oops', file=sys.stderr)
sys.exit(3)
)"));
  EXPECT_TRUE(p.virtual_time());
  const std::string data = "first\n";
  boost::system::error_code write_ec;
  sim.net.spawn(sim.node, [&]() -> asio::awaitable<void, Executor> {
    constexpr auto tok = asio::use_awaitable_t<Executor>{};
    co_await asio::async_write(p, asio::buffer(data), tok);
    p.close_stdin();
    auto [ec, n] = co_await asio::async_write(p, asio::buffer(data), asio::as_tuple(tok));
    write_ec = ec;
    co_await converse(sim.rt, p, out);
  });
  sim.world.run();
  ASSERT_EQ(out.lines.size(), 2u) << out.err;
  EXPECT_EQ(out.lines[0].text, "line first");
  EXPECT_EQ(out.lines[1].text, "rest ''");
  EXPECT_EQ(out.err, "oops\n");
  EXPECT_EQ(out.exit_code, 3);
  EXPECT_EQ(write_ec, asio::error::broken_pipe);
  EXPECT_FALSE(p.running());
}

TEST(SimProcess, AFloodOfAHundredThousandLinesIsDrained) {
  SimRun sim;
  Outcome out = sim.run(python(R"(
import sys, time
for i in range(100000):
    sys.stdout.write('announce route 10.%d.%d.0/24 next-hop self\n' % (i // 256 % 256, i % 256))
sys.stdout.flush()
time.sleep(1)
print('end', flush=True)
)"));
  ASSERT_EQ(out.lines.size(), 100001u) << out.err;
  EXPECT_EQ(out.lines[99999].text, "announce route 10.134.159.0/24 next-hop self");
  EXPECT_EQ(out.lines[99999].at_ns, 0);
  EXPECT_EQ(out.lines[100000], (Line{1'000'000'000, "end"}));
  EXPECT_EQ(out.exit_code, 0);
}

TEST(SimProcess, TerminateEndsABlockedHelperAndItsHandlerRuns) {
  SimRun sim;
  Outcome out;
  auto p = sim.rt.spawn(python(R"(
import signal, sys, time
def bye(signum, frame):
    print('bye', time.monotonic_ns(), flush=True)
    sys.exit(7)
signal.signal(signal.SIGTERM, bye)
print('ready', flush=True)
time.sleep(100)
)"));
  sim.net.spawn(sim.node, [&]() -> asio::awaitable<void, Executor> {
    constexpr auto tok = asio::use_awaitable_t<Executor>{};
    auto t = sim.rt.make_timer();
    t.expires_after(2s);
    co_await t.async_wait(tok);
    p.terminate();
  });
  sim.net.spawn(sim.node, [&]() { return converse(sim.rt, p, out); });
  sim.world.run();
  ASSERT_EQ(out.lines.size(), 2u) << out.err;
  EXPECT_EQ(out.lines[1], (Line{2'000'000'000, "bye 2000000000"}));
  EXPECT_EQ(out.exit_code, 7);
  EXPECT_LT(sim.world.now(), 3s);
}

TEST(SimProcess, AShellHelperRunsInRealTimeWithAWarning) {
  SimRun sim;
  Outcome out;
  auto p =
      sim.rt.spawn(ProcessSpec{{"/bin/sh", "-c", "echo one; read x; echo got $x; exit 4"}, {}, {}});
  EXPECT_FALSE(p.virtual_time());
  sim.net.spawn(sim.node, [&]() -> asio::awaitable<void, Executor> {
    constexpr auto tok = asio::use_awaitable_t<Executor>{};
    const std::string data = "two\n";
    co_await asio::async_write(p, asio::buffer(data), tok);
    co_await converse(sim.rt, p, out);
  });
  sim.world.run();
  ASSERT_EQ(out.lines.size(), 2u) << out.err;
  EXPECT_EQ(out.lines[0].text, "one");
  EXPECT_EQ(out.lines[1].text, "got two");
  EXPECT_EQ(out.exit_code, 4);
  ASSERT_EQ(sim.warnings().size(), 1u);
  EXPECT_NE(sim.warnings()[0].find("not reproducible"), std::string::npos) << sim.warnings()[0];
}

TEST(SimProcess, AThreadTakesTheHelperOutOfVirtualTimeWithAWarning) {
  SimRun sim;
  Outcome out = sim.run(python(R"(
import threading, time
print('before', time.monotonic_ns(), flush=True)
t = threading.Thread(target=lambda: print('in thread', flush=True))
t.start()
t.join()
print('after', flush=True)
)"));
  ASSERT_EQ(out.lines.size(), 3u) << out.err;
  EXPECT_EQ(out.lines[0].text, "before 0");
  EXPECT_EQ(out.exit_code, 0);
  ASSERT_FALSE(sim.warnings().empty());
  EXPECT_NE(sim.warnings()[0].find("threading"), std::string::npos) << sim.warnings()[0];
}

TEST(SimProcess, ASubprocessIsNotedAsEscapingVirtualTime) {
  SimRun sim;
  Outcome out = sim.run(python(R"(
import subprocess
print(subprocess.run(['/bin/echo', 'hi'], capture_output=True).stdout.decode().strip(), flush=True)
)"));
  ASSERT_EQ(out.lines.size(), 1u) << out.err;
  EXPECT_EQ(out.lines[0].text, "hi");
  ASSERT_FALSE(sim.warnings().empty());
  EXPECT_NE(sim.warnings()[0].find("subprocess"), std::string::npos) << sim.warnings()[0];
}

// The parent process id the kernel gives `pid` (/proc/PID/stat, 4th field).
int parent_of(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  std::getline(in, stat);
  const auto close = stat.rfind(')');  // the command name may hold spaces
  if (close == std::string::npos) return -1;
  std::istringstream rest(stat.substr(close + 2));
  char state = 0;
  int ppid = -1;
  rest >> state >> ppid;
  return ppid;
}

// A Python helper comes from the fork server (sim/fork_server.hpp), not from
// an interpreter of its own, and sees what a fresh `python3 SCRIPT ARGS`
// would: its argv, sys.path[0] (the script's folder, so `import` of a module
// beside it works), working folder, environment, modules, stdin, exit status. So does
// a #! script, and `python3 -m MODULE`.
TEST(SimProcess, PythonHelpersComeFromTheForkServerAsFreshInterpretersWould) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("bgpsim_fork_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "run");
  std::ofstream(dir / "run" / "beside.py") << "WORD = 'beside'\n";
  const char* body = R"(
import os, sys, time
import beside
print(sys.argv, os.path.basename(sys.path[0]), beside.WORD, flush=True)
print(os.getcwd() == os.environ['EXPECT_CWD'], os.environ['GREETING'], 'socket' in sys.modules,
      flush=True)
time.sleep(1)
print(sys.stdin.readline().strip(), __name__, flush=True)
sys.exit(5)
)";
  std::ofstream(dir / "run" / "helper.py") << body;
  std::ofstream(dir / "run" / "helper.run") << "#!/usr/bin/env python3\n" << body;
  std::filesystem::permissions(dir / "run" / "helper.run", std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::add);
  const std::vector<std::pair<std::string, std::string>> env = {
      {"GREETING", "hello"},
      {"EXPECT_CWD", std::filesystem::canonical(dir).string()},
      {"PYTHONPATH", (dir / "run").string()}};
  const std::vector<ProcessSpec> specs = {
      {{"python3", "run/helper.py", "a b"}, dir.string(), env},
      {{"./run/helper.run", "a b"}, dir.string(), env},
      {{"python3", "-m", "helper", "a b"}, dir.string(), env},
  };
  const std::vector<std::string> argv0 = {"run/helper.py", "./run/helper.run",
                                          (dir / "run" / "helper.py").string()};
  // sys.path[0]: the script's folder; for -m the working folder.
  const std::vector<std::string> first = {"run", "run", dir.filename().string()};
  for (std::size_t i = 0; i < specs.size(); ++i) {
    SimRun sim;
    Outcome out;
    auto p = sim.rt.spawn(specs[i]);
    EXPECT_TRUE(p.virtual_time());
    EXPECT_NE(parent_of(p.real_pid()), ::getpid()) << "not from the fork server";
    sim.net.spawn(sim.node, [&]() -> asio::awaitable<void, Executor> {
      constexpr auto tok = asio::use_awaitable_t<Executor>{};
      co_await asio::async_write(p, asio::buffer(std::string("input\n")), tok);
      co_await converse(sim.rt, p, out);
    });
    sim.world.run();
    ASSERT_EQ(out.lines.size(), 3u) << out.err;
    EXPECT_EQ(out.lines[0].text, "['" + argv0[i] + "', 'a b'] " + first[i] + " beside") << i;
    EXPECT_EQ(out.lines[1].text, "True hello False");  // not the server's own modules
    EXPECT_EQ(out.lines[2].text, "input __main__");
    EXPECT_EQ(out.lines[2].at_ns, 1'000'000'000);  // its sleep was virtual
    EXPECT_EQ(out.exit_code, 5);
  }
  std::filesystem::remove_all(dir);
}

// ---- live ----

Outcome run_live(const ProcessSpec& spec, std::string reply, const std::string& input = {}) {
  asio::io_context io;
  AsioRuntime rt(io);
  Outcome out;
  auto p = rt.spawn(spec);
  EXPECT_GT(p.pid(), 0);
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void, AsioRuntime::executor_type> {
        constexpr auto tok = asio::use_awaitable_t<AsioRuntime::executor_type>{};
        if (!input.empty()) co_await asio::async_write(p, asio::buffer(input), tok);
        co_await converse(rt, p, out, reply);
      },
      [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
      });
  io.run_for(20s);
  EXPECT_FALSE(p.running());
  return out;
}

TEST(LiveProcess, ShellHelperReadsWritesAndExits) {
  Outcome out = run_live(
      {{"/bin/sh", "-c", "echo ask; read x; echo got $x; echo err >&2; exit 5"}, {}, {}}, "yes\n");
  ASSERT_EQ(out.lines.size(), 2u);
  EXPECT_EQ(out.lines[1].text, "got yes");
  EXPECT_EQ(out.err, "err\n");
  EXPECT_EQ(out.exit_code, 5);
}

TEST(LiveProcess, PythonHelperWithEnvironmentAndWorkingDirectory) {
  Outcome out =
      run_live({{"python3", "-c",
                 "import os, sys; print(os.getcwd(), os.environ['BGPSIM_X'], flush=True); "
                 "print('ask', flush=True); print('got', sys.stdin.readline().strip())"},
                "/tmp",
                {{"BGPSIM_X", "forty-two"}}},
               "answer\n");
  ASSERT_EQ(out.lines.size(), 3u) << out.err;
  EXPECT_EQ(out.lines[0].text, "/tmp forty-two");
  EXPECT_EQ(out.lines[2].text, "got answer");
  EXPECT_EQ(out.exit_code, 0);
}

TEST(LiveProcess, SignalledHelperReportsTheSignal) {
  asio::io_context io;
  AsioRuntime rt(io);
  auto p = rt.spawn({{"/bin/sleep", "30"}, {}, {}});
  int code = -1;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void, AsioRuntime::executor_type> {
        constexpr auto tok = asio::use_awaitable_t<AsioRuntime::executor_type>{};
        p.terminate();
        code = co_await p.async_wait_exit(tok);
      },
      asio::detached);
  io.run_for(10s);
  EXPECT_EQ(code, 128 + 15);
  EXPECT_FALSE(p.running());
}

TEST(LiveProcess, AMissingCommandIsAnErrorNamingIt) {
  asio::io_context io;
  AsioRuntime rt(io);
  try {
    rt.spawn({{"/nonexistent/helper", "x"}, {}, {}});
    FAIL() << "spawn of a missing command succeeded";
  } catch (const std::system_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/helper"), std::string::npos) << e.what();
  }
}

}  // namespace
