// RapidCheck generators for path attributes in canonical form: what
// decode_attributes returns for well-formed input, so that for a generated
// value a, decode(encode(a)) == a. MP_REACH/MP_UNREACH are left empty (the
// NLRI generators add them).
#pragma once

#include <rapidcheck.h>

#include <algorithm>
#include <optional>
#include <set>

#include "speaker/wire/attributes.hpp"
#include "speaker/wire/bgpls.hpp"
#include "speaker/wire/tunnel_encap.hpp"

namespace bgpsim::wire::gen {

template <class T>
rc::Gen<std::optional<T>> optional_of(rc::Gen<T> g) {
  return rc::gen::oneOf(rc::gen::just(std::optional<T>{}),
                        rc::gen::map(std::move(g), [](T v) { return std::optional<T>(v); }));
}

template <class T>
rc::Gen<std::vector<T>> non_empty_vector(rc::Gen<T> g, std::size_t max) {
  return rc::gen::mapcat(rc::gen::inRange<std::size_t>(1, max + 1),
                         [g](std::size_t n) { return rc::gen::container<std::vector<T>>(n, g); });
}

inline rc::Gen<IpAddress> ipv4_address() {
  return rc::gen::map(rc::gen::arbitrary<std::uint32_t>(), IpAddress::v4_from_u32);
}

// ASNs that fit the session: two octets unless 4-octet ASNs were negotiated;
// never AS 0, which RFC 7607 makes malformed.
inline rc::Gen<std::uint32_t> asn(bool four_octet_asn) {
  if (four_octet_asn)
    return rc::gen::suchThat(rc::gen::arbitrary<std::uint32_t>(),
                             [](std::uint32_t a) { return a != 0; });
  return rc::gen::cast<std::uint32_t>(rc::gen::suchThat(rc::gen::arbitrary<std::uint16_t>(),
                                                        [](std::uint16_t a) { return a != 0; }));
}

// Non-empty segments of at most 255 ASNs: a longer one is sent as several.
// AS4_PATH carries no confederation segment (RFC 6793 6): max_type 2.
inline rc::Gen<AsPathSegment> as_path_segment(bool four_octet_asn, std::uint8_t max_type = 4) {
  return rc::gen::build<AsPathSegment>(
      rc::gen::set(&AsPathSegment::type, rc::gen::inRange<std::uint8_t>(1, max_type + 1)),
      rc::gen::set(&AsPathSegment::asns, non_empty_vector(asn(four_octet_asn), 12)));
}

inline rc::Gen<AsPath> as_path(bool four_octet_asn, std::size_t min_segments = 0,
                               std::uint8_t max_type = 4) {
  return rc::gen::build<AsPath>(rc::gen::set(
      &AsPath::segments,
      rc::gen::mapcat(rc::gen::inRange<std::size_t>(min_segments, 5), [=](std::size_t n) {
        return rc::gen::container<std::vector<AsPathSegment>>(
            n, as_path_segment(four_octet_asn, max_type));
      })));
}

inline rc::Gen<Aggregator> aggregator(bool four_octet_asn) {
  return rc::gen::build<Aggregator>(rc::gen::set(&Aggregator::asn, asn(four_octet_asn)),
                                    rc::gen::set(&Aggregator::address, ipv4_address()));
}

// Optional attributes we do not model, as decoding keeps them: unique codes
// in order, the Partial bit set on transitive ones, Extended Length exactly
// when the value needs it.
inline bool modelled_code(std::uint8_t code) {
  static const std::set<std::uint8_t> codes{1,  2,  3,  4,  5,  6,  7,  8, 9,
                                            10, 14, 15, 16, 17, 18, 26, 32};
  return codes.count(code) != 0;
}

inline rc::Gen<RawAttribute> raw_attribute(std::uint8_t code) {
  return rc::gen::exec([code] {
    RawAttribute raw;
    raw.code = code;
    const bool transitive = *rc::gen::arbitrary<bool>();
    const bool partial = transitive || *rc::gen::arbitrary<bool>();
    const std::size_t size = *rc::gen::weightedOneOf<std::size_t>(
        {{8, rc::gen::inRange<std::size_t>(0, 16)}, {1, rc::gen::inRange<std::size_t>(250, 300)}});
    raw.value = *rc::gen::container<Bytes>(size, rc::gen::arbitrary<std::uint8_t>());
    if (code == bgp_ls::attribute_code) {
      // The decoder reads BGP-LS TLVs (RFC 9552 8.2.2): one TLV of a type it
      // does not name keeps the random bytes well formed.
      const auto length = static_cast<std::uint16_t>(raw.value.size());
      raw.value.insert(raw.value.begin(), {0x0F, 0xFF, static_cast<std::uint8_t>(length >> 8),
                                           static_cast<std::uint8_t>(length)});
    }
    if (code == tunnel_encap::attribute_code) {
      // The decoder checks the Tunnel Encapsulation framing (RFC 9012 13):
      // a TLV of a tunnel type it does not name holding one sub-TLV (type
      // 255, a 2-byte length) keeps the random bytes well formed.
      const auto length = static_cast<std::uint16_t>(raw.value.size());
      const auto tlv = static_cast<std::uint16_t>(length + 3);
      raw.value.insert(
          raw.value.begin(),
          {0x00, 0xFF, static_cast<std::uint8_t>(tlv >> 8), static_cast<std::uint8_t>(tlv), 0xFF,
           static_cast<std::uint8_t>(length >> 8), static_cast<std::uint8_t>(length)});
    }
    raw.flags =
        static_cast<std::uint8_t>(attr::flag::optional | (transitive ? attr::flag::transitive : 0) |
                                  (partial ? attr::flag::partial : 0) |
                                  (raw.value.size() > 255 ? attr::flag::extended_length : 0));
    return raw;
  });
}

inline rc::Gen<std::vector<RawAttribute>> other_attributes() {
  return rc::gen::exec([] {
    auto codes = *rc::gen::container<std::set<std::uint8_t>>(rc::gen::suchThat(
        rc::gen::arbitrary<std::uint8_t>(), [](std::uint8_t c) { return !modelled_code(c); }));
    std::vector<RawAttribute> out;
    for (auto code : codes) {
      out.push_back(*raw_attribute(code));
      if (out.size() == 4) break;
    }
    return out;
  });
}

inline rc::Gen<PathAttributes> path_attributes(bool four_octet_asn) {
  return rc::gen::exec([four_octet_asn] {
    PathAttributes a;
    a.origin = *optional_of(rc::gen::element(Origin::igp, Origin::egp, Origin::incomplete));
    a.as_path = *optional_of(as_path(four_octet_asn));
    a.next_hop = *optional_of(ipv4_address());
    a.med = *optional_of(rc::gen::arbitrary<std::uint32_t>());
    a.local_pref = *optional_of(rc::gen::arbitrary<std::uint32_t>());
    a.atomic_aggregate = *rc::gen::arbitrary<bool>();
    a.aggregator = *optional_of(aggregator(four_octet_asn));
    a.communities = *optional_of(non_empty_vector(rc::gen::arbitrary<std::uint32_t>(), 8));
    a.originator_id = *optional_of(rc::gen::arbitrary<std::uint32_t>());
    a.cluster_list = *optional_of(non_empty_vector(rc::gen::arbitrary<std::uint32_t>(), 4));
    a.extended_communities = *optional_of(non_empty_vector(rc::gen::arbitrary<std::uint64_t>(), 6));
    // RFC 6793 6: between NEW speakers AS4_PATH and AS4_AGGREGATOR are discarded.
    if (!four_octet_asn) {
      a.as4_path = *optional_of(as_path(true, 1, AsPathSegment::as_sequence));
      a.as4_aggregator = *optional_of(aggregator(true));
    }
    a.aigp = *optional_of(rc::gen::arbitrary<std::uint64_t>());
    a.large_communities = *optional_of(non_empty_vector(
        rc::gen::map(
            rc::gen::tuple(rc::gen::arbitrary<std::uint32_t>(), rc::gen::arbitrary<std::uint32_t>(),
                           rc::gen::arbitrary<std::uint32_t>()),
            [](const std::tuple<std::uint32_t, std::uint32_t, std::uint32_t>& t) {
              return LargeCommunity{std::get<0>(t), std::get<1>(t), std::get<2>(t)};
            }),
        4));
    a.other = *other_attributes();
    return a;
  });
}

}  // namespace bgpsim::wire::gen
