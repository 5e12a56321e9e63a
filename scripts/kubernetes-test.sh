#!/usr/bin/env bash
# Renders deploy/kubernetes/base with `kubectl kustomize` of Debian's kubernetes-client (kubectl
# 1.20, kustomize 2.0), and with any other kubectl on PATH (today's kustomize), checks what it
# rendered (kinds, one replica, probes, resources, non-root, the hashed ConfigMap wired in), and
# validates the ConfigMap's config with the exporter's --check-config; the same for the sharded
# variant (deploy/kubernetes/sharded), whose 3 shard configs must together poll every account
# once. Prints the kinds.
# kubernetes-client's /usr/bin/kubectl clashes with other kubectl packages (such as Google
# Cloud's), so when it is not installed its .deb is fetched with apt-get download and unpacked
# into ZQE_KUBECTL_CACHE (default /var/cache/zoom-qos-exporter-ci) instead.
#   BUILD_DIR  where the exporter was built (default build)
set -euo pipefail
cd "$(dirname "$0")/.."
bench_name=kubernetes-test say_width=2
# shellcheck source=../bench/lib.sh
source bench/lib.sh

scripts/install-deps.sh python3 python3-yaml
make_work_dir kubernetes
exporter=${BUILD_DIR:-build}/zoom-qos-exporter
[ -x "$exporter" ] || die "$exporter missing: build first (scripts/build.sh)"

debian_kubectl() {  # prints the path of Debian's kubectl
  if dpkg-query -W -f='${Status}' kubernetes-client 2>/dev/null | grep -q "install ok installed"; then
    echo /usr/bin/kubectl
    return
  fi
  local cache=${ZQE_KUBECTL_CACHE:-/var/cache/zoom-qos-exporter-ci}/kubernetes-client
  if [ ! -x "$cache/usr/bin/kubectl" ]; then
    mkdir -p "$cache"
    (cd "$work" && { apt-get download -qq kubernetes-client 2>/dev/null ||
      { apt-get update -qq && apt-get download -qq kubernetes-client; }; }) >&2
    dpkg-deb -x "$work"/kubernetes-client_*.deb "$cache"
  fi
  echo "$cache/usr/bin/kubectl"
}

render() {  # KUBECTL OUT: renders the base and checks it, then the sharded variant
  local kubectl=$1 out=$2 version
  version="kubectl $("$kubectl" version --client 2>/dev/null | grep -o 'v[0-9][0-9.]*[^", ]*' | head -1)"
  render_sharded "$kubectl" "${out%.yaml}-sharded.yaml" "$version"
  "$kubectl" kustomize deploy/kubernetes/base >"$out" 2>"$work/stderr" ||
    { cat "$work/stderr"; die "$kubectl kustomize failed"; }
  [ ! -s "$work/stderr" ] || { cat "$work/stderr"; die "$kubectl kustomize warned"; }
  /usr/bin/python3 - "$out" "$version" <<'EOF'
import sys, yaml
path, version = sys.argv[1], sys.argv[2]
documents = [d for d in yaml.safe_load_all(open(path)) if d]
kinds = sorted(d["kind"] for d in documents)
by_kind = {d["kind"]: d for d in documents}
problems = []
expected = ["ConfigMap", "Deployment", "Service", "ServiceMonitor"]
if kinds != expected:
    problems.append(f"kinds {kinds}, expected {expected}")
deployment = by_kind.get("Deployment", {})
spec = deployment.get("spec", {})
pod = spec.get("template", {}).get("spec", {})
container = (pod.get("containers") or [{}])[0]
if spec.get("replicas") != 1:
    problems.append("replicas is not 1")
if not pod.get("securityContext", {}).get("runAsNonRoot"):
    problems.append("the pod may run as root")
security = container.get("securityContext", {})
if security.get("allowPrivilegeEscalation") is not False or security.get("capabilities", {}).get("drop") != ["ALL"]:
    problems.append("the container keeps privileges")
for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
    if container.get(probe, {}).get("httpGet", {}).get("path") != path:
        problems.append(f"{probe} does not ask {path}")
resources = container.get("resources", {})
for part in ("requests", "limits"):
    if not {"cpu", "memory"} <= set(resources.get(part, {})):
        problems.append(f"no cpu and memory {part}")
config_map = by_kind.get("ConfigMap", {}).get("metadata", {}).get("name", "")
volumes = {v["name"]: v for v in pod.get("volumes", [])}
if volumes.get("config", {}).get("configMap", {}).get("name") != config_map or config_map == "zoom-qos-exporter-config":
    problems.append(f"the Deployment does not mount the hashed ConfigMap {config_map}")
if volumes.get("zoom-credentials", {}).get("secret", {}).get("secretName") != "zoom-qos-exporter":
    problems.append("the Secret zoom-qos-exporter is not mounted")
service_ports = by_kind.get("Service", {}).get("spec", {}).get("ports", [{}])
monitor = by_kind.get("ServiceMonitor", {}).get("spec", {})
if monitor.get("endpoints", [{}])[0].get("port") != service_ports[0].get("name"):
    problems.append("the ServiceMonitor does not scrape the Service's port")
if problems:
    sys.exit(f"{version}: " + "; ".join(problems))
print(f"{version}: " + ", ".join(f'{d["kind"]}/{d["metadata"]["name"]}' for d in documents))
EOF
}

