// RapidCheck generators of NLRI for any family with a row: a canonical prefix
// (no bits past its length), and the labels and route distinguisher the
// family's row carries, within the 255 bits an NLRI length can say; flowspec
// and the families held as bytes have generators of their own.
#pragma once

#include <rapidcheck.h>

#include "speaker/wire/family_row.hpp"
#include "tests/wire/gen_flow.hpp"
#include "tests/wire/gen_raw.hpp"

namespace bgpsim::wire::gen {

inline rc::Gen<Nlri> nlri(const FamilyRow& row, bool add_path) {
  if (row.flow) return flow_nlri(row, add_path);
  if (row.raw) return raw_nlri(row, add_path);
  return rc::gen::exec([&row, add_path] {
    Nlri n;
    const bool v6 = row.family.afi == static_cast<std::uint16_t>(Afi::ipv6);
    n.prefix.address.v6 = v6;
    n.prefix.length = *rc::gen::inRange<std::uint8_t>(0, v6 ? 129 : 33);
    for (std::size_t i = 0; i < n.prefix.address.size(); ++i)
      n.prefix.address.bytes[i] = *rc::gen::arbitrary<std::uint8_t>();
    for (unsigned bit = n.prefix.length; bit < 128; ++bit)
      n.prefix.address.bytes[bit / 8] &= static_cast<std::uint8_t>(~(0x80u >> (bit % 8)));
    if (add_path) n.path_id = *rc::gen::arbitrary<std::uint32_t>();
    if (row.rd) {
      n.rd.type = *rc::gen::inRange<std::uint16_t>(0, 4);  // 3: a type ExaBGP prints in hex
      n.rd.value = *rc::gen::arbitrary<std::uint64_t>() & 0xFFFFFFFFFFFFu;
    }
    if (row.labels) {
      const unsigned room = (255u - (row.rd ? 64u : 0u) - n.prefix.length) / 24u;
      const auto count =
          *rc::gen::inRange<unsigned>(1, std::min<unsigned>(room, LabelStack::capacity) + 1);
      for (unsigned i = 0; i < count; ++i) {
        // Entries above the bottom have the bit clear and are not a
        // withdrawal's 0x800000 or 0x000000, which end a stack (RFC 8277 2.4).
        auto raw = *rc::gen::inRange<std::uint32_t>(0, 1u << 24);
        if (i + 1 == count) {
          raw |= LabelStack::bottom_of_stack;
        } else {
          raw &= ~LabelStack::bottom_of_stack;
          if (raw == 0 || raw == LabelStack::withdraw_compatibility) raw = 0x10;
        }
        n.labels.push(raw);
      }
    }
    return n;
  });
}

}  // namespace bgpsim::wire::gen
