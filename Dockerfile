# syntax=docker/dockerfile:1
# Stage 1: build the shaded jar with Maven.
FROM maven:3.9.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline -DexcludeReactor=true || true
COPY src src
RUN mvn -B -q -DskipTests package

# Stage 2: a JRE, the jar, the default configs and the launcher script, run as a non-root user.
FROM eclipse-temurin:17-jre
RUN groupadd --system clymene && useradd --system --gid clymene --home-dir /opt/clymene clymene
WORKDIR /opt/clymene
COPY --from=build /src/target/clymene.jar target/clymene.jar
COPY conf conf
COPY scripts/clymene scripts/clymene
RUN mkdir -p data && chown -R clymene:clymene /opt/clymene
USER clymene
# admin (agent/all-in-one, gateway, ingester), gateway gRPC and HTTP, embedded store console, cluster
# (Hazelcast; the event bus port is cluster.bus_port, 5802 in conf/deploy)
EXPOSE 15691 15690 15694 15610 15611 9000 5801 5802
VOLUME ["/opt/clymene/data"]
ENTRYPOINT ["scripts/clymene"]
CMD ["--config", "conf/clymene.yaml"]
