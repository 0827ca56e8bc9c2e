#!/usr/bin/env bash
# The mount and the remote commands at scale, every verso JVM at JAVA_OPTS (default -Xmx256m):
#   - add + commit of FILES small files in FOLDERS folders plus one folder of BIG files (the
#     generator of bench-scale.sh), then a second version with one file in every folder changed;
#   - the mount of the project, and after the push the mount of the remote alone (--remote-url, its
#     small files in packs): a fresh `ls -R` of the version's directory, `ls` of the big folder on a
#     fresh mount, the daemons' peak RSS (VmHWM, polled) against the cache + 256 MiB;
#   - against S3Proxy on 127.0.0.1: push, fetch of the second version into an empty clone and verify
#     there, diff of the two versions, gc --cloud of the remote.
# Each command's wall time, CPU seconds (user + system) and peak RSS come from /usr/bin/time -v;
# the load average is taken with each figure (the machine may be shared). Prints a markdown table.
#
#   scripts/bench-scale-remote.sh [--files N] [--folders N] [--big N] [--data-dir DIR] [--port N]
#                                 [--steps "mount remote"] [--out FILE]
#
# The data (DIR/project) is kept between runs, and so is its project once committed: a second run
# with another build (VERSO_JAR=path/to/verso.jar) measures the mount and the remote steps on the
# same version; delete DIR yourself (mass deletes slow file creation on ext4 for a while after).
# Needs root for the mount (FUSE) and cache dropping; java, python3, curl, aws, GNU time; at the
# default size about 2.5 million free inodes (df -i) for the project and the clone fetched into.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib/bench-common.sh
. "$ROOT/scripts/lib/bench-common.sh"

FILES=1000000
FOLDERS=1000
BIG=200000
DATA=/var/tmp/verso-scale-remote
PORT=18951
STEPS="mount remote"
OUT=
while [ $# -gt 0 ]; do
  case "$1" in
    --files) FILES=$2; shift 2 ;;
    --folders) FOLDERS=$2; shift 2 ;;
    --big) BIG=$2; shift 2 ;;
    --data-dir) DATA=$2; shift 2 ;;
    --port) PORT=$2; shift 2 ;;
    --steps) STEPS=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done
want() { [[ " $STEPS " == *" $1 "* ]]; }
export JAVA_OPTS="${JAVA_OPTS:--Xmx256m}"
T=${STEP_TIMEOUT:-3600}
missing=$(missing_packages java:openjdk-17-jdk-headless curl:curl aws:awscli python3:python3 \
  fusermount:fuse3 ss:iproute2)
[ -z "$missing" ] || bench_die "missing tools; install them with: apt-get install -y $missing"
[ -x /usr/bin/time ] || bench_die "GNU time is missing: apt-get install -y time"

mkdir -p "$DATA"
DATA=$(cd "$DATA" && pwd)
WORK=$(mktemp -d "$DATA/run.XXXXXX")
LOGS=$WORK/logs
mkdir -p "$LOGS"
BENCH_ERRLOG=$LOGS/commands.err
# Clean-up on exit unmounts and stops what the run started; the data and this run's logs stay.
trap 'rc=$?; bench_cleanup; exit $rc' EXIT
trap 'exit 130' INT TERM

if [ -n "${VERSO_JAR:-}" ]; then
  V=$WORK/verso-jar
  printf '#!/bin/sh\nexec "%s" $JAVA_OPTS -jar "%s" "$@"\n' "${JAVA_HOME:+$JAVA_HOME/bin/}java" \
    "$(readlink -f "$VERSO_JAR")" > "$V"
  chmod +x "$V"
else
  [ -f "$ROOT/target/verso.jar" ] || (cd "$ROOT" && ./mvnw -q -B package -DskipTests >&2)
  V=$ROOT/scripts/verso
  "$V" --version > /dev/null  # builds the class-data archive outside the measurements
fi

declare -a ROWS
# measure NAME DIR COMMAND...: wall, CPU and peak RSS of COMMAND in DIR (stdout to LOGS/NAME.out)
measure() {
  local name=$1 dir=$2 t=$LOGS/time.txt
  shift 2
  bench_log "$name"
  local load; load=$(cut -d' ' -f1 /proc/loadavg)
  if ! (cd "$dir" && timeout "$T" /usr/bin/time -v -o "$t" "$@" > "$LOGS/$name.out" 2> "$LOGS/$name.err"); then
    bench_log "$name failed:"; tail -n 3 "$LOGS/$name.err" >&2
    ROWS+=("$(table_row "$name" failed "" "" "$load")"); return 1
  fi
  local wall cpu rss
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$t" \
    | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.1f", s }')
  cpu=$(awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } END { printf "%.1f", u + s }' "$t")
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$t" | awk '{ printf "%d", $1 / 1024 }')
  ROWS+=("$(table_row "$name" "$wall" "$cpu" "$rss" "$load")")
}

