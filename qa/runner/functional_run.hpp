// One functional test over any Runtime: the speaker (reactor::Reactor<R>)
// configured from the test's configurations, its helper processes through
// the text API, and the test peer (qa/peer/) driven by the .ci script. The
// environment says where it runs: a simulated world (functional.cpp) or one
// io_context on real loopback sockets (functional_live.cpp). One body serves
// both, so what the speaker is asked to do is the same in either.
//
// Env provides:
//   using runtime_type;                    the Runtime of both ends
//   runtime_type& speaker_runtime(), peer_runtime();
//   Endpoint peer_endpoint(Endpoint want)  where the peer listens (live: an
//                                          ephemeral port on the same address)
//   void spawn(runtime_type&, awaitable)   starts a coroutine of that end
//   void run_until(ns), run_for(ns), stop(); ns now();
//   std::vector<std::string> failures();   coroutines that threw
//   std::uint64_t trace_hash();            0 where there is no trace
#pragma once

#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "qa/peer/test_peer.hpp"
#include "qa/runner/functional.hpp"
#include "qa/runner/functional_report.hpp"
#include "speaker/api/api_host.hpp"
#include "speaker/config/parser.hpp"
#include "speaker/reactor/reactor.hpp"

namespace bgpsim::qa::detail {

// A test ready to run: its script and every configuration it names.
struct Prepared {
  PeerScript script;
  std::vector<config::Config> configs;
};

// Parses the script and loads the configurations (a reload must not fail
// half-way for a file that cannot be read). nullopt: `result` says why the
// test fails or is skipped.
std::optional<Prepared> prepare(const CiFile& file, const std::filesystem::path& config_dir,
                                const FunctionalOptions& options, FunctionalResult& result);

// What the speaker sent but its KEEPALIVEs (whose number depends on time),
// in order: OPEN, UPDATE, NOTIFICATION, ROUTE-REFRESH.
std::vector<Bytes> messages_of(const std::vector<Bytes>& sent);

// A result named after the test, with the wall time `run` took.
FunctionalResult timed(const CiFile& file, const std::function<void(FunctionalResult&)>& run);

// The helpers' coroutine, which says when it has ended. (A function, not a
// lambda: a coroutine lambda's captures die with the lambda.)
template <class Api>
auto run_helpers(Api& api, bool& done) -> decltype(api.run()) {
  co_await api.run();
  done = true;
}

template <class Env>
void run_prepared(Env& env, const CiFile& file, const std::filesystem::path& config_dir,
                  const FunctionalOptions& options, Prepared prepared, FunctionalResult& result) {
  using namespace std::chrono_literals;
  using Status = FunctionalResult::Status;
  using R = typename Env::runtime_type;
  auto& configs = prepared.configs;

  // The peer listens first: live, its port is only known then, and every
  // neighbor connects there (no byte on the wire carries the port).
  // A configuration may name no neighbor (the API makes one, `create
  // neighbor`): the peer then listens on BGP's port, as ExaBGP's does.
  const config::Neighbor no_neighbor;
  const auto& far =
      configs.front().neighbors.empty() ? no_neighbor : configs.front().neighbors.front();
  const std::uint16_t port = far.connect_port;
  const auto address =
      boost::asio::ip::make_address(prepared.script.options.ipv6 ? "::1" : "127.0.0.1");
  const runtime::Endpoint listen_on = env.peer_endpoint(runtime::Endpoint(address, port));
  auto acceptor = env.peer_runtime().listen(listen_on);
  const std::uint16_t actual_port = acceptor.local_endpoint().port();
  // The peer is the far end of the first neighbor: its TCP-MD5 key (RFC
  // 2385) on the listener, TTL 255 when the speaker demands it (GTSM, RFC
  // 5082) and, when the speaker sends a TTL, that as the minimum accepted:
  // live, the kernel then drops what a speaker sends without it.
  runtime::SocketOptions mirrored;
  if (far.incoming_ttl) mirrored.ttl = 255;
  mirrored.min_ttl = far.outgoing_ttl;
  acceptor.apply(mirrored);  // the SYN-ACK's TTL comes from the listener
  if (!far.md5_password.empty())
    acceptor.set_peer_md5(
        far.local_address ? boost::asio::ip::make_address(far.local_address->to_string()) : address,
        far.md5_password);
  if (actual_port != port)
    for (auto& c : configs)
      for (auto& n : c.neighbors) n.connect_port = actual_port;

  ContextKeeper contexts;
  reactor::ObserverFanout observers;
  observers.add(contexts);
  // Declared before the speaker, so they outlive it: its last events (a
  // session going down as it is destroyed) still reach the dispatcher.
  std::vector<std::string> helper_log;
  std::unique_ptr<api::ApiHost<R>> api;
  reactor::Reactor<R> speaker(env.speaker_runtime(), observers);
  auto finish = [&](Status status, std::string reason) {
    result.status = status;
    result.reason = std::move(reason);
  };
  if (auto error = speaker.configure(configs.front()))
    return finish(Status::failed, "the speaker refuses the configuration: " + *error);

  // The configuration's helper processes (ExaBGP's etc/run scripts, run
  // unchanged from beside the configuration), their lines fed to the text
  // API and its answers and events written back.
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
    if (!options.python_path.empty()) {
      std::string path = options.python_path.string();
      if (const char* inherited = std::getenv("PYTHONPATH"); inherited && *inherited)
        path += std::string(":") + inherited;
      host_options.processes.env.emplace_back("PYTHONPATH", std::move(path));
    }
    host_options.log = [&](const std::string& line) { helper_log.push_back(line); };
    host_options.log_commands = true;
    api = std::make_unique<api::ApiHost<R>>(env.speaker_runtime(), speaker, observers, *applied,
                                            std::move(host_options));
    api::Control control;
    control.reload = reload;
    // A neighbor the API creates gets what prepare() gives configured ones,
    // and the peer's port.
    control.prepare_neighbor = [&, actual_port](config::Neighbor& n) {
      n.exabgp_compat = options.exabgp_compat;
      n.capabilities.software_version_text = options.software_version;
      n.connect_port = actual_port;
    };
    // ExaBGP's `restart`: reload, then every session again (Cease /
    // Administrative Reset), as `bgpsim live` does.
    control.restart = [&]() -> std::optional<std::string> {
      if (auto error = reload()) return error;
      for (const auto& n : applied->neighbors)
        if (auto* p = speaker.find_peer(n.peer_address.to_string()))
          p->teardown(wire::Notification{static_cast<std::uint8_t>(wire::NotifyCode::cease),
                                         wire::cease::administrative_reset,
                                         {}});
      return std::nullopt;
    };
    control.shutdown = [&] { speaker.stop(); };
    control.pid = 999;  // the runner's pid for the speaker (docs/processes.md)
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
  const auto timeout = prepared.script.options.timeout_s
                           ? std::chrono::seconds(*prepared.script.options.timeout_s)
                           : options.timeout;
  TestPeer<R> peer(env.peer_runtime(), std::move(prepared.script), on_signal, [&] { env.stop(); });
  peer.set_socket_options(mirrored);
  peer.set_check_after_pass(options.settle.count() > 0);
  env.spawn(env.peer_runtime(), peer.run(acceptor));
  env.spawn(env.speaker_runtime(), speaker.run());
  bool helpers_done = false;
  if (api) env.spawn(env.speaker_runtime(), run_helpers(*api, helpers_done));

  env.run_until(timeout);
  if (peer.outcome().status == PeerOutcome::Status::passed) env.run_for(options.settle);
  const PeerOutcome outcome = peer.outcome();
  result.connections = outcome.connections;
  result.messages_sent = messages_of(outcome.sent_by_speaker);
  result.virtual_time = outcome.status == PeerOutcome::Status::running ? env.now() : outcome.at;
  speaker.stop();
  if (api) api->stop();
  acceptor.close();
  env.run_for(5s);
  // The helpers end within ProcessSet's grace (SIGTERM, SIGKILL after 2 s);
  // the environment must outlive their coroutines.
  for (int i = 0; api && !helpers_done && i < 30; ++i) env.run_for(1s);
  if (api && !helpers_done) signal_error = "the helper processes did not stop";
  result.trace_hash = env.trace_hash();

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
  for (const auto& f : env.failures()) failures += (failures.empty() ? "" : "; ") + f;
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
  std::string why = fmt::format("timeout after {} s ({}): ", timeout.count(), Env::clock_name);
  if (outcome.connections == 0)
    why += "the speaker never connected";
  else if (outcome.sent_by_speaker.empty())
    why += "the speaker sent nothing";
  else
    why += fmt::format("group {} still expects {} message(s); {} received", stuck.group,
                       stuck.expected.size(), outcome.sent_by_speaker.size());
  if (!failures.empty()) why += "; " + failures;
  finish(Status::failed, why);
}

}  // namespace bgpsim::qa::detail
