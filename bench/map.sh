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
# shellcheck source-path=SCRIPTDIR/..
. bench/lib.sh
bench_build
bench_serve 18183
bench_sign_in

# The port is filled once: a second run against the same database reuses it.
status=$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" "$base/api/v1/ports/$slug/berth-map/shapes")
if [ "$status" != 200 ]; then
  "$bin" demo --berths "$berths" --port "$slug"
fi
drawn=$(curl -fs -b "$jar" "$base/ports/$slug/map" | grep -o 'data-berth="' | wc -l)
echo "the map of port $slug draws $drawn berths"

median_curl=(-b "$jar")
# A first request warms the connection pool and the statement cache.
curl -fs -b "$jar" -o /dev/null "$base/ports/$slug/map"
by_status=$(median "$base/ports/$slug/map")
by_stage=$(median "$base/ports/$slug/map?colour=stage")

printf '%-44s %10s\n' "what ($drawn berths)" "median ms"
printf '%-44s %10s\n' "map page, coloured by status" "$by_status"
printf '%-44s %10s\n' "map page, coloured by pipeline stage" "$by_stage"
awk -v a="$by_status" -v b="$by_stage" 'BEGIN { ok = (a < 50 && b < 50); print (ok ? "goal met: under 50 ms" : "goal missed: 50 ms"); exit !ok }'
