#include "qa/runner/functional_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <sstream>

#include "speaker/wire/json.hpp"

namespace bgpsim::qa {

namespace {

// A message as ExaBGP JSON (pretty, one key a line), or its decode error.
std::vector<std::string> render(const Bytes& bytes, const wire::CodecContext& ctx) {
  std::vector<std::string> lines;
  std::string text;
  if (bytes.size() >= 19 && bytes[18] == 255) {
    text = fmt::format("message of type 255 ({} bytes)", bytes.size());
  } else {
    auto decoded = wire::decode_message(wire::ByteView(bytes.data(), bytes.size()), ctx);
    wire::JsonEnvelope env;
    if (decoded) {
      // The message without ExaBGP's envelope (addresses, ASNs: the runner's own).
      wire::Json j = wire::to_json(*decoded, ctx, env);
      wire::Json shown = j.contains("neighbor") ? j["neighbor"] : j;
      if (shown.contains("message")) shown = shown["message"];
      for (const char* key : {"address", "asn", "router-id", "direction"}) shown.erase(key);
      text = shown.dump(1);
    } else {
      text = wire::error_to_json(decoded.error()).dump(1);
    }
  }
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Two columns, wrapped at `width`.
std::string side_by_side(const std::vector<std::string>& left,
                         const std::vector<std::string>& right, std::size_t width = 58) {
  auto wrap = [&](const std::vector<std::string>& in) {
    std::vector<std::string> out;
    for (const auto& l : in) {
      if (l.empty()) out.push_back(l);
      for (std::size_t i = 0; i < l.size(); i += width) out.push_back(l.substr(i, width));
    }
    return out;
  };
  const auto l = wrap(left), r = wrap(right);
  std::string s;
  for (std::size_t i = 0; i < std::max(l.size(), r.size()); ++i) {
    const std::string a = i < l.size() ? l[i] : "", b = i < r.size() ? r[i] : "";
    s += fmt::format("    {:<{}} | {}\n", a, width, b);
  }
  return s;
}

// The expected message most like `received`: same type, then the closest length.
const Expected* closest(const std::vector<Expected>& expected, const Bytes& received) {
  const Expected* best = nullptr;
  auto score = [&](const Expected& e) {
    const bool same_type =
        e.bytes.size() > 18 && received.size() > 18 && e.bytes[18] == received[18];
    const std::size_t diff = e.bytes.size() > received.size() ? e.bytes.size() - received.size()
                                                              : received.size() - e.bytes.size();
    return std::pair<int, std::size_t>(same_type ? 0 : 1, diff);
  };
  for (const auto& e : expected)
    if (e.kind == Expected::message && (!best || score(e) < score(*best))) best = &e;
  return best;
}

}  // namespace

std::string failure_detail(const PeerOutcome& o, const CiFile& file,
                           const wire::CodecContext& ctx) {
  std::string s;
  if (!o.group.empty())
    s += fmt::format("  group {}, expecting {} more:\n", o.group, o.expected.size());
  for (const auto& e : o.expected) {
    if (e.kind == Expected::message)
      s += fmt::format("    {}:{}  {}\n", file.path.filename().string(), e.line_number,
                       to_hex(e.bytes));
    else if (e.kind == Expected::send)
      s += fmt::format("    {}:{}  send:{}\n", file.path.filename().string(), e.line_number,
                       to_hex(e.bytes));
    else
      s += fmt::format("    {}:{}  {}:{}\n", file.path.filename().string(), e.line_number,
                       e.kind == Expected::notification ? "notification" : "signal", e.text);
  }
  if (!o.received.empty()) {
    s += fmt::format("  received {}\n", to_hex(o.received));
    const Expected* e = closest(o.expected, o.received);
    s += fmt::format(
        "    {:<58} | {}\n",
        e ? fmt::format("expected (line {})", e->line_number) : std::string("expected: nothing"),
        "received");
    s += side_by_side(e ? render(e->bytes, ctx) : std::vector<std::string>{},
                      render(o.received, ctx));
  }
  return s;
}

}  // namespace bgpsim::qa
