#!/usr/bin/env python3
"""Benchmark 1: importing a 100,000-row roster (.xlsx) with `dongxun import members`.

Per round, side by side (so machine noise hits every contestant alike):
  1. SQLite, fresh:     `dongxun --data-dir D import members roster.xlsx` into a fresh copy of
                        the demo database (石湫街道, 14 stations, ~1,500 members) → 100,000 new
  2. SQLite, re-import: the same command again on D → 100,000 unchanged
  3. pandas:            `pd.read_excel(roster, engine="openpyxl", header=1)` in a new python3
                        process (reading only: what a clerk's script would do)
  4. PostgreSQL fresh / re-import (with --pg, the default when PostgreSQL is installed), on a
     throwaway cluster from scripts/pg-throwaway, each round in a new database cloned from a
     seeded demo template database.

Every run is a separate process timed by GNU `/usr/bin/time -v` (wall clock, peak RSS, CPU).
Prints a Markdown table of medians over the rounds and the per-round ratios pandas/dongxun.
Targets (issue): the import under 5 s and under 300 MB peak RSS on 2 cores.

Usage: python3 bench/roster_import.py [--rounds 3] [--rows 100000] [--no-pg] [--work DIR]
Leaves DIR/db-100k/ (SQLite with the 101,500 members) for bench/members_page.py.
"""

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as c  # noqa: E402

TARGET_SECONDS = 5.0
TARGET_MB = 300.0


def pg_available():
    return any(Path(p, "initdb").exists() for p in Path("/usr/lib/postgresql").glob("*/bin"))


def psql(url, sql):
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", url, "-c", sql], check=True,
                   stdout=subprocess.DEVNULL, env={**os.environ, "PGOPTIONS": "--client-min-messages=warning"})


def with_db(url, name):
    return url.rsplit("/", 1)[0] + "/" + name


def check_output(result, expected, what):
    if result["rc"] != 0 or expected not in result["stdout"]:
        raise SystemExit(f"{what} failed (exit {result['rc']}): {result['stdout']!r}; see logs in the work dir")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--rows", type=int, default=c.ROWS)
    ap.add_argument("--work", type=Path, default=c.DEFAULT_WORK)
    ap.add_argument("--regen", action="store_true", help="regenerate the roster even if cached")
    pg = ap.add_mutually_exclusive_group()
    pg.add_argument("--pg", dest="pg", action="store_true", default=None)
    pg.add_argument("--no-pg", dest="pg", action="store_false")
    args = ap.parse_args()
    if args.pg is None:
        args.pg = pg_available()

    # PostgreSQL: run this whole script inside scripts/pg-throwaway (which sets DONGXUN_TEST_PG
    # and removes the cluster afterwards, whatever happens).
    if args.pg and "DONGXUN_TEST_PG" not in os.environ:
        argv = [str(c.ROOT / "scripts" / "pg-throwaway"), sys.executable, __file__, *sys.argv[1:]]
        os.execv(argv[0], argv)

    c.need_tool(c.GNU_TIME, "time")
    c.ensure_python_packages()
    dongxun = str(c.ensure_dongxun())
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    logs = work / "logs"
    logs.mkdir(exist_ok=True)
    machine = c.machine_line()

    # A fresh demo database, copied for every fresh import.
    template = work / "template-sqlite"
    if template.exists():
        shutil.rmtree(template)
    c.make_demo_db(template, log_path=logs / "seed-sqlite.log")

    roster = work / f"roster-{args.rows}.xlsx"
    if args.regen or not roster.exists():
        c.log(f"generating {roster}")
        subprocess.run([sys.executable, str(c.BENCH / "gen_roster.py"), "--db",
                        str(template / "dongxun.db"), "--rows", str(args.rows), "-o", str(roster)],
                       check=True)
    size_mb = roster.stat().st_size / 2**20

    pg_url = os.environ.get("DONGXUN_TEST_PG") if args.pg else None
    if pg_url:
        psql(pg_url, "DROP DATABASE IF EXISTS dx_template")
        psql(pg_url, "CREATE DATABASE dx_template")
        c.make_demo_db(url=with_db(pg_url, "dx_template"), log_path=logs / "seed-pg.log")

    inserted = f"新增{args.rows}人，更新0人，未变0人"
    unchanged = f"新增0人，更新0人，未变{args.rows}人"
    runs = {k: [] for k in ("sqlite_fresh", "sqlite_again", "pandas", "pg_fresh", "pg_again")}
    import_cmd = ["import", "members", str(roster)]
    for r in range(1, args.rounds + 1):
        data = c.copy_sqlite_dir(template, work / f"round-{r}")
        res = c.timed([dongxun, "--data-dir", str(data), *import_cmd], logs / f"sqlite-fresh-{r}.log")
        check_output(res, inserted, "SQLite fresh import")
        runs["sqlite_fresh"].append(res)
        res = c.timed([dongxun, "--data-dir", str(data), *import_cmd], logs / f"sqlite-again-{r}.log")
        check_output(res, unchanged, "SQLite re-import")
        runs["sqlite_again"].append(res)
        res = c.timed([sys.executable, str(c.BENCH / "pandas_read.py"), str(roster)], logs / f"pandas-{r}.log")
        check_output(res, f"rows={args.rows}", "pandas read")
        runs["pandas"].append(res)
        if pg_url:
            name = f"dx_round_{r}"
            psql(pg_url, f"DROP DATABASE IF EXISTS {name}")
            psql(pg_url, f"CREATE DATABASE {name} TEMPLATE dx_template")
            url = with_db(pg_url, name)
            res = c.timed([dongxun, "--database-url", url, *import_cmd], logs / f"pg-fresh-{r}.log")
            check_output(res, inserted, "PostgreSQL fresh import")
            runs["pg_fresh"].append(res)
            res = c.timed([dongxun, "--database-url", url, *import_cmd], logs / f"pg-again-{r}.log")
            check_output(res, unchanged, "PostgreSQL re-import")
            runs["pg_again"].append(res)
            psql(pg_url, f"DROP DATABASE {name}")
        line = "  ".join(f"{k} {v[-1]['wall']:.2f}s/{v[-1]['rss_mb']:.0f}MB" for k, v in runs.items() if v)
        c.log(f"round {r}: {line}")
        if r < args.rounds:
            shutil.rmtree(data)
    keep = work / "db-100k"
    if keep.exists():
        shutil.rmtree(keep)
    data.rename(keep)

    report(args, runs, machine, roster, size_mb, keep)


