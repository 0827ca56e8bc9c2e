#!/usr/bin/env bash
# Benchmarks verso's FUSE mount in one run, on the same data, on this machine, all on 127.0.0.1:
# against the limits (8 parallel ranged curl GETs from the S3 server, the local file, bindfs) and
# against the peers a user would pick instead (restic mount, s3fs, rclone mount).
# Method: docs/benchmarks-method.md. Writes a markdown report to stdout and to --out.
#
#   sudo scripts/bench-mount.sh [--size-mib N] [--files N] [--runs N] [--skip-peers] [--keep]
#                               [--out FILE] [--port N] [--work-dir DIR] [--verso-cache-size SIZE]
#                               [--ls-peers "verso verso-project restic bindfs local s3fs rclone"]
#                               [--disk-cache-mib N] [--skip-disk-cache] [--cases "1 3 4 6 7"]
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib/bench-common.sh
. "$ROOT/scripts/lib/bench-common.sh"

SIZE_MIB=1024
FILES=20000
DIRS=200
RUNS=3
SKIP_PEERS=0
KEEP=0
OUT="$ROOT/docs/benchmarks-mount-latest.md"
PORT=18931
WORK=
VERSO_CACHE_SIZE=
LS_TOOLS="verso verso-project restic bindfs local s3fs rclone"
DC_MIB=2048
SKIP_DC=0
CASES="1 3 4 6 7"
ARGS=$(printf '%q ' "$@"); ARGS=${ARGS% }

usage() {
  sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
  cat <<'EOF'

  --size-mib N        size of the big file in MiB (default 1024); the 4 parallel files are N/4 each
  --files N           files in the small-file tree (default 20000, in 200 folders, 1-8 KiB each)
  --runs N            runs per figure, the median is reported (default 3)
  --skip-peers        measure only verso, the limits, bindfs and the local file
  --keep              keep the work directory (data, logs) instead of deleting it
  --out FILE          also write the report here (default docs/benchmarks-mount-latest.md)
  --port N            S3 server port on 127.0.0.1 (default 18931; must be free)
  --work-dir DIR      where to put data and logs (default: a new directory under /var/tmp)
  --verso-cache-size SIZE   passed to `verso mount --cache-size` (default: verso's own, 512M)
  --disk-cache-mib N  data of the disk-cache case, in 8 files (default 2048: 8 x 256 MiB)
  --skip-disk-cache   do not run the disk-cache case (6)
  --cases "LIST"      the cases to run (default: 1 3 4 6 7; case 2 comes with 1, case 5 with 1 and 3);
                      e.g. --cases 6 --skip-peers --runs 1 sets up only what case 6 needs
  --ls-peers "LIST"   readers measured in the ls case (default: verso verso-project restic bindfs local s3fs rclone;
                      verso-project mounts the project that pushed, whose cache holds the trees)
Needs root: it drops the page cache and mounts FUSE filesystems.
EOF
}

while [ $# -gt 0 ]; do
  case "$1" in
    --size-mib) SIZE_MIB=$2; shift 2 ;;
    --files) FILES=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --skip-peers) SKIP_PEERS=1; shift ;;
    --keep) KEEP=1; shift ;;
    --out) OUT=$2; shift 2 ;;
    --port) PORT=$2; shift 2 ;;
    --work-dir) WORK=$2; shift 2 ;;
    --verso-cache-size) VERSO_CACHE_SIZE=$2; shift 2 ;;
    --ls-peers) LS_TOOLS=$2; shift 2 ;;
    --disk-cache-mib) DC_MIB=$2; shift 2 ;;
    --skip-disk-cache) SKIP_DC=1; shift ;;
    --cases) CASES=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$SIZE_MIB" =~ ^[0-9]+$ && "$SIZE_MIB" -ge 4 ]] || { echo "--size-mib must be an integer >= 4" >&2; exit 2; }
[[ "$FILES" =~ ^[0-9]+$ && "$FILES" -ge "$DIRS" ]] || { echo "--files must be an integer >= $DIRS" >&2; exit 2; }
[[ "$RUNS" =~ ^[0-9]+$ && "$RUNS" -ge 1 ]] || { echo "--runs must be a positive integer" >&2; exit 2; }
for c in $CASES; do [[ "$c" =~ ^[13467]$ ]] || { echo "--cases takes case numbers among 1 3 4 6 7, not '$c'" >&2; exit 2; }; done
[ "$SKIP_DC" = 1 ] && CASES=$(echo " $CASES " | sed 's/ 6 / /g')
want() { local c; for c in "$@"; do [[ " $CASES " == *" $c "* ]] && return 0; done; return 1; }  # want N... — any of these cases runs

# ---- preconditions --------------------------------------------------------------------------
if [ "$(id -u)" != 0 ]; then
  echo "bench-mount needs root: it drops the page cache (/proc/sys/vm/drop_caches) and mounts" >&2
  echo "FUSE filesystems. Run it as: sudo $0 $ARGS" >&2
  exit 1
fi
missing=$(missing_packages java:openjdk-17-jdk-headless curl:curl aws:awscli python3:python3 \
  fusermount:fuse3 mountpoint:util-linux ss:iproute2 sha256sum:coreutils)
[ -z "$missing" ] || bench_die "missing tools; install them with: apt-get install -y $missing"
[ -e /dev/fuse ] || bench_die "/dev/fuse is missing (in a container: --device /dev/fuse --cap-add SYS_ADMIN)"
ALL_PEERS="restic s3fs rclone"
declare -A HAVE NOTE
for t in bindfs restic s3fs rclone; do
  m=$(missing_packages "$t:$t")
  if [ -z "$m" ]; then HAVE[$t]=1; else HAVE[$t]=0; NOTE[$t]="not installed (apt-get install -y $m)"; fi
done
if [ "$SKIP_PEERS" = 1 ]; then
  for t in $ALL_PEERS; do HAVE[$t]=0; NOTE[$t]="skipped (--skip-peers)"; done
fi
port_is_free "$PORT" || bench_die "port $PORT on 127.0.0.1 is in use; pick another with --port"

JAR="$ROOT/target/tools/s3proxy-2.6.0-jar-with-dependencies.jar"
if [ ! -f "$JAR" ]; then
  bench_log "fetching S3Proxy 2.6.0 into target/tools"
  (cd "$ROOT" && ./mvnw -q -B dependency:copy \
    -Dartifact=org.gaul:s3proxy:2.6.0:jar:jar-with-dependencies -DoutputDirectory=target/tools) \
    || bench_die "could not fetch S3Proxy with ./mvnw"
fi

# ---- work dir, cleanup ----------------------------------------------------------------------
bench_workdir verso-bench
MNTS=$WORK/mnt
mkdir -p "$MNTS"
# Each file is kept about five times: the data, its plain objects, restic's and verso's remotes, and
# verso's local cache (case 6's data: its remote, local copy and disk cache).
NEED_MIB=0
want 1 4 && NEED_MIB=$((5 * 2 * SIZE_MIB))  # big.bin and the four files of a quarter
want 1 && NEED_MIB=$((NEED_MIB + 5 * SIZE_MIB))  # second.bin
want 3 7 && NEED_MIB=$((NEED_MIB + 5 * FILES * 5 / 1024))
want 6 && [ "$SKIP_DC" = 0 ] && NEED_MIB=$((NEED_MIB + 3 * DC_MIB))
FREE_MIB=$(df -Pm "$WORK" | awk 'NR == 2 { print $4 }')
[ "$FREE_MIB" -ge "$NEED_MIB" ] || bench_die "the run needs about $NEED_MIB MiB under $WORK and $FREE_MIB MiB are free; \
free some space or pick another --work-dir"

