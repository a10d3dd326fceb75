# bgpsim fork server for Python helper processes (docs/processes.md).
#
# Starting a Python interpreter costs 20-40 ms of CPU (and far more wall time
# on a busy machine); a test run starts dozens of helpers. sim/process.cpp
# therefore starts this program once per bgpsim process and asks it for each
# Python helper: it forks itself (an interpreter already started, with the
# modules below imported), and the child becomes the helper as
# `python3 SCRIPT ARGS` or `python3 -m MODULE ARGS` would: its stdin, stdout,
# stderr and the virtual-time control channel are the descriptors the request
# carried, its environment, working folder, sys.argv and sys.path are those a
# fresh interpreter would have, the virtual-time shim is installed as
# sitecustomize would install it, and its exit status is the interpreter's.
#
# Requests arrive on descriptor 3 (a Unix stream socket), one message each:
#   bytes: "MODE\0TARGET\0CWD\0" + argv entries "\0"-terminated + "\0"
#          + environment entries "\0"-terminated + "\0"
#   descriptors (SCM_RIGHTS): stdin, stdout, stderr, control channel, status
# MODE is "path" (TARGET a script file), "module" (TARGET a module name) or
# "code" (TARGET the program text of `python3 -c`).
# The status descriptor (a pipe's write end) gets "pid N\n" once the child
# exists and "exit S\n" (the raw wait status) when it has been reaped; then
# it is closed. The server ends when its request socket closes.
#
# PYTHONHASHSEED and PYTHONDONTWRITEBYTECODE are fixed when the server
# starts (sim/process.cpp sets both as it does for a fresh helper).
import sys

# What a helper's fresh interpreter imports anyway (the shim imports these
# before it patches the clock), plus pure modules that read the clock only
# through `time.`: kept in the child. Whatever else the server imports for
# itself (socket imports selectors, which copies select.select at import) is
# dropped from sys.modules in the child, so the helper imports it afresh
# after the shim, as in a fresh interpreter.
import _thread  # noqa: F401
import collections  # noqa: F401
import datetime  # noqa: F401
import io
import json  # noqa: F401
import os
import random  # noqa: F401
import re  # noqa: F401
import select  # noqa: F401
import signal
import threading
import time  # noqa: F401

KEEP = frozenset(sys.modules)

import atexit  # noqa: E402
import fcntl  # noqa: E402
import runpy  # noqa: E402
import socket  # noqa: E402
import traceback  # noqa: E402
import types  # noqa: E402

SHIM_PATH = sys.argv[1]
with open(SHIM_PATH) as f:
    SHIM = compile(f.read(), SHIM_PATH, 'exec')
# sys.path without the server's own folder (its first entry; PYTHONPATH is
# empty for the server): what every interpreter adds after PYTHONPATH.
BASE_PATH = sys.path[1:]
REQUESTS = 3
MAX_FDS = 5

status_fds = {}  # child pid -> its status descriptor


def write_all(fd, data):
    while data:
        data = data[os.write(fd, data):]


def reap(signum=None, frame=None):
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        fd = status_fds.pop(pid, None)
        if fd is not None:
            try:
                write_all(fd, b'exit %d\n' % status)
            except OSError:
                pass
            os.close(fd)


def fields(blob, at):
    """The \\0-terminated entries from `at` up to an empty one."""
    out = []
    while True:
        end = blob.index(b'\0', at)
        if end == at:
            return out, at + 1
        out.append(os.fsdecode(blob[at:end]))
        at = end + 1


def become(mode, target, cwd, argv, env, fds):
    """In the child: turn into the helper; never returns."""
    real_getpid, real_kill = os.getpid, os.kill
    code = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.setpgid(0, 0)
        high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in fds[:4]]
        for i, fd in enumerate(high):
            os.dup2(fd, i)
        os.closerange(4, 1 << 16)
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env)
        sys.stdin = io.TextIOWrapper(io.BufferedReader(io.FileIO(0, 'r', closefd=False)))
        sys.stdout = io.TextIOWrapper(io.BufferedWriter(io.FileIO(1, 'w', closefd=False)))
        sys.stderr = io.TextIOWrapper(io.BufferedWriter(io.FileIO(2, 'w', closefd=False)),
                                      errors='backslashreplace', line_buffering=True)
        sys.__stdin__, sys.__stdout__, sys.__stderr__ = sys.stdin, sys.stdout, sys.stderr
        extra = [p for p in env.get('PYTHONPATH', '').split(':') if p]
        if mode == 'path':
            first = os.path.dirname(os.path.realpath(target))
        elif mode == 'module':
            first = cwd
        else:
            first = ''
        sys.path[:] = [first] + extra + BASE_PATH
        for name in [m for m in sys.modules if m not in KEEP]:
            del sys.modules[name]
        sys.argv[:] = argv
        exec(SHIM, {'__name__': 'sitecustomize'})
        try:
            if mode == 'path':
                # run_path sets sys.argv[0] to the path it is given: the
                # path as the interpreter got it (argv[0]), resolved from cwd.
                runpy.run_path(argv[0], run_name='__main__')
            elif mode == 'module':
                runpy.run_module(target, run_name='__main__', alter_sys=True)
            else:
                main = types.ModuleType('__main__')
                sys.modules['__main__'] = main
                exec(compile(target, '<string>', 'exec'), main.__dict__)
            code = 0
        except SystemExit as e:
            if e.code is None:
                code = 0
            elif isinstance(e.code, int):
                code = e.code
            else:
                print(e.code, file=sys.stderr)
                code = 1
        except KeyboardInterrupt:
            traceback.print_exc()
            code = 128 + signal.SIGINT
        except BaseException:
            sys.excepthook(*sys.exc_info())
            code = 1
        try:
            threading._shutdown()
        except BaseException:
            pass
        atexit._run_exitfuncs()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:
                code = 120 if code == 0 else code
    except BaseException:
        try:
            traceback.print_exc()
        except BaseException:
            pass
    finally:
        del real_getpid, real_kill
        os._exit(code & 0xff)


def serve():
    sock = socket.socket(fileno=REQUESTS)
    signal.signal(signal.SIGCHLD, reap)
    while True:
        try:
            blob, fds, _, _ = socket.recv_fds(sock, 1 << 20, MAX_FDS)
        except InterruptedError:
            continue
        if not blob:
            return
        if len(fds) != MAX_FDS:
            for fd in fds:
                os.close(fd)
            continue
        try:
            at = 0
            head, at = [], 0
            for _ in range(3):
                end = blob.index(b'\0', at)
                head.append(os.fsdecode(blob[at:end]))
                at = end + 1
            argv, at = fields(blob, at)
            env_list, at = fields(blob, at)
        except ValueError:
            for fd in fds:
                os.close(fd)
            continue
        env = dict(e.split('=', 1) for e in env_list if '=' in e)
        # Block SIGCHLD around fork, so the child's pid is in status_fds
        # before reap() can look for it.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})
        pid = os.fork()
        if pid == 0:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
            sock.close()
            for fd in status_fds.values():
                os.close(fd)
            become(head[0], head[1], head[2], argv, env, fds)
        status = fds[4]
        for fd in fds[:4]:
            os.close(fd)
        status_fds[pid] = status
        try:
            write_all(status, b'pid %d\n' % pid)
        except OSError:
            pass
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})


serve()
