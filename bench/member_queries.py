#!/usr/bin/env python3
"""Where the /members time goes, isolated at the SQL level, on the 101,500-member database that
bench/roster_import.py leaves: the two queries `people::store::search` runs for every page view
(the page of 50 and the COUNT(*)), exactly as written in src/people/store.rs, against rewrites
that give the same answers, side by side, interleaved. Then the current queries from 8 threads
at once (8 = dongxun's SQLite pool size) with SQLite's default 2 MiB page cache per connection
against a bigger cache and against mmap, which is what the page does under wrk.

Python's sqlite3 releases the GIL inside sqlite3_step, so the 8 threads do run SQLite
concurrently. SQLite here is the system's, not the one sqlx bundles; compare the ratios.
Usage: python3 bench/member_queries.py [--reps 20] [--work DIR]
"""

import argparse
import shutil
import sqlite3
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as c  # noqa: E402

SELECT = ("SELECT m.id, m.unit_id, u.name AS unit_name, u.path AS unit_path, m.name, m.name_pinyin, "
          "m.name_initials, m.gender, m.birth_date, m.phone, m.id_card, m.joined_party_on, m.categories, "
          "m.status, m.created_at, m.updated_at FROM members m JOIN units u ON u.id = m.unit_id")
# src/people/store.rs SEARCH_WHERE, placeholders renumbered for Python's sqlite3 (?NNN).
WHERE = (" WHERE u.path LIKE ?1 AND (?2 = '' OR m.name LIKE ?3 ESCAPE '\\' OR m.name_initials LIKE ?4 "
         "ESCAPE '\\' OR m.name_pinyin LIKE ?4 ESCAPE '\\') AND (?5 = 0 OR (m.categories & ?5) <> 0) "
         "AND (?6 = '' OR m.status = ?6)")
LIST = SELECT + WHERE + " ORDER BY m.name_pinyin, m.id LIMIT 50 OFFSET 0"
COUNT = "SELECT COUNT(*) FROM members m JOIN units u ON u.id = m.unit_id" + WHERE


def params(text):
    return (("/1/%", text, f"%{text}%", f"{text}%", 0, ""))


# Rewrites: only the predicates that apply; an ASCII query as index ranges on the pinyin keys
# (a Chinese name never contains ASCII letters, so name LIKE '%zs%' can be skipped for it).
COUNT_ALL = "SELECT COUNT(*) FROM members WHERE unit_id IN (SELECT id FROM units WHERE path LIKE ?1)"
ZS = " WHERE u.path LIKE ?1 AND ((m.name_initials >= ?2 AND m.name_initials < ?3) OR " \
     "(m.name_pinyin >= ?2 AND m.name_pinyin < ?3))"
LIST_ZS = SELECT + ZS + " ORDER BY m.name_pinyin, m.id LIMIT 50 OFFSET 0"
COUNT_ZS = "SELECT COUNT(*) FROM members m JOIN units u ON u.id = m.unit_id" + ZS
ZS_PARAMS = ("/1/%", "zs", "zt")


def timed(con, sql, p, reps):
    times, result = [], None
    for _ in range(reps):
        started = time.perf_counter()
        result = con.execute(sql, p).fetchall()
        times.append((time.perf_counter() - started) * 1000)
    return c.median(times), result


def concurrent(db, pragma, threads, seconds):
    """Page views (list + count, current SQL) per second from `threads` connections."""
    done = [0] * threads
    stop = time.monotonic() + seconds

    def worker(i):
        con = sqlite3.connect(db, check_same_thread=False)
        if pragma:
            con.execute(pragma)
        while time.monotonic() < stop:
            con.execute(LIST, params("")).fetchall()
            con.execute(COUNT, params("")).fetchall()
            done[i] += 1
        con.close()

    ts = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return sum(done) / seconds


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--seconds", type=int, default=8)
    ap.add_argument("--work", type=Path, default=c.DEFAULT_WORK)
    args = ap.parse_args()
    src = args.work / "db-100k"
    if not (src / "dongxun.db").exists():
        raise SystemExit("run bench/roster_import.py first")
    data = c.copy_sqlite_dir(src, args.work / "queries-100k")
    db = str(data / "dongxun.db")
    con = sqlite3.connect(db)

    pairs = [
        ("/members: COUNT(*)", COUNT, params(""), "COUNT over members(unit_id) index", COUNT_ALL, ("/1/%",)),
        ("/members: page of 50", LIST, params(""), "(same query)", LIST, params("")),
        ("/members?q=zs: COUNT(*)", COUNT, params("zs"), "index ranges on initials/pinyin", COUNT_ZS, ZS_PARAMS),
        ("/members?q=zs: page of 50", LIST, params("zs"), "index ranges on initials/pinyin", LIST_ZS, ZS_PARAMS),
    ]
    print(f"\n## SQL behind /members, {con.execute('SELECT COUNT(*) FROM members').fetchone()[0]:,} members "
          f"(SQLite {sqlite3.sqlite_version}, one connection, warm, median of {args.reps})\n")
    print("| query | as in store.rs, ms | rewrite | rewrite, ms | ratio |\n|---|---:|---|---:|---:|")
    for label, sql, p, how, sql2, p2 in pairs:
        a, ra = timed(con, sql, p, args.reps)
        b, rb = timed(con, sql2, p2, args.reps)
        if ra != rb:
            raise SystemExit(f"{label}: the rewrite returns different rows")
        print(f"| {label} | {a:.2f} | {how} | {b:.2f} | {a / b:.1f}× |")
    con.close()

    print(f"\nCurrent SQL (page of 50 + COUNT), 8 threads × own connection, {args.seconds} s each:\n")
    print("| connection setting | page views/s |\n|---|---:|")
    for label, pragma in [("default (cache 2 MiB)", None), ("PRAGMA cache_size=-32768 (32 MiB)",
                                                             "PRAGMA cache_size=-32768"),
                          ("PRAGMA mmap_size=268435456", "PRAGMA mmap_size=268435456")]:
        print(f"| {label} | {concurrent(db, pragma, 8, args.seconds):.1f} |")
    shutil.rmtree(data)


if __name__ == "__main__":
    main()
