#include "qa/runner/functional.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <sstream>

#include "qa/peer/test_peer.hpp"
#include "sim/pcap.hpp"
#include "sim/sim_runtime.hpp"
#include "speaker/api/api_host.hpp"
#include "speaker/config/parser.hpp"
#include "speaker/reactor/reactor.hpp"
#include "speaker/wire/json.hpp"

namespace bgpsim::qa {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Status = FunctionalResult::Status;

namespace {

// Keeps the session's negotiated context, to decode what the speaker sent
// the way it was encoded.
struct ContextKeeper : session::PeerObserver {
  std::optional<wire::CodecContext> sent;
  void on_established(const std::string&, const session::Negotiated& n) override { sent = n.send; }
};

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

// Why the speaker cannot run this configuration yet, or nullopt.
std::optional<std::string> needs(const config::Config& config) {
  for (const auto& n : config.neighbors) {
    if (auto why = n.unsupported()) return "needs " + *why;
  }
  if (config.neighbors.empty()) return "needs a neighbor in the configuration";
  return std::nullopt;
}

}  // namespace

std::string_view to_string(Status status) {
  switch (status) {
    case Status::passed:
      return "pass";
    case Status::failed:
      return "FAIL";
    case Status::skipped:
      return "skip";
  }
  return "?";
}

bool is_functional(const CiFile& file) {
  if (file.configs.empty()) return false;
  return std::any_of(file.lines.begin(), file.lines.end(),
                     [](const CiLine& l) { return l.kind == "raw"; });
}

FunctionalResult run_functional(const CiFile& file, const fs::path& config_dir,
                                const FunctionalOptions& options) {
  using Clock = std::chrono::steady_clock;  // wall time for the report only
  const auto wall_start = Clock::now();
  FunctionalResult result;
  result.name = file.path.stem().string();
  result.seed = options.seed;
  auto finish = [&](Status status, std::string reason) {
    result.status = status;
    result.reason = std::move(reason);
    result.wall_s = std::chrono::duration<double>(Clock::now() - wall_start).count();
    return result;
  };

  auto parsed_script = peer_script(file);
  if (auto* e = std::get_if<CiError>(&parsed_script))
    return finish(Status::failed, e->where + ": " + e->reason);
  PeerScript script = std::get<PeerScript>(std::move(parsed_script));

  // Every configuration the test names, loaded up front: a reload must not
  // fail half-way for a file that cannot be read.
  std::vector<config::Config> configs;
  for (const auto& name : file.configs) {
    auto loaded = config::load_config(config_dir / name);
    if (auto* e = std::get_if<config::ParseError>(&loaded))
      return finish(Status::failed, "configuration: " + e->to_string());
    configs.push_back(std::get<config::Config>(std::move(loaded)));
    for (auto& n : configs.back().neighbors) {
      n.exabgp_compat = options.exabgp_compat;
      n.capabilities.software_version_text = options.software_version;
    }
    if (auto why = needs(configs.back())) return finish(Status::skipped, *why);
  }

  sim::World world(options.seed);
  auto& net = sim::Network::install(world);
  std::unique_ptr<sim::PcapWriter> pcap;
  if (!options.pcap_dir.empty())
    pcap = std::make_unique<sim::PcapWriter>(net,
                                             (options.pcap_dir / (result.name + ".pcap")).string());
  // Both ends on the loopback addresses, unchanged: next-hop-self carries them.
  const std::vector<sim::Address> loopback{boost::asio::ip::make_address("127.0.0.1"),
                                           boost::asio::ip::make_address("::1")};
  const sim::NodeId speaker_node = net.add_node("speaker", loopback);
  const sim::NodeId peer_node = net.add_node("peer", loopback);
  sim::SimRuntime speaker_rt(net, speaker_node), peer_rt(net, peer_node);

  ContextKeeper contexts;
  reactor::ObserverFanout observers;
  observers.add(contexts);
  // Declared before the speaker, so they outlive it: its last events (a
  // session going down as it is destroyed) still reach the dispatcher.
  std::vector<std::string> helper_log;
  std::unique_ptr<api::ApiHost<sim::SimRuntime>> api;
  reactor::Reactor<sim::SimRuntime> speaker(speaker_rt, observers);
  if (auto error = speaker.configure(configs.front()))
    return finish(Status::failed, "the speaker refuses the configuration: " + *error);

  // The configuration's helper processes (ExaBGP's etc/run scripts, run
  // unchanged from beside the configuration) in virtual time, their lines
  // fed to the text API and its answers and events written back.
  const config::Config* applied = &configs.front();
  std::size_t next_config = 1;
  std::string signal_error;
  // ExaBGP reloads its configuration on SIGUSR1 (and SIGHUP, and the API's
  // `reload`); SIGTERM stops it.
  auto reload = [&]() -> std::optional<std::string> {
    const auto& next = configs[std::min(next_config, configs.size() - 1)];
    if (next_config < configs.size()) ++next_config;
    if (auto error = speaker.configure(next)) return "reload refused: " + *error;
    applied = &next;
    if (api) api->reconfigure(next);
    return std::nullopt;
  };
  if (!applied->processes.empty()) {
    api::ApiHostOptions host_options;
    host_options.processes.command_dir = config_dir.string();
    host_options.log = [&](const std::string& line) { helper_log.push_back(line); };
    host_options.log_commands = true;
    api = std::make_unique<api::ApiHost<sim::SimRuntime>>(speaker_rt, speaker, observers,
                                                          *applied, std::move(host_options));
    api::Control control;
    control.reload = reload;
    // ExaBGP's `restart`: reload, then every session again (Cease /
    // Administrative Reset), as `bgpsim live` does.
    control.restart = [&]() -> std::optional<std::string> {
      if (auto error = reload()) return error;
      for (const auto& n : applied->neighbors)
        if (auto* p = speaker.find_peer(n.peer_address.to_string()))
          p->teardown(wire::Notification{static_cast<std::uint8_t>(wire::NotifyCode::cease),
                                         wire::cease::administrative_reset, {}});
      return std::nullopt;
    };
    control.shutdown = [&] { speaker.stop(); };
    control.pid = 999;  // the simulator's pid for the speaker (docs/processes.md)
    api->set_control(std::move(control));
  }
  auto on_signal = [&](const std::string& name) {
    if (name == "SIGUSR1" || name == "SIGHUP" || name == "USR1" || name == "HUP") {
      if (auto error = reload()) signal_error = *error;
    } else if (name == "SIGTERM" || name == "TERM") {
      speaker.stop();
    } else {
      signal_error = "signal " + name + " is not supported by the runner";
    }
  };
  const std::uint16_t port = configs.front().neighbors.front().connect_port;
  const sim::Endpoint listen_on(loopback[script.options.ipv6 ? 1 : 0], port);
  const auto timeout =
      script.options.timeout_s ? std::chrono::seconds(*script.options.timeout_s) : options.timeout;
  sim::Acceptor acceptor = net.listen(peer_node, listen_on);
  TestPeer<sim::SimRuntime> peer(peer_rt, std::move(script), on_signal, [&] { world.stop(); });
  net.spawn(peer_node, peer.run(acceptor));
  net.spawn(speaker_node, speaker.run());
  bool helpers_done = false;
  if (api)
    net.spawn(speaker_node, [&]() -> boost::asio::awaitable<void, sim::Executor> {
      co_await api->run();
      helpers_done = true;
    });

  world.run_until(timeout);
  if (peer.outcome().status == PeerOutcome::Status::passed) world.run_for(options.settle);
  const PeerOutcome outcome = peer.outcome();
  result.connections = outcome.connections;
  result.virtual_time = outcome.status == PeerOutcome::Status::running ? world.now() : outcome.at;
  speaker.stop();
  if (api) api->stop();
  acceptor.close();
  world.run_for(5s);
  // The helpers end within ProcessSet's grace (SIGTERM, SIGKILL after 2 s);
  // the world must outlive their coroutines.
  for (int i = 0; api && !helpers_done && i < 30; ++i) world.run_for(1s);
  if (api && !helpers_done) signal_error = "the helper processes did not stop";
  result.trace_hash = world.trace().hash();
  if (pcap) pcap->flush();

  const wire::CodecContext ctx = contexts.sent.value_or(wire::CodecContext{});
  // A failure shows what the helpers said (their stderr, the API's errors):
  // a helper that checks answers reports there (qa/etc/run/commands.py).
  auto helper_lines = [&] {
    std::string s;
    if (!helper_log.empty()) s = "  helper processes and API:\n";
    for (const auto& line : helper_log) s += "    " + line + "\n";
    return s;
  };
  std::string failures;
  for (const auto& f : net.failures()) failures += (failures.empty() ? "" : "; ") + f;
  if (!signal_error.empty()) return finish(Status::failed, signal_error);
  switch (outcome.status) {
    case PeerOutcome::Status::passed:
      if (!failures.empty()) return finish(Status::failed, "coroutine failure: " + failures);
      return finish(Status::passed, "");
    case PeerOutcome::Status::failed:
      result.detail = failure_detail(outcome, file, ctx) + helper_lines();
      return finish(Status::failed, outcome.reason);
    case PeerOutcome::Status::running:
      break;
  }
  // Timed out: say where the test stood.
  PeerOutcome stuck = outcome;
  stuck.group = peer.checker().group_name();
  stuck.expected = peer.checker().remaining();
  result.detail = failure_detail(stuck, file, ctx) + helper_lines();
  std::string why = fmt::format("timeout after {} s (virtual): ", timeout.count());
  if (outcome.connections == 0)
    why += "the speaker never connected";
  else if (outcome.sent_by_speaker.empty())
    why += "the speaker sent nothing";
  else
    why += fmt::format("group {} still expects {} message(s); {} received", stuck.group,
                       stuck.expected.size(), outcome.sent_by_speaker.size());
  if (!failures.empty()) why += "; " + failures;
  return finish(Status::failed, why);
}

}  // namespace bgpsim::qa
