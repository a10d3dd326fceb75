// Issue 17 defect 2: only an UPDATE without any path attribute is an End-of-RIB
// (RFC 4724 2). A message whose attributes were all malformed and discarded is
// an UPDATE with errors, never an End-of-RIB, and its errors stay visible.
#include <gtest/gtest.h>

#include "speaker/wire/json.hpp"
#include "speaker/wire/message.hpp"

namespace bgpsim::wire {
namespace {

Bytes hex(std::string_view h) { return *parse_hex(h); }
const std::string marker = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF";

Update decode(const std::string& h) {
  auto m = decode_message(hex(h), DecodeContext{});
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().reason);
  return m.ok() ? std::get<Update>(*m) : Update{};
}

TEST(EndOfRib, EmptyUpdateIsTheIpv4EndOfRib) {
  const Update u = decode(marker + "0017" + "02" + "00000000");
  EXPECT_EQ(u.end_of_rib(), ipv4_unicast);
  EXPECT_TRUE(update_to_json(u, DecodeContext{}).contains("eor"));
}

TEST(EndOfRib, DiscardedMalformedAggregatorIsNotAnIpv4EndOfRib) {
  // The message: attribute length 10, an AGGREGATOR of length 7 (RFC
  // 7606 7.7: malformed, attribute discard), no NLRI.
  const Update u = decode("ffffffffffffffffffffffffffffffff0021020000000ac007070000fde90a0000");
  EXPECT_EQ(u.end_of_rib(), std::nullopt) << "an End-of-RIB carries no attributes";
  ASSERT_EQ(u.attribute_errors.size(), 1u);
  EXPECT_EQ(u.attribute_errors[0].type_code, attr::aggregator);
  EXPECT_EQ(u.attribute_errors[0].action, ErrorAction::attribute_discard);
  EXPECT_EQ(u.attribute_errors[0].error.offset, 23u);
  const Json j = update_to_json(u, DecodeContext{});
  EXPECT_FALSE(j.contains("eor")) << j.dump();
  ASSERT_TRUE(j.contains("update") && j["update"].contains("errors")) << j.dump();
  EXPECT_EQ(j["update"]["errors"][0]["attribute"], 7);
  EXPECT_EQ(j["update"]["errors"][0]["action"], "attribute-discard");
}

TEST(EndOfRib, EmptyMpUnreachWithOtherAttributeIsNotTheFamilysEndOfRib) {
  // MP_UNREACH_NLRI for IPv6 unicast without NLRI, then the same malformed AGGREGATOR.
  const Update u =
      decode(marker + "0027" + "02" + "0000" + "0010" + "800F03000201" + "C007070000FDE90A0000");
  EXPECT_EQ(u.end_of_rib(), std::nullopt);
  ASSERT_EQ(u.attribute_errors.size(), 1u);
  EXPECT_EQ(u.attribute_errors[0].type_code, attr::aggregator);
  const Json j = update_to_json(u, DecodeContext{});
  EXPECT_FALSE(j.contains("eor")) << j.dump();
  EXPECT_TRUE(j.contains("update") && j["update"].contains("errors")) << j.dump();

  // With a well-formed ORIGIN next to it, it is not an End-of-RIB either.
  const Update with_origin =
      decode(marker + "0021" + "02" + "0000" + "000A" + "800F03000201" + "40010100");
  EXPECT_EQ(with_origin.end_of_rib(), std::nullopt);
  // Alone, it is the IPv6 unicast End-of-RIB.
  const Update alone = decode(marker + "001D" + "02" + "0000" + "0006" + "800F03000201");
  EXPECT_EQ(alone.end_of_rib(), ipv6_unicast);
}

}  // namespace
}  // namespace bgpsim::wire
