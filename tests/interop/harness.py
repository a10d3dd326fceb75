#!/usr/bin/env python3
"""Live interop harness: bgpsim (or a stand-in speaker) against real BGP daemons.

Python 3 standard library only. Every daemon runs in the foreground as a child
of this process, from a private temporary directory, on its own loopback
address and port, and is killed when the test ends (even on failure, and even
if this process is killed: children get PR_SET_PDEATHSIG).

Exit codes: 0 pass, 1 fail, 77 skip (wired to ctest's SKIP_RETURN_CODE).
A skip says why. In CI (CI=true, or BGPSIM_REQUIRE_ALL=1 as tools/test.sh
sets) a skip is a failure with the same reason: see skip_or_fail().

The speaker under test is pluggable (--speaker):
  --speaker PATH/TO/bgpsim   `bgpsim live CONFIG`, JSON events on stdout,
                             SIGHUP reloads the configuration, SIGTERM stops.
  --speaker exabgp           ExaBGP 4.2 in bgpsim's place (same configuration
                             syntax; JSON from an api process; SIGUSR1 reloads).
See docs/interop.md.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

SKIP = 77
HERE = Path(__file__).resolve().parent


class Skip(Exception):
    """The test cannot run here (daemon missing or cannot start): exit 77,
    or 1 in CI (skip_or_fail)."""


class Fail(Exception):
    """The test ran and a check failed: exit 1."""


def require_all() -> bool:
    """Every test must run: CI=true (set by most CI systems) or BGPSIM_REQUIRE_ALL=1."""
    return os.environ.get("CI") == "true" or os.environ.get("BGPSIM_REQUIRE_ALL") == "1"


def skip_or_fail(test: str, reason: str) -> int:
    """The exit status for a test that cannot run: SKIP (77) with the reason on a
    developer's machine; a failure (1) with the same reason in CI, where a skip
    would let the check pass unrun."""
    if require_all():
        print(f"FAIL {test}: required in CI (CI=true or BGPSIM_REQUIRE_ALL=1) but cannot run: {reason}",
              flush=True)
        return 1
    print(f"SKIP {test}: {reason} (fails when CI=true or BGPSIM_REQUIRE_ALL=1)", flush=True)
    return SKIP


def run_test(test: str, scenario) -> int:
    """Runs scenario() as test `test`: PASS (0), FAIL with the reason (1), or
    skip_or_fail for a Skip. ctest's SIGTERM runs the finally blocks."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    t0 = time.monotonic()
    try:
        scenario()
    except Skip as e:
        return skip_or_fail(test, str(e))
    except Fail as e:
        print(f"FAIL {test}: {e}", flush=True)
        return 1
    print(f"PASS {test} ({time.monotonic() - t0:.1f}s)", flush=True)
    return 0


def finish_workdir(workdir: Path, ok: bool, keep: bool, extra: tuple = ()) -> None:
    """After a test: when it failed, the tail of every log in `workdir` (and
    of the `extra` files); the folder is removed unless it failed or `keep`."""
    if not ok:
        for p in sorted(workdir.rglob("*.log")) + [workdir / name for name in extra]:
            log(f"--- {p}:\n{tail(p)}")
    if ok and not keep:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        log(f"work directory kept: {workdir}")


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# ---------------------------------------------------------------------------
# Processes

_libc = None


def _pdeathsig() -> None:
    """preexec_fn: the child gets SIGTERM when the harness dies (even by SIGKILL)."""
    global _libc
    try:
        if _libc is None:
            _libc = ctypes.CDLL(None, use_errno=True)
        _libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


class Runner:
    """Owns every child process; cleanup() stops them all (SIGTERM, then SIGKILL)."""

    def __init__(self) -> None:
        self.procs: list[tuple[str, subprocess.Popen]] = []

    def spawn(self, name: str, argv: list[str], log_path: Path, env: dict | None = None,
              stdout_path: Path | None = None, cwd: Path | None = None) -> subprocess.Popen:
        log(f"start {name}: {' '.join(argv)}")
        err = open(log_path, "ab")
        out = open(stdout_path, "ab") if stdout_path else err
        full_env = dict(os.environ)
        if env:
            full_env.update(env)
        try:
            p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                 env=full_env, cwd=cwd, preexec_fn=_pdeathsig,
                                 start_new_session=True)
        finally:
            err.close()
            if stdout_path:
                out.close()
        self.procs.append((name, p))
        return p

    def stop(self, p: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 10.0) -> int | None:
        if p.poll() is None:
            try:
                p.send_signal(sig)
            except ProcessLookupError:
                pass
            try:
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                log(f"pid {p.pid} ignored signal {sig} for {timeout}s: SIGKILL")
                _killpg(p)
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    pass
        # Whatever the process left in its group (forked children) goes too.
        _killpg(p)
        return p.returncode

    def cleanup(self) -> None:
        for name, p in reversed(self.procs):
            if p.poll() is None:
                log(f"cleanup: stopping {name} (pid {p.pid})")
            self.stop(p, timeout=5)
        self.procs.clear()


