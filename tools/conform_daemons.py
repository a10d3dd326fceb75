#!/usr/bin/env python3
"""Runs `bgpsim conform` against live BGP daemons (BIRD, GoBGP, FRR, OpenBGPD, ExaBGP).

Each daemon is started in a scratch directory with a configuration that
peers, passively, with the suite: the daemon is AS 65000 on 127.0.1.N port
1790N, the suite AS 65001 connects from 127.0.2.N and sends routes with next hop
198.51.100.N (FRR refuses 127.0.0.0/8 next hops with NOTIFICATION 3/8). Each daemon announces
192.0.2.0/24 (the route-refresh cases need a route to see again) and offers
what it implements among graceful restart, extended messages, add-path
receive, enhanced route refresh and the BGP role `provider` (so the suite's
`customer` pairs). Runs the daemons side by side; writes one JSON report per
daemon and prints a Markdown table (docs/conformance.md). A daemon that dies
during the run (GoBGP 3.10 panics on some malformed messages) is started again
at once, so the suite's next case finds it listening; so is one that stops
answering (a case failed because no OPEN came: ExaBGP 4.2 wedges after a
collision). The restarts are counted in the table and listed in
DAEMON-restarts.log. OpenBGPD holds a
neighbor down for ever longer after each NOTIFICATION (its IdleHoldTimer
doubles, to tens of minutes within the suite); the runner lifts it every
second with `bgpctl neighbor ADDRESS up` (which resets the timer), so each
case finds it listening. That masks only the case on listening at once
after a TCP failure (4271-8.2.2-opensent-tcp-fails-active) for OpenBGPD.

    tools/conform_daemons.py --bgpsim build/release/tools/bgpsim [--quick] [--only bird,frr]
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def bird(d: Path, n: int) -> list[str]:
    (d / "bird.conf").write_text(f"""
log "{d / 'bird.log'}" all;
router id 127.0.1.{n};
protocol device {{ }}
protocol static announced {{ ipv4; route 192.0.2.0/24 blackhole; }}
protocol bgp suite {{
  local 127.0.1.{n} port {17900 + n} as 65000;
  neighbor 127.0.2.{n} as 65001;
  passive on;
  multihop 2;
  hold time 90;
  error wait time 1, 2;
  error forget time 1;
  graceful restart on;
  long lived graceful restart on;
  enable extended messages on;
  local role provider;
  ipv4 {{ import all; export where proto = "announced"; add paths rx; }};
  ipv6 {{ import all; export none; }};
}}
""")
    return ["bird", "-f", "-c", str(d / "bird.conf"), "-s", str(d / "bird.ctl")]


def gobgp(d: Path, n: int) -> list[str]:
    (d / "gobgpd.toml").write_text(f"""[global.config]
  as = 65000
  router-id = "127.0.1.{n}"
  port = {17900 + n}
  local-address-list = ["127.0.1.{n}"]

[[neighbors]]
  [neighbors.config]
    neighbor-address = "127.0.2.{n}"
    peer-as = 65001
  [neighbors.transport.config]
    passive-mode = true
    local-address = "127.0.1.{n}"
  [neighbors.timers.config]
    hold-time = 90
    idle-hold-time-after-reset = 1
  [neighbors.graceful-restart.config]
    enabled = true
  [neighbors.add-paths.config]
    receive = true
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
    [neighbors.afi-safis.mp-graceful-restart.config]
      enabled = true
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv6-unicast"
""")
    return ["gobgpd", "-f", str(d / "gobgpd.toml"), "-t", "toml", "-l", "info",
            "--api-hosts", f"127.0.1.{n}:{18900 + n}", "--pprof-disable"]


def gobgp_ready(n: int) -> None:
    for _ in range(40):
        r = subprocess.run(["gobgp", "-u", f"127.0.1.{n}", "-p", str(18900 + n), "global", "rib", "add",
                            "-a", "ipv4", "192.0.2.0/24", "nexthop", f"127.0.1.{n}"],
                           capture_output=True, text=True)
        if r.returncode == 0:
            return
        time.sleep(0.5)


def frr(d: Path, n: int) -> list[str]:
    s = f"127.0.2.{n}"
    (d / "bgpd.conf").write_text(f"""frr defaults traditional
