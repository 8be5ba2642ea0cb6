#!/usr/bin/env python3
"""Where the fresh-import time goes, isolated: 100,000 member INSERTs in one SQLite transaction,
the way `people::store::apply_changes` does them (multi-row INSERT … RETURNING id, 500 rows a
statement, the real schema from migrations/sqlite, WAL, synchronous=FULL), side by side,
interleaved, in three settings:

  default (2 MiB)          SQLite's default page cache (what 8f62573 used: sqlx sets no cache_size)
  64 MiB                   PRAGMA cache_size=-65536 (what src/db/mod.rs sets since 9c7fb97)
  64 MiB + temp_store=MEMORY  also PRAGMA temp_store=MEMORY (not applied in dongxun)

With 2 MiB, perf showed the fresh import's SQLite thread spending ~half its time in pwrite/pread:
the transaction's dirty pages (members table + 5 indexes, tens of MB) do not fit, so SQLite spills
them into the WAL mid-transaction and reads them back. With 64 MiB that is gone, and the writes
left mid-transaction are the statement journal: every 500-row INSERT inside the transaction
journals the pages it changes (so that a constraint error can undo that statement alone), and
past 64 KiB (SQLITE_STMTJRNL_SPILL) the journal goes to a temp file; temp_store=MEMORY keeps it
in memory. This reproduces both without touching dongxun.
Usage: python3 bench/sqlite_cache_size.py [--rounds 3] [--rows 100000]
"""

import argparse
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as c  # noqa: E402

SCHEMA = (c.ROOT / "migrations" / "sqlite" / "0001_foundation.sql").read_text()
COLS = ("unit_id, name, name_pinyin, name_initials, gender, birth_date, phone, id_card, "
        "joined_party_on, categories, status, created_at, updated_at")


def rows(n, seed=7):
    rng = random.Random(seed)
    syll = ["zhang", "wang", "li", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu", "sun",
            "ma", "zhu", "hu", "guo", "he", "gao", "lin", "luo", "jian", "guo", "hua", "ming", "fang"]
    out = []
    for i in range(n):
        parts = [rng.choice(syll) for _ in range(rng.choice((2, 3)))]
        out.append((rng.randrange(1, 43), "名" * len(parts), "".join(parts), "".join(p[0] for p in parts),
                    rng.choice("mf"), f"19{rng.randrange(30, 99)}-0{rng.randrange(1, 9)}-1{rng.randrange(0, 9)}",
                    f"1{rng.randrange(3, 10)}{rng.randrange(10**9):09d}", f"3201{rng.randrange(10**13):013d}X",
                    "2001-07-01", rng.randrange(0, 32), "active",
                    "2021-12-01T08:00:00.000000Z", "2021-12-01T08:00:00.000000Z"))
    return out


def run(data, cache_kib, temp_memory=False):
    with tempfile.TemporaryDirectory(dir=c.DEFAULT_WORK) as d:
        con = sqlite3.connect(Path(d) / "t.db", isolation_level=None)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=FULL")
        con.executescript(SCHEMA)
        con.execute("INSERT INTO units (kind, name, path, created_at) VALUES ('subdistrict','x','/1/','now')")
        for i in range(2, 43):
            con.execute("INSERT INTO units (parent_id, kind, name, path, created_at) VALUES (1,'branch',?,?, 'now')",
                        (f"b{i}", f"/1/{i}/"))
        if cache_kib:
            con.execute(f"PRAGMA cache_size=-{cache_kib}")
        if temp_memory:
            con.execute("PRAGMA temp_store=MEMORY")
        started = time.perf_counter()
        con.execute("BEGIN")
        one = "(" + ",".join("?" * 13) + ")"
        for k in range(0, len(data), 500):
            chunk = data[k:k + 500]
            sql = f"INSERT INTO members ({COLS}) VALUES " + ",".join([one] * len(chunk)) + " RETURNING id"
            con.execute(sql, [v for r in chunk for v in r]).fetchall()
        con.execute("COMMIT")
        elapsed = time.perf_counter() - started
        con.close()
    return elapsed


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--rows", type=int, default=c.ROWS)
    args = ap.parse_args()
    c.DEFAULT_WORK.mkdir(parents=True, exist_ok=True)
    data = rows(args.rows)
    settings = [("default (2 MiB)", None, False), ("cache_size=-65536 (64 MiB), as in dongxun since 9c7fb97", 65536, False),
                ("64 MiB + temp_store=MEMORY", 65536, True)]
    times = {label: [] for label, *_ in settings}
    for r in range(args.rounds):
        for label, cache, temp in settings:
            times[label].append(run(data, cache, temp))
        c.log(f"round {r + 1}: " + ", ".join(f"{k} {v[-1]:.2f}s" for k, v in times.items()))
    first = times[settings[0][0]]
    print(f"\n{args.rows:,} INSERTs in one transaction, 500 rows a statement (SQLite {sqlite3.sqlite_version}, "
          f"WAL, synchronous=FULL), median of {args.rounds} interleaved rounds\n")
    print("| page cache | seconds | default / this | previous row / this |\n|---|---:|---:|---:|")
    prev = None
    for label, *_ in settings:
        ts = times[label]
        vs_prev = f"{c.median([p / t for p, t in zip(prev, ts)]):.2f}" if prev else "—"
        print(f"| {label} | {c.median(ts):.2f} | {c.median([f / t for f, t in zip(first, ts)]):.2f} | {vs_prev} |")
        prev = ts

if __name__ == "__main__":
    main()
