#!/usr/bin/env bash
# Sets everything up on Debian bookworm and runs the exporter against the built-in simulated
# Zoom account: metrics at http://localhost:9799/metrics. Extra arguments go to the exporter.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
BUILD_DIR=build scripts/build.sh -DZQE_BUILD_TESTS=OFF
exec build/zoom-qos-exporter --simulate "$@"