# Loopback only, plain HTTP: no proxies, no CA bundle (rclone refuses a custom CA bundle on its
# HTTP transport), no profile; checksums only when required (S3Proxy 2.6.0 rejects the
# x-amz-checksum-algorithm header that new AWS SDKs send by default on multipart uploads).
unset AWS_CA_BUNDLE AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL http_proxy https_proxy HTTP_PROXY HTTPS_PROXY
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
S3KEY=verso-bench S3SECRET=verso-bench-secret-key
export AWS_ACCESS_KEY_ID=$S3KEY AWS_SECRET_ACCESS_KEY=$S3SECRET AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_REQUEST_CHECKSUM_CALCULATION=when_required AWS_RESPONSE_CHECKSUM_VALIDATION=when_required
export RESTIC_PASSWORD=verso-bench RESTIC_CACHE_DIR=$WORK/restic-cache
E=http://127.0.0.1:$PORT
T=${BENCH_CMD_TIMEOUT:-600}

declare -A RES

# ---- data -----------------------------------------------------------------------------------
PROJ=$WORK/proj; DATA=$PROJ/data
BIG_BYTES=$((SIZE_MIB * 1048576)); PAR_BYTES=$((SIZE_MIB / 4 * 1048576))
bench_log "generating data in $DATA: ${SIZE_MIB} MiB file, 4 x $((SIZE_MIB / 4)) MiB, $FILES small files"
mkdir -p "$DATA/par" "$DATA/tree"
if want 1 4; then
  head -c "$BIG_BYTES" /dev/urandom > "$DATA/big.bin"
  want 1 && head -c "$BIG_BYTES" /dev/urandom > "$DATA/second.bin"
  for i in 1 2 3 4; do head -c "$PAR_BYTES" /dev/urandom > "$DATA/par/p$i.bin"; done
fi
want 3 7 && python3 - "$DATA/tree" "$FILES" "$DIRS" <<'EOF'
import os, random, sys
root, files, dirs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(4)
for i in range(files):
    d = os.path.join(root, "d%03d" % (i % dirs))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "f%05d.bin" % i), "wb") as f:
        f.write(rng.randbytes(rng.randint(1024, 8192)))
EOF
BIG_SHA=
want 1 && BIG_SHA=$(sha256sum < "$DATA/big.bin" | cut -d' ' -f1)
# The verification floor: the CPU seconds per GiB of SHA-256 alone (file in the page cache).
want 1 && RES[c1.floor]=$( { /usr/bin/time -f "%U %S" openssl dgst -sha256 "$DATA/big.bin" > /dev/null; } 2>&1 \
  | awk -v n="$BIG_BYTES" 'END { printf "%.2f", ($1 + $2) / (n / 1073741824) }')
TREE_ENTRIES=$(cd "$DATA" && find tree | wc -l)

# ---- S3 server and the plain-object / restic copies ----------------------------------------
bench_log "starting S3Proxy on $E"
s3proxy_start "$JAR" "$WORK/s3proxy" "$PORT" "$S3KEY" "$S3SECRET"
aws_s3() { aws --endpoint-url "$E" "$@"; }
for b in bench-data bench-restic bench-verso; do
  aws_s3 s3 mb "s3://$b" >> "$LOGS/aws.log" 2>&1 || bench_die "cannot create bucket $b (see $LOGS/aws.log)"
