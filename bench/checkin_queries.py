#!/usr/bin/env python3
"""Where a check-in's time goes, statement by statement (the SQL behind checkin_burst.py).

One check-in is a landing GET and a POST; between them they run these statements (copied from
src/campaign/store/sessions.rs, src/people/search.rs, src/campaign/store/campaigns.rs,
src/campaign/audience.rs and src/campaign/store/attendance.rs at the commit the report names):

  GET   sessions::by_id          the session with its joins and COUNT(*) of its attendances
  POST  sessions::by_id          again
        identify: search list    members WHERE scope AND name LIKE '%<name>%' AND active,
                                 ORDER BY pinyin LIMIT 50   (a scan: the pattern starts with %)
        identify: search COUNT   the same WHERE, COUNT(*)   (a second scan; identify ignores it)
        campaigns::by_id
        audience::session_admits COUNT(*) of the member under the audience condition
        attendance::record       INSERT … ON CONFLICT DO NOTHING RETURNING id, then COMMIT
                                 (WAL, synchronous=FULL as dongxun opens SQLite: one fsync)

Each is timed on a copy of the demo database (1,500 members; ANALYZE run, as `serve` does at
start) and on the same database with members added up to --members (default 100,000, the scale of
the other benchmarks), one connection, warm, for --n different members (median and p99 in ms),
with Python's sqlite3 (system SQLite; the ratios carry over to the bundled one, the absolute
numbers roughly). The commit is timed with synchronous=FULL and =NORMAL to show the fsync.

Usage: python3 bench/checkin_queries.py [--members 100000] [--n 300] [--work DIR]
"""

import argparse
import datetime as dt
import random
import shutil
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as c  # noqa: E402
import checkin_burst as cb  # noqa: E402
import coverage_rollup as cr  # noqa: E402

SESSION_SELECT = (
    "SELECT s.id, s.campaign_id, s.batch_id, s.kind, s.title, s.topic_id, "
    "COALESCE(t.name, '') AS topic_name, COALESCE(t.compulsory, FALSE) AS topic_compulsory, "
    "s.lecturer_id, COALESCE(l.name, '') AS lecturer_name, s.unit_id, hu.name AS unit_name, "
    "hu.path AS unit_path, s.audience_unit_id, au.path AS audience_path, au.name AS audience_name, "
    "s.venue_id, COALESCE(v.name, '') AS venue_name, s.place, s.starts_at, s.ends_at, "
    "s.expected_attendees, s.checkin_opens_minutes, s.online_url, s.status, s.secret, "
    "(SELECT COUNT(*) FROM attendances a WHERE a.session_id = s.id) AS attendance_count "
    "FROM training_sessions s JOIN units hu ON hu.id = s.unit_id JOIN units au ON au.id = s.audience_unit_id "
    "LEFT JOIN topics t ON t.id = s.topic_id LEFT JOIN lecturers l ON l.id = s.lecturer_id "
    "LEFT JOIN venues v ON v.id = s.venue_id WHERE s.id = ?")
MEMBER_SELECT = (
    "SELECT m.id, m.unit_id, u.name AS unit_name, u.path AS unit_path, m.name, "
    "m.name_pinyin, m.name_initials, m.gender, m.birth_date, m.phone, m.id_card, m.joined_party_on, "
    "m.categories, m.status, m.created_at, m.updated_at FROM members m JOIN units u ON u.id = m.unit_id")
SEARCH_WHERE = (" WHERE m.unit_id IN (SELECT id FROM units WHERE path LIKE ?) "
                "AND m.name LIKE ? ESCAPE '\\' AND m.status = ?")
SEARCH_LIST = MEMBER_SELECT + SEARCH_WHERE + " ORDER BY m.name_pinyin, m.id LIMIT ? OFFSET ?"
SEARCH_COUNT = "SELECT COUNT(*) FROM members m" + SEARCH_WHERE
CAMPAIGN = ("SELECT id, name, starts_on, ends_on, audience_categories, required_sessions, "
            "required_minutes, is_current, created_at FROM campaigns WHERE id = ?")
AUDIENCE_WHERE = (
    "m.status = 'active' "
    "AND m.unit_id IN (SELECT iu.id FROM units iu WHERE iu.path LIKE ?2 "
    "    AND EXISTS (SELECT 1 FROM campaign_units cu JOIN units au ON au.id = cu.unit_id "
    "                WHERE cu.campaign_id = ?1 AND iu.path LIKE au.path || '%')) "
    "AND (?3 = 0 OR (m.categories & ?3) <> 0) "
    "AND NOT EXISTS (SELECT 1 FROM campaign_exclusions x WHERE x.campaign_id = ?1 AND x.member_id = m.id)")
ADMITS = "SELECT COUNT(*) FROM members m WHERE m.id = ?4 AND " + AUDIENCE_WHERE
INSERT = ("INSERT INTO attendances (session_id, member_id, channel, minutes, late, checked_in_at, recorded_by) "
          "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (session_id, member_id) DO NOTHING RETURNING id")


