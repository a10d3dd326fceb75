// Issue 17 defect 4: RFC 6793 6. AS4_PATH and AS4_AGGREGATOR from a NEW
// speaker (4-octet ASNs negotiated) are discarded, not merged into AS_PATH;
// confederation segments inside AS4_PATH are dropped.
#include <gtest/gtest.h>

#include "speaker/wire/json.hpp"
#include "speaker/wire/message.hpp"

namespace bgpsim::wire {
namespace {

Bytes hex(std::string_view h) { return *parse_hex(h); }
const std::string marker = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF";

DecodeContext context(bool four_octet_asn) {
  DecodeContext ctx;
  ctx.four_octet_asn = four_octet_asn;
  return ctx;
}

// ORIGIN, `as_path` (an AS_PATH attribute in hex), NEXT_HOP, `extra`, then 10.0.0.0/8.
Update decode(const std::string& as_path, const std::string& extra, const DecodeContext& ctx) {
  std::string attributes = "40010100" + as_path + "4003040A000001" + extra;
  std::erase(attributes, ' ');
  const std::size_t attributes_length = attributes.size() / 2;
  const std::size_t length = 19 + 4 + attributes_length + 2;
  Bytes bytes =
      hex(marker +
          to_hex(Bytes{static_cast<std::uint8_t>(length >> 8), static_cast<std::uint8_t>(length)}) +
          "020000" + to_hex(Bytes{0, static_cast<std::uint8_t>(attributes_length)}) + attributes +
          "080A");
  auto m = decode_message(bytes, ctx);
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().reason);
  return m.ok() ? std::get<Update>(*m) : Update{};
}

std::vector<std::uint32_t> json_as_path(const Update& u, const DecodeContext& ctx) {
  const Json j = update_to_json(u, ctx);
  return j["update"]["attribute"]["as-path"]["0"]["value"].get<std::vector<std::uint32_t>>();
}

TEST(As4Path, FromANewSpeakerItIsDiscardedNotMerged) {
  const DecodeContext ctx = context(true);
  // AS_PATH (4-octet) 65001 65002; AS4_PATH 4200000000.
  const Update u = decode("40020A02020000FDE90000FDEA", "C0110602 01FA56EA00", ctx);
  EXPECT_FALSE(u.attributes.as4_path) << "RFC 6793 6: MUST discard the path attribute";
  ASSERT_EQ(u.attribute_errors.size(), 1u) << "SHOULD be logged: recorded for the session";
  EXPECT_EQ(u.attribute_errors[0].type_code, attr::as4_path);
  EXPECT_EQ(u.attribute_errors[0].action, ErrorAction::attribute_discard);
  EXPECT_FALSE(u.treat_as_withdraw()) << "continue processing the UPDATE";
  EXPECT_EQ(json_as_path(u, ctx), (std::vector<std::uint32_t>{65001, 65002}));

  // AS4_AGGREGATOR likewise.
  const Update agg = decode("40020A02020000FDE90000FDEA", "C01208FA56EA000A000001", ctx);
  EXPECT_FALSE(agg.attributes.as4_aggregator);
  ASSERT_EQ(agg.attribute_errors.size(), 1u);
  EXPECT_EQ(agg.attribute_errors[0].type_code, attr::as4_aggregator);
}

TEST(As4Path, FromAnOldSpeakerItIsMerged) {
  const DecodeContext ctx = context(false);
  // AS_PATH (2-octet) 100 23456; AS4_PATH 4200000000.
  const Update u = decode("400206020200645BA0", "C0110602 01FA56EA00", ctx);
  ASSERT_TRUE(u.attributes.as4_path);
  EXPECT_TRUE(u.attribute_errors.empty());
  EXPECT_EQ(json_as_path(u, ctx), (std::vector<std::uint32_t>{100, 4200000000u}));
}

TEST(As4Path, ConfederationSegmentsAreDropped) {
  const DecodeContext ctx = context(false);
  // AS4_PATH: AS_CONFED_SEQUENCE (65010) then AS_SEQUENCE (4200000000).
  const Update mixed = decode("400206020200645BA0", "C0110C 0301 0000FDF2 0201 FA56EA00", ctx);
  ASSERT_TRUE(mixed.attributes.as4_path);
  ASSERT_EQ(mixed.attributes.as4_path->segments.size(), 1u);
  EXPECT_EQ(mixed.attributes.as4_path->segments[0].type, AsPathSegment::as_sequence);
  EXPECT_EQ(mixed.attributes.as4_path->segments[0].asns, std::vector<std::uint32_t>{4200000000u});
  ASSERT_EQ(mixed.attribute_errors.size(), 1u) << "SHOULD be logged";
  EXPECT_EQ(mixed.attribute_errors[0].action, ErrorAction::attribute_discard);

  // Only confederation segments: nothing is left, the attribute goes.
  const Update only = decode("400206020200645BA0", "C01106 0401 0000FDF2", ctx);
  EXPECT_FALSE(only.attributes.as4_path);
  ASSERT_EQ(only.attribute_errors.size(), 1u);
  EXPECT_FALSE(only.treat_as_withdraw());
}

}  // namespace
}  // namespace bgpsim::wire
