# shellcheck shell=bash
# shellcheck disable=SC2034 # the globals set here are read by the scripts that source it
# What the release benchmarks (board.sh, map.sh, clients.sh) share: building
# the release binary, a server on a fresh data folder, the database it uses, a
# signed-in super admin, and the median of 200 timed requests. Sourced from
# the repository's root, after `set -euo pipefail`; the functions set the
# globals named beside them.

# Builds the release binary: sets `bin`.
bench_build() {
  SQLX_OFFLINE=${SQLX_OFFLINE:-true} cargo build --release -q -p nimara
  bin=target/release/nimara
}

# bench_serve HTTP-PORT: starts `$bin serve` on 127.0.0.1:HTTP-PORT with a
# fresh data folder (BENCH_DATABASE_URL, when set, as its database) and waits
# until it is ready; sets `base`, `data` and `pid`. On exit the server is
# stopped and the folder removed.
bench_serve() {
  base="http://127.0.0.1:$1"
  data=$(mktemp -d /tmp/nimara-bench.XXXXXX)
  touch "$data/.start"
  export NIMARA_DATA_DIR="$data" NIMARA_HTTP_ADDR="127.0.0.1:$1" NIMARA_LOG=warn
  if [ -n "${BENCH_DATABASE_URL:-}" ]; then
    export NIMARA_DATABASE_URL="$BENCH_DATABASE_URL"
  fi
  "$bin" serve & pid=$!
  trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$data"' EXIT
  until curl -fs "$base/readyz" >/dev/null; do sleep 0.1; done
}

# The database the server uses, for psql and pgbench: sets `db`.
bench_db() {
  if [ -n "${BENCH_DATABASE_URL:-}" ]; then
    db="$BENCH_DATABASE_URL"
  else
    local sock
    sock=$(dirname "$(find "$data" /tmp -maxdepth 3 -name '.s.PGSQL.*' -newer "$data/.start" 2>/dev/null | head -1)")
    db="postgresql://nimara@localhost/nimara?host=$sock"
  fi
}

# A new super admin signed in: its session cookie in `jar`.
bench_sign_in() {
  local email password
  email="bench.$(date +%s)@example.test"
  password="bench-password-$(date +%s)"
  echo "$password" | "$bin" user create --email "$email" --name Bench --password-stdin --super-admin >/dev/null
  jar="$data/cookies"
  curl -fs -c "$jar" -H 'content-type: application/json' \
    -d "{\"email\":\"$email\",\"password\":\"$password\"}" "$base/api/v1/auth/login" >/dev/null
}

# bench_token PORT-SLUG: an API token of the signed-in user for that port, as
# the header `auth`.
bench_token() {
  local token
  token=$(curl -fs -b "$jar" -H 'content-type: application/json' \
    -d "{\"name\":\"bench\",\"port\":\"$1\"}" "$base/api/v1/me/tokens" | sed -E 's/.*"token":"([^"]+)".*/\1/')
  auth="Authorization: Bearer $token"
}

# The curl options of each of median's requests (a token, a cookie jar…).
median_curl=()

median() { # URL → median ms of 200 requests on one kept-alive connection, each with the curl options of the array `median_curl`
  local cfg="$data/urls" i
  : > "$cfg"
  for i in $(seq 200); do echo "url = \"$1\"" >> "$cfg"; echo "output = /dev/null" >> "$cfg"; done
  curl -s "${median_curl[@]}" -K "$cfg" -w '%{time_total}\n' | sort -n | sed -n '100p' | awk '{printf "%.1f", $1 * 1000}'
}
