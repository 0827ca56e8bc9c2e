#!/usr/bin/env bash
# Benchmarks `verso import dvc` against `verso add` + `verso commit` of the same data, in one run.
# Two DVC-format projects are built in a work directory with scripts/tutorial/dvc_format.py (DVC 3
# files; dvc itself is not needed):
#   archives  3 git commits, each writing 2 archives of random bytes (new objects in every commit)
#   folder    a folder of small files (1-8 KiB) over 3 commits, each later one rewriting a share of them
# For each, a fresh verso project imports the whole history from the local DVC cache, and another
# fresh project records the same three states with add + commit, then commit, then commit (each
# state is checked out into its workspace first, untimed, writing only the files that changed). Wall and CPU seconds of the verso
# commands, the page cache dropped before each when run as root. Writes a markdown section to stdout
# and to --out.
#
#   scripts/bench-import.sh [--archive-mib N] [--files N] [--change-pct N] [--runs N]
#                           [--case archives|folder|both] [--work-dir DIR] [--keep] [--out FILE]
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib/bench-common.sh
. "$ROOT/scripts/lib/bench-common.sh"

ARCHIVE_MIB=100
FILES=20000
DIRS=100
CHANGE_PCT=10
RUNS=1
CASES=both
TARGET=1.5
WORK=
KEEP=0
OUT="$ROOT/docs/benchmarks-import-latest.md"
ARGS=$(printf '%q ' "$@"); ARGS=${ARGS% }

usage() {
  sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
  cat <<'EOF'

  --archive-mib N  size of each archive in MiB (default 100, the tutorial's)
  --files N        files in the folder (default 20000, in 100 subfolders, 1-8 KiB each)
  --change-pct N   share of the folder's files rewritten by the second and third commits (default 10)
  --runs N         runs per figure, each into fresh projects; the median is reported (default 1)
  --case C         archives, folder or both (default both)
  --work-dir DIR   where to put data and logs (default: a new directory under /var/tmp); with --keep,
                   a later run with the same sizes reuses the DVC projects it holds
  --keep           keep the work directory
  --out FILE       also write the report here (default docs/benchmarks-import-latest.md)

The target (issue 18): import <= 1.5 x the wall time of add + commit of the same three states.
Environment: JAVA_OPTS for verso's JVM; VERSO_CLI to run another verso launcher; BENCH_CMD_TIMEOUT
(seconds, default 1800) bounds each command.
EOF
}

while [ $# -gt 0 ]; do
  case "$1" in
    --archive-mib) ARCHIVE_MIB=$2; shift 2 ;;
    --files) FILES=$2; shift 2 ;;
    --change-pct) CHANGE_PCT=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --case) CASES=$2; shift 2 ;;
    --work-dir) WORK=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$ARCHIVE_MIB" =~ ^[0-9]+$ && "$ARCHIVE_MIB" -ge 1 ]] || { echo "--archive-mib must be a positive integer" >&2; exit 2; }
[[ "$FILES" =~ ^[0-9]+$ && "$FILES" -ge "$DIRS" ]] || { echo "--files must be an integer >= $DIRS" >&2; exit 2; }
[[ "$CHANGE_PCT" =~ ^[0-9]+$ && "$CHANGE_PCT" -ge 1 && "$CHANGE_PCT" -le 100 ]] \
  || { echo "--change-pct must be an integer from 1 to 100" >&2; exit 2; }
[[ "$RUNS" =~ ^[0-9]+$ && "$RUNS" -ge 1 ]] || { echo "--runs must be a positive integer" >&2; exit 2; }
case "$CASES" in archives) CASE_LIST=(archives) ;; folder) CASE_LIST=(folder) ;; both) CASE_LIST=(archives folder) ;;
  *) echo "--case must be archives, folder or both" >&2; exit 2 ;; esac

missing=$(missing_packages java:openjdk-17-jdk-headless git:git python3:python3 /usr/bin/time:time)
[ -z "$missing" ] || bench_die "missing tools; install them with: apt-get install -y $missing"

