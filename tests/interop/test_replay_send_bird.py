#!/usr/bin/env python3
"""Interop: `bgpsim replay send` replays an MRT RIB dump into BIRD 2.

The dump is built here (TABLE_DUMP_V2, RFC 6396 4.3, gzip-compressed): a
PEER_INDEX_TABLE of two peers (one 2-byte-AS IPv4 peer, one 4-byte-AS IPv6
peer) and RIB_IPV4_UNICAST records for ROUTES prefixes, each with an entry of
peer 0 and, for every third prefix, a second entry of peer 1 that must not be
sent (the first entry of each prefix is). Attributes vary per route: ORIGIN,
AS_PATH (an AS_SEQUENCE of 4-byte ASNs), MED, COMMUNITIES.

BIRD (the configuration of test_bird.py, no MD5, at its own addresses) learns
them from `bgpsim replay send DUMP --to ADDR:PORT --next-hop 192.0.2.1
--keep`; the test waits for the command's "sent" line, then asserts with
birdc that BIRD holds exactly the dump's prefixes and that sampled routes
carry the dump's attributes with our AS prepended (eBGP). SIGTERM then ends
the command, which must exit 0 with "completed": true.

Exit codes as harness.py: 0 pass, 1 fail, 77 skip (a failure in CI).
"""

from __future__ import annotations

import argparse
import gzip
import json
import signal
import struct
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import Endpoints, Fail, Runner, log, skip_or_fail, wait_until  # noqa: E402
from test_bird import Bird  # noqa: E402

TEST = "interop_replay_send_bird"
ROUTES = 300
SPEAKER_AS = 65100
ORIGIN_AS = 64500
NEXT_HOP = "192.0.2.1"  # resolved by BIRD's igp4 table (test_bird.py)


def attr(flags: int, code: int, value: bytes) -> bytes:
    if len(value) > 255:
        return struct.pack("!BBH", flags | 0x10, code, len(value)) + value
    return struct.pack("!BBB", flags, code, len(value)) + value


def route(i: int) -> dict:
    """What the dump says of prefix i (the first entry, from peer 0)."""
    path = [ORIGIN_AS, 64510 + i % 5]
    return {
        "prefix": f"10.{i // 256}.{i % 256}.0/24",
        "origin": ["igp", "egp", "incomplete"][i % 3],
        "as_path": path,
        "med": 1000 + i,
        "communities": [(ORIGIN_AS, i % 50), (ORIGIN_AS, 9999)],
    }


def attributes(r: dict, next_hop: str) -> bytes:
    segments = struct.pack("!BB", 2, len(r["as_path"])) + b"".join(struct.pack("!I", a) for a in r["as_path"])
    comms = b"".join(struct.pack("!HH", a, b) for a, b in r["communities"])
    return (attr(0x40, 1, bytes([["igp", "egp", "incomplete"].index(r["origin"])]))
            + attr(0x40, 2, segments)
            + attr(0x40, 3, bytes(int(x) for x in next_hop.split(".")))
            + attr(0x80, 4, struct.pack("!I", r["med"]))
            + attr(0xC0, 8, comms))


def mrt(type_: int, subtype: int, body: bytes, ts: int = 1700000000) -> bytes:
    return struct.pack("!IHHI", ts, type_, subtype, len(body)) + body


