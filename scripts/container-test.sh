#!/usr/bin/env bash
# The container cases of docs/containers.md, run for real with podman (not part of scripts/test.sh
# or CI). It builds a Debian base image locally (debootstrap from the mirror this machine's apt
# uses, with a JDK, libfuse2, fuse3, libssl3 and python3-numpy), builds the project's Dockerfile on it (its
# base images given as build arguments, Maven offline from a warm cache), starts a local S3 server with
# two versions of a numpy dataset, and runs the page's commands as written, with podman for docker:
# the mount and a reader in one container, the mount shared through the host's /mnt/verso with a
# reader container (numpy) and one of another uid, podman stop, kill -9 and a new container, and the
# errors without --device or --cap-add. It prints PASS or FAIL per case and exits non-zero if any
# failed.
#
# Needs root on Debian or Ubuntu (it installs podman, runc, debootstrap and the FUSE packages).
# Podman runs with its own configuration and storage, all under target/container-test/ (delete it
# to start over; the base image is kept between runs): runc rather than crun (which needs a pure
# cgroup v2 host) and ulimits no higher than this shell's (raising them needs CAP_SYS_RESOURCE).
# It uses /mnt/verso, as the docs do, and leaves it as it found it.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
work=$repo/target/container-test
bucket=my-bucket
url=s3://$bucket/mnist3d_cache

if [ "$(id -u)" != 0 ]; then
    echo "container-test: run as root (podman mounts, /mnt/verso)" >&2
    exit 1
fi
scripts/setup-os.sh
need=()
for p in podman runc debootstrap uidmap; do
    dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
    echo "installing ${need[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
fi

mkdir -p "$work"
nofile="nofile=$(ulimit -Hn):$(ulimit -Hn)"
# conmon, which starts each container, runs with at most 32768 processes here
n=$(ulimit -Hu)
[ "$n" != unlimited ] && [ "$n" -lt 32768 ] || n=32768
nproc="nproc=$n:$n"
cat > "$work/containers.conf" <<EOF
[containers]
default_ulimits = ["$nofile", "$nproc"]
[engine]
runtime = "runc"
EOF
cat > "$work/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$work/storage"
runroot = "$work/run"
EOF
export CONTAINERS_CONF=$work/containers.conf CONTAINERS_STORAGE_CONF=$work/storage.conf

s3_pid=""
made_mnt=""
cleanup() {
    set +e
    podman rm -f -t 0 verso-mount >/dev/null 2>&1
    for _ in 1 2 3; do
        findmnt -n /mnt/verso >/dev/null 2>&1 && umount -l /mnt/verso
    done
    [ -n "$made_mnt" ] && rmdir /mnt/verso
    [ -n "$s3_pid" ] && kill "$s3_pid" && wait "$s3_pid" 2>/dev/null
    # podman keeps its overlay directory mounted on itself
    findmnt -rn -o TARGET | grep "^$work/" | sort -r | xargs -r -n1 umount -l
}
trap cleanup EXIT

