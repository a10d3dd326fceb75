#include "speaker/wire/nlri.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstring>

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

namespace {
constexpr std::uint32_t key_is_wire = 0xFFFFFFFFu;
constexpr std::size_t raw_header = 8;

std::uint32_t load_u32(const std::uint8_t* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

std::strong_ordering compare_bytes(ByteView a, ByteView b) {
  return std::lexicographical_compare_three_way(a.begin(), a.end(), b.begin(), b.end());
}
}  // namespace

RawNlri::RawNlri(ByteView wire, ByteView key) {
  const bool own_key = !key.empty();
  const std::size_t size = raw_header + wire.size() + (own_key ? key.size() : 0);
  data_ = std::make_unique<std::uint8_t[]>(size);
  const auto wire_length = static_cast<std::uint32_t>(wire.size());
  const auto key_length = own_key ? static_cast<std::uint32_t>(key.size()) : key_is_wire;
  std::memcpy(data_.get(), &wire_length, 4);
  std::memcpy(data_.get() + 4, &key_length, 4);
  std::copy(wire.begin(), wire.end(), data_.get() + raw_header);
  if (own_key) std::copy(key.begin(), key.end(), data_.get() + raw_header + wire.size());
}

RawNlri::RawNlri(const RawNlri& other) {
  if (other.empty()) return;
  const std::uint32_t key_length = load_u32(other.data_.get() + 4);
  const std::size_t size =
      raw_header + load_u32(other.data_.get()) + (key_length == key_is_wire ? 0 : key_length);
  data_ = std::make_unique<std::uint8_t[]>(size);
  std::copy(other.data_.get(), other.data_.get() + size, data_.get());
}

RawNlri& RawNlri::operator=(const RawNlri& other) {
  if (this != &other) *this = RawNlri(other);
  return *this;
}

ByteView RawNlri::wire() const {
  if (!data_) return {};
  return ByteView(data_.get() + raw_header, load_u32(data_.get()));
}

ByteView RawNlri::key() const {
  if (!data_) return {};
  const std::uint32_t key_length = load_u32(data_.get() + 4);
  if (key_length == key_is_wire) return wire();
  return ByteView(data_.get() + raw_header + load_u32(data_.get()), key_length);
}

std::strong_ordering RawNlri::operator<=>(const RawNlri& other) const {
  if (auto c = compare_bytes(wire(), other.wire()); c != 0) return c;
  return compare_bytes(key(), other.key());
}

std::strong_ordering key_compare(const Nlri& a, const Nlri& b) {
  if (auto c = a.prefix <=> b.prefix; c != 0) return c;
  if (auto c = a.path_id <=> b.path_id; c != 0) return c;
  if (auto c = a.rd <=> b.rd; c != 0) return c;
  if (auto c = a.flow <=> b.flow; c != 0) return c;
  return compare_bytes(a.raw.key(), b.raw.key());
}

}  // namespace bgpsim::wire
