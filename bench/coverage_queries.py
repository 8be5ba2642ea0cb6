#!/usr/bin/env python3
"""Where the coverage rollup's time goes, in SQL (the experiments behind coverage_rollup.py's
suggestions): on the same 100,000 × 200 × 2,000,000 database, the reads `unit_rates` and
`unit_counts_sql` do, next to cheaper shapes of the same information, each timed in the database
with its result reduced to a few numbers (so the transfer to the client is not counted):

  credits as text (what /coverage reads)   string_agg(member,minutes,topic) over all 2,000,000
  scan floor                               COUNT(*), SUM(minutes) over the same join: reading the rows
  credits per session                      one member-id list per (session, minutes): 1 CAST per row
  per-member totals (GROUP BY member)      sessions, minutes, compulsory-topic count per member
  unit_counts_sql                          the whole rollup as one query (as coverage.rs runs it)
  rollup over a per-member summary table   what the rollup would cost if the per-member totals were
                                           kept up to date on every check-in (a 100,000-row table)

SQLite through Python's sqlite3 (system SQLite; `group_concat` for `string_agg`, which it lacks
before 3.44), PostgreSQL through psql (EXPLAIN ANALYZE's execution time). Median of --rounds.

Usage: python3 bench/coverage_queries.py [--rounds 3] [--no-pg | --pg] [--work DIR]
"""

import argparse
import datetime as dt
import os
import re
import shutil
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as c  # noqa: E402
import coverage_rollup as cr  # noqa: E402

JOIN = ("FROM attendances a CROSS JOIN training_sessions s "
        "WHERE s.id = a.session_id AND s.campaign_id = {campaign}")


def queries(agg, campaign, compulsory, root_path, cats=0):
    j = JOIN.format(campaign=campaign)
    audience = cr_audience_where(campaign, root_path, cats)
    per_member = (f"SELECT a.member_id, COUNT(*) AS sessions, SUM(a.minutes) AS minutes, "
                  f"COUNT(DISTINCT CASE WHEN s.topic_id IN ({compulsory}) THEN s.topic_id END) AS topics_done "
                  f"{j} GROUP BY a.member_id")
    key_len = len(root_path) + 11
    rollup = (f"SELECT substr(u.path, 1, {key_len}) AS k, COUNT(*) AS audience, "
              f"SUM(CASE WHEN (COALESCE(p.sessions, 0) >= 4 OR COALESCE(p.minutes, 0) >= 720) "
              f"AND COALESCE(p.topics_done, 0) >= 1 THEN 1 ELSE 0 END) AS covered "
              f"FROM members m JOIN units u ON u.id = m.unit_id LEFT JOIN {{progress}} p ON p.member_id = m.id "
              f"WHERE {audience} GROUP BY 1")
    return [
        ("credits as text (what /coverage reads)",
         f"SELECT length({agg}(CAST(a.member_id AS TEXT) || ',' || CAST(a.minutes AS TEXT) || ',' || "
         f"CAST(COALESCE(s.topic_id, 0) AS TEXT), ';')) {j}"),
        ("scan floor: COUNT(*), SUM(minutes) over the join", f"SELECT COUNT(*), SUM(a.minutes) {j}"),
        ("credits per (session, minutes): member-id lists",
         f"SELECT COUNT(*), SUM(length(ids)) FROM (SELECT a.session_id, a.minutes, "
         f"{agg}(CAST(a.member_id AS TEXT), ',') AS ids {j} GROUP BY a.session_id, a.minutes) q"),
        ("per-member totals (GROUP BY member), reduced", f"SELECT COUNT(*), SUM(sessions) FROM ({per_member}) q"),
        ("unit_counts_sql: the whole rollup in one query",
         f"SELECT COUNT(*), SUM(audience), SUM(covered) FROM ({rollup.format(progress='(' + per_member + ')')}) q"),
        ("rollup over a kept per-member summary table (100,000 rows)",
         f"SELECT COUNT(*), SUM(audience), SUM(covered) FROM ({rollup.format(progress='bench_member_progress')}) q"),
    ], per_member


def cr_audience_where(campaign, root_path, cats):
    # coverage's AUDIENCE_WHERE with its parameters inlined (campaign id, scope, categories).
    return (f"m.status = 'active' AND m.unit_id IN (SELECT iu.id FROM units iu WHERE iu.path LIKE '{root_path}%' "
            f"AND EXISTS (SELECT 1 FROM campaign_units cu JOIN units au ON au.id = cu.unit_id "
            f"WHERE cu.campaign_id = {campaign} AND iu.path LIKE au.path || '%')) "
            f"AND ({cats} = 0 OR (m.categories & {cats}) <> 0) "
            f"AND NOT EXISTS (SELECT 1 FROM campaign_exclusions x WHERE x.campaign_id = {campaign} AND x.member_id = m.id)")


