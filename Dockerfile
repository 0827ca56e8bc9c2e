# verso in a container: `docker build -t verso .`, then for example
#   docker run --rm --device /dev/fuse --cap-add SYS_ADMIN --security-opt apparmor:unconfined \
#     -e AWS_ACCESS_KEY_ID -e AWS_SECRET_ACCESS_KEY -e AWS_REGION \
#     -v /mnt/verso:/data:rshared \
#     verso mount --foreground --allow-other --remote-url s3://bucket/prefix /data
# (see docs/containers.md for sharing the mount with other containers and a Kubernetes example).
#
# The base images are build arguments: BUILD_IMAGE needs a JDK 17 or newer, RUNTIME_IMAGE a Java
# runtime and, unless it has fuse3, libfuse2 and libssl3 already, apt-get. MAVEN_ARGS (Maven's own variable)
# takes extra Maven options, such as -o to build offline from a warm cache mounted at /root/.m2
# (scripts/container-test.sh builds so, on base images it makes itself).
ARG BUILD_IMAGE=eclipse-temurin:17-jdk-jammy
# Ubuntu 22.04: its libfuse2 package (verso mounts with libfuse.so.2) has that name; 24.04 renamed it,
# as it did libssl3 (the mount verifies blocks with its libcrypto).
ARG RUNTIME_IMAGE=eclipse-temurin:17-jre-jammy

FROM ${BUILD_IMAGE} AS build
ARG MAVEN_ARGS=""
WORKDIR /src
COPY mvnw pom.xml ./
COPY .mvn .mvn
# Everything the build downloads, in a layer of its own: dependencies, plugins, and picocli's
# sources jar (compiled with the project; dependency:go-offline does not fetch it, generate-sources does).
RUN ./mvnw -B -q dependency:go-offline generate-sources
COPY src src
RUN ./mvnw -o -B -q package -DskipTests

FROM ${RUNTIME_IMAGE}
RUN if ! dpkg -s fuse3 libfuse2 libssl3 >/dev/null 2>&1; then \
      apt-get update \
      && apt-get install -y --no-install-recommends fuse3 libfuse2 libssl3 \
      && rm -rf /var/lib/apt/lists/*; \
    fi \
 && echo user_allow_other >> /etc/fuse.conf
COPY --from=build /src/target/verso.jar /opt/verso/verso.jar
# File names through FUSE are UTF-8 whatever the (unset) locale; the heap follows the memory limit; a
# mount runs with the JVM's quick compiler alone, compiling early, as scripts/verso starts it.
RUN printf '%s\n' '#!/bin/sh' \
      'quick=""; [ "$1" = mount ] && quick="-XX:TieredStopAtLevel=1 -XX:CompileThresholdScaling=0.1"' \
      'exec java -Dfile.encoding=UTF-8 -XX:MaxRAMPercentage=75 $quick $JAVA_OPTS -jar /opt/verso/verso.jar "$@"' \
      > /usr/local/bin/verso \
 && chmod 755 /usr/local/bin/verso
ENTRYPOINT ["/usr/local/bin/verso"]
CMD ["--help"]
