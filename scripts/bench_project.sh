#!/usr/bin/env bash
# Load bench for projects: two Dovecots capped at 12 IMAP sessions each, N accounts
# (default 200) with 3-5 small messages, one project in release mode. Prints accounts,
# messages, wall time, the busiest moment per server, peak RSS and the RSS samples
# taken every 25 finished accounts (the test itself checks the migration is complete).
# Usage: scripts/bench_project.sh          (N=200)
#        N=1000 scripts/bench_project.sh
set -euo pipefail
cd "$(dirname "$0")/.."

N="${N:-200}"
[ -x /usr/sbin/dovecot ] || { echo "bench_project: FAILED: dovecot is missing: apt-get install -y dovecot-imapd" >&2; exit 1; }

OUT="$(mktemp /tmp/mailshift-bench-project.XXXXXX)"
trap 'rm -f "$OUT"' EXIT
echo "== building and running the load scenario (release, $N accounts)"
if ! MAILSHIFT_LOAD_ACCOUNTS="$N" cargo test --release -q -p mailshift-tasks --test project_load \
    two_hundred_accounts -- --nocapture --test-threads=1 >"$OUT" 2>&1; then
  cat "$OUT" >&2
  echo "bench_project: FAILED (output above)" >&2
  exit 1
fi
grep -E '^(seeded|project:|rss )' "$OUT"
echo "== figures"
sed -n 's/^project: \([0-9]*\) accounts, \([0-9]*\) messages in \([^;]*\);.*/accounts   \1\nmessages   \2\nwall time  \3/p' "$OUT"
sed -n "s/^rss peak \([0-9]*\) KiB (high-water mark \([0-9]*\) KiB).*/peak RSS   \1 KiB sampled every 25 accounts, \2 KiB high-water mark (VmHWM, includes seeding and checking)/p" "$OUT"
