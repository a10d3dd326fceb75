#include "speaker/wire/nlri.hpp"

#include <fmt/format.h>

#include <charconv>

namespace bgpsim::wire {

RouteDistinguisher RouteDistinguisher::from_u64(std::uint64_t wire) {
  return RouteDistinguisher{static_cast<std::uint16_t>(wire >> 48), wire & 0xFFFFFFFFFFFFu};
}

std::string RouteDistinguisher::to_string() const {
  // RFC 4364 4.2: type 0 is a 2-byte ASN and a 4-byte number, type 1 an IPv4
  // address and a 2-byte number, type 2 a 4-byte ASN and a 2-byte number.
  switch (type) {
    case 0:
      return fmt::format("{}:{}", value >> 32, value & 0xFFFFFFFFu);
    case 1:
      return fmt::format("{}:{}", dotted_quad(static_cast<std::uint32_t>(value >> 16)),
                         value & 0xFFFFu);
    case 2:
      return fmt::format("{}:{}", value >> 16, value & 0xFFFFu);
    default:
      return fmt::format("0x{:016X}", to_u64());
  }
}

namespace {
template <class T>
std::optional<T> number_of(std::string_view s) {
  T v{};
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}
}  // namespace

std::optional<RouteDistinguisher> RouteDistinguisher::parse(std::string_view text) {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto global = text.substr(0, colon);
  auto local = number_of<std::uint32_t>(text.substr(colon + 1));
  if (!local) return std::nullopt;
  if (global.find('.') != std::string_view::npos) {
    auto ip = IpAddress::parse(global);
    if (!ip || ip->v6 || *local > 0xFFFF) return std::nullopt;
    return RouteDistinguisher{1, (std::uint64_t{ip->v4_u32()} << 16) | *local};
  }
  auto as = number_of<std::uint32_t>(global);
  if (!as) return std::nullopt;
  if (*as > 0xFFFF) {
    if (*local > 0xFFFF) return std::nullopt;
    return RouteDistinguisher{2, (std::uint64_t{*as} << 16) | *local};
  }
  return RouteDistinguisher{0, (std::uint64_t{*as} << 32) | *local};
}

LabelStack LabelStack::from_labels(const std::vector<std::uint32_t>& labels) {
  LabelStack s;
  for (std::size_t i = 0; i < labels.size() && i < capacity; ++i)
    s.push(((labels[i] & 0xFFFFFu) << 4) | (i + 1 == labels.size() ? bottom_of_stack : 0));
  return s;
}

bool LabelStack::push(std::uint32_t raw_entry) {
  if (count == capacity) return false;
  raw[count++] = raw_entry & 0xFFFFFFu;
  return true;
}

std::strong_ordering key_compare(const Nlri& a, const Nlri& b) {
  if (auto c = a.prefix <=> b.prefix; c != 0) return c;
  if (auto c = a.path_id <=> b.path_id; c != 0) return c;
  if (auto c = a.rd <=> b.rd; c != 0) return c;
  return a.flow <=> b.flow;
}

}  // namespace bgpsim::wire