done
upload_plain() { aws_s3 s3 cp --recursive --only-show-errors "$DATA" s3://bench-data/data/ >> "$LOGS/aws.log" 2>&1; }
if want 1 3 7; then
  bench_log "uploading plain objects (aws s3 cp)"
  RES[setup.aws]=$(time_cmd upload_plain) || bench_die "aws s3 cp failed (see $LOGS/aws.log)"
fi

restic_cmd() { restic -r "s3:$E/bench-restic" "$@"; }
if [ "${HAVE[restic]}" = 1 ] && want 1 3 7; then
  bench_log "restic init + backup"
  restic_backup() { (cd "$PROJ" && restic_cmd backup --quiet data) >> "$LOGS/restic.log" 2>&1; }
  if restic_cmd init >> "$LOGS/restic.log" 2>&1 && RES[setup.restic]=$(time_cmd restic_backup); then :; else
    HAVE[restic]=0; NOTE[restic]="restic init/backup failed (see log)"
  fi
fi
echo "$S3KEY:$S3SECRET" > "$WORK/s3fs.passwd"; chmod 600 "$WORK/s3fs.passwd"
cat > "$WORK/rclone.conf" <<EOF
[bench]
type = s3
provider = Other
access_key_id = $S3KEY
secret_access_key = $S3SECRET
endpoint = $E
region = us-east-1
force_path_style = true
EOF

# ---- verso (to the CLI contract; guarded: the peers are measured whatever happens here) ------
V=${VERSO_CLI:-$ROOT/scripts/verso}   # VERSO_CLI: another verso launcher (e.g. an installed one)
VERSO_OK=0; VERSO_MODE=; VERSO_PID=
VERSO_URL=s3://bench-verso/verso
verso_step() {  # verso_step NAME DIR ARGS... — runs one verso command, logs it, sets NOTE on failure
  local name=$1 dir=$2; shift 2
  if ! (cd "$dir" && timeout "$T" "$V" "$@") >> "$LOGS/verso-$name.log" 2>&1; then
    NOTE[verso]="verso $name failed: $(tail -n 1 "$LOGS/verso-$name.log")"
    return 1
  fi
}
verso_setup() {
  [ -x "$V" ] || { NOTE[verso]="scripts/verso is missing (CLI not built yet)"; return 1; }
  "$V" --version > "$LOGS/verso-version.log" 2>&1 \
    || { NOTE[verso]="scripts/verso --version failed: $(tail -n 1 "$LOGS/verso-version.log")"; return 1; }
  if ! want 1 3 4 7; then  # case 6 alone: it sets up its own remote and mounts with --remote-url
    mkdir -p "$WORK/verso-empty"; VERSO_MODE=url; return 0
  fi
  verso_step init "$PROJ" init || return 1
  verso_step remote "$PROJ" remote add s3 "$VERSO_URL" --default --endpoint "$E" --path-style || return 1
  # (time_cmd runs in a subshell, so the failure note is set here)
  RES[setup.verso_add]=$(time_cmd verso_step add "$PROJ" add data) \
    || { NOTE[verso]="verso add failed: $(tail -n 1 "$LOGS/verso-add.log")"; return 1; }
  verso_step commit "$PROJ" commit -m "benchmark data" || return 1
  RES[setup.verso_push]=$(time_cmd verso_step push "$PROJ" push) \
    || { NOTE[verso]="verso push failed: $(tail -n 1 "$LOGS/verso-push.log")"; return 1; }
  # The mounts below start from folders with no objects at all, so every byte comes from S3 by
  # ranged GET: first the container case (--remote-url from an empty folder), else an empty
  # project whose default remote is the bucket.
  mkdir -p "$WORK/verso-empty" "$WORK/verso-clone"
  VERSO_MODE=url
  if tool_mount verso "$MNTS/probe"; then tool_umount verso "$MNTS/probe"; return 0; fi
  local url_note=${NOTE[verso]:-}
  VERSO_MODE=project
  verso_step clone-init "$WORK/verso-clone" init \
    && verso_step clone-remote "$WORK/verso-clone" remote add s3 "$VERSO_URL" --default --endpoint "$E" --path-style \
    || { NOTE[verso]="--remote-url mount: $url_note; project: ${NOTE[verso]}"; return 1; }
  if ! tool_mount verso "$MNTS/probe"; then
    NOTE[verso]="--remote-url mount: $url_note; project mount: ${NOTE[verso]:-failed}"; return 1
  else
    tool_umount verso "$MNTS/probe"; NOTE[verso_mode]="--remote-url mount failed ($url_note); measured an empty project with the S3 remote as default"
    return 0
  fi
  return 1
}

# Finds the pid of the verso daemon serving MNT: a pid file under .verso/ first, else the java
# process whose command line names the mount point.
verso_daemon_pid() {
  local mnt=$1 dir=$2 f p
  for f in $(find "$dir/.verso" -maxdepth 3 -type f -name '*pid*' 2>/dev/null); do
    p=$(grep -Eo '^[0-9]+' "$f" | head -n 1)
    [ -n "$p" ] && kill -0 "$p" 2>/dev/null && { echo "$p"; return; }
  done
  pids_with_arg "$mnt" '^java$' | head -n 1
}

# ---- mounting each reader -------------------------------------------------------------------
# tool_mount TOOL MNT: a fresh mount of TOOL at MNT; sets BASE to the directory holding big.bin,
# par/ and tree/ and TOOL_PID to the serving process. tool_umount TOOL MNT undoes it.
BASE=; TOOL_PID=
tool_mount() {
  local tool=$1 mnt=$2 dir
  mkdir -p "$mnt"; force_unmount "$mnt"; TOOL_PID=
  case "$tool" in
    local) BASE=$DATA; return 0 ;;
    bindfs)
      bindfs -f -r --multithreaded "$DATA" "$mnt" >> "$LOGS/bindfs.log" 2>&1 & TOOL_PID=$!
      BASE=$mnt ;;
    s3fs)
      s3fs bench-data "$mnt" -f -o "ro,use_path_request_style,url=$E,passwd_file=$WORK/s3fs.passwd" \
        >> "$LOGS/s3fs.log" 2>&1 & TOOL_PID=$!
      BASE=$mnt/data ;;
    rclone)
      rclone --config "$WORK/rclone.conf" mount bench:bench-data "$mnt" --read-only \
        >> "$LOGS/rclone.log" 2>&1 & TOOL_PID=$!
      BASE=$mnt/data ;;
    restic)
      restic -r "s3:$E/bench-restic" mount "$mnt" >> "$LOGS/restic-mount.log" 2>&1 & TOOL_PID=$!
      BASE=$mnt/snapshots/latest/data ;;
    verso|verso-project)
      # cases 1-5 measure the memory path: no disk cache, so every cold run fetches from S3
      local opts=(--disk-cache-size 0)
      [ -n "$VERSO_CACHE_SIZE" ] && opts+=(--cache-size "$VERSO_CACHE_SIZE")
      if [ "$tool" = verso-project ]; then
        dir=$PROJ   # the project that committed and pushed: its objects are in its local cache
        (cd "$dir" && timeout 120 "$V" mount "$mnt" "${opts[@]}") \
          >> "$LOGS/verso-mount.log" 2>&1 || { NOTE[$tool]="verso mount (project) failed: $(tail -n 1 "$LOGS/verso-mount.log")"; register_mount "$mnt"; return 1; }
      elif [ "$VERSO_MODE" = url ]; then
        dir=$WORK/verso-empty
        (cd "$dir" && AWS_ENDPOINT_URL=$E timeout 120 "$V" mount "$mnt" --remote-url "$VERSO_URL" "${opts[@]}") \
          >> "$LOGS/verso-mount.log" 2>&1 || { NOTE[verso]="verso mount ($VERSO_MODE) failed: $(tail -n 1 "$LOGS/verso-mount.log")"; register_mount "$mnt"; return 1; }
      else
        dir=$WORK/verso-clone
        (cd "$dir" && timeout 120 "$V" mount "$mnt" "${opts[@]}") \
          >> "$LOGS/verso-mount.log" 2>&1 || { NOTE[verso]="verso mount ($VERSO_MODE) failed: $(tail -n 1 "$LOGS/verso-mount.log")"; register_mount "$mnt"; return 1; }
      fi
      register_mount "$mnt"
      BASE=$mnt/latest/data
      if ! wait_until 30 test -d "$BASE"; then  # (big.bin exists only with cases 1 and 4)
        NOTE[verso]="verso mount ($VERSO_MODE): latest/data did not appear within 30 s"
        tool_umount verso "$mnt"; return 1
      fi
      TOOL_PID=$(verso_daemon_pid "$mnt" "$dir"); [ "$tool" = verso ] && VERSO_PID=$TOOL_PID
      [ -n "$TOOL_PID" ] && register_pid "$TOOL_PID"
      return 0 ;;
  esac
  register_mount "$mnt"; register_pid "$TOOL_PID"
  if ! wait_until 60 is_mounted "$mnt"; then
    NOTE[$tool]="$tool mount did not come up within 60 s (see $LOGS)"
    tool_umount "$tool" "$mnt"; return 1
  fi
}
tool_umount() {
  local tool=$1 mnt=$2
  [ "$tool" = local ] && return 0
  if [ "${tool%-project}" = verso ] && is_mounted "$mnt"; then
    (cd "$WORK" && timeout 60 "$V" umount "$mnt") >> "$LOGS/verso-umount.log" 2>&1 \
      || bench_log "verso umount $mnt failed; forcing"
  fi
  force_unmount "$mnt" || bench_log "could not unmount $mnt"
  # restic and rclone exit once their mount is gone; a daemon that lingers is stopped by pid
  if [ -n "$TOOL_PID" ]; then
    wait_pid_exit "$TOOL_PID" 15 || stop_pid "$TOOL_PID"
    unregister_pid "$TOOL_PID"
  fi
  TOOL_PID=
}

# ---- readers (each bounded by a timeout) ----------------------------------------------------
read_one() { timeout "$T" dd if="$1" of=/dev/null bs=1M status=none; }
read_par() {
  local pids=() f rc=0 p
  for f in "$@"; do timeout "$T" dd if="$f" of=/dev/null bs=1M status=none & pids+=($!); done
  for p in "${pids[@]}"; do wait "$p" || rc=1; done
  return $rc
}
ls_tree() { timeout "$T" ls -R "$1" > /dev/null; }
find_tree() { local n; n=$(cd "$1/.." && timeout "$T" find tree | wc -l); echo "$n" > "$WORK/find.count"; [ "$n" = "$TREE_ENTRIES" ]; }
curl_get() {  # curl_get RANGE|"" — one signed GET of the big object; fails on HTTP errors
  local r=()
  [ -n "$1" ] && r=(-r "$1")
  timeout "$T" curl -sf --aws-sigv4 "aws:amz:us-east-1:s3" --user "$S3KEY:$S3SECRET" \
    -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "${r[@]}" -o /dev/null "$E/bench-data/data/big.bin"
}
curl_par() {  # 8 ranged GETs covering the object
  local n=8 chunk=$(( (BIG_BYTES + 7) / 8 )) i a b pids=() rc=0 p
  for ((i = 0; i < n; i++)); do
    a=$((i * chunk)); b=$((a + chunk - 1)); [ $b -ge $BIG_BYTES ] && b=$((BIG_BYTES - 1))
    curl_get "$a-$b" & pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || rc=1; done
  return $rc
}

# record KEY BYTES SECONDS... — stores the median MB/s and the per-run figures
record_mbps() {
  local key=$1 bytes=$2 s runs=() ; shift 2
  for s in "$@"; do
    if [[ "$s" =~ ^[0-9.]+$ ]]; then runs+=("$(mbps "$bytes" "$s")"); else runs+=(fail); fi
  done
  [ "${#runs[@]}" -gt 0 ] || runs=(fail)
  RES[$key]=$(median "${runs[@]}"); RES[$key.runs]=$(IFS=/; echo "${runs[*]}")
}
record_secs() { local key=$1; shift; RES[$key]=$(median "$@"); RES[$key.runs]=$(IFS=/; echo "$*"); }
hwm_max() { local key=$1 v; v=$(vm_mib "$VERSO_PID" VmHWM); [ -n "$v" ] || return 0
  if [ -z "${RES[$key]:-}" ] || [ "$v" -gt "${RES[$key]}" ]; then RES[$key]=$v; RES[$key.rss]=$(vm_mib "$VERSO_PID" VmRSS); fi; }