def report(args, runs, machine, roster, size_mb, keep):
    med = c.median
    pandas = runs["pandas"]
    print(f"\n## Roster import, {args.rows:,} rows — {dt.datetime.now():%Y-%m-%d %H:%M}")
    print(f"Machine: {machine}")
    print(f"Binary: {c.binary_line()}")
    print(f"File: {roster.name}, {size_mb:.1f} MiB; {args.rounds} rounds, interleaved; medians (min–max)\n")
    print("| run | wall s | peak RSS MB | CPU s (user+sys) | target <5 s, <300 MB | pandas wall / this | pandas RSS / this |")
    print("|---|---:|---:|---:|---|---:|---:|")
    n = f"{args.rows // 1000}k" if args.rows % 1000 == 0 else f"{args.rows:,}"
    labels = {
        "sqlite_fresh": f"dongxun import, SQLite, fresh ({n} new)",
        "sqlite_again": f"dongxun import, SQLite, re-import ({n} unchanged)",
        "pg_fresh": f"dongxun import, PostgreSQL, fresh ({n} new)",
        "pg_again": f"dongxun import, PostgreSQL, re-import ({n} unchanged)",
        "pandas": "pandas.read_excel(engine='openpyxl'), read only",
    }
    for key in ("sqlite_fresh", "sqlite_again", "pg_fresh", "pg_again", "pandas"):
        rs = runs[key]
        if not rs:
            continue
        walls = [r["wall"] for r in rs]
        rss = [r["rss_mb"] for r in rs]
        cpu = [r["user"] + r["sys"] for r in rs]
        if key == "pandas":
            verdict, ratio_w, ratio_m = "—", "1.00", "1.00"
        else:
            ok = med(walls) < TARGET_SECONDS and med(rss) < TARGET_MB
            verdict = "met" if ok else "MISSED"
            # Ratios per round (same moment, same noise), then the median.
            ratio_w = f"{med([p['wall'] / r['wall'] for p, r in zip(pandas, rs)]):.2f}"
            ratio_m = f"{med([p['rss_mb'] / r['rss_mb'] for p, r in zip(pandas, rs)]):.2f}"
        print(f"| {labels[key]} | {med(walls):.2f} ({min(walls):.2f}–{max(walls):.2f}) "
              f"| {med(rss):.0f} ({min(rss):.0f}–{max(rss):.0f}) | {med(cpu):.2f} | {verdict} "
              f"| {ratio_w} | {ratio_m} |")
    inner = [r["stdout"] for r in pandas]
    print(f"\npandas in-process split (last round): {inner[-1]}")
    print(f"Ratios > 1 mean dongxun is faster / smaller than pandas merely reading the file.")
    print(f"SQLite database with {args.rows:,} imported members kept at {keep}")


if __name__ == "__main__":
    main()
