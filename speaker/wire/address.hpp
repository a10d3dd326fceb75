// IP addresses and prefixes as plain values (no sockets, no allocation):
// the codec and the RIBs hold millions of these.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bgpsim::wire {

struct IpAddress {
  std::array<std::uint8_t, 16> bytes{};  // IPv4 uses the first 4 bytes
  bool v6 = false;

  static IpAddress v4_from_u32(std::uint32_t v);
  std::uint32_t v4_u32() const;
  std::size_t size() const { return v6 ? 16 : 4; }
  std::string to_string() const;
  static std::optional<IpAddress> parse(std::string_view text);
  auto operator<=>(const IpAddress&) const = default;
};

struct IpPrefix {
  IpAddress address;  // host bits beyond length are zero once decoded canonically
  std::uint8_t length = 0;

  std::string to_string() const;  // "10.0.0.0/24"
  static std::optional<IpPrefix> parse(std::string_view text);
  auto operator<=>(const IpPrefix&) const = default;
};

// Router ids and BGP identifiers are rendered dotted-quad.
std::string dotted_quad(std::uint32_t v);

}  // namespace bgpsim::wire