def _killpg(p: subprocess.Popen) -> None:
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def run(argv: list[str], timeout: float = 10.0, check: bool = False) -> subprocess.CompletedProcess:
    r = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise Fail(f"{' '.join(argv)} exited {r.returncode}: {r.stderr.strip() or r.stdout.strip()}")
    return r


def wait_until(pred, timeout: float, what: str, interval: float = 0.25, alive=()) -> object:
    """Polls pred() until it returns something truthy; Fail after timeout.
    `alive` lists (name, Popen) that must keep running meanwhile."""
    deadline = time.monotonic() + timeout
    last_exc = None
    while True:
        for name, p in alive:
            if p.poll() is not None:
                raise Fail(f"{name} exited with {p.returncode} while waiting for {what}")
        try:
            v = pred()
            if v:
                return v
        except (subprocess.TimeoutExpired, OSError, ValueError, KeyError) as e:
            last_exc = e
        if time.monotonic() > deadline:
            extra = f" (last error: {last_exc})" if last_exc else ""
            raise Fail(f"timed out after {timeout:.0f}s waiting for {what}{extra}")
        time.sleep(interval)


def tcp_md5_failures() -> int:
    """The kernel's count of segments dropped for a bad or missing MD5 signature."""
    try:
        lines = Path("/proc/net/netstat").read_text().splitlines()
    except OSError:
        return -1
    total = 0
    for keys, values in zip(lines[0::2], lines[1::2]):
        for k, v in zip(keys.split(), values.split()):
            if k in ("TCPMD5Failure", "TCPMD5NotFound", "TCPMD5Unexpected"):
                total += int(v)
    return total


def tail(path: Path, n: int = 30) -> str:
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return "(no log)"
    return "\n".join(lines[-n:])


# ---------------------------------------------------------------------------
# Addresses and routes

@dataclass
class Endpoints:
    """One test's loopback addresses: the daemon listens on daemon_addr:daemon_port,
    the speaker binds speaker_addr and dials it. Distinct 127.0.N.0/24 per daemon
    so tests can run side by side; ports >= 20000 (override with BGPSIM_INTEROP_PORT_BASE)."""
    index: int
    daemon_addr: str
    speaker_addr: str
    daemon_port: int
    aux_port: int  # a second port for the daemon's control API when it needs TCP (GoBGP)

    @staticmethod
    def for_index(index: int) -> "Endpoints":
        base = int(os.environ.get("BGPSIM_INTEROP_PORT_BASE", "20000"))
        e = Endpoints(index, f"127.0.{index}.1", f"127.0.{index}.2", base + index * 10, base + index * 10 + 1)
        for port in (e.daemon_port, e.aux_port):
            if not port_free(e.daemon_addr, port):
                raise Fail(f"{e.daemon_addr}:{port} is in use (another run? set BGPSIM_INTEROP_PORT_BASE)")
        return e


