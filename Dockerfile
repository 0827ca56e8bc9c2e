# verso in a container: `docker build -t verso .`, then for example
#   docker run --rm --device /dev/fuse --cap-add SYS_ADMIN --security-opt apparmor:unconfined \
#     -e AWS_ACCESS_KEY_ID -e AWS_SECRET_ACCESS_KEY -e AWS_REGION \
#     -v /mnt/verso:/data:rshared \
#     verso mount --foreground --allow-other --remote-url s3://bucket/prefix /data
# (see docs/containers.md for sharing the mount with other containers and a Kubernetes example).

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src src
RUN mvn -B -q package -DskipTests

# Ubuntu 22.04: its libfuse2 package (jnr-fuse loads libfuse.so.2) has that name; 24.04 renamed it.
FROM eclipse-temurin:17-jre-jammy
RUN apt-get update \
 && apt-get install -y --no-install-recommends fuse3 libfuse2 \
 && rm -rf /var/lib/apt/lists/* \
 && echo user_allow_other >> /etc/fuse.conf
COPY --from=build /src/target/verso.jar /opt/verso/verso.jar
# File names through FUSE are UTF-8 whatever the (unset) locale; the heap follows the memory limit.
RUN printf '%s\n' '#!/bin/sh' \
      'exec java -Dfile.encoding=UTF-8 -XX:MaxRAMPercentage=75 $JAVA_OPTS -jar /opt/verso/verso.jar "$@"' \
      > /usr/local/bin/verso \
 && chmod 755 /usr/local/bin/verso
ENTRYPOINT ["/usr/local/bin/verso"]
CMD ["--help"]
