#!/usr/bin/env python3
"""Writes a scale scenario (docs/scenarios.md, "Scale"): a two-tier Clos fabric
of SPINES spine speakers and LEAVES leaf speakers, every leaf peering with
every spine over eBGP (the leaf dials), each leaf announcing ROUTES IPv4 /24s;
one virtual hour with faults: every 5 minutes a leaf-spine link partitions
for longer than the hold time, a leaf crashes and restarts, a link resets.

    scenarios/make_clos.py --spines 4 --leaves 60 --routes 100 > /tmp/clos.json
    bgpsim check /tmp/clos.json --seeds 1
"""
import argparse
import json


def address(i):
    # 250 hosts per /24 (no .0 or .255): 10.0.0.1 ... 10.0.3.250 for 1,000 speakers.
    return f"10.{i // 62500 % 256}.{i // 250 % 250}.{i % 250 + 1}"


def asn(i):
    # Private 4-byte ASNs (RFC 6996): 65000 + i would pass 65535 at 536 speakers.
    return 4200000000 + i


def neighbor(self_i, peer_i, routes, passive, hold):
    r = "".join(f"    route {20 + self_i // 256}.{self_i % 256}.{k // 256 % 256}.{k % 256}/32 next-hop self;\n"
                for k in range(routes))
    return (f"neighbor {address(peer_i)} {{\n  router-id {address(self_i)};\n"
            f"  local-address {address(self_i)};\n  local-as {asn(self_i)};\n"
            f"  peer-as {asn(peer_i)};\n  hold-time {hold};\n"
            + ("  passive true;\n  listen 179;\n" if passive else "")
            + f"  static {{\n{r}  }}\n}}\n")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--spines", type=int, default=4)
    p.add_argument("--leaves", type=int, default=60)
    p.add_argument("--routes", type=int, default=100, help="routes per leaf")
    p.add_argument("--minutes", type=int, default=60, help="virtual minutes of faults")
    p.add_argument("--hold-time", type=int, default=9, help="hold time (s) of every session")
    a = p.parse_args()
    spines = list(range(a.spines))
    leaves = list(range(a.spines, a.spines + a.leaves))
    name = lambda i: f"s{i}" if i < a.spines else f"l{i - a.spines}"
    nodes = []
    for s in spines:
        nodes.append({"name": name(s), "address": address(s),
                      "config": "".join(neighbor(s, l, 0, True, a.hold_time) for l in leaves)})
    for l in leaves:
        nodes.append({"name": name(l), "address": address(l),
                      "config": "".join(neighbor(l, s, a.routes, False, a.hold_time) for s in spines)})
    timeline = [{"advance_s": 60}]
    for m in range(5, a.minutes, 5):
        leaf = leaves[(m * 7) % len(leaves)]
        spine = spines[m % len(spines)]
        other = leaves[(m * 13 + 1) % len(leaves)]
        timeline += [
            {"fault": "partition", "between": [name(leaf), name(spine)]},
            {"advance_s": 30},
            {"fault": "heal"},
            {"fault": "crash", "node": name(other)},
            {"advance_s": 20},
            {"fault": "restart", "node": name(other)},
            {"fault": "reset", "between": [name(leaves[(m * 3) % len(leaves)]), name(spine)]},
            {"advance_s": 250},
        ]
    print(json.dumps({"name": f"clos-{a.spines}x{a.leaves}-{a.routes}", "seed": 1,
                      "quiesce_s": 600, "nodes": nodes, "links": [], "timeline": timeline}))


if __name__ == "__main__":
    main()
