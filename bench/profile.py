#!/usr/bin/env python3
"""Where the time goes: `perf record --call-graph dwarf` on (a) a fresh 100,000-row import,
(b) the re-import, (c) `dongxun serve` while wrk loads /members (or --path), and a summary of the
samples by phase: for each phase its share of samples and the wall-clock window in which it ran
(first..last sample, seconds from the start of the recording).

Needs `perf` (Debian package linux-perf) and the files bench/roster_import.py leaves in the work dir.
Usage: python3 bench/profile.py [import|page] [--path /members?q=zs] [--analyze] [--work DIR]
The release binary has no debug info; DWARF unwinding from .eh_frame still names Rust frames.
"""

import argparse
import collections
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as c  # noqa: E402
import members_page as mp  # noqa: E402

# First matching rule wins; matched against the whole call chain of a sample.
IMPORT_PHASES = [
    ("read_table: unzip + XML (calamine)", ["read_table"]),
    ("parse_roster: validate rows", ["parse_roster"]),
    ("plan_changes: match/merge", ["plan_changes"]),
    ("apply_changes: build INSERTs (+pinyin)", ["apply_changes"]),
    ("fetch existing members (decode rows)", ["all_in_scope", "id_card_owners", "from_row"]),
]
PAGE_PHASES = [
    ("render (askama)", ["render", "askama"]),
    ("session lookup", ["CurrentUser", "from_request_parts"]),
]


def classify(chain, phases):
    for name, keys in phases:
        if any(k in chain for k in keys):
            return name
    if "sqlite3" in chain:
        if "subjournal" in chain:
            # Each multi-row INSERT inside the import's transaction keeps a statement journal
            # (to undo just that statement on a constraint error); past 64 KiB it goes to a temp file.
            return "sqlite: statement journal (temp file writes)"
        if "pagerStress" in chain:
            return "sqlite: cache spill to WAL mid-transaction"
        if re.search(r"pwrite|sys_write|ext4_.*write", chain):
            return "sqlite: writes to WAL (pwrite)"
        if re.search(r"pread|filemap_read|sys_read", chain):
            return "sqlite: reads (pread)"
        if "futex" in chain or "mutex" in chain:
            # libsqlite3-sys builds SQLite with SQLITE_ENABLE_MEMORY_MANAGEMENT: all connections
            # share one page-cache LRU guarded by one global mutex, taken on every page fetch.
            if "pcache1" in chain:
                return "sqlite: page-cache mutex (one LRU shared by all connections)"
            return "sqlite: other mutex/futex"
        if re.search(r"fsync|fdatasync", chain):
            return "sqlite: fsync"
        if "Sorter" in chain:
            return "sqlite: sorting (ORDER BY temp b-tree)"
        if "sqlite3BtreeTableMoveto" in chain or "VdbeFinishMoveto" in chain:
            return "sqlite: row fetch by rowid (index entry → table row)"
        if "sqlite3BtreeNext" in chain or "sqlite3BtreeFirst" in chain or "sqlite3BtreeIndexMoveto" in chain:
            return "sqlite: index/table scan steps"
        if "sqlite3Prepare" in chain or "sqlite3_prepare" in chain:
            return "sqlite: preparing statements"
        return "sqlite: other VDBE/b-tree"
    if "futex" in chain:
        return "futex (thread hand-off)"
    return "other"


def summarise(data_file, phases):
    out = subprocess.run(["perf", "script", "-i", str(data_file), "-F", "comm,tid,time,ip,sym"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
    by = collections.defaultdict(list)
    for sample in re.split(r"\n\s*\n", out):
        lines = sample.strip().split("\n")
        if not lines or not lines[0].strip():
            continue
        head = lines[0].split()
        t = float(head[-1].rstrip(":"))
        by[(head[0], classify("\n".join(lines[1:]), phases))].append(t)
    t0 = min(t for v in by.values() for t in v)
    t1 = max(t for v in by.values() for t in v)
    n = sum(len(v) for v in by.values())
    print(f"\n{data_file.name}: {n} samples over {t1 - t0:.2f}s (sampling adds overhead)")
    print("| thread | phase | share of samples | window s |\n|---|---|---:|---|")
    for (comm, phase), ts in sorted(by.items(), key=lambda kv: -len(kv[1])):
        if len(ts) / n >= 0.005:
            print(f"| {comm} | {phase} | {100 * len(ts) / n:.1f}% | {min(ts) - t0:.2f}–{max(ts) - t0:.2f} |")


def record(argv, out, pid=None, seconds=None):
    cmd = ["perf", "record", "-F", "499", "--call-graph", "dwarf,32768", "-o", str(out)]
    cmd += ["-p", str(pid), "--", "sleep", str(seconds)] if pid else argv
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["import", "page"], nargs="?", default="import")
    ap.add_argument("--path", default="/members")
    ap.add_argument("--analyze", action="store_true",
                    help="page: serve a copy of the database on which ANALYZE was run (planner statistics)")
    ap.add_argument("--work", type=Path, default=c.DEFAULT_WORK)
    args = ap.parse_args()
    c.need_tool("perf", "linux-perf")
    work = args.work
    roster = work / f"roster-{c.ROWS}.xlsx"
    template = work / "template-sqlite"
    if not roster.exists() or not (work / "db-100k").exists():
        raise SystemExit("run bench/roster_import.py first (it makes the roster and the databases)")
    dongxun = str(c.ensure_dongxun())
    if args.what == "import":
        data = c.copy_sqlite_dir(template, work / "profile-import")
        cmd = [dongxun, "--data-dir", str(data), "import", "members", str(roster)]
        record(cmd, work / "perf-import-fresh.data")
        record(cmd, work / "perf-import-again.data")
        summarise(work / "perf-import-fresh.data", IMPORT_PHASES)
        summarise(work / "perf-import-again.data", IMPORT_PHASES)
    else:
        data = c.copy_sqlite_dir(work / "db-100k", work / "profile-serve")
        if args.analyze:
            c.analyze_sqlite(data)
        with c.start_dongxun(data, log_path=work / "logs" / "profile-serve.log") as app:
            cookie = mp.login(app.addr)
            wrk = subprocess.Popen(["wrk", "-t2", "-c32", "-d14s", "--timeout", "10s", "-H", f"Cookie: {cookie}",
                                    f"http://{app.addr}{args.path}"], stdout=subprocess.DEVNULL)
            time.sleep(2)
            slug = re.sub(r"\W+", "_", args.path).strip("_")
            out = work / f"perf-page{'-analyze' if args.analyze else ''}-{slug}.data"
            record(None, out, pid=app.pid, seconds=8)
            wrk.wait()
        summarise(out, PAGE_PHASES)


if __name__ == "__main__":
    main()
