// Path attribute codec: the attribute table (one row per code) and the loop
// that walks the path attribute field applying RFC 7606 to each malformation.
#include "speaker/wire/attributes.hpp"

#include <algorithm>
#include <array>
#include <string>

#include <fmt/format.h>

#include "speaker/wire/attribute_table.hpp"
#include "speaker/wire/bgpls.hpp"
#include "speaker/wire/open.hpp"  // as_trans
#include "speaker/wire/tunnel_encap.hpp"

namespace bgpsim::wire {

namespace {

using attr_table::Malformed;
namespace flag = attr::flag;

constexpr std::uint8_t well_known = flag::transitive;
constexpr std::uint8_t optional_transitive = flag::optional | flag::transitive;
constexpr std::uint8_t optional_non_transitive = flag::optional;

Malformed length_error(std::string_view name, std::size_t got, std::string_view expected) {
  return Malformed{
      update_error::attribute_length_error,
      std::string(name) + " length " + std::to_string(got) + ", expected " + std::string(expected)};
}

// A value of `n` fixed-size items with n > 0 (COMMUNITIES, CLUSTER_LIST...).
bool nonzero_multiple(std::size_t length, std::size_t item) {
  return length != 0 && length % item == 0;
}

std::uint32_t read_u32(Reader& r) { return r.u32().value_or(0); }

// ---------------------------------------------------------------- ORIGIN (1)

std::optional<Malformed> decode_origin(Reader& v, const DecodeContext&, PathAttributes& out) {
  // RFC 7606 7.1: "The attribute is considered malformed if its length is not 1
  // or it has an undefined value."
  if (v.remaining() != 1) return length_error("ORIGIN", v.remaining(), "1");
  const auto value = *v.u8();
  if (value > static_cast<std::uint8_t>(Origin::incomplete))
    return Malformed{update_error::invalid_origin_attribute,
                     "ORIGIN value " + std::to_string(value) + " is undefined"};
  out.origin = static_cast<Origin>(value);
  return std::nullopt;
}
bool has_origin(const PathAttributes& a) { return a.origin.has_value(); }
void encode_origin(const PathAttributes& a, const EncodeContext&, Writer& w) {
  w.u8(static_cast<std::uint8_t>(*a.origin));
}

// ------------------------------------------------------ AS_PATH (2), AS4_PATH (17)

std::optional<Malformed> decode_segments(Reader& v, std::size_t asn_octets, std::string_view name,
                                         AsPath& out) {
  // RFC 7606 7.2: "An AS_PATH is considered malformed if an unrecognized segment
  // type is encountered or if it contains a malformed segment."
  while (!v.empty()) {
    const auto type = *v.u8();
    const auto count = v.u8();
    // "There is an underrun where after the last successfully parsed segment
    // there is only a single octet remaining."
    if (!count)
      return Malformed{update_error::malformed_as_path,
                       std::string(name) + " ends inside a segment header"};
    if (type < AsPathSegment::as_set || type > AsPathSegment::confed_set)
      return Malformed{
          update_error::malformed_as_path,
          std::string(name) + " segment type " + std::to_string(type) + " is unrecognized"};
    // "It has a Path Segment Length field of zero."
    if (*count == 0)
      return Malformed{update_error::malformed_as_path,
                       std::string(name) + " has a segment of length zero"};
    // "There is an overrun where the Path Segment Length field of the last
    // segment encountered would cause the Attribute Length to be exceeded."
    if (v.remaining() < *count * asn_octets)
      return Malformed{update_error::malformed_as_path,
                       std::string(name) + " segment runs past the attribute"};
    AsPathSegment segment{type, {}};
    segment.asns.reserve(*count);
    for (unsigned i = 0; i < *count; ++i)
      segment.asns.push_back(asn_octets == 4 ? read_u32(v) : *v.u16());
    // RFC 7607 2: "An UPDATE message that contains the AS number of zero in
    // the AS_PATH attribute MUST be considered as malformed and be handled by
    // the procedures specified in [RFC7606]" (7.2: treat-as-withdraw); "...
    // in the AS4_PATH attribute ... by the procedures specified in [RFC6793]"
    // (6: attribute discard). The row of each holds that action.
    if (std::find(segment.asns.begin(), segment.asns.end(), 0u) != segment.asns.end())
      return Malformed{update_error::malformed_as_path, std::string(name) + " holds AS 0"};
    out.segments.push_back(std::move(segment));
  }
  return std::nullopt;
}

void encode_segments(const AsPath& path, bool four_octets, Writer& w) {
  for (const auto& segment : path.segments) {
    // A segment holds at most 255 ASNs: longer ones go out as several.
    for (std::size_t at = 0; at < segment.asns.size(); at += 255) {
      const std::size_t n = std::min<std::size_t>(255, segment.asns.size() - at);
      w.u8(segment.type);
      w.u8(static_cast<std::uint8_t>(n));
      for (std::size_t i = at; i < at + n; ++i) {
        const std::uint32_t asn = segment.asns[i];
        if (four_octets)
          w.u32(asn);
        else  // RFC 6793 4.2.2: ASNs that do not fit become AS_TRANS
          w.u16(static_cast<std::uint16_t>(asn > 0xFFFF ? as_trans : asn));
      }
    }
  }
}

std::optional<Malformed> decode_as_path(Reader& v, const DecodeContext& ctx, PathAttributes& out) {
  AsPath path;
  if (auto bad = decode_segments(v, ctx.four_octet_asn ? 4 : 2, "AS_PATH", path)) return bad;
  out.as_path = std::move(path);
  return std::nullopt;
}
bool has_as_path(const PathAttributes& a) { return a.as_path.has_value(); }
void encode_as_path(const PathAttributes& a, const EncodeContext& ctx, Writer& w) {
  encode_segments(*a.as_path, ctx.four_octet_asn, w);
}

// RFC 6793 6: "A NEW BGP speaker that receives the AS4_PATH attribute or the
// AS4_AGGREGATOR attribute in an UPDATE message from another NEW BGP speaker
// MUST discard the path attribute and continue processing the UPDATE message.
// This case SHOULD be logged locally for analysis." Returned as a malformation
// whose row action is attribute discard, so the session sees it to log it.
std::optional<Malformed> from_new_speaker(std::string_view name, const DecodeContext& ctx) {
  if (!ctx.four_octet_asn) return std::nullopt;
  return Malformed{update_error::optional_attribute_error,
                   std::string(name) + " from a 4-octet-ASN speaker is discarded (RFC 6793 6)"};
}

bool is_confederation(const AsPathSegment& s) {
  return s.type == AsPathSegment::confed_sequence || s.type == AsPathSegment::confed_set;
}

std::optional<Malformed> decode_as4_path(Reader& v, const DecodeContext& ctx, PathAttributes& out) {
  AsPath path;
  if (auto bad = decode_segments(v, 4, "AS4_PATH", path)) return bad;
  // RFC 7606 4: only AS_PATH and ATOMIC_AGGREGATE may be empty.
  if (path.segments.empty()) return Malformed{update_error::malformed_as_path, "AS4_PATH is empty"};
  if (auto discard = from_new_speaker("AS4_PATH", ctx)) return discard;
  // RFC 6793 6: "the path segment types AS_CONFED_SEQUENCE and AS_CONFED_SET
  // [RFC5065] MUST NOT be carried in the AS4_PATH attribute ... A NEW BGP
  // speaker that receives these path segment types in the AS4_PATH attribute
  // of an UPDATE message from an OLD BGP speaker MUST discard these path
  // segments, adjust the relevant attribute fields accordingly, and continue
  // processing the UPDATE message. This case SHOULD be logged locally".
  // The rest of the path is kept; the Malformed returned (attribute discard)
  // records what was dropped so the session can log it.
  const auto confederation = std::erase_if(path.segments, is_confederation);
  if (confederation == 0) {
    out.as4_path = std::move(path);
    return std::nullopt;
  }
  if (!path.segments.empty()) out.as4_path = std::move(path);
  return Malformed{update_error::malformed_as_path,
                   "AS4_PATH carries " + std::to_string(confederation) +
                       " confederation segment(s), discarded (RFC 6793 6)" +
                       (out.as4_path ? "" : "; nothing else is left")};
}
bool has_as4_path(const PathAttributes& a) { return a.as4_path.has_value(); }
void encode_as4_path(const PathAttributes& a, const EncodeContext&, Writer& w) {
  encode_segments(*a.as4_path, true, w);
}

bool does_not_fit(std::uint32_t asn) { return asn > 0xFFFF; }

// RFC 6793 4.2.2: AS4_PATH is sent to an OLD speaker "except for the case
// where the entire AS path information is composed of 2-octet AS numbers
// only"; it never carries confederation segments (6), so ASNs that do not fit
// count only outside them (an AS4_PATH of the rest would add nothing, or be
// empty, which RFC 7606 4 makes malformed).
bool needs_as4_path(const AsPath& path) {
  return std::any_of(path.segments.begin(), path.segments.end(), [](const AsPathSegment& s) {
    return !is_confederation(s) && std::any_of(s.asns.begin(), s.asns.end(), does_not_fit);
  });
}

// -------------------------------------------------------------- NEXT_HOP (3)

std::optional<Malformed> decode_next_hop(Reader& v, const DecodeContext&, PathAttributes& out) {
  // RFC 7606 7.3: "The NEXT_HOP attribute SHALL be considered malformed if its
  // length is not 4."
  if (v.remaining() != 4) return length_error("NEXT_HOP", v.remaining(), "4");
  out.next_hop = IpAddress::v4_from_u32(read_u32(v));
  return std::nullopt;
}
bool has_next_hop(const PathAttributes& a) { return a.next_hop.has_value(); }
void encode_next_hop(const PathAttributes& a, const EncodeContext&, Writer& w) {
  w.bytes(ByteView(a.next_hop->bytes.data(), 4));
}

// ------------------------------------------------------ MED (4), LOCAL_PREF (5)

std::optional<Malformed> decode_med(Reader& v, const DecodeContext&, PathAttributes& out) {
  // RFC 7606 7.4: "The MULTI_EXIT_DISC attribute SHALL be considered malformed
  // if its length is not 4."
  if (v.remaining() != 4) return length_error("MULTI_EXIT_DISC", v.remaining(), "4");
  out.med = read_u32(v);
  return std::nullopt;
}
bool has_med(const PathAttributes& a) { return a.med.has_value(); }
void encode_med(const PathAttributes& a, const EncodeContext&, Writer& w) { w.u32(*a.med); }

std::optional<Malformed> decode_local_pref(Reader& v, const DecodeContext&, PathAttributes& out) {
  // RFC 7606 7.5: "... the LOCAL_PREF attribute SHALL be considered malformed
  // if its length is not 4." (Whether it came from an external peer is the
  // session's business, not the codec's.)
  if (v.remaining() != 4) return length_error("LOCAL_PREF", v.remaining(), "4");
  out.local_pref = read_u32(v);
  return std::nullopt;
}
bool has_local_pref(const PathAttributes& a) { return a.local_pref.has_value(); }
void encode_local_pref(const PathAttributes& a, const EncodeContext&, Writer& w) {
  w.u32(*a.local_pref);
}

// ------------------------------------------------------ ATOMIC_AGGREGATE (6)

std::optional<Malformed> decode_atomic_aggregate(Reader& v, const DecodeContext&,
                                                 PathAttributes& out) {
  // RFC 7606 7.6: "The ATOMIC_AGGREGATE attribute SHALL be considered malformed
  // if its length is not 0."
  if (v.remaining() != 0) return length_error("ATOMIC_AGGREGATE", v.remaining(), "0");
  out.atomic_aggregate = true;
  return std::nullopt;
}
bool has_atomic_aggregate(const PathAttributes& a) { return a.atomic_aggregate; }
void encode_nothing(const PathAttributes&, const EncodeContext&, Writer&) {}

// -------------------------------------------- AGGREGATOR (7), AS4_AGGREGATOR (18)

// RFC 7607 2: an AGGREGATOR with AS 0 is malformed and handled as RFC 7606
// says (7.7: attribute discard); an AS4_AGGREGATOR with AS 0 as RFC 6793 says
// (6: attribute discard).
std::optional<Malformed> aggregator_as_zero(std::string_view name, const Aggregator& agg) {
  if (agg.asn != 0) return std::nullopt;
  return Malformed{update_error::optional_attribute_error, std::string(name) + " holds AS 0"};
}

std::optional<Malformed> decode_aggregator(Reader& v, const DecodeContext& ctx,
                                           PathAttributes& out) {
  // RFC 7606 7.7: malformed if "Its length is not 6 (when the 4-octet AS number
  // capability is not advertised to, or not received from, the peer)" or "Its
  // length is not 8 (when [it] is both advertised to, and received from, the peer)".
  const std::size_t expected = ctx.four_octet_asn ? 8 : 6;
  if (v.remaining() != expected)
    return length_error("AGGREGATOR", v.remaining(), ctx.four_octet_asn ? "8" : "6");
  Aggregator agg;
  agg.asn = ctx.four_octet_asn ? read_u32(v) : *v.u16();
  agg.address = IpAddress::v4_from_u32(read_u32(v));
  if (auto bad = aggregator_as_zero("AGGREGATOR", agg)) return bad;
  out.aggregator = agg;
  return std::nullopt;
}
bool has_aggregator(const PathAttributes& a) { return a.aggregator.has_value(); }
void encode_aggregator(const PathAttributes& a, const EncodeContext& ctx, Writer& w) {
  if (ctx.four_octet_asn)
    w.u32(a.aggregator->asn);
  else
    w.u16(static_cast<std::uint16_t>(a.aggregator->asn > 0xFFFF ? as_trans : a.aggregator->asn));
  w.bytes(ByteView(a.aggregator->address.bytes.data(), 4));
}

std::optional<Malformed> decode_as4_aggregator(Reader& v, const DecodeContext& ctx,
                                               PathAttributes& out) {
  // RFC 6793 6: an AS4_AGGREGATOR whose length is not 8 is malformed.
  if (v.remaining() != 8) return length_error("AS4_AGGREGATOR", v.remaining(), "8");
  if (auto discard = from_new_speaker("AS4_AGGREGATOR", ctx)) return discard;
  Aggregator agg;
  agg.asn = read_u32(v);
  agg.address = IpAddress::v4_from_u32(read_u32(v));
  if (auto bad = aggregator_as_zero("AS4_AGGREGATOR", agg)) return bad;
  out.as4_aggregator = agg;
  return std::nullopt;
}
bool has_as4_aggregator(const PathAttributes& a) { return a.as4_aggregator.has_value(); }
void encode_as4_aggregator(const PathAttributes& a, const EncodeContext&, Writer& w) {
  w.u32(a.as4_aggregator->asn);
  w.bytes(ByteView(a.as4_aggregator->address.bytes.data(), 4));
}

// ------------------------------------------- COMMUNITIES (8), CLUSTER_LIST (10)

std::optional<Malformed> decode_u32_list(Reader& v, std::string_view name,
                                         std::optional<std::vector<std::uint32_t>>& out) {
  if (!nonzero_multiple(v.remaining(), 4))
    return length_error(name, v.remaining(), "a non-zero multiple of 4");
  std::vector<std::uint32_t> values;
  values.reserve(v.remaining() / 4);
  while (!v.empty()) values.push_back(read_u32(v));
  out = std::move(values);
  return std::nullopt;
}

std::optional<Malformed> decode_communities(Reader& v, const DecodeContext&, PathAttributes& out) {
  // RFC 7606 7.8: "The error handling of [RFC1997] is revised as follows: The
  // Community attribute SHALL be considered malformed if its length is not a
  // non-zero multiple of 4."
  return decode_u32_list(v, "COMMUNITIES", out.communities);
}
bool has_communities(const PathAttributes& a) {
  return a.communities.has_value() && !a.communities->empty();
}
void encode_communities(const PathAttributes& a, const EncodeContext&, Writer& w) {
  for (auto c : *a.communities) w.u32(c);
}

std::optional<Malformed> decode_cluster_list(Reader& v, const DecodeContext&, PathAttributes& out) {
  // RFC 7606 7.10: "... the CLUSTER_LIST attribute SHALL be considered malformed
  // if its length is not a non-zero multiple of 4."
  return decode_u32_list(v, "CLUSTER_LIST", out.cluster_list);
}
bool has_cluster_list(const PathAttributes& a) {
  return a.cluster_list.has_value() && !a.cluster_list->empty();
}
void encode_cluster_list(const PathAttributes& a, const EncodeContext&, Writer& w) {
  for (auto c : *a.cluster_list) w.u32(c);
}

// --------------------------------------------------------- ORIGINATOR_ID (9)

std::optional<Malformed> decode_originator_id(Reader& v, const DecodeContext&,
                                              PathAttributes& out) {
  // RFC 7606 7.9: "... the ORIGINATOR_ID attribute SHALL be considered malformed
  // if its length is not 4."
  if (v.remaining() != 4) return length_error("ORIGINATOR_ID", v.remaining(), "4");
  out.originator_id = read_u32(v);
  return std::nullopt;
}
bool has_originator_id(const PathAttributes& a) { return a.originator_id.has_value(); }
void encode_originator_id(const PathAttributes& a, const EncodeContext&, Writer& w) {
  w.u32(*a.originator_id);
}

// ------------------------------------------ MP_REACH_NLRI (14), MP_UNREACH_NLRI (15)

Malformed mp_error(std::string reason) {
  // RFC 4760 7: "The session SHOULD be terminated with the NOTIFICATION message
  // code/subcode indicating "UPDATE Message Error"/"Optional Attribute Error"."
  return Malformed{update_error::optional_attribute_error, std::move(reason)};
}

// NLRI of a family we decode, or the bytes as received for one we do not.
std::optional<Malformed> decode_mp_nlri(Family family, Reader& v, const DecodeContext& ctx,
                                        std::vector<Nlri>& nlri, Bytes& opaque) {
  Reader rest = *v.sub(v.remaining());
  if (!family_supported(family)) {
    const auto bytes = rest.rest();
    opaque.assign(bytes.begin(), bytes.end());
    return std::nullopt;
  }
  auto decoded = decode_nlri(family, rest, ctx, update_error::optional_attribute_error);
  if (!decoded) return mp_error(decoded.error().reason);
  nlri = std::move(*decoded);
  return std::nullopt;
}

std::optional<Malformed> decode_mp_reach(Reader& v, const DecodeContext& ctx, PathAttributes& out) {
  // RFC 7606 5.3: malformed if "the MP_REACH_NLRI attribute ... length is less
  // than 5" or its "Next Hop length is inconsistent with the AFI/SAFI"; then
  // the NLRI cannot be located, so "session reset" (or AFI/SAFI disable).
  const auto afi = v.u16();
  const auto safi = v.u8();
  const auto nh_length = v.u8();
  if (!afi || !safi || !nh_length) return mp_error("MP_REACH_NLRI is shorter than 5 octets");
  MpReach mp;
  mp.family = Family(*afi, *safi);
  const auto next_hop = v.take(*nh_length);
  if (!next_hop || !v.u8())
    return mp_error("MP_REACH_NLRI next hop of " + std::to_string(*nh_length) +
                    " octets runs past the attribute");
  // RFC 7606 7.11: "If the Length of Next Hop Network Address field of the
  // MP_REACH attribute is inconsistent with that which was expected, the
  // attribute is considered malformed. Since the next hop precedes the NLRI
  // field in the attribute, in this case it will not be possible to reliably
  // locate the NLRI; thus, the "session reset" or "AFI/SAFI disable" approach
  // MUST be used." (3(j): treat-as-withdraw needs the NLRI parsed; "If this is
  // not possible, the procedures of [RFC4271] and/or [RFC4760] continue to
  // apply".) The row's on_malformed is session reset; what is expected depends
  // on the family and on RFC 8950 being negotiated for it.
  if (!next_hop_length_allowed(mp.family, *nh_length, ctx))
    return mp_error("MP_REACH_NLRI next hop of " + std::to_string(*nh_length) +
                    " octets is inconsistent with " + mp.family.to_string());
  mp.next_hop.assign(next_hop->begin(), next_hop->end());
  if (auto bad = decode_mp_nlri(mp.family, v, ctx, mp.nlri, mp.opaque_nlri)) return bad;
  out.mp_reach = std::move(mp);
  return std::nullopt;
}
bool has_mp_reach(const PathAttributes& a) { return a.mp_reach.has_value(); }
void encode_mp_reach(const PathAttributes& a, const EncodeContext& ctx, Writer& w) {
  const MpReach& mp = *a.mp_reach;
  w.u16(mp.family.afi);
  w.u8(mp.family.safi);
  w.u8(static_cast<std::uint8_t>(mp.next_hop.size()));
  w.bytes(mp.next_hop);
  w.u8(0);  // reserved
  for (const auto& n : mp.nlri) encode_nlri(mp.family, n, ctx, w);
  w.bytes(mp.opaque_nlri);
}

std::optional<Malformed> decode_mp_unreach(Reader& v, const DecodeContext& ctx,
                                           PathAttributes& out) {
  // RFC 7606 5.3: "the MP_UNREACH_NLRI attribute ... length is less than 3".
  const auto afi = v.u16();
  const auto safi = v.u8();
  if (!afi || !safi) return mp_error("MP_UNREACH_NLRI is shorter than 3 octets");
  MpUnreach mp;
  mp.family = Family(*afi, *safi);
  if (auto bad = decode_mp_nlri(mp.family, v, ctx, mp.nlri, mp.opaque_nlri)) return bad;
  out.mp_unreach = std::move(mp);
  return std::nullopt;
}
bool has_mp_unreach(const PathAttributes& a) { return a.mp_unreach.has_value(); }
void encode_mp_unreach(const PathAttributes& a, const EncodeContext& ctx, Writer& w) {
  const MpUnreach& mp = *a.mp_unreach;
  w.u16(mp.family.afi);
  w.u8(mp.family.safi);
  for (const auto& n : mp.nlri) encode_nlri(mp.family, n, ctx, w);
  w.bytes(mp.opaque_nlri);
}

// ------------------------------------------------- EXTENDED_COMMUNITIES (16)

std::optional<Malformed> decode_extended_communities(Reader& v, const DecodeContext&,
                                                     PathAttributes& out) {
  // RFC 7606 7.14: "The Extended Communities attribute SHALL be considered
  // malformed if its length is not a non-zero multiple of 8."
  if (!nonzero_multiple(v.remaining(), 8))
    return length_error("EXTENDED_COMMUNITIES", v.remaining(), "a non-zero multiple of 8");
  std::vector<std::uint64_t> values;
  values.reserve(v.remaining() / 8);
  while (!v.empty()) values.push_back(*v.u64());
  out.extended_communities = std::move(values);
  return std::nullopt;
}
bool has_extended_communities(const PathAttributes& a) {
  return a.extended_communities.has_value() && !a.extended_communities->empty();
}
void encode_extended_communities(const PathAttributes& a, const EncodeContext& ctx, Writer& w) {
  if (ctx.exabgp_compat) {  // ExaBGP keeps them sorted (ExtendedCommunities.add)
    auto sorted = *a.extended_communities;
    std::sort(sorted.begin(), sorted.end());
    for (auto c : sorted) w.u64(c);
    return;
  }
  for (auto c : *a.extended_communities) w.u64(c);
}

// ----------------------------------------------------------------- AIGP (26)

constexpr std::uint8_t aigp_tlv_type = 1;
constexpr std::uint16_t aigp_tlv_length = 11;

std::optional<Malformed> decode_aigp(Reader& v, const DecodeContext&, PathAttributes& out) {
  // RFC 7311 3.3: the attribute is malformed when its TLVs do not add up to its
  // length, or an AIGP TLV's length is not 11; "it MUST be treated exactly as
  // if it were an unrecognized non-transitive attribute" (attribute discard).
  std::optional<std::uint64_t> metric;
  if (v.empty()) return length_error("AIGP", 0, "at least 3");
  while (!v.empty()) {
    const auto type = v.u8();
    const auto length = v.u16();
    if (!type || !length || *length < 3)
      return Malformed{update_error::optional_attribute_error, "AIGP TLV header is malformed"};
    auto body = v.sub(*length - 3u);
    if (!body)
      return Malformed{update_error::optional_attribute_error, "AIGP TLV runs past the attribute"};
    if (*type != aigp_tlv_type) continue;  // unknown TLVs are skipped
    if (*length != aigp_tlv_length)
      return Malformed{update_error::optional_attribute_error,
                       "AIGP TLV length " + std::to_string(*length) + ", expected 11"};
    // "...only the first instance of the TLV is used".
    if (!metric) metric = body->u64();
  }
  if (metric) out.aigp = *metric;
  return std::nullopt;
}
bool has_aigp(const PathAttributes& a) { return a.aigp.has_value(); }
void encode_aigp(const PathAttributes& a, const EncodeContext&, Writer& w) {
  w.u8(aigp_tlv_type);
  w.u16(aigp_tlv_length);
  w.u64(*a.aigp);
}

// ------------------------------------------------------ LARGE_COMMUNITY (32)

std::optional<Malformed> decode_large_communities(Reader& v, const DecodeContext&,
                                                  PathAttributes& out) {
  // RFC 8092 6: "... a BGP Large Communities attribute SHALL be considered
  // malformed if the length of the BGP Large Communities Attribute value,
  // expressed in octets, is not a non-zero multiple of 12."
  if (!nonzero_multiple(v.remaining(), 12))
    return length_error("LARGE_COMMUNITY", v.remaining(), "a non-zero multiple of 12");
  std::vector<LargeCommunity> values;
  values.reserve(v.remaining() / 12);
  while (!v.empty()) values.push_back({read_u32(v), read_u32(v), read_u32(v)});
  out.large_communities = std::move(values);
  return std::nullopt;
}
bool has_large_communities(const PathAttributes& a) {
  return a.large_communities.has_value() && !a.large_communities->empty();
}
void encode_large_communities(const PathAttributes& a, const EncodeContext&, Writer& w) {
  for (const auto& c : *a.large_communities)
    for (auto part : c) w.u32(part);
}

// -------------------------------------------------------------------- table

using attr_table::Row;
constexpr ErrorAction discard = ErrorAction::attribute_discard;
constexpr ErrorAction withdraw = ErrorAction::treat_as_withdraw;
constexpr ErrorAction reset = ErrorAction::session_reset;

// on_bad_flags: RFC 7606 3(c) "If the value of either the Optional or
// Transitive bits in the Attribute Flags is in conflict with their specified
// values, then the attribute MUST be treated as malformed and the
// "treat-as-withdraw" approach used, unless the specification for the
// attribute mandates different handling for incorrect Attribute Flags."
// The exceptions: MP_REACH/MP_UNREACH (RFC 7606 5.3, session reset), AS4_PATH
// and AS4_AGGREGATOR (RFC 6793 6, attribute discard) and AIGP (RFC 7311 3.3).
constexpr std::array<Row, 17> table{{
    {attr::origin, "ORIGIN", well_known, withdraw, withdraw, decode_origin, has_origin,
     encode_origin, attr_table::render_origin},
    {attr::as_path, "AS_PATH", well_known, withdraw, withdraw, decode_as_path, has_as_path,
     encode_as_path, attr_table::render_as_path},
    {attr::next_hop, "NEXT_HOP", well_known, withdraw, withdraw, decode_next_hop, has_next_hop,
     encode_next_hop, nullptr},
    {attr::med, "MULTI_EXIT_DISC", optional_non_transitive, withdraw, withdraw, decode_med, has_med,
     encode_med, attr_table::render_med},
    {attr::local_pref, "LOCAL_PREF", well_known, withdraw, withdraw, decode_local_pref,
     has_local_pref, encode_local_pref, attr_table::render_local_pref},
    {attr::atomic_aggregate, "ATOMIC_AGGREGATE", well_known, discard, withdraw,
     decode_atomic_aggregate, has_atomic_aggregate, encode_nothing,
     attr_table::render_atomic_aggregate},
    {attr::aggregator, "AGGREGATOR", optional_transitive, discard, withdraw, decode_aggregator,
     has_aggregator, encode_aggregator, attr_table::render_aggregator},
    {attr::communities, "COMMUNITIES", optional_transitive, withdraw, withdraw, decode_communities,
     has_communities, encode_communities, attr_table::render_communities},
    {attr::originator_id, "ORIGINATOR_ID", optional_non_transitive, withdraw, withdraw,
     decode_originator_id, has_originator_id, encode_originator_id,
     attr_table::render_originator_id},
    {attr::cluster_list, "CLUSTER_LIST", optional_non_transitive, withdraw, withdraw,
     decode_cluster_list, has_cluster_list, encode_cluster_list, attr_table::render_cluster_list},
    {attr::mp_reach_nlri, "MP_REACH_NLRI", optional_non_transitive, reset, reset, decode_mp_reach,
     has_mp_reach, encode_mp_reach, nullptr},
    {attr::mp_unreach_nlri, "MP_UNREACH_NLRI", optional_non_transitive, reset, reset,
     decode_mp_unreach, has_mp_unreach, encode_mp_unreach, nullptr},
    {attr::extended_communities, "EXTENDED_COMMUNITIES", optional_transitive, withdraw, withdraw,
     decode_extended_communities, has_extended_communities, encode_extended_communities,
     attr_table::render_extended_communities},
    // RFC 6793 6: "... if the AS4_PATH attribute or the AS4_AGGREGATOR attribute
    // is found to be malformed, the UPDATE message SHALL be handled using the
    // approach of "attribute discard"."
    {attr::as4_path, "AS4_PATH", optional_transitive, discard, discard, decode_as4_path,
     has_as4_path, encode_as4_path, attr_table::render_as4_path},
    {attr::as4_aggregator, "AS4_AGGREGATOR", optional_transitive, discard, discard,
     decode_as4_aggregator, has_as4_aggregator, encode_as4_aggregator,
     attr_table::render_as4_aggregator},
    {attr::aigp, "AIGP", optional_non_transitive, discard, discard, decode_aigp, has_aigp,
     encode_aigp, attr_table::render_aigp},
    {attr::large_communities, "LARGE_COMMUNITY", optional_transitive, withdraw, withdraw,
     decode_large_communities, has_large_communities, encode_large_communities,
     attr_table::render_large_communities},
}};

// ----------------------------------------------------------- decoding loop

Bytes copy(ByteView v) { return Bytes(v.begin(), v.end()); }

struct Decoder {
  const DecodeContext& ctx;
  DecodedAttributes out;
  std::array<bool, 256> seen{};

