#!/usr/bin/env bash
# Measures, on a release build:
#   1. time from `nimara serve` to /readyz 200 on an existing data folder
#      (embedded PostgreSQL already initialised; each run starts it and stops it);
#   2. resident memory of the idle `nimara` process (PostgreSQL's own processes
#      are separate and not counted).
# Usage: bench/startup.sh [runs]   (default 5). Prints a table for the README.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
cargo build --release --locked -q
bin=target/release/nimara
data=$(mktemp -d /tmp/nimara-bench.XXXXXX)
port=18181
export NIMARA_DATA_DIR="$data" NIMARA_HTTP_ADDR="127.0.0.1:$port" NIMARA_LOG=warn

wait_ready() {
  until curl -fs "http://127.0.0.1:$port/readyz" >/dev/null; do sleep 0.01; done
}

# First start: initdb, migrations and the demo port; not measured.
"$bin" serve --demo & pid=$!
wait_ready; kill -TERM $pid; wait $pid

times=()
for _ in $(seq "$runs"); do
  start=$(date +%s%N)
  "$bin" serve & pid=$!
  wait_ready
  end=$(date +%s%N)
  times+=($(( (end - start) / 1000000 )))
  kill -TERM $pid; wait $pid
done

"$bin" serve & pid=$!
wait_ready
# A few requests, then idle, as a server between users is.
for _ in $(seq 20); do curl -fs "http://127.0.0.1:$port/ports/port-nimara" >/dev/null || true; done
sleep 5
rss_kb=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
kill -TERM $pid; wait $pid
rm -rf "$data"

sorted=$(printf '%s\n' "${times[@]}" | sort -n)
median=$(echo "$sorted" | sed -n "$(( (runs + 1) / 2 ))p")
echo "serve to ready (ms), $runs runs: $(echo $sorted | tr '\n' ' ')"
echo "| nimara serve to /readyz 200, existing data folder | < 2 s | median ${median} ms (min $(echo "$sorted" | head -1), max $(echo "$sorted" | tail -1)) |"
echo "| idle resident memory of nimara | < 50 MB | $(( rss_kb / 1024 )) MB (VmRSS ${rss_kb} kB) |"
