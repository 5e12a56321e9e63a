#!/usr/bin/env bash
# Starts the exporter in --simulate mode and a real Prometheus server (Debian's prometheus) on
# 127.0.0.1 that scrapes it with the job and rules of deploy/prometheus/, waits for two scrapes
# and two rule evaluations, then runs every PromQL expression of the Grafana dashboard and of the
# rule files through the server's HTTP API (scripts/promql_live_check.py). About 20 s.
#   BUILD_DIR  where the exporter was built (default build)
set -euo pipefail
cd "$(dirname "$0")/.."
bench_name=promql-live-test say_width=3
# shellcheck source=../bench/lib.sh
source bench/lib.sh

scripts/install-deps.sh python3 python3-yaml
exporter=${BUILD_DIR:-build}/zoom-qos-exporter
[ -x "$exporter" ] || die "$exporter missing: build first (scripts/build.sh)"
make_work_dir promql
exporter_port=$(free_port)
prometheus_port=$(free_port)
[ "$prometheus_port" != "$exporter_port" ] || prometheus_port=$(free_port)

cat >"$work/exporter.yaml" <<EOF
listen: "127.0.0.1:$exporter_port"
log_level: warn
EOF
"$exporter" --simulate --config "$work/exporter.yaml" 2>"$work/exporter.log" &
pids+=($!)

# The example's job and rules, scraped and evaluated every 2 s instead of every 30 s.
/usr/bin/python3 - "$work/prometheus.yml" "$exporter_port" <<'EOF'
import os, sys, yaml
out, port = sys.argv[1], sys.argv[2]
with open("deploy/prometheus/prometheus.yml") as file:
    config = yaml.safe_load(file)
config["global"]["evaluation_interval"] = "2s"
config["rule_files"] = [os.path.abspath(os.path.join("deploy/prometheus", f)) for f in config["rule_files"]]
job = next(j for j in config["scrape_configs"] if j["job_name"] == "zoom-qos-exporter")
job.update(scrape_interval="2s", scrape_timeout="2s", static_configs=[{"targets": [f"127.0.0.1:{port}"]}])
with open(out, "w") as file:
    yaml.safe_dump(config, file)
EOF
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address="127.0.0.1:$prometheus_port" --log.level=warn 2>"$work/prometheus.log" &
pids+=($!)
api=http://127.0.0.1:$prometheus_port

# Two scrapes of a ready exporter, and the rules evaluated twice since.
scrapes=0
for _ in $(seq 1 60); do
  sleep 1
  scrapes=$(curl -fsS "$api/api/v1/query" --data-urlencode 'query=count_over_time(zoom_up{job="zoom-qos-exporter"}[1m])' 2>/dev/null |
    /usr/bin/python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(int(float(r[0]["value"][1])) if r else 0)' 2>/dev/null) || scrapes=0
  ready=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$exporter_port/readyz" || true)
  if [ "$ready" = 200 ] && [ "${scrapes:-0}" -ge 2 ]; then break; fi
done
[ "${scrapes:-0}" -ge 2 ] || { tail -5 "$work/prometheus.log" "$work/exporter.log"; die "Prometheus did not scrape the exporter twice"; }
sleep 5  # two more scrapes and rule evaluations after the exporter was ready
say "Prometheus $(prometheus --version 2>&1 | head -1 | awk '{print $3}') scraped the exporter ${scrapes}+ times"

/usr/bin/python3 scripts/promql_live_check.py --prometheus "$api" \
  --dashboard deploy/grafana/dashboards/zoom-qos-exporter.json deploy/prometheus/rules/*.rules.yml
kill -TERM "${pids[@]}"
wait "${pids[@]}" 2>/dev/null || true
echo "PromQL live test: passed"
