// NLRI: one value type for every family's route key (RFC 4271 4.3, RFC 4760,
// RFC 7911 path identifiers, RFC 8277 labels, RFC 4364 route distinguishers),
// and the codec entry points, which dispatch to the family's row
// (family_row.hpp: one row per AFI/SAFI, each in its own family_*.cpp).
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "speaker/wire/address.hpp"
#include "speaker/wire/context.hpp"
#include "speaker/wire/error.hpp"

namespace bgpsim::wire {

// RFC 4364 4.2: a type (0: 2-byte ASN + 4-byte number, 1: IPv4 address +
// 2-byte number, 2: 4-byte ASN + 2-byte number) and the 6-byte value.
struct RouteDistinguisher {
  std::uint16_t type = 0;
  std::uint64_t value = 0;  // the 6 bytes after the type, in the low 48 bits

  static RouteDistinguisher from_u64(std::uint64_t wire);
  std::uint64_t to_u64() const { return (std::uint64_t{type} << 48) | (value & 0xFFFFFFFFFFFFu); }
  // As ExaBGP prints it: "65000:1", "1.2.3.4:5", "4200000000:7"; other types in hex.
  std::string to_string() const;
  // "ASN:N" (type 0, or 2 when the ASN needs 4 bytes) or "IPv4:N" (type 1).
  static std::optional<RouteDistinguisher> parse(std::string_view text);
  auto operator<=>(const RouteDistinguisher&) const = default;
};

// The label stack entries an NLRI carries (RFC 8277 2.2): each 3 bytes on the
// wire, a 20-bit label, 3 bits of traffic class and the bottom-of-stack bit.
// Kept raw, as received, so the bytes round-trip and ExaBGP's JSON (which
// shows label and raw entry) can be rendered. Inline storage keeps the
// unicast NLRI free of allocation; more than `capacity` entries is a decode
// error (RFC 8277's Multiple Labels capability allows up to 255, but no
// implementation we know sends more than a few).
struct LabelStack {
  static constexpr std::size_t capacity = 4;
  static constexpr std::uint32_t bottom_of_stack = 0x000001;
  // RFC 8277 2.4 (and RFC 3107 3): the label field of a withdrawal.
  static constexpr std::uint32_t withdraw_compatibility = 0x800000;

  std::array<std::uint32_t, capacity> raw{};  // unused entries stay zero
  std::uint8_t count = 0;

  // Labels (20-bit values) with the bottom-of-stack bit on the last.
  static LabelStack from_labels(const std::vector<std::uint32_t>& labels);
  static std::uint32_t label_of(std::uint32_t raw_entry) { return raw_entry >> 4; }
  bool empty() const { return count == 0; }
  bool push(std::uint32_t raw_entry);  // false when full
  auto operator<=>(const LabelStack&) const = default;
};

// One flow specification component (RFC 8955 4.2, RFC 8956 3): its type, and
// either a prefix (types 1 and 2; `offset` is RFC 8956's, IPv6 only) or the
// {operator, value} pairs of the numeric and bitmask types. `op` is the
// operator byte as received but for the end-of-list bit, which encoding puts
// on the last pair; its length bits say how many bytes `value` takes.
struct FlowOp {
  std::uint8_t op = 0;
  std::uint64_t value = 0;
  auto operator<=>(const FlowOp&) const = default;
};
struct FlowComponent {
  std::uint8_t type = 0;
  IpPrefix prefix{};
  std::uint8_t offset = 0;
  std::vector<FlowOp> ops;
  auto operator<=>(const FlowComponent&) const = default;
};

// The NLRI of a family whose route is a typed record rather than a prefix
// (MVPN, MUP, VPLS, EVPN, RTC): its bytes as on the wire (without the path
// identifier), and the bytes that name the route, which its RFC defines (EVPN
// MAC/IP: RD, Ethernet tag, MAC and IP, not the ESI nor the labels). The
// family's row checked both when it built the value and decodes the bytes
// again to render JSON or text, which are rare next to holding and comparing.
//
// Why bytes and not typed members: a million unicast routes are held in
// memory, and every Nlri pays for every member. One pointer (8 bytes, null
// for the prefix families) serves all these families; typed members for each
// would add hundreds of bytes to every unicast route.
class RawNlri {
 public:
  RawNlri() = default;
  // `key` empty: the whole NLRI names the route.
  RawNlri(ByteView wire, ByteView key);
  RawNlri(const RawNlri& other);
  RawNlri& operator=(const RawNlri& other);
  RawNlri(RawNlri&&) noexcept = default;
  RawNlri& operator=(RawNlri&&) noexcept = default;

