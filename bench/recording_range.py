#!/usr/bin/env python3
"""Benchmark 10: a 200 MB 党课视频 recording served with Range requests to 50 concurrent viewers,
dongxun beside Debian's nginx serving the very same file on the same machine in the same run.

Setup: a fresh data dir, `dongxun serve --demo` on 127.0.0.1:0 (the demo's 党课视频 series). A
file of --size-mb (default 200) random bytes behind an MP4 `ftyp` box is generated and uploaded
through the real form: log in as the committee admin (13900000001 / dongxun2021) over HTTP (GET
/login for dx_csrf and the hidden field, POST /login), GET the series page for its csrf, POST
multipart to /classroom/series/{id}/episodes?csrf=… (streamed from disk). The episode's page
link gives the media URL /classroom/episodes/{id}/video; the stored file is
DATA_DIR/media/<random name>.mp4. nginx (nginx-light or nginx from Debian, installed if missing)
is started as this user on a free loopback port with a minimal config in a temp dir (root = that
media dir, sendfile on, access log off, worker_processes auto), so both serve the same inode.

Client (Python asyncio + aiohttp + uvloop, in this process): --viewers (default 50) viewers, each
an aiohttp session with one keep-alive connection and, for dongxun, its own logged-in session
cookie (50 separate logins). Two modes, each for --seconds (default 10) per server per round:
  seek   every request is `Range: bytes=a-b` of --chunk-kib (default 1024) at a random offset,
         like a player seeking; each response must be 206 with exactly that many bytes.
  whole  every request is the whole file (no Range; 200 with the full length), read in 256 KiB
         pieces and thrown away, like a download or a player reading straight through.
Rounds (--rounds, default 3) interleave: dongxun, nginx, dongxun, nginx, … per mode.

Reported per round and server: MB/s (MiB of body per wall second), requests, per-request
latency p50/p99 (first byte sent to last byte read), server CPU seconds (utime+stime of the
server processes, nginx master+workers), and dongxun/nginx throughput ratio per round with the
median. The client is Python: at these rates it may itself be the bottleneck for both servers —
the server CPU seconds per GiB served is printed too, so that a client-bound tie is visible.

Usage: python3 bench/recording_range.py [--rounds 3] [--seconds 10] [--viewers 50]
                                        [--size-mb 200] [--chunk-kib 1024] [--modes seek,whole]
Environment: DONGXUN_BIN (default target/release/dongxun, built if missing), DONGXUN_BENCH_WORK.
"""

import argparse
import asyncio
import grp
import multiprocessing
import os
import pwd
import random
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as c  # noqa: E402

os.environ.setdefault("DONGXUN_GUESSES_PER_ADDRESS", "1000000")
ADMIN_PHONE = "13900000001"
PASSWORD = "dongxun2021"
TITLE = "压测录像二百兆"


def ensure_aiohttp():
    try:
        import aiohttp  # noqa: F401
        import uvloop  # noqa: F401
    except ImportError:
        c.log("installing aiohttp and uvloop from PyPI")
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "aiohttp", "uvloop"], check=True)


def ensure_nginx():
    for path in ("/usr/sbin/nginx", shutil.which("nginx")):
        if path and Path(path).exists():
            return path
    c.log("installing nginx-light from Debian")
    if subprocess.run(["apt-get", "install", "-y", "-qq", "nginx-light"], stdout=subprocess.DEVNULL).returncode:
        subprocess.run(["apt-get", "install", "-y", "-qq", "nginx"], check=True, stdout=subprocess.DEVNULL)
    return "/usr/sbin/nginx"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_recording(path, size_mb):
    """An MP4 `ftyp` box (what the upload sniffs), then random bytes up to size_mb MiB."""
    head = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
    total = size_mb * 1024 * 1024
    with open(path, "wb") as f:
        f.write(head)
        left = total - len(head)
        block = os.urandom(4 * 1024 * 1024)
        while left > 0:
            f.write(block[:left])
            left -= len(block)


