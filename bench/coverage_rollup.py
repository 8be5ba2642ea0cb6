#!/usr/bin/env python3
"""Benchmark 4: the committee's coverage rollup (GET /coverage) at scale — 100,000 members ×
200 sessions × 2,000,000 attendances — computed the way /coverage does it
(`coverage::unit_rates`: audience ids and credits read as text, folded per member in Rust) next to
the same rollup as ONE SQL query (`coverage::unit_counts_sql`), on SQLite and on PostgreSQL; plus
the /coverage page itself over HTTP as the committee admin.

Database (per backend, built once per run, ~1 min): the demo (`serve --demo`: 1,500 members in
43 branches, the current campaign 本年度基层党员冬训（演示） whose audience is the whole
sub-district, rule "4 sessions or 12 hours, and the compulsory topic 书记开讲第一课", ~59
sessions), then in SQL:
  members      up to --members (default 100,000) active members in all, the new ones spread
               evenly over the demo's branches (no phone or ID card; the rollup reads none);
  sessions     up to --sessions (default 200) in the campaign, the new ones held before today,
               every 50th on the compulsory topic, the others on 学习党的创新理论;
  attendances  the demo's are deleted; member number i (0-based, by id) attended n(i) = 20 ± d
               sessions, d = (i div 2) mod 21 (+ for even i, − for odd, so n runs 0…40 and the
               total is exactly 20 × members = 2,000,000), namely session numbers
               (7i + 5k) mod 200 for k < n(i) (distinct for k < 40), 90 minutes each, inserted
               session by session (the order check-ins arrive in). UNIQUE(session, member) holds
               by construction.
So about a quarter of the members are covered (n ≥ 4 and one of the 3 compulsory sessions among
their n) — both outcomes, and both reasons for not being covered, are frequent. SQLite: the database file is built with Python's sqlite3, then every
process that opens it runs ANALYZE with the bundled SQLite first (as `serve` does at start).
PostgreSQL (scripts/pg-throwaway, fsync=off): the same SQL through psql, then VACUUM ANALYZE.

Measured, per backend, --rounds rounds, in each round one after the other:
  1. bench/coverage-rollup (a small Rust program linked against this checkout's dongxun crate,
     built with its own target dir, seeded from target/release): `unit_rates` and
     `unit_counts_sql` (which goes first alternates by round; their counts are compared: every
     unit's audience and covered must be equal, and the totals); then each phase of `unit_rates`
     alone (the audience query, `progress`, and inside it the credits query and the fold), and
     `coverage::compute` (the full per-member report). Wall time and this process's CPU time
     (for SQLite that includes the database's work; for PostgreSQL only the client's).
  2. GET /coverage as the committee admin (13900000001, logged in through the real form) on
     `dongxun serve` over the same database, --http-requests times sequentially on one
     keep-alive connection, each checked to be the real page (HTTP 200, its 未覆盖 count equal to
     the rollup's).
Reported: medians (min–max) per measurement, and the per-round ratio SQL / Rust (> 1: the Rust
fold is faster) and page / Rust.

Target (issue): the per-unit rollup under 1 s at this scale.

Usage: python3 bench/coverage_rollup.py [--rounds 5] [--http-requests 3] [--no-pg | --pg]
                                        [--members 100000] [--sessions 200] [--work DIR]
"""

import argparse
import datetime as dt
import http.client
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as c  # noqa: E402

HARNESS_DIR = c.BENCH / "coverage-rollup"
HARNESS = HARNESS_DIR / "target" / "release" / "coverage-rollup"
ADMIN_PHONE, PASSWORD = "13900000001", "dongxun2021"
PER_MEMBER = 20  # average attendances per member


def pg_available():
    return any(Path(p, "initdb").exists() for p in Path("/usr/lib/postgresql").glob("*/bin")) \
        or bool(shutil.which("pg_config"))


