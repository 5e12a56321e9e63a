#!/usr/bin/env bash
# Churn benchmark: does the exporter's memory stay flat while meetings come and go for a whole
# simulated day? Runs zoom-simulator with a workday load profile, sped up (simulator.speed) so
# that 24 simulated hours pass in DURATION_MINUTES, and an exporter polling it every 15 s, scraped
# (gzip) every 15 s meanwhile. Samples the exporter's VmRSS, its open file descriptors and its
# zoom_participant_info series once a minute and at every 3 simulated hours, and prints one
# markdown table on stdout: start (after the first full poll), each 3-hour mark, the maximum, the
# end (the same simulated time of day as the start), end / start, and the second half against
# the first. Progress and raw samples go to stderr. Exits non-zero only if the exporter or the
# simulator dies (or cannot start). See docs/benchmarks.md, section "Churn".
#
# Knobs (environment): DURATION_MINUTES (30, real), SPEED (48: 30 real minutes are 24 simulated
# hours), MEETINGS (1000, live at the workday's peak), PARTICIPANTS (10, mean per meeting),
# WEBINARS (10 at the peak), PROFILE (workday; flat keeps MEETINGS live all day, so that every
# sample is at the same load), POLL_SECONDS (15), SCRAPE_SECONDS (15), SAMPLE_SECONDS (60),
# MARK_HOURS (3, simulated), BENCH_BUILD_DIR (build-release), SKIP_BUILD=1 (use BENCH_BUILD_DIR
# as it is).
set -euo pipefail
cd "$(dirname "$0")/.."

duration_minutes=${DURATION_MINUTES:-30}
speed=${SPEED:-48}
meetings=${MEETINGS:-1000}
participants=${PARTICIPANTS:-10}
webinars=${WEBINARS:-10}
profile=${PROFILE:-workday}
poll_seconds=${POLL_SECONDS:-15}
scrape_seconds=${SCRAPE_SECONDS:-15}
sample_seconds=${SAMPLE_SECONDS:-60}
mark_hours=${MARK_HOURS:-3}
build_dir=${BENCH_BUILD_DIR:-build-release}

bench_name=churn-rss say_width=4
# shellcheck source=bench/lib.sh
. bench/lib.sh  # say, die, prepare_binaries, make_work_dir, free_port, status_kb, mb, ...

# --- dependencies and build ------------------------------------------------------------------

# shellcheck disable=SC2119  # no tools beyond scripts/install-deps.sh
prepare_binaries
make_work_dir churn

# --- helpers ---------------------------------------------------------------------------------

now_ms() { date +%s%3N; }

fd_count() { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }

# Exits 1 with the process's log when the exporter or the simulator is gone.
check_alive() {
  local rc=0
  if ! kill -0 "$sim_pid" 2>/dev/null; then
    wait "$sim_pid" || rc=$?
    tail -n 20 "$work/sim.log" >&2
    print_table
    die "the simulator died (exit status $rc) after $SECONDS s"
  fi
  if ! kill -0 "$exporter_pid" 2>/dev/null; then
    wait "$exporter_pid" || rc=$?
    tail -n 20 "$work/exporter.log" >&2
    print_table
    die "the exporter died (exit status $rc) after $SECONDS s"
  fi
}

# The simulated instant at real time T_MS, as Unix seconds: the simulator's clock runs SPEED
# times as fast from its start (sim_origin_ms, taken just before it started).
simulated_s() { awk -v t="$1" -v o="$sim_origin_ms" -v s="$speed" 'BEGIN {printf "%d", (o + (t - o) * s) / 1000}'; }

# Samples: label, real seconds since the start sample, simulated hours since it, simulated time
# of day, live meetings, zoom_participant_info series, VmRSS (KiB), open fds.
s_label=() s_real=() s_hours=() s_tod=() s_meetings=() s_series=() s_rss=() s_fds=()

