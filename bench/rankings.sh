#!/usr/bin/env bash
# bench/rankings.sh: issue 9's benchmarks in one run, peers started here on loopback.
#   1. rank queries at MEMBERS/ENTRIES: dongxun's index beside Redis sorted sets (Debian's
#      redis-server, started here) and SQL on SQLite and PostgreSQL (a throwaway cluster from
#      scripts/pg-throwaway);
#   2. index rebuild time and memory at 1M, 10M and 50M entries (bench/rank-index's main);
#   3. ledger ingest with caps, group commit vs one transaction per award vs raw inserts.
# Usage: bench/rankings.sh [MEMBERS [ENTRIES [UNITS]]]   (default 1000000 10000000 200)
# Skip parts with RANKINGS_SKIP="compare rebuild ingest" (any of them).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/bench-target}"
skip="${RANKINGS_SKIP:-}"
SUDO=(); [ "$(id -u)" -eq 0 ] || SUDO=(sudo)

if ! command -v redis-server >/dev/null; then
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
fi
cargo build --release -q --manifest-path bench/rank-index/Cargo.toml
bin="$CARGO_TARGET_DIR/release"

work=$(mktemp -d)
cleanup() { [ -f "$work/redis.pid" ] && kill "$(cat "$work/redis.pid")" 2>/dev/null; rm -rf "$work" 2>/dev/null || true; }
trap cleanup EXIT
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --dir "$work" \
  --daemonize yes --pidfile "$work/redis.pid" --logfile "$work/redis.log"
for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
export REDIS_URL="redis://127.0.0.1:$port/"

echo "# bench/rankings.sh — $(date -u +%FT%TZ), $(git rev-parse --short HEAD), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "redis-server $(redis-server --version | grep -o 'v=[0-9.]*'), $(sqlite3 --version 2>/dev/null | cut -d' ' -f1 || echo 'SQLite bundled')"
echo
case " $skip " in *" compare "*) ;; *)
  scripts/pg-throwaway "$bin/rank_compare" "$@"; echo ;;
esac
case " $skip " in *" rebuild "*) ;; *)
  for entries in 1000000 10000000 50000000; do "$bin/rank-index" "${1:-1000000}" "$entries" "${3:-200}"; echo; done ;;
esac
case " $skip " in *" ingest "*) ;; *)
  "$bin/ingest" ;;
esac
