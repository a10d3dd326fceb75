// The Tunnel Encapsulation attribute (RFC 9012) and its SR Policy tunnel type
// (RFC 9830, RFC 9831): the check on receipt, ExaBGP's JSON, the value built
// from ExaBGP's words, and ExaBGP's wire habits (tunnel_encap.hpp).
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>

#include "speaker/wire/address.hpp"
#include "speaker/wire/tunnel_encap.hpp"
#include "speaker/wire/utf8.hpp"

namespace bgpsim::wire::tunnel_encap {

namespace {

using Json = nlohmann::ordered_json;

// Sub-TLV types of the SR Policy tunnel type (RFC 9830 2.4, IANA "BGP Tunnel
// Encapsulation Attribute sub-TLVs").
enum Sub : std::uint8_t {
  preference = 12,
  binding_sid = 13,
  enlp = 14,
  priority = 15,
  srv6_binding_sid = 20,
  segment_list = 128,
  candidate_path_name = 129,
  policy_name = 130,
};
// Segment List sub-TLVs (RFC 9830 2.4.4, RFC 9831 2).
constexpr std::uint8_t weight_type = 9;
constexpr std::uint32_t max_label = 0xFFFFF;

// One TLV of a run and where it sits in the attribute's value.
struct Item {
  unsigned type = 0;
  std::size_t at = 0;        // its header
  std::size_t value_at = 0;  // its value
  ByteView value;
};

// RFC 9012 2: tunnel TLVs have a 2-byte type and length; 2.1: a sub-TLV of
// type 0-127 a 1-byte length, 128-255 a 2-byte one. The Segment List's own
// sub-TLVs (RFC 9830 2.4.4) all have 1-byte lengths.
enum class Framing { tlv, sub_tlv, segment };

std::optional<Fault> split(ByteView run, std::size_t base, Framing framing,
                           std::vector<Item>& out) {
  std::size_t off = 0;
  const char* what = framing == Framing::tlv       ? "tunnel TLV"
                     : framing == Framing::sub_tlv ? "sub-TLV"
                                                   : "segment list sub-TLV";
  while (off < run.size()) {
    const std::size_t left = run.size() - off;
    Item item;
    item.at = base + off;
    std::size_t header = 2, length = 0;
    if (framing == Framing::tlv) {
      header = 4;
      if (left < header)
        return Fault{item.at, fmt::format("{} header needs 4 bytes, {} left", what, left)};
      item.type = (unsigned{run[off]} << 8) | run[off + 1];
      length = (std::size_t{run[off + 2]} << 8) | run[off + 3];
    } else {
      item.type = run[off];
      if (framing == Framing::sub_tlv && item.type >= 128) header = 3;
      if (left < header)
        return Fault{item.at, fmt::format("{} {} header needs {} bytes, {} left", what, item.type,
                                          header, left)};
      length = header == 3 ? (std::size_t{run[off + 1]} << 8) | run[off + 2] : run[off + 1];
    }
    if (length > left - header)
      return Fault{item.at, fmt::format("{} {} length {} runs past its container ({} bytes left)",
                                        what, item.type, length, left - header)};
    item.value_at = item.at + header;
    item.value = run.subspan(off + header, length);
    out.push_back(item);
    off += header + length;
  }
  return std::nullopt;
}

std::uint32_t u32_at(ByteView v, std::size_t at) {
  return (std::uint32_t{v[at]} << 24) | (std::uint32_t{v[at + 1]} << 16) |
         (std::uint32_t{v[at + 2]} << 8) | v[at + 3];
}
std::string address_at(ByteView v, std::size_t at, bool v6) {
  IpAddress a;
  a.v6 = v6;
  std::copy_n(v.begin() + static_cast<std::ptrdiff_t>(at), a.size(), a.bytes.begin());
  return a.to_string();
}
std::string hex(ByteView v) { return "0x" + to_hex(v, true); }

// RFC 9830 2.4.4.2.4: SRv6 Endpoint Behavior and SID Structure, 8 bytes.
Json endpoint_behavior_json(ByteView v, std::size_t at) {
  return Json{{"behavior", (unsigned{v[at]} << 8) | v[at + 1]},
              {"lb-length", v[at + 4]},
              {"ln-length", v[at + 5]},
              {"fun-length", v[at + 6]},
              {"arg-length", v[at + 7]}};
}

// Segment flags (RFC 9830 2.4.4.2.12): V, A, S, B.
constexpr std::uint8_t flag_v = 0x80, flag_a = 0x40, flag_b = 0x10;

// One segment as ExaBGP shows it, or nullopt when its size is not one its
// type allows (it is then shown as bytes).
std::optional<Json> segment_json(const Item& s) {
  const ByteView v = s.value;
  const std::size_t n = v.size();
  auto mpls = [&](Json& j, std::size_t base, bool full) {
    if (n < base + 4) return;
    const std::uint32_t entry = u32_at(v, base);
    j["sid"] = entry >> 12;
    if (!full) return;
    j["tc"] = (entry >> 9) & 7;
    j["s"] = (entry & 0x100) != 0;
    j["ttl"] = entry & 0xFF;
  };
  // Types I, J, K: an optional SRv6 SID, then the endpoint behavior when the
  // B flag says so.
  auto srv6_tail = [&](Json& j, std::size_t base) {
    if (n < base + 16) return;
    j["sid"] = address_at(v, base, true);
    if (n >= base + 24 && (v[0] & flag_b))
      j["endpoint-behavior"] = endpoint_behavior_json(v, base + 16);
  };
  // G and H: an optional MPLS SID at `base`; J and K: the algorithm, then
  // the SRv6 tail.
  auto adjacency_tail = [&](Json& j, std::size_t base, bool mpls_sid) {
    if (mpls_sid) return mpls(j, base, false);
    j["algorithm"] = v[1];
    srv6_tail(j, base);
  };
  auto sized = [&](std::initializer_list<std::size_t> sizes) {
    return std::find(sizes.begin(), sizes.end(), n) != sizes.end();
  };
  Json j;
  switch (s.type) {
    case 1:  // A: an MPLS label stack entry
      if (!sized({6})) return std::nullopt;
      j["type"] = "A";
      j["label"] = u32_at(v, 2) >> 12;
      j["tc"] = (u32_at(v, 2) >> 9) & 7;
      j["s"] = (u32_at(v, 2) & 0x100) != 0;
      j["ttl"] = u32_at(v, 2) & 0xFF;
      return j;
    case 13:  // B: an SRv6 SID, the endpoint behavior after it with the B flag
      if (!sized({18, 26})) return std::nullopt;
      j["type"] = "B";
      j["sid"] = address_at(v, 2, true);
      if (n == 26 && (v[0] & flag_b)) j["endpoint-behavior"] = endpoint_behavior_json(v, 18);
      return j;
    case 3:  // C: IPv4 node, algorithm, optional MPLS SID
      if (!sized({6, 10})) return std::nullopt;
      j = Json{{"type", "C"}, {"ipv4_node", address_at(v, 2, false)}, {"algorithm", v[1]}};
      mpls(j, 6, true);
      return j;
    case 4:  // D: IPv6 node
      if (!sized({18, 22})) return std::nullopt;
      j = Json{{"type", "D"}, {"ipv6_node", address_at(v, 2, true)}, {"algorithm", v[1]}};
      mpls(j, 18, false);
      return j;
    case 5:  // E: IPv4 node and local interface
      if (!sized({10, 14})) return std::nullopt;
      j = Json{
          {"type", "E"}, {"local_if_id", u32_at(v, 2)}, {"ipv4_node", address_at(v, 6, false)}};
      mpls(j, 10, false);
      return j;
    case 6:  // F: IPv4 adjacency
      if (!sized({10, 14})) return std::nullopt;
      j = Json{{"type", "F"},
               {"local_ipv4", address_at(v, 2, false)},
               {"remote_ipv4", address_at(v, 6, false)}};
      mpls(j, 10, false);
      return j;
    case 7:   // G: IPv6 link-local adjacency with interface IDs
    case 15:  // J: the same with an algorithm and an SRv6 SID
      if (!sized(s.type == 7 ? std::initializer_list<std::size_t>{42, 46}
                             : std::initializer_list<std::size_t>{42, 58, 66}))
        return std::nullopt;
      j = Json{{"type", s.type == 7 ? "G" : "J"},
               {"local_if_id", u32_at(v, 2)},
               {"local_ipv6", address_at(v, 6, true)},
               {"remote_if_id", u32_at(v, 22)},
               {"remote_ipv6", address_at(v, 26, true)}};
      adjacency_tail(j, 42, s.type == 7);
      return j;
    case 8:   // H: IPv6 adjacency
    case 16:  // K: the same with an algorithm and an SRv6 SID
      if (!sized(s.type == 8 ? std::initializer_list<std::size_t>{34, 38}
                             : std::initializer_list<std::size_t>{34, 50, 58}))
        return std::nullopt;
      j = Json{{"type", s.type == 8 ? "H" : "K"},
               {"local_ipv6", address_at(v, 2, true)},
               {"remote_ipv6", address_at(v, 18, true)}};
      adjacency_tail(j, 34, s.type == 8);
      return j;
    case 14:  // I: IPv6 node, algorithm, optional SRv6 SID
      if (!sized({18, 34, 42})) return std::nullopt;
      j = Json{{"type", "I"}, {"ipv6_node", address_at(v, 2, true)}, {"algorithm", v[1]}};
      srv6_tail(j, 18);
      return j;
    default:
      return std::nullopt;
  }
}

// A Segment List sub-TLV (its framing checked): a reserved byte, then the
// weight (ExaBGP shows 1 when absent) and the segments in order.
Json segment_list_json(const Item& list) {
  std::vector<Item> subs;
  split(list.value.subspan(1), list.value_at + 1, Framing::segment, subs);
  Json j{{"weight", 1}, {"segments", Json::array()}};
  for (const auto& s : subs) {
    if (s.type == weight_type && s.value.size() == 6) {
      j["weight"] = u32_at(s.value, 2);
    } else if (auto seg = segment_json(s)) {
      j["segments"].push_back(std::move(*seg));
    } else {
      j["segments"].push_back(Json{{"code", s.type}, {"raw", hex(s.value)}});
    }
  }
  return j;
}

Json sr_policy_json(const Item& tlv) {
  std::vector<Item> subs;
  split(tlv.value, tlv.value_at, Framing::sub_tlv, subs);
  Json j = Json::object();
  Json lists = Json::array();
  std::array<bool, 256> seen{};
  for (const auto& s : subs) {
    const ByteView v = s.value;
    const std::size_t n = v.size();
    // RFC 9012 13: "all but the first occurrence of each such sub-TLV type
    // MUST be disregarded" (RFC 9830 allows one of each but segment lists and
    // SRv6 Binding SIDs).
    const bool single = s.type != segment_list && s.type != srv6_binding_sid;
    if (single && seen[s.type]) continue;
    bool shown = true;
    switch (s.type) {
      case preference:
        if ((shown = n == 6)) j["preference"] = u32_at(v, 2);
        break;
      case binding_sid:  // RFC 9830 2.4.2: no BSID, an MPLS label or an SRv6 SID
        if (n == 2)
          j["binding-sid"] = nullptr;
        else if (n == 6)
          j["binding-sid"] = Json{{"type", "mpls"}, {"label", u32_at(v, 2) >> 12}};
        else if (n == 18)
          j["binding-sid"] = Json{{"type", "srv6"}, {"sid", address_at(v, 2, true)}};
        else
          shown = false;
        break;
      case enlp:
        if ((shown = n == 3)) j["enlp"] = v[2];
        break;
      case priority:
        if ((shown = n == 2)) j["priority"] = v[0];
        break;
      case srv6_binding_sid:  // RFC 9830 2.4.3: the B flag (0x20) adds the behavior
        if (n == 26 && (v[0] & 0x20)) {
          Json b{{"sid", address_at(v, 2, true)}};
          b.update(endpoint_behavior_json(v, 18));
          j["srv6-binding-sid"] = std::move(b);
        } else if ((shown = n == 18 || n == 26)) {
          j["srv6-binding-sid"] = address_at(v, 2, true);
        }
        break;
      case policy_name:
      case candidate_path_name:  // RFC 9830 2.4.7-8: a reserved byte, then the name
        if ((shown = n >= 1)) {
          const auto* text = reinterpret_cast<const char*>(v.data() + 1);
          j[s.type == policy_name ? "policy-name" : "candidate-path-name"] =
              sanitize_utf8(std::string_view(text, n - 1));
        }
        break;
      case segment_list:
        if ((shown = n >= 1)) lists.push_back(segment_list_json(s));
        break;
      default:
        shown = false;
    }
    if (shown) {
      seen[s.type] = true;
    } else {
      j[fmt::format("unknown-subtlv-{}", s.type)] = hex(v);
    }
  }
  if (!lists.empty()) j["segment-lists"] = std::move(lists);
  return j;
}

// --------------------------------------------------------------- from words

class Words {
 public:
  explicit Words(std::span<const std::string> w) : w_(w) {}
  const std::optional<std::string>& error() const { return error_; }
  void fail(std::string why) {
    if (!error_) error_ = std::move(why);
    i_ = w_.size();  // stop reading
  }
  bool more() const { return i_ < w_.size(); }
  bool next_is(std::string_view word) const { return more() && w_[i_] == word; }
  std::string take() { return more() ? w_[i_++] : std::string(); }
  // The value of `key` (the word just read).
  std::string value(std::string_view key) {
    if (!more()) {
      fail(fmt::format("'{}' needs a value", key));
      return {};
    }
    return take();
  }
  void expect(std::string_view keyword, std::string_view after) {
    if (next_is(keyword)) {
      take();
      return;
    }
    fail(fmt::format("'{}' expects '{}' next, not '{}'", after, keyword,
                     more() ? w_[i_] : std::string("the end")));
  }
  // A number up to `max`, decimal or 0x hex (ExaBGP reads behaviors with int(x, 0)).
  std::uint64_t number(std::string_view key, std::uint64_t max) {
    const std::string text = value(key);
    if (error_) return 0;
    std::string_view digits = text;
    int base = 10;
    if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
      digits.remove_prefix(2);
      base = 16;
    }
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v, base);
    if (ec != std::errc{} || end != digits.data() + digits.size() || digits.empty() || v > max) {
      fail(fmt::format("'{}' needs a number up to {}, not '{}'", key, max, text));
      return 0;
    }
    return v;
  }
  std::uint32_t label(std::string_view key) {
    return static_cast<std::uint32_t>(number(key, max_label));
  }
  IpAddress address(std::string_view key, bool v6) {
    const std::string text = value(key);
    auto a = IpAddress::parse(text);
    if (!error_ && (!a || a->v6 != v6))
      fail(fmt::format("'{}' needs an {} address, not '{}'", key, v6 ? "IPv6" : "IPv4", text));
    return a.value_or(IpAddress{});
  }

