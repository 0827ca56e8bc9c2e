#!/usr/bin/env bash
# Runs a local S3-compatible server (S3Proxy, from the test classpath) for the demo and benchmarks.
#   scripts/s3server.sh [--host H] [--port N] [--dir D] [--bucket B] [--access-key K] [--secret-key S]
# Prints "S3 endpoint http://127.0.0.1:PORT bucket B access-key K secret-key S dir D" when ready,
# then serves until killed. Objects live as files under D (a temp directory if not given).
# The AWS CLI needs AWS_REQUEST_CHECKSUM_CALCULATION=when_required against it (S3Proxy 2.6 refuses the
# newer checksum headers) and lists directory markers such as "a/" (the filesystem backend's folders).
# The classpath is built once into target/test-classpath.txt; delete it to rebuild.
set -euo pipefail
cd "$(dirname "$0")/.."
cp_file=target/test-classpath.txt
if [[ ! -s $cp_file || pom.xml -nt $cp_file ]]; then
    ./mvnw -q -B dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >&2
fi
if [[ ! -f target/test-classes/verso/testing/S3Server.class ]] \
    || [[ -n $(find src/test/java/verso/testing src/main/java/verso/remote -newer target/test-classes/verso/testing/S3Server.class -name '*.java' 2>/dev/null) ]]; then
    ./mvnw -q -B test-compile >&2
fi
exec java -cp "target/test-classes:target/classes:$(cat "$cp_file")" verso.testing.S3Server "$@"
