// Scenario files (parsing, errors, round trip), the shipped scenarios with a
// determinism check, the speaker-level trace, and the seed's reach into the
// speaker's timing (issue 16 items 1-4).
#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <string_view>

#include "scenarios/chart.hpp"
#include "scenarios/engine.hpp"
#include "scenarios/generate.hpp"
#include "scenarios/scenario.hpp"
#include "sim/trace.hpp"

namespace bgpsim::scenarios {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> shipped() {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(SCENARIOS_DIR))
    if (e.path().extension() == ".json") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

Scenario load(const std::string& name) {
  auto s = load_scenario(fs::path(SCENARIOS_DIR) / name);
  if (auto* e = std::get_if<std::string>(&s)) ADD_FAILURE() << *e;
  return std::get<Scenario>(s);
}

std::string first(const Outcome& o) { return o.failures.empty() ? "" : o.failures.front(); }

TEST(ScenarioFile, ErrorsNameTheFileAndPlace) {
  auto error = [](std::string_view text) {
    auto r = parse_scenario(text, "x.json");
    return std::holds_alternative<std::string>(r) ? std::get<std::string>(r) : "";
  };
  EXPECT_EQ(error(R"({"nodes": [{"name": "a", "address": "10.0.0.1", "colour": 1}]})"),
            "x.json: $.nodes[0]: unknown key \"colour\"");
  EXPECT_EQ(error(R"({"nodes": [{"name": "a", "address": "10.0.0.1"}],
                      "timeline": [{"fault": "partition", "between": ["a", "z"]}]})"),
            "x.json: $.timeline[0].between: no node named \"z\"");
  EXPECT_EQ(error(R"({"timeline": [{"fault": "melt"}]})")
                .rfind("x.json: $.timeline[0].fault: unknown fault \"melt\"", 0),
            0u);
  EXPECT_EQ(error(R"({"timeline": [{"advance_ms": "soon"}]})"),
            "x.json: $.timeline[0].advance_ms: expected a number or list");
  EXPECT_NE(error("{\"nodes\": [").find("x.json: byte 12"), std::string::npos)
      << error("{\"nodes\": [");
}

TEST(ScenarioFile, RoundTripsThroughJson) {
  for (const auto& path : shipped()) {
    const auto s = load(path.filename().string());
    auto again = parse_scenario(to_json(s), "again.json");
    ASSERT_TRUE(std::holds_alternative<Scenario>(again)) << std::get<std::string>(again);
    EXPECT_EQ(std::get<Scenario>(again), s) << path;
  }
}

TEST(ScenarioFile, ABadConfigurationIsReportedWithItsNode) {
  auto s = load("hold_timer_stall.json");
  s.nodes[1].config = "neighbor 10.0.0.1 { hold-time 1; }";
  const auto o = run_scenario(s, 1);
  ASSERT_FALSE(o.ok());
  EXPECT_NE(first(o).find("node b:1:"), std::string::npos) << first(o);
}

// Every shipped scenario passes its checks, safety and liveness, and two runs
// with one seed leave the same trace.
TEST(ShippedScenarios, PassAndAreDeterministic) {
  const auto files = shipped();
  ASSERT_GE(files.size(), 4u);
  for (const auto& path : files) {
    const auto s = load(path.filename().string());
    const auto report = sim::check_determinism(s.seed, [&](std::uint64_t seed) {
      EngineOptions o;
      o.keep_events = true;
      const auto outcome = run_scenario(s, seed, o);
      EXPECT_TRUE(outcome.ok()) << path.filename() << ": " << first(outcome);
      EXPECT_GE(outcome.converged_after_ms, 0) << path.filename();
      return outcome.run;
    });
    EXPECT_TRUE(report.same) << path.filename() << ": " << report.message;
  }
}