 private:
  std::span<const std::string> w_;
  std::size_t i_ = 0;
  std::optional<std::string> error_;
};

void put_address(Writer& w, const IpAddress& a) { w.bytes(ByteView(a.bytes.data(), a.size())); }

// A sub-TLV with RFC 9012 2.1's length width.
void put_sub(Writer& w, std::uint8_t type, const Bytes& value) {
  w.u8(type);
  if (type >= 128)
    w.u16(static_cast<std::uint16_t>(value.size()));
  else
    w.u8(static_cast<std::uint8_t>(value.size()));
  w.bytes(value);
}

// `endpoint-behavior B LB LN FUN ARG` when it comes next (RFC 9830 2.4.4.2.4).
std::optional<Bytes> endpoint_behavior(Words& words) {
  if (!words.next_is("endpoint-behavior")) return std::nullopt;
  words.take();
  Bytes b;
  Writer w(b);
  w.u16(static_cast<std::uint16_t>(words.number("endpoint-behavior", 0xFFFF)));
  w.u16(0);  // reserved
  for (const char* part : {"lb-length", "ln-length", "fun-length", "arg-length"})
    w.u8(static_cast<std::uint8_t>(words.number(part, 0xFF)));
  return b;
}

// One segment's value (its type in `type`), ExaBGP's fields for each type.
Bytes segment(Words& words, const std::string& kind, std::uint8_t& type) {
  Bytes v;
  Writer w(v);
  auto mpls_sid = [&] {  // `sid LABEL`, optional, for types C to H
    if (!words.next_is("sid")) return;
    words.take();
    w.u32(words.label("sid") << 12);
  };
  auto algorithm = [&] {
    words.expect("algorithm", kind);
    return static_cast<std::uint8_t>(words.number("algorithm", 0xFF));
  };
  auto interfaces = [&] {  // G and J: both ends, each an interface ID and an address
    words.expect("local-if-id", kind);
    w.u32(static_cast<std::uint32_t>(words.number("local-if-id", 0xFFFFFFFF)));
    words.expect("local-ipv6", kind);
    put_address(w, words.address("local-ipv6", true));
    words.expect("remote-if-id", kind);
    w.u32(static_cast<std::uint32_t>(words.number("remote-if-id", 0xFFFFFFFF)));
    words.expect("remote-ipv6", kind);
    put_address(w, words.address("remote-ipv6", true));
  };
  auto pair = [&](bool v6) {  // F, H, K: local and remote addresses
    words.expect("local", kind);
    put_address(w, words.address("local", v6));
    words.expect("remote", kind);
    put_address(w, words.address("remote", v6));
  };
  // I, J, K: `algorithm N [sid IPV6 [endpoint-behavior ...]]`; flags and
  // algorithm are the first two bytes of the value.
  auto srv6_tail = [&](std::uint8_t alg) {
    v[1] = alg;
    v[0] = alg ? flag_a : 0;
    if (!words.next_is("sid")) {
      if (words.next_is("endpoint-behavior"))
        words.fail(kind + ": 'endpoint-behavior' needs a 'sid'");
      return;
    }
    words.take();
    put_address(w, words.address("sid", true));
    if (auto eb = endpoint_behavior(words)) {
      v[0] |= flag_b;
      w.bytes(*eb);
    }
  };
  if (kind == "type-a") {  // RFC 9830 2.4.4.2.1
    type = 1;
    words.expect("mpls", kind);
    w.u16(0);
    w.u32(words.label("mpls") << 12);
  } else if (kind == "type-b") {  // RFC 9830 2.4.4.2.2
    type = 13;
    words.expect("srv6", kind);
    w.u16(0);
    put_address(w, words.address("srv6", true));
    if (auto eb = endpoint_behavior(words)) {
      v[0] = flag_b;
      w.bytes(*eb);
    }
  } else if (kind == "type-c" || kind == "type-d") {  // RFC 9831 2.1, 2.2
    const bool v6 = kind == "type-d";
    type = v6 ? 4 : 3;
    w.u16(0);
    words.expect(v6 ? "ipv6" : "ipv4", kind);
    put_address(w, words.address(v6 ? "ipv6" : "ipv4", v6));
    const std::uint8_t alg = algorithm();
    v[0] = alg ? flag_a : 0;
    v[1] = alg;
    mpls_sid();
  } else if (kind == "type-e") {  // RFC 9831 2.3
    type = 5;
    w.u16(0);
    words.expect("local-if-id", kind);
    w.u32(static_cast<std::uint32_t>(words.number("local-if-id", 0xFFFFFFFF)));
    words.expect("ipv4", kind);
    put_address(w, words.address("ipv4", false));
    mpls_sid();
  } else if (kind == "type-f" || kind == "type-h") {  // RFC 9831 2.4, 2.6
    type = kind == "type-f" ? 6 : 8;
    w.u16(0);
    pair(type == 8);
    mpls_sid();
  } else if (kind == "type-g") {  // RFC 9831 2.5
    type = 7;
    w.u16(0);
    interfaces();
    mpls_sid();
  } else if (kind == "type-i") {  // RFC 9831 2.7
    type = 14;
    w.u16(0);
    words.expect("ipv6", kind);
    put_address(w, words.address("ipv6", true));
    srv6_tail(algorithm());
  } else if (kind == "type-j" || kind == "type-k") {  // RFC 9831 2.8, 2.9
    type = kind == "type-j" ? 15 : 16;
    w.u16(0);
    if (type == 15)
      interfaces();
    else
      pair(true);
    srv6_tail(algorithm());
  } else {
    words.fail(fmt::format("unknown segment type '{}' (expected type-a to type-k)", kind));
  }
  // RFC 9830 2.4.4.2.12: the V flag asks the headend to verify the SID.
  if (words.next_is("verification")) {
    words.take();
    v[0] |= flag_v;
  }
  return v;
}

