#include "scenarios/scenario.hpp"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace bgpsim::scenarios {

namespace {

using nlohmann::json;

struct Bad {
  std::string message;
};

// Reads `key` of `j` (at JSON path `where`) as T, or `fallback` when absent.
template <class T>
T get(const json& j, const char* key, const std::string& where, T fallback) {
  auto it = j.find(key);
  if (it == j.end()) return fallback;
  try {
    return it->get<T>();
  } catch (const json::exception&) {
    throw Bad{fmt::format("{}.{}: expected {}", where, key,
                          std::is_same_v<T, std::string> ? "a string" : "a number or list")};
  }
}

void only_keys(const json& j, const std::string& where, std::initializer_list<const char*> keys) {
  if (!j.is_object()) throw Bad{where + ": expected an object"};
  for (const auto& [k, _] : j.items()) {
    bool known = false;
    for (const char* key : keys) known = known || k == key;
    if (!known) throw Bad{fmt::format("{}: unknown key \"{}\"", where, k)};
  }
}

Step parse_step(const json& j, const std::string& where) {
  only_keys(j, where,
            {"advance_ms", "advance_s", "node", "command", "fault", "between", "ms", "check",
             "peer", "state", "routes", "count"});
  Step s;
  s.node = get<std::string>(j, "node", where, "");
  s.between = get<std::vector<std::string>>(j, "between", where, {});
  if (!s.between.empty() && s.between.size() != 2)
    throw Bad{where + ".between: expected two node names"};
  if (j.contains("advance_ms") || j.contains("advance_s")) {
    s.kind = Step::Kind::advance;
    s.ms = get<std::int64_t>(j, "advance_ms", where, 0) +
           1000 * get<std::int64_t>(j, "advance_s", where, 0);
    if (s.ms < 0) throw Bad{where + ": a negative advance"};
  } else if (j.contains("command")) {
    s.kind = Step::Kind::command;
    s.text = get<std::string>(j, "command", where, "");
    if (s.node.empty()) throw Bad{where + ": a command names its node"};
  } else if (j.contains("fault")) {
    s.kind = Step::Kind::fault;
    s.text = get<std::string>(j, "fault", where, "");
    s.ms = get<std::int64_t>(j, "ms", where, 0);
    static const char* const known[] = {"partition", "stall", "delay",  "reset",
                                        "heal",      "crash", "restart"};
    if (std::find(std::begin(known), std::end(known), s.text) == std::end(known))
      throw Bad{
          fmt::format("{}.fault: unknown fault \"{}\" (partition, stall, delay, reset, heal, "
                      "crash, restart)",
                      where, s.text)};
    if ((s.text == "crash" || s.text == "restart") && s.node.empty())
      throw Bad{where + ": " + s.text + " names its node"};
  } else if (j.contains("check")) {
    s.kind = Step::Kind::check;
    s.text = get<std::string>(j, "check", where, "");
    s.peer = get<std::string>(j, "peer", where, "");
    s.state = get<std::string>(j, "state", where, "");
    if (j.contains("routes")) s.routes = get<std::vector<std::string>>(j, "routes", where, {});
    if (j.contains("count")) s.count = get<std::size_t>(j, "count", where, 0);
    if (s.text != "state" && s.text != "adj-rib-in" && s.text != "adj-rib-out")
      throw Bad{fmt::format("{}.check: unknown check \"{}\" (state, adj-rib-in, adj-rib-out)",
                            where, s.text)};
    if (s.node.empty() || s.peer.empty()) throw Bad{where + ": a check names node and peer"};
  } else {
    throw Bad{where + ": expected advance_ms, advance_s, command, fault or check"};
  }
  return s;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Bad{fmt::format("cannot read {}", path.string())};
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

std::variant<Scenario, std::string> parse_scenario(std::string_view text,
                                                   std::string_view file_name,
                                                   const std::filesystem::path& base_dir) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    return fmt::format("{}: byte {}: {}", file_name, e.byte, e.what());
  }
  try {
    only_keys(j, "$", {"name", "description", "seed", "quiesce_s", "nodes", "links", "timeline"});
    Scenario s;
    s.name = get<std::string>(j, "name", "$", std::string(file_name));
    s.seed = get<std::uint64_t>(j, "seed", "$", 1);
    s.quiesce_s = get<std::int64_t>(j, "quiesce_s", "$", 300);
    const json empty = json::array();
    const json& nodes = j.contains("nodes") ? j["nodes"] : empty;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      const auto where = fmt::format("$.nodes[{}]", i);
      only_keys(nodes[i], where, {"name", "address", "config", "config_file", "broken"});
      NodeSpec n;
      n.name = get<std::string>(nodes[i], "name", where, "");
      n.address = get<std::string>(nodes[i], "address", where, "");
      n.config = get<std::string>(nodes[i], "config", where, "");
      n.broken = get<std::string>(nodes[i], "broken", where, "");
      if (auto f = get<std::string>(nodes[i], "config_file", where, ""); !f.empty())
        n.config = read_file(base_dir / f);
      if (n.name.empty() || n.address.empty()) throw Bad{where + ": a node has a name and address"};
      if (!n.broken.empty() && n.broken != "drop-withdraw")
        throw Bad{where + ".broken: unknown breakage \"" + n.broken + "\" (drop-withdraw)"};
      for (const auto& other : s.nodes)
        if (other.name == n.name) throw Bad{where + ": a second node named " + n.name};
      s.nodes.push_back(std::move(n));
    }
    auto known_node = [&](const std::string& name, const std::string& where) {
      for (const auto& n : s.nodes)
        if (n.name == name) return;
      throw Bad{fmt::format("{}: no node named \"{}\"", where, name)};
    };
    const json& links = j.contains("links") ? j["links"] : empty;
    for (std::size_t i = 0; i < links.size(); ++i) {
      const auto where = fmt::format("$.links[{}]", i);
      only_keys(links[i], where, {"between", "latency_ms", "bandwidth_bytes_per_s"});
      auto between = get<std::vector<std::string>>(links[i], "between", where, {});
      if (between.size() != 2) throw Bad{where + ".between: expected two node names"};
      for (const auto& n : between) known_node(n, where + ".between");
      s.links.push_back(LinkSpec{between[0], between[1],
                                 get<std::int64_t>(links[i], "latency_ms", where, 1),
                                 get<std::uint64_t>(links[i], "bandwidth_bytes_per_s", where, 0)});
    }
    const json& timeline = j.contains("timeline") ? j["timeline"] : empty;
    for (std::size_t i = 0; i < timeline.size(); ++i) {
      const auto where = fmt::format("$.timeline[{}]", i);
      auto step = parse_step(timeline[i], where);
      if (!step.node.empty()) known_node(step.node, where + ".node");
      for (const auto& n : step.between) known_node(n, where + ".between");
      s.timeline.push_back(std::move(step));
    }
    return s;
  } catch (const Bad& bad) {
    return fmt::format("{}: {}", file_name, bad.message);
  }
}

