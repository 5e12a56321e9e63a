#!/usr/bin/env bash
# End-to-end benchmark of the Release daemon against the simulated Zoom account, all on
# 127.0.0.1: CPU per poll cycle and per participant snapshot, RSS per QoS series, /metrics body
# sizes, scrape latency under 50 concurrent gzip scrapers while polls run, plain-body
# throughput, and idle CPU and RSS. Each exporter polls its own zoom-simulator process, so the
# figures are the exporter's alone; the simulator's CPU is reported apart. Prints one markdown
# table on stdout; progress and raw numbers go to stderr. Needs root (or sudo) on Debian bookworm
# to install wrk; about 5 minutes. See docs/benchmarks.md, section "End to end".
#
# Knobs (environment): MEETINGS (2000), PARTICIPANTS (10, mean per meeting), WARMUP_CYCLES (2),
# CYCLES (3, measured), WRK_SECONDS (20, gzip latency run), THROUGHPUT_SECONDS (10),
# IDLE_SECONDS (30), INTERVAL_SECONDS (60, poll.interval), BENCH_BUILD_DIR (build-release),
# SKIP_BUILD=1 (use BENCH_BUILD_DIR as it is).
set -euo pipefail
cd "$(dirname "$0")/.."

meetings=${MEETINGS:-2000}
participants=${PARTICIPANTS:-10}
warmup_cycles=${WARMUP_CYCLES:-2}
cycles=${CYCLES:-3}
wrk_seconds=${WRK_SECONDS:-20}
throughput_seconds=${THROUGHPUT_SECONDS:-10}
idle_seconds=${IDLE_SECONDS:-30}
interval_seconds=${INTERVAL_SECONDS:-60}  # poll.interval
build_dir=${BENCH_BUILD_DIR:-build-release}

bench_name=e2e-benchmark say_width=3
# shellcheck source=bench/lib.sh
. bench/lib.sh  # say, die, prepare_binaries, make_work_dir, free_port, status_kb, mb, ...

# --- dependencies and build ------------------------------------------------------------------

prepare_binaries wrk

clk_tck=$(getconf CLK_TCK)
make_work_dir e2e

# --- helpers ---------------------------------------------------------------------------------

