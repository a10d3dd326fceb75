// What a session negotiated, which is all the codec may depend on.
// The FSM builds these from the two OPENs (see session/); tests and the
// `bgpsim decode` tool build them from flags.
#pragma once

#include "speaker/wire/family.hpp"

namespace bgpsim::wire {

struct CodecContext {
  bool four_octet_asn = true;     // RFC 6793: AS_PATH/AGGREGATOR carry 4-byte ASNs
  bool extended_message = false;  // RFC 8654: messages up to 65535 bytes
  FamilySet add_path;             // RFC 7911: families whose NLRI carry a path id
  FamilySet extended_next_hop;    // RFC 8950: families with an IPv6 next hop for IPv4 NLRI

  std::size_t max_message_size() const { return extended_message ? 65535 : 4096; }
  bool operator==(const CodecContext&) const = default;
};

// Decoding reads what we receive (add_path: peer sends path ids);
// encoding writes what we send (add_path: we send path ids).
using DecodeContext = CodecContext;
using EncodeContext = CodecContext;

}  // namespace bgpsim::wire
