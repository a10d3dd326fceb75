// ApiHost<R>: the text API (Dispatcher) joined to the configuration's helper
// processes (one ProcessSet per helper) and to clients that are not helpers
// (`bgpsim live`'s control socket). The one piece of glue the simulator's
// functional runner and `bgpsim live` share:
//  - lines a helper prints go to Dispatcher::command under the helper's name;
//  - replies and events for a helper go to its stdin; for a client, to the
//    sink it attached with;
//  - reconfigure() (a reload) keeps the helpers whose `process` block is
//    unchanged, stops those removed or changed, starts the new ones;
//  - stop() writes ExaBGP's `shutdown` notice to every helper, then ends them
//    (ProcessSet: 0.1 s, SIGTERM, SIGKILL after 2 s); run() returns when all
//    have ended.
// It spawns only through the Runtime and reads no clock: it runs in virtual
// time as it runs live.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <functional>
#include <list>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "speaker/api/dispatcher.hpp"
#include "speaker/process/process_set.hpp"
#include "speaker/reactor/reactor.hpp"
#include "speaker/reactor/task_group.hpp"

namespace bgpsim::api {

struct ApiHostOptions {
  process::ProcessSetOptions processes;  // command_dir: the configuration's folder
  // What happened to helpers (started, ended, their stderr lines) and why
  // commands failed, one line each, prefixed with the helper's name.
  std::function<void(const std::string&)> log;
  bool log_commands = false;  // also each command applied (the reasons of errors always)
  // Every line written to a helper or a client (name, line), for tracing.
  std::function<void(const std::string&, const std::string&)> echo;
};

template <runtime::Runtime R>
class ApiHost {
 public:
  using Executor = typename R::executor_type;
  using ClientSink = std::function<void(const std::string& line)>;

  // Adds the dispatcher to `observers` (removed again by the destructor):
  // both must outlive the reactor's last events.
  ApiHost(R& rt, reactor::Reactor<R>& reactor, reactor::ObserverFanout& observers,
          const config::Config& config, ApiHostOptions options = {})
      : rt_(rt),
        observers_(observers),
        options_(std::move(options)),
        dispatcher_(
            reactor, config,
            [this](const std::string& name, const std::string& line) { deliver(name, line); }),
        group_(rt.get_executor()),
        stop_(rt.get_executor()) {
    if (options_.log) dispatcher_.set_log(options_.log, options_.log_commands);
    observers_.add(dispatcher_);
    for (const auto& p : config.processes) add(p);
  }
  ~ApiHost() { observers_.remove(dispatcher_); }
  ApiHost(const ApiHost&) = delete;
  ApiHost& operator=(const ApiHost&) = delete;

  Dispatcher<R>& dispatcher() { return dispatcher_; }
  void set_control(Control control) { dispatcher_.set_control(std::move(control)); }

  // A new configuration (after Reactor::configure accepted it).
  void reconfigure(const config::Config& config) {
    for (auto it = helpers_.begin(); it != helpers_.end();) {
      auto& h = *it++;  // retire() may erase h
      if (h.retiring) continue;
      const auto p =
          std::find_if(config.processes.begin(), config.processes.end(),
                       [&](const config::Process& x) { return x.name == h.config.name; });
      if (p != config.processes.end() && same_helper(*p, h.config)) continue;
      log(h.config.name, p == config.processes.end() ? "removed from the configuration: stopping"
                                                     : "changed in the configuration: restarting");
      retire(h);
    }
    dispatcher_.reconfigure(config);
    for (const auto& p : config.processes)
      if (!find(p.name)) add(p);
  }

  // A client that is not a helper (the control socket): its commands reach
  // every neighbor, its answers go to `sink`, and errors carry their reason.
  void attach(const std::string& client, ClientSink sink) {
    clients_[client] = std::move(sink);
    dispatcher_.add_client(client);
  }
  void detach(const std::string& client) {
    clients_.erase(client);
    dispatcher_.remove_client(client);
  }
  void command(const std::string& source, std::string_view line) {
    dispatcher_.command(source, line);
  }

