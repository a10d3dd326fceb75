// Mobile User Plane, SAFI 85 "mup" (draft-ietf-bess-mup-safi 3): an
// architecture type (1 byte), a route type (2 bytes), a length (1 byte) and
// the route's fields. Architecture 1 (3gpp-5g) defines four routes:
//
//   1 Interwork Segment Discovery   RD, prefix length, prefix
//   2 Direct Segment Discovery      RD, address (4 or 16 bytes, the AFI's)
//   3 Type 1 Session Transformed    RD, prefix length, prefix, TEID (4), QFI (1),
//                                   endpoint length, endpoint, [source length, source]
//   4 Type 2 Session Transformed    RD, endpoint length (address bits + TEID
//                                   bits), endpoint address, TEID (0 to 4 bytes)
//
// Route keys (draft section 3.1.3 and 3.1.4): a Type 1 ST route is named by
// its RD and prefix ("only the RD, Prefix Length and Prefix are considered
// to be part of the prefix in the NLRI"); the other routes by all their
// fields. Other architectures and types are kept as received and rendered as
// ExaBGP does ({"arch", "code", "raw"}). JSON as ExaBGP renders it, including
// its spelling of an absent Type 1 source address ("b''").
#include "speaker/wire/family_raw.hpp"

namespace bgpsim::wire {

namespace {

using family_raw::Fields;
using family_raw::Json;

struct MupRoute {
  std::uint8_t arch = 0;
  std::uint16_t type = 0;
  RouteDistinguisher rd;
  IpPrefix prefix;    // ISD, T1ST
  IpAddress address;  // DSD; T1ST and T2ST endpoint
  std::uint8_t endpoint_bits = 0;
  std::uint32_t teid = 0;
  std::uint8_t qfi = 0;
  std::uint8_t source_bits = 0;
  IpAddress source;          // T1ST, when source_bits
  std::size_t key_size = 0;  // the bytes of the wire that name the route; 0: all
};

constexpr std::array<const char*, 5> route_names{
    "", "InterworkSegmentDiscoveryRoute", "DirectSegmentDiscoveryRoute",
    "Type1SessionTransformedRoute", "Type2SessionTransformedRoute"};

template <bool V6>
struct Mup {
  using Route = MupRoute;
  static constexpr std::string_view what = "MUP route";
  static constexpr unsigned address_bits = V6 ? 128 : 32;

  // An endpoint or source: a length of 32 or 128 bits then the address.
  static IpAddress endpoint(Fields& f, std::uint8_t& bits, std::string_view name) {
    const std::size_t at = f.offset();
    bits = static_cast<std::uint8_t>(f.number(1, name));
    if (bits != 32 && bits != 128)
      f.fail(at, fmt::format("{} length {} is not 32 or 128 bits", name, bits));
    return f.address(bits == 128 ? 16 : 4, name);
  }

