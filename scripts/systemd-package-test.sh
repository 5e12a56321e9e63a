#!/usr/bin/env bash
# Checks the systemd unit and the packaging with the tools that consume them:
#   - systemd-analyze security --offline rates deploy/systemd's unit 2.0 or lower;
#   - cmake --install (into a staging DESTDIR) puts binary, unit, config, examples and docs in
#     place, for /usr/local and for /usr;
#   - cpack builds the .deb; apt-get installs it on this machine, zoom-qos-exporter --version runs
#     from it, its config validates, systemd-analyze verify finds nothing to say about the
#     installed unit; then apt-get purges it.
# Needs root and a configured build (scripts/build.sh); reconfigures it for each prefix and
# restores its own at the end. About a minute.
#   BUILD_DIR  the build to package (default build)
set -euo pipefail
cd "$(dirname "$0")/.."
bench_name=systemd-package-test say_width=3
# shellcheck source=../bench/lib.sh
source bench/lib.sh

scripts/install-deps.sh systemd dpkg-dev
build=${BUILD_DIR:-build}
unit=deploy/systemd/zoom-qos-exporter.service
[ -f "$build/CMakeCache.txt" ] || die "$build is not configured: scripts/build.sh first"
make_work_dir package
original_prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt")
configure_prefix() { cmake -S . -B "$build" -DCMAKE_INSTALL_PREFIX="$1" >"$work/configure.log"; }
restore_build() {
  configure_prefix "${original_prefix:-/usr/local}" || true
  cleanup
}
trap restore_build EXIT

# The sandboxing score: 0 (locked down) to 10 (unprotected).
systemd-analyze security --offline=true "$unit" >"$work/security.txt" 2>&1 ||
  { cat "$work/security.txt"; die "systemd-analyze security failed"; }
score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' "$work/security.txt")
[ -n "$score" ] || { cat "$work/security.txt"; die "no exposure level in systemd-analyze's output"; }
say "systemd-analyze security --offline=true $unit: exposure $score"
awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }' || { grep '✗' "$work/security.txt"; die "exposure $score is above 2.0"; }

# cmake --install, for the default prefix and for the package's.
expect_files() {  # ROOT FILE...
  local root=$1 file
  shift
  for file in "$@"; do [ -s "$root$file" ] || die "cmake --install did not install $file"; done
}
configure_prefix /usr/local
DESTDIR=$work/usr-local cmake --install "$build" >/dev/null
expect_files "$work/usr-local" /usr/local/bin/zoom-qos-exporter \
  /usr/local/lib/systemd/system/zoom-qos-exporter.service \
  /usr/local/etc/zoom-qos-exporter/zoom-qos-exporter.yaml \
  /usr/local/share/doc/zoom-qos-exporter/README.md
grep -q '^ExecStart=/usr/local/bin/zoom-qos-exporter --config /usr/local/etc/zoom-qos-exporter/zoom-qos-exporter.yaml$' \
  "$work/usr-local/usr/local/lib/systemd/system/zoom-qos-exporter.service" ||
  die "the unit installed under /usr/local does not run /usr/local/bin with /usr/local/etc"
say "cmake --install, prefix /usr/local: $(find "$work/usr-local" -type f | wc -l) files, the unit's paths rewritten"

configure_prefix /usr
DESTDIR=$work/usr cmake --install "$build" >/dev/null
expect_files "$work/usr" /usr/bin/zoom-qos-exporter /usr/lib/systemd/system/zoom-qos-exporter.service \
  /etc/zoom-qos-exporter/zoom-qos-exporter.yaml /usr/share/doc/zoom-qos-exporter/README.md \
  /usr/share/doc/zoom-qos-exporter/examples/zoom-qos-exporter.example.yaml \
  /usr/share/doc/zoom-qos-exporter/examples/prometheus/rules/zoom-qos-alerts.rules.yml \
  /usr/share/doc/zoom-qos-exporter/examples/grafana/dashboards/zoom-qos-exporter.json \
  /usr/share/doc/zoom-qos-exporter/examples/kubernetes/base/kustomization.yaml
cmp -s "$unit" "$work/usr/usr/lib/systemd/system/zoom-qos-exporter.service" ||
  die "the unit installed for /usr differs from $unit"
say "cmake --install, prefix /usr: $(find "$work/usr" -type f | wc -l) files"

# The Debian package.
(cd "$build" && cpack -G DEB -B "$work/cpack" >"$work/cpack.log" 2>&1) ||
  { tail -20 "$work/cpack.log"; die "cpack failed"; }
deb=$(find "$work/cpack" -maxdepth 1 -name '*.deb' -print -quit)
[ -n "$deb" ] || die "cpack made no .deb"
depends=$(dpkg-deb --field "$deb" Depends)
say "$(basename "$deb") ($(du -k "$deb" | cut -f1) KiB), Depends: $depends"
for library in libssl3 libyaml-cpp0.7 libprometheus-cpp-core1.0 libsystemd0 libstdc++6 ca-certificates; do
  [[ "$depends" == *"$library"* ]] || die "the package does not depend on $library"
done
dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles | grep -qx /etc/zoom-qos-exporter/zoom-qos-exporter.yaml ||
  die "the config is not a conffile"

if dpkg-query -W -f='${Status}' zoom-qos-exporter 2>/dev/null | grep -q "install ok installed"; then
  die "zoom-qos-exporter is installed already; remove it first (apt-get purge zoom-qos-exporter)"
fi
cp "$deb" "$work/"
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$work/$(basename "$deb")" >"$work/apt.log" 2>&1 ||
  { tail -20 "$work/apt.log"; die "apt-get install failed"; }
installed() {
  version=$(/usr/bin/zoom-qos-exporter --version)
  [[ "$version" == "zoom-qos-exporter "* ]] || die "--version printed: $version"
  say "installed: $version"
  env ZOOM_ACCOUNT_ID=test-account ZOOM_CLIENT_ID=test-id ZOOM_CLIENT_SECRET=not-a-real-secret \
    /usr/bin/zoom-qos-exporter --check-config --config /etc/zoom-qos-exporter/zoom-qos-exporter.yaml >/dev/null
  # The installed unit, with its binary and /bin/kill present: verify says nothing when clean.
  out=$(systemd-analyze verify /usr/lib/systemd/system/zoom-qos-exporter.service 2>&1) ||
    die "systemd-analyze verify failed: $out"
  [ -z "$out" ] || die "systemd-analyze verify: $out"
  say "systemd-analyze verify /usr/lib/systemd/system/zoom-qos-exporter.service: clean"
}
status=0
(installed) || status=$?
DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq zoom-qos-exporter >>"$work/apt.log" 2>&1 ||
  { tail -20 "$work/apt.log"; die "apt-get purge failed"; }
[ "$status" = 0 ] || exit "$status"
[ ! -e /usr/bin/zoom-qos-exporter ] && [ ! -e /etc/zoom-qos-exporter/zoom-qos-exporter.yaml ] ||
  die "files left after apt-get purge"
say "apt-get purge: removed"
echo "systemd and package test: passed (exposure $score, $(basename "$deb"))"