# ---- the cases ------------------------------------------------------------------------------
case1_limit() {
  local r s t=() u=()
  bench_log "case 1: curl limit"
  for ((r = 0; r < RUNS; r++)); do
    drop_caches; s=$(time_cmd curl_par) || s=fail; t+=("$s")
    drop_caches; s=$(time_cmd curl_get "") || s=fail; u+=("$s")
  done
  record_mbps c1.curl8 "$BIG_BYTES" "${t[@]}"; record_mbps c1.curl1 "$BIG_BYTES" "${u[@]}"
  t=()
  for ((r = 0; r < RUNS; r++)); do s=$(time_cmd curl_par) || s=fail; t+=("$s"); done
  record_mbps c1.curl8warm "$BIG_BYTES" "${t[@]}"
}

# CPU seconds (user + system, all threads) a process has used so far; empty if it is gone.
proc_cpu() { [ -n "${1:-}" ] && awk -v t="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / t }' "/proc/$1/stat" 2>/dev/null; }
cpu_per_gib() { awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN { if (a == "" || b == "") print "n/a"; else printf "%.2f", (b - a) / (n / 1073741824) }'; }
# thread_ticks TASKDIR — user + system clock ticks of one thread (the fields after its name)
thread_ticks() { sed 's/.*) //' "$1/stat" | awk '{ print $12 + $13 }'; }
# jit_cpu PID — CPU seconds of a JVM's JIT compiler threads (user + system), 0 for other processes
jit_cpu() {
  local t=0 f name
  [ -n "${1:-}" ] || return 0
  for f in /proc/"$1"/task/*; do
    name=$(cat "$f/comm" 2>/dev/null) || continue
    if [[ "$name" == "C1 CompilerThre"* || "$name" == "C2 CompilerThre"* ]]; then
      t=$((t + $(thread_ticks "$f")))
    fi
  done
  awk -v t="$t" -v k="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / k }'
}

# Cold read of big.bin: RUNS times a fresh mount + dropped caches, with the CPU the serving process
# and the S3 server spent per GiB. After each run, for verso, a second, different file of the same
# size (second.bin, never read by this daemon) is read cold the same way through the same daemon:
# the steady figure (the median of the runs, as the fresh one), without a fresh daemon's warm-up.
# For verso, bindfs and local, the warm re-reads of case 2 follow on the last run's mount; then a
# sha256 check.
case1_tool() {
  local tool=$1 mnt=$MNTS/$1 r s t=() w=() sum c0 c1 s0 s1 j0 j1 cpu=() srv=() jit=() st=() stj=() str=()
  bench_log "case 1: $tool cold read"
  for ((r = 0; r < RUNS; r++)); do
    tool_mount "$tool" "$mnt" || { t+=(fail); break; }
    drop_caches; c0=$(proc_cpu "$TOOL_PID"); s0=$(proc_cpu "$S3PROXY_PID"); j0=$(jit_cpu "$TOOL_PID")
    s=$(time_cmd read_one "$BASE/big.bin") || s=fail; t+=("$s")
    c1=$(proc_cpu "$TOOL_PID"); s1=$(proc_cpu "$S3PROXY_PID"); j1=$(jit_cpu "$TOOL_PID")
    cpu+=("$(cpu_per_gib "$c0" "$c1" "$BIG_BYTES")"); srv+=("$(cpu_per_gib "$s0" "$s1" "$BIG_BYTES")")
    jit+=("$(cpu_per_gib "$j0" "$j1" "$BIG_BYTES")")
    if [ "$tool" = verso ]; then
      drop_caches; c0=$(proc_cpu "$TOOL_PID"); j0=$(jit_cpu "$TOOL_PID")
      s=$(time_cmd read_one "$BASE/second.bin") || s=fail; str+=("$s")
      c1=$(proc_cpu "$TOOL_PID"); j1=$(jit_cpu "$TOOL_PID")
      st+=("$(cpu_per_gib "$c0" "$c1" "$BIG_BYTES")"); stj+=("$(cpu_per_gib "$j0" "$j1" "$BIG_BYTES")")
    fi
    [ "$tool" = verso ] && hwm_max c5.read
    if [ $r = $((RUNS - 1)) ] && [ "$s" != fail ]; then
      case "$tool" in verso|bindfs|local)
        for ((i = 0; i < RUNS; i++)); do s=$(time_cmd read_one "$BASE/big.bin") || s=fail; w+=("$s"); done
        record_mbps "c2.$tool" "$BIG_BYTES" "${w[@]}" ;;
      esac
      sum=$(timeout "$T" sha256sum < "$BASE/big.bin" | cut -d' ' -f1)
      if [ "$sum" = "$BIG_SHA" ]; then RES[c1.$tool.sha]=ok; else RES[c1.$tool.sha]=MISMATCH; fi
      [ "$tool" = verso ] && hwm_max c5.read
    fi
    tool_umount "$tool" "$mnt"
  done
  record_mbps "c1.$tool" "$BIG_BYTES" "${t[@]}"
  record_secs "c1.$tool.cpu" "${cpu[@]}"; record_secs "c1.$tool.srv" "${srv[@]}"; record_secs "c1.$tool.jit" "${jit[@]}"
  if [ "$tool" = verso ] && [ ${#st[@]} -gt 0 ]; then
    record_mbps c1.verso.steadyrate "$BIG_BYTES" "${str[@]}"
    record_secs c1.verso.steady "${st[@]}"; record_secs c1.verso.steadyjit "${stj[@]}"
  fi
}

# ls -R and find | wc -l of the tree: each first on a fresh mount with dropped caches, then three
# times more on the same mount, whose median is the run's warm figure.
warm_median() { local k s w=(); for k in 1 2 3; do s=$(time_cmd "$@") || s=fail; w+=("$s"); done; median "${w[@]}"; }
case3_tool() {
  local tool=$1 mnt=$MNTS/$1 r s lc=() lw=() fc=() fw=()
  bench_log "case 3: $tool ls -R / find"
  for ((r = 0; r < RUNS; r++)); do
    tool_mount "$tool" "$mnt" || { lc+=(fail); break; }
    drop_caches; s=$(time_cmd ls_tree "$BASE/tree") || s=fail; lc+=("$s")
    lw+=("$(warm_median ls_tree "$BASE/tree")")
    [ "$tool" = verso ] && hwm_max c5.ls
    tool_umount "$tool" "$mnt"
    tool_mount "$tool" "$mnt" || { fc+=(fail); break; }
    drop_caches; s=$(time_cmd find_tree "$BASE/tree") || s=fail; fc+=("$s")
    RES[c3.$tool.count]=$(cat "$WORK/find.count" 2>/dev/null)
    fw+=("$(warm_median find_tree "$BASE/tree")")
    [ "$tool" = verso ] && hwm_max c5.ls
    tool_umount "$tool" "$mnt"
  done
  record_secs "c3.$tool.lscold" "${lc[@]}"; record_secs "c3.$tool.lswarm" "${lw[@]:-fail}"
  record_secs "c3.$tool.findcold" "${fc[@]:-fail}"; record_secs "c3.$tool.findwarm" "${fw[@]:-fail}"
}

# One cold reader of p1 vs four cold readers of p1..p4 at once; fresh mount for each run.
case4_tool() {
  local tool=$1 mnt=$MNTS/$1 r s one=() four=()
  bench_log "case 4: $tool parallel readers"
  for ((r = 0; r < RUNS; r++)); do
    tool_mount "$tool" "$mnt" || { one+=(fail); break; }
    drop_caches; s=$(time_cmd read_one "$BASE/par/p1.bin") || s=fail; one+=("$s")
    tool_umount "$tool" "$mnt"
    tool_mount "$tool" "$mnt" || { four+=(fail); break; }
    drop_caches; s=$(time_cmd read_par "$BASE"/par/p{1,2,3,4}.bin) || s=fail; four+=("$s")
    tool_umount "$tool" "$mnt"
  done
  record_mbps "c4.$tool.one" "$PAR_BYTES" "${one[@]}"
  record_mbps "c4.$tool.four" "$((4 * PAR_BYTES))" "${four[@]:-fail}"
}

# ---- case 6: the disk cache -----------------------------------------------------------------
# DC_MIB in 8 files, in a verso remote of their own (s3://bench-verso/dc) and a local copy for
# bindfs. Pass 1 and 2 read all 8 files through one fresh --remote-url mount with a 256M memory
# cache and an empty disk cache; the page cache is dropped before each pass and before bindfs. The
# S3 requests of each pass are the daemon's own count of GETs (its statistics, on SIGUSR2). Then
# the mount is restarted with the S3 server stopped and everything read again; then prefetch into
# an empty cache is timed against verso fetch into an empty project; last, a cache bounded to half
# the data is sampled while the data is read through it.
DC_URL=s3://bench-verso/dc
DC_PROJ=$WORK/dcproj
DC_BYTES=$(( DC_MIB / 8 * 8 * 1048576 ))
dc_setup() {
  local i
  mkdir -p "$DC_PROJ/dc"
  for i in 1 2 3 4 5 6 7 8; do head -c $(( DC_MIB / 8 * 1048576 )) /dev/urandom > "$DC_PROJ/dc/f$i.bin"; done
  (cd "$DC_PROJ/dc" && sha256sum f*.bin > "$WORK/dc.sha256")
  verso_step dc-init "$DC_PROJ" init && verso_step dc-add "$DC_PROJ" add dc \
    && verso_step dc-commit "$DC_PROJ" commit -m "disk cache data" \
    && verso_step dc-remote "$DC_PROJ" remote add s3 "$DC_URL" --default --endpoint "$E" --path-style \
    && verso_step dc-push "$DC_PROJ" push
}
dc_mount() {  # dc_mount MNT CACHE_DIR [SIZE]: a --remote-url mount of the dc remote
  mkdir -p "$1"; force_unmount "$1"
  (cd "$WORK/verso-empty" && AWS_ENDPOINT_URL=$E timeout 120 "$V" mount "$1" --remote-url "$DC_URL" \
    --cache-size 256M --cache-dir "$2" ${3:+--disk-cache-size "$3"}) >> "$LOGS/verso-dc-mount.log" 2>&1 \
    || { register_mount "$1"; return 1; }
  register_mount "$1"
  wait_until 30 test -e "$1/latest/dc/f8.bin" || return 1
  VERSO_PID=$(verso_daemon_pid "$1" "$WORK/verso-empty"); register_pid "$VERSO_PID"
}
cpu_step() {  # cpu_step NAME DIR ARGS... — as verso_step, leaving its CPU seconds (user + system) in $WORK/cpu.txt
  local name=$1 dir=$2; shift 2
  rm -f "$WORK/cpu.txt" "$WORK/cpu.raw"
  if ! (cd "$dir" && /usr/bin/time -f "%U %S" -o "$WORK/cpu.raw" timeout "$T" "$V" "$@") >> "$LOGS/verso-$name.log" 2>&1; then
    NOTE[verso]="verso $name failed: $(tail -n 1 "$LOGS/verso-$name.log")"
    return 1
  fi
  awk '{ printf "%.2f", $1 + $2 }' "$WORK/cpu.raw" > "$WORK/cpu.txt"
}
dc_umount() { tool_umount verso "$1"; VERSO_PID=; }
dc_read_all() { local f; for f in "$1"/f*.bin; do read_one "$f" || return 1; done; }
daemon_stats() {  # the verso daemon's statistics line as of now (it logs one on SIGUSR2)
  local log n
  log=$(ls -t "$WORK"/state/verso/mounts/*.log "$HOME"/.local/state/verso/mounts/*.log 2>/dev/null | head -n 1)
  n=$(grep -c "stats: " "$log" 2>/dev/null); kill -USR2 "$VERSO_PID" 2>/dev/null
  wait_until 10 sh -c "[ \$(grep -c 'stats: ' '$log') -gt ${n:-0} ]" || { echo n/a; return; }
  grep "stats: " "$log" | tail -n 1
}
dc_gets() { daemon_stats | sed -n 's/.*remote: \([0-9]*\) gets.*/\1/p'; }  # objects fetched from S3
verso_requests() { daemon_stats | sed -n 's/.*: \([0-9]*\) requests, .*/\1/p'; }  # HTTP requests to S3
# ---- case 7: every small file read cold ------------------------------------------------------
# Every file of the tree read through a fresh mount with dropped caches, by one reader
# (find | xargs cat) and by eight at once (xargs -P 8); for verso, the requests its daemon made.
read_tree() { (cd "$1" && find . -type f -print0 | timeout "$T" xargs -0 -n 250 -P "$2" cat > /dev/null); }
case7_tool() {
  local tool=$1 mnt=$MNTS/$1 r s c0 c1 j0 j1 one=() eight=() req=() cpu=() jit=()
  bench_log "case 7: $tool reads every small file"
  for ((r = 0; r < RUNS; r++)); do
    tool_mount "$tool" "$mnt" || { one+=(fail); break; }
    drop_caches; c0=$(proc_cpu "$TOOL_PID"); j0=$(jit_cpu "$TOOL_PID")
    [ "$r" = 0 ] && [ "$tool" != local ] && fuse_trace_start "$mnt"
    s=$(time_cmd read_tree "$BASE/tree" 1) || s=fail; one+=("$s")
    c1=$(proc_cpu "$TOOL_PID"); j1=$(jit_cpu "$TOOL_PID")
    [ "$r" = 0 ] && [ "$tool" != local ] && RES[c7.$tool.fuse]=$(fuse_trace_stop)
    cpu+=("$(awk -v a="$c0" -v b="$c1" 'BEGIN { if (a == "" || b == "") print "n/a"; else printf "%.2f", b - a }')")
    jit+=("$(awk -v a="$j0" -v b="$j1" 'BEGIN { printf "%.2f", b - a }')")
    [ "$tool" = verso ] && req+=("$(verso_requests)")
    tool_umount "$tool" "$mnt"
    tool_mount "$tool" "$mnt" || { eight+=(fail); break; }
    drop_caches; s=$(time_cmd read_tree "$BASE/tree" 8) || s=fail; eight+=("$s")
    tool_umount "$tool" "$mnt"
  done
  record_secs "c7.$tool.one" "${one[@]}"; record_secs "c7.$tool.eight" "${eight[@]:-fail}"
  record_secs "c7.$tool.cpu" "${cpu[@]:-n/a}"; record_secs "c7.$tool.jit" "${jit[@]:-n/a}"
  [ "$tool" = verso ] && record_secs c7.verso.requests "${req[@]:-n/a}"
}

case6_disk_cache() {
  local mnt=$MNTS/dc cache=$WORK/dc-cache s g1 g2 sum
  bench_log "case 6: disk cache ($DC_MIB MiB in 8 files)"
  dc_setup || { NOTE[dc]="setup failed: ${NOTE[verso]}"; return 1; }
  rm -rf "$cache"
  dc_mount "$mnt" "$cache" || { NOTE[dc]="mount failed: $(tail -n 1 "$LOGS/verso-dc-mount.log")"; return 1; }
  drop_caches; s=$(time_cmd dc_read_all "$mnt/latest/dc") || s=fail; record_mbps c6.pass1 "$DC_BYTES" "$s"
  g1=$(dc_gets)
  drop_caches; s=$(time_cmd dc_read_all "$mnt/latest/dc") || s=fail; record_mbps c6.pass2 "$DC_BYTES" "$s"
  g2=$(dc_gets)
  RES[c6.gets1]=$g1
  if [[ "$g1" =~ ^[0-9]+$ && "$g2" =~ ^[0-9]+$ ]]; then RES[c6.gets2]=$((g2 - g1)); else RES[c6.gets2]=n/a; fi
  dc_umount "$mnt"
  if [ "${HAVE[bindfs]}" = 1 ]; then
    mkdir -p "$MNTS/dc-bindfs"
    bindfs -f -r --multithreaded "$DC_PROJ/dc" "$MNTS/dc-bindfs" >> "$LOGS/bindfs.log" 2>&1 & TOOL_PID=$!
    register_mount "$MNTS/dc-bindfs"; register_pid "$TOOL_PID"
    if wait_until 60 is_mounted "$MNTS/dc-bindfs"; then
      drop_caches; s=$(time_cmd dc_read_all "$MNTS/dc-bindfs") || s=fail; record_mbps c6.bindfs "$DC_BYTES" "$s"
    fi
    tool_umount bindfs "$MNTS/dc-bindfs"
  fi
  # restart with the S3 server stopped
  stop_pid "$S3PROXY_PID"; unregister_pid "$S3PROXY_PID"
  if dc_mount "$mnt" "$cache"; then
    drop_caches
    sum=$(cd "$mnt/latest/dc" && timeout "$T" sha256sum -c --quiet "$WORK/dc.sha256" 2>&1) && RES[c6.offline]=ok \
      || RES[c6.offline]="FAILED: $(echo "$sum" | head -n 1)"
    dc_umount "$mnt"
  else
    RES[c6.offline]="FAILED: the mount did not start: $(tail -n 1 "$LOGS/verso-dc-mount.log")"
  fi
  s3proxy_start "$JAR" "$WORK/s3proxy" "$PORT" "$S3KEY" "$S3SECRET"
  # prefetch into an empty cache vs fetch into an empty project, in turn, RUNS times each, with the
  # CPU seconds (user + system) each command spent per GiB
  local id r pf=() fe=() pfc=() fec=()
  id=$(cd "$DC_PROJ" && "$V" log --json | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["id"])')
  for ((r = 0; r < RUNS; r++)); do
    rm -rf "$WORK/dc-cache2"; drop_caches
    s=$(export AWS_ENDPOINT_URL=$E; time_cmd cpu_step dc-prefetch "$WORK/verso-empty" prefetch \
      --remote-url "$DC_URL" --cache-dir "$WORK/dc-cache2") || s=fail
    pf+=("$s"); pfc+=("$(cpu_per_gib 0 "$(cat "$WORK/cpu.txt" 2>/dev/null)" "$DC_BYTES")")
    rm -rf "$WORK/dc-fetch"; mkdir -p "$WORK/dc-fetch"
    verso_step dc-fetch-init "$WORK/dc-fetch" init \
      && verso_step dc-fetch-remote "$WORK/dc-fetch" remote add s3 "$DC_URL" --default --endpoint "$E" --path-style
    drop_caches
    s=$(time_cmd cpu_step dc-fetch "$WORK/dc-fetch" fetch "$id") || s=fail
    fe+=("$s"); fec+=("$(cpu_per_gib 0 "$(cat "$WORK/cpu.txt" 2>/dev/null)" "$DC_BYTES")")
  done
  record_mbps c6.prefetch "$DC_BYTES" "${pf[@]}"; record_mbps c6.fetch "$DC_BYTES" "${fe[@]}"
  record_secs c6.prefetch.cpu "${pfc[@]}"; record_secs c6.fetch.cpu "${fec[@]}"
  # the bound: a cache of half the data, sampled every 0.2 s while all of it is read
  local bound=$(( DC_MIB / 2 )) max=0 u pid
  rm -rf "$WORK/dc-cache3"
  if dc_mount "$mnt" "$WORK/dc-cache3" "${bound}M"; then
    dc_read_all "$mnt/latest/dc" & pid=$!
    while kill -0 "$pid" 2>/dev/null; do
      u=$(du -sb "$WORK/dc-cache3/objects" 2>/dev/null | cut -f1); [ "${u:-0}" -gt "$max" ] && max=$u
      sleep 0.2
    done
    RES[c6.bound]=$bound; RES[c6.boundmax]=$(( max / 1048576 ))
    dc_umount "$mnt"
  fi
  rm -rf "$WORK/dc-cache" "$WORK/dc-cache2" "$WORK/dc-cache3" "$WORK/dc-fetch"
}

if verso_setup; then VERSO_OK=1; bench_log "verso: measured (mode $VERSO_MODE)"
else bench_log "verso: not measured (${NOTE[verso]})"; fi
[ "${HAVE[bindfs]}" = 1 ] || bench_log "bindfs: ${NOTE[bindfs]}"

measured() {  # measured TOOL — whether TOOL takes part
  case "$1" in local) return 0 ;; verso|verso-project) [ "$VERSO_OK" = 1 ] ;; *) [ "${HAVE[$1]:-0}" = 1 ] ;; esac
}

