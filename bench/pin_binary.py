#!/usr/bin/env python3
"""Builds the release binary of a committed revision into the work directory, for DONGXUN_BIN or
DONGXUN_BASELINE_BIN: <work>/dongxun-<short rev>.

target/release is shared with other engineers, who rebuild it with work in progress, so a
benchmark should measure a binary that nobody else overwrites and whose source is known. This
exports exactly the committed tree (`git archive REV`, so uncommitted edits never leak in and the
repository's own target/ and .git are left alone), builds it with its own CARGO_TARGET_DIR, copies
the binary out and deletes that target dir. If the repository's target/release exists it seeds
the new target dir with a copy, so only the changed crates are recompiled (~2 min instead of ~8
on 2 cores).

Usage: python3 bench/pin_binary.py [REV ...]   (default HEAD; prints the binary path per REV)
e.g.   export DONGXUN_BIN=$(python3 bench/pin_binary.py HEAD)
       export DONGXUN_BASELINE_BIN=$(python3 bench/pin_binary.py HEAD~1)
"""

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as c  # noqa: E402


def git(*args):
    return subprocess.run(["git", "-C", str(c.ROOT), *args], check=True, stdout=subprocess.PIPE,
                          text=True).stdout.strip()


def pin(rev, work):
    short = git("rev-parse", "--short", f"{rev}^{{commit}}")
    out = work / f"dongxun-{short}"
    if out.exists():
        c.log(f"{out} already built")
        return out
    src = work / f"src-{short}"
    target = work / f"target-{short}"
    for d in (src, target):
        if d.exists():
            shutil.rmtree(d)
    src.mkdir(parents=True)
    archive = subprocess.Popen(["git", "-C", str(c.ROOT), "archive", short], stdout=subprocess.PIPE)
    subprocess.run(["tar", "-x", "-C", str(src)], stdin=archive.stdout, check=True)
    if archive.wait() != 0:
        raise SystemExit(f"git archive {short} failed")
    shared = c.ROOT / "target" / "release"
    if shared.is_dir():
        c.log(f"seeding {target} from {shared}")
        target.mkdir()
        subprocess.run(["cp", "-a", str(shared), str(target / "release")], check=True)
    c.log(f"building {short} (cargo build --release --bin dongxun) in {src}")
    subprocess.run(["cargo", "build", "--release", "--bin", "dongxun"], cwd=src, check=True,
                   env={**os.environ, "CARGO_TARGET_DIR": str(target)}, stdout=sys.stderr)
    shutil.copy2(target / "release" / "dongxun", out)
    shutil.rmtree(target)
    shutil.rmtree(src)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("revs", nargs="*", default=["HEAD"])
    ap.add_argument("--work", type=Path, default=c.DEFAULT_WORK)
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    for rev in args.revs:
        print(pin(rev, args.work))


if __name__ == "__main__":
    main()
