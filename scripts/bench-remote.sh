#!/usr/bin/env bash
# Benchmarks verso's transfers against a local S3 server, with the comparison measured in the same run:
#   - push and fetch of one large file vs `aws s3 cp` up and down (same server, same file)
#   - many small files: first push, fetch into an empty clone (with the requests each made: small files
#     travel in packs), and a second push of the unchanged version (one listing of versions/)
# Everything talks to 127.0.0.1 only. Writes a markdown section to stdout and to --out.
# Run it a few minutes after any large deletion on the same filesystem (see the note at the clones).
#
#   scripts/bench-remote.sh [--size-mib N] [--files N] [--runs N] [--port N] [--work-dir DIR]
#                           [--only large|small] [--keep] [--out FILE]
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib/bench-common.sh
. "$ROOT/scripts/lib/bench-common.sh"

SIZE_MIB=1024
FILES=20000
DIRS=200
RUNS=3
PORT=18941
WORK=
ONLY=
KEEP=0
OUT="$ROOT/docs/benchmarks-remote-latest.md"
ARGS=$(printf '%q ' "$@"); ARGS=${ARGS% }

usage() {
  sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
  cat <<'EOF'

  --size-mib N    size of the large file in MiB (default 1024)
  --files N       files in the unchanged version (default 20000, in 200 folders, 1-8 KiB each)
  --runs N        runs per figure; the median is reported (default 3)
  --port N        S3 server port on 127.0.0.1 (default 18941; must be free)
  --work-dir DIR  where to put data and logs (default: a new directory under /var/tmp)
  --only PART     run one part only: large (the large file) or small (the many small files)
  --keep          keep the work directory
  --out FILE      also write the report here (default docs/benchmarks-remote-latest.md)
EOF
}

while [ $# -gt 0 ]; do
  case "$1" in
    --size-mib) SIZE_MIB=$2; shift 2 ;;
    --files) FILES=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --port) PORT=$2; shift 2 ;;
    --work-dir) WORK=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$SIZE_MIB" =~ ^[0-9]+$ && "$SIZE_MIB" -ge 1 ]] || { echo "--size-mib must be a positive integer" >&2; exit 2; }
[[ "$FILES" =~ ^[0-9]+$ && "$FILES" -ge "$DIRS" ]] || { echo "--files must be an integer >= $DIRS" >&2; exit 2; }
[[ "$RUNS" =~ ^[0-9]+$ && "$RUNS" -ge 1 ]] || { echo "--runs must be a positive integer" >&2; exit 2; }
[[ -z "$ONLY" || "$ONLY" = large || "$ONLY" = small ]] || { echo "--only must be large or small" >&2; exit 2; }

missing=$(missing_packages java:openjdk-17-jdk-headless curl:curl aws:awscli python3:python3 ss:iproute2)
[ -z "$missing" ] || bench_die "missing tools; install them with: apt-get install -y $missing"
port_is_free "$PORT" || bench_die "port $PORT on 127.0.0.1 is in use; pick another with --port"

JAR="$ROOT/target/tools/s3proxy-2.6.0-jar-with-dependencies.jar"
if [ ! -f "$JAR" ]; then
  bench_log "fetching S3Proxy 2.6.0 into target/tools"
  (cd "$ROOT" && ./mvnw -q -B dependency:copy \
    -Dartifact=org.gaul:s3proxy:2.6.0:jar:jar-with-dependencies -DoutputDirectory=target/tools) \
    || bench_die "could not fetch S3Proxy with ./mvnw"
fi
VJAR="$ROOT/target/verso.jar"
if [ ! -f "$VJAR" ] || [ -n "$(find "$ROOT/src/main" "$ROOT/pom.xml" -newer "$VJAR" -type f 2>/dev/null | head -n 1)" ]; then
  bench_log "building target/verso.jar"
  (cd "$ROOT" && ./mvnw -q -B package -DskipTests) >&2 || bench_die "the build failed; run ./mvnw package"
