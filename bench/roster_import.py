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

  5. With --baseline BIN (or DONGXUN_BASELINE_BIN): steps 1, 2 and 4 again with that binary (e.g.
     the previous commit's), on its own copies of a demo database it seeded itself, in the same
     rounds (which binary goes first alternates by round), for a before/after ratio.

Every run is a separate process timed by GNU `/usr/bin/time -v` (wall clock, peak RSS, CPU).
Prints a Markdown table of medians over the rounds and the per-round ratios pandas/dongxun
(and baseline/dongxun). Targets (issue): the import under 5 s and under 300 MB peak RSS on 2 cores.

Usage: python3 bench/roster_import.py [--rounds 3] [--rows 100000] [--no-pg] [--baseline BIN] [--work DIR]
Leaves DIR/db-100k/ (SQLite with the 101,500 members, imported by DONGXUN_BIN) for
bench/members_page.py.
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





def check_output(result, expected, what):
    if result["rc"] != 0 or expected not in result["stdout"]:
        raise SystemExit(f"{what} failed (exit {result['rc']}): {result['stdout']!r}; see logs in the work dir")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--rows", type=int, default=c.ROWS)
    ap.add_argument("--work", type=Path, default=c.DEFAULT_WORK)
    ap.add_argument("--regen", action="store_true", help="regenerate the roster even if cached")
    ap.add_argument("--baseline", type=Path, default=c.BASELINE,
                    help="a second dongxun binary to run interleaved (before/after); default $DONGXUN_BASELINE_BIN")
    pg = ap.add_mutually_exclusive_group()
    pg.add_argument("--pg", dest="pg", action="store_true", default=None)
    pg.add_argument("--no-pg", dest="pg", action="store_false")
    args = ap.parse_args()
    if args.pg is None:
        args.pg = c.pg_available()

    # PostgreSQL: run this whole script inside scripts/pg-throwaway (which sets DONGXUN_TEST_PG
    # and removes the cluster afterwards, whatever happens).
    if args.pg and "DONGXUN_TEST_PG" not in os.environ:
        argv = [str(c.ROOT / "scripts" / "pg-throwaway"), sys.executable, __file__, *sys.argv[1:]]
        os.execv(argv[0], argv)

    c.need_tool(c.GNU_TIME, "time")
    c.ensure_python_packages()
    dongxun = str(c.ensure_dongxun())
    baseline = str(args.baseline.resolve()) if args.baseline else None
    if baseline and not Path(baseline).exists():
        raise SystemExit(f"baseline binary {baseline} does not exist")
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
    # The baseline seeds its own template (its migrations may differ from DONGXUN_BIN's).
    base_template = work / "template-sqlite-baseline"
    if base_template.exists():
        shutil.rmtree(base_template)
    if baseline:
        c.make_demo_db(base_template, log_path=logs / "seed-sqlite-baseline.log", binary=baseline)

    roster = work / f"roster-{args.rows}.xlsx"
    if args.regen or not roster.exists():
        c.log(f"generating {roster}")
        subprocess.run([sys.executable, str(c.BENCH / "gen_roster.py"), "--db",
                        str(template / "dongxun.db"), "--rows", str(args.rows), "-o", str(roster)],
                       check=True)
    size_mb = roster.stat().st_size / 2**20

    pg_url = os.environ.get("DONGXUN_TEST_PG") if args.pg else None
    if pg_url:
        c.psql(pg_url, "DROP DATABASE IF EXISTS dx_template")
        c.psql(pg_url, "CREATE DATABASE dx_template")
        c.make_demo_db(url=c.with_db(pg_url, "dx_template"), log_path=logs / "seed-pg.log")
        if baseline:
            c.psql(pg_url, "DROP DATABASE IF EXISTS dx_template_base")
            c.psql(pg_url, "CREATE DATABASE dx_template_base")
            c.make_demo_db(url=c.with_db(pg_url, "dx_template_base"), log_path=logs / "seed-pg-baseline.log",
                           binary=baseline)

    inserted = f"新增{args.rows}人，更新0人，未变0人"
    unchanged = f"新增0人，更新0人，未变{args.rows}人"
    keys = ("sqlite_fresh", "sqlite_again", "pandas", "pg_fresh", "pg_again")
    runs = {k: [] for k in keys + tuple("base_" + k for k in keys if k != "pandas")}
    import_cmd = ["import", "members", str(roster)]

    def sqlite_pair(binary, tmpl, prefix, r, tag):
        data = c.copy_sqlite_dir(tmpl, work / f"round-{r}{tag}")
        res = c.timed([binary, "--data-dir", str(data), *import_cmd], logs / f"sqlite-fresh{tag}-{r}.log")
        check_output(res, inserted, f"SQLite fresh import{tag}")
        runs[prefix + "sqlite_fresh"].append(res)
        res = c.timed([binary, "--data-dir", str(data), *import_cmd], logs / f"sqlite-again{tag}-{r}.log")
        check_output(res, unchanged, f"SQLite re-import{tag}")
        runs[prefix + "sqlite_again"].append(res)
        return data

    def pg_pair(binary, tmpl_db, prefix, r, tag):
        name = f"dx_round_{r}{tag.replace('-', '_')}"
        c.psql(pg_url, f"DROP DATABASE IF EXISTS {name}")
        c.psql(pg_url, f"CREATE DATABASE {name} TEMPLATE {tmpl_db}")
        url = c.with_db(pg_url, name)
        res = c.timed([binary, "--database-url", url, *import_cmd], logs / f"pg-fresh{tag}-{r}.log")
        check_output(res, inserted, f"PostgreSQL fresh import{tag}")
        runs[prefix + "pg_fresh"].append(res)
        res = c.timed([binary, "--database-url", url, *import_cmd], logs / f"pg-again{tag}-{r}.log")
        check_output(res, unchanged, f"PostgreSQL re-import{tag}")
        runs[prefix + "pg_again"].append(res)
        c.psql(pg_url, f"DROP DATABASE {name}")

    for r in range(1, args.rounds + 1):
        # Which binary goes first alternates by round, so neither always gets the warmer machine.
        order = [(dongxun, "", "")]
        if baseline:
            order.insert(0 if r % 2 == 0 else 1, (baseline, "base_", "-baseline"))
        for binary, prefix, tag in order:
            d = sqlite_pair(binary, base_template if prefix else template, prefix, r, tag)
            if prefix:
                shutil.rmtree(d)
            else:
                data = d
        res = c.timed([sys.executable, str(c.BENCH / "pandas_read.py"), str(roster)], logs / f"pandas-{r}.log")
        check_output(res, f"rows={args.rows}", "pandas read")
        runs["pandas"].append(res)
        if pg_url:
            for binary, prefix, tag in order:
                pg_pair(binary, "dx_template_base" if prefix else "dx_template", prefix, r, tag)
        line = "  ".join(f"{k} {v[-1]['wall']:.2f}s/{v[-1]['rss_mb']:.0f}MB" for k, v in runs.items() if v)
        c.log(f"round {r}: {line}")
        if r < args.rounds:
            shutil.rmtree(data)
    keep = work / "db-100k"
    if keep.exists():
        shutil.rmtree(keep)
    data.rename(keep)

    report(args, runs, machine, roster, size_mb, keep, baseline)


def report(args, runs, machine, roster, size_mb, keep, baseline):
    med = c.median
    pandas = runs["pandas"]
    print(f"\n## Roster import, {args.rows:,} rows — {dt.datetime.now():%Y-%m-%d %H:%M}")
    print(f"Machine: {machine}")
    print(f"Binary: {c.binary_line()}")
    if baseline:
        print(f"Baseline: {c.binary_line(baseline)}")
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
    base_name = Path(baseline).name if baseline else ""
    for key in ("sqlite_fresh", "sqlite_again", "pg_fresh", "pg_again"):
        labels["base_" + key] = f"{labels[key]}, baseline {base_name}"
    order = ["sqlite_fresh", "base_sqlite_fresh", "sqlite_again", "base_sqlite_again",
             "pg_fresh", "base_pg_fresh", "pg_again", "base_pg_again", "pandas"]
    for key in order:
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
    if baseline:
        print(f"\nBefore/after, per-round ratios then the median (> 1: {c.DONGXUN.name} is faster / smaller "
              f"than the baseline {base_name}):\n")
        print("| run | baseline wall s | this wall s | wall baseline / this | CPU baseline / this "
              "| peak RSS baseline / this |")
        print("|---|---:|---:|---:|---:|---:|")
        for key in ("sqlite_fresh", "sqlite_again", "pg_fresh", "pg_again"):
            rs, bs = runs[key], runs["base_" + key]
            if not rs or not bs:
                continue
            w = med([b["wall"] / r["wall"] for b, r in zip(bs, rs)])
            cpu = med([(b["user"] + b["sys"]) / (r["user"] + r["sys"]) for b, r in zip(bs, rs)])
            m = med([b["rss_mb"] / r["rss_mb"] for b, r in zip(bs, rs)])
            print(f"| {labels[key]} | {med([b['wall'] for b in bs]):.2f} | {med([r['wall'] for r in rs]):.2f} "
                  f"| {w:.2f} | {cpu:.2f} | {m:.2f} |")
    inner = [r["stdout"] for r in pandas]
    print(f"\npandas in-process split (last round): {inner[-1]}")
    print(f"Ratios > 1 mean dongxun is faster / smaller than pandas merely reading the file.")
    print(f"SQLite database with {args.rows:,} imported members kept at {keep}")


if __name__ == "__main__":
    main()
