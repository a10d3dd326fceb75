// The test peer's script (qa/peer/script.hpp): reading .ci options and
// groups, the OPEN echo, End-of-RIB recognition and the group matching.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "qa/peer/script.hpp"
#include "qa/peer/test_peer.hpp"
#include "speaker/runtime/asio_runtime.hpp"

using namespace bgpsim::qa;

// The peer runs on real sockets too: every member compiles for AsioRuntime.
template class bgpsim::qa::TestPeer<bgpsim::runtime::AsioRuntime>;

namespace {

Bytes hex(std::string_view text) {
  Bytes out;
  std::string digits;
  for (char c : text)
    if (c != ':' && c != ' ') digits.push_back(c);
  for (std::size_t i = 0; i + 1 < digits.size(); i += 2)
    out.push_back(static_cast<std::uint8_t>(std::stoi(digits.substr(i, 2), nullptr, 16)));
  return out;
}

// OPEN: AS 65533, hold 180, id 10.0.0.2, capabilities MP ipv4/unicast,
// 4-octet AS 65533, each in its own parameter.
const Bytes kOpen =
    hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:002D:01:04FFFD00B40A000002"
        "10:0206010400010001:02064104 0000FFFD");

CiFile ci(const std::string& text) {
  static int counter = 0;
  const auto path =
      std::filesystem::temp_directory_path() /
      ("bgpsim_peer_" + std::to_string(::getpid()) + "_" + std::to_string(++counter) + ".ci");
  std::ofstream(path) << text;
  auto parsed = read_ci_file(path);
  std::filesystem::remove(path);
  return std::get<CiFile>(parsed);
}

PeerScript script(const std::string& text) { return std::get<PeerScript>(peer_script(ci(text))); }

const std::string kUpdate1 =
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:001B:02:0000000418 0A0000";  // fake but framed
const std::string kUpdate2 = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:001B:02:0000000418 0B0000";
const std::string kUpdate3 = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:001B:02:0000000418 0C0000";
const std::string kEor = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:0017:02:00000000";

}  // namespace

TEST(PeerScript, ReadsEveryOption) {
  auto s = script(
      "option:file:x.conf\noption:asn:65000\noption:bind:ipv6\n"
      "option:open:send-unknown-capability\noption:open:inspect-open-message\n"
      "option:open:send-unknown-message\noption:update:send-default-route\n"
      "option:tcp_connections:2\noption:timeout:7\n1:raw:" +
      kEor + "\n");
  EXPECT_EQ(s.options.asn, 65000);
  EXPECT_TRUE(s.options.ipv6);
  EXPECT_TRUE(s.options.send_unknown_capability);
  EXPECT_TRUE(s.options.inspect_open);
  EXPECT_TRUE(s.options.send_unknown_message);
  EXPECT_TRUE(s.options.send_default_route);
  EXPECT_EQ(s.options.tcp_connections, 2);
  EXPECT_EQ(s.options.timeout_s, 7);
}

TEST(PeerScript, RefusesWhatItCannotHonour) {
  EXPECT_TRUE(std::holds_alternative<CiError>(peer_script(ci("option:asn:70000\n"))));
  EXPECT_TRUE(std::holds_alternative<CiError>(peer_script(ci("option:open:frobnicate\n"))));
  auto e = peer_script(ci("option:file:x.conf\n1:raw:FFFF:zz\n"));
  ASSERT_TRUE(std::holds_alternative<CiError>(e));
  EXPECT_NE(std::get<CiError>(e).where.find(":2"), std::string::npos);  // names the line
}

TEST(PeerScript, GroupsSortByLetterThenNumber) {
  auto s = script("10:raw:" + kUpdate1 + "\n2:raw:" + kUpdate2 + "\nB1:raw:" + kUpdate3 +
                  "\n2:notification:bye\nA3:raw:" + kEor + "\n1:cmd:ignored\n");
  ASSERT_EQ(s.groups.size(), 4u);
  EXPECT_EQ(s.groups[0].name, "A2");
  EXPECT_EQ(s.groups[1].name, "A3");
  EXPECT_EQ(s.groups[2].name, "A10");  // numeric, not textual, order
  EXPECT_EQ(s.groups[3].name, "B1");
  ASSERT_EQ(s.groups[0].lines.size(), 2u);
  EXPECT_EQ(s.groups[0].lines[1].kind, Expected::notification);
  EXPECT_EQ(s.groups[0].lines[1].text, "bye");
}

TEST(EchoOpen, RouterIdLastBytePlusOne) {
  auto reply = echo_open(kOpen, {});
  ASSERT_TRUE(reply);
  Bytes want = kOpen;
  want[19 + 8] = 0x03;
  EXPECT_EQ(*reply, want);
  // 255 wraps to 0, as in ExaBGP's peer.
  Bytes high = kOpen;
  high[19 + 8] = 0xFF;
  EXPECT_EQ((*echo_open(high, {}))[19 + 8], 0x00);
}

TEST(EchoOpen, AsnRewritesMyAsAndTheFourOctetCapabilityAndKeepsTheId) {
  PeerOptions o;
  o.asn = 65000;
  auto reply = echo_open(kOpen, o);
  ASSERT_TRUE(reply);
  EXPECT_EQ((*reply)[20], 0xFD);
  EXPECT_EQ((*reply)[21], 0xE8);
  EXPECT_EQ((*reply)[19 + 8], 0x02);  // identifier unchanged
  const Bytes tail(reply->end() - 4, reply->end());
  EXPECT_EQ(tail, (Bytes{0x00, 0x00, 0xFD, 0xE8}));
  EXPECT_EQ(reply->size(), kOpen.size());
}

