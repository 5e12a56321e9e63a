#!/usr/bin/env bash
# Soak run: does anything grow while the exporter runs for a long time under churn and heavy
# scraping? Runs zoom-simulator (flat load, sped up so that meetings and participants come and go
# every few real minutes) and an exporter polling it every 15 s, while
#   - wrk keeps SCRAPERS keep-alive connections scraping /metrics with gzip, each every
#     SCRAPE_DELAY_MS, and 2 more scraping the plain text every second;
#   - a loop opens a new connection twice a second for /metrics, /healthz, a 404 or a 405, and
#     every 5 s a connection that sends half a request header and stalls until the server's
#     10 s request limit closes it.
# Samples the exporter's VmRSS, open file descriptors, CPU time and event-loop lag
# (zoom_exporter_event_loop_lag_seconds) every SAMPLE_SECONDS, and compares the first
# WINDOW_MINUTES after WARMUP_MINUTES with the last WINDOW_MINUTES. Prints one markdown table on
# stdout; progress and raw samples go to stderr. Exits 1 if a process dies, 2 if RSS, fds or
# event-loop lag grew (median RSS +5 %, peak fds +2, mean lag doubled and +1 ms), else 0.
# See docs/benchmarks.md, section "Soak".
#
# Knobs (environment): DURATION_MINUTES (60), WARMUP_MINUTES (3), WINDOW_MINUTES (10),
# SAMPLE_SECONDS (30), MEETINGS (300), PARTICIPANTS (10), WEBINARS (5), SPEED (24: an hour of
# meetings in 2.5 real minutes), SCRAPERS (20), SCRAPE_DELAY_MS (100), POLL_SECONDS (15),
# BENCH_BUILD_DIR (build-release), SKIP_BUILD=1 (use BENCH_BUILD_DIR as it is).
set -euo pipefail
cd "$(dirname "$0")/.."

duration_minutes=${DURATION_MINUTES:-60}
warmup_minutes=${WARMUP_MINUTES:-3}
window_minutes=${WINDOW_MINUTES:-10}
sample_seconds=${SAMPLE_SECONDS:-30}
meetings=${MEETINGS:-300}
participants=${PARTICIPANTS:-10}
webinars=${WEBINARS:-5}
speed=${SPEED:-24}
scrapers=${SCRAPERS:-20}
scrape_delay_ms=${SCRAPE_DELAY_MS:-100}
poll_seconds=${POLL_SECONDS:-15}
build_dir=${BENCH_BUILD_DIR:-build-release}

bench_name=soak say_width=5
# shellcheck source=bench/lib.sh
. bench/lib.sh  # say, die, prepare_binaries, make_work_dir, free_port, status_kb, mb, ...

[ $((warmup_minutes + 2 * window_minutes)) -le "$duration_minutes" ] ||
  die "WARMUP_MINUTES + 2 * WINDOW_MINUTES must fit in DURATION_MINUTES"

prepare_binaries wrk
make_work_dir soak

now_ms() { date +%s%3N; }
fd_count() { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # utime + stime
clk_tck=$(getconf CLK_TCK)

check_alive() {
  local pid name rc=0
  for name in simulator exporter; do
    pid=$sim_pid
    [ "$name" = exporter ] && pid=$exporter_pid
    if ! kill -0 "$pid" 2>/dev/null; then
      wait "$pid" || rc=$?
      tail -n 20 "$work/$name.log" >&2
      die "the $name died (exit status $rc) after $SECONDS s"
    fi
  done
}

# --- the simulator, the exporter and the load ------------------------------------------------

write_simulator_config "$work/sim.yaml" "$meetings" "$participants" "$webinars" flat "$speed"
launch_simulator "$work/sim" "the simulator"
sim_pid=$started_pid
port=$(free_port)
write_exporter_config "$work/exporter.yaml" "$port" "$poll_seconds" "$work/sim.out"
launch_exporter "$work/exporter.yaml" "$work/exporter.log"
exporter_pid=$started_pid
say "simulator pid $sim_pid, exporter pid $exporter_pid on port $port; $meetings meetings of about $participants participants, speed $speed, $duration_minutes minutes"
wait_readyz "$port" 120 check_alive || die "the exporter is not ready after 120 s"

cat >"$work/gzip.lua" <<EOF
wrk.headers["Accept-Encoding"] = "gzip"
function delay() return $scrape_delay_ms end
EOF
echo 'function delay() return 1000 end' >"$work/plain.lua"
url="http://127.0.0.1:$port/metrics"
wrk -t1 -c"$scrapers" -d"${duration_minutes}m" --timeout 10s --latency -s "$work/gzip.lua" \
  "$url" >"$work/wrk-gzip.out" 2>&1 &
pids+=("$!")
wrk_gzip_pid=$!
wrk -t1 -c2 -d"${duration_minutes}m" --timeout 10s --latency -s "$work/plain.lua" \
  "$url" >"$work/wrk-plain.out" 2>&1 &
pids+=("$!")
wrk_plain_pid=$!

# New connections, odd requests and stalled ones, for the life of the run.
churn_connections() {
  local i=0
  while :; do
    curl -s -o /dev/null --compressed "$url" || true
    case $((i % 3)) in
      0) curl -s -o /dev/null "http://127.0.0.1:$port/healthz" || true ;;
      1) curl -s -o /dev/null "http://127.0.0.1:$port/no-such-page" || true ;;
      2) curl -s -o /dev/null -X DELETE "$url" || true ;;
    esac
    if [ $((i % 10)) -eq 0 ]; then
      # Half a request header, then silence: the server cuts it off after 10 s.
      (exec 3<>"/dev/tcp/127.0.0.1/$port" && printf 'GET /metrics HTTP/1.1\r\nHost: x\r\n' >&3 &&
        sleep 12) 2>/dev/null &
    fi
    i=$((i + 1))
    sleep 0.5
  done
}
churn_connections &
pids+=("$!")

