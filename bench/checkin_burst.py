#!/usr/bin/env python3
"""Benchmark 3: a check-in burst — every member of the sub-district checks in to ONE session by
name and phone (POST /checkin/{id}), 200 phones at a time, over loopback; every check-in must be
stored exactly once.

Setup (once per backend): the demo database (`serve --demo` on a fresh data dir or a fresh
PostgreSQL database: 1,500 members, all with a phone). Per run, a fresh copy of it (SQLite: a copied
data dir; PostgreSQL: CREATE DATABASE … TEMPLATE) gets one extra session inserted directly —
campaign = the demo's current campaign, host and audience = the root unit (石湫街道, so all 1,500
members are admitted), starts in 5 minutes, ends an hour later, check-in opens 30 minutes before,
a known secret — and then `dongxun serve` (no --demo) is started on it on 127.0.0.1:0.

The client (Python asyncio + aiohttp, in this process): --concurrency workers (default 200), each
an aiohttp session with its own cookie jar and one keep-alive connection, take jobs from one
queue. A job is one phone: clear the cookie jar, GET /checkin/{id}?t=TOKEN (the landing page:
sets the dx_csrf cookie and holds the hidden csrf field; TOKEN = hex of the first 8 bytes of
HMAC-SHA256(secret, b"qr" || window as 8-byte big-endian), window = unix seconds div 30, what the
projector's QR shows at that moment), then POST /checkin/{id} with t, name, phone, csrf. The jobs
are every active member once, in a shuffled order, plus --dup-share (default 10%) duplicates: half
"double taps" queued right behind the member's first job (two phones in flight at once for the
same member), half "retries" queued at a random later place. Every member's name and phone are
read from the database.

Checks (a run that fails one stops the benchmark): every response is HTTP 200 with 签到成功 or
您已签到; exactly one 签到成功 per member; `SELECT COUNT(*) FROM attendances WHERE session_id = …`
equals the number of distinct members (and `COUNT(DISTINCT member_id)` the same).

Side by side in the same round, with the same client and concurrency: the ceiling,
bench/trivial-axum (GET /members, then the same POST to /members, which axum answers 405 from its
router: a full HTTP round trip with the same form body and no work).

Two modes, each run per round for both servers:
  burst   all jobs as fast as the 200 workers go (a closed loop, 200 requests in flight): the
          total time is the "1,500 within 60 s" target; by Little's law its latency is about
          200 / throughput, so p99 < 100 ms here needs ~2,000 check-ins/s.
  paced   (--paced SECONDS, default 60; 0 skips it) the same jobs started at an even rate so that
          they span SECONDS (1,650 in 60 s = 27.5 POSTs/s), still at most 200 in flight: the issue's
          scenario — 1,500 people within a minute — latency as each phone sees it.

Reported: per mode and server, total time, POST/s, POST p50/p95/p99/max, landing GET p50/p99,
server CPU seconds (user+sys of the server process) and peak RSS; and the ratios dongxun /
ceiling within each round (median over rounds). PostgreSQL runs inside scripts/pg-throwaway
(fsync=off there; SQLite runs synchronous=FULL, every check-in commit is fsynced).

Optional: --perf adds one more SQLite burst recorded with `perf` and prints where the server's time
went; --pad-members 100000 adds phoneless members (as coverage_rollup.py does) to the database so
the check-ins run against a city-sized roster, with --limit N to let only N sampled members check in,
and --keep-going to report failed check-ins instead of stopping.

Usage: python3 bench/checkin_burst.py [--rounds 3] [--concurrency 200] [--dup-share 0.1]
                                      [--paced 60] [--no-pg | --pg] [--work DIR] [--perf]
                                      [--pad-members N --limit N]
"""

import argparse
import asyncio
import datetime as dt
import hashlib
import hmac
import os
import random
import re
import resource
import signal
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as c  # noqa: E402

# Every phone here comes from one loopback address; the server's per-address guessing budget
# (30 name-and-phone attempts a minute by default) is for the open internet, not this test.
os.environ.setdefault("DONGXUN_GUESSES_PER_ADDRESS", "1000000")

SECRET = "bench-checkin-secret"
TITLE = "冬训夜校（签到压测）"
OK_NEW = "签到成功"
OK_ALREADY = "您已签到"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def ensure_aiohttp():
    try:
        import aiohttp  # noqa: F401
        import uvloop  # noqa: F401
    except ImportError:
        c.log("installing aiohttp and uvloop from PyPI")
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "aiohttp", "uvloop"], check=True)