# --- images: a Debian base (debootstrap), the project's image on it, a reader with numpy
. /etc/os-release
mirror=$(sed -n 's/^URIs: *\(http[^ ]*\/debian\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)
[ -n "$mirror" ] || mirror=$(sed -n 's/^deb \(http[^ ]*\/debian\) .*/\1/p' /etc/apt/sources.list 2>/dev/null | head -1)
base=localhost/verso-base:$VERSION_CODENAME
if ! podman image exists "$base"; then
    echo "building $base with debootstrap from $mirror (a few minutes)" >&2
    rm -rf "$work/rootfs"
    debootstrap --variant=minbase \
        --include=openjdk-17-jdk-headless,libfuse2,fuse3,libssl3,ca-certificates,python3-numpy \
        "$VERSION_CODENAME" "$work/rootfs" "$mirror" > "$work/debootstrap.log" 2>&1 \
        || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
    rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*
    tar -C "$work/rootfs" -c . | podman import -q - "$base" >/dev/null
    rm -rf "$work/rootfs"
fi
# A Maven cache warmed as the Dockerfile's first step warms one (a copy of ~/.m2, to download less),
# so that the image builds offline from it.
[ -d "$work/m2" ] || cp -a "$HOME/.m2" "$work/m2"
./mvnw -B -q -Dmaven.repo.local="$work/m2/repository" dependency:go-offline generate-sources
echo "building the image verso from the Dockerfile on $base" >&2
# (a build does not take the ulimits from containers.conf)
podman build -q -t verso --ulimit "$nofile" --ulimit "$nproc" --build-arg BUILD_IMAGE="$base" --build-arg RUNTIME_IMAGE="$base" \
    --build-arg MAVEN_ARGS=-o --network none -v "$work/m2:/root/.m2:O" . > "$work/build.log" 2>&1 \
    || { tail -30 "$work/build.log" >&2; exit 1; }
# the docs' "image with Python and numpy"
podman tag "$base" my-training-image

pass=0
failed=()
check() {
    local name=$1
    shift
    if ( "$@" ) > "$work/case.log" 2>&1; then
        echo "PASS $name"
        pass=$((pass + 1))
    else
        echo "FAIL $name"
        sed 's/^/    /' "$work/case.log"
        failed+=("$name")
    fi
}
wait_for() { # SECONDS COMMAND...: until the command succeeds
    local deadline=$((SECONDS + $1))
    shift
    until "$@" >/dev/null 2>&1; do
        [ $SECONDS -lt $deadline ] || { echo "not within the time: $*"; return 1; }
        sleep 1
    done
}

check "the image runs verso" sh -c 'podman run --rm verso --version | grep -q "^verso "'

# --- a local S3 server that containers reach on podman's bridge, with two versions of a dataset
gateway=$(podman network inspect podman --format '{{range .Subnets}}{{.Gateway}}{{end}}')
rm -rf "$work/s3" "$work/project"
scripts/s3server.sh --host "$gateway" --port 0 --dir "$work/s3" --bucket $bucket > "$work/s3.log" 2>&1 &
s3_pid=$!
wait_for 120 grep -q "^S3 endpoint" "$work/s3.log" || { cat "$work/s3.log" >&2; exit 1; }
read -r _ _ endpoint _ _ _ key _ secret _ < <(grep "^S3 endpoint" "$work/s3.log")
export AWS_ACCESS_KEY_ID=$key AWS_SECRET_ACCESS_KEY=$secret AWS_REGION=us-east-1 AWS_ENDPOINT_URL=$endpoint
verso() { java -jar "$repo/target/verso.jar" "$@"; }
[ -f target/verso.jar ] || ./mvnw -q -B package -DskipTests
mkdir -p "$work/project/datasets"
(
    cd "$work/project"
    verso init >/dev/null
    python3 -c 'import numpy; numpy.savez("datasets/train.npz", images=numpy.zeros((40, 28, 28, 28), numpy.uint8))'
    verso add datasets >/dev/null
    verso commit -m "40 volumes" >/dev/null
    verso tag v1 >/dev/null
    python3 -c 'import numpy; numpy.savez("datasets/train.npz", images=numpy.ones((100, 28, 28, 28), numpy.uint8))'
    verso commit -m "100 volumes" >/dev/null
    verso remote add s3 $url --default >/dev/null
    verso push >/dev/null
)

# --- the cases, in the order of docs/containers.md
same_container() {
    out=$(podman run --rm --device /dev/fuse --cap-add SYS_ADMIN --security-opt apparmor=unconfined \
      -e AWS_ACCESS_KEY_ID -e AWS_SECRET_ACCESS_KEY -e AWS_REGION -e AWS_ENDPOINT_URL \
      --entrypoint sh verso -c '
        verso mount --remote-url s3://my-bucket/mnist3d_cache /data &&
        ls /data/versions && ls -l /data/latest/datasets')
    echo "$out"
    [ "$(echo "$out" | grep -c '^[0-9a-f]\{64\}$')" = 2 ] && echo "$out" | grep -q 'train.npz'
}
check "mount and reader in one container" same_container

if [ ! -d /mnt/verso ]; then
    made_mnt=yes
fi
mkdir -p /mnt/verso
mount --bind /mnt/verso /mnt/verso
mount --make-shared /mnt/verso

serve() {
    podman run -d --name verso-mount --device /dev/fuse --cap-add SYS_ADMIN \
      --security-opt apparmor=unconfined \
      -e AWS_ACCESS_KEY_ID -e AWS_SECRET_ACCESS_KEY -e AWS_REGION -e AWS_ENDPOINT_URL \
      -v /mnt/verso:/data:rshared \
      verso mount --foreground --allow-other --remote-url s3://my-bucket/mnist3d_cache /data
    wait_for 60 test -d /mnt/verso/versions || { podman logs verso-mount; return 1; }
}
shared_on_host() {
    serve
    ls /mnt/verso/versions
    [ "$(ls /mnt/verso/versions | wc -l)" = 2 ]
}
check "the documented sharing command, /data a volume mount point" shared_on_host

reader() {
    out=$(podman run --rm -v /mnt/verso:/data:ro,rslave my-training-image \
      python3 -c 'import numpy; print(numpy.load("/data/latest/datasets/train.npz")["images"].shape)')
    echo "$out"
    [ "$out" = "(100, 28, 28, 28)" ]
}
check "a reader container with numpy" reader

other_uid() {
    out=$(podman run --rm --user 1000:1000 -v /mnt/verso:/data:ro,rslave my-training-image \
      python3 -c 'import numpy; print(numpy.load("/data/tags/v1/datasets/train.npz")["images"].shape)')
    echo "$out"
    [ "$out" = "(40, 28, 28, 28)" ]
}
check "a reader of another uid" other_uid

stopped() {
    podman stop verso-mount
    code=$(podman inspect verso-mount --format '{{.State.ExitCode}}')
    podman logs verso-mount 2>&1 | tail -3
    podman rm verso-mount >/dev/null
    echo "exit code $code"
    [ "$code" = 0 ] && [ -z "$(ls -A /mnt/verso)" ] && ! findmnt -n -t fuse.verso /mnt/verso
}
check "podman stop: clean unmount, exit code 0" stopped

killed() {
    serve
    podman kill --signal KILL verso-mount
    podman rm verso-mount >/dev/null
    ls /mnt/verso 2>&1 | tee /dev/stderr | grep -q "Transport endpoint is not connected"
    fusermount -u /mnt/verso
    serve
    ls /mnt/verso/tags/v1/datasets/train.npz
    podman stop verso-mount >/dev/null
    podman rm verso-mount >/dev/null
}
check "kill -9, clear the dead mount, a new container" killed

without() { # FLAG-IT-SAYS PODMAN-RUN-OPTIONS...: the mount fails with one line naming the flag
    local flag=$1
    shift
    set +e
    err=$(podman run --rm "$@" -e AWS_ACCESS_KEY_ID -e AWS_SECRET_ACCESS_KEY -e AWS_REGION -e AWS_ENDPOINT_URL \
      verso mount --foreground --remote-url s3://my-bucket/mnist3d_cache /data 2>&1 >/dev/null)
    code=$?
    set -e
    echo "exit $code: $err"
    last=$(echo "$err" | tail -1)
    [ $code = 1 ] && [[ $last == "verso: cannot mount /data: "*"$flag"* ]] && ! echo "$err" | grep -q $'^\tat '
}
check "without /dev/fuse: says --device /dev/fuse" without "--device /dev/fuse" --cap-add SYS_ADMIN
check "without the capability: says --cap-add SYS_ADMIN" without "--cap-add SYS_ADMIN" --device /dev/fuse

total=$((pass + ${#failed[@]}))
echo "container-test: $pass of $total cases passed"
[ ${#failed[@]} = 0 ]
