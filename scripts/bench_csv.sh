#!/usr/bin/env bash
# Timing of project CSV validation: generates files of 20 000 and 100 000 valid rows
# (or the sizes in SIZES) and times `mailshift project import FILE --check` on each.
# Nothing is asserted: validation is linear in the file's size, this shows the figures.
# Usage: scripts/bench_csv.sh                       (release build, 20000 and 100000 rows)
#        SIZES="5000 50000" scripts/bench_csv.sh
#        MAILSHIFT_BIN=target/debug/mailshift scripts/bench_csv.sh   (an existing binary)
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES="${SIZES:-20000 100000}"
BIN="${MAILSHIFT_BIN:-}"
if [ -z "$BIN" ]; then
  echo "== building mailshift (release)"
  cargo build --release -q --bin mailshift
  BIN="${CARGO_TARGET_DIR:-target}/release/mailshift"
fi
WORK="$(mktemp -d /tmp/mailshift-bench-csv.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

header="src_type,src_host,src_port,src_security,src_login,src_password,dst_type,dst_host,dst_port,dst_security,dst_login,dst_password,options,notify"
echo "== rows, wall time, peak RSS ($BIN)"
for n in $SIZES; do
  csv="$WORK/p$n.csv"
  {
    echo "$header"
    awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++)
      printf "exchange,ex.old.example.net,,tls,user%d@example.com,pw-src-%d,emailpro,pro%d.mail.example.net,%d,starttls,user%d@example.com,pw-dst-%d,emails,\n",
        i, i, i % 3, 1000 + i % 60000, i, i }'
  } >"$csv"
  start=$(date +%s%N)
  /usr/bin/time -f "%M" -o "$WORK/rss" env MAILSHIFT_HOME="$WORK/home" "$BIN" project import "$csv" --check 2>/dev/null
  end=$(date +%s%N)
  ms=$(( (end - start) / 1000000 ))
  printf "%7d rows  %4d.%03d s  %6d KiB\n" "$n" $((ms / 1000)) $((ms % 1000)) "$(cat "$WORK/rss")"
done
