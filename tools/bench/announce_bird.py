#!/usr/bin/env python3
"""Benchmark: announce N IPv4 routes (default 1,000,000) to BIRD 2 on loopback
and measure the wall time until BIRD holds them all, for several speakers in
the same run (default: bgpsim and ExaBGP 4.2), with the same routes and the
same BIRD configuration (a fresh BIRD per speaker).

    tools/bench/announce_bird.py --speaker bgpsim=build/release/tools/bgpsim --speaker exabgp
    tools/bench/announce_bird.py --routes 100000 --speaker exabgp

Per speaker it prints: time to Established, time until BIRD's import counter
reaches N (both from the speaker's start, so configuration parsing counts),
routes per second, and the speaker's peak RSS (VmHWM of its main process)
in total and per route. Then the ratio of each time to the first speaker's.
Python 3 standard library only; reuses tests/interop (harness, BIRD set-up).
"""

from __future__ import annotations

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


def vm_hwm_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


class BenchBird(Bird):
    index = 9  # 127.0.9.0/24, away from the interop tests
    hold_time = 240  # a speaker busy sending a million routes must not time out


def run_one(label: str, spec: str, routes: list[str], workdir: Path, timeout: float) -> dict:
    runner = Runner()
    res: dict = {"label": label, "speaker": spec}
    try:
        speaker = Speaker(spec, workdir / label, runner, name=f"speaker-{label}")
        speaker.check_available()
        ep = Endpoints.for_index(BenchBird.index)
        bird = BenchBird(workdir / label, runner, ep, None, [], 65000)
        bird.start()
        bird.wait_started()
        log(f"{label}: writing a configuration with {len(routes)} routes")
        speaker.write_config([Neighbor(peer=ep.daemon_addr, local=ep.speaker_addr, local_as=65000,
                                       peer_as=bird.asn, connect_port=ep.daemon_port, routes=routes,
                                       hold_time=180)], events=False)
        n = len(routes)
        speaker.start()
        bird_bench.wait_for_all_routes(label, speaker, bird, n, timeout, res)
        res["all_s"] = time.monotonic() - speaker.started_at
        res["hwm_kib"] = vm_hwm_kib(speaker.proc.pid)
        res["count"] = bird.received_count()
        log(f"{label}: BIRD holds all {n} routes after {res['all_s']:.2f}s, speaker VmHWM {res['hwm_kib']} KiB")
        speaker.stop()
        bird.stop()
    except (Fail, Skip) as e:
        res["error"] = str(e).splitlines()[0]
        log(f"{label}: {e}")
    finally:
        runner.cleanup()
    return res


def main() -> int:
    a = bird_bench.arguments(__doc__)
    Bird.check_available()
    routes = harness.many_prefixes(a.routes)
    workdir = Path(tempfile.mkdtemp(prefix="bgpsim-bench-bird-"))
    results = []
    try:
        for label, cmd in bird_bench.speakers(a):
            results.append(run_one(label, cmd, routes, workdir, a.timeout))
    finally:
        bird_bench.remove_workdir(workdir, a.keep)

    print(f"\nannounce {a.routes} IPv4 routes to BIRD 2 on loopback (wall time from speaker start)")
    print(f"{'speaker':<10} {'established':>12} {'all in BIRD':>12} {'routes/s':>10} {'peak RSS':>10} {'B/route':>8}")
    def row(r: dict) -> str:
        hwm = r.get("hwm_kib") or 0
        return (f"{r['label']:<10} {r['established_s']:>11.2f}s {r['all_s']:>11.2f}s {a.routes / r['all_s']:>10.0f} "
                f"{hwm / 1024:>8.1f}MB {(hwm * 1024 / a.routes):>8.0f}")
    return bird_bench.table(results, row)


if __name__ == "__main__":
    sys.exit(main())
