#!/usr/bin/env python3
"""Mutation check: plant known bugs one at a time, run the tests that should
catch each, and report which mutants survive.

    tools/mutate.py                 # every mutant
    tools/mutate.py -k fsm -k rib   # mutants whose name contains "fsm" or "rib"
    tools/mutate.py --list          # the mutants, their files and test regexes
    tools/mutate.py --report FILE   # also write the table as Markdown
    tools/mutate.py --in-place --build-dir build/dev -k nlri   # reuse a build (nobody else editing)

Python 3 standard library only. Not a ctest case: a full run rebuilds a few
objects per mutant and takes minutes.

Where the mutants are planted. Other people's uncommitted work lives in the
working tree, and other build directories compile from it, so by default the
script never writes the working tree: it configures build/mutate/build from a
shadow source tree, build/mutate/src, made of one symlink per source file
(nothing is copied). A mutated file's symlink is replaced by a real file
holding the mutant; afterwards the same real file is rewritten with the
pristine content read from the working tree at the start (the new mtime makes
ninja rebuild it). With --in-place the mutants are written into the working
tree itself and restored from the in-memory copy the same way, on success,
failure, exception, SIGINT, SIGTERM or SIGHUP; a copy of each pristine file is
also kept in build/mutate/pristine/ in case the process is killed with
SIGKILL. Either way every touched file is compared byte for byte with its
pristine copy at the end, and the script fails if one differs.

For each mutant only the test binaries it lists are rebuilt (ninja rebuilds
the one mutated object and relinks), and ctest runs its regex; the script
checks that every test the regex selects belongs to one of those binaries,
so no stale binary is ever run. A baseline run on the pristine sources must
pass first, or the results would mean nothing.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "build" / "mutate"
SKIP_TOP = {".git", "build"}


@dataclasses.dataclass
class Mutant:
    name: str
    what: str
    file: str  # relative to the source root
    edits: list[tuple[str, str]]  # (old, new): old must occur exactly once
    targets: list[str]  # test binaries to rebuild
    regex: str  # ctest -R


FSM = ["session_tests"]
WIRE = ["wire_tests"]
RIB = ["rib_tests"]

MUTANTS = [
    Mutant("fsm-keepalive-no-hold-restart",
           "Established: a KEEPALIVE received does not restart the HoldTimer",
           "speaker/session/fsm.cpp",
           [("[&](const KeepaliveReceived&) { restart_hold(); },",
             "[&](const KeepaliveReceived&) {},")],
           FSM, r"^Fsm"),
    Mutant("fsm-update-no-hold-restart",
           "Established: an UPDATE received does not restart the HoldTimer",
           "speaker/session/fsm.cpp",
           [("[&](const UpdateReceived&) { restart_hold(); },",
             "[&](const UpdateReceived&) {},")],
           FSM, r"^Fsm"),
    Mutant("fsm-update-accepted-in-openconfirm",
           "OpenConfirm: an UPDATE is accepted (HoldTimer restarted) instead of an FSM Error",
           "speaker/session/fsm.cpp",
           [('unexpected("UPDATE", wire::fsm_error::unexpected_in_openconfirm);',
             "restart_hold();")],
           FSM, r"^Fsm"),
    Mutant("fsm-close-before-notification",
           "leaving a BGP connection: CloseConnection before the NOTIFICATION",
           "speaker/session/fsm.cpp",
           [("    if (sent) out_.push_back(SendNotification{*sent});\n"
             "    if (from != State::active) out_.push_back(CloseConnection{});\n",
             "    if (from != State::active) out_.push_back(CloseConnection{});\n"
             "    if (sent) out_.push_back(SendNotification{*sent});\n")],
           FSM, r"^Fsm"),
    Mutant("fsm-backoff-no-doubling",
           "the back-off stays at the minimum instead of doubling",
           "speaker/session/fsm.cpp",
           [("++i) delay_s *= 2;", "++i) delay_s *= 1;")],
           FSM, r"^Fsm"),
    Mutant("fsm-jitter-tenfold",
           "back-off jitter ten times the configured percentage",
           "speaker/session/fsm.cpp",
           [("permille / 100000);", "permille / 10000);")],
           FSM, r"^Fsm"),
    Mutant("fsm-failures-never-reset",
           "a long-lived session does not reset the failure count",
           "speaker/session/fsm.cpp",
           [("      s_.failures = 0;  // the session was healthy for a while: start afresh",
             "      (void)0;  // mutant")],
           FSM, r"^Fsm"),
    Mutant("fsm-reconnect-busy-loop",
           "a Start right after a Connect connects again at once",
           "speaker/session/fsm.cpp",
           [("    if (now_ < earliest) {", "    if (now_ < earliest && false) {")],
           FSM, r"^Fsm"),
    Mutant("keepalive-interval-half-hold",
           "the KeepaliveTimer is hold time / 2 instead of / 3",
           "speaker/session/negotiate.cpp",
           [("n.hold_time_s / 3);", "n.hold_time_s / 2);")],
           FSM, r"^(Fsm|Negotiate|MakeOpen|Collision|ConfigError)"),
    Mutant("asn4-capability-ignored",
           "the 4-byte ASN capability is never used even when both sides send it",
           "speaker/session/negotiate.cpp",
           [("n.receive.four_octet_asn = n.send.four_octet_asn = asn4;",
             "n.receive.four_octet_asn = n.send.four_octet_asn = asn4 && false;")],
           FSM, r"^(Fsm|Negotiate|MakeOpen|Collision|ConfigError)"),
    Mutant("rib-out-withdraw-dropped",
           "Adj-RIB-Out: withdrawing a route queues no withdrawal",
           "speaker/rib/adj_rib_out.cpp",
           [("  if (routes_.erase(key)) dirty_.insert(key);", "  routes_.erase(key);")],
           RIB, r"."),
    Mutant("update-builder-drops-withdrawn",
           "the UPDATE builder leaves out the IPv4 withdrawn routes",
           "speaker/rib/adj_rib_out.cpp",
           [("u.withdrawn = std::move(run);", "(void)run;")],
           RIB, r"."),
    Mutant("update-builder-drops-mp-withdraw",
           "the UPDATE builder sends MP_UNREACH_NLRI without its prefixes",
           "speaker/rib/adj_rib_out.cpp",
           [("u.attributes.mp_unreach = MpUnreach{family, std::move(run), {}};",
             "u.attributes.mp_unreach = MpUnreach{family, {}, {}};")],
           RIB, r"."),
    Mutant("attribute-codes-swapped",
           "MED and LOCAL_PREF swap type codes in the attribute table",
           "speaker/wire/attributes.cpp",
           [('{attr::med, "MULTI_EXIT_DISC"', '{attr::local_pref, "MULTI_EXIT_DISC"'),
            ('{attr::local_pref, "LOCAL_PREF"', '{attr::med, "LOCAL_PREF"')],
           WIRE, r"."),
    Mutant("rfc7606-aggregator-withdraw",
           "a malformed AGGREGATOR withdraws the route instead of being discarded (RFC 7606 7.7)",
           "speaker/wire/attributes.cpp",
           [('{attr::aggregator, "AGGREGATOR", optional_transitive, discard, withdraw,',
             '{attr::aggregator, "AGGREGATOR", optional_transitive, withdraw, withdraw,')],
           ["reactor_tests"], r"^MaliciousPeer"),
    Mutant("nlri-prefix-octets-off-by-one",
           "prefix decoding reads (length + 8) / 8 octets",
           "speaker/wire/family_prefix.hpp",
           [("const std::size_t octets = (bits + 7u) / 8u;",
             "const std::size_t octets = (bits + 8u) / 8u;")],
           WIRE, r"."),
    Mutant("nlri-max-length-off-by-one",
           "a /32 (/128) prefix is refused as too long",
           "speaker/wire/family_prefix.hpp",
           [("      if (bits > max_prefix_bits)\n", "      if (bits >= max_prefix_bits)\n")],
           WIRE, r"."),
    Mutant("framing-marker-unchecked",
           "framing accepts a header whose marker is not all ones",
           "speaker/wire/message.cpp",
           [("      if (stream[i] != 0xFF)", "      if (stream[i] != 0xFF && false)")],
           WIRE, r"."),
    Mutant("framing-full-marker-unchecked",
           "a whole header with a wrong marker is framed as a message",
           "speaker/wire/message.cpp",
           [("    if (*r.u8() != 0xFF)\n", "    if (*r.u8() != 0xFF && false)\n")],
           WIRE, r"."),
]


class Interrupted(Exception):
    pass


def on_signal(signum, _frame):
    raise Interrupted(f"signal {signum}")


def run(cmd, log, **kw):
    with open(log, "a") as f:
        f.write("$ " + " ".join(map(str, cmd)) + "\n")
        f.flush()
        return subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, **kw).returncode


def sync_shadow(src: Path, real: set[str]):
    """build/mutate/src: the working tree as symlinks, one per file. Run before
    every build, since others add and remove files while the script runs; the
    files in `real` (mutated, now real files holding the last pristine
    content) are left alone."""
    seen = set()
    for dirpath, dirnames, filenames in os.walk(ROOT):
        rel = Path(dirpath).relative_to(ROOT)
        if rel == Path("."):
            dirnames[:] = [d for d in dirnames if d not in SKIP_TOP]
        (src / rel).mkdir(parents=True, exist_ok=True)
        for name in filenames:
            seen.add(str(rel / name))
            link = src / rel / name
            if str(rel / name) not in real and not link.is_symlink():
                if link.exists():
                    link.unlink()
                link.symlink_to(Path(dirpath) / name)
    for dirpath, _, filenames in os.walk(src):
        for name in filenames:
            link = Path(dirpath) / name
            if str(link.relative_to(src)) not in seen and link.is_symlink():
                link.unlink()


def apply(text: str, m: Mutant) -> str:
    for old, new in m.edits:
        count = text.count(old)
        if count != 1:
            raise ValueError(f"{m.name}: {m.file}: the text to mutate occurs {count} times: {old!r}")
        text = text.replace(old, new)
    return text


def write(path: Path, data: bytes):
    if path.is_symlink():
        path.unlink()
    with open(path, "wb") as f:
        f.write(data)


def select(build: Path, regex: str, targets: list[str]) -> list[tuple[int, str]]:
    """(ctest number, name) of the tests that match `regex` and belong to one of
    the rebuilt `targets`: a test of any other binary could be stale."""
    out = subprocess.run(["ctest", "--test-dir", str(build), "--show-only=json-v1"],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"ctest --show-only failed: {out.stderr.strip()}")
    chosen = []
    for number, test in enumerate(json.loads(out.stdout).get("tests", []), start=1):
        exe = Path((test.get("command") or ["?"])[0]).name
        if exe in targets and re.search(regex, test["name"]):
            chosen.append((number, test["name"]))
    return chosen


def run_tests(build: Path, regex: str, targets: list[str], log: Path) -> tuple[int, list[str]]:
    chosen = select(build, regex, targets)
    if not chosen:
        raise RuntimeError(f"regex {regex!r} selects no test of {targets}")
    junit = WORK / "last.xml"
    if junit.exists():
        junit.unlink()
    env = dict(os.environ, RC_PARAMS=os.environ.get("RC_PARAMS", "max_success=1000"))
    env.setdefault("BGPSIM_SHARED_DIR", str(ROOT.parent / "shared"))
    numbers = ",".join(str(n) for n, _ in chosen)
    run(["ctest", "--test-dir", str(build), "-I", f"0,0,0,{numbers}", "-j2", "--timeout", "300",
         "--output-junit", str(junit)], log, env=env)
    if not junit.exists():
        raise RuntimeError(f"ctest wrote no report, see {log}")
    failed = []
    for case in ET.parse(junit).getroot().iter("testcase"):
        if case.get("status") == "fail" or case.find("failure") is not None:
            failed.append(case.get("name"))
    return len(chosen), sorted(failed)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-k", action="append", default=[], help="run only mutants whose name contains this (repeatable: any of them)")
    ap.add_argument("--list", action="store_true", help="list the mutants and exit")
    ap.add_argument("--in-place", action="store_true",
                    help="mutate the working tree itself (restored afterwards)")
    ap.add_argument("--report", type=Path, help="write the result table as Markdown here")
    ap.add_argument("--skip-baseline", action="store_true", help="do not run the pristine baseline")
    ap.add_argument("--build-dir", type=Path,
                    help="with --in-place: an already configured build of the working tree "
                         "(e.g. build/dev) instead of configuring build/mutate/build")
    args = ap.parse_args()
    if args.build_dir and not args.in_place:
        ap.error("--build-dir builds the working tree itself, so it needs --in-place")

    mutants = [m for m in MUTANTS if not args.k or any(k in m.name for k in args.k)]
    if args.list:
        for m in mutants:
            print(f"{m.name:36} {m.file:32} {' '.join(m.targets):14} {m.regex}\n    {m.what}")
        return 0

    WORK.mkdir(parents=True, exist_ok=True)
    log = WORK / "mutate.log"
    log.write_text("")
    src = ROOT if args.in_place else WORK / "src"
    build = args.build_dir.resolve() if args.build_dir else WORK / "build"

    # Every mutant must still apply to the current sources.
    for m in mutants:
        apply((ROOT / m.file).read_text(), m)
    # Pristine content of each file, read from the working tree right before
    # its mutant is planted (others may change it meanwhile), kept in memory
    # and in build/mutate/pristine/ (for a SIGKILL with --in-place).
    pristine: dict[str, bytes] = {}
    saved = WORK / "pristine"
    touched: set[str] = set()

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)

    if not args.in_place:
        if src.exists():
            shutil.rmtree(src)
        sync_shadow(src, touched)
    results = []
    status = 0
    try:
        cmake = ["cmake", "-S", str(src), "-B", str(build), "-G", "Ninja",
                 "-DCMAKE_BUILD_TYPE=Debug", "-DCMAKE_CXX_COMPILER=g++", "-DBGPSIM_WERROR=ON"]
        if shutil.which("ccache"):
            cmake.append("-DCMAKE_CXX_COMPILER_LAUNCHER=ccache")
        if not args.build_dir and run(cmake, log) != 0:
            raise RuntimeError(f"cmake configure failed, see {log}")

        def build_targets(targets):
            if not args.in_place:
                sync_shadow(src, touched)
            return run(["nice", "cmake", "--build", str(build), "-j2", "--target", *targets], log)

        # The baseline of a (binaries, regex) group runs on the pristine sources
        # right before the group's first mutant, so cheap groups report early.
        baseline_done: set[tuple[tuple[str, ...], str]] = set()

        def baseline(m: Mutant):
            key = (tuple(m.targets), m.regex)
            if args.skip_baseline or key in baseline_done:
                return
            t0 = time.monotonic()
            if build_targets(m.targets) != 0:
                raise RuntimeError(f"baseline build of {m.targets} failed, see {log}")
            count, failed = run_tests(build, m.regex, m.targets, log)
            print(f"baseline {' '.join(m.targets)} /{m.regex}/: {count} tests, "
                  f"{len(failed)} failed ({time.monotonic() - t0:.0f} s)", flush=True)
            if failed:
                raise RuntimeError(f"baseline fails before any mutant: {failed}")
            baseline_done.add(key)

        for m in mutants:
            baseline(m)
            t0 = time.monotonic()
            path = src / m.file
            pristine[m.file] = (ROOT / m.file).read_bytes()
            (saved / m.file).parent.mkdir(parents=True, exist_ok=True)
            (saved / m.file).write_bytes(pristine[m.file])
            touched.add(m.file)
            write(path, apply(pristine[m.file].decode(), m).encode())
            try:
                if build_targets(m.targets) != 0:
                    verdict, by = "does not build", []
                else:
                    count, failed = run_tests(build, m.regex, m.targets, log)
                    verdict, by = ("caught" if failed else "SURVIVED"), failed
            finally:
                write(path, pristine[m.file])
            if verdict == "does not build" and build_targets(m.targets) != 0:
                raise RuntimeError(f"the pristine sources do not build either, see {log}")
            secs = time.monotonic() - t0
            results.append((m, verdict, by, secs))
            shown = ", ".join(by[:3]) + (f" (+{len(by) - 3} more)" if len(by) > 3 else "")
            print(f"{m.name:36} {verdict:9} {shown} [{secs:.0f} s]", flush=True)
    except (Interrupted, KeyboardInterrupt) as e:
        print(f"interrupted ({e}); restoring", file=sys.stderr)
        status = 130
    except Exception as e:  # noqa: BLE001 -- reported, then the files are restored
        print(f"error: {e}", file=sys.stderr)
        status = 2
    finally:
        for rel in sorted(touched):
            if (src / rel).read_bytes() != pristine[rel]:
                write(src / rel, pristine[rel])
        bad = [rel for rel in sorted(touched) if (src / rel).read_bytes() != pristine[rel]]
        if bad:
            print(f"RESTORE FAILED for {bad}; pristine copies in {saved}", file=sys.stderr)
            status = 3
        elif touched:
            print(f"restored {len(touched)} file(s) byte for byte: {', '.join(sorted(touched))}")

    caught = sum(1 for _, v, _, _ in results if v == "caught")
    print(f"\nmutants planted: {len(results)}, caught: {caught}, "
          f"survived: {sum(1 for _, v, _, _ in results if v == 'SURVIVED')}")
    if args.report:
        lines = ["| mutant | file | bug | result | caught by |", "|---|---|---|---|---|"]
        for m, verdict, by, _ in results:
            shown = ", ".join(f"`{t}`" for t in by[:3]) + (f" (+{len(by) - 3})" if len(by) > 3 else "")
            lines.append(f"| `{m.name}` | `{m.file}` | {m.what} | {verdict} | {shown} |")
        lines.append(f"\nmutants planted: {len(results)}, caught: {caught}")
        args.report.write_text("\n".join(lines) + "\n")
    if status:
        return status
    return 0 if caught == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
