#!/usr/bin/env bash
# Builds the Dockerfile and proves the image works, on a machine without a Docker engine or a
# registry: Debian's buildah builds it (vfs storage, chroot isolation) on a debian:bookworm base
# made locally with debootstrap, and podman runs it. Checks that the image runs as its non-root
# user, serves /metrics in --simulate mode, stops cleanly on SIGTERM, and takes its config and
# secret from the environment or from mounted files; prints the image's size.
# Steps from ../shared/container-ci/RECIPE.md. Needs root. Takes 6-10 minutes, most of it the
# C++ build inside the image.
#   ZQE_CONTAINER_CACHE  where the base image's tar is kept between runs (default
#                        /var/cache/zoom-qos-exporter-ci; rebuilt when older than a week)
set -euo pipefail
cd "$(dirname "$0")/.."
bench_name=container-test say_width=4
# shellcheck source=../bench/lib.sh
source bench/lib.sh

scripts/install-deps.sh buildah podman runc debootstrap
image=localhost/zoom-qos-exporter:test
cache=${ZQE_CONTAINER_CACHE:-/var/cache/zoom-qos-exporter-ci}

work=$(mktemp -d /var/tmp/zqe-container.XXXXXX)
container=""
cleanup_container_storage() {
  # Only ever the storage in $work, never the machine's own.
  if [ "${CONTAINERS_STORAGE_CONF:-}" = "$work/storage.conf" ]; then
    [ -z "$container" ] || podman rm -f "$container" >/dev/null 2>&1 || true
    buildah rm -a >/dev/null 2>&1 || true
    buildah rmi -af >/dev/null 2>&1 || true
  fi
  rm -rf "${work:?}"
}
trap cleanup_container_storage EXIT

# All image storage inside $work, with the vfs driver (buildah 1.28 ignores STORAGE_DRIVER).
cat >"$work/storage.conf" <<EOF
[storage]
driver = "vfs"
runroot = "$work/run"
graphroot = "$work/storage"
EOF
# podman would ask for ulimits the sandbox cannot raise; crun rejects the cgroup layout here.
cat >"$work/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$(ulimit -Hn):$(ulimit -Hn)", "nproc=32768:32768"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "none"
tmp_dir = "$work/libpod-tmp"
EOF
export CONTAINERS_STORAGE_CONF=$work/storage.conf CONTAINERS_CONF=$work/containers.conf
build_flags=(--isolation chroot --storage-driver vfs --pull=never)

# Debian's mirror, as this machine's apt has it.
mirror_of() {  # SUITE: the URI of the apt source that serves SUITE
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    awk -v suite="$1" '
      /^URIs:/ { uri = $2 }
      /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == suite) { print uri; exit } }
      /^$/ { uri = "" }' /etc/apt/sources.list.d/debian.sources
  else
    awk -v suite="$1" '$1 == "deb" && $3 == suite { print $2; exit }' /etc/apt/sources.list
  fi
}

