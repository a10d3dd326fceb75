#!/usr/bin/env python3
"""Interop: the speaker against BIRD 2 (Debian bird2), with TCP MD5.

eBGP, BIRD passive on 127.0.1.1:PORT. The speaker's next hop (192.0.2.1) is
not on a connected network, so the channel uses `gateway recursive` with an
IGP table holding a static route that resolves it; without that BIRD 2 would
reject the routes' NEXT_HOP on a single-hop eBGP session.
Routes counted with `birdc show route protocol speaker` (exact prefix set);
their attributes read with `birdc show route all protocol speaker`. BIRD's
own routes get their attributes in the export filter (ORIGIN incomplete, MED,
a community, its AS prepended once more). BIRD shows LOCAL_PREF 100 on routes
learnt over eBGP (its `default bgp_local_pref`), though none was sent.
"""

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import DAEMON_MED, DAEMON_ORIGIN, Attrs, Daemon, communities, daemon_community, run  # noqa: E402


class Bird(Daemon):
    name = "bird"
    index = 1
    binaries = ("bird", "birdc")
    package = "bird2"
    asn = 65001
    md5_default = True
    md5_negative = True
    checks_cease = True  # BIRD: 'Last error: Received: Administrative shutdown'
    hold_time = 30
    ebgp_local_pref = 100  # BIRD's default bgp_local_pref, shown on eBGP routes

    @property
    def sock(self):
        return self.dir / "bird.ctl"

    def config(self) -> str:
        static_out = "\n".join(f"  route {p} blackhole;" for p in self.announce)
        pw = f'  password "{self.md5}";\n' if self.md5 else ""
        return f"""
log "{self.dir / 'bird-daemon.log'}" all;
router id {self.ep.daemon_addr};
protocol device {{ scan time 60; }}
# Resolves the speaker's next hops (192.0.2.0/24) for recursive gateways.
ipv4 table igp4;
protocol static igp_routes {{
  ipv4 {{ table igp4; }};
  route 192.0.2.0/24 blackhole;
}}
# What BIRD announces to the speaker.
protocol static announced {{
  ipv4;
{static_out}
}}
protocol bgp speaker {{
  local {self.ep.daemon_addr} port {self.ep.daemon_port} as {self.asn};
  neighbor {self.ep.speaker_addr} as {self.speaker_as};
  passive on;
  multihop 2;   # loopback is not a 'directly connected' network for BIRD
  hold time {self.hold_time};
{pw}  ipv4 {{
    import all;
    export filter {{
      if proto != "announced" then reject;
      bgp_origin = ORIGIN_INCOMPLETE;
      bgp_med = {DAEMON_MED};
      bgp_community.add(({self.asn}, 7));
      bgp_path.prepend({self.asn});
      accept;
    }};
    gateway recursive;
    igp table igp4;
    next hop self;
  }};
}}
"""

    def start(self) -> None:
        conf = self.dir / "bird.conf"
        conf.write_text(self.config())
        self.validate(["bird", "-p", "-c", str(conf)])
        self.proc = self.runner.spawn("bird", ["bird", "-f", "-c", str(conf), "-s", str(self.sock),
                                               "-P", str(self.dir / "bird.pid")], self.log_path)

    def birdc(self, *cmd: str, timeout: float = 20.0) -> str:
        r = run(["birdc", "-s", str(self.sock), *cmd], timeout=timeout)
        if r.returncode != 0:
            raise OSError(f"birdc {' '.join(cmd)}: {r.stdout.strip()} {r.stderr.strip()}")
        return r.stdout

    def ready(self) -> bool:
        return "BIRD" in self.birdc("show", "status")

    def established(self) -> bool:
        out = self.birdc("show", "protocols", "speaker")
        return any(line.split()[:1] == ["speaker"] and "Established" in line for line in out.splitlines())

    def last_notification(self) -> str | None:
        # "  Last error:     Received: Administrative shutdown"
        for line in self.birdc("show", "protocols", "all", "speaker").splitlines():
            if line.strip().startswith("Last error:"):
                return line.split(":", 1)[1].strip()
        return ""

    def received(self) -> set[str]:
        out = self.birdc("show", "route", "protocol", "speaker")
        got = set()
        for line in out.splitlines():
            w = line.split()
            if w and "/" in w[0] and w[0][0].isdigit():
                got.add(w[0])
        return got

    def received_attrs(self) -> dict[str, Attrs]:
        """Parses `show route all protocol speaker`: a line per prefix, then
        `BGP.name: value` lines (BGP.as_path: 65000 65100, BGP.origin: EGP,
        BGP.community: (65010,1) (65010,2))."""
        out = self.birdc("show", "route", "all", "protocol", "speaker")
        got: dict[str, Attrs] = {}
        prefix, fields = None, {}

        def flush():
            if prefix:
                got[prefix] = Attrs(
                    fields.get("next_hop", "none"), tuple(int(a) for a in fields.get("as_path", "").split()),
                    fields.get("origin", "none").lower(),
                    int(fields["med"]) if "med" in fields else None,
                    int(fields["local_pref"]) if "local_pref" in fields else None,
                    communities(re.findall(r"\((\d+),(\d+)\)", fields.get("community", ""))))
        for line in out.splitlines():
            w = line.split()
            if w and "/" in w[0] and w[0][0].isdigit():
                flush()
                prefix, fields = w[0], {}
            elif line.strip().startswith("BGP.") and ":" in line:
                k, v = line.strip()[4:].split(":", 1)
                fields[k.strip()] = v.strip()
        flush()
        return got

    def announced_attrs(self) -> Attrs:
        # `next hop self` on eBGP; BIRD's AS in front of the one the filter prepended.
        return Attrs(self.ep.daemon_addr, (self.asn, self.asn), DAEMON_ORIGIN, DAEMON_MED, None,
                     (daemon_community(self.asn),))

    def received_count(self) -> int:
        """O(1) in BIRD: the channel's import counter from `show protocols all`
        ("Routes:  1000 imported, 0 exported, 1000 preferred")."""
        out = self.birdc("show", "protocols", "all", "speaker")
        for line in out.splitlines():
            w = line.replace(",", " ").split()
            if w[:1] == ["Routes:"] and len(w) > 2 and w[2] == "imported":
                return int(w[1])
        if not self.established():
            return 0  # BIRD prints no Routes: line while the session is down
        raise ValueError(f"no 'Routes:' line in birdc output: {out!r}")


if __name__ == "__main__":
    sys.exit(harness.main(Bird))
