#include "bench/quota_simulation.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <deque>
#include <functional>
#include <future>
#include <iterator>
#include <memory>
#include <set>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "common/base64.hpp"
#include "scheduler/quality.hpp"
#include "scheduler/retry_after.hpp"
#include "simulator/simulated_api.hpp"
#include "simulator/simulated_zoom.hpp"
#include "zoom/reply_decoder.hpp"

namespace zqe::bench {
namespace {

using namespace std::chrono_literals;
using Seconds = std::chrono::duration<double>;
using scheduler::Category;
using scheduler::MeetingKey;
using scheduler::MeetingKind;

// The exporter's ZoomClient retries a page Zoom refused with a per-second 429 this often.
constexpr int kQpsRetries = 3;
// SchedulerGate re-checks a wait at least this often, so a day's reset takes effect.
constexpr Duration kLongestAdmissionSleep = 60s;
// A token is renewed this long before it expires, so no request goes out with a stale one.
constexpr Duration kTokenRenewMargin = 5min;
constexpr int kQosPageSize = 10;
constexpr int kMeetingsPageSize = 300;

double seconds_of(Duration duration) {
  return Seconds(duration).count();
}

std::int64_t utc_day(TimePoint at) {
  return std::chrono::floor<std::chrono::days>(at).time_since_epoch().count();
}

simulator::MeetingKind simulator_kind(MeetingKind kind) {
  return kind == MeetingKind::webinar ? simulator::MeetingKind::webinar
                                      : simulator::MeetingKind::meeting;
}

std::string_view collection(MeetingKind kind) {
  return kind == MeetingKind::webinar ? "webinars" : "meetings";
}

std::vector<MeetingKind> listed_kinds(const SimulationConfig& config) {
  if (config.poll_webinars) return {MeetingKind::meeting, MeetingKind::webinar};
  return {MeetingKind::meeting};
}

AgeSummary summarize(std::vector<double> values) {
  AgeSummary summary;
  summary.samples = values.size();
  if (values.empty()) return summary;
  // Nearest rank, as Prometheus' quantile_over_time would give on the same samples.
  auto rank = [&](double quantile) {
    const auto index =
        static_cast<std::size_t>(std::ceil(quantile * static_cast<double>(values.size()))) - 1;
    std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(index),
                     values.end());
    return values[index];
  };
  summary.p50 = rank(0.50);
  summary.p95 = rank(0.95);
  summary.max = *std::max_element(values.begin(), values.end());
  return summary;
}

// Discrete events in virtual time: each action runs at its instant, in the order scheduled
// among equal instants, so a run is deterministic.
class EventQueue {
 public:
  explicit EventQueue(TimePoint start) : now_(start) {}

  TimePoint now() const { return now_; }

  void at(TimePoint when, std::function<void()> action) {
    heap_.push_back(Event{std::max(when, now_), next_sequence_++, std::move(action)});
    std::push_heap(heap_.begin(), heap_.end(), Later{});
  }

  // Runs every event before `end`; the events at or after it are left unrun.
  void run_until(TimePoint end) {
    while (!heap_.empty() && heap_.front().at < end) {
      std::pop_heap(heap_.begin(), heap_.end(), Later{});
      Event event = std::move(heap_.back());
      heap_.pop_back();
      now_ = event.at;
      event.action();
    }
    now_ = end;
  }

 private:
  struct Event {
    TimePoint at;
    std::uint64_t sequence;
    std::function<void()> action;
  };
  struct Later {
    bool operator()(const Event& a, const Event& b) const {
      return std::tie(a.at, a.sequence) > std::tie(b.at, b.sequence);
    }
  };

  TimePoint now_;
  std::uint64_t next_sequence_ = 0;
  std::vector<Event> heap_;
};

struct Reply {
  unsigned status = 0;
  std::string body;
  http::Headers headers;
  Duration latency{};

  std::string_view header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
      if (http::iequals(key, name)) return value;
    }
    return {};
  }
  bool is_rate_limited() const { return status == 429; }
};

// The exporter's HTTP side against a SimulatedApi whose clock is the virtual one: an access
// token on every call, the modelled latency, and every request counted as Zoom counts it.
class ZoomLink {
 public:
  ZoomLink(const SimulationConfig& config, const EventQueue& events, StrategyResult& result)
      : config_(config),
        events_(events),
        result_(result),
        api_(
            config.simulator, [&events] { return events.now(); }, limits_of(config)) {}

