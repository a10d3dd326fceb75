// The API's raw forms: `api { receive { packets; consolidate; ... } send {
// ... } }`. The expected lines are what ExaBGP 4.2's encoders
// (reactor/api/response/json.py and text.py, run on the same bytes) write,
// brought to bgpsim's envelope by `exabgp_to_ours`: no time, host, pid, ppid
// or counter (they would break determinism), the JSON version bgpsim
// writes, and "direction" "in"/"out" as its other lines say (docs/api.md).
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "tests/api/api_fixture.hpp"

namespace bgpsim {
namespace {

using namespace std::chrono_literals;
using apitest::World;
using wire::Json;

Json exabgp_to_ours(const std::string& exabgp_line) {
  Json j = Json::parse(exabgp_line);
  for (const char* key : {"time", "host", "pid", "ppid", "counter"}) j.erase(key);
  j["exabgp"] = wire::exabgp_json_version;
  auto& direction = j["neighbor"]["direction"];
  direction = direction == "receive" ? "in" : "out";
  return j;
}

wire::Bytes bytes_of(const std::string& hex) { return *wire::parse_hex(hex); }

api::JsonEvents events() {
  api::JsonEvents e([](const std::string&) {});
  e.set_neighbors(apitest::speaker_config());
  return e;
}

const std::string marker = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF";
// One message of each kind, and ExaBGP's `packets` JSON for it, received.
const std::vector<std::pair<std::string, std::string>> exabgp_packets =
    {
        {marker + "001D01" + "04FDE9005A0A00000100",
         R"({ "exabgp": "4.0.1", "time": 0, "host" : "vm", "pid" : 8973, "ppid" : 8971, "counter": 7, "type": "open", "neighbor": { "address": { "local": "10.0.0.1", "peer": "10.0.0.2" }, "asn": { "local": 65001, "peer": 65002 } , "direction": "receive", "message": { "category": 1, "header": "0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001D01", "body": "0x04FDE9005A0A00000100" }  } })"},
        {marker + "002F02" + "000000144001010040020602010000FDEA4003040A000002180A2800",
         R"({ "exabgp": "4.0.1", "time": 0, "host" : "vm", "pid" : 8973, "ppid" : 8971, "counter": 9, "type": "update", "neighbor": { "address": { "local": "10.0.0.1", "peer": "10.0.0.2" }, "asn": { "local": 65001, "peer": 65002 } , "direction": "receive", "message": { "category": 2, "header": "0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF002F02", "body": "0x000000144001010040020602010000FDEA4003040A000002180A2800" }  } })"},
        {marker + "001703" + "060201AB",
         R"({ "exabgp": "4.0.1", "time": 0, "host" : "vm", "pid" : 8973, "ppid" : 8971, "counter": 5, "type": "notification", "neighbor": { "address": { "local": "10.0.0.1", "peer": "10.0.0.2" }, "asn": { "local": 65001, "peer": 65002 } , "direction": "receive", "message": { "category": 3, "header": "0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001703", "body": "0x060201AB" }  } })"},
        {marker + "001304",
         R"({ "exabgp": "4.0.1", "time": 0, "host" : "vm", "pid" : 8973, "ppid" : 8971, "counter": 1, "type": "keepalive", "neighbor": { "address": { "local": "10.0.0.1", "peer": "10.0.0.2" }, "asn": { "local": 65001, "peer": 65002 } , "direction": "receive", "message": { "category": 4, "header": "0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001304", "body": "0x" }  } })"},
        {marker + "001705" + "00010001", R"({ "exabgp": "4.0.1", "time": 0, "host" : "vm", "pid" : 8973, "ppid" : 8971, "counter": 3, "type": "route refresh", "neighbor": { "address": { "local": "10.0.0.1", "peer": "10.0.0.2" }, "asn": { "local": 65001, "peer": 65002 } , "direction": "receive", "message": { "category": 5, "header": "0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001705", "body": "0x00010001" }  } })"},
};

TEST(ApiPackets, JsonOfEveryKindBothDirectionsAsExabgp) {
  const auto e = events();
  for (const auto& [hex, exabgp] : exabgp_packets) {
    const auto raw = bytes_of(hex);
    Json expected = exabgp_to_ours(exabgp);
    EXPECT_EQ(Json::parse(e.packets_line("10.0.0.2", raw, false)), expected) << hex;
    // The same bytes sent: only the direction differs (ExaBGP's "send").
    expected["neighbor"]["direction"] = "out";
    const auto line = e.packets_line("10.0.0.2", raw, true);
    EXPECT_EQ(Json::parse(line), expected) << hex;
    EXPECT_EQ(line, wire::exabgp_text(expected)) << "spaced as the other API lines";
  }
}

TEST(ApiPackets, TextOfEveryKindAsExabgp) {
  // ExaBGP's Text.packets: the type number, then " header 0x.." and, when the
  // body is not empty, " body 0x..".
  const std::vector<std::string> exabgp = {
      "neighbor 10.0.0.2 receive 1 header 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001D01 body "
      "0x04FDE9005A0A00000100",
      "neighbor 10.0.0.2 receive 2 header 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF002F02 body "
      "0x000000144001010040020602010000FDEA4003040A000002180A2800",
      "neighbor 10.0.0.2 receive 3 header 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001703 body 0x060201AB",
      "neighbor 10.0.0.2 receive 4 header 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001304",
      "neighbor 10.0.0.2 receive 5 header 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001705 body 0x00010001",
  };
  for (std::size_t i = 0; i < exabgp.size(); ++i) {
    const auto raw = bytes_of(exabgp_packets[i].first);
    EXPECT_EQ(api::text_packets("10.0.0.2", raw, false), exabgp[i]);
    auto sent = exabgp[i];
    sent.replace(sent.find(" receive "), 9, " send ");
    EXPECT_EQ(api::text_packets("10.0.0.2", raw, true), sent);
  }
}

TEST(ApiPackets, ConsolidatePutsHeaderAndBodyInTheParsedLine) {
  const auto e = events();
  // A KEEPALIVE has no body: "header" only, after "type" (ExaBGP's JSON._header).
  const auto keepalive = bytes_of(marker + "001304");
  const Json exabgp = exabgp_to_ours(
      R"({ "exabgp": "4.0.1", "time": 0, "host" : "vm", "pid" : 8973, "ppid" : 8971, "counter": 3, "type": "keepalive", "header": "0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001304", "neighbor": { "address": { "local": "10.0.0.1", "peer": "10.0.0.2" }, "asn": { "local": 65001, "peer": 65002 } , "direction": "receive"  } })");
  EXPECT_EQ(Json::parse(e.message_line("10.0.0.2", wire::Keepalive{}, {}, false, keepalive)),
            exabgp);
  // Without the bytes (consolidate alone) the line is the parsed one.
  EXPECT_FALSE(
      Json::parse(e.message_line("10.0.0.2", wire::Keepalive{}, {}, false, {})).contains("header"));

  // An UPDATE: the parsed line, with "header" and "body" between "type" and
  // "neighbor".
  const auto raw = bytes_of(exabgp_packets[1].first);
  auto message = wire::decode_message(raw, {});
  ASSERT_TRUE(message);
  const Json parsed = Json::parse(e.message_line("10.0.0.2", *message, {}, true));
  const Json consolidated = Json::parse(e.message_line("10.0.0.2", *message, {}, true, raw));
  std::vector<std::string> keys;
  for (const auto& [key, value] : consolidated.items()) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{"exabgp", "type", "header", "body", "neighbor"}));
  EXPECT_EQ(consolidated["header"], "0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF002F02");
  EXPECT_EQ(consolidated["body"], "0x000000144001010040020602010000FDEA4003040A000002180A2800");
  EXPECT_EQ(consolidated["neighbor"], parsed["neighbor"]);
  EXPECT_EQ(consolidated["neighbor"]["direction"], "out");
}