fi
V=${VERSO_CLI:-$ROOT/scripts/verso}

bench_workdir verso-bench-remote

# Loopback, plain HTTP, no proxies or CA bundle; checksums only when required (S3Proxy 2.6.0
# rejects the checksum headers that new AWS CLIs send by default).
unset AWS_CA_BUNDLE AWS_PROFILE AWS_SESSION_TOKEN http_proxy https_proxy HTTP_PROXY HTTPS_PROXY
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
S3KEY=verso-bench S3SECRET=verso-bench-secret-key
E=http://127.0.0.1:$PORT
export AWS_ACCESS_KEY_ID=$S3KEY AWS_SECRET_ACCESS_KEY=$S3SECRET AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_REQUEST_CHECKSUM_CALCULATION=when_required AWS_RESPONSE_CHECKSUM_VALIDATION=when_required
export AWS_ENDPOINT_URL=$E
T=${BENCH_CMD_TIMEOUT:-900}
declare -A RES

# ---- data -----------------------------------------------------------------------------------
BIG=$WORK/big; TREE=$WORK/tree
mkdir -p "$BIG" "$TREE"
BYTES=$((SIZE_MIB * 1048576))
large() { [ "$ONLY" != small ]; }
small() { [ "$ONLY" != large ]; }
if large; then
  bench_log "generating a $SIZE_MIB MiB file"
  head -c "$BYTES" /dev/urandom > "$BIG/big.bin"
fi
small && bench_log "generating $FILES small files" && python3 - "$TREE/data" "$FILES" "$DIRS" <<'EOF'
import os, random, sys
root, files, dirs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(4)
for i in range(files):
    d = os.path.join(root, "d%03d" % (i % dirs))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "f%05d.bin" % i), "wb") as f:
        f.write(rng.randbytes(rng.randint(1024, 8192)))
EOF

bench_log "starting S3Proxy on $E"
s3proxy_start "$JAR" "$WORK/s3proxy" "$PORT" "$S3KEY" "$S3SECRET"
aws s3 mb s3://bench >> "$LOGS/aws.log" 2>&1 || bench_die "cannot create the bucket (see $LOGS/aws.log)"

vso() { (cd "$1" && shift && timeout "$T" "$V" "$@"); }

# timed_requests KEY DIR ARGS...: the time of `verso --verbose ARGS` in DIR into RES[KEY], the requests it
# made to the remote (its --verbose summary line) into RES[KEY.requests].
timed_requests() {
  local key=$1 dir=$2 out t0 t1
  shift 2
  out=$LOGS/$key.out
  t0=$(now_ns)
  if ! (cd "$dir" && timeout "$T" "$V" --verbose "$@") > "$out" 2>> "$BENCH_ERRLOG"; then
    RES[$key]=fail; return 1
  fi
  t1=$(now_ns)
  RES[$key]=$(secs_between "$t0" "$t1")
  RES[$key.requests]=$(sed -n 's/^requests to [^ ]*: \([0-9]*\) requests.*/\1/p' "$out" | tail -n 1)
}

# ---- 1 GiB: aws s3 cp up and down ------------------------------------------------------------
if large; then
aws_up() { timeout "$T" aws s3 cp --only-show-errors "$BIG/big.bin" "s3://bench/plain/big-$1.bin"; }
aws_down() { rm -f "$WORK/down.bin"; timeout "$T" aws s3 cp --only-show-errors "s3://bench/plain/big-1.bin" "$WORK/down.bin"; }
up=(); down=()
for i in $(seq 1 "$RUNS"); do
  bench_log "aws s3 cp up, run $i"; up+=("$(time_cmd aws_up "$i")")
  bench_log "aws s3 cp down, run $i"; down+=("$(time_cmd aws_down)")
