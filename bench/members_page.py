#!/usr/bin/env python3
"""Benchmark 2: the member list page (/members) under load, with 100,000+ members.

Setup: a copy of the SQLite database that bench/roster_import.py leaves (demo + 100,000
imported members = 101,500; built here if missing), `dongxun serve` on 127.0.0.1 (port chosen by
the OS), login as the committee admin (13900000001 / dongxun2021) through the real form (GET
/login for the dx_csrf cookie and hidden csrf field, POST /login → dx_session).

Then, round-robin in the same run, each for --duration with `wrk -t2 -c32 --latency`:
  ceiling          bench/trivial-axum: axum 0.8 + tokio returning a small fixed HTML string
  /members         page 1 as the committee admin sees it (all 101,500 members, sorted by pinyin)
  /members?q=zs    pinyin-initials search over the same 101,500
  /members (demo)  the same page on a second server with the plain demo (1,500 members), to
                   show how the page scales with the member count
  with --baseline BIN (or DONGXUN_BASELINE_BIN): /members and /members?q=zs again, served by that
                   binary (e.g. the previous commit's) from its own copy of the same database, in
                   the same rounds, for a before/after ratio
  with --analyze   /members and /members?q=zs again, same binary, on a copy of the database with
                   SQLite planner statistics (ANALYZE), to show what the query planner does with them
Every target gets a logged-in Cookie header (the ceiling the 101,500 server's). Before loading, each page is fetched once to check it is
the real page (HTTP 200, right member count) and timed unloaded (median of 20 sequential
requests on one keep-alive connection); wrk's bytes/request is checked against that page size
so a silent redirect to /login could not pass as a fast page.

The report also gives each dongxun server's peak RSS (VmHWM) at the end of the run.

Usage: python3 bench/members_page.py [--rounds 2] [--duration 15] [--connections 32] [--baseline BIN]
                                    [--analyze] [--work DIR]
"""

import argparse
import contextlib
import datetime as dt
import http.client
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as c  # noqa: E402

ADMIN_PHONE = "13900000001"
PASSWORD = "dongxun2021"


def cookies_from(response):
    jar = {}
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            jar[name.strip()] = rest.split(";", 1)[0]
    return jar


def login(addr):
    host, port = addr.rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    conn.request("GET", "/login")
    resp = conn.getresponse()
    body = resp.read().decode()
    jar = cookies_from(resp)
    token = re.search(r'name="csrf" value="([^"]+)"', body).group(1)
    form = urllib.parse.urlencode({"phone": ADMIN_PHONE, "password": PASSWORD, "csrf": token, "next": "/"})
    conn.request("POST", "/login", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
    })
    resp = conn.getresponse()
    resp.read()
    jar.update(cookies_from(resp))
    if resp.status not in (302, 303) or "dx_session" not in jar:
        raise SystemExit(f"login failed: HTTP {resp.status}, cookies {sorted(jar)}")
    conn.close()
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def probe(addr, path, cookie, expect=None, n=20):
    """Fetches the page once (checking status and content), then n times; returns (bytes, median ms)."""
    host, port = addr.rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    times, size = [], 0
    for i in range(n + 1):
        started = time.perf_counter()
        conn.request("GET", path, headers={"Cookie": cookie})
        resp = conn.getresponse()
        body = resp.read()
        elapsed = (time.perf_counter() - started) * 1000
        if resp.status != 200:
            raise SystemExit(f"GET {path}: HTTP {resp.status}")
        if i == 0:
            size = len(body) + sum(len(k) + len(v) + 4 for k, v in resp.getheaders()) + 19
            text = body.decode()
            if expect and expect not in text:
                raise SystemExit(f"GET {path}: expected {expect!r} in the page")
        else:
            times.append(elapsed)
    conn.close()
    return size, statistics.median(times)


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}
SIZES = {"B": 1, "KB": 2**10, "MB": 2**20, "GB": 2**30}


def ms(text):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    return float(m.group(1)) * UNITS[m.group(2)]


