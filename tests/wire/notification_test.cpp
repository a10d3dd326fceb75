// NOTIFICATION and ROUTE-REFRESH bodies: (bytes, value, JSON) both ways,
// shutdown communications (RFC 8203/9003), hard reset (RFC 8538), route
// refresh subtypes (RFC 7313) and the errors each malformed body implies.
// Byte strings come from tcpdump's BGP captures.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "speaker/wire/bodies.hpp"
#include "speaker/wire/json.hpp"
#include "speaker/wire/message.hpp"
#include "speaker/wire/utf8.hpp"
#include "tests/wire/gen_open.hpp"

namespace bgpsim::wire {
namespace {

Bytes hex(std::string_view h) { return *parse_hex(h); }

Bytes text_bytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

Bytes operator+(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

Result<Notification> notification_of(const Bytes& body) {
  return decode_notification(Reader(body, header_size));
}
Result<RouteRefresh> refresh_of(const Bytes& body) {
  return decode_route_refresh(Reader(body, header_size));
}

Bytes encode(const Notification& n) {
  Bytes out;
  Writer w(out);
  encode_notification_body(n, w);
  return out;
}
Bytes encode(const RouteRefresh& r) {
  Bytes out;
  Writer w(out);
  encode_route_refresh_body(r, w);
  return out;
}

// --- Names -------------------------------------------------------------------

TEST(NotifyNames, CodesAndSubcodes) {
  EXPECT_EQ(notify_code_name(1), "Message Header Error");
  EXPECT_EQ(notify_code_name(2), "OPEN Message Error");
  EXPECT_EQ(notify_code_name(5), "Finite State Machine Error");
  EXPECT_EQ(notify_code_name(6), "Cease");
  EXPECT_EQ(notify_code_name(7), "ROUTE-REFRESH Message Error");
  EXPECT_EQ(notify_code_name(200), "Unknown Error");
  EXPECT_EQ(notify_subcode_name(1, header_error::bad_message_type), "Bad Message Type");
  EXPECT_EQ(notify_subcode_name(2, open_error::unsupported_capability), "Unsupported Capability");
  EXPECT_EQ(notify_subcode_name(2, open_error::role_mismatch), "Role Mismatch");
  EXPECT_EQ(notify_subcode_name(2, open_error::unacceptable_hold_time), "Unacceptable Hold Time");
  EXPECT_EQ(notify_subcode_name(3, update_error::malformed_as_path), "Malformed AS_PATH");
  EXPECT_EQ(notify_subcode_name(5, fsm_error::unexpected_in_openconfirm),
            "Receive Unexpected Message in OpenConfirm State");
  EXPECT_EQ(notify_subcode_name(6, cease::administrative_shutdown), "Administrative Shutdown");
  EXPECT_EQ(notify_subcode_name(6, cease::hard_reset), "Hard Reset");
  EXPECT_EQ(notify_subcode_name(6, cease::bfd_down), "BFD Down");
  EXPECT_EQ(notify_subcode_name(7, route_refresh_error::invalid_message_length),
            "Invalid Message Length");
  EXPECT_EQ(notify_subcode_name(4, 0), "Unspecific");
  EXPECT_EQ(notify_subcode_name(2, 0), "Unspecific");
  EXPECT_EQ(notify_subcode_name(3, 99), "Unknown Subcode");
}

TEST(NotifyNames, ErrorActions) {
  EXPECT_EQ(to_string(ErrorAction::attribute_discard), "attribute-discard");
  EXPECT_EQ(to_string(ErrorAction::treat_as_withdraw), "treat-as-withdraw");
  EXPECT_EQ(to_string(ErrorAction::afi_safi_disable), "afi-safi-disable");
  EXPECT_EQ(to_string(ErrorAction::session_reset), "session-reset");
}

// --- NOTIFICATION ------------------------------------------------------------

struct NotificationCase {
  const char* name;
  Bytes body;
  Notification value;
  const char* json;
};

const std::string shutdown_text = "This is a test of the shutdown communication system.";
const std::string ticket = "[TICKET-1-1438367390] software upgrade; Expected downtime for 2 hours;";

std::vector<NotificationCase> notification_cases() {
  return {
      {"cease, other configuration change",
       hex("0606"),
       {6, 6, {}},
       R"({"code":6,"subcode":6,"data":"0x","message":""})"},
      {"cease, BFD down",
       hex("060A"),
       {6, 10, {}},
       R"({"code":6,"subcode":10,"data":"0x","message":""})"},
      {"hard reset of peer de-configured",
       hex("06090603"),
       {6, 9, hex("0603")},
       R"({"code":6,"subcode":9,"data":"0x0603","message":"0x0603"})"},
      {"text data",
       hex("0300") + text_bytes("oops"),
       {3, 0, text_bytes("oops")},
       R"({"code":3,"subcode":0,"data":"0x6F6F7073","message":"oops"})"},
      {"shutdown communication",
       hex("060234") + text_bytes(shutdown_text),
       {6, 2, hex("34") + text_bytes(shutdown_text)},
       R"({"code":6,"subcode":2,"data":"0x345468697320697320612074657374206F66207468652073687574646F776E20636F6D6D756E69636174696F6E2073797374656D2E",
           "message":"Shutdown Communication: \"This is a test of the shutdown communication system.\""})"},
      {"shutdown with trailing data",
       hex("06040A") + text_bytes("0123456789ExtraData"),
       {6, 4, hex("0A") + text_bytes("0123456789ExtraData")},
       R"({"code":6,"subcode":4,"data":"0x0A30313233343536373839457874726144617461",
           "message":"Shutdown Communication: \"0123456789\", trailing data: 0x457874726144617461"})"},
      {"empty shutdown communication",
       hex("060400"),
       {6, 4, hex("00")},
       R"({"code":6,"subcode":4,"data":"0x00","message":"empty Shutdown Communication."})"},
      {"shutdown length overruns",
       hex("060440") + text_bytes("0123456789"),
       {6, 4, hex("40") + text_bytes("0123456789")},
       R"({"code":6,"subcode":4,"data":"0x4030313233343536373839",
           "message":"invalid Shutdown Communication (buffer underrun) length : 64 [0x30313233343536373839]"})"},
      {"shutdown without communication",
       hex("0602"),
       {6, 2, {}},
       R"({"code":6,"subcode":2,"data":"0x","message":""})"},
  };
}

