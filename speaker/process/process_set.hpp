// ProcessSet<R>: the configuration's helper processes (`process NAME { run
// CMD; encoder json|text; respawn BOOL; }`) over any Runtime. It starts them,
// hands every line they print to a callback (process name, line), writes
// lines to a named helper's stdin, logs what they print on stderr, and
// respawns one that ends as ExaBGP does. A helper that dies, floods, closes
// its pipes or cannot start never takes the speaker down: the set only logs
// and, within ExaBGP's limits, starts it again.
//
// ExaBGP's rules (reactor/api/processes.py), and where we differ:
//  - `respawn` (default true): a helper that ends is started again at once;
//    with `respawn false` it is not.
//  - At most 5 starts of one helper in one 64-second bucket of the clock
//    (ExaBGP: `int(time.time()) & (0xFFFFFF - 0b111111)`, respawn_number 5).
//    ExaBGP then stops the whole program ("Too many death for ..."); we stop
//    starting that helper only, and log it, so sessions and routes stay.
//  - A helper that closes its stdout is ended (SIGTERM) and respawned.
//  - A command that cannot be started is not tried again (ExaBGP marks it broken).
//  - Trailing white space is removed from each line (ExaBGP's rstrip); a line
//    starting with "debug " is logged, not handed over. Difference: empty
//    lines are skipped (ExaBGP hands them to its command parser).
//  - stop(): 0.1 s for what was written to reach the helpers (ExaBGP writes
//    `shutdown` to each, sleeps 0.1 s), then SIGTERM, then SIGKILL after 2 s.
//
// Depends on: speaker/runtime (the Runtime concept), speaker/config (model),
// speaker/session/notifier.hpp, speaker/reactor/task_group.hpp.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "speaker/config/model.hpp"
#include "speaker/reactor/task_group.hpp"
#include "speaker/runtime/runtime.hpp"
#include "speaker/session/notifier.hpp"

namespace bgpsim::process {

struct ProcessSetOptions {
  std::string cwd;  // where helpers start; empty: ours
  // The configuration file's folder: a relative command (`run
  // ./run/api-announce.run;`) found there runs from there, as in ExaBGP.
  std::string command_dir;
  std::vector<std::pair<std::string, std::string>> env;  // added to every helper's environment
  std::size_t starts_per_bucket_max = 5;                 // ExaBGP's respawn_number
  std::chrono::seconds bucket{64};                       // ExaBGP's respawn_timemask: 64 s
  std::size_t line_bytes_max = 1 << 20;                  // a longer line is dropped (and logged)
  std::size_t stdin_queue_bytes_max = 64 << 20;          // for a helper that does not read
  std::chrono::nanoseconds stop_flush{std::chrono::milliseconds(100)};  // before SIGTERM
  std::chrono::nanoseconds stop_grace{std::chrono::seconds(2)};         // SIGTERM, then SIGKILL
};

struct ProcessStatus {
  std::string name;
  bool running = false;
  int pid = -1;
  std::size_t starts = 0;
  std::optional<int> last_exit;   // exit status, or 128 + signal
  bool given_up = false;          // too many deaths, or `respawn false` and it ended
  std::size_t lines_in = 0;       // lines handed to the callback
  std::size_t lines_out = 0;      // lines written to its stdin
  std::size_t lines_dropped = 0;  // too long, or not written (its stdin was closed or full)
};

template <runtime::Runtime R>
class ProcessSet {
 public:
  using Executor = typename R::executor_type;
  // A line a helper printed (without its newline).
  using LineFn = std::function<void(std::string_view process, std::string_view line)>;
  // What happened to a helper: started, ended, respawned, its stderr lines...
  using LogFn = std::function<void(std::string_view process, std::string_view message)>;

  ProcessSet(R& rt, std::vector<config::Process> processes, LineFn on_line, LogFn on_log,
             ProcessSetOptions options = {})
      : rt_(rt),
        on_line_(std::move(on_line)),
        on_log_(std::move(on_log)),
        options_(std::move(options)),
        stop_(rt.get_executor()) {
    for (auto& p : processes) helpers_.emplace_back(std::move(p), rt.get_executor());
  }
  ProcessSet(const ProcessSet&) = delete;
  ProcessSet& operator=(const ProcessSet&) = delete;

  // Runs every helper until stop() (or until none can run any more).
  boost::asio::awaitable<void, Executor> run() {
    using namespace boost::asio::experimental::awaitable_operators;
    reactor::TaskGroup<Executor> group(rt_.get_executor());
    for (auto& h : helpers_) group.spawn(supervise(h));
    co_await (group.join() || stop_watch());
  }

  // Ends every helper (SIGTERM, SIGKILL after the grace period) without respawning.
  void stop() {
    stopping_ = true;
    stop_.notify();
  }

