// The coder shared by the families whose NLRI is a typed record held as bytes
// (RawNlri, nlri.hpp): MVPN, MUP, VPLS, EVPN, RTC. Each family writes a Route
// struct and four functions; RawCoder<Family> turns them into a row:
//
//   static constexpr std::string_view what;         // "MVPN route", for errors
//   static Route parse(Fields& f);                  // one NLRI: header and body
//   static Bytes key(const Route&, ByteView wire);  // the RFC's route key; empty: all
//   static void to_json(const Route&, ByteView wire, Json& out);  // ExaBGP's object
//   static std::string to_text(const Route&, ByteView wire);      // config/API words
//
// parse reads with absolute offsets through Fields, which keeps the first
// fault, so it names the message's byte; rendering parses the held bytes
// again (they were checked when received).
// Internal to speaker/wire.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

#include "speaker/wire/family_row.hpp"

namespace bgpsim::wire::family_raw {

using Json = nlohmann::ordered_json;

// Why one NLRI is malformed: the byte where it shows, and the reason.
struct Fault {
  std::size_t at = 0;
  std::string reason;
};

// A length in bits (1 byte) then that many bits of address, which must be 0
// (a wildcard, RFC 6625), 32 or 128.
struct SizedAddress {
  std::uint8_t bits = 0;
  IpAddress address;
  std::string to_string() const { return bits == 0 ? "*" : address.to_string(); }
};

// Reads the fields of one NLRI in order. The first malformation is kept (its
// byte and why) and every later read gives zeros without reading, so a
// parser reads straight through and checks `fault()` once at its end.
class Fields {
 public:
  // `first_byte`: where the NLRI starts (its path identifier, if any), named
  // when a field is cut short by the end of the input.
  Fields(Reader& r, std::size_t first_byte) : r_(&r), first_byte_(first_byte) {}

  const std::optional<Fault>& fault() const { return fault_; }
  std::size_t offset() const { return r_->offset(); }
  std::size_t remaining() const { return r_->remaining(); }
  void fail(std::size_t at, std::string reason) {
    if (!fault_) fault_ = Fault{at, std::move(reason)};
  }

  ByteView bytes(std::size_t size, std::string_view name) {
    if (fault_) return {};
    const std::size_t at = r_->offset();
    auto v = r_->take(size);
    if (!v)
      fail(r_->empty() ? first_byte_ : at,
           fmt::format("{} needs {} bytes, {} left", name, size, r_->remaining()));
    return v.value_or(ByteView{});
  }
  std::uint64_t number(std::size_t size, std::string_view name) {
    std::uint64_t v = 0;
    for (auto byte : bytes(size, name)) v = (v << 8) | byte;
    return v;
  }
  RouteDistinguisher rd() { return RouteDistinguisher::from_u64(number(8, "route distinguisher")); }

  // Reads from here on the next `length` bytes (a route's body, whose header
  // gave its length), and `end` checks they are all read; `start` is the
  // NLRI's first byte, named when the body runs past the end of the field.
  void enter(std::size_t length, std::size_t start) {
    if (fault_) return;
    auto sub = r_->sub(length);
    if (!sub) {
      fail(start, fmt::format("length {} runs past the end of the NLRI field ({} bytes left)",
                              length, r_->remaining()));
      return;
    }
    body_ = *sub;
    r_ = &*body_;
  }

