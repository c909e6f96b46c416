#!/usr/bin/env bash
# The berth map page at size, on a release build:
#   1. a port of N berths in areas of 50, each with a map shape, and interests
#      at every stage on two berths of three (`nimara demo --berths N`);
#   2. the median latency of 200 requests of the map page coloured by status,
#      and of 200 coloured by pipeline stage (goal: under 50 ms at 500 berths).
# Usage: bench/map.sh [berths]   (default 500)
# With BENCH_DATABASE_URL set, that database is used (and filled once);
# otherwise an embedded cluster in a fresh temporary folder.
set -euo pipefail
cd "$(dirname "$0")/.."
berths=${1:-500}
slug=map-bench
port=18183
base="http://127.0.0.1:$port"
SQLX_OFFLINE=${SQLX_OFFLINE:-true} cargo build --release -q -p nimara
bin=target/release/nimara
data=$(mktemp -d /tmp/nimara-bench.XXXXXX)
export NIMARA_DATA_DIR="$data" NIMARA_HTTP_ADDR="127.0.0.1:$port" NIMARA_LOG=warn
if [ -n "${BENCH_DATABASE_URL:-}" ]; then
  export NIMARA_DATABASE_URL="$BENCH_DATABASE_URL"
fi

"$bin" serve & pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$data"' EXIT
until curl -fs "$base/readyz" >/dev/null; do sleep 0.1; done

email="bench.$(date +%s)@example.test"
password="bench-password-$(date +%s)"
echo "$password" | "$bin" user create --email "$email" --name Bench --password-stdin --super-admin >/dev/null
jar="$data/cookies"
curl -fs -c "$jar" -H 'content-type: application/json' \
  -d "{\"email\":\"$email\",\"password\":\"$password\"}" "$base/api/v1/auth/login" >/dev/null

# The port is filled once: a second run against the same database reuses it.
status=$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" "$base/api/v1/ports/$slug/berth-map/shapes")
if [ "$status" != 200 ]; then
  "$bin" demo --berths "$berths" --port "$slug"
fi
drawn=$(curl -fs -b "$jar" "$base/ports/$slug/map" | grep -o 'data-berth="' | wc -l)
echo "the map of port $slug draws $drawn berths"

median() { # URL → median ms of 200 requests on one kept-alive connection
  local cfg="$data/urls" i
  : > "$cfg"
  for i in $(seq 200); do echo "url = \"$1\"" >> "$cfg"; echo "output = /dev/null" >> "$cfg"; done
  curl -s -b "$jar" -K "$cfg" -w '%{time_total}\n' | sort -n | sed -n '100p' | awk '{printf "%.1f", $1 * 1000}'
}
# A first request warms the connection pool and the statement cache.
curl -fs -b "$jar" -o /dev/null "$base/ports/$slug/map"
by_status=$(median "$base/ports/$slug/map")
by_stage=$(median "$base/ports/$slug/map?colour=stage")

printf '%-44s %10s\n' "what ($drawn berths)" "median ms"
printf '%-44s %10s\n' "map page, coloured by status" "$by_status"
printf '%-44s %10s\n' "map page, coloured by pipeline stage" "$by_stage"
awk -v a="$by_status" -v b="$by_stage" 'BEGIN { ok = (a < 50 && b < 50); print (ok ? "goal met: under 50 ms" : "goal missed: 50 ms"); exit !ok }'