# NAME's simulator (sim_pid; files $work/NAME-sim.*), then its exporter (started_pid) against
# it, without --simulate.
start_exporter() {  # NAME PORT MEETINGS; sets started_pid, sim_pid and api_base_url
  write_simulator_config "$work/$1-sim.yaml" "$3" "$participants" 0 flat
  launch_simulator "$work/$1-sim" "$1 simulator"
  sim_pid=$started_pid
  write_exporter_config "$work/$1.yaml" "$2" "$interval_seconds" "$work/$1-sim.out"
  launch_exporter "$work/$1.yaml" "$work/$1.log"
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # utime + stime, in clock ticks

wait_ready() {  # NAME PID PORT
  wait_readyz "$3" 60 exporter_alive "$1" "$2" || die "$1 exporter not ready after 60 s"
}
exporter_alive() {  # NAME PID
  kill -0 "$2" 2>/dev/null || { cat "$work/$1.log" >&2; die "$1 exporter exited before ready"; }
}

stop_checked() {  # WHAT PID LOG; SIGTERM, then the exit status must be 0 within 10 s
  stop_process "$1" "$2"
  [ -n "$stop_problem" ] || return 0
  [ -z "$stop_rc" ] || cat "$3" >&2
  die "$1 $stop_problem"
}
stop_exporter() { stop_checked "$1 exporter" "$2" "$work/$1.log"; }      # NAME PID
stop_simulator() { stop_checked "$1 simulator" "$2" "$work/$1-sim.log"; }  # NAME PID

# The exporter's own counters, from a gzip scrape (cheap for the daemon: the QoS part is
# pre-deflated). Prints "polls_success qos_requests skipped last_poll_timestamp".
counters() {
  curl -s --compressed "http://127.0.0.1:$1/metrics" |
    grep -E '^zoom_exporter_(polls_total|api_requests_total|skipped_refreshes_total|last_poll_success)' |
    awk '/^zoom_exporter_polls_total\{result="success"\}/ {polls = $2}
         /^zoom_exporter_api_requests_total\{.*endpoint="participants_qos"/ {qos += $2}
         /^zoom_exporter_skipped_refreshes_total/ {skipped = $2}
         /^zoom_exporter_last_poll_success_timestamp_seconds/ {last = $2}
         END {printf "%d %d %d %s\n", polls, qos, skipped, (last == "" ? 0 : last)}'
}

# Waits until zoom_exporter_polls_total{result="success"} reaches TARGET. Samples the daemon's
# CPU every 0.2 s and scrapes only near the next expected poll. A poll cycle's work (the list,
# then every meeting's QoS pages, then publishing) comes in a burst right after the list read,
# so the cycle boundary is the last quiet sample before the burst that the counter announces:
# sets b_ticks, b_rss_kb, b_sim_ticks (the simulator's CPU; all three at that sample), b_polls,
# b_qos and b_skipped.
wait_polls() {  # PID PORT TARGET SIM_PID
  local pid=$1 port=$2 target=$3 sim=$4
  local ticks prev quiet_ticks quiet_rss quiet_sim quiet_at now next_check=0 polls qos skipped last
  prev=$(cpu_ticks "$pid")
  quiet_ticks=$prev quiet_rss=$(status_kb "$pid" VmRSS) quiet_sim=$(cpu_ticks "$sim") quiet_at=$(date +%s.%N)
  local deadline=$(($(date +%s) + interval_seconds * (target + 2)))
  while :; do
    kill -0 "$pid" 2>/dev/null || die "exporter exited while measuring"
    kill -0 "$sim" 2>/dev/null || die "simulator exited while measuring"
    ticks=$(cpu_ticks "$pid")
    now=$(date +%s.%N)
    # Quiet: at most 3 ticks (30 ms of CPU) since the last sample, a scrape of ours included.
    if [ $((ticks - prev)) -le 3 ]; then
      quiet_ticks=$ticks quiet_rss=$(status_kb "$pid" VmRSS) quiet_sim=$(cpu_ticks "$sim") quiet_at=$now
    fi
    prev=$ticks
    if awk -v a="$now" -v b="$next_check" 'BEGIN {exit !(a >= b)}'; then
      read -r polls qos skipped last < <(counters "$port")
      if [ "$polls" -ge "$target" ]; then
        if awk -v a="$now" -v b="$quiet_at" 'BEGIN {exit !(a - b > 10)}'; then
          say "no quiet gap before poll $target: cycle boundary taken at the scrape"
          quiet_ticks=$(cpu_ticks "$pid") quiet_rss=$(status_kb "$pid" VmRSS) quiet_sim=$(cpu_ticks "$sim")
        fi
        b_ticks=$quiet_ticks b_rss_kb=$quiet_rss b_sim_ticks=$quiet_sim
        b_polls=$polls b_qos=$qos b_skipped=$skipped
        return
      fi
      # The next poll is due an interval after the last; ask again a second before it.
      next_check=$(awk -v last="$last" -v now="$now" -v i="$interval_seconds" \
        'BEGIN {t = last + i - 1; if (last == 0 || t < now) t = now + 0.5; printf "%.3f", t}')
    fi
    [ "$(date +%s)" -lt "$deadline" ] || die "poll $target did not come"
    sleep 0.2
  done
}

# Runs wrk; its output goes to stderr and "p50_ms p99_ms requests_per_second errors" (errors:
# non-2xx answers and socket errors) to $work/wrk.res.
run_wrk() {
  wrk "$@" >"$work/wrk.out" 2>&1 || { cat "$work/wrk.out" >&2; die "wrk failed"; }
  cat "$work/wrk.out" >&2
  awk 'function ms(v) {
         if (v ~ /us$/) return v * 0.001; if (v ~ /ms$/) return v + 0;
         if (v ~ /m$/) return v * 60000; if (v ~ /s$/) return v * 1000; return v }
       $1 == "50%" {p50 = ms($2)} $1 == "99%" {p99 = ms($2)}
       $1 == "Requests/sec:" {rps = $2}
       /Non-2xx/ {bad += $NF}
       /Socket errors/ {gsub(/,/, ""); bad += $4 + $6 + $8 + $10}
       END {printf "%.3f %.3f %s %d\n", p50, p99, rps, bad}' "$work/wrk.out" >"$work/wrk.res"
}

holds() { awk "BEGIN {exit !($1)}" && echo yes || echo no; }

# --- idle instance (meetings: 0), measured while the loaded one warms up ----------------------

idle_port=$(free_port)
start_exporter idle "$idle_port" 0
idle_pid=$started_pid idle_sim_pid=$sim_pid
load_port=$(free_port)
[ "$load_port" != "$idle_port" ] || load_port=$(free_port)
start_exporter load "$load_port" "$meetings"
load_pid=$started_pid load_sim_pid=$sim_pid
say "exporters: idle pid $idle_pid port $idle_port (simulator pid $idle_sim_pid), loaded pid $load_pid port $load_port (simulator pid $load_sim_pid at $api_base_url)"

# The loaded daemon's RSS before its first poll completes (raw number only; idle is measured on
# the meetings: 0 instance).
load_early_rss_kb=""
for _ in $(seq 1 100); do
  if curl -s -o /dev/null "http://127.0.0.1:$load_port/healthz"; then
    load_early_rss_kb=$(status_kb "$load_pid" VmRSS)
    break
  fi
  sleep 0.05
done

wait_ready idle "$idle_pid" "$idle_port"
sleep 1
idle_rss_kb=$(status_kb "$idle_pid" VmRSS)
idle_anon_kb=$(status_kb "$idle_pid" RssAnon)
idle_file_kb=$(status_kb "$idle_pid" RssFile)
idle_t0=$(cpu_ticks "$idle_pid")
wait_ready load "$load_pid" "$load_port"
say "idle: measuring CPU over ${idle_seconds} s"
sleep "$idle_seconds"
idle_t1=$(cpu_ticks "$idle_pid")
idle_rss_end_kb=$(status_kb "$idle_pid" VmRSS)
stop_exporter idle "$idle_pid"
stop_simulator idle "$idle_sim_pid"
idle_cpu_s=$(awk -v d=$((idle_t1 - idle_t0)) -v hz="$clk_tck" 'BEGIN {printf "%.2f", d / hz}')

# --- loaded instance: steady-state CPU and RSS over CYCLES poll cycles ------------------------

say "warm-up: waiting for poll $warmup_cycles"
wait_polls "$load_pid" "$load_port" "$warmup_cycles" "$load_sim_pid"
s_ticks=$b_ticks s_sim_ticks=$b_sim_ticks s_polls=$b_polls s_qos=$b_qos s_skipped=$b_skipped
s_info=$(curl -s --compressed "http://127.0.0.1:$load_port/metrics" | grep -c '^zoom_participant_info{' || true)
cycle_cpu=()
cycle_sim_cpu=()
boundary_rss=("$b_rss_kb")
prev_ticks=$s_ticks prev_sim_ticks=$s_sim_ticks
for ((c = 1; c <= cycles; c++)); do
  say "measuring: waiting for poll $((s_polls + c))"
  wait_polls "$load_pid" "$load_port" $((s_polls + c)) "$load_sim_pid"
  cycle_cpu+=("$(awk -v d=$((b_ticks - prev_ticks)) -v hz="$clk_tck" 'BEGIN {printf "%.2f", d / hz}')")
  cycle_sim_cpu+=("$(awk -v d=$((b_sim_ticks - prev_sim_ticks)) -v hz="$clk_tck" 'BEGIN {printf "%.2f", d / hz}')")
  boundary_rss+=("$b_rss_kb")
  prev_ticks=$b_ticks prev_sim_ticks=$b_sim_ticks
done
e_ticks=$b_ticks e_sim_ticks=$b_sim_ticks e_polls=$b_polls e_qos=$b_qos e_skipped=$b_skipped steady_rss_kb=$b_rss_kb
measured_cycles=$((e_polls - s_polls))

# The next cycle's burst is starting: load the daemon with wrk while it polls.
say "wrk: ${wrk_seconds} s, 50 connections, gzip, while the poll runs"
w_t0=$(cpu_ticks "$load_pid") w_sim_t0=$(cpu_ticks "$load_sim_pid")
run_wrk -t2 -c50 -d"${wrk_seconds}s" --timeout 10s -H 'Accept-Encoding: gzip' --latency \
  "http://127.0.0.1:$load_port/metrics"
read -r gz_p50 gz_p99 gz_rps gz_bad <"$work/wrk.res"
w_t1=$(cpu_ticks "$load_pid") w_sim_t1=$(cpu_ticks "$load_sim_pid")
read -r _ qos_after_wrk _ _ < <(counters "$load_port")
say "wrk: ${throughput_seconds} s, 8 connections, plain"
run_wrk -t2 -c8 -d"${throughput_seconds}s" --timeout 10s --latency "http://127.0.0.1:$load_port/metrics"
read -r pl_p50 pl_p99 pl_rps pl_bad <"$work/wrk.res"

curl -s "http://127.0.0.1:$load_port/metrics" >"$work/plain.txt"
plain_bytes=$(wc -c <"$work/plain.txt")
gzip_bytes=$(curl -s -H 'Accept-Encoding: gzip' "http://127.0.0.1:$load_port/metrics" | wc -c)
series=$(grep -c '^zoom_participant_' "$work/plain.txt" || true)
e_info=$(grep -c '^zoom_participant_info{' "$work/plain.txt" || true)
meeting_count=$(awk '/^zoom_live_meetings / {print $2}' "$work/plain.txt")
rm -f "$work/plain.txt"
peak_rss_kb=$(status_kb "$load_pid" VmHWM)
sim_rss_kb=$(status_kb "$load_sim_pid" VmRSS)
sim_peak_rss_kb=$(status_kb "$load_sim_pid" VmHWM)
stop_exporter load "$load_pid"
stop_simulator load "$load_sim_pid"

# --- results ---------------------------------------------------------------------------------

cpu_total_s=$(awk -v d=$((e_ticks - s_ticks)) -v hz="$clk_tck" 'BEGIN {printf "%.2f", d / hz}')
trend=""
if [ "$measured_cycles" -ge 2 ] &&
  awk -v f="${cycle_cpu[0]}" -v l="${cycle_cpu[${#cycle_cpu[@]} - 1]}" 'BEGIN {exit !(l > 1.15 * f)}'; then
  trend="; rising from cycle to cycle, so not yet a steady state"
  say "note: CPU per cycle rose by more than 15 % across the window"
fi
cpu_per_cycle=$(awk -v t="$cpu_total_s" -v n="$measured_cycles" 'BEGIN {printf "%.2f", t / n}')
sim_cpu_total_s=$(awk -v d=$((e_sim_ticks - s_sim_ticks)) -v hz="$clk_tck" 'BEGIN {printf "%.2f", d / hz}')
sim_cpu_per_cycle=$(awk -v t="$sim_cpu_total_s" -v n="$measured_cycles" 'BEGIN {printf "%.2f", t / n}')
snapshots=$(awk -v a="$s_info" -v b="$e_info" -v n="$measured_cycles" 'BEGIN {printf "%d", (a + b) / 2 * n}')
us_per_snapshot=$(awk -v t="$cpu_total_s" -v s="$snapshots" 'BEGIN {printf "%.1f", t * 1e6 / s}')
qos_per_cycle=$(awk -v d=$((e_qos - s_qos)) -v n="$measured_cycles" 'BEGIN {printf "%d", d / n}')
rss_per_series=$(awk -v s="$steady_rss_kb" -v i="$idle_rss_kb" -v n="$series" \
  'BEGIN {printf "%d", (s - i) * 1024 / n}')
plain_mbps=$(awk -v r="$pl_rps" -v b="$plain_bytes" 'BEGIN {printf "%d", r * b / 1e6}')
gz_mbps=$(awk -v r="$gz_rps" -v b="$gzip_bytes" 'BEGIN {printf "%d", r * b / 1e6}')
wrk_cpu=$(awk -v d=$((w_t1 - w_t0)) -v hz="$clk_tck" -v s="$wrk_seconds" 'BEGIN {printf "%.0f", d / hz / s * 100}')
wrk_sim_cpu=$(awk -v d=$((w_sim_t1 - w_sim_t0)) -v hz="$clk_tck" -v s="$wrk_seconds" 'BEGIN {printf "%.0f", d / hz / s * 100}')

say "raw: clk_tck=$clk_tck cycles=$measured_cycles per_cycle_cpu_s=(${cycle_cpu[*]})"
say "raw: simulator (own process, not in the exporter's figures) cpu_ticks start=$s_sim_ticks end=$e_sim_ticks per_cycle_cpu_s=(${cycle_sim_cpu[*]}) cpu_during_gzip_wrk=${wrk_sim_cpu}% rss_kb=$sim_rss_kb peak(VmHWM)=$sim_peak_rss_kb"
say "raw: cpu_ticks start=$s_ticks end=$e_ticks qos_requests=$((e_qos - s_qos)) skipped_refreshes=$((e_skipped - s_skipped))"
say "raw: participant_info series start=$s_info end=$e_info meetings=$meeting_count"
say "raw: rss_kb idle=$idle_rss_kb (anon $idle_anon_kb, file $idle_file_kb) idle_after_${idle_seconds}s=$idle_rss_end_kb loaded_before_first_poll=${load_early_rss_kb:-?} steady=$steady_rss_kb at_cycle_boundaries=(${boundary_rss[*]}) peak(VmHWM)=$peak_rss_kb"
say "raw: body plain=$plain_bytes gzip=$gzip_bytes series=$series"
say "raw: wrk gzip p50_ms=$gz_p50 p99_ms=$gz_p99 rps=$gz_rps errors=$gz_bad qos_requests_during=$((qos_after_wrk - e_qos)) daemon_cpu=${wrk_cpu}%"
say "raw: wrk plain p50_ms=$pl_p50 p99_ms=$pl_p99 rps=$pl_rps errors=$pl_bad"
say "raw: idle cpu_ticks=$((idle_t1 - idle_t0)) over ${idle_seconds}s"
[ $((e_skipped - s_skipped)) -eq 0 ] || say "warning: skipped refreshes in the window: not every meeting was polled every cycle"

cat <<EOF
| measure | value | detail | target | holds |
|---|---|---|---|---|
| CPU per poll cycle | $cpu_per_cycle s | $cpu_total_s s over $measured_cycles cycles of ${interval_seconds} s (per cycle: ${cycle_cpu[*]}$trend); $meeting_count meetings, $qos_per_cycle QoS requests a cycle | | |
| CPU per participant snapshot | $us_per_snapshot µs | $snapshots snapshots ($s_info → $e_info participants a cycle); the exporter process only (the simulated Zoom runs in a process of its own) | ≤ 10 µs | $(holds "$us_per_snapshot <= 10") |
| simulated Zoom CPU per poll cycle | $sim_cpu_per_cycle s | the zoom-simulator process, not counted above: $sim_cpu_total_s s over the same $measured_cycles cycles (per cycle: ${cycle_sim_cpu[*]}) | | |
| RSS idle (meetings: 0) | $(mb "$idle_rss_kb") MB | after its first poll; $(mb "$idle_anon_kb") MB anonymous, $(mb "$idle_file_kb") MB file-backed (libraries) | ≤ 10 MB | $(holds "$idle_rss_kb * 1024 <= 10000000") |
| RSS steady state | $(mb "$steady_rss_kb") MB | between polls, at the last boundary (at each: $(for k in "${boundary_rss[@]}"; do printf '%s ' "$(mb "$k")"; done)MB); peak (VmHWM) $(mb "$peak_rss_kb") MB | | |
| QoS series | $series | sample lines starting zoom_participant_ | | |
| RSS per QoS series above idle | $rss_per_series B | (steady − idle) / series | ≤ 250 B | $(holds "$rss_per_series <= 250") |
| /metrics body, plain | $plain_bytes B | | | |
| /metrics body, gzip | $gzip_bytes B | $(awk -v p="$plain_bytes" -v g="$gzip_bytes" 'BEGIN {printf "%.1f", p / g}')× smaller | | |
| scrape latency p50, 50 gzip scrapers | $gz_p50 ms | wrk -t2 -c50 -d${wrk_seconds}s while a poll runs ($((qos_after_wrk - e_qos)) QoS requests meanwhile); $gz_rps req/s, $gz_mbps MB/s gzip; errors $gz_bad | | |
| scrape latency p99, 50 gzip scrapers | $gz_p99 ms | daemon CPU ${wrk_cpu}% of a core meanwhile, simulator ${wrk_sim_cpu}%; wrk and the simulator share the 2 cores | ≤ 5 ms | $(holds "$gz_p99 <= 5") |
| plain body throughput | $plain_mbps MB/s | wrk -t2 -c8 -d${throughput_seconds}s: $pl_rps req/s × $plain_bytes B; p50 $pl_p50 ms; errors $pl_bad | ≥ 1000 MB/s | $(holds "$plain_mbps >= 1000") |
| idle CPU (meetings: 0) | $idle_cpu_s s | over ${idle_seconds} s ($((idle_t1 - idle_t0)) ticks of 1/$clk_tck s) | effectively 0 (≤ 0.03 s) | $(holds "$idle_cpu_s <= 0.03") |
EOF
