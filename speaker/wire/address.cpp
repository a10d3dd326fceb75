#include "speaker/wire/address.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <string>

namespace bgpsim::wire {

IpAddress IpAddress::v4_from_u32(std::uint32_t v) {
  IpAddress a;
  a.bytes[0] = static_cast<std::uint8_t>(v >> 24);
  a.bytes[1] = static_cast<std::uint8_t>(v >> 16);
  a.bytes[2] = static_cast<std::uint8_t>(v >> 8);
  a.bytes[3] = static_cast<std::uint8_t>(v);
  return a;
}

std::uint32_t IpAddress::v4_u32() const {
  return (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) |
         (std::uint32_t{bytes[2]} << 8) | bytes[3];
}

std::string IpAddress::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof buf);
  return buf;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  std::string s(text);
  IpAddress a;
  if (s.find(':') != std::string::npos) {
    a.v6 = true;
    if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) != 1) return std::nullopt;
  } else if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) != 1) {
    return std::nullopt;
  }
  return a;
}

std::string IpPrefix::to_string() const {
  return address.to_string() + "/" + std::to_string(length);
}

std::optional<IpPrefix> IpPrefix::parse(std::string_view text) {
  auto slash = text.find('/');
  auto addr = IpAddress::parse(text.substr(0, slash));
  if (!addr) return std::nullopt;
  unsigned length = addr->v6 ? 128 : 32;
  if (slash != std::string_view::npos) {
    auto digits = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
    if (ec != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
  }
  if (length > (addr->v6 ? 128u : 32u)) return std::nullopt;
  IpPrefix p{*addr, static_cast<std::uint8_t>(length)};
  // Clear host bits so equal prefixes compare equal.
  for (unsigned bit = length; bit < 128; ++bit)
    p.address.bytes[bit / 8] &= static_cast<std::uint8_t>(~(0x80u >> (bit % 8)));
  return p;
}

std::string dotted_quad(std::uint32_t v) { return IpAddress::v4_from_u32(v).to_string(); }

}  // namespace bgpsim::wire