VJAR="$ROOT/target/verso.jar"
if [ -z "${VERSO_CLI:-}" ] && { [ ! -f "$VJAR" ] \
    || [ -n "$(find "$ROOT/src/main" "$ROOT/pom.xml" -newer "$VJAR" -type f 2>/dev/null | head -n 1)" ]; }; then
  bench_log "building target/verso.jar"
  (cd "$ROOT" && ./mvnw -q -B package -DskipTests) >&2 || bench_die "the build failed; run ./mvnw package"
fi
V=${VERSO_CLI:-$ROOT/scripts/verso}
"$V" --version > /dev/null 2>&1 || bench_die "$V --version failed"  # builds the class-data archive, untimed
DVCF="$ROOT/scripts/tutorial/dvc_format.py"

bench_workdir verso-bench-import
T=${BENCH_CMD_TIMEOUT:-1800}
declare -A RES
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
if [ -w /proc/sys/vm/drop_caches ]; then COLD="page cache dropped before each timed command"; else
  COLD="page cache not dropped (not root): figures are warm"; fi
cold() { if [ -w /proc/sys/vm/drop_caches ]; then drop_caches; else sync; fi; }

# ---- the DVC projects -------------------------------------------------------------------------
# new_dvc_project DIR: git init + dvc init (a local-directory remote, never used here) + a first commit
# that tracks nothing, as a real project's history starts.
new_dvc_project() {
  mkdir -p "$1" && cd "$1" || return 1
  git init -q -b main . && git config user.email bench@example.com && git config user.name bench \
    && git config gc.auto 0 || return 1
  python3 "$DVCF" init storage "$1.remote" > /dev/null && git add .dvc && git commit -q -m "dvc init"
}

# dvc_commit MSG PATH...: dvc add each PATH, then commit its .dvc file and .gitignore.
dvc_commit() {
  local msg=$1 p
  shift
  for p in "$@"; do python3 "$DVCF" add "$p" > /dev/null || return 1; done
  for p in "$@"; do git add "$p.dvc" "$(dirname "$p")/.gitignore" || return 1; done
  git commit -q -m "$msg"
}

make_archives() {
  local dir=$1 c
  (
    new_dvc_project "$dir" || exit 1
    mkdir -p data
    for c in 1 2 3; do
      head -c $((ARCHIVE_MIB * 1048576)) /dev/urandom > data/images.tar
      head -c $((ARCHIVE_MIB * 1048576)) /dev/urandom > data/labels.tar
      dvc_commit "archives, state $c" data/images.tar data/labels.tar || exit 1
    done
  )
}

# write_folder ROOT N DIRS COMMIT PCT: commit 1 writes N files; a later one rewrites PCT% of them.
write_folder() {
  python3 - "$@" <<'EOF'
import os, random, sys
root, files, dirs, commit, pct = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
rng = random.Random(commit)
names = range(files) if commit == 1 else rng.sample(range(files), files * pct // 100)
for i in names:
    d = os.path.join(root, "d%03d" % (i % dirs))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "f%05d.bin" % i), "wb") as f:
        f.write(rng.randbytes(rng.randint(1024, 8192)))
EOF
}

make_folder() {
  local dir=$1 c
  (
    new_dvc_project "$dir" || exit 1
    for c in 1 2 3; do
      write_folder data/samples "$FILES" "$DIRS" "$c" "$CHANGE_PCT" || exit 1
      dvc_commit "folder, state $c" data/samples || exit 1
    done
  )
}

# distinct_bytes DIR: bytes of all objects in DIR's DVC cache but the .dir manifests.
distinct_bytes() {
  find "$1/.dvc/cache" -type f ! -name '*.dir' -printf '%s\n' | awk '{ s += $1 } END { printf "%d", s }'
}

