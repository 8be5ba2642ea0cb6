#!/usr/bin/env bash
# bench/contest_load.sh [--trivial] [--think MEDIAN_MS] [--sigma S] [--seed S] [--workers W] N [QUESTIONS]:
# one live contest with N WebSocket contestants
# on a fresh demo server (SQLite): broadcast and acknowledgement latency (bench/contest-load),
# answers counted in the database afterwards, the server's peak memory (VmHWM), the load average
# at the start. Uses the server binary in target/debug unless DONGXUN_BIN names another.
# With --trivial the same generator drives bench/contest-load's trivial-ws instead (the ceiling:
# same messages, no database); its answers are counted in its memory.
# Without --think every phone answers the instant the question arrives (burst, a stress mode); with
# --think MEDIAN_MS each answers after a seeded log-normal delay (bench/contest-load/src/main.rs).
# The generator and trivial-ws are built in release (CARGO_TARGET_DIR, default bench-target).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TRIVIAL=""
GEN=()
while [ $# -gt 0 ]; do
  case "$1" in
    --trivial) TRIVIAL="--trivial"; shift ;;
    --think|--sigma|--seed|--workers) GEN+=("$1" "$2"); shift 2 ;;
    *) break ;;
  esac
done
N="${1:-1000}"
Q="${2:-3}"
BIN="${DONGXUN_BIN:-$REPO/target/debug/dongxun}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/bench-target}"
cargo build -q --release --manifest-path "$REPO/bench/contest-load/Cargo.toml" --bins
LOAD="$CARGO_TARGET_DIR/release/contest-load"
LOADAVG="$(cut -d' ' -f1-3 /proc/loadavg)"
DATA="$(mktemp -d)"
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; rm -rf "$DATA"' EXIT
ulimit -n "$(ulimit -Hn)"
if [ -n "$TRIVIAL" ]; then
  "$CARGO_TARGET_DIR/release/trivial-ws" 127.0.0.1:0 > "$DATA/server.log" 2>&1 &
else
  "$BIN" serve --demo --data-dir "$DATA" --listen 127.0.0.1:0 --guesses-per-address 100000000 > "$DATA/server.log" 2>&1 &
fi
SERVER=$!
for _ in $(seq 1 600); do
  URL="$(grep -o 'http://127.0.0.1:[0-9]*' "$DATA/server.log" | head -1 || true)"
  [ -n "$URL" ] && break
  sleep 0.1
done
RESULT="$("$LOAD" $TRIVIAL ${GEN[@]+"${GEN[@]}"} "$URL" "$N" "$Q")"
HWM="$(grep VmHWM /proc/$SERVER/status | awk '{print $2}')"
if [ -n "$TRIVIAL" ]; then
  ANSWERS="$(curl -s "$URL/answers")"
  DISTINCT="$ANSWERS"
  WHAT="trivial-ws"
else
  ID="$(echo "$RESULT" | sed 's/.*"contest":\([0-9]*\).*/\1/')"
  ANSWERS="$(sqlite3 "$DATA/dongxun.db" "SELECT COUNT(*) FROM contest_answers WHERE contest_id = $ID")"
  DISTINCT="$(sqlite3 "$DATA/dongxun.db" "SELECT COUNT(DISTINCT entrant_id || ':' || position) FROM contest_answers WHERE contest_id = $ID")"
  WHAT="$BIN"
fi
echo "$RESULT"
echo "{\"server\":\"$WHAT\",\"loadavg_at_start\":\"$LOADAVG\",\"answers_stored\":$ANSWERS,\"distinct\":$DISTINCT,\"expected\":$((N * Q)),\"server_peak_rss_mib\":$((HWM / 1024))}"
