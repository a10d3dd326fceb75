#include "sim/fork_server.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <system_error>
#include <vector>

#include "speaker/runtime/child.hpp"

namespace bgpsim::sim {
extern const std::string_view kForkServer;  // sim/vtime/forkserver.py, compiled in
}

namespace bgpsim::sim::detail {

namespace fs = std::filesystem;
using runtime::close_fd;

namespace {

// argv[0] as posix_spawnp finds it: a path when it holds a slash (relative to
// `cwd`), else the first executable of that name on PATH.
std::string locate(const std::string& cmd, const std::string& cwd) {
  if (cmd.find('/') != std::string::npos)
    return fs::path(cmd).is_absolute() || cwd.empty() ? cmd : (fs::path(cwd) / cmd).string();
  const char* path = std::getenv("PATH");
  std::string_view rest(path ? path : "");
  while (!rest.empty()) {
    const std::size_t colon = std::min(rest.find(':'), rest.size());
    const fs::path candidate = fs::path(std::string(rest.substr(0, colon))) / cmd;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    rest.remove_prefix(std::min(colon + 1, rest.size()));
  }
  return {};
}

std::string real_path(const std::string& p) {
  std::error_code ec;
  auto r = fs::canonical(p, ec);
  return ec ? std::string() : r.string();
}

// How the server starts a helper: a script file, a module or a program
// text, with sys.argv.
struct Launch {
  std::string mode;    // "path", "module" or "code"
  std::string target;  // the file, the module name or the text
  std::vector<std::string> argv;
};

// `python3 [-m MODULE | -c TEXT | SCRIPT] ARGS`, or a script whose #! line names this
// very python3 (directly or through env) with no option: what the server can
// start exactly as a fresh interpreter would.
std::optional<Launch> launch_of(const runtime::ProcessSpec& spec, const std::string& python) {
  const auto& a = spec.argv;
  if (a.empty()) return std::nullopt;
  const std::string file = locate(a[0], spec.cwd);
  if (file.empty()) return std::nullopt;
  if (real_path(file) == python) {
    if (a.size() >= 3 && a[1] == "-m")
      return Launch{"module", a[2], std::vector<std::string>(a.begin() + 2, a.end())};
    if (a.size() >= 3 && a[1] == "-c") {
      std::vector<std::string> argv{"-c"};
      argv.insert(argv.end(), a.begin() + 3, a.end());
      return Launch{"code", a[2], std::move(argv)};
    }
    if (a.size() >= 2 && !a[1].empty() && a[1][0] != '-')
      return Launch{"path", a[1], std::vector<std::string>(a.begin() + 1, a.end())};
    return std::nullopt;
  }
  std::ifstream in(file);
  std::string first;
  if (!in || !std::getline(in, first) || !first.starts_with("#!")) return std::nullopt;
  std::vector<std::string> words;
  for (std::size_t i = 2; i < first.size();) {
    while (i < first.size() && (first[i] == ' ' || first[i] == '\t' || first[i] == '\r')) ++i;
    std::size_t j = i;
    while (j < first.size() && first[j] != ' ' && first[j] != '\t' && first[j] != '\r') ++j;
    if (j > i) words.push_back(first.substr(i, j - i));
    i = j;
  }
  if (words.size() == 2 && fs::path(words[0]).filename() == "env") words.erase(words.begin());
  if (words.size() != 1) return std::nullopt;  // interpreter options: a fresh interpreter
  const std::string interpreter = locate(words[0], {});
  if (interpreter.empty() || real_path(interpreter) != python) return std::nullopt;
  // The kernel hands the interpreter the path it ran: as given, or as found on PATH.
  std::vector<std::string> argv = a;
  if (a[0].find('/') == std::string::npos) argv[0] = file;
  return Launch{"path", fs::absolute(file).string(), std::move(argv)};
}

class Server {
 public:
  static Server& get() {
    static Server server;
    return server;
  }

  // Starts the server on first use; false when there is none.
  bool ready(std::string_view shim) {
    std::call_once(started_, [&] { start(shim); });
    std::lock_guard lock(mu_);
    return sock_ >= 0;
  }
  const std::string& python() const { return python_; }
  // Sends one request; false (and no server from now on) when it is gone.
  bool send(const msghdr& msg, std::size_t size) {
    std::lock_guard lock(mu_);
    ssize_t n = -1;
    while (sock_ >= 0 && (n = ::sendmsg(sock_, &msg, MSG_NOSIGNAL)) < 0 && errno == EINTR) {
    }
    if (n == static_cast<ssize_t>(size)) return true;
    close_fd(sock_);
    return false;
  }

