#!/usr/bin/env bash
# Runs verso's whole test suite: unit tests, then integration tests (real S3 server on 127.0.0.1,
# real kernel FUSE mounts, real ls/cp/python3). Installs the OS packages it needs when run as root.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-os.sh
exec ./mvnw -B verify "$@"
