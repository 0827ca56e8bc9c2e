#!/usr/bin/env bash
# verso at scale against git on the same files: wall time and peak RSS of each command.
#   scripts/bench-scale.sh [FILES] [FOLDERS] [BIG] [WORKDIR]
# FILES small files (16-80 bytes) in FOLDERS folders, plus one folder of BIG files (defaults:
# 1,000,000 in 1,000 and 200,000, the issue's figures; use e.g. 200000 2000 100000 for a quicker run).
# verso runs with JAVA_OPTS (default -Xmx256m); VERSO_JAR=path/to/verso.jar measures that build instead
# of this checkout's (to compare before and after a change); STEP_TIMEOUT (seconds, default 3600)
# ends a step that takes longer. Prints a markdown table to stdout,
# progress to stderr.
# Needs: git, python3, /usr/bin/time (GNU), and disk for the files five times over (data, verso's
# cache, git's objects, the two workspaces moved aside before checkout): at the default size some
# 25 GB and 8.5 million free inodes (df -i). A shared
# machine makes every figure noisy: read them as a range.
set -euo pipefail

files="${1:-1000000}"
folders="${2:-1000}"
big="${3:-200000}"
work="${4:-$(mktemp -d "${TMPDIR:-/tmp}/verso-scale.XXXXXX")}"
mkdir -p "$work"
here="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
verso="$here/scripts/verso"
export JAVA_OPTS="${JAVA_OPTS:--Xmx256m}"
log() { echo "bench-scale: $*" >&2; }

if [ -n "${VERSO_JAR:-}" ]; then
    verso="$work/verso-jar"
    printf '#!/bin/sh\nexec "%s" $JAVA_OPTS -jar "%s" "$@"\n' "${JAVA_HOME:+$JAVA_HOME/bin/}java" \
        "$(readlink -f "$VERSO_JAR")" > "$verso"
    chmod +x "$verso"
else
    [ -f "$here/target/verso.jar" ] || (cd "$here" && ./mvnw -q -B package -DskipTests >&2)
    "$verso" --version > /dev/null # builds the class-data archive outside the measurements
fi

gen="$work/gen"
if [ ! -d "$gen/data" ]; then
    log "writing $files files in $folders folders and $big in one folder"
    python3 "$here/scripts/lib/scale-files.py" "$gen/data" "$files" "$folders" "$big"
fi

rows=()
# The workspace is moved aside, not deleted, before each checkout: for some minutes after a mass
# delete ext4 passes over the inodes just freed when it allocates new ones (its "recently deleted"
# check), and a checkout right after `rm -rf` of a million files measures mostly that search.
aside() { mv "$1" "$work/aside.$2"; sync; }
# Runs COMMAND in DIR under /usr/bin/time; records wall seconds and peak RSS (MiB).
measure() { # TOOL STEP DIR COMMAND...
    local tool="$1" step="$2" dir="$3"
    shift 3
    log "$tool: $step"
    local t="$work/time.txt"
    (cd "$dir" && timeout "${STEP_TIMEOUT:-3600}" /usr/bin/time -v -o "$t" "$@" > "$work/out.txt" \
        2> "$work/err.txt") || {
        log "$tool $step failed:"; tail -3 "$work/err.txt" >&2; rows+=("| $tool | $step | failed | |"); return 0; }
    local wall rss
    wall="$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$t" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.1f", s }')"
    rss="$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$t" | awk '{ printf "%d", $1 / 1024 }')"
    rows+=("| $tool | $step | $wall | $rss |")
}

# verso: a fresh project holding a copy of the files (cp -al would share inodes with git's copy).
v="$work/verso"
g="$work/git"
rm -rf "$v" "$g"
mkdir -p "$v" "$g"
log "copying the files twice"
cp -r "$gen/data" "$v/data"
cp -r "$gen/data" "$g/data"
sync

# The changed files get content no earlier run wrote, so a commit always has a change to record
# (even if the files were copied from a project that ran this script before).
stamp="$(date +%s%N)"
(cd "$v" && "$verso" init > /dev/null)
measure verso "add" "$v" "$verso" add data
measure verso "commit" "$v" "$verso" commit -m first
measure verso "status, unchanged" "$v" "$verso" status
echo "changed $stamp" > "$v/data/big/s0000007.bin"
measure verso "commit of one changed file" "$v" "$verso" commit -m second
echo "changed again $stamp" > "$v/data/big/s0000008.bin"
measure verso "commit of one changed file, named" "$v" "$verso" commit -m third data/big/s0000008.bin
aside "$v/data" verso
measure verso "checkout into an empty workspace" "$v" "$verso" checkout
measure verso "status after checkout" "$v" "$verso" status
measure verso "verify" "$v" "$verso" verify
measure verso "gc --workspace" "$v" "$verso" gc --workspace --force

# No automatic repack: it would run in the background of the next steps (git's add writes loose
# objects and packs them in its gc; verso packs small objects as it adds them).
(cd "$g" && git init -q . && git config user.email bench@example.com && git config user.name bench \
    && git config gc.auto 0)
measure git "add" "$g" git add -A
measure git "commit" "$g" git commit -q -m first
measure git "status, unchanged" "$g" git status --porcelain
echo "changed $stamp" > "$g/data/big/s0000007.bin"
measure git "commit of one changed file" "$g" git commit -q -a -m second
echo "changed again $stamp" > "$g/data/big/s0000008.bin"
measure git "commit of one changed file, named" "$g" git commit -q -m third -- data/big/s0000008.bin
aside "$g/data" git
measure git "checkout into an empty workspace" "$g" git checkout -- data
measure git "status after checkout" "$g" git status --porcelain

rm -rf "$work"/aside.*
echo "$((files / folders * folders)) files in $folders folders and $big in one folder;" \
    "verso with JAVA_OPTS=$JAVA_OPTS, $(nproc) cores."
echo
echo "| tool | command | wall (s) | peak RSS (MiB) |"
echo "|---|---|---|---|"
printf '%s\n' "${rows[@]}"
