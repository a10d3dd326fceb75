// Multicast VPN, SAFI 5 "mcast-vpn" (RFC 6514 4): a route type (1 byte), a
// length (1 byte) and the type's fields:
//
//   1 Intra-AS I-PMSI A-D    RD, originating router's IP
//   2 Inter-AS I-PMSI A-D    RD, source AS (4)
//   3 S-PMSI A-D             RD, multicast source, group, originating router's IP
//   4 Leaf A-D               route key (an MCAST-VPN NLRI), originating router's IP
//   5 Source Active A-D      RD, multicast source, group
//   6 C-multicast shared     RD, source AS, multicast source (the RP), group
//   7 C-multicast source     RD, source AS, multicast source, group
//
// Sources and groups are a length in bits (32, 128, or 0 for RFC 6625's
// wildcards) and the address; the originating router's IP takes what the
// length leaves (4 or 16 bytes). The whole NLRI names the route: MVPN routes
// carry no labels. ExaBGP renders types 5 to 7 field by field and the others
// as {"code", "parsed": false, "raw"}; so does this row. Other route types
// are kept as received (RFC 7606 5.4: an unknown type is not an error).
#include "speaker/wire/family_raw.hpp"

namespace bgpsim::wire {

namespace {

using family_raw::Fields;
using family_raw::Json;
using family_raw::SizedAddress;

struct MvpnRoute {
  std::uint8_t type = 0;
  RouteDistinguisher rd;
  std::uint32_t source_as = 0;
  SizedAddress source, group;
  IpAddress originator;
};

constexpr std::array<const char*, 8> route_names{
    "",
    "Intra-AS I-PMSI A-D route",
    "Inter-AS I-PMSI A-D route",
    "S-PMSI A-D route",
    "Leaf A-D route",
    "Source Active A-D Route",
    "C-Multicast Shared Tree Join route",
    "C-Multicast Source Tree Join route",
};

// The configuration words of each type (ExaBGP's for 5 to 7).
constexpr std::array<const char*, 8> route_words{
    "",        "intra-as-ipmsi-ad", "inter-as-ipmsi-ad", "spmsi-ad",
    "leaf-ad", "source-ad",         "shared-join",       "source-join"};

struct Mvpn {
  using Route = MvpnRoute;
  static constexpr std::string_view what = "MVPN route";

  static Route parse(Fields& f) {
    const std::size_t start = f.offset();
    Route m;
    m.type = static_cast<std::uint8_t>(f.number(1, "route type"));
    const auto length = f.number(1, "length");
    f.enter(length, start);
    switch (m.type) {
      case 1:
        m.rd = f.rd();
        m.originator = f.address_rest("originating router's IP address");
        break;
      case 2:
        m.rd = f.rd();
        m.source_as = static_cast<std::uint32_t>(f.number(4, "source AS"));
        break;
      case 3:
        m.rd = f.rd();
        m.source = f.sized_address("multicast source");
        m.group = f.sized_address("multicast group");
        m.originator = f.address_rest("originating router's IP address");
        break;
      case 4: {
        // RFC 6514 4.4: the route key is the NLRI of the route the leaf
        // answers, type and length included; it must itself be well formed.
        const std::size_t key_start = f.offset();
        f.number(1, "route key type");
        const auto key_length = f.number(1, "route key length");
        f.bytes(key_length, "route key");
        if (f.remaining() != 4 && f.remaining() != 16 && !f.fault())
          f.fail(key_start, fmt::format("route key leaves {} bytes for the originating router's "
                                        "IP address, not 4 or 16",
                                        f.remaining()));
        m.originator = f.address_rest("originating router's IP address");
        break;
      }
      case 5:
        m.rd = f.rd();
        m.source = f.sized_address("multicast source");
        m.group = f.sized_address("multicast group");
        break;
      case 6:
      case 7:
        m.rd = f.rd();
        m.source_as = static_cast<std::uint32_t>(f.number(4, "source AS"));
        m.source = f.sized_address(m.type == 6 ? "rendezvous point" : "multicast source");
        m.group = f.sized_address("multicast group");
        break;
      default:
        f.bytes(f.remaining(), "route");
    }
    f.end(fmt::format("type {} route", m.type));
    return m;
  }

