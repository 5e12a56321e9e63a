#!/usr/bin/env bash
# Installs every Debian bookworm package the build, the tests, the fuzzers and the simulator need.
# Safe to run again; needs root (or sudo) on Debian bookworm.
# Usage: install-deps.sh [--build-only] [PACKAGE...]
#   --build-only: only what building the exporter needs (the container image's build stage);
#   PACKAGE...: more packages, those one CI step alone needs (scripts/*-test.sh).
set -euo pipefail
build_only=0
if [ "${1:-}" = --build-only ]; then
  build_only=1
  shift
fi

packages=(
  build-essential cmake pkg-config ca-certificates
  libboost-dev libssl-dev zlib1g-dev libcrypt-dev
  rapidjson-dev prometheus-cpp-dev libyaml-cpp-dev libsystemd-dev
  ninja-build
)
[ "$build_only" = 1 ] ||
  packages+=(libgtest-dev libgmock-dev curl prometheus clang libclang-rt-14-dev llvm)
packages+=("$@")

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# prometheus: promtool and the server the PromQL check scrapes with; --no-install-recommends
# keeps its extras out. clang builds the fuzzers (scripts/fuzz.sh), libclang-rt-14-dev has
# libFuzzer's and the sanitizers' runtimes, and llvm brings llvm-symbolizer for readable
# sanitizer stack traces.
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
