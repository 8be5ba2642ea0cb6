#!/usr/bin/env bash
# bench/column.sh: the 冬训专栏 at 10,000 articles — `import posts` of one RSS file holding them
# all (and again: nothing added), `export posts` of all of them, and the feeds and list pages
# served from them. Usage: bash bench/column.sh [BIN]   (default target/debug/dongxun)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${1:-$ROOT/target/debug/dongxun}"
WORK="$(mktemp -d)"
PORT="${PORT:-18391}"
trap 'kill "$SERVER" 2>/dev/null || true; rm -rf "$WORK"' EXIT
python3 - "$WORK/feed.xml" <<'PY'
import sys
items = []
for i in range(10000):
    d = f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00Z"
    body = "<p>" + ("石湫街道党员冬训第%d篇，书记开讲第一课，志愿队伍齐宣讲。" % i) * 6 + "</p>"
    cat = ["工作动态", "宣讲活动", "送学上门"][i % 3]
    items.append(f"<item><title>冬训动态第{i}篇</title><guid>bench-{i}</guid><pubDate>{d}</pubDate>"
                 f"<category>{cat}</category><description><![CDATA[{body}]]></description></item>")
open(sys.argv[1], "w").write('<?xml version="1.0"?><rss version="2.0"><channel><title>b</title>'
                             + "".join(items) + "</channel></rss>")
PY
echo "| step | result |"; echo "|---|---|"
t() { /usr/bin/time -f "%e s, %M KB max RSS" "$@" 2>&1 >/dev/null | tail -1; }
echo "| import posts (10,000 feed entries, $(du -h "$WORK/feed.xml" | cut -f1)) | $(t "$BIN" --data-dir "$WORK/data" import posts "$WORK/feed.xml") |"
echo "| import posts again (all already there) | $(t "$BIN" --data-dir "$WORK/data" import posts "$WORK/feed.xml") |"
# Measurement set-up only: publish them all without 10,000 clicks.
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"UPDATE column_articles SET status='published'\"); c.commit()" "$WORK/data/dongxun.db"
echo "| export posts (10,000 files) | $(t "$BIN" --data-dir "$WORK/data" export posts -o "$WORK/export"), $(du -sh "$WORK/export" | cut -f1) |"
"$BIN" --data-dir "$WORK/data" serve --listen "127.0.0.1:$PORT" >"$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 50); do grep -q listening "$WORK/serve.log" && break; sleep 0.2; done
for path in /column/rss.xml /column/atom.xml "/column/rss.xml?category=%E5%AE%A3%E8%AE%B2%E6%B4%BB%E5%8A%A8" /column "/column?page=400"; do
  best=""
  for _ in 1 2 3 4 5; do
    r=$(curl -s -o /dev/null -w "%{time_total} %{size_download}" "http://127.0.0.1:$PORT$path")
    s=${r% *}; if [ -z "$best" ] || awk "BEGIN{exit !($s < $best)}"; then best=$s; fi; bytes=${r#* }
  done
  echo "| GET $path | best of 5: ${best} s, ${bytes} bytes |"
done