TEST(ApiPackets, ConsolidateInTheTextEncoderAsExabgp) {
  // ExaBGP's Text: " header 0x.. body 0x.." ends a one-line message; an
  // UPDATE gets it as a line of its own, with its leading space, before "end".
  const auto keepalive = bytes_of(marker + "001304");
  EXPECT_EQ(
      api::text_message("10.0.0.2", wire::Keepalive{}, {}, false, keepalive),
      (std::vector<std::string>{
          "neighbor 10.0.0.2 receive keepalive header 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001304"}));
  const auto refresh = bytes_of(exabgp_packets[4].first);
  EXPECT_EQ(api::text_message("10.0.0.2", *wire::decode_message(refresh, {}), {}, true, refresh),
            (std::vector<std::string>{
                "neighbor 10.0.0.2 send route-refresh afi ipv4 safi unicast query header "
                "0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001705 body 0x00010001"}));
  const auto raw = bytes_of(exabgp_packets[1].first);
  const auto lines = api::text_message("10.0.0.2", *wire::decode_message(raw, {}), {}, false, raw);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "neighbor 10.0.0.2 receive update start");
  EXPECT_EQ(lines[1],
            "neighbor 10.0.0.2 receive update announced 10.40.0.0/24 next-hop 10.0.0.2 origin igp "
            "as-path [ 65002 ]");
  EXPECT_EQ(lines[2],
            " header 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF002F02 body "
            "0x000000144001010040020602010000FDEA4003040A000002180A2800");
  EXPECT_EQ(lines[3], "neighbor 10.0.0.2 receive update end");
}

