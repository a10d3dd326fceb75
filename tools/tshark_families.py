#!/usr/bin/env python3
"""Cross-check bgpsim's decoding of the address families against tshark's
BGP dissector (issue 14), field by field.

    tools/tshark_families.py                     # UPDATEs of every family below
    tools/tshark_families.py --keep out.pcap     # ... and keep the capture
    tools/tshark_families.py FILE.pcap ...       # captures of yours

Without files it writes a capture (LINKTYPE_RAW, IPv4/TCP port 179) holding
an OPEN each way and UPDATEs built from the RFCs' formats: IPv4 unicast,
labeled unicast (RFC 8277), VPNv4 announce and withdraw (RFC 4364),
flowspec (RFC 8955), EVPN MAC/IP and IP prefix routes (RFC 7432, RFC 9136),
BGP-LS node, link and prefix NLRI with their BGP-LS attribute (RFC 9552),
and an IPv4 SR Policy announced with its Tunnel Encapsulation attribute and
withdrawn (RFC 9830, RFC 9012). Then `bgpsim replay decode` and `tshark -T json -O bgp` read the same
file and, for each UPDATE, these are compared:

  - the number of NLRI announced and withdrawn per family;
  - IPv4 prefixes (unicast, labeled, VPN: the prefix after labels and RD);
  - route distinguishers and labels of VPN and labeled routes;
  - EVPN route types, MACs, IPs and labels;
  - BGP-LS NLRI types, protocol IDs, identifiers and prefixes;
  - flowspec destination prefixes;
  - SR Policy distinguishers, colors and endpoints, and the attribute's
    preference, binding SID, segment list weights and type A labels.

A mismatch prints both sides and the script exits 1; a UPDATE that tshark
marks malformed (_ws.malformed or an expert error) is a mismatch too. Exit 77
when tshark is missing. Python 3 standard library only.
"""

from __future__ import annotations

import argparse
import json
import shutil
import struct
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# ------------------------------------------------------------------ building


def attr(flags: int, code: int, value: bytes) -> bytes:
    flags &= ~0x10  # Extended Length exactly when the value needs it
    if len(value) > 255:
        return struct.pack("!BBH", flags | 0x10, code, len(value)) + value
    return struct.pack("!BBB", flags, code, len(value)) + value


BASE = attr(0x40, 1, b"\x00") + attr(0x40, 2, bytes.fromhex("0202 0000FDE9 0000FDEA".replace(" ", "")))


def update(attrs: bytes, nlri: bytes = b"", withdrawn: bytes = b"") -> bytes:
    body = struct.pack("!H", len(withdrawn)) + withdrawn + struct.pack("!H", len(attrs)) + attrs + nlri
    return b"\xff" * 16 + struct.pack("!HB", 19 + len(body), 2) + body


def mp_reach(afi: int, safi: int, next_hop: bytes, nlri: bytes) -> bytes:
    return attr(0x80, 14, struct.pack("!HBB", afi, safi, len(next_hop)) + next_hop + b"\x00" + nlri)


def mp_unreach(afi: int, safi: int, nlri: bytes) -> bytes:
    return attr(0x80, 15, struct.pack("!HB", afi, safi) + nlri)


def h(text: str) -> bytes:
    return bytes.fromhex(text.replace(" ", ""))


def label(value: int, bottom: bool = True) -> bytes:
    return struct.pack("!I", (value << 4) | int(bottom))[1:]


RD = h("0000FDE800000001")  # 65000:1
NH4 = h("C0000201")


def vpn_nlri(lab: int, prefix: bytes, bits: int) -> bytes:
    return bytes([24 + 64 + bits]) + label(lab) + RD + prefix


def open_message(asn: int, router_id: bytes, families: list[tuple[int, int]]) -> bytes:
    caps = b"".join(b"\x01\x04" + struct.pack("!HBB", a, 0, s) for a, s in families)
    caps += b"\x41\x04" + struct.pack("!I", asn)
    params = bytes([2, len(caps)]) + caps
    body = struct.pack("!BHH", 4, 23456 if asn > 65535 else asn, 90) + router_id + bytes([len(params)]) + params
    return b"\xff" * 16 + struct.pack("!HB", 19 + len(body), 1) + body


