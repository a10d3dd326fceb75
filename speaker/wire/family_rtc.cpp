// Route Target Constraint, IPv4 SAFI 132 "rtc" (RFC 4684 4): a length in
// bits (1 byte), then that many bits of origin AS (4 bytes) and route target
// (an 8-byte extended community), a prefix of the two. Length 0 is the
// default route ("wildcard"); otherwise it is 32 to 96 (RFC 4684 4: "prefix
// lengths of 33 to 95" cover part of the route target, the origin AS always
// whole). The whole NLRI names the route. ExaBGP 4 does not render RTC in
// JSON; this row writes {"origin-as": N, "route-target": "target:..."}, with
// "length" when the route target is a prefix, and {"wildcard": true} for 0.
#include "speaker/wire/family_raw.hpp"
#include "speaker/wire/json.hpp"

namespace bgpsim::wire {

namespace {

using family_raw::Fields;

struct RtcRoute {
  std::uint8_t bits = 0;
  std::uint32_t origin_as = 0;
  std::uint64_t route_target = 0;  // the prefix's bits, the rest zero
};

struct Rtc {
  using Route = RtcRoute;
  static constexpr std::string_view what = "RTC route";

  static Route parse(Fields& f) {
    const std::size_t start = f.offset();
    Route r;
    r.bits = static_cast<std::uint8_t>(f.number(1, "length"));
    if (r.bits == 0) return r;
    if (r.bits < 32 || r.bits > 96) {
      f.fail(start, fmt::format("length {} is not 0 or 32 to 96 bits", r.bits));
      return r;
    }
    r.origin_as = static_cast<std::uint32_t>(f.number(4, "origin AS"));
    const unsigned rt_bytes = (r.bits - 32u + 7u) / 8u;
    if (rt_bytes > 0) r.route_target = f.number(rt_bytes, "route target") << (8 * (8 - rt_bytes));
    return r;
  }

  static Bytes key(const Route&, ByteView) { return {}; }

  static std::string route_target_text(const Route& r) {
    std::string text = extended_community_text(r.route_target);
    return text.empty() ? fmt::format("0x{:016X}", r.route_target) : text;
  }

  static void to_json(const Route& r, ByteView, family_raw::Json& out) {
    if (r.bits == 0) {
      out["wildcard"] = true;
      return;
    }
    out["origin-as"] = r.origin_as;
    out["route-target"] = route_target_text(r);
    if (r.bits < 96) out["length"] = r.bits;
  }

  static std::string to_text(const Route& r, ByteView) {
    if (r.bits == 0) return "rtc wildcard";
    return fmt::format("rtc origin-as {} route-target {}{}", r.origin_as, route_target_text(r),
                       r.bits < 96 ? fmt::format(" length {}", r.bits) : "");
  }
};

// RFC 4684 4: the next hop is the advertising speaker's address.
constexpr NextHopForms next_hop{{4, 16}, {32, 32}, false};

}  // namespace

const FamilyRow ipv4_rtc_row =
    family_raw::RawCoder<Rtc>::row(Family(Afi::ipv4, Safi::rtc), "ipv4 rtc", next_hop);

}  // namespace bgpsim::wire
