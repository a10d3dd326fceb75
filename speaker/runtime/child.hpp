// Starting a helper process with piped stdin/stdout/stderr (posix_spawn), the
// part both runtimes share: the live one watches the pipes with Asio, the
// simulator reads them at its synchronisation points (sim/process.hpp).
// Header-only; POSIX and Linux (pidfd_open, Linux 5.3).
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>
#include <vector>

#include "speaker/runtime/runtime.hpp"

extern char** environ;

namespace bgpsim::runtime {

// The parent's ends of a started child; every descriptor is non-blocking and
// close-on-exec.
struct ChildFds {
  pid_t pid = -1;
  int in = -1;   // writes to its stdin
  int out = -1;  // reads its stdout
  int err = -1;  // reads its stderr
};

// The environment for a child: ours, with spec.env added or replacing.
inline std::vector<std::string> child_environment(const ProcessSpec& spec) {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string entry(*e);
    const std::string key = entry.substr(0, entry.find('='));
    bool replaced = false;
    for (const auto& [k, v] : spec.env) replaced = replaced || k == key;
    if (!replaced) env.push_back(std::move(entry));
  }
  for (const auto& [k, v] : spec.env) env.push_back(k + "=" + v);
  return env;
}

inline std::string command_line(const ProcessSpec& spec) {
  std::string s;
  for (const auto& a : spec.argv) s += (s.empty() ? "" : " ") + a;
  return s;
}

inline void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// Starts spec.argv (PATH lookup when argv[0] has no slash) in its own process
// group (as ExaBGP does, so a terminal's Ctrl-C reaches the speaker only),
// with default signal dispositions and an empty signal mask. `keep_fd`, when
// not -1, is a descriptor of ours the child inherits as descriptor
// kKeptChildFd (the simulator's control channel). Throws std::system_error
// naming the command. Safe to call from several threads at once: no
// descriptor of ours loses its close-on-exec flag, so no other child
// inherits it.
inline constexpr int kKeptChildFd = 3;

inline ChildFds spawn_child(const ProcessSpec& spec, int keep_fd = -1) {
  const std::string what = "spawn '" + command_line(spec) + "'";
  // A helper that ends while we write to its stdin must give us EPIPE, not
  // SIGPIPE (which would end the speaker). Process-wide, set once here.
  ::signal(SIGPIPE, SIG_IGN);
  if (spec.argv.empty())
    throw std::system_error(EINVAL, std::generic_category(), what + ": no command");
  int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
  auto fail = [&](int e, const char* step) {
    for (int* p : {in, out, err}) {
      close_fd(p[0]);
      close_fd(p[1]);
    }
    throw std::system_error(e, std::generic_category(), what + ": " + step);
  };
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0)
    fail(errno, "pipe");
  // dup2 onto the same number keeps close-on-exec: a descriptor that already
  // sits on 0..3 (our stdio closed, or 3 free) moves up first.
  auto move_up = [&](int& fd) {
    if (fd > kKeptChildFd) return;
    const int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, kKeptChildFd + 1);
    if (moved < 0) fail(errno, "fcntl");
    ::close(fd);
    fd = moved;
  };
  for (int* p : {&in[0], &out[1], &err[1]}) move_up(*p);
  int kept = -1;  // our copy of keep_fd above 3, when keep_fd itself is not
  if (keep_fd >= 0 && keep_fd <= kKeptChildFd) {
    kept = ::fcntl(keep_fd, F_DUPFD_CLOEXEC, kKeptChildFd + 1);
    if (kept < 0) fail(errno, "fcntl");
  }

  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  if (keep_fd >= 0)
    posix_spawn_file_actions_adddup2(&actions, kept >= 0 ? kept : keep_fd, kKeptChildFd);
  if (!spec.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, spec.cwd.c_str());
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);

  std::vector<std::string> env = child_environment(spec);
  std::vector<char*> envp, argv;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = spec.argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), envp.data());
  close_fd(kept);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) fail(rc, "posix_spawn");

  close_fd(in[0]);
  close_fd(out[1]);
  close_fd(err[1]);
  for (int fd : {in[1], out[0], err[0]}) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  return ChildFds{pid, in[1], out[0], err[0]};
}

// A descriptor that becomes readable when the process ends (Linux >= 5.3).
inline int open_pidfd(pid_t pid) {
  const long fd = ::syscall(SYS_pidfd_open, pid, 0);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "pidfd_open");
  ::fcntl(static_cast<int>(fd), F_SETFD, FD_CLOEXEC);
  return static_cast<int>(fd);
}

// waitpid status -> exit status, or 128 + signal number.
inline int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace bgpsim::runtime