def psql(url, sql, capture=False):
    out = subprocess.run(["psql", "-q", "-X", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", url, "-c", sql],
                         check=True, stdout=subprocess.PIPE, text=True,
                         env={**os.environ, "PGOPTIONS": "--client-min-messages=warning"}).stdout
    return [line.split("\t") for line in out.splitlines() if line] if capture else None


def with_db(url, name):
    return url.rsplit("/", 1)[0] + "/" + name


def build_harness():
    """cargo build --release of bench/coverage-rollup. Its first build seeds its target dir with a
    copy of the repository's target/release (same dependencies, same profile), so only dongxun
    and the harness compile (~2–3 min on 2 cores; ~8 without the seed)."""
    target = HARNESS_DIR / "target"
    shared = c.ROOT / "target" / "release"
    if not target.exists() and shared.is_dir():
        c.log(f"seeding {target} from {shared}")
        target.mkdir()
        subprocess.run(["cp", "-a", str(shared), str(target / "release")], check=True)
        # Only the dependencies are wanted; dongxun itself is rebuilt from this checkout.
        for p in (target / "release").glob("dongxun*"):
            if p.is_file():
                p.unlink()
    c.log("building bench/coverage-rollup (cargo build --release)")
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=HARNESS_DIR, check=True,
                   env={k: v for k, v in os.environ.items() if k != "CARGO_TARGET_DIR"})
    return HARNESS


# --- seeding ---------------------------------------------------------------------------------

def seed_sql(members_total, sessions_total, facts):
    """The seeding statements, the same text for SQLite and PostgreSQL. `facts` holds numbers read
    from the demo database (all integers, formatted here)."""
    now = dt.datetime.now(dt.timezone.utc)
    past = (now - dt.timedelta(days=3)).replace(microsecond=0)
    f = dict(facts, now=now.isoformat(), past=past.isoformat(),
             past_end=(past + dt.timedelta(minutes=90)).isoformat(),
             add_members=members_total - facts["members"], add_sessions=sessions_total - facts["sessions"],
             sessions_total=sessions_total)
    if f["add_members"] < 0 or f["add_sessions"] < 0:
        raise SystemExit(f"the demo already has {facts['members']} members / {facts['sessions']} sessions")
    return [
        # Members, spread over the branches.
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {add_members}), "
        "b AS (SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS k FROM units WHERE kind = 'branch') "
        "INSERT INTO members (unit_id, name, name_pinyin, name_initials, categories, status, created_at, updated_at) "
        "SELECT b.id, '压测党员' || CAST(n.i AS TEXT), 'yacedangyuan' || CAST(n.i AS TEXT), 'ycdy', "
        "CASE n.i % 10 WHEN 0 THEN 1 WHEN 1 THEN 9 WHEN 2 THEN 4 ELSE 0 END, 'active', '{now}', '{now}' "
        "FROM n JOIN b ON b.k = n.i % {branches}".format(**f),
        # Sessions: every 50th on the compulsory topic.
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {add_sessions}) "
        "INSERT INTO training_sessions (campaign_id, kind, title, topic_id, unit_id, audience_unit_id, place, "
        "starts_at, ends_at, checkin_opens_minutes, status, secret, created_at) "
        "SELECT {campaign}, 'lecture', '压测场次' || CAST(n.i AS TEXT), "
        "CASE WHEN n.i % 50 = 0 THEN {compulsory} ELSE {theory} END, {root}, {root}, '', "
        "'{past}', '{past_end}', 30, 'scheduled', 'bench' || CAST(n.i AS TEXT), '{now}' FROM n".format(**f),
        "DELETE FROM attendances",
        # Session number → id, as a small indexed table (a CTE with a window function would be
        # scanned once per attendance row).
        "CREATE TABLE bench_session_index AS SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS idx "
        "FROM training_sessions WHERE campaign_id = {campaign}".format(**f),
        "CREATE UNIQUE INDEX bench_session_index_idx ON bench_session_index (idx)",
        # Attendances: member i attends n(i) = 20 ± d sessions, (7i + 5k) mod 200.
        "WITH RECURSIVE k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j < 39), "
        "m AS (SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS i FROM members WHERE status = 'active'), "
        "mn AS (SELECT id, i, CASE WHEN i % 2 = 0 THEN 20 + (i / 2) % 21 ELSE 20 - (i / 2) % 21 END AS n FROM m) "
        "INSERT INTO attendances (session_id, member_id, channel, minutes, late, checked_in_at) "
        "SELECT s.id, mn.id, 'qr', 90, FALSE, '{now}' FROM mn JOIN k ON k.j < mn.n "
        "JOIN bench_session_index s ON s.idx = (mn.i * 7 + k.j * 5) % {sessions_total} "
        "ORDER BY s.idx, mn.i".format(**f),
        "DROP TABLE bench_session_index",
    ]