class Nginx:
    """nginx as this user: config, pid, logs and temp paths all in `tmp`."""

    def __init__(self, binary, tmp, root):
        self.port = free_port()
        tmp.mkdir(parents=True, exist_ok=True)
        conf = tmp / "nginx.conf"
        # Workers run as this user (nginx honours `user` only when started as root), so they
        # read the same private temp dir dongxun does.
        user = pwd.getpwuid(os.geteuid()).pw_name
        group = grp.getgrgid(os.getegid()).gr_name
        conf.write_text(f"""worker_processes auto;
user {user} {group};
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    types {{ video/mp4 mp4; }}
    server {{
        listen 127.0.0.1:{self.port};
        root {root};
    }}
}}
""")
        self.proc = subprocess.Popen([binary, "-p", str(tmp), "-c", str(conf), "-g", "daemon off;"],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=open(tmp / "stderr.log", "wb"))
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            self.stop()
            raise RuntimeError(f"nginx did not start; see {tmp}")
        self.addr = f"127.0.0.1:{self.port}"

    @property
    def pids(self):
        kids = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        try:
            children = [int(p) for p in kids.read_text().split()]
        except OSError:
            children = []
        return [self.proc.pid, *children]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()  # SIGTERM: nginx's fast shutdown
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def cpu_seconds(pids):
    """utime+stime of the processes (their threads included), in seconds."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return total / tick


async def login(session, base):
    async with session.get(base + "/login") as resp:
        body = await resp.text()
    token = re.search(r'name="csrf" value="([^"]+)"', body).group(1)
    form = {"phone": ADMIN_PHONE, "password": PASSWORD, "csrf": token, "next": "/"}
    async with session.post(base + "/login", data=form, allow_redirects=False) as resp:
        await resp.read()
        if resp.status == 429:  # the password-hashing queue is full: what a person does, retry
            await asyncio.sleep(1)
            return await login(session, base)
        if resp.status not in (302, 303):
            raise SystemExit(f"login failed: HTTP {resp.status}")
    if not any(m.key == "dx_session" for m in session.cookie_jar):
        raise SystemExit("login failed: no dx_session cookie")


async def upload(base, recording):
    """Logs in, uploads `recording` as a new episode of the demo's series through the real
    form; returns the episode's video URL path."""
    import aiohttp
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar, timeout=aiohttp.ClientTimeout(total=600)) as s:
        await login(s, base)
        async with s.get(base + "/classroom") as resp:
            listing = await resp.text()
        series_id = re.search(r'href="/classroom/series/(\d+)"', listing).group(1)
        async with s.get(f"{base}/classroom/series/{series_id}") as resp:
            page = await resp.text()
        action = re.search(r'action="(/classroom/series/\d+/episodes\?csrf=[^"]+)"', page).group(1)
        form = aiohttp.FormData()
        form.add_field("title", TITLE)
        with open(recording, "rb") as f:
            form.add_field("file", f, filename="lesson.mp4", content_type="video/mp4")
            started = time.monotonic()
            async with s.post(base + action.replace("&amp;", "&"), data=form, allow_redirects=False) as resp:
                await resp.read()
                if resp.status not in (302, 303):
                    raise SystemExit(f"upload failed: HTTP {resp.status}")
        took = time.monotonic() - started
        async with s.get(f"{base}/classroom/series/{series_id}") as resp:
            page = await resp.text()
        m = re.search(r'href="/classroom/episodes/(\d+)"><strong>[^<]*' + TITLE, page)
        if not m:
            raise SystemExit("uploaded episode not on the series page")
        return f"/classroom/episodes/{m.group(1)}/video", took


def percentile(values, p):
    values = sorted(values)
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