render_sharded() {  # KUBECTL OUT VERSION: renders deploy/kubernetes/sharded and checks it
  local kubectl=$1 out=$2 version=$3
  "$kubectl" kustomize deploy/kubernetes/sharded >"$out" 2>"$work/stderr" ||
    { cat "$work/stderr"; die "$kubectl kustomize of the sharded variant failed"; }
  [ ! -s "$work/stderr" ] || { cat "$work/stderr"; die "$kubectl kustomize warned"; }
  /usr/bin/python3 - "$out" "$version" <<'EOF'
import sys, yaml
path, version = sys.argv[1], sys.argv[2]
documents = [d for d in yaml.safe_load_all(open(path)) if d]
kinds = sorted(d["kind"] for d in documents)
by_kind = {d["kind"]: d for d in documents}
problems = []
expected = ["ConfigMap", "Service", "ServiceMonitor", "StatefulSet"]
if kinds != expected:
    problems.append(f"kinds {kinds}, expected {expected}")
spec = by_kind.get("StatefulSet", {}).get("spec", {})
pod = spec.get("template", {}).get("spec", {})
container = (pod.get("containers") or [{}])[0]
service = by_kind.get("Service", {})
config_text = next(iter(by_kind.get("ConfigMap", {}).get("data", {}).values()), "")
shard = (yaml.safe_load(config_text) or {}).get("zoom", {}).get("shard", "")
if spec.get("replicas") != 3 or shard != "${POD_INDEX}/3":
    problems.append(f"replicas {spec.get('replicas')} and zoom.shard {shard!r}: want 3 and ${{POD_INDEX}}/3")
env = {e["name"]: e for e in container.get("env", [])}
field = env.get("POD_INDEX", {}).get("valueFrom", {}).get("fieldRef", {}).get("fieldPath")
if field != "metadata.labels['apps.kubernetes.io/pod-index']":
    problems.append(f"POD_INDEX comes from {field!r}, not the pod-index label")
if spec.get("serviceName") != service.get("metadata", {}).get("name"):
    problems.append("the StatefulSet's serviceName is not the Service")
if service.get("spec", {}).get("clusterIP") != "None":
    problems.append("the Service is not headless")
if not pod.get("securityContext", {}).get("runAsNonRoot"):
    problems.append("the pod may run as root")
for probe, probe_path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
    if container.get(probe, {}).get("httpGet", {}).get("path") != probe_path:
        problems.append(f"{probe} does not ask {probe_path}")
config_map = by_kind.get("ConfigMap", {}).get("metadata", {}).get("name", "")
volumes = {v["name"]: v for v in pod.get("volumes", [])}
if volumes.get("config", {}).get("configMap", {}).get("name") != config_map or config_map == "zoom-qos-exporter-sharded-config":
    problems.append(f"the StatefulSet does not mount the hashed ConfigMap {config_map}")
if volumes.get("zoom-credentials", {}).get("secret", {}).get("secretName") != "zoom-qos-exporter-accounts":
    problems.append("the Secret zoom-qos-exporter-accounts is not mounted")
monitor = by_kind.get("ServiceMonitor", {}).get("spec", {})
if monitor.get("endpoints", [{}])[0].get("port") != service.get("spec", {}).get("ports", [{}])[0].get("name"):
    problems.append("the ServiceMonitor does not scrape the Service's port")
if problems:
    sys.exit(f"{version} (sharded): " + "; ".join(problems))
print(f"{version} (sharded): " + ", ".join(f'{d["kind"]}/{d["metadata"]["name"]}' for d in documents))
EOF
}

kubectl=$(debian_kubectl)
render "$kubectl" "$work/debian.yaml"
other=$(command -v kubectl || true)
if [ -n "$other" ] && [ "$(readlink -f "$other")" != "$(readlink -f "$kubectl")" ]; then
  render "$other" "$work/other.yaml"
fi

# The ConfigMap's config, as the exporter in the pod reads it (the secret file only exists
# there, so the secret comes from the environment, which then wins).
env ZOOM_ACCOUNT_ID=test-account ZOOM_CLIENT_ID=test-id ZOOM_CLIENT_SECRET=not-a-real-secret \
  "$exporter" --check-config --config deploy/kubernetes/base/config.yaml
# Each shard's config as its pod reads it, with the Secret's files put where the config points
# (here: under $work). Every shard must pass --check-config, and together they must poll every
# account of zoom.accounts exactly once.
sharded_config=deploy/kubernetes/sharded/config.yaml
mkdir -p "$work/secrets"
: >"$work/accounts"
: >"$work/polled"
for name in $(/usr/bin/python3 -c 'import sys, yaml
for account in yaml.safe_load(open(sys.argv[1]))["zoom"]["accounts"]: print(account["name"])' \
  "$sharded_config"); do
  echo "not-a-real-secret-$name" >"$work/secrets/$name"
  chmod 600 "$work/secrets/$name"
  echo "$name" >>"$work/accounts"
done
sed "s|/run/secrets/zoom-qos-exporter/|$work/secrets/|" "$sharded_config" >"$work/sharded.yaml"
for index in 0 1 2; do
  POD_INDEX=$index "$exporter" --check-config --config "$work/sharded.yaml" >"$work/shard-$index" ||
    die "shard $index/3: --check-config failed"
  polled=$(sed -n 's/.*: accounts polled: \(.*\) ([0-9]* of .*/\1/p' "$work/shard-$index")
  [ -n "$polled" ] || die "shard $index/3: --check-config named no accounts"
  say "shard $index/3 polls: $polled"
  [ "$polled" = none ] || echo "$polled" | tr ',' '\n' | tr -d ' ' >>"$work/polled"
done
diff <(sort "$work/accounts") <(sort "$work/polled") >/dev/null ||
  die "the shards do not poll every account exactly once: $(sort "$work/polled" | tr '\n' ' ')"
echo "Kubernetes test: passed"