  Reply get(Category category, const std::string& path, const std::string& query) {
    const TimePoint now = events_.now();
    if (access_token_.empty() || now >= token_expiry_ - kTokenRenewMargin) renew_token();
    http::Request request;
    request.method = "GET";
    request.path = path;
    request.query = query;
    request.target = path + "?" + query;
    request.headers = {{"Authorization", "Bearer " + access_token_}};
    http::Response response = api_.handle(request);
    if (response.status == 401) {  // like ZoomClient: one new token, one retry
      renew_token();
      request.headers = {{"Authorization", "Bearer " + access_token_}};
      response = api_.handle(request);
    }
    Reply reply;
    reply.status = response.status;
    reply.body = response.body_string();
    reply.headers = std::move(response.headers);
    reply.latency = config_.latency_base +
                    std::chrono::duration_cast<Duration>(
                        config_.latency_per_kib * (static_cast<double>(reply.body.size()) / 1024));
    count(category, reply, now);
    return reply;
  }

  const simulator::SimulatedApi& api() const { return api_; }

 private:
  static simulator::RateLimits limits_of(const SimulationConfig& config) {
    simulator::RateLimits limits;
    limits.heavy_per_second = static_cast<std::int64_t>(config.heavy_per_second);
    limits.resource_intensive_per_minute =
        static_cast<std::int64_t>(config.resource_intensive_per_minute);
    limits.daily = config.daily_limit;
    return limits;
  }

  // Tokens cost no virtual time: one a simulated hour is noise next to the QoS calls.
  void renew_token() {
    http::Request request;
    request.method = "POST";
    request.path = "/oauth/token";
    request.target = request.path;
    request.headers = {
        {"Authorization", "Basic " + base64_encode(std::string(simulator::kClientId) + ":" +
                                                       simulator::kClientSecret,
                                                   Base64Alphabet::standard)},
        {"Content-Type", "application/x-www-form-urlencoded"}};
    request.body =
        std::string("grant_type=account_credentials&account_id=") + simulator::kAccountId;
    const http::Response response = api_.handle(request);
    ++result_.token_requests;
    const zoom::Decoded<zoom::TokenReply> token = zoom::decode_token_reply(response.body_string());
    access_token_ = token.value ? token.value->access_token : std::string();
    const double lifetime = token.value ? token.value->expires_in_seconds.value_or(3600) : 0;
    token_expiry_ = events_.now() + std::chrono::duration_cast<Duration>(Seconds(lifetime));
  }

  void count(Category category, const Reply& reply, TimePoint sent) {
    LabelCounts& counts = category == Category::heavy ? result_.heavy : result_.resource_intensive;
    if (reply.is_rate_limited()) {
      const auto type = scheduler::rate_limit_type(reply.header("X-RateLimit-Type"),
                                                   zoom::decode_error_body(reply.body).message);
      ++(type == scheduler::LimitType::daily ? counts.refused_daily : counts.refused_qps);
      return;
    }
    if (reply.status == 401) return;  // a request without a valid token counts for nobody
    ++counts.answered;
    ++result_.daily_used[utc_day(sent)];
    if (category == Category::resource_intensive) ++result_.list_requests[utc_day(sent)];
  }

  const SimulationConfig& config_;
  const EventQueue& events_;
  StrategyResult& result_;
  simulator::SimulatedApi api_;
  std::string access_token_;
  TimePoint token_expiry_{};
};

// What /metrics exports: the meetings of the last successful list, less those found ended,
// each with the completion time of its last complete QoS fetch.
class ExportedMeetings {
 public:
  void on_listed(TimePoint now, const std::vector<MeetingKey>& live) {
    std::map<MeetingKey, Entry> next;
    for (const MeetingKey& key : live) {
      ever_listed_.insert(key);
      auto known = exported_.find(key);
      next[key] = known != exported_.end() ? known->second : Entry{now, std::nullopt};
    }
    exported_ = std::move(next);
  }

  void on_fetched(TimePoint now, MeetingKey key) {
    if (auto found = exported_.find(key); found != exported_.end()) found->second.fetched = now;
    ever_fetched_.insert(key);
  }

  std::size_t ever_listed() const { return ever_listed_.size(); }
  std::size_t ever_fetched() const { return ever_fetched_.size(); }

  void on_ended(MeetingKey key) { exported_.erase(key); }

  // A meeting never fetched yet is as old as its listing: /metrics has shown nothing of it.
  void sample(TimePoint now, std::vector<double>& ages, std::vector<double>& fetched_ages) const {
    for (const auto& [key, entry] : exported_) {
      ages.push_back(seconds_of(now - entry.fetched.value_or(entry.first_listed)));
      if (entry.fetched) fetched_ages.push_back(ages.back());
    }
  }

  std::vector<MeetingKey> keys() const {
    std::vector<MeetingKey> keys;
    keys.reserve(exported_.size());
    for (const auto& [key, entry] : exported_) keys.push_back(key);
    return keys;
  }

 private:
  struct Entry {
    TimePoint first_listed;
    std::optional<TimePoint> fetched;
  };
  std::map<MeetingKey, Entry> exported_;
  std::set<MeetingKey> ever_listed_;
  std::set<MeetingKey> ever_fetched_;
};

