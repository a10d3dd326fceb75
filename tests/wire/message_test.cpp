// Framing, UPDATE structure, NLRI and End-of-RIB: (bytes, value) pairs both
// ways, and the NOTIFICATION each malformed frame implies.
#include <gtest/gtest.h>

#include "speaker/wire/json.hpp"
#include "speaker/wire/message.hpp"

namespace bgpsim::wire {
namespace {

Bytes hex(std::string_view h) { return *parse_hex(h); }
const std::string marker = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF";

Nlri prefix(std::string_view text, std::optional<std::uint32_t> path_id = {}) {
  return Nlri{*IpPrefix::parse(text), path_id};
}

TEST(Framing, NeedsMoreBytesUntilTheWholeMessageArrives) {
  DecodeContext ctx;
  Bytes eor = hex(marker + "0017" + "02" + "00000000");
  for (std::size_t n = 0; n < eor.size(); ++n)
    EXPECT_FALSE(next_frame(ByteView(eor.data(), n), ctx).has_value()) << n;
  auto frame = next_frame(eor, ctx);
  ASSERT_TRUE(frame && *frame);
  EXPECT_EQ((*frame)->length, 23u);
  EXPECT_EQ((*frame)->type, 2);
}

TEST(Framing, BadMarkerIsConnectionNotSynchronized) {
  auto frame = next_frame(hex("FFFFFF00"), DecodeContext{});
  ASSERT_TRUE(frame && !*frame);
  EXPECT_EQ(frame->error().code, 1);
  EXPECT_EQ(frame->error().subcode, header_error::connection_not_synchronized);
  EXPECT_EQ(frame->error().offset, 3u);
}

TEST(Framing, LengthsOutsideTheLimitsAreBadMessageLength) {
  DecodeContext ctx;
  for (const char* length : {"0012", "1001", "FFFF"}) {
    auto frame = next_frame(hex(marker + length + "02"), ctx);
    ASSERT_TRUE(frame && !*frame) << length;
    EXPECT_EQ(frame->error().subcode, header_error::bad_message_length);
    EXPECT_EQ(frame->error().data, hex(length)) << "data is the erroneous length";
  }
  // RFC 8654: with extended messages an UPDATE may reach 65535 bytes...
  ctx.extended_message = true;
  Bytes big = hex(marker + "FFFF02");
  EXPECT_FALSE(next_frame(big, ctx).has_value()) << "valid, waiting for the body";
  // ...but a KEEPALIVE or OPEN never exceeds 4096, and a KEEPALIVE is 19 bytes.
  auto open = next_frame(hex(marker + "1001" + "01"), ctx);
  ASSERT_TRUE(open && !*open);
  auto keepalive = next_frame(hex(marker + "0014" + "04"), ctx);
  ASSERT_TRUE(keepalive && !*keepalive);
  EXPECT_EQ(keepalive->error().subcode, header_error::bad_message_length);
}

TEST(Framing, UnknownTypeIsBadMessageType) {
  auto frame = next_frame(hex(marker + "0013" + "FF"), DecodeContext{});
  ASSERT_TRUE(frame && !*frame);
  EXPECT_EQ(frame->error().subcode, header_error::bad_message_type);
  EXPECT_EQ(frame->error().data, Bytes{0xFF});
  EXPECT_EQ(frame->error().offset, 18u);
}

TEST(Framing, UnknownTypeAsExabgpAnswersIt) {
  // ExaBGP's encoding/unknown-message.ci expects NOTIFICATION 1/0 with this
  // text as data; CodecContext::exabgp_compat asks for it.
  DecodeContext ctx;
  ctx.exabgp_compat = true;
  auto frame = next_frame(hex(marker + "0013" + "FF"), ctx);
  ASSERT_TRUE(frame && !*frame);
  EXPECT_EQ(frame->error().code, 1);
  EXPECT_EQ(frame->error().subcode, 0);
  const std::string text = "can not decode update message of type \"255\"";
  EXPECT_EQ(frame->error().data, Bytes(text.begin(), text.end()));
}

TEST(Keepalive, RoundTrips) {
  Bytes bytes = hex(marker + "001304");
  auto m = decode_message(bytes, DecodeContext{});
  ASSERT_TRUE(m);
  EXPECT_TRUE(std::holds_alternative<Keepalive>(*m));
  EXPECT_EQ(encode_message(*m, EncodeContext{}), bytes);
}

TEST(Update, Ipv4UnicastFromExabgpSuiteBothWays) {
  // origin igp, as-path empty, next-hop 10.0.255.254, local-pref 100,
  // community 30740:30740, NLRI 10.0.2.0/24 10.0.6.0/24
  Bytes bytes = hex(marker +
                    "003B02"
                    "0000001C400101004002004003040A00FFFE40050400000064C0080478147814"
                    "180A0002180A0006");
  Update expected;
  expected.attributes.origin = Origin::igp;
  expected.attributes.as_path = AsPath{};
  expected.attributes.next_hop = IpAddress::parse("10.0.255.254");
  expected.attributes.local_pref = 100;
  expected.attributes.communities = std::vector<std::uint32_t>{0x78147814};
  expected.nlri = {prefix("10.0.2.0/24"), prefix("10.0.6.0/24")};
  auto m = decode_message(bytes, DecodeContext{});
  ASSERT_TRUE(m) << m.error().reason;
  EXPECT_EQ(std::get<Update>(*m), expected);
  EXPECT_EQ(encode_message(Message(expected), EncodeContext{}), bytes);
}

TEST(Update, WithdrawnAndAddPathIdentifiers) {
  DecodeContext ctx;
  ctx.add_path.insert(ipv4_unicast);
  Bytes bytes = hex(marker + "0020" + "02" + "0009" + "00000001" + "200A000001" + "0000");
  auto m = decode_message(bytes, ctx);
  ASSERT_TRUE(m) << m.error().reason;
  Update expected;
  expected.withdrawn = {prefix("10.0.0.1/32", 1)};
  EXPECT_EQ(std::get<Update>(*m), expected);
  EXPECT_EQ(encode_message(Message(expected), ctx), bytes);
  // Without add-path negotiated the same bytes are a malformed NLRI: the first
  // "prefix" has length 0, then length 0, 0, 1 ... 0x20 then runs past the end.
  auto plain = decode_message(bytes, DecodeContext{});
  ASSERT_FALSE(plain);
  EXPECT_EQ(plain.error().code, 3);
  EXPECT_EQ(plain.error().subcode, update_error::invalid_network_field);
}

TEST(Update, TrailingPrefixBitsAreCleared) {
  Bytes bytes = hex(marker + "001C02" + "0000" + "0000" + "180A0002FF");
  // 0x18 = /24 takes three bytes; the FF is a second prefix of length 255: invalid.
  auto bad = decode_message(bytes, DecodeContext{});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().offset, 27u);
  Bytes ok = hex(marker + "001B02" + "0000" + "0000" + "170A0003");
  auto m = decode_message(ok, DecodeContext{});
  ASSERT_TRUE(m) << m.error().reason;
  EXPECT_EQ(std::get<Update>(*m).nlri.at(0).prefix.to_string(), "10.0.2.0/23");
}

TEST(Update, PrefixLongerThanTheFamilyAllows) {
  auto m =
      decode_message(hex(marker + "001C02" + "0000" + "0000" + "21" + "0A000001"), DecodeContext{});
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().subcode, update_error::invalid_network_field);
  EXPECT_EQ(m.error().offset, 23u);
}

