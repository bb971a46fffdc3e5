#!/usr/bin/env bash
# Benchmark: seed N messages on a source Dovecot, then copy them to an empty user on a
# destination Dovecot with (a) `mailshift migrate` and (b) `mbsync`; print wall time,
# peak RSS and the ratio, and verify each destination against the source snapshot digest.
# Usage: scripts/bench.sh            (N=2000)
#        N=20000 SEED=7 CONNECTIONS=4 scripts/bench.sh
#        SKIP_MBSYNC=1 N=20000 scripts/bench.sh   (mailshift only)
set -euo pipefail
cd "$(dirname "$0")/.."

N="${N:-2000}"
SEED="${SEED:-1}"
CONNECTIONS="${CONNECTIONS:-4}"
TARGET="${CARGO_TARGET_DIR:-$PWD/target}/release"

die() { echo "bench: FAILED: $*" >&2; exit 1; }
step() { echo "== $*"; }

[ -x /usr/sbin/dovecot ] || die "dovecot is missing: apt-get install -y dovecot-imapd"
command -v mbsync >/dev/null || die "mbsync is missing: apt-get install -y isync"
if [ ! -x /usr/bin/time ]; then
  step "installing GNU time"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null; } \
    || die "/usr/bin/time is missing: apt-get install -y time"
fi

step "building mailshift-testkit (release)"
cargo build --release -q -p mailshift-testkit || die "cargo build -p mailshift-testkit"
TK="$TARGET/mailshift-testkit"
step "building mailshift (release)"
MAILSHIFT_OK=1
if ! cargo build --release -q -p mailshift; then
  echo "bench: mailshift does not build; only mbsync will be measured" >&2
  MAILSHIFT_OK=0
fi
MS="$TARGET/mailshift"

WORK="$(mktemp -d /tmp/mailshift-bench.XXXXXX)"
chmod 755 "$WORK"
PIDS=()
cleanup() {
  for fd in "${HOLD_FDS[@]:-}"; do [ -n "$fd" ] && exec {fd}>&- 2>/dev/null || true; done
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && wait "$pid" 2>/dev/null || true; done
  if [ "${KEEP:-0}" = 1 ]; then echo "bench: kept $WORK"; else rm -rf "$WORK"; fi
}
HOLD_FDS=()
trap cleanup EXIT

pw() { head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 16; }
export SRC_PW DST_MS_PW DST_MB_PW
SRC_PW="$(pw)"; DST_MS_PW="$(pw)"; DST_MB_PW="$(pw)"

# start_dovecot NAME USER:PASS... -> sets PORT; stays up while the hold fifo is open
start_dovecot() {
  local name="$1"; shift
  local args=()
  for u in "$@"; do args+=(--user "$u"); done
  mkfifo "$WORK/$name.hold"
  local fd
  exec {fd}<>"$WORK/$name.hold"
  HOLD_FDS+=("$fd")
  "$TK" dovecot --dir "$WORK/$name" "${args[@]}" <"$WORK/$name.hold" >"$WORK/$name.out" 2>&1 &
  PIDS+=("$!")
  for _ in $(seq 1 150); do
    grep -q '^ready' "$WORK/$name.out" 2>/dev/null && break
    kill -0 "$!" 2>/dev/null || { cat "$WORK/$name.out" >&2; die "Dovecot $name did not start"; }
    sleep 0.2
  done
  grep -q '^ready' "$WORK/$name.out" || die "Dovecot $name not ready after 30 s"
  PORT="$(sed -n 's/^port=//p' "$WORK/$name.out")"
}

step "starting Dovecot servers"
start_dovecot src "src:$SRC_PW"; SRC_PORT="$PORT"
start_dovecot dst "ms:$DST_MS_PW" "mb:$DST_MB_PW"; DST_PORT="$PORT"
echo "source 127.0.0.1:$SRC_PORT  destination 127.0.0.1:$DST_PORT  work dir $WORK"

step "seeding $N messages (seed $SEED)"
/usr/bin/time -f '%e' -o "$WORK/seed.time" \
  "$TK" seed --port "$SRC_PORT" --user src --password-env SRC_PW --bulk "$N" --seed "$SEED" \
  | tail -n 1 || die "seeding"
echo "seeded in $(cat "$WORK/seed.time") s"

snapshot() { # PORT USER PWVAR OUTFILE [extra args]
  local port="$1" user="$2" var="$3" out="$4"; shift 4
  "$TK" snapshot --port "$port" --user "$user" --password-env "$var" "$@" >"$out" || die "snapshot of $user"
}
digest() { sed -n "s/^$1=//p" "$2"; }
snapshot "$SRC_PORT" src SRC_PW "$WORK/src.snap"
SRC_CONTENT="$(digest content_digest "$WORK/src.snap")"
SRC_FULL="$(digest system_flags_digest "$WORK/src.snap")"
grep -E '^(folder|messages)' "$WORK/src.snap"

