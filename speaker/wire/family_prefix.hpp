// The coders shared by the families whose NLRI is a prefix, optionally
// preceded by a label stack (RFC 8277) and a route distinguisher (RFC 4364
// 4.3.4, RFC 4659 3.2): unicast, multicast, nlri-mpls and mpls-vpn rows
// instantiate PrefixCoder with their shape. Internal to speaker/wire.
//
//   [path id (4, RFC 7911)] length (1, in bits) [labels (3 each)] [RD (8)] prefix
#pragma once

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "speaker/wire/family_row.hpp"

namespace bgpsim::wire::family_prefix {

template <bool V6, bool Labels, bool Rd>
struct PrefixCoder {
  static constexpr unsigned max_prefix_bits = V6 ? 128 : 32;
  static constexpr unsigned rd_bits = Rd ? 64 : 0;

  static std::optional<DecodeError> decode(Reader& r, bool add_path, std::uint8_t subcode,
                                           std::vector<Nlri>& out) {
    auto fail = [&](std::size_t at, std::string reason) {
      return make_error(at, NotifyCode::update_message, subcode, std::move(reason));
    };
    out.reserve(out.size() + count(r, add_path));
    while (!r.empty()) {
      const std::size_t start = r.offset();
      Nlri n;
      if (!read_path_id(r, add_path, n))
        return fail(start, "path identifier runs past the end of the NLRI");
      auto length = r.u8();
      if (!length) return fail(start, "missing prefix length");
      unsigned bits = *length;
      if constexpr (Labels) {
        // RFC 8277 2.2: labels until the one with the bottom-of-stack bit. A
        // withdrawal's label field (RFC 8277 2.4: 0x800000, or 0x000000 from
        // older speakers) has no such bit and ends the stack too.
        for (;;) {
          if (bits < 24)
            return fail(start,
                        fmt::format("length of {} bits leaves no room for a label", *length));
          auto entry = r.take(3);
          if (!entry) return fail(start, "label runs past the end of the NLRI");
          const std::uint32_t raw =
              (std::uint32_t{(*entry)[0]} << 16) | (std::uint32_t{(*entry)[1]} << 8) | (*entry)[2];
          bits -= 24;
          if (!n.labels.push(raw))
            return fail(start, fmt::format("more than {} labels", LabelStack::capacity));
          if ((raw & LabelStack::bottom_of_stack) || raw == LabelStack::withdraw_compatibility ||
              raw == 0)
            break;
        }
      }
      if constexpr (Rd) {
        if (bits < rd_bits)
          return fail(start, fmt::format("length of {} bits leaves no room for a route "
                                         "distinguisher",
                                         *length));
        auto rd = r.u64();
        if (!rd) return fail(start, "route distinguisher runs past the end of the NLRI");
        n.rd = RouteDistinguisher::from_u64(*rd);
        bits -= rd_bits;
      }
      if (bits > max_prefix_bits)
        return fail(start, fmt::format("prefix length {} exceeds {} bits", bits, max_prefix_bits));
      const std::size_t octets = (bits + 7u) / 8u;
      auto prefix = r.take(octets);
      if (!prefix) return fail(start, fmt::format("prefix of {} bits runs past the end", bits));
      n.prefix.length = static_cast<std::uint8_t>(bits);
      n.prefix.address.v6 = V6;
      std::copy(prefix->begin(), prefix->end(), n.prefix.address.bytes.begin());
      // Trailing bits past the prefix length are ignored (RFC 4271 4.3 pads
      // "to fall on an octet boundary"); clearing them makes equal routes equal.
      if (bits % 8 != 0)
        n.prefix.address.bytes[octets - 1] &= static_cast<std::uint8_t>(0xFF00u >> (bits % 8));
      out.push_back(std::move(n));
    }
    return std::nullopt;
  }

  // How many NLRI the field holds, from the length octets alone (the length
  // covers labels, RD and prefix), so decode() allocates once: a packed
  // 4 KB UPDATE holds ~1,000 /24s, and a vector of 96-byte Nlri grown by
  // doubling passed malloc's mmap threshold and took page faults on every
  // message (a third of the decode time). A malformed field only stops the
  // count early; decode() reports it.
  static std::size_t count(Reader r, bool add_path) {
    std::size_t n = 0;
    while (!r.empty()) {
      if (add_path && !r.take(4)) break;
      auto length = r.u8();
      if (!length || !r.take((*length + 7u) / 8u)) break;
      ++n;
    }
    return n;
  }

