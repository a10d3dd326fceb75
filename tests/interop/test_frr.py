#!/usr/bin/env python3
"""Interop: the speaker against FRR 8 bgpd (Debian frr, /usr/lib/frr/bgpd), with TCP MD5.

bgpd runs alone, without zebra (-Z: no kernel routes, no nexthop tracking, so
every next hop counts as reachable), as root (-S), listening on 127.0.3.1:PORT
(-p, -l), its vty socket in the test's directory (--vty_socket), TCP vty off (-P 0).
eBGP with `no bgp ebgp-requires-policy` (FRR >= 7.4 otherwise drops
everything on eBGP), `no bgp network import-check` (the `network` routes it
announces are not in any RIB) and `ebgp-multihop` (loopback addresses are not
a connected subnet for the single-hop check).
Routes read with `vtysh -d bgpd -c 'show bgp ipv4 unicast json'`, keeping
the paths whose peerId is the speaker; that listing has next hop, AS_PATH,
ORIGIN, MED and LOCAL_PREF (`locPrf`, absent on eBGP) but no communities, so
the communities are read through a community-list matching exactly the
speaker's two (`show bgp ipv4 unicast community-list speaker-communities
exact-match json`): a route outside that listing has other communities.
FRR's own routes get their attributes from a route-map on the `network`
statements. Why the session ended: `lastNotificationReason` /
`lastResetDueTo` of `show bgp neighbors A json`.
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import (DAEMON_MED, DAEMON_ORIGIN, SPEAKER_COMMUNITIES, Attrs, Daemon,  # noqa: E402
                     daemon_community, run)

BGPD = "/usr/lib/frr/bgpd"


class FRR(Daemon):
    name = "frr"
    index = 3
    binaries = (BGPD, "vtysh")
    package = "frr"
    asn = 65003
    md5_default = True
    needs_root = True
    checks_cease = True  # lastNotificationReason: "Cease/Administrative Shutdown"

    def config(self) -> str:
        s = self.ep.speaker_addr
        nets = "\n".join(f"  network {p} route-map daemon-routes" for p in self.announce)
        pw = f" neighbor {s} password {self.md5}\n" if self.md5 else ""
        return f"""frr defaults traditional
hostname bgpsim-interop-frr
log file {self.dir / 'bgpd-daemon.log'} informational
!
! Only its own routes go out: FRR would echo the speaker's routes back to it
! (no sender-side AS loop check), which blurs the Adj-RIB-In check.
ip prefix-list announced seq 5 permit 198.18.0.0/15 le 32
!
! The attributes of the routes FRR announces.
route-map daemon-routes permit 10
 set origin {DAEMON_ORIGIN}
 set metric {DAEMON_MED}
 set community {daemon_community(self.asn)}
 set as-path prepend {self.asn}
exit
!
! Matches the routes whose communities are exactly the speaker's.
bgp community-list standard speaker-communities seq 5 permit {' '.join(SPEAKER_COMMUNITIES)}
!
router bgp {self.asn}
 bgp router-id {self.ep.daemon_addr}
 no bgp ebgp-requires-policy
 no bgp network import-check
 no bgp default ipv4-unicast
 neighbor {s} remote-as {self.speaker_as}
 neighbor {s} passive
 neighbor {s} ebgp-multihop 2
 neighbor {s} update-source {self.ep.daemon_addr}
 neighbor {s} timers 10 30
{pw} !
 address-family ipv4 unicast
  neighbor {s} activate
  neighbor {s} prefix-list announced out
{nets}
 exit-address-family
!
"""

    def start(self) -> None:
        conf = self.dir / "bgpd.conf"
        conf.write_text(self.config())
        common = ["-f", str(conf), "-S", "-Z", "-n", "--vty_socket", str(self.dir), "-P", "0",
                  "-i", str(self.dir / "bgpd.pid")]
        self.validate([BGPD, "-C", *common])
        self.proc = self.runner.spawn("frr-bgpd", [BGPD, *common, "-p", str(self.ep.daemon_port),
                                                   "-l", self.ep.daemon_addr], self.log_path)

    def vtysh(self, cmd: str, timeout: float = 20.0) -> str:
        r = run(["vtysh", "--vty_socket", str(self.dir), "-d", "bgpd", "-c", cmd], timeout=timeout)
        if r.returncode != 0:
            raise OSError(f"vtysh -c '{cmd}': {r.stdout.strip()} {r.stderr.strip()}")
        return r.stdout

    def ready(self) -> bool:
        return "BGP router identifier" in self.vtysh("show bgp ipv4 unicast summary") or \
            "No " in self.vtysh("show bgp ipv4 unicast summary")

    def established(self) -> bool:
        data = json.loads(self.vtysh(f"show bgp neighbors {self.ep.speaker_addr} json"))
        return data.get(self.ep.speaker_addr, {}).get("bgpState") == "Established"

    def last_notification(self) -> str | None:
        # e.g. "Cease/Administrative Shutdown BGP Notification received 0602"
        n = json.loads(self.vtysh(f"show bgp neighbors {self.ep.speaker_addr} json")).get(self.ep.speaker_addr, {})
        return " ".join(str(n.get(k, "")) for k in ("lastNotificationReason", "lastResetDueTo",
                                                     "lastErrorCodeSubcode") if n.get(k)).strip()

    def received_attrs(self) -> dict[str, Attrs]:
        data = json.loads(self.vtysh("show bgp ipv4 unicast json"))
        exact = json.loads(self.vtysh("show bgp ipv4 unicast community-list speaker-communities exact-match json"))
        with_speaker_communities = set((exact.get("routes") or {}).keys())
        got = {}
        for prefix, paths in (data.get("routes") or {}).items():
            for p in paths:
                if p.get("peerId") != self.ep.speaker_addr:
                    continue
                got[prefix] = Attrs(
                    (p.get("nexthops") or [{}])[0].get("ip", "none"),
                    tuple(int(a) for a in p.get("path", "").split()), p.get("origin", "none").lower(),
                    p.get("metric"), p.get("locPrf"),
                    SPEAKER_COMMUNITIES if prefix in with_speaker_communities else ("(other)",))
        return got

    def announced_attrs(self) -> Attrs:
        # eBGP: FRR's own address as next hop, its AS in front of the prepended one.
        return Attrs(self.ep.daemon_addr, (self.asn, self.asn), DAEMON_ORIGIN, DAEMON_MED, None,
                     (daemon_community(self.asn),))

    def received(self) -> set[str]:
        data = json.loads(self.vtysh("show bgp ipv4 unicast json"))
        got = set()
        for prefix, paths in (data.get("routes") or {}).items():
            # "valid": FRR accepted the path (next hop usable), not just stored it.
            if any(p.get("peerId") == self.ep.speaker_addr and p.get("valid") for p in paths):
                got.add(prefix)
        return got


if __name__ == "__main__":
    sys.exit(harness.main(FRR))