FLOW = h("0118 0A0100 0210 C0A8 0381 06 0591 0050 0A93 0040")
EVPN_MAC_IP = h("0225 0000FDE800000001 00000000000000000000 00000000 30 00005E000001 20 0A000001 003E81")
EVPN_PREFIX = h("0522 0000FDE800000001 00000000000000000000 00000000 18 0A020000 00000000 003E81")
LS_NODE = h("0001 0027 02 0000000000000000 0100 001A 0200 0004 0000FDE8 0201 0004 00000000 0203 0006 000000000001")
LS_LINK = h(
    "0002 0055 02 0000000000000000"
    "0100 001A 0200 0004 0000FDE8 0201 0004 00000000 0203 0006 000000000001"
    "0101 001A 0200 0004 0000FDE8 0201 0004 00000000 0203 0006 000000000002"
    "0103 0004 C0000001 0104 0004 C0000002"
)
LS_PREFIX = h(
    "0003 002F 02 0000000000000000 0100 001A 0200 0004 0000FDE8 0201 0004 00000000 0203 0006 000000000001"
    "0109 0004 18 0A0300"
)
LS_NODE_ATTR = h("0400 0001 00 0402 0004 72747231 0404 0004 0A000001 040A 000C 0000 001F40 0489 0003 003E80")
LS_LINK_ATTR = h("0440 0004 00000001 0441 0004 4E9502F9 0444 0004 0000000A 0447 0003 00000A 044B 0007 30 00 0000 005DC0")
LS_PREFIX_ATTR = h("0480 0001 00 0483 0004 0000000A 0486 0008 40 00 0000 00000064")
# SR Policy (RFC 9830): NLRI of 96 bits (distinguisher, color, endpoint), and the
# Tunnel Encapsulation attribute (RFC 9012) with preference, binding SID and one
# segment list (weight, type A label 16001) -- ExaBGP's conf-sr-policy.ci route.
SR_POLICY = h("60 00000000 00000064 0A000001")
TUNNEL_ENCAP = h("000F0024 0C06 0000 00000064 0D06 0000 05DC0000 800011 00 0906 0000 00000001 0106 0000 03E81000")


def messages() -> list[bytes]:
    families = [(1, 1), (1, 4), (1, 128), (1, 133), (25, 70), (16388, 71), (1, 73)]
    return [
        open_message(65001, h("01010101"), families),
        update(BASE + attr(0x40, 3, NH4), nlri=h("18 0A0000 10 AC10")),
        update(BASE + mp_reach(1, 4, NH4, bytes([48]) + label(1001) + h("0A0400"))),
        update(BASE + mp_reach(1, 128, bytes(8) + NH4, vpn_nlri(1000, h("0A0100"), 24) + vpn_nlri(1002, h("0A01"), 16))),
        update(mp_unreach(1, 128, bytes([24 + 64 + 24]) + h("800000") + RD + h("0A0100"))),
        update(BASE + mp_reach(1, 133, b"", bytes([len(FLOW)]) + FLOW) + attr(0xC0, 16, h("8006000000000000"))),
        update(BASE + mp_reach(25, 70, NH4, EVPN_MAC_IP + EVPN_PREFIX) + attr(0xC0, 16, h("0002FDE800000001"))),
        update(BASE + mp_reach(16388, 71, NH4, LS_NODE) + attr(0x80, 29, LS_NODE_ATTR)),
        update(BASE + mp_reach(16388, 71, NH4, LS_LINK) + attr(0x80, 29, LS_LINK_ATTR)),
        update(BASE + mp_reach(16388, 71, NH4, LS_PREFIX) + attr(0x80, 29, LS_PREFIX_ATTR)),
        update(BASE + attr(0xC0, 23, TUNNEL_ENCAP) + mp_reach(1, 73, NH4, SR_POLICY)),
        update(mp_unreach(1, 73, SR_POLICY)),
    ]


