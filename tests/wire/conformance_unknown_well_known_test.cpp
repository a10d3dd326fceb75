// Issue 17 defect 7: RFC 4271 5 "All well-known attributes MUST be recognized
// by all BGP implementations" and 6.3: "If any of the well-known mandatory
// attributes are not recognized, then the Error Subcode MUST be set to
// Unrecognized Well-known Attribute. The Data field MUST contain the
// unrecognized attribute (type, length, and value)." An unknown type code with
// the Optional bit clear resets the session with NOTIFICATION 3/2, unless the
// context asks for ExaBGP's behaviour (its functional test
// encoding/conf-generic-attribute.ci sends type 0x99 with flags 0x60 and 0x70
// and expects it back in the JSON).
#include <gtest/gtest.h>

#include "speaker/wire/json.hpp"
#include "speaker/wire/message.hpp"

namespace bgpsim::wire {
namespace {

Bytes hex(std::string_view h) { return *parse_hex(h); }

// conf-generic-attribute.ci, message 2: ORIGIN, AS_PATH, NEXT_HOP, LOCAL_PREF,
// then attribute 0x99 flags 0x60 (well-known, transitive), 101.101.101.101/32.
const std::string exabgp_message =
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF003802"
    "0000001C40010100400200400304C0A80164400504000000646099040000006420"
    "65656565";

TEST(UnknownWellKnown, ResetsTheSessionWithUnrecognizedWellKnownAttribute) {
  auto m = decode_message(hex(exabgp_message), DecodeContext{});
  ASSERT_FALSE(m.ok()) << "an unrecognized well-known attribute is not kept";
  EXPECT_EQ(m.error().code, static_cast<std::uint8_t>(NotifyCode::update_message));
  EXPECT_EQ(m.error().subcode, update_error::unrecognized_well_known_attribute);
  EXPECT_EQ(m.error().offset, 44u) << "the attribute's first byte";
  EXPECT_EQ(m.error().data, hex("60990400000064")) << "type, length and value";

  // The Optional bit set: an unrecognized optional attribute, kept with Partial.
  Bytes optional = hex(exabgp_message);
  optional[44] = 0xC0;
  auto kept = decode_message(optional, DecodeContext{});
  ASSERT_TRUE(kept.ok()) << kept.error().reason;
  const auto& other = std::get<Update>(*kept).attributes.other;
  ASSERT_EQ(other.size(), 1u);
  EXPECT_EQ(other[0].flags, 0xE0);
}

TEST(UnknownWellKnown, KeptOpaqueWhenTheContextAsksForExaBGPsBehaviour) {
  DecodeContext ctx;
  ctx.keep_unknown_well_known = true;
  auto m = decode_message(hex(exabgp_message), ctx);
  ASSERT_TRUE(m.ok()) << m.error().reason;
  const Json j = update_to_json(std::get<Update>(*m), ctx);
  EXPECT_EQ(j["update"]["attribute"]["attribute-0x99-0x60"], "0x00000064") << j.dump();
}

}  // namespace
}  // namespace bgpsim::wire