# mbsync adds an X-TUID header to every message it copies: leave it out of the comparison.
verify() { # USER PWVAR [extra snapshot args] -> prints verdict, returns 1 on content mismatch
  local user="$1" var="$2"; shift 2
  snapshot "$DST_PORT" "$user" "$var" "$WORK/$user.snap" "$@"
  set -- "$user"
  local content full
  content="$(digest content_digest "$WORK/$1.snap")"
  full="$(digest system_flags_digest "$WORK/$1.snap")"
  if [ "$content" != "$SRC_CONTENT" ]; then
    echo "content=MISMATCH ($(grep '^messages=' "$WORK/$1.snap"); KEEP=1 to keep $WORK/$1.snap)"
    return 1
  fi
  if [ "$full" = "$SRC_FULL" ]; then echo "content=OK flags+dates=OK"; else echo "content=OK flags+dates=DIFFER"; fi
}

FAILED=0
MS_RESULT="not run"
if [ "$MAILSHIFT_OK" = 1 ]; then
  step "mailshift migrate ($CONNECTIONS connections)"
  mkdir -p "$WORK/mshome"
  if MAILSHIFT_HOME="$WORK/mshome" MAILSHIFT_SRC_PASSWORD="$SRC_PW" MAILSHIFT_DST_PASSWORD="$DST_MS_PW" \
     /usr/bin/time -f '%e %M' -o "$WORK/ms.time" "$MS" migrate \
       --src-host 127.0.0.1 --src-port "$SRC_PORT" --src-user src --src-security none \
       --dst-host 127.0.0.1 --dst-port "$DST_PORT" --dst-user ms --dst-security none \
       --connections "$CONNECTIONS" ${MS_ARGS:-} >"$WORK/ms.log" 2>&1; then
    MS_RESULT="$(verify ms DST_MS_PW)" || FAILED=1
    grep -E '^(Duration|Verification) ' "$WORK/ms.log" | sed 's/^/mailshift: /' || true
  else
    echo "bench: mailshift migrate failed; last lines of its output:" >&2
    tail -n 20 "$WORK/ms.log" >&2
    MS_RESULT="migrate FAILED"; FAILED=1
  fi
else
  FAILED=1
fi

MB_RESULT="skipped (SKIP_MBSYNC=1)"
if [ "${SKIP_MBSYNC:-0}" != 1 ]; then
step "mbsync"
mkdir -p "$WORK/mbsync-state"
cat >"$WORK/mbsyncrc" <<RC
IMAPAccount src
Host 127.0.0.1
Port $SRC_PORT
User src
PassCmd "printenv SRC_PW"
SSLType None
AuthMechs LOGIN

IMAPStore src
Account src

IMAPAccount dst
Host 127.0.0.1
Port $DST_PORT
User mb
PassCmd "printenv DST_MB_PW"
SSLType None
AuthMechs LOGIN

IMAPStore dst
Account dst

Channel bench
Far :src:
Near :dst:
Patterns *
Create Near
Sync Pull
Expunge None
CopyArrivalDate yes
SyncState $WORK/mbsync-state/
RC
if /usr/bin/time -f '%e %M' -o "$WORK/mb.time" mbsync -q -c "$WORK/mbsyncrc" bench >"$WORK/mb.log" 2>&1; then
  MB_RESULT="$(verify mb DST_MB_PW --ignore-header X-TUID)" || FAILED=1
else
  echo "bench: mbsync failed; last lines of its output:" >&2
  tail -n 20 "$WORK/mb.log" >&2
  MB_RESULT="mbsync FAILED"; FAILED=1
fi
fi

field() { [ -f "$1" ] && awk -v i="$2" 'END { print $i }' "$1" || echo "-"; }
echo
echo "== results: $N messages, $(sed -n 's/^messages=[0-9]* bytes=//p' "$WORK/src.snap") bytes"
printf '%-10s %10s %14s  %s\n' tool wall_s peak_rss_kb verification
printf '%-10s %10s %14s  %s\n' mailshift "$(field "$WORK/ms.time" 1)" "$(field "$WORK/ms.time" 2)" "$MS_RESULT"
printf '%-10s %10s %14s  %s\n' mbsync "$(field "$WORK/mb.time" 1)" "$(field "$WORK/mb.time" 2)" "$MB_RESULT"
if [ -f "$WORK/ms.time" ] && [ -f "$WORK/mb.time" ]; then
  awk -v a="$(field "$WORK/ms.time" 1)" -v b="$(field "$WORK/mb.time" 1)" \
      -v c="$(field "$WORK/ms.time" 2)" -v d="$(field "$WORK/mb.time" 2)" \
      'BEGIN { if (b > 0) printf "ratio mailshift/mbsync: wall %.2fx", a / b;
               if (d > 0) printf ", peak RSS %.2fx", c / d; print "" }'
fi
[ "$FAILED" = 0 ] || die "see the messages above"
echo "bench: OK"