# ---- the data and the project: made once, kept ------------------------------------------------
P=$DATA/project
if [ ! -f "$P/.generated" ]; then
  rm -rf "$P"
  bench_log "writing $FILES files in $FOLDERS folders and $BIG in one folder under $P/data"
  python3 "$ROOT/scripts/lib/scale-files.py" "$P/data" "$FILES" "$FOLDERS" "$BIG" || bench_die "generating the files failed"
  echo "$FILES $FOLDERS $BIG" > "$P/.generated"
fi
vso() { (cd "$1" && shift && timeout "$T" "$V" "$@"); }
if [ ! -f "$P/.committed" ]; then
  rm -rf "$P/.verso"
  vso "$P" init > /dev/null || bench_die "verso init failed"
  measure "add" "$P" "$V" add data || bench_die "add failed (see $LOGS)"
  measure "commit" "$P" "$V" commit -m first || bench_die "commit failed (see $LOGS)"
  bench_log "changing one file in each folder"
  # stamped, so that the files change even if an earlier run changed them already
  stamp=$(date +%s%N)
  for d in "$P"/data/many/d*; do echo "changed $stamp" > "$d/f00000.txt"; done
  echo "changed $stamp" > "$P/data/big/s0000007.bin"
  measure "commit of one changed file a folder" "$P" "$V" commit -m second \
    || bench_die "second commit failed (see $LOGS)"
  touch "$P/.committed"
fi
ids=$(vso "$P" log --json | python3 -c 'import json,sys; print(" ".join(e["id"] for e in json.load(sys.stdin)))')
read -r ID2 ID1 _ <<< "$ids"
[ -n "${ID1:-}" ] && [ -n "${ID2:-}" ] || bench_die "the project has not two versions"

# ---- the mount ----------------------------------------------------------------------------------
declare -A RES
# the daemon serving MNT: the java process whose command line names it
daemon_pid() { pids_with_arg "$MNT" '^java$' | head -n 1; }
POLL=
# Polls the daemon's VmHWM into RES[hwm] until it exits or the poller is stopped.
poll_hwm() {
  local pid=$1 v
  while kill -0 "$pid" 2>/dev/null; do
    v=$(vm_mib "$pid" VmHWM); [ -n "$v" ] && echo "$v" > "$LOGS/hwm.$pid"
    sleep 0.5
  done
}
# mount_fresh [URL]: a new daemon on MNT, of the project, or with URL of that remote alone
mount_fresh() {
  MNT=$WORK/mnt; mkdir -p "$MNT" "$WORK/empty"
  drop_caches 2>/dev/null || true
  if [ -z "${1:-}" ]; then
    vso "$P" mount "$MNT" --disk-cache-size 0 >> "$LOGS/mount.log" 2>&1 || bench_die "verso mount failed (see $LOGS/mount.log)"
  else
    vso "$WORK/empty" mount "$MNT" --remote-url "$1" --disk-cache-size 0 >> "$LOGS/mount.log" 2>&1 \
      || bench_die "verso mount --remote-url failed (see $LOGS/mount.log)"
  fi
  register_mount "$MNT"
  wait_until 60 test -e "$MNT/versions/$ID1" || bench_die "the version did not appear in the mount within 60 s"
  DPID=$(daemon_pid); [ -n "$DPID" ] || bench_die "no pid file for the mount daemon"
  register_pid "$DPID"
  poll_hwm "$DPID" & POLL=$!; register_pid "$POLL"
}
umount_fresh() {
  RES[hwm]=$(( $(cat "$LOGS/hwm.$DPID" 2>/dev/null || echo 0) > ${RES[hwm]:-0} ? $(cat "$LOGS/hwm.$DPID" 2>/dev/null || echo 0) : ${RES[hwm]:-0} ))
  vso "$WORK" umount "$MNT" >> "$LOGS/mount.log" 2>&1 || force_unmount "$MNT"
  wait_pid_exit "$DPID" 30 || stop_pid "$DPID"
  stop_pid "$POLL"; unregister_pid "$POLL"; unregister_pid "$DPID"
}
if want mount; then
  mount_fresh
  measure "mount: ls -R of the version (fresh mount)" "$WORK" sh -c "ls -R '$MNT/versions/$ID1' | wc -l > '$LOGS/lsR.count'"
  measure "mount: ls -R again (same mount)" "$WORK" sh -c "ls -R '$MNT/versions/$ID1' > /dev/null"
  umount_fresh
  mount_fresh
  measure "mount: ls of the $BIG-file folder (fresh mount)" "$WORK" sh -c "ls '$MNT/versions/$ID1/data/big' | wc -l > '$LOGS/lsbig.count'"
  measure "mount: cat of the $((FILES / FOLDERS)) files of one folder" "$WORK" \
    sh -c "cat '$MNT/versions/$ID1/data/many/d00000/'* > /dev/null"
  umount_fresh
  bench_log "ls -R printed $(cat "$LOGS/lsR.count") lines, ls of the big folder $(cat "$LOGS/lsbig.count")"