TEST(Notification, BytesAndValuesBothWays) {
  for (const auto& c : notification_cases()) {
    SCOPED_TRACE(c.name);
    auto decoded = notification_of(c.body);
    ASSERT_TRUE(decoded) << decoded.error().reason;
    EXPECT_EQ(*decoded, c.value);
    EXPECT_EQ(encode(c.value), c.body);
    EXPECT_EQ(notification_to_json(c.value), Json::parse(c.json)) << notification_to_json(c.value);
  }
}

TEST(Notification, ShutdownCommunication) {
  auto n = *notification_of(hex("060234") + text_bytes(shutdown_text));
  EXPECT_EQ(n.shutdown_communication(), shutdown_text);
  // Trailing bytes after the communication do not hide it.
  EXPECT_EQ(
      notification_of(hex("06040A") + text_bytes("0123456789ExtraData"))->shutdown_communication(),
      "0123456789");
  EXPECT_EQ(notification_of(hex("060400"))->shutdown_communication(), "");
  EXPECT_EQ(notification_of(hex("0602"))->shutdown_communication(), std::nullopt);
  EXPECT_EQ(notification_of(hex("060440") + text_bytes("0123456789"))->shutdown_communication(),
            std::nullopt)
      << "length overruns the data";
  EXPECT_EQ(notification_of(hex("060202C328"))->shutdown_communication(), std::nullopt)
      << "not UTF-8";
  EXPECT_EQ(notification_of(hex("060302") + text_bytes("hi"))->shutdown_communication(),
            std::nullopt)
      << "subcode 3 carries no communication";
}

