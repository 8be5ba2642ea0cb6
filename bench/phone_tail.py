#!/usr/bin/env python3
"""Member search by a phone's last four digits at 101,500 members (issue 8, item 17): the two
queries `people::search::search` runs for `/members?q=5678` (the page of 50 and the COUNT(*)),
with the `members_phone_tail` expression index of migration 0009, next to the same SQL without
that index and next to the obvious `phone LIKE '%5678'` — both full scans. Each form run 15 times
in turn (not interleaved: the gap is orders of magnitude, far above the noise); medians in
milliseconds, and the plan.

SQLite always (the system's sqlite3 on a database `dongxun migrate` created); PostgreSQL too when
run under scripts/pg-throwaway (DONGXUN_TEST_PG set):

    python3 bench/phone_tail.py                          # SQLite only
    bash scripts/pg-throwaway python3 bench/phone_tail.py  # and PostgreSQL

Members are synthetic (SQL-generated, deterministic): 14 stations × 5 branches, phones spread
over 13x–19x. Uses target/debug/dongxun (or DONGXUN_BIN) only to create the schema.
"""

import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = os.environ.get("DONGXUN_BIN", str(REPO / "target" / "debug" / "dongxun"))
MEMBERS = 101_500
REPS = 15
TAIL = "5678"

SELECT = ("SELECT m.id, m.name, m.phone FROM members m JOIN units u ON u.id = m.unit_id")
WHERE_NEW = (" WHERE m.unit_id IN (SELECT id FROM units WHERE path LIKE {s}) "
             "AND ((m.phone >= {a} AND m.phone < {b}) OR substr(m.phone, 8) = {t})")
WHERE_LIKE = (" WHERE m.unit_id IN (SELECT id FROM units WHERE path LIKE {s}) "
              "AND ((m.phone >= {a} AND m.phone < {b}) OR m.phone LIKE {l})")
ORDER = " ORDER BY m.name_pinyin, m.id LIMIT 50 OFFSET 0"

UNITS_SQL = """
INSERT INTO units (id, parent_id, kind, name, path, created_at) VALUES (1, NULL, 'subdistrict', '街道', '/1/', '2026-01-01');
INSERT INTO units (id, parent_id, kind, name, path, created_at)
  SELECT 1 + s, 1, 'station', '村' || s, '/1/' || (1 + s) || '/', '2026-01-01' FROM ({series14}) AS t;
INSERT INTO units (id, parent_id, kind, name, path, created_at)
  SELECT 100 + s * 10 + b, 1 + s, 'branch', '村' || s || '支部' || b, '/1/' || (1 + s) || '/' || (100 + s * 10 + b) || '/', '2026-01-01'
  FROM ({series14}) AS t CROSS JOIN ({series5}) AS v;
"""


def sqlite_series(n, col):
    return f"WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r WHERE x < {n}) SELECT x AS {col} FROM r"


def pg_series(n, col):
    return f"SELECT generate_series(1, {n}) AS {col}"


def members_sql(series, phone_expr):
    return (f"INSERT INTO members (unit_id, name, name_pinyin, name_initials, phone, created_at, updated_at) "
            f"SELECT 100 + (i % 14 + 1) * 10 + (i % 5 + 1), '党员' || i, 'dangyuan' || i, 'dy', {phone_expr}, "
            f"'2026-01-01', '2026-01-01' FROM ({series}) AS t")


def migrate(args):
    subprocess.run([BIN, *args, "migrate"], check=True, stdout=subprocess.DEVNULL)


def timed(run, reps=REPS):
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def sqlite_bench(work):
    data = Path(work, "sqlite")
    data.mkdir()
    migrate(["--data-dir", str(data)])
    db = sqlite3.connect(data / "dongxun.db")
    db.executescript(UNITS_SQL.format(series14=sqlite_series(14, 's'), series5=sqlite_series(5, 'b')))
    phone = "'1' || (3 + i % 7) || printf('%09d', (i * 104729 + 12345) % 1000000000)"
    db.execute(members_sql(sqlite_series(MEMBERS, 'i'), phone))
    db.commit()
    db.execute("ANALYZE")
    db.commit()
    p = {"s": "?1", "a": "?2", "b": "?3", "t": "?4", "l": "?4"}
    params_new = ("/1/%", TAIL, "5679", TAIL)
    params_like = ("/1/%", TAIL, "5679", "%" + TAIL)
    forms = {
        "tail index (0009)": (WHERE_NEW.format(**p), params_new),
        "LIKE '%5678' (scan)": (WHERE_LIKE.format(**p), params_like),
    }
    results = {}
    for name, (where, params) in forms.items():
        page, count = SELECT + where + ORDER, "SELECT COUNT(*) FROM members m" + where
        plan = [row[3] for row in db.execute("EXPLAIN QUERY PLAN " + page, params)]
        results[name] = (page, count, params, plan)
    rows = {n: db.execute(r[0], r[2]).fetchall() for n, r in results.items()}
    assert len({tuple(v) for v in rows.values()}) == 1, "every form returns the same rows"
    report("SQLite", db, results, lambda sql, params: db.execute(sql, params).fetchall(),
           drop="DROP INDEX members_phone_tail", found=len(rows["tail index (0009)"]))