// The simulator at scale, cut down for ctest (docs/scenarios.md, "Scale",
// has the 1,000-speaker hour): 100 speakers, 4 spines x 96 leaves with 10
// routes each, through 6 virtual minutes with one round of faults (a 30 s
// partition, longer than the 20 s hold time, a leaf crashed and restarted, a
// link reset); every session comes back and every leaf's routes reach every
// spine. Hold time 20 s rather than 9: a third of the keepalives, for time.
TEST(Scale, HundredSpeakerClosThroughFaults) {
  const auto s =
      clos_scenario({.spines = 4, .leaves = 96, .routes = 10, .minutes = 10, .hold_time_s = 20});
  ASSERT_EQ(s.nodes.size(), 100u);
  EngineOptions o;
  o.bgp_trace = false;
  const auto out = run_scenario(s, 1, o);
  ASSERT_TRUE(out.ok()) << first(out);
  EXPECT_GE(out.converged_after_ms, 0);
  EXPECT_EQ(out.sessions, 2u * 4 * 96);  // both ends of every leaf-spine session
  EXPECT_EQ(out.routes, 4u * 96 * 10);   // each spine holds every leaf's routes
  EXPECT_GT(out.virtual_ms, 360'000);    // 60 s + a 300 s round of faults + quiesce
  EXPECT_GT(out.events, 100'000u);
}

// scenarios/make_clos.py (the docs' command) writes what clos_scenario builds.
TEST(Scale, MakeClosScriptMatchesTheGenerator) {
  const std::string command = std::string("python3 ") + SCENARIOS_DIR +
                              "/make_clos.py --spines 2 --leaves 3 --routes 2 --minutes 12 "
                              "--hold-time 30 2>/dev/null";
  std::FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) GTEST_SKIP() << "cannot run python3";
  std::string text;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) text.append(buf, n);
  if (pclose(pipe) != 0 || text.empty()) GTEST_SKIP() << "python3 is missing: " << command;
  auto parsed = parse_scenario(text, "make_clos.py");
  ASSERT_TRUE(std::holds_alternative<Scenario>(parsed)) << std::get<std::string>(parsed);
  const auto made =
      clos_scenario({.spines = 2, .leaves = 3, .routes = 2, .minutes = 12, .hold_time_s = 30});
  EXPECT_EQ(std::get<Scenario>(parsed), made) << to_json(made);
  EXPECT_EQ(made.timeline.size(), 1u + 2 * 8);  // rounds at minutes 5 and 10
}

// Issue 16.1: the world's seed reaches the speaker (back-off jitter from
// Runtime::derive_seed per peer): other seeds bring sessions up at other
// times; the same seed, at the same times.
TEST(ShippedScenarios, TheSeedChangesTheSpeakersTiming) {
  const auto s = load("flapping_link.json");
  auto ups = [&](std::uint64_t seed) {
    EngineOptions o;
    o.keep_events = true;
    std::vector<std::int64_t> at;
    for (const auto& e : run_scenario(s, seed, o).run.events)
      if (e.kind == sim::TraceKind::bgp_state &&
          std::string(e.bytes.begin(), e.bytes.end()).ends_with(" established"))
        at.push_back(e.at_ns);
    return at;
  };
  const auto one = ups(1);
  ASSERT_GE(one.size(), 6u);
  EXPECT_EQ(ups(1), one);
  int different = 0;
  for (std::uint64_t seed = 2; seed <= 4; ++seed) different += ups(seed) != one;
  EXPECT_EQ(different, 3);
}

// Issue 16.2: the trace speaks BGP: states, decoded messages, route changes, steps.
TEST(ShippedScenarios, TheTraceHasSpeakerEvents) {
  EngineOptions o;
  o.keep_events = true;
  const auto outcome = run_scenario(load("hold_timer_stall.json"), 1, o);
  ASSERT_TRUE(outcome.ok()) << first(outcome);
  std::map<sim::TraceKind, std::vector<std::string>> texts;
  for (const auto& e : outcome.run.events)
    if (sim::is_text(e.kind)) texts[e.kind].push_back(sim::format_event(e));
  auto has = [&](sim::TraceKind k, std::string_view part) {
    return std::any_of(texts[k].begin(), texts[k].end(),
                       [&](const std::string& t) { return t.find(part) != std::string::npos; });
  };
  EXPECT_TRUE(has(sim::TraceKind::bgp_state, "bgp_state 10.0.0.2 established"));
  EXPECT_TRUE(has(sim::TraceKind::bgp_sent, "neighbor 10.0.0.2 send update"));
  EXPECT_TRUE(has(sim::TraceKind::bgp_received, "10.1.0.0/24"));
  EXPECT_TRUE(has(sim::TraceKind::bgp_sent, "notification"));  // the hold timer's
  EXPECT_TRUE(has(sim::TraceKind::bgp_routes, "10.0.0.2 -10.1.0.0/24"));
  EXPECT_TRUE(has(sim::TraceKind::step, "stall a b"));
  // Without speaker events the run is the same, its trace smaller.
  EngineOptions quiet;
  quiet.bgp_trace = false;
  const auto bare = run_scenario(load("hold_timer_stall.json"), 1, quiet);
  EXPECT_TRUE(bare.ok());
  EXPECT_LT(bare.events, outcome.events + 1);
}

// A check that does not hold fails the run, naming the step.
TEST(ShippedScenarios, AFailedCheckNamesItsStep) {
  auto s = load("hold_timer_stall.json");
  s.timeline[1].count = 4;
  const auto o = run_scenario(s, 1);
  ASSERT_FALSE(o.ok());
  EXPECT_NE(
      first(o).find(
          "step 1 (check adj-rib-in a 10.0.0.2): adj-rib-in a 10.0.0.2: 3 routes, expected 4"),
      std::string::npos)
      << first(o);
}

