// RapidCheck generator of flow specification NLRI (RFC 8955/8956) for the
// flow and flow-vpn rows: components of known types in increasing order,
// canonical prefixes, and operator/value pairs whose values fit the length
// their operator says. Reserved operator bits are generated too: they travel
// as received.
#pragma once

#include <rapidcheck.h>

#include "speaker/wire/family_row.hpp"

namespace bgpsim::wire::gen {

inline rc::Gen<Nlri> flow_nlri(const FamilyRow& row, bool add_path) {
  return rc::gen::exec([&row, add_path] {
    Nlri n;
    const bool v6 = row.family.afi == static_cast<std::uint16_t>(Afi::ipv6);
    if (add_path) n.path_id = *rc::gen::arbitrary<std::uint32_t>();
    if (row.rd) {
      n.rd.type = *rc::gen::inRange<std::uint16_t>(0, 4);
      n.rd.value = *rc::gen::arbitrary<std::uint64_t>() & 0xFFFFFFFFFFFFu;
    }
    const std::uint8_t last_type = v6 ? 13 : 12;
    for (std::uint8_t type = 1; type <= last_type; ++type) {
      if (*rc::gen::inRange(0, 3) != 0) continue;  // about a third of the types
      FlowComponent c;
      c.type = type;
      if (type <= 2) {
        c.prefix.address.v6 = v6;
        c.prefix.length = *rc::gen::inRange<std::uint8_t>(0, v6 ? 129 : 33);
        for (std::size_t i = 0; i < c.prefix.address.size(); ++i)
          c.prefix.address.bytes[i] = *rc::gen::arbitrary<std::uint8_t>();
        for (unsigned bit = c.prefix.length; bit < 128; ++bit)
          c.prefix.address.bytes[bit / 8] &= static_cast<std::uint8_t>(~(0x80u >> (bit % 8)));
        if (v6) c.offset = *rc::gen::inRange<std::uint8_t>(0, c.prefix.length + 1);
      } else {
        const auto count = *rc::gen::inRange(1, 5);
        for (int i = 0; i < count; ++i) {
          FlowOp o;
          o.op = *rc::gen::arbitrary<std::uint8_t>() & 0x7F;  // the end-of-list bit is the coder's
          const unsigned bytes = 1u << ((o.op & 0x30) >> 4);
          o.value = *rc::gen::arbitrary<std::uint64_t>();
          if (bytes < 8) o.value &= (std::uint64_t{1} << (8 * bytes)) - 1;
          c.ops.push_back(o);
        }
      }
      n.flow.push_back(std::move(c));
    }
    return n;
  });
}

}  // namespace bgpsim::wire::gen