def report(backend, db, results, run, drop, found):
    print(f"\n### {backend}: {MEMBERS} members, q={TAIL} → {found} found\n")
    medians = {}
    for name, (page, count, params, plan) in results.items():
        medians[name] = timed(lambda: (run(page, params), run(count, params)))
    # The same SQL as dongxun's, without the index: what a full scan costs.
    page, count, params, _ = results["tail index (0009)"]
    run(drop, ())
    medians["same SQL, no tail index (scan)"] = timed(lambda: (run(page, params), run(count, params)))
    print("| form | page + COUNT, median ms |\n|---|---|")
    for name, ms in medians.items():
        print(f"| {name} | {ms:.2f} |")
    print("\nplan (tail index):", " / ".join(results["tail index (0009)"][3]))


def pg_bench(url):
    def psql(sql, capture=False):
        out = subprocess.run(["psql", "-q", "-X", "-At", "-v", "ON_ERROR_STOP=1", url, "-c", sql], check=True,
                             stdout=subprocess.PIPE, text=True).stdout
        return out.splitlines() if capture else None

    admin = url
    subprocess.run(["psql", "-q", "-X", admin, "-c", "DROP DATABASE IF EXISTS phone_tail"], check=True)
    subprocess.run(["psql", "-q", "-X", admin, "-c", "CREATE DATABASE phone_tail"], check=True)
    url = admin.rsplit("/", 1)[0] + "/phone_tail"
    with tempfile.TemporaryDirectory() as key_dir:
        migrate(["--data-dir", key_dir, "--database-url", url])
    psql(UNITS_SQL.format(series14=pg_series(14, 's'), series5=pg_series(5, 'b')))
    phone = "'1' || (3 + i % 7) || lpad(((i::bigint * 104729 + 12345) % 1000000000)::text, 9, '0')"
    psql(members_sql(pg_series(MEMBERS, 'i'), phone))
    psql("ANALYZE")
    lit = {"s": "'/1/%'", "a": f"'{TAIL}'", "b": "'5679'", "t": f"'{TAIL}'", "l": f"'%{TAIL}'"}
    results = {}
    for name, where in {"tail index (0009)": WHERE_NEW, "LIKE '%5678' (scan)": WHERE_LIKE}.items():
        page = SELECT + where.format(**lit) + ORDER
        count = "SELECT COUNT(*) FROM members m" + where.format(**lit)
        plan = [line.strip() for line in psql("EXPLAIN " + page, capture=True) if "Scan" in line]
        results[name] = (page, count, (), plan)
    found = len(psql(results["tail index (0009)"][0], capture=True))
    def server_ms(sql, _params):
        if sql.startswith("DROP"):
            return psql(sql)
        lines = psql("EXPLAIN (ANALYZE) " + sql, capture=True)
        return sum(float(line.split(":")[1].split()[0]) for line in lines if "Execution Time" in line)

    print(f"\n### PostgreSQL: {MEMBERS} members, q={TAIL} → {found} found (server execution time)\n")
    medians = {}
    for name, (page, count, _, _) in results.items():
        medians[name] = statistics.median(server_ms(page, ()) + server_ms(count, ()) for _ in range(REPS))
    page, count, _, _ = results["tail index (0009)"]
    psql("DROP INDEX members_phone_tail")
    medians["same SQL, no tail index (scan)"] = statistics.median(
        server_ms(page, ()) + server_ms(count, ()) for _ in range(REPS))
    print("| form | page + COUNT, median ms |\n|---|---|")
    for name, ms in medians.items():
        print(f"| {name} | {ms:.2f} |")
    print("\nplan (tail index):", " / ".join(results["tail index (0009)"][3]))


def main():
    if not Path(BIN).exists():
        sys.exit(f"no binary at {BIN}: cargo build first")
    with tempfile.TemporaryDirectory(prefix="phone-tail.") as work:
        sqlite_bench(work)
    if os.environ.get("DONGXUN_TEST_PG"):
        pg_bench(os.environ["DONGXUN_TEST_PG"])


if __name__ == "__main__":
    main()