  // Supervises the helpers until stop() and until every one has ended.
  boost::asio::awaitable<void, Executor> run() {
    running_ = true;
    for (auto& h : helpers_) start(h);
    if (!stopping_) co_await stop_.async_wait(boost::asio::as_tuple(tok));
    co_await group_.join();
    running_ = false;
  }

  // ExaBGP's shutdown: the notice to every helper, then they are ended.
  void stop() {
    if (stopping_) return;
    stopping_ = true;
    for (auto& h : helpers_)
      if (!h.retiring) write(h, dispatcher_.shutdown_notice(h.config.name));
    for (auto& h : helpers_) h.set->stop();
    stop_.notify();
  }

  // The helpers now configured, and how each fares.
  std::vector<process::ProcessStatus> status() const {
    std::vector<process::ProcessStatus> out;
    for (const auto& h : helpers_)
      if (!h.retiring)
        if (auto s = h.set->status(h.config.name)) out.push_back(*s);
    return out;
  }

 private:
  static constexpr auto tok = boost::asio::use_awaitable_t<Executor>{};

  struct Helper {
    config::Process config;
    std::unique_ptr<process::ProcessSet<R>> set;
    bool retiring = false;  // stopped by a reload; erased once it has ended
  };
  using HelperIt = typename std::list<Helper>::iterator;

  // The source location is where the block was read, not what it runs.
  static bool same_helper(const config::Process& a, const config::Process& b) {
    return a.run == b.run && a.encoder == b.encoder && a.respawn == b.respawn;
  }

  Helper* find(const std::string& name) {
    for (auto& h : helpers_)
      if (!h.retiring && h.config.name == name) return &h;
    return nullptr;
  }

  void log(std::string_view name, std::string_view message) {
    if (options_.log) options_.log(fmt::format("process {}: {}", name, message));
  }

  void add(const config::Process& p) {
    auto& h = helpers_.emplace_back();
    h.config = p;
    h.set = std::make_unique<process::ProcessSet<R>>(
        rt_, std::vector<config::Process>{p},
        [this](std::string_view name, std::string_view line) {
          dispatcher_.command(std::string(name), line);
        },
        [this](std::string_view name, std::string_view message) { log(name, message); },
        options_.processes);
    if (running_ && !stopping_) start(h);
  }

  // Supervises h until its set ends; a retired helper is forgotten then.
  // (A coroutine lambda takes its state as parameters: they live in its frame.)
  void start(Helper& h) {
    group_.spawn([](ApiHost* self, HelperIt helper) -> boost::asio::awaitable<void, Executor> {
      co_await helper->set->run();
      if (helper->retiring) self->helpers_.erase(helper);
    }(this, iterator(h)));
  }
  HelperIt iterator(const Helper& h) {
    return std::find_if(helpers_.begin(), helpers_.end(),
                        [&](const Helper& x) { return &x == &h; });
  }

  // A helper that left the configuration: its stdin gets the shutdown
  // notice, then it is ended; it takes no more lines meanwhile.
  void retire(Helper& h) {
    write(h, dispatcher_.shutdown_notice(h.config.name));
    h.retiring = true;
    h.set->stop();
    if (!running_) helpers_.erase(iterator(h));  // never started: nothing to wait for
  }

  void write(Helper& h, const std::string& line) {
    if (options_.echo) options_.echo(h.config.name, line);
    h.set->write(h.config.name, line);
  }
  void deliver(const std::string& name, const std::string& line) {
    if (Helper* h = find(name)) return write(*h, line);
    auto it = clients_.find(name);
    if (it == clients_.end()) return;
    if (options_.echo) options_.echo(name, line);
    it->second(line);
  }

  R& rt_;
  reactor::ObserverFanout& observers_;
  ApiHostOptions options_;
  Dispatcher<R> dispatcher_;
  std::list<Helper>
      helpers_;  // stable addresses; a retiring one may share a name with its successor
  std::map<std::string, ClientSink> clients_;
  reactor::TaskGroup<Executor> group_;
  session::Notifier<Executor> stop_;
  bool running_ = false;
  bool stopping_ = false;
};

}  // namespace bgpsim::api
