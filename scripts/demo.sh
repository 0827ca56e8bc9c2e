#!/usr/bin/env bash
# The dataset-versioning tutorial (a DVC tutorial on two MedMNIST 3D datasets in S3), played with
# verso from start to end, then the part DVC cannot do: reading the old version through the mount,
# with no pull, after the local cache has been garbage-collected.
#
#   scripts/demo.sh [--remote s3://bucket/prefix] [--download] [--keep] [--from-dvc]
#
# By default it starts a local S3-compatible server (S3Proxy) on 127.0.0.1, so no cloud account is
# needed. With --remote it uses that S3 location instead, with the AWS settings of the environment
# (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or a profile, AWS_REGION, AWS_ENDPOINT_URL).
# --download fetches the real archives from zenodo instead of generating look-alikes with numpy.
# --keep keeps the temporary project (its path is printed). The demo prints every command it runs,
# checks its output against what the tutorial shows, and exits 1 at the first step that differs.
# --from-dvc plays the tutorial the DVC way instead (DVC's files written in DVC's formats by
# scripts/tutorial/dvc_format.py, as dvc is not installed), then brings its whole history into verso
# with one verso import dvc, and reads every old version through the mount (local S3 server only).
set -euo pipefail

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; }

remote_url=""
download=false
keep=false
from_dvc=false
while [ $# -gt 0 ]; do
  case "$1" in
    --remote) [ $# -ge 2 ] || { usage >&2; exit 2; }; remote_url=$2; shift 2 ;;
    --remote=*) remote_url=${1#--remote=}; shift ;;
    --download) download=true; shift ;;
    --keep) keep=true; shift ;;
    --from-dvc) from_dvc=true; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "demo: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
case "$remote_url" in ""|s3://?*) ;; *) echo "demo: --remote takes s3://bucket/prefix" >&2; exit 2 ;; esac
if $from_dvc && [ -n "$remote_url" ]; then
  echo "demo: --from-dvc uses the local S3 server (its push writes into the server's folder); drop --remote" >&2
  exit 2
fi

repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/verso-demo.XXXXXX")
project=$work/mnist3d
mnt=$work/mnt
last=$work/last-output.txt
s3_pid=""
current=""

# ---- output and checks ----------------------------------------------------------------------
say() { printf '\n## %s\n' "$*"; }
note() { printf '   (%s)\n' "$*"; }

fail() {
  printf '\ndemo: FAILED: %s\n' "$*" >&2
  [ -n "$current" ] && printf 'demo: the step was: $ %s\n' "$current" >&2
  exit 1
}

# run 'COMMAND LINE' — prints it like a terminal session, runs it in the project, shows its output
# (stdout and stderr) and keeps it in $last for the checks; a non-zero exit fails the demo.
run() {
  current=$1
  printf '$ %s\n' "$1"
  if ! (eval "$1") > "$last" 2>&1; then
    cat "$last"
    fail "the command exited with a non-zero status"
  fi
  cat "$last"
}

# expect TEXT... — each TEXT must appear in the last command's output
expect() {
  local t
  for t in "$@"; do
    grep -qF -- "$t" "$last" || fail "expected the output to contain: $t"
  done
}

# expect_shapes PREFIX ADRENAL FRACTURE — the last output shows both training sets' shapes
expect_shapes() {
  expect "$1adrenalmnist3d.npz ($2, 28, 28, 28)" "$1fracturemnist3d.npz ($3, 28, 28, 28)"
}

count_objects() { find "$project/.verso/cache/objects" -type f | wc -l; }