take_sample() {  # LABEL
  local t counts series live rss fds
  t=$(now_ms)
  counts=$(curl -s --compressed "http://127.0.0.1:$port/metrics" |
    awk '/^zoom_participant_info\{/ {n++} /^zoom_live_meetings / {m = $2} END {printf "%d %d", n, m}')
  read -r series live <<<"$counts"
  rss=$(status_kb "$exporter_pid" VmRSS)
  fds=$(fd_count "$exporter_pid")
  s_label+=("$1")
  s_real+=("$(awk -v t="$t" -v a="$start_ms" 'BEGIN {printf "%.0f", (t - a) / 1000}')")
  s_hours+=("$(awk -v t="$t" -v a="$start_ms" -v s="$speed" 'BEGIN {printf "%.2f", (t - a) / 1000 * s / 3600}')")
  s_tod+=("$(date -u -d "@$(simulated_s "$t")" +%H:%M)")
  s_meetings+=("$live") s_series+=("$series") s_rss+=("$rss") s_fds+=("$fds")
  local i=$((${#s_label[@]} - 1))
  say "sample ${1:-.}: real +${s_real[$i]} s, simulated +${s_hours[$i]} h (${s_tod[$i]} UTC), meetings=$live participant_info=$series rss_kb=$rss fds=$fds"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b == 0) print "n/a"; else printf "%.3f", a / b}'; }
within_5() { awk -v r="$1" 'BEGIN {exit !(r != "n/a" && r >= 0.95 && r <= 1.05)}' && echo yes || echo no; }

print_table() {
  local n=${#s_label[@]} i max_i=0 last
  [ "$n" -gt 0 ] || return 0
  for ((i = 1; i < n; i++)); do [ "${s_rss[$i]}" -gt "${s_rss[$max_i]}" ] && max_i=$i; done
  row() {  # POINT INDEX
    printf '| %s | +%s h | %s | +%s s | %s | %s | %s MB | %s |\n' "$1" "${s_hours[$2]}" \
      "${s_tod[$2]}" "${s_real[$2]}" "${s_meetings[$2]}" "${s_series[$2]}" "$(mb "${s_rss[$2]}")" "${s_fds[$2]}"
  }
  echo "| point | simulated | simulated time (UTC) | real | live meetings | zoom_participant_info series | RSS | open fds |"
  echo "|---|---|---|---|---|---|---|---|"
  for ((i = 0; i < n; i++)); do [ -n "${s_label[$i]}" ] && row "${s_label[$i]}" "$i"; done
  row "max RSS" "$max_i"
  last=$((n - 1))
  if [ "${s_label[$last]}" = end ]; then
    local r
    r=$(ratio "${s_rss[$last]}" "${s_rss[0]}")
    printf '| end / start | | | | %s | %s | %s (within 5 %%: %s) | %+d |\n' \
      "$(ratio "${s_meetings[$last]}" "${s_meetings[0]}")" "$(ratio "${s_series[$last]}" "${s_series[0]}")" \
      "$r" "$(within_5 "$r")" $((s_fds[last] - s_fds[0]))
    # The halves of the simulated span, by every sample (start and end included).
    local half first_max=0 first_min=0 second_max=0 second_min=0 rss
    half=$(awk -v d="$duration_minutes" -v s="$speed" 'BEGIN {printf "%g", d * s / 60 / 2}')
    for ((i = 0; i < n; i++)); do
      rss=${s_rss[$i]}
      if awk -v h="${s_hours[$i]}" -v m="$half" 'BEGIN {exit !(h < m)}'; then
        [ "$first_max" -eq 0 ] || [ "$rss" -gt "$first_max" ] && first_max=$rss
        [ "$first_min" -eq 0 ] || [ "$rss" -lt "$first_min" ] && first_min=$rss
      else
        [ "$second_max" -eq 0 ] || [ "$rss" -gt "$second_max" ] && second_max=$rss
        [ "$second_min" -eq 0 ] || [ "$rss" -lt "$second_min" ] && second_min=$rss
      fi
    done
    r=$(ratio "$second_max" "$first_max")
    printf '| max RSS, second %s h / first %s h | | | | | | %s (%s / %s MB; within 5 %%: %s) | |\n' \
      "$half" "$half" "$r" "$(mb "$second_max")" "$(mb "$first_max")" "$(within_5 "$r")"
    r=$(ratio "$second_min" "$first_min")
    printf '| min RSS, second %s h / first %s h | | | | | | %s (%s / %s MB; within 5 %%: %s) | |\n' \
      "$half" "$half" "$r" "$(mb "$second_min")" "$(mb "$first_min")" "$(within_5 "$r")"
  fi
}

# --- the simulator and the exporter ----------------------------------------------------------

write_simulator_config "$work/sim.yaml" "$meetings" "$participants" "$webinars" "$profile" "$speed"
sim_origin_ms=$(now_ms)
launch_simulator "$work/sim" "the simulator"
sim_pid=$started_pid

port=$(free_port)
write_exporter_config "$work/exporter.yaml" "$port" "$poll_seconds" "$work/sim.out"
launch_exporter "$work/exporter.yaml" "$work/exporter.log"
exporter_pid=$started_pid
say "simulator pid $sim_pid ($api_base_url), exporter pid $exporter_pid on port $port"
say "$meetings meetings at the peak, $participants participants each on average, $profile profile, speed $speed: ${duration_minutes} real minutes are $(awk -v d="$duration_minutes" -v s="$speed" 'BEGIN {printf "%.4g", d * s / 60}') simulated hours"

# Ready: the live list was read and every meeting on it fetched once (a last look after 120 s).
wait_readyz "$port" 120 check_alive || readyz_ok "$port" || die "the exporter is not ready after 120 s"

# --- the churn -------------------------------------------------------------------------------

start_ms=$(now_ms)
take_sample start
duration_ms=$((duration_minutes * 60000))
end_ms=$((start_ms + duration_ms))
mark_ms=$(awk -v h="$mark_hours" -v s="$speed" 'BEGIN {printf "%d", h * 3600 / s * 1000}')
next_scrape=$((start_ms + scrape_seconds * 1000))
next_sample=$((start_ms + sample_seconds * 1000))
mark=1
next_mark=$((start_ms + mark_ms))
scrapes=0
while :; do
  check_alive
  t=$(now_ms)
  if [ "$t" -ge "$end_ms" ]; then
    take_sample end
    break
  fi
  # A mark within a second of the end is the end.
  if [ "$next_mark" -lt $((end_ms - 1000)) ] && [ "$t" -ge "$next_mark" ]; then
    take_sample "+$(awk -v m="$mark" -v h="$mark_hours" 'BEGIN {print m * h}') h"
    mark=$((mark + 1))
    next_mark=$((start_ms + mark * mark_ms))
    next_sample=$((t + sample_seconds * 1000))
  elif [ "$t" -ge "$next_sample" ]; then
    take_sample ""
    next_sample=$((next_sample + sample_seconds * 1000))
  fi
  if [ "$t" -ge "$next_scrape" ]; then
    curl -s -o /dev/null -H 'Accept-Encoding: gzip' "http://127.0.0.1:$port/metrics" ||
      say "scrape failed"
    scrapes=$((scrapes + 1))
    next_scrape=$((next_scrape + scrape_seconds * 1000))
  fi
  # Until the next event, but at least every second, to notice a death.
  wake=$end_ms
  for e in "$next_scrape" "$next_sample" "$next_mark"; do [ "$e" -lt "$wake" ] && wake=$e; done
  t=$(now_ms)
  wait_ms=$((wake - t))
  [ "$wait_ms" -gt 1000 ] && wait_ms=1000
  [ "$wait_ms" -gt 0 ] && sleep "$(awk -v m="$wait_ms" 'BEGIN {printf "%.3f", m / 1000}')"
done

peak_kb=$(status_kb "$exporter_pid" VmHWM)
polls=$(curl -s --compressed "http://127.0.0.1:$port/metrics" |
  awk '/^zoom_exporter_polls_total\{result="success"\}/ {print $2}')
say "raw: exporter VmHWM=${peak_kb} kB, successful polls=${polls:-?}, scrapes=$scrapes (plus one per sample)"

# --- stop, then the table --------------------------------------------------------------------

for name in exporter simulator; do
  pid=$exporter_pid
  [ "$name" = simulator ] && pid=$sim_pid
  stop_process "$name" "$pid"
  [ -z "$stop_problem" ] || say "warning: $name $stop_problem"
done

print_table
