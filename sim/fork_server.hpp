// The fork server for Python helpers (sim/vtime/forkserver.py): one Python
// interpreter started once per bgpsim process, which forks a child per
// helper instead of a fresh interpreter starting (20-40 ms of CPU each, far
// more wall time on a busy machine). The child is the helper as
// `python3 SCRIPT ARGS` / `python3 -m MODULE ARGS` / `python3 -c TEXT ARGS` /
// a `#!... python3` script
// would be: same descriptors, environment, folder, sys.argv, sys.path, the
// virtual-time shim, and its exit status. The helper is the server's child,
// not ours: its wait status comes through a pipe, not waitpid.
//
// Only what the server can start as a fresh interpreter would goes there
// (python3 itself, no interpreter options but -m and -c); anything else, or a
// machine without python3, or BGPSIM_FORK_SERVER=0, is spawned as before.
// Thread-safe: worlds in parallel share the one server.
// Depends on: speaker/runtime/child.hpp (ProcessSpec, the child environment).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string_view>

#include "speaker/runtime/runtime.hpp"

namespace bgpsim::sim::detail {

struct ForkedChild {
  pid_t pid = -1;
  int in = -1, out = -1, err = -1;  // our ends, non-blocking, close-on-exec
  int status = -1;                  // "exit S\n" (a wait status) when it has ended
};

// Starts `spec` through the fork server with `ctl_fd` as its descriptor 3
// and `shim` (the virtual-time shim's source) installed; nullopt when the
// server cannot start it (the caller spawns it itself).
std::optional<ForkedChild> fork_python(const runtime::ProcessSpec& spec, int ctl_fd,
                                       std::string_view shim);

// Reads the wait status from a ForkedChild's status descriptor; with `block`
// false, nullopt when it has not ended yet. An EOF without a status (the
// server died) reads as SIGKILL.
std::optional<int> forked_wait_status(int status_fd, bool block);

}  // namespace bgpsim::sim::detail
