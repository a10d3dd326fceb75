#include "sim/process.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <boost/asio/error.hpp>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <system_error>

#include "sim/fork_server.hpp"
#include "speaker/runtime/child.hpp"

namespace bgpsim::sim {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using runtime::ProcessSpec;

namespace {
constexpr std::uint64_t kFirstVirtualPid = 1000;  // the speaker is 999 to its helpers
}  // namespace

namespace detail {

// Why the world woke a blocked helper (the third field of its reply); a
// signal N is sent as 100 + N and raised by the shim itself.
enum class Wake : int { timeout = 0, stdin_ready = 1, signal_base = 100 };

struct ProcessImpl {
  enum class State { running, blocked, exited };

  struct WakeEvent final : Event {
    ProcessImpl* p = nullptr;
    void fire() override;
    void discard() override {}
  };

  ProcessTable* table = nullptr;
  Executor ex;
  std::string name;  // the command line, for warnings
  pid_t pid = -1;
  int virtual_pid = -1;
  int in_fd = -1, out_fd = -1, err_fd = -1, ctl_fd = -1;
  // Started by the fork server (its child, not ours): the wait status comes
  // through this pipe (fork_server.hpp), not waitpid.
  int status_fd = -1;
  bool vtime = false;
  State state = State::running;
  bool handle_gone = false;
  int pending_signal = 0;
  bool quiet_warned = false;  // for a running virtual-time helper, sent once it blocks
  bool shut = false;          // the world is going away: nothing more is scheduled

  // The request a blocked virtual-time helper made.
  std::uint64_t seq = 0;
  std::int64_t deadline_ns = -1;
  bool wants_stdin = false;
  bool stdin_fresh = false;  // bytes (or EOF) reached its stdin since it blocked
  WakeEvent wake;

  std::string out, err, in, ctl_buf;
  bool out_eof = false, err_eof = false;
  bool in_close = false;  // close stdin once `in` is written
  std::optional<int> exit_code;

  ProcReadOp* read_out = nullptr;
  ProcReadOp* read_err = nullptr;
  std::vector<ProcExitOp*> exit_ops;

  World& world() { return ex.world(); }
  bool alive() const { return state != State::exited; }

