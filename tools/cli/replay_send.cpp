// `bgpsim replay send FILE --to HOST:PORT`: recorded UPDATEs, or an MRT RIB
// dump's routes, onto a real session with a live daemon
// (replay/drivers/send.hpp). Progress as JSON lines on stdout. See
// docs/replay.md.
#include <fmt/format.h>

#include <charconv>
#include <cstdio>
#include <iostream>

#include "replay/drivers/send.hpp"
#include "speaker/wire/json.hpp"
#include "tools/cli/replay.hpp"

namespace bgpsim::cli {

namespace {

// "192.0.2.1:179", "[2001:db8::1]:179".
std::optional<std::pair<std::string, std::uint16_t>> host_port(const std::string& text) {
  std::string host;
  std::string_view port;
  if (text.starts_with("[")) {
    const auto close = text.find("]:");
    if (close == std::string::npos) return std::nullopt;
    host = text.substr(1, close - 1);
    port = std::string_view(text).substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos) return std::nullopt;
    host = text.substr(0, colon);
    port = std::string_view(text).substr(colon + 1);
  }
  std::uint16_t p = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
  if (ec != std::errc{} || end != port.data() + port.size() || p == 0 ||
      !wire::IpAddress::parse(host))
    return std::nullopt;
  return std::make_pair(host, p);
}

void line(const std::string& text) {
  std::fputs(text.c_str(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);  // scripts wait on these lines
}

}  // namespace

int run_replay_send(const ReplaySendOptions& o, std::ostream& out, std::ostream& err) {
  const auto to = host_port(o.to);
  if (!to) {
    err << "bgpsim replay send: --to " << o.to
        << ": expected ADDRESS:PORT ([ADDRESS]:PORT for IPv6)\n";
    return 2;
  }
  replay::SendSourceOptions source_options;
  source_options.session = o.session;
  source_options.side = o.side == "a" ? 0 : 1;
  if (o.mrt_peer) {
    source_options.mrt_peer = wire::IpAddress::parse(*o.mrt_peer);
    if (!source_options.mrt_peer) {
      err << "bgpsim replay send: --mrt-peer " << *o.mrt_peer << ": not an IP address\n";
      return 2;
    }
  }
  auto loaded = replay::load_send_source(o.file, source_options);
  if (auto* e = std::get_if<std::string>(&loaded)) {
    err << "bgpsim replay send: " << *e << "\n";
    return 2;
  }
  const auto& source = std::get<replay::SendSource>(loaded);
  for (const auto& note : source.notes) err << "bgpsim replay send: " << note << "\n";
  wire::Json families = wire::Json::array();
  for (auto f : source.families) families.push_back(f.to_string());
  line(wire::Json{{"type", "source"},
                  {"file", o.file},
                  {"batches", source.batches.size()},
                  {"announcements", source.announcements},
                  {"withdrawals", source.withdrawals},
                  {"skipped", source.skipped},
                  {"families", families}}
           .dump());

  replay::SendOptions options;
  options.host = to->first;
  options.port = to->second;
  options.local_as = o.local_as;
  options.peer_as = o.peer_as;
  if (o.router_id) {
    auto id = wire::IpAddress::parse(*o.router_id);
    if (!id || id->v6) {
      err << "bgpsim replay send: --router-id " << *o.router_id << ": not an IPv4 address\n";
      return 2;
    }
    options.router_id = id->v4_u32();
  }
  for (auto [text, target] : {std::pair{&o.local_address, &options.local_address},
                              std::pair{&o.next_hop, &options.next_hop}}) {
    if (!*text) continue;
    *target = wire::IpAddress::parse(**text);
    if (!*target) {
      err << "bgpsim replay send: " << **text << ": not an IP address\n";
      return 2;
    }
  }
  options.hold_time_s = o.hold_time_s;
  options.recorded_pace = o.pace == "recorded";
  options.timeout = std::chrono::seconds(o.timeout_s);
  if (o.keep)
    options.linger.reset();
  else
    options.linger = std::chrono::seconds(o.linger_s);
  const auto report = replay::send_routes(source, options, line);
  wire::Json done{{"type", "done"},
                  {"established", report.established},
                  {"completed", report.completed},
                  {"batches", report.batches_sent},
                  {"announced", report.announced},
                  {"withdrawn", report.withdrawn},
                  {"seconds", std::chrono::duration<double>(report.elapsed).count()}};
  if (!report.error.empty()) done["error"] = report.error;
  out << done.dump() << "\n";
  if (!report.error.empty()) err << "bgpsim replay send: " << report.error << "\n";
  return report.completed ? 0 : 1;
}

}  // namespace bgpsim::cli
