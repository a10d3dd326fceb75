// The Tunnel Encapsulation attribute (RFC 9012, path attribute 23, optional
// transitive) and the SR Policy tunnel type (15) with its sub-TLVs (RFC 9830,
// RFC 9831 for segment types C to K). The codec carries the attribute as a
// RawAttribute; this checks it on receipt, renders ExaBGP's "tunnel-encap"
// JSON and builds it from ExaBGP's `sr-policy` route words. The NLRI rows
// (SAFI 73) are in family_srpolicy.cpp. Implemented in attributes_tunnel.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <variant>

#include "speaker/wire/bytes.hpp"

namespace bgpsim::wire::tunnel_encap {

inline constexpr std::uint8_t attribute_code = 23;
inline constexpr std::uint8_t attribute_flags = 0xC0;  // optional, transitive
inline constexpr std::uint16_t sr_policy_type = 15;

// A malformation: its byte offset in the attribute's value, and why.
struct Fault {
  std::size_t offset = 0;
  std::string reason;
};

// Why the value is malformed, or nullopt. RFC 9012 13: a TLV or sub-TLV
// length past its container ("the final octet of a TLV MUST also be the final
// octet of its final sub-TLV"); RFC 9830 2.4: more than one SR Policy TLV;
// the same framing inside a Segment List sub-TLV. All treat-as-withdraw.
std::optional<Fault> attribute_fault(ByteView value);

// ExaBGP's object: {"sr-policy": {"preference", "priority", "enlp",
// "binding-sid", "srv6-binding-sid", "policy-name", "candidate-path-name",
// "segment-lists": [{"weight", "segments": [{"type": "A", ...}]}]}}, other
// tunnel types as "tunnel-type-N": "0x...", sub-TLVs this build does not know
// (or of a size their type does not allow, RFC 9012 13: "treated as if it
// were an unrecognized sub-TLV") as "unknown-subtlv-N": "0x...". nullopt when
// attribute_fault finds the value malformed.
std::optional<nlohmann::ordered_json> attribute_json(ByteView value);

// The attribute's value (one SR Policy TLV) from ExaBGP's words after an
// sr-policy route's NLRI: `preference N`, `priority N`, `enlp NAME|1-4`,
// `binding-sid mpls LABEL|null`, `srv6-binding-sid IPV6 [endpoint-behavior B
// LB LN FUN ARG]`, `policy-name TEXT`, `candidate-path-name TEXT`,
// `segment-list weight N [segment type-X FIELDS [verification]]...`. Empty
// when no word names a sub-TLV; an error naming the word otherwise.
std::variant<Bytes, std::string> sr_policy_from_words(std::span<const std::string> words);

// The value as ExaBGP writes it (exabgp_compat; its conf-sr-policy.ci): an
// MPLS Binding SID with flag 0x10 and the bottom-of-stack bit, and the
// bottom-of-stack bit on the last MPLS label of each segment list (type A, or
// C with a SID). RFC 9830 2.4.2 reserves those bits (zero on sending,
// ignored on receipt), which is what this build sends otherwise.
Bytes exabgp_form(ByteView value);

}  // namespace bgpsim::wire::tunnel_encap