if want 1; then
  case1_limit
  for tool in verso restic s3fs rclone bindfs local; do measured "$tool" && case1_tool "$tool"; done
fi
want 3 && for tool in $LS_TOOLS; do measured "$tool" && case3_tool "$tool"; done
want 4 && for tool in verso bindfs local; do measured "$tool" && case4_tool "$tool"; done
want 6 && measured verso && case6_disk_cache
want 7 && for tool in verso restic s3fs bindfs local; do measured "$tool" && case7_tool "$tool"; done

# ---- report ---------------------------------------------------------------------------------
v() { echo "${RES[$1]:-n/a}"; }
tool_label() { case "$1" in local) echo "local file" ;; bindfs) echo "bindfs over a local copy" ;;
  restic) echo "restic mount" ;; rclone) echo "rclone mount (vfs cache off)" ;; s3fs) echo "s3fs" ;; verso) echo "**verso mount**" ;;
  verso-project) echo "**verso mount**, from the project (trees in its local cache)" ;; esac; }
not_measured() { echo "${NOTE[$1]:-not measured}"; }
mib_of_size() {  # 512M / 1G / 1024 (MiB) -> MiB
  local s=${1:-512M}
  case "$s" in *[kK]) echo $(( ${s%?} / 1024 )) ;; *[mM]) echo "${s%?}" ;; *[gG]) echo $(( ${s%?} * 1024 )) ;; *) echo "$s" ;; esac
}