FACTS_SQL = {
    "campaign": "SELECT id FROM campaigns WHERE is_current = TRUE",
    "root": "SELECT id FROM units WHERE parent_id IS NULL",
    "branches": "SELECT COUNT(*) FROM units WHERE kind = 'branch'",
    "members": "SELECT COUNT(*) FROM members WHERE status = 'active'",
    "sessions": "SELECT COUNT(*) FROM training_sessions WHERE campaign_id = (SELECT id FROM campaigns WHERE is_current = TRUE)",
    "compulsory": "SELECT MIN(id) FROM topics WHERE compulsory = TRUE",
    "theory": "SELECT id FROM topics WHERE name = '学习党的创新理论'",
}
SIZE_SQL = ("SELECT (SELECT COUNT(*) FROM members WHERE status = 'active'), "
            "(SELECT COUNT(*) FROM training_sessions), (SELECT COUNT(*) FROM attendances)")


def seed_sqlite(data_dir, members, sessions, logs):
    c.make_demo_db(data_dir, log_path=logs / "coverage-seed-sqlite.log")
    con = sqlite3.connect(data_dir / "dongxun.db")
    con.execute("PRAGMA synchronous = OFF")
    con.execute("PRAGMA cache_size = -262144")
    facts = {k: int(con.execute(q).fetchone()[0]) for k, q in FACTS_SQL.items()}
    for sql in seed_sql(members, sessions, facts):
        t = time.monotonic()
        con.execute(sql)
        con.commit()
        c.log(f"  {sql[:60]}… {time.monotonic() - t:.1f}s")
    size = con.execute(SIZE_SQL).fetchone()
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return size


def seed_pg(url, members, sessions, logs):
    c.make_demo_db(url=url, log_path=logs / "coverage-seed-pg.log")
    facts = {k: int(psql(url, q, capture=True)[0][0]) for k, q in FACTS_SQL.items()}
    for sql in seed_sql(members, sessions, facts):
        t = time.monotonic()
        psql(url, sql)
        c.log(f"  {sql[:60]}… {time.monotonic() - t:.1f}s")
    psql(url, "VACUUM ANALYZE")
    return tuple(int(x) for x in psql(url, SIZE_SQL, capture=True)[0])


# --- measuring -------------------------------------------------------------------------------

def run_harness(db_args, rounds, log_path):
    """One harness run; returns ({what: [(wall ms, cpu ms)]}, checks, infos)."""
    proc = subprocess.run([str(HARNESS), *db_args, "--rounds", str(rounds), "--full"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=1800)
    Path(log_path).write_text(proc.stdout + proc.stderr)
    times, checks, infos = {}, [], []
    for line in proc.stdout.splitlines():
        parts = line.split("\t")
        if parts[0] == "time":
            times.setdefault(parts[2], []).append((float(parts[3]), float(parts[4])))
        elif parts[0] == "check":
            checks.append(parts[1:])
        elif parts[0] == "info":
            infos.append(parts[1])
    if proc.returncode != 0 or any(ch[0] != "ok" for ch in checks):
        raise SystemExit(f"coverage-rollup failed (exit {proc.returncode}); see {log_path}:\n"
                         + (proc.stdout + proc.stderr)[-2000:])
    return times, checks, infos


def login(addr):
    host, port = addr.rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    conn.request("GET", "/login")
    resp = conn.getresponse()
    body = resp.read().decode()
    jar = {}
    for k, v in resp.getheaders():
        if k.lower() == "set-cookie":
            name, _, rest = v.partition("=")
            jar[name] = rest.split(";", 1)[0]
    token = re.search(r'name="csrf" value="([^"]+)"', body).group(1)
    form = urllib.parse.urlencode({"phone": ADMIN_PHONE, "password": PASSWORD, "csrf": token, "next": "/"})
    conn.request("POST", "/login", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())})
    resp = conn.getresponse()
    resp.read()
    for k, v in resp.getheaders():
        if k.lower() == "set-cookie":
            name, _, rest = v.partition("=")
            jar[name] = rest.split(";", 1)[0]
    if resp.status not in (302, 303) or "dx_session" not in jar:
        raise SystemExit(f"login failed: HTTP {resp.status}")
    conn.close()
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def get_coverage(addr, cookie, n, uncovered):
    host, port = addr.rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=120)
    times = []
    for _ in range(n):
        t = time.perf_counter()
        conn.request("GET", "/coverage", headers={"Cookie": cookie})
        resp = conn.getresponse()
        body = resp.read().decode()
        times.append((time.perf_counter() - t) * 1000)
        if resp.status != 200 or f"查看未覆盖的{uncovered}名党员" not in body:
            raise SystemExit(f"GET /coverage: HTTP {resp.status}, expected 未覆盖 {uncovered} in the page")
    conn.close()
    return times