std::string list_query(const std::string& page_token) {
  std::string query = "type=live&page_size=" + std::to_string(kMeetingsPageSize);
  // Page tokens are base64url: nothing in them needs percent-encoding.
  if (!page_token.empty()) query += "&next_page_token=" + page_token;
  return query;
}

std::string qos_path(MeetingKey key) {
  return "/v2/metrics/" + std::string(collection(key.kind)) + "/" + std::to_string(key.id) +
         "/participants/qos";
}

std::string qos_query(const std::string& page_token) {
  std::string query = "type=live&page_size=" + std::to_string(kQosPageSize);
  if (!page_token.empty()) query += "&next_page_token=" + page_token;
  return query;
}

bool meeting_ended(const Reply& reply) {
  return reply.status == 404 || zoom::decode_error_body(reply.body).code == 3001;
}

// Pages through the live meetings, then the live webinars; the caller is told once, with every
// listed meeting, or with nothing when a page failed.
class ListRound {
 public:
  using Send = std::function<void(Category, std::string path, std::string query,
                                  std::function<void(Reply)> on_reply)>;
  using Done = std::function<void(std::optional<std::vector<scheduler::ListedMeeting>>, int)>;

  // `qps_retries`: how often a page refused with a per-second 429 is asked for again.
  ListRound(std::vector<MeetingKind> kinds, int qps_retries, Send send, Done done)
      : kinds_(std::move(kinds)),
        qps_retries_(qps_retries),
        send_(std::move(send)),
        done_(std::move(done)) {}

  void start() { request_page(); }

 private:
  void request_page() {
    const MeetingKind kind = kinds_[kind_index_];
    send_(Category::resource_intensive, "/v2/metrics/" + std::string(collection(kind)),
          list_query(page_token_), [this](Reply reply) { on_page(std::move(reply)); });
  }

  void on_page(Reply reply) {
    if (reply.is_rate_limited()) {
      const auto type = scheduler::rate_limit_type(reply.header("X-RateLimit-Type"),
                                                   zoom::decode_error_body(reply.body).message);
      if (type == scheduler::LimitType::qps && retries_++ < qps_retries_) return request_page();
      return finish(false);
    }
    if (reply.status != 200) return finish(false);
    const MeetingKind kind = kinds_[kind_index_];
    auto page = zoom::decode_meetings_page(reply.body, kind == MeetingKind::webinar
                                                           ? zoom::MeetingType::webinar
                                                           : zoom::MeetingType::meeting);
    if (!page.value) return finish(false);
    ++pages_;
    retries_ = 0;
    for (const zoom::LiveMeeting& meeting : page.value->meetings) {
      live_.push_back({MeetingKey{kind, meeting.id},
                       static_cast<int>(std::lround(meeting.participants.value_or(0)))});
    }
    page_token_ = page.value->next_page_token;
    if (!page_token_.empty()) return request_page();
    if (++kind_index_ < kinds_.size()) return request_page();
    finish(true);
  }

  // The last thing a round does: `done_` may start the next round, which replaces this one.
  void finish(bool succeeded) {
    Done done = std::move(done_);
    if (succeeded) {
      done(std::move(live_), pages_);
    } else {
      done(std::nullopt, pages_);
    }
  }

  std::vector<MeetingKind> kinds_;
  int qps_retries_;
  Send send_;
  Done done_;
  std::size_t kind_index_ = 0;
  std::string page_token_;
  int pages_ = 0;
  int retries_ = 0;
  std::vector<scheduler::ListedMeeting> live_;
};

// Every page of one meeting's participants QoS.
struct Fetch {
  MeetingKey key;
  std::string page_token;
  int retries = 0;
  std::vector<qos::ParticipantQos> participants;
};

// The daemon as the scheduler drives it: one list loop at next_list_at, workers that refresh
// what next_refresh picks, and every request held until admission_wait allows it.
class SchedulerDaemon {
 public:
  SchedulerDaemon(const SimulationConfig& config, EventQueue& events, ZoomLink& zoom,
                  ExportedMeetings& exported, StrategyResult& result)
      : config_(config),
        events_(events),
        zoom_(zoom),
        exported_(exported),
        result_(result),
        scheduler_(options_of(config)),
        workers_(static_cast<std::size_t>(std::max(1, config.workers))) {}

  void start() {
    events_.at(scheduler_.next_list_at(events_.now()), [this] { begin_list(); });
    for (std::size_t index = 0; index < workers_.size(); ++index) work(index);
  }

 private:
  struct Worker {
    std::optional<Fetch> fetch;
    std::uint64_t wake_generation = 0;  // a sleeping worker's wake-up is stale once this moved
    bool sleeping = false;
  };

  static scheduler::SchedulerOptions options_of(const SimulationConfig& config) {
    scheduler::SchedulerOptions options;
    options.min_refresh_interval = config.poll_interval;
    options.page_size = kQosPageSize;
    options.heavy_per_second = config.heavy_per_second;
    options.resource_intensive_per_minute = config.resource_intensive_per_minute;
    options.daily_budget = config.daily_budget();
    return options;
  }

