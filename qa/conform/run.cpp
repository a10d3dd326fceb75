#include "qa/conform/run.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <nlohmann/json.hpp>

#include <map>

#include "sim/sim_runtime.hpp"
#include "sim/speaker_on_sim.hpp"
#include "speaker/config/parser.hpp"
#include "speaker/reactor/on_asio.hpp"
#include "speaker/reactor/reactor.hpp"
#include "speaker/runtime/asio_runtime.hpp"
#include "speaker/wire/nlri.hpp"

namespace bgpsim::conform {

namespace {

using Clock = std::chrono::steady_clock;  // wall time for the report only
using namespace std::chrono_literals;

bool matches(const Case& c, const std::vector<std::string>& filters) {
  if (filters.empty()) return true;
  for (const auto& f : filters)
    if (c.id.find(f) != std::string::npos || c.rfc.find(f) != std::string::npos) return true;
  return false;
}

Context context_of(const RunOptions& o) {
  Context ctx;
  ctx.suite_as = o.suite_as;
  ctx.target_as = o.target_as;
  ctx.suite_id = o.suite_id;
  return ctx;
}

// The target's Adj-RIB-In for the suite's session, from its reactor's events.
class RibProbe : public Probe, public session::PeerObserver {
 public:
  explicit RibProbe(std::string peer) : peer_(std::move(peer)) {}
  bool has(const std::string& prefix) const override { return routes_.count(prefix) != 0; }
  std::string held() const override {
    std::string s;
    for (const auto& r : routes_) s += (s.empty() ? "" : ", ") + r;
    return s.empty() ? "nothing" : s;
  }
  void on_routes(const std::string& peer, const std::vector<rib::Route>& routes) override {
    if (peer != peer_) return;
    for (const auto& r : routes) {
      const std::string key = wire::nlri_text(r.key.family, r.key.nlri);
      if (r.attributes)
        routes_.insert(key);
      else
        routes_.erase(key);
    }
  }

 private:
  std::string peer_;
  std::set<std::string> routes_;
};

constexpr const char* suite_address = "127.0.0.2";
constexpr const char* target_address = "127.0.0.1";

}  // namespace

int Report::count(CaseResult::Status s) const {
  int n = 0;
  for (const auto& e : entries) n += e.result.status == s;
  return n;
}

std::vector<const Case*> select(const RunOptions& options) {
  std::vector<const Case*> out;
  for (const auto& c : all_cases())
    if (matches(c, options.filters) && !(options.quick && options.target && c.long_timer))
      out.push_back(&c);
  return out;
}

std::string sim_target_config() {
  return R"(neighbor 127.0.0.2 {
  router-id 10.0.0.1;
  local-address 127.0.0.1;
  local-as 65000;
  peer-as 65001;
  hold-time 90;
  role provider;
  passive true;
  listen 179;
  capability {
    route-refresh;
    graceful-restart 120;
    graceful-restart-notification;
    long-lived-graceful-restart 3600;
    add-path send/receive;
  }
  family {
    ipv4 unicast;
    ipv6 unicast;
  }
  static {
    route 192.0.2.0/24 next-hop self;
  }
}
)";
}

CaseResult run_case_sim(const Case& c, const RunOptions& options, const config::Config& config) {
  CaseResult result;
  sim::World world(options.seed);
  auto& net = sim::Network::install(world);
  auto target_node = net.add_node("target", {boost::asio::ip::make_address(target_address)});
  auto suite_node = net.add_node("suite", {boost::asio::ip::make_address(suite_address)});
  sim::SimRuntime target_rt(net, target_node), suite_rt(net, suite_node);
  RibProbe probe(suite_address);
  reactor::ObserverFanout observers;
  observers.add(probe);
  reactor::Reactor<sim::SimRuntime> speaker(target_rt, observers);
  if (auto error = speaker.configure(config))
    throw std::runtime_error("the simulated target refuses its configuration: " + *error);
  net.spawn(target_node, speaker.run());
  Target target{runtime::Endpoint(boost::asio::ip::make_address(target_address), 179), {}, 10s};
  Driver<sim::SimRuntime> driver(suite_rt, target, context_of(options), &probe);
  bool done = false;
  net.spawn(suite_node, [&]() -> boost::asio::awaitable<void, sim::Executor> {
    result = co_await driver.run(c);
    done = true;
    world.stop();
  });
  world.run_until(std::chrono::hours(1));
  if (!done) {
    result.status = CaseResult::Status::fail;
    result.detail = "the case did not finish within an hour of virtual time";
  }
  speaker.stop();
  world.run_for(5s);
  if (!net.failures().empty() && result.status != CaseResult::Status::fail) {
    result.status = CaseResult::Status::fail;
    result.detail = "coroutine failure: " + net.failures().front();
  }
  return result;
}

config::Config sim_target() {
  auto parsed = config::parse_config(sim_target_config(), "conform-target.conf");
  if (auto* e = std::get_if<config::ParseError>(&parsed))
    throw std::runtime_error("the simulated target's configuration: " + e->to_string());
  return std::get<config::Config>(std::move(parsed));
}