TEST(Update, LengthsThatOverrunAreMalformedAttributeList) {
  auto withdrawn = decode_message(hex(marker + "001702" + "0005" + "0000"), DecodeContext{});
  ASSERT_FALSE(withdrawn);
  EXPECT_EQ(withdrawn.error().subcode, update_error::malformed_attribute_list);
  auto attributes = decode_message(hex(marker + "001702" + "0000" + "0001"), DecodeContext{});
  ASSERT_FALSE(attributes);
  EXPECT_EQ(attributes.error().subcode, update_error::malformed_attribute_list);
  EXPECT_EQ(attributes.error().offset, 21u);
  // Withdrawn routes that leave no room for the Total Attribute Length field:
  // the Withdrawn Routes Length is the field in error (found by the
  // headered-random-messages property).
  auto no_room = decode_message(hex(marker + "001B02" + "0006" + "000000000000"), DecodeContext{});
  ASSERT_FALSE(no_room);
  EXPECT_EQ(no_room.error().subcode, update_error::malformed_attribute_list);
  EXPECT_EQ(no_room.error().offset, 19u);
}

TEST(Message, FewerBytesThanTheLengthFieldSaysIsABadLengthAtTheField) {
  // RFC 4271 6.1: Bad Message Length, the data is the Length field.
  auto m = decode_message(hex(marker + "001D01" + "0000000000"), DecodeContext{});
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, 1);
  EXPECT_EQ(m.error().subcode, header_error::bad_message_length);
  EXPECT_EQ(m.error().offset, 16u);
  EXPECT_EQ(m.error().data, hex("001D"));
}

