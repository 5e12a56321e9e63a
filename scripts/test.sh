#!/usr/bin/env bash
# Sets everything up on Debian bookworm and runs every test: the release build's suite, the
# checks of deploy/ (systemd unit and .deb, Prometheus rules, the dashboard's and rules' PromQL
# on a real Prometheus, Kubernetes manifests, the container image), then the suite built with
# AddressSanitizer and UndefinedBehaviorSanitizer, then each fuzz target for FUZZ_SECONDS
# (default 60; see scripts/fuzz.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

BUILD_DIR=build scripts/build.sh
(cd build && ctest --output-on-failure --timeout 300)

# deploy/ and the Dockerfile, each checked with the tool that consumes it.
scripts/systemd-package-test.sh
scripts/prometheus-rules-test.sh
scripts/promql-live-test.sh
scripts/kubernetes-test.sh
scripts/container-test.sh

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1
BUILD_DIR=build-sanitize BUILD_TYPE=Debug scripts/build.sh -DZQE_SANITIZE=ON
(cd build-sanitize && ctest --output-on-failure --timeout 600)

scripts/fuzz.sh