def write_pcap(path: Path, a_to_b: list[bytes], b_to_a: list[bytes]) -> None:
    """LINKTYPE_RAW: IPv4 and TCP headers around each message, sequence numbers running on."""
    a, b = h("C0000201"), h("C0000202")
    seq = {"ab": 1000, "ba": 5000}
    records = []
    stream = [("ab", m) for m in a_to_b[:1]] + [("ba", m) for m in b_to_a] + [("ab", m) for m in a_to_b[1:]]
    for n, (way, payload) in enumerate(stream):
        src, dst, sport, dport = (a, b, 179, 40000) if way == "ab" else (b, a, 40000, 179)
        other = "ba" if way == "ab" else "ab"
        tcp = struct.pack("!HHIIBBHHH", sport, dport, seq[way], seq[other], 5 << 4, 0x18, 65535, 0, 0)
        total = 20 + len(tcp) + len(payload)
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, n, 0, 64, 6, 0, src, dst)
        s = sum(struct.unpack("!10H", ip))
        while s > 0xFFFF:
            s = (s & 0xFFFF) + (s >> 16)
        ip = ip[:10] + struct.pack("!H", ~s & 0xFFFF) + ip[12:]
        packet = ip + tcp + payload
        records.append(struct.pack("<IIII", 1_700_000_000 + n, 0, len(packet), len(packet)) + packet)
        seq[way] += len(payload)
    header = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 101)
    path.write_bytes(header + b"".join(records))


# ------------------------------------------------------------------ reading


def ours(bgpsim: str, f: Path) -> tuple[list[dict], set[int]]:
    """Per UPDATE: family -> {"announce": [...], "withdraw": [...]} of comparable
    tuples; and the sessions' TCP ports (for tshark, which dissects port 179 only)."""
    out = subprocess.run([bgpsim, "replay", "decode", str(f)], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"bgpsim replay decode failed: {out.stderr}")
    updates, ports = [], set()
    for line in out.stdout.splitlines():
        j = json.loads(line)
        if j.get("type") == "summary":
            ports |= {j["a"]["port"], j["b"]["port"]}
        if j.get("type") != "message":
            continue
        if "error" in j and j.get("hex", "")[36:38] == "02":  # an UPDATE bgpsim refused
            updates.append({"bgpsim error": {"announce": [j["error"]["reason"]], "withdraw": []}})
            continue
        if j.get("exabgp", {}).get("type") != "update":
            continue
        # End-of-RIB markers are UPDATEs with no routes ({"eor": ...} in ExaBGP's JSON).
        u = j["exabgp"]["neighbor"]["message"].get("update", {})
        seen: dict = defaultdict(lambda: {"announce": [], "withdraw": []})
        if "tunnel-encap" in u.get("attribute", {}):
            seen["tunnel-encap"]["announce"].append(our_tunnel(u["attribute"]["tunnel-encap"]))
        for family, hops in u.get("announce", {}).items():
            for routes in hops.values():
                seen[family]["announce"] += [our_key(family, r, False) for r in routes]
        for family, routes in u.get("withdraw", {}).items():
            seen[family]["withdraw"] += [our_key(family, r, True) for r in routes]
        updates.append(dict(seen))
    return updates, ports


def our_key(family: str, r: dict, withdraw: bool) -> tuple:
    if family.startswith(("ipv4 ", "ipv6 ")) and family.split()[1] in ("unicast", "multicast", "nlri-mpls", "mpls-vpn"):
        # A withdrawal's label field is RFC 8277's 0x800000, not a label: left out.
        labels = () if withdraw else tuple(x[0] if isinstance(x, list) else x for x in r.get("label", []))
        return (r["nlri"], r.get("rd"), labels)
    if family == "l2vpn evpn":
        labels = tuple(x[0] for x in r.get("label", []))
        ip = f'{r["ip"]}/{r["iplen"]}' if r.get("code") == 5 else r.get("ip")
        return (r["code"], r.get("rd"), r.get("mac", "").lower() or None, ip, labels)
    if family.startswith("bgp-ls"):
        return (r.get("ls-nlri-type"), r.get("protocol-id"), r.get("l3-routing-topology"), r.get("ip-reach-prefix"))
    if family == "ipv4 flow":
        return (tuple(r.get("destination-ipv4", [])),)
    if family.endswith("sr-policy"):
        return (r["distinguisher"], r["color"], r["endpoint"])
    return (json.dumps(r, sort_keys=True),)


