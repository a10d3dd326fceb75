#include "qa/conform/wire.hpp"

#include <boost/asio/ip/address.hpp>

#include <charconv>
#include <stdexcept>
#include <string>

namespace bgpsim::conform {

Bytes u16(std::uint16_t v) { return {std::uint8_t(v >> 8), std::uint8_t(v)}; }
Bytes u32(std::uint32_t v) {
  return {std::uint8_t(v >> 24), std::uint8_t(v >> 16), std::uint8_t(v >> 8), std::uint8_t(v)};
}

Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes message_with_length(std::uint8_t type, const Bytes& body, std::uint16_t length) {
  Bytes m(16, 0xFF);
  m.push_back(std::uint8_t(length >> 8));
  m.push_back(std::uint8_t(length));
  m.push_back(type);
  m.insert(m.end(), body.begin(), body.end());
  return m;
}

Bytes message(std::uint8_t type, const Bytes& body) {
  return message_with_length(type, body, static_cast<std::uint16_t>(19 + body.size()));
}

Bytes keepalive() { return message(msg::keepalive, {}); }

Bytes notification(std::uint8_t code, std::uint8_t subcode, const Bytes& data) {
  Bytes body{code, subcode};
  body.insert(body.end(), data.begin(), data.end());
  return message(msg::notification, body);
}

Bytes route_refresh(std::uint16_t afi, std::uint8_t subtype, std::uint8_t safi) {
  return message(msg::route_refresh, concat({u16(afi), {subtype, safi}}));
}

Bytes capability(std::uint8_t code, const Bytes& value) {
  Bytes c{code, static_cast<std::uint8_t>(value.size())};
  c.insert(c.end(), value.begin(), value.end());
  return c;
}

Bytes cap_multiprotocol(std::uint16_t afi, std::uint8_t safi) {
  return capability(1, concat({u16(afi), {0, safi}}));
}

Bytes cap_as4(std::uint32_t asn) { return capability(65, u32(asn)); }

Bytes open(const OpenSpec& spec) {
  Bytes params;
  auto add = [&](std::uint8_t type, const Bytes& value) {
    params.push_back(type);
    if (spec.extended_parameters) {
      auto l = u16(static_cast<std::uint16_t>(value.size()));
      params.insert(params.end(), l.begin(), l.end());
    } else {
      params.push_back(static_cast<std::uint8_t>(value.size()));
    }
    params.insert(params.end(), value.begin(), value.end());
  };
  for (const auto& c : spec.capabilities) add(2, c);
  for (const auto& p : spec.parameters) params.insert(params.end(), p.begin(), p.end());
  Bytes body{spec.version};
  for (const auto& part : {u16(spec.my_as), u16(spec.hold_s), u32(spec.id)})
    body.insert(body.end(), part.begin(), part.end());
  if (spec.extended_parameters) {
    // RFC 9072 2: Non-Ext OP Len 255, Non-Ext OP Type 255, Extended Opt. Parm. Length.
    body.push_back(255);
    body.push_back(255);
    auto l = u16(static_cast<std::uint16_t>(params.size()));
    body.insert(body.end(), l.begin(), l.end());
  } else {
    body.push_back(static_cast<std::uint8_t>(params.size()));
  }
  body.insert(body.end(), params.begin(), params.end());
  return message(msg::open, body);
}

Bytes attribute(std::uint8_t flags, std::uint8_t code, const Bytes& value) {
  constexpr std::uint8_t extended = 0x10;
  if (value.size() > 255) flags |= extended;
  Bytes a{flags, code};
  if (flags & extended) {
    auto l = u16(static_cast<std::uint16_t>(value.size()));
    a.insert(a.end(), l.begin(), l.end());
  } else {
    a.push_back(static_cast<std::uint8_t>(value.size()));
  }
  a.insert(a.end(), value.begin(), value.end());
  return a;
}

namespace {
Bytes prefix(std::string_view text, bool v6) {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) throw std::invalid_argument("prefix without length");
  unsigned length = 0;
  std::from_chars(text.data() + slash + 1, text.data() + text.size(), length);
  const std::string address(text.substr(0, slash));
  Bytes out{static_cast<std::uint8_t>(length)};
  const std::size_t octets = (length + 7) / 8;
  if (v6) {
    auto a = boost::asio::ip::make_address_v6(address).to_bytes();
    out.insert(out.end(), a.begin(), a.begin() + static_cast<long>(octets));
  } else {
    auto a = boost::asio::ip::make_address_v4(address).to_bytes();
    out.insert(out.end(), a.begin(),
               a.begin() + static_cast<long>(std::min<std::size_t>(octets, 4)));
  }
  return out;
}
}  // namespace

Bytes prefix4(std::string_view text) { return prefix(text, false); }
Bytes prefix6(std::string_view text) { return prefix(text, true); }

Bytes update(const Bytes& withdrawn, const Bytes& attributes, const Bytes& nlri) {
  return message(msg::update,
                 concat({u16(static_cast<std::uint16_t>(withdrawn.size())), withdrawn,
                         u16(static_cast<std::uint16_t>(attributes.size())), attributes, nlri}));
}

bool find_attribute(const Bytes& m, std::uint8_t code, Bytes& value) {
  if (m.size() < 23 || m[18] != msg::update) return false;
  std::size_t at = 19;
  const std::size_t withdrawn = std::size_t(m[at]) << 8 | m[at + 1];
  at += 2 + withdrawn;
  if (at + 2 > m.size()) return false;
  const std::size_t length = std::size_t(m[at]) << 8 | m[at + 1];
  at += 2;
  const std::size_t end = at + length;
  if (end > m.size()) return false;
  while (at + 3 <= end) {
    const std::uint8_t flags = m[at], type = m[at + 1];
    const bool extended = (flags & 0x10) != 0;
    if (at + (extended ? 4u : 3u) > end) return false;
    const std::size_t size = extended ? std::size_t(m[at + 2]) << 8 | m[at + 3] : m[at + 2];
    at += extended ? 4 : 3;
    if (at + size > end) return false;
    if (type == code) {
      value.assign(m.begin() + static_cast<std::ptrdiff_t>(at),
                   m.begin() + static_cast<std::ptrdiff_t>(at + size));
      return true;
    }
    at += size;
  }
  return false;
}

}  // namespace bgpsim::conform