  void reply(int why) {
    const std::string line = fmt::format("{} {} {}\n", seq, world().now_ns(), why);
    std::size_t off = 0;
    while (off < line.size()) {
      const ssize_t n = ::write(ctl_fd, line.data() + off, line.size() - off);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // it died: its end of the channel is closed, EOF follows
      off += static_cast<std::size_t>(n);
    }
  }
  void wake_up(Wake why, int signal = 0) {
    world().unschedule(wake);
    state = State::running;
    reply(static_cast<int>(why) + signal);
  }
};

void ProcessImpl::WakeEvent::fire() {
  if (p->state == State::blocked) p->wake_up(Wake::timeout);
}

namespace {

// Reads what the descriptor has now; false at EOF.
bool read_available(int fd, std::string& into, bool& eof) {
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      into.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n == 0) {
      eof = true;
      return false;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) eof = true;
    return !eof;
  }
}

void read_op_result(ProcReadOp* op, std::string& buf, bool eof) {
  if (!buf.empty()) {
    const std::size_t n = std::min(buf.size(), op->buffer.size());
    std::memcpy(op->buffer.data(), buf.data(), n);
    buf.erase(0, n);
    op->result = {boost::system::error_code{}, n};
  } else if (eof) {
    op->result = {asio::error::eof, 0};
  }
}

void on_read_owner(void* self, Op<boost::system::error_code, std::size_t>* op, bool complete) {
  auto* p = static_cast<ProcessImpl*>(self);
  op->unpark();
  if (p->read_out == op) p->read_out = nullptr;
  if (p->read_err == op) p->read_err = nullptr;
  if (complete) {
    op->result = {asio::error::operation_aborted, 0};
    p->world().schedule_now(*op);
  }
}

void on_exit_owner(void* self, Op<boost::system::error_code, int>* op, bool complete) {
  auto* p = static_cast<ProcessImpl*>(self);
  op->unpark();
  std::erase(p->exit_ops, static_cast<ProcExitOp*>(op));
  if (complete) {
    op->result = {asio::error::operation_aborted, -1};
    p->world().schedule_now(*op);
  }
}

// Completes the parked operations that can complete now.
void deliver(ProcessImpl& p) {
  World& w = p.world();
  for (auto [slot, buf, eof] :
       {std::tuple{&p.read_out, &p.out, p.out_eof}, std::tuple{&p.read_err, &p.err, p.err_eof}}) {
    ProcReadOp* op = *slot;
    if (!op || (buf->empty() && !eof)) continue;
    *slot = nullptr;
    op->unpark();
    read_op_result(op, *buf, eof);
    w.schedule_now(*op);
  }
  if (p.exit_code && !p.exit_ops.empty()) {
    for (ProcExitOp* op : p.exit_ops) {
      op->unpark();
      op->result = {boost::system::error_code{}, *p.exit_code};
      w.schedule_now(*op);
    }
    p.exit_ops.clear();
  }
}

// Writes pending stdin bytes as far as the pipe takes them; closes stdin when
// asked and everything is written.
void flush_stdin(ProcessImpl& p) {
  while (!p.in.empty() && p.in_fd >= 0) {
    const ssize_t n = ::write(p.in_fd, p.in.data(), p.in.size());
    if (n > 0) {
      p.in.erase(0, static_cast<std::size_t>(n));
      p.stdin_fresh = true;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    p.in.clear();  // it closed its stdin (EPIPE): what we had for it is lost, as on a real pipe
    runtime::close_fd(p.in_fd);
  }
  if (p.in_close && p.in.empty() && p.in_fd >= 0) {
    runtime::close_fd(p.in_fd);
    p.stdin_fresh = true;  // EOF is readable
  }
}

// What an ended helper still wrote: its pipes may be held open by a child of
// its own, so EOF is awaited at most 2 s. The wall clock only bounds this wait
// on real pipes; nothing it reads reaches virtual time or the order of events.
void drain_pipes(ProcessImpl& p) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while ((!p.out_eof || !p.err_eof) && std::chrono::steady_clock::now() < give_up) {
    pollfd fds[2] = {{p.out_eof ? -1 : p.out_fd, POLLIN, 0},
                     {p.err_eof ? -1 : p.err_fd, POLLIN, 0}};
    if (::poll(fds, 2, 100) < 0 && errno != EINTR) break;
    if (!p.out_eof) read_available(p.out_fd, p.out, p.out_eof);
    if (!p.err_eof) read_available(p.err_fd, p.err, p.err_eof);
  }
  p.out_eof = p.err_eof = true;
}

// The helper was reaped with `status`: record it and let its descriptors go.
void mark_exited(ProcessImpl& p, int status) {
  p.exit_code = runtime::exit_code_of(status);
  p.state = ProcessImpl::State::exited;
  p.world().unschedule(p.wake);
  p.in.clear();
  for (int* fd : {&p.in_fd, &p.out_fd, &p.err_fd, &p.ctl_fd, &p.status_fd}) runtime::close_fd(*fd);
}

// The wait status of an ended helper; nullopt when `block` is false and it
// has not ended.
std::optional<int> wait_status(ProcessImpl& p, bool block) {
  if (p.status_fd >= 0) return forked_wait_status(p.status_fd, block);
  int status = 0;
  for (;;) {
    const pid_t r = ::waitpid(p.pid, &status, block ? 0 : WNOHANG);
    if (r == p.pid) return status;
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return W_EXITCODE(0, SIGKILL);  // not ours to wait for: gone
    return std::nullopt;
  }
}

// The helper has ended (its control channel or pipes closed): collect what it
// wrote, then its exit status.
void finish(ProcessImpl& p) {
  drain_pipes(p);
  mark_exited(p, *wait_status(p, true));
}

std::int64_t parse_i64(std::string_view s) {
  std::int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

// Handles one line from a virtual-time helper; true when it has blocked (or
// left virtual time).
bool on_control_line(ProcessImpl& p, std::string_view line) {
  if (line.starts_with("W ")) {
    std::vector<std::string_view> f;
    std::size_t pos = 2;
    while (pos <= line.size()) {
      const std::size_t sp = std::min(line.find(' ', pos), line.size());
      f.push_back(line.substr(pos, sp - pos));
      pos = sp + 1;
    }
    if (f.size() != 3) {
      p.table->warn(
          fmt::format("helper '{}' (pid {}): bad control line '{}'", p.name, p.virtual_pid, line));
      return false;
    }
    p.seq = static_cast<std::uint64_t>(parse_i64(f[0]));
    p.deadline_ns = parse_i64(f[1]);
    p.wants_stdin = f[2] == "1";
    p.stdin_fresh = false;
    p.state = ProcessImpl::State::blocked;
    if (p.deadline_ns >= 0) p.world().schedule_at(p.wake, p.deadline_ns);
    return true;
  }
  if (line.starts_with("E ")) {
    p.table->warn(fmt::format("helper '{}' (pid {}) escapes virtual time: {}", p.name,
                              p.virtual_pid, line.substr(2)));
    return false;
  }
  if (line.starts_with("R ")) {
    p.table->warn(fmt::format(
        "helper '{}' (pid {}) runs in real time from virtual {} ns on ({}): this run is not "
        "reproducible",
        p.name, p.virtual_pid, p.world().now_ns(), line.substr(2)));
    p.vtime = false;
    return true;
  }
  p.table->warn(
      fmt::format("helper '{}' (pid {}): bad control line '{}'", p.name, p.virtual_pid, line));
  return false;
}

// Waits (wall clock) until a running virtual-time helper blocks or ends,
// draining its stdout and stderr meanwhile so it never stalls on a full pipe.
void wait_for_report(ProcessImpl& p) {
  // A helper that neither blocks nor ends for this long (wall clock) is
  // named once on stderr: it computes, or it blocks where the shim cannot see.
  constexpr int kQuietWarningMs = 10'000;
  for (;;) {
    pollfd fds[3] = {{p.ctl_fd, POLLIN, 0},
                     {p.out_eof ? -1 : p.out_fd, POLLIN, 0},
                     {p.err_eof ? -1 : p.err_fd, POLLIN, 0}};
    const int ready = ::poll(fds, 3, p.quiet_warned ? -1 : kQuietWarningMs);
    if (ready < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "sim process: poll");
    }
    if (ready == 0) {
      p.quiet_warned = true;
      const std::string text = fmt::format(
          "helper '{}' (pid {}) has not blocked for {} s of wall time at virtual {} ns: it "
          "computes, or waits where the virtual-time shim cannot see (a descriptor other than "
          "stdin, a lock, a Python run without site); the simulation waits for it",
          p.name, p.virtual_pid, kQuietWarningMs / 1000, p.world().now_ns());
      // On stderr only: a slow start on a busy machine is not a lost determinism,
      // and warnings() must be the same in every run.
      fmt::print(stderr, "bgpsim: {}\n", text);
      continue;
    }
    if (fds[1].revents) read_available(p.out_fd, p.out, p.out_eof);
    if (fds[2].revents) read_available(p.err_fd, p.err, p.err_eof);
    if (!fds[0].revents) continue;
    char buf[4096];
    const ssize_t n = ::read(p.ctl_fd, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) {
      finish(p);
      return;
    }
    p.ctl_buf.append(buf, static_cast<std::size_t>(n));
    bool blocked = false;
    for (std::size_t nl; !blocked && (nl = p.ctl_buf.find('\n')) != std::string::npos;) {
      const std::string line = p.ctl_buf.substr(0, nl);
      p.ctl_buf.erase(0, nl + 1);
      blocked = on_control_line(p, line);
    }
    if (blocked) {
      // Everything it wrote before blocking is in the pipes now.
      if (!p.out_eof) read_available(p.out_fd, p.out, p.out_eof);
      if (!p.err_eof) read_available(p.err_fd, p.err, p.err_eof);
      return;
    }
  }
}

// A real-time helper: take what it has written, see whether it ended.
void poll_real_time(ProcessImpl& p) {
  if (!p.out_eof) read_available(p.out_fd, p.out, p.out_eof);
  if (!p.err_eof) read_available(p.err_fd, p.err, p.err_eof);
  if (const auto status = wait_status(p, false)) {
    // Reaped here: finish() must not wait again.
    drain_pipes(p);
    mark_exited(p, *status);
  }
}

// Is the command a Python program? (`python3 ...`, or a file whose #! line names python)
bool is_python(const ProcessSpec& spec) {
  if (spec.argv.empty()) return false;
  const std::string& cmd = spec.argv[0];
  if (fs::path(cmd).filename().string().starts_with("python")) return true;
  fs::path file;
  if (cmd.find('/') != std::string::npos) {
    file =
        fs::path(cmd).is_absolute() || spec.cwd.empty() ? fs::path(cmd) : fs::path(spec.cwd) / cmd;
  } else if (const char* path = std::getenv("PATH")) {
    std::string_view rest(path);
    while (!rest.empty()) {
      const std::size_t colon = std::min(rest.find(':'), rest.size());
      fs::path candidate = fs::path(std::string(rest.substr(0, colon))) / cmd;
      if (::access(candidate.c_str(), X_OK) == 0) {
        file = candidate;
        break;
      }
      rest.remove_prefix(std::min(colon + 1, rest.size()));
    }
  }
  std::ifstream in(file);
  std::string first;
  if (!in || !std::getline(in, first)) return false;
  return first.starts_with("#!") && first.find("python") != std::string::npos;
}

// The wall clock, for helpers that run in real time only (shell, Perl, a
// Python helper that started a thread): the world then paces virtual time by
// it, and the run is flagged as not reproducible (docs/processes.md). A
// virtual-time helper never reaches it.
std::int64_t wall_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void start_process_read(ProcessImpl* p, bool err, ProcReadOp* op) {
  World& w = p->world();
  std::string& buf = err ? p->err : p->out;
  const bool eof = err ? p->err_eof : p->out_eof;
  ProcReadOp*& slot = err ? p->read_err : p->read_out;
  if (!buf.empty() || eof || op->buffer.size() == 0) {
    if (op->buffer.size() == 0)
      op->result = {boost::system::error_code{}, 0};
    else
      read_op_result(op, buf, eof);
    w.schedule_now(*op);
    return;
  }
  if (slot != nullptr) {
    op->result = {asio::error::in_progress, 0};
    w.schedule_now(*op);
    return;
  }
  op->park(p, &on_read_owner);
  slot = op;
}

void start_process_exit(ProcessImpl* p, ProcExitOp* op) {
  if (p->exit_code) {
    op->result = {boost::system::error_code{}, *p->exit_code};
    p->world().schedule_now(*op);
    return;
  }
  op->park(p, &on_exit_owner);
  p->exit_ops.push_back(op);
}

Executor process_executor(ProcessImpl* p) { return p->ex; }

}  // namespace detail

