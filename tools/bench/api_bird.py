#!/usr/bin/env python3
"""Benchmark: a helper process prints N `announce route` commands (default
1,000,000) as fast as its speaker takes them; measure commands per second
until BIRD 2 holds the last route, for several speakers in the same run
(default: bgpsim live, then ExaBGP 4.2), with the same helper, the same
commands and the same BIRD configuration (a fresh BIRD per speaker).

    tools/bench/api_bird.py --speaker bgpsim=build/release/tools/bgpsim --speaker exabgp
    tools/bench/api_bird.py --routes 100000 --speaker exabgp

The helper (Python) writes the commands from a file prepared beforehand, in
64 KiB chunks, and drains its stdin in a thread (bgpsim acknowledges every
command with `done`; ExaBGP runs with acknowledgements off, as the interop
harness starts it). It notes the wall time of its first and last write.
Per speaker the table says: time to Established (from the speaker's start),
how long the helper took to write everything (the speaker reading its
commands), and commands/s from the helper's first write until BIRD's import
counter reaches N. Then each speaker's time as a ratio of the first one's.
Python 3 standard library only; reuses tests/interop (harness, BIRD set-up).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "interop"))
import bird_bench  # noqa: E402
import harness  # noqa: E402
from harness import Endpoints, Fail, Neighbor, Runner, Skip, Speaker, log  # noqa: E402
from test_bird import Bird  # noqa: E402

HELPER = r"""
import os, sys, threading, time
commands, stamps = sys.argv[1], sys.argv[2]

def drain():
    try:
        while os.read(0, 1 << 16):
            pass
    except OSError:
        pass

threading.Thread(target=drain, daemon=True).start()
out = sys.stdout.buffer
first = time.time()
with open(commands, 'rb') as f:
    while True:
        chunk = f.read(1 << 16)
        if not chunk:
            break
        out.write(chunk)
        out.flush()
last = time.time()
with open(stamps, 'w') as f:
    f.write('%r %r\n' % (first, last))
time.sleep(1e6)  # alive until the speaker ends it (no respawn, no second flood)
"""


class BenchBird(Bird):
    index = 8  # 127.0.8.0/24, away from the interop tests and announce_bird.py
    hold_time = 240  # a speaker busy with a million routes must not time out


def run_one(label: str, spec: str, commands: Path, n: int, workdir: Path, timeout: float) -> dict:
    runner = Runner()
    res: dict = {"label": label, "speaker": spec}
    try:
        speaker = Speaker(spec, workdir / label, runner, name=f"speaker-{label}")
        speaker.check_available()
        ep = Endpoints.for_index(BenchBird.index)
        bird = BenchBird(workdir / label, runner, ep, None, [], 65000)
        bird.start()
        bird.wait_started()
        helper = speaker.dir / "helper.py"
        helper.write_text(HELPER)
        stamps = speaker.dir / "stamps"
        neighbor = Neighbor(peer=ep.daemon_addr, local=ep.speaker_addr, local_as=65000, peer_as=bird.asn,
                            connect_port=ep.daemon_port, hold_time=180)
        speaker.config.write_text(harness.render_exabgp_config(
            [neighbor], "flood", [sys.executable, str(helper), str(commands), str(stamps)]))
        speaker.start()
        bird_bench.wait_for_all_routes(label, speaker, bird, n, timeout, res)
        end = time.time()
        first, written = (float(x) for x in stamps.read_text().split())
        res["write_s"] = written - first
        res["all_s"] = end - first
        log(f"{label}: the helper wrote {n} commands in {res['write_s']:.2f}s; "
            f"BIRD holds them all {res['all_s']:.2f}s after its first write")
        speaker.stop()
        bird.stop()
    except (Fail, Skip, OSError, ValueError) as e:
        res["error"] = str(e).splitlines()[0]
        log(f"{label}: {e}")
    finally:
        runner.cleanup()
    return res


def main() -> int:
    a = bird_bench.arguments(__doc__)
    Bird.check_available()
    workdir = Path(tempfile.mkdtemp(prefix="bgpsim-bench-api-"))
    results = []
    try:
        commands = workdir / "commands.txt"
        with open(commands, "w") as f:
            for p in harness.many_prefixes(a.routes):
                f.write(f"announce route {p} next-hop {harness.SPEAKER_NEXT_HOP}\n")
        log(f"{a.routes} commands in {commands} ({os.path.getsize(commands) / 1e6:.1f} MB)")
        for label, cmd in bird_bench.speakers(a):
            results.append(run_one(label, cmd, commands, a.routes, workdir, a.timeout))
    finally:
        bird_bench.remove_workdir(workdir, a.keep)

    print(f"\n{a.routes} `announce route` commands from a helper process to BIRD 2 on loopback")
    print(f"{'speaker':<10} {'established':>12} {'helper wrote':>13} {'all in BIRD':>12} {'commands/s':>11}")
    return bird_bench.table(results, lambda r: (
        f"{r['label']:<10} {r['established_s']:>11.2f}s {r['write_s']:>12.2f}s {r['all_s']:>11.2f}s "
        f"{a.routes / r['all_s']:>11.0f}"))


if __name__ == "__main__":
    sys.exit(main())
