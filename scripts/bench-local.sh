#!/usr/bin/env bash
# Benchmarks of verso's local commands against tools measured in the same run, with hyperfine.
#   scripts/bench-local.sh [WORKDIR] [RUNS]   > section.md
# Writes a markdown section (machine, commands, mean times, ratios) to stdout; progress to stderr.
# Needs: hyperfine, openssl, git, python3, about 3 GiB free in WORKDIR (default: a temp dir).
set -euo pipefail

here="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
verso="$here/scripts/verso"
work="${1:-$(mktemp -d "${TMPDIR:-/tmp}/verso-bench.XXXXXX")}"
runs="${2:-3}"
mkdir -p "$work"
log() { echo "bench: $*" >&2; }

[ -f "$here/target/verso.jar" ] || (cd "$here" && ./mvnw -q -B package -DskipTests >&2)

# Runs one command under hyperfine with its own prepare step; appends the JSON result. Prepare steps
# that delete what the previous run wrote end with sync, so no run competes with the writeback of
# the one before it.
results="$work/results"
mkdir -p "$results"
measure() { # NAME PREPARE COMMAND [extra hyperfine args...]
    local name="$1" prepare="$2" cmd="$3"
    shift 3
    log "$name"
    hyperfine --style none --runs "$runs" "$@" --prepare "$prepare" -n "$name" "$cmd" \
        --export-json "$results/$(echo "$name" | tr -c 'A-Za-z0-9' '_').json" >&2
}

# 1. one 1 GiB file: verso add (hash + store in the cache) vs openssl dgst -sha256 (hash only)
big="$work/big"
if [ ! -f "$big/data/file.bin" ]; then
    mkdir -p "$big/data"
    log "writing 1 GiB of random data"
    openssl rand -out "$big/data/file.bin" $((1 << 30))
fi
cat "$big/data/file.bin" > /dev/null
measure "verso add, one 1 GiB file" \
    "cd $big && rm -rf .verso data.verso .gitignore && $verso init > /dev/null && sync && cat data/file.bin > /dev/null" \
    "cd $big && $verso add data"
measure "openssl dgst -sha256, same file" "cat $big/data/file.bin > /dev/null" \
    "openssl dgst -sha256 $big/data/file.bin"

# 2. 20,000 files of 1-8 KiB in 200 folders: verso add vs git add in a fresh repository
small="$work/small"
if [ ! -d "$small/data" ]; then
    log "writing 20,000 small files"
    python3 - "$small/data" <<'PY'
import os, random, sys
root = sys.argv[1]
rnd = random.Random(1)
for d in range(200):
    p = os.path.join(root, "d%03d" % d)
    os.makedirs(p)
    for f in range(100):
        with open(os.path.join(p, "f%03d.bin" % f), "wb") as out:
            out.write(os.urandom(rnd.randint(1024, 8192)))
PY
fi
# Each run starts from the same state: the previous run's objects deleted and written back, the
# kernel's caches emptied of them (as root), and the source files read once into the page cache.
settle="sync; if [ -w /proc/sys/vm/drop_caches ]; then echo 3 > /proc/sys/vm/drop_caches; fi; cat \$(find data -type f) > /dev/null"
measure "verso add, 20,000 files" \
    "cd $small && rm -rf .verso .git data.verso .gitignore && $verso init > /dev/null && $settle" \
    "cd $small && $verso add data"
measure "git add, same files, fresh repository" \
    "cd $small && rm -rf .verso .git data.verso .gitignore && git init -q && $settle" \
    "cd $small && git add data"

# 3. verso status on that tree, unchanged (after one status has settled the index)
(cd "$small" && rm -rf .verso .git data.verso .gitignore && "$verso" init > /dev/null && "$verso" add data > /dev/null \
    && sleep 2 && "$verso" status > /dev/null)
measure "verso status, 20,000 unchanged files" "true" "cd $small && $verso status" --warmup 1

cpu="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
python3 - "$results" "$(nproc)" "$cpu" "$(java -version 2>&1 | head -1)" "$(df -T "$work" | awk 'NR==2 {print $2}')" <<'PY'
import json, os, sys
results, cores, cpu, java, fs = sys.argv[1:6]
r = {}
for f in sorted(os.listdir(results)):
    d = json.load(open(os.path.join(results, f)))["results"][0]
    r[d["command"]] = d
def mean(n): return r[n]["mean"]
print("## Local commands (scripts/bench-local.sh)\n")
print(f"Machine: {cores} cores ({cpu}), {java}, work dir on {fs}.\n")
print("| command | mean | min | max |")
print("|---|---|---|---|")
for n, d in r.items():
    print(f"| {n} | {d['mean']:.3f} s | {d['min']:.3f} s | {d['max']:.3f} s |")
gib = 1 << 30
va, os_ = mean("verso add, one 1 GiB file"), mean("openssl dgst -sha256, same file")
print(f"\n- 1 GiB: verso add {gib / va / 1e9:.2f} GB/s, openssl {gib / os_ / 1e9:.2f} GB/s: "
      f"**{os_ / va:.2f}x** openssl's throughput (target: at least 0.7x).")
vs, gs = mean("verso add, 20,000 files"), mean("git add, same files, fresh repository")
print(f"- 20,000 files: verso add {vs:.2f} s vs git add {gs:.2f} s: **{gs / vs:.2f}x** git's speed (target: at least 1x).")
st = mean("verso status, 20,000 unchanged files")
print(f"- verso status on the unchanged tree: **{st:.2f} s** (target: under 1 s).")
PY