  static Bytes key(const Route&, ByteView) { return {}; }

  static void to_json(const Route& m, ByteView wire, Json& out) {
    out["code"] = m.type;
    const bool parsed = m.type >= 5 && m.type <= 7;
    out["parsed"] = parsed;
    out["raw"] = family_raw::hex_of(wire);
    if (!parsed) return;
    out["name"] = route_names[m.type];
    out["rd"] = m.rd.to_string();
    // ExaBGP writes the source AS as a string.
    if (m.type != 5) out["source-as"] = std::to_string(m.source_as);
    out["source"] = m.source.to_string();
    out["group"] = m.group.to_string();
  }

  static std::string to_text(const Route& m, ByteView wire) {
    switch (m.type) {
      case 1:
        return fmt::format("{} rd {} originator {}", route_words[1], m.rd.to_string(),
                           m.originator.to_string());
      case 2:
        return fmt::format("{} rd {} source-as {}", route_words[2], m.rd.to_string(), m.source_as);
      case 3:
        return fmt::format("{} source {} group {} rd {} originator {}", route_words[3],
                           m.source.to_string(), m.group.to_string(), m.rd.to_string(),
                           m.originator.to_string());
      case 5:
        return fmt::format("source-ad source {} group {} rd {}", m.source.to_string(),
                           m.group.to_string(), m.rd.to_string());
      case 6:
        return fmt::format("shared-join rp {} group {} rd {} source-as {}", m.source.to_string(),
                           m.group.to_string(), m.rd.to_string(), m.source_as);
      case 7:
        return fmt::format("source-join source {} group {} rd {} source-as {}",
                           m.source.to_string(), m.group.to_string(), m.rd.to_string(),
                           m.source_as);
      default:  // leaf A-D (its key is a whole route) and unknown types
        return fmt::format("route-type {} raw 0x{}", m.type, family_raw::hex_of(wire));
    }
  }
};

using Coder = family_raw::RawCoder<Mvpn>;

// ExaBGP's words: `source-ad source S group G`, `shared-join rp RP group G
// source-as AS`, `source-join source S group G source-as AS`, with an rd.
template <Afi A>
std::variant<Nlri, std::string> from_fields(const std::optional<RouteDistinguisher>& rd,
                                            std::span<const NlriField> fields) {
  family_raw::Words words(fields);
  // Route types 5, 6 and 7.
  const auto kind = words.which({"source-ad", "shared-join", "source-join"}, "mcast-vpn");
  if (kind == 0) return *words.error();
  if (!rd) return std::string("mcast-vpn needs an rd");
  const auto type = static_cast<std::uint8_t>(4 + kind);
  Bytes bytes;
  Writer w(bytes);
  w.u8(type);
  family_raw::with_length(w, [&] {
    w.u64(rd->to_u64());
    if (type != 5) w.u32(static_cast<std::uint32_t>(words.number("source-as", 0xFFFFFFFFu)));
    family_raw::write_sized(w, words.address(type == 6 ? "rp" : "source"));
    family_raw::write_sized(w, words.address("group"));
  });
  return family_raw::from_words(Family(A, Safi::mcast_vpn), words, bytes);
}

// RFC 6514 4: the next hop is an address of the provider network, whichever
// family the customer routes are; ExaBGP sends an IPv4 one with IPv6 routes.
constexpr NextHopForms next_hop{{4, 16}, {32, 32}, false};

// ExaBGP's group-updates packs this family (FamilyRow::exabgp_grouped).
template <Afi A>
FamilyRow grouped_row(std::string_view name) {
  FamilyRow row = Coder::row(Family(A, Safi::mcast_vpn), name, next_hop, from_fields<A>);
  row.exabgp_grouped = true;
  return row;
}

}  // namespace

const FamilyRow ipv4_mvpn_row = grouped_row<Afi::ipv4>("ipv4 mcast-vpn");
const FamilyRow ipv6_mvpn_row = grouped_row<Afi::ipv6>("ipv6 mcast-vpn");

}  // namespace bgpsim::wire
