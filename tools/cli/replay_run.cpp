// `bgpsim replay run FILE --session N --as a|b`: the speaker takes one side's
// place in the simulator against the other side's recorded messages
// (replay/drivers/run.hpp); prints what diverged. See docs/replay.md.
#include <fmt/format.h>

#include <iostream>

#include "replay/drivers/run.hpp"
#include "speaker/wire/address.hpp"
#include "speaker/wire/json.hpp"
#include "tools/cli/replay.hpp"

namespace bgpsim::cli {

namespace {

using wire::Json;

double seconds(std::chrono::nanoseconds t) { return std::chrono::duration<double>(t).count(); }
const char* side_name(int side) { return side == 0 ? "a" : "b"; }

Json message_json(const replay::MessageAt& m) {
  return Json{{"index", m.index}, {"time", seconds(m.at)}, {"kind", m.kind}};
}

Json routes_json(const std::vector<replay::RouteDifference>& diffs) {
  Json out = Json::array();
  for (const auto& d : diffs) {
    Json j{{"route", d.route}, {"what", d.what}};
    if (!d.expected.empty()) j["expected"] = Json::parse(d.expected);
    if (!d.actual.empty()) j["actual"] = Json::parse(d.actual);
    out.push_back(std::move(j));
  }
  return out;
}

Json report_json(const replay::RunReport& r) {
  Json j;
  j["type"] = "replay-run";
  j["file"] = r.file;
  j["session"] = r.session;
  j["as"] = side_name(r.side);
  j["speaker"] = {{"address", r.speaker_address},
                  {"port", r.speaker_port},
                  {"asn", r.local_as},
                  {"router-id", wire::dotted_quad(r.router_id)},
                  {"hold-time", r.hold_time_s},
                  {"passive", r.passive},
                  {"families", r.families},
                  {"capabilities", r.capabilities},
                  {"routes", r.routes_configured}};
  j["peer"] = {{"address", r.peer_address}, {"port", r.peer_port}, {"asn", r.peer_as}};
  j["seed"] = r.seed;
  j["trace-hash"] = fmt::format("{:016x}", r.trace_hash);
  j["end"] = seconds(r.end);
  j["messages"] = {{"recorded", r.recorded_messages},
                   {"replayed", r.replayed_messages},
                   {"speaker", r.speaker_messages}};
  j["established"] = r.established;
  j["notes"] = r.notes;
  Json d;
  if (r.kinds_differ) {
    Json first;
    first["recorded"] = r.first_recorded ? message_json(*r.first_recorded) : Json(nullptr);
    first["speaker"] = r.first_speaker ? message_json(*r.first_speaker) : Json(nullptr);
    d["first-message"] = std::move(first);
  } else {
    d["first-message"] = nullptr;
  }
  Json notifications = Json::array();
  for (const auto& m : r.unexpected_notifications) notifications.push_back(message_json(m));
  d["notifications"] = std::move(notifications);
  d["adj-rib-in"] = {{"expected", r.rib_in_expected},
                     {"actual", r.rib_in_actual},
                     {"differences", routes_json(r.rib_in)}};
  d["sent"] = {{"expected", r.sent_expected},
               {"actual", r.sent_actual},
               {"differences", routes_json(r.sent)}};
  d["failures"] = r.failures;
  j["divergences"] = std::move(d);
  j["diverged"] = r.diverged();
  return j;
}

void print_routes(std::ostream& out, const std::vector<replay::RouteDifference>& diffs) {
  constexpr std::size_t shown = 10;
  for (std::size_t i = 0; i < diffs.size() && i < shown; ++i) {
    const auto& d = diffs[i];
    out << "    " << d.what << " " << d.route;
    if (!d.expected.empty()) out << "\n      expected " << d.expected;
    if (!d.actual.empty()) out << "\n      actual   " << d.actual;
    out << "\n";
  }
  if (diffs.size() > shown) out << "    ... and " << diffs.size() - shown << " more\n";
}

void print_summary(std::ostream& out, const replay::RunReport& r) {
  const char* me = side_name(r.side);
  const char* other = side_name(1 - r.side);
  out << fmt::format("replay run {} session {}: the speaker is side {}\n", r.file, r.session, me);
  out << fmt::format(
      "  speaker  {} port {}, AS {}, router id {}, hold time {} s, {}\n  families {}; "
      "capabilities {}\n  announces the {} routes side {} announced\n",
      r.speaker_address, r.speaker_port, r.local_as, wire::dotted_quad(r.router_id), r.hold_time_s,
      r.passive ? "listening" : "connecting", fmt::join(r.families, ", "),
      fmt::join(r.capabilities, ", "), r.routes_configured, me);
  out << fmt::format("  peer     {} port {}, AS {} (side {}, scripted)\n", r.peer_address,
                     r.peer_port, r.peer_as, other);
  out << fmt::format(
      "  replayed {} messages of side {}; the speaker sent {} (side {} sent {} in the capture); "
      "{}\n  compared at {:.6f} s virtual (seed {}, trace {:016x})\n",
      r.replayed_messages, other, r.speaker_messages, me, r.recorded_messages,
      r.established ? "Established" : "never Established", seconds(r.end), r.seed, r.trace_hash);
  for (const auto& n : r.notes) out << "  note: " << n << "\n";
  if (r.kinds_differ) {
    out << "  DIVERGENCE messages: ";
    if (r.first_recorded)
      out << fmt::format("side {} sent message {} ({}) at {:.6f} s", me, r.first_recorded->index,
                         r.first_recorded->kind, seconds(r.first_recorded->at));
    else
      out << fmt::format("side {} sent nothing more", me);
    if (r.first_speaker)
      out << fmt::format("; the speaker sent message {} ({}) at {:.6f} s\n", r.first_speaker->index,
                         r.first_speaker->kind, seconds(r.first_speaker->at));
    else
      out << "; the speaker sent nothing more\n";
  } else {
    out << "  messages: the same kinds in the same order\n";
  }
  for (const auto& m : r.unexpected_notifications)
    out << fmt::format("  DIVERGENCE notification: the speaker sent message {} at {:.6f} s, {}\n",
                       m.index, seconds(m.at), m.kind);
  if (r.rib_in.empty())
    out << fmt::format("  Adj-RIB-In: {} routes, as side {} announced them\n", r.rib_in_actual,
                       other);
  else {
    out << fmt::format("  DIVERGENCE Adj-RIB-In: {} routes, side {} announced {}; {} differences\n",
                       r.rib_in_actual, other, r.rib_in_expected, r.rib_in.size());
    print_routes(out, r.rib_in);
  }
  if (r.sent.empty())
    out << fmt::format("  sent: {} routes, as side {} announced them\n", r.sent_actual, me);
  else {
    out << fmt::format("  DIVERGENCE sent: {} routes, side {} announced {}; {} differences\n",
                       r.sent_actual, me, r.sent_expected, r.sent.size());
    print_routes(out, r.sent);
  }
  for (const auto& f : r.failures) out << "  DIVERGENCE failure: " << f << "\n";
  out << (r.diverged() ? "diverged\n" : "no divergence\n");
}

}  // namespace

int run_replay_run(const ReplayRunOptions& options, std::ostream& out, std::ostream& err) {
  auto loaded = replay::load_session(options.file, options.session);
  if (auto* e = std::get_if<std::string>(&loaded)) {
    err << "bgpsim replay run: " << *e << "\n";
    return 2;
  }
  replay::RunOptions run;
  run.side = options.side == "a" ? 0 : 1;
  run.seed = options.seed;
  run.latency = std::chrono::microseconds(options.latency_us);
  run.settle = std::chrono::seconds(options.settle_s);
  run.pcap_path = options.pcap_path;
  auto result = replay::run_replay(std::get<replay::CapturedSession>(loaded), run);
  if (auto* e = std::get_if<std::string>(&result)) {
    err << "bgpsim replay run: " << *e << "\n";
    return 2;
  }
  const auto& report = std::get<replay::RunReport>(result);
  if (options.json)
    out << report_json(report).dump() << "\n";
  else
    print_summary(out, report);
  return report.diverged() ? 1 : 0;
}

}  // namespace bgpsim::cli
