// Issue 17 defect 6 (codec side): an OPEN the speaker would refuse is refused
// by the codec too, so `bgpsim decode` and the speaker agree. RFC 4271 6.2:
// "If one of the Optional Parameters in the OPEN message is not recognized,
// then the Error Subcode MUST be set to Unsupported Optional Parameters."
// RFC 7607 2: "If a BGP speaker receives zero as the peer AS in an OPEN
// message, it MUST abort the connection and send a NOTIFICATION with Error
// Code "OPEN Message Error" and subcode "Bad Peer AS"".
#include <gtest/gtest.h>

#include "speaker/wire/message.hpp"

namespace bgpsim::wire {
namespace {

Bytes hex(std::string h) {
  std::erase(h, ' ');
  return *parse_hex(h);
}
const std::string marker = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF";

void expect_open_error(const std::string& message, std::uint8_t subcode, std::size_t offset) {
  auto m = decode_message(hex(message), DecodeContext{});
  ASSERT_FALSE(m.ok()) << message;
  EXPECT_EQ(m.error().code, static_cast<std::uint8_t>(NotifyCode::open_message));
  EXPECT_EQ(m.error().subcode, subcode) << m.error().reason;
  EXPECT_EQ(m.error().offset, offset) << m.error().reason;
}

TEST(OpenConformance, WellFormedOpenDecodes) {
  // AS 65001, hold 180, id 10.0.0.1, the 4-octet ASN capability for 65001.
  auto m = decode_message(hex(marker + "0025 01 04 FDE9 00B4 0A000001 08 0206 4104 0000FDE9"),
                          DecodeContext{});
  ASSERT_TRUE(m.ok()) << m.error().reason;
  EXPECT_EQ(std::get<Open>(*m).asn(), 65001u);
}

TEST(OpenConformance, UnsupportedOptionalParameterIsAnError) {
  // Parameter type 1 (authentication, deprecated) at offset 29.
  expect_open_error(marker + "0021 01 04 FDE9 00B4 0A000001 04 0102 AABB",
                    open_error::unsupported_optional_parameter, 29);
  // After a capability parameter, at offset 37.
  expect_open_error(marker + "0029 01 04 FDE9 00B4 0A000001 0C 0206 4104 0000FDE9 0302 AABB",
                    open_error::unsupported_optional_parameter, 37);
}

TEST(OpenConformance, AsZeroIsBadPeerAs) {
  // My AS 0 (offset 20).
  expect_open_error(marker + "001D 01 04 0000 00B4 0A000001 00", open_error::bad_peer_as, 20);
  // My AS is AS_TRANS but the 4-octet ASN capability says 0 (its value at offset 33).
  expect_open_error(marker + "0025 01 04 5BA0 00B4 0A000001 08 0206 4104 00000000",
                    open_error::bad_peer_as, 33);
}

}  // namespace
}  // namespace bgpsim::wire
