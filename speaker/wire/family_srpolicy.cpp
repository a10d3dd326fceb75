// SR Policy, SAFI 73 "sr-policy" (RFC 9830 2.1): a length in bits (1 byte:
// 96 for IPv4, 192 for IPv6), then the distinguisher (4 bytes), the policy
// color (4 bytes) and the endpoint (4 or 16 bytes, the AFI's). The whole NLRI
// names the route. ExaBGP's JSON: {"distinguisher", "color", "endpoint"}. The
// route's candidate path travels in the Tunnel Encapsulation attribute
// (tunnel_encap.hpp), which `route_attributes` builds from the words after
// the NLRI's.
#include "speaker/wire/attributes.hpp"
#include "speaker/wire/family_raw.hpp"
#include "speaker/wire/tunnel_encap.hpp"

namespace bgpsim::wire {

namespace {

using family_raw::Fields;

struct SrPolicyRoute {
  std::uint32_t distinguisher = 0;
  std::uint32_t color = 0;
  IpAddress endpoint;
};

template <bool V6>
struct SrPolicy {
  using Route = SrPolicyRoute;
  static constexpr std::string_view what = "SR Policy route";
  static constexpr unsigned bits = V6 ? 192 : 96;

  static Route parse(Fields& f) {
    const std::size_t start = f.offset();
    Route r;
    const auto length = f.number(1, "length");
    if (!f.fault() && length != bits)
      f.fail(start, fmt::format("length {} bits is not {} (RFC 9830 2.1)", length, bits));
    r.distinguisher = static_cast<std::uint32_t>(f.number(4, "distinguisher"));
    r.color = static_cast<std::uint32_t>(f.number(4, "color"));
    r.endpoint = f.address(V6 ? 16 : 4, "endpoint");
    return r;
  }

  static Bytes key(const Route&, ByteView) { return {}; }

  static void to_json(const Route& r, ByteView, family_raw::Json& out) {
    out["distinguisher"] = r.distinguisher;
    out["color"] = r.color;
    out["endpoint"] = r.endpoint.to_string();
  }

  static std::string to_text(const Route& r, ByteView) {
    return fmt::format("sr-policy distinguisher {} color {} endpoint {}", r.distinguisher, r.color,
                       r.endpoint.to_string());
  }
};

// The NLRI's words; the others (preference, segment-list, ...) are the
// attribute's, read by route_attributes.
constexpr std::array<std::string_view, 3> nlri_words{"distinguisher", "color", "endpoint"};

template <bool V6>
std::variant<Nlri, std::string> from_fields(const std::optional<RouteDistinguisher>& rd,
                                            std::span<const NlriField> fields) {
  if (rd) return std::string("sr-policy takes no rd (its distinguisher is a number)");
  family_raw::Words words(fields);
  Bytes bytes;
  Writer w(bytes);
  w.u8(SrPolicy<V6>::bits);
  w.u32(static_cast<std::uint32_t>(words.number("distinguisher", 0xFFFFFFFFu)));
  w.u32(static_cast<std::uint32_t>(words.number("color", 0xFFFFFFFFu)));
  const IpAddress endpoint = words.address("endpoint");
  if (!words.error() && endpoint.v6 != V6)
    return fmt::format("endpoint {} is not an {} address", endpoint.to_string(),
                       V6 ? "IPv6" : "IPv4");
  w.bytes(ByteView(endpoint.bytes.data(), endpoint.size()));
  return family_raw::from_words(Family(V6 ? Afi::ipv6 : Afi::ipv4, Safi::srte), words, bytes);
}

// The Tunnel Encapsulation attribute from the words after the NLRI's, in
// their order (each field's key, then its values).
std::optional<std::string> route_attributes(std::span<const NlriField> fields,
                                            std::vector<RawAttribute>& out) {
  std::vector<std::string> words;
  for (const auto& f : fields) {
    if (std::find(nlri_words.begin(), nlri_words.end(), f.key) != nlri_words.end()) continue;
    words.push_back(f.key);
    words.insert(words.end(), f.values.begin(), f.values.end());
  }
  auto value = tunnel_encap::sr_policy_from_words(words);
  if (auto* why = std::get_if<std::string>(&value)) return *why;
  auto& bytes = std::get<Bytes>(value);
  if (!bytes.empty())
    out.push_back(RawAttribute{tunnel_encap::attribute_flags, tunnel_encap::attribute_code,
                               std::move(bytes)});
  return std::nullopt;
}

// RFC 9830 2.3: the next hop is an IPv4 or IPv6 address whatever the AFI.
constexpr NextHopForms next_hop{{4, 16}, {32, 32}, false};

template <bool V6>
FamilyRow row() {
  FamilyRow row = family_raw::RawCoder<SrPolicy<V6>>::row(
      Family(V6 ? Afi::ipv6 : Afi::ipv4, Safi::srte), V6 ? "ipv6 sr-policy" : "ipv4 sr-policy",
      next_hop, from_fields<V6>);
  // ExaBGP sends no NEXT_HOP attribute beside MP_REACH_NLRI (conf-sr-policy.ci).
  row.exabgp_next_hop_attribute = false;
  row.route_attributes = route_attributes;
  return row;
}

}  // namespace

const FamilyRow ipv4_srpolicy_row = row<false>();
const FamilyRow ipv6_srpolicy_row = row<true>();

}  // namespace bgpsim::wire