  // SchedulerGate::admit, then the request, then SchedulerGate::on_reply when the reply is in.
  // Like the gate, requests of a category are admitted in the order they asked.
  void send(Category category, std::string path, std::string query,
            std::function<void(Reply)> on_reply) {
    auto& line = waiting_[static_cast<std::size_t>(category)];
    line.push_back({std::move(path), std::move(query), std::move(on_reply)});
    if (line.size() == 1) admit_next(category);
  }

  // Admits the head of the line when the scheduler allows, else comes back then; exactly one
  // such check is pending while the line is not empty.
  void admit_next(Category category) {
    auto& line = waiting_[static_cast<std::size_t>(category)];
    if (line.empty()) return;
    const TimePoint now = events_.now();
    const Duration wait = scheduler_.admission_wait(now, category);
    if (wait > Duration::zero()) {
      events_.at(now + std::min(wait, kLongestAdmissionSleep),
                 [this, category] { admit_next(category); });
      return;
    }
    PendingRequest request = std::move(line.front());
    line.pop_front();
    scheduler_.on_sent(now, category);
    Reply reply = zoom_.get(category, request.path, request.query);
    const Duration latency = reply.latency;
    events_.at(now + latency, [this, category, reply = std::move(reply),
                               on_reply = std::move(request.on_reply)]() mutable {
      tell_scheduler(category, reply);
      on_reply(std::move(reply));
    });
    admit_next(category);
  }

  void tell_scheduler(Category category, const Reply& reply) {
    const TimePoint now = events_.now();
    const std::string_view remaining_text = reply.header("X-RateLimit-Remaining");
    std::int64_t remaining = 0;
    const auto [end, error] = std::from_chars(
        remaining_text.data(), remaining_text.data() + remaining_text.size(), remaining);
    if (!remaining_text.empty() && error == std::errc() &&
        end == remaining_text.data() + remaining_text.size()) {
      scheduler_.on_zoom_remaining(now, remaining);
    }
    if (!reply.is_rate_limited()) return;
    const auto type = scheduler::rate_limit_type(reply.header("X-RateLimit-Type"),
                                                 zoom::decode_error_body(reply.body).message);
    const auto retry_at = scheduler::parse_retry_after(reply.header("Retry-After"), now);
    // Zoom names the label it counted; the request's own label stands in when it does not.
    const std::string_view label = reply.header("X-RateLimit-Category");
    if (http::iequals(label, "Heavy")) category = Category::heavy;
    if (http::iequals(label, "Resource-intensive")) category = Category::resource_intensive;
    scheduler_.on_rate_limited(now, category, type, retry_at);
  }

  // --- The list loop.

  void begin_list() {
    list_ = std::make_unique<ListRound>(
        listed_kinds(config_), kQpsRetries,
        [this](Category category, std::string path, std::string query,
               std::function<void(Reply)> on_reply) {
          send(category, std::move(path), std::move(query), std::move(on_reply));
        },
        [this](std::optional<std::vector<scheduler::ListedMeeting>> live, int pages) {
          end_list(std::move(live), pages);
        });
    list_->start();
  }

  void end_list(std::optional<std::vector<scheduler::ListedMeeting>> live, int pages) {
    const TimePoint now = events_.now();
    if (live) {
      scheduler_.on_listed(now, *live, pages);
      std::vector<MeetingKey> keys;
      keys.reserve(live->size());
      for (const auto& meeting : *live) keys.push_back(meeting.key);
      exported_.on_listed(now, keys);
      wake_sleeping_workers();
    } else {
      scheduler_.on_list_failed(now);
    }
    // The round object is still on the stack below this call: replace it only from the queue.
    events_.at(std::max(scheduler_.next_list_at(now), now), [this] { begin_list(); });
  }

  // --- Workers.

  // As the poller wakes its idle workers: a new list may bring meetings due at once.
  void wake_sleeping_workers() {
    for (std::size_t index = 0; index < workers_.size(); ++index) {
      Worker& worker = workers_[index];
      if (!worker.sleeping) continue;
      worker.sleeping = false;
      ++worker.wake_generation;
      events_.at(events_.now(), [this, index] { work(index); });
    }
  }

  void work(std::size_t index) {
    Worker& worker = workers_[index];
    const TimePoint now = events_.now();
    const scheduler::RefreshScheduler::Pick pick = scheduler_.next_refresh(now);
    if (!pick.meeting) {
      worker.sleeping = true;
      const std::uint64_t generation = worker.wake_generation;
      // The floor only guards this model against a pick that is due yet not given.
      events_.at(std::max(pick.retry_at, now + 1ms), [this, index, generation] {
        Worker& sleeper = workers_[index];
        if (sleeper.wake_generation != generation) return;
        sleeper.sleeping = false;
        work(index);
      });
      return;
    }
    worker.fetch = Fetch{*pick.meeting, {}, 0, {}};
    request_qos_page(index);
  }