  // An address of exactly `size` bytes (4 or 16).
  IpAddress address(std::size_t size, std::string_view name) {
    IpAddress a;
    a.v6 = size == 16;
    auto b = bytes(size, name);
    std::copy(b.begin(), b.end(), a.bytes.begin());
    return a;
  }
  // The rest of the body as an IPv4 or IPv6 address (RFC 6514's Originating
  // Router's IP Address, whose size the route's length gives).
  IpAddress address_rest(std::string_view name) {
    if (fault_) return {};
    if (r_->remaining() != 4 && r_->remaining() != 16)
      // An empty rest may end the input: the NLRI's first byte is then named.
      fail(r_->empty() ? first_byte_ : r_->offset(),
           fmt::format("{} is {} bytes, not 4 or 16", name, r_->remaining()));
    return address(r_->remaining() == 16 ? 16 : 4, name);
  }
  SizedAddress sized_address(std::string_view name) {
    const std::size_t at = r_->offset();
    const auto bits = static_cast<std::uint8_t>(number(1, name));
    if (bits != 0 && bits != 32 && bits != 128)
      fail(at, fmt::format("{} length {} is not 0, 32 or 128 bits", name, bits));
    if (fault_) return {};
    return SizedAddress{bits, bits == 0 ? IpAddress{} : address(bits / 8u, name)};
  }
  // A prefix: a length in bits (at most `max_bits`) then its bytes, rounded up.
  IpPrefix prefix(unsigned max_bits, std::string_view name) {
    const std::size_t at = r_->offset();
    IpPrefix p;
    p.address.v6 = max_bits == 128;
    p.length = static_cast<std::uint8_t>(number(1, name));
    if (p.length > max_bits)
      fail(at, fmt::format("{} length {} exceeds {} bits", name, p.length, max_bits));
    auto b = bytes((p.length + 7u) / 8u, name);
    std::copy(b.begin(), b.end(), p.address.bytes.begin());
    return p;
  }
  // The body has no bytes left.
  void end(std::string_view what) {
    if (!fault_ && !r_->empty())
      fail(r_->offset(), fmt::format("{} bytes left after the {}", r_->remaining(), what));
  }

 private:
  Reader* r_;
  std::size_t first_byte_;
  std::optional<Reader> body_;
  std::optional<Fault> fault_;
};

inline std::string hex_of(ByteView b) { return to_hex(b, true); }

// ---------------------------------------------------------------- from words

// Reads a route's configuration words (FamilyRow::from_fields) into the
// NLRI's bytes: each getter names the word it wants in the error it leaves.
class Words {
 public:
  explicit Words(std::span<const NlriField> fields) : fields_(fields) {}

  const std::optional<std::string>& error() const { return error_; }
  void fail(std::string reason) {
    if (!error_) error_ = std::move(reason);
  }
  bool has(std::string_view key) const { return find(key) != nullptr; }
  // Which of `kinds` (the words naming a route type) is given: 1 for the
  // first, 0 (and an error listing them) for none.
  unsigned which(std::initializer_list<std::string_view> kinds, std::string_view family) {
    unsigned i = 1;
    for (auto kind : kinds) {
      if (has(kind)) return i;
      ++i;
    }
    std::string names;
    for (auto kind : kinds) names += fmt::format("{}{}", names.empty() ? "" : ", ", kind);
    fail(fmt::format("{} needs one of {}", family, names));
    return 0;
  }
  // The value after `key`, or "" (and an error) when it is absent.
  std::string value(std::string_view key) {
    const NlriField* f = find(key);
    if (!f || f->values.size() != 1) {
      fail(fmt::format("'{}' needs one value", key));
      return "";
    }
    return f->values[0];
  }
  IpAddress address(std::string_view key) {
    const std::string text = value(key);
    auto ip = IpAddress::parse(text);
    if (!ip && !error_) fail(fmt::format("'{}' is not an IP address: '{}'", key, text));
    return ip.value_or(IpAddress{});
  }
  IpPrefix prefix(std::string_view key) {
    const std::string text = value(key);
    auto p = IpPrefix::parse(text);
    if (!p && !error_) fail(fmt::format("'{}' is not a prefix: '{}'", key, text));
    return p.value_or(IpPrefix{});
  }
  std::uint64_t number(std::string_view key, std::uint64_t max) {
    return number_of(value(key), key, max);
  }
  std::uint64_t number_of(const std::string& text, std::string_view key, std::uint64_t max) {
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if ((ec != std::errc{} || end != text.data() + text.size() || text.empty() || v > max) &&
        !error_)
      fail(fmt::format("'{}' needs a number up to {}, not '{}'", key, max, text));
    // Callers go on building after an error (it is reported once, at the
    // end): never hand them a value past `max` (a shift or a length).
    return std::min(v, max);
  }