using detail::ProcessImpl;

// ---- Process (the handle) ----

Process& Process::operator=(Process&& o) noexcept {
  if (this != &o) {
    Process gone(std::move(*this));
    impl_ = std::exchange(o.impl_, nullptr);
  }
  return *this;
}

Process::~Process() {
  if (!impl_) return;
  ProcessImpl& p = *impl_;
  p.handle_gone = true;
  if (p.shut) return;
  if (p.alive()) kill();
  // Parked operations belong to the handle's user: cancel them.
  for (auto** slot : {&p.read_out, &p.read_err})
    if (*slot) (*slot)->request_cancel();
  while (!p.exit_ops.empty()) p.exit_ops.front()->request_cancel();
}

int Process::pid() const { return impl_ ? impl_->virtual_pid : -1; }
int Process::real_pid() const { return impl_ ? impl_->pid : -1; }
bool Process::running() const { return impl_ && impl_->alive(); }
bool Process::virtual_time() const { return impl_ && impl_->vtime; }

bool Process::write(asio::const_buffer b, boost::system::error_code& ec) {
  if (!impl_ || !impl_->alive() || impl_->in_close || impl_->in_fd < 0) {
    ec = asio::error::broken_pipe;
    return false;
  }
  impl_->in.append(static_cast<const char*>(b.data()), b.size());
  return true;
}

