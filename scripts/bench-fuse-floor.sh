#!/usr/bin/env bash
# The floor of FUSE's own cost for the small-file read of bench-mount.sh (case 7), on this machine:
# an in-memory file system in C (scripts/lib/memfs.c, libfuse 3's low-level API) serving the same
# shape (200 folders of 100 files of 1-8 KiB) with no network, no hashing and no JVM, read the same
# way (find | xargs cat, the page cache dropped first, a fresh mount each run), with two FUSE
# requests a file (lookup, read) and with readdirplus (the read only, as verso's mount does).
#
#   sudo scripts/bench-fuse-floor.sh [--runs N]
#
# Needs root (to drop the page cache), gcc, pkg-config and libfuse3-dev. Prints a markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/bench-common.sh
source scripts/lib/bench-common.sh

RUNS=3
while [ $# -gt 0 ]; do
  case $1 in
    --runs) RUNS=$2; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) bench_die "unknown option $1 (see --help)" ;;
  esac
done
[ "$(id -u)" = 0 ] || bench_die "run as root: the page cache is dropped before each read"
command -v gcc >/dev/null && pkg-config --exists fuse3 \
  || bench_die "needs gcc, pkg-config and libfuse3-dev (apt-get install gcc pkg-config libfuse3-dev)"

WORK= KEEP=0
bench_workdir verso-fuse-floor
gcc -O2 -Wall -o "$WORK/memfs" scripts/lib/memfs.c $(pkg-config --cflags --libs fuse3)
MNT=$WORK/mnt
mkdir -p "$MNT"

# read_once MODE READERS [TRACE]: one read through a fresh mount; prints "SECONDS CPU_SECONDS". With
# TRACE, the FUSE requests of the read go to $WORK/requests-MODE.
read_once() {
  local mode=$1 readers=$2 trace=${3:-} pid t0 t1 c0 c1
  "$WORK/memfs" "$MNT" "$mode" & pid=$!
  register_pid "$pid"; register_mount "$MNT"
  wait_until 10 is_mounted "$MNT" || bench_die "memfs did not mount"
  drop_caches
  [ -z "$trace" ] || fuse_trace_start "$MNT" || true
  c0=$(awk '{ print $14 + $15 }' "/proc/$pid/stat"); t0=$(now_ns)
  (cd "$MNT" && find . -type f -print0 | xargs -0 -n 250 -P "$readers" cat > /dev/null)
  t1=$(now_ns); c1=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
  [ -z "$trace" ] || fuse_trace_stop > "$WORK/requests-$mode"
  fusermount3 -u "$MNT"; wait "$pid" || true; unregister_pid "$pid"
  echo "$(secs_between "$t0" "$t1") $(awk -v c=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", c / hz }')"
}

declare -A T1 T8 CPU
for mode in noplus plus; do T1[$mode]=""; T8[$mode]=""; CPU[$mode]=""; done
for ((r = 1; r <= RUNS; r++)); do
  for mode in noplus plus; do
    read -r t c < <(read_once "$mode" 1 "$([ "$r" = 1 ] && echo trace || true)")
    T1[$mode]+=" $t"; CPU[$mode]+=" $c"
    read -r t c < <(read_once "$mode" 8)
    T8[$mode]+=" $t"
    bench_log "run $r $mode: 1 reader ${T1[$mode]##* } s, 8 readers $t s"
  done
done

echo "FUSE's floor on $(hostname) at $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, kernel $(uname -r);"
echo "medians of $RUNS runs (runs in brackets), 20,000 files, page cache dropped:"
echo
table_row "memfs (C, libfuse 3, in memory)" "1 reader (s)" "8 readers (s)" "its CPU, 1 reader (s)" "requests, 1 reader"
table_row "---" "---:" "---:" "---:" "---"
for mode in noplus plus; do
  # shellcheck disable=SC2086
  table_row "$([ $mode = plus ] && echo "readdirplus: read only (as verso's mount)" || echo "lookup and read")" \
    "$(median ${T1[$mode]}) [$(echo ${T1[$mode]} | tr ' ' /)]" "$(median ${T8[$mode]}) [$(echo ${T8[$mode]} | tr ' ' /)]" \
    "$(median ${CPU[$mode]})" "$(cat "$WORK/requests-$mode" 2>/dev/null || true)"
done
