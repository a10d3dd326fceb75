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
  FamilySet extended_next_hop;    // RFC 8950: families whose next hop may be of the other AFI
  // ExaBGP's behaviour, not the RFC's: keep an attribute of unknown type code
  // with the Optional bit clear instead of answering NOTIFICATION 3/2 (RFC 4271
  // 6.3). ExaBGP's functional test encoding/conf-generic-attribute.ci sends
  // type 0x99 with flags 0x60 and 0x70 and expects it back in its JSON.
  bool keep_unknown_well_known = false;

  std::size_t max_message_size() const { return extended_message ? 65535 : 4096; }
  bool operator==(const CodecContext&) const = default;
};

// Decoding reads what we receive (add_path: peer sends path ids);
// encoding writes what we send (add_path: we send path ids).
using DecodeContext = CodecContext;
using EncodeContext = CodecContext;

}  // namespace bgpsim::wire
