#!/usr/bin/env bash
# kill -9 campaign: runs each command that writes (add, commit, tag, push, fetch, pull, checkout,
# gc --workspace, gc --cloud), kills it with SIGKILL at a random moment, then checks that
# `verso verify` (and `verify --remote` when a remote was touched) passes and that running the command
# again completes. Prints trials and failures per command; keeps the directory of each failed trial.
#   nice -n 10 scripts/torture.sh [TRIALS_PER_COMMAND] [DATA_MIB]     (default 34 trials, 8 MiB)
# TORTURE_ONLY=REGEX runs only the commands it matches, e.g. TORTURE_ONLY='push|gc --cloud'.
# The remote is a directory beside each project (file-level layout as on S3). Needs only a JDK.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
trials=${1:-34}
mib=${2:-8}
verso=("$root/scripts/verso")
[ -f target/verso.jar ] || ./mvnw -q -B -o package -DskipTests >&2
work=$(mktemp -d "${TMPDIR:-/tmp}/verso-torture.XXXXXX")
failed_dir="$work/failed"
mkdir -p "$failed_dir"

v() { (cd "$1" && shift && "${verso[@]}" "$@"); }

# Templates: a project beside its remote (configured as ../remote), in the states the commands start from.
make_data() {  # DIR: mib MiB in many small files and one file of several blocks
    mkdir -p "$1/data/sub"
    head -c $((mib * 1024 * 1024 / 2)) /dev/urandom >"$1/data/big.bin"
    for i in $(seq 1 64); do head -c $((mib * 1024 * 1024 / 128)) /dev/urandom >"$1/data/sub/f$i.bin"; done
}
tpl="$work/templates"
mkdir -p "$tpl/fresh/project" "$tpl/fresh/remote"
v "$tpl/fresh/project" init >/dev/null
v "$tpl/fresh/project" remote add r ../remote --default >/dev/null
make_data "$tpl/fresh/project"
cp -a "$tpl/fresh" "$tpl/added" && v "$tpl/added/project" add data >/dev/null
cp -a "$tpl/added" "$tpl/committed" && v "$tpl/committed/project" commit -m one >/dev/null
v1=$(cd "$tpl/committed/project" && "${verso[@]}" log --json | sed -n 's/.*"id" *: *"\([0-9a-f]*\)".*/\1/p' | head -1)
cp -a "$tpl/committed" "$tpl/pushed"
make_data "$tpl/pushed/project"
v "$tpl/pushed/project" commit -m two >/dev/null
v "$tpl/pushed/project" push >/dev/null
# strays on the remote for gc --cloud: objects that no version references
for i in $(seq 1 200); do
    f=$(mktemp "$work/stray.XXXXXX"); head -c 65536 /dev/urandom >"$f"
    id=$(sha256sum "$f" | cut -c1-64)
    mkdir -p "$tpl/pushed/remote/objects/${id:0:2}" && mv "$f" "$tpl/pushed/remote/objects/${id:0:2}/${id:2}"
done
mkdir -p "$tpl/clone/project"
cp -a "$tpl/pushed/remote" "$tpl/clone/remote"
v "$tpl/clone/project" init >/dev/null
v "$tpl/clone/project" remote add r ../remote --default >/dev/null

# command | template | touches the remote
cases=(
    "add data|fresh|no"
    "commit -m again|added|no"
    "tag t1 $v1|committed|no"
    "push|committed|yes"
    "fetch $v1|clone|yes"
    "pull $v1|clone|yes"
    "checkout $v1|pushed|no"
    "gc --workspace|pushed|no"
    "gc --cloud --grace 0|pushed|yes"
)
if [ -n "${TORTURE_ONLY:-}" ]; then
    kept=()
    for c in "${cases[@]}"; do [[ ${c%%|*} =~ $TORTURE_ONLY ]] && kept+=("$c"); done
    cases=("${kept[@]}")
fi

declare -A runs fails
for c in "${cases[@]}"; do runs[${c%%|*}]=0; fails[${c%%|*}]=0; done

fail() {  # TRIAL-DIR COMMAND WHAT
    fails[$2]=$((fails[$2] + 1))
    local keep
    keep="$failed_dir/$(echo "$2" | tr ' ' '_')-${runs[$2]}"
    mv "$1" "$keep"
    echo "FAIL: $2 (trial ${runs[$2]}): $3; kept in $keep" >&2
}

for c in "${cases[@]}"; do
    IFS='|' read -r cmd from remote <<<"$c"
    # how long the command takes uninterrupted: kills land uniformly over that time
    t="$work/timing"; rm -rf "$t"; cp -a "$tpl/$from" "$t"
    start=$(date +%s%N)
    # shellcheck disable=SC2086
    v "$t/project" $cmd >/dev/null 2>&1
    span=$((($(date +%s%N) - start) / 1000000))
    rm -rf "$t"
    for ((i = 1; i <= trials; i++)); do
        runs[$cmd]=$((runs[$cmd] + 1))
        t="$work/trial"; rm -rf "$t"; cp -a "$tpl/$from" "$t"
        # shellcheck disable=SC2086
        (cd "$t/project" && exec "${verso[@]}" $cmd) >"$t/killed.out" 2>&1 &
        pid=$!
        sleep "$(awk -v ms=$((RANDOM % (span + 1))) 'BEGIN { printf "%.3f", ms / 1000 }')"
        kill -9 "$pid" 2>/dev/null
        # the JVM is a child of the launcher's exec: the same pid
        wait "$pid" 2>/dev/null
        if ! out=$(v "$t/project" verify 2>&1); then fail "$t" "$cmd" "verify after the kill: $out"; continue; fi
        if [ "$remote" = yes ] && ! out=$(v "$t/project" verify --remote r 2>&1); then
            fail "$t" "$cmd" "verify --remote after the kill: $out"; continue
        fi
        # shellcheck disable=SC2086
        if ! out=$(v "$t/project" $cmd 2>&1) && ! [[ $cmd == add* && $out == *"already tracked"* ]]; then
            fail "$t" "$cmd" "rerun: $out"; continue
        fi
        if ! out=$(v "$t/project" verify 2>&1); then fail "$t" "$cmd" "verify after the rerun: $out"; continue; fi
    done
done

printf '\n%-22s %7s %9s\n' command trials failures
total=0; bad=0
for c in "${cases[@]}"; do
    cmd=${c%%|*}
    printf '%-22s %7d %9d\n' "${cmd% "$v1"}" "${runs[$cmd]}" "${fails[$cmd]}"
    total=$((total + runs[$cmd])); bad=$((bad + fails[$cmd]))
done
printf '%-22s %7d %9d\n' total "$total" "$bad"
rm -rf "$tpl" "$work/trial"
[ "$bad" -eq 0 ] && rm -rf "$work"
[ "$bad" -eq 0 ]