def run_async(coro):
    """asyncio.run on uvloop's event loop (about half the client's CPU per request of the default
    loop), so the client adds less to what it measures."""
    import uvloop
    return uvloop.run(coro)





def qr_token(secret, window):
    mac = hmac.new(secret.encode(), b"qr" + window.to_bytes(8, "big", signed=True), hashlib.sha256)
    return mac.digest()[:8].hex()


def token_now():
    return qr_token(SECRET, int(time.time()) // 30)


# --- the database side -----------------------------------------------------------------------

class Backend:
    """One database of one backend: make it, add the session, read members, count attendances."""

    def __init__(self, kind, work=None, pg_url=None):
        self.kind, self.work, self.pg_url = kind, work, pg_url

    def make_template(self, logs, pad_members=0):
        """The demo; with pad_members, members without a phone added up to that many in all (as
        coverage_rollup.py adds them), to see how check-in scales with the roster."""
        import coverage_rollup as cr
        if self.kind == "sqlite":
            self.template = self.work / "checkin-template-sqlite"
            if self.template.exists():
                shutil.rmtree(self.template)
            c.make_demo_db(self.template, log_path=logs / "checkin-seed-sqlite.log")
            if pad_members:
                con = sqlite3.connect(self.template / "dongxun.db")
                facts = {k: int(con.execute(q).fetchone()[0]) for k, q in cr.FACTS_SQL.items()}
                con.execute(cr.seed_sql(pad_members, facts["sessions"], facts)[0])
                con.commit()
                con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                con.close()
        else:
            c.psql(self.pg_url, "DROP DATABASE IF EXISTS dx_checkin_template")
            c.psql(self.pg_url, "CREATE DATABASE dx_checkin_template")
            url = c.with_db(self.pg_url, "dx_checkin_template")
            c.make_demo_db(url=url, log_path=logs / "checkin-seed-pg.log")
            if pad_members:
                facts = {k: int(c.psql(url, q, capture=True)[0][0]) for k, q in cr.FACTS_SQL.items()}
                c.psql(url, cr.seed_sql(pad_members, facts["sessions"], facts)[0])
                c.psql(url, "VACUUM ANALYZE")

    def fresh(self, tag):
        """A fresh copy of the template; returns the args for start_dongxun."""
        if self.kind == "sqlite":
            self.data = c.copy_sqlite_dir(self.template, self.work / f"checkin-{tag}")
            return {"data_dir": self.data}
        self.db = f"dx_checkin_{tag}".replace("-", "_")
        c.psql(self.pg_url, f"DROP DATABASE IF EXISTS {self.db}")
        c.psql(self.pg_url, f"CREATE DATABASE {self.db} TEMPLATE dx_checkin_template")
        return {"url": c.with_db(self.pg_url, self.db)}

    def drop(self):
        if self.kind == "sqlite":
            shutil.rmtree(self.data, ignore_errors=True)
        else:
            c.psql(self.pg_url, f"DROP DATABASE IF EXISTS {self.db}")

    def query(self, sql, params=()):
        if self.kind == "sqlite":
            con = sqlite3.connect(self.data / "dongxun.db", timeout=30)
            try:
                rows = con.execute(sql, params).fetchall()
                con.commit()
                return rows
            finally:
                con.close()
        # psql: inline the (trusted, generated here) parameters.
        for p in params:
            sql = sql.replace("?", "'" + str(p).replace("'", "''") + "'" if isinstance(p, str) else str(p), 1)
        return c.psql(c.with_db(self.pg_url, self.db), sql, capture=True)

    def add_session(self):
        """The whole-sub-district session, open for check-in now. Returns its id."""
        now = dt.datetime.now(dt.timezone.utc)
        (campaign,), = self.query("SELECT id FROM campaigns WHERE is_current = TRUE")
        (root,), = self.query("SELECT id FROM units WHERE parent_id IS NULL")
        starts, ends = now + dt.timedelta(minutes=5), now + dt.timedelta(minutes=65)
        iso = lambda t: t.isoformat()  # noqa: E731  RFC 3339, as sqlx stores chrono values
        rows = self.query(
            "INSERT INTO training_sessions (campaign_id, kind, title, unit_id, audience_unit_id, place, "
            "starts_at, ends_at, checkin_opens_minutes, status, secret, created_at) "
            "VALUES (?, 'lecture', ?, ?, ?, '街道大礼堂', ?, ?, 30, 'scheduled', ?, ?) RETURNING id",
            (int(campaign), TITLE, int(root), int(root), iso(starts), iso(ends), SECRET, iso(now)))
        return int(rows[0][0])

    def members(self):
        return [(name, phone) for name, phone in self.query(
            "SELECT name, phone FROM members WHERE status = 'active' AND phone IS NOT NULL ORDER BY id")]

    def attendance_counts(self, session_id):
        (total, distinct), = self.query(
            "SELECT COUNT(*), COUNT(DISTINCT member_id) FROM attendances WHERE session_id = ?", (session_id,))
        return int(total), int(distinct)


# --- the client ------------------------------------------------------------------------------

def make_jobs(members, dup_share, seed):
    """Every member once, shuffled, plus duplicates: half double taps right behind the first
    job, half retries at a random later place. A job is (member index, kind)."""
    rng = random.Random(seed)
    order = list(range(len(members)))
    rng.shuffle(order)
    dups = rng.sample(order, int(round(len(members) * dup_share)))
    taps, retries = set(dups[: len(dups) // 2]), dups[len(dups) // 2:]
    jobs = []
    for m in order:
        jobs.append((m, "first"))
        if m in taps:
            jobs.append((m, "double-tap"))
    for m in retries:
        first = next(i for i, (j, _) in enumerate(jobs) if j == m)
        jobs.insert(rng.randrange(first + 1, len(jobs) + 1), (m, "retry"))
    return jobs


async def run_client(base, session_id, members, jobs, concurrency, pace_seconds, ceiling):
    import aiohttp

    if ceiling:
        get_path, post_path = "/members", "/members"
    else:
        get_path, post_path = f"/checkin/{session_id}", f"/checkin/{session_id}"
    queue = asyncio.Queue()
    for i, job in enumerate(jobs):
        queue.put_nowait((i, job))
    results = [None] * len(jobs)
    interval = pace_seconds / len(jobs) if pace_seconds else 0.0
    started = time.perf_counter()

    async def worker():
        jar = aiohttp.CookieJar(unsafe=True)  # unsafe: accept cookies from 127.0.0.1
        connector = aiohttp.TCPConnector(limit=1, force_close=False)
        timeout = aiohttp.ClientTimeout(total=60)
        async with aiohttp.ClientSession(base, cookie_jar=jar, connector=connector, timeout=timeout) as http:
            while True:
                try:
                    i, (m, kind) = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                if interval:
                    delay = started + i * interval - time.perf_counter()
                    if delay > 0:
                        await asyncio.sleep(delay)
                jar.clear()  # a new phone
                name, phone = members[m]
                token = token_now()
                try:
                    t0 = time.perf_counter()
                    async with http.get(get_path, params={"t": token}) as r:
                        page = await r.text()
                        get_status = r.status
                    t1 = time.perf_counter()
                    found = CSRF.search(page)
                    form = {"t": token, "name": name, "phone": phone, "csrf": found.group(1) if found else ""}
                    t2 = time.perf_counter()
                    async with http.post(post_path, data=form) as r:
                        body = await r.text()
                        status = r.status
                    t3 = time.perf_counter()
                except Exception as e:  # noqa: BLE001  — counted and reported as an error
                    results[i] = {"m": m, "kind": kind, "error": repr(e)}
                    continue
                if ceiling:
                    outcome = "ceiling" if get_status == 200 and status == 405 else f"HTTP {get_status}/{status}"
                elif get_status != 200 or not found:
                    outcome = f"landing HTTP {get_status}"
                elif status == 200 and OK_NEW in body:
                    outcome = "new"
                elif status == 200 and OK_ALREADY in body:
                    outcome = "already"
                else:
                    text = re.sub(r"<[^>]+>", " ", body)
                    outcome = f"HTTP {status}: " + " ".join(text.split())[:120]
                results[i] = {"m": m, "kind": kind, "get": t1 - t0, "post": t3 - t2, "end": t3,
                              "start": t0, "outcome": outcome}

    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    client_cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    return results, started, client_cpu


def percentile(values, q):
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def proc_cpu_seconds(pid):
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return float("nan")


def summarize(results, started, client_cpu, server_cpu, rss):
    ok = [r for r in results if r and "post" in r]
    posts = [r["post"] * 1000 for r in ok]
    gets = [r["get"] * 1000 for r in ok]
    total = max(r["end"] for r in ok) - started if ok else float("nan")
    return {
        "n": len(results), "done": len(ok), "total_s": total, "post_per_s": len(ok) / total if ok else 0,
        "p50": percentile(posts, .5), "p95": percentile(posts, .95), "p99": percentile(posts, .99),
        "max": max(posts) if posts else float("nan"),
        "get_p50": percentile(gets, .5), "get_p99": percentile(gets, .99),
        "server_cpu": server_cpu, "client_cpu": client_cpu, "rss": rss,
    }


def verify(results, members, counts, what):
    """Every response a success, one 签到成功 per member, the table holds each member once."""
    problems = []
    errors = [r for r in results if r is None or "error" in r]
    if errors:
        problems.append(f"{len(errors)} requests failed, e.g. {errors[0]}")
    bad = [r for r in results if r and "outcome" in r and r["outcome"] not in ("new", "already")]
    if bad:
        problems.append(f"{len(bad)} unexpected answers, e.g. {bad[0]['outcome']!r} ({bad[0]['kind']})")
    new_per_member = {}
    for r in results:
        if r and r.get("outcome") == "new":
            new_per_member[r["m"]] = new_per_member.get(r["m"], 0) + 1
    distinct = len({r["m"] for r in results if r})
    twice = sum(1 for v in new_per_member.values() if v > 1)
    if len(new_per_member) != distinct or twice:
        problems.append(f"签到成功 for {len(new_per_member)} of {distinct} members, {twice} of them more than once")
    total, distinct_rows = counts
    if total != distinct or distinct_rows != distinct:
        problems.append(f"attendances for the session: {total} rows, {distinct_rows} members; expected {distinct}")
    if problems:
        raise SystemExit(f"{what}: " + "; ".join(problems))
    already = sum(1 for r in results if r.get("outcome") == "already")
    return {"members": distinct, "rows": total, "new": len(new_per_member), "already": already}


# --- orchestration ---------------------------------------------------------------------------

def run_dongxun(backend, members, jobs, args, logs, tag, pace, perf_out=None, binary=None):
    target = backend.fresh(tag)
    session_id = backend.add_session()
    with c.start_dongxun(**target, log_path=logs / f"checkin-{tag}.log", binary=binary) as server:
        base = f"http://{server.addr}"
        perf = None
        if perf_out:
            perf = subprocess.Popen(["perf", "record", "-F", "499", "--call-graph", "dwarf,16384", "-o",
                                     str(perf_out), "-p", str(server.pid)],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(1)
        cpu0 = proc_cpu_seconds(server.pid)
        results, started, client_cpu = run_async(
            run_client(base, session_id, members, jobs, args.concurrency, pace, ceiling=False))
        server_cpu = proc_cpu_seconds(server.pid) - cpu0
        rss = c.peak_rss_mb(server.pid)
        if perf:
            perf.send_signal(signal.SIGINT)
            perf.wait(timeout=120)
    counts = backend.attendance_counts(session_id)
    problems = ""
    try:
        checked = verify(results, members, counts, f"{tag}")
    except SystemExit as failed:
        if not args.keep_going:
            raise
        # --keep-going: report the failures instead of stopping (exploring beyond the targets).
        problems = str(failed)
        c.log(problems)
        checked = {"members": len(members), "rows": counts[0],
                   "new": sum(1 for r in results if r and r.get("outcome") == "new"),
                   "already": sum(1 for r in results if r and r.get("outcome") == "already")}
    backend.drop()
    s = summarize(results, started, client_cpu, server_cpu, rss)
    s.update(checked)
    s["problems"] = problems
    c.log(f"{tag}: {s['done']} jobs in {s['total_s']:.2f}s, POST p50 {s['p50']:.1f} p99 {s['p99']:.1f} "
          f"max {s['max']:.1f} ms; {checked['rows']} rows for {checked['members']} members, "
          f"{checked['already']} 您已签到")
    return s


def run_ceiling(members, jobs, args, logs, tag, pace):
    trivial = c.ensure_trivial()
    with c.Server([str(trivial), "127.0.0.1:0"], r"listening on http://(\S+)", logs / f"{tag}.log") as server:
        cpu0 = proc_cpu_seconds(server.pid)
        results, started, client_cpu = run_async(
            run_client(f"http://{server.addr}", 0, members, jobs, args.concurrency, pace, ceiling=True))
        server_cpu = proc_cpu_seconds(server.pid) - cpu0
        rss = c.peak_rss_mb(server.pid)
    bad = [r for r in results if r is None or r.get("outcome") != "ceiling"]
    if bad:
        raise SystemExit(f"{tag}: {len(bad)} bad answers from the ceiling, e.g. {bad[0]}")
    s = summarize(results, started, client_cpu, server_cpu, rss)
    c.log(f"{tag}: {s['done']} jobs in {s['total_s']:.2f}s, POST p50 {s['p50']:.2f} p99 {s['p99']:.2f} ms")
    return s


PERF_PHASES = [
    ("HTTP: hyper (parse, write, connections)", ["hyper::"]),
    ("render: askama templates", ["askama", "render"]),
    ("sqlx driver on the request side (bind, decode, channel to the worker)", ["sqlx"]),
    ("HMAC token checks", ["sha2", "hmac"]),
    ("tokio runtime (scheduling, timers, I/O driver)", ["tokio::"]),
]


def perf_summary(data_file):
    """Samples of the server by what they were doing (SQLite internals first, as profile.py
    classifies them; on sqlx's SQLite worker threads the Rust caller is not on the stack)."""
    import collections
    import importlib.util
    spec = importlib.util.spec_from_file_location("bench_profile", c.BENCH / "profile.py")
    prof = importlib.util.module_from_spec(spec)  # bench/profile.py (not the standard library's)
    spec.loader.exec_module(prof)
    out = subprocess.run(["perf", "script", "-i", str(data_file), "-F", "comm,tid,time,ip,sym"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
    counts = collections.Counter()
    for sample in re.split(r"\n\s*\n", out):
        lines = sample.strip().split("\n")
        if not lines or not lines[0].strip():
            continue
        chain = "\n".join(lines[1:])
        if "sqlite3" in chain or "fdatasync" in chain or "fsync" in chain:
            what = prof.classify(chain, [])
        else:
            what = next((name for name, keys in PERF_PHASES if any(k in chain for k in keys)), None)
            if what is None:
                what = "kernel: futex (thread hand-offs)" if "futex" in chain else \
                    "kernel: network (loopback TCP)" if re.search(r"tcp_|sock_|__sys_sendto|recvfrom|epoll", chain) \
                    else "other"
        counts[what] += 1
    n = sum(counts.values())
    print(f"{n} samples\n\n| what | share of samples |\n|---|---:|")
    for what, k in counts.most_common():
        if k / n >= 0.005:
            print(f"| {what} | {100 * k / n:.1f}% |")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--concurrency", type=int, default=200)
    ap.add_argument("--dup-share", type=float, default=0.10)
    ap.add_argument("--paced", type=float, default=60.0, help="seconds the paced mode spreads the jobs over (0: skip)")
    ap.add_argument("--work", type=Path, default=c.DEFAULT_WORK)
    ap.add_argument("--pad-members", type=int, default=0,
                    help="add phoneless members up to this many in all (e.g. 100000): check-in at city scale")
    ap.add_argument("--limit", type=int, default=0, help="only this many members check in (a random sample)")
    ap.add_argument("--keep-going", action="store_true",
                    help="report failed check-ins (errors, missing rows) instead of stopping at the first run with one")
    ap.add_argument("--without-points", type=Path, default=None, metavar="BIN",
                    help="also run this dongxun binary, built with --features bench-checkin-without-points "
                         "(check-ins earn no points), interleaved, and report the cost of points")
    ap.add_argument("--perf", action="store_true",
                    help="also: one extra SQLite burst under perf record, and where its server time goes")
    pg = ap.add_mutually_exclusive_group()
    pg.add_argument("--pg", dest="pg", action="store_true", default=None)
    pg.add_argument("--no-pg", dest="pg", action="store_false")
    args = ap.parse_args()
    if args.pg is None:
        args.pg = c.pg_available()
    if args.pg and "DONGXUN_TEST_PG" not in os.environ:
        argv = [str(c.ROOT / "scripts" / "pg-throwaway"), sys.executable, __file__, *sys.argv[1:]]
        os.execv(argv[0], argv)

    ensure_aiohttp()
    c.ensure_dongxun()
    if args.without_points:
        if not args.without_points.is_file():
            sys.exit(f"--without-points: no binary at {args.without_points} (build it: see bench/README.md §8)")
        _WITHOUT_POINTS.append(args.without_points)
    c.ensure_trivial()
    # 200 client sockets plus the servers' own: well under any sane limit, but make sure.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(max(soft, 4096), hard), hard))
    work = args.work
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    machine = c.machine_line()

    backends = [Backend("sqlite", work=work)]
    if args.pg:
        backends.append(Backend("pg", pg_url=os.environ["DONGXUN_TEST_PG"]))
    for b in backends:
        b.make_template(logs, args.pad_members)
    # The members, from the template (the same people in every copy).
    probe = backends[0]
    probe.fresh("probe")
    members = probe.members()
    roster = int(probe.query("SELECT COUNT(*) FROM members WHERE status = 'active'")[0][0])
    probe.drop()
    if args.limit:
        members = random.Random(7).sample(members, min(args.limit, len(members)))
    c.log(f"{len(members)} active members with a phone check in ({roster} active members in the database)")

    modes = [("burst", 0.0)] + ([("paced", args.paced)] if args.paced else [])
    results = {}  # (mode, server) -> [summary per round]
    for r in range(args.rounds):
        jobs = make_jobs(members, args.dup_share, seed=r)
        for mode, pace in modes:
            order = [("ceiling", None, None)] + [(b.kind, b, None) for b in backends]
            if args.without_points:
                order += [(f"{b.kind}-without-points", b, args.without_points) for b in backends]
            if r % 2:
                order.reverse()
            for name, b, binary in order:
                tag = f"{mode}-{name}-r{r}"
                if b is None:
                    s = run_ceiling(members, jobs, args, logs, tag, pace)
                else:
                    s = run_dongxun(b, members, jobs, args, logs, tag, pace, binary=binary)
                results.setdefault((mode, name), []).append(s)
    report(args, machine, backends, modes, results, len(members), len(jobs), roster)
    if args.perf:
        c.need_tool("perf", "linux-perf")
        out = work / "perf-checkin-burst.data"
        s = run_dongxun(backends[0], members, make_jobs(members, args.dup_share, seed=99), args, logs,
                        "perf-burst-sqlite", 0.0, perf_out=out)
        print(f"\n### Where the server's time goes (SQLite burst under perf: {s['total_s']:.1f} s, "
              f"POST p50 {s['p50']:.0f} ms; sampling slows it)\n")
        perf_summary(out)


def report(args, machine, backends, modes, results, members, jobs, roster):
    med = c.median
    pg_version = ""
    if args.pg:
        pg_version = c.psql(os.environ["DONGXUN_TEST_PG"], "SHOW server_version", capture=True)[0][0]
    print(f"\n## Check-in burst — {dt.datetime.now():%Y-%m-%d %H:%M}")
    print(f"Machine: {machine}")
    print(f"Binary: {c.binary_line()}")
    if pg_version:
        print(f"PostgreSQL {pg_version} (throwaway cluster, fsync=off)")
    print(f"{members} members (of {roster:,} in the database), {jobs} check-ins per run ({jobs - members} duplicates: double taps and "
          f"retries), {args.concurrency} concurrent clients, {args.rounds} rounds; medians over rounds "
          f"(min–max for total time and p99)\n")
    names = [("ceiling", "ceiling: trivial axum (GET + POST→405)")]
    names += [(b.kind, "dongxun, SQLite" if b.kind == "sqlite" else "dongxun, PostgreSQL") for b in backends]
    if args.without_points:
        names += [(f"{b.kind}-without-points", ("dongxun, SQLite" if b.kind == "sqlite" else "dongxun, PostgreSQL")
                   + ", check-ins earn no points") for b in backends]
    print("| mode | server | total s | POST/s | POST p50 ms | p95 | p99 | max | landing GET p50 / p99 ms "
          "| server CPU s | client CPU s | server peak RSS MB | stored rows / members | 签到成功 / 您已签到 |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for mode, _ in modes:
        for key, label in names:
            rs = results[(mode, key)]
            rng = lambda f: f"{med([x[f] for x in rs]):.1f} ({min(x[f] for x in rs):.1f}–{max(x[f] for x in rs):.1f})"  # noqa: E731
            stored = "—" if key == "ceiling" else f"{rs[0]['rows']:,} / {rs[0]['members']:,} (every run)"
            answers = "—" if key == "ceiling" else f"{rs[0]['new']:,} / {rs[0]['already']:,}"
            print(f"| {mode} | {label} | {rng('total_s')} | {med([x['post_per_s'] for x in rs]):,.0f} "
                  f"| {med([x['p50'] for x in rs]):.1f} | {med([x['p95'] for x in rs]):.1f} | {rng('p99')} "
                  f"| {med([x['max'] for x in rs]):.0f} "
                  f"| {med([x['get_p50'] for x in rs]):.1f} / {med([x['get_p99'] for x in rs]):.1f} "
                  f"| {med([x['server_cpu'] for x in rs]):.2f} | {med([x['client_cpu'] for x in rs]):.2f} "
                  f"| {med([x['rss'] or 0 for x in rs]):.0f} | {stored} | {answers} |")
    failures = [(mode, key, i, x["problems"]) for (mode, key), rs in results.items()
                for i, x in enumerate(rs) if x.get("problems")]
    for mode, key, i, problem in failures:
        print(f"\n**FAILED checks** ({mode}, {key}, round {i}): {problem}")
    print("\nRatios dongxun / ceiling, taken within each round, median over rounds (> 1: dongxun slower):\n")
    print("| mode | server | total time | POST p50 | POST p99 | landing GET p50 | server CPU |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for mode, _ in modes:
        ceil = results[(mode, "ceiling")]
        for key, label in names[1:]:
            rs = results[(mode, key)]
            ratio = lambda f: med([x[f] / y[f] for x, y in zip(rs, ceil) if y[f]])  # noqa: E731
            print(f"| {mode} | {label} | {ratio('total_s'):.1f}× | {ratio('p50'):.0f}× | {ratio('p99'):.0f}× "
                  f"| {ratio('get_p50'):.0f}× | {ratio('server_cpu'):.0f}× |")
    if args.without_points:
        print_points_cost(backends, modes, results)
    print("\nTargets (issue): 1,500 check-ins within 60 s at 200 concurrent clients, POST p99 < 100 ms "
          "on 2 cores with SQLite, every check-in stored exactly once.")
    for mode, _ in modes:
        for key, label in names[1:]:
            if key.endswith("-without-points"):
                continue
            rs = results[(mode, key)]
            total, p99 = med([x["total_s"] for x in rs]), med([x["p99"] for x in rs])
            once = "MISSED (see FAILED above)" if any(x.get("problems") for x in rs) else "met in every run"
            print(f"- {mode}, {label}: total {total:.1f} s ({'met' if total < 60 else 'MISSED'} <60 s), "
                  f"p99 {p99:.0f} ms ({'met' if p99 < 100 else 'MISSED'} <100 ms; worst round "
                  f"{max(x['p99'] for x in rs):.0f} ms); every check-in answered and stored once: {once}")



def print_points_cost(backends, modes, results):
    """What points add to a check-in (issue 9: throughput must not drop by more than 10 %): the
    same binary's code with and without the attendance award, paired within each round."""
    med = c.median
    print(f"\nBinary without points: {c.binary_line(results_binary_without_points())}\n")
    print("Cost of points, with / without, paired within each round, median over rounds (target: "
          "throughput with points ≥ 0.90× without):\n")
    print("| mode | backend | POST/s with / without | server CPU per check-in with / without | POST p50 with / without |")
    print("|---|---|---:|---:|---:|")
    for mode, _ in modes:
        for b in backends:
            with_, without = results[(mode, b.kind)], results[(mode, f"{b.kind}-without-points")]
            pair = lambda f: [x[f] / y[f] for x, y in zip(with_, without) if y[f]]  # noqa: E731
            label = "SQLite" if b.kind == "sqlite" else "PostgreSQL"
            tput = pair("post_per_s")
            print(f"| {mode} | {label} | {med(tput):.2f}× ({min(tput):.2f}–{max(tput):.2f}) "
                  f"| {med(pair('server_cpu')):.2f}× | {med(pair('p50')):.2f}× |")


_WITHOUT_POINTS = []


def results_binary_without_points():
    return _WITHOUT_POINTS[0] if _WITHOUT_POINTS else None


if __name__ == "__main__":
    main()
