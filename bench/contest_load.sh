#!/usr/bin/env bash
# bench/contest_load.sh N [QUESTIONS]: one live contest with N WebSocket contestants on a fresh
# demo server (SQLite): broadcast and acknowledgement latency (bench/contest-load), answers
# counted in the database afterwards, the server's peak memory (VmHWM). Uses the server binary
# in target/debug unless DONGXUN_BIN names another.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="${1:-1000}"
Q="${2:-3}"
BIN="${DONGXUN_BIN:-$REPO/target/debug/dongxun}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/bench-target}"
cargo build -q --manifest-path "$REPO/bench/contest-load/Cargo.toml"
LOAD="$CARGO_TARGET_DIR/debug/contest-load"
DATA="$(mktemp -d)"
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; rm -rf "$DATA"' EXIT
ulimit -n "$(ulimit -Hn)"
"$BIN" serve --demo --data-dir "$DATA" --listen 127.0.0.1:0 --guesses-per-address 100000000 > "$DATA/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 600); do
  URL="$(grep -o 'http://127.0.0.1:[0-9]*' "$DATA/server.log" | head -1 || true)"
  [ -n "$URL" ] && break
  sleep 0.1
done
RESULT="$("$LOAD" "$URL" "$N" "$Q")"
ID="$(echo "$RESULT" | sed 's/.*"contest":\([0-9]*\).*/\1/')"
ANSWERS="$(sqlite3 "$DATA/dongxun.db" "SELECT COUNT(*) FROM contest_answers WHERE contest_id = $ID")"
DISTINCT="$(sqlite3 "$DATA/dongxun.db" "SELECT COUNT(DISTINCT entrant_id || ':' || position) FROM contest_answers WHERE contest_id = $ID")"
HWM="$(grep VmHWM /proc/$SERVER/status | awk '{print $2}')"
echo "$RESULT"
echo "{\"answers_in_db\":$ANSWERS,\"distinct\":$DISTINCT,\"expected\":$((N * Q)),\"server_peak_rss_mib\":$((HWM / 1024))}"
