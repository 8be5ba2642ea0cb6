#!/usr/bin/env python3
"""Benchmark: reading and checking a 100,000-row roster (read_table + parse_roster), through the CLI.

`dongxun import members` reads and checks every row before it touches the member table (any bad
row rejects the whole file). So on a roster whose LAST row is invalid (gen_roster.py
--bad-last-row: a 7-digit phone) the command does exactly the read and the check of every row,
then stops with exit code 2 naming that row. The same command on a one-row roster with the same
bad row does everything else (process start, opening the database, finding the sub-district,
the audit entry of the refusal), so, within a round:

    read + check of N rows  ≈  wall(N-row roster) − wall(1-row roster)

Per round, interleaved (so machine noise hits both alike), each a separate process under GNU
`time -v`: the 1-row rejection, then the N-row rejection, on the same copy of a demo database
(a rejection changes nothing but one audit row). Each run's stderr is checked for the one
expected error ("第N+2行 手机号码…"); a run that imported anything, or failed otherwise, stops the
benchmark. Prints a Markdown table of medians (min–max) and the per-round difference.

This replaced a timing that ran among the unit tests (`bench_parse_100k_rows` in
src/people/roster/file_tests.rs), which asserted nothing and, in a debug build, timed 2,000 rows.

Usage: python3 bench/roster_parse.py [--rounds 5] [--rows 100000] [--work DIR]
"""

import argparse
import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as c  # noqa: E402


def bad_roster(work, template, rows, regen):
    """The N-row roster whose last row is invalid (cached in the work dir, like roster_import's)."""
    path = work / f"roster-{rows}-bad-last-row.xlsx"
    if regen or not path.exists():
        c.log(f"generating {path}")
        subprocess.run([sys.executable, str(c.BENCH / "gen_roster.py"), "--db", str(template / "dongxun.db"),
                        "--rows", str(rows), "--bad-last-row", "-o", str(path)], check=True)
    return path


def rejection(binary, data, roster, rows, log_path):
    """One timed `import members` that must be refused for exactly the last row."""
    res = c.timed([binary, "--data-dir", str(data), "import", "members", str(roster)], log_path)
    stderr = Path(log_path).read_text()
    expected = f"第{rows + 2}行 手机号码"
    if res["rc"] != 2 or "名册中有1处错误" not in stderr or expected not in stderr:
        raise SystemExit(f"expected exit 2 with one error at {expected!r}, got exit {res['rc']}: "
                         f"{res['stdout']!r} {stderr[-500:]!r} (log {log_path})")
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--rows", type=int, default=c.ROWS)
    ap.add_argument("--work", type=Path, default=c.DEFAULT_WORK)
    ap.add_argument("--regen", action="store_true", help="regenerate the rosters even if cached")
    args = ap.parse_args()

    c.need_tool(c.GNU_TIME, "time")
    c.ensure_python_packages()
    dongxun = str(c.ensure_dongxun())
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    logs = work / "logs"
    logs.mkdir(exist_ok=True)
    machine = c.machine_line()

    template = work / "template-parse"
    if template.exists():
        shutil.rmtree(template)
    c.make_demo_db(template, log_path=logs / "seed-parse.log")
    big = bad_roster(work, template, args.rows, args.regen)
    small = bad_roster(work, template, 1, args.regen)
    data = c.copy_sqlite_dir(template, work / "parse-db")

    runs = {"one": [], "all": []}
    for r in range(1, args.rounds + 1):
        runs["one"].append(rejection(dongxun, data, small, 1, logs / f"parse-one-{r}.log"))
        runs["all"].append(rejection(dongxun, data, big, args.rows, logs / f"parse-all-{r}.log"))
        c.log(f"round {r}: 1 row {runs['one'][-1]['wall']:.2f}s, {args.rows} rows {runs['all'][-1]['wall']:.2f}s")
    shutil.rmtree(data)
    report(args, runs, machine, big)


def report(args, runs, machine, roster):
    med = c.median

    def cell(values, fmt="{:.2f}"):
        return f"{fmt.format(med(values))} ({fmt.format(min(values))}–{fmt.format(max(values))})"

    print(f"\n## Roster read + check, {args.rows:,} rows — {dt.datetime.now():%Y-%m-%d %H:%M}")
    print(f"Machine: {machine}")
    print(f"Binary: {c.binary_line()}")
    print(f"File: {roster.name}, {roster.stat().st_size / 2**20:.1f} MiB; {args.rounds} rounds, interleaved; "
          "medians (min–max)\n")
    print("| run | wall s | peak RSS MB | CPU s (user+sys) |")
    print("|---|---:|---:|---:|")
    labels = {"one": "import refused, 1-row roster (everything but the rows)",
              "all": f"import refused, {args.rows:,}-row roster (last row bad)"}
    for key in ("one", "all"):
        rs = runs[key]
        print(f"| {labels[key]} | {cell([r['wall'] for r in rs])} | {cell([r['rss_mb'] for r in rs], '{:.0f}')} "
              f"| {cell([r['user'] + r['sys'] for r in rs])} |")
    diff = [a["wall"] - o["wall"] for a, o in zip(runs["all"], runs["one"])]
    cpu = [(a["user"] + a["sys"]) - (o["user"] + o["sys"]) for a, o in zip(runs["all"], runs["one"])]
    print(f"| **read + check of {args.rows:,} rows** (difference within each round) | **{cell(diff)}** | "
          f"| {cell(cpu)} |")


if __name__ == "__main__":
    main()
