// The whole path of a helper process in the simulator, through api::ApiHost
// (the glue `bgpsim live` and the functional runner share): ExaBGP's own
// etc/run/api-announce.run, unchanged, run in virtual time, its commands
// executed by the text API on speaker A, its routes reaching neighbor B over
// simulated BGP, the acknowledgements and events written back to it. Then a
// reload (helpers kept, restarted, stopped, started) and a control client.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "speaker/api/api_host.hpp"
#include "tests/api/api_fixture.hpp"
#include "tests/require.hpp"

namespace {

using namespace std::chrono_literals;
using namespace bgpsim;
using Host = api::ApiHost<sim::SimRuntime>;

config::Process helper(const char* name, std::vector<std::string> run, bool respawn = true) {
  config::Process p;
  p.name = name;
  p.run = std::move(run);
  p.encoder = "text";
  p.respawn = respawn;
  return p;
}

// A's configuration with `processes` bound to B's neighbor instead of the fixture's.
config::Config with_processes(std::vector<config::Process> processes) {
  config::Config c = apitest::speaker_config();
  c.processes = std::move(processes);
  c.neighbors[0].api[0].processes.clear();
  for (const auto& p : c.processes) c.neighbors[0].api[0].processes.push_back(p.name);
  return c;
}

struct HostedWorld {
  // Declared before the world: the speaker's last events (on_down at the
  // world's end) still reach the host, which records them here.
  std::vector<std::pair<std::int64_t, std::string>> written;  // to helpers and clients
  std::vector<std::pair<std::int64_t, std::string>> log;
  apitest::World w;
  std::unique_ptr<Host> host;
  bool returned = false;

  HostedWorld(config::Config c, std::string command_dir = {}) : w(std::move(c)) {
    w.fan_a.remove(*w.api);  // the host brings its own dispatcher
    api::ApiHostOptions options;
    options.processes.command_dir = std::move(command_dir);
    options.log = [this](const std::string& l) { log.emplace_back(w.world.now().count(), l); };
    options.echo = [this](const std::string& name, const std::string& line) {
      written.emplace_back(w.world.now().count(), name + ": " + line);
    };
    host = std::make_unique<Host>(w.rt_a, w.a, w.fan_a, w.config_a, std::move(options));
    w.start();
    w.net.spawn(w.node_a, [this]() -> boost::asio::awaitable<void, sim::Executor> {
      co_await host->run();
      returned = true;
    });
  }
  ~HostedWorld() {
    host->stop();
    for (int i = 0; i < 10 && !returned; ++i) w.run(1s);
    EXPECT_TRUE(returned) << "the helpers did not stop";
  }
  int pid(const std::string& name) const {
    for (const auto& s : host->status())
      if (s.name == name) return s.pid;
    return -2;  // not configured
  }
  bool logged(std::string_view text) const {
    return std::any_of(log.begin(), log.end(),
                       [&](const auto& l) { return l.second.find(text) != std::string::npos; });
  }
};

TEST(HelperApi, ExabgpAnnounceScriptRoutesReachThePeerInVirtualTime) {
  const auto etc = test::shared_dir() / "exabgp-qa/etc";
  if (!std::filesystem::exists(etc / "run/api-announce.run"))
    return test::skip_or_fail((etc / "run/api-announce.run").string() + " is absent");
  // As etc/api-announce.conf says it.
  HostedWorld h(with_processes({helper("announce-routes", {"./run/api-announce.run"}, false)}),
                etc.string());
  h.w.run(10s);

  // Both routes reached B with the script's next hop.
  const auto in = h.w.b_in();
  ASSERT_EQ(in.count("1.1.0.0/24"), 1u);
  ASSERT_EQ(in.count("1.2.0.0/25"), 1u);
  EXPECT_TRUE(in.at("1.1.0.0/24").starts_with("next-hop 101.1.101.1")) << in.at("1.1.0.0/24");
  EXPECT_TRUE(in.at("1.2.0.0/25").starts_with("next-hop 101.1.101.1")) << in.at("1.2.0.0/25");
  // It got its two acknowledgements at virtual 0 (when it asked) and ended
  // when its wait_for_shutdown(5.0) ran out: its 0.5 s polls restart when an
  // event line arrives (the session came up a few ms in), so the end is in
  // [5 s, 5.5 s), the same instant in every run.
  ASSERT_GE(h.written.size(), 2u);
  using Line = std::pair<std::int64_t, std::string>;
  EXPECT_EQ(h.written[0], (Line{0, "announce-routes: done"}));
  EXPECT_EQ(h.written[1], (Line{0, "announce-routes: done"}));
  bool ended = false;
  for (const auto& [at, message] : h.log)
    if (message == "process announce-routes: ended with status 0") {
      ended = true;
      EXPECT_GE(at, 5'000'000'000);
      EXPECT_LT(at, 5'500'000'000);
    }
  EXPECT_TRUE(ended);
  ASSERT_EQ(h.host->status().size(), 1u);
  EXPECT_TRUE(h.host->status()[0].given_up);  // respawn false
  EXPECT_FALSE(h.returned);                   // the host runs until stop()
  // The session stayed up through the helper's end.
  EXPECT_EQ(h.w.a_peer().state(), session::State::established);
}

// A helper that reads its stdin until EOF or `shutdown`, in virtual time.
std::vector<std::string> reader(const char* tag) {
  return {"python3", "-c",
          std::string("import sys\n"
                      "for line in sys.stdin:\n"
                      "    if line.startswith('shutdown'): break\n"
                      "# ") +
              tag};
}

TEST(HelperApi, AReloadKeepsUnchangedHelpersRestartsChangedOnesStopsRemovedOnesStartsNewOnes) {
  HostedWorld h(with_processes({helper("kept", reader("k")), helper("changed", reader("c1")),
                                helper("removed", reader("r"))}));
  h.w.run(2s);
  const int kept = h.pid("kept"), changed = h.pid("changed"), removed = h.pid("removed");
  ASSERT_GT(kept, 0);
  ASSERT_GT(changed, 0);
  ASSERT_GT(removed, 0);

  const config::Config next = with_processes(
      {helper("kept", reader("k")), helper("changed", reader("c2")), helper("new", reader("n"))});
  ASSERT_FALSE(h.w.a.configure(next));
  h.host->reconfigure(next);
  h.w.run(3s);

  EXPECT_EQ(h.pid("kept"), kept);
  EXPECT_GT(h.pid("changed"), 0);
  EXPECT_NE(h.pid("changed"), changed);
  EXPECT_EQ(h.pid("removed"), -2);
  EXPECT_GT(h.pid("new"), 0);
  EXPECT_TRUE(h.logged("process removed: removed from the configuration: stopping"));
  EXPECT_TRUE(h.logged("process changed: changed in the configuration: restarting"));
  // The stopped helpers were told, as ExaBGP tells them, and ended by themselves.
  EXPECT_TRUE(std::any_of(h.written.begin(), h.written.end(),
                          [](const auto& l) { return l.second == "removed: shutdown 0 0"; }));
  EXPECT_TRUE(h.logged("process removed: ended with status 0"));
  // Events reach the helpers of the new configuration: B's session is up.
  EXPECT_EQ(h.w.a_peer().state(), session::State::established);
}

TEST(HelperApi, AControlClientGetsAnswersWithReasonsAndAMalformedCommandChangesNothing) {
  HostedWorld h(with_processes({}));
  std::vector<std::string> got;
  h.host->attach("ctl#1", [&](const std::string& l) { got.push_back(l); });
  h.w.run(2s);
  h.host->command("ctl#1", "announce route 10.9.0.0/24 next-hop 10.0.0.1");
  EXPECT_EQ(got, std::vector<std::string>{"done"});
  h.w.run(1s);
  EXPECT_EQ(h.w.b_in().count("10.9.0.0/24"), 1u);

  got.clear();
  const auto before = h.w.a_out();
  h.host->command("ctl#1", "announce route 10.9.1.0/24 next-hop banana");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0].starts_with("error: ")) << got[0];
  EXPECT_NE(got[0].find("banana"), std::string::npos) << got[0];
  EXPECT_EQ(h.w.a_out(), before);

  // A detached client gets nothing more; the others are unaffected.
  h.host->detach("ctl#1");
  got.clear();
  h.host->command("ctl#1", "show neighbor summary");
  EXPECT_TRUE(got.empty());
}

}  // namespace