// --- Over a session in the simulator ----------------------------------------

// Route refresh and enhanced route refresh (RFC 2918, RFC 7313), offered by both.
config::Capabilities refresh() {
  config::Capabilities c;
  c.route_refresh = true;
  return c;
}

// A's configuration with one api block for both processes, `receive` and
// `send` as given (neighbor-changes kept).
config::Config with_sets(const config::MessageSet& receive, const config::MessageSet& send) {
  auto c = apitest::speaker_config();
  c.neighbors[0].api[0].receive = receive;
  c.neighbors[0].api[0].send = send;
  c.neighbors[0].capabilities = refresh();
  return c;
}

config::MessageSet every_kind(bool parsed, bool packets, bool consolidate) {
  config::MessageSet s;
  s.parsed = parsed;
  s.packets = packets;
  s.consolidate = consolidate;
  s.open = s.update = s.keepalive = s.notification = s.refresh = true;
  return s;
}

bool is_packets(const Json& j) {
  return j.contains("neighbor") && j["neighbor"].contains("message") &&
         j["neighbor"]["message"].contains("category");
}

// The bytes of a `packets` line, checked against its own header: the marker,
// the length field equal to the bytes, the type equal to "category".
wire::Bytes packets_bytes(const Json& j) {
  const auto& m = j["neighbor"]["message"];
  auto raw =
      bytes_of(m["header"].get<std::string>().substr(2) + m["body"].get<std::string>().substr(2));
  EXPECT_GE(raw.size(), 19u);
  if (raw.size() < 19) return raw;
  EXPECT_TRUE(std::all_of(raw.begin(), raw.begin() + 16, [](auto b) { return b == 0xFF; }));
  EXPECT_EQ((raw[16] << 8) | raw[17], static_cast<int>(raw.size()));
  EXPECT_EQ(raw[18], m["category"].get<int>());
  EXPECT_EQ(j["type"], std::string(wire::exabgp_type_name(raw[18])));
  return raw;
}

// A text line about a message (not an answer to the commands of `exchange`,
// nor neighbor-changes).
bool is_message(const std::string& l) {
  return l != "done" && !l.ends_with(" up") && l.find(" down - ") == std::string::npos;
}

// The parts of a parsed line that are the message's (not the envelope's).
Json message_part(Json j) {
  auto& n = j["neighbor"];
  for (const char* key : {"address", "asn", "router-id", "direction"}) n.erase(key);
  return n;
}

// B announces a route. Each side
// asks the other for a route refresh, then A tears the session down and,
// once it is back, B does: every kind crosses in both directions.
World& exchange(World& w) {
  w.start();
  w.run();
  EXPECT_EQ(w.a_peer().state(), session::State::established);
  auto& b_peer = *w.b.find_peer("10.0.0.1");
  EXPECT_TRUE(b_peer.request_refresh(wire::ipv4_unicast));
  w.run(1s);
  // The answer comes after the events the command caused.
  EXPECT_EQ(w.command("announce route-refresh ipv4 unicast").back(), "done");
  w.run(1s);
  EXPECT_EQ(w.command("teardown 2").back(), "done");
  w.run(60s);
  EXPECT_EQ(w.a_peer().state(), session::State::established) << "back after the teardown";
  b_peer.teardown(wire::Notification{6, 4, {}});
  w.run(1s);
  return w;
}