void Process::close_stdin() {
  if (impl_) impl_->in_close = true;
}

// Signals reach a virtual-time helper only while it is blocked, so what it
// did before is the same in every run: a running one gets it once it blocks.
void Process::terminate() {
  if (!impl_ || !impl_->alive()) return;
  ProcessImpl& p = *impl_;
  if (!p.vtime) {
    ::kill(p.pid, SIGTERM);
  } else if (p.state == ProcessImpl::State::blocked) {
    // The shim raises the signal itself once it has read the virtual instant,
    // so its handler runs at a known point and time; the world then waits for
    // its next request or its end.
    p.wake_up(detail::Wake::signal_base, SIGTERM);
  } else {
    p.pending_signal = SIGTERM;
  }
}

void Process::kill() {
  if (!impl_ || !impl_->alive()) return;
  ProcessImpl& p = *impl_;
  if (!p.vtime) {
    ::kill(p.pid, SIGKILL);
  } else if (p.state == ProcessImpl::State::blocked) {
    ::kill(p.pid, SIGKILL);
    p.world().unschedule(p.wake);
    p.state = ProcessImpl::State::running;  // the world waits for the end of its channel
  } else {
    p.pending_signal = SIGKILL;
  }
}

// ---- ProcessTable ----

ProcessTable& ProcessTable::of(World& world) {
  if (world.processes() == nullptr) asio::make_service<ProcessTable>(world.context(), world);
  return *world.processes();
}

