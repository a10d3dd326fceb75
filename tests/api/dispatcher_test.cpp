// ExaBGP's text API in the simulator: each command's effect on speaker A's
// Adj-RIB-Out (and, once sent, on peer B's Adj-RIB-In) and its reply;
// malformed commands get `error` and change nothing; selectors; ack
// control; routes queued before the session is up; reload keeps API routes;
// events to processes in the text and JSON encoders.
#include <gtest/gtest.h>

#include "speaker/wire/json.hpp"
#include "tests/api/api_fixture.hpp"

namespace bgpsim {
namespace {

using apitest::World;
using Lines = std::vector<std::string>;
using Table = std::map<std::string, std::string>;
using namespace std::chrono_literals;

const Lines done{"done"};
const Lines error{"error"};

TEST(ApiCommands, AnnounceAndWithdrawRouteReachThePeer) {
  World w;
  w.start();
  w.run();
  ASSERT_EQ(w.a_peer().state(), session::State::established);
  EXPECT_EQ(w.command("announce route 10.1.0.0/24 next-hop 10.0.0.1 med 5 community [65001:7]"),
            done);
  // eBGP: our AS prepended, no LOCAL_PREF (RFC 4271 5.1.2, 5.1.5).
  const Table want{
      {"10.1.0.0/24", "next-hop 10.0.0.1 origin igp as-path [ 65001 ] med 5 community 65001:7"}};
  EXPECT_EQ(w.a_out(), want);
  w.run(1s);
  EXPECT_EQ(w.b_in(), want);
  EXPECT_EQ(w.command("withdraw route 10.1.0.0/24"), done)
      << "no next hop needed to withdraw: " << (w.log.empty() ? "" : w.log.back());
  EXPECT_EQ(w.a_out(), Table{});
  w.run(1s);
  EXPECT_EQ(w.b_in(), Table{});
}

TEST(ApiCommands, RoutesForASessionNotYetUpWaitInTheAdjRibOut) {
  World w;
  EXPECT_EQ(w.command("announce route 10.2.0.0/24 next-hop 10.0.0.1"), done);
  EXPECT_EQ(w.a_out().size(), 1u);
  w.start();
  w.run();
  EXPECT_EQ(w.b_in(), (Table{{"10.2.0.0/24", "next-hop 10.0.0.1 origin igp as-path [ 65001 ]"}}));
}

TEST(ApiCommands, EveryRouteForm) {
  World w;
  EXPECT_EQ(w.command("announce attributes next-hop 10.0.0.1 med 9 nlri 10.3.0.0/24 10.4.0.0/24"),
            done);
  EXPECT_EQ(w.command("announce route 10.6.0.0/23 next-hop 10.0.0.1 split /24"), done);
  EXPECT_EQ(w.command("announce ipv6 unicast 2001:db8::/32 next-hop 2001:db8::1"), done);
  EXPECT_EQ(w.command("announce route 10.7.0.0/24 next-hop self"), done);
  EXPECT_EQ(w.command("announce route 10.8.0.0/24 next-hop 10.0.0.1 path-information 1.2.3.4"),
            done);
  EXPECT_EQ(w.command("announce route 10.9.0.0/24 rd 65000:1 label 16 next-hop 10.0.0.1"), done);
  const Table want{
      {"10.3.0.0/24", "next-hop 10.0.0.1 origin igp as-path [ 65001 ] med 9"},
      {"10.4.0.0/24", "next-hop 10.0.0.1 origin igp as-path [ 65001 ] med 9"},
      {"10.6.0.0/24", "next-hop 10.0.0.1 origin igp as-path [ 65001 ]"},
      {"10.6.1.0/24", "next-hop 10.0.0.1 origin igp as-path [ 65001 ]"},
      {"2001:db8::/32", "next-hop 2001:db8::1 origin igp as-path [ 65001 ]"},
      {"10.7.0.0/24", "next-hop 10.0.0.1 origin igp as-path [ 65001 ]"},
      {"10.8.0.0/24 path-information 16909060", "next-hop 10.0.0.1 origin igp as-path [ 65001 ]"},
      {"10.9.0.0/24 rd 65000:1 label [ 16 ]", "next-hop 10.0.0.1 origin igp as-path [ 65001 ]"},
  };
  const auto got = w.a_out();
  EXPECT_EQ(got.size(), want.size());
  for (const auto& [k, v] : want) {
    auto it = got.find(k);
    ASSERT_NE(it, got.end()) << k;
    EXPECT_EQ(it->second, v) << k;
  }
  EXPECT_EQ(w.command("withdraw attributes nlri 10.3.0.0/24 10.4.0.0/24"), done);
  EXPECT_EQ(w.command("withdraw ipv6 unicast 2001:db8::/32"), done);
  EXPECT_EQ(w.a_out().size(), want.size() - 3);
}

TEST(ApiCommands, MalformedCommandsGetErrorAndChangeNothing) {
  World w;
  ASSERT_EQ(w.command("announce route 10.1.0.0/24 next-hop 10.0.0.1"), done);
  const auto before = w.a_out();
  for (const char* bad : {
           "announce",
           "announce route",
           "announce route 10.0.0.0/33 next-hop 10.0.0.1",
           "announce route 10.0.0.0/24",
           "announce route 10.0.0.0/24 next-hop 10.0.0.1 med x",
           "announce route 10.0.0.0/24 next-hop 10.0.0.1 colour blue",
           "announce route 10.0.0.0/24 next-hop 10.0.0.1; route 10.1.0.0/24 next-hop 10.0.0.1",
           "announce route 10.0.0.0/24 next-hop 10.0.0.1 split /40",
           "announce attributes next-hop 10.0.0.1",
           "announce attributes next-hop 10.0.0.1 nlri",
           "announce ipv4 unicast",
           "announce bogus 10.0.0.0/24",
           "announce flow route { match { destination 10.0.0.0/33; } then { discard; } }",
           "announce flow route { match { port <>80; } then { discard; } }",
           "announce flow route { match { port =80; } then { mark 99; } }",
           "announce vpls endpoint 5 base 10702 offset 1 size 8 next-hop 192.168.201.1",
           "announce eor ipv9 unicast",
           "announce route-refresh",
           "neighbor",
           "neighbor 10.0.0.2 local-as",
           "neighbor 10.0.0.2,",
           "neighbor 10.9.9.9 announce route 10.0.0.0/24 next-hop 10.0.0.1",
           "neighbor 10.0.0.2 peer-as 1 announce route 10.0.0.0/24 next-hop 10.0.0.1",
           "teardown",
           "teardown x",
           "clear adj-rib",
           "show adj-rib sideways",
           "frobnicate",
       }) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(w.command(bad), error);
    EXPECT_EQ(w.a_out(), before);
  }
  // JSON encoder: ExaBGP's answer object, with the reason.
  const auto reply = w.command("announce route 10.0.0.0/24", "json");
  ASSERT_EQ(reply.size(), 1u);
  const auto j = wire::Json::parse(reply[0]);
  EXPECT_EQ(j["answer"], "error");
  EXPECT_NE(j["message"].get<std::string>().find("needs a next-hop"), std::string::npos)
      << reply[0];
  EXPECT_EQ(w.command("announce route 10.5.0.0/24 next-hop 10.0.0.1", "json"),
            Lines{R"({ "answer": "done", "message": "command completed" })"});
}

TEST(ApiCommands, SelectorsPickNeighbors) {
  World w(apitest::speaker_config({"10.0.0.2", "10.0.0.3"}));
  const char* nh = " next-hop 10.0.0.1";
  auto has = [&](const std::string& peer, const std::string& prefix) {
    return w.a_out(peer).count(prefix) == 1;
  };
  EXPECT_EQ(w.command(std::string("neighbor 10.0.0.3 announce route 10.1.0.0/24") + nh), done);
  EXPECT_FALSE(has("10.0.0.2", "10.1.0.0/24"));
  EXPECT_TRUE(has("10.0.0.3", "10.1.0.0/24"));
  EXPECT_EQ(w.command(std::string("neighbor 10.0.0.2 peer-as 65002, neighbor 10.0.0.3 "
                                  "announce route 10.2.0.0/24") +
                      nh),
            done);
  EXPECT_TRUE(has("10.0.0.2", "10.2.0.0/24"));
  EXPECT_TRUE(has("10.0.0.3", "10.2.0.0/24"));
  EXPECT_EQ(w.command(std::string("neighbor * announce route 10.3.0.0/24") + nh), done);
  EXPECT_TRUE(has("10.0.0.2", "10.3.0.0/24") && has("10.0.0.3", "10.3.0.0/24"));
  EXPECT_EQ(w.command(std::string("neighbor 10.0.0.2 local-ip 10.0.0.1 local-as 65001 router-id "
                                  "10.0.0.1 family-allowed in-open announce route 10.4.0.0/24") +
                      nh),
            done);
  EXPECT_TRUE(has("10.0.0.2", "10.4.0.0/24"));
  EXPECT_FALSE(has("10.0.0.3", "10.4.0.0/24"));
  EXPECT_EQ(w.command("neighbor 10.0.0.3 withdraw route 10.3.0.0/24"), done);
  EXPECT_TRUE(has("10.0.0.2", "10.3.0.0/24"));
  EXPECT_FALSE(has("10.0.0.3", "10.3.0.0/24"));
  // Without selectors: every neighbor bound to the process.
  EXPECT_EQ(w.command(std::string("announce route 10.5.0.0/24") + nh), done);
  EXPECT_TRUE(has("10.0.0.2", "10.5.0.0/24") && has("10.0.0.3", "10.5.0.0/24"));
}

TEST(ApiCommands, AckControl) {
  World w;
  EXPECT_EQ(w.command("announce route 10.1.0.0/24 next-hop 10.0.0.1"), done);
  EXPECT_EQ(w.command("disable-ack"), done) << "its own answer is the last";
  EXPECT_EQ(w.command("announce route 10.2.0.0/24 next-hop 10.0.0.1"), Lines{});
  EXPECT_EQ(w.command("announce route"), Lines{}) << "errors are silenced too";
  EXPECT_EQ(w.a_out().size(), 2u) << "silenced commands still run";
  EXPECT_EQ(w.command("enable-ack"), done);
  EXPECT_EQ(w.command("silence-ack"), Lines{});
  EXPECT_EQ(w.command("announce route 10.3.0.0/24 next-hop 10.0.0.1"), Lines{});
  EXPECT_EQ(w.command("enable-ack"), done);
  EXPECT_EQ(w.command("# a comment"), done);
  EXPECT_EQ(w.command("   "), Lines{}) << "blank lines are not commands";
  EXPECT_EQ(w.a_out().size(), 3u);
}

TEST(ApiCommands, PingStatusShow) {
  World w;
  w.start();
  w.run();
  const auto pong = w.command("ping");
  ASSERT_EQ(pong.size(), 2u);
  EXPECT_TRUE(pong[0].starts_with("pong ")) << pong[0];
  EXPECT_TRUE(pong[0].ends_with(" active=true")) << pong[0];
  EXPECT_EQ(pong[1], "done");
  const auto json_pong = w.command("ping", "json");
  ASSERT_EQ(json_pong.size(), 2u);
  EXPECT_EQ(wire::Json::parse(json_pong[0])["active"], true);
  EXPECT_EQ(pong[0].substr(5, 36), wire::Json::parse(json_pong[0])["pong"].get<std::string>());

  const auto status = w.command("status");
  ASSERT_GE(status.size(), 3u);
  EXPECT_EQ(status.back(), "done");
  std::string all;
  for (const auto& l : status) all += l + "\n";
  EXPECT_NE(all.find("UUID: " + pong[0].substr(5, 36)), std::string::npos) << all;
  EXPECT_NE(all.find("PID: "), std::string::npos) << all;
  EXPECT_NE(all.find("10.0.0.2: Established"), std::string::npos) << all;

  ASSERT_EQ(w.command("announce route 10.1.0.0/24 next-hop 10.0.0.1 med 3"), done);
  EXPECT_EQ(w.command("show adj-rib out"),
            (Lines{"neighbor 10.0.0.2 ipv4 unicast 10.1.0.0/24 next-hop 10.0.0.1", "done"}));
  EXPECT_EQ(w.command("show adj-rib out extensive"),
            (Lines{"neighbor 10.0.0.2 ipv4 unicast 10.1.0.0/24 next-hop 10.0.0.1 origin igp "
                   "as-path [ 65001 ] med 3",
                   "done"}));
  EXPECT_EQ(w.command("show adj-rib in"), done) << "B announces nothing";
  const auto summary = w.command("show neighbor summary");
  ASSERT_EQ(summary.size(), 3u);
  EXPECT_TRUE(summary[1].starts_with("10.0.0.2")) << summary[1];
  EXPECT_NE(summary[1].find("established"), std::string::npos) << summary[1];
}

TEST(ApiCommands, ClearFlushEorTeardown) {
  World w;
  w.start();
  w.run();
  ASSERT_EQ(w.command("announce route 10.1.0.0/24 next-hop 10.0.0.1"), done);
  w.run(1s);
  ASSERT_EQ(w.b_in().size(), 1u);
  EXPECT_EQ(w.command("flush adj-rib out"), done);
  EXPECT_TRUE(w.a_peer().adj_rib_out().has_pending()) << "everything queued again";
  w.run(1s);
  EXPECT_EQ(w.command("clear adj-rib out"), done);
  EXPECT_EQ(w.a_out(), Table{});
  w.run(1s);
  EXPECT_EQ(w.b_in(), Table{});

  EXPECT_EQ(w.command("announce eor ipv4 unicast"), done);
  EXPECT_TRUE(w.a_peer().adj_rib_out().has_pending()) << "an End-of-RIB is due";
  w.run(1s);
  EXPECT_FALSE(w.a_peer().adj_rib_out().has_pending());

  // The Down event reaches the bound process as the command runs.
  EXPECT_EQ(w.command("neighbor 10.0.0.2 teardown 2"),
            (Lines{"neighbor 10.0.0.2 down - stopped", "done"}));
  w.run(1s);
  ASSERT_FALSE(w.rec_b.received.empty());
  EXPECT_EQ(w.rec_b.received.back().code, 6);
  EXPECT_EQ(w.rec_b.received.back().subcode, 2);
  w.run(60s);
  EXPECT_EQ(w.a_peer().state(), session::State::established) << "teardown is not a stop";
  EXPECT_GE(w.rec_a.established, 2);
}

TEST(ApiCommands, CreateAndDeleteNeighbor) {
  // No neighbor configured: the API makes one (ExaBGP 5's dynamic peer).
  World w(apitest::speaker_config({}));
  w.start();
  w.run();
  EXPECT_EQ(w.a.find_peer("10.0.0.2"), nullptr);
  EXPECT_EQ(w.command("announce route 10.1.0.0/24 next-hop 10.0.0.1"), error)
      << "no neighbor bound to the process yet";
  for (const char* bad : {"create neighbor 10.0.0.2 local-address 10.0.0.1 local-as 65001",
                          "create neighbor 10.0.0.2 local-address 10.0.0.1 local-as 65001 "
                          "peer-as 65002 colour blue",
                          "create neighbor 10.0.0.2 local-address 10.0.0.1 local-as 65001 "
                          "local-as 65003 peer-as 65002",
                          "create neighbor nowhere local-address 10.0.0.1 local-as 1 peer-as 2"})
    EXPECT_EQ(w.command(bad), error) << bad;
  EXPECT_EQ(w.a.find_peer("10.0.0.2"), nullptr) << "a malformed create changes nothing";
  EXPECT_EQ(w.command("create neighbor 10.0.0.2 local-address 10.0.0.1 local-as 65001 peer-as "
                      "65002 router-id 10.0.0.1 family-allowed ipv4-unicast api text"),
            done);
  EXPECT_EQ(w.command("create neighbor 10.0.0.2 local-address 10.0.0.1 local-as 65001 "
                      "peer-as 65002 api text"),
            error)
      << "it exists";
  w.run();
  ASSERT_NE(w.a.find_peer("10.0.0.2"), nullptr);
  EXPECT_EQ(w.a_peer().state(), session::State::established);
  EXPECT_EQ(w.command("announce route 10.1.0.0/24 next-hop 10.0.0.1"), done);
  w.run(1s);
  EXPECT_EQ(w.b_in().size(), 1u);
  EXPECT_EQ(w.command("delete neighbor 10.0.0.9"), error);
  EXPECT_EQ(w.command("delete neighbor 10.0.0.2"), done);
  EXPECT_EQ(w.a.find_peer("10.0.0.2"), nullptr);
  w.run(1s);
  ASSERT_FALSE(w.rec_b.received.empty());
  EXPECT_EQ(w.rec_b.received.back().code, 6);
  EXPECT_EQ(w.rec_b.received.back().subcode, 3) << "Cease, Peer De-configured";
  EXPECT_EQ(w.command("announce route 10.2.0.0/24 next-hop 10.0.0.1"), error);
}

TEST(ApiRouteOwnership, ReloadKeepsApiRoutesAndWithdrawsConfiguredOnesThatLeft) {
  auto config = apitest::speaker_config();
  config.neighbors[0].routes.push_back(apitest::route("10.10.0.0/24", "10.0.0.1"));
  config.neighbors[0].routes.push_back(apitest::route("10.11.0.0/24", "10.0.0.1"));
  World w(config);
  w.start();
  w.run();
  ASSERT_EQ(w.command("announce route 10.20.0.0/24 next-hop 10.0.0.1"), done);
  w.run(1s);
  ASSERT_EQ(w.b_in().size(), 3u);

  // Reload: 10.10/24 left the file, 10.12/24 came; the API route stays.
  config.neighbors[0].routes.erase(config.neighbors[0].routes.begin());
  config.neighbors[0].routes.push_back(apitest::route("10.12.0.0/24", "10.0.0.1"));
  ASSERT_FALSE(w.a.configure(config));
  w.api->reconfigure(config);
  w.run(1s);
  Table got = w.b_in();
  EXPECT_EQ(got.size(), 3u);
  EXPECT_EQ(got.count("10.10.0.0/24"), 0u);
  EXPECT_EQ(got.count("10.11.0.0/24"), 1u);
  EXPECT_EQ(got.count("10.12.0.0/24"), 1u);
  EXPECT_EQ(got.count("10.20.0.0/24"), 1u) << "the API's route survives the reload";

  // A session setting changed: the neighbor restarts, its API routes come back.
  config.neighbors[0].hold_time_s = 30;
  ASSERT_FALSE(w.a.configure(config));
  w.api->reconfigure(config);
  w.run(30s);
  ASSERT_EQ(w.a_peer().state(), session::State::established);
  got = w.b_in();
  EXPECT_EQ(got.count("10.20.0.0/24"), 1u) << "carried to the restarted neighbor";
  EXPECT_EQ(got.size(), 3u);

  // The API withdraws a configured route: gone until the next reload.
  EXPECT_EQ(w.command("withdraw route 10.11.0.0/24"), done);
  w.run(1s);
  EXPECT_EQ(w.b_in().count("10.11.0.0/24"), 0u);
  ASSERT_FALSE(w.a.configure(config));
  w.run(1s);
  EXPECT_EQ(w.b_in().count("10.11.0.0/24"), 1u);
}

TEST(ApiWatchdog, AnnouncesAndWithdrawsTheNamedConfiguredRoutes) {
  auto config = apitest::speaker_config();
  auto r = apitest::route("10.30.0.0/24", "10.0.0.1");
  auto extras = std::make_shared<config::RouteExtras>();
  extras->watchdog = "dns";
  extras->withdrawn = true;
  r.extras = extras;
  config.neighbors[0].routes.push_back(r);
  World w(config);
  EXPECT_EQ(w.a_out().size(), 0u) << "`withdraw`: not sent until the watchdog is announced";
  EXPECT_EQ(w.command("announce watchdog dns"), done);
  EXPECT_EQ(w.a_out().count("10.30.0.0/24"), 1u);
  EXPECT_EQ(w.command("withdraw watchdog dns"), done);
  EXPECT_EQ(w.a_out().size(), 0u);
}

TEST(ApiEvents, ReceivedUpdateInTextAndJson) {
  World w(apitest::speaker_config(), {apitest::route("10.40.0.0/24", "10.0.0.2")});
  w.start();
  w.run();
  ASSERT_EQ(w.a_peer().state(), session::State::established);
  const auto& text = w.lines["text"];
  auto find = [&](const std::string& line) {
    return std::find(text.begin(), text.end(), line) != text.end();
  };
  EXPECT_TRUE(find("neighbor 10.0.0.2 up"));
  const std::string u = "neighbor 10.0.0.2 receive update";
  auto start = std::find(text.begin(), text.end(), u + " start");
  ASSERT_NE(start, text.end());
  ASSERT_GE(text.end() - start, 3);
  EXPECT_EQ(start[1], u + " announced 10.40.0.0/24 next-hop 10.0.0.2 origin igp as-path [ 65002 ]");
  EXPECT_EQ(start[2], u + " end");
  EXPECT_TRUE(find(u + " route eor 1/1 (ipv4 unicast)")) << "B's End-of-RIB";

  bool seen = false;
  for (const auto& line : w.lines["json"]) {
    auto j = wire::Json::parse(line);
    if (j.value("type", "") != "update") continue;
    auto update = j["neighbor"]["message"]["update"];
    if (!update.contains("announce")) continue;
    EXPECT_EQ(j["neighbor"]["address"]["peer"], "10.0.0.2");
    EXPECT_EQ(update["announce"]["ipv4 unicast"]["10.0.0.2"][0]["nlri"], "10.40.0.0/24") << line;
    seen = true;
  }
  EXPECT_TRUE(seen) << (w.lines["json"].empty() ? "no JSON" : w.lines["json"].front());

  // Down reaches processes bound with neighbor-changes, in both encoders.
  w.b.stop();
  w.run(2s);
  EXPECT_TRUE(std::any_of(text.begin(), text.end(), [](const std::string& l) {
    return l.starts_with("neighbor 10.0.0.2 down - ");
  }));
  auto last_json = wire::Json::parse(w.lines["json"].back());
  EXPECT_EQ(last_json["type"], "state") << w.lines["json"].back();
  EXPECT_EQ(last_json["neighbor"].value("state", ""), "down") << w.lines["json"].back();
}

}  // namespace
}  // namespace bgpsim