TEST(ApiPackets, PacketsAloneSendsTheBytesOfEveryMessageAndNoParsedForm) {
  World w(with_sets(every_kind(false, true, false), every_kind(false, true, false)),
          {apitest::route("10.40.0.0/24", "10.0.0.2")}, {}, refresh());
  exchange(w);
  std::set<std::pair<std::string, int>> seen;  // (direction, category)
  std::vector<std::string> as_text;
  for (const auto& line : w.lines["json"]) {
    auto j = Json::parse(line);
    if (j["type"] == "state") continue;  // neighbor-changes
    ASSERT_TRUE(is_packets(j)) << "a parsed line: " << line;
    const auto raw = packets_bytes(j);
    const bool sent = j["neighbor"]["direction"] == "out";
    seen.insert({j["neighbor"]["direction"], raw[18]});
    as_text.push_back(api::text_packets("10.0.0.2", raw, sent));
  }
  const std::set<std::pair<std::string, int>> expected = {
      {"in", 1},  {"in", 2},  {"in", 3},  {"in", 4},  {"in", 5},
      {"out", 1}, {"out", 2}, {"out", 3}, {"out", 4}, {"out", 5}};
  EXPECT_EQ(seen, expected);
  // The text encoder's process got the same messages, in the same order.
  std::vector<std::string> text;
  for (const auto& l : w.lines["text"])
    if (is_message(l)) text.push_back(l);
  EXPECT_EQ(text, as_text);
}

TEST(ApiPackets, PacketsAndParsedSendBothEachMessageBytesFirst) {
  World w(with_sets(every_kind(true, true, false), every_kind(true, true, false)),
          {apitest::route("10.40.0.0/24", "10.0.0.2")}, {}, refresh());
  exchange(w);
  std::size_t pairs = 0;
  bool announce = false;
  const auto& lines = w.lines["json"];
  for (std::size_t i = 0; i < lines.size(); ++i) {
    auto j = Json::parse(lines[i]);
    if (j["type"] == "state") continue;
    ASSERT_TRUE(is_packets(j)) << "a parsed line without its bytes before it: " << lines[i];
    ASSERT_LT(i + 1, lines.size());
    auto parsed = Json::parse(lines[i + 1]);
    ASSERT_FALSE(is_packets(parsed)) << lines[i + 1];
    EXPECT_EQ(parsed["type"], j["type"] == "route refresh" ? "refresh" : j["type"]);
    EXPECT_EQ(parsed["neighbor"]["direction"], j["neighbor"]["direction"]);
    EXPECT_FALSE(parsed.contains("header")) << "consolidate's form without consolidate";
    // The bytes decode to what the parsed line says.
    auto decoded = wire::decode_message(packets_bytes(j), {});
    ASSERT_TRUE(decoded) << lines[i];
    EXPECT_EQ(message_part(wire::to_json(*decoded, {}, {})), message_part(parsed)) << lines[i];
    if (parsed["type"] == "update")
      announce = announce || parsed["neighbor"]["message"]["update"].contains("announce");
    ++pairs;
    ++i;
  }
  EXPECT_GE(pairs, 8u);
  EXPECT_TRUE(announce) << "B's route";
}

