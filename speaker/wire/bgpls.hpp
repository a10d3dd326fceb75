// The BGP-LS attribute (RFC 9552 5.3, path attribute 29, optional
// non-transitive): the codec carries it as a RawAttribute; this reads its
// TLVs for the JSON (ExaBGP's "bgp-ls" object) and for RFC 9552 8.2.2's
// check on receipt. The NLRI rows are in family_bgpls.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>

#include "speaker/wire/bytes.hpp"

namespace bgpsim::wire::bgp_ls {

inline constexpr std::uint8_t attribute_code = 29;

// A malformed TLV: its byte offset in the attribute's value, and why.
struct Fault {
  std::size_t offset = 0;
  std::string reason;
};

// Why the attribute's value is malformed (RFC 9552 8.2.2), or nullopt: what
// the decoder checks on receipt, without building the JSON.
std::optional<Fault> attribute_fault(ByteView value);

// The attribute's TLVs as ExaBGP names them (node, link and prefix
// attributes, RFC 9085's SR TLVs); a TLV this build does not name is kept as
// "generic-lsid-TYPE": ["0xHEX"]. A Fault when a TLV's length runs past the
// value or does not fit the TLV's fixed size.
std::variant<nlohmann::ordered_json, Fault> attribute_json(ByteView value);

}  // namespace bgpsim::wire::bgp_ls
