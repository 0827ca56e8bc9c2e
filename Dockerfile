# verso in a container: `docker build -t verso .`, then for example
#   docker run --rm --device /dev/fuse --cap-add SYS_ADMIN \
#     -e AWS_ACCESS_KEY_ID -e AWS_SECRET_ACCESS_KEY -e AWS_REGION \
#     -v /mnt/verso:/data:rshared \
#     verso mount --foreground --remote-url s3://bucket/prefix --allow-other /data
# (see docs/containers.md for sharing the mount with other containers and a Kubernetes example).

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src src
RUN mvn -B -q package -DskipTests

FROM eclipse-temurin:17-jre
RUN apt-get update \
 && apt-get install -y --no-install-recommends fuse3 libfuse2 \
 && rm -rf /var/lib/apt/lists/* \
 && echo user_allow_other >> /etc/fuse.conf
COPY --from=build /src/target/verso.jar /opt/verso/verso.jar
ENTRYPOINT ["java", "-jar", "/opt/verso/verso.jar"]
CMD ["--help"]