TEST(EndOfRib, EveryFamilyRoundTrips) {
  for (Family f : {ipv4_unicast, ipv4_multicast, ipv6_unicast, ipv6_multicast,
                   Family(Afi::ipv4, Safi::flow), Family(Afi::l2vpn, Safi::evpn)}) {
    Update eor = Update::make_end_of_rib(f);
    Bytes bytes = encode_message(Message(eor), EncodeContext{});
    auto m = decode_message(bytes, DecodeContext{});
    ASSERT_TRUE(m) << f.to_string() << ": " << m.error().reason;
    EXPECT_EQ(std::get<Update>(*m).end_of_rib(), f) << f.to_string();
    EXPECT_EQ(std::get<Update>(*m), eor);
  }
  EXPECT_EQ(encode_message(Message(Update::make_end_of_rib(ipv4_unicast)), EncodeContext{}),
            hex(marker + "001702" + "00000000"));
  EXPECT_EQ(encode_message(Message(Update::make_end_of_rib(ipv6_unicast)), EncodeContext{}),
            hex(marker + "001E02" + "0000" + "0007" + "900F0003" + "000201"));
}

TEST(EndOfRib, JsonNamesTheFamily) {
  Json j = update_to_json(Update::make_end_of_rib(ipv6_unicast), DecodeContext{});
  EXPECT_EQ(j.dump(), R"({"eor":{"afi":"ipv6","safi":"unicast"}})");
}

TEST(Update, Ipv6UnicastMpReach) {
  // From the ExaBGP suite: MP_REACH ipv6 unicast, next hop 2001::1 (16 bytes)
  Bytes bytes = hex(marker +
                    "005902"
                    "0000004240010100400200400504000000C8C008087814000078147814800E2600020110"
                    "2A020B80000000020000000000000001"
                    "00802A020B80000000010000000000000001");
  auto m = decode_message(bytes, DecodeContext{});
  ASSERT_TRUE(m) << m.error().reason;
  const auto& u = std::get<Update>(*m);
  ASSERT_TRUE(u.attributes.mp_reach);
  EXPECT_EQ(u.attributes.mp_reach->family, ipv6_unicast);
  ASSERT_EQ(u.attributes.mp_reach->nlri.size(), 1u);
  EXPECT_EQ(u.attributes.mp_reach->nlri[0].prefix.to_string(), "2a02:b80:0:1::1/128");
  EXPECT_EQ(encode_message(*m, EncodeContext{}), bytes);
  Json j = update_to_json(u, DecodeContext{});
  EXPECT_EQ(j["update"]["announce"]["ipv6 unicast"]["2a02:b80:0:2::1"][0]["nlri"],
            "2a02:b80:0:1::1/128");
}

TEST(Update, TruncatedMessagesNeverDecode) {
  Bytes bytes = hex(marker +
                    "003B02"
                    "0000001C400101004002004003040A00FFFE40050400000064C0080478147814"
                    "180A0002180A0006");
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    Bytes cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
    EXPECT_FALSE(decode_message(cut, DecodeContext{})) << n;
  }
}

TEST(ErrorJson, NamesOffsetAndNotification) {
  DecodeError e =
      make_error(21, NotifyCode::update_message, update_error::malformed_attribute_list, "overrun");
  Json j = error_to_json(e);
  EXPECT_EQ(j["error"]["offset"], 21);
  EXPECT_EQ(j["error"]["notification"]["code"], 3);
  EXPECT_EQ(j["error"]["notification"]["subcode"], 1);
  EXPECT_EQ(j["error"]["notification"]["name"], "UPDATE Message Error");
}

}  // namespace
}  // namespace bgpsim::wire
