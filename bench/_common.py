"""Shared helpers for the dongxun benchmarks (bench/*.py): finding or building the release
binary, making a fresh demo database, starting servers on a loopback port chosen by the OS,
and timing a command with GNU time.

Everything here talks to 127.0.0.1 only and every child process is stopped by its own pid.
Every path is derived from this file's location (the repository is its parent directory) or from
the environment, so the scripts run from any checkout and any working directory.

Environment:
  DONGXUN_BIN           the dongxun binary to measure (default: <repo>/target/release/dongxun,
                        built if missing). target/release is shared and may be rebuilt with work in
                        progress: copy a binary aside and point this at the copy to pin it.
  DONGXUN_BASELINE_BIN  optional second binary (e.g. the previous commit's) that roster_import.py
                        and members_page.py run interleaved with DONGXUN_BIN for a before/after
                        comparison (same as --baseline).
  DONGXUN_BENCH_WORK    work directory (default: <system temp dir>/dongxun-bench).
"""

import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DONGXUN = Path(os.environ.get("DONGXUN_BIN", ROOT / "target" / "release" / "dongxun"))
TRIVIAL = BENCH / "trivial-axum" / "target" / "release" / "trivial-axum"
GNU_TIME = "/usr/bin/time"
DEFAULT_WORK = Path(os.environ.get("DONGXUN_BENCH_WORK", Path(tempfile.gettempdir()) / "dongxun-bench"))
BASELINE = Path(os.environ["DONGXUN_BASELINE_BIN"]) if os.environ.get("DONGXUN_BASELINE_BIN") else None
ROWS = 100_000


def log(message):
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def need_tool(path_or_name, debian_package):
    if shutil.which(path_or_name) or Path(path_or_name).exists():
        return
    log(f"installing {debian_package} from Debian")
    subprocess.run(["apt-get", "install", "-y", "-qq", debian_package], check=True,
                   stdout=subprocess.DEVNULL)


def ensure_python_packages():
    try:
        import openpyxl  # noqa: F401
        import pandas  # noqa: F401
        import xlsxwriter  # noqa: F401
    except ImportError:
        log("installing openpyxl, pandas and XlsxWriter from PyPI")
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "openpyxl", "pandas", "xlsxwriter"],
                       check=True)


def ensure_dongxun():
    """The release binary; built once (several minutes on 2 cores) if missing."""
    if not DONGXUN.exists():
        log("building dongxun in release mode (cargo build --release)")
        subprocess.run(["cargo", "build", "--release"], cwd=ROOT, check=True)
    return DONGXUN


def ensure_trivial():
    if not TRIVIAL.exists():
        log("building bench/trivial-axum in release mode")
        subprocess.run(["cargo", "build", "--release"], cwd=BENCH / "trivial-axum", check=True)
    return TRIVIAL


class Server:
    """A child server started on 127.0.0.1:0; `addr` is what it printed it listens on."""

    def __init__(self, argv, ready_pattern, log_path, env=None):
        self.log_path = Path(log_path)
        self.stderr = open(self.log_path, "wb")
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=self.stderr,
                                     stdin=subprocess.DEVNULL, env=env)
        deadline = time.monotonic() + 120
        pattern = re.compile(ready_pattern)
        self.addr = None
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline().decode("utf-8", "replace")
            if not line:
                break
            match = pattern.search(line)
            if match:
                self.addr = match.group(1)
                break
        if self.addr is None:
            self.stop()
            raise RuntimeError(f"{argv[0]} did not start; see {self.log_path}")

    @property
    def pid(self):
        return self.proc.pid

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.stderr.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def db_args(data_dir=None, url=None):
    return ["--database-url", url] if url else ["--data-dir", str(data_dir)]


def start_dongxun(data_dir=None, url=None, demo=False, log_path=None, binary=None):
    binary = binary or ensure_dongxun()
    argv = [str(binary), *db_args(data_dir, url), "serve", "--listen", "127.0.0.1:0"]
    if demo:
        argv.append("--demo")
    return Server(argv, r"dongxun listening on http://(\S+)", log_path or os.devnull)