  // An empty stack on a labeled family is sent as the one label RFC 8277 2.4
  // gives a withdrawal (0x800000): a labeled NLRI always has a label field.
  static std::size_t label_bytes(const Nlri& n) {
    if constexpr (Labels) return 3u * (n.labels.empty() ? 1u : n.labels.count);
    return 0;
  }

  static void encode(const Nlri& n, bool add_path, Writer& w) {
    if (add_path) w.u32(n.path_id.value_or(0));
    w.u8(static_cast<std::uint8_t>(label_bytes(n) * 8 + rd_bits + n.prefix.length));
    if constexpr (Labels) {
      if (n.labels.empty()) {
        w.u8(0x80);
        w.u16(0);
      }
      for (std::size_t i = 0; i < n.labels.count; ++i) {
        w.u8(static_cast<std::uint8_t>(n.labels.raw[i] >> 16));
        w.u16(static_cast<std::uint16_t>(n.labels.raw[i]));
      }
    }
    if constexpr (Rd) w.u64(n.rd.to_u64());
    w.bytes(ByteView(n.prefix.address.bytes.data(), (n.prefix.length + 7u) / 8u));
  }

  static std::size_t size(const Nlri& n, bool add_path) {
    return (add_path ? 4u : 0u) + 1u + label_bytes(n) + rd_bits / 8 + (n.prefix.length + 7u) / 8u;
  }

  static std::optional<std::string> invalid(const Nlri& n) {
    if (n.prefix.address.v6 != V6 || n.prefix.length > max_prefix_bits)
      return fmt::format("{} is not a prefix of the family", n.prefix.to_string());
    if (label_bytes(n) * 8 + rd_bits + n.prefix.length > 255)
      return fmt::format(
          "{} labels, the route distinguisher and a /{} exceed the 255 bits an NLRI "
          "length can say",
          int{n.labels.count}, int{n.prefix.length});
    return std::nullopt;
  }

  static Nlri as_withdrawn(const Nlri& n) {
    Nlri w = n;
    if constexpr (Labels) {
      // RFC 8277 2.4: "the Compatibility field SHOULD be set to 0x800000".
      w.labels = LabelStack{};
      w.labels.push(LabelStack::withdraw_compatibility);
    }
    return w;
  }

  static void to_json(const Nlri& n, nlohmann::ordered_json& out) {
    out["nlri"] = n.prefix.to_string();
    // ExaBGP prints path identifiers dotted-quad.
    if (n.path_id) out["path-information"] = dotted_quad(*n.path_id);
    if constexpr (Labels) {
      // ExaBGP: [[label, raw entry], ...].
      auto labels = nlohmann::ordered_json::array();
      for (std::size_t i = 0; i < n.labels.count; ++i)
        labels.push_back({LabelStack::label_of(n.labels.raw[i]), n.labels.raw[i]});
      out["label"] = std::move(labels);
    }
    if constexpr (Rd) out["rd"] = n.rd.to_string();
  }

  static std::string to_text(const Nlri& n) {
    std::string out = n.prefix.to_string();
    if (n.path_id) out += fmt::format(" path-information {}", *n.path_id);
    if constexpr (Rd) out += " rd " + n.rd.to_string();
    if constexpr (Labels) {
      out += " label [";
      for (std::size_t i = 0; i < n.labels.count; ++i)
        out += fmt::format(" {}", LabelStack::label_of(n.labels.raw[i]));
      out += " ]";
    }
    return out;
  }

  static constexpr FamilyRow row(Family family, std::string_view name, bool base_fields,
                                 NextHopForms next_hop) {
    return FamilyRow{family,  name,    base_fields, Labels,  Rd,           false,
                     decode,  encode,  size,        invalid, as_withdrawn, next_hop,
                     to_json, to_text, false,       nullptr, true,         false};
  }
};

}  // namespace bgpsim::wire::family_prefix