  void request_qos_page(std::size_t index) {
    const Fetch& fetch = *workers_[index].fetch;
    send(Category::heavy, qos_path(fetch.key), qos_query(fetch.page_token),
         [this, index](Reply reply) { on_qos_page(index, std::move(reply)); });
  }

  void on_qos_page(std::size_t index, Reply reply) {
    Fetch& fetch = *workers_[index].fetch;
    const TimePoint now = events_.now();
    if (reply.status == 200) {
      auto page = zoom::decode_participants_page(reply.body);
      if (page.value) {
        std::move(page.value->participants.begin(), page.value->participants.end(),
                  std::back_inserter(fetch.participants));
        fetch.page_token = std::move(page.value->next_page_token);
        fetch.retries = 0;
        if (!fetch.page_token.empty()) return request_qos_page(index);
        scheduler_.on_refreshed(now, fetch.key, static_cast<int>(fetch.participants.size()),
                                scheduler::quality_badness(fetch.participants));
        exported_.on_fetched(now, fetch.key);
        ++result_.fetches_completed;
        return next_work(index);
      }
    } else if (reply.is_rate_limited()) {
      const auto type = scheduler::rate_limit_type(reply.header("X-RateLimit-Type"),
                                                   zoom::decode_error_body(reply.body).message);
      if (type == scheduler::LimitType::qps && fetch.retries++ < kQpsRetries) {
        return request_qos_page(index);
      }
    } else if (meeting_ended(reply)) {
      scheduler_.on_refresh_failed(now, fetch.key, true);
      exported_.on_ended(fetch.key);
      ++result_.meetings_ended;
      return next_work(index);
    }
    scheduler_.on_refresh_failed(now, fetch.key, false);
    ++result_.fetches_failed;
    next_work(index);
  }

  void next_work(std::size_t index) {
    workers_[index].fetch.reset();
    work(index);
  }

  const SimulationConfig& config_;
  EventQueue& events_;
  ZoomLink& zoom_;
  ExportedMeetings& exported_;
  StrategyResult& result_;
  scheduler::RefreshScheduler scheduler_;
  std::vector<Worker> workers_;
  struct PendingRequest {
    std::string path;
    std::string query;
    std::function<void(Reply)> on_reply;
  };
  std::array<std::deque<PendingRequest>, 2> waiting_;  // per Category, in the order they asked
  std::unique_ptr<ListRound> list_;
};

// The exporter before the scheduler: every poll interval, list everything, then fetch every
// meeting's every page with a few workers, as fast as replies come; a refused or failed request
// only means that meeting (or the list) keeps its old data.
class NaiveDaemon {
 public:
  NaiveDaemon(const SimulationConfig& config, EventQueue& events, ZoomLink& zoom,
              ExportedMeetings& exported, StrategyResult& result)
      : config_(config), events_(events), zoom_(zoom), exported_(exported), result_(result) {}

  void start() { begin_cycle(); }

 private:
  void send(Category category, std::string path, std::string query,
            std::function<void(Reply)> on_reply) {
    Reply reply = zoom_.get(category, path, query);
    const Duration latency = reply.latency;
    events_.at(events_.now() + latency,
               [reply = std::move(reply), on_reply = std::move(on_reply)]() mutable {
                 on_reply(std::move(reply));
               });
  }

  void begin_cycle() {
    cycle_start_ = events_.now();
    list_ = std::make_unique<ListRound>(
        listed_kinds(config_), /*qps_retries=*/0,
        [this](Category category, std::string path, std::string query,
               std::function<void(Reply)> on_reply) {
          send(category, std::move(path), std::move(query), std::move(on_reply));
        },
        [this](std::optional<std::vector<scheduler::ListedMeeting>> live, int) {
          end_list(std::move(live));
        });
    list_->start();
  }

  void end_list(std::optional<std::vector<scheduler::ListedMeeting>> live) {
    if (live) {
      std::vector<MeetingKey> keys;
      keys.reserve(live->size());
      for (const auto& meeting : *live) keys.push_back(meeting.key);
      exported_.on_listed(events_.now(), keys);
    }
    // A failed list keeps the old one, and the old one is polled again.
    pending_ = exported_.keys();
    std::reverse(pending_.begin(), pending_.end());  // taken from the back, in list order
    // The round object is still on the stack below this call: start the workers from the queue.
    events_.at(events_.now(), [this] {
      busy_workers_ = 0;
      for (int worker = 0; worker < std::max(1, config_.workers); ++worker) next_meeting();
      if (busy_workers_ == 0) end_cycle();
    });
  }

