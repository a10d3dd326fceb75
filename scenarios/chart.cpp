#include "scenarios/chart.hpp"

#include <fmt/format.h>
#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <deque>
#include <map>
#include <optional>
#include <string_view>

namespace bgpsim::scenarios {

namespace {

constexpr int kLeft = 90;     // time labels
constexpr int kColumn = 220;  // between speakers
constexpr int kTop = 60;      // speaker names
constexpr int kRow = 18;

std::string xml(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        // Control bytes are not allowed in XML 1.0 text.
        out += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
    }
  }
  return out;
}

std::string text_of(const sim::TraceEvent& e) { return {e.bytes.begin(), e.bytes.end()}; }

std::vector<std::string_view> split(std::string_view s, std::string_view sep) {
  std::vector<std::string_view> out;
  for (;;) {
    const auto at = s.find(sep);
    out.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return out;
    s.remove_prefix(at + sep.size());
  }
}

// "neighbor 10.0.0.2 send update ..." -> peer "10.0.0.2", body "update ...",
// for every line of a summary (lines are joined by " | ").
struct Summary {
  std::string peer;
  std::string body;  // the lines without their "neighbor P send/receive " heads
  std::vector<std::string> lines;
};

Summary parse_summary(std::string_view text) {
  Summary s;
  for (auto line : split(text, " | ")) {
    // neighbor <peer> <send|receive> <rest>
    const auto words = split(line, " ");
    std::string_view rest = line;
    if (words.size() >= 3 && words[0] == "neighbor") {
      if (s.peer.empty()) s.peer = std::string(words[1]);
      rest.remove_prefix(
          std::min(line.size(), words[0].size() + words[1].size() + words[2].size() + 3));
    }
    s.lines.emplace_back(rest);
    s.body += (s.body.empty() ? "" : " | ") + std::string(rest);
  }
  return s;
}

// A short label: "UPDATE +10.1.0.0/24 (+3) -10.2.0.0/24", "OPEN asn 65001
// hold 9", "KEEPALIVE", "NOTIFICATION 6/2".
std::string label(const Summary& s) {
  if (s.lines.empty()) return "?";
  const auto words = split(s.lines.front(), " ");
  const std::string_view kind = words.front();
  auto word_after = [&](std::string_view key) -> std::string {
    for (std::size_t i = 0; i + 1 < words.size(); ++i)
      if (words[i] == key) return std::string(words[i + 1]);
    return "?";
  };
  if (kind == "keepalive") return "KEEPALIVE";
  if (kind == "open")
    return fmt::format("OPEN asn {} hold {}", word_after("asn"), word_after("hold_time"));
  if (kind == "notification")
    return fmt::format("NOTIFICATION {}/{}", word_after("code"), word_after("subcode"));
  if (kind == "route-refresh") return "ROUTE-REFRESH " + std::string(s.lines.front().substr(14));
  if (kind != "update") return std::string(s.lines.front());
  std::string first_in, first_out;
  std::size_t in = 0, out = 0;
  bool eor = false;
  for (const auto& line : s.lines) {
    const auto w = split(line, " ");
    if (w.size() < 3) continue;
    if (w[1] == "announced") {
      if (in++ == 0) first_in = std::string(w[2]);
    } else if (w[1] == "withdrawn") {
      if (out++ == 0) first_out = std::string(w[2]);
    } else if (w[1] == "route" && w[2] == "eor") {
      eor = true;
    }
  }
  std::string l = "UPDATE";
  if (eor) l += " EOR";
  if (in) l += " +" + first_in + (in > 1 ? fmt::format(" (+{})", in - 1) : "");
  if (out) l += " -" + first_out + (out > 1 ? fmt::format(" (-{})", out - 1) : "");
  return l;
}

struct Arrow {
  std::size_t from = 0, to = 0;
  int y_sent = 0;
  std::optional<int> y_received;
  std::string label, title;
};

struct Shade {
  int x0 = 0, x1 = 0, y0 = 0;
  std::optional<int> y1;
  std::string label;
  bool node = false;  // a crashed speaker (else a link fault)
};

}  // namespace

