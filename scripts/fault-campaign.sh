#!/usr/bin/env bash
# Runs verso against an S3 server (S3Proxy on 127.0.0.1) through a fault-injecting proxy, and checks
# that nothing is lost and nothing wrong is ever served. Results go to stdout as a table.
#
#   scripts/fault-campaign.sh [--trials N] [--rate R] [--outage-minutes M] [--outage-cache SIZE] [--work DIR]
#
# Proxy trials (N, default 40, split over push, pull, fetch, mount reads and gc --cloud): each command
# runs through scripts/lib/faultproxy.py, which answers a share R (default 0.15) of requests with a
# fault: 500, 503 SlowDown, a reset connection, a truncated body, latency, a slow drip, a changed byte
# in a download or in an upload. A command may fail, but only in one line `verso: ...` with exit 1;
# after it, the data must be whole: `verify --remote` straight against the server passes after every
# push and gc, every pulled file matches what was committed, every byte read through the mount
# matches too (a failed read is allowed, a wrong one is not).
#
# Outage run (M minutes, default 10; 0 to skip): 32 readers (scripts/lib/mount-readers.py) read
# several versions through one mount, straight from the server, while the server is stopped for
# 5-15 s every 30-60 s; every byte is compared. The mount's cache (--outage-cache, default 16M) is
# kept smaller than the versions read, so that reads keep going to the server. The daemon's RSS,
# threads and open files are sampled.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
trials=40 rate=0.15 outage_minutes=10 outage_cache=16M work=""
while [ $# -gt 0 ]; do
  case "$1" in
    --trials) trials=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --outage-minutes) outage_minutes=$2; shift 2 ;;
    --outage-cache) outage_cache=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ -n "$work" ] || work=$(mktemp -d /tmp/verso-faults.XXXXXX)
