#!/usr/bin/env python3
"""Makes bird-bgpsim.pcap: a live bgpsim-vs-BIRD session captured with tcpdump.

How the committed capture was made (root, Debian 12 bird2 and tcpdump; the committed one,
2096 bytes, 20 packets, with bgpsim at commit 9b22335 plus replay/drivers):

    python3 tests/replay/data/make_bird_capture.py --speaker build/dev/tools/bgpsim \\
        --out tests/replay/data/bird-bgpsim.pcap

`bgpsim live` (side a: it connects from 127.0.9.2) peers over eBGP (AS 65100)
with BIRD 2 (side b: 127.0.9.1 port 20090, AS 65001, the configuration of
tests/interop/test_bird.py without MD5), announces 8 routes with the interop
attributes (ORIGIN egp, AS path, MED, two communities) and receives BIRD's 5.
Once both tables are in, the speaker is reloaded with the last 3 routes
removed (they are withdrawn), then stopped with SIGTERM (Cease /
Administrative Shutdown). tcpdump writes what it sees on lo with `-U` for
that address pair.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent / "interop"))
import harness  # noqa: E402
from harness import (Endpoints, Neighbor, Runner, Speaker, prefixes, render_exabgp_config,  # noqa: E402
                     speaker_route_words, wait_until)
from test_bird import Bird  # noqa: E402

SPEAKER_AS = 65100
ROUTES = 8
WITHDRAWN = 3


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--speaker", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    runner = Runner()
    workdir = Path(tempfile.mkdtemp(prefix="bgpsim-bird-capture-"))
    ok = False
    try:
        ep = Endpoints.for_index(9)
        bird = Bird(workdir, runner, ep, None, harness.daemon_routes(5), SPEAKER_AS)
        bird.start()
        bird.wait_started()
        pcap = workdir / "capture.pcap"
        dump = runner.spawn("tcpdump", ["tcpdump", "-i", "lo", "-U", "-s", "0", "-w", str(pcap),
                                        f"host {ep.daemon_addr} and tcp port {ep.daemon_port}"],
                            workdir / "tcpdump.log")
        time.sleep(1.0)  # tcpdump listening
        speaker = Speaker(a.speaker, workdir, runner)
        speaker.check_available()
        neighbor = Neighbor(peer=ep.daemon_addr, local=ep.speaker_addr, local_as=SPEAKER_AS, peer_as=bird.asn,
                            connect_port=ep.daemon_port, routes=prefixes(ROUTES),
                            route_words=speaker_route_words(False))
        speaker.write_config([neighbor])
        speaker.start()
        wait_until(lambda: bird.received_count() == ROUTES, 20, "BIRD to hold the speaker's routes")
        wait_until(lambda: len(speaker.events.adj_rib_in(ep.daemon_addr)) == 5, 20,
                   "the speaker to hold BIRD's routes", interval=0.1)
        neighbor.routes = prefixes(ROUTES - WITHDRAWN)
        speaker.config.write_text(render_exabgp_config([neighbor]))
        speaker.reload()
        wait_until(lambda: bird.received_count() == ROUTES - WITHDRAWN, 20, "BIRD to see the withdrawals")
        time.sleep(0.5)
        speaker.stop()
        time.sleep(1.0)
        runner.stop(dump, signal.SIGINT)
        bird.stop()
        shutil.copyfile(pcap, a.out)
        print(f"wrote {a.out} ({Path(a.out).stat().st_size} bytes)")
        ok = True
        return 0
    finally:
        runner.cleanup()
        if ok:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"work directory kept: {workdir}")


if __name__ == "__main__":
    sys.exit(main())
