// Helper processes in the simulated world (docs/processes.md). A process is a
// real child (posix_spawn, speaker/runtime/child.hpp) whose pipes the world
// reads and writes only at its synchronisation points:
//
//  - A Python helper runs with the virtual-time shim (sim/vtime/sitecustomize.py,
//    compiled in): its clock is the world's, and each sleep, select or read of
//    stdin is a request on a control channel. Before the world runs an event
//    (so before virtual time moves), every such process must have said it is
//    blocked; the world waits for that on the caller's thread (wall clock).
//    What the process wrote before blocking is then drained and delivered at
//    the current virtual time; a process whose deadline is the next event
//    wakes at that virtual time; bytes written to its stdin wake a process
//    waiting for stdin. Runs are reproducible bit for bit.
//  - Anything else (a shell or Perl helper, or a Python helper that starts a
//    thread) runs in real time: the world reads it without waiting for it and
//    paces its virtual clock on the wall clock while such a process is alive
//    and nothing else is due. The run is then not reproducible; warnings()
//    says so.
//
// Processes are kept in spawn order, so the world visits them in a stable order.
// Depends on: sim/world.hpp, sim/ops.hpp, speaker/runtime (ProcessSpec, spawning).
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/execution_context.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/ops.hpp"
#include "speaker/runtime/runtime.hpp"

namespace bgpsim::sim {

// The shim's Python source, compiled in (generated from sim/vtime/sitecustomize.py).
extern const std::string_view kVtimeShim;

namespace detail {
struct ProcessImpl;
struct ProcReadOp : Op<boost::system::error_code, std::size_t> {
  boost::asio::mutable_buffer buffer;
};
struct ProcExitOp : Op<boost::system::error_code, int> {};
void start_process_read(ProcessImpl* impl, bool err, ProcReadOp* op);
void start_process_exit(ProcessImpl* impl, ProcExitOp* op);
Executor process_executor(ProcessImpl* impl);
}  // namespace detail

// A handle on a helper process, with the operations of runtime::ChildProcess.
// Destroying the handle of a process that still runs kills it (SIGKILL).
class Process {
 public:
  using executor_type = Executor;

  Process() = default;
  explicit Process(detail::ProcessImpl* impl) : impl_(impl) {}
  Process(Process&& o) noexcept : impl_(std::exchange(o.impl_, nullptr)) {}
  Process& operator=(Process&& o) noexcept;
  ~Process();

  executor_type get_executor() const { return detail::process_executor(impl_); }
  // A virtual pid (1000 + its rank among the world's spawns), so logs stay
  // reproducible; the helper's os.getpid() says the same. real_pid() is the OS's.
  int pid() const;
  int real_pid() const;
  bool running() const;
  // True when the process follows virtual time (a Python helper with the shim).
  bool virtual_time() const;

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return read(false, first(buffers), std::forward<Token>(token));
  }
  template <class MutableBuffers, class Token>
  auto async_read_stderr_some(const MutableBuffers& buffers, Token&& token) {
    return read(true, first(buffers), std::forward<Token>(token));
  }
  // Takes every byte at once (the world writes them to the pipe at its next
  // synchronisation point); broken_pipe once stdin is closed.
  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    std::size_t n = 0;
    boost::system::error_code ec;
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         it != boost::asio::buffer_sequence_end(buffers); ++it) {
      boost::asio::const_buffer b(*it);
      if (!write(b, ec)) break;
      n += b.size();
    }
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [](auto handler, Executor ex, boost::system::error_code e, std::size_t count) {
          ex.world().post([h = std::move(handler), ex, e, count]() mutable {
            detail::complete(ex, std::move(h), e, count);
          });
        },
        token, get_executor(), ec, n);
  }
  void close_stdin();
  void terminate();
  void kill();

  template <class Token>
  auto async_wait_exit(Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, int)>(
        [](auto handler, detail::ProcessImpl* impl) {
          auto* op = detail::make_op<detail::ProcExitOp>(std::move(handler),
                                                         detail::process_executor(impl));
          detail::start_process_exit(impl, op);
        },
        token, impl_);
  }

 private:
  template <class Buffers>
  static boost::asio::mutable_buffer first(const Buffers& bs) {
    for (auto it = boost::asio::buffer_sequence_begin(bs);
         it != boost::asio::buffer_sequence_end(bs); ++it) {
      boost::asio::mutable_buffer b(*it);
      if (b.size() != 0) return b;
    }
    return {};
  }
  template <class Token>
  auto read(bool err, boost::asio::mutable_buffer b, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [](auto handler, detail::ProcessImpl* impl, bool e, boost::asio::mutable_buffer buf) {
          auto* op = detail::make_op<detail::ProcReadOp>(std::move(handler),
                                                         detail::process_executor(impl));
          op->buffer = buf;
          detail::start_process_read(impl, e, op);
        },
        token, impl_, err, b);
  }
  bool write(boost::asio::const_buffer b, boost::system::error_code& ec);

  detail::ProcessImpl* impl_ = nullptr;
};

// The world's processes: a service of its execution_context and the world's
// settler (World::set_settler).
class ProcessTable : public boost::asio::execution_context::service, public World::Settler {
 public:
  using key_type = ProcessTable;
  static inline boost::asio::execution_context::id id;

  // The table of this world, installed on first use.
  static ProcessTable& of(World& world);

  ProcessTable(boost::asio::execution_context& ctx, World& world);
  ~ProcessTable() override;

  // Starts a helper owned by `node` (see the header comment for which run in
  // virtual time). Throws std::system_error naming the command.
  Process spawn(NodeId node, const runtime::ProcessSpec& spec);

  // How long (virtual) a Python helper takes to start before its program
  // runs: 0 by default; the qa runner models an interpreter's start-up, so
  // a helper's first lines come after a loopback session is up, as they do
  // on a real machine (docs/processes.md).
  void set_startup(std::chrono::nanoseconds delay) { startup_ = delay; }

  // What made the run not reproducible, in the order it was seen: real-time
  // helpers, and what a virtual-time helper did that escapes virtual time.
  const std::vector<std::string>& warnings() const { return warnings_; }
  // Where the shim is written (a private folder, removed with the table).
  const std::string& shim_dir() const { return shim_dir_; }
  std::size_t running() const;

  // World::Settler
  void settle(std::int64_t next_ns, std::int64_t limit_ns) override;

  // Internal.
  void warn(std::string text);
  World& world() { return world_; }

 private:
  void shutdown() override;
  void ensure_shim();

  World& world_;
  std::vector<std::unique_ptr<detail::ProcessImpl>> procs_;  // spawn order
  std::vector<std::string> warnings_;
  std::string shim_dir_;
  std::uint64_t spawned_ = 0;
  std::chrono::nanoseconds startup_{0};
  // Real-time pacing: the wall clock reading that matches virtual `anchor_virtual_ns_`.
  std::int64_t anchor_wall_ns_ = -1;
  std::int64_t anchor_virtual_ns_ = 0;
};

}  // namespace bgpsim::sim