// RFC 9003 raised the limit from 128 to 255 bytes: a 210-byte communication
// (tcpdump's bgp-extended-shutdown-msg capture).
TEST(Notification, LongShutdownCommunication) {
  const std::string text = ticket + ticket + ticket;
  ASSERT_EQ(text.size(), 210u);
  Bytes body = hex("0602D2") + text_bytes(text);
  auto decoded = notification_of(body);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->shutdown_communication(), text);
  EXPECT_EQ(Notification::make_shutdown(cease::administrative_shutdown, text), *decoded);
  EXPECT_EQ(encode(*decoded), body);
}

TEST(Notification, MakeShutdownCutsAt255BytesOnACharacterBoundary) {
  auto ascii = Notification::make_shutdown(cease::administrative_reset, std::string(300, 'a'));
  EXPECT_EQ(ascii.code, 6);
  EXPECT_EQ(ascii.subcode, cease::administrative_reset);
  ASSERT_EQ(ascii.data.size(), 256u);
  EXPECT_EQ(ascii.data[0], 255);
  EXPECT_EQ(ascii.shutdown_communication(), std::string(255, 'a'));

  std::string accents;
  for (int i = 0; i < 200; ++i) accents += "\xC3\xA9";  // U+00E9, two bytes
  auto cut = Notification::make_shutdown(cease::administrative_shutdown, accents);
  EXPECT_EQ(cut.data[0], 254) << "255 would split a character";
  EXPECT_EQ(cut.shutdown_communication(), accents.substr(0, 254));

  auto empty = Notification::make_shutdown(cease::administrative_shutdown, "");
  EXPECT_EQ(empty.data, hex("00"));
}

TEST(Notification, HardResetCarriesTheInnerNotification) {
  auto n = *notification_of(hex("06090603"));
  EXPECT_EQ(n.hard_reset_inner(), (Notification{6, 3, {}}));
  auto with_data = *notification_of(hex("0609 0304 AABB"));
  EXPECT_EQ(with_data.hard_reset_inner(), (Notification{3, 4, hex("AABB")}));
  EXPECT_EQ(notification_of(hex("060906"))->hard_reset_inner(), std::nullopt) << "too short";
  EXPECT_EQ(notification_of(hex("06060603"))->hard_reset_inner(), std::nullopt) << "not 6/9";
}

TEST(Notification, ShortBodyIsBadMessageLength) {
  for (const char* body : {"", "06"}) {
    auto decoded = notification_of(hex(body));
    ASSERT_FALSE(decoded) << body;
    EXPECT_EQ(decoded.error().code, 1);
    EXPECT_EQ(decoded.error().subcode, header_error::bad_message_length);
    EXPECT_EQ(decoded.error().offset, 16u);
    EXPECT_EQ(decoded.error().data.size(), 2u);
    EXPECT_EQ(decoded.error().data[1], header_size + std::string_view(body).size() / 2);
  }
}

// --- ROUTE-REFRESH -----------------------------------------------------------

struct RefreshCase {
  const char* name;
  const char* body;
  RouteRefresh value;
  const char* json;
};