done
cmp -s "$BIG/big.bin" "$WORK/down.bin" || bench_die "aws s3 cp downloaded different bytes"
rm -f "$WORK/down.bin"
RES[aws.up]=$(median "${up[@]}"); RES[aws.up.runs]="${up[*]}"
RES[aws.down]=$(median "${down[@]}"); RES[aws.down.runs]="${down[*]}"

# ---- 1 GiB: verso push (each run to a new prefix) and fetch (each run into a new clone) -----
vso "$BIG" init > /dev/null || bench_die "verso init failed"
add_t=$(time_cmd vso "$BIG" add big.bin) || bench_die "verso add failed (see $BENCH_ERRLOG)"
vso "$BIG" commit -m big > /dev/null || bench_die "verso commit failed"
ID=$(vso "$BIG" log --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
push=(); fetch=()
for i in $(seq 1 "$RUNS"); do
  vso "$BIG" remote add "r$i" "s3://bench/verso-$i" > /dev/null
  bench_log "verso push, run $i"; push+=("$(time_cmd vso "$BIG" push -r "r$i")")
  c=$WORK/clone-$i; mkdir -p "$c"
  vso "$c" init > /dev/null && vso "$c" remote add r "s3://bench/verso-1" --default > /dev/null
  bench_log "verso fetch, run $i"; fetch+=("$(time_cmd vso "$c" fetch "$ID")")
done
vso "$WORK/clone-1" checkout "$ID" > /dev/null && cmp -s "$BIG/big.bin" "$WORK/clone-1/big.bin" \
  || bench_die "verso fetch + checkout gave different bytes"
rm -rf "$WORK"/clone-*
RES[verso.push]=$(median "${push[@]}"); RES[verso.push.runs]="${push[*]}"
RES[verso.fetch]=$(median "${fetch[@]}"); RES[verso.fetch.runs]="${fetch[*]}"
fi

# ---- many small files: first push (each run to a new prefix), fetch (each run into a new clone),
# ---- then pushes with nothing new
if small; then
vso "$TREE" init > /dev/null || bench_die "verso init of the tree failed"
RES[tree.add]=$(time_cmd vso "$TREE" add data) || bench_die "verso add of the tree failed"
vso "$TREE" commit -m tree > /dev/null || bench_die "verso commit of the tree failed"
TID=$(vso "$TREE" log --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
first=(); tfetch=()
for i in $(seq 1 "$RUNS"); do
  vso "$TREE" remote add "t$i" "s3://bench/tree-$i" > /dev/null
  bench_log "verso push of $FILES files (first), run $i"
  sync  # each timed command starts without the previous step's writes still going to disk
  timed_requests "tree.first.$i" "$TREE" push -r "t$i" || bench_die "first push of the tree failed (see $BENCH_ERRLOG)"
  first+=("${RES[tree.first.$i]}")
  c=$WORK/tree-clone-$i; mkdir -p "$c"
  vso "$c" init > /dev/null && vso "$c" remote add r "s3://bench/tree-$i" --default > /dev/null
  bench_log "verso fetch of $FILES files into an empty clone, run $i"
  sync
  timed_requests "tree.fetch.$i" "$c" fetch "$TID" || bench_die "fetch of the tree failed (see $BENCH_ERRLOG)"
  tfetch+=("${RES[tree.fetch.$i]}")
  vso "$c" checkout "$TID" > /dev/null && diff -r -q "$TREE/data" "$c/data" > /dev/null \
    || bench_die "verso fetch + checkout of the tree gave different files"
done
# Clones are deleted only now: ext4 skips inodes freed in the last minutes when it allocates new
# ones, so creating 20,000 files right after deleting 40,000 is several times slower (measured:
# fetch 2.0-3.1 s, 6.2-6.5 s after such a deletion, nearly all of it the kernel's inode search).
rm -rf "$WORK"/tree-clone-*
RES[tree.first]=$(median "${first[@]}"); RES[tree.first.runs]="${first[*]}"
RES[tree.first.requests]=${RES[tree.first.1.requests]}
RES[tree.fetch]=$(median "${tfetch[@]}"); RES[tree.fetch.runs]="${tfetch[*]}"
RES[tree.fetch.requests]=${RES[tree.fetch.1.requests]}
again=()
for i in $(seq 1 "$RUNS"); do
  bench_log "verso push, unchanged, run $i"; again+=("$(time_cmd vso "$TREE" push -r t1)")
done
RES[tree.again]=$(median "${again[@]}"); RES[tree.again.runs]="${again[*]}"
fi
RES[version]=$("$V" --version 2>&1 | head -n 1)

# ---- report ---------------------------------------------------------------------------------
v() { echo "${RES[$1]:-n/a}"; }
# throughput ratio of verso to aws: aws time / verso time
report() {
  local cpu
  cpu=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)
  echo "## Remote transfers (\`scripts/bench-remote.sh${ARGS:+ $ARGS}\`)"
  echo
  echo "Run on $(date -u +%Y-%m-%dT%H:%M:%SZ). Median of $RUNS runs (runs in brackets), wall time of the"
  echo "whole command including JVM or Python start; MB/s = 10^6 bytes/s. No cache dropping: the file is"
  echo "in the page cache for every tool alike."
  echo
  echo "- Machine: $cpu, \`nproc\` = $(nproc), $(free -g | awk '/^Mem:/ { print $2 " GiB" }') RAM, $(uname -sr)"
  echo "- Load at report time: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- S3 server: S3Proxy 2.6.0 standalone (jclouds filesystem) on 127.0.0.1; disk: $(df -h --output=fstype "$WORK" | tail -n 1 | tr -d ' ')"
  echo "- $(v version); $(java -version 2>&1 | head -n 1); aws: $(aws --version 2>&1 | cut -d' ' -f1)"
  echo
  if large; then
  table_row "operation ($SIZE_MIB MiB file)" "aws s3 cp (s)" "verso (s)" "aws MB/s" "verso MB/s" "verso / aws throughput"
  table_row "---" "---:" "---:" "---:" "---:" "---:"
  table_row "upload (\`verso push\`)" "$(v aws.up) [$(v aws.up.runs)]" "$(v verso.push) [$(v verso.push.runs)]" \
    "$(mbps "$BYTES" "$(v aws.up)")" "$(mbps "$BYTES" "$(v verso.push)")" "$(ratio "$(v aws.up)" "$(v verso.push)")"
  table_row "download (\`verso fetch\`, fresh clone)" "$(v aws.down) [$(v aws.down.runs)]" "$(v verso.fetch) [$(v verso.fetch.runs)]" \
    "$(mbps "$BYTES" "$(v aws.down)")" "$(mbps "$BYTES" "$(v verso.fetch)")" "$(ratio "$(v aws.down)" "$(v verso.fetch)")"
  echo
  echo "verso add of the large file took $add_t s (hashing into the cache; not part of the comparison)."
  echo
  fi
  small || return 0
  echo "A version of $FILES files (1–8 KiB, $DIRS folders; \`verso add\` $(v tree.add) s):"
  echo
  table_row "operation" "time (s)" "requests" "target"
  table_row "---" "---:" "---:" "---"
  table_row "first \`verso push\`" "$(v tree.first) [$(v tree.first.runs)]" "$(v tree.first.requests)" "≤ 3 s: $(verdict "$(v tree.first)" 3 "<=")"
  table_row "\`verso fetch\` into an empty clone" "$(v tree.fetch) [$(v tree.fetch.runs)]" "$(v tree.fetch.requests)" "≤ 3 s: $(verdict "$(v tree.fetch)" 3 "<=")"
  table_row "second \`verso push\`, nothing new" "$(v tree.again) [$(v tree.again.runs)]" "" "< 3 s (one listing of \`versions/\`)"
}
mkdir -p "$(dirname "$OUT")"
report | tee "$OUT"