namespace bgpsim {
namespace {

// The text encoder as ExaBGP's scripts read it (etc/run/api-check.run waits
// for exactly this line): no AS_PATH shown when it is empty.
TEST(ApiTextEncoder, UpdateLinesAsExabgpScriptsReadThem) {
  wire::Update u;
  u.nlri.push_back(wire::Nlri{});
  u.nlri[0].prefix = *wire::IpPrefix::parse("0.0.0.0/32");
  u.attributes.origin = wire::Origin::igp;
  u.attributes.as_path = wire::AsPath{};
  u.attributes.next_hop = wire::IpAddress::parse("127.0.0.1");
  u.attributes.local_pref = 100;
  u.withdrawn.push_back(wire::Nlri{});
  u.withdrawn[0].prefix = *wire::IpPrefix::parse("10.0.0.0/8");
  const std::string p = "neighbor 127.0.0.1 receive update";
  EXPECT_EQ(api::text_message("127.0.0.1", wire::Message(u), {}),
            (Lines{p + " start", p + " withdrawn 10.0.0.0/8",
                   p + " announced 0.0.0.0/32 next-hop 127.0.0.1 origin igp local-preference 100",
                   p + " end"}));
  wire::Notification n{6, 2, {0x01, 0xAB}};
  EXPECT_EQ(api::text_message("127.0.0.1", wire::Message(n), {}),
            Lines{"neighbor 127.0.0.1 receive notification code 6 subcode 2 data 0x01AB"});
}

TEST(ApiSelectors, SplitAsExabgpReadsThem) {
  auto s = api::split_command(
      "neighbor 127.0.0.1 router-id 1.2.3.4, neighbor 127.0.0.2 announce route 1.1.0.0/25");
  ASSERT_TRUE(std::holds_alternative<api::SplitCommand>(s));
  const auto& c = std::get<api::SplitCommand>(s);
  ASSERT_EQ(c.selectors.size(), 2u);
  EXPECT_EQ(c.selectors[0], (api::Selector{{"neighbor", "127.0.0.1"}, {"router-id", "1.2.3.4"}}));
  EXPECT_EQ(c.selectors[1], (api::Selector{{"neighbor", "127.0.0.2"}}));
  EXPECT_EQ(c.rest_after(0), "announce route 1.1.0.0/25");
  EXPECT_TRUE(std::holds_alternative<std::string>(api::split_command("neighbor 10.0.0.1 peer-as")));
}

}  // namespace
}  // namespace bgpsim
