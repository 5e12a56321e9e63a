#include "daemon/scheduler_gate.hpp"

#include <algorithm>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>

#include "common/log.hpp"
#include "scheduler/retry_after.hpp"

namespace zqe::daemon {
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

// Waits are re-checked at least this often, so a reload or a day's reset takes effect.
constexpr auto kLongestSleep = 60s;

std::optional<std::int64_t> parse_count(std::string_view text) {
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

}  // namespace

SchedulerGate::SchedulerGate(asio::io_context& io, scheduler::RefreshScheduler& scheduler,
                             metrics::AccountMetrics& metrics)
    : io_(io), scheduler_(scheduler), metrics_(metrics) {}

asio::awaitable<bool> SchedulerGate::sleep(Timer& timer,
                                           std::chrono::steady_clock::duration duration) {
  timer.expires_after(std::min<std::chrono::steady_clock::duration>(duration, kLongestSleep));
  sleepers_.insert(&timer);
  boost::system::error_code ignored;  // cancelled by stop() and by whoever goes first
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  sleepers_.erase(&timer);
  co_return !stopped_;
}

void SchedulerGate::wake(std::set<Timer*>& timers) {
  for (Timer* timer : timers) timer->cancel();
}

asio::awaitable<bool> SchedulerGate::wait_until_admissible(scheduler::Category category) {
  Timer timer(io_);
  watchers_.insert(&timer);
  bool admissible = false;
  while (!stopped_) {
    const auto wait = scheduler_.admission_wait(scheduler::Clock::now(), category);
    if (queue(category).empty() && wait <= scheduler::Duration::zero()) {
      admissible = true;
      break;
    }
    // With others queued, their admissions wake us; otherwise the wait is known.
    const auto duration =
        queue(category).empty()
            ? std::chrono::duration_cast<std::chrono::steady_clock::duration>(wait)
            : std::chrono::steady_clock::duration(kLongestSleep);
    const bool awake = co_await sleep(timer, duration);
    if (!awake) break;
  }
  watchers_.erase(&timer);
  co_return admissible;
}

asio::awaitable<bool> SchedulerGate::admit(scheduler::Category category) {
  Timer timer(io_);
  auto& line = queue(category);
  line.push_back(&timer);
  bool admitted = false;
  while (!stopped_) {
    std::chrono::steady_clock::duration duration = kLongestSleep;  // until the one ahead goes
    if (line.front() == &timer) {
      const auto wait = scheduler_.admission_wait(scheduler::Clock::now(), category);
      if (wait <= scheduler::Duration::zero()) {
        admitted = true;
        break;
      }
      duration = std::chrono::duration_cast<std::chrono::steady_clock::duration>(wait);
    }
    const bool awake = co_await sleep(timer, duration);
    if (!awake) break;
  }
  line.erase(std::find(line.begin(), line.end(), &timer));
  if (admitted) scheduler_.on_sent(scheduler::Clock::now(), category);
  // The next in line, and workers waiting to pick, look again.
  if (!line.empty()) line.front()->cancel();
  wake(watchers_);
  co_return admitted;
}

void SchedulerGate::on_reply(scheduler::Category category, const zoom::HttpOutcome& outcome) {
  const auto now = scheduler::Clock::now();
  if (auto remaining = parse_count(outcome.header("X-RateLimit-Remaining"))) {
    scheduler_.on_zoom_remaining(now, *remaining);
  }
  if (outcome.status != 429) return;
  const auto type = scheduler::rate_limit_type(outcome.header("X-RateLimit-Type"),
                                               zoom::decode_error_body(outcome.body).message);
  const auto retry_at = scheduler::parse_retry_after(outcome.header("Retry-After"), now);
  scheduler_.on_rate_limited(now, category, type, retry_at);
  metrics_.count_rate_limited(scheduler::category_label(category),
                              scheduler::limit_type_label(type));
  const std::string fields =
      log::with_field("category=" + std::string(scheduler::category_label(category)) +
                          " retry_after=" + log::quote(outcome.header("Retry-After")),
                      "account", metrics_.account());
  if (type == scheduler::LimitType::daily) {
    log::error(
        "Zoom's daily rate limit is used up: no QoS calls until it resets; /metrics keeps "
        "the last data",
        fields);
  } else if (std::chrono::steady_clock::now() - last_qps_log_ > 1min) {
    // Other apps of the account share the per-second limits; one line a minute is enough.
    last_qps_log_ = std::chrono::steady_clock::now();
    log::warn("Zoom answered 429 (per-second limit); backing off", fields);
  }
}

void SchedulerGate::stop() {
  stopped_ = true;
  wake(sleepers_);
}

}  // namespace zqe::daemon
