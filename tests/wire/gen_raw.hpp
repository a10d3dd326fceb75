// RapidCheck generators of the NLRI held as bytes (FamilyRow::raw): each
// route type of MVPN (RFC 6514), MUP (draft-ietf-bess-mup-safi), VPLS (RFC
// 4761), EVPN (RFC 7432, RFC 9136), RTC (RFC 4684) and BGP-LS (RFC 9552), written field by field
// and built with nlri_from_bytes, plus an unknown route type now and then.
#pragma once

#include <rapidcheck.h>

#include "speaker/wire/family_row.hpp"

namespace bgpsim::wire::gen {

namespace raw_detail {

inline void random_bytes(Writer& w, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) w.u8(*rc::gen::arbitrary<std::uint8_t>());
}
// A length in bits then the address: 32 or 128 (and 0 where `wildcard`).
inline void sized_address(Writer& w, bool wildcard) {
  const auto bits = wildcard ? *rc::gen::element<std::uint8_t>(0, 32, 128)
                             : *rc::gen::element<std::uint8_t>(32, 128);
  w.u8(bits);
  random_bytes(w, bits / 8u);
}
// A prefix of at most `max_bits`, its bits past the length zero.
inline void prefix(Writer& w, unsigned max_bits) {
  const auto bits = *rc::gen::inRange<unsigned>(0, max_bits + 1);
  w.u8(static_cast<std::uint8_t>(bits));
  for (unsigned i = 0; i < (bits + 7) / 8; ++i) {
    auto b = *rc::gen::arbitrary<std::uint8_t>();
    if (i == bits / 8) b &= static_cast<std::uint8_t>(0xFF00u >> (bits % 8));
    w.u8(b);
  }
}
// A header's one-byte length, patched once the body is written.
template <class Body>
void with_u8_length(Writer& w, Body body) {
  const auto at = w.reserve_u8();
  const auto before = w.size();
  body();
  w.patch_u8(at, static_cast<std::uint8_t>(w.size() - before));
}

inline Bytes mvpn() {
  Bytes out;
  Writer w(out);
  const auto type = *rc::gen::element<std::uint8_t>(1, 2, 3, 4, 5, 6, 7, 200);
  w.u8(type);
  with_u8_length(w, [&] {
    auto originator = [&] { random_bytes(w, *rc::gen::element<std::size_t>(4, 16)); };
    switch (type) {
      case 1:
        random_bytes(w, 8);
        originator();
        break;
      case 2:
        random_bytes(w, 8 + 4);
        break;
      case 3:
        random_bytes(w, 8);
        sized_address(w, true);
        sized_address(w, true);
        originator();
        break;
      case 4: {
        // The route key: an S-PMSI A-D route.
        w.u8(3);
        with_u8_length(w, [&] {
          random_bytes(w, 8);
          sized_address(w, true);
          sized_address(w, true);
          originator();
        });
        originator();
        break;
      }
      case 5:
        random_bytes(w, 8);
        sized_address(w, true);
        sized_address(w, true);
        break;
      case 6:
      case 7:
        random_bytes(w, 8 + 4);
        sized_address(w, true);
        sized_address(w, true);
        break;
      default:
        random_bytes(w, *rc::gen::inRange<std::size_t>(0, 20));
    }
  });
  return out;
}

inline Bytes mup(bool v6) {
  Bytes out;
  Writer w(out);
  const auto type = *rc::gen::element<std::uint16_t>(1, 2, 3, 4, 9);
  const std::size_t address_size = v6 ? 16 : 4;
  w.u8(1);  // 3gpp-5g
  w.u16(type);
  with_u8_length(w, [&] {
    random_bytes(w, 8);  // RD
    switch (type) {
      case 1:
        prefix(w, v6 ? 128 : 32);
        break;
      case 2:
        random_bytes(w, address_size);
        break;
      case 3:
        prefix(w, v6 ? 128 : 32);
        random_bytes(w, 4 + 1);  // TEID, QFI
        sized_address(w, false);
        if (*rc::gen::arbitrary<bool>()) sized_address(w, false);
        break;
      case 4: {
        const auto teid_bits = *rc::gen::inRange<unsigned>(0, 33);
        w.u8(static_cast<std::uint8_t>(address_size * 8 + teid_bits));
        random_bytes(w, address_size + (teid_bits + 7) / 8);
        break;
      }
      default:
        random_bytes(w, *rc::gen::inRange<std::size_t>(0, 20));
    }
  });
  return out;
}

inline Bytes vpls() {
  Bytes out;
  Writer w(out);
  w.u16(17);
  random_bytes(w, 17);
  return out;
}

// RFC 4684 4: the wildcard, or an origin AS and a route target prefix.
inline Bytes rtc() {
  Bytes out;
  Writer w(out);
  const auto bits = *rc::gen::element<unsigned>(0, 32, 40, 64, 95, 96);
  w.u8(static_cast<std::uint8_t>(bits));
  if (bits > 0) random_bytes(w, (bits + 7) / 8);
  return out;
}

inline Bytes evpn() {
  Bytes out;
  Writer w(out);
  const auto type = *rc::gen::element<std::uint8_t>(1, 2, 3, 4, 5, 9);
  w.u8(type);
  with_u8_length(w, [&] {
    random_bytes(w, 8);  // RD
    switch (type) {
      case 1:
        random_bytes(w, 10 + 4 + 3);  // ESI, tag, label
        break;
      case 2:
        random_bytes(w, 10 + 4);  // ESI, tag
        w.u8(48);
        random_bytes(w, 6);
        sized_address(w, true);
        random_bytes(w, *rc::gen::element<std::size_t>(3, 6));  // one or two labels
        break;
      case 3:
        random_bytes(w, 4);
        sized_address(w, false);
        break;
      case 4:
        random_bytes(w, 10);
        sized_address(w, false);
        break;
      case 5: {
        const std::size_t size = *rc::gen::element<std::size_t>(4, 16);
        random_bytes(w, 10 + 4);
        w.u8(*rc::gen::inRange<std::uint8_t>(0, static_cast<std::uint8_t>(size * 8 + 1)));
        random_bytes(w, size + size + 3);  // prefix, gateway, label
        break;
      }
      default:
        random_bytes(w, *rc::gen::inRange<std::size_t>(0, 20));
    }
  });
  return out;
}

// A BGP-LS NLRI (RFC 9552 5.2): node, link, IPv4 or IPv6 prefix with their
// mandatory TLVs and some optional ones in ascending order, now and then an
// unknown TLV; or an NLRI type we do not know.
inline Bytes bgpls(bool vpn) {
  Bytes out;
  Writer w(out);
  auto tlv = [&w](std::uint16_t type, auto body) {
    w.u16(type);
    const auto at = w.reserve_u16();
    const auto before = w.size();
    body();
    w.patch_u16(at, static_cast<std::uint16_t>(w.size() - before));
  };
  auto maybe = [&](std::uint16_t type, std::size_t size) {
    if (*rc::gen::arbitrary<bool>()) tlv(type, [&] { random_bytes(w, size); });
  };
  const auto type = *rc::gen::element<std::uint16_t>(1, 2, 3, 4, 9);
  tlv(type, [&] {
    if (vpn) random_bytes(w, 8);
    if (type == 9) return random_bytes(w, *rc::gen::inRange<std::size_t>(0, 12));
    const auto protocol = *rc::gen::element<std::uint8_t>(1, 2, 3, 6, 4);
    w.u8(protocol);
    random_bytes(w, 8);
    const std::size_t router_id = protocol <= 2   ? *rc::gen::element<std::size_t>(6, 7)
                                  : protocol != 4 ? *rc::gen::element<std::size_t>(4, 8)
                                                  : *rc::gen::element<std::size_t>(4, 16);
    auto node = [&](std::uint16_t t) {
      tlv(t, [&] {
        maybe(512, 4);
        maybe(513, 4);
        maybe(514, 4);
        tlv(515, [&] { random_bytes(w, router_id); });
        maybe(516, 4);
        maybe(600, *rc::gen::inRange<std::size_t>(0, 5));
      });
    };
    node(256);
    if (type == 2) {
      node(257);
      maybe(258, 8);
      maybe(259, 4);
      maybe(260, 4);
      maybe(261, 16);
      maybe(262, 16);
      maybe(263, 2);
    }
    if (type >= 3) {
      maybe(263, 2);
      maybe(264, 1);
      tlv(265, [&] { prefix(w, type == 3 ? 32 : 128); });
    }
    maybe(300, *rc::gen::inRange<std::size_t>(0, 6));
  });
  return out;
}

}  // namespace raw_detail