ProcessTable::ProcessTable(asio::execution_context& ctx, World& world)
    : service(ctx), world_(world) {
  world_.set_processes(this);
}

ProcessTable::~ProcessTable() {
  shutdown();
  procs_.clear();
}

void ProcessTable::shutdown() {
  world_.set_settler(nullptr);
  world_.set_processes(nullptr);
  // Handles may be destroyed after this (coroutine frames go with the
  // world's queue): they find their process shut and leave it alone.
  for (auto& p : procs_) p->shut = true;
  for (auto& p : procs_) {
    if (p->alive()) {
      ::kill(p->pid, SIGKILL);
      detail::finish(*p);
    }
    world_.unschedule(p->wake);
    for (auto** slot : {&p->read_out, &p->read_err})
      if (auto* op = std::exchange(*slot, nullptr)) op->discard();
    for (auto* op : std::exchange(p->exit_ops, {})) op->discard();
  }
  if (!shim_dir_.empty()) {
    std::error_code ec;
    fs::remove_all(shim_dir_, ec);
    shim_dir_.clear();
  }
}

void ProcessTable::warn(std::string text) { warnings_.push_back(std::move(text)); }

std::size_t ProcessTable::running() const {
  return static_cast<std::size_t>(
      std::count_if(procs_.begin(), procs_.end(), [](const auto& p) { return p->alive(); }));
}