Chart render_chart(const Scenario& scenario, const std::vector<sim::TraceEvent>& events) {
  const std::size_t n = scenario.nodes.size();
  std::map<std::string, std::size_t> by_address, by_name;
  for (std::size_t i = 0; i < n; ++i) {
    boost::system::error_code ec;
    const auto a = boost::asio::ip::make_address(scenario.nodes[i].address, ec);
    by_address.emplace(ec ? scenario.nodes[i].address : a.to_string(), i);
    by_name.emplace(scenario.nodes[i].name, i);
  }
  auto x_of = [](std::size_t column) { return kLeft + kColumn / 2 + int(column) * kColumn; };

  Chart chart;
  std::vector<Arrow> arrows;
  std::vector<Shade> shades;
  std::map<std::uint64_t, std::size_t> shade_of_rule;  // fault rule id -> shade
  std::map<std::size_t, std::size_t> shade_of_crash;   // node -> open shade
  std::optional<Shade> next_fault;  // described by the step, opened by its fault_on
  // Messages sent and not yet received, per (from, to), oldest first.
  std::map<std::pair<std::size_t, std::size_t>, std::deque<std::pair<std::size_t, std::string>>>
      in_flight;
  std::vector<std::pair<int, std::string>> notes;  // y, text at a column (below)
  std::vector<std::size_t> note_column;
  std::vector<std::pair<int, std::int64_t>> times;  // rows where the time changed
  std::vector<std::pair<int, std::string>> resets;  // y, "x0 x1" drawn as a bar
  std::vector<std::pair<int, int>> reset_span;

  int y = kTop;
  std::int64_t last_time = -1;
  auto row = [&](std::int64_t at_ns) {
    y += kRow;
    ++chart.rows;
    if (at_ns != last_time) times.emplace_back(y, at_ns), last_time = at_ns;
    return y;
  };
  auto note = [&](std::size_t column, int at, std::string text) {
    notes.emplace_back(at, std::move(text));
    note_column.push_back(column);
  };

  for (const auto& e : events) {
    switch (e.kind) {
      case sim::TraceKind::bgp_sent: {
        if (e.node >= n) break;
        const auto s = parse_summary(text_of(e));
        auto to = by_address.find(s.peer);
        Arrow a;
        a.from = e.node;
        a.to = to == by_address.end() ? e.node : to->second;
        a.y_sent = row(e.at_ns);
        a.label = label(s);
        a.title = fmt::format("{} -> {} at {:.6f} s: {}", scenario.nodes[e.node].name,
                              to == by_address.end() ? s.peer : scenario.nodes[a.to].name,
                              double(e.at_ns) / 1e9, s.body);
        in_flight[{a.from, a.to}].emplace_back(arrows.size(), s.body);
        arrows.push_back(std::move(a));
        break;
      }
      case sim::TraceKind::bgp_received: {
        if (e.node >= n) break;
        const auto s = parse_summary(text_of(e));
        auto from = by_address.find(s.peer);
        if (from == by_address.end()) break;
        auto& queue = in_flight[{from->second, e.node}];
        if (queue.empty()) break;
        // TCP keeps order, so this is the oldest message still in flight
        // with the same content; older ones were lost with a connection.
        auto match = std::find_if(queue.begin(), queue.end(),
                                  [&](const auto& q) { return q.second == s.body; });
        if (match == queue.end()) match = queue.begin();
        arrows[match->first].y_received = row(e.at_ns);
        queue.erase(queue.begin(), std::next(match));
        break;
      }
      case sim::TraceKind::bgp_state:
        if (e.node < n) note(e.node, row(e.at_ns), text_of(e));
        break;
      case sim::TraceKind::step: {
        const std::string text = text_of(e);
        const auto words = split(text, " ");
        const std::string_view verb = words.front();
        if (verb == "partition" || verb == "stall" || verb == "delay" || verb == "reset") {
          Shade s;
          s.label = text;
          if (words.size() >= 3 && by_name.contains(std::string(words[1])) &&
              by_name.contains(std::string(words[2]))) {
            const auto a = by_name[std::string(words[1])], b = by_name[std::string(words[2])];
            s.x0 = x_of(std::min(a, b));
            s.x1 = x_of(std::max(a, b));
          } else {
            s.x0 = x_of(0);
            s.x1 = x_of(n == 0 ? 0 : n - 1);
          }
          s.y0 = row(e.at_ns);
          next_fault = s;
        } else if (verb == "crash" || verb == "restart" || verb == "heal") {
          row(e.at_ns);  // the network's crash/restart/fault_off events draw them
        } else if (!text.empty() && words.size() >= 2 && text.find(": ") != std::string::npos) {
          // "node: command": a note at the node's column
          const auto name = text.substr(0, text.find(": "));
          if (auto it = by_name.find(name); it != by_name.end())
            note(it->second, row(e.at_ns), "> " + text.substr(name.size() + 2));
        }
        break;
      }
      case sim::TraceKind::fault_on:
        if (next_fault) {
          shade_of_rule[e.aux] = shades.size();
          shades.push_back(*next_fault);
          next_fault.reset();
        }
        break;
      case sim::TraceKind::fault_off:
        if (auto it = shade_of_rule.find(e.aux); it != shade_of_rule.end()) {
          Shade& s = shades[it->second];
          s.y1 = std::max(y, s.y0 + 4);
          if (s.label.starts_with("reset")) {
            reset_span.emplace_back(s.x0, s.x1);
            resets.emplace_back(s.y0, s.label);
            s.y1 = s.y0;  // drawn as a bar, not a region
          }
          shade_of_rule.erase(it);
        }
        break;
      case sim::TraceKind::crash:
        if (e.node < n) {
          Shade s;
          s.node = true;
          s.x0 = x_of(e.node) - kColumn / 2 + 6;
          s.x1 = x_of(e.node) + kColumn / 2 - 6;
          s.y0 = row(e.at_ns);
          s.label = "crash " + scenario.nodes[e.node].name;
          shade_of_crash[e.node] = shades.size();
          shades.push_back(s);
        }
        break;
      case sim::TraceKind::restart:
        if (auto it = shade_of_crash.find(e.node); it != shade_of_crash.end()) {
          shades[it->second].y1 = row(e.at_ns);
          shade_of_crash.erase(it);
        }
        break;
      default:
        break;
    }
  }
  const int bottom = y + kRow * 2;
  const int width = kLeft + int(std::max<std::size_t>(n, 1)) * kColumn + 20;

  std::string& out = chart.svg;
  out += fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" "
      "viewBox=\"0 0 {0} {1}\" font-family=\"monospace\" font-size=\"11\">\n"
      "<title>{2}</title>\n"
      "<defs><marker id=\"head\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" "
      "markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\">"
      "<path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#234\"/></marker></defs>\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
      width, bottom, xml(scenario.name.empty() ? "scenario" : scenario.name));
  // Faults under everything else.
  for (const auto& s : shades) {
    if (s.y1 && *s.y1 == s.y0) continue;  // resets: bars below
    const int y1 = s.y1.value_or(bottom);
    const int x0 = s.node ? s.x0 : s.x0 - 10, x1 = s.node ? s.x1 : s.x1 + 10;
    out += fmt::format(
        "<g class=\"fault\"><title>{}</title><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" "
        "fill=\"{}\" fill-opacity=\"0.35\"/><text x=\"{}\" y=\"{}\" fill=\"#a00\">{}</text></g>\n",
        xml(s.label), x0, s.y0 - kRow / 2, std::max(x1 - x0, 4), y1 - s.y0 + kRow / 2,
        s.node ? "#f99" : "#fc6", x0 + 3, s.y0 + 2, xml(s.label));
  }
  for (std::size_t i = 0; i < resets.size(); ++i)
    out += fmt::format(
        "<g class=\"fault\"><title>{0}</title><line x1=\"{1}\" y1=\"{3}\" x2=\"{2}\" y2=\"{3}\" "
        "stroke=\"#d00\" stroke-width=\"4\"/><text x=\"{1}\" y=\"{4}\" fill=\"#d00\">{0}</text>"
        "</g>\n",
        xml(resets[i].second), reset_span[i].first, reset_span[i].second, resets[i].first,
        resets[i].first - 4);
  // Speakers: names and life lines.
  for (std::size_t i = 0; i < n; ++i) {
    const int x = x_of(i);
    out += fmt::format(
        "<g class=\"speaker\"><text x=\"{0}\" y=\"20\" text-anchor=\"middle\" font-size=\"13\" "
        "font-weight=\"bold\">{1}</text><text x=\"{0}\" y=\"36\" text-anchor=\"middle\">{2}</text>"
        "<line x1=\"{0}\" y1=\"{3}\" x2=\"{0}\" y2=\"{4}\" stroke=\"#888\"/></g>\n",
        x, xml(scenario.nodes[i].name), xml(scenario.nodes[i].address), kTop - 12, bottom);
  }
  for (const auto& [ty, ns] : times)
    out += fmt::format("<text class=\"time\" x=\"4\" y=\"{}\" fill=\"#666\">{:.3f} s</text>\n",
                       ty + 4, double(ns) / 1e9);
  for (std::size_t i = 0; i < notes.size(); ++i)
    out += fmt::format("<text class=\"note\" x=\"{}\" y=\"{}\" fill=\"#060\">{}</text>\n",
                       x_of(note_column[i]) + 4, notes[i].first + 4, xml(notes[i].second));
  for (const auto& a : arrows) {
    const int x0 = x_of(a.from), x1 = x_of(a.to);
    ++chart.messages;
    if (a.y_received) {
      const int lx = (x0 + x1) / 2, ly = (a.y_sent + *a.y_received) / 2 - 3;
      out += fmt::format(
          "<g class=\"msg\"><title>{}</title><line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" "
          "stroke=\"#234\" marker-end=\"url(#head)\"/><text x=\"{}\" y=\"{}\" "
          "text-anchor=\"middle\">{}</text></g>\n",
          xml(a.title), x0, a.y_sent, x1, *a.y_received, lx, ly, xml(a.label));
    } else {
      // Never received: the arrow stops halfway, dashed, with a cross.
      ++chart.lost;
      const int xm = (x0 + x1) / 2, ym = a.y_sent + kRow / 2;
      out += fmt::format(
          "<g class=\"msg lost\"><title>lost: {}</title><line x1=\"{}\" y1=\"{}\" x2=\"{}\" "
          "y2=\"{}\" stroke=\"#a00\" stroke-dasharray=\"4 3\"/><path d=\"M {} {} l 8 8 m 0 -8 l -8 "
          "8\" stroke=\"#a00\"/><text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#a00\">{}"
          "</text></g>\n",
          xml(a.title), x0, a.y_sent, xm, ym, xm - 4, ym - 4, (x0 + xm) / 2, a.y_sent - 3,
          xml(a.label));
    }
  }
  out += "</svg>\n";
  return chart;
}

}  // namespace bgpsim::scenarios
