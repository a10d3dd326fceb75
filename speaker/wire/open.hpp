// OPEN (RFC 4271 4.2) with capabilities in optional parameters (RFC 5492) and
// the extended optional parameters length (RFC 9072).
#pragma once

#include <cstdint>
#include <vector>

#include "speaker/wire/capability.hpp"

namespace bgpsim::wire {

inline constexpr std::uint16_t as_trans = 23456;  // RFC 6793

struct Open {
  std::uint8_t version = 4;
  std::uint16_t my_as = 0;  // the 2-byte field: AS_TRANS when the ASN needs 4 bytes
  std::uint16_t hold_time_s = 180;
  std::uint32_t bgp_identifier = 0;
  // Capabilities in wire order. Each optional parameter of type 2 may hold
  // several; we keep the grouping so encode(decode(b)) == b.
  std::vector<std::vector<Capability>> capability_parameters;
  // Optional parameters other than capabilities (type 1 authentication is
  // deprecated): encoded raw, to test a peer; decoding refuses them (RFC 4271 6.2).
  struct RawParameter {
    std::uint8_t type = 0;
    Bytes value;
    bool operator==(const RawParameter&) const = default;
  };
  std::vector<RawParameter> other_parameters;
  bool extended_parameters = false;  // RFC 9072 encoding was used / is to be used

  // All capabilities flattened, in order.
  std::vector<Capability> capabilities() const;
  // The 4-byte ASN capability if present, else my_as.
  std::uint32_t asn() const;
  bool operator==(const Open&) const = default;
};

// Body only (after the 19-byte header); `body` offsets start at 19.
Result<Open> decode_open(Reader body);
void encode_open_body(const Open& open, Writer& w);

}  // namespace bgpsim::wire