// `segment-list weight N [segment TYPE FIELDS]...` (RFC 9830 2.4.4).
Bytes segment_list_value(Words& words) {
  Bytes v;
  Writer w(v);
  w.u8(0);  // reserved
  words.expect("weight", "segment-list");
  const auto weight = static_cast<std::uint32_t>(words.number("weight", 0xFFFFFFFF));
  w.u8(weight_type);
  w.u8(6);
  w.u16(0);  // flags, reserved
  w.u32(weight);
  while (!words.error() && words.next_is("segment")) {
    words.take();
    const std::string kind = words.value("segment");
    std::uint8_t type = 0;
    const Bytes seg = segment(words, kind, type);
    if (words.error()) break;
    put_sub(w, type, seg);
  }
  return v;
}

std::string unquoted(std::string text) {
  if (text.size() >= 2 && (text.front() == '"' || text.front() == '\'') &&
      text.back() == text.front())
    text = text.substr(1, text.size() - 2);
  return text;
}

}  // namespace

std::optional<Fault> attribute_fault(ByteView value) {
  if (value.empty()) return Fault{0, "no tunnel TLV (RFC 9012 13)"};
  std::vector<Item> tlvs;
  if (auto f = split(value, 0, Framing::tlv, tlvs)) return f;
  bool sr_policy_seen = false;
  for (const auto& tlv : tlvs) {
    if (tlv.type == sr_policy_type) {
      if (sr_policy_seen) return Fault{tlv.at, "more than one SR Policy TLV (RFC 9830 2.4)"};
      sr_policy_seen = true;
    }
    std::vector<Item> subs;
    if (auto f = split(tlv.value, tlv.value_at, Framing::sub_tlv, subs)) return f;
    if (tlv.type != sr_policy_type) continue;
    for (const auto& s : subs) {
      if (s.type != segment_list || s.value.empty()) continue;
      std::vector<Item> segments;
      if (auto f = split(s.value.subspan(1), s.value_at + 1, Framing::segment, segments)) return f;
    }
  }
  return std::nullopt;
}