  void next_meeting() {
    if (pending_.empty()) return;
    ++busy_workers_;
    auto fetch = std::make_shared<Fetch>();
    fetch->key = pending_.back();
    pending_.pop_back();
    request_qos_page(fetch);
  }

  void request_qos_page(std::shared_ptr<Fetch> fetch) {
    const MeetingKey key = fetch->key;
    const std::string token = fetch->page_token;
    send(Category::heavy, qos_path(key), qos_query(token),
         [this, fetch = std::move(fetch)](Reply reply) { on_qos_page(fetch, std::move(reply)); });
  }

  void on_qos_page(const std::shared_ptr<Fetch>& fetch, Reply reply) {
    if (reply.status == 200) {
      auto page = zoom::decode_participants_page(reply.body);
      if (page.value) {
        fetch->page_token = std::move(page.value->next_page_token);
        if (!fetch->page_token.empty()) return request_qos_page(fetch);
        exported_.on_fetched(events_.now(), fetch->key);
        ++result_.fetches_completed;
        return meeting_done();
      }
    } else if (reply.status != 429 && meeting_ended(reply)) {
      exported_.on_ended(fetch->key);
      ++result_.meetings_ended;
      return meeting_done();
    }
    ++result_.fetches_failed;
    meeting_done();
  }

  void meeting_done() {
    --busy_workers_;
    next_meeting();
    if (busy_workers_ == 0) end_cycle();
  }

  void end_cycle() {
    events_.at(std::max(cycle_start_ + config_.poll_interval, events_.now()),
               [this] { begin_cycle(); });
  }

  const SimulationConfig& config_;
  EventQueue& events_;
  ZoomLink& zoom_;
  ExportedMeetings& exported_;
  StrategyResult& result_;
  std::unique_ptr<ListRound> list_;
  std::vector<MeetingKey> pending_;
  int busy_workers_ = 0;
  TimePoint cycle_start_{};
};

std::vector<TimePoint> sample_instants(const SimulationConfig& config) {
  std::vector<TimePoint> instants;
  const TimePoint end = config.start + config.duration;
  for (TimePoint at = config.start + config.sample_interval; at < end;
       at += config.sample_interval) {
    instants.push_back(at);
  }
  return instants;
}

std::string with_thousands(std::uint64_t value) {
  const std::string digits = std::to_string(value);
  std::string grouped;
  for (std::size_t index = 0; index < digits.size(); ++index) {
    if (index > 0 && (digits.size() - index) % 3 == 0) grouped += ',';
    grouped += digits[index];
  }
  return grouped;
}

std::string format_age(double seconds) {
  char text[32];
  if (seconds < 120) {
    std::snprintf(text, sizeof text, "%.0f s", seconds);
  } else if (seconds < 7200) {
    std::snprintf(text, sizeof text, "%.1f min", seconds / 60);
  } else {
    std::snprintf(text, sizeof text, "%.2f h", seconds / 3600);
  }
  return text;
}

std::string format_utc(TimePoint at) {
  const auto midnight = std::chrono::floor<std::chrono::days>(at);
  const std::chrono::year_month_day date(midnight);
  const std::chrono::hh_mm_ss time(std::chrono::floor<std::chrono::seconds>(at - midnight));
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                static_cast<int>(time.seconds().count()));
  return text;
}

std::string refusals(std::uint64_t heavy, std::uint64_t resource_intensive) {
  const std::uint64_t total = heavy + resource_intensive;
  if (total == 0) return "0";
  return with_thousands(total) + " (H " + with_thousands(heavy) + ", RI " +
         with_thousands(resource_intensive) + ")";
}

}  // namespace

std::int64_t SimulationConfig::daily_budget() const {
  return static_cast<std::int64_t>(std::floor(static_cast<double>(daily_limit) * daily_share));
}

config::SimulatorConfig SimulationConfig::default_simulator() {
  config::SimulatorConfig simulator;
  simulator.meetings = 2000;
  simulator.participants_per_meeting = 10;
  simulator.webinars = 2;
  simulator.seed = 1;
  simulator.page_size_cap = kQosPageSize;
  simulator.load_profile = config::LoadProfile::workday;
  simulator.enforce_rate_limits = true;
  simulator.plan = config::Plan::business;
  return simulator;
}