void ProcessTable::ensure_shim() {
  if (!shim_dir_.empty()) return;
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/bgpsim-vtime-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr)
    throw std::system_error(errno, std::generic_category(), "sim process: mkdtemp " + pattern);
  shim_dir_ = pattern;
  std::ofstream out(fs::path(shim_dir_) / "sitecustomize.py", std::ios::binary);
  out.write(kVtimeShim.data(), static_cast<std::streamsize>(kVtimeShim.size()));
  if (!out) throw std::runtime_error("sim process: cannot write the shim into " + shim_dir_);
  std::error_code ec;
  fs::create_directory(fs::path(shim_dir_) / "tmp", ec);
}

Process ProcessTable::spawn(NodeId node, const ProcessSpec& spec) {
  const bool vtime = detail::is_python(spec);
  ProcessSpec s = spec;
  int pair[2] = {-1, -1};
  if (vtime) {
    ensure_shim();
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
      throw std::system_error(errno, std::generic_category(), "sim process: socketpair");
    std::string pythonpath = shim_dir_;
    const char* inherited = std::getenv("PYTHONPATH");
    std::string extra = inherited ? inherited : "";
    for (const auto& [k, v] : spec.env)
      if (k == "PYTHONPATH") extra = v;
    if (!extra.empty()) pythonpath += ":" + extra;
    s.env.emplace_back("PYTHONPATH", pythonpath);
    s.env.emplace_back("BGPSIM_VTIME_FD", std::to_string(runtime::kKeptChildFd));
    s.env.emplace_back("BGPSIM_VTIME_NOW_NS", std::to_string(world_.now_ns()));
    s.env.emplace_back(
        "BGPSIM_VTIME_SEED",
        std::to_string(world_.derive_seed(fmt::format("process/{}", spawned_)) >> 1));
    s.env.emplace_back("BGPSIM_VTIME_PID", std::to_string(kFirstVirtualPid + spawned_));
    s.env.emplace_back("BGPSIM_VTIME_STARTUP_NS", std::to_string(startup_.count()));
    s.env.emplace_back("PYTHONHASHSEED", "0");
    // A temporary folder of the world's own: helpers name files after their
    // (virtual) pid, the same in every world run side by side.
    if (std::none_of(spec.env.begin(), spec.env.end(),
                     [](const auto& kv) { return kv.first == "TMPDIR"; }))
      s.env.emplace_back("TMPDIR", (fs::path(shim_dir_) / "tmp").string());
    s.env.emplace_back("PYTHONDONTWRITEBYTECODE", "1");
  }
  runtime::ChildFds fds;
  int status_fd = -1;
  try {
    // A Python helper comes from the fork server when it can start it (no
    // interpreter starting per helper); else, and for the rest, a spawn.
    if (auto forked = vtime ? detail::fork_python(s, pair[1], kVtimeShim) : std::nullopt) {
      fds = runtime::ChildFds{forked->pid, forked->in, forked->out, forked->err};
      status_fd = forked->status;
    } else {
      fds = runtime::spawn_child(s, pair[1]);
    }
  } catch (...) {
    runtime::close_fd(pair[0]);
    runtime::close_fd(pair[1]);
    throw;
  }
  runtime::close_fd(pair[1]);

  auto impl = std::make_unique<ProcessImpl>();
  ProcessImpl& p = *impl;
  p.table = this;
  p.ex = world_.executor_for(node);
  p.name = runtime::command_line(spec);
  p.pid = fds.pid;
  p.virtual_pid = static_cast<int>(kFirstVirtualPid + spawned_);
  p.in_fd = fds.in;
  p.out_fd = fds.out;
  p.err_fd = fds.err;
  p.ctl_fd = pair[0];
  p.status_fd = status_fd;
  p.vtime = vtime;
  p.wake.p = &p;
  if (!vtime)
    warn(fmt::format(
        "helper '{}' (pid {}) is not a Python program: it runs in real time and this run is not "
        "reproducible",
        p.name, p.virtual_pid));
  procs_.push_back(std::move(impl));
  ++spawned_;
  world_.set_settler(this);
  return Process(&p);
}

