# Shared helpers for verso's benchmark scripts (sourced, not run).
# Timing, medians, cache dropping, process/mount bookkeeping with cleanup on exit, an S3Proxy
# server on loopback, and result tables. Everything here talks only to 127.0.0.1.

# ---- output ---------------------------------------------------------------------------------
bench_log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
bench_die() { bench_log "error: $*"; exit 1; }

# ---- time and numbers -----------------------------------------------------------------------
now_ns() { date +%s%N; }
# seconds (3 decimals) between two now_ns stamps
secs_between() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'; }
# MB/s (10^6 bytes per second) for BYTES read in SECONDS
# verdict A B OP: PASS if A OP B (>=, <=, >, <) holds, FAIL if not, n/a if either is no number
verdict() { awk -v a="$1" -v b="$2" -v op="$3" 'BEGIN { if (a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/) print "n/a";
  else if ((op == ">=" && a + 0 >= b + 0) || (op == "<=" && a + 0 <= b + 0) || (op == ">" && a + 0 > b + 0) || (op == "<" && a + 0 < b + 0)) print "PASS"; else print "FAIL" }'; }
mbps() { awk -v b="$1" -v s="$2" 'BEGIN { if (s <= 0) print "n/a"; else printf "%.0f", b / 1e6 / s }'; }
# median of the numeric arguments (non-numeric ones, e.g. "fail", are ignored)
median() {
  printf '%s\n' "$@" | grep -E '^[0-9]+(\.[0-9]+)?$' | sort -g | awk '
    { v[NR] = $1 } END { if (NR == 0) { print "n/a"; exit }
      if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# A / B with two decimals, "n/a" when either is not a number
ratio() {
  awk -v a="$1" -v b="$2" 'BEGIN { if (a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/ || b + 0 == 0) print "n/a";
                                   else printf "%.2f", a / b }'
}

# Runs "$@" (a command or a shell function) and prints its wall time in seconds; the command's
# stdout is discarded, its stderr appended to BENCH_ERRLOG. Prints "fail" and returns 1 when the
# command fails. Bound slow steps with `timeout` inside the function being timed.
time_cmd() {
  local t0 t1
  t0=$(now_ns)
  if "$@" >/dev/null 2>>"${BENCH_ERRLOG:-/dev/null}"; then
    t1=$(now_ns); secs_between "$t0" "$t1"
  else
    echo fail; return 1
  fi
}

drop_caches() { sync; echo 3 > /proc/sys/vm/drop_caches; }

# ---- cleanup bookkeeping --------------------------------------------------------------------
# Every mount point and process the benchmark starts is registered here; bench_cleanup (run by
# the EXIT trap) unmounts the mounts, newest first, then stops the processes, newest first.
BENCH_MOUNTS=()
BENCH_PIDS=()
register_mount() { BENCH_MOUNTS+=("$1"); }
register_pid() { [ -n "$1" ] && BENCH_PIDS+=("$1"); }
# Forgets PID once it has exited, so that cleanup never signals a recycled pid.
unregister_pid() {
  local i
  for i in "${!BENCH_PIDS[@]}"; do [ "${BENCH_PIDS[i]}" = "$1" ] && unset 'BENCH_PIDS[i]'; done
  BENCH_PIDS=("${BENCH_PIDS[@]}")
}

is_mounted() { mountpoint -q "$1" 2>/dev/null; }

# Unmounts MNT if it is mounted: fusermount -u, then umount, then a lazy umount as a last resort.
force_unmount() {
  local mnt=$1
  is_mounted "$mnt" || return 0
  timeout 20 fusermount -u "$mnt" 2>/dev/null || timeout 20 umount "$mnt" 2>/dev/null \
    || umount -l "$mnt" 2>/dev/null || true
  ! is_mounted "$mnt"
}

# Stops PID (SIGTERM, then SIGKILL after ~10 s); no-op if it is gone.
stop_pid() {
  local pid=$1 i
  kill -0 "$pid" 2>/dev/null || return 0
  kill "$pid" 2>/dev/null || true
  for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.2; done
  kill -9 "$pid" 2>/dev/null || true
}

# Waits up to SECONDS for PID to exit.
wait_pid_exit() {
  local pid=$1 secs=${2:-10} i
  for i in $(seq 1 $((secs * 5))); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.2; done
  return 1
}

bench_cleanup() {
  local i
  set +e
  for ((i = ${#BENCH_MOUNTS[@]} - 1; i >= 0; i--)); do force_unmount "${BENCH_MOUNTS[i]}"; done
  for ((i = ${#BENCH_PIDS[@]} - 1; i >= 0; i--)); do stop_pid "${BENCH_PIDS[i]}"; done
  BENCH_PIDS=()
}

# bench_workdir NAME: the work directory (WORK if set, else a new /var/tmp/NAME.XXXXXX) with LOGS and
# BENCH_ERRLOG in it; on exit, what the run started is stopped and the directory deleted unless KEEP=1
# or something is still mounted under it.
bench_workdir() {
  if [ -z "$WORK" ]; then WORK=$(mktemp -d "/var/tmp/$1.XXXXXX"); else mkdir -p "$WORK"; fi
  WORK=$(cd "$WORK" && pwd)
  LOGS=$WORK/logs
  mkdir -p "$LOGS"
  BENCH_ERRLOG=$LOGS/commands.err
  trap bench_on_exit EXIT
  trap 'exit 130' INT TERM
}
bench_on_exit() {
  local rc=$?
  bench_cleanup
  if [ "$KEEP" = 1 ]; then bench_log "work directory kept: $WORK"
  elif grep -q " $WORK/" /proc/mounts; then bench_log "something is still mounted under $WORK; not deleting it"
  else rm -rf --one-file-system "$WORK"; fi
  exit $rc
}

# Waits until the command "$@" succeeds, up to SECONDS (first argument). Returns 1 on timeout.
wait_until() {
  local secs=$1 i; shift
  for i in $(seq 1 $((secs * 5))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  return 1
}

# Pids of processes (other than this shell) whose command line contains TEXT and whose name
# matches COMM_REGEX. Only used to *find* a daemon we started (for its RSS), never to kill by name.
pids_with_arg() {
  local text=$1 comm_re=$2 p cmd
  for p in /proc/[0-9]*; do
    [ "${p#/proc/}" = "$$" ] && continue
    cmd=$( { tr '\0' ' ' < "$p/cmdline"; } 2>/dev/null) || continue  # the process may be gone
    case "$cmd" in *"$text"*) ;; *) continue ;; esac
    grep -qE "$comm_re" "$p/comm" 2>/dev/null && echo "${p#/proc/}"
  done
}

# VmHWM / VmRSS of PID in MiB
vm_mib() { awk -v k="$2:" '$1 == k { printf "%.0f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null; }

# ---- tools ----------------------------------------------------------------------------------
# check_tools CMD:PACKAGE ... — prints the missing packages (space separated), empty if none.
missing_packages() {
  local spec cmd pkg out=()
  for spec in "$@"; do
    cmd=${spec%%:*}; pkg=${spec#*:}
    command -v "$cmd" >/dev/null 2>&1 || out+=("$pkg")
  done
  echo "${out[*]}"
}

port_is_free() { ! ss -Htln "sport = :$1" 2>/dev/null | grep -q .; }

# ---- FUSE requests ---------------------------------------------------------------------------
# fuse_trace_start MNT counts the requests the kernel sends to the FUSE mount at MNT (the
# fuse:fuse_request_send tracepoint of recent kernels, in a tracing instance of its own, filtered
# on the mount's device) until fuse_trace_stop, which prints them per operation, most first
# ("lookup 20205, read 20000, ..."). Both fail quietly (no output) where the tracepoint is missing.
FUSE_TRACE=/sys/kernel/tracing/instances/verso-bench-$$
fuse_trace_start() {
  local dev
  [ -d /sys/kernel/tracing/events/fuse ] || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
  [ -d /sys/kernel/tracing/events/fuse ] || return 1
  dev=$(mountpoint -d "$1" 2>/dev/null) || return 1
  mkdir -p "$FUSE_TRACE" 2>/dev/null && echo 65536 > "$FUSE_TRACE/buffer_size_kb" \
    && echo "connection == ${dev#*:}" > "$FUSE_TRACE/events/fuse/fuse_request_send/filter" \
    && echo 1 > "$FUSE_TRACE/events/fuse/fuse_request_send/enable"
}
fuse_trace_stop() {
  [ -d "$FUSE_TRACE" ] || return 0
  echo 0 > "$FUSE_TRACE/events/fuse/fuse_request_send/enable"
  grep -o '(FUSE_[A-Z_]*)' "$FUSE_TRACE/trace" | sed 's/[()]//g; s/^FUSE_//' | tr 'A-Z' 'a-z' | sort | uniq -c \
    | sort -rn | awk '{ printf "%s%s %d", sep, $2, $1; sep = ", " } END { print "" }'
  rmdir "$FUSE_TRACE" 2>/dev/null
}

# ---- S3Proxy --------------------------------------------------------------------------------
# s3proxy_start JAR DIR PORT KEY SECRET — runs S3Proxy (jclouds filesystem provider, data under
# DIR/data, log in DIR/s3proxy.log) on 127.0.0.1:PORT and waits until it answers HTTP.
S3PROXY_PID=
s3proxy_start() {
  local jar=$1 dir=$2 port=$3 key=$4 secret=$5
  mkdir -p "$dir/data"
  cat > "$dir/s3proxy.properties" <<EOF
s3proxy.endpoint=http://127.0.0.1:$port
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$key
s3proxy.credential=$secret
jclouds.provider=filesystem
jclouds.filesystem.basedir=$dir/data
EOF
  java -jar "$jar" --properties "$dir/s3proxy.properties" > "$dir/s3proxy.log" 2>&1 &
  S3PROXY_PID=$!
  register_pid "$S3PROXY_PID"
  wait_until 60 s3proxy_answers "$port" \
    || bench_die "S3Proxy did not answer on port $port within 60 s (log: $dir/s3proxy.log)"
}
s3proxy_answers() {
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/" 2>/dev/null)
  [ -n "$code" ] && [ "$code" != 000 ]
}

# ---- result tables --------------------------------------------------------------------------
# Results live in the associative array RES (declared by the caller): RES[key]=value.
# table_row CELL... — one markdown table row
table_row() { local out='|' c; for c in "$@"; do out+=" $c |"; done; echo "$out"; }