std::optional<nlohmann::ordered_json> attribute_json(ByteView value) {
  if (attribute_fault(value)) return std::nullopt;
  std::vector<Item> tlvs;
  split(value, 0, Framing::tlv, tlvs);
  Json j = Json::object();
  for (const auto& tlv : tlvs) {
    if (tlv.type == sr_policy_type)
      j["sr-policy"] = sr_policy_json(tlv);
    else
      j[fmt::format("tunnel-type-{}", tlv.type)] = hex(tlv.value);
  }
  return j;
}

std::variant<Bytes, std::string> sr_policy_from_words(std::span<const std::string> list) {
  Words words(list);
  Bytes subs;
  Writer w(subs);
  while (words.more() && !words.error()) {
    const std::string key = words.take();
    Bytes v;
    Writer vw(v);
    std::uint8_t type = 0;
    if (key == "preference") {  // RFC 9830 2.4.1: flags, reserved, preference
      type = preference;
      vw.u16(0);
      vw.u32(static_cast<std::uint32_t>(words.number(key, 0xFFFFFFFF)));
    } else if (key == "priority") {  // 2.4.6: priority, reserved
      type = priority;
      vw.u8(static_cast<std::uint8_t>(words.number(key, 0xFF)));
      vw.u8(0);
    } else if (key == "enlp") {  // 2.4.5: flags, reserved, ENLP
      type = enlp;
      static constexpr std::array<std::string_view, 4> names{"push-ipv4", "push-ipv6",
                                                             "push-ipv4-ipv6", "no-push"};
      const std::string text = words.value(key);
      auto named = std::find(names.begin(), names.end(), text);
      std::uint8_t value = 0;
      if (named != names.end())
        value = static_cast<std::uint8_t>(named - names.begin() + 1);
      else if (text.size() == 1 && text[0] >= '1' && text[0] <= '4')
        value = static_cast<std::uint8_t>(text[0] - '0');
      else
        words.fail(fmt::format(
            "'enlp' needs push-ipv4, push-ipv6, push-ipv4-ipv6, no-push or 1-4, not '{}'", text));
      vw.u16(0);
      vw.u8(value);
    } else if (key == "binding-sid") {  // 2.4.2: flags, reserved, [label entry]
      type = binding_sid;
      const std::string kind = words.value(key);
      vw.u16(0);
      if (kind == "mpls")
        vw.u32(words.label("binding-sid mpls") << 12);
      else if (kind != "null")
        words.fail(fmt::format("'binding-sid' needs 'mpls LABEL' or 'null', not '{}'", kind));
    } else if (key == "srv6-binding-sid") {  // 2.4.3: flags, reserved, SID [behavior]
      type = srv6_binding_sid;
      vw.u16(0);
      put_address(vw, words.address(key, true));
      if (auto eb = endpoint_behavior(words)) {
        v[0] = 0x20;  // B flag
        vw.bytes(*eb);
      }
    } else if (key == "policy-name" || key == "candidate-path-name") {  // 2.4.8, 2.4.7
      type = key == "policy-name" ? policy_name : candidate_path_name;
      const std::string name = unquoted(words.value(key));
      vw.u8(0);  // reserved
      vw.bytes(ByteView(reinterpret_cast<const std::uint8_t*>(name.data()), name.size()));
    } else if (key == "segment-list") {
      type = segment_list;
      v = segment_list_value(words);
    } else {
      words.fail(fmt::format(
          "'{}' is not a word of sr-policy (expected preference, priority, enlp, binding-sid, "
          "srv6-binding-sid, policy-name, candidate-path-name or segment-list)",
          key));
    }
    if (words.error()) break;
    if (v.size() > (type >= 128 ? 0xFFFFu : 0xFFu))
      words.fail(fmt::format("'{}' makes a sub-TLV of {} bytes, more than its length can say", key,
                             v.size()));
    else
      put_sub(w, type, v);
  }
  if (words.error()) return *words.error();
  if (subs.empty()) return Bytes{};
  if (subs.size() > 0xFFFF - 4)
    return fmt::format("the SR Policy TLV would hold {} bytes, more than its length can say",
                       subs.size());
  Bytes out;
  Writer o(out);
  o.u16(sr_policy_type);
  o.u16(static_cast<std::uint16_t>(subs.size()));
  o.bytes(subs);
  return out;
}