namespace {

// `send { parsed; update; }`: what the speaker sent, in both encoders.
TEST(HelperApi, SendEventsReportTheUpdatesTheSpeakerSent) {
  config::Config c = apitest::speaker_config();
  c.neighbors[0].api[0].receive = {};
  c.neighbors[0].api[0].send.parsed = true;
  c.neighbors[0].api[0].send.update = true;
  apitest::World w(c);
  w.start();
  w.run(2s);
  EXPECT_EQ(w.command("announce route 10.50.0.0/24 next-hop 10.0.0.1"),
            std::vector<std::string>{"done"});
  w.run(1s);
  const auto& json = w.lines["json"];
  const auto sent = std::find_if(json.begin(), json.end(), [](const std::string& l) {
    return l.find("10.50.0.0/24") != std::string::npos;
  });
  ASSERT_NE(sent, json.end());
  EXPECT_NE(sent->find(R"("direction": "out")"), std::string::npos) << *sent;
  EXPECT_NE(sent->find(R"("type": "update")"), std::string::npos) << *sent;
  const auto& text = w.lines["text"];
  EXPECT_NE(std::find(text.begin(), text.end(), "neighbor 10.0.0.2 send update start"), text.end());
  EXPECT_TRUE(std::any_of(text.begin(), text.end(), [](const std::string& l) {
    return l.starts_with("neighbor 10.0.0.2 send update announced 10.50.0.0/24 next-hop 10.0.0.1");
  })) << fmt::format("{}", fmt::join(text, "\n"));
  // Nothing received is reported: the binding asks for no `receive`.
  for (const auto& l : json) EXPECT_EQ(l.find(R"("direction": "in")"), std::string::npos) << l;
}

}  // namespace