  // Queues `line` (a newline is added) for the helper's stdin. False when no
  // such helper runs or its queue is full (the line is dropped and counted).
  bool write(std::string_view name, std::string_view line) {
    Helper* h = find(name);
    if (!h) return false;
    if (!h->proc || !h->proc->running() || h->stdin_broken ||
        h->queue.size() + line.size() + 1 > options_.stdin_queue_bytes_max) {
      ++h->status.lines_dropped;
      return false;
    }
    h->queue.append(line);
    h->queue.push_back('\n');
    ++h->status.lines_out;
    h->wake.notify();
    return true;
  }

  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& h : helpers_) out.push_back(h.config.name);
    return out;
  }
  std::optional<ProcessStatus> status(std::string_view name) const {
    for (const auto& h : helpers_)
      if (h.config.name == name) {
        ProcessStatus s = h.status;
        s.running = h.proc && h.proc->running();
        s.pid = s.running ? h.proc->pid() : -1;
        return s;
      }
    return std::nullopt;
  }
  // The configuration of a helper (its encoder, for the caller's events).
  const config::Process* config(std::string_view name) const {
    for (const auto& h : helpers_)
      if (h.config.name == name) return &h.config;
    return nullptr;
  }

 private:
  using Process = typename R::process_type;
  static constexpr auto tok = boost::asio::use_awaitable_t<Executor>{};

  struct Helper {
    Helper(config::Process c, Executor ex) : config(std::move(c)), wake(ex) {
      status.name = config.name;
    }
    config::Process config;
    ProcessStatus status;
    Process* proc = nullptr;
    std::string queue;  // bytes for its stdin
    bool stdin_broken = false;
    session::Notifier<Executor> wake;
    std::int64_t bucket = -1;
    std::size_t bucket_starts = 0;
  };

  Helper* find(std::string_view name) {
    for (auto& h : helpers_)
      if (h.config.name == name) return &h;
    return nullptr;
  }
  void log(const Helper& h, std::string_view message) {
    if (on_log_) on_log_(h.config.name, message);
  }

  // ExaBGP (configuration/process/parser.py) tries a relative command in
  // /etc/exabgp, then beside the configuration, then in PATH, and keeps the
  // last that exists. We skip /etc/exabgp (a test must not depend on it):
  // beside the configuration, unless a plain name is found in PATH.
  std::string resolve_command(const std::string& cmd) const {
    if (cmd.empty() || cmd.starts_with('/') || options_.command_dir.empty()) return cmd;
    const std::filesystem::path beside = std::filesystem::path(options_.command_dir) / cmd;
    std::error_code ec;
    if (!std::filesystem::exists(beside, ec)) return cmd;
    if (cmd.find('/') == std::string::npos)
      if (const char* path = std::getenv("PATH"))
        for (std::string_view rest(path); !rest.empty();) {
          const std::size_t colon = std::min(rest.find(':'), rest.size());
          if (std::filesystem::exists(
                  std::filesystem::path(std::string(rest.substr(0, colon))) / cmd, ec))
            return cmd;
          rest.remove_prefix(std::min(colon + 1, rest.size()));
        }
    return std::filesystem::absolute(beside, ec).lexically_normal().string();
  }

  // ExaBGP's respawn limit: starts counted per 64-second bucket of the clock.
  bool may_start(Helper& h) {
    const std::int64_t seconds =
        std::chrono::duration_cast<std::chrono::seconds>(rt_.now()).count();
    const std::int64_t bucket = seconds - seconds % options_.bucket.count();
    if (bucket != h.bucket) {
      h.bucket = bucket;
      h.bucket_starts = 0;
    }
    return ++h.bucket_starts <= options_.starts_per_bucket_max;
  }

  boost::asio::awaitable<void, Executor> supervise(Helper& h) {
    using namespace boost::asio::experimental::awaitable_operators;
    while (!stopping_) {
      if (!may_start(h)) {
        h.status.given_up = true;
        log(h, "ended " + std::to_string(options_.starts_per_bucket_max) + " times within " +
                   std::to_string(options_.bucket.count()) +
                   " s: not started again (ExaBGP would stop here; the speaker runs on)");
        co_return;
      }
      runtime::ProcessSpec spec{h.config.run, options_.cwd, options_.env};
      if (!spec.argv.empty()) spec.argv[0] = resolve_command(spec.argv[0]);
      std::optional<Process> proc;
      try {
        proc.emplace(rt_.spawn(spec));
      } catch (const std::system_error& e) {
        log(h, std::string("cannot start: ") + e.what() + " (not tried again)");
        h.status.last_exit = 127;
        h.status.given_up = true;
        co_return;
      }
      if (proc) {
        ++h.status.starts;
        h.proc = &*proc;
        h.queue.clear();
        h.stdin_broken = false;
        log(h, "started (pid " + std::to_string(proc->pid()) + ")");
        co_await ((read_stdout(h, *proc) && read_stderr(h, *proc)) || feed_stdin(h, *proc));
        const int code = co_await proc->async_wait_exit(tok);
        h.status.last_exit = code;
        h.proc = nullptr;
        log(h, "ended with status " + std::to_string(code));
      }
      if (stopping_) break;
      if (!h.config.respawn) {
        h.status.given_up = true;
        log(h, "not respawned (respawn false)");
        co_return;
      }
    }
  }

  // Lines from its stdout, to the callback. Ends at EOF: a helper that
  // closes its stdout but lives on is ended, as ExaBGP ends it.
  boost::asio::awaitable<void, Executor> read_stdout(Helper& h, Process& p) {
    std::string buf;
    bool skipping = false;  // inside a line that was too long
    char chunk[65536];
    for (;;) {
      auto [ec, n] =
          co_await p.async_read_some(boost::asio::buffer(chunk), boost::asio::as_tuple(tok));
      if (ec) break;
      std::string_view data(chunk, n);
      while (!data.empty()) {
        const std::size_t nl = data.find('\n');
        if (nl == std::string_view::npos) {
          if (!skipping) buf.append(data);
          if (buf.size() > options_.line_bytes_max) {
            log(h, "a line longer than " + std::to_string(options_.line_bytes_max) +
                       " bytes was dropped");
            ++h.status.lines_dropped;
            buf.clear();
            skipping = true;
          }
          break;
        }
        if (!skipping) {
          buf.append(data.substr(0, nl));
          while (!buf.empty() && std::isspace(static_cast<unsigned char>(buf.back())))
            buf.pop_back();
          if (buf.starts_with("debug ")) {
            log(h, "debug: " + buf.substr(6));
          } else if (!buf.empty()) {
            ++h.status.lines_in;
            if (on_line_) on_line_(h.config.name, buf);
          }
        }
        skipping = false;
        buf.clear();
        data.remove_prefix(nl + 1);
      }
    }
    // (Not while stopping: a helper told `shutdown` closes its stdout on its
    // way out; stop() ends the others.)
    if (p.running() && !stopping_) {
      log(h, "closed its stdout: ending it");
      p.terminate();
    }
  }

  boost::asio::awaitable<void, Executor> read_stderr(Helper& h, Process& p) {
    std::string buf;
    char chunk[4096];
    for (;;) {
      auto [ec, n] =
          co_await p.async_read_stderr_some(boost::asio::buffer(chunk), boost::asio::as_tuple(tok));
      if (ec) break;
      buf.append(chunk, n);
      for (std::size_t nl; (nl = buf.find('\n')) != std::string::npos;) {
        log(h, "stderr: " + buf.substr(0, nl));
        buf.erase(0, nl + 1);
      }
      if (buf.size() > options_.line_bytes_max) {
        log(h, "stderr: " + buf.substr(0, 200) + "... (cut)");
        buf.clear();
      }
    }
    if (!buf.empty()) log(h, "stderr: " + buf);
  }

  // Writes its queue; never returns by itself (the readers end the helper's run).
  boost::asio::awaitable<void, Executor> feed_stdin(Helper& h, Process& p) {
    for (;;) {
      if (h.queue.empty() || h.stdin_broken) {
        auto [ec] = co_await h.wake.async_wait(boost::asio::as_tuple(tok));
        if (ec) co_return;
        continue;
      }
      std::string chunk = std::move(h.queue);
      h.queue.clear();
      auto [ec, n] = co_await boost::asio::async_write(p, boost::asio::buffer(chunk),
                                                       boost::asio::as_tuple(tok));
      if (ec == boost::asio::error::operation_aborted) co_return;
      if (ec) {
        h.stdin_broken = true;
        log(h, "its stdin is closed: " + ec.message());
      }
    }
  }

  boost::asio::awaitable<void, Executor> stop_watch() {
    auto [ec] = co_await stop_.async_wait(boost::asio::as_tuple(tok));
    if (ec) co_return;
    auto timer = rt_.make_timer();
    timer.expires_after(options_.stop_flush);
    if (auto [fec] = co_await timer.async_wait(boost::asio::as_tuple(tok)); fec) co_return;
    for (auto& h : helpers_)
      if (h.proc) h.proc->terminate();
    timer.expires_after(options_.stop_grace);
    auto [tec] = co_await timer.async_wait(boost::asio::as_tuple(tok));
    if (tec) co_return;
    for (auto& h : helpers_)
      if (h.proc) {
        log(h, "still running after SIGTERM: SIGKILL");
        h.proc->kill();
      }
    // The supervisors end with their helpers; `run` returns then.
    session::Notifier<Executor> never(rt_.get_executor());
    co_await never.async_wait(boost::asio::as_tuple(tok));
  }

  R& rt_;
  LineFn on_line_;
  LogFn on_log_;
  ProcessSetOptions options_;
  std::list<Helper> helpers_;  // stable addresses
  session::Notifier<Executor> stop_;
  bool stopping_ = false;
};

}  // namespace bgpsim::process
