#!/usr/bin/env bash
# The pipeline board at scale, on a release build:
#   1. a port of N open interests over berths, one client each, spread over
#      every stage (`nimara demo --interests N`);
#   2. median latency of 200 requests each: the board page, the board API
#      (every column's count, values and first 50 cards), the board filtered
#      by a berth area, and the table view's first page.
# Goal: the board page and the API under 100 ms at the median for 5,000.
# Usage: bench/board.sh [interests]   (default 5000)
# With BENCH_DATABASE_URL set, that database is used (and filled once);
# otherwise an embedded cluster in a fresh temporary folder. BENCH_BIN runs
# another binary instead of building the release one (to try the script
# itself quickly; its timings then mean nothing).
set -euo pipefail
cd "$(dirname "$0")/.."
interests=${1:-5000}
slug=board
# shellcheck source-path=SCRIPTDIR/..
. bench/lib.sh
if [ -n "${BENCH_BIN:-}" ]; then
  bin=$BENCH_BIN
else
  bench_build
fi
bench_serve 18183
bench_db

if [ "$(psql "$db" -Atc "SELECT count(*) FROM interests i JOIN ports p ON p.id = i.port_id WHERE p.slug = '$slug'")" = 0 ]; then
  "$bin" demo --interests "$interests" --port "$slug"
fi
for table in interests berths clients interest_tags reminders; do
  psql "$db" -q -c "VACUUM ANALYZE $table"
done
port_id=$(psql "$db" -Atc "SELECT id FROM ports WHERE slug = '$slug'")

bench_sign_in
bench_token "$slug"
median_curl=(-f -H "$auth" -H 'Accept-Encoding: gzip')
# Every URL answers 200 before it is timed.
for path in "/ports/$slug/pipeline" "/api/v1/ports/$slug/pipeline" "/ports/$slug/pipeline?area=Pier+A" "/ports/$slug/pipeline?view=table"; do
  curl -fs -o /dev/null -H "$auth" "$base$path" || { echo "GET $path failed" >&2; exit 1; }
done
page_ms=$(median "$base/ports/$slug/pipeline")
api_ms=$(median "$base/api/v1/ports/$slug/pipeline")
area_ms=$(median "$base/ports/$slug/pipeline?area=Pier+A")
table_ms=$(median "$base/ports/$slug/pipeline?view=table")

open=$(psql "$db" -Atc "SELECT count(*) FROM interests WHERE port_id = '$port_id' AND archived_at IS NULL")
cards=$(curl -fs -H "$auth" "$base/api/v1/ports/$slug/pipeline" | grep -o '"client_name"' | wc -l)
echo "open interests: $open, berths: $(psql "$db" -Atc "SELECT count(*) FROM berths WHERE port_id = '$port_id'"), cards on the board: $cards"
echo "| board page (8 columns, 50 cards each), median of 200 | < 100 ms | $page_ms ms |"
echo "| board API (\`GET /api/v1/ports/{port}/pipeline\`), median of 200 | < 100 ms | $api_ms ms |"
echo "| board page filtered by berth area, median of 200 | < 100 ms | $area_ms ms |"
echo "| table view, first 100 rows, median of 200 | — | $table_ms ms |"
