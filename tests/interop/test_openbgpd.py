#!/usr/bin/env python3
"""Interop: the speaker against OpenBGPD 7 (Debian openbgpd: bgpd + bgpctl).

bgpd needs root (it chroots its session engine and RDE into /run/openbgpd
and drops to the _openbgpd user), so the test creates /run/openbgpd when it
is missing and skips when not root. `bgpd -d` keeps it in the foreground;
`fib-update no` keeps it off the kernel's routing table; `listen on ADDR
port PORT` binds 127.0.4.1:PORT; the control socket is in the test's
directory (`socket` in bgpd.conf, `bgpctl -s`). OpenBGPD 7 denies everything unless
told otherwise: `allow from any` / `allow to any`. It announces its
`network` prefixes with `set nexthop 192.0.2.204` (eBGP).
Routes read with `bgpctl show rib in neighbor ADDR` (Adj-RIB-In: routes
whose next hop it cannot resolve are kept, just not eligible), their
attributes with `bgpctl show rib in neighbor ADDR detail` (it shows
`localpref 100` on eBGP routes, which carry none). Its own routes get their
attributes in `network P set { ... }`. Why the session ended: bgpd's log
line `received notification: ...` (run with -v).
No MD5 here: portable OpenBGPD on Linux does not set TCP_MD5SIG.
"""

import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import (DAEMON_MED, DAEMON_ORIGIN, Attrs, Daemon, Skip, communities,  # noqa: E402
                     daemon_community, run)

CHROOT = Path("/run/openbgpd")


class OpenBGPD(Daemon):
    name = "openbgpd"
    index = 4
    binaries = ("/usr/sbin/bgpd", "bgpctl")
    package = "openbgpd"
    asn = 65004
    md5_default = False
    needs_root = True
    checks_cease = True
    # OpenBGPD's name for Cease subcode 2 (its suberr_cease_names).
    cease_admin_shutdown = "cease, administratively down"
    ebgp_local_pref = 100  # shown on eBGP routes

    @property
    def sock(self):
        return self.dir / "bgpd.sock"

    def config(self) -> str:
        s = self.ep.speaker_addr
        attrs = (f"set {{ origin {DAEMON_ORIGIN} med {DAEMON_MED} community {daemon_community(self.asn)} "
                 f"prepend-self 1 }}")
        nets = "\n".join(f"network {p} {attrs}" for p in self.announce)
        pw = f'  tcp md5sig password "{self.md5}"\n' if self.md5 else ""
        return f"""AS {self.asn}
router-id {self.ep.daemon_addr}
listen on {self.ep.daemon_addr} port {self.ep.daemon_port}
fib-update no
socket "{self.sock}"
{nets}
neighbor {s} {{
  remote-as {self.speaker_as}
  local-address {self.ep.daemon_addr}
  descr "speaker"
  passive
  holdtime 30
{pw}}}
allow from any
allow to any
"""

    def start(self) -> None:
        if os.geteuid() != 0:
            raise Skip("OpenBGPD needs root")
        try:
            CHROOT.mkdir(mode=0o755, exist_ok=True)
        except OSError as e:
            raise Skip(f"cannot create the chroot directory {CHROOT}: {e}")
        conf = self.dir / "bgpd.conf"
        conf.write_text(self.config())
        os.chmod(conf, 0o600)  # bgpd refuses a configuration file others can read? (keep it private)
        self.validate(["/usr/sbin/bgpd", "-n", "-f", str(conf)])
        self.proc = self.runner.spawn("openbgpd", ["/usr/sbin/bgpd", "-d", "-v", "-f", str(conf)],
                                  self.log_path)

    def bgpctl(self, *args: str, timeout: float = 20.0) -> str:
        r = run(["bgpctl", "-s", str(self.sock), *args], timeout=timeout)
        if r.returncode != 0:
            raise OSError(f"bgpctl {' '.join(args)}: {r.stdout.strip()} {r.stderr.strip()}")
        return r.stdout

    def ready(self) -> bool:
        return "Neighbor" in self.bgpctl("show", "summary")

    def established(self) -> bool:
        out = self.bgpctl("show", "neighbor", self.ep.speaker_addr)
        return "BGP state = Established" in out

    def received_attrs(self) -> dict[str, Attrs]:
        # BGP routing table entry for 10.0.0.0/24
        #     65000 65100
        #     Nexthop 192.0.2.1 (via 192.0.2.2) Neighbor speaker (127.0.4.2)
        #     Origin EGP, metric 50, localpref 100, weight 0, ovs not-found, external
        #     Communities: 65010:1 65010:2
        out = self.bgpctl("show", "rib", "in", "neighbor", self.ep.speaker_addr, "detail")
        got = {}
        for block in out.split("BGP routing table entry for ")[1:]:
            lines = [x.strip() for x in block.splitlines()]
            prefix = lines[0]
            path = tuple(int(a) for a in lines[1].split() if a.isdigit())
            nh = re.search(r"Nexthop (\S+)", block)
            origin = re.search(r"Origin (\w+)", block)
            med = re.search(r"metric (\d+)", block)
            lp = re.search(r"localpref (\d+)", block)
            comm = re.search(r"Communities: (.*)", block)
            got[prefix] = Attrs(nh.group(1) if nh else "none", path, origin.group(1).lower() if origin else "none",
                                int(med.group(1)) if med else None, int(lp.group(1)) if lp else None,
                                communities(comm.group(1).split() if comm else ()))
        return got

    def announced_attrs(self) -> Attrs:
        # Its eBGP next hop is its own address; prepend-self 1 plus the eBGP prepend.
        return Attrs(self.ep.daemon_addr, (self.asn, self.asn), DAEMON_ORIGIN, DAEMON_MED, None,
                     (daemon_community(self.asn),))

    def last_notification(self) -> str | None:
        # "neighbor 127.0.4.2 (speaker): received notification: Cease, administrative shutdown"
        for line in reversed(self.log_path.read_text(errors="replace").splitlines()):
            if "received notification" in line:
                return line.split("received notification", 1)[1].strip(": ")
        return ""

    def received(self) -> set[str]:
        out = self.bgpctl("show", "rib", "in", "neighbor", self.ep.speaker_addr)
        got = set()
        for line in out.splitlines():
            for w in line.split()[:3]:
                if "/" in w and w[0].isdigit():
                    got.add(w)
                    break
        return got


if __name__ == "__main__":
    sys.exit(harness.main(OpenBGPD))