TEST(ApiPackets, ConsolidateWithPacketsSendsOneLineWithTheBytes) {
  World w(with_sets(every_kind(false, true, true), every_kind(true, true, true)),
          {apitest::route("10.40.0.0/24", "10.0.0.2")}, {}, refresh());
  exchange(w);
  std::set<std::string> types;
  for (const auto& line : w.lines["json"]) {
    auto j = Json::parse(line);
    if (j["type"] == "state") continue;
    ASSERT_FALSE(is_packets(j)) << "consolidate sends no separate packets line: " << line;
    ASSERT_TRUE(j.contains("header")) << line;
    auto raw = bytes_of(j["header"].get<std::string>().substr(2) +
                        j.value("body", std::string("0x")).substr(2));
    EXPECT_EQ((raw[16] << 8) | raw[17], static_cast<int>(raw.size())) << line;
    auto decoded = wire::decode_message(raw, {});
    ASSERT_TRUE(decoded) << line;
    EXPECT_EQ(message_part(wire::to_json(*decoded, {}, {})), message_part(j)) << line;
    types.insert(j["type"].get<std::string>() + " " +
                 j["neighbor"]["direction"].get<std::string>());
  }
  EXPECT_EQ(types, (std::set<std::string>{"keepalive in", "keepalive out", "notification in",
                                          "notification out", "open in", "open out", "refresh in",
                                          "refresh out", "update in", "update out"}));
  // Text: the bytes at the end of the line (an UPDATE: on a line before "end").
  const auto& text = w.lines["text"];
  EXPECT_TRUE(std::any_of(text.begin(), text.end(), [](const std::string& l) {
    return l.starts_with("neighbor 10.0.0.2 receive keepalive header 0xFFFF");
  }));
  auto end = std::find(text.begin(), text.end(), "neighbor 10.0.0.2 receive update end");
  ASSERT_NE(end, text.end());
  EXPECT_TRUE(end[-1].starts_with(" header 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00")) << end[-1];
}

TEST(ApiPackets, ConsolidateWithoutPacketsIsTheParsedForm) {
  World w(with_sets(every_kind(false, false, true), {}),
          {apitest::route("10.40.0.0/24", "10.0.0.2")}, {}, refresh());
  exchange(w);
  std::size_t parsed = 0;
  for (const auto& line : w.lines["json"]) {
    auto j = Json::parse(line);
    if (j["type"] == "state") continue;
    EXPECT_FALSE(is_packets(j)) << line;
    EXPECT_FALSE(j.contains("header")) << line;
    EXPECT_EQ(j["neighbor"]["direction"], "in") << "nothing asked for sent messages";
    ++parsed;
  }
  EXPECT_GE(parsed, 3u);  // OPEN, KEEPALIVEs, UPDATEs
}

TEST(ApiPackets, OnlyTheKindsAskedFor) {
  config::MessageSet keepalives;
  keepalives.packets = keepalives.keepalive = true;
  config::MessageSet none;
  none.packets = true;  // no kind: nothing (ExaBGP reports the kinds named)
  World w(with_sets(keepalives, none), {apitest::route("10.40.0.0/24", "10.0.0.2")}, {}, refresh());
  exchange(w);
  std::size_t count = 0;
  for (const auto& line : w.lines["json"]) {
    auto j = Json::parse(line);
    if (j["type"] == "state") continue;
    ASSERT_TRUE(is_packets(j)) << line;
    EXPECT_EQ(j["type"], "keepalive") << line;
    EXPECT_EQ(j["neighbor"]["direction"], "in") << line;
    ++count;
  }
  EXPECT_GE(count, 1u);
}

TEST(ApiPackets, BlocksFlattenAsExabgpDoes) {
  // ExaBGP flattens a neighbor's api blocks: forms are per neighbor, kinds
  // per block. Block 1 (text) asks for parsed UPDATEs, block 2 (json) for
  // packets of KEEPALIVEs: json gets packets of UPDATEs too (a block wants
  // them) and, `parsed` being on for the neighbor, parsed KEEPALIVEs.
  auto c = with_sets({}, {});
  auto& api = c.neighbors[0].api;
  api[0].processes = {"text"};
  api[0].receive = {};
  api[0].receive.parsed = api[0].receive.update = true;
  config::ApiBinding b;
  b.processes = {"json"};
  b.receive.packets = b.receive.keepalive = true;
  api.push_back(b);
  World w(c, {apitest::route("10.40.0.0/24", "10.0.0.2")}, {}, refresh());
  exchange(w);
  std::set<std::string> json;
  for (const auto& line : w.lines["json"]) {
    auto j = Json::parse(line);
    json.insert((is_packets(j) ? "packets " : "parsed ") + j["type"].get<std::string>());
  }
  EXPECT_EQ(json,
            (std::set<std::string>{"packets keepalive", "packets update", "parsed keepalive"}));
  for (const auto& line : w.lines["text"])
    if (is_message(line)) {
      EXPECT_TRUE(line.starts_with("neighbor 10.0.0.2 receive update ")) << line;
    }
}

