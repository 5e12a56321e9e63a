#!/usr/bin/env bash
# Plays a simulated 24-hour day against the quota scheduler and a naive poller and prints the
# comparison table (docs/quota-simulation.md). Extra arguments go to quota-simulation, e.g.
# --hours 6 --meetings 500.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
BUILD_DIR=build-release BUILD_TYPE=Release scripts/build.sh -DZQE_BUILD_TESTS=OFF
exec build-release/quota-simulation "$@"