TEST(RouteRefresh, BytesAndValuesBothWays) {
  const std::vector<RefreshCase> cases{
      {"request",
       "0001 00 01",
       {ipv4_unicast, RouteRefresh::request},
       R"({"afi":"ipv4","safi":"unicast","subtype":"query"})"},
      {"begin of route refresh",
       "0001 01 01",
       {ipv4_unicast, RouteRefresh::begin_of_rib},
       R"({"afi":"ipv4","safi":"unicast","subtype":"begin"})"},
      {"end of route refresh",
       "0001 02 01",
       {ipv4_unicast, RouteRefresh::end_of_rib},
       R"({"afi":"ipv4","safi":"unicast","subtype":"end"})"},
      {"ipv6 flow request",
       "0002 00 85",
       {Family(Afi::ipv6, Safi::flow), RouteRefresh::request},
       R"({"afi":"ipv6","safi":"flow","subtype":"query"})"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Bytes body = hex(c.body);
    auto decoded = refresh_of(body);
    ASSERT_TRUE(decoded) << decoded.error().reason;
    EXPECT_EQ(*decoded, c.value);
    EXPECT_EQ(encode(c.value), body);
    EXPECT_EQ(route_refresh_to_json(c.value), Json::parse(c.json));
  }
}

TEST(RouteRefresh, WrongLengthIsInvalidMessageLengthWithTheWholeMessage) {
  for (const char* body : {"", "0001", "000100", "0001000100"}) {
    SCOPED_TRACE(body);
    Bytes b = hex(body);
    auto decoded = refresh_of(b);
    ASSERT_FALSE(decoded);
    EXPECT_EQ(decoded.error().code, 7);
    EXPECT_EQ(decoded.error().subcode, route_refresh_error::invalid_message_length);
    EXPECT_EQ(decoded.error().offset, 16u);
    // RFC 7313 5: the data is the complete ROUTE-REFRESH message.
    Bytes message(16, 0xFF);
    message.push_back(0);
    message.push_back(static_cast<std::uint8_t>(header_size + b.size()));
    message.push_back(5);
    message.insert(message.end(), b.begin(), b.end());
    EXPECT_EQ(decoded.error().data, message);
  }
}

// RFC 4271 6.1 sets no minimum length for ROUTE-REFRESH: a whole message of
// 19 to 22 bytes passes the header check and is RFC 7313 5's 7/1.
TEST(RouteRefresh, ShortMessageIsInvalidMessageLengthNotBadHeader) {
  for (std::size_t body = 0; body < 4; ++body) {
    SCOPED_TRACE(body);
    Bytes m(16, 0xFF);
    m.push_back(0);
    m.push_back(static_cast<std::uint8_t>(header_size + body));
    m.push_back(5);
    m.insert(m.end(), body, 1);
    auto frame = next_frame(m, {});
    ASSERT_TRUE(frame && *frame);
    auto decoded = decode_message(m, {});
    ASSERT_FALSE(decoded);
    EXPECT_EQ(decoded.error().code, 7);
    EXPECT_EQ(decoded.error().subcode, route_refresh_error::invalid_message_length);
  }
}

TEST(RouteRefresh, UnknownSubtypeIsIgnoredNotAnError) {
  auto decoded = refresh_of(hex("0001 03 01"));
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error().code, 0) << "code 0: drop the message, send no NOTIFICATION";
  EXPECT_EQ(decoded.error().offset, 21u);
}

// --- Properties --------------------------------------------------------------

RC_GTEST_PROP(NotificationProperties, NotificationRoundTrips, ()) {
  auto n = *gen::notification();
  auto decoded = notification_of(encode(n));
  RC_ASSERT(decoded.ok());
  RC_ASSERT(*decoded == n);
  RC_ASSERT(!notification_to_json(n).dump().empty());
}

RC_GTEST_PROP(NotificationProperties, RouteRefreshRoundTrips, ()) {
  auto r = *gen::route_refresh();
  auto decoded = refresh_of(encode(r));
  RC_ASSERT(decoded.ok());
  RC_ASSERT(*decoded == r);
  RC_ASSERT(!route_refresh_to_json(r).dump().empty());
}

RC_GTEST_PROP(NotificationProperties, ShutdownTextRoundTrips, (const std::string& text)) {
  auto n = Notification::make_shutdown(cease::administrative_shutdown, text);
  RC_ASSERT(n.data.size() <= 256u);
  RC_ASSERT(!notification_to_json(n).dump().empty());
  if (text.size() <= 255 && valid_utf8(text)) RC_ASSERT(n.shutdown_communication() == text);
}

RC_GTEST_PROP(NotificationProperties, ArbitraryBodiesNeverCrash, (const Bytes& body)) {
  auto n = notification_of(body);
  if (n) {
    RC_ASSERT(!notification_to_json(*n).dump().empty());
    n->shutdown_communication();
    n->hard_reset_inner();
  }
  auto r = refresh_of(body);
  if (r) RC_ASSERT(!route_refresh_to_json(*r).dump().empty());
}

}  // namespace
}  // namespace bgpsim::wire
