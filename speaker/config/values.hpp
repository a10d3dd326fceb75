// Values of ExaBGP's configuration language, text to typed and back: numbers,
// AS numbers, communities of every kind, route distinguishers. Shared by the
// parser and the printer so what one writes the other reads.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "speaker/config/model.hpp"

namespace bgpsim::config::values {

template <class T>
std::optional<T> number(std::string_view s) {
  T v{};
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    s.remove_prefix(2);
    base = 16;
  }
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (ec != std::errc{} || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// ASN "65000" or asdot "1.10".
std::optional<std::uint32_t> asn(std::string_view s);
// An IPv4 address or a number, as ExaBGP accepts for ids and path-information.
std::optional<std::uint32_t> id_value(std::string_view s);
// RFC 1997 community: A:B, a number (decimal or 0x hex) or a well-known name.
std::optional<std::uint32_t> community(std::string_view s);
std::optional<wire::LargeCommunity> large_community(std::string_view s);
// RFC 4360 / 5668 / 4761 / 8955 extended community in ExaBGP's words.
std::optional<std::uint64_t> extended_community(std::string_view s);
// "AS2:N", "IPv4:N", "AS4:N".
std::optional<RouteDistinguisher> route_distinguisher(std::string_view s);
// A prefix, or an address meaning the host prefix.
std::optional<wire::IpPrefix> prefix(std::string_view s);

std::string community_text(std::uint32_t c);
std::string extended_community_text(std::uint64_t c);  // 0x + 16 hex digits

// Path attributes as route words (" origin igp as-path [ 65001 ] med 5 ..."):
// the one rendering of the configuration printer (default style, which the
// parser reads back) and of the API's text events (ExaBGP's text encoder).
struct AttributeWordsStyle {
  bool next_hop = true;             // " next-hop X" (text events key routes by it instead)
  bool empty_as_path = true;        // ExaBGP's text events leave an empty AS_PATH out
  bool bare_single = false;         // ExaBGP's text prints a list of one without brackets
  bool sorted_communities = false;  // ExaBGP's text sorts RFC 1997 communities
  bool set_after_sequence = false;  // ExaBGP's text: "[ 1 2 ( 3 4 ) ]" whatever the order
  bool upper_hex = false;           // generic attribute values in upper-case hex
};
std::string attribute_words(const wire::PathAttributes& a, const AttributeWordsStyle& style = {});

}  // namespace bgpsim::config::values