  ~Server() {
    close_fd(sock_);  // the server reads EOF and ends
    if (pid_ > 0) {
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    if (!dir_.empty()) {
      std::error_code ec;
      fs::remove_all(dir_, ec);
    }
  }

 private:
  Server() = default;

  void start(std::string_view shim) {
    if (const char* off = std::getenv("BGPSIM_FORK_SERVER"); off && std::string_view(off) == "0")
      return;
    const std::string python3 = locate("python3", {});
    if (python3.empty()) return;
    python_ = real_path(python3);
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/bgpsim-fork-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) return;
    dir_ = pattern;
    const auto server_py = fs::path(dir_) / "forkserver.py";
    const auto shim_py = fs::path(dir_) / "sitecustomize.py";
    std::ofstream(server_py, std::ios::binary) << kForkServer;
    std::ofstream(shim_py, std::ios::binary) << shim;

    int pair[2] = {-1, -1};
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) return;
    // Its environment is ours without PYTHONPATH (a helper's own comes with
    // each request; empty is none); hash seed and bytecode as for every
    // helper. It reads requests only: its stdio pipes are closed at once.
    runtime::ProcessSpec spec;
    spec.argv = {python3, server_py.string(), shim_py.string()};
    spec.env = {{"PYTHONPATH", ""}, {"PYTHONHASHSEED", "0"}, {"PYTHONDONTWRITEBYTECODE", "1"}};
    try {
      auto fds = runtime::spawn_child(spec, pair[1]);
      pid_ = fds.pid;
      for (int* fd : {&fds.in, &fds.out, &fds.err}) close_fd(*fd);
    } catch (const std::system_error&) {
      close_fd(pair[0]);
    }
    close_fd(pair[1]);
    if (pid_ < 0) return;
    sock_ = pair[0];
  }

  std::once_flag started_;
  std::mutex mu_;  // sock_
  int sock_ = -1;
  pid_t pid_ = -1;
  std::string dir_;
  std::string python_;
};

// One line from the status pipe (byte by byte: the next line must stay in
// the pipe); empty at EOF.
std::string read_line(int fd) {
  std::string line;
  char c = 0;
  for (;;) {
    const ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || c == '\n') return line;
    line += c;
  }
}

}  // namespace

std::optional<ForkedChild> fork_python(const runtime::ProcessSpec& spec, int ctl_fd,
                                       std::string_view shim) {
  Server& server = Server::get();
  if (!server.ready(shim)) return std::nullopt;
  auto launch = launch_of(spec, server.python());
  if (!launch) return std::nullopt;

  std::string blob;
  auto put = [&](const std::string& s) {
    blob += s;
    blob += '\0';
  };
  put(launch->mode);
  put(launch->target);
  put(fs::absolute(spec.cwd.empty() ? fs::current_path() : fs::path(spec.cwd)).string());
  for (const auto& a : launch->argv) put(a);
  blob += '\0';
  for (const auto& e : runtime::child_environment(spec)) put(e);
  blob += '\0';

  int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1}, status[2] = {-1, -1};
  auto close_all = [&] {
    for (int* p : {in, out, err, status}) {
      close_fd(p[0]);
      close_fd(p[1]);
    }
  };
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0 ||
      ::pipe2(status, O_CLOEXEC) != 0) {
    close_all();
    return std::nullopt;
  }
  const int fds[5] = {in[0], out[1], err[1], ctl_fd, status[1]};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof fds)] = {};
  iovec iov{blob.data(), blob.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof fds);
  std::memcpy(CMSG_DATA(c), fds, sizeof fds);
  if (!server.send(msg, blob.size())) {  // it is gone: helpers are spawned as before
    close_all();
    return std::nullopt;
  }
  close_fd(in[0]);
  close_fd(out[1]);
  close_fd(err[1]);
  close_fd(status[1]);
  const std::string pid_line = read_line(status[0]);
  if (!pid_line.starts_with("pid ")) {
    close_all();
    return std::nullopt;
  }
  ForkedChild child;
  child.pid = static_cast<pid_t>(std::atol(pid_line.c_str() + 4));
  child.in = in[1];
  child.out = out[0];
  child.err = err[0];
  child.status = status[0];
  for (int fd : {child.in, child.out, child.err})
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  return child;
}

std::optional<int> forked_wait_status(int status_fd, bool block) {
  if (status_fd < 0) return W_EXITCODE(0, SIGKILL);
  pollfd p{status_fd, POLLIN, 0};
  while (::poll(&p, 1, block ? -1 : 0) < 0 && errno == EINTR) {
  }
  if (!block && p.revents == 0) return std::nullopt;
  const std::string line = read_line(status_fd);
  if (!line.starts_with("exit ")) return W_EXITCODE(0, SIGKILL);
  return std::atoi(line.c_str() + 5);
}

}  // namespace bgpsim::sim::detail