async def viewers(base, path, size, mode, start_at, seconds, n, chunk, login_each, seed):
    """n viewers for `seconds`; returns (bytes, requests, latencies_ms, wall). Bytes count as
    they arrive and every viewer stops at the deadline, mid-response if need be (a whole 200 MB
    read takes longer than a run), so MiB/s is over the window only. Latency: seek = the whole
    1 MiB request; whole = time to the first body byte (a full read is the window)."""
    import aiohttp
    sessions = []
    for _ in range(n):
        jar = aiohttp.CookieJar(unsafe=True)
        conn = aiohttp.TCPConnector(limit=1, force_close=False)
        s = aiohttp.ClientSession(cookie_jar=jar, connector=conn, read_bufsize=1 << 20,
                                  timeout=aiohttp.ClientTimeout(total=300), auto_decompress=False)
        sessions.append(s)
    try:
        if login_each:
            # One login per viewer, one after another (the server hashes passwords in a bounded
            # queue); kept per client process for the later runs.
            cache = _COOKIES.setdefault(base, [])
            while len(cache) < n:
                import aiohttp as _a
                async with _a.ClientSession(cookie_jar=_a.CookieJar(unsafe=True)) as fresh:
                    await login(fresh, base)
                    cache.append({m.key: m.value for m in fresh.cookie_jar})
            for s, cookies in zip(sessions, cache):
                s.cookie_jar.update_cookies(cookies)
        totals = {"bytes": 0, "requests": 0}
        latencies = []
        late = time.time() - start_at
        if late > 0:
            c.log(f"warning: a client process was ready {late:.1f} s after the start (logins)")
        await asyncio.sleep(max(0.0, start_at - time.time()))
        start = time.monotonic()
        stop_at = start + seconds
        rng = random.Random(seed)

        async def one(s):
            while time.monotonic() < stop_at:
                headers = {}
                if mode == "seek":
                    a = rng.randrange(0, size - chunk)
                    headers["Range"] = f"bytes={a}-{a + chunk - 1}"
                    expect_status, expect_len = 206, chunk
                else:
                    expect_status, expect_len = 200, size
                t0 = time.monotonic()
                got = 0
                async with s.get(base + path, headers=headers, allow_redirects=False) as resp:
                    if resp.status != expect_status:
                        raise SystemExit(f"{base}{path} {headers}: HTTP {resp.status}")
                    if int(resp.headers["Content-Length"]) != expect_len:
                        raise SystemExit(f"{base}{path}: Content-Length {resp.headers['Content-Length']}")
                    first = None
                    while True:
                        piece = await resp.content.readany()
                        if not piece:
                            break
                        if first is None:
                            first = time.monotonic()
                        got += len(piece)
                        totals["bytes"] += len(piece)
                        if time.monotonic() >= stop_at:
                            break
                if mode == "whole":
                    latencies.append((first - t0) * 1000)
                    if got < expect_len:
                        return  # the window closed mid-read; the connection is dropped
                elif got == expect_len:
                    latencies.append((time.monotonic() - t0) * 1000)
                elif time.monotonic() < stop_at:
                    raise SystemExit(f"{base}{path}: {got} bytes, expected {expect_len}")
                else:
                    return
                if got != expect_len:
                    raise SystemExit(f"{base}{path}: {got} bytes, expected {expect_len}")
                totals["requests"] += 1

        await asyncio.gather(*(one(s) for s in sessions))
        wall = time.monotonic() - start
        return totals["bytes"], totals["requests"], latencies, wall
    finally:
        await asyncio.gather(*(s.close() for s in sessions))


_COOKIES = {}


def client_process(job):
    """One client process's share of the viewers (its own event loop)."""
    import uvloop
    uvloop.install()
    try:
        return asyncio.run(viewers(*job))
    except SystemExit as stop:  # a Pool worker that exits would leave map_async waiting forever
        raise RuntimeError(str(stop)) from None


_LOGGED_IN = set()


