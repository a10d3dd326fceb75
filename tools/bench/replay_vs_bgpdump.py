#!/usr/bin/env python3
"""Benchmark: `bgpsim replay decode --format bgpdump` against `bgpdump -m` on
the same MRT files, in one run (issue 15). By default the largest updates file
and the largest RIB dump of ../shared/corpus/mrt that bgpdump reads through.

    tools/bench/replay_vs_bgpdump.py                        # release build
    tools/bench/replay_vs_bgpdump.py --bgpsim build/dev/tools/bgpsim FILE...

Each tool runs --runs times per file (output to /dev/null); the best run
counts. First both outputs are compared byte for byte (a benchmark of
different work would mean nothing). Per file it prints the lines (records)
printed, wall and CPU (user+sys) seconds of each tool, lines per second and
the ratio bgpdump/bgpsim. CPU time is the fairer figure on a shared machine.
Python 3 standard library only.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("BGPSIM_SHARED_DIR", ROOT.parent / "shared")) / "corpus" / "mrt"
DEFAULT_FILES = ["bgpdump__updates.et-header.2015.gz", "bgpdump__bview.20020722.2337.gz"]


def run(cmd: list[str]) -> tuple[float, float, bytes | None]:
    """Wall and CPU seconds of one run of cmd (its output discarded)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, None


def output(cmd: list[str]) -> bytes:
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False).stdout


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--bgpsim", default=str(ROOT / "build" / "release" / "tools" / "bgpsim"))
    ap.add_argument("--bgpdump", default=shutil.which("bgpdump") or "bgpdump")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    files = args.files or [CORPUS / f for f in DEFAULT_FILES]
    ours_cmd = lambda f: [args.bgpsim, "replay", "decode", "--format", "bgpdump", str(f)]  # noqa: E731
    theirs_cmd = lambda f: [args.bgpdump, "-m", "-v", str(f)]  # noqa: E731
    for tool in (args.bgpsim, args.bgpdump):
        if not shutil.which(tool) and not Path(tool).is_file():
            print(f"replay_vs_bgpdump: {tool} not found", file=sys.stderr)
            return 2

    print(f"{'file':48} {'lines':>9} {'tool':8} {'wall s':>7} {'cpu s':>7} {'lines/s (cpu)':>14}")
    for f in files:
        ours, theirs = output(ours_cmd(f)), output(theirs_cmd(f))
        same = ours == theirs
        lines = theirs.count(b"\n")
        best = {}
        for name, cmd in (("bgpsim", ours_cmd(f)), ("bgpdump", theirs_cmd(f))):
            runs = [run(cmd) for _ in range(args.runs)]
            best[name] = (min(r[0] for r in runs), min(r[1] for r in runs))
            wall, cpu = best[name]
            rate = lines / cpu if cpu > 0 else float("inf")
            print(f"{f.name[:48]:48} {lines:9d} {name:8} {wall:7.3f} {cpu:7.3f} {rate:14,.0f}")
        (ow, oc), (tw, tc) = best["bgpsim"], best["bgpdump"]
        print(f"{'':48} {'':9} ratio    {tw / ow:7.1f} {tc / max(oc, 1e-9):7.1f}"
              f"   {'identical output' if same else 'OUTPUT DIFFERS (see tests/replay/mrt_test.cpp rules)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
