// The BGP Prefix-SID attribute's TLVs (RFC 8669, RFC 9252), as configuration
// and the API build them; the codec carries the attribute as bytes.
#include "speaker/wire/attributes.hpp"

namespace bgpsim::wire::prefix_sid {

namespace {
void u24(Writer& w, std::uint32_t v) {
  w.u8(static_cast<std::uint8_t>(v >> 16));
  w.u16(static_cast<std::uint16_t>(v));
}
}  // namespace

void label_index(Writer& w, std::uint32_t index) {
  w.u8(1);
  w.u16(7);
  w.u8(0);   // reserved
  w.u16(0);  // flags: none defined
  w.u32(index);
}

void originator_srgb(Writer& w, const std::vector<std::pair<std::uint32_t, std::uint32_t>>& srgbs) {
  w.u8(3);
  w.u16(static_cast<std::uint16_t>(2 + 6 * srgbs.size()));
  w.u16(0);  // flags
  for (auto [base, range] : srgbs) {
    u24(w, base);
    u24(w, range);
  }
}

void srv6_service(Writer& w, bool l2, const IpAddress& sid, std::uint16_t behavior,
                  const std::optional<std::array<std::uint8_t, 6>>& structure) {
  const std::uint16_t sub_sub = structure ? 3 + 6 : 0;
  const std::uint16_t info = 1 + 16 + 1 + 2 + 1 + sub_sub;
  w.u8(l2 ? 6 : 5);
  w.u16(static_cast<std::uint16_t>(1 + 3 + info));
  w.u8(0);  // reserved
  w.u8(1);  // SRv6 SID Information sub-TLV
  w.u16(info);
  w.u8(0);  // reserved
  w.bytes(ByteView(sid.bytes.data(), 16));
  w.u8(0);  // SID flags: none defined
  w.u16(behavior);
  w.u8(0);  // reserved
  if (structure) {
    w.u8(1);  // SRv6 SID Structure sub-sub-TLV
    w.u16(6);
    w.bytes(ByteView(structure->data(), structure->size()));
  }
}

RawAttribute attribute(Bytes value) { return RawAttribute{flags, code, std::move(value)}; }

}  // namespace bgpsim::wire::prefix_sid