Report run_sim(const RunOptions& options,
               const std::function<void(const Report::Entry&)>& progress) {
  Report report;
  report.target = "bgpsim (simulator)";
  const auto start = Clock::now();
  const config::Config config = sim_target();
  for (const Case* c : select(options)) {
    const auto case_start = Clock::now();
    Report::Entry entry{c, run_case_sim(*c, options, config), 0};
    entry.wall_s = std::chrono::duration<double>(Clock::now() - case_start).count();
    report.entries.push_back(entry);
    if (progress) progress(report.entries.back());
  }
  report.wall_s = std::chrono::duration<double>(Clock::now() - start).count();
  return report;
}

Report run_live(const RunOptions& options,
                const std::function<void(const Report::Entry&)>& progress) {
  Report report;
  report.target =
      options.target->address().to_string() + ":" + std::to_string(options.target->port());
  const auto start = Clock::now();
  boost::asio::io_context io;
  runtime::AsioRuntime rt(io);
  Context ctx = context_of(options);
  Target target{*options.target, {}, options.connect_for};
  if (options.local) {
    target.socket.local_address = *options.local;
    if (options.local->is_v4()) {
      auto b = options.local->to_v4().to_bytes();
      std::copy(b.begin(), b.end(), ctx.next_hop.begin());
    }
  }
  if (options.next_hop) {
    auto b = options.next_hop->to_bytes();
    std::copy(b.begin(), b.end(), ctx.next_hop.begin());
  }
  for (const Case* c : select(options)) {
    const auto case_start = Clock::now();
    Report::Entry entry{c, {}, 0};
    Driver<runtime::AsioRuntime> driver(rt, target, ctx, nullptr);
    bool done = false;
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void, runtime::AsioRuntime::executor_type> {
          entry.result = co_await driver.run(*c);
          if (options.pause.count() > 0) {
            auto timer = rt.make_timer();
            timer.expires_after(options.pause);
            co_await timer.async_wait(
                boost::asio::use_awaitable_t<runtime::AsioRuntime::executor_type>{});
          }
          done = true;
        },
        [&](std::exception_ptr e) {
          if (!e) return;
          try {
            std::rethrow_exception(e);
          } catch (const std::exception& error) {
            entry.result.status = CaseResult::Status::fail;
            entry.result.detail = std::string("exception: ") + error.what();
            done = true;
          }
        });
    io.restart();
    io.run();
    if (!done) {
      entry.result.status = CaseResult::Status::fail;
      entry.result.detail = "the case stopped before its end";
    }
    entry.wall_s = std::chrono::duration<double>(Clock::now() - case_start).count();
    report.entries.push_back(entry);
    if (progress) progress(report.entries.back());
  }
  report.wall_s = std::chrono::duration<double>(Clock::now() - start).count();
  return report;
}

void print_report(const Report& report, bool verbose, std::ostream& out) {
  struct Tally {
    int pass = 0, fail = 0, na = 0;
  };
  std::map<std::string, Tally> by_rfc;
  for (const auto& e : report.entries) {
    auto& t = by_rfc[e.c->rfc + " " + e.c->section];
    switch (e.result.status) {
      case CaseResult::Status::pass:
        ++t.pass;
        break;
      case CaseResult::Status::fail:
        ++t.fail;
        break;
      case CaseResult::Status::not_applicable:
        ++t.na;
        break;
    }
    if (!verbose && e.result.status != CaseResult::Status::fail) continue;
    out << fmt::format("{:4} {:46} {} {} {}: {}\n", to_string(e.result.status), e.c->id, e.c->rfc,
                       e.c->section, e.c->level, e.c->text);
    if (!e.result.detail.empty()) out << "       " << e.result.detail << "\n";
  }
  out << fmt::format("\n{:34} {:>5} {:>5} {:>5}\n", "RFC section", "pass", "fail", "n/a");
  for (const auto& [name, t] : by_rfc)
    out << fmt::format("{:34} {:>5} {:>5} {:>5}\n", name, t.pass, t.fail, t.na);
  int unobserved = 0;
  for (const auto& e : report.entries) unobserved += e.result.route_unobserved;
  out << fmt::format(
      "\n{}: {} passed, {} failed, {} not applicable ({} cases, {:.2f} s wall{})\n", report.target,
      report.count(CaseResult::Status::pass), report.count(CaseResult::Status::fail),
      report.count(CaseResult::Status::not_applicable), report.entries.size(), report.wall_s,
      unobserved ? fmt::format("; {} with route checks not observable live", unobserved) : "");
}

std::string json_report(const Report& report) {
  nlohmann::json cases = nlohmann::json::array();
  for (const auto& e : report.entries)
    cases.push_back({{"id", e.c->id},
                     {"rfc", e.c->rfc},
                     {"section", e.c->section},
                     {"level", e.c->level},
                     {"text", e.c->text},
                     {"note", e.c->note},
                     {"result", std::string(to_string(e.result.status))},
                     {"detail", e.result.detail},
                     {"route_unobserved", e.result.route_unobserved},
                     {"wall_s", e.wall_s}});
  nlohmann::json j = {{"target", report.target},
                      {"passed", report.count(CaseResult::Status::pass)},
                      {"failed", report.count(CaseResult::Status::fail)},
                      {"not_applicable", report.count(CaseResult::Status::not_applicable)},
                      {"wall_s", report.wall_s},
                      {"cases", cases}};
  return j.dump(1);
}

}  // namespace bgpsim::conform