StrategyResult simulate_strategy(const SimulationConfig& config, Strategy strategy) {
  const auto wall_start = std::chrono::steady_clock::now();
  StrategyResult result;
  result.strategy = strategy;
  EventQueue events(config.start);
  ZoomLink zoom(config, events, result);
  ExportedMeetings exported;
  std::vector<double> ages;
  std::vector<double> fetched_ages;
  for (const TimePoint at : sample_instants(config)) {
    events.at(at, [&] { exported.sample(events.now(), ages, fetched_ages); });
  }
  if (strategy == Strategy::scheduler) {
    SchedulerDaemon daemon(config, events, zoom, exported, result);
    daemon.start();
    events.run_until(config.start + config.duration);
  } else {
    NaiveDaemon daemon(config, events, zoom, exported, result);
    daemon.start();
    events.run_until(config.start + config.duration);
  }
  for (const auto& [day, used] : result.daily_used) {
    result.max_daily_used = std::max(result.max_daily_used, used);
  }
  const simulator::RateLimitStats stats = zoom.api().stats();
  result.simulator_answered = stats.heavy.answered + stats.resource_intensive.answered;
  result.simulator_refused = stats.heavy.refused_by_window + stats.heavy.refused_by_daily +
                             stats.resource_intensive.refused_by_window +
                             stats.resource_intensive.refused_by_daily;
  result.meetings_listed = exported.ever_listed();
  result.meetings_fetched = exported.ever_fetched();
  result.never_fetched_samples = ages.size() - fetched_ages.size();
  result.age = summarize(std::move(ages));
  result.fetched_age = summarize(std::move(fetched_ages));
  result.wall_seconds = Seconds(std::chrono::steady_clock::now() - wall_start).count();
  return result;
}

AgeSummary age_bound(const SimulationConfig& config,
                     const std::map<std::int64_t, std::int64_t>& list_requests_per_day) {
  simulator::SimulatedAccount account(config.simulator, config.start);
  std::vector<double> bounds;
  const double budget = static_cast<double>(config.daily_budget());
  for (const TimePoint at : sample_instants(config)) {
    account.advance_to(at);
    double live_pages = 0;
    for (const MeetingKind kind : listed_kinds(config)) {
      const simulator::MeetingKind pool = simulator_kind(kind);
      for (std::size_t index = 0; index < account.meeting_count(pool); ++index) {
        // An empty meeting still costs one request to look at.
        const int participants = account.meeting(index, pool).participants;
        live_pages += std::max(1, (participants + kQosPageSize - 1) / kQosPageSize);
      }
    }
    const auto lists = list_requests_per_day.find(utc_day(at));
    const double list_requests =
        lists == list_requests_per_day.end() ? 0 : static_cast<double>(lists->second);
    const double sustainable_rate = std::max(budget - list_requests, 1.0) / 86'400;
    bounds.push_back(std::max(seconds_of(config.poll_interval), live_pages / sustainable_rate));
  }
  return summarize(std::move(bounds));
}

SimulationResult run_quota_simulation(const SimulationConfig& config) {
  const auto wall_start = std::chrono::steady_clock::now();
  SimulationResult result;
  result.daily_limit = config.daily_limit;
  result.daily_budget = config.daily_budget();
  // Each strategy has its own simulated Zoom and shares nothing with the other.
  std::future<StrategyResult> naive = std::async(
      std::launch::async, [&config] { return simulate_strategy(config, Strategy::naive); });
  result.scheduler = simulate_strategy(config, Strategy::scheduler);
  const auto bound_start = std::chrono::steady_clock::now();
  result.bound = age_bound(config, result.scheduler.list_requests);
  result.bound_wall_seconds = Seconds(std::chrono::steady_clock::now() - bound_start).count();
  result.naive = naive.get();
  result.wall_seconds = Seconds(std::chrono::steady_clock::now() - wall_start).count();
  return result;
}

bool SimulationResult::no_rate_limited() const {
  const StrategyResult& s = scheduler;
  return s.heavy.refused_qps + s.heavy.refused_daily + s.resource_intensive.refused_qps +
             s.resource_intensive.refused_daily ==
         0;
}

bool SimulationResult::within_daily_budget() const {
  return scheduler.max_daily_used <= daily_budget;
}

bool SimulationResult::age_near_bound() const {
  return scheduler.age.p95 <= kAgeTargetFactor * bound.p95;
}

