#!/usr/bin/env bash
# Measures, on a release build, `nimara import clients` of a generated CSV of
# 100,000 clients (name, e-mail, phone, company, nationality, yacht with its
# length in feet, source) into an empty port of a fresh embedded database:
# parsing, validation, the duplicate checks and the one-transaction import.
# The time includes starting and stopping the embedded PostgreSQL.
# Usage: bench/import.sh [rows]   (default 100000).
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-100000}
cargo build --release --locked -q
bin=$PWD/target/release/nimara
work=$(mktemp -d /tmp/nimara-bench-import.XXXXXX)
trap 'rm -rf "$work"' EXIT
export NIMARA_DATA_DIR="$work/data" NIMARA_LOG=warn

csv="$work/clients.csv"
awk -v n="$rows" 'BEGIN {
  split("Amelia Henrik Sofia Laurent Camila James Yuki Matteo Olivia Rafael", first, " ");
  split("Hartley Lindqvist Moreau Castellano Whitfield Tanaka Rossi Fairbanks Okafor Brennan", last, " ");
  split("British French Italian Swedish German", nat, " ");
  split("website referral broker manual", src, " ");
  print "Full Name,Email,Phone,Company,Nationality,Yacht,Length (ft),Source";
  for (i = 1; i <= n; i++) {
    printf "%s %s %d,client%d@example.com,+44 7911 %06d,Company %d Ltd,%s,Yacht %d,%d,%s\n",
      first[i % 10 + 1], last[int(i / 10) % 10 + 1], i, i, i, i % 5000, nat[i % 5 + 1], i, 30 + i % 120, src[i % 4 + 1];
  }
}' > "$csv"
echo "generated $(($(wc -l < "$csv") - 1)) rows, $(du -h "$csv" | cut -f1)"

# Not measured: the embedded cluster's first start (initdb, migrations) and the port.
"$bin" port create --name "Bench Import" --slug bench-import > /dev/null

start=$(date +%s%N)
"$bin" import clients "$csv" --port bench-import
end=$(date +%s%N)
echo "nimara import clients, $rows rows: $(( (end - start) / 1000000 )) ms"
