#!/usr/bin/env python3
"""Interop: the speaker against GoBGP 3 (Debian gobgpd), with TCP MD5.

eBGP, gobgpd passive on 127.0.2.1:PORT (global `port` and
`local-address-list`), its gRPC API on 127.0.2.1:PORT+1, pprof disabled.
GoBGP's routes to the speaker are added with `gobgp global rib add` once the
daemon answers, with their attributes (ORIGIN incomplete, MED, a community,
an AS_PATH of its own AS, to which the eBGP session prepends it again).
Received routes and their attributes read with `gobgp neighbor X adj-in -j`
(the path attributes as received: no LOCAL_PREF on eBGP). Why the session
ended: gobgpd's log line for the NOTIFICATION it received.
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import DAEMON_MED, DAEMON_ORIGIN, Attrs, Daemon, communities, daemon_community, run  # noqa: E402


class GoBGP(Daemon):
    name = "gobgp"
    index = 2
    binaries = ("gobgpd", "gobgp")
    package = "gobgpd"
    asn = 65002
    md5_default = True
    checks_cease = True  # gobgpd's log: notification-received code 6(cease) subcode 2(administrative shutdown)

    def config(self) -> str:
        pw = f'    auth-password = "{self.md5}"\n' if self.md5 else ""
        return f"""[global.config]
  as = {self.asn}
  router-id = "{self.ep.daemon_addr}"
  port = {self.ep.daemon_port}
  local-address-list = ["{self.ep.daemon_addr}"]

[[neighbors]]
  [neighbors.config]
    neighbor-address = "{self.ep.speaker_addr}"
    peer-as = {self.speaker_as}
{pw}  [neighbors.transport.config]
    passive-mode = true
    local-address = "{self.ep.daemon_addr}"
  [neighbors.timers.config]
    hold-time = 30
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
"""

    def gobgp(self, *args: str, timeout: float = 20.0) -> str:
        r = run(["gobgp", "-u", self.ep.daemon_addr, "-p", str(self.ep.aux_port), *args], timeout=timeout)
        if r.returncode != 0:
            raise OSError(f"gobgp {' '.join(args)}: {r.stdout.strip()} {r.stderr.strip()}")
        return r.stdout

    def start(self) -> None:
        conf = self.dir / "gobgpd.toml"
        conf.write_text(self.config())
        self.validate(["gobgpd", "-d", "-f", str(conf), "-t", "toml"])
        self.proc = self.runner.spawn("gobgpd", [
            "gobgpd", "-f", str(conf), "-t", "toml", "-p", "-l", "info",
            "--api-hosts", f"{self.ep.daemon_addr}:{self.ep.aux_port}", "--pprof-disable"], self.log_path)

    def ready(self) -> bool:
        self.gobgp("global")
        if not getattr(self, "_announced", False):
            # GoBGP passes this next hop on to the eBGP speaker unchanged (same subnet rule).
            for p in self.announce:
                self.gobgp("global", "rib", "add", "-a", "ipv4", p, "nexthop", "192.0.2.201",
                           "origin", DAEMON_ORIGIN, "med", str(DAEMON_MED),
                           "community", daemon_community(self.asn), "aspath", str(self.asn))
            self._announced = True
        return True

    def received_attrs(self) -> dict[str, Attrs]:
        # {"P": [{"attrs": [{"type": 1, "value": 1}, {"type": 2, "as_paths": [{"segment_type": 2,
        #   "asns": [...]}]}, {"type": 3, "nexthop": "X"}, {"type": 4, "metric": 50},
        #   {"type": 5, "value": N}, {"type": 8, "communities": [N, ...]}], ...}]}
        data = json.loads(self.gobgp("neighbor", self.ep.speaker_addr, "adj-in", "-a", "ipv4", "-j") or "{}")
        got = {}
        for prefix, paths in data.items():
            a = {x["type"]: x for x in paths[0].get("attrs", [])}
            path = []
            for seg in a.get(2, {}).get("as_paths", []):
                path.extend(seg["asns"]) if seg.get("segment_type") == 2 else path.append(tuple(seg["asns"]))
            got[prefix] = Attrs(a.get(3, {}).get("nexthop", "none"), tuple(path),
                                {0: "igp", 1: "egp", 2: "incomplete"}.get(a.get(1, {}).get("value"), "none"),
                                a[4]["metric"] if 4 in a else None, a[5]["value"] if 5 in a else None,
                                communities(a.get(8, {}).get("communities")))
        return got

    def announced_attrs(self) -> Attrs:
        # The next hop passes unchanged (same subnet rule); eBGP prepends GoBGP's AS.
        return Attrs("192.0.2.201", (self.asn, self.asn), DAEMON_ORIGIN, DAEMON_MED, None,
                     (daemon_community(self.asn),))

    def last_notification(self) -> str | None:
        # gobgpd logs e.g. ... Reason="notification-received code 6(cease) subcode 2(administrative shutdown)"
        for line in reversed(self.log_path.read_text(errors="replace").splitlines()):
            if "notification-received" in line:
                return line[line.index("notification-received"):]
        return ""

    def neighbor(self) -> dict:
        out = json.loads(self.gobgp("neighbor", self.ep.speaker_addr, "-j"))
        return out[0] if isinstance(out, list) else out

    def established(self) -> bool:
        st = self.neighbor().get("state", {}).get("session_state")
        return st in (6, "ESTABLISHED", "established")

    def received(self) -> set[str]:
        try:
            out = self.gobgp("neighbor", self.ep.speaker_addr, "adj-in", "-a", "ipv4", "-j")
        except OSError:
            if not self.established():
                return set()
            raise
        data = json.loads(out) if out.strip() else {}
        # {"10.0.0.0/24": [{"nlri": {"prefix": "10.0.0.0/24"}, ...}], ...}
        return set(data.keys()) if isinstance(data, dict) else {d["prefix"] for d in data}


if __name__ == "__main__":
    sys.exit(harness.main(GoBGP))