mkdir -p "$work"
[ -f target/verso.jar ] || ./mvnw -q -B package -DskipTests
verso() { java -jar "$repo/target/verso.jar" "$@"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

s3_port=$(free_port) proxy_port=$(free_port)
pids=()
cleanup() {
  for m in "$work"/mnt*; do [ -d "$m" ] && { verso umount "$m" >/dev/null 2>&1 || fusermount -uz "$m" 2>/dev/null || true; }; done
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -n "${s3_pid:-}" ] && kill "$s3_pid" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT

start_s3() {
  : > "$work/s3.log"
  bash scripts/s3server.sh --port "$s3_port" --dir "$work/s3" --bucket faults \
    --access-key faults-key --secret-key faults-secret >> "$work/s3.log" 2>&1 &
  s3_pid=$!
  for _ in $(seq 1 600); do
    grep -q '^S3 endpoint ' "$work/s3.log" && return 0
    kill -0 "$s3_pid" 2>/dev/null || { tail "$work/s3.log" >&2; exit 1; }
    sleep 0.2
  done
  echo "the S3 server did not start" >&2; exit 1
}
start_s3
python3 scripts/lib/faultproxy.py --listen "$proxy_port" --upstream "$s3_port" --rate "$rate" \
  --seed 1 --stats "$work/proxy-stats.json" > "$work/proxy.log" 2>&1 &
proxy_pid=$!
pids+=("$proxy_pid")
export AWS_ACCESS_KEY_ID=faults-key AWS_SECRET_ACCESS_KEY=faults-secret AWS_REGION=us-east-1
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3
export GIT_AUTHOR_NAME=faults GIT_AUTHOR_EMAIL=f@example.com GIT_COMMITTER_NAME=faults GIT_COMMITTER_EMAIL=f@example.com

# A project with two remotes on one bucket: "proxy" (faults, the default) and "direct" (the truth).
clone() {
  mkdir -p "$1" && (cd "$1" && git init -q && verso init >/dev/null \
    && verso remote add proxy s3://faults/data --endpoint "http://127.0.0.1:$proxy_port" --default >/dev/null \
    && verso remote add direct s3://faults/data --endpoint "http://127.0.0.1:$s3_port" >/dev/null)
}
a=$work/a
clone "$a"
mkdir -p "$work/truth"

# New content for version $1: some small files changed, one large file replaced.
make_version() {
  python3 - "$a/data" "$1" <<'PY'
import os, random, sys
root, n = sys.argv[1], int(sys.argv[2])
r = random.Random(n)
for d in range(4):
    os.makedirs(os.path.join(root, "d%d" % d), exist_ok=True)
for i in range(r.randrange(20, 60)):
    with open(os.path.join(root, "d%d" % r.randrange(4), "f%d.bin" % r.randrange(200)), "wb") as f:
        f.write(os.urandom(r.randrange(1, 64 << 10)))
with open(os.path.join(root, "big.bin"), "wb") as f:
    f.write(os.urandom(r.randrange(5 << 20, 9 << 20)))
PY
}

declare -A tried ok clean bad
for op in push pull fetch mount gc; do tried[$op]=0 ok[$op]=0 clean[$op]=0 bad[$op]=0; done
problems=()
# Classifies a command's outcome: ok, a clean one-line failure, or bad (anything else).
judge() { # op exit errfile
  local op=$1 rc=$2 err=$3
  tried[$op]=$((tried[$op] + 1))
  if [ "$rc" = 0 ]; then ok[$op]=$((ok[$op] + 1)); return 0; fi
  if [ "$rc" = 1 ] && [ "$(grep -c . "$err")" = 1 ] && grep -q '^verso: ' "$err"; then
    clean[$op]=$((clean[$op] + 1)); echo "$op: $(cat "$err")" >> "$work/one-line-failures"; return 1
  fi
  bad[$op]=$((bad[$op] + 1)); problems+=("$op exit $rc: $(head -c 300 "$err" | tr '\n' ' ')"); return 1
}
fail() { # op message
  bad[$1]=$((bad[$1] + 1)); problems+=("$1: $2")
}
verify_direct() { # op
  if ! (cd "$a" && verso verify --remote direct > "$work/verify.out" 2>&1); then
    fail "$1" "verify --remote direct failed: $(grep -m3 -i 'problem\|verso:' "$work/verify.out" | tr '\n' ' ')"
  fi
}
# Until a push through the proxy succeeds (faults are random, each attempt is a trial of its own).
push_until_done() {
  for _ in $(seq 1 10); do
    set +e; (cd "$a" && verso push > /dev/null 2> "$work/err"); rc=$?; set -e
    judge push "$rc" "$work/err" && return 0
  done
  fail push "no push succeeded in 10 attempts"
}

versions=()
new_version() {
  local n=${#versions[@]}
  make_version "$n"
  (cd "$a" && { [ -f data.verso ] || verso add data > /dev/null; } && verso commit -m "v$n" > /dev/null)
  local id
  id=$(cd "$a" && verso log --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
  rm -rf "$work/truth/$id" && cp -r "$a/data" "$work/truth/$id"
  versions+=("$id")
  push_until_done
  verify_direct push
}

compare_tree() { # op dir id
  if ! diff -r "$2" "$work/truth/$3" > /dev/null 2>&1; then fail "$1" "checked-out files differ from version $3"; fi
}

new_version
for t in $(seq 1 "$trials"); do
  op=$(echo "push pull fetch mount gc" | cut -d' ' -f$(( (t - 1) % 5 + 1 )))
  id=${versions[$((RANDOM % ${#versions[@]}))]}
  c=$work/c$t
  case "$op" in
    push) new_version ;;
    pull|fetch)
      clone "$c"
      set +e; (cd "$c" && verso "$op" "$id" > /dev/null 2> "$work/err"); rc=$?; set -e
      if judge "$op" "$rc" "$work/err" && [ "$op" = pull ]; then compare_tree "$op" "$c/data" "$id"; fi
      if ! (cd "$c" && verso verify > "$work/verify.out" 2>&1); then
        fail "$op" "verify in the clone failed after $op: $(head -c 300 "$work/verify.out" | tr '\n' ' ')"
      fi
      rm -rf "$c" ;;
    mount)
      clone "$c"
      m=$work/mnt$t
      set +e; (cd "$c" && verso mount -r proxy "$m" > /dev/null 2> "$work/err"); rc=$?; set -e
      if judge mount "$rc" "$work/err"; then
        (cd "$work/truth/$id" && find . -type f) | sed 's|^\./||' \
          | awk -v m="$m/versions/$id/data" -v t="$work/truth/$id" '{print m "/" $0 "\t" t "/" $0}' > "$work/pairs"
        python3 scripts/lib/mount-readers.py --pairs "$work/pairs" --readers 4 --seconds 8 --report "$work/readers.json" > /dev/null || true
        wrong=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["wrong"])' "$work/readers.json")
        [ "$wrong" = 0 ] || fail mount "$wrong wrong reads through the mount of $id"
        (cd "$c" && verso umount "$m" > /dev/null 2>&1) || fail mount "umount failed"
      fi
      rm -rf "$c" "$m" ;;
    gc)
      # An unreferenced object written two days ago, as an interrupted push of another clone leaves.
      head -c 1000 /dev/urandom > "$work/stray"
      stray=$(sha256sum "$work/stray" | cut -c1-64)
      mkdir -p "$work/s3/faults/data/objects/${stray:0:2}"
      mv "$work/stray" "$work/s3/faults/data/objects/${stray:0:2}/${stray:2}"
      touch -d '2 days ago' "$work/s3/faults/data/objects/${stray:0:2}/${stray:2}"
      set +e; (cd "$a" && verso gc --cloud > /dev/null 2> "$work/err"); rc=$?; set -e
      judge gc "$rc" "$work/err" || true
      verify_direct gc ;;
  esac
done

# A fresh clone pulls every version straight from the server: nothing was lost.
final=$work/final
clone "$final"
for id in "${versions[@]}"; do
  if ! (cd "$final" && verso pull -r direct "$id" > /dev/null 2> "$work/err"); then
    fail pull "final pull of $id failed: $(head -c 300 "$work/err")"
  else
    compare_tree pull "$final/data" "$id"
  fi
done

kill "$proxy_pid"; wait "$proxy_pid" 2>/dev/null || true
echo "## Through the fault proxy (rate $rate, $(date -u +%Y-%m-%d))"
echo
echo "| command | runs | succeeded | failed in one line | bad |"
echo "|---|---|---|---|---|"
for op in push pull fetch mount gc; do
  echo "| $op | ${tried[$op]} | ${ok[$op]} | ${clean[$op]} | ${bad[$op]} |"
done
echo
echo "versions pushed: ${#versions[@]}; injected faults: $(cat "$work/proxy-stats.json" 2>/dev/null || echo '?')"
for p in "${problems[@]}"; do echo "PROBLEM: $p"; done
if [ -s "$work/one-line-failures" ]; then
  echo; echo "one-line failures, by kind (ids and keys blanked):"
  sed -E 's/[0-9a-f]{12,64}/<id>/g; s/[0-9]+ (ms|s)\b/N \1/g' "$work/one-line-failures" | sort | uniq -c | sort -rn | head -15
fi

status=0
[ ${#problems[@]} -eq 0 ] || status=1

if [ "$outage_minutes" != 0 ]; then
  # Several versions through one mount of a clone that has no objects, straight from the server.
  c=$work/outage m=$work/mnt-outage
  clone "$c"
  (cd "$c" && verso mount -r direct --cache-size "$outage_cache" "$m" > /dev/null)
  : > "$work/pairs"
  for id in "${versions[@]}"; do
    (cd "$work/truth/$id" && find . -type f) | sed 's|^\./||' \
      | awk -v m="$m/versions/$id/data" -v t="$work/truth/$id" '{print m "/" $0 "\t" t "/" $0}' >> "$work/pairs"
  done
  daemon=$(cat "$c/.verso/mounts/"*.pid 2>/dev/null | head -1 || true)
  : > "$work/outages" ; : > "$work/samples"
  seconds=$((outage_minutes * 60))
  python3 scripts/lib/mount-readers.py --pairs "$work/pairs" --readers 32 --seconds "$seconds" \
    --outages "$work/outages" --report "$work/outage.json" > /dev/null &
  readers=$!
  end=$(( $(date +%s) + seconds - 20 ))
  while [ "$(date +%s)" -lt "$end" ]; do
    sleep $((30 + RANDOM % 31))
    [ "$(date +%s)" -lt "$end" ] || break
    start=$(date +%s.%N)
    kill "$s3_pid"; wait "$s3_pid" 2>/dev/null || true
    sleep $((5 + RANDOM % 11))
    start_s3
    echo "$start $(date +%s.%N)" >> "$work/outages"
    if [ -n "$daemon" ] && [ -d "/proc/$daemon" ]; then
      echo "$(awk '/VmRSS/{print $2}' "/proc/$daemon/status") $(ls "/proc/$daemon/task" | wc -l) $(ls "/proc/$daemon/fd" | wc -l)" >> "$work/samples"
    fi
  done
  wait "$readers" || true
  (cd "$c" && verso umount "$m" > /dev/null 2>&1) || true
  echo
  echo "## Mount under outages ($outage_minutes min, 32 readers, ${#versions[@]} versions, $(du -sh "$work/truth" | cut -f1) of data, cache $outage_cache)"
  echo
  python3 - "$work/outage.json" "$work/samples" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
rows = [list(map(int, l.split())) for l in open(sys.argv[2]) if l.strip()]
print("reads %d (%.1f GB), wrong %d, failed %d (outside outages + 30 s: %d), outages %d"
      % (r["reads"], r["bytes"] / 1e9, r["wrong"], r["failed"], r["failed_outside_outages"], r["outages"]))
if rows:
    print("daemon after each outage: RSS %d-%d MiB, threads %d-%d, open files %d-%d"
          % (min(x[0] for x in rows) // 1024, max(x[0] for x in rows) // 1024, min(x[1] for x in rows),
             max(x[1] for x in rows), min(x[2] for x in rows), max(x[2] for x in rows)))
for e in r["wrong_examples"]:
    print("WRONG:", e)
sys.exit(1 if r["wrong"] else 0)
PY
  [ $? = 0 ] || status=1
fi
exit $status