def facts_of(run):
    campaign = int(run("SELECT id FROM campaigns WHERE is_current = TRUE")[0][0])
    compulsory = ",".join(r[0] for r in run(
        f"SELECT CAST(id AS TEXT) FROM topics WHERE campaign_id = {campaign} AND compulsory = TRUE")) or "NULL"
    root_path = run("SELECT path FROM units WHERE parent_id IS NULL")[0][0]
    return campaign, compulsory, root_path


def bench_sqlite(path, rounds):
    con = sqlite3.connect(path)
    con.execute("PRAGMA cache_size = -65536")
    con.execute("ANALYZE")
    run = lambda sql: [tuple(str(x) for x in r) for r in con.execute(sql).fetchall()]  # noqa: E731
    campaign, compulsory, root_path = facts_of(run)
    qs, per_member = queries("group_concat", campaign, compulsory, root_path)
    con.execute("DROP TABLE IF EXISTS bench_member_progress")
    con.execute(f"CREATE TABLE bench_member_progress AS {per_member}")
    con.execute("CREATE UNIQUE INDEX bench_member_progress_id ON bench_member_progress (member_id)")
    con.commit()
    times, answers = {}, {}
    for _ in range(rounds):
        for name, sql in qs:
            t = time.perf_counter()
            answers[name] = con.execute(sql).fetchall()
            times.setdefault(name, []).append((time.perf_counter() - t) * 1000)
    con.execute("DROP TABLE bench_member_progress")
    con.commit()
    con.close()
    return times, answers


def bench_pg(url, rounds):
    run = lambda sql: c.psql(url, sql, capture=True)  # noqa: E731
    campaign, compulsory, root_path = facts_of(run)
    qs, per_member = queries("string_agg", campaign, compulsory, root_path)
    c.psql(url, "DROP TABLE IF EXISTS bench_member_progress")
    c.psql(url, f"CREATE TABLE bench_member_progress AS {per_member}")
    c.psql(url, "CREATE UNIQUE INDEX bench_member_progress_id ON bench_member_progress (member_id)")
    c.psql(url, "VACUUM ANALYZE bench_member_progress")
    times, answers = {}, {}
    for _ in range(rounds):
        for name, sql in qs:
            plan = "\n".join(r[0] for r in run(f"EXPLAIN (ANALYZE, TIMING OFF) {sql}"))
            ms = float(re.search(r"Execution Time: ([\d.]+) ms", plan).group(1))
            times.setdefault(name, []).append(ms)
            answers[name] = run(sql)
    c.psql(url, "DROP TABLE bench_member_progress")
    return times, answers


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--work", type=Path, default=c.DEFAULT_WORK)
    pg = ap.add_mutually_exclusive_group()
    pg.add_argument("--pg", dest="pg", action="store_true", default=None)
    pg.add_argument("--no-pg", dest="pg", action="store_false")
    args = ap.parse_args()
    if args.pg is None:
        args.pg = c.pg_available()
    if args.pg and "DONGXUN_TEST_PG" not in os.environ:
        argv = [str(c.ROOT / "scripts" / "pg-throwaway"), sys.executable, __file__, *sys.argv[1:]]
        os.execv(argv[0], argv)
    c.ensure_dongxun()
    logs = args.work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    results = {}
    data = args.work / "coverage-queries-sqlite"
    if data.exists():
        shutil.rmtree(data)
    size = cr.seed_sqlite(data, 100_000, 200, logs)
    results[f"SQLite {sqlite3.sqlite_version} (Python's)"] = (size, bench_sqlite(data / "dongxun.db", args.rounds))
    shutil.rmtree(data)
    if args.pg:
        admin = os.environ["DONGXUN_TEST_PG"]
        c.psql(admin, "DROP DATABASE IF EXISTS dx_coverage_q")
        c.psql(admin, "CREATE DATABASE dx_coverage_q")
        url = c.with_db(admin, "dx_coverage_q")
        size = cr.seed_pg(url, 100_000, 200, logs)
        version = c.psql(url, "SHOW server_version", capture=True)[0][0]
        results[f"PostgreSQL {version}"] = (size, bench_pg(url, args.rounds))
    print(f"\n## Coverage rollup: the SQL behind it — {dt.datetime.now():%Y-%m-%d %H:%M}")
    print(f"Machine: {c.machine_line()}")
    print(f"{args.rounds} rounds, median ms (min–max); same data as coverage_rollup.py\n")
    names = list(next(iter(results.values()))[1][0])
    print("| query | " + " | ".join(results) + " |")
    print("|---|" + "---:|" * len(results))
    for name in names:
        cells = []
        for _, (times, _) in results.values():
            v = times[name]
            cells.append(f"{c.median(v):,.0f} ({min(v):,.0f}–{max(v):,.0f})")
        print(f"| {name} | " + " | ".join(cells) + " |")
    for backend, (size, (_, answers)) in results.items():
        print(f"\n{backend} ({size[0]:,} members, {size[2]:,} attendances) answers: "
              + "; ".join(f"{k.split(':')[0]} → {v}" for k, v in answers.items()))


if __name__ == "__main__":
    main()