report() {
  local cpu jdk limit t s peers_best=0 vv
  cpu=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)
  jdk=$(java -version 2>&1 | head -n 1)
  limit=$(v c1.curl8)
  echo "# verso mount benchmark"
  echo
  echo "Generated by \`scripts/bench-mount.sh${ARGS:+ $ARGS}\` on $(date -u +%Y-%m-%dT%H:%M:%SZ)."
  echo "Method: [benchmarks-method.md](benchmarks-method.md). MB/s = 10^6 bytes/s; every figure is"
  echo "the median of $RUNS runs (the runs follow in brackets); \"cold\" = fresh mount + page cache dropped."
  echo
  echo "## Machine"
  echo
  echo "- CPU: $cpu, \`nproc\` = $(nproc)"
  echo "- Memory: $(free -g | awk '/^Mem:/ { print $2 " GiB total, " $7 " GiB available" }') (\`free -g\`)"
  echo "- Kernel: $(uname -sr); disk under the work dir: $(df -h --output=source,fstype "$WORK" | tail -n 1 | tr -s ' ')"
  echo "- JDK: $jdk"
  echo "- Load at start of report: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine makes figures noisy)"
  echo
  echo "## Tools"
  echo
  echo "- S3 server: S3Proxy 2.6.0 standalone, jclouds \`filesystem\` provider, on 127.0.0.1:$PORT"
  echo "- verso: $( [ "$VERSO_OK" = 1 ] && head -n 1 "$LOGS/verso-version.log" || echo "not measured ($(not_measured verso))")${NOTE[verso_mode]:+ — ${NOTE[verso_mode]}}"
  echo "- restic: $(restic version 2>/dev/null | head -n 1 || echo n/a)"
  echo "- rclone: $(rclone version 2>/dev/null | head -n 1 || echo n/a)"
  echo "- s3fs: $(s3fs --version 2>/dev/null | head -n 1 || echo n/a)"
  echo "- bindfs: $(bindfs --version 2>/dev/null | head -n 1 || echo n/a) (\`-r --multithreaded\`)"
  echo "- curl: $(curl --version | head -n 1 | cut -d' ' -f1-2); aws: $(aws --version 2>&1 | cut -d' ' -f1)"
  echo
  echo "## Data"
  echo
  echo "- two files of $SIZE_MIB MiB (the second read only by a steady verso daemon) and four of"
  echo "  $((SIZE_MIB / 4)) MiB (random bytes); a tree of $FILES files of 1–8 KiB in $DIRS folders ($TREE_ENTRIES entries for \`find\`)"
  echo "- the same bytes as plain objects (\`aws s3 cp\`, for curl, s3fs, rclone), as a restic repository"
  echo "  and as a verso remote, all on the same S3 server; bindfs and local read the local copy"
  echo "- setup: aws s3 cp $(v setup.aws) s, restic backup $(v setup.restic) s, verso add $(v setup.verso_add) s, verso push $(v setup.verso_push) s"
  echo
  if want 1; then
  echo "## 1. Cold sequential read of the $SIZE_MIB MiB file (\`dd bs=1M\`)"
  echo
  table_row reader "MB/s" "× curl 8 parallel" "sha256" "reader CPU s/GiB" "S3 server CPU s/GiB"
  table_row "---" "---:" "---:" "---" "---:" "---:"
  table_row "curl, 8 parallel ranged GETs (**limit**)" "$(v c1.curl8) [$(v c1.curl8.runs)]" "1.00" ""
  table_row "curl, one GET" "$(v c1.curl1) [$(v c1.curl1.runs)]" "$(ratio "$(v c1.curl1)" "$limit")" ""
  table_row "curl, 8 parallel, server file in page cache" "$(v c1.curl8warm) [$(v c1.curl8warm.runs)]" "$(ratio "$(v c1.curl8warm)" "$limit")" ""
  for t in verso restic s3fs rclone bindfs local; do
    if measured "$t" && [ -n "${RES[c1.$t]:-}" ]; then
      table_row "$(tool_label "$t")" "$(v "c1.$t") [$(v "c1.$t.runs")]" "$(ratio "$(v "c1.$t")" "$limit")" "$(v "c1.$t.sha")" \
        "$(v "c1.$t.cpu") [$(v "c1.$t.cpu.runs")]" "$(v "c1.$t.srv")"
    else
      table_row "$(tool_label "$t")" "not measured: $(not_measured "$t")" "" ""
    fi
  done
  table_row "**verso mount**, steady: a second, different GiB read cold through the same daemon" \
    "$(v c1.verso.steadyrate) [$(v c1.verso.steadyrate.runs)]" "$(ratio "$(v c1.verso.steadyrate)" "$limit")" "" \
    "$(v c1.verso.steady) [$(v c1.verso.steady.runs)]" ""
  table_row "\`openssl dgst -sha256\` of the file (the verification floor)" "" "" "" "$(v c1.floor)" ""
  echo
  vv=$(v c1.verso)
  echo "- \"reader CPU\": user + system seconds of the process serving the mount (every thread) across the"
  echo "  read, per GiB; for verso a fresh daemon, its first GiB. S3 server: the same for S3Proxy."
  echo "- of verso's CPU per GiB, its JIT compiler threads: $(v c1.verso.jit) s fresh [$(v c1.verso.jit.runs)], $(v c1.verso.steadyjit) s steady"
  echo "- goal verso steady CPU ≤ s3fs's + the SHA-256 floor: $(verdict "$(v c1.verso.steady)" \
    "$(awk -v a="$(v c1.s3fs.cpu)" -v b="$(v c1.floor)" 'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/) print a + b; else print "n/a" }')" "<=")"
  echo "- goal verso fresh CPU ≤ 1.25 × steady: $(verdict "$(ratio "$(v c1.verso.cpu)" "$(v c1.verso.steady)")" 1.25 "<=")"
  echo "- goal verso cold throughput ≥ 0.8 × s3fs: $(verdict "$(ratio "$vv" "$(v c1.s3fs)")" 0.8 ">=")"
  echo "- goal verso ≥ 0.5 × limit: $(verdict "$(ratio "$vv" "$limit")" 0.5 ">=")"
  for t in restic s3fs rclone; do measured "$t" && echo "- goal verso faster than $t: $(verdict "$vv" "$(v "c1.$t")" ">")"; done
  echo
  echo "## 2. Warm re-read (same mount, file already read once)"
  echo
  table_row reader "MB/s" "× bindfs"
  table_row "---" "---:" "---:"
  for t in verso bindfs local; do
    if measured "$t"; then
      table_row "$(tool_label "$t")" "$(v "c2.$t") [$(v "c2.$t.runs")]" "$(ratio "$(v "c2.$t")" "$(v c2.bindfs)")"
    else table_row "$(tool_label "$t")" "not measured: $(not_measured "$t")" ""; fi
  done
  echo
  echo "- goal verso ≥ 1.0 × bindfs: $(verdict "$(ratio "$(v c2.verso)" "$(v c2.bindfs)")" 1.0 ">=")"
  echo
  fi
  if want 3; then
  echo "## 3. Listing the $FILES-file tree (seconds, lower is better)"
  echo
  table_row reader "ls -R fresh" "ls -R warm" "find \\| wc -l fresh" "find \\| wc -l warm" "entries seen" "fresh ls × bindfs" "warm ls × bindfs"
  table_row "---" "---:" "---:" "---:" "---:" "---:" "---:" "---:"
  for t in $LS_TOOLS; do
    if measured "$t"; then
      table_row "$(tool_label "$t")" "$(v "c3.$t.lscold") [$(v "c3.$t.lscold.runs")]" "$(v "c3.$t.lswarm") [$(v "c3.$t.lswarm.runs")]" \
        "$(v "c3.$t.findcold") [$(v "c3.$t.findcold.runs")]" "$(v "c3.$t.findwarm") [$(v "c3.$t.findwarm.runs")]" \
        "$(v "c3.$t.count") / $TREE_ENTRIES" "$(ratio "$(v "c3.$t.lscold")" "$(v c3.bindfs.lscold)")" "$(ratio "$(v "c3.$t.lswarm")" "$(v c3.bindfs.lswarm)")"
    else
      table_row "$(tool_label "$t")" "not measured: $(not_measured "$t")" "" "" "" "" "" ""
    fi
  done
  echo
  echo "- goal verso ls -R fresh < 1 s: $(verdict "$(v c3.verso.lscold)" 1 "<")"
  echo "- goal verso ls -R warm ≤ 2 × bindfs: $(verdict "$(ratio "$(v c3.verso.lswarm)" "$(v c3.bindfs.lswarm)")" 2 "<=")"
  if measured restic; then
    echo "- goal verso faster than restic, fresh: $(verdict "$(v c3.verso.lscold)" "$(v c3.restic.lscold)" "<"); warm: $(verdict "$(v c3.verso.lswarm)" "$(v c3.restic.lswarm)" "<")"
    echo "- like for like (both list trees from a local cache: restic's, filled by its backup, and the project's): verso from the project faster than restic, fresh: $(verdict "$(v c3.verso-project.lscold)" "$(v c3.restic.lscold)" "<"); warm: $(verdict "$(v c3.verso-project.lswarm)" "$(v c3.restic.lswarm)" "<")"
  fi
  echo
  fi
  if want 4; then
  echo "## 4. Four parallel readers of four different $((SIZE_MIB / 4)) MiB files (cold)"
  echo
  table_row reader "1 reader MB/s" "4 readers, aggregate MB/s" "4 ÷ 1"
  table_row "---" "---:" "---:" "---:"
  for t in verso bindfs local; do
    if measured "$t"; then
      table_row "$(tool_label "$t")" "$(v "c4.$t.one") [$(v "c4.$t.one.runs")]" "$(v "c4.$t.four") [$(v "c4.$t.four.runs")]" "$(ratio "$(v "c4.$t.four")" "$(v "c4.$t.one")")"
    else table_row "$(tool_label "$t")" "not measured: $(not_measured "$t")" "" ""; fi
  done
  echo
  echo "- goal verso 4 readers ≥ 1 reader: $(verdict "$(v c4.verso.four)" "$(v c4.verso.one)" ">=")"
  echo
  fi
  if want 1 3; then
  echo "## 5. verso daemon memory"
  echo
  local lim=$(( $(mib_of_size "$VERSO_CACHE_SIZE") + 256 ))
  table_row "after" "peak RSS (VmHWM) MiB" "RSS then (VmRSS) MiB" "limit: cache + 256 MiB"
  table_row "---" "---:" "---:" "---:"
  table_row "case 1 (reading the $SIZE_MIB MiB file)" "$(v c5.read)" "$(v c5.read.rss)" "$lim"
  table_row "case 3 (listing the tree)" "$(v c5.ls)" "$(v c5.ls.rss)" "$lim"
  echo
  echo "- goal peak RSS < cache + 256 MiB: $(verdict "$(v c5.read)" "$lim" "<") (read), $(verdict "$(v c5.ls)" "$lim" "<") (ls)"
  echo "  (each fresh mount is a new daemon: the figure is the largest peak of any run)"
  echo
  fi
  if want 6; then
    echo "## 6. Disk cache: $DC_MIB MiB in 8 files, read twice (\`--cache-size 256M\`, cold page cache each pass)"
    echo
    if [ -n "${NOTE[dc]:-}" ]; then echo "- not measured: ${NOTE[dc]}"; echo; else
    table_row "step" "MB/s" "S3 GETs (verso's count)" "× bindfs" "CPU s/GiB"
    table_row "---" "---:" "---:" "---:" "---:"
    table_row "pass 1 (fresh mount, empty disk cache)" "$(v c6.pass1)" "$(v c6.gets1)" "$(ratio "$(v c6.pass1)" "$(v c6.bindfs)")"
    table_row "pass 2 (same mount)" "$(v c6.pass2)" "$(v c6.gets2)" "$(ratio "$(v c6.pass2)" "$(v c6.bindfs)")"
    table_row "bindfs over the local copy" "$(v c6.bindfs)" "" ""
    table_row "verso prefetch into an empty cache" "$(v c6.prefetch) [$(v c6.prefetch.runs)]" "" "" "$(v c6.prefetch.cpu) [$(v c6.prefetch.cpu.runs)]"
    table_row "verso fetch into an empty project" "$(v c6.fetch) [$(v c6.fetch.runs)]" "" "" "$(v c6.fetch.cpu) [$(v c6.fetch.cpu.runs)]"
    echo
    echo "- goal pass 2 makes no S3 request: $(verdict "$(v c6.gets2)" 0 "<=")"
    echo "- goal pass 2 ≥ 0.8 × bindfs: $(verdict "$(ratio "$(v c6.pass2)" "$(v c6.bindfs)")" 0.8 ">=")"
    echo "- goal a new mount with the S3 server stopped reads all 8 files (sha256): $(v c6.offline)"
    echo "- goal prefetch ≥ 0.8 × fetch: $(verdict "$(ratio "$(v c6.prefetch)" "$(v c6.fetch)")" 0.8 ">=")"
    echo "- bound: a $(v c6.bound) MiB disk cache held at most $(v c6.boundmax) MiB (sampled every 0.2 s) while"
    echo "  $DC_MIB MiB were read through it: $(verdict "$(v c6.boundmax)" "$(( $(v c6.bound) + 8 * 4 ))" "<=") (bound + the blocks being written)"
    echo
    fi
  fi
  if want 7; then
  echo "## 7. Every file of the tree read cold ($FILES files of 1–8 KiB in $DIRS folders)"
  echo
  table_row reader "1 reader (s)" "8 readers (s)" "serving process CPU, 1 reader (s)" "requests" "1 reader: × verso's time"
  table_row "---" "---:" "---:" "---:" "---:" "---:"
  for t in verso restic s3fs bindfs local; do
    table_row "$(tool_label "$t")" "$(v "c7.$t.one") [$(v "c7.$t.one.runs")]" "$(v "c7.$t.eight") [$(v "c7.$t.eight.runs")]" \
      "$(v "c7.$t.cpu")" "$( [ "$t" = verso ] && v c7.verso.requests)" "$(ratio "$(v "c7.$t.one")" "$(v c7.verso.one)")"
  done
  echo
  echo "Of verso's CPU in the one-reader read, its JIT compiler threads: $(v c7.verso.jit) s [$(v c7.verso.jit.runs)]."
  echo
  echo "bindfs serves the same files from local disk through FUSE: its time is what FUSE's requests alone"
  echo "cost on this machine (a lookup, open, read and release per file), with no network and no hashing."
  echo
  echo "FUSE requests the kernel sent in the first one-reader read (the kernel's fuse_request_send tracepoint, where it has one):"
  echo
  for t in verso restic s3fs bindfs; do [ -n "${RES[c7.$t.fuse]:-}" ] && echo "- $(tool_label "$t"): ${RES[c7.$t.fuse]}"; done
  echo
  echo "- goal verso 1 reader ≤ 3 s: $(verdict "$(v c7.verso.one)" 3 "<="); 8 readers ≤ 2 s: $(verdict "$(v c7.verso.eight)" 2 "<=")"
  echo "- goal ≥ 5 × faster than restic mount and s3fs (1 reader): restic $(verdict "$(ratio "$(v c7.restic.one)" "$(v c7.verso.one)")" 5 ">="), s3fs $(verdict "$(ratio "$(v c7.s3fs.one)" "$(v c7.verso.one)")" 5 ">=")"
  echo "- goal ≤ 10 requests per 1,000 files: $(verdict "$(v c7.verso.requests)" "$(( FILES / 100 ))" "<=") ($(v c7.verso.requests) for $FILES files, listing included)"
  echo
  fi
  echo "## Notes on the peers"
  echo
  echo "- restic: repository on the same S3 server; \`restic mount\` keeps its usual local metadata cache"
  echo "  (index, trees; filled by the backup), as a user's would — only the page cache is dropped."
  echo "  Timings start once the mount point is mounted and include the lookup of snapshots/latest/…"
  echo "- s3fs: \`-o ro,use_path_request_style,url=…,passwd_file=…\`, no local cache (\`use_cache\` unset)."
  echo "- rclone: remote of provider Other with \`force_path_style\`, \`--read-only\`, vfs cache mode off."
  echo "- curl: \`--aws-sigv4 aws:amz:us-east-1:s3\` plus \`x-amz-content-sha256: UNSIGNED-PAYLOAD\`"
  echo "  (S3Proxy answers 500 without that header). Dropping the page cache also drops S3Proxy's own"
  echo "  copy of the objects, so cold figures include the server's disk reads, for every S3 reader alike."
  [ "$VERSO_OK" = 1 ] && echo "- verso: mounted $( [ "$VERSO_MODE" = project ] && echo "from an empty project whose default remote is the bucket" || echo "with \`--remote-url\` from an empty folder (\`AWS_ENDPOINT_URL\` set)"):"
  [ "$VERSO_OK" = 1 ] && echo "  no object is local, every block comes from S3 by ranged GET."
  [ "$VERSO_OK" = 1 ] && echo "- verso, from the project (listing only): the project that added, committed and pushed the"
  [ "$VERSO_OK" = 1 ] && echo "  data, mounted in place: its trees come from its local cache, as restic's come from its own."
  return 0
}

REPORT=$(report)
printf '%s\n' "$REPORT"
mkdir -p "$(dirname "$OUT")"
printf '%s\n' "$REPORT" > "$OUT"
bench_log "report written to $OUT"
