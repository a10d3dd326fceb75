#!/usr/bin/env python3
"""Interop: the speaker against ExaBGP 4.2 (Debian exabgp), with TCP MD5.

A second ExaBGP plays the daemon: passive, `listen PORT` on 127.0.5.1
(tcp.bind/tcp.port in its environment), announcing its routes from a
`static` block, and reporting what it receives as JSON through an api
process (harness.py --tee) into a file, from which the harness rebuilds its
Adj-RIB-In. ExaBGP has no control socket here (api.cli off): "ready" means
its listening socket accepts connections.

The one iBGP session of the interop tests (speaker and ExaBGP both in AS
65005): LOCAL_PREF travels both ways (the speaker's 200, ExaBGP's 300) and
no AS is prepended. ExaBGP's JSON shows every attribute as received, and the
NOTIFICATION that ended the session (`receive { notification; }`).
"""

import socket
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import (DAEMON_LOCAL_PREF, DAEMON_MED, DAEMON_ORIGIN, Attrs, Daemon, EventLog,  # noqa: E402
                     Neighbor, daemon_community, exabgp_env, render_exabgp_config)

# The AS_PATH ExaBGP puts on its routes (iBGP: passed on as configured).
DAEMON_AS_PATH = (64600,)


class ExaBGP(Daemon):
    name = "exabgp"
    index = 5
    binaries = ("exabgp",)
    package = "exabgp"
    asn = 65005
    md5_default = True
    ibgp = True
    checks_cease = True

    def start(self) -> None:
        self.events_path = self.dir / "received.jsonl"
        self.events = EventLog(self.events_path)
        nb = Neighbor(peer=self.ep.speaker_addr, local=self.ep.daemon_addr, local_as=self.asn,
                      peer_as=self.speaker_as, connect_port=0, routes=self.announce,
                      next_hop="192.0.2.205", md5=self.md5, passive=True, listen_port=self.ep.daemon_port,
                      route_words=(f"origin {DAEMON_ORIGIN} as-path [ {' '.join(map(str, DAEMON_AS_PATH))} ] "
                                   f"med {DAEMON_MED} local-preference {DAEMON_LOCAL_PREF} "
                                   f"community [ {daemon_community(self.asn)} ]"))
        conf = self.dir / "exabgp.conf"
        conf.write_text(render_exabgp_config(
            [nb], "received", [sys.executable, str(Path(harness.__file__).resolve()), "--tee", str(self.events_path)]))
        env = exabgp_env(bind=self.ep.daemon_addr, port=self.ep.daemon_port)
        self.proc = self.runner.spawn("exabgp-daemon", ["exabgp", str(conf)], self.log_path, env=env, cwd=self.dir)

    def ready(self) -> bool:
        with socket.create_connection((self.ep.daemon_addr, self.ep.daemon_port), timeout=2):
            return True

    def established(self) -> bool:
        return self.events.is_up(self.ep.speaker_addr)

    def received(self) -> set[str]:
        return set(self.events.adj_rib_in(self.ep.speaker_addr))

    def received_attrs(self) -> dict[str, Attrs]:
        return self.events.adj_rib_in_attrs(self.ep.speaker_addr)

    def announced_attrs(self) -> Attrs:
        return Attrs("192.0.2.205", DAEMON_AS_PATH, DAEMON_ORIGIN, DAEMON_MED, DAEMON_LOCAL_PREF,
                     (daemon_community(self.asn),))

    def last_notification(self) -> str | None:
        self.events.poll()
        got = self.events.notifications.get(self.ep.speaker_addr)
        if not got:
            return ""
        code, subcode = got[-1]
        names = {(6, 2): "Cease/Administrative Shutdown"}
        return names.get((code, subcode), f"code {code} subcode {subcode}")


if __name__ == "__main__":
    sys.exit(harness.main(ExaBGP))