  bool empty() const { return data_ == nullptr; }
  ByteView wire() const;
  ByteView key() const;
  std::strong_ordering operator<=>(const RawNlri& other) const;
  bool operator==(const RawNlri& other) const { return (*this <=> other) == 0; }

 private:
  // Wire length (4 bytes), key length (4 bytes, all ones: the wire), wire, key.
  std::unique_ptr<std::uint8_t[]> data_;
};

// One NLRI of any family this build decodes. A field a family does not use
// stays at its default, so one ordering and one equality serve every family.
struct Nlri {
  IpPrefix prefix;
  std::optional<std::uint32_t> path_id;  // present iff add-path is negotiated
  LabelStack labels{};                   // nlri-mpls, mpls-vpn (RFC 8277)
  RouteDistinguisher rd{};               // mpls-vpn (RFC 4364 4.3.4), flow-vpn
  std::vector<FlowComponent> flow{};     // flow, flow-vpn (RFC 8955, 8956)
  RawNlri raw{};                         // mcast-vpn, mup, vpls, evpn, rtc
  auto operator<=>(const Nlri&) const = default;
};

// The route key order: every field but the labels, and of a RawNlri its key.
// RFC 8277 binds labels to a route, they do not name it: a withdrawal carries
// 0x800000 whatever was announced, and a new label for the same prefix
// replaces the route.
std::strong_ordering key_compare(const Nlri& a, const Nlri& b);

// Decodes a run of NLRI of `family` (withdrawn routes, NLRI field, or
// MP_(UN)REACH). Errors use the UPDATE error `subcode` given (invalid network
// field for the base fields, optional attribute error for MP). A family this
// build keeps opaque decodes to nothing.
Result<std::vector<Nlri>> decode_nlri(Family family, Reader r, const DecodeContext& ctx,
                                      std::uint8_t subcode);
// One NLRI of `family` from its bytes (no path identifier), checked as a
// received one is: how configuration and tests build a RawNlri family's route.
Result<Nlri> nlri_from_bytes(Family family, ByteView bytes);
// Encoding a family without a row writes nothing (its NLRI travel opaque).
void encode_nlri(Family family, const Nlri& n, const EncodeContext& ctx, Writer& w);
std::size_t encoded_nlri_size(Family family, const Nlri& n, const EncodeContext& ctx);

// Whether this build decodes the family's NLRI (others are kept opaque):
// whether it has a row.
bool family_supported(Family family);
// Every family with a row, in family order.
std::vector<Family> supported_families();

// Whether an MP_REACH next-hop field of `length` bytes suits `family` on this
// session: the forms of its row, plus those of the other address family when
// the Extended Next Hop capability (RFC 8950) was negotiated for it. Any
// length for a family this build keeps opaque.
bool next_hop_length_allowed(Family family, std::size_t length, const DecodeContext& ctx);

// The global address of an MP_REACH next-hop field of `family` (without the
// VPN families' zero route distinguishers, RFC 4364 4.3.2 / RFC 4659 3.2.1),
// or nullopt when the field has none of the family's shapes.
std::optional<IpAddress> next_hop_address(Family family, ByteView field);
// The MP_REACH next-hop field that carries `address` for `family`.
Bytes next_hop_field(Family family, const IpAddress& address);

// How the NLRI reads in configuration and API text ("10.0.0.0/24 rd 65000:1
// label [ 1000 ] path-information 0.0.0.1"); the prefix alone for a family
// without a row.
std::string nlri_text(Family family, const Nlri& n);

}  // namespace bgpsim::wire