def build_dump(path: Path) -> dict[str, dict]:
    """Writes the dump; returns prefix -> the route the first entry holds."""
    # PEER_INDEX_TABLE: collector id, view name length 0, 2 peers.
    # Peer type bits: 0x01 IPv6 address, 0x02 4-byte AS.
    peers = (struct.pack("!BI", 0x00, 0x0A000001) + bytes([10, 0, 0, 1]) + struct.pack("!H", 64500)
             + struct.pack("!BI", 0x03, 0x0A000002) + bytes(15) + b"\x02" + struct.pack("!I", 4200000000))
    out = mrt(13, 1, struct.pack("!IHH", 0x0A0000FE, 0, 2) + peers)
    expected = {}
    for i in range(ROUTES):
        r = route(i)
        expected[r["prefix"]] = r
        entries = [struct.pack("!HIH", 0, 1700000000 - i, len(a)) + a for a in [attributes(r, "10.0.0.1")]]
        if i % 3 == 0:  # another peer's route for the prefix: not sent
            other = dict(r, med=1, as_path=[4200000000, 64999])
            a = attributes(other, "10.0.0.2")
            entries.append(struct.pack("!HIH", 1, 1700000000, len(a)) + a)
        prefix = bytes([24, 10, i // 256, i % 256])
        out += mrt(13, 2, struct.pack("!I", i) + prefix + struct.pack("!H", len(entries)) + b"".join(entries))
    path.write_bytes(gzip.compress(out))
    return expected


def read_lines(path: Path) -> list[dict]:
    try:
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    except (OSError, ValueError):
        return []


def scenario(bgpsim: str, timeout: float, keep: bool) -> None:
    Bird.check_available()
    runner = Runner()
    workdir = Path(tempfile.mkdtemp(prefix="bgpsim-replay-send-"))
    ok = False
    try:
        dump = workdir / "rib.mrt.gz"
        expected = build_dump(dump)
        ep = Endpoints.for_index(9)
        bird = Bird(workdir, runner, ep, None, [], SPEAKER_AS)
        bird.start()
        bird.wait_started()
        out = workdir / "send.jsonl"
        argv = [bgpsim, "replay", "send", str(dump), "--to", f"{ep.daemon_addr}:{ep.daemon_port}",
                "--local-address", ep.speaker_addr, "--local-as", str(SPEAKER_AS), "--peer-as", str(bird.asn),
                "--next-hop", NEXT_HOP, "--hold-time", "30", "--timeout", str(int(timeout)), "--keep"]
        sender = runner.spawn("replay-send", argv, workdir / "send.log", stdout_path=out)
        alive = [("replay-send", sender)] + bird.alive()

        lines = wait_until(lambda: [x for x in read_lines(out) if x.get("type") == "sent"], timeout,
                           "bgpsim replay send's 'sent' line", alive=alive)
        source = next(x for x in read_lines(out) if x.get("type") == "source")
        if source["announcements"] != ROUTES or source["skipped"] != (ROUTES + 2) // 3:
            raise Fail(f"the dump read as {source}, expected {ROUTES} routes and {(ROUTES + 2) // 3} skipped")
        log(f"sent: {lines[0]}")
        wait_until(lambda: bird.received_count() == ROUTES, timeout, f"BIRD to import {ROUTES} routes",
                   alive=alive)
        got = bird.received()
        if got != set(expected):
            raise Fail(f"BIRD holds {len(got)} prefixes; missing {sorted(set(expected) - got)[:5]}, "
                       f"extra {sorted(got - set(expected))[:5]}")
        attrs = bird.received_attrs()
        for i in (0, 1, 2, 10, 151, ROUTES - 1):
            r = route(i)
            a = attrs.get(r["prefix"])
            if a is None:
                raise Fail(f"birdc shows no attributes for {r['prefix']}")
            # eBGP: our AS in front of the dump's path.
            want_path = (SPEAKER_AS, *r["as_path"])
            if a.as_path != want_path:
                raise Fail(f"{r['prefix']}: AS path {a.as_path}, expected {want_path}")
            if a.origin != r["origin"] or a.med != r["med"] or a.next_hop != NEXT_HOP:
                raise Fail(f"{r['prefix']}: {a}, expected origin {r['origin']}, MED {r['med']}, next hop {NEXT_HOP}")
            want_comms = harness.communities(r["communities"])
            if a.communities != want_comms:
                raise Fail(f"{r['prefix']}: communities {a.communities}, expected {want_comms}")
        log(f"BIRD holds the {ROUTES} routes of the dump with their attributes")

        rc = runner.stop(sender, signal.SIGTERM, timeout=15)
        done = [x for x in read_lines(out) if x.get("type") == "done"]
        if rc != 0 or not done or not done[0]["completed"] or done[0]["announced"] != ROUTES:
            raise Fail(f"bgpsim replay send exited {rc} with {done}")
        wait_until(lambda: not bird.established(), 15, "BIRD to see the session end")
        ok = True
    finally:
        runner.cleanup()
        harness.finish_workdir(workdir, ok, keep, ("send.jsonl",))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--speaker", required=True, help="the bgpsim binary")
    ap.add_argument("--timeout", type=float, default=25.0)
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    a = ap.parse_args()
    if not Path(a.speaker).exists():
        return skip_or_fail(TEST, f"{a.speaker} does not exist (build the bgpsim target)")
    return harness.run_test(TEST, lambda: scenario(a.speaker, a.timeout, a.keep))


if __name__ == "__main__":
    sys.exit(main())
