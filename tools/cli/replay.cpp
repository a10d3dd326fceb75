// `bgpsim replay decode FILE...`: captured BGP sessions (pcap, pcapng) as
// JSON lines, each message in ExaBGP's JSON (speaker/wire/json), then one
// summary line per session. See docs/replay.md.
#include "tools/cli/replay.hpp"

#include <fmt/format.h>

#include <iostream>
#include <string>

#include "replay/bgpdump_format.hpp"
#include "replay/file_kind.hpp"
#include "replay/mrt/mrt_reader.hpp"
#include "replay/pcap/pcap_reader.hpp"
#include "speaker/wire/json.hpp"
#include "speaker/wire/message.hpp"

namespace bgpsim::cli {

using wire::Json;

namespace {

constexpr const char* direction_names[2] = {"a->b", "b->a"};
constexpr const char* type_keys[6] = {"other",        "open",      "update",
                                      "notification", "keepalive", "refresh"};

double seconds(const replay::Timestamp& t) {
  return static_cast<double>(t.sec) + static_cast<double>(t.usec) / 1e6;
}

Json endpoint_json(const replay::Endpoint& e) {
  Json j;
  j["address"] = e.address.to_string();
  j["port"] = e.port;
  if (e.asn) j["asn"] = *e.asn;
  return j;
}

Json context_json(const wire::DecodeContext& c, bool inferred) {
  Json j;
  j["source"] = inferred ? "inferred" : "open";
  j["asn4"] = c.four_octet_asn;
  j["extended-message"] = c.extended_message;
  Json families = Json::array();
  for (auto f : c.add_path.items()) families.push_back(f.to_string());
  j["add-path"] = std::move(families);
  return j;
}

Json record_json(const replay::Record& r, bool with_file) {
  Json j;
  switch (r.kind) {
    case replay::RecordKind::message:
      j["type"] = "message";
      break;
    case replay::RecordKind::gap:
      j["type"] = "gap";
      break;
    case replay::RecordKind::error:
      j["type"] = "error";
      break;
    case replay::RecordKind::state_change:
      j["type"] = "state";
      break;
    case replay::RecordKind::rib_entry:
      j["type"] = "rib";
      break;
  }
  j["time"] = seconds(r.time);
  if (with_file) j["file"] = r.origin.file;
  if (r.session != 0) {
    j["session"] = r.session;
    j["direction"] = direction_names[r.side & 1];
  }
  j["packet"] = r.origin.record;
  switch (r.kind) {
    case replay::RecordKind::message: {
      j["offset"] = r.stream_offset;
      // pcap records carry their context; MRT ones are read as bgpdump reads them.
      const wire::DecodeContext ctx = r.context ? *r.context : replay::mrt_decode_context(r);
      auto m = wire::decode_message(r.bytes, ctx);
      if (!m) {
        Json e = wire::error_to_json(m.error());
        j["error"] = e["error"];
        j["hex"] = wire::to_hex(r.bytes);
        break;
      }
      // ExaBGP's envelope as the receiver would print it: "peer" is the sender.
      wire::JsonEnvelope env;
      env.peer_address = r.from.address.to_string();
      env.local_address = r.to.address.to_string();
      env.peer_as = r.from.asn.value_or(0);
      env.local_as = r.to.asn.value_or(0);
      env.direction = "in";
      if (const auto* open = std::get_if<wire::Open>(&m.value()))
        env.router_id = open->bgp_identifier;
      j["exabgp"] = wire::to_json(m.value(), ctx, env);
      break;
    }
    case replay::RecordKind::gap:
      j["offset"] = r.stream_offset;
      j["bytes"] = r.gap_bytes;
      j["reason"] = r.error;
      break;
    default:
      j["reason"] = r.error;
      break;
  }
  return j;
}

Json summary_json(const replay::SessionSummary& s, const std::string& file, bool with_file) {
  Json j;
  j["type"] = "summary";
  if (with_file) j["file"] = file;
  j["session"] = s.session;
  j["a"] = endpoint_json(s.side[0]);
  j["b"] = endpoint_json(s.side[1]);
  j["first"] = seconds(s.first);
  j["last"] = seconds(s.last);
  j["first-packet"] = s.first_packet;
  j["last-packet"] = s.last_packet;
  Json messages, gaps, context;
  for (int d = 0; d < 2; ++d) {
    Json counts;
    for (int t = 1; t <= 5; ++t) counts[type_keys[t]] = s.messages[d][t];
    counts["other"] = s.messages[d][0];
    messages[direction_names[d]] = std::move(counts);
    gaps[direction_names[d]] = {{"gaps", s.gaps[d]},
                                {"bytes", s.gap_bytes[d]},
                                {"skipped-bytes", s.skipped_bytes[d]},
                                {"errors", s.errors[d]}};
    context[direction_names[d]] = context_json(s.context[d], s.context_inferred[d]);
  }
  j["messages"] = std::move(messages);
  j["damage"] = std::move(gaps);
  j["context"] = std::move(context);
  j["closed"] = s.closed;
  return j;
}

// MRT (anything without a pcap magic; plain, gzip or bzip2): JSON lines, or
// `bgpdump -m`'s lines with --format bgpdump. Damaged records go to stderr
// and are skipped, as bgpdump does.
bool decode_mrt_file(const std::string& path, const ReplayDecodeOptions& options, bool with_file,
                     std::ostream& out, std::ostream& err) {
  const bool bgpdump = options.format == "bgpdump";
  std::string text;
  std::uint64_t errors = 0;
  replay::read_mrt(path, [&](const replay::Record& r) {
    if (r.kind == replay::RecordKind::error) {
      ++errors;
      err << "bgpsim replay decode: " << r.error << "\n";
      if (bgpdump || !options.gaps_and_errors) return;
    }
    if (options.session && r.session != *options.session) return;
    if (bgpdump) {
      replay::format_bgpdump(r, text);
      if (text.size() >= (1u << 16)) {
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
        text.clear();
      }
      return;
    }
    Json j = record_json(r, with_file);
    if (r.kind == replay::RecordKind::state_change) {
      j["old-state"] = r.old_state;  // RFC 6396 4.4.1: 1 Idle ... 6 Established
      j["new-state"] = r.new_state;
    }
    if (r.kind == replay::RecordKind::rib_entry) {
      j["prefix"] = r.prefix.to_string();
      if (r.path_id) j["path-id"] = *r.path_id;
      j["peer"] = endpoint_json(r.from);
      j["originated"] = seconds(r.originated);
      j["attributes"] = wire::to_hex(r.bytes);
    }
    out << j.dump() << "\n";
  });
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  if (options.summary && !bgpdump) {
    Json f;
    f["type"] = "file";
    f["file"] = path;
    f["format"] = "mrt";
    f["errors"] = errors;
    out << f.dump() << "\n";
  }
  return true;
}

bool decode_file(const std::string& path, const ReplayDecodeOptions& options, bool with_file,
                 std::ostream& out, std::ostream& err) {
  replay::FileKind kind;
  try {
    kind = replay::file_kind(path);
  } catch (const std::exception& e) {
    err << "bgpsim replay decode: " << e.what() << "\n";
    return false;
  }
  if (kind == replay::FileKind::other) return decode_mrt_file(path, options, with_file, out, err);
  if (options.format != "json") {
    err << "bgpsim replay decode: " << path << ": --format " << options.format
        << " is for MRT files; pcap captures print json\n";
    return false;
  }
  auto sink = [&](const replay::Record& r) {
    if (options.session && r.session != *options.session) return;
    if (r.kind != replay::RecordKind::message && !options.gaps_and_errors) return;
    out << record_json(r, with_file).dump() << "\n";
  };
  const auto result = replay::read_pcap(path, sink);
  if (!result.opened) {
    err << "bgpsim replay decode: " << result.error << "\n";
    return false;
  }
  if (options.summary) {
    for (const auto& s : result.sessions) {
      if (options.session && s.session != *options.session) continue;
      out << summary_json(s, path, with_file).dump() << "\n";
    }
    Json f;
    f["type"] = "file";
    f["file"] = path;
    f["format"] = std::string(replay::to_string(kind));
    f["link-type"] = result.link_type;
    f["packets"] = result.packets;
    f["tcp-segments"] = result.tcp_segments;
    f["sessions"] = result.sessions.size();
    f["errors"] = result.errors;
    out << f.dump() << "\n";
  }
  return true;
}

}  // namespace

int run_replay_decode(const ReplayDecodeOptions& options, std::ostream& out, std::ostream& err) {
  bool ok = true;
  const bool with_file = options.files.size() > 1;
  for (const auto& f : options.files) ok = decode_file(f, options, with_file, out, err) && ok;
  return ok ? 0 : 1;
}

void add_replay_command(CLI::App& app, ReplayOptions& options, int& exit_code) {
  auto* replay =
      app.add_subcommand("replay", "Captured BGP sessions: decode, run, send (see docs/replay.md)");
  replay->require_subcommand(1);
  auto* decode = replay->add_subcommand(
      "decode",
      "Print every BGP message of pcap/pcapng captures as JSON lines (ExaBGP's JSON), then a "
      "summary line per session");
  decode->add_option("files", options.decode.files, "Capture files (pcap, pcapng, MRT)")
      ->required()
      ->check(CLI::ExistingFile);
  decode->add_option("--format", options.decode.format, "Output format")
      ->check(CLI::IsMember({"json", "bgpdump"}));
  decode->add_option("--session", options.decode.session, "Only this session (1-based)");
  decode->add_flag_callback(
      "--no-summary", [&options] { options.decode.summary = false; },
      "Leave out the summary lines at the end");
  decode->add_flag_callback(
      "--messages-only", [&options] { options.decode.gaps_and_errors = false; },
      "Leave out gap and error lines");
  decode->callback([&options, &exit_code] {
    exit_code = run_replay_decode(options.decode, std::cout, std::cerr);
  });

  auto* run = replay->add_subcommand(
      "run",
      "The speaker takes one side's place in the simulator against the other side's recorded "
      "messages; reports divergences (exit 1)");
  auto& r = options.run;
  run->add_option("file", r.file, "Capture file (pcap, pcapng)")
      ->required()
      ->check(CLI::ExistingFile);
  run->add_option("--session", r.session, "Session number (as replay decode numbers them)")
      ->capture_default_str();
  run->add_option("--as", r.side, "The side the speaker replaces")
      ->required()
      ->check(CLI::IsMember({"a", "b"}));
  run->add_flag("--json", r.json, "One JSON object instead of the summary");
  run->add_option("--seed", r.seed, "Root seed of the simulated world")->capture_default_str();
  run->add_option("--latency-us", r.latency_us, "One-way link latency in microseconds")
      ->capture_default_str();
  run->add_option("--settle-s", r.settle_s,
                  "Virtual seconds run after the last recorded message before comparing")
      ->capture_default_str();
  run->add_option("--pcap", r.pcap_path, "Write the simulated session to this pcap file");
  run->callback(
      [&options, &exit_code] { exit_code = run_replay_run(options.run, std::cout, std::cerr); });

  auto* send = replay->add_subcommand(
      "send",
      "Re-send one side's UPDATEs (pcap, MRT BGP4MP) or an MRT RIB dump's routes to a live "
      "daemon");
  auto& s = options.send;
  send->add_option("file", s.file, "Capture (pcap, pcapng) or MRT file")
      ->required()
      ->check(CLI::ExistingFile);
  send->add_option("--session", s.session, "Session (pcap) or peer pair (MRT BGP4MP)")
      ->capture_default_str();
  send->add_option("--as", s.side, "pcap: the side whose UPDATEs are sent")
      ->check(CLI::IsMember({"a", "b"}))
      ->capture_default_str();
  send->add_option("--to", s.to, "The daemon: ADDRESS:PORT ([ADDRESS]:PORT for IPv6)")->required();
  send->add_option("--pace", s.pace, "recorded: UPDATEs at their recorded offsets; max: at once")
      ->check(CLI::IsMember({"recorded", "max"}))
      ->capture_default_str();
  send->add_option("--local-as", s.local_as, "Our AS")->required();
  send->add_option("--peer-as", s.peer_as, "The daemon's AS")->required();
  send->add_option("--router-id", s.router_id, "Our BGP identifier (default: --local-address)");
  send->add_option("--local-address", s.local_address, "Address to connect from");
  send->add_option("--next-hop", s.next_hop, "Replace every route's next hop with this one");
  send->add_option("--mrt-peer", s.mrt_peer,
                   "RIB dumps: only this peer's routes (default: the first entry per prefix)");
  send->add_option("--hold-time", s.hold_time_s, "Hold time in seconds")->capture_default_str();
  send->add_option("--timeout", s.timeout_s,
                   "Seconds to reach Established, and to drain the routes after the last batch")
      ->capture_default_str();
  send->add_option("--linger", s.linger_s, "Seconds to keep the session up after sending")
      ->capture_default_str();
  send->add_flag("--keep", s.keep, "Keep the session up until SIGINT/SIGTERM");
  send->callback(
      [&options, &exit_code] { exit_code = run_replay_send(options.send, std::cout, std::cerr); });
}

}  // namespace bgpsim::cli