std::string format_report(const SimulationConfig& config, const SimulationResult& result) {
  const StrategyResult& s = result.scheduler;
  const StrategyResult& n = result.naive;
  const AgeSummary& b = result.bound;
  std::string out;
  auto row = [&](std::string_view name, const std::string& scheduler_cell,
                 const std::string& naive_cell, const std::string& bound_cell) {
    out += "| " + std::string(name) + " | " + scheduler_cell + " | " + naive_cell + " | " +
           bound_cell + " |\n";
  };
  const double hours = Seconds(config.duration).count() / 3600;
  char title[200];
  std::snprintf(title, sizeof title,
                "Quota simulation: %.4g h from %s, %d meetings + %d webinars at peak (%s), "
                "%d participants/meeting, seed %llu\n\n",
                hours, format_utc(config.start).c_str(), config.simulator.meetings,
                config.simulator.webinars,
                config.simulator.load_profile == config::LoadProfile::workday ? "workday" : "flat",
                config.simulator.participants_per_meeting,
                static_cast<unsigned long long>(config.simulator.seed));
  out += title;
  row("", "scheduler", "naive", "bound");
  out += "|---|---:|---:|---:|\n";
  row("Heavy requests (answered)", with_thousands(s.heavy.answered),
      with_thousands(n.heavy.answered), "–");
  row("Resource-intensive requests (answered)", with_thousands(s.resource_intensive.answered),
      with_thousands(n.resource_intensive.answered), "–");
  row("429 (QPS)", refusals(s.heavy.refused_qps, s.resource_intensive.refused_qps),
      refusals(n.heavy.refused_qps, n.resource_intensive.refused_qps), "0");
  row("429 (daily)", refusals(s.heavy.refused_daily, s.resource_intensive.refused_daily),
      refusals(n.heavy.refused_daily, n.resource_intensive.refused_daily), "0");
  row("daily quota used (max per UTC day)",
      with_thousands(static_cast<std::uint64_t>(s.max_daily_used)),
      with_thousands(static_cast<std::uint64_t>(n.max_daily_used)),
      "share " + with_thousands(static_cast<std::uint64_t>(result.daily_budget)) + " / limit " +
          with_thousands(static_cast<std::uint64_t>(result.daily_limit)));
  row("age p50", format_age(s.age.p50), format_age(n.age.p50), format_age(b.p50));
  row("age p95", format_age(s.age.p95), format_age(n.age.p95), format_age(b.p95));
  row("age max", format_age(s.age.max), format_age(n.age.max), format_age(b.max));

  char line[400];
  std::snprintf(line, sizeof line,
                "\nQoS fetches completed: scheduler %s, naive %s; failed: scheduler %s, naive "
                "%s; age samples: scheduler %s, naive %s, bound %s\n",
                with_thousands(s.fetches_completed).c_str(),
                with_thousands(n.fetches_completed).c_str(),
                with_thousands(s.fetches_failed).c_str(), with_thousands(n.fetches_failed).c_str(),
                with_thousands(s.age.samples).c_str(), with_thousands(n.age.samples).c_str(),
                with_thousands(b.samples).c_str());
  out += line;
  const bool counts_agree =
      s.simulator_answered == s.heavy.answered + s.resource_intensive.answered &&
      n.simulator_answered == n.heavy.answered + n.resource_intensive.answered;
  out += std::string("The simulated Zoom's own counts ") +
         (counts_agree ? "agree with the table.\n" : "DISAGREE with the table.\n");
  auto percent = [](std::uint64_t part, std::size_t whole) {
    return whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
  };
  std::snprintf(
      line, sizeof line,
      "Meetings and webinars listed during the run: scheduler %s, naive %s; of them "
      "with QoS fetched at least once: scheduler %s, naive %s\n",
      with_thousands(s.meetings_listed).c_str(), with_thousands(n.meetings_listed).c_str(),
      with_thousands(s.meetings_fetched).c_str(), with_thousands(n.meetings_fetched).c_str());
  out += line;
  std::snprintf(line, sizeof line,
                "Age samples of meetings listed but not fetched yet (age counted from the "
                "listing): scheduler %.1f%%, naive %.1f%%\n",
                percent(s.never_fetched_samples, s.age.samples),
                percent(n.never_fetched_samples, n.age.samples));
  out += line;
  std::snprintf(line, sizeof line,
                "Age of the meetings with QoS on /metrics only: scheduler p50 %s, p95 %s, max %s; "
                "naive p50 %s, p95 %s, max %s\n",
                format_age(s.fetched_age.p50).c_str(), format_age(s.fetched_age.p95).c_str(),
                format_age(s.fetched_age.max).c_str(), format_age(n.fetched_age.p50).c_str(),
                format_age(n.fetched_age.p95).c_str(), format_age(n.fetched_age.max).c_str());
  out += line;
  std::snprintf(line, sizeof line,
                "Wall time: %.2f s (threads: scheduler %.2f s then bound %.2f s; naive %.2f s)\n",
                result.wall_seconds, s.wall_seconds, result.bound_wall_seconds, n.wall_seconds);
  out += line;
  auto target = [&](bool met, const std::string& text) {
    out += std::string(met ? "  met:    " : "  MISSED: ") + text + "\n";
  };
  out += "Targets for the scheduler:\n";
  target(result.no_rate_limited(), "no 429");
  target(result.within_daily_budget(),
         "daily quota used <= share (" +
             with_thousands(static_cast<std::uint64_t>(s.max_daily_used)) +
             " <= " + with_thousands(static_cast<std::uint64_t>(result.daily_budget)) + ")");
  std::snprintf(line, sizeof line, "age p95 <= %.2fx bound p95 (%.0f s <= %.0f s, ratio %.2f)",
                kAgeTargetFactor, s.age.p95, kAgeTargetFactor * b.p95,
                b.p95 > 0 ? s.age.p95 / b.p95 : 0.0);
  target(result.age_near_bound(), line);
  return out;
}

}  // namespace zqe::bench
