// The whole path of a helper process in the simulator: ExaBGP's own
// etc/run/api-announce.run, unchanged, run by ProcessSet in virtual time,
// its commands executed by the text API (api::Dispatcher) on speaker A, its
// routes reaching neighbor B over simulated BGP, the acknowledgements and
// events written back to it. The glue is docs/processes.md's two callbacks.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "speaker/process/process_set.hpp"
#include "tests/api/api_fixture.hpp"
#include "tests/require.hpp"

namespace {

using namespace std::chrono_literals;
using namespace bgpsim;

TEST(HelperApi, ExabgpAnnounceScriptRoutesReachThePeerInVirtualTime) {
  const auto etc = test::shared_dir() / "exabgp-qa/etc";
  if (!std::filesystem::exists(etc / "run/api-announce.run"))
    return test::skip_or_fail((etc / "run/api-announce.run").string() + " is absent");
  config::Config c = apitest::speaker_config();
  c.processes.clear();
  config::Process p;
  p.name = "announce-routes";
  p.run = {"./run/api-announce.run"};  // as etc/api-announce.conf says it
  p.encoder = "text";
  p.respawn = false;
  c.processes.push_back(p);
  c.neighbors[0].api[0].processes = {"announce-routes"};
  // Declared before the world: its speaker's last events (on_down at the
  // world's end) still reach the dispatcher's sink, which records them here.
  std::vector<std::pair<std::int64_t, std::string>> to_helper;
  process::ProcessSet<sim::SimRuntime>* helpers = nullptr;
  apitest::World w(c);

  // The glue: lines from the helper to the dispatcher, its answers and
  // events back to the helper.
  w.fan_a.remove(*w.api);
  w.api = std::make_unique<api::Dispatcher<sim::SimRuntime>>(
      w.a, w.config_a, [&](const std::string& name, const std::string& line) {
        to_helper.emplace_back(w.world.now().count(), line);
        if (helpers) helpers->write(name, line);
      });
  w.fan_a.add(*w.api);
  std::vector<std::pair<std::int64_t, std::string>> log;
  process::ProcessSetOptions options;
  options.command_dir = etc.string();
  process::ProcessSet<sim::SimRuntime> set(
      w.rt_a, w.config_a.processes,
      [&](std::string_view name, std::string_view line) {
        w.api->command(std::string(name), line);
      },
      [&](std::string_view, std::string_view message) {
        log.emplace_back(w.world.now().count(), std::string(message));
      },
      options);
  helpers = &set;
  bool returned = false;
  w.start();
  w.net.spawn(w.node_a, [&]() -> boost::asio::awaitable<void, sim::Executor> {
    co_await set.run();
    returned = true;
  });
  w.run(10s);

  // Both routes reached B with the script's next hop.
  const auto in = w.b_in();
  ASSERT_EQ(in.count("1.1.0.0/24"), 1u);
  ASSERT_EQ(in.count("1.2.0.0/25"), 1u);
  EXPECT_TRUE(in.at("1.1.0.0/24").starts_with("next-hop 101.1.101.1")) << in.at("1.1.0.0/24");
  EXPECT_TRUE(in.at("1.2.0.0/25").starts_with("next-hop 101.1.101.1")) << in.at("1.2.0.0/25");
  // It got its two acknowledgements at virtual 0 (when it asked) and ended
  // when its wait_for_shutdown(5.0) ran out: its 0.5 s polls restart when an
  // event line arrives (the session came up a few ms in), so the end is in
  // [5 s, 5.5 s), the same instant in every run.
  ASSERT_GE(to_helper.size(), 2u);
  EXPECT_EQ(to_helper[0], (std::pair<std::int64_t, std::string>{0, "done"}));
  EXPECT_EQ(to_helper[1], (std::pair<std::int64_t, std::string>{0, "done"}));
  bool ended = false;
  for (const auto& [at, message] : log)
    if (message == "ended with status 0") {
      ended = true;
      EXPECT_GE(at, 5'000'000'000);
      EXPECT_LT(at, 5'500'000'000);
    }
  EXPECT_TRUE(ended);
  EXPECT_TRUE(returned);  // respawn false: the set is done once its helper is
  // The session stayed up through the helper's end.
  EXPECT_EQ(w.a_peer().state(), session::State::established);
  helpers = nullptr;
}

}  // namespace