def port_free(addr: str, port: int) -> bool:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((addr, port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def prefixes(n: int, first_octet: int = 10) -> list[str]:
    """n distinct /24 prefixes in first_octet/8: 10.0.0.0/24, 10.0.1.0/24, ... (n <= 65536)."""
    if n > 65536:
        raise ValueError("at most 65536 /24s in a /8")
    return [f"{first_octet}.{i // 256}.{i % 256}.0/24" for i in range(n)]


def many_prefixes(n: int) -> list[str]:
    """Up to ~2M distinct /24s starting at 11.0.0.0/24 (benchmarks), never 127/8."""
    out = []
    first = 11
    i = 0
    while len(out) < n:
        a, rest = divmod(i, 65536)
        octet = first + a
        if octet in (127,):
            i += 65536
            continue
        out.append(f"{octet}.{rest // 256}.{rest % 256}.0/24")
        i += 1
    return out


# Next hops the speaker puts on its routes. Not 127/8 (GoBGP and FRR refuse
# those); TEST-NET-1 is never a real destination.
SPEAKER_NEXT_HOP = "192.0.2.1"
# Routes the daemon announces towards the speaker: 198.18.N.0/24 (benchmark range).
def daemon_routes(n: int = 10) -> list[str]:
    return [f"198.18.{i}.0/24" for i in range(n)]


@dataclass(frozen=True)
class Attrs:
    """A route's attributes as a daemon or the speaker shows them, normalised:
    as_path is the flat AS list (an AS_SET as a tuple inside it), origin
    'igp' / 'egp' / 'incomplete', med and local_pref None when absent,
    communities sorted 'A:B' strings."""
    next_hop: str
    as_path: tuple
    origin: str
    med: int | None
    local_pref: int | None
    communities: tuple[str, ...]

    def __str__(self) -> str:
        lp = "" if self.local_pref is None else f" local-pref {self.local_pref}"
        med = "" if self.med is None else f" med {self.med}"
        return (f"next-hop {self.next_hop} as-path {list(self.as_path)} origin {self.origin}{med}{lp} "
                f"communities {list(self.communities)}")


def communities(values) -> tuple[str, ...]:
    """[[65010, 1], ...] or ['65010:1', ...] or [(65010, 1), ...] -> sorted ('65010:1', ...)."""
    out = []
    for v in values or ():
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, int):
            out.append(f"{v >> 16}:{v & 0xFFFF}")
        else:
            out.append(f"{v[0]}:{v[1]}")
    return tuple(sorted(out, key=lambda c: tuple(int(x) for x in c.split(":"))))


# What the speaker puts on its routes (beyond the next hop): a non-default
# ORIGIN, an AS_PATH to be prepended on eBGP, a MED and two communities; on
# iBGP also a LOCAL_PREF (RFC 4271 5.1.5: never sent to external peers).
SPEAKER_AS_PATH = (65100,)
SPEAKER_ORIGIN = "egp"
SPEAKER_MED = 50
SPEAKER_LOCAL_PREF = 200
SPEAKER_COMMUNITIES = ("65010:1", "65010:2")


def speaker_route_words(ibgp: bool, as_path: tuple = SPEAKER_AS_PATH) -> str:
    """The attributes of every speaker route, in the configuration's syntax.
    bgpsim prepends its AS on eBGP (RFC 4271 5.1.2); ExaBGP sends the AS_PATH
    as configured, so as a stand-in it is configured with its AS in front."""
    lp = f" local-preference {SPEAKER_LOCAL_PREF}" if ibgp else ""
    return (f"origin {SPEAKER_ORIGIN} as-path [ {' '.join(map(str, as_path))} ] med {SPEAKER_MED}{lp} "
            f"community [ {' '.join(SPEAKER_COMMUNITIES)} ]")


# What the daemons put on the routes they announce (each daemon's own
# configuration syntax sets them; see test_<daemon>.py): ORIGIN incomplete, a
# MED, one community, and one extra AS prepended (eBGP) or a LOCAL_PREF (iBGP).
DAEMON_ORIGIN = "incomplete"
DAEMON_MED = 30
DAEMON_LOCAL_PREF = 300
def daemon_community(asn: int) -> str:
    return f"{asn}:7"


# ---------------------------------------------------------------------------
# The speaker's JSON events (ExaBGP's JSON, one object per line)

class EventLog:
    """Tails a file of JSON lines in ExaBGP's format and rebuilds, per peer,
    the session state and the Adj-RIB-In (ipv4 unicast NLRI -> next hop).

    Relies on: {"type":"state","neighbor":{"address":{"peer":P},"state":"up"|"down"|...}}
    and {"type":"update","neighbor":{"address":{"peer":P},"message":{"update":{
    "announce":{"ipv4 unicast":{NH:[{"nlri":"X"}]}}, "withdraw":{"ipv4 unicast":[{"nlri":"X"}]}}}}}
    and {"type":"update",...,"message":{"eor":{"afi":"ipv4","safi":"unicast"}}}.
    Lines that are not JSON objects are ignored (logs)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0
        self.partial = b""
        self.state: dict[str, str] = {}
        self.ups: dict[str, int] = {}
        self.downs: dict[str, int] = {}
        self.rib: dict[str, dict[str, str]] = {}
        self.attrs: dict[str, dict[str, Attrs]] = {}  # peer -> prefix -> attributes
        self.notifications: dict[str, list] = {}  # peer -> [(code, subcode)] received
        self.eor: dict[str, set] = {}
        self.messages = 0
        self.bad_lines = 0

    def poll(self) -> None:
        try:
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                data = f.read()
        except FileNotFoundError:
            return
        if not data:
            return
        self.offset += len(data)
        data = self.partial + data
        lines = data.split(b"\n")
        self.partial = lines.pop()
        for raw in lines:
            raw = raw.strip()
            if not raw.startswith(b"{"):
                continue
            try:
                obj = json.loads(raw)
            except ValueError:
                self.bad_lines += 1
                continue
            self._event(obj)

    def _event(self, obj: dict) -> None:
        self.messages += 1
        kind = obj.get("type")
        nb = obj.get("neighbor") or {}
        peer = (nb.get("address") or {}).get("peer") or nb.get("ip")
        if peer is None:
            return
        if kind == "state":
            st = nb.get("state")
            self.state[peer] = st
            if st == "up":
                self.ups[peer] = self.ups.get(peer, 0) + 1
            elif st == "down":
                self.downs[peer] = self.downs.get(peer, 0) + 1
                self.rib[peer] = {}
                self.attrs[peer] = {}
            return
        if kind == "notification":
            # ExaBGP 4.2: "neighbor": {..., "notification": {"code": 6, "subcode": 2, "data": "0x"}}
            n = nb.get("notification") or (nb.get("message") or {}).get("notification") or {}
            if not isinstance(n, dict):
                return
            self.notifications.setdefault(peer, []).append((n.get("code"), n.get("subcode")))
            return
        if kind != "update":
            return
        msg = nb.get("message") or {}
        if "eor" in msg:
            e = msg["eor"]
            self.eor.setdefault(peer, set()).add(f"{e.get('afi')} {e.get('safi')}")
            return
        upd = msg.get("update") or {}
        rib = self.rib.setdefault(peer, {})
        attrs = self.attrs.setdefault(peer, {})
        for fam, per_nh in (upd.get("withdraw") or {}).items():
            if fam != "ipv4 unicast":
                continue
            for nlri in _nlris(per_nh):
                rib.pop(nlri, None)
                attrs.pop(nlri, None)
        a = upd.get("attribute") or {}
        for fam, per_nh in (upd.get("announce") or {}).items():
            if fam != "ipv4 unicast":
                continue
            for nh, items in per_nh.items():
                parsed = Attrs(nh, _as_path(a.get("as-path")), a.get("origin", "none"), a.get("med"),
                               a.get("local-preference"), communities(a.get("community")))
                for nlri in _nlris(items):
                    rib[nlri] = nh
                    attrs[nlri] = parsed

    def adj_rib_in(self, peer: str) -> dict[str, str]:
        self.poll()
        return self.rib.get(peer, {})

    def adj_rib_in_attrs(self, peer: str) -> dict[str, Attrs]:
        self.poll()
        return self.attrs.get(peer, {})

    def is_up(self, peer: str) -> bool:
        self.poll()
        return self.state.get(peer) == "up"


def _as_path(v) -> tuple:
    """ExaBGP 4.2: [65001, 65002] (a set as a nested list); bgpsim / ExaBGP 5+:
    {"0": {"element": "as-sequence", "value": [...]}, ...}."""
    if v is None:
        return ()
    if isinstance(v, list):
        return tuple(tuple(x) if isinstance(x, list) else x for x in v)
    out = []
    for key in sorted(v, key=int):
        seg = v[key]
        if seg.get("element") == "as-set":
            out.append(tuple(seg.get("value", [])))
        else:
            out.extend(seg.get("value", []))
    return tuple(out)


def _nlris(items) -> list[str]:
    """ExaBGP 4.x: [{"nlri": "P"}, ...]; older 3.x: {"P": {...}}."""
    out = []
    if isinstance(items, list):
        for it in items:
            if isinstance(it, dict):
                n = it.get("nlri")
                if isinstance(n, str):
                    out.append(n)
                elif isinstance(n, dict) and "prefix" in n:
                    out.append(n["prefix"])
            elif isinstance(it, str):
                out.append(it)
    elif isinstance(items, dict):
        out.extend(items.keys())
    return out


# ---------------------------------------------------------------------------
# The speaker under test

@dataclass
class Neighbor:
    """One `neighbor` block in ExaBGP's configuration syntax."""
    peer: str
    local: str
    local_as: int
    peer_as: int
    connect_port: int
    routes: list[str] = field(default_factory=list)
    next_hop: str = SPEAKER_NEXT_HOP
    route_words: str = ""  # attributes after the next hop, e.g. speaker_route_words()
    md5: str | None = None
    hold_time: int = 30
    passive: bool = False
    listen_port: int | None = None


def render_exabgp_config(neighbors: list[Neighbor], api_process: str | None = None,
                         api_argv: list[str] | None = None) -> str:
    out = []
    if api_process:
        out.append(f"process {api_process} {{\n    run {' '.join(api_argv)};\n    encoder json;\n}}\n")
    for n in neighbors:
        out.append(f"neighbor {n.peer} {{")
        out.append(f"    router-id {n.local};")
        out.append(f"    local-address {n.local};")
        out.append(f"    local-as {n.local_as};")
        out.append(f"    peer-as {n.peer_as};")
        out.append(f"    hold-time {n.hold_time};")
        if n.passive:
            out.append("    passive;")
        if n.listen_port:
            out.append(f"    listen {n.listen_port};")
        if n.connect_port and not n.passive:
            out.append(f"    connect {n.connect_port};")
        if n.md5:
            out.append(f'    md5-password "{n.md5}";')
        out.append("    family {\n        ipv4 unicast;\n    }")
        if api_process:
            out.append(f"    api {{\n        processes [ {api_process} ];\n        neighbor-changes;\n"
                       "        receive {\n            parsed;\n            update;\n            notification;\n        }\n    }")
        out.append("    static {")
        words = f" {n.route_words}" if n.route_words else ""
        out.extend(f"        route {p} next-hop {n.next_hop}{words};" for p in n.routes)
        out.append("    }")
        out.append("}\n")
    return "\n".join(out)


class Speaker:
    """bgpsim live, or ExaBGP standing in for it. Events land in self.events."""

    def __init__(self, spec: str, workdir: Path, runner: Runner, name: str = "speaker") -> None:
        self.spec = spec
        self.kind = "exabgp" if spec == "exabgp" or Path(spec).name == "exabgp" else "bgpsim"
        self.dir = workdir / name
        self.dir.mkdir(parents=True, exist_ok=True)
        self.runner = runner
        self.name = name
        self.config = self.dir / "speaker.conf"
        self.events_path = self.dir / "events.jsonl"
        self.log_path = self.dir / "speaker.log"
        self.events = EventLog(self.events_path)
        self.proc: subprocess.Popen | None = None
        self.started_at = 0.0

    def check_available(self) -> None:
        if self.kind == "exabgp":
            exe = self.spec if os.path.sep in self.spec else shutil.which(self.spec)
            if not exe:
                raise Skip("speaker stand-in exabgp is not installed")
            self.exe = exe
        else:
            if not (os.path.isfile(self.spec) and os.access(self.spec, os.X_OK)):
                raise Fail(f"speaker {self.spec} is not an executable file")
            self.exe = self.spec

    def write_config(self, neighbors: list[Neighbor], events: bool = True) -> None:
        """events=False: ExaBGP runs without its api process (benchmarks)."""
        if self.kind == "exabgp" and events:
            text = render_exabgp_config(neighbors, "events",
                                        [sys.executable, str(HERE / "harness.py"), "--tee", str(self.events_path)])
        else:
            text = render_exabgp_config(neighbors)
        tmp = self.config.with_suffix(".tmp")
        tmp.write_text(text)
        os.replace(tmp, self.config)

    def argv_env(self) -> tuple[list[str], dict]:
        if self.kind == "exabgp":
            return [self.exe, str(self.config)], exabgp_env(bind="", port=179)
        return [self.exe, "live", str(self.config)], {}

    def start(self) -> None:
        argv, env = self.argv_env()
        self.started_at = time.monotonic()
        self.proc = self.runner.spawn(self.name, argv, self.log_path, env=env,
                                      stdout_path=self.events_path if self.kind == "bgpsim" else None,
                                      cwd=self.dir)

    def reload(self) -> None:
        """bgpsim: SIGHUP. ExaBGP 4.2: SIGUSR1 (its SIGHUP means shut down)."""
        sig = signal.SIGUSR1 if self.kind == "exabgp" else signal.SIGHUP
        log(f"reload {self.name} ({signal.Signals(sig).name})")
        self.proc.send_signal(sig)

    def stop(self) -> int | None:
        if self.proc is None:
            return None
        rc = self.runner.stop(self.proc, signal.SIGTERM, timeout=15)
        log(f"{self.name} exited {rc}")
        return rc

    def alive(self) -> list:
        return [(self.name, self.proc)] if self.proc else []


def exabgp_env(bind: str, port: int) -> dict:
    """ExaBGP 4.2 run as root, in the foreground, no CLI pipes, JSON to api processes."""
    return {
        "exabgp.daemon.user": "root",
        "exabgp.daemon.drop": "false",
        "exabgp.daemon.daemonize": "false",
        "exabgp.api.cli": "false",
        "exabgp.api.encoder": "json",
        "exabgp.api.ack": "false",
        "exabgp.log.destination": "stdout",
        "exabgp.log.level": "INFO",
        "exabgp.tcp.bind": bind,
        "exabgp.tcp.port": str(port),
        # ExaBGP reads these forms too:
        "exabgp_tcp_bind": bind,
        "exabgp_tcp_port": str(port),
    }


def tee_main(path: str) -> int:
    """`harness.py --tee FILE`: an ExaBGP api process copying its stdin (JSON) to FILE."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with open(path, "a", buffering=1) as f:
        for line in sys.stdin:
            f.write(line)
            f.flush()
    return 0


# ---------------------------------------------------------------------------
# Daemons

class Daemon:
    """Base class. Subclasses: start() the daemon passive on ep.daemon_addr:ep.daemon_port,
    announcing `announce` prefixes; established(); received() -> set of prefixes
    learnt from the speaker; stop()."""

    name = "daemon"
    index = 0
    binaries: tuple[str, ...] = ()
    ibgp = False          # iBGP (speaker AS == daemon AS) or eBGP
    md5_default = False   # run the scenario with TCP MD5 by default
    checks_cease = False  # last_notification() must name Cease/Administrative Shutdown after bgpsim's SIGTERM
    cease_admin_shutdown = "administrative shutdown"  # how last_notification() names it (lower case)
    md5_negative = False  # with MD5 on, first check a wrong password never reaches Established
    asn = 65000

    def __init__(self, workdir: Path, runner: Runner, ep: Endpoints, md5: str | None,
                 announce: list[str], speaker_as: int) -> None:
        self.dir = workdir / self.name
        self.dir.mkdir(parents=True, exist_ok=True)
        self.runner = runner
        self.ep = ep
        self.md5 = md5
        self.announce = announce
        self.speaker_as = speaker_as
        self.log_path = self.dir / f"{self.name}.log"
        self.proc: subprocess.Popen | None = None

    @classmethod
    def check_available(cls) -> None:
        for b in cls.binaries:
            if not (shutil.which(b) or (os.path.sep in b and os.access(b, os.X_OK))):
                raise Skip(f"{b} not installed (apt-get install {cls.package})")

    package = ""

    def alive(self) -> list:
        return [(self.name, self.proc)] if self.proc else []

    def start(self) -> None:
        raise NotImplementedError

    def ready(self) -> bool:
        """The daemon answers its control interface."""
        raise NotImplementedError

    def established(self) -> bool:
        raise NotImplementedError

    def received(self) -> set[str]:
        raise NotImplementedError

    def received_count(self) -> int:
        return len(self.received())

    # LOCAL_PREF the daemon shows on a route learnt over eBGP, which carries
    # none (RFC 4271 5.1.5): None when it shows none, else its default.
    ebgp_local_pref: int | None = None

    def received_attrs(self) -> dict[str, Attrs]:
        """The speaker's routes as the daemon shows them: prefix -> attributes."""
        raise NotImplementedError

    def announced_attrs(self) -> Attrs:
        """The attributes the speaker must see on every route this daemon
        announces (set in its configuration)."""
        raise NotImplementedError

    def last_notification(self) -> str | None:
        """What the daemon says ended the session (None: it cannot tell)."""
        return None

    def stop(self) -> None:
        if self.proc:
            rc = self.runner.stop(self.proc, signal.SIGTERM, timeout=10)
            log(f"{self.name} exited {rc}")

    def validate(self, argv: list[str]) -> None:
        """Runs the daemon's own configuration check: a bad configuration is the
        harness's bug (Fail), not an environment problem (Skip)."""
        r = run(argv, timeout=30)
        if r.returncode != 0:
            raise Fail(f"{self.name} rejects the generated configuration ({' '.join(argv)}):\n"
                       f"{r.stdout.strip()}\n{r.stderr.strip()}")

    def wait_started(self, timeout: float = 20.0) -> None:
        try:
            wait_until(self.ready, timeout, f"{self.name} to answer its control interface", alive=self.alive())
        except Fail as e:
            # Could not start here: that is a skip with the reason, not a pass.
            raise Skip(f"{self.name} could not start: {e}\n--- {self.log_path}:\n{tail(self.log_path)}")


# ---------------------------------------------------------------------------
# The scenario every daemon test runs

@dataclass
class Options:
    speaker: str
    routes: int = 1000
    withdraw: int = 500
    daemon_routes: int = 10
    md5: bool | None = None
    timeout: float = 60.0
    keep: bool = False
    workdir: str | None = None


def parse_args(argv: list[str] | None = None) -> Options:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--speaker", default=os.environ.get("BGPSIM_SPEAKER", "bgpsim"),
                    help="path to bgpsim, or 'exabgp' for the stand-in (default: $BGPSIM_SPEAKER or bgpsim on PATH)")
    ap.add_argument("--routes", type=int, default=1000)
    ap.add_argument("--withdraw", type=int, default=500)
    ap.add_argument("--daemon-routes", type=int, default=10)
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--md5", dest="md5", action="store_true", default=None, help="use TCP MD5")
    g.add_argument("--no-md5", dest="md5", action="store_false", help="no TCP MD5")
    ap.add_argument("--timeout", type=float, default=60.0, help="bound for each wait (seconds)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--workdir", help="work directory (default: a new temporary one)")
    a = ap.parse_args(argv)
    spk = a.speaker
    if spk not in ("exabgp",) and os.path.sep not in spk:
        spk = shutil.which(spk) or spk
    return Options(a.speaker if a.speaker == "exabgp" else spk, a.routes, a.withdraw, a.daemon_routes,
                   a.md5, a.timeout, a.keep, a.workdir)


