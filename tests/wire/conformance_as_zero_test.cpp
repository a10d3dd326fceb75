// Issue 17 defect 5: RFC 7607 2. AS 0 in AS_PATH makes the UPDATE malformed
// (RFC 7606 7.2: treat-as-withdraw); in AGGREGATOR it is handled as RFC 7606
// 7.7 says (attribute discard); in AS4_PATH and AS4_AGGREGATOR as RFC 6793 6
// says (attribute discard).
#include <gtest/gtest.h>

#include "speaker/wire/attributes.hpp"

namespace bgpsim::wire {
namespace {

constexpr std::size_t base = 23;

DecodedAttributes decode(std::string h, bool four_octet_asn) {
  std::erase(h, ' ');
  const Bytes b = *parse_hex(h);
  DecodeContext ctx;
  ctx.four_octet_asn = four_octet_asn;
  auto d = decode_attributes(Reader(b, base), ctx, true);
  EXPECT_TRUE(d.ok()) << (d.ok() ? "" : d.error().reason);
  return d.ok() ? *d : DecodedAttributes{};
}

// ORIGIN (4 bytes) and NEXT_HOP (7 bytes); the attribute under test follows at base + 11.
constexpr const char* origin_next_hop = "400101 00 400304 0A000001";
constexpr std::size_t under_test = base + 11;

void expect_one(const DecodedAttributes& d, std::uint8_t code, ErrorAction action,
                std::uint8_t subcode) {
  ASSERT_EQ(d.errors.size(), 1u);
  EXPECT_EQ(d.errors[0].type_code, code);
  EXPECT_EQ(d.errors[0].action, action);
  EXPECT_EQ(d.errors[0].error.subcode, subcode);
  EXPECT_EQ(d.errors[0].error.offset, under_test);
  EXPECT_NE(d.errors[0].error.reason.find("AS 0"), std::string::npos) << d.errors[0].error.reason;
}

TEST(AsZero, InAsPathIsTreatAsWithdraw) {
  // 4-octet: AS_SEQUENCE 65001 0.
  auto d = decode(std::string(origin_next_hop) + "40020A 0202 0000FDE9 00000000", true);
  expect_one(d, attr::as_path, ErrorAction::treat_as_withdraw, update_error::malformed_as_path);
  EXPECT_TRUE(d.treat_as_withdraw());
  // 2-octet: AS_SET { 0 }.
  d = decode(std::string(origin_next_hop) + "400204 0101 0000", false);
  expect_one(d, attr::as_path, ErrorAction::treat_as_withdraw, update_error::malformed_as_path);
  // Not AS 0: accepted.
  d = decode(std::string(origin_next_hop) + "400206 0201 0000FDE9", true);
  EXPECT_TRUE(d.errors.empty());
}

TEST(AsZero, InAggregatorIsAttributeDiscard) {
  auto d = decode(std::string(origin_next_hop) + "400200 C00708 00000000 0A000001", true);
  ASSERT_EQ(d.errors.size(), 1u);
  EXPECT_EQ(d.errors[0].type_code, attr::aggregator);
  EXPECT_EQ(d.errors[0].action, ErrorAction::attribute_discard);
  EXPECT_EQ(d.errors[0].error.offset, under_test + 3);
  EXPECT_FALSE(d.attributes.aggregator);
  EXPECT_FALSE(d.treat_as_withdraw());
  d = decode(std::string(origin_next_hop) + "400200 C00706 0000 0A000001", false);
  ASSERT_EQ(d.errors.size(), 1u);
  EXPECT_FALSE(d.attributes.aggregator);
}

TEST(AsZero, InAs4PathAndAs4AggregatorIsAttributeDiscard) {
  // From an OLD speaker (2-octet session), where AS4_PATH is taken into account.
  auto d = decode(
      std::string(origin_next_hop) + "400204 0201 5BA0" + "C0110A 0202 FA56EA00 00000000", false);
  ASSERT_EQ(d.errors.size(), 1u);
  EXPECT_EQ(d.errors[0].type_code, attr::as4_path);
  EXPECT_EQ(d.errors[0].action, ErrorAction::attribute_discard);
  EXPECT_FALSE(d.attributes.as4_path);
  EXPECT_TRUE(d.attributes.as_path);
  d = decode(std::string(origin_next_hop) + "400204 0201 5BA0" + "C00706 5BA0 0A000001" +
                 "C01208 00000000 0A000001",
             false);
  ASSERT_EQ(d.errors.size(), 1u);
  EXPECT_EQ(d.errors[0].type_code, attr::as4_aggregator);
  EXPECT_EQ(d.errors[0].action, ErrorAction::attribute_discard);
  EXPECT_FALSE(d.attributes.as4_aggregator);
  EXPECT_TRUE(d.attributes.aggregator);
}

}  // namespace
}  // namespace bgpsim::wire