fi

# ---- the remote ---------------------------------------------------------------------------------
if want remote; then
  port_is_free "$PORT" || bench_die "port $PORT on 127.0.0.1 is in use; pick another with --port"
  JAR="$ROOT/target/tools/s3proxy-2.6.0-jar-with-dependencies.jar"
  [ -f "$JAR" ] || (cd "$ROOT" && ./mvnw -q -B dependency:copy \
    -Dartifact=org.gaul:s3proxy:2.6.0:jar:jar-with-dependencies -DoutputDirectory=target/tools) \
    || bench_die "could not fetch S3Proxy with ./mvnw"
  unset AWS_CA_BUNDLE AWS_PROFILE AWS_SESSION_TOKEN http_proxy https_proxy HTTP_PROXY HTTPS_PROXY
  export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
  export AWS_ACCESS_KEY_ID=verso-bench AWS_SECRET_ACCESS_KEY=verso-bench-secret-key
  export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 AWS_ENDPOINT_URL=http://127.0.0.1:$PORT
  export AWS_REQUEST_CHECKSUM_CALCULATION=when_required AWS_RESPONSE_CHECKSUM_VALIDATION=when_required
  s3proxy_start "$JAR" "$WORK/s3proxy" "$PORT" "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY"
  aws s3 mb s3://bench >> "$LOGS/aws.log" 2>&1 || bench_die "cannot create the bucket (see $LOGS/aws.log)"
  R=$(basename "$WORK")
  vso "$P" remote add "$R" "s3://bench/scale" > /dev/null || bench_die "remote add failed"
  sync
  measure "push (both versions)" "$P" "$V" --verbose push -r "$R"
  C=$WORK/clone; mkdir -p "$C"
  vso "$C" init > /dev/null && vso "$C" remote add r "s3://bench/scale" --default > /dev/null
  sync
  measure "fetch into an empty clone" "$C" "$V" --verbose fetch "$ID2"
  mount_fresh "s3://bench/scale"
  measure "mount of the remote: ls -R of the version (fresh mount)" "$WORK" sh -c "ls -R '$MNT/versions/$ID1' > /dev/null"
  umount_fresh
  mount_fresh "s3://bench/scale"
  measure "mount of the remote: ls of the $BIG-file folder (fresh mount)" "$WORK" sh -c "ls '$MNT/versions/$ID1/data/big' > /dev/null"
  measure "mount of the remote: cat of the $((FILES / FOLDERS)) files of one folder" "$WORK" \
    sh -c "cat '$MNT/versions/$ID1/data/many/d00000/'* > /dev/null"
  umount_fresh
  measure "verify (clone)" "$C" "$V" verify
  measure "diff of the two versions" "$P" "$V" diff "$ID1" "$ID2"
  measure "gc --cloud (nothing to delete)" "$P" "$V" gc --cloud -r "$R" --grace 0
  rm -f "$P/.verso/remotes/$R" 2>/dev/null
  vso "$P" remote remove "$R" > /dev/null 2>&1 || true
fi

report() {
  echo "## verso at scale: the mount and the remote (\`scripts/bench-scale-remote.sh\`)"
  echo
  echo "$((FILES / FOLDERS * FOLDERS)) files in $FOLDERS folders and $BIG in one folder; JAVA_OPTS=$JAVA_OPTS;"
  echo "$("$V" --version 2>&1 | head -n 1)${VERSO_JAR:+ ($VERSO_JAR)}; $(nproc) cores; $(date -u +%Y-%m-%dT%H:%M:%SZ)."
  [ -n "${RES[hwm]:-}" ] && echo "Mount daemon peak RSS (VmHWM, polled): ${RES[hwm]} MiB (limit: cache 512 MiB + 256 MiB)."
  echo
  table_row "command" "wall (s)" "CPU (s)" "peak RSS (MiB)" "load (1 min)"
  table_row "---" "---:" "---:" "---:" "---:"
  printf '%s\n' "${ROWS[@]}"
}
if [ -n "$OUT" ]; then report | tee "$OUT"; else report; fi
