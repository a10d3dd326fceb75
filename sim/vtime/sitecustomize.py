# bgpsim virtual-time shim for Python helper processes (docs/processes.md).
#
# The simulator (sim/process.cpp) puts the folder holding this file first on
# PYTHONPATH, so Python imports it at startup. It does nothing unless
# BGPSIM_VTIME_FD names the control channel. Then the helper's clock is the
# simulator's virtual clock, and every point where the helper would block
# (sleep, select on stdin, a read of stdin) becomes a request on the channel:
#
#   helper -> simulator   "W <seq> <deadline_ns|-1> <stdin 0|1>"  blocked until the
#                         deadline (virtual ns; -1: none) or, with 1, stdin readable
#                         "E <what>"   the helper escapes virtual time (noted)
#                         "R <why>"    the helper goes on in real time
#   simulator -> helper   "<seq> <now_ns> <why>"  why: 0 timeout, 1 stdin readable,
#                         100 + N: signal N was sent to the helper at now_ns (the shim
#                         raises it, so its handler runs at that virtual instant)
#
# Between two requests virtual time stands still. The source lives in the
# repository and is compiled into bgpsim (sim/CMakeLists.txt), which writes it
# to a private folder at run time.
import os as _os


def _install():
    fd_text = _os.environ.pop('BGPSIM_VTIME_FD', None)
    if not fd_text:
        return
    import _thread
    import select
    import signal
    import sys
    import threading
    import time

    ctl = int(fd_text)
    _os.set_inheritable(ctl, False)
    start_ns = int(_os.environ.pop('BGPSIM_VTIME_NOW_NS', '0'))
    seed = int(_os.environ.pop('BGPSIM_VTIME_SEED', '0'))
    virtual_pid = int(_os.environ.pop('BGPSIM_VTIME_PID', '0'))
    startup_ns = int(_os.environ.pop('BGPSIM_VTIME_STARTUP_NS', '0'))
    epoch_ns = 1_767_225_600 * 1_000_000_000  # time.time() at virtual 0: 2026-01-01T00:00:00Z

    real = {
        'time': time.time, 'time_ns': time.time_ns, 'monotonic': time.monotonic,
        'monotonic_ns': time.monotonic_ns, 'perf_counter': time.perf_counter,
        'perf_counter_ns': time.perf_counter_ns, 'sleep': time.sleep,
        'localtime': time.localtime, 'gmtime': time.gmtime, 'ctime': time.ctime,
        'asctime': time.asctime, 'strftime': time.strftime,
        'select': select.select, 'poll': getattr(select, 'poll', None),
        'read': _os.read, 'urandom': _os.urandom, 'getpid': _os.getpid,
        'kill': _os.kill,
        'alarm': signal.alarm, 'setitimer': signal.setitimer,
        'thread_start': threading.Thread.start, 'start_new_thread': _thread.start_new_thread,
    }
    state = {'now': start_ns, 'seq': 0, 'real': False, 'noted': set()}
    pending = bytearray()

    def send(text):
        data = text.encode()
        while data:
            n = _os.write(ctl, data)
            data = data[n:]

    def note(what):
        if what not in state['noted']:
            state['noted'].add(what)
            send('E %s\n' % what.replace('\n', ' '))

    def read_line():
        while b'\n' not in pending:
            chunk = real['read'](ctl, 4096)
            if not chunk:
                _os._exit(0)  # the simulator is gone
            pending.extend(chunk)
        i = pending.index(b'\n')
        line = bytes(pending[:i]).decode()
        del pending[:i + 1]
        return line

    def wait(deadline_ns, want_stdin):
        """Blocks until the simulator wakes us; True when stdin became readable."""
        state['seq'] += 1
        request = (deadline_ns, 1 if want_stdin else 0)
        send('W %d %d %d\n' % (state['seq'], request[0], request[1]))
        while True:
            seq, now, why = (int(x) for x in read_line().split())
            if seq != state['seq']:
                continue  # a notice for a request we left (an exception in a signal handler)
            state['now'] = now
            if why >= 100:
                # A signal, sent now: its handler runs here (and may raise); if it
                # returns, or the signal is ignored, block again.
                real['kill'](real['getpid'](), why - 100)
                state['seq'] += 1
                send('W %d %d %d\n' % (state['seq'], request[0], request[1]))
                continue
            return why == 1

    def go_real(why):
        if state['real']:
            return
        state['real'] = True
        send('R %s\n' % why)
        time.time, time.time_ns = real['time'], real['time_ns']
        time.monotonic, time.monotonic_ns = real['monotonic'], real['monotonic_ns']
        time.perf_counter, time.perf_counter_ns = real['perf_counter'], real['perf_counter_ns']
        time.sleep, select.select, _os.read = real['sleep'], real['select'], real['read']
        if real['poll'] is not None:
            select.poll = real['poll']

    def to_ns(seconds):
        return int(round(seconds * 1_000_000_000))

    # ---- the clock ----
    def v_time():
        return real['time']() if state['real'] else (epoch_ns + state['now']) / 1e9

    def v_time_ns():
        return real['time_ns']() if state['real'] else epoch_ns + state['now']

    def v_monotonic():
        return real['monotonic']() if state['real'] else state['now'] / 1e9

    def v_monotonic_ns():
        return real['monotonic_ns']() if state['real'] else state['now']

    def v_localtime(secs=None):
        return real['localtime'](v_time() if secs is None else secs)

    def v_gmtime(secs=None):
        return real['gmtime'](v_time() if secs is None else secs)

    def v_ctime(secs=None):
        return real['ctime'](v_time() if secs is None else secs)

    def v_asctime(t=None):
        return real['asctime'](v_localtime() if t is None else t)

    def v_strftime(fmt, t=None):
        return real['strftime'](fmt, v_localtime() if t is None else t)

    def v_sleep(seconds):
        if state['real']:
            return real['sleep'](seconds)
        if seconds < 0:
            raise ValueError('sleep length must be non-negative')
        if seconds > 0:
            wait(state['now'] + to_ns(seconds), False)

    # ---- blocking on stdin ----
    def fileno(obj):
        return obj if isinstance(obj, int) else obj.fileno()

    def stdin_ready():
        return bool(real['select']([0], [], [], 0)[0])

    def v_select(rlist, wlist, xlist, timeout=None):
        if state['real']:
            return real['select'](rlist, wlist, xlist, timeout)
        ready = real['select'](rlist, wlist, xlist, 0)
        if ready[0] or ready[1] or ready[2] or timeout == 0:
            return ready
        if timeout is not None and timeout < 0:
            raise ValueError('timeout must be non-negative')
        fds = [fileno(o) for o in rlist]
        if wlist or xlist or any(fd != 0 for fd in fds):
            note('select on a descriptor other than stdin waits in real time')
            return real['select'](rlist, wlist, xlist, timeout)
        deadline = -1 if timeout is None else state['now'] + to_ns(timeout)
        wait(deadline, bool(fds))
        return real['select'](rlist, wlist, xlist, 0)

    class VPoll:
        def __init__(self):
            self._fds = {}
            self._real = real['poll']()

        def register(self, fd, eventmask=select.POLLIN | select.POLLPRI | select.POLLOUT):
            self._fds[fileno(fd)] = eventmask
            self._real.register(fd, eventmask)

        def modify(self, fd, eventmask):
            self._fds[fileno(fd)] = eventmask
            self._real.modify(fd, eventmask)

        def unregister(self, fd):
            del self._fds[fileno(fd)]
            self._real.unregister(fd)

        def poll(self, timeout=None):
            if state['real']:
                return self._real.poll(timeout)
            ready = self._real.poll(0)
            if ready or timeout == 0:
                return ready
            if any(fd != 0 or mask & select.POLLOUT for fd, mask in self._fds.items()):
                note('poll on a descriptor other than stdin waits in real time')
                return self._real.poll(timeout)
            wait_ms = None if timeout is None or timeout < 0 else timeout
            deadline = -1 if wait_ms is None else state['now'] + to_ns(wait_ms / 1000)
            wait(deadline, bool(self._fds))
            return self._real.poll(0)

    def v_read(fd, n):
        if fd == 0 and not state['real'] and not stdin_ready():
            wait(-1, True)
        return real['read'](fd, n)

    import io

    class VStdin(io.RawIOBase):
        def readable(self):
            return True

        def fileno(self):
            return 0

        def readinto(self, b):
            data = v_read(0, len(b))
            b[:len(data)] = data
            return len(data)

    # ---- what escapes virtual time ----
    def v_thread_start(self, *args, **kwargs):
        go_real('threading: a second thread cannot follow virtual time')
        return real['thread_start'](self, *args, **kwargs)

    def v_start_new_thread(*args, **kwargs):
        go_real('threading: a second thread cannot follow virtual time')
        return real['start_new_thread'](*args, **kwargs)

    def v_alarm(seconds):
        note('signal.alarm counts real seconds')
        return real['alarm'](seconds)

    def v_setitimer(which, seconds, interval=0.0):
        note('signal.setitimer counts real time')
        return real['setitimer'](which, seconds, interval)

    escaping_events = {
        'subprocess.Popen': 'a child process (subprocess) runs in real time',
        'os.system': 'a child process (os.system) runs in real time',
        'os.posix_spawn': 'a child process (os.posix_spawn) runs in real time',
        'os.fork': 'os.fork: the child runs in real time',
        'socket.connect': 'a socket waits in real time',
        'socket.bind': 'a socket waits in real time',
    }

    def audit(event, args):
        what = escaping_events.get(event)
        if what is not None and not state['real']:
            note(what)

    time.time, time.time_ns = v_time, v_time_ns
    time.monotonic, time.monotonic_ns = v_monotonic, v_monotonic_ns
    time.perf_counter, time.perf_counter_ns = v_monotonic, v_monotonic_ns
    time.localtime, time.gmtime, time.ctime = v_localtime, v_gmtime, v_ctime
    time.asctime, time.strftime, time.sleep = v_asctime, v_strftime, v_sleep
    # A staticmethod object is callable and does not bind when a class keeps it
    # (selectors.SelectSelector._select = select.select).
    select.select = staticmethod(v_select)
    if real['poll'] is not None:
        select.poll = VPoll
    _os.read = v_read
    # The simulator's pids, reproducible in logs: the helper is virtual_pid,
    # the speaker 999. os.kill maps the helper's own pid back to the real one
    # and refuses to signal the speaker.
    if virtual_pid:
        real_kill = _os.kill

        def v_kill(pid, sig):
            if pid == virtual_pid:
                pid = real['getpid']()
            elif pid == 999:
                note('os.kill of the speaker refused')
                raise PermissionError('bgpsim: a helper may not signal the simulator')
            return real_kill(pid, sig)

        _os.getpid = lambda: virtual_pid
        _os.getppid = lambda: 999
        _os.kill = v_kill
    signal.alarm, signal.setitimer = v_alarm, v_setitimer
    threading.Thread.start = v_thread_start
    _thread.start_new_thread = v_start_new_thread
    sys.addaudithook(audit)

    old = sys.stdin
    if old is not None and old.fileno() == 0:
        sys.stdin = io.TextIOWrapper(io.BufferedReader(VStdin()), encoding=old.encoding,
                                     errors=old.errors, line_buffering=False)

    # datetime.now()/today()/utcnow() read the C clock: follow ours.
    import datetime as _datetime

    class VDatetime(_datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return cls.fromtimestamp(v_time(), tz)

        @classmethod
        def today(cls):
            return cls.fromtimestamp(v_time())

        @classmethod
        def utcnow(cls):
            return cls.utcfromtimestamp(v_time())

    class VDate(_datetime.date):
        @classmethod
        def today(cls):
            return cls.fromtimestamp(v_time())

    _datetime.datetime, _datetime.date = VDatetime, VDate

    # Random numbers from the simulator's seed (os.urandom too: helpers are test code).
    import random
    random.seed(seed)
    bytes_rng = random.Random(seed ^ 0x5bd1e995)
    _os.urandom = lambda n: bytes_rng.randbytes(n)

    # The interpreter's start-up, in virtual time (ProcessTable::set_startup):
    # the program starts that long after its spawn, as on a real machine.
    if startup_ns > 0:
        wait(start_ns + startup_ns, False)


_install()
del _install