// A small XML checker: balanced tags, one root, quoted attributes, only the
// five predefined entities, no raw '<' or '&' in text. Returns "" or the
// first problem with its byte offset.
std::string xml_problem(std::string_view x) {
  std::vector<std::string> open;
  std::size_t roots = 0;
  auto entity_ok = [&](std::size_t at) {
    for (std::string_view e : {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"})
      if (x.substr(at, e.size()) == e) return true;
    return false;
  };
  for (std::size_t i = 0; i < x.size();) {
    if (x[i] == '&' && !entity_ok(i)) return "bad entity at byte " + std::to_string(i);
    if (x[i] != '<') {
      ++i;
      continue;
    }
    if (x.substr(i, 2) == "<?") {
      const auto end = x.find("?>", i);
      if (end == std::string_view::npos) return "unterminated <? at byte " + std::to_string(i);
      i = end + 2;
      continue;
    }
    const bool closing = x.substr(i, 2) == "</";
    std::size_t j = i + (closing ? 2 : 1);
    const std::size_t name_at = j;
    while (j < x.size() && (std::isalnum(static_cast<unsigned char>(x[j])) || x[j] == '-' ||
                            x[j] == ':' || x[j] == '_'))
      ++j;
    const std::string name(x.substr(name_at, j - name_at));
    if (name.empty()) return "a tag without a name at byte " + std::to_string(i);
    if (closing) {
      if (open.empty() || open.back() != name)
        return "</" + name + "> closes nothing open at byte " + std::to_string(i);
      open.pop_back();
      j = x.find('>', j);
      if (j == std::string_view::npos) return "unterminated tag";
      i = j + 1;
      continue;
    }
    // Attributes: name="value" with no '<' and valid entities.
    for (;;) {
      while (j < x.size() && x[j] == ' ') ++j;
      if (j >= x.size()) return "unterminated tag <" + name;
      if (x[j] == '>' || x.substr(j, 2) == "/>") break;
      const auto eq = x.find('=', j);
      if (eq == std::string_view::npos || x[eq + 1] != '"')
        return "unquoted attribute in <" + name + "> at byte " + std::to_string(j);
      const auto close = x.find('"', eq + 2);
      if (close == std::string_view::npos) return "unterminated attribute";
      for (std::size_t k = eq + 2; k < close; ++k) {
        if (x[k] == '<') return "'<' in an attribute at byte " + std::to_string(k);
        if (x[k] == '&' && !entity_ok(k)) return "bad entity at byte " + std::to_string(k);
      }
      j = close + 1;
    }
    if (open.empty()) ++roots;
    if (x[j] == '>') {
      open.push_back(name);
      i = j + 1;
    } else {
      i = j + 2;
    }
  }
  if (!open.empty()) return "<" + open.back() + "> never closed";
  if (roots != 1) return std::to_string(roots) + " root elements";
  return "";
}

std::size_t count(std::string_view text, std::string_view part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string_view::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

// Issue 16.9: the run as a message sequence chart. One arrow per message
// sent; each received message ends one of them; the stall and the hold
// timer's NOTIFICATION are on it.
TEST(Chart, OneArrowPerMessageAndWellFormed) {
  EngineOptions o;
  o.keep_events = true;
  const auto scenario = load("hold_timer_stall.json");
  const auto outcome = run_scenario(scenario, 1, o);
  ASSERT_TRUE(outcome.ok()) << first(outcome);
  std::size_t sent = 0, received = 0;
  for (const auto& e : outcome.run.events) {
    sent += e.kind == sim::TraceKind::bgp_sent;
    received += e.kind == sim::TraceKind::bgp_received;
  }
  ASSERT_GT(sent, 10u);
  const auto chart = render_chart(scenario, outcome.run.events);
  EXPECT_EQ(xml_problem(chart.svg), "");
  EXPECT_EQ(chart.messages, sent);
  EXPECT_EQ(count(chart.svg, "<g class=\"msg\">") + count(chart.svg, "<g class=\"msg lost\">"),
            sent);
  EXPECT_EQ(count(chart.svg, "<g class=\"msg\">"), received);
  EXPECT_EQ(chart.lost, sent - received);
  EXPECT_NE(chart.svg.find(">stall a b</text>"), std::string::npos);
  EXPECT_NE(chart.svg.find(">NOTIFICATION 4/0</text>"), std::string::npos);
  EXPECT_NE(chart.svg.find(">UPDATE +10.1.0.0/24"), std::string::npos);
  EXPECT_EQ(count(chart.svg, "<g class=\"speaker\">"), scenario.nodes.size());
  // The checker itself catches what it should.
  EXPECT_NE(xml_problem("<svg><g></svg>"), "");
  EXPECT_NE(xml_problem("<svg a=\"1 & 2\"/>"), "");
  EXPECT_NE(xml_problem("<svg/><svg/>"), "");
}

}  // namespace
}  // namespace bgpsim::scenarios