  void record(std::uint8_t code, ErrorAction action, std::size_t at, std::uint8_t subcode,
              std::string reason, Bytes data) {
    out.errors.push_back(AttributeError{
        code, action,
        make_error(at, NotifyCode::update_message, subcode, std::move(reason), std::move(data))});
  }

  void keep_unrecognized(std::uint8_t flags, std::uint8_t code, ByteView value) {
    // RFC 4271 4.3: "The lower-order four bits of the Attribute Flags octet are
    // unused. They MUST be zero when sent and MUST be ignored when received."
    flags &= 0xF0;
    // RFC 4271 5: "If an optional transitive attribute is unrecognized, the
    // Partial bit in the attribute flags octet is set to 1, and the attribute
    // is retained for propagation to other BGP speakers."
    if ((flags & flag::optional) && (flags & flag::transitive)) flags |= flag::partial;
    auto& other = out.attributes.other;
    auto at = std::lower_bound(other.begin(), other.end(), code,
                               [](const RawAttribute& a, std::uint8_t c) { return a.code < c; });
    other.insert(at, RawAttribute{flags, code, copy(value)});
  }
};

}  // namespace

namespace attr_table {

std::span<const Row> rows() { return table; }

const Row* find(std::uint8_t code) {
  auto it = std::lower_bound(table.begin(), table.end(), code,
                             [](const Row& row, std::uint8_t c) { return row.code < c; });
  return it != table.end() && it->code == code ? &*it : nullptr;
}

}  // namespace attr_table

bool DecodedAttributes::treat_as_withdraw() const {
  return std::any_of(errors.begin(), errors.end(), [](const AttributeError& e) {
    return e.action >= ErrorAction::treat_as_withdraw;
  });
}

Result<DecodedAttributes> decode_attributes(Reader r, const DecodeContext& ctx, bool nlri_present) {
  Decoder d{ctx, {}, {}};
  const std::size_t field_at = r.offset();
  while (!r.empty()) {
    const std::size_t at = r.offset();
    const ByteView rest = r.peek_rest();
    const auto flags = r.u8();
    const auto code = r.u8();
    std::optional<std::uint16_t> length;
    if (flags && code) {
      if (*flags & flag::extended_length)
        length = r.u16();
      else if (auto l = r.u8())
        length = *l;
    }
    if (!length) {
      // RFC 7606 4: "... fewer than three octets remain (or fewer than four
      // octets, if the Attribute Flags field has the Extended Length bit set)
      // when beginning to parse the attribute. ... the "treat-as-withdraw"
      // approach MUST be used".
      d.record(code.value_or(0), ErrorAction::treat_as_withdraw, at,
               update_error::malformed_attribute_list,
               "path attribute header runs past the attribute field", copy(rest));
      break;
    }
    auto value = r.sub(*length);
    if (!value) {
      // RFC 7606 4: "the length of the last encountered path attribute would
      // cause the Total Attribute Length to be exceeded" -> treat-as-withdraw,
      // relying on the Total Attribute Length to find the NLRI. An MP attribute
      // cut short hides its NLRI, which RFC 7606 5.3 answers with session reset.
      const std::string reason = "attribute " + std::to_string(*code) + " of length " +
                                 std::to_string(*length) + " runs past the attribute field";
      if (*code == attr::mp_reach_nlri || *code == attr::mp_unreach_nlri)
        return make_error(at, NotifyCode::update_message, update_error::attribute_length_error,
                          reason, copy(rest));
      d.record(*code, ErrorAction::treat_as_withdraw, at, update_error::attribute_length_error,
               reason, copy(rest));
      break;
    }
    const ByteView wire = rest.first(r.offset() - at);

    if (d.seen[*code]) {
      // RFC 7606 3(g): "If the MP_REACH_NLRI attribute or the MP_UNREACH_NLRI
      // attribute appears more than once in the UPDATE message, then a
      // NOTIFICATION message MUST be sent with the Error Subcode "Malformed
      // Attribute List". If any other attribute (whether recognized or
      // unrecognized) appears more than once in an UPDATE message, then all
      // the occurrences of the attribute other than the first one SHALL be
      // discarded and the UPDATE message will continue to be processed."
      const std::string reason = "attribute " + std::to_string(*code) + " appears more than once";
      if (*code == attr::mp_reach_nlri || *code == attr::mp_unreach_nlri)
        return make_error(at, NotifyCode::update_message, update_error::malformed_attribute_list,
                          reason, copy(wire));
      d.record(*code, ErrorAction::attribute_discard, at, update_error::malformed_attribute_list,
               reason, copy(wire));
      continue;
    }
    d.seen[*code] = true;

    const attr_table::Row* row = attr_table::find(*code);
    if (!row) {
      // RFC 4271 5: "All well-known attributes MUST be recognized by all BGP
      // implementations"; 6.3: "If any of the well-known mandatory attributes
      // are not recognized, then the Error Subcode MUST be set to
      // Unrecognized Well-known Attribute. The Data field MUST contain the
      // unrecognized attribute (type, length, and value)." A type code we do
      // not know with the Optional bit clear claims to be well-known, and
      // RFC 7606 gives no gentler outcome for it: session reset.
      // ctx.keep_unknown_well_known keeps it opaque instead, as ExaBGP does
      // (its test encoding/conf-generic-attribute.ci expects type 0x99 with
      // flags 0x60 and 0x70 back in the JSON).
      if (!(*flags & flag::optional) && !ctx.keep_unknown_well_known)
        return make_error(
            at, NotifyCode::update_message, update_error::unrecognized_well_known_attribute,
            fmt::format("attribute {} (flags 0x{:02X}) is well-known but unrecognized", *code,
                        *flags),
            copy(wire));
      // RFC 9552 8.2.2: a malformed BGP-LS attribute is discarded (RFC 7606
      // attribute discard), the NLRI kept.
      if (*code == bgp_ls::attribute_code)
        if (auto fault = bgp_ls::attribute_fault(value->peek_rest())) {
          d.record(*code, ErrorAction::attribute_discard, value->offset() + fault->offset,
                   update_error::optional_attribute_error, fault->reason, copy(wire));
          continue;
        }
      // RFC 9012 13: a malformed Tunnel Encapsulation attribute (its TLV
      // framing; RFC 9830 2.4: two SR Policy TLVs) is treat-as-withdraw.
      if (*code == tunnel_encap::attribute_code)
        if (auto fault = tunnel_encap::attribute_fault(value->peek_rest())) {
          d.record(*code, ErrorAction::treat_as_withdraw, value->offset() + fault->offset,
                   update_error::optional_attribute_error, fault->reason, copy(wire));
          continue;
        }
      d.keep_unrecognized(*flags, *code, value->peek_rest());
      continue;
    }

    const std::uint8_t type_bits = *flags & (flag::optional | flag::transitive);
    if (type_bits != row->flags) {
      const std::string reason =
          fmt::format("{} flags 0x{:02X} conflict with its type code", row->name, *flags);
      if (row->on_bad_flags == ErrorAction::session_reset)
        return make_error(at, NotifyCode::update_message, update_error::attribute_flags_error,
                          reason, copy(wire));
      d.record(*code, row->on_bad_flags, at, update_error::attribute_flags_error, reason,
               copy(wire));
      continue;
    }

    if (auto bad = row->decode(*value, ctx, d.out.attributes)) {
      if (row->on_malformed == ErrorAction::session_reset)
        return make_error(at, NotifyCode::update_message, bad->subcode, std::move(bad->reason),
                          copy(wire));
      d.record(*code, row->on_malformed, at, bad->subcode, std::move(bad->reason), copy(wire));
    }
  }

  const PathAttributes& a = d.out.attributes;
  const bool reachable = nlri_present || a.mp_reach.has_value();
  if (reachable) {
    // RFC 7606 3(d): "If any of the well-known mandatory attributes are not
    // present in an UPDATE message, then "treat-as-withdraw" MUST be used.
    // (Note that [RFC4760] reclassifies NEXT_HOP as what is effectively
    // discretionary.)" NEXT_HOP is needed only for NLRI in the base field.
    // RFC 4271 6.3: "The Data field MUST contain the Attribute Type Code of
    // the missing, well-known attribute."
    for (std::uint8_t code : {attr::origin, attr::as_path, attr::next_hop}) {
      if (d.seen[code] || (code == attr::next_hop && !nlri_present)) continue;
      d.record(code, ErrorAction::treat_as_withdraw, field_at,
               update_error::missing_well_known_attribute,
               "missing well-known attribute " + std::string(attr_table::find(code)->name),
               Bytes{code});
    }
  } else {
    // RFC 7606 5.2: an UPDATE "that contains path attributes but no reachable
    // NLRI" leaves nothing to treat as withdrawn; "if any error is encountered
    // in such a message that would otherwise have resulted in use of the
    // "treat-as-withdraw" approach, the "session reset" approach MUST be used".
    for (const auto& e : d.out.errors)
      if (e.action == ErrorAction::treat_as_withdraw) return e.error;
  }
  return std::move(d.out);
}

namespace {

bool has_raw(const PathAttributes& a, std::uint8_t code) {
  return std::any_of(a.other.begin(), a.other.end(),
                     [code](const RawAttribute& r) { return r.code == code; });
}

// What goes out as AS4_PATH and AS4_AGGREGATOR on this session; the other
// fields stay empty. RFC 6793 6: "A NEW BGP speaker MUST NOT send the
// AS4_PATH or AS4_AGGREGATOR attribute to another NEW BGP speaker", so none
// when 4-octet ASNs were negotiated. To an OLD speaker (4.2.2) AS_PATH goes
// out with AS_TRANS for each ASN that does not fit, and the real path, without
// its confederation segments, as AS4_PATH; "if the aggregating Autonomous
// System's AS number is a non-mappable 4-octet AS number, then the speaker
// MUST use the AS4_AGGREGATOR attribute and set the AS number field in the
// existing AGGREGATOR attribute to the reserved AS number, AS_TRANS". When
// neither is needed, an AS4_PATH or AS4_AGGREGATOR the attributes hold (as
// received from an OLD speaker) is passed on as it is; one given as a raw
// attribute (the configuration's generic form) is never doubled.
PathAttributes as4_attributes(const PathAttributes& a, const EncodeContext& ctx) {
  PathAttributes out;
  if (ctx.four_octet_asn) return out;
  if (!has_raw(a, attr::as4_path)) {
    if (a.as_path && needs_as4_path(*a.as_path)) {
      out.as4_path.emplace();
      for (const auto& segment : a.as_path->segments)
        if (!is_confederation(segment)) out.as4_path->segments.push_back(segment);
    } else {
      out.as4_path = a.as4_path;
    }
  }
  if (!has_raw(a, attr::as4_aggregator))
    out.as4_aggregator =
        a.aggregator && does_not_fit(a.aggregator->asn) ? a.aggregator : a.as4_aggregator;
  return out;
}

// RFC 6793 4.2.3 refers to RFC 4271 9.1.2.2 and RFC 5065 for the count: an
// AS_SET counts one, a confederation segment none.
std::size_t path_length(const AsPath& path) {
  std::size_t n = 0;
  for (const auto& s : path.segments)
    n += s.type == AsPathSegment::as_sequence ? s.asns.size() : s.type == AsPathSegment::as_set;
  return n;
}

// RFC 6793 4.2.3: "the AS path information SHALL be constructed by taking as
// many AS numbers and path segments as necessary from the leading part of the
// AS_PATH attribute, and then prepending them to the AS4_PATH attribute so
// that the AS path information has a number of AS numbers identical to that
// of the AS_PATH attribute. Note that a valid AS_CONFED_SEQUENCE or
// AS_CONFED_SET path segment SHALL be prepended if it is either the leading
// path segment or is adjacent to a path segment that is prepended."
AsPath merge_as4_path(const AsPath& as_path, const AsPath& as4_path) {
  const std::size_t n2 = path_length(as_path), n4 = path_length(as4_path);
  // "If the number of AS numbers in the AS_PATH attribute is less than the
  // number of AS numbers in the AS4_PATH attribute, then the AS4_PATH
  // attribute SHALL be ignored".
  if (n2 < n4) return as_path;
  std::size_t need = n2 - n4;
  AsPath out;
  bool split = false;  // the last segment taken is the head of a longer AS_SEQUENCE
  for (const auto& s : as_path.segments) {
    if (is_confederation(s)) {
      out.segments.push_back(s);
      continue;
    }
    if (need == 0) break;
    if (s.type == AsPathSegment::as_set) {
      out.segments.push_back(s);
      --need;
      continue;
    }
    const std::size_t take = std::min(need, s.asns.size());
    out.segments.push_back(
        {s.type, {s.asns.begin(), s.asns.begin() + static_cast<std::ptrdiff_t>(take)}});
    need -= take;
    split = take < s.asns.size();
    if (split) break;
  }
  auto rest = as4_path.segments.begin();
  // A sequence cut in two is one again when AS4_PATH continues it.
  if (split && rest != as4_path.segments.end() && rest->type == AsPathSegment::as_sequence &&
      out.segments.back().asns.size() + rest->asns.size() <= 255) {
    auto& asns = out.segments.back().asns;
    asns.insert(asns.end(), rest->asns.begin(), rest->asns.end());
    ++rest;
  }
  out.segments.insert(out.segments.end(), rest, as4_path.segments.end());
  return out;
}

}  // namespace

void merge_as4_attributes(PathAttributes& a) {
  // RFC 6793 4.2.3: "If the AGGREGATOR attribute contains an AS number other
  // than AS_TRANS, then: the AS4_AGGREGATOR attribute and the AS4_PATH
  // attribute SHALL be ignored, the AGGREGATOR attribute SHALL be taken as the
  // information about the aggregating node, and the AS_PATH attribute SHALL be
  // taken as the AS path information. Otherwise, ... the AS4_AGGREGATOR
  // attribute SHALL be taken as the information about the aggregating node".
  const bool aggregated_by_old = a.aggregator && a.aggregator->asn != as_trans;
  if (!aggregated_by_old) {
    if (a.aggregator && a.as4_aggregator) a.aggregator = *a.as4_aggregator;
    if (a.as_path && a.as4_path) a.as_path = merge_as4_path(*a.as_path, *a.as4_path);
  }
  a.as4_path.reset();
  a.as4_aggregator.reset();
}

std::optional<EncodeError> encode_attributes(const PathAttributes& a, const EncodeContext& ctx,
                                             Writer& w) {
  std::optional<EncodeError> error;
  // RFC 4760 3: "Length of Next Hop Network Address" is one octet.
  if (a.mp_reach && a.mp_reach->next_hop.size() > 0xFF)
    return EncodeError{
        fmt::format("MP_REACH_NLRI next hop of {} bytes exceeds the 255 its length "
                    "field can say",
                    a.mp_reach->next_hop.size())};
  Bytes value;
  // ExaBGP sends the End-of-RIB's empty MP_UNREACH_NLRI with Extended Length
  // (its functional tests expect 900F0003); we send the same bytes.
  const bool end_of_rib =
      a.mp_unreach && a.mp_unreach->nlri.empty() && a.mp_unreach->opaque_nlri.empty();
  // `as_given`: an attribute we do not model (`attribute [ code flags hex ]`
  // or one received) keeps its flags, Extended Length included.
  auto emit = [&](std::uint8_t flags, std::uint8_t code, bool as_given = false) {
    // RFC 4271 4.3: "If the Extended Length bit of the Attribute Flags octet
    // is set to 1, the third and the fourth octets of the path attribute
    // contain the length of the attribute data in octets": two octets, so a
    // longer value has no encoding at all.
    if (value.size() > 0xFFFF) {
      const Row* row = attr_table::find(code);
      if (!error)
        error = EncodeError{fmt::format(
            "{} value of {} bytes exceeds the 65535 an attribute length can say",
            row ? std::string(row->name) : "attribute " + std::to_string(code), value.size())};
      return;
    }
    // Extended Length only when the value needs it (the canonical form).
    if (!as_given) flags = static_cast<std::uint8_t>(flags & ~flag::extended_length);
    if (value.size() > 255 || (end_of_rib && code == attr::mp_unreach_nlri))
      flags |= flag::extended_length;
    w.u8(flags);
    w.u8(code);
    if (flags & flag::extended_length)
      w.u16(static_cast<std::uint16_t>(value.size()));
    else
      w.u8(static_cast<std::uint8_t>(value.size()));
    w.bytes(value);
  };
  auto other = a.other.begin();
  auto emit_other_below = [&](unsigned code) {
    for (; other != a.other.end() && other->code < code; ++other) {
      value = ctx.exabgp_compat && other->code == tunnel_encap::attribute_code
                  ? tunnel_encap::exabgp_form(other->value)
                  : other->value;
      emit(other->flags, other->code, true);
    }
  };
  const PathAttributes as4 = as4_attributes(a, ctx);
  // `in_order`: unmodelled attributes of lower codes go first.
  auto emit_row = [&](const Row& row, bool in_order = true) {
    const bool per_session = row.code == attr::as4_path || row.code == attr::as4_aggregator;
    const PathAttributes& source = per_session ? as4 : a;
    if (!row.present(source)) return;
    if (in_order) emit_other_below(row.code);
    value.clear();
    Writer vw(value);
    row.encode(source, ctx, vw);
    emit(row.flags, row.code);
  };
  // ExaBGP (ctx.exabgp_compat) writes MP_UNREACH_NLRI before every other
  // attribute and MP_REACH_NLRI after them (the bytes of its api-vpnv4.ci
  // withdrawal, which carries attributes, and of every announcement).
  auto multiprotocol = [](const Row& row) {
    return row.code == attr::mp_reach_nlri || row.code == attr::mp_unreach_nlri;
  };
  if (ctx.exabgp_compat) emit_row(*attr_table::find(attr::mp_unreach_nlri), false);
  for (const auto& row : table)
    if (!ctx.exabgp_compat || !multiprotocol(row)) emit_row(row);
  emit_other_below(256);
  if (ctx.exabgp_compat) emit_row(*attr_table::find(attr::mp_reach_nlri));
  return error;
}

}  // namespace bgpsim::wire