# ---- timing -----------------------------------------------------------------------------------
# timed KEY DIR ARGS...: runs verso ARGS in DIR after dropping the page cache; adds its wall, user+sys
# CPU seconds to RES[KEY.wall], RES[KEY.cpu]. Returns 1 if the command fails.
timed() {
  local key=$1 dir=$2 t=$LOGS/time.txt
  shift 2
  cold
  if ! (cd "$dir" && timeout "$T" /usr/bin/time -f '%e %U %S' -o "$t" "$V" "$@") >> "$LOGS/$key.out" \
      2>> "$BENCH_ERRLOG"; then
    bench_log "verso $* failed in $dir (see $BENCH_ERRLOG)"; return 1
  fi
  read -r w u s < <(tail -n 1 "$t")
  RES[$key.wall]=$(awk -v a="${RES[$key.wall]:-0}" -v b="$w" 'BEGIN { printf "%.2f", a + b }')
  RES[$key.cpu]=$(awk -v a="${RES[$key.cpu]:-0}" -v b="$u" -v c="$s" 'BEGIN { printf "%.2f", a + b + c }')
}

LAST_PATHS='import json, sys
head = [v for v in json.load(sys.stdin) if v["head"]][0]
print(" ".join(sorted(p["path"] + "=" + p["id"] for p in head["paths"])))'

# run_case CASE RUN: import into a fresh project, then add + commit of the three states into another.
run_case() {
  local name=$1 run=$2 dvc=$WORK/$1/dvc imp=$WORK/$1/import-$2 add=$WORK/$1/add-$2 c commits OUTS
  if [ "$name" = archives ]; then OUTS=(data/images.tar data/labels.tar); else OUTS=(data/samples); fi
  rm -rf "$imp" "$add"
  mkdir -p "$imp" "$add"
  (cd "$imp" && "$V" init > /dev/null) || bench_die "verso init failed in $imp"
  bench_log "$name, run $run: verso import dvc"
  timed "$name.import.$run" "$imp" import dvc "$dvc" || return 1
  grep -q '^imported 3 commit(s)' "$LOGS/$name.import.$run.out" \
    || bench_die "the import did not record 3 versions (see $LOGS/$name.import.$run.out)"
  (cd "$add" && "$V" init > /dev/null) || bench_die "verso init failed in $add"
  mapfile -t commits < <(git -C "$dvc" rev-list --reverse --first-parent main | tail -n 3)
  for c in 1 2 3; do
    git -C "$dvc" checkout -q "${commits[c - 1]}" || bench_die "git checkout failed in $dvc"
    (cd "$dvc" && python3 "$DVCF" checkout "$add" > /dev/null) || bench_die "checkout of state $c failed"
    bench_log "$name, run $run: verso $([ "$c" = 1 ] && echo "add + ")commit of state $c"
    # The first state is added; a tracked path's later changes are recorded by commit alone.
    if [ "$c" = 1 ]; then timed "$name.add.$run" "$add" add "${OUTS[@]}" || return 1; fi
    timed "$name.add.$run" "$add" commit -m "state $c" || return 1
  done
  git -C "$dvc" checkout -q main
  # The two projects hold the same last state: the same paths with the same content ids.
  local a b
  a=$(cd "$imp" && "$V" log --json | python3 -c "$LAST_PATHS")
  b=$(cd "$add" && "$V" log --json | python3 -c "$LAST_PATHS")
  [ -n "$a" ] && [ "$a" = "$b" ] || bench_die "$name: the import's last version differs from add's ($a vs $b)"
  rm -rf "$imp" "$add"
}

