#!/usr/bin/env python3
"""Interop: helper processes and the text API of `bgpsim live`, against BIRD 2.

Each case starts BIRD (test_bird.py's configuration, with an IGP table that
resolves every next hop) and `bgpsim live` with a configuration of our own,
then checks with birdc what reached BIRD:

  scripts  ExaBGP's own helper scripts, unchanged, from
           ../shared/exabgp-qa/etc/run (api-announce.run with the text
           encoder, api-attributes.run with JSON): their six routes reach
           BIRD with the scripts' attributes (MED 100; AS path 1 2 3 4 behind
           ours).
  ctl      `bgpsim ctl` announces and withdraws a route, which BIRD learns
           and forgets; a malformed command exits 1 with the reason and
           changes nothing; `show neighbor summary` says established; a ctl
           with no server exits 3.
  die      a helper that announces a route then dies (status 1) is respawned
           (its second life is logged) and the session and the route stay.
  flood    a helper prints FLOOD `announce route` lines as fast as it can and
           never reads its stdin: every route reaches BIRD, the session stays
           up, and a ctl command is answered meanwhile.

Every case also requires that the session never went down (the events bgpsim
prints on stdout). Exit codes as harness.py: 0 pass, 1 fail, 77 skip (a
failure in CI).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import Endpoints, Fail, Runner, Skip, log, skip_or_fail, wait_until  # noqa: E402
from test_bird import Bird  # noqa: E402

SPEAKER_AS = 65100
SHARED = Path(os.environ.get("BGPSIM_SHARED_DIR", Path(__file__).resolve().parents[3] / "shared"))
EXABGP_RUN = SHARED / "exabgp-qa" / "etc" / "run"
FLOOD = 200_000
CASES = ("scripts", "ctl", "die", "flood")


class BirdAnyNextHop(Bird):
    """test_bird.py's BIRD, its IGP table resolving every next hop (the
    scripts use 101.1.101.1 and 202.2.202.2)."""

    def config(self) -> str:
        return super().config().replace("route 192.0.2.0/24 blackhole;", "route 0.0.0.0/0 blackhole;")


def speaker_config(ep: Endpoints, processes: dict[str, tuple[str, str]]) -> str:
    """processes: name -> (run command, encoder)."""
    out = []
    for name, (run, encoder) in processes.items():
        out.append(f"process {name} {{\n    run {run};\n    encoder {encoder};\n}}\n")
    api = ""
    if processes:
        api = f"    api {{\n        processes [ {' '.join(processes)} ];\n        neighbor-changes;\n    }}\n"
    out.append(f"""neighbor {ep.daemon_addr} {{
    router-id {ep.speaker_addr};
    local-address {ep.speaker_addr};
    local-as {SPEAKER_AS};
    peer-as {Bird.asn};
    hold-time 30;
    connect {ep.daemon_port};
    family {{
        ipv4 unicast;
    }}
{api}}}
""")
    return "\n".join(out)


class Live:
    """bgpsim live with its control socket, events and log in the work directory."""

    def __init__(self, bgpsim: str, workdir: Path, runner: Runner) -> None:
        self.bgpsim = bgpsim
        self.workdir = workdir
        self.runner = runner
        self.socket = workdir / "ctl.sock"
        self.events = workdir / "events.jsonl"
        self.log_path = workdir / "live.log"
        self.config = workdir / "live.conf"
        self.proc = None

    def start(self, config: str) -> None:
        self.config.write_text(config)
        self.proc = self.runner.spawn("bgpsim-live", [self.bgpsim, "live", str(self.config), "--socket",
                                                      str(self.socket)], self.log_path,
                                      stdout_path=self.events, cwd=self.workdir)

    def ctl(self, *commands: str, timeout: float = 10.0) -> subprocess.CompletedProcess:
        return subprocess.run([self.bgpsim, "ctl", "--socket", str(self.socket), *commands],
                              capture_output=True, text=True, timeout=timeout)

    def states(self) -> list[str]:
        out = []
        try:
            for line in self.events.read_text().splitlines():
                try:
                    j = json.loads(line)
                except ValueError:
                    continue
                if j.get("type") == "state":
                    out.append(j["neighbor"]["state"])
        except OSError:
            pass
        return out

    def logged(self, text: str) -> int:
        try:
            return self.log_path.read_text().count(text)
        except OSError:
            return 0


def expect_routes(bird: Bird, want: set[str], timeout: float, alive) -> None:
    def pred():
        got = bird.received()
        return got if want <= got else None
    try:
        wait_until(pred, timeout, f"BIRD to hold {sorted(want)[:6]}", alive=alive)
    except Fail:
        got = bird.received()
        raise Fail(f"BIRD lacks {sorted(want - got)[:10]} (holds {len(got)} routes)")


def case_scripts(live: Live, bird: Bird, ep: Endpoints, timeout: float) -> None:
    for script in ("api-announce.run", "api-attributes.run", "exabgp_api.py"):
        if not (EXABGP_RUN / script).exists():
            raise Skip(f"{EXABGP_RUN / script} is absent (../shared/exabgp-qa)")
    live.start(speaker_config(ep, {
        "announce": (str(EXABGP_RUN / "api-announce.run"), "text"),
        "attributes": (str(EXABGP_RUN / "api-attributes.run"), "json"),
    }))
    alive = [("bgpsim-live", live.proc)] + bird.alive()
    wait_until(bird.established, timeout, "the session to BIRD", alive=alive)
    want = {"1.1.0.0/24", "1.2.0.0/25", "1.0.0.1/32", "1.0.0.2/32", "2.0.0.1/32", "2.0.0.2/32"}
    expect_routes(bird, want, timeout, alive)
    attrs = bird.received_attrs()
    for p in ("1.1.0.0/24", "1.2.0.0/25"):
        if attrs[p].next_hop != "101.1.101.1" or attrs[p].as_path != (SPEAKER_AS,):
            raise Fail(f"{p}: {attrs[p]}, expected next hop 101.1.101.1, AS path {SPEAKER_AS}")
    for p in ("1.0.0.1/32", "1.0.0.2/32"):
        if attrs[p].med != 100 or attrs[p].next_hop != "101.1.101.1":
            raise Fail(f"{p}: {attrs[p]}, expected MED 100 and next hop 101.1.101.1")
    for p in ("2.0.0.1/32", "2.0.0.2/32"):
        if attrs[p].as_path != (SPEAKER_AS, 1, 2, 3, 4) or attrs[p].next_hop != "202.2.202.2":
            raise Fail(f"{p}: {attrs[p]}, expected AS path {SPEAKER_AS} 1 2 3 4 and next hop 202.2.202.2")
    log("the scripts' six routes are in BIRD with their attributes")


def case_ctl(live: Live, bird: Bird, ep: Endpoints, timeout: float) -> None:
    live.start(speaker_config(ep, {}))
    alive = [("bgpsim-live", live.proc)] + bird.alive()
    wait_until(lambda: live.socket.exists(), timeout, "the control socket", alive=alive)
    wait_until(bird.established, timeout, "the session to BIRD", alive=alive)
    r = live.ctl("announce route 10.77.0.0/24 next-hop 192.0.2.1 med 7",
                 "announce route 10.77.1.0/24 next-hop 192.0.2.1")
    if r.returncode != 0 or r.stdout.split() != ["done", "done"]:
        raise Fail(f"ctl announce: exit {r.returncode}, {r.stdout!r} {r.stderr!r}")
    expect_routes(bird, {"10.77.0.0/24", "10.77.1.0/24"}, timeout, alive)
    if bird.received_attrs()["10.77.0.0/24"].med != 7:
        raise Fail(f"10.77.0.0/24 reached BIRD as {bird.received_attrs()['10.77.0.0/24']}")
    r = live.ctl("withdraw route 10.77.1.0/24")
    if r.returncode != 0:
        raise Fail(f"ctl withdraw: exit {r.returncode}, {r.stdout!r} {r.stderr!r}")
    wait_until(lambda: bird.received() == {"10.77.0.0/24"}, timeout, "BIRD to forget 10.77.1.0/24",
               alive=alive)
    # A malformed command: exit 1, the reason, nothing changes.
    r = live.ctl("announce route 10.77.2.0/24 next-hop banana")
    if r.returncode != 1 or not r.stderr.startswith("error: ") or "banana" not in r.stderr:
        raise Fail(f"malformed command: exit {r.returncode}, {r.stdout!r} {r.stderr!r}")
    r = live.ctl("frobnicate")
    if r.returncode != 1 or "unknown command" not in r.stderr:
        raise Fail(f"unknown command: exit {r.returncode}, {r.stdout!r} {r.stderr!r}")
    r = live.ctl("show neighbor summary")
    if r.returncode != 0 or "established" not in r.stdout:
        raise Fail(f"show neighbor summary: exit {r.returncode}, {r.stdout!r} {r.stderr!r}")
    time.sleep(0.5)
    if bird.received() != {"10.77.0.0/24"}:
        raise Fail(f"BIRD holds {sorted(bird.received())} after the malformed commands")
    # Several clients at once, one of them leaving before its answer.
    clients = [subprocess.Popen([live.bgpsim, "ctl", "--socket", str(live.socket),
                                 f"announce route 10.78.{i}.0/24 next-hop 192.0.2.1"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(8)]
    quitter = subprocess.Popen([live.bgpsim, "ctl", "--socket", str(live.socket), "show adj-rib out extensive"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    quitter.kill()
    for c in clients:
        out, err = c.communicate(timeout=timeout)
        if c.returncode != 0 or out.strip() != "done":
            raise Fail(f"concurrent ctl: exit {c.returncode}, {out!r} {err!r}")
    quitter.wait()
    expect_routes(bird, {f"10.78.{i}.0/24" for i in range(8)}, timeout, alive)
    r = subprocess.run([live.bgpsim, "ctl", "--socket", str(live.workdir / "nobody.sock"), "ping"],
                       capture_output=True, text=True, timeout=timeout)
    if r.returncode != 3:
        raise Fail(f"ctl without a server: exit {r.returncode}, {r.stderr!r}")
    log("ctl: announce, withdraw, errors, show and concurrent clients as expected")


DYING_HELPER = """
import sys, time
sys.stdout.write('announce route 10.88.0.0/24 next-hop 192.0.2.1\\n')
sys.stdout.flush()
time.sleep(0.3)
sys.exit(1)
"""

FLOOD_HELPER = """
import sys, time
out = sys.stdout
n = int(sys.argv[1])
for i in range(n):
    out.write('announce route 20.%d.%d.%d/32 next-hop 192.0.2.1\\n' % (i >> 16, (i >> 8) & 255, i & 255))
