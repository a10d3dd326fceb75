#include "qa/peer/script.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <tuple>

namespace bgpsim::qa {

namespace {

constexpr std::size_t kHeader = 19;
constexpr std::uint8_t kOpen = 1, kUpdate = 2, kNotification = 3, kKeepalive = 4;

Bytes header(std::uint8_t type, std::size_t body_size) {
  Bytes m(16, 0xFF);
  const std::size_t length = kHeader + body_size;
  m.push_back(static_cast<std::uint8_t>(length >> 8));
  m.push_back(static_cast<std::uint8_t>(length & 0xFF));
  m.push_back(type);
  return m;
}

std::optional<Bytes> from_hex(std::string_view text) {
  Bytes out;
  int high = -1;
  for (char c : text) {
    if (c == ':' || c == ' ') continue;
    int v = -1;
    if (c >= '0' && c <= '9') v = c - '0';
    if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    if (v < 0) return std::nullopt;
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<std::uint8_t>(high * 16 + v));
      high = -1;
    }
  }
  if (high >= 0) return std::nullopt;
  return out;
}

template <class T>
std::optional<T> number(const std::string& s) {
  T v{};
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// "A12" -> ('A', 12): groups sort by letter, then by number (not as text).
std::pair<char, long> group_key(const std::string& name) {
  const char letter = name.empty() ? 'A' : name[0];
  return {letter, name.size() > 1 ? number<long>(name.substr(1)).value_or(0) : 0};
}

}  // namespace

std::string to_hex(const Bytes& bytes) {
  std::string s;
  s.reserve(bytes.size() * 2);
  for (auto b : bytes) s += fmt::format("{:02X}", b);
  return s;
}

std::variant<PeerScript, CiError> peer_script(const CiFile& file) {
  PeerScript script;
  auto& o = script.options;
  const std::string where = file.path.string();
  for (const auto& [key, value] : file.options) {
    auto bad = [&] {
      return CiError{where, fmt::format("option:{}:{} is not understood", key, value)};
    };
    if (key == "asn") {
      auto asn = number<std::uint32_t>(value);
      // ExaBGP's peer refuses a 4-byte AS here: the OPEN's My AS field gets it as is.
      if (!asn || *asn > 65535) return bad();
      o.asn = static_cast<std::uint16_t>(*asn);
    } else if (key == "bind") {
      if (value != "ipv6") return bad();
      o.ipv6 = true;
    } else if (key == "open") {
      if (value == "send-unknown-capability")
        o.send_unknown_capability = true;
      else if (value == "inspect-open-message")
        o.inspect_open = true;
      else if (value == "send-unknown-message")
        o.send_unknown_message = true;
      else
        return bad();
    } else if (key == "update") {
      if (value != "send-default-route") return bad();
      o.send_default_route = true;
    } else if (key == "tcp_connections") {
      auto n = number<int>(value);
      if (!n || *n < 0) return bad();
      o.tcp_connections = *n;
    } else if (key == "timeout") {
      std::string v = value;
      if (!v.empty() && v.back() == 's') v.pop_back();
      auto n = number<int>(v);
      if (!n || *n <= 0) return bad();
      o.timeout_s = *n;
    }
    // Other options (env, context) concern the runner or the decode checks.
  }
  std::map<std::pair<char, long>, Group> groups;
  for (const auto& line : file.lines) {
    Expected e;
    e.line_number = line.line_number;
    if (line.kind == "raw") {
      auto bytes = from_hex(line.value);
      if (!bytes || bytes->size() < kHeader)
        return CiError{fmt::format("{}:{}", where, line.line_number),
                       "raw: not a whole message in hex"};
      e.bytes = std::move(*bytes);
    } else if (line.kind == "notification") {
      e.kind = Expected::notification;
      e.text = line.value;
    } else if (line.kind == "signal") {
      e.kind = Expected::signal;
      e.text = line.value;
    } else if (line.kind == "send") {
      // Any bytes, so a test can send what no valid message holds.
      auto bytes = from_hex(line.value);
      if (!bytes || bytes->empty())
        return CiError{fmt::format("{}:{}", where, line.line_number), "send: not bytes in hex"};
      e.kind = Expected::send;
      e.bytes = std::move(*bytes);
    } else {
      continue;  // cmd and json lines are for the speaker's side and the decode checks
    }
    auto& g = groups[group_key(line.group)];
    g.name = line.group;
    g.lines.push_back(std::move(e));
  }
  for (auto& [_, g] : groups) script.groups.push_back(std::move(g));
  return script;
}