def run_wrk(url, cookie, args, duration):
    argv = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{duration}s", "--latency",
            "--timeout", "10s", "-H", f"Cookie: {cookie}", url]
    out = subprocess.run(argv, check=True, stdout=subprocess.PIPE, text=True).stdout
    res = {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": ms(re.search(r"\s50%\s+(\S+)", out).group(1)),
        "p99": ms(re.search(r"\s99%\s+(\S+)", out).group(1)),
        "raw": out,
    }
    m = re.search(r"(\d+) requests in [\d.]+\w+, ([\d.]+)(B|KB|MB|GB) read", out)
    res["requests"] = int(m.group(1))
    res["bytes_per_req"] = float(m.group(2)) * SIZES[m.group(3)] / max(1, res["requests"])
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    res["non2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    res["timeouts"] = int(m.group(4)) if m else 0
    res["errors"] = sum(int(g) for g in m.groups()[:3]) if m else 0
    return res


def ensure_database(work):
    db = work / "db-100k"
    if not (db / "dongxun.db").exists():
        c.log("no imported database yet: running bench/roster_import.py --rounds 1 --no-pg")
        subprocess.run([sys.executable, str(c.BENCH / "roster_import.py"), "--rounds", "1", "--no-pg",
                        "--work", str(work)], check=True, stdout=subprocess.DEVNULL)
    return db


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--duration", type=int, default=15, help="seconds per wrk run")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--work", type=Path, default=c.DEFAULT_WORK)
    ap.add_argument("--baseline", type=Path, default=c.BASELINE,
                    help="a second dongxun binary to serve the same pages (before/after); "
                         "default $DONGXUN_BASELINE_BIN")
    ap.add_argument("--analyze", action="store_true",
                    help="also serve the two 101,500-member pages from a copy of the database on which "
                         "ANALYZE was run (SQLite planner statistics), same binary")
    args = ap.parse_args()
    if args.baseline and not args.baseline.exists():
        raise SystemExit(f"baseline binary {args.baseline} does not exist")

    c.need_tool("wrk", "wrk")
    c.ensure_dongxun()
    trivial = c.ensure_trivial()
    machine = c.machine_line()
    work = args.work
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    source = ensure_database(work)
    data = c.copy_sqlite_dir(source, work / "serve-100k")
    # Other servers of the same 101,500 members, each on its own copy: (tag, binary, analyze).
    variants = []
    if args.baseline:
        variants.append((f"baseline {args.baseline.name}", args.baseline, False))
    if args.analyze:
        variants.append(("after ANALYZE", None, True))
    variant_dirs = []
    for i, (tag, binary, analyze) in enumerate(variants):
        variant_dirs.append(c.copy_sqlite_dir(source, work / f"serve-100k-variant{i}"))
        if analyze:
            c.analyze_sqlite(variant_dirs[-1])

    demo = work / "serve-demo"
    if demo.exists():
        shutil.rmtree(demo)
    c.make_demo_db(demo, log_path=logs / "seed-demo.log")

    with contextlib.ExitStack() as stack:
        app = stack.enter_context(c.start_dongxun(data, log_path=logs / "serve-100k.log"))
        small = stack.enter_context(c.start_dongxun(demo, log_path=logs / "serve-demo.log"))
        ceiling = stack.enter_context(c.Server([str(trivial), "127.0.0.1:0"], r"listening on http://(\S+)",
                                               logs / "trivial-axum.log"))
        others = [stack.enter_context(c.start_dongxun(d, log_path=logs / f"serve-100k-variant{i}.log",
                                                      binary=binary))
                  for i, ((tag, binary, _), d) in enumerate(zip(variants, variant_dirs))]
        cookie = login(app.addr)
        small_cookie = login(small.addr)
        count = re.search(r"共 (\d+) 人", fetch(app.addr, "/members", cookie)).group(1)
        small_count = re.search(r"共 (\d+) 人", fetch(small.addr, "/members", small_cookie)).group(1)
        # (label, url, addr, path, expected text, cookie)
        targets = [
            ("ceiling: trivial axum handler", f"http://{ceiling.addr}/members", ceiling.addr, "/members", None,
             cookie),
            (f"/members, {int(count):,} members", f"http://{app.addr}/members", app.addr, "/members",
             f"共 {count} 人", cookie),
            (f"/members?q=zs, {int(count):,} members", f"http://{app.addr}/members?q=zs", app.addr,
             "/members?q=zs", "共 ", cookie),
            (f"/members, demo size ({int(small_count):,} members)", f"http://{small.addr}/members", small.addr,
             "/members", f"共 {small_count} 人", small_cookie),
        ]
        pairs = []  # (this binary's target, the variant's target)
        other_cookies = []
        for (tag, *_), srv in zip(variants, others):
            ck = login(srv.addr)
            other_cookies.append(ck)
            for main_target, path, expect in ((targets[1], "/members", f"共 {count} 人"),
                                              (targets[2], "/members?q=zs", "共 ")):
                targets.append((f"{main_target[0]}, {tag}", f"http://{srv.addr}{path}", srv.addr, path, expect, ck))
                pairs.append((main_target[0], targets[-1][0]))
        unloaded = {}
        for label, _, addr, path, expect, ck in targets:
            unloaded[label] = probe(addr, path, ck, expect)
            c.log(f"{label}: {unloaded[label][0]} bytes, unloaded median {unloaded[label][1]:.2f} ms")
        zs_total = re.search(r"共 (\d+) 人", fetch(app.addr, "/members?q=zs", cookie)).group(1)

        # Warm-up, then interleaved rounds.
        pids = [app.pid, small.pid, ceiling.pid] + [srv.pid for srv in others]
        for label, url, *_, ck in targets:
            run_wrk(url, ck, args, 3)
            settle(pids)
        results = {label: [] for label, *_ in targets}
        for r in range(1, args.rounds + 1):
            for label, url, *_, ck in targets:
                res = run_wrk(url, ck, args, args.duration)
                settle(pids)
                results[label].append(res)
                slug = re.sub(r"\W+", "_", label)
                (logs / f"wrk-round{r}-{slug}.txt").write_text(res["raw"])
                c.log(f"round {r} {label}: {res['rps']:.0f} req/s p50 {res['p50']:.2f} ms p99 {res['p99']:.2f} ms")
        # The sessions must still be live: otherwise the loaded pages may have been redirects.
        fetch(app.addr, "/members", cookie)
        fetch(small.addr, "/members", small_cookie)
        rss = {"this binary, 101,500 members": c.peak_rss_mb(app.pid),
               "this binary, demo size": c.peak_rss_mb(small.pid)}
        for (tag, *_), srv, ck in zip(variants, others, other_cookies):
            # Same members, so every variant must list the same members in the same order.
            for path in ("/members", "/members?q=zs", "/members?q=zs&page=2"):
                if listing(fetch(app.addr, path, cookie)) != listing(fetch(srv.addr, path, ck)):
                    raise SystemExit(f"GET {path}: this binary and {tag} list different members")
            rss[f"{tag}, 101,500 members"] = c.peak_rss_mb(srv.pid)

    report(args, machine, targets, results, unloaded, count, zs_total, rss, pairs)
    shutil.rmtree(data)
    shutil.rmtree(demo)
    for d in variant_dirs:
        shutil.rmtree(d)