out.flush()
time.sleep(3600)  # never reads its stdin: the answers pile up on our side
"""


def case_die(live: Live, bird: Bird, ep: Endpoints, timeout: float) -> None:
    helper = live.workdir / "dying.py"
    helper.write_text(DYING_HELPER)
    live.start(speaker_config(ep, {"dying": (f"{sys.executable} {helper}", "text")}))
    alive = [("bgpsim-live", live.proc)] + bird.alive()
    wait_until(bird.established, timeout, "the session to BIRD", alive=alive)
    expect_routes(bird, {"10.88.0.0/24"}, timeout, alive)
    wait_until(lambda: live.logged("process dying: started") >= 3, timeout,
               "the dying helper to be respawned twice", alive=alive)
    if live.logged("process dying: ended with status 1") < 2:
        raise Fail(f"the helper's ends are not logged:\n{harness.tail(live.log_path)}")
    if bird.received() != {"10.88.0.0/24"} or not bird.established():
        raise Fail(f"after the helper died: BIRD holds {bird.received()}, established {bird.established()}")
    log("the dying helper was respawned; the session and its route stayed")


def case_flood(live: Live, bird: Bird, ep: Endpoints, timeout: float, n: int) -> None:
    helper = live.workdir / "flood.py"
    helper.write_text(FLOOD_HELPER)
    live.start(speaker_config(ep, {"flood": (f"{sys.executable} {helper} {n}", "text")}))
    alive = [("bgpsim-live", live.proc)] + bird.alive()
    wait_until(bird.established, timeout, "the session to BIRD", alive=alive)
    t0 = time.monotonic()
    r = live.ctl("show neighbor summary")  # answered while the flood goes on
    if r.returncode != 0:
        raise Fail(f"ctl during the flood: exit {r.returncode}, {r.stderr!r}")
    wait_until(lambda: bird.received_count() >= n, timeout, f"BIRD to import {n} routes", alive=alive,
               interval=0.5)
    log(f"{n} routes in BIRD {time.monotonic() - t0:.1f} s after the session came up")
    if bird.received_count() != n:
        raise Fail(f"BIRD imported {bird.received_count()} routes, expected {n}")


def scenario(bgpsim: str, case: str, timeout: float, keep: bool, flood: int) -> None:
    Bird.check_available()
    runner = Runner()
    workdir = Path(tempfile.mkdtemp(prefix=f"bgpsim-api-{case}-"))
    ok = False
    try:
        ep = Endpoints.for_index(21 + CASES.index(case))
        bird = BirdAnyNextHop(workdir, runner, ep, None, [], SPEAKER_AS)
        bird.start()
        bird.wait_started()
        live = Live(bgpsim, workdir, runner)
        if case == "scripts":
            case_scripts(live, bird, ep, timeout)
        elif case == "ctl":
            case_ctl(live, bird, ep, timeout)
        elif case == "die":
            case_die(live, bird, ep, timeout)
        else:
            case_flood(live, bird, ep, timeout, flood)
        states = live.states()
        if states != ["up"]:
            raise Fail(f"the session's states were {states}, expected one 'up' and no 'down'")
        rc = runner.stop(live.proc, signal.SIGTERM, timeout=15)
        if rc != 0:
            raise Fail(f"bgpsim live exited {rc} on SIGTERM")
        ok = True
    finally:
        runner.cleanup()
        harness.finish_workdir(workdir, ok, keep, ("events.jsonl",))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--speaker", required=True, help="the bgpsim binary")
    ap.add_argument("--case", choices=CASES, required=True)
    ap.add_argument("--timeout", type=float, default=20.0, help="bound for each wait (seconds)")
    ap.add_argument("--flood", type=int, default=FLOOD, help="routes the flooding helper prints")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    a = ap.parse_args()
    test = f"interop_api_{a.case}"
    if not Path(a.speaker).exists():
        return skip_or_fail(test, f"{a.speaker} does not exist (build the bgpsim target)")
    return harness.run_test(test, lambda: scenario(os.path.abspath(a.speaker), a.case, a.timeout, a.keep,
                                                   a.flood))

if __name__ == "__main__":
    sys.exit(main())
