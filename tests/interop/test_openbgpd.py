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
whose next hop it cannot resolve are kept, just not eligible).
No MD5 here: portable OpenBGPD on Linux does not set TCP_MD5SIG.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import Daemon, Skip, run  # noqa: E402

CHROOT = Path("/run/openbgpd")


class OpenBGPD(Daemon):
    name = "openbgpd"
    index = 4
    binaries = ("/usr/sbin/bgpd", "bgpctl")
    package = "openbgpd"
    asn = 65004
    md5_default = False
    needs_root = True

    @property
    def sock(self):
        return self.dir / "bgpd.sock"

    def config(self) -> str:
        s = self.ep.speaker_addr
        nets = "\n".join(f"network {p}" for p in self.announce)
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