hostname conform-frr
log file {d / 'bgpd.log'} informational
router bgp 65000
 bgp router-id 127.0.1.{n}
 no bgp ebgp-requires-policy
 no bgp network import-check
 no bgp default ipv4-unicast
 bgp graceful-restart
 neighbor {s} remote-as 65001
 neighbor {s} passive
 neighbor {s} ebgp-multihop 2
 neighbor {s} update-source 127.0.1.{n}
 neighbor {s} timers 30 90
 neighbor {s} local-role provider
 address-family ipv4 unicast
  neighbor {s} activate
  network 192.0.2.0/24
 exit-address-family
 address-family ipv6 unicast
  neighbor {s} activate
 exit-address-family
!
""")
    common = ["-f", str(d / "bgpd.conf"), "-S", "-Z", "-n", "--vty_socket", str(d), "-P", "0",
              "-i", str(d / "bgpd.pid")]
    return ["/usr/lib/frr/bgpd", *common, "-p", str(17900 + n), "-l", f"127.0.1.{n}"]


def openbgpd(d: Path, n: int) -> list[str]:
    Path("/var/empty").mkdir(mode=0o755, exist_ok=True)
    conf = d / "bgpd.conf"
    conf.write_text(f"""AS 65000
router-id 127.0.1.{n}
listen on 127.0.1.{n} port {17900 + n}
fib-update no
socket "{d / 'bgpd.sock'}"
network 192.0.2.0/24
neighbor 127.0.2.{n} {{
  remote-as 65001
  local-address 127.0.1.{n}
  passive
  holdtime 90
  announce policy provider
  announce IPv4 unicast
  announce IPv6 unicast
  announce restart yes
  announce enhanced refresh yes
  announce add-path recv yes
}}
allow from any
allow to any
""")
    os.chmod(conf, 0o600)
    NUDGE["openbgpd"] = ["bgpctl", "-s", str(d / "bgpd.sock"), "neighbor", f"127.0.2.{n}", "up"]
    return ["/usr/sbin/bgpd", "-d", "-v", "-f", str(conf)]


# A command run every second while a daemon's suite runs (see the docstring).
NUDGE: dict[str, list[str]] = {}


def exabgp(d: Path, n: int) -> list[str]:
    # ExaBGP 4 listens only when told where (exabgp.tcp.bind / exabgp.tcp.port,
    # set by environment in ENVIRONMENT below); it has no BGP Role.
    (d / "exabgp.conf").write_text(f"""neighbor 127.0.2.{n} {{
  router-id 127.0.1.{n};
  local-address 127.0.1.{n};
  local-as 65000;
  peer-as 65001;
  hold-time 90;
  passive;
  capability {{ graceful-restart 120; route-refresh; add-path receive; }}
  family {{ ipv4 unicast; ipv6 unicast; }}
  static {{ route 192.0.2.0/24 next-hop 127.0.1.{n}; }}
}}
""")
    return ["exabgp", str(d / "exabgp.conf")]


DAEMONS = {"bird": (1, bird), "gobgp": (2, gobgp), "frr": (3, frr), "openbgpd": (4, openbgpd),
           "exabgp": (5, exabgp)}
ENVIRONMENT = {"exabgp": lambda n: {"exabgp_tcp_bind": f"127.0.1.{n}", "exabgp_tcp_port": str(17900 + n),
                                    "exabgp_daemon_user": "root", "exabgp_log_destination": "stdout"}}
# How long the suite retries a connection the daemon refuses (--connect-timeout):
# OpenBGPD holds a neighbor down for longer than 30 s after a NOTIFICATION
# (its IdleHoldTimer grows with each one), so it gets longer.
CONNECT_TIMEOUT_S = {"openbgpd": 180}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bgpsim", default="build/release/tools/bgpsim")
    ap.add_argument("--only", default=",".join(DAEMONS))
    ap.add_argument("--quick", action="store_true", help="skip the cases that wait minutes")
    ap.add_argument("--filter", action="append", default=[])
    ap.add_argument("--connect-timeout", type=int, help="seconds to retry a refused connection "
                    "(default: 30, 180 for OpenBGPD)")
    ap.add_argument("--out", default="conform-results", help="folder for the JSON reports and logs")
    args = ap.parse_args()
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    procs, runs, restarts = {}, [], {}

    def start(name: str, argv: list[str], n: int) -> None:
        log = open(out / f"{name}-daemon.log", "a")
        env = dict(os.environ, **ENVIRONMENT[name](n)) if name in ENVIRONMENT else None
        procs[name] = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                       env=env)
        time.sleep(2)
        if name == "gobgp":
            gobgp_ready(n)

    try:
        argvs = {}
        for name in args.only.split(","):
            n, make = DAEMONS[name]
            d = Path(tempfile.mkdtemp(prefix=f"conform-{name}-"))
            argv = make(d, n)
            if not shutil.which(argv[0]):
                print(f"{name}: {argv[0]} not installed, skipped", file=sys.stderr)
                continue
            argvs[name] = (argv, n)
            start(name, argv, n)
            cmd = [args.bgpsim, "conform", "--target", f"127.0.1.{n}:{17900 + n}", "--local", f"127.0.2.{n}",
                   "--next-hop", f"198.51.100.{n}", "--local-as", "65001", "--peer-as", "65000", "-v", "--json", str(out / f"{name}.json")]
            timeout = args.connect_timeout or CONNECT_TIMEOUT_S.get(name, 30)
            cmd += ["--connect-timeout", str(timeout)]
            if args.quick:
                cmd.append("--quick")
            for f in args.filter:
                cmd += ["--filter", f]
            with open(out / f"{name}.txt", "w") as text, open(out / f"{name}-progress.log", "w") as err:
                runs.append((name, subprocess.Popen(cmd, stdout=text, stderr=err)))
        # Restarts a daemon that died while its suite still runs.
        last_nudge = 0.0
        seen: dict[str, int] = {}  # progress lines read per daemon
        while any(p.poll() is None for _, p in runs):
            if time.monotonic() - last_nudge >= 1:
                last_nudge = time.monotonic()
                for name, p in runs:
                    if p.poll() is None and name in NUDGE:
                        subprocess.run(NUDGE[name], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for name, p in runs:
                if p.poll() is not None:
                    continue
                why = None
                if procs[name].poll() is not None:
                    why = f"exit {procs[name].returncode}"
                else:
                    with open(out / f"{name}-progress.log") as progress:
                        lines = progress.read().splitlines()
                    new, seen[name] = lines[seen.get(name, 0):], len(lines)
                    if any(line.startswith("FAIL") and ("before its OPEN" in line or "no OPEN from" in line)
                           for line in new):
                        why = "no OPEN (wedged)"
                        os.killpg(procs[name].pid, signal.SIGKILL)
                        procs[name].wait()
                if why:
                    restarts[name] = restarts.get(name, 0) + 1
                    with open(out / f"{name}-restarts.log", "a") as r:
                        r.write(f"{time.strftime('%H:%M:%S')} {why}, started again\n")
                    start(name, *argvs[name])
            time.sleep(0.2)
        for name, p in runs:
            print(f"{name}: exit {p.returncode}, {restarts.get(name, 0)} daemon restarts", file=sys.stderr)
    finally:
        for p in procs.values():
            try:
                os.killpg(p.pid, signal.SIGTERM)
                p.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(p.pid, signal.SIGKILL)
    print_table(out, [n for n, _ in runs], restarts)
    return 0


def print_table(out: Path, names: list[str], restarts: dict[str, int]) -> None:
    reports = {n: json.loads((out / f"{n}.json").read_text()) for n in names if (out / f"{n}.json").exists()}
    if not reports:
        return
    names = list(reports)
    print("| daemon | pass | fail | n/a | daemon restarts |\n| --- | --- | --- | --- | --- |")
    for n in names:
        r = reports[n]
        print(f"| {n} | {r['passed']} | {r['failed']} | {r['not_applicable']} | {restarts.get(n, 0)} |")
    print()
    print("| case | " + " | ".join(names) + " |")
    print("| --- |" + " --- |" * len(names))
    ids = [c["id"] for c in reports[names[0]]["cases"]]
    by = {n: {c["id"]: c for c in reports[n]["cases"]} for n in names}
    for i in ids:
        cells = []
        for n in names:
            c = by[n].get(i)
            cells.append("-" if c is None else c["result"])
        print(f"| {i} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    sys.exit(main())