def our_tunnel(t: dict) -> tuple:
    """SR Policy: preference, MPLS binding SID, each segment list's weight and type A labels."""
    p = t.get("sr-policy", {})
    bsid = p.get("binding-sid")
    lists = tuple((sl["weight"], tuple(s["label"] for s in sl["segments"] if s["type"] == "A"))
                  for sl in p.get("segment-lists", []))
    return (p.get("preference"), bsid.get("label") if isinstance(bsid, dict) else None, lists)


# tshark's JSON repeats keys (one "bgp.update.path_attribute" per attribute),
# so it is read as lists of (key, value) pairs.


def walk(node, key: str):
    """Every value under `key`, depth first, in order."""
    if isinstance(node, list):
        for item in node:
            if isinstance(item, tuple):
                k, v = item
                if k == key:
                    yield v
                yield from walk(v, key)
            else:
                yield from walk(item, key)


def first(node, key: str):
    return next(walk(node, key), None)


def rd_text(colon_hex: str | None) -> str | None:
    """tshark's EVPN RD ("00:00:fd:e8:00:00:00:01") as ExaBGP prints it."""
    if not colon_hex:
        return None
    b = bytes.fromhex(colon_hex.replace(":", ""))
    kind = int.from_bytes(b[:2], "big")
    if kind == 0:
        return f"{int.from_bytes(b[2:4], 'big')}:{int.from_bytes(b[4:], 'big')}"
    if kind == 1:
        return f"{'.'.join(str(x) for x in b[2:6])}:{int.from_bytes(b[6:], 'big')}"
    return f"{int.from_bytes(b[2:6], 'big')}:{int.from_bytes(b[6:], 'big')}"


LS_TYPES = {"1": "bgpls-node", "2": "bgpls-link", "3": "bgpls-prefix-v4", "4": "bgpls-prefix-v6"}
FAMILIES = {("1", "1"): "ipv4 unicast", ("1", "2"): "ipv4 multicast", ("1", "4"): "ipv4 nlri-mpls",
            ("1", "128"): "ipv4 mpls-vpn", ("1", "133"): "ipv4 flow", ("2", "1"): "ipv6 unicast",
            ("2", "2"): "ipv6 multicast", ("2", "4"): "ipv6 nlri-mpls", ("2", "128"): "ipv6 mpls-vpn",
            ("25", "70"): "l2vpn evpn", ("16388", "71"): "bgp-ls bgp-ls", ("1", "73"): "ipv4 sr-policy",
            ("2", "73"): "ipv6 sr-policy"}
TE = "bgp.update.encaps_tunnel_tlv_subtlv."


def hex_number(colon_hex: str) -> int:
    return int(colon_hex.replace(":", "").replace("0x", ""), 16)


def their_tunnel(pa) -> tuple:
    pref = first(pa, TE + "pref.preference")
    bsid = first(pa, TE + "binding_sid.sid")
    lists = []
    for tree in walk(pa, TE + "segment_list.subtlv_tree"):
        weight, labels = None, []
        for _, sub in tree:
            t = first(sub, TE + "segment_list.subtlv.type")
            if t == "9":
                weight = hex_number(first(sub, TE + "segment_list.subtlv.data")) & 0xFFFFFFFF
            elif t == "1":
                labels.append(hex_number(first(sub, TE + "segment_list_subtlv.mpls_label")))
        lists.append((weight, tuple(labels)))
    return (hex_number(pref) if pref else None, hex_number(bsid) >> 12 if bsid else None, tuple(lists))


