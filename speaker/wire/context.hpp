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
  // ExaBGP's wire behaviour where it departs from the RFCs (its functional
  // tests expect it; the qa runner turns it on for them, nothing else does):
  //  - a message of unknown type is answered with NOTIFICATION 1/0 whose
  //    data is the text `can not decode update message of type "N"`; RFC
  //    4271 6.1 asks for 1/3 Bad Message Type with the type as data;
  //  - a route whose next hop is an IPv4 address also carries NEXT_HOP (type
  //    3) when its NLRI travel in MP_REACH_NLRI (VPNv4, labeled, IPv6 with an
  //    IPv4 next hop); RFC 4760 3: such an UPDATE "SHOULD NOT carry the
  //    NEXT_HOP attribute";
  //  - MP_REACH_NLRI and MP_UNREACH_NLRI go after every other attribute;
  //    RFC 4271 5 asks for ascending type codes (which we send otherwise);
  //  - extended communities go out sorted (some, like redirect and rate, are
  //    read in order, so we otherwise keep the order given).
  bool exabgp_compat = false;

  std::size_t max_message_size() const { return extended_message ? 65535 : 4096; }
  bool operator==(const CodecContext&) const = default;
};

// Decoding reads what we receive (add_path: peer sends path ids);
// encoding writes what we send (add_path: we send path ids).
using DecodeContext = CodecContext;
using EncodeContext = CodecContext;

}  // namespace bgpsim::wire