def listing(page):
    """The member count and the member ids in page order: what must not change between binaries."""
    return re.search(r"共 (\d+) 人", page).group(1), re.findall(r'href="/members/(\d+)"', page)


def settle(pids, limit=30.0):
    """Waits (at most `limit` s) until the servers stop burning CPU: a server keeps running the
    queries of requests wrk has already given up on, which would otherwise slow the next target."""
    def cpu():
        total = 0
        for pid in pids:
            try:
                fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime + stime, clock ticks
            except OSError:
                pass
        return total
    hz = os.sysconf("SC_CLK_TCK")
    deadline = time.monotonic() + limit
    before = cpu()
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = cpu()
        if (now - before) / hz < 0.05:  # under 10% of one core over the last half second
            return
        before = now
    c.log(f"servers still busy {limit:.0f} s after wrk stopped")


def fetch(addr, path, cookie):
    host, port = addr.rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    conn.request("GET", path, headers={"Cookie": cookie})
    resp = conn.getresponse()
    body = resp.read().decode()
    if resp.status != 200:
        raise SystemExit(f"GET {path}: HTTP {resp.status}")
    return body


def report(args, machine, targets, results, unloaded, count, zs_total, rss, pairs):
    med = c.median
    ceiling = results[targets[0][0]]
    print(f"\n## Member list page under load — {dt.datetime.now():%Y-%m-%d %H:%M}")
    print(f"Machine: {machine}")
    print(f"Binary: {c.binary_line()}")
    if args.baseline:
        print(f"Baseline: {c.binary_line(args.baseline)}")
    print(f"{count} members (SQLite); wrk -t{args.threads} -c{args.connections} -d{args.duration}s --latency, "
          f"{args.rounds} interleaved rounds, medians; /members?q=zs matches {zs_total}\n")
    print("| target | req/s | p50 ms | p99 ms | unloaded ms | page bytes | req/s vs ceiling | p50 vs ceiling "
          "| timeouts (10 s) | other errors |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, *_ in targets:
        rs = results[label]
        size, single = unloaded[label]
        # Each ratio is taken within a round (same moment, same noise), then the median.
        share = med([r["rps"] / cl["rps"] for r, cl in zip(rs, ceiling)])
        p50x = med([r["p50"] / cl["p50"] for r, cl in zip(rs, ceiling)])
        timeouts = sum(r["timeouts"] for r in rs)
        bad = sum(r["non2xx"] + r["errors"] for r in rs)
        for r in rs:
            if r["requests"] and abs(r["bytes_per_req"] - size) > 0.2 * size:
                bad += 1
                c.log(f"{label}: wrk read {r['bytes_per_req']:.0f} bytes/request, page is {size}")
        rps = med([r["rps"] for r in rs])
        share_text = f"1/{1 / share:,.0f}" if share else "none completed"
        print(f"| {label} | {rps:,.0f} | " if rps >= 100 else f"| {label} | {rps:.1f} | ", end="")
        print(f"{med([r['p50'] for r in rs]):.2f} | {med([r['p99'] for r in rs]):.2f} | {single:.2f} "
              f"| {size:,} | {share:.5f} ({share_text}) | {p50x:,.0f}× | {timeouts} | {bad} |")
    if pairs:
        print(f"\nThis binary against each variant, per-round ratios then the median (> 1: "
              f"{c.DONGXUN.name} as is is faster than the variant):\n")
        print("| page | variant | variant req/s | this req/s | req/s this / variant | p50 variant / this "
              "| unloaded variant / this |")
        print("|---|---|---:|---:|---:|---:|---:|")
        def ratio(pairs_of_values):
            values = [a / b for a, b in pairs_of_values if b]
            return f"{med(values):,.2f}" if values else "—"

        for label, vlabel in pairs:
            rs, vs = results[label], results[vlabel]
            print(f"| {label} | {vlabel[len(label) + 2:]} | {med([v['rps'] for v in vs]):,.1f} "
                  f"| {med([r['rps'] for r in rs]):,.1f} "
                  f"| {ratio([(r['rps'], v['rps']) for r, v in zip(rs, vs)])} "
                  f"| {ratio([(v['p50'], r['p50']) for r, v in zip(rs, vs)])} "
                  f"| {unloaded[vlabel][1] / unloaded[label][1]:,.2f} |")
        print("\n(— : no request completed in that target's runs.)")
    print("\nPeak RSS of the servers (VmHWM, at the end of the run): "
          + "; ".join(f"{k} {v:.0f} MB" for k, v in rss.items() if v is not None) + ".")
    print("\nreq/s vs ceiling: the page's throughput as a fraction of the trivial handler's, "
          "measured within the same round. wrk leaves timed-out requests out of its latency "
          "percentiles, so where there are timeouts the true p99 is above 10 s.")


if __name__ == "__main__":
    main()