def theirs(tshark: str, f: Path, ports: set[int]) -> tuple[list[dict], list[str]]:
    # A session on another port than 179 is BGP only if tshark is told so.
    decode_as = [a for p in sorted(ports) if p != 179 for a in ("-d", f"tcp.port=={p},bgp")]
    out = subprocess.run([tshark, "-r", str(f), "-T", "json", "-O", "bgp", *decode_as], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"tshark failed: {out.stderr}")
    updates, problems = [], []
    for packet in json.loads(out.stdout, object_pairs_hook=list):
        number = first(packet, "frame.number")
        # PI_ERROR (0x00800000): a malformed field; warnings and notes are not counted.
        errors = [first(e, "_ws.expert.message") for e in walk(packet, "_ws.expert")
                  if first(e, "_ws.expert.severity") == "8388608"]
        malformed = len(list(walk(packet, "_ws.malformed")))
        if any(m.startswith("Unknown SAFI (73)") for m in errors):
            # tshark 4.0 dissects SR Policy NLRI but not their next hop
            # (RFC 9830 2.3: an IPv4 or IPv6 address) and calls it malformed:
            # not the packet's fault.
            errors = [m for m in errors if not m.startswith(("Unknown SAFI (73)", "Unknown Next Hop length"))]
            malformed -= sum(len(list(walk(t, "_ws.malformed")))
                             for t in walk(packet, "bgp.update.path_attribute.mp_reach_nlri.next_hop_tree"))
        if malformed or errors:
            problems.append(f"packet {number}: tshark reports a malformed packet or an expert error: {errors}")
        for b in walk(packet, "bgp"):
            if first(b, "bgp.type") != "2":
                continue
            seen: dict = defaultdict(lambda: {"announce": [], "withdraw": []})
            for key, way in (("bgp.update.nlri", "announce"), ("bgp.update.withdrawn_routes", "withdraw")):
                for block in walk(b, key):
                    for _, p in block:
                        seen["ipv4 unicast"][way].append(
                            (f"{first(p, 'bgp.nlri_prefix') or first(p, 'bgp.withdrawn_prefix')}/"
                             f"{first(p, 'bgp.prefix_length')}", None, ()))
            for pa in walk(b, "bgp.update.path_attribute"):
                code = first(pa, "bgp.update.path_attribute.type_code")
                if code == "23":
                    seen["tunnel-encap"]["announce"].append(their_tunnel(pa))
                if code not in ("14", "15"):
                    continue
                kind = "mp_reach_nlri" if code == "14" else "mp_unreach_nlri"
                afi = first(pa, f"bgp.update.path_attribute.{kind}.afi")
                safi = first(pa, f"bgp.update.path_attribute.{kind}.safi")
                family = FAMILIES.get((afi, safi), f"{afi}/{safi}")
                block = first(pa, f"bgp.update.path_attribute.{kind}") or []
                seen[family]["announce" if code == "14" else "withdraw"] += their_keys(
                    family, block, kind, code == "15")
            updates.append(dict(seen))
    return updates, problems