  static Route parse(Fields& f) {
    const std::size_t start = f.offset();
    Route m;
    m.arch = static_cast<std::uint8_t>(f.number(1, "architecture type"));
    m.type = static_cast<std::uint16_t>(f.number(2, "route type"));
    const auto length = f.number(1, "length");
    f.enter(length, start);
    if (m.arch != 1 || m.type < 1 || m.type > 4) {
      f.bytes(f.remaining(), "route");
      f.end("route");
      return m;
    }
    m.rd = f.rd();
    switch (m.type) {
      case 1:
        m.prefix = f.prefix(address_bits, "prefix");
        break;
      case 2:
        m.address = f.address(V6 ? 16 : 4, "address");
        break;
      case 3: {
        m.prefix = f.prefix(address_bits, "prefix");
        // The key: header (4), RD (8), prefix length (1) and prefix.
        m.key_size = 4 + 8 + 1 + (m.prefix.length + 7u) / 8u;
        m.teid = static_cast<std::uint32_t>(f.number(4, "TEID"));
        m.qfi = static_cast<std::uint8_t>(f.number(1, "QFI"));
        m.address = endpoint(f, m.endpoint_bits, "endpoint address");
        if (f.remaining() > 0) m.source = endpoint(f, m.source_bits, "source address");
        break;
      }
      case 4: {
        // The endpoint length counts the address and the TEID bits after it
        // (at most 32).
        const std::size_t at = f.offset();
        m.endpoint_bits = static_cast<std::uint8_t>(f.number(1, "endpoint length"));
        if (m.endpoint_bits < address_bits || m.endpoint_bits > address_bits + 32)
          f.fail(at, fmt::format("endpoint length {} is not {} to {} bits", m.endpoint_bits,
                                 address_bits, address_bits + 32));
        m.address = f.address(V6 ? 16 : 4, "endpoint address");
        const unsigned teid_bits =
            m.endpoint_bits > address_bits ? m.endpoint_bits - address_bits : 0;
        m.teid = static_cast<std::uint32_t>(f.number((teid_bits + 7u) / 8u, "TEID"));
        break;
      }
      default:
        break;
    }
    f.end(route_names[m.type]);
    return m;
  }

  static Bytes key(const Route& m, ByteView wire) {
    if (m.key_size == 0 || m.key_size > wire.size()) return {};
    // The length byte (wire[3]) of the whole route is not the key's.
    Bytes key(wire.begin(), wire.begin() + static_cast<std::ptrdiff_t>(m.key_size));
    key[3] = 0;
    return key;
  }

  static void to_json(const Route& m, ByteView wire, Json& out) {
    if (m.arch != 1 || m.type < 1 || m.type > 4) {
      out["arch"] = m.arch;
      out["code"] = m.type;
      out["raw"] = family_raw::hex_of(wire);
      return;
    }
    out["name"] = route_names[m.type];
    out["arch"] = m.arch;
    out["code"] = m.type;
    switch (m.type) {
      case 1:
        out["prefix_ip_len"] = m.prefix.length;
        out["prefix_ip"] = m.prefix.address.to_string();
        out["rd"] = m.rd.to_string();
        break;
      case 2:
        out["ip"] = m.address.to_string();
        out["rd"] = m.rd.to_string();
        break;
      case 3:
        out["prefix_ip_len"] = m.prefix.length;
        out["prefix_ip"] = m.prefix.address.to_string();
        out["teid"] = std::to_string(m.teid);
        out["qfi"] = std::to_string(m.qfi);
        out["rd"] = m.rd.to_string();
        out["endpoint_ip_len"] = m.endpoint_bits;
        out["endpoint_ip"] = m.address.to_string();
        out["source_ip_len"] = m.source_bits;
        // ExaBGP prints the Python bytes b'' for an absent source.
        out["source_ip"] = m.source_bits ? m.source.to_string() : "b''";
        break;
      case 4:
        out["endpoint_len"] = m.endpoint_bits;
        out["endpoint_ip"] = m.address.to_string();
        out["rd"] = m.rd.to_string();
        out["teid"] = std::to_string(m.teid);
        break;
      default:
        break;
    }
    out["raw"] = family_raw::hex_of(wire);
  }