void ProcessTable::settle(std::int64_t next_ns, std::int64_t limit_ns) {
  if (procs_.empty()) return;
  // Events of the current instant run while helpers run: they see helpers
  // only through what the last full settle drained, and what they write or
  // signal waits for the next one. Before virtual time moves (or the run
  // returns), every helper must have blocked: the full settle below. So
  // helpers started or woken at one instant run side by side (wall clock).
  if (next_ns <= world_.now_ns() && next_ns <= limit_ns) return;
  for (bool progressed = true; progressed;) {
    progressed = false;
    for (auto& p : procs_)
      if (p->vtime && p->state == ProcessImpl::State::running) detail::wait_for_report(*p);
    for (auto& p : procs_) {
      if (!p->alive()) continue;
      if (!p->vtime) {
        detail::poll_real_time(*p);
        if (p->alive()) detail::flush_stdin(*p);
        continue;
      }
      if (const int sig = std::exchange(p->pending_signal, 0);
          sig != 0 && p->state == ProcessImpl::State::blocked) {
        if (sig == SIGKILL) {
          ::kill(p->pid, SIGKILL);
          p->world().unschedule(p->wake);
          p->state = ProcessImpl::State::running;
        } else {
          p->wake_up(detail::Wake::signal_base, sig);
        }
        progressed = true;
        continue;
      }
      detail::flush_stdin(*p);
      if (p->state == ProcessImpl::State::blocked && p->wants_stdin && p->stdin_fresh) {
        p->wake_up(detail::Wake::stdin_ready);
        progressed = true;
      }
    }
    for (auto& p : procs_) detail::deliver(*p);
  }
  std::erase_if(procs_, [](const auto& p) {
    return p->handle_gone && !p->alive() && !p->read_out && !p->read_err && p->exit_ops.empty();
  });

  // Real-time helpers: while one runs and nothing is due before the wall
  // clock reaches the next event (or the run's limit), wait for it on the
  // wall clock, keeping virtual time in step with it.
  for (;;) {
    bool real_time = false;
    for (auto& p : procs_) real_time = real_time || (!p->vtime && p->alive());
    if (!real_time) {
      anchor_wall_ns_ = -1;
      return;
    }
    const std::int64_t now = world_.now_ns();
    if (anchor_wall_ns_ < 0) {
      anchor_wall_ns_ = detail::wall_ns();
      anchor_virtual_ns_ = now;
    }
    const std::int64_t target = std::min(world_.next_event_ns(), limit_ns);
    if (target <= now) return;
    std::vector<pollfd> fds;
    for (auto& p : procs_) {
      if (p->vtime || !p->alive()) continue;
      if (!p->out_eof) fds.push_back({p->out_fd, POLLIN, 0});
      if (!p->err_eof) fds.push_back({p->err_fd, POLLIN, 0});
    }
    // A helper whose pipes are closed: look for its end every 10 ms.
    std::int64_t timeout_ms = fds.empty() ? 10 : -1;
    if (target != std::numeric_limits<std::int64_t>::max()) {
      const std::int64_t wait_ns =
          anchor_wall_ns_ + (target - anchor_virtual_ns_) - detail::wall_ns();
      const std::int64_t ms = std::max<std::int64_t>(0, (wait_ns + 999'999) / 1'000'000);
      timeout_ms = timeout_ms < 0 ? ms : std::min(timeout_ms, ms);
    }
    ::poll(fds.data(), fds.size(), static_cast<int>(std::min<std::int64_t>(timeout_ms, 1'000'000)));
    world_.advance_clock(
        std::min(target, anchor_virtual_ns_ + (detail::wall_ns() - anchor_wall_ns_)));
    for (auto& p : procs_)
      if (!p->vtime && p->alive()) {
        detail::poll_real_time(*p);
        if (p->alive()) detail::flush_stdin(*p);
      }
    for (auto& p : procs_) detail::deliver(*p);
    if (world_.next_event_ns() <= world_.now_ns() || world_.now_ns() >= limit_ns) return;
  }
}

}  // namespace bgpsim::sim
