#include "qa/runner/functional.hpp"

#include <algorithm>
#include <memory>

#include "qa/runner/functional_run.hpp"
#include "sim/pcap.hpp"
#include "sim/sim_runtime.hpp"
#include "sim/speaker_on_sim.hpp"

namespace bgpsim::qa {

namespace fs = std::filesystem;
using Status = FunctionalResult::Status;

namespace {

// Why the speaker cannot run this configuration yet, or nullopt.
std::optional<std::string> needs(const config::Config& config) {
  for (const auto& n : config.neighbors) {
    if (auto why = n.unsupported()) return "needs " + *why;
  }
  if (config.neighbors.empty() && config.processes.empty())
    return "needs a neighbor in the configuration, or a process to create one";
  return std::nullopt;
}

// The simulated world of one test: the speaker and the test peer on two
// nodes that both own the loopback addresses, unchanged (next-hop-self
// carries them), in virtual time.
class SimEnv {
 public:
  using runtime_type = sim::SimRuntime;
  static constexpr const char* clock_name = "virtual";

  SimEnv(std::uint64_t seed, const fs::path& pcap_file)
      : world_(seed),
        net_(sim::Network::install(world_)),
        speaker_node_(net_.add_node("speaker", loopback())),
        peer_node_(net_.add_node("peer", loopback())),
        speaker_rt_(net_, speaker_node_),
        peer_rt_(net_, peer_node_) {
    if (!pcap_file.empty()) pcap_ = std::make_unique<sim::PcapWriter>(net_, pcap_file.string());
  }
  ~SimEnv() {
    if (pcap_) pcap_->flush();
  }

  void set_helper_startup(std::chrono::nanoseconds d) {
    sim::ProcessTable::of(world_).set_startup(d);
  }
  runtime_type& speaker_runtime() { return speaker_rt_; }
  runtime_type& peer_runtime() { return peer_rt_; }
  runtime::Endpoint peer_endpoint(const runtime::Endpoint& want) const { return want; }
  void spawn(runtime_type& rt, boost::asio::awaitable<void, sim::Executor> task) {
    net_.spawn(&rt == &speaker_rt_ ? speaker_node_ : peer_node_, std::move(task));
  }
  void run_until(std::chrono::nanoseconds t) { world_.run_until(t); }
  void run_for(std::chrono::nanoseconds d) { world_.run_for(d); }
  void stop() { world_.stop(); }
  std::chrono::nanoseconds now() const { return world_.now(); }
  const std::vector<std::string>& failures() const { return net_.failures(); }
  std::uint64_t trace_hash() { return world_.trace().hash(); }

 private:
  static std::vector<sim::Address> loopback() {
    return {boost::asio::ip::make_address("127.0.0.1"), boost::asio::ip::make_address("::1")};
  }
  sim::World world_;
  sim::Network& net_;
  sim::NodeId speaker_node_, peer_node_;
  sim::SimRuntime speaker_rt_, peer_rt_;
  std::unique_ptr<sim::PcapWriter> pcap_;
};

}  // namespace

namespace detail {

std::optional<Prepared> prepare(const CiFile& file, const fs::path& config_dir,
                                const FunctionalOptions& options, FunctionalResult& result) {
  auto fail = [&](Status status, std::string reason) -> std::optional<Prepared> {
    result.status = status;
    result.reason = std::move(reason);
    return std::nullopt;
  };
  auto parsed_script = peer_script(file);
  if (auto* e = std::get_if<CiError>(&parsed_script))
    return fail(Status::failed, e->where + ": " + e->reason);
  Prepared prepared{std::get<PeerScript>(std::move(parsed_script)), {}};
  for (const auto& name : file.configs) {
    auto loaded = config::load_config(config_dir / name);
    if (auto* e = std::get_if<config::ParseError>(&loaded))
      return fail(Status::failed, "configuration: " + e->to_string());
    prepared.configs.push_back(std::get<config::Config>(std::move(loaded)));
    for (auto& n : prepared.configs.back().neighbors) {
      n.exabgp_compat = options.exabgp_compat;
      n.capabilities.software_version_text = options.software_version;
    }
    if (auto why = needs(prepared.configs.back())) return fail(Status::skipped, *why);
  }
  return prepared;
}

std::vector<Bytes> messages_of(const std::vector<Bytes>& sent) {
  constexpr std::size_t type_offset = 18;  // RFC 4271 4.1: marker, length, type
  constexpr std::uint8_t keepalive_type = 4;
  std::vector<Bytes> out;
  for (const auto& m : sent)
    if (m.size() > type_offset && m[type_offset] != keepalive_type) out.push_back(m);
  return out;
}

FunctionalResult timed(const CiFile& file, const std::function<void(FunctionalResult&)>& run) {
  using Clock = std::chrono::steady_clock;  // wall time for the report only
  const auto wall_start = Clock::now();
  FunctionalResult result;
  result.name = file.path.stem().string();
  run(result);
  result.wall_s = std::chrono::duration<double>(Clock::now() - wall_start).count();
  return result;
}

}  // namespace detail

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
  // What the peer expects or performs: a test of only `notification:` lines
  // (ExaBGP's api-notification) checks the speaker takes the peer's Cease.
  return std::any_of(file.lines.begin(), file.lines.end(), [](const CiLine& l) {
    return l.kind == "raw" || l.kind == "notification" || l.kind == "signal" || l.kind == "send";
  });
}

FunctionalResult run_functional(const CiFile& file, const fs::path& config_dir,
                                const FunctionalOptions& options) {
  return detail::timed(file, [&](FunctionalResult& result) {
    result.seed = options.seed;
    auto prepared = detail::prepare(file, config_dir, options, result);
    if (!prepared) return;
    SimEnv env(options.seed,
               options.pcap_dir.empty() ? fs::path() : options.pcap_dir / (result.name + ".pcap"));
    env.set_helper_startup(options.helper_startup);
    detail::run_prepared(env, file, config_dir, options, std::move(*prepared), result);
  });
}

}  // namespace bgpsim::qa
