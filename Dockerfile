# The exporter's container image. Build and try it against the built-in simulated Zoom account:
#   docker build -t zoom-qos-exporter .
#   docker run --rm -p 9799:9799 zoom-qos-exporter --simulate
# Real Zoom: the account id, client id and secret from the environment, or a config and a
# secret file of your own mounted over /etc/zoom-qos-exporter/ and /run/secrets/ (README.md).

# Build stage: the same dependency script as the README, then the exporter alone.
FROM debian:bookworm AS build
# Dependencies first, so that changing the source does not install them again.
COPY scripts/install-deps.sh /src/scripts/install-deps.sh
RUN /src/scripts/install-deps.sh --build-only
WORKDIR /src
COPY CMakeLists.txt ./
COPY cmake cmake
COPY bench bench
COPY src src
# zoom_exporter_build_info's revision: the build context has no .git.
ARG REVISION=unknown
RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DZQE_BUILD_TESTS=OFF \
      -DZQE_PACKAGING=OFF -DZQE_REVISION="${REVISION}" \
    && cmake --build build --target zoom-qos-exporter --parallel "$(nproc)" \
    && strip build/zoom-qos-exporter

# Runtime stage: the shared libraries the binary links and the CA certificates for Zoom's HTTPS.
FROM debian:bookworm-slim
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
         ca-certificates libssl3 zlib1g libyaml-cpp0.7 libprometheus-cpp-core1.0 libsystemd0 \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin \
    && useradd --system --uid 10001 --user-group --no-create-home --home-dir /nonexistent \
         --shell /usr/sbin/nologin zoom-qos-exporter
COPY deploy/config/zoom-qos-exporter.yaml /etc/zoom-qos-exporter/zoom-qos-exporter.yaml
COPY --from=build /src/build/zoom-qos-exporter /usr/bin/zoom-qos-exporter
# Numeric, so that Kubernetes' runAsNonRoot can check it.
USER 10001:10001
EXPOSE 9799
ENTRYPOINT ["/usr/bin/zoom-qos-exporter"]
CMD ["--config", "/etc/zoom-qos-exporter/zoom-qos-exporter.yaml"]
