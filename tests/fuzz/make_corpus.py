#!/usr/bin/env python3
"""Builds the seed corpora of the libFuzzer targets (tests/fuzz/*_fuzz.cpp)
from the repository's own test data and, when present, ../shared (read at
run time, never copied into the repository; $BGPSIM_SHARED_DIR or ../shared):

  make_corpus.py OUT [--shared DIR]

writes OUT/message, OUT/config, OUT/api, OUT/mrt and OUT/pcap, one file a
seed named after its content's hash (so a rerun adds nothing twice)."""
import argparse
import bz2
import gzip
import hashlib
import os
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]
MARKER = re.compile(r"F{32}[0-9A-Fa-f:]*")
QUOTED = re.compile(r"""["']((?:announce|withdraw|neighbor) [^"'\\]*)["']""")
MAX_SEED = 16384  # bytes: libFuzzer's -max_len follows the largest seed


def write(out: pathlib.Path, data: bytes) -> None:
    out.mkdir(parents=True, exist_ok=True)
    data = data[:MAX_SEED]
    (out / hashlib.sha1(data).hexdigest()).write_bytes(data)


def messages(ci: pathlib.Path):
    """The hex messages of a .ci file (raw:, send:, ... lines), in order."""
    for line in ci.read_text(errors="replace").splitlines():
        if line.startswith("#"):
            continue
        m = MARKER.search(line)
        if m:
            digits = m.group(0).replace(":", "")
            if len(digits) % 2 == 0:
                yield bytes.fromhex(digits)


def message_seeds(out: pathlib.Path, ci_files) -> None:
    # The first byte is message_fuzz's context selector: 4-byte ASNs (1),
    # plus add-path (4) for the add-path tests.
    for ci in ci_files:
        msgs = list(messages(ci))
        ctx = 0x05 if "addpath" in ci.name or "add-path" in ci.name else 0x01
        for m in msgs:
            write(out, bytes([ctx]) + m)
        if msgs:  # the whole file as one stream, as a session reads it
            write(out, bytes([ctx]) + b"".join(msgs))


def unpack(path: pathlib.Path) -> bytes:
    if path.suffix == ".gz":
        with gzip.open(path) as f:
            return f.read(MAX_SEED)
    if path.suffix == ".bz2":
        with bz2.open(path) as f:
            return f.read(MAX_SEED)
    with open(path, "rb") as f:
        return f.read(MAX_SEED)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out", type=pathlib.Path)
    default = os.environ.get("BGPSIM_SHARED_DIR", str(ROOT.parent / "shared"))
    p.add_argument("--shared", type=pathlib.Path, default=pathlib.Path(default))
    a = p.parse_args()
    qa = a.shared / "exabgp-qa"
    corpus = a.shared / "corpus"

    message_seeds(a.out / "message", sorted(ROOT.glob("qa/**/*.ci")))
    if qa.is_dir():
        message_seeds(a.out / "message", sorted(qa.glob("**/*.ci")))

    confs = sorted(ROOT.glob("qa/etc/*.conf")) + sorted(ROOT.glob("tests/config/data/*.conf"))
    if qa.is_dir():
        confs += sorted((qa / "etc").glob("*.conf"))
    for c in confs:
        write(a.out / "config", c.read_bytes())

    # API commands: the scripts' lines, the quoted commands of the helpers,
    # and the cmd: lines of the .ci files.
    commands = []
    for s in sorted(ROOT.glob("qa/etc/*.script")):
        commands += [l for l in s.read_text().splitlines() if l.strip() and not l.startswith("#")]
    helpers = sorted(ROOT.glob("qa/etc/run/*"))
    cis = sorted(ROOT.glob("qa/**/*.ci"))
    if qa.is_dir():
        helpers += sorted((qa / "etc" / "run").glob("*"))
        cis += sorted(qa.glob("**/*.ci"))
    for h in helpers:
        if h.is_file():
            commands += QUOTED.findall(h.read_text(errors="replace"))
    for ci in cis:
        for line in ci.read_text(errors="replace").splitlines():
            parts = line.split(":", 2)
            if len(parts) == 3 and parts[1] == "cmd":
                commands.append(parts[2])
    for c in commands:
        write(a.out / "api", c.encode())

    replay_data = ROOT / "tests" / "replay" / "data"
    for f in sorted(replay_data.glob("*.pcap*")):
        write(a.out / "pcap", f.read_bytes())
    if corpus.is_dir():
        for f in sorted((corpus / "pcap").glob("*")):
            write(a.out / "pcap", f.read_bytes())
        for f in sorted((corpus / "mrt").glob("*")):
            write(a.out / "mrt", unpack(f))
    for kind in ("message", "config", "api", "mrt", "pcap"):
        d = a.out / kind
        n = len(list(d.iterdir())) if d.is_dir() else 0
        print(f"{kind}: {n} seeds")


if __name__ == "__main__":
    main()