TEST(ApiPackets, AnUndecodableMessageShowsOnlyItsBytes) {
  // ExaBGP writes `packets` before it decodes (reactor/protocol.py), so a
  // message that then fails shows; the parsed forms have nothing to show.
  // An UPDATE whose attribute field ends inside an attribute header:
  const auto raw = bytes_of(marker + "001802" + "0000000140");
  const wire::DecodeError error{23, 3, 1, "truncated", {}};
  auto lines_for = [&](const config::MessageSet& receive) {
    World w(with_sets(receive, {}));
    w.api->on_undecodable("10.0.0.2", raw, error);
    return std::make_pair(w.lines["json"], w.lines["text"]);
  };
  config::MessageSet packets;
  packets.packets = packets.update = true;
  const auto [json, text] = lines_for(packets);
  ASSERT_EQ(json.size(), 1u);
  EXPECT_EQ(Json::parse(json[0]), Json::parse(events().packets_line("10.0.0.2", raw, false)));
  EXPECT_EQ(text, std::vector<std::string>{"neighbor 10.0.0.2 receive 2 header "
                                           "0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001802 body "
                                           "0x0000000140"});
  config::MessageSet parsed = packets;
  parsed.packets = false;
  parsed.parsed = true;
  config::MessageSet consolidated = packets;
  consolidated.consolidate = true;
  config::MessageSet other_kind = packets;
  other_kind.update = false;
  other_kind.keepalive = true;
  for (const auto& set : {parsed, consolidated, other_kind}) {
    const auto [j, t] = lines_for(set);
    EXPECT_TRUE(j.empty() && t.empty()) << (j.empty() ? "" : j[0]);
  }
}

// --- `negotiated` ---------------------------------------------------------

// What ExaBGP 4.2's JSON.negotiated wrote for a session with these values
// (run on stand-in neighbor and negotiated objects).
const char* exabgp_negotiated =
    R"({ "exabgp": "4.0.1", "time": 0, "host" : "vm", "pid" : 7101, "ppid" : 7098, "counter": 1, "type": "negotiated", "neighbor": { "address": { "local": "10.0.0.1", "peer": "10.0.0.2" }, "asn": { "local": 65001, "peer": 65002 } , "negotiated": { "message_size": 65535, "hold_time": 90, "asn4": true, "multisession": false, "operational": false, "refresh": "normal", "families": [ "ipv4 unicast" ,"ipv6 unicast" ], "nexthop": [ "ipv4 unicast ipv6" ], "add_path": { "send": [  ], "receive": [ "ipv4 unicast" ] } }  } })";

session::Negotiated negotiated_example() {
  session::Negotiated n;
  n.local_as = 65001;
  n.peer_as = 65002;
  n.hold_time_s = 90;
  n.families.insert(wire::ipv4_unicast);
  n.families.insert(wire::ipv6_unicast);
  n.route_refresh = true;
  for (auto* ctx : {&n.send, &n.receive}) {
    ctx->four_octet_asn = true;
    ctx->extended_message = true;
    ctx->extended_next_hop.insert(wire::ipv4_unicast);
  }
  n.receive.add_path.insert(wire::ipv4_unicast);
  return n;
}

TEST(ApiNegotiated, JsonLineAsExabgp) {
  Json expected = Json::parse(exabgp_negotiated);
  for (const char* key : {"time", "host", "pid", "ppid", "counter"}) expected.erase(key);
  expected["exabgp"] = wire::exabgp_json_version;
  const auto line = events().negotiated_line("10.0.0.2", negotiated_example());
  EXPECT_EQ(Json::parse(line), expected);
  EXPECT_EQ(line, wire::exabgp_text(expected)) << "keys in ExaBGP's order, spaced alike";
  // Enhanced route refresh, add-path sent: the send list holds family names
  // (ExaBGP 4.2 fails there: it joins family tuples).
  auto n = negotiated_example();
  n.enhanced_route_refresh = true;
  n.send.add_path.insert(wire::ipv6_unicast);
  const auto j = Json::parse(events().negotiated_line("10.0.0.2", n))["neighbor"]["negotiated"];
  EXPECT_EQ(j["refresh"], "enhanced");
  EXPECT_EQ(j["add_path"]["send"], Json::array({"ipv6 unicast"}));
}