def check_attrs(where: str, got: dict[str, Attrs], prefixes_: set[str], want: Attrs) -> None:
    """Every prefix in `prefixes_` is in `got` with exactly the attributes `want`."""
    missing = sorted(prefixes_ - set(got))
    if missing:
        raise Fail(f"{where}: no attributes shown for {len(missing)} routes, e.g. {missing[:3]}")
    wrong = sorted(p for p in prefixes_ if got[p] != want)
    if wrong:
        raise Fail(f"{where}: {len(wrong)} of {len(prefixes_)} routes have other attributes than expected, "
                   f"e.g. {wrong[0]}:\n  got  {got[wrong[0]]}\n  want {want}")


def scenario(daemon_cls: type[Daemon], opt: Options) -> None:
    """Established; N routes from the speaker all in the daemon's table; a
    reload with `withdraw` fewer makes exactly those leave; the daemon's routes
    reach the speaker's Adj-RIB-In; SIGTERM on the speaker clears the daemon."""
    daemon_cls.check_available()
    if os.geteuid() != 0 and getattr(daemon_cls, "needs_root", False):
        raise Skip(f"{daemon_cls.name} needs root")
    runner = Runner()
    workdir = Path(opt.workdir) if opt.workdir else Path(tempfile.mkdtemp(prefix=f"bgpsim-interop-{daemon_cls.name}-"))
    workdir.mkdir(parents=True, exist_ok=True)
    ok = False
    try:
        speaker = Speaker(opt.speaker, workdir, runner)
        speaker.check_available()
        ep = Endpoints.for_index(daemon_cls.index)
        md5 = f"bgpsim-{daemon_cls.name}-md5" if (daemon_cls.md5_default if opt.md5 is None else opt.md5) else None
        speaker_as = daemon_cls.asn if daemon_cls.ibgp else 65000
        theirs = daemon_routes(opt.daemon_routes)
        daemon = daemon_cls(workdir, runner, ep, md5, theirs, speaker_as)
        log(f"{daemon.name}: daemon {ep.daemon_addr}:{ep.daemon_port} AS{daemon.asn}, speaker {ep.speaker_addr} "
            f"AS{speaker_as} ({'iBGP' if daemon.ibgp else 'eBGP'}), md5={'on' if md5 else 'off'}, "
            f"speaker={speaker.kind}, workdir={workdir}")

        daemon.start()
        daemon.wait_started()

        ours = prefixes(opt.routes, 10)
        # bgpsim prepends its AS on eBGP; the ExaBGP stand-in is configured with it.
        sent_as_path = SPEAKER_AS_PATH if daemon.ibgp or speaker.kind == "bgpsim" else (speaker_as,) + SPEAKER_AS_PATH
        if md5 and daemon_cls.md5_negative:
            bad = Speaker(opt.speaker, workdir, runner, name="speaker-wrong-md5")
            bad.check_available()
            bad.write_config([Neighbor(peer=ep.daemon_addr, local=ep.speaker_addr, local_as=speaker_as,
                                       peer_as=daemon.asn, connect_port=ep.daemon_port, routes=ours[:10],
                                       md5=md5 + "-wrong")])
            drops = tcp_md5_failures()
            bad.start()
            time.sleep(8)
            if daemon.established() or bad.events.is_up(ep.daemon_addr):
                raise Fail("a speaker with the wrong MD5 password reached Established")
            bad.stop()
            dropped = tcp_md5_failures() - drops
            if drops >= 0 and dropped <= 0:
                raise Fail("the speaker with the wrong MD5 password never tried to connect "
                           "(kernel TCPMD5Failure counters unchanged)")
            log(f"PASS wrong MD5 password: no session in 8s, kernel dropped {dropped} segments for bad MD5")

        nb = Neighbor(peer=ep.daemon_addr, local=ep.speaker_addr, local_as=speaker_as, peer_as=daemon.asn,
                      connect_port=ep.daemon_port, routes=ours, md5=md5,
                      route_words=speaker_route_words(daemon.ibgp, sent_as_path))
        speaker.write_config([nb])
        speaker.start()
        alive = speaker.alive() + daemon.alive()
        t0 = time.monotonic()

        wait_until(daemon.established, opt.timeout, f"{daemon.name} to report the session Established", alive=alive)
        wait_until(lambda: speaker.events.is_up(ep.daemon_addr), opt.timeout,
                   "the speaker's JSON state 'up'", alive=alive)
        log(f"PASS established ({time.monotonic() - t0:.1f}s)")

        def daemon_has(expected: set[str]):
            def pred():
                got = daemon.received()
                return got == expected
            return pred

        want = set(ours)
        try:
            wait_until(daemon_has(want), opt.timeout, f"{daemon.name} to hold the {len(want)} announced routes",
                       interval=0.5, alive=alive)
        except Fail:
            got = daemon.received()
            raise Fail(f"{daemon.name} holds {len(got)} of {len(want)} routes; missing e.g. "
                       f"{sorted(want - got)[:5]}, unexpected {sorted(got - want)[:5]}")
        log(f"PASS {len(want)} routes in {daemon.name}'s table ({time.monotonic() - t0:.1f}s)")

        # The attributes of the speaker's routes as the daemon shows them.
        want_attrs = Attrs(SPEAKER_NEXT_HOP, SPEAKER_AS_PATH if daemon.ibgp else (speaker_as,) + SPEAKER_AS_PATH,
                           SPEAKER_ORIGIN, SPEAKER_MED, SPEAKER_LOCAL_PREF if daemon.ibgp else daemon.ebgp_local_pref,
                           SPEAKER_COMMUNITIES)
        check_attrs(f"{daemon.name}'s table", daemon.received_attrs(), set(ours), want_attrs)
        log(f"PASS attributes of the {len(ours)} routes in {daemon.name}'s table: {want_attrs}")

        theirs_set = set(theirs)
        try:
            wait_until(lambda: set(speaker.events.adj_rib_in(ep.daemon_addr)) == theirs_set, opt.timeout,
                       f"the daemon's {len(theirs)} routes in the speaker's Adj-RIB-In", alive=alive)
        except Fail:
            got = set(speaker.events.adj_rib_in(ep.daemon_addr))
            raise Fail(f"speaker's Adj-RIB-In from {ep.daemon_addr} has {len(got)} routes, want "
                       f"{len(theirs_set)}: missing {sorted(theirs_set - got)[:5]}, "
                       f"unexpected {sorted(got - theirs_set)[:5]}")
        log(f"PASS {len(theirs)} routes from {daemon.name} in the speaker's Adj-RIB-In "
            f"(End-of-RIB seen: {sorted(speaker.events.eor.get(ep.daemon_addr, set())) or 'no'})")
        want_theirs = daemon.announced_attrs()
        check_attrs("the speaker's Adj-RIB-In", speaker.events.adj_rib_in_attrs(ep.daemon_addr), theirs_set,
                    want_theirs)
        log(f"PASS attributes of the {len(theirs)} routes from {daemon.name}: {want_theirs}")

        ups_before = speaker.events.ups.get(ep.daemon_addr, 0)
        kept = ours[: opt.routes - opt.withdraw]
        nb.routes = kept
        speaker.write_config([nb])
        speaker.reload()
        t1 = time.monotonic()
        want = set(kept)
        try:
            wait_until(daemon_has(want), opt.timeout, f"{opt.withdraw} withdrawn routes to leave {daemon.name}",
                       interval=0.5, alive=alive)
        except Fail:
            got = daemon.received()
            raise Fail(f"after reload {daemon.name} holds {len(got)} routes, want {len(want)}; "
                       f"still there e.g. {sorted(got - want)[:5]}, missing {sorted(want - got)[:5]}")
        if not daemon.established():
            raise Fail("the session is no longer Established after the reload")
        speaker.events.poll()
        if speaker.events.ups.get(ep.daemon_addr, 0) != ups_before or speaker.events.downs.get(ep.daemon_addr):
            raise Fail("the session flapped during the reload (withdrawals must not reset it)")
        log(f"PASS {opt.withdraw} routes withdrawn, {len(want)} remain, session kept ({time.monotonic() - t1:.1f}s)")

        rc = speaker.stop()
        if speaker.kind == "bgpsim" and rc not in (0, None):
            raise Fail(f"bgpsim live exited {rc} on SIGTERM\n{tail(speaker.log_path)}")
        wait_until(lambda: not daemon.established() and daemon.received_count() == 0, opt.timeout,
                   f"{daemon.name} to drop the session and its routes after the speaker stopped",
                   alive=daemon.alive())
        log(f"PASS speaker stopped: {daemon.name} dropped the session and its routes")
        if daemon.checks_cease and speaker.kind == "bgpsim":
            # Cease (6) / Administrative Shutdown (2), RFC 4486, as the daemon records it.
            why = wait_until(daemon.last_notification, 10, f"{daemon.name} to record why the session ended",
                             alive=daemon.alive())
            log(f"{daemon.name} reports the session ended with: {why!r}")
            if daemon.cease_admin_shutdown not in why.lower():
                raise Fail(f"on SIGTERM bgpsim must send Cease/Administrative Shutdown; {daemon.name} says {why!r}")
            log(f"PASS {daemon.name} received Cease/Administrative Shutdown")
        else:
            log(f"{daemon.name} reports the session ended with: {daemon.last_notification()!r}")
        daemon.stop()
        ok = True
    except (Fail, Skip):
        raise
    except Exception as e:
        raise Fail(f"{type(e).__name__}: {e}\n{traceback.format_exc()}")
    finally:
        runner.cleanup()
        if not ok:
            for p in sorted(workdir.rglob("*.log")):
                print(f"--- {p} (tail)\n{tail(p, 25)}", flush=True)
            ev = workdir / "speaker" / "events.jsonl"
            if ev.exists():
                print(f"--- {ev} (tail)\n{tail(ev, 5)[:3000]}", flush=True)
        if ok and not opt.keep and not opt.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            log(f"work directory kept: {workdir}")


def main(daemon_cls: type[Daemon], argv: list[str] | None = None) -> int:
    opt = parse_args(argv)
    # ctest's timeout and ^C: run the finally blocks (children also have PDEATHSIG).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    t0 = time.monotonic()
    try:
        scenario(daemon_cls, opt)
    except Skip as e:
        return skip_or_fail(f"interop_{daemon_cls.name}", str(e))
    except Fail as e:
        print(f"FAIL interop_{daemon_cls.name}: {e}", flush=True)
        return 1
    except KeyboardInterrupt:
        print(f"FAIL interop_{daemon_cls.name}: interrupted", flush=True)
        return 1
    print(f"PASS interop_{daemon_cls.name} ({time.monotonic() - t0:.1f}s)", flush=True)
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--tee":
        sys.exit(tee_main(sys.argv[2]))
    print("harness.py is a library; run tests/interop/test_<daemon>.py", file=sys.stderr)
    sys.exit(2)