TEST(EchoOpen, UnknownCapabilityIsAppendedWithLengthsFixed) {
  PeerOptions o;
  o.send_unknown_capability = true;
  auto reply = echo_open(kOpen, o);
  ASSERT_TRUE(reply);
  ASSERT_EQ(reply->size(), kOpen.size() + 14);
  EXPECT_EQ((*reply)[17], kOpen[17] + 14);    // message length
  EXPECT_EQ((*reply)[28], kOpen[28] + 14);    // optional parameters length
  EXPECT_EQ((*reply)[kOpen.size()], 2);       // a capabilities parameter
  EXPECT_EQ((*reply)[kOpen.size() + 2], 66);  // capability 66
  EXPECT_EQ((*reply)[kOpen.size() + 3], 10);  // ten bytes
  EXPECT_EQ(std::string(reply->end() - 10, reply->end()), "loremipsum");
}

TEST(EchoOpen, RefusesWhatIsNotAnOpen) {
  EXPECT_FALSE(echo_open(hex(kEor), {}));
  EXPECT_FALSE(echo_open(Bytes(20, 0xFF), {}));
}

TEST(Messages, EndOfRibInEveryForm) {
  EXPECT_TRUE(is_end_of_rib(hex(kEor)));
  EXPECT_TRUE(
      is_end_of_rib(hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:001E:02:00000007900F0003:00020 1")));
  EXPECT_TRUE(is_end_of_rib(hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:001D:02:00000006800F03:000201")));
  EXPECT_FALSE(is_end_of_rib(hex(kUpdate1)));
  EXPECT_FALSE(is_end_of_rib(keepalive_message()));
  // MP_UNREACH with NLRI is a withdrawal, not an End-of-RIB.
  EXPECT_FALSE(is_end_of_rib(
      hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:0020:02:00000009800F06:00010118 0A0000")));
}

TEST(Messages, ActionMessagesAreFramed) {
  const Bytes cease = cease_message("bye");
  EXPECT_EQ(cease.size(), 19u + 2 + 3);
  EXPECT_EQ(cease[17], cease.size());
  EXPECT_EQ(cease[18], 3);
  EXPECT_EQ(cease[19], 6);
  const Bytes route = default_route_message();
  EXPECT_EQ(route[17], route.size());
  EXPECT_EQ(route[18], 2);
  EXPECT_EQ(unknown_type_message()[18], 255);
}

TEST(Checker, FreeOrderInsideAGroupStrictAcross) {
  Checker c(script("1:raw:" + kUpdate1 + "\n1:raw:" + kUpdate2 + "\n2:raw:" + kUpdate3 + "\n"));
  EXPECT_TRUE(c.advance().empty());
  EXPECT_EQ(c.group_name(), "A1");
  EXPECT_EQ(c.receive(keepalive_message()), Checker::Verdict::ignored);
  EXPECT_EQ(c.receive(hex(kUpdate3)), Checker::Verdict::unexpected);  // group 2 is not open
  EXPECT_EQ(c.receive(hex(kUpdate2)), Checker::Verdict::matched);
  c.advance();
  EXPECT_EQ(c.receive(hex(kUpdate1)), Checker::Verdict::matched);
  c.advance();
  EXPECT_EQ(c.group_name(), "A2");
  EXPECT_FALSE(c.completed());
  EXPECT_EQ(c.receive(hex(kUpdate3)), Checker::Verdict::matched);
  c.advance();
  EXPECT_TRUE(c.completed());
  // After the last group: End-of-RIB only.
  EXPECT_EQ(c.receive(hex(kEor)), Checker::Verdict::ignored);
  EXPECT_EQ(c.receive(hex(kUpdate1)), Checker::Verdict::unexpected);
}

TEST(Checker, EndOfRibInsideGroupsMustBeListed) {
  Checker c(script("1:raw:" + kUpdate1 + "\n"));
  c.advance();
  EXPECT_EQ(c.receive(hex(kEor)), Checker::Verdict::unexpected);
}

TEST(Checker, ActionsRunWhenTheyReachTheFront) {
  Checker c(script("1:notification:first\n1:raw:" + kUpdate1 +
                   "\n1:notification:after\n2:signal:SIGUSR1\n2:raw:" + kUpdate2 + "\n"));
  auto a = c.advance();
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].kind, Expected::notification);
  EXPECT_EQ(a[0].text, "first");
  EXPECT_EQ(c.receive(hex(kUpdate1)), Checker::Verdict::matched);
  a = c.advance();
  ASSERT_EQ(a.size(), 2u);  // "after", then group 2 opens with its signal
  EXPECT_EQ(a[0].text, "after");
  EXPECT_EQ(a[1].kind, Expected::signal);
  EXPECT_EQ(a[1].text, "SIGUSR1");
  EXPECT_EQ(c.group_name(), "A2");
}

// send:HEX (our extension) is an action: any bytes, even no valid message,
// written when the line reaches the front of its group.
TEST(Checker, SendLinesCarryTheirBytesAsActions) {
  Checker c(script("1:raw:" + kUpdate1 + "\n2:send:FEFF:0012\n2:raw:" + kUpdate2 + "\n"));
  EXPECT_TRUE(c.advance().empty());
  EXPECT_EQ(c.receive(hex(kUpdate1)), Checker::Verdict::matched);
  const auto a = c.advance();
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].kind, Expected::send);
  EXPECT_EQ(a[0].bytes, (Bytes{0xFE, 0xFF, 0x00, 0x12}));
  EXPECT_EQ(c.remaining().size(), 1u);  // the raw line after it
  auto bad = peer_script(ci("option:file:x.conf\n1:send:F\n"));
  ASSERT_TRUE(std::holds_alternative<CiError>(bad));
  EXPECT_NE(std::get<CiError>(bad).where.find(":2"), std::string::npos);
}