def measure(name, db_args, server_args, rounds, n_http, logs):
    """Interleaved rounds: the harness (one round per process, first step alternating by round),
    then GET /coverage on a server that stays up."""
    times, infos, totals = {}, [], None
    with c.start_dongxun(**server_args, log_path=logs / f"coverage-serve-{name}.log") as server:
        cookie = login(server.addr)
        for r in range(rounds):
            # The harness alternates its first step by round number; run r+1 rounds and keep the
            # last, so round r starts with the same side it would in one long run.
            t, checks, info = run_harness(db_args, 1 if r % 2 == 0 else 2, logs / f"coverage-{name}-r{r}.log")
            last = str((1 if r % 2 == 0 else 2) - 1)
            infos = infos or info
            for what, values in t.items():
                times.setdefault(what, []).append(values[-1])
            ch = [x for x in checks if x[1] == last][0]
            audience, covered = int(ch[3].split()[0]), int(ch[4].split()[0])
            totals = (int(ch[2].split()[0]), audience, covered)
            if r == 0:
                get_coverage(server.addr, cookie, 1, audience - covered)  # warm, not counted
            page = get_coverage(server.addr, cookie, n_http, audience - covered)
            times.setdefault("http: GET /coverage", []).append((c.median(page), float("nan")))
            c.log(f"{name} round {r}: rust {times['rust'][-1][0]:.0f} ms, sql {times['sql'][-1][0]:.0f} ms, "
                  f"page {c.median(page):.0f} ms")
        rss = c.peak_rss_mb(server.pid)
    return times, infos, totals, rss


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--http-requests", type=int, default=3, help="GET /coverage per round (median kept)")
    ap.add_argument("--members", type=int, default=100_000)
    ap.add_argument("--sessions", type=int, default=200)
    ap.add_argument("--work", type=Path, default=c.DEFAULT_WORK)
    pg = ap.add_mutually_exclusive_group()
    pg.add_argument("--pg", dest="pg", action="store_true", default=None)
    pg.add_argument("--no-pg", dest="pg", action="store_false")
    args = ap.parse_args()
    if args.pg is None:
        args.pg = pg_available()
    if args.pg and "DONGXUN_TEST_PG" not in os.environ:
        argv = [str(c.ROOT / "scripts" / "pg-throwaway"), sys.executable, __file__, *sys.argv[1:]]
        os.execv(argv[0], argv)

    c.ensure_dongxun()
    build_harness()
    work = args.work
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    machine = c.machine_line()
    src_state = subprocess.run(["git", "-C", str(c.ROOT), "status", "--porcelain", "--", "src", "migrations",
                                "templates", "Cargo.toml", "Cargo.lock"],
                               stdout=subprocess.PIPE, text=True).stdout.strip()
    head = subprocess.run(["git", "-C", str(c.ROOT), "rev-parse", "--short", "HEAD"],
                          stdout=subprocess.PIPE, text=True).stdout.strip()

    results = {}
    data = work / "coverage-sqlite"
    if data.exists():
        shutil.rmtree(data)
    t = time.monotonic()
    size = seed_sqlite(data, args.members, args.sessions, logs)
    c.log(f"SQLite seeded in {time.monotonic() - t:.0f}s: {size}")
    db_mb = (data / "dongxun.db").stat().st_size / 2**20
    results["SQLite"] = (size, measure("sqlite", ["--data-dir", str(data)], {"data_dir": data},
                                       args.rounds, args.http_requests, logs), f"{db_mb:.0f} MB file")
    shutil.rmtree(data)
    if args.pg:
        admin = os.environ["DONGXUN_TEST_PG"]
        psql(admin, "DROP DATABASE IF EXISTS dx_coverage")
        psql(admin, "CREATE DATABASE dx_coverage")
        url = with_db(admin, "dx_coverage")
        t = time.monotonic()
        size = seed_pg(url, args.members, args.sessions, logs)
        c.log(f"PostgreSQL seeded in {time.monotonic() - t:.0f}s: {size}")
        db_mb = int(psql(url, "SELECT pg_database_size(current_database())", capture=True)[0][0]) / 2**20
        version = psql(url, "SHOW server_version", capture=True)[0][0]
        results["PostgreSQL"] = (size, measure("pg", ["--database-url", url], {"url": url},
                                               args.rounds, args.http_requests, logs),
                                 f"{db_mb:.0f} MB database, PostgreSQL {version}")
    report(args, machine, head, src_state, results)


