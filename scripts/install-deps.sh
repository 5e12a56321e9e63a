#!/usr/bin/env bash
# Installs every Debian bookworm package the build, the tests, the fuzzers and the simulator need.
# Safe to run again; needs root (or sudo) on Debian bookworm.
set -euo pipefail

packages=(
  build-essential cmake pkg-config ca-certificates
  libboost-dev libssl-dev zlib1g-dev libcrypt-dev
  rapidjson-dev prometheus-cpp-dev libyaml-cpp-dev
  libgtest-dev libgmock-dev
  ninja-build curl prometheus
  clang libclang-rt-14-dev llvm
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# prometheus is installed for promtool only; --no-install-recommends keeps its daemon's extras out.
# clang builds the fuzzers (scripts/fuzz.sh), libclang-rt-14-dev has libFuzzer's and the
# sanitizers' runtimes, and llvm brings llvm-symbolizer for readable sanitizer stack traces.
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