def run(server_name, base, path, pids, args, size, mode, pool):
    """One run: --procs client processes share the viewers; each logs its viewers in, then all
    start together at a wall-clock instant, so the server CPU read around the window leaves the
    logins (password hashing) out."""
    n = args.viewers // args.procs
    first = server_name == "dongxun" and not _LOGGED_IN
    lead = 3 + (args.viewers * 0.6 if first else 0)
    if server_name == "dongxun":
        _LOGGED_IN.add(base)
    start_at = time.time() + lead
    jobs = [(base, path, size, mode, start_at, args.seconds, n + (1 if i < args.viewers % args.procs else 0),
             args.chunk_kib * 1024, server_name == "dongxun", 20261130 + i) for i in range(args.procs)]
    pending = pool.map_async(client_process, jobs)
    time.sleep(max(0.0, start_at - time.time()))
    cpu0 = cpu_seconds(pids)
    time.sleep(args.seconds)
    cpu = cpu_seconds(pids) - cpu0
    parts = pending.get()
    got = sum(p[0] for p in parts)
    requests = sum(p[1] for p in parts)
    lat = [x for p in parts for x in p[2]]
    wall = max(p[3] for p in parts)
    mib = got / 2**20
    row = {"mbs": mib / wall, "requests": requests, "p50": percentile(lat, 50), "p99": percentile(lat, 99),
           "cpu": cpu, "cpu_per_gib": cpu / (mib / 1024) if mib else float("nan"), "wall": wall}
    c.log(f"{mode} {server_name}: {row['mbs']:.0f} MiB/s, {requests} requests, p50 {row['p50']:.1f} ms, "
          f"p99 {row['p99']:.1f} ms, server CPU {cpu:.1f} s ({row['cpu_per_gib']:.2f} s/GiB)")
    return row


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--viewers", type=int, default=50)
    ap.add_argument("--size-mb", type=int, default=200)
    ap.add_argument("--chunk-kib", type=int, default=1024)
    ap.add_argument("--modes", default="seek,whole")
    ap.add_argument("--procs", type=int, default=2, help="client processes sharing the viewers")
    ap.add_argument("--work", type=Path, default=c.DEFAULT_WORK)
    args = ap.parse_args()
    ensure_aiohttp()
    import uvloop
    uvloop.install()
    nginx_bin = ensure_nginx()
    binary = c.ensure_dongxun()
    work = c.fresh_tmpdir(args.work, "recording")
    print(f"machine: {c.machine_line()}")
    print(f"dongxun: {c.binary_line(binary)}")
    print(f"nginx: {subprocess.run([nginx_bin, '-v'], stderr=subprocess.PIPE, text=True).stderr.strip()}")
    recording = work / "lesson.mp4"
    make_recording(recording, args.size_mb)
    data = work / "data"
    env = {**os.environ, "DONGXUN_MAX_RECORDING_MB": str(max(500, args.size_mb + 1))}
    argv = [str(binary), "--data-dir", str(data), "serve", "--listen", "127.0.0.1:0", "--demo"]
    app = c.Server(argv, r"dongxun listening on http://(\S+)", work / "dongxun.log", env=env)
    nginx = pool = None
    try:
        base = f"http://{app.addr}"
        path, took = asyncio.run(upload(base, recording))
        media = data / "media"
        stored = max(media.glob("*.mp4"), key=lambda p: p.stat().st_mtime)
        size = stored.stat().st_size
        if size != recording.stat().st_size:
            raise SystemExit(f"stored {size} bytes, uploaded {recording.stat().st_size}")
        print(f"upload: {size / 2**20:.0f} MiB through the form in {took:.1f} s "
              f"({size / 2**20 / took:.0f} MiB/s); served at {path}")
        recording.unlink()
        nginx = Nginx(nginx_bin, work / "nginx", media)
        servers = {
            "dongxun": (base, path, lambda: [app.pid]),
            "nginx": (f"http://{nginx.addr}", "/" + stored.name, lambda: nginx.pids),
        }
        # Warm the page cache for both: one whole read.
        Path(stored).read_bytes()
        results = {}
        pool = multiprocessing.get_context("fork").Pool(args.procs)
        for mode in args.modes.split(","):
            for r in range(args.rounds):
                for name, (b, p, pids) in servers.items():
                    results.setdefault((mode, name), []).append(run(name, b, p, pids(), args, size, mode, pool))
        print(f"\n{args.viewers} viewers, {args.seconds:.0f} s per run, {args.rounds} rounds interleaved; "
              f"seek = {args.chunk_kib} KiB ranges at random offsets, whole = the full {size / 2**20:.0f} MiB")
        print("| mode | round | dongxun MiB/s | nginx MiB/s | ratio | dongxun p50 / p99 ms | nginx p50 / p99 ms "
              "| dongxun CPU s/GiB | nginx CPU s/GiB |")
        print("|---|---|---|---|---|---|---|---|---|")
        for mode in args.modes.split(","):
            ratios = []
            for r in range(args.rounds):
                d, n = results[(mode, "dongxun")][r], results[(mode, "nginx")][r]
                ratio = d["mbs"] / n["mbs"]
                ratios.append(ratio)
                print(f"| {mode} | {r + 1} | {d['mbs']:.0f} | {n['mbs']:.0f} | {ratio:.0%} | "
                      f"{d['p50']:.1f} / {d['p99']:.1f} | {n['p50']:.1f} / {n['p99']:.1f} | "
                      f"{d['cpu_per_gib']:.2f} | {n['cpu_per_gib']:.2f} |")
            med = {k: {f: c.median([x[f] for x in results[(mode, k)]]) for f in ("mbs", "p50", "p99", "cpu_per_gib")}
                   for k in ("dongxun", "nginx")}
            print(f"| {mode} | median | {med['dongxun']['mbs']:.0f} | {med['nginx']['mbs']:.0f} | "
                  f"{c.median(ratios):.0%} | {med['dongxun']['p50']:.1f} / {med['dongxun']['p99']:.1f} | "
                  f"{med['nginx']['p50']:.1f} / {med['nginx']['p99']:.1f} | "
                  f"{med['dongxun']['cpu_per_gib']:.2f} | {med['nginx']['cpu_per_gib']:.2f} |")
    finally:
        if pool:
            pool.terminate()
        if nginx:
            nginx.stop()
        app.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