LABELS = [
    ("rust", "`unit_rates` — the Rust fold (what /coverage uses)"),
    ("sql", "`unit_counts_sql` — one SQL query"),
    ("http: GET /coverage", "GET /coverage as the committee admin (HTTP, whole page)"),
    ("phase: audience::member_units", "… phase: audience (unit, member ids) query"),
    ("phase: coverage::progress", "… phase: `progress` (credits query + fold)"),
    ("phase: progress, credits query only", "… … credits `string_agg` query alone"),
    ("phase: progress, fold only", "… … `fold_encoded_credits` alone"),
    ("phase: completion_rule + units_in_scope", "… phase: rule + units"),
    ("full: coverage::compute", "`compute` — full per-member report (names; the uncovered list, export)"),
]


def report(args, machine, head, src_state, results):
    med = c.median
    print(f"\n## Coverage rollup at scale — {dt.datetime.now():%Y-%m-%d %H:%M}")
    print(f"Machine: {machine}")
    print(f"Server binary: {c.binary_line()}")
    changed = [line.split()[-1] for line in src_state.splitlines()]
    coverage_changed = [p for p in changed if "coverage" in p or "audience" in p]
    print(f"Harness: bench/coverage-rollup linked against this checkout (HEAD {head}"
          + (f"; {len(changed)} files with uncommitted changes at the start"
             + (f", among them {' '.join(coverage_changed)}" if coverage_changed else ", none of coverage's")
             if changed else ", clean") + ")")
    print(f"{args.rounds} rounds per backend, medians (min–max); ratios per round, then the median.\n")
    for backend, (size, (times, infos, totals, rss), db_note) in results.items():
        units, audience, covered = totals
        print(f"### {backend}: {size[0]:,} members, {size[1]:,} sessions, {size[2]:,} attendances ({db_note})\n")
        for info in infos:
            print(f"- {info}")
        print(f"- both rollups agree in every round: {units} units, audience {audience:,}, covered {covered:,} "
              f"({covered / audience:.1%}); server peak RSS {rss or 0:.0f} MB\n")
        rust = [w for w, _ in times["rust"]]
        print("| what | wall ms | CPU ms (this process) | vs `unit_rates` | under 1 s |")
        print("|---|---:|---:|---:|---|")
        for key, label in LABELS:
            if key not in times:
                continue
            walls = [w for w, _ in times[key]]
            cpus = [x for _, x in times[key] if x == x]
            cpu = f"{med(cpus):,.0f}" if cpus else "—"
            ratio = med([w / r for w, r in zip(walls, rust)])
            target = "" if key.startswith("phase") else ("met" if max(walls) < 1000 else
                                                          ("median met" if med(walls) < 1000 else "MISSED"))
            print(f"| {label} | {med(walls):,.0f} ({min(walls):,.0f}–{max(walls):,.0f}) | {cpu} | {ratio:.2f}× | {target} |")
        print()
    print("`vs unit_rates`: that row's wall time / unit_rates' wall time in the same round (> 1: slower than "
          "the Rust fold). The page row is the median of its requests in the round.")


if __name__ == "__main__":
    main()