std::optional<Bytes> echo_open(const Bytes& open, const PeerOptions& options) {
  // Header, version (1), My AS (2), Hold Time (2), BGP Identifier (4), Opt Parm Len (1).
  constexpr std::size_t kVersion = kHeader, kAs = kHeader + 1, kId = kHeader + 5,
                        kParamLength = kHeader + 9, kParams = kHeader + 10;
  if (open.size() < kParams || open[18] != kOpen) return std::nullopt;
  (void)kVersion;
  Bytes reply = open;
  if (!options.asn) {
    reply[kId + 3] = static_cast<std::uint8_t>(reply[kId + 3] + 1);
  } else {
    const std::uint16_t asn = *options.asn;
    reply[kAs] = static_cast<std::uint8_t>(asn >> 8);
    reply[kAs + 1] = static_cast<std::uint8_t>(asn & 0xFF);
    // The 4-octet AS capability (65), wherever it sits among the capability
    // parameters, carries the AS too.
    std::size_t at = kParams;
    const std::size_t end = std::min(open.size(), kParams + open[kParamLength]);
    while (at + 2 <= end) {
      const std::uint8_t type = open[at], length = open[at + 1];
      if (type == 2) {
        std::size_t cap = at + 2;
        while (cap + 2 <= at + 2 + length && cap + 2 <= end) {
          if (open[cap] == 65 && open[cap + 1] == 4 && cap + 6 <= end) {
            reply[cap + 2] = 0;
            reply[cap + 3] = 0;
            reply[cap + 4] = static_cast<std::uint8_t>(asn >> 8);
            reply[cap + 5] = static_cast<std::uint8_t>(asn & 0xFF);
          }
          cap += 2 + open[cap + 1];
        }
      }
      at += 2 + length;
    }
  }
  if (options.send_unknown_capability) {
    const std::string content = "loremipsum";
    Bytes param{2, static_cast<std::uint8_t>(content.size() + 2), 66,
                static_cast<std::uint8_t>(content.size())};
    param.insert(param.end(), content.begin(), content.end());
    reply.insert(reply.end(), param.begin(), param.end());
    reply[kParamLength] = static_cast<std::uint8_t>(reply[kParamLength] + param.size());
    const std::size_t length = reply.size();
    reply[16] = static_cast<std::uint8_t>(length >> 8);
    reply[17] = static_cast<std::uint8_t>(length & 0xFF);
  }
  return reply;
}

Bytes keepalive_message() { return header(kKeepalive, 0); }

Bytes cease_message(const std::string& text) {
  Bytes m = header(kNotification, 2 + text.size());
  m.push_back(6);  // Cease
  m.push_back(0);
  m.insert(m.end(), text.begin(), text.end());
  return m;
}

Bytes default_route_message() {
  // ORIGIN IGP, AS_PATH empty, NEXT_HOP 127.0.0.1, LOCAL_PREF 100, all
  // well-known transitive (flags 0x40); NLRI 0.0.0.0/32 as ExaBGP's peer sends.
  const Bytes attributes{0x40, 1, 1, 0,    0x40, 2, 0, 0x40, 3, 4,  127,
                         0,    0, 1, 0x40, 5,    4, 0, 0,    0, 100};
  const Bytes nlri{32, 0, 0, 0, 0};
  Bytes m = header(kUpdate, 2 + 2 + attributes.size() + nlri.size());
  m.push_back(0);
  m.push_back(0);
  m.push_back(0);
  m.push_back(static_cast<std::uint8_t>(attributes.size()));
  m.insert(m.end(), attributes.begin(), attributes.end());
  m.insert(m.end(), nlri.begin(), nlri.end());
  return m;
}

Bytes unknown_type_message() { return header(255, 0); }

bool is_end_of_rib(const Bytes& m) {
  if (m.size() < kHeader || m[18] != kUpdate) return false;
  const Bytes body(m.begin() + kHeader, m.end());
  if (body == Bytes{0, 0, 0, 0}) return true;
  // Withdrawn length 0, attributes: MP_UNREACH_NLRI (optional, 15) holding
  // only AFI and SAFI, with a one- or two-byte length.
  if (body.size() == 4 + 6 && body[0] == 0 && body[1] == 0 && body[2] == 0 && body[3] == 6)
    return (body[4] & 0xEF) == 0x80 && body[5] == 15 && body[6] == 3;
  if (body.size() == 4 + 7 && body[0] == 0 && body[1] == 0 && body[2] == 0 && body[3] == 7)
    return (body[4] & 0xEF) == 0x80 && (body[4] & 0x10) && body[5] == 15 && body[6] == 0 &&
           body[7] == 3;
  return false;
}

std::vector<Checker::Action> Checker::advance() {
  std::vector<Action> actions;
  for (;;) {
    if (open_.empty()) {
      if (next_group_ >= script_.groups.size()) {
        group_name_.clear();
        return actions;
      }
      const Group& g = script_.groups[next_group_++];
      open_ = g.lines;
      group_name_ = g.name;
    }
    if (open_.front().kind == Expected::message) return actions;
    actions.push_back({open_.front().kind, open_.front().text, open_.front().bytes});
    open_.erase(open_.begin());
  }
}

Checker::Verdict Checker::receive(const Bytes& message) {
  // KEEPALIVEs carry no body: never compared (ExaBGP compares bodies only).
  if (message.size() <= kHeader) return Verdict::ignored;
  if (open_.empty() && next_group_ >= script_.groups.size())
    return is_end_of_rib(message) ? Verdict::ignored : Verdict::unexpected;
  auto it = std::find_if(open_.begin(), open_.end(), [&](const Expected& e) {
    return e.kind == Expected::message && e.bytes == message;
  });
  if (it == open_.end()) return Verdict::unexpected;
  open_.erase(it);
  return Verdict::matched;
}

}  // namespace bgpsim::qa