def make_demo_db(data_dir=None, url=None, log_path=None, binary=None):
    """Seeds the demo sub-district (14 stations, ~1,500 members, demo accounts) by running
    `serve --demo` until it listens, then stopping it with SIGTERM."""
    started = time.monotonic()
    with start_dongxun(data_dir, url, demo=True, log_path=log_path, binary=binary):
        pass
    if data_dir is not None:
        # `serve` leaves its writes in the WAL; fold them into the main file so that every copy
        # starts as one clean database file.
        import sqlite3
        con = sqlite3.connect(Path(data_dir) / "dongxun.db")
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.close()
    log(f"seeded demo database in {time.monotonic() - started:.1f}s")


def analyze_sqlite(data_dir):
    """Runs ANALYZE on a stopped data directory's database: writes sqlite_stat1, the statistics
    SQLite's query planner uses to choose between indexes (dongxun itself never runs it)."""
    import sqlite3
    con = sqlite3.connect(Path(data_dir) / "dongxun.db")
    con.execute("ANALYZE")
    con.commit()
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()


def copy_sqlite_dir(src, dst):
    """A fresh copy of a stopped SQLite data directory (db plus any -wal/-shm)."""
    dst = Path(dst)
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst)
    return dst


def timed(argv, log_path, env=None):
    """Runs argv under GNU time -v. Returns dict(wall, rss_mb, user, sys, rc, stdout)."""
    with open(log_path, "w") as tlog:
        proc = subprocess.run([GNU_TIME, "-v", "-o", str(log_path) + ".time", *argv],
                              stdout=subprocess.PIPE, stderr=tlog, env=env)
    text = Path(str(log_path) + ".time").read_text()

    def field(name):
        m = re.search(re.escape(name) + r":\s*(\S+)", text)
        return m.group(1) if m else None

    wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss)")
    parts = [float(p) for p in wall.split(":")]
    seconds = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
    return {
        "wall": seconds,
        "rss_mb": int(field("Maximum resident set size (kbytes)")) / 1024,
        "user": float(field("User time (seconds)")),
        "sys": float(field("System time (seconds)")),
        "rc": proc.returncode,
        "stdout": proc.stdout.decode("utf-8", "replace").strip(),
    }


def median(values):
    values = sorted(values)
    n = len(values)
    return values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2


def machine_line():
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = os.getloadavg()
    return (f"{os.cpu_count()} cores ({cpu}), {mem_gb:.0f} GiB, {platform.system()} "
            f"{platform.release()}; load average at start {load[0]:.2f}")


def peak_rss_mb(pid):
    """A live process's peak resident set size (VmHWM), in MB; None if unreadable."""
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def binary_line(binary=None):
    """Which dongxun binary was measured: target/release is shared, others may rebuild it."""
    import datetime
    import hashlib
    binary = Path(binary or DONGXUN)
    digest = hashlib.sha256(binary.read_bytes()).hexdigest()[:12]
    built = datetime.datetime.fromtimestamp(binary.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout.strip()
    return f"{binary} built {built}, sha256 {digest}; repo HEAD {head or '?'}"


def fresh_tmpdir(work, name):
    work.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=name + ".", dir=work))


# --- PostgreSQL (the scripts run themselves under scripts/pg-throwaway) -----------------------

def pg_available():
    """Whether scripts/pg-throwaway can find initdb (the same places it looks)."""
    if any(Path(p, "initdb").exists() for p in Path("/usr/lib/postgresql").glob("*/bin")):
        return True
    if shutil.which("pg_config"):
        bindir = subprocess.run(["pg_config", "--bindir"], stdout=subprocess.PIPE, text=True).stdout.strip()
        return Path(bindir, "initdb").exists()
    return False


def psql(url, sql, capture=False):
    """Runs one statement; with `capture`, returns its rows as lists of text fields."""
    out = subprocess.run(["psql", "-q", "-X", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", url, "-c", sql],
                         check=True, stdout=subprocess.PIPE, text=True,
                         env={**os.environ, "PGOPTIONS": "--client-min-messages=warning"}).stdout
    return [line.split("\t") for line in out.splitlines() if line] if capture else None


def with_db(url, name):
    """The same server URL, another database."""
    return url.rsplit("/", 1)[0] + "/" + name