std::variant<Scenario, std::string> load_scenario(const std::filesystem::path& path) {
  std::string text;
  try {
    text = read_file(path);
  } catch (const Bad& bad) {
    return bad.message;
  }
  return parse_scenario(text, path.string(), path.parent_path());
}

std::string to_json(const Scenario& s) {
  json j;
  j["name"] = s.name;
  j["seed"] = s.seed;
  j["quiesce_s"] = s.quiesce_s;
  j["nodes"] = json::array();
  for (const auto& n : s.nodes) {
    json o{{"name", n.name}, {"address", n.address}, {"config", n.config}};
    if (!n.broken.empty()) o["broken"] = n.broken;
    j["nodes"].push_back(std::move(o));
  }
  j["links"] = json::array();
  for (const auto& l : s.links)
    j["links"].push_back({{"between", {l.a, l.b}},
                          {"latency_ms", l.latency_ms},
                          {"bandwidth_bytes_per_s", l.bandwidth_bytes_per_s}});
  j["timeline"] = json::array();
  for (const auto& st : s.timeline) {
    json o = json::object();
    if (!st.node.empty()) o["node"] = st.node;
    if (!st.between.empty()) o["between"] = st.between;
    switch (st.kind) {
      case Step::Kind::advance:
        o["advance_ms"] = st.ms;
        break;
      case Step::Kind::command:
        o["command"] = st.text;
        break;
      case Step::Kind::fault:
        o["fault"] = st.text;
        if (st.ms != 0) o["ms"] = st.ms;
        break;
      case Step::Kind::check:
        o["check"] = st.text;
        o["peer"] = st.peer;
        if (!st.state.empty()) o["state"] = st.state;
        if (st.routes) o["routes"] = *st.routes;
        if (st.count) o["count"] = *st.count;
        break;
    }
    j["timeline"].push_back(std::move(o));
  }
  return j.dump(2) + "\n";
}

std::string describe(const Step& s) {
  std::string where = s.node;
  if (!s.between.empty()) where = s.between[0] + " " + s.between[1];
  switch (s.kind) {
    case Step::Kind::advance:
      return fmt::format("advance {} ms", s.ms);
    case Step::Kind::command:
      return fmt::format("{}: {}", s.node, s.text);
    case Step::Kind::fault:
      return fmt::format("{}{}{}", s.text, where.empty() ? "" : " " + where,
                         s.ms != 0 ? fmt::format(" {} ms", s.ms) : "");
    case Step::Kind::check:
      return fmt::format("check {} {} {}", s.text, s.node, s.peer);
  }
  return {};
}

}  // namespace bgpsim::scenarios
