#!/usr/bin/env python3
"""Benchmark: `bgpsim replay decode` against `tshark -T fields` decoding the
same pcap, in one run (issue 15).

    tools/bench/replay_vs_tshark.py                       # a simulated capture
    tools/bench/replay_vs_tshark.py --routes 200000       # its size
    tools/bench/replay_vs_tshark.py FILE.pcap ...         # captures of yours

Without files it first writes a capture with `bgpsim sim --pcap` (two
speakers; --routes routes from one side, a twentieth of that from the other,
then a reload, a reset and a partition), since the corpus captures are a few
kilobytes, where process start-up is all one would measure.

Both tools decode every BGP message: bgpsim prints each as ExaBGP's JSON,
tshark dissects each (`-Y bgp`) and prints its type. Before timing, the count
of messages of each type is compared (tshark's bgp.type against the "type" of
our JSON lines): a benchmark of different work would mean nothing. Each tool
runs --runs times; the best run counts; CPU time (user+sys) is the fairer
figure on a shared machine. Python 3 standard library only.
"""

from __future__ import annotations

import argparse
import collections
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from replay_vs_bgpdump import ROOT, output, run  # noqa: E402  (same timing rules)

TYPES = {"1": "open", "2": "update", "3": "notification", "4": "keepalive", "5": "route-refresh"}


def ours_counts(bgpsim: str, f: Path) -> collections.Counter:
    counts: collections.Counter = collections.Counter()
    for line in output([bgpsim, "replay", "decode", "--no-summary", "--messages-only", str(f)]).splitlines():
        record = json.loads(line)
        if record.get("type") == "message":
            kind = record.get("exabgp", {}).get("type", "undecodable")
            counts[{"refresh": "route-refresh"}.get(kind, kind)] += 1
    return counts


def tshark_counts(tshark: str, f: Path) -> collections.Counter:
    counts: collections.Counter = collections.Counter()
    for line in output([tshark, "-r", str(f), "-Y", "bgp", "-T", "fields", "-e", "bgp.type"]).splitlines():
        for t in line.decode().split(","):  # several messages in one segment
            if t:
                counts[TYPES.get(t, t)] += 1
    return counts


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--bgpsim", default=str(ROOT / "build" / "release" / "tools" / "bgpsim"))
    ap.add_argument("--tshark", default=shutil.which("tshark") or "tshark")
    ap.add_argument("--routes", type=int, default=100000, help="size of the simulated capture")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    for tool in (args.bgpsim, args.tshark):
        if not shutil.which(tool) and not Path(tool).is_file():
            print(f"replay_vs_tshark: {tool} not found", file=sys.stderr)
            return 2
    with tempfile.TemporaryDirectory() as tmp:
        files = args.files
        if not files:
            capture = Path(tmp) / f"sim-{args.routes}.pcap"
            subprocess.run([args.bgpsim, "sim", "--routes", str(args.routes), "--pcap", str(capture)],
                           stdout=subprocess.DEVNULL, check=True)
            files = [capture]
        print(f"{'file':32} {'MB':>6} {'messages':>9} {'tool':7} {'wall s':>7} {'cpu s':>7} {'msgs/s (cpu)':>13}")
        for f in files:
            ours, theirs = ours_counts(args.bgpsim, f), tshark_counts(args.tshark, f)
            messages = sum(theirs.values())
            best = {}
            for name, cmd in (("bgpsim", [args.bgpsim, "replay", "decode", str(f)]),
                              ("tshark", [args.tshark, "-r", str(f), "-Y", "bgp", "-T", "fields", "-e", "bgp.type"])):
                runs = [run(cmd) for _ in range(args.runs)]
                best[name] = (min(r[0] for r in runs), min(r[1] for r in runs))
                wall, cpu = best[name]
                size = f.stat().st_size / 1e6
                print(f"{f.name[:32]:32} {size:6.1f} {messages:9d} {name:7} {wall:7.3f} {cpu:7.3f}"
                      f" {messages / max(cpu, 1e-9):13,.0f}")
            (ow, oc), (tw, tc) = best["bgpsim"], best["tshark"]
            verdict = "same messages" if ours == theirs else f"COUNTS DIFFER: ours {dict(ours)} tshark {dict(theirs)}"
            print(f"{'':32} {'':6} {'':9} ratio   {tw / ow:7.1f} {tc / max(oc, 1e-9):7.1f}   {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