cleanup() {
  local rc=$?
  set +e
  if mountpoint -q "$mnt" 2>/dev/null; then
    (cd "$project" && timeout 30 verso umount "$mnt") >/dev/null 2>&1 \
      || fusermount -u "$mnt" 2>/dev/null || fusermount3 -u "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null
  fi
  if [ -n "$s3_pid" ] && kill -0 "$s3_pid" 2>/dev/null; then
    kill "$s3_pid" 2>/dev/null
    wait "$s3_pid" 2>/dev/null
  fi
  if $keep || [ "$rc" != 0 ]; then
    echo "demo: the project is kept in $project" >&2
  else
    rm -rf "$work"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- prerequisites --------------------------------------------------------------------------
cd "$repo"
bash scripts/setup-os.sh || fail "the OS packages verso's mount needs are missing (see above)"
[ -c /dev/fuse ] || fail "/dev/fuse is missing; in a container run it with --device /dev/fuse --cap-add SYS_ADMIN"
command -v git >/dev/null || fail "git is not installed"
if [ ! -f target/verso.jar ] || [ -n "$(find pom.xml src/main -newer target/verso.jar -print -quit)" ]; then
  echo "building verso (./mvnw -q -B package -DskipTests)..."
  ./mvnw -q -B package -DskipTests || fail "the build failed; run ./mvnw -B package to see why"
fi
mkdir -p "$work/bin" "$project" "$mnt"
ln -s "$repo/scripts/verso" "$work/bin/verso"
export PATH="$work/bin:$PATH"
export GIT_AUTHOR_NAME="verso demo" GIT_AUTHOR_EMAIL="demo@example.com"
export GIT_COMMITTER_NAME="verso demo" GIT_COMMITTER_EMAIL="demo@example.com"

endpoint_flag=""
if [ -z "$remote_url" ]; then
  echo "starting a local S3 server (S3Proxy) on 127.0.0.1..."
  bash scripts/s3server.sh --port 0 --dir "$work/s3" --bucket verso-demo > "$work/s3server.log" 2>&1 &
  s3_pid=$!
  line=""
  for _ in $(seq 1 600); do
    line=$(grep -m1 '^S3 endpoint ' "$work/s3server.log" || true)
    [ -n "$line" ] && break
    kill -0 "$s3_pid" 2>/dev/null || { tail -20 "$work/s3server.log" >&2; fail "the S3 server did not start"; }
    sleep 0.5
  done
  [ -n "$line" ] || fail "the S3 server did not start within 5 minutes (log: $work/s3server.log)"
  read -r _ _ s3_endpoint _ s3_bucket _ s3_key _ s3_secret _ <<< "$line"
  export AWS_ACCESS_KEY_ID=$s3_key AWS_SECRET_ACCESS_KEY=$s3_secret AWS_REGION=us-east-1
  unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3
  remote_url="s3://$s3_bucket/mnist3d_cache"
  endpoint_flag=" --endpoint $s3_endpoint"
  echo "S3 server ready: $s3_endpoint, bucket $s3_bucket"
fi

cd "$project"

# expect_version_shapes COMMIT ADRENAL FRACTURE — numpy reads the shapes of the version imported from
# git commit COMMIT, through the mount
expect_version_shapes() {
  local d="$mnt/tags/git-${1:0:7}/datasets"
  run "python3 -c 'import glob, numpy as np; [print(f, np.load(f)[\"train_images\"].shape) for f in sorted(glob.glob(\"$d/*.npz\"))]'"
  expect_shapes "$d/" "$2" "$3"
}

if $from_dvc; then
  dvc="python3 $repo/scripts/tutorial/dvc_format.py"
  # S3Proxy serves the files under its folder as the bucket's objects: "dvc push" copies there.
  remote_dir="$work/s3/$s3_bucket/mnist3d_cache"
  say "Set up a DVC project (in $project)"
  note "dvc is not installed here: scripts/tutorial/dvc_format.py writes DVC 3's files (.dvc files, .dvc/cache, .dir manifests) in DVC's formats"
  run "git init -q"
  run "$dvc init s3cache $remote_url/ $s3_endpoint"
  run "cat .dvc/config"
  run "mkdir datasets"
  if $download; then
    for name in adrenalmnist3d fracturemnist3d; do
      url=https://zenodo.org/record/5208230/files/$name.npz
      run "curl -fsSL --connect-timeout 20 --max-time 900 $url --output datasets/$name.npz"
    done
  else
    note "no download: two archives shaped like MedMNIST 3D are generated with numpy (--download fetches the real ones)"
    run "python3 $repo/scripts/tutorial/make_datasets.py"
  fi
  run "echo datasets > .gitignore"
  run "$dvc add datasets"
  run "cat datasets.dvc"
  run "cp $repo/scripts/tutorial/train_shape.py $repo/scripts/tutorial/train_resample.py ."
  run "git add .dvc/config .dvc/.gitignore .gitignore datasets.dvc *.py"
  run "git commit -q -m 'initial commit'"
  first_commit=$(git rev-parse HEAD)
  run "$dvc push $remote_dir"
  note "dvc push -r s3cache: the objects go to the S3 server's storage folder"

  say "Modifying the datasets, the DVC way"
  run "python3 train_shape.py"
  expect_shapes datasets/ 1188 1027
  run "python3 train_resample.py"
  run "python3 train_shape.py"
  expect_shapes datasets/ 100 100
  run "$dvc add datasets"
  note "dvc commit"
  run "$dvc push $remote_dir"
  run "git commit -q -am 'resampled training data'"
  second_commit=$(git rev-parse HEAD)
  run "ls -R .dvc/cache"
  run "$dvc gc-workspace"
  note "dvc gc -w: the original archives are now only on the S3 remote"
  run "ls -R .dvc/cache"
  run "git checkout $first_commit -- datasets.dvc"
  run "git commit -q -m 'restored data'"
  third_commit=$(git rev-parse HEAD)
  run "git log --oneline"

  say "The whole DVC history into verso, with one command"
  run "verso init"
  run "verso import dvc"
  expect "imported 3 commit(s)" "[git-${first_commit:0:7}]" "[git-${second_commit:0:7}]" "[git-${third_commit:0:7}]"
  note "the original archives came from the DVC remote on S3, each file checked against DVC's md5"
  run "verso log"
  run "verso import dvc"
  expect "nothing new to import"

  say "Every DVC-era version through the mount"
  run "verso mount $mnt"
  run "ls $mnt/tags"
  expect "git-${first_commit:0:7}" "git-${second_commit:0:7}" "git-${third_commit:0:7}"
  expect_version_shapes "$first_commit" 1188 1027
  expect_version_shapes "$second_commit" 100 100
  expect_version_shapes "$third_commit" 1188 1027
  run "verso umount $mnt"
  mountpoint -q "$mnt" && fail "$mnt is still mounted after verso umount"
  say "Done: three DVC commits imported with one command; each version read by numpy through the mount"
  exit 0
fi

# ---- Set up the project ---------------------------------------------------------------------
say "Set up the project (in $project)"
run "git init -q"
run "verso init"
expect "Initialized"
run "verso remote add s3cache $remote_url --default$endpoint_flag"
run "mkdir datasets"

if $download; then
  for name in adrenalmnist3d fracturemnist3d; do
    url=https://zenodo.org/record/5208230/files/$name.npz
    current="curl $url --output datasets/$name.npz"
    printf '$ %s\n' "$current"
    curl -fsSL --connect-timeout 20 --max-time 900 "$url" --output "datasets/$name.npz" \
      || fail "cannot download $url (no network?); run the demo without --download to use generated archives"
  done
else
  note "no download: two archives shaped like MedMNIST 3D are generated with numpy (--download fetches the real ones)"
  run "python3 $repo/scripts/tutorial/make_datasets.py"
fi
run "ls -l datasets"
run "echo datasets > .gitignore"
run "verso add datasets"
expect "added datasets (2 files"

run "cp $repo/scripts/tutorial/train_shape.py $repo/scripts/tutorial/train_resample.py ."
note "train_shape.py and train_resample.py are the tutorial's own scripts"
run "git add .verso/config .gitignore datasets.verso *.py"
run "git commit -q -m 'initial commit'"
first_commit=$(git rev-parse HEAD)
run "verso commit -m 'original datasets'"
expect "committed "
first_version=$(python3 -c 'import json; print(json.load(open("datasets.verso"))["version"])')
first_short=${first_version:0:10}
run "verso push -r s3cache"

# ---- Modifying the datasets -----------------------------------------------------------------
say "Modifying the datasets"
run "python3 train_shape.py"
expect_shapes datasets/ 1188 1027
run "python3 train_resample.py"
run "python3 train_shape.py"
expect_shapes datasets/ 100 100
run "verso status"
expect "modified   datasets"
run "verso commit -m 'resampled to 100 training volumes'"
expect "committed "
run "verso push -r s3cache"
run "verso log"

# ---- The local cache and gc -----------------------------------------------------------------
say "The local cache, before and after garbage collection"
run "ls -R .verso/cache"
before=$(count_objects)
note "$before objects in the cache: both versions"
run "verso gc --workspace"
expect "deleted "
run "ls -R .verso/cache"
after=$(count_objects)
note "$after objects left: only what the workspace uses"
[ "$after" -lt "$before" ] || fail "gc --workspace deleted nothing ($before objects before, $after after)"
run "python3 train_shape.py"
expect_shapes datasets/ 100 100
run "git add datasets.verso; git commit -q -m 'resampled training data'"

# ---- The old version through the mount ------------------------------------------------------
say "The original datasets, read through the mount: no pull, no checkout"
run "verso mount $mnt"
run "ls $mnt $mnt/versions"
expect "$first_version"
note "a short id works too: versions/$first_short is a link to versions/$first_version"
run "ls -l $mnt/versions/$first_short/datasets"
run "python3 -c 'import glob, numpy as np; [print(f, np.load(f)[\"train_images\"].shape) for f in sorted(glob.glob(\"$mnt/versions/$first_short/datasets/*.npz\"))]'"
expect_shapes "$mnt/versions/$first_short/datasets/" 1188 1027
[ "$(count_objects)" = "$after" ] || fail "reading through the mount changed the local cache"
note "the local cache still holds $after objects: the bytes came from S3, block by block, verified"

say "The current datasets"
run "python3 train_shape.py"
expect_shapes datasets/ 100 100
run "python3 -c 'import glob, numpy as np; [print(f, np.load(f)[\"train_images\"].shape) for f in sorted(glob.glob(\"$mnt/latest/datasets/*.npz\"))]'"
expect_shapes "$mnt/latest/datasets/" 100 100

# ---- Reverting the datasets, as the tutorial does -------------------------------------------
say "Reverting the datasets, as in the tutorial"
run "git log --oneline"
run "git checkout $first_commit -- datasets.verso"
run "verso pull -r s3cache"
run "python3 train_shape.py"
expect_shapes datasets/ 1188 1027
run "git commit -q -am 'restored data'"
run "verso commit -m 'restored data'"
run "verso gc --workspace"
expect "deleted "
run "verso log"
expect "restored data" "resampled to 100 training volumes" "original datasets"
run "verso umount $mnt"
mountpoint -q "$mnt" && fail "$mnt is still mounted after verso umount"

say "Done: the original shapes were read through the mount after gc, then the resampled ones, then the restored originals"
