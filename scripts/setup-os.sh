#!/usr/bin/env bash
# Installs the OS packages verso's mount and tests need (Debian/Ubuntu), or says how to.
#   fuse3 (fusermount), libfuse2 (verso mounts with it), libssl3 (the mount verifies blocks with its
#   libcrypto), python3 with numpy (tests and demo).
set -euo pipefail

missing=()
command -v fusermount >/dev/null 2>&1 || command -v fusermount3 >/dev/null 2>&1 || missing+=(fuse3)
ldconfig -p 2>/dev/null | grep -q 'libfuse\.so\.2' || missing+=(libfuse2)
ldconfig -p 2>/dev/null | grep -q 'libcrypto\.so\.[13]' || missing+=(libssl3)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
if command -v python3 >/dev/null 2>&1 && ! python3 -c 'import numpy' >/dev/null 2>&1; then
  missing+=(python3-numpy)
fi
if [ "${VERSO_SETUP_EXTRA:-}" != "" ]; then
  # shellcheck disable=SC2206
  missing+=(${VERSO_SETUP_EXTRA})
fi

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing OS packages: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "verso needs these OS packages: ${missing[*]}" >&2
  echo "install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