TEST(ApiNegotiated, ASessionReportsWhatItNegotiatedToTheProcessesThatAsk) {
  // `negotiated;` in the block of both processes; B offers route refresh and
  // announces a route. The JSON process gets one "negotiated" line just before
  // each "up", and the negotiated block in every UPDATE line and every
  // `packets` line after it; the text process gets neither (ExaBGP's text
  // encoder writes no such line).
  auto c = with_sets({}, {});
  auto& api = c.neighbors[0].api;
  api[0].negotiated = true;
  api[0].receive.parsed = api[0].receive.update = true;
  config::ApiBinding packets;
  packets.processes = {"json"};
  packets.receive.packets = packets.receive.keepalive = true;
  api.push_back(packets);
  World w(c, {apitest::route("10.40.0.0/24", "10.0.0.2")}, {}, refresh());
  exchange(w);
  const auto& lines = w.lines["json"];
  std::size_t negotiated_lines = 0, updates = 0, packets_after = 0, ups = 0;
  std::optional<Json> session;  // the last "negotiated" line's block
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto j = Json::parse(lines[i]);
    const auto& n = j["neighbor"];
    if (j["type"] == "negotiated") {
      ++negotiated_lines;
      session = n["negotiated"];
      EXPECT_EQ((*session)["hold_time"], 9) << "both sides offer 9 s";
      EXPECT_EQ((*session)["refresh"], "enhanced");
      EXPECT_EQ((*session)["families"], Json::array({"ipv4 unicast"}));
      EXPECT_EQ((*session)["message_size"], 65535) << "both offer RFC 8654 by default";
      ASSERT_LT(i + 1, lines.size());
      const auto next = Json::parse(lines[i + 1]);
      EXPECT_EQ(next["type"], "state");
      EXPECT_EQ(next["neighbor"]["state"], "up") << "negotiated comes just before up";
      continue;
    }
    if (j["type"] == "state") {
      if (n["state"] == "up") ++ups;
      if (n["state"] == "down") session.reset();
      continue;
    }
    if (is_packets(j)) {
      EXPECT_EQ(n.contains("negotiated"), session.has_value()) << lines[i];
      if (session && n.contains("negotiated")) {
        EXPECT_EQ(n["negotiated"], *session);
        ++packets_after;
      }
    } else if (j["type"] == "update") {
      ++updates;
      ASSERT_TRUE(session) << "an UPDATE before the session is up: " << lines[i];
      EXPECT_EQ(n["negotiated"], *session) << lines[i];
      std::vector<std::string> keys;
      for (const auto& [key, value] : n.items()) keys.push_back(key);
      EXPECT_EQ(keys, (std::vector<std::string>{"address", "asn", "router-id", "direction",
                                                "message", "negotiated"}));
    } else {
      EXPECT_FALSE(n.contains("negotiated")) << "only UPDATEs carry it parsed: " << lines[i];
    }
  }
  EXPECT_EQ(ups, 2u) << "up, torn down, up again";
  EXPECT_EQ(negotiated_lines, ups);
  EXPECT_GE(updates, 2u);
  EXPECT_GE(packets_after, 2u);
  for (const auto& line : w.lines["text"])
    EXPECT_EQ(line.find("negotiated"), std::string::npos) << line;

  // Without `negotiated;` nothing carries it.
  World plain(with_sets(every_kind(true, true, false), {}),
              {apitest::route("10.40.0.0/24", "10.0.0.2")}, {}, refresh());
  exchange(plain);
  for (const auto& line : plain.lines["json"])
    EXPECT_EQ(line.find("negotiated"), std::string::npos) << line;
}

}  // namespace
}  // namespace bgpsim
