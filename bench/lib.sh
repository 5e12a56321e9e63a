# Helpers shared by bench/e2e-benchmark.sh and bench/churn-rss.sh. Each script sources this file
# after `set -euo pipefail` and `cd "$(dirname "$0")/.."`, so paths here are relative to the
# repository root. Before sourcing, a script sets bench_name (the prefix of die's messages) and
# say_width (the width of say's clock); before prepare_binaries, build_dir. The variables a
# function sets for its caller (named in its comment) are global.
# shellcheck shell=bash disable=SC2034,SC2154  # (those variables: read or assigned by the scripts)

say() { printf '# [%*ds] %s\n' "$say_width" "$SECONDS" "$*" >&2; }  # progress, on stderr
die() {  # the message on stderr, then exit 1
  printf '%s: %s\n' "$bench_name" "$*" >&2
  exit 1
}

# Installs the dependencies (scripts/install-deps.sh), then each TOOL that is not on PATH with
# apt-get (as root, or with sudo), then builds build_dir as Release without tests unless
# SKIP_BUILD=1. Sets exporter and simulator, the two binaries; dies if either is missing.
prepare_binaries() {  # [TOOL...]
  local tool sudo="" missing=()
  scripts/install-deps.sh
  for tool in "$@"; do command -v "$tool" >/dev/null || missing+=("$tool"); done
  if [ "${#missing[@]}" -gt 0 ]; then
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
  if [ "${SKIP_BUILD:-0}" != 1 ]; then
    BUILD_DIR=$build_dir BUILD_TYPE=Release scripts/build.sh -DZQE_BUILD_TESTS=OFF >&2
  fi
  exporter=$build_dir/zoom-qos-exporter
  simulator=$build_dir/zoom-simulator
  [ -x "$exporter" ] || die "$exporter missing"
  [ -x "$simulator" ] || die "$simulator missing"
}

# Makes the work directory /tmp/zqe-TAG.XXXXXX and sets work to it. Sets pids, the processes
# started (the launch_* functions add theirs), and a trap that SIGKILLs them all and removes
# work on exit.
make_work_dir() {  # TAG
  work=$(mktemp -d "/tmp/zqe-$1.XXXXXX")
  pids=()
  trap cleanup EXIT
}
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}

# A port nothing listens on (bash's /dev/tcp: a refused connect means free).
free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 12000))  # below the ephemeral ports (32768 and up), which clients hold
    if ! timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  die "no free port found"
}

status_kb() { awk -v key="$2:" '$1 == key {print $2}' "/proc/$1/status"; }  # PID KEY (VmRSS...)
mb() { awk -v k="$1" 'BEGIN {printf "%.1f", k * 1024 / 1e6}'; }  # KiB to MB

# A simulated account's config: MEETINGS (at the peak), PARTICIPANTS (mean per meeting),
# WEBINARS, the load profile (flat or workday) and, if given, simulator.speed. No rate limits.
write_simulator_config() {  # FILE MEETINGS PARTICIPANTS WEBINARS PROFILE [SPEED]
  cat >"$1" <<EOF
log_level: warn
simulator:
  meetings: $2
  participants_per_meeting: $3
  webinars: $4
  enforce_rate_limits: false
  load_profile: $5
EOF
  [ $# -lt 6 ] || echo "  speed: $6" >>"$1"
}

# Starts zoom-simulator with PREFIX.yaml on any free port, its stdout in PREFIX.out and its
# stderr in PREFIX.log, and waits up to 10 s for it to print the zoom: section an exporter config
# needs (to PREFIX.out); WHAT names it in die's messages. Sets started_pid (added to pids),
# api_base_url and oauth_token_url.
launch_simulator() {  # PREFIX WHAT
  "$simulator" --config "$1.yaml" --port 0 >"$1.out" 2>"$1.log" &
  started_pid=$!
  pids+=("$started_pid")
  for _ in $(seq 1 100); do
    kill -0 "$started_pid" 2>/dev/null || { cat "$1.log" >&2; die "$2 exited at start"; }
    grep -q '^  client_secret:' "$1.out" && break
    sleep 0.1
  done
  api_base_url=$(awk '$1 == "api_base_url:" {print $2}' "$1.out")
  oauth_token_url=$(awk '$1 == "oauth_token_url:" {print $2}' "$1.out")
  if ! grep -q '^  client_secret:' "$1.out" || [ -z "$api_base_url" ] || [ -z "$oauth_token_url" ]; then
    die "$2 printed no URLs within 10 s"
  fi
}

# An exporter config listening on 127.0.0.1:PORT, polling every INTERVAL seconds the simulator
# whose zoom: section is in ZOOM_FILE (launch_simulator's PREFIX.out), with 8 concurrent requests
# and limits generous enough that the quota is not the bottleneck.
write_exporter_config() {  # FILE PORT INTERVAL ZOOM_FILE
  {
    echo "listen: \"127.0.0.1:$2\""
    echo "log_level: warn"
    cat "$4"  # zoom: api_base_url, oauth_token_url and the credentials
    cat <<EOF
  max_concurrent_requests: 8
poll:
  interval: ${3}s
limits:
  heavy_per_second: 1000
  resource_intensive_per_minute: 10000
  daily_requests: 100000000
  daily_share: 1
EOF
  } >"$1"
}

# Starts the exporter with CONFIG (no --simulate), its stderr in LOG. Sets started_pid (added to
# pids).
launch_exporter() {  # CONFIG LOG
  "$exporter" --config "$1" 2>"$2" &
  started_pid=$!
  pids+=("$started_pid")
}

readyz_ok() { [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/readyz")" = 200 ]; }  # PORT

# Polls http://127.0.0.1:PORT/readyz every 0.1 s for up to SECONDS, running CHECK (a command
# that dies if the process is gone) before each try. Returns 0 once it answers 200, 1 if it never
# does.
wait_readyz() {  # PORT SECONDS CHECK...
  local port=$1 tries=$(($2 * 10))
  shift 2
  for _ in $(seq 1 "$tries"); do
    "$@"
    readyz_ok "$port" && return 0
    sleep 0.1
  done
  return 1
}

# Sends PID SIGTERM and waits up to 10 s for it to exit. If it exited 0, says
# "WHAT: SIGTERM, exit status 0" and sets stop_problem empty. Otherwise sets stop_problem to
# "still running 10 s after SIGTERM" (stop_rc empty) or "exited N after SIGTERM" (stop_rc N);
# the caller decides whether that is fatal. Always returns 0.
stop_process() {  # WHAT PID
  stop_rc="" stop_problem=""
  kill -TERM "$2"
  for _ in $(seq 1 100); do kill -0 "$2" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$2" 2>/dev/null; then
    stop_problem="still running 10 s after SIGTERM"
    return 0
  fi
  stop_rc=0
  wait "$2" || stop_rc=$?
  if [ "$stop_rc" -eq 0 ]; then
    say "$1: SIGTERM, exit status 0"
  else
    stop_problem="exited $stop_rc after SIGTERM"
  fi
}
