// Bytes for the conformance suite, built from the RFCs' layouts alone: the
// suite is the oracle of other speakers, so it shares no code with the
// speaker's codec (speaker/wire) and can write anything, malformed or not.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace bgpsim::conform {

using Bytes = std::vector<std::uint8_t>;

namespace msg {
inline constexpr std::uint8_t open = 1, update = 2, notification = 3, keepalive = 4,
                              route_refresh = 5;
}

// RFC 4271 4.1: marker, length, type, body; the length is the real one.
Bytes message(std::uint8_t type, const Bytes& body);
// The same with a chosen length field (malformed headers).
Bytes message_with_length(std::uint8_t type, const Bytes& body, std::uint16_t length);
Bytes keepalive();
Bytes notification(std::uint8_t code, std::uint8_t subcode, const Bytes& data = {});
// RFC 2918 / RFC 7313: AFI, subtype (0 request, 1 BoRR, 2 EoRR), SAFI.
Bytes route_refresh(std::uint16_t afi, std::uint8_t subtype, std::uint8_t safi);

// One capability (RFC 5492 4): code, length, value.
Bytes capability(std::uint8_t code, const Bytes& value);
Bytes cap_multiprotocol(std::uint16_t afi, std::uint8_t safi);
Bytes cap_as4(std::uint32_t asn);

struct OpenSpec {
  std::uint8_t version = 4;
  std::uint16_t my_as = 0;
  std::uint16_t hold_s = 90;
  std::uint32_t id = 0;
  std::vector<Bytes> capabilities;   // one Capabilities parameter (type 2) each
  std::vector<Bytes> parameters;     // further raw parameters (type, length, value)
  bool extended_parameters = false;  // RFC 9072: 255, 255, two-octet length
};
Bytes open(const OpenSpec& spec);

// Path attributes (RFC 4271 4.3): the Extended Length bit is used when the
// flags ask for it or the value does not fit one octet.
Bytes attribute(std::uint8_t flags, std::uint8_t code, const Bytes& value);
Bytes u16(std::uint16_t v);
Bytes u32(std::uint32_t v);
Bytes concat(std::initializer_list<Bytes> parts);
// An IPv4 prefix as NLRI ("203.0.113.0/24" -> 18 cb 00 71).
Bytes prefix4(std::string_view text);
Bytes prefix6(std::string_view text);
// RFC 4271 4.3: withdrawn length, withdrawn, attribute length, attributes, NLRI.
Bytes update(const Bytes& withdrawn, const Bytes& attributes, const Bytes& nlri);
// The value of path attribute `code` in the UPDATE `m` (a whole message);
// false when absent or the UPDATE is malformed.
bool find_attribute(const Bytes& m, std::uint8_t code, Bytes& value);

}  // namespace bgpsim::conform
