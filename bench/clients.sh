#!/usr/bin/env bash
# The client list and search at scale, on a release build:
#   1. a port of N clients and 2N contacts (`nimara demo --clients N`);
#   2. median latency of 200 requests each: the list page of 50, a search by a
#      short fragment shared by thousands of names, a search by a
#      partial name, a search by a partial e-mail;
#   3. wrk (8 connections, 20 s) on the list endpoint and, in the same run,
#      pgbench (8 clients, 20 s) running the same SQL the endpoint runs, with
#      the ratio of their requests per second.
# Usage: bench/clients.sh [clients]   (default 200000)
# With BENCH_DATABASE_URL set, that database is used (and filled once);
# otherwise an embedded cluster in a fresh temporary folder.
set -euo pipefail
cd "$(dirname "$0")/.."
clients=${1:-200000}
slug=bench
# shellcheck source-path=SCRIPTDIR/..
. bench/lib.sh
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }
command -v pgbench >/dev/null || { echo "pgbench is missing (postgresql-client)" >&2; exit 2; }
bench_build
bench_serve 18182
bench_db

if [ "$(psql "$db" -Atc "SELECT count(*) FROM clients c JOIN ports p ON p.id = c.port_id WHERE p.slug = '$slug'")" = 0 ]; then
  "$bin" demo --clients "$clients" --port "$slug"
fi
psql "$db" -q -c "VACUUM ANALYZE clients" -c "VACUUM ANALYZE client_contacts"
port_id=$(psql "$db" -Atc "SELECT id FROM ports WHERE slug = '$slug'")

bench_sign_in
bench_token "$slug"
median_curl=(-H "$auth")

# A partial name and a partial e-mail of clients that exist.
name_part=$(psql "$db" -Atc "SELECT left(split_part(full_name, ' ', 2), 6) FROM clients WHERE port_id = '$port_id' ORDER BY id LIMIT 1")
# A short fragment shared by thousands of names: the ranked search's pool
# (migration 0047) keeps it from scoring every match.
broad_part=$(psql "$db" -Atc "SELECT left(split_part(full_name, ' ', 2), 4) FROM clients WHERE port_id = '$port_id' ORDER BY id LIMIT 1")
email_part=$(psql "$db" -Atc "SELECT substr(value, 3, 9) FROM client_contacts WHERE port_id = '$port_id' AND channel = 'email' ORDER BY id LIMIT 1")

list_ms=$(median "$base/api/v1/ports/$slug/clients?limit=50")
name_ms=$(median "$base/api/v1/ports/$slug/clients?limit=50&q=$name_part")
email_ms=$(median "$base/api/v1/ports/$slug/clients?limit=50&q=$email_part")
broad_ms=$(median "$base/api/v1/ports/$slug/clients?limit=50&q=$broad_part")
broad_n=$(psql "$db" -Atc "SELECT count(*) FROM clients WHERE port_id = '$port_id' AND full_name ILIKE '%$broad_part%'")

# The SQL of the list endpoint's first page (bench/clients-list.sql is checked
# against the code by a unit test), with its parameters filled in.
sql="$data/list.sql"
{
  echo "BEGIN;"
  echo "SELECT set_config('role', 'nimara_app', true), set_config('app.port_id', '$port_id', true);"
  sed -e "s/\$1/'$port_id'::uuid/g" -e 's/\$2/51/g' bench/clients-list.sql | tr '\n' ' '
  echo ";"
  echo "COMMIT;"
} > "$sql"

wrk_out=$(wrk -c 8 -t 2 -d 20s -H "$auth" "$base/api/v1/ports/$slug/clients?limit=50")
wrk_rps=$(echo "$wrk_out" | awk '/Requests\/sec/ {print $2}')
pg_out=$(pgbench -n -c 8 -j 2 -T 20 -f "$sql" "$db" 2>&1)
pg_tps=$(echo "$pg_out" | awk '/^tps/ {print $3; exit}')
ratio=$(awk -v a="$wrk_rps" -v b="$pg_tps" 'BEGIN {printf "%.0f", 100 * a / b}')

echo "clients: $(psql "$db" -Atc "SELECT count(*) FROM clients WHERE port_id = '$port_id'"), contacts: $(psql "$db" -Atc "SELECT count(*) FROM client_contacts WHERE port_id = '$port_id'")"
echo "| list page of 50, median of 200 | < 20 ms | $list_ms ms |"
echo "| search by partial name (\`q=$name_part\`), median of 200 | < 20 ms | $name_ms ms |"
echo "| search by a short fragment (\`q=$broad_part\`, $broad_n names contain it), median of 200 | < 20 ms | $broad_ms ms |"
echo "| search by partial e-mail (\`q=$email_part\`), median of 200 | < 20 ms | $email_ms ms |"
echo "| list endpoint, wrk -c 8 -t 2 -d 20s, vs pgbench -c 8 -j 2 -T 20 of its SQL | ≥ 60 % | $wrk_rps req/s vs $pg_tps tps: $ratio % |"