def prepare(path, members_total):
    """A demo database with one whole-sub-district session (as checkin_burst.py adds it), and
    members added up to members_total (as coverage_rollup.py adds them)."""
    c.make_demo_db(path, log_path=path.parent / f"{path.name}.log")
    con = sqlite3.connect(path / "dongxun.db")
    if members_total > 1500:
        facts = {k: int(con.execute(q).fetchone()[0]) for k, q in cr.FACTS_SQL.items()}
        con.execute(cr.seed_sql(members_total, facts["sessions"], facts)[0])
    now = dt.datetime.now(dt.timezone.utc)
    (campaign,) = con.execute("SELECT id FROM campaigns WHERE is_current = TRUE").fetchone()
    (root,) = con.execute("SELECT id FROM units WHERE parent_id IS NULL").fetchone()
    cur = con.execute(
        "INSERT INTO training_sessions (campaign_id, kind, title, unit_id, audience_unit_id, place, starts_at, "
        "ends_at, checkin_opens_minutes, status, secret, created_at) VALUES (?, 'lecture', 'x', ?, ?, '', ?, ?, 30, "
        "'scheduled', 's', ?) RETURNING id",
        (campaign, root, root, (now + dt.timedelta(minutes=5)).isoformat(),
         (now + dt.timedelta(minutes=65)).isoformat(), now.isoformat()))
    session = cur.fetchone()[0]
    con.commit()
    con.execute("ANALYZE")
    con.commit()
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return session, campaign


def time_statements(db_path, session, campaign, n, seed=1):
    con = sqlite3.connect(db_path, isolation_level=None)
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("PRAGMA cache_size = -65536")
    (root_path,), = con.execute("SELECT path FROM units WHERE parent_id IS NULL")
    people = con.execute("SELECT id, name, phone FROM members WHERE status = 'active' AND phone IS NOT NULL").fetchall()
    rng = random.Random(seed)
    sample = rng.sample(people, min(n, len(people)))
    times = {}

    def t(key, sql, params, fetch=True):
        start = time.perf_counter()
        rows = con.execute(sql, params).fetchall() if fetch else con.execute(sql, params)
        times.setdefault(key, []).append((time.perf_counter() - start) * 1000)
        return rows

    for mid, name, phone in sample:  # warm-up pass over a few, not kept
        con.execute(SEARCH_LIST, ("%", f"%{name}%", "active", 50, 0)).fetchall()
        break
    now = dt.datetime.now(dt.timezone.utc).isoformat()
    for sync in ("FULL", "NORMAL"):
        con.execute(f"PRAGMA synchronous = {sync}")
        for i, (mid, name, phone) in enumerate(sample):
            if sync == "FULL":
                t("GET+POST: sessions::by_id (×2, one shown)", SESSION_SELECT, (session,))
                rows = t("identify: search list (name LIKE, LIMIT 50)", SEARCH_LIST,
                         ("%", f"%{name}%", "active", 50, 0))
                assert any(r[0] == mid and r[9] == phone for r in rows), (name, phone)
                t("identify: search COUNT(*)", SEARCH_COUNT, ("%", f"%{name}%", "active"))
                t("campaigns::by_id", CAMPAIGN, (campaign,))
                (ok,), = t("audience::session_admits", ADMITS, (campaign, f"{root_path}%", 0, mid))
                assert ok == 1
            start = time.perf_counter()
            con.execute("BEGIN")
            con.execute(INSERT, (session if sync == "FULL" else -session, mid, "qr", 60, 0, now, None)).fetchall()
            con.execute("COMMIT")
            times.setdefault(f"attendance::record: INSERT + COMMIT (synchronous={sync})", []).append(
                (time.perf_counter() - start) * 1000)
    con.close()
    return times


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--members", type=int, default=100_000)
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--work", type=Path, default=c.DEFAULT_WORK)
    args = ap.parse_args()
    c.ensure_dongxun()
    args.work.mkdir(parents=True, exist_ok=True)
    results = {}
    for total in (1500, args.members):
        path = args.work / f"checkin-queries-{total}"
        if path.exists():
            shutil.rmtree(path)
        session, campaign = prepare(path, total)
        # The NORMAL pass inserts under a negative session id: no foreign key checks in Python's
        # sqlite3 by default, and the FULL rows stay apart from it.
        results[total] = time_statements(path / "dongxun.db", session, campaign, args.n)
        shutil.rmtree(path)
    print(f"\n## Check-in statements — {dt.datetime.now():%Y-%m-%d %H:%M}")
    print(f"Machine: {c.machine_line()}")
    print(f"Python sqlite3 {sqlite3.sqlite_version}, one connection, warm, {args.n} members each; ms median (p99)\n")
    keys = list(results[1500])
    print(f"| statement | 1,500 members | {args.members:,} members |")
    print("|---|---:|---:|")
    for k in keys:
        cells = []
        for total in (1500, args.members):
            v = results[total][k]
            cells.append(f"{c.median(v):.3f} ({cb.percentile(v, .99):.3f})")
        print(f"| {k} | {' | '.join(cells)} |")
    for total in (1500, args.members):
        per = sum(c.median(results[total][k]) for k in keys if "NORMAL" not in k) \
            + c.median(results[total][keys[0]])  # by_id runs twice
        print(f"\nSum of medians for one check-in (GET + POST, synchronous=FULL), {total:,} members: {per:.2f} ms")


if __name__ == "__main__":
    main()