 private:
  const NlriField* find(std::string_view key) const {
    for (const auto& f : fields_)
      if (f.key == key) return &f;
    return nullptr;
  }
  std::span<const NlriField> fields_;
  std::optional<std::string> error_;
};

// The NLRI of `family` from the bytes words built, or the words' error, or
// the decoder's (a value the family cannot carry).
inline std::variant<Nlri, std::string> from_words(Family family, const Words& words,
                                                  const Bytes& bytes) {
  if (words.error()) return *words.error();
  auto n = nlri_from_bytes(family, bytes);
  if (!n.ok()) return n.error().reason;
  return std::move(n.value());
}

// An address as RFC 6514 and the MUP draft size it: a length in bits, then it.
inline void write_sized(Writer& w, const IpAddress& a) {
  w.u8(static_cast<std::uint8_t>(a.size() * 8));
  w.bytes(ByteView(a.bytes.data(), a.size()));
}

// A header's one-byte length, patched once `body` has written the route.
template <class Body>
void with_length(Writer& w, Body body) {
  const auto at = w.reserve_u8();
  const auto before = w.size();
  body();
  w.patch_u8(at, static_cast<std::uint8_t>(w.size() - before));
}

template <class T>
struct RawCoder {
  static std::optional<DecodeError> decode(Reader& r, bool add_path, std::uint8_t subcode,
                                           std::vector<Nlri>& out) {
    while (!r.empty()) {
      const std::size_t start = r.offset();
      Nlri n;
      if (!read_path_id(r, add_path, n))
        return make_error(start, NotifyCode::update_message, subcode,
                          "path identifier runs past the end of the NLRI");
      const ByteView rest = r.peek_rest();
      const std::size_t at = r.offset();
      Fields f(r, start);
      const auto route = T::parse(f);
      if (const auto& fault = f.fault())
        return make_error(fault->at, NotifyCode::update_message, subcode,
                          fmt::format("{}: {}", T::what, fault->reason));
      const ByteView wire = rest.first(r.offset() - at);
      const Bytes key = T::key(route, wire);
      n.raw = RawNlri(wire, key);
      out.push_back(std::move(n));
    }
    return std::nullopt;
  }

  static void encode(const Nlri& n, bool add_path, Writer& w) {
    if (add_path) w.u32(n.path_id.value_or(0));
    w.bytes(n.raw.wire());
  }

  static std::size_t size(const Nlri& n, bool add_path) {
    return (add_path ? 4u : 0u) + n.raw.wire().size();
  }

  static std::optional<std::string> invalid(const Nlri& n) {
    if (n.raw.empty()) return fmt::format("{} {} has no bytes", T::what, n.prefix.to_string());
    return std::nullopt;
  }

  // These families withdraw the NLRI as announced.
  static Nlri as_withdrawn(const Nlri& n) { return n; }

  // Held bytes were checked when built (decode, nlri_from_bytes).
  static typename T::Route route_of(const Nlri& n) {
    Reader r(n.raw.wire());
    Fields f(r, 0);
    return T::parse(f);
  }

  static void to_json(const Nlri& n, Json& out) {
    T::to_json(route_of(n), n.raw.wire(), out);
    // ExaBGP prints path identifiers dotted-quad.
    if (n.path_id) out["path-information"] = dotted_quad(*n.path_id);
  }

  static std::string to_text(const Nlri& n) {
    std::string out = T::to_text(route_of(n), n.raw.wire());
    if (n.path_id) out += fmt::format(" path-information {}", *n.path_id);
    return out;
  }

  static constexpr FamilyRow row(Family family, std::string_view name, NextHopForms next_hop,
                                 decltype(FamilyRow::from_fields) from_fields = nullptr) {
    return FamilyRow{family,  name,    false, false,       false,        false,
                     decode,  encode,  size,  invalid,     as_withdrawn, next_hop,
                     to_json, to_text, true,  from_fields, true,         false};
  }
};

}  // namespace bgpsim::wire::family_raw