# Stand-ins for a registry's debian:bookworm and debian:bookworm-slim, so that the Dockerfile's
# FROM lines resolve locally: a minimal Debian, and the same without the documentation, manual
# pages and translations that the official slim image leaves out (and has dpkg leave out).
base_tar=$cache/debian-bookworm-rootfs.tar
slim_tar=$cache/debian-bookworm-slim-rootfs.tar
if [ ! -s "$base_tar" ] || [ ! -s "$slim_tar" ] || [ -n "$(find "$base_tar" -mtime +7)" ]; then
  say "debootstrap: a minimal bookworm"
  mirror=$(mirror_of bookworm)
  security=$(mirror_of bookworm-security)
  [ -n "$mirror" ] || die "no bookworm mirror in apt's sources"
  rootfs=${work:?}/rootfs
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
    { tail -20 "$work/debootstrap.log"; die "debootstrap failed"; }
  {
    echo "deb $mirror bookworm main"
    echo "deb $mirror bookworm-updates main"
    [ -z "$security" ] || echo "deb $security bookworm-security main"
  } >"$rootfs/etc/apt/sources.list"
  rm -rf "${rootfs:?}"/var/cache/apt/archives/*.deb "${rootfs:?}"/var/cache/apt/*.bin \
    "${rootfs:?}"/var/lib/apt/lists/*
  mkdir -p "$cache"
  tar --numeric-owner -C "$rootfs" -cf "$base_tar.new" .
  printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' \
    'path-exclude /usr/share/groff/*' 'path-exclude /usr/share/info/*' \
    'path-exclude /usr/share/linda/*' 'path-exclude /usr/share/lintian/overrides/*' \
    'path-exclude /usr/share/locale/*' 'path-include /usr/share/locale/locale.alias' \
    'path-exclude /usr/share/man/*' >"$rootfs/etc/dpkg/dpkg.cfg.d/docker"
  find "${rootfs:?}/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  find "${rootfs:?}/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
  rm -rf "${rootfs:?}"/usr/share/{groff,info,linda,man}/* "${rootfs:?}"/usr/share/lintian/overrides/*
  tar --numeric-owner -C "$rootfs" -cf "$slim_tar.new" .
  mv "$base_tar.new" "$base_tar"
  mv "$slim_tar.new" "$slim_tar"
  rm -rf "${rootfs:?}"
fi
import_base() {  # TAR TAG
  local context=$work/base
  mkdir -p "$context"
  ln -f "$1" "$context/rootfs.tar" 2>/dev/null || cp "$1" "$context/rootfs.tar"
  printf '%s\n' 'FROM scratch' 'ADD rootfs.tar /' \
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' 'CMD ["bash"]' \
    >"$context/Containerfile"
  buildah bud "${build_flags[@]}" --quiet -t "$2" "$context" >/dev/null
  rm -rf "${context:?}"
}
say "importing the base images"
import_base "$base_tar" docker.io/library/debian:bookworm
import_base "$slim_tar" docker.io/library/debian:bookworm-slim
slim_size=$(podman image inspect --format '{{.Size}}' docker.io/library/debian:bookworm-slim)

say "buildah bud: the Dockerfile"
build_started=$SECONDS
buildah bud "${build_flags[@]}" --build-arg "REVISION=$(git rev-parse --short=12 HEAD)" \
  -t "$image" . >"$work/build.log" 2>&1 || { tail -40 "$work/build.log"; die "image build failed"; }
say "image built in $((SECONDS - build_started)) s"

size=$(podman image inspect --format '{{.Size}}' "$image")
user=$(podman image inspect --format '{{.Config.User}}' "$image")
ports=$(podman image inspect --format '{{range $port, $_ := .Config.ExposedPorts}}{{$port}} {{end}}' "$image")
megabytes() { awk -v b="$1" 'BEGIN {printf "%.1f MB", b / 1e6}'; }
added=$(megabytes $((size - slim_size)))
say "image size: $(megabytes "$size"), $added of it above the bookworm-slim stand-in" \
  "($(megabytes "$slim_size")); user $user, exposes $ports"
[[ "$user" =~ ^[1-9][0-9]*(:[0-9]+)?$ ]] || die "the image's USER is $user, not a numeric non-root uid"
[[ "$ports" == *9799/tcp* ]] || die "the image does not expose 9799/tcp"
# The runtime libraries, the CA certificates and the binary take about 15 MB; apt's caches or
# a build tool left in the image would take far more.
[ $((size - slim_size)) -le 40000000 ] || die "the image adds $added to its base, more than 40 MB"

# Each podman run uses the host's network: the default bridge leaves firewall tables behind.
run_flags=(--network host --pull never)

# The config route: a config of the image's default location, credentials from the environment.
out=$(podman run --rm "${run_flags[@]}" -e ZOOM_ACCOUNT_ID=test-account -e ZOOM_CLIENT_ID=test-id \
  -e ZOOM_CLIENT_SECRET=not-a-real-secret "$image" --check-config \
  --config /etc/zoom-qos-exporter/zoom-qos-exporter.yaml 2>&1) || die "config from the environment rejected: $out"
say "config from the environment: $out"
if out=$(podman run --rm "${run_flags[@]}" "$image" 2>&1); then
  die "started without credentials"
fi
[[ "$out" == *ZOOM_ACCOUNT_ID* ]] || die "missing credentials not explained: $out"
say "without credentials it refuses to start: $out"

# The file route: a mounted config that names a mounted secret file.
mkdir -p "$work/secrets"
printf 'not-a-real-secret\n' >"$work/secrets/zoom-client-secret"
cat >"$work/real.yaml" <<'EOF'
zoom:
  account_id: test-account
  client_id: test-id
  client_secret_file: /run/secrets/zoom-client-secret
EOF
chmod 0644 "$work/real.yaml" "$work/secrets/zoom-client-secret"
out=$(podman run --rm "${run_flags[@]}" \
  -v "$work/real.yaml:/etc/zoom-qos-exporter/zoom-qos-exporter.yaml:ro" \
  -v "$work/secrets:/run/secrets:ro" "$image" --check-config \
  --config /etc/zoom-qos-exporter/zoom-qos-exporter.yaml 2>&1) || die "mounted config and secret rejected: $out"
say "mounted config and secret file: $out"

# The demo: --simulate, on a free port of the host's loopback.
port=$(free_port)
cat >"$work/simulate.yaml" <<EOF
listen: "127.0.0.1:$port"
simulator:
  meetings: 5
EOF
chmod 0644 "$work/simulate.yaml"
container=$(podman run -d "${run_flags[@]}" -v "$work/simulate.yaml:/etc/zoom-qos-exporter/zoom-qos-exporter.yaml:ro" \
  "$image" --simulate --config /etc/zoom-qos-exporter/zoom-qos-exporter.yaml)
ready=""
for _ in $(seq 1 300); do
  if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then
    ready=1
    break
  fi
  sleep 0.2
done
[ -n "$ready" ] || { podman logs "$container" | tail -20; die "the container never got ready"; }
curl -fsS "http://127.0.0.1:$port/metrics" >"$work/metrics.txt"
grep -q '^zoom_up 1$' "$work/metrics.txt" || die "zoom_up is not 1"
grep -q '^zoom_participant_latency_seconds{' "$work/metrics.txt" || die "no participant series"
promtool check metrics <"$work/metrics.txt" || die "promtool check metrics failed"
pid=$(podman inspect --format '{{.State.Pid}}' "$container")
uid=$(awk '$1 == "Uid:" {print $2}' "/proc/$pid/status")
[ "$uid" != 0 ] && [ "$uid" = "${user%%:*}" ] || die "the exporter runs as uid $uid, not as $user"
say "--simulate: /readyz 200, /metrics $(grep -c '^zoom_' "$work/metrics.txt") samples, zoom_up 1; the process runs as uid $uid"

podman stop --time 10 "$container" >/dev/null
exit_code=$(podman inspect --format '{{.State.ExitCode}}' "$container")
[ "$exit_code" = 0 ] || { podman logs "$container" | tail -20; die "exit status $exit_code after SIGTERM"; }
say "SIGTERM: exit status 0"
podman rm "$container" >/dev/null
container=""
echo "container test: passed (image $(megabytes "$size"), $added above its base; built in" \
  "$((SECONDS - build_started)) s)"
