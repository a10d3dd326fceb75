// Path attributes (RFC 4271 4.3 and later RFCs): typed values, one table row
// per attribute code in attributes.cpp (flags, decode, encode, JSON), and the
// RFC 7606 outcome of each malformation.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "speaker/wire/address.hpp"
#include "speaker/wire/context.hpp"
#include "speaker/wire/error.hpp"
#include "speaker/wire/nlri.hpp"

namespace bgpsim::wire {

namespace attr {
enum Code : std::uint8_t {
  origin = 1,
  as_path = 2,
  next_hop = 3,
  med = 4,
  local_pref = 5,
  atomic_aggregate = 6,
  aggregator = 7,
  communities = 8,
  originator_id = 9,
  cluster_list = 10,
  mp_reach_nlri = 14,
  mp_unreach_nlri = 15,
  extended_communities = 16,
  as4_path = 17,
  as4_aggregator = 18,
  aigp = 26,
  large_communities = 32,
};
namespace flag {
inline constexpr std::uint8_t optional = 0x80;
inline constexpr std::uint8_t transitive = 0x40;
inline constexpr std::uint8_t partial = 0x20;
inline constexpr std::uint8_t extended_length = 0x10;
}  // namespace flag
}  // namespace attr

enum class Origin : std::uint8_t { igp = 0, egp = 1, incomplete = 2 };

struct AsPathSegment {
  enum Type : std::uint8_t { as_set = 1, as_sequence = 2, confed_sequence = 3, confed_set = 4 };
  std::uint8_t type = as_sequence;
  std::vector<std::uint32_t> asns;
  auto operator<=>(const AsPathSegment&) const = default;
};
struct AsPath {
  std::vector<AsPathSegment> segments;
  auto operator<=>(const AsPath&) const = default;
};

struct Aggregator {
  std::uint32_t asn = 0;
  IpAddress address;  // IPv4
  auto operator<=>(const Aggregator&) const = default;
};

using LargeCommunity = std::array<std::uint32_t, 3>;

struct MpReach {  // RFC 4760
  Family family;
  Bytes next_hop;          // the raw next-hop field (4, 16, 32, 24... bytes)
  std::vector<Nlri> nlri;  // when family_supported(family)
  Bytes opaque_nlri;       // otherwise, kept as received
  auto operator<=>(const MpReach&) const = default;
};
struct MpUnreach {
  Family family;
  std::vector<Nlri> nlri;
  Bytes opaque_nlri;
  auto operator<=>(const MpUnreach&) const = default;
};

// Any attribute we do not model: carried on as received. RFC 4271 5:
// an unrecognized optional transitive attribute is passed on with Partial set.
struct RawAttribute {
  std::uint8_t flags = 0;
  std::uint8_t code = 0;
  Bytes value;
  auto operator<=>(const RawAttribute&) const = default;
};

// The BGP Prefix-SID attribute (code 40, optional transitive), which the
// codec carries as a RawAttribute: its TLVs, appended to a value by whoever
// builds a route (configuration, API). Rendered by attributes_json.cpp.
namespace prefix_sid {
inline constexpr std::uint8_t code = 40;
inline constexpr std::uint8_t flags = attr::flag::optional | attr::flag::transitive;
// RFC 8669 3.1: Label-Index TLV (type 1): reserved, flags, the label index.
void label_index(Writer& w, std::uint32_t index);
// RFC 8669 3.2: Originator SRGB TLV (type 3): flags, (base, range) pairs of 3 bytes.
void originator_srgb(Writer& w, const std::vector<std::pair<std::uint32_t, std::uint32_t>>& srgbs);
// RFC 9252 2, 3.1, 3.2.1: an SRv6 L3 (or L2) Service TLV holding one SID
// Information sub-TLV, with a SID Structure sub-sub-TLV when `structure` is
// given (locator block, locator node, function, argument lengths,
// transposition length and offset).
void srv6_service(Writer& w, bool l2, const IpAddress& sid, std::uint16_t behavior,
                  const std::optional<std::array<std::uint8_t, 6>>& structure);
// The attribute with `value`, to be kept in PathAttributes::other (sorted by code).
RawAttribute attribute(Bytes value);
}  // namespace prefix_sid

// All attributes of one UPDATE, in type-code order (which is also the
// canonical wire order and ExaBGP's JSON order).
struct PathAttributes {
  std::optional<Origin> origin;
  std::optional<AsPath> as_path;
  std::optional<IpAddress> next_hop;
  std::optional<std::uint32_t> med;
  std::optional<std::uint32_t> local_pref;
  bool atomic_aggregate = false;
  std::optional<Aggregator> aggregator;
  std::optional<std::vector<std::uint32_t>> communities;
  std::optional<std::uint32_t> originator_id;
  std::optional<std::vector<std::uint32_t>> cluster_list;
  std::optional<MpReach> mp_reach;
  std::optional<MpUnreach> mp_unreach;
  std::optional<std::vector<std::uint64_t>> extended_communities;
  std::optional<AsPath> as4_path;
  std::optional<Aggregator> as4_aggregator;
  std::optional<std::uint64_t> aigp;  // AIGP TLV type 1
  std::optional<std::vector<LargeCommunity>> large_communities;
  std::vector<RawAttribute> other;  // sorted by code, no duplicates

  auto operator<=>(const PathAttributes&) const = default;
};

// Result of decoding the path attribute field of an UPDATE.
struct DecodedAttributes {
  PathAttributes attributes;
  // Malformations handled per RFC 7606 (never session_reset: that is an error).
  std::vector<AttributeError> errors;
  bool treat_as_withdraw() const;
};

// Decodes the whole path-attribute field. `nlri_present` tells whether the
// UPDATE carries NLRI (so missing mandatory attributes can be judged).
// Returns a DecodeError when RFC 7606 says "session reset".
Result<DecodedAttributes> decode_attributes(Reader r, const DecodeContext& ctx, bool nlri_present);
// RFC 6793 4.2.3, for an UPDATE from an OLD speaker (4-octet ASNs not
// negotiated): AS4_AGGREGATOR replaces an AGGREGATOR of AS_TRANS, AS4_PATH
// completes AS_PATH (ignored when AGGREGATOR names a 2-octet AS or when
// AS4_PATH is the longer); both are then dropped. encode_attributes makes the
// two attributes towards an OLD speaker, so this gives back the path sent,
// confederation members that do not fit aside (AS_TRANS, as AS4_PATH cannot
// carry them).
void merge_as4_attributes(PathAttributes& a);
// Appends every present attribute in code order, or returns why one cannot be
// encoded (a value longer than the 65535 bytes an attribute length can say, a
// next hop longer than its one-byte length); what was appended is then to be
// thrown away. AS4_PATH and AS4_AGGREGATOR follow the session (RFC 6793): never
// to a 4-octet-ASN peer; to a 2-octet one made from AS_PATH and AGGREGATOR
// when an ASN does not fit in two octets.
std::optional<EncodeError> encode_attributes(const PathAttributes& a, const EncodeContext& ctx,
                                             Writer& w);

}  // namespace bgpsim::wire
