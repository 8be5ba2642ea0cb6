#!/usr/bin/env python3
"""Where the /members time goes, isolated at the SQL level, on the 101,500-member database that
bench/roster_import.py leaves: the two queries `people::search::search` runs for every page view
(the page of 50 and the COUNT(*)), for the page as the committee sees it (`/members`) and for the
pinyin search `/members?q=zs`, in three forms side by side, interleaved:

  8f62573          the SQL before the rewrite (store.rs SEARCH_WHERE: `($2 = '' OR … LIKE …)`)
  9c7fb97          the SQL src/people/search.rs generates now (scope as `m.unit_id IN (SELECT id
                   FROM units WHERE path LIKE $1)`, pinyin as index ranges), on the database as
                   dongxun leaves it: no planner statistics (dongxun never runs ANALYZE)
  9c7fb97+ANALYZE  the same SQL on a copy of the database on which ANALYZE was run
  9c7fb97, +m.unit_id  the same SQL with the scope written `+m.unit_id IN (…)` (the unary + keeps
                   SQLite from driving the query through members_unit) everywhere except in the
                   COUNT without a text filter (which members_unit does serve well), no statistics

Each for three scopes: the whole sub-district (all 101,500), one station's subtree, and the
smallest branch, since which index is best depends on how much of the table the scope holds.
Every form must return the same rows. Then page views per second (page + COUNT) from 8 threads
with their own connections (dongxun's pool has 8), for the whole sub-district.

Python's sqlite3 releases the GIL inside sqlite3_step, so the threads do run SQLite concurrently.
SQLite here is the system's, not the one sqlx bundles (which is built with
SQLITE_ENABLE_MEMORY_MANAGEMENT: one page-cache mutex shared by all connections, see README):
compare the ratios and the plans, not the milliseconds.
Usage: python3 bench/member_queries.py [--reps 9] [--seconds 5] [--work DIR]
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
ORDER = " ORDER BY m.name_pinyin, m.id LIMIT 50 OFFSET 0"

# 8f62573: src/people/store.rs SEARCH_WHERE, placeholders renumbered for Python's sqlite3 (?NNN).
OLD_WHERE = (" WHERE u.path LIKE ?1 AND (?2 = '' OR m.name LIKE ?3 ESCAPE '\\' OR m.name_initials LIKE ?4 "
             "ESCAPE '\\' OR m.name_pinyin LIKE ?4 ESCAPE '\\') AND (?5 = 0 OR (m.categories & ?5) <> 0) "
             "AND (?6 = '' OR m.status = ?6)")


def old_form(scope, text):
    params = (scope, text, f"%{text}%", f"{text}%", 0, "")
    count = "SELECT COUNT(*) FROM members m JOIN units u ON u.id = m.unit_id" + OLD_WHERE
    return SELECT + OLD_WHERE + ORDER, count, params


def new_form(scope, text, plus=False):
    """What src/people/search.rs build_filter() generates (9c7fb97) for a scope and a pinyin query;
    with plus=True, the scope column written +m.unit_id except in a COUNT without text."""
    col = "+m.unit_id" if plus else "m.unit_id"
    where = f" WHERE {col} IN (SELECT id FROM units WHERE path LIKE ?1)"
    count_col = "+m.unit_id" if plus and text else "m.unit_id"
    count_where = f" WHERE {count_col} IN (SELECT id FROM units WHERE path LIKE ?1)"
    params = (scope,)
    if text:
        ranges = (" AND ((m.name_initials >= ?2 AND m.name_initials < ?3) OR "
                  "(m.name_pinyin >= ?4 AND m.name_pinyin < ?5))")
        upper = text[:-1] + chr(ord(text[-1]) + 1)
        where += ranges
        count_where += ranges
        params += (text, upper, text, upper)
    return SELECT + where + ORDER, "SELECT COUNT(*) FROM members m" + count_where, params


def timed(con, sql, p, reps):
    times, result = [], None
    for _ in range(reps):
        started = time.perf_counter()
        result = con.execute(sql, p).fetchall()
        times.append((time.perf_counter() - started) * 1000)
    return c.median(times), result


def plan(con, sql, p):
    steps = [row[3] for row in con.execute("EXPLAIN QUERY PLAN " + sql, p)]
    main = [s for s in steps if s.startswith(("SCAN m", "SEARCH m", "MULTI-INDEX"))]
    text = "; ".join(main)
    if any("TEMP B-TREE FOR ORDER BY" in s for s in steps):
        text += "; sort"
    return text.replace("USING COVERING INDEX", "covering").replace("USING INDEX", "via")


def concurrent(db, sql_pairs, threads, seconds):
    """Page views (page query + COUNT) per second from `threads` connections."""
    done = [0] * threads
    stop = time.monotonic() + seconds

    def worker(i):
        con = sqlite3.connect(db, check_same_thread=False)
        while time.monotonic() < stop:
            for sql, p in sql_pairs:
                con.execute(sql, p).fetchall()
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
    ap.add_argument("--reps", type=int, default=9)
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--work", type=Path, default=c.DEFAULT_WORK)
    args = ap.parse_args()
    src = args.work / "db-100k"
    if not (src / "dongxun.db").exists():
        raise SystemExit("run bench/roster_import.py first")
    plain = c.copy_sqlite_dir(src, args.work / "queries-100k")
    analyzed = c.copy_sqlite_dir(src, args.work / "queries-100k-analyzed")
    c.analyze_sqlite(analyzed)
    dbs = {"plain": str(plain / "dongxun.db"), "analyzed": str(analyzed / "dongxun.db")}
    cons = {k: sqlite3.connect(v) for k, v in dbs.items()}
    con = cons["plain"]

    root = con.execute("SELECT path FROM units WHERE parent_id IS NULL ORDER BY id LIMIT 1").fetchone()[0]
    in_scope = "SELECT COUNT(*) FROM members m JOIN units u ON u.id = m.unit_id WHERE u.path LIKE ?"
    station = con.execute("SELECT path FROM units WHERE kind = 'station' ORDER BY id LIMIT 1").fetchone()[0]
    branch = con.execute("SELECT u.path FROM members m JOIN units u ON u.id = m.unit_id GROUP BY u.path "
                         "ORDER BY COUNT(*), u.path LIMIT 1").fetchone()[0]
    scopes = [("sub-district", root + "%"), ("one station", station + "%"), ("smallest branch", branch + "%")]
    total = con.execute("SELECT COUNT(*) FROM members").fetchone()[0]

    forms = [
        ("8f62573", "plain", lambda s, t: old_form(s, t)),
        ("9c7fb97", "plain", lambda s, t: new_form(s, t)),
        ("9c7fb97+ANALYZE", "analyzed", lambda s, t: new_form(s, t)),
        ("9c7fb97, +m.unit_id", "plain", lambda s, t: new_form(s, t, plus=True)),
    ]
    print(f"\n## SQL behind /members, {total:,} members (SQLite {sqlite3.sqlite_version}, one connection, "
          f"warm, median of {args.reps}; ms)\n")
    print("| scope (members) | query | " + " | ".join(f[0] for f in forms) + " | plan 9c7fb97 | plan 9c7fb97+ANALYZE |")
    print("|---|---|" + "---:|" * len(forms) + "---|---|")
    for sname, scope in scopes:
        n = con.execute(in_scope, (scope,)).fetchone()[0]
        for text in ("", "zs"):
            for kind in ("page of 50", "COUNT(*)"):
                cells, reference, plans = [], None, {}
                for fname, dbname, build in forms:
                    page, count, p = build(scope, text)
                    sql = page if kind == "page of 50" else count
                    ms, rows = timed(cons[dbname], sql, p, args.reps)
                    if reference is None:
                        reference = rows
                    elif rows != reference:
                        raise SystemExit(f"{sname} q={text!r} {kind}: {fname} returns different rows")
                    cells.append(f"{ms:.2f}")
                    plans[fname] = plan(cons[dbname], sql, p)
                label = f"q={text} " if text else ""
                print(f"| {sname} ({n:,}) | {label}{kind} | " + " | ".join(cells)
                      + f" | {plans['9c7fb97']} | {plans['9c7fb97+ANALYZE']} |")
    for k in cons.values():
        k.close()

    print(f"\nSub-district scope, page of 50 + COUNT(*), 8 threads × own connection, {args.seconds} s each "
          f"(page views/s):\n")
    print("| SQL | /members | /members?q=zs |\n|---|---:|---:|")
    for fname, dbname, build in forms:
        cells = []
        for text in ("", "zs"):
            page, count, p = build(root + "%", text)
            cells.append(f"{concurrent(dbs[dbname], [(page, p), (count, p)], 8, args.seconds):,.1f}")
        print(f"| {fname} | " + " | ".join(cells) + " |")
    shutil.rmtree(plain)
    shutil.rmtree(analyzed)


if __name__ == "__main__":
    main()