  // ExaBGP's configuration words (mup-isd, mup-dsd, mup-t1st, mup-t2st).
  static std::string to_text(const Route& m, ByteView wire) {
    const std::string rd = m.rd.to_string();
    if (m.arch == 1) switch (m.type) {
        case 1:
          return fmt::format("mup-isd {} rd {}", m.prefix.to_string(), rd);
        case 2:
          return fmt::format("mup-dsd {} rd {}", m.address.to_string(), rd);
        case 3:
          return fmt::format("mup-t1st {} rd {} teid {} qfi {} endpoint {}{}", m.prefix.to_string(),
                             rd, m.teid, m.qfi, m.address.to_string(),
                             m.source_bits ? " source " + m.source.to_string() : "");
        case 4:
          return fmt::format("mup-t2st {} rd {} teid {}/{}", m.address.to_string(), rd, m.teid,
                             m.endpoint_bits - address_bits);
        default:
          break;
      }
    return fmt::format("mup arch {} code {} raw 0x{}", m.arch, m.type, family_raw::hex_of(wire));
  }
};

// ExaBGP's words, with an rd: `mup-isd PREFIX`, `mup-dsd ADDRESS`, `mup-t1st
// PREFIX teid N qfi N endpoint ADDRESS [source ADDRESS]`, `mup-t2st ADDRESS
// teid N/BITS` (the TEID's low BITS bits follow the endpoint address).
template <bool V6>
std::variant<Nlri, std::string> from_fields(const std::optional<RouteDistinguisher>& rd,
                                            std::span<const NlriField> fields) {
  family_raw::Words words(fields);
  const auto type = static_cast<std::uint16_t>(
      words.which({"mup-isd", "mup-dsd", "mup-t1st", "mup-t2st"}, "mup"));
  if (type == 0) return *words.error();
  if (!rd) return std::string("mup needs an rd");
  auto write_prefix = [](Writer& w, const IpPrefix& p) {
    w.u8(p.length);
    w.bytes(ByteView(p.address.bytes.data(), (p.length + 7u) / 8u));
  };
  Bytes bytes;
  Writer w(bytes);
  w.u8(1);  // 3gpp-5g
  w.u16(type);
  family_raw::with_length(w, [&] {
    w.u64(rd->to_u64());
    switch (type) {
      case 1:
        write_prefix(w, words.prefix("mup-isd"));
        break;
      case 2: {
        const IpAddress a = words.address("mup-dsd");
        w.bytes(ByteView(a.bytes.data(), a.size()));
        break;
      }
      case 3:
        write_prefix(w, words.prefix("mup-t1st"));
        w.u32(static_cast<std::uint32_t>(words.number("teid", 0xFFFFFFFFu)));
        w.u8(static_cast<std::uint8_t>(words.number("qfi", 0xFF)));
        family_raw::write_sized(w, words.address("endpoint"));
        if (words.has("source")) family_raw::write_sized(w, words.address("source"));
        break;
      default: {
        const IpAddress a = words.address("mup-t2st");
        const std::string teid = words.value("teid");
        const auto slash = teid.find('/');
        const auto value = words.number_of(teid.substr(0, slash), "teid", 0xFFFFFFFFu);
        const auto bits = slash == std::string::npos
                              ? 32u
                              : words.number_of(teid.substr(slash + 1), "teid bits", 32);
        w.u8(static_cast<std::uint8_t>(a.size() * 8 + bits));
        w.bytes(ByteView(a.bytes.data(), a.size()));
        for (std::size_t i = (bits + 7) / 8; i > 0; --i)
          w.u8(static_cast<std::uint8_t>(value >> (8 * (i - 1))));
        break;
      }
    }
  });
  return family_raw::from_words(Family(V6 ? Afi::ipv6 : Afi::ipv4, Safi::mup), words, bytes);
}

// draft-ietf-bess-mup-safi: the next hop is the PE's address; ExaBGP sends an
// IPv6 one with IPv4 routes and an IPv4-mapped IPv6 one with IPv6 routes.
constexpr NextHopForms next_hop{{4, 16}, {32, 32}, false};

}  // namespace

const FamilyRow ipv4_mup_row = family_raw::RawCoder<Mup<false>>::row(
    Family(Afi::ipv4, Safi::mup), "ipv4 mup", next_hop, from_fields<false>);
const FamilyRow ipv6_mup_row = [] {
  FamilyRow row = family_raw::RawCoder<Mup<true>>::row(Family(Afi::ipv6, Safi::mup), "ipv6 mup",
                                                       next_hop, from_fields<true>);
  row.maps_ipv4_next_hop = true;
  return row;
}();

}  // namespace bgpsim::wire