# --- sampling --------------------------------------------------------------------------------

# One line per sample: real seconds, VmRSS (KiB), fds, cpu ticks, lag count, lag sum, then the
# lag histogram's cumulative bucket counts (le=0.001 ... +Inf).
samples=$work/samples
: >"$samples"
: >"$work/meetings"
# The meeting ids seen go to $work/meetings, one line per sample and meeting.
take_sample() {
  local t lag
  t=$(awk -v t="$(now_ms)" -v a="$start_ms" 'BEGIN {printf "%.0f", (t - a) / 1000}')
  curl -s -o "$work/scrape" "http://127.0.0.1:$port/metrics"
  grep -o '^zoom_meeting_info{meeting_id="[0-9]*"' "$work/scrape" >>"$work/meetings" || true
  lag=$(awk '
    /^zoom_exporter_event_loop_lag_seconds_bucket/ {b = b " " $2}
    /^zoom_exporter_event_loop_lag_seconds_count/ {c = $2}
    /^zoom_exporter_event_loop_lag_seconds_sum/ {s = $2}
    END {print c, s b}' "$work/scrape")
  echo "$t $(status_kb "$exporter_pid" VmRSS) $(fd_count "$exporter_pid") $(cpu_ticks "$exporter_pid") $lag" >>"$samples"
  say "sample: $(tail -n 1 "$samples")"
}

start_ms=$(now_ms)
end_ms=$((start_ms + duration_minutes * 60000))
take_sample
while [ "$(now_ms)" -lt "$end_ms" ]; do
  sleep "$sample_seconds"
  check_alive
  take_sample
done
wait "$wrk_gzip_pid" "$wrk_plain_pid" || true
check_alive
peak_kb=$(status_kb "$exporter_pid" VmHWM)
polls=$(awk '/^zoom_exporter_polls_total\{result="success"\}/ {print $2}' "$work/scrape")
stop_process exporter "$exporter_pid"
[ -z "$stop_problem" ] || die "exporter $stop_problem"
stop_process simulator "$sim_pid"
cat "$work/wrk-gzip.out" "$work/wrk-plain.out" >&2

# --- the table -------------------------------------------------------------------------------

# Window statistics: median/min/max RSS, median/max fds, CPU %, and the lag over the window
# (mean, the bucket that holds the 99th percentile, the largest bucket reached).
window_stats() {  # FROM_S TO_S
  awk -v from="$1" -v to="$2" -v hz="$clk_tck" '
    BEGIN {split("0.001 0.005 0.025 0.1 0.5 1 5 +Inf", le, " ")}
    $1 >= from && $1 <= to {
      n++; rss[n] = $2; fds[n] = $3; t[n] = $1; cpu[n] = $4; cnt[n] = $5; sum[n] = $6
      for (i = 7; i <= NF; i++) bucket[n, i - 6] = $i
      nb = NF - 6
    }
    function median(a, k,   i, j, x, s) {
      for (i = 1; i <= k; i++) s[i] = a[i]
      for (i = 2; i <= k; i++) { x = s[i]; for (j = i - 1; j > 0 && s[j] > x; j--) s[j + 1] = s[j]; s[j + 1] = x }
      return k % 2 ? s[(k + 1) / 2] : (s[k / 2] + s[k / 2 + 1]) / 2
    }
    END {
      if (n < 2) { print "n/a"; exit }
      rmin = rmax = rss[1]; fmax = fds[1]
      for (i = 1; i <= n; i++) { if (rss[i] < rmin) rmin = rss[i]; if (rss[i] > rmax) rmax = rss[i]; if (fds[i] > fmax) fmax = fds[i] }
      dc = cnt[n] - cnt[1]; ds = sum[n] - sum[1]
      p99 = "n/a"; top = "n/a"
      for (i = 1; i <= nb; i++) {
        d = bucket[n, i] - bucket[1, i]
        if (p99 == "n/a" && dc > 0 && d >= 0.99 * dc) p99 = le[i]
        below = i > 1 ? bucket[n, i - 1] - bucket[1, i - 1] : 0
        if (d > below) top = le[i]
      }
      printf "%.0f %.0f %.0f %d %d %.1f %.3f %s %s %d\n", median(rss, n), rmin, rmax, median(fds, n), fmax,
        (cpu[n] - cpu[1]) / hz / (t[n] - t[1]) * 100, (dc > 0 ? ds / dc * 1000 : 0), p99, top, n
    }' "$samples"
}

total_s=$((duration_minutes * 60))
read -r s_rss s_rmin s_rmax s_fds s_fmax s_cpu s_lag s_p99 s_top s_n < <(window_stats $((warmup_minutes * 60)) $(((warmup_minutes + window_minutes) * 60)))
read -r e_rss e_rmin e_rmax e_fds e_fmax e_cpu e_lag e_p99 e_top e_n < <(window_stats $((total_s - window_minutes * 60)) "$total_s")

wrk_line() {  # FILE: requests, p50, p99, non-2xx + socket errors
  awk '/ 50%/ {p50 = $2} / 99%/ {p99 = $2} /requests in/ {n = $1}
       /Non-2xx/ {bad += $NF} /Socket errors/ {for (i = 4; i <= NF; i += 2) bad += $i}
       END {printf "%s requests, p50 %s, p99 %s, %d errors", n, p50, p99, bad}' "$1"
}

grew=()
awk -v e="$e_rss" -v s="$s_rss" 'BEGIN {exit !(e > s * 1.05)}' && grew+=("RSS")
[ "$e_fmax" -gt $((s_fmax + 2)) ] && grew+=("open fds")
awk -v e="$e_lag" -v s="$s_lag" 'BEGIN {exit !(e > 2 * s + 1)}' && grew+=("event-loop lag")

echo "| window | samples | RSS median (min–max) | open fds median (max) | exporter CPU | loop lag mean | loop lag p99 ≤ | largest lag ≤ |"
echo "|---|---:|---|---|---:|---:|---:|---:|"
printf '| first %s min after %s min warm-up | %s | %s MB (%s–%s) | %s (%s) | %s %% | %s ms | %s s | %s s |\n' \
  "$window_minutes" "$warmup_minutes" "$s_n" "$(mb "$s_rss")" "$(mb "$s_rmin")" "$(mb "$s_rmax")" \
  "$s_fds" "$s_fmax" "$s_cpu" "$s_lag" "$s_p99" "$s_top"
printf '| last %s min | %s | %s MB (%s–%s) | %s (%s) | %s %% | %s ms | %s s | %s s |\n' \
  "$window_minutes" "$e_n" "$(mb "$e_rss")" "$(mb "$e_rmin")" "$(mb "$e_rmax")" \
  "$e_fds" "$e_fmax" "$e_cpu" "$e_lag" "$e_p99" "$e_top"
echo
echo "- gzip scrapers ($scrapers connections, one scrape each per ${scrape_delay_ms} ms): $(wrk_line "$work/wrk-gzip.out")"
echo "- plain scrapers (2 connections, one scrape each per second): $(wrk_line "$work/wrk-plain.out")"
echo "- churn: $(sort -u "$work/meetings" | wc -l) distinct meetings and webinars seen over $duration_minutes minutes ($meetings + $webinars live at a time), ${polls:-?} successful polls; exporter peak RSS (VmHWM) $(mb "$peak_kb") MB; SIGTERM: exit status 0"
if [ ${#grew[@]} -gt 0 ]; then
  echo "- grew: ${grew[*]}"
  exit 2
fi
echo "- grew: nothing (RSS within 5 %, open fds within 2, loop lag within 2× + 1 ms)"
