// Route Target Constraint, IPv4 SAFI 132 "rtc" (RFC 4684 4): a length in
// bits (1 byte), then that many bits of origin AS (4 bytes) and route target
// (an 8-byte extended community), a prefix of the two. Length 0 is the
// default route ("wildcard"); otherwise it is 32 to 96 (RFC 4684 4: "prefix
// lengths of 33 to 95" cover part of the route target, the origin AS always
// whole). The whole NLRI names the route. ExaBGP 4 does not render RTC in
// JSON; this row writes {"origin-as": N, "route-target": "target:..."}, with
// "length" when the route target is a prefix, and {"wildcard": true} for 0.
#include <charconv>

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

// A route target as written: `[target:]ASN:N`, `[target:]IPv4:N` or 0x and 16
// hex digits (RFC 4360 4, RFC 5668: 2-byte AS with a 4-byte number, IPv4
// address or 4-byte AS with a 2-byte number).
std::optional<std::uint64_t> route_target(std::string_view s) {
  auto number = [](std::string_view t, std::uint64_t max,
                   int base = 10) -> std::optional<std::uint64_t> {
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v, base);
    if (t.empty() || ec != std::errc{} || end != t.data() + t.size() || v > max)
      return std::nullopt;
    return v;
  };
  if (s.starts_with("0x") && s.size() == 18) return number(s.substr(2), ~std::uint64_t{0}, 16);
  if (s.starts_with("target:")) s.remove_prefix(7);
  const auto colon = s.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const auto global = s.substr(0, colon), local = s.substr(colon + 1);
  if (auto ip = IpAddress::parse(global); ip && !ip->v6) {
    auto n = number(local, 0xFFFF);
    if (!n) return std::nullopt;
    return (std::uint64_t{0x0102} << 48) | (std::uint64_t{ip->v4_u32()} << 16) | *n;
  }
  auto as = number(global, 0xFFFFFFFF);
  if (!as) return std::nullopt;
  if (*as > 0xFFFF) {
    auto n = number(local, 0xFFFF);
    if (!n) return std::nullopt;
    return (std::uint64_t{0x0202} << 48) | (*as << 16) | *n;
  }
  auto n = number(local, 0xFFFFFFFF);
  if (!n) return std::nullopt;
  return (std::uint64_t{0x0002} << 48) | (*as << 32) | *n;
}

// ExaBGP's words (its announce/rtc.py): `origin-as N route-target RT`, or
// `default` for the default route (`wildcard`, as to_text writes it, too);
// `length N` (32 to 96) makes the route target a prefix, as to_text writes it.
std::variant<Nlri, std::string> rtc_from_fields(const std::optional<RouteDistinguisher>& rd,
                                                std::span<const NlriField> fields) {
  if (rd) return std::string("rtc takes no rd");
  family_raw::Words words(fields);
  const Family family(Afi::ipv4, Safi::rtc);
  Bytes bytes;
  Writer w(bytes);
  if (words.has("default") || words.has("wildcard")) {
    w.u8(0);
    return family_raw::from_words(family, words, bytes);
  }
  const auto bits = words.has("length") ? static_cast<unsigned>(words.number("length", 96)) : 96u;
  if (bits < 32 && !words.error()) words.fail(fmt::format("'length' {} is below 32", bits));
  const auto origin_as = static_cast<std::uint32_t>(words.number("origin-as", 0xFFFFFFFF));
  const std::string text = words.value("route-target");
  const auto target = route_target(text);
  if (!target && !words.error())
    words.fail(
        fmt::format("'route-target' is not ASN:N, IPv4:N or 0x and 16 hex digits: '{}'", text));
  if (words.error()) return *words.error();
  w.u8(static_cast<std::uint8_t>(bits));
  w.u32(origin_as);
  const unsigned rt_bytes = (bits - 32 + 7) / 8;
  for (unsigned i = 0; i < rt_bytes; ++i) w.u8(static_cast<std::uint8_t>(*target >> (8 * (7 - i))));
  return family_raw::from_words(family, words, bytes);
}

}  // namespace

const FamilyRow ipv4_rtc_row = family_raw::RawCoder<Rtc>::row(
    Family(Afi::ipv4, Safi::rtc), "ipv4 rtc", next_hop, rtc_from_fields);

}  // namespace bgpsim::wire