for name in "${CASE_LIST[@]}"; do
  params="archive-mib=$ARCHIVE_MIB files=$FILES change-pct=$CHANGE_PCT"
  if [ -f "$WORK/$name/params" ] && [ "$(cat "$WORK/$name/params")" = "$params" ]; then
    bench_log "reusing the DVC project '$name' in $WORK/$name/dvc"
  else
    bench_log "building the DVC project '$name'"
    rm -rf "$WORK/$name"
    "make_$name" "$WORK/$name/dvc" > "$LOGS/make-$name.log" 2>&1 \
      || bench_die "could not build the DVC project (see $LOGS/make-$name.log)"
    echo "$params" > "$WORK/$name/params"
  fi
  RES[$name.bytes]=$(distinct_bytes "$WORK/$name/dvc")
  RES[$name.objects]=$(find "$WORK/$name/dvc/.dvc/cache" -type f ! -name '*.dir' | wc -l)
  for r in $(seq 1 "$RUNS"); do
    run_case "$name" "$r" || bench_die "$name, run $r failed"
  done
  for m in import add; do
    for f in wall cpu; do
      vals=()
      for r in $(seq 1 "$RUNS"); do vals+=("${RES[$name.$m.$r.$f]}"); done
      RES[$name.$m.$f]=$(median "${vals[@]}")
      RES[$name.$m.$f.runs]="${vals[*]}"
    done
  done
done
RES[version]=$("$V" --version 2>&1 | head -n 1)

# ---- report -----------------------------------------------------------------------------------
v() { echo "${RES[$1]:-n/a}"; }
runs() { [ "$RUNS" -gt 1 ] && echo " [$(v "$1.runs")]"; }
report() {
  local cpu name what r
  cpu=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)
  echo "## Importing DVC history (\`scripts/bench-import.sh${ARGS:+ $ARGS}\`)"
  echo
  echo "Run on $(date -u +%Y-%m-%dT%H:%M:%SZ); median of $RUNS run(s)$([ "$RUNS" -gt 1 ] && echo ", runs in brackets"). Wall and"
  echo "CPU (user + system) seconds of the verso commands, JVM start included: one \`verso import dvc\`"
  echo "of the three commits against \`verso add\` + \`verso commit\` of the first state and \`verso commit\`"
  echo "of each later one (the workspace changed in between, untimed, as \`dvc checkout\` would);"
  echo "$COLD."
  echo
  echo "- Machine: $cpu, \`nproc\` = $(nproc), $(free -g | awk '/^Mem:/ { print $2 " GiB" }') RAM, $(uname -sr);"
  echo "  load average at the start: $LOAD_START, at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- $(v version); $(java -version 2>&1 | head -n 1); JAVA_OPTS=${JAVA_OPTS:-(none)}"
  echo
  table_row "DVC project (3 commits)" "distinct objects" "import wall (s)" "import CPU (s)" \
    "add + commit wall (s)" "add + commit CPU (s)" "import / add+commit (wall)" "(CPU)" "target ≤ ${TARGET}× (wall)"
  table_row "---" "---:" "---:" "---:" "---:" "---:" "---:" "---:" "---"
  for name in "${CASE_LIST[@]}"; do
    if [ "$name" = archives ]; then what="2 archives of $ARCHIVE_MIB MiB, both new in each commit"
    else what="$FILES files of 1–8 KiB, $CHANGE_PCT% rewritten in commits 2 and 3"; fi
    r=$(ratio "$(v "$name.import.wall")" "$(v "$name.add.wall")")
    table_row "$what" "$(v "$name.objects") ($(awk -v b="$(v "$name.bytes")" 'BEGIN { printf "%.0f MB", b / 1e6 }'))" \
      "$(v "$name.import.wall")$(runs "$name.import.wall")" "$(v "$name.import.cpu")$(runs "$name.import.cpu")" \
      "$(v "$name.add.wall")$(runs "$name.add.wall")" "$(v "$name.add.cpu")$(runs "$name.add.cpu")" \
      "${r}×" "$(ratio "$(v "$name.import.cpu")" "$(v "$name.add.cpu")")×" "$(verdict "$r" "$TARGET" "<=" | sed 's/PASS/met/; s/FAIL/not met/')"
  done
}
mkdir -p "$(dirname "$OUT")"
report | tee "$OUT"