Bytes exabgp_form(ByteView value) {
  Bytes out(value.begin(), value.end());
  std::vector<Item> tlvs;
  if (split(value, 0, Framing::tlv, tlvs)) return out;
  for (const auto& tlv : tlvs) {
    if (tlv.type != sr_policy_type) continue;
    std::vector<Item> subs;
    if (split(tlv.value, tlv.value_at, Framing::sub_tlv, subs)) continue;
    for (const auto& s : subs) {
      if (s.type == binding_sid && s.value.size() == 6) {
        out[s.value_at] |= 0x10;
        out[s.value_at + 4] |= 0x01;  // bottom of stack (0x100 of the entry)
      }
      if (s.type != segment_list || s.value.empty()) continue;
      std::vector<Item> segments;
      if (split(s.value.subspan(1), s.value_at + 1, Framing::segment, segments)) continue;
      std::optional<std::size_t> last;  // the last MPLS label entry's offset
      for (const auto& seg : segments) {
        if (seg.type == 1 && seg.value.size() == 6) last = seg.value_at + 2;
        if (seg.type == 3 && seg.value.size() == 10) last = seg.value_at + 6;
      }
      if (last) out[*last + 2] |= 0x01;
    }
  }
  return out;
}

}  // namespace bgpsim::wire::tunnel_encap
