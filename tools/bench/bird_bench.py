"""What the BIRD benchmarks (announce_bird.py, api_bird.py) share: the
command line (--routes, --speaker LABEL=COMMAND|exabgp, --timeout, --keep),
the speakers it names, and the wait for a session and then for BIRD to
hold every route, logging progress."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "interop"))
from harness import log, wait_until  # noqa: E402


def arguments(doc: str) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--routes", type=int, default=1_000_000)
    ap.add_argument("--speaker", action="append", metavar="LABEL=COMMAND|exabgp",
                    help="a speaker to measure, in order (default: bgpsim=bgpsim on PATH, then exabgp)")
    ap.add_argument("--timeout", type=float, default=1800.0, help="per speaker, seconds")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    return ap.parse_args()


def speakers(a: argparse.Namespace) -> list[tuple[str, str]]:
    """(label, command) per --speaker; a path becomes absolute (each speaker
    starts in its own folder)."""
    out = []
    for s in a.speaker or [f"bgpsim={shutil.which('bgpsim') or 'bgpsim'}", "exabgp"]:
        label, _, cmd = s.partition("=")
        if not cmd:
            label, cmd = (s if s == "exabgp" else Path(s).name), s
        if os.path.sep in cmd:
            cmd = os.path.abspath(cmd)
        out.append((label, cmd))
    return out


def wait_for_all_routes(label: str, speaker, bird, n: int, timeout: float, res: dict) -> None:
    """Waits for BIRD's session (res["established_s"], from the speaker's
    start), then until BIRD has imported `n` routes, logging every 10 s."""
    alive = speaker.alive() + bird.alive()
    wait_until(bird.established, timeout, f"{label}: BIRD Established", interval=0.2, alive=alive)
    res["established_s"] = time.monotonic() - speaker.started_at
    log(f"{label}: Established after {res['established_s']:.2f}s")
    last = [time.monotonic()]

    def all_in() -> bool:
        c = bird.received_count()
        if time.monotonic() - last[0] > 10:
            log(f"{label}: BIRD holds {c}/{n}")
            last[0] = time.monotonic()
        return c >= n

    wait_until(all_in, timeout, f"{label}: BIRD to hold {n} routes", interval=0.2, alive=alive)


def remove_workdir(workdir: Path, keep: bool) -> None:
    if not keep:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        log(f"work directory kept: {workdir}")


def table(results: list[dict], row) -> int:
    """Prints `row(r)` per speaker (or its error), then each time's ratio to
    the first speaker's; the exit status: 0 when every speaker finished."""
    base = next((r for r in results if "all_s" in r), None)
    for r in results:
        print(f"{r['label']:<10} error: {r['error']}" if "error" in r else row(r))
    if base:
        for r in results:
            if r is not base and "all_s" in r:
                print(f"ratio {r['label']}/{base['label']}: {r['all_s'] / base['all_s']:.2f}x")
    return 0 if results and all("error" not in r for r in results) else 1