def their_keys(family: str, block: list, kind: str, withdraw: bool) -> list[tuple]:
    keys = []
    if family in ("ipv4 unicast", "ipv6 unicast", "ipv4 multicast", "ipv6 multicast"):
        v = "ipv4" if family.startswith("ipv4") else "ipv6"
        for _, nlri in block:
            keys.append((f"{first(nlri, f'bgp.{kind}_{v}_prefix')}/{first(nlri, 'bgp.prefix_length')}", None, ()))
    elif family in ("ipv4 nlri-mpls", "ipv4 mpls-vpn", "ipv6 nlri-mpls", "ipv6 mpls-vpn"):
        v = "ipv4" if family.startswith("ipv4") else "ipv6"
        for _, nlri in block:
            stack = first(nlri, "bgp.label_stack") or ""
            labels = tuple(int(x) for x in stack.replace(",", " ").split() if x.isdigit())
            rd = first(nlri, "bgp.rd")
            bits = int(first(nlri, "bgp.prefix_length")) - 24 * max(1, len(labels)) - (64 if rd else 0)
            keys.append((f"{first(nlri, f'bgp.{kind}_{v}_prefix')}/{bits}", rd, () if withdraw else labels))
    elif family == "l2vpn evpn":
        for nlri in walk(block, "bgp.evpn.nlri"):
            rt = int(first(nlri, "bgp.evpn.nlri.rt"))
            ip = first(nlri, "bgp.evpn.nlri.ip.addr")
            if rt == 5:
                ip = f"{ip}/{first(nlri, 'bgp.evpn.nlri.prefix_len')}"
            # tshark 4.0 shows a type 5 route's label field as its raw 24 bits
            # (label << 4 | bottom of stack); the label is the top 20 (RFC 9136
            # 3.1 by RFC 7432's encoding, as ExaBGP shows it).
            labels = tuple(int(x) for x in walk(nlri, "bgp.evpn.nlri.mpls_ls1")) + tuple(
                int(x) >> 4 for x in walk(nlri, "bgp.update.path_attribute.mpls_label_value"))
            keys.append((rt, rd_text(first(nlri, "bgp.evpn.nlri.rd")), first(nlri, "bgp.evpn.nlri.mac_addr"),
                         ip, labels))
    elif family.startswith("bgp-ls"):
        for nlri in walk(block, "bgp.ls.nlri"):
            t = first(nlri, "bgp.ls.nlri_type")
            proto = first(nlri, "bgp.ls.nlri_node.protocol_id")
            ident = first(nlri, "bgp.ls.nlri_node.identifier")
            reach = first(nlri, "bgp.ls.tlv.ip_reachability_information")
            prefix = first(reach, "bgp.ls.nlri_ip_reachability_prefix_ip") or first(
                reach, "bgp.ls.nlri_ipv6_reachability_prefix_ip")
            plen = first(reach, "bgp.prefix_length")
            keys.append((LS_TYPES.get(t, t), int(proto) if proto else None, int(ident) if ident else None,
                         f"{prefix}/{plen}" if prefix else None))
    elif family == "ipv4 flow":
        for nlri in walk(block, "bgp.flowspec_nlri_tree"):
            dst = [f"{first(f, 'bgp.flowspec_nlri.dst_prefix_filter')}/{first(f, 'bgp.prefix_length')}"
                   for f in walk(nlri, "bgp.flowspec_nlri.filter") if first(f, "bgp.flowspec_nlri.filter_type") == "1"]
            keys.append((tuple(dst),))
    elif family.endswith("sr-policy"):
        ends = list(walk(block, "bgp.sr_policy_nlri_endpoint_ipv4")) + list(
            walk(block, "bgp.sr_policy_nlri_endpoint_ipv6"))
        keys += [(hex_number(d), hex_number(c), e) for d, c, e in zip(
            walk(block, "bgp.sr_policy_nlri_distinguisher"), walk(block, "bgp.sr_policy_nlri_policy_color"), ends)]
    else:
        keys += [(json.dumps(n),) for n in block]
    return keys


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--bgpsim", default=str(ROOT / "build/dev/tools/bgpsim"))
    ap.add_argument("--tshark", default=shutil.which("tshark") or "tshark")
    ap.add_argument("--keep", type=Path, help="write the built capture here")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    if not shutil.which(args.tshark):
        print("tshark_families: tshark not found (apt-get install tshark)", file=sys.stderr)
        return 77
    with tempfile.TemporaryDirectory() as tmp:
        files = args.files
        if not files:
            f = args.keep or Path(tmp) / "families.pcap"
            write_pcap(f, messages(), [open_message(65002, h("02020202"), [(1, 1)])])
            files = [f]
        bad = 0
        for f in files:
            a, ports = ours(args.bgpsim, f)
            b, problems = theirs(args.tshark, f, ports)
            for p in problems:
                print(f"{f}: {p}")
                bad += 1
            if len(a) != len(b):
                print(f"{f}: {len(a)} UPDATEs decoded by bgpsim, {len(b)} by tshark")
                bad += 1
            for i, (x, y) in enumerate(zip(a, b), 1):
                for family in sorted(set(x) | set(y)):
                    for way in ("announce", "withdraw"):
                        ox = x.get(family, {}).get(way, [])
                        ty = y.get(family, {}).get(way, [])
                        same = ox == ty
                        if args.verbose or not same:
                            print(f"{f.name} UPDATE {i} {family} {way}: {'same' if same else 'DIFFER'}"
                                  f"\n  bgpsim {ox}\n  tshark {ty}")
                        bad += not same
            print(f"{f}: {len(a)} UPDATEs, {bad} mismatches")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