// The bytes of one NLRI (no path identifier) of a raw row's family.
inline rc::Gen<Bytes> raw_nlri_bytes(const FamilyRow& row) {
  return rc::gen::exec([&row] {
    const bool v6 = row.family.afi == static_cast<std::uint16_t>(Afi::ipv6);
    switch (static_cast<Safi>(row.family.safi)) {
      case Safi::mcast_vpn:
        return raw_detail::mvpn();
      case Safi::mup:
        return raw_detail::mup(v6);
      case Safi::vpls:
        return raw_detail::vpls();
      case Safi::rtc:
        return raw_detail::rtc();
      case Safi::bgp_ls:
        return raw_detail::bgpls(false);
      case Safi::bgp_ls_vpn:
        return raw_detail::bgpls(true);
      case Safi::srte: {  // RFC 9830 2.1: length, distinguisher, color, endpoint
        Bytes out;
        Writer w(out);
        w.u8(v6 ? 192 : 96);
        raw_detail::random_bytes(w, 8 + (v6 ? 16u : 4u));
        return out;
      }
      default:
        return raw_detail::evpn();
    }
  });
}

inline rc::Gen<Nlri> raw_nlri(const FamilyRow& row, bool add_path) {
  return rc::gen::exec([&row, add_path] {
    const Bytes bytes = *raw_nlri_bytes(row);
    auto n = nlri_from_bytes(row.family, bytes);
    RC_ASSERT(n.ok());
    Nlri out = std::move(n.value());
    if (add_path) out.path_id = *rc::gen::arbitrary<std::uint32_t>();
    return out;
  });
}

}  // namespace bgpsim::wire::gen
