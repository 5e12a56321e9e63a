#include "simulator/simulated_account.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "common/base64.hpp"
#include "simulator/deterministic_random.hpp"
#include "simulator/load_profile.hpp"

namespace zqe::simulator {
namespace {

using std::chrono::floor;
using std::chrono::minutes;
using std::chrono::seconds;

// What a hash is for, so that the attributes of one meeting or seat are independent draws.
enum class Salt : std::uint64_t {
  meeting = 1,
  identity,
  traits,
  person,
  schedule,
  camera,
  camera_habit,
  share,
  screen,
  drift,
  snapshot,
  webinar,
};

struct KindTraits {
  minutes shortest;
  minutes longest;
  int participants_per_mean;  // times participants_per_meeting
};
// Webinars run longer than most meetings and draw larger audiences.
constexpr KindTraits kMeetingTraits = {minutes(5), minutes(90), 1};
constexpr KindTraits kWebinarTraits = {minutes(20), minutes(120), 5};

const KindTraits& traits_of(MeetingKind kind) {
  return kind == MeetingKind::webinar ? kWebinarTraits : kMeetingTraits;
}

constexpr auto kSnapshotInterval = minutes(1);
// Cameras switch on or off, and the screen passes to another presenter, at most this often.
constexpr auto kCameraPeriod = minutes(10);
constexpr auto kSharePeriod = minutes(10);
constexpr double kNoDataChance = 0.03;  // a stream whose values are all "" in one snapshot

struct NamePart {
  std::string_view display;
  std::string_view email;
};

constexpr NamePart kFirstNames[] = {
    {"Alice", "alice"}, {"Bruno", "bruno"},   {"Chen", "chen"},     {"Dmitri", "dmitri"},
    {"Emma", "emma"},   {"Fatima", "fatima"}, {"George", "george"}, {"Hana", "hana"},
    {"Ivan", "ivan"},   {"Julia", "julia"},   {"Kwame", "kwame"},   {"Laura", "laura"},
    {"Mateo", "mateo"}, {"Nina", "nina"},     {"Oscar", "oscar"},   {"Priya", "priya"},
    {"Rosa", "rosa"},   {"Sven", "sven"},     {"Yuki", "yuki"},     {"Tom", "tom"}};
constexpr NamePart kLastNames[] = {
    {"Anderson", "anderson"}, {"Becker", "becker"},     {"Costa", "costa"},   {"Dubois", "dubois"},
    {"Evans", "evans"},       {"Fischer", "fischer"},   {"Garcia", "garcia"}, {"Hughes", "hughes"},
    {"Ivanova", "ivanova"},   {"Jensen", "jensen"},     {"Kim", "kim"},       {"Larsen", "larsen"},
    {"Mensah", "mensah"},     {"Nakamura", "nakamura"}, {"Okafor", "okafor"}, {"Patel", "patel"},
    {"Rossi", "rossi"},       {"Schmidt", "schmidt"},   {"Tanaka", "tanaka"}, {"Wong", "wong"}};
// Whole names that break naive clients: non-ASCII letters, a double quote, an apostrophe.
constexpr NamePart kUnusualNames[] = {{"Zoë Müller", "zoe.mueller"},
                                      {"Robert \"Bob\" Smith", "bob.smith"},
                                      {"José Álvarez", "jose.alvarez"},
                                      {"Siobhán O'Brien", "siobhan.obrien"},
                                      {"李小龙", "xiaolong.li"}};

constexpr std::string_view kTopics[] = {"Weekly team sync",
                                        "Sprint planning",
                                        "1:1",
                                        "All hands",
                                        "Customer onboarding",
                                        "Quarterly business review",
                                        "Design review",
                                        "Incident retrospective",
                                        "Sales pipeline review",
                                        "Engineering interview",
                                        "Board meeting",
                                        "Product demo",
                                        "Office hours",
                                        "Marketing stand-up",
                                        "Budget review – Q4",
                                        "Training: \"Secure coding\"",
                                        "Café & croissants",
                                        "Release go/no-go"};
constexpr std::string_view kWebinarTopics[] = {"Product launch: what's new in 2027",
                                               "Quarterly earnings call",
                                               "Customer training – advanced reporting",
                                               "Partner enablement",
                                               "Town hall",
                                               "Security briefing: \"Zero trust\"",
                                               "Recruiting open day",
                                               "Ask me anything"};

struct Device {
  std::string_view name;
  bool mobile;
  double share;  // of all participants
  std::string_view pc_name;
  Resolution camera;
  std::string_view versions[3];
};

constexpr Device kDevices[] = {
    {"Windows",
     false,
     0.40,
     "Laptop",
     {1280, 720},
     {"5.17.11.34827", "5.16.10.26186", "5.15.7.21404"}},
    {"Mac",
     false,
     0.25,
     "MacBook Pro",
     {1280, 720},
     {"5.17.5.29101", "5.16.10.25689", "5.14.2.17213"}},
    {"iPhone",
     true,
     0.15,
     "iPhone",
     {640, 360},
     {"5.17.0.21130", "5.16.6.19452", "4.4.55383.0726"}},
    {"Android", true, 0.12, "Phone", {640, 360}, {"5.16.10.20212", "5.15.5.16290", "5.13.4.11780"}},
    {"Linux", false, 0.08, "ThinkPad", {1280, 720}, {"5.16.10.668", "5.15.3.4839", "5.12.2.4816"}},
};

struct Location {
  std::string_view name;
  double extra_latency_ms;  // distance to the Zoom data centre the account uses
  std::string_view ip_prefix;
};

constexpr Location kLocations[] = {
    {"San Jose (US)", 5, "192.0.2."},      {"New York (US)", 25, "198.51.100."},
    {"Toronto (CA)", 30, "203.0.113."},    {"London (GB)", 60, "192.0.2."},
    {"Frankfurt (DE)", 70, "198.51.100."}, {"São Paulo (BR)", 110, "203.0.113."},
    {"Tokyo (JP)", 100, "192.0.2."},       {"Bengaluru (IN)", 130, "198.51.100."},
    {"Sydney (AU)", 140, "203.0.113."}};

constexpr Resolution kScreens[] = {{1920, 1080}, {2560, 1440}, {1440, 900}, {3840, 2160}};
constexpr Resolution kViewingResolutions[] = {{1280, 720}, {640, 360}};

// The QoS values that drift; the others are derived from them in each snapshot.
enum Metric : std::size_t {
  kLatency,
  kJitter,
  kLoss,
  kAudioSentBitrate,
  kAudioReceivedBitrate,
  kVideoSentBitrate,
  kVideoReceivedBitrate,
  kVideoSentFrameRate,
  kVideoReceivedFrameRate,
  kCpu,
  kMetricCount,
};
using Metrics = std::array<double, kMetricCount>;

struct Bounds {
  double low;
  double high;
  double step;  // standard deviation of one minute's change
};

constexpr std::array<Bounds, kMetricCount> kBounds = {{
    {20, 400, 12},    // latency, ms
    {1, 60, 2.5},     // jitter, ms
    {0, 10, 0.4},     // loss, %
    {20, 90, 4},      // audio sent, kbps
    {20, 90, 4},      // audio received, kbps
    {100, 2500, 80},  // video sent, kbps
    {100, 2500, 80},  // video received, kbps
    {5, 30, 2},       // video sent, fps
    {5, 30, 2},       // video received, fps
    {2, 95, 3},       // Zoom's CPU use, %
}};

// The meeting-wide part of a slot that the pure functions below need.
struct Timeline {
  std::uint64_t key;
  TimePoint start;
  TimePoint end;
  std::size_t seats;
};

struct Session {
  std::uint64_t index;  // 0 for the first join, 1 after one rejoin, ...
  TimePoint join;
};

struct Person {
  std::string name;
  std::string email;
  std::string account_user_id;
  const Device* device;
  std::string_view version;
  const Location* location;
  std::string ip_address;
  std::string internal_ip_address;
  std::string pc_name;
  std::string domain;
  std::string mac_addr;
  std::string harddisk_id;
  double network_quality;  // 0 is a perfect network, 1 a bad one
  bool on_wifi;
  Resolution viewing_resolution;
  Metrics typical;  // what the drifting metrics return to
};

// What the whole meeting looks like at one instant, for the values that depend on others.
struct Moment {
  std::size_t present = 0;
  std::size_t cameras_on = 0;
  std::optional<std::size_t> sharer_seat;
};

TimePoint after(TimePoint time, double seconds_later) {
  return time + seconds(std::llround(seconds_later));
}

double seconds_between(TimePoint from, TimePoint to) {
  return std::chrono::duration<double>(to - from).count();
}

const Device& pick_device(RandomStream& random) {
  double remaining = random.uniform();
  for (const Device& device : kDevices) {
    if (remaining < device.share) return device;
    remaining -= device.share;
  }
  return kDevices[0];
}

std::string hex_bytes(RandomStream& random, std::size_t count, std::string_view separator) {
  std::string text;
  for (std::size_t i = 0; i < count; ++i) {
    char digits[3];
    std::snprintf(digits, sizeof digits, "%02x", static_cast<unsigned>(random.below(256)));
    if (i > 0) text += separator;
    text += digits;
  }
  return text;
}

std::string random_bytes(RandomStream& random, std::size_t count) {
  std::string bytes;
  for (std::size_t i = 0; i < count; ++i) bytes += static_cast<char>(random.below(256));
  return bytes;
}

// Zoom's uuids are 16 bytes in padded base64. Some start with '/' or hold "//": those are the
// ones a client must percent-encode twice, so the simulation makes them common.
std::string make_uuid(RandomStream& random) {
  std::string uuid = base64_encode(random_bytes(random, 16), Base64Alphabet::standard);
  const std::uint64_t shape = random.below(8);
  if (shape == 0) {
    uuid[0] = '/';
  } else if (shape == 1) {
    // Within the first 21 digits: the 22nd carries only 2 bits and is never '/'.
    const std::size_t position = 1 + random.below(19);
    uuid[position] = '/';
    uuid[position + 1] = '/';
  }
  return uuid;
}

Person person_at(const Timeline& meeting, std::size_t seat) {
  RandomStream random(hash_of(meeting.key, Salt::person, seat));
  Person person;
  std::string_view first_name;
  if (random.chance(0.05)) {
    const NamePart& name = random.pick(kUnusualNames);
    person.name = name.display;
    person.email = std::string(name.email) + "@example.com";
    first_name = name.display.substr(0, name.display.find(' '));
  } else {
    const NamePart& first = random.pick(kFirstNames);
    const NamePart& last = random.pick(kLastNames);
    person.name = std::string(first.display) + " " + std::string(last.display);
    person.email = std::string(first.email) + "." + std::string(last.email) + "@example.com";
    first_name = first.display;
  }
  if (random.chance(0.6)) {
    person.account_user_id = base64_encode(random_bytes(random, 16), Base64Alphabet::url);
  }
  person.device = &pick_device(random);
  person.version = random.pick(person.device->versions);
  person.location = &random.pick(kLocations);
  person.ip_address =
      std::string(person.location->ip_prefix) + std::to_string(1 + random.below(254));
  person.pc_name = std::string(first_name) + "'s " + std::string(person.device->pc_name);
  const bool mobile = person.device->mobile;
  if (mobile) {
    person.internal_ip_address = "192.168.1." + std::to_string(2 + random.below(250));
  } else {
    // One draw per statement: the operands of '+' are evaluated in no fixed order.
    const std::uint64_t subnet = random.below(256 * 256);
    const std::uint64_t host = 2 + random.below(250);
    person.internal_ip_address = "10." + std::to_string(subnet / 256) + "." +
                                 std::to_string(subnet % 256) + "." + std::to_string(host);
    if (random.chance(0.6)) person.domain = "corp.example.com";
    person.mac_addr = hex_bytes(random, 6, ":");
    if (random.chance(0.5)) person.harddisk_id = hex_bytes(random, 8, "");
  }
  // Squared, so that most networks are good and a few are bad.
  person.network_quality = std::pow(random.uniform(), 2);
  person.on_wifi = mobile || random.chance(0.4);
  person.viewing_resolution = random.pick(kViewingResolutions);
  const double quality = person.network_quality;
  person.typical[kLatency] = 25 + person.location->extra_latency_ms + 180 * quality;
  person.typical[kJitter] = 2 + 35 * quality;
  person.typical[kLoss] = 0.1 + 5 * quality * quality;
  person.typical[kAudioSentBitrate] = random.uniform(28, 70);
  person.typical[kAudioReceivedBitrate] = random.uniform(35, 85);
  person.typical[kVideoSentBitrate] = mobile ? random.uniform(300, 900) : random.uniform(600, 1800);
  person.typical[kVideoReceivedBitrate] = random.uniform(400, 1500);
  person.typical[kVideoSentFrameRate] = mobile ? random.uniform(10, 24) : random.uniform(15, 30);
  person.typical[kVideoReceivedFrameRate] = random.uniform(12, 30);
  person.typical[kCpu] = mobile ? random.uniform(10, 35) : random.uniform(5, 45);
  return person;
}

// Whether, and since when, the person at `seat` is in the meeting at `at`. Most join in the first
// minutes; some stay to the end, others leave and may come back.
std::optional<Session> session_at(const Timeline& meeting, std::size_t seat, TimePoint at) {
  if (at < meeting.start || at >= meeting.end) return std::nullopt;
  RandomStream schedule(hash_of(meeting.key, Salt::schedule, seat));
  const double lifetime = seconds_between(meeting.start, meeting.end);
  const double delay =
      schedule.chance(0.75) ? schedule.uniform(0, 180) : schedule.uniform(0, lifetime / 2);
  TimePoint join = after(meeting.start, delay);
  for (std::uint64_t index = 0; join <= at; ++index) {
    const TimePoint leave =
        schedule.chance(0.6) ? meeting.end : after(join, schedule.uniform(120, 2400));
    if (at < leave) return Session{index, join};
    if (!schedule.chance(0.5)) return std::nullopt;
    join = after(leave, schedule.uniform(60, 600));
  }
  return std::nullopt;
}

std::uint64_t session_key(const Timeline& meeting, std::size_t seat, const Session& session) {
  return hash_of(meeting.key, Salt::drift, seat, session.index);
}

bool camera_on(const Timeline& meeting, std::size_t seat, const Session& session, TimePoint at) {
  const double habit = RandomStream(hash_of(meeting.key, Salt::camera_habit, seat)).uniform();
  const auto period = (at - session.join) / kCameraPeriod;
  RandomStream camera(hash_of(session_key(meeting, seat, session), Salt::camera, period));
  return camera.uniform() < habit;
}

Resolution screen_of(const Timeline& meeting, std::size_t seat) {
  RandomStream random(hash_of(meeting.key, Salt::screen, seat));
  return random.pick(kScreens);
}

// Who presents in the meeting's current share period, if anyone; they share only while present.
std::optional<std::size_t> presenter_at(const Timeline& meeting, TimePoint at) {
  if (meeting.seats == 0) return std::nullopt;
  RandomStream share(hash_of(meeting.key, Salt::share, (at - meeting.start) / kSharePeriod));
  if (!share.chance(0.4)) return std::nullopt;
  return share.below(meeting.seats);
}

Moment moment_at(const Timeline& meeting, TimePoint at) {
  Moment moment;
  for (std::size_t seat = 0; seat < meeting.seats; ++seat) {
    const std::optional<Session> session = session_at(meeting, seat, at);
    if (!session) continue;
    ++moment.present;
    if (camera_on(meeting, seat, *session, at)) ++moment.cameras_on;
  }
  const std::optional<std::size_t> presenter = presenter_at(meeting, at);
  if (presenter && session_at(meeting, *presenter, at)) moment.sharer_seat = presenter;
  return moment;
}

// Each metric is a mean-reverting random walk with one step a minute from the join on, so it
// wanders but stays near the person's typical value and within sane bounds. Returns the values
// after `steps - 1` and after `steps` steps: the two snapshots of a reply.
std::array<Metrics, 2> drifted_metrics(const Person& person, std::uint64_t key,
                                       std::int64_t steps) {
  RandomStream random(key);
  std::array<Metrics, 2> last_two = {person.typical, person.typical};
  for (std::int64_t step = 0; step < steps; ++step) {
    last_two[0] = last_two[1];
    Metrics& metrics = last_two[1];
    for (std::size_t metric = 0; metric < kMetricCount; ++metric) {
      const Bounds& bounds = kBounds[metric];
      const double next = metrics[metric] + 0.2 * (person.typical[metric] - metrics[metric]) +
                          bounds.step * random.normal();
      metrics[metric] = std::clamp(next, bounds.low, bounds.high);
    }
  }
  return last_two;
}

int rounded(double value) {
  return static_cast<int>(std::lround(value));
}
double tenths(double value) {
  return std::round(value * 10) / 10;
}

StreamQos measured_stream(double bitrate, Metric bitrate_metric, const Metrics& metrics,
                          RandomStream& noise) {
  const Bounds& bitrate_bounds = kBounds[bitrate_metric];
  const double avg_loss = tenths(std::clamp(metrics[kLoss] * noise.uniform(0.5, 1.5),
                                            kBounds[kLoss].low, kBounds[kLoss].high));
  const double max_loss =
      tenths(std::clamp(avg_loss + noise.uniform(0, 3) * (avg_loss + 0.2), avg_loss, 10.0));
  StreamQos stream;
  stream.bitrate_kbps = rounded(
      std::clamp(bitrate * noise.uniform(0.9, 1.1), bitrate_bounds.low, bitrate_bounds.high));
  stream.latency_ms = rounded(std::clamp(metrics[kLatency] + 6 * noise.normal(),
                                         kBounds[kLatency].low, kBounds[kLatency].high));
  stream.jitter_ms = rounded(std::clamp(metrics[kJitter] + 1.5 * noise.normal(),
                                        kBounds[kJitter].low, kBounds[kJitter].high));
  stream.avg_loss_percent = avg_loss;
  stream.max_loss_percent = max_loss;
  return stream;
}

VideoQos measured_video(Metric bitrate_metric, const Metrics& metrics, Resolution resolution,
                        double frame_rate, RandomStream& noise) {
  VideoQos video;
  static_cast<StreamQos&>(video) =
      measured_stream(metrics[bitrate_metric], bitrate_metric, metrics, noise);
  video.resolution = resolution;
  video.frame_rate_fps = rounded(frame_rate);
  return video;
}

VideoQos idle_share() {
  VideoQos share;
  share.resolution = Resolution{0, 0};
  return share;
}

// A congested sender lowers its resolution before its frame rate, like Zoom's clients.
Resolution sent_camera_resolution(const Person& person, const Metrics& metrics) {
  const Resolution camera = person.device->camera;
  if (metrics[kLoss] > 6) return {camera.width / 4, camera.height / 4};
  if (metrics[kLoss] > 3) return {camera.width / 2, camera.height / 2};
  return camera;
}

template <typename Stream>
void drop_some_data(Stream& stream, RandomStream& noise) {
  if (noise.chance(kNoDataChance)) stream = Stream{};
}

CpuUsage cpu_usage(double average, RandomStream& noise) {
  CpuUsage cpu;
  cpu.zoom_avg_percent = rounded(average);
  cpu.zoom_min_percent = rounded(average * noise.uniform(0.3, 0.8));
  cpu.zoom_max_percent = rounded(std::min(100.0, average * noise.uniform(1.2, 2.2)));
  cpu.system_max_percent =
      std::max(cpu.zoom_max_percent, rounded(std::min(100.0, average + noise.uniform(10, 50))));
  return cpu;
}

WifiSignal wifi_signal(const Person& person, RandomStream& noise) {
  WifiSignal wifi;
  wifi.avg_rssi =
      rounded(std::clamp(-45 - 30 * person.network_quality + 3 * noise.normal(), -90.0, -30.0));
  wifi.min_rssi = wifi.avg_rssi - rounded(noise.uniform(0, 10));
  wifi.max_rssi = wifi.avg_rssi + rounded(noise.uniform(0, 8));
  return wifi;
}

struct SnapshotContext {
  const Timeline& meeting;
  std::size_t seat;
  const Session& session;
  const Person& person;
};

QosSnapshot snapshot_at(const SnapshotContext& context, TimePoint at, const Moment& moment,
                        const Metrics& metrics) {
  const std::uint64_t key = session_key(context.meeting, context.seat, context.session);
  RandomStream noise(hash_of(key, Salt::snapshot, at.time_since_epoch() / kSnapshotInterval));

  QosSnapshot snapshot;
  snapshot.date_time = at;
  snapshot.audio_input =
      measured_stream(metrics[kAudioSentBitrate], kAudioSentBitrate, metrics, noise);
  drop_some_data(snapshot.audio_input, noise);
  snapshot.audio_output =
      measured_stream(metrics[kAudioReceivedBitrate], kAudioReceivedBitrate, metrics, noise);
  drop_some_data(snapshot.audio_output, noise);

  const bool own_camera = camera_on(context.meeting, context.seat, context.session, at);
  if (own_camera) {
    snapshot.video_input =
        measured_video(kVideoSentBitrate, metrics, sent_camera_resolution(context.person, metrics),
                       metrics[kVideoSentFrameRate], noise);
    drop_some_data(*snapshot.video_input, noise);
  }
  if (moment.cameras_on > (own_camera ? 1u : 0u)) {
    snapshot.video_output =
        measured_video(kVideoReceivedBitrate, metrics, context.person.viewing_resolution,
                       metrics[kVideoReceivedFrameRate], noise);
    drop_some_data(*snapshot.video_output, noise);
  }

  snapshot.as_input = idle_share();
  snapshot.as_output = idle_share();
  if (moment.sharer_seat) {
    const bool presenting = *moment.sharer_seat == context.seat;
    VideoQos& share = presenting ? snapshot.as_input : snapshot.as_output;
    // Screen content changes rarely, so sharing runs at a few frames a second.
    share = measured_video(presenting ? kVideoSentBitrate : kVideoReceivedBitrate, metrics,
                           screen_of(context.meeting, *moment.sharer_seat), noise.uniform(2, 15),
                           noise);
    drop_some_data(share, noise);
  }

  snapshot.cpu_usage = cpu_usage(metrics[kCpu], noise);
  if (context.person.on_wifi) snapshot.wifi_rssi = wifi_signal(context.person, noise);
  return snapshot;
}

constexpr std::uint64_t kFirstUserId = 16778240;
constexpr std::uint64_t kUserIdStep = 1024;

// Zoom's participant user ids look like 16778240, 16779264, ...: steps of 1024.
std::string participant_user_id(const Timeline& meeting, std::size_t seat, const Session& session) {
  return std::to_string(kFirstUserId + kUserIdStep * (session.index * meeting.seats + seat));
}

struct SeatAndSession {
  std::size_t seat;
  std::uint64_t session_index;
};

// The inverse of participant_user_id; nullopt for a number it never gives.
std::optional<SeatAndSession> parse_participant_user_id(const Timeline& meeting,
                                                        std::string_view user_id) {
  std::uint64_t number = 0;
  const char* end = user_id.data() + user_id.size();
  const auto [parsed_to, error] = std::from_chars(user_id.data(), end, number);
  if (user_id.empty() || error != std::errc{} || parsed_to != end || number < kFirstUserId ||
      (number - kFirstUserId) % kUserIdStep != 0 || meeting.seats == 0) {
    return std::nullopt;
  }
  const std::uint64_t ordinal = (number - kFirstUserId) / kUserIdStep;
  return SeatAndSession{static_cast<std::size_t>(ordinal % meeting.seats), ordinal / meeting.seats};
}

// Zoom reports QoS once a minute; a reply carries the last two minutes.
struct ReplyMinutes {
  std::array<TimePoint, 2> snapshot_times;
  std::array<Moment, 2> moments;
};

ReplyMinutes reply_minutes(const Timeline& meeting, TimePoint now) {
  const TimePoint latest = floor<minutes>(now);
  ReplyMinutes reply;
  reply.snapshot_times = {latest - kSnapshotInterval, latest};
  reply.moments = {moment_at(meeting, reply.snapshot_times[0]),
                   moment_at(meeting, reply.snapshot_times[1])};
  return reply;
}

ParticipantQos participant_qos(const Timeline& meeting, std::size_t seat, const Session& session,
                               const ReplyMinutes& reply) {
  const Person person = person_at(meeting, seat);
  ParticipantQos participant;
  participant.user_id = participant_user_id(meeting, seat, session);
  participant.account_user_id = person.account_user_id;
  participant.user_name = person.name;
  participant.device = person.device->name;
  participant.ip_address = person.ip_address;
  participant.location = person.location->name;
  participant.join_time = floor<seconds>(session.join);
  participant.pc_name = person.pc_name;
  participant.domain = person.domain;
  participant.mac_addr = person.mac_addr;
  participant.harddisk_id = person.harddisk_id;
  participant.version = person.version;
  participant.internal_ip_addresses = {person.internal_ip_address};
  // The first snapshot is at the first whole minute after the join.
  const TimePoint first_snapshot = floor<minutes>(session.join) + kSnapshotInterval;
  const TimePoint latest = reply.snapshot_times[1];
  if (latest >= first_snapshot) {
    const SnapshotContext context{meeting, seat, session, person};
    const std::array<Metrics, 2> metrics = drifted_metrics(
        person, session_key(meeting, seat, session), (latest - first_snapshot) / kSnapshotInterval);
    for (std::size_t i = 0; i < reply.snapshot_times.size(); ++i) {
      if (reply.snapshot_times[i] >= first_snapshot) {
        participant.user_qos.push_back(
            snapshot_at(context, reply.snapshot_times[i], reply.moments[i], metrics[i]));
      }
    }
  }
  return participant;
}

}  // namespace

SimulatedAccount::SimulatedAccount(const config::SimulatorConfig& config, TimePoint start)
    : config_(config), now_(start) {
  for (const MeetingKind kind : {MeetingKind::meeting, MeetingKind::webinar}) {
    const int peak = kind == MeetingKind::webinar ? config.webinars : config.meetings;
    Pool& kind_pool = pool(kind);
    kind_pool.slots.resize(static_cast<std::size_t>(std::max(0, peak)));
    kind_pool.live = LiveSlots(kind_pool.slots.size());
    for (std::size_t slot = 0; slot < kind_pool.slots.size(); ++slot) {
      if (slot_in_target(config_.load_profile, slot, kind_pool.slots.size(), start)) {
        begin_meeting(kind, slot, start, /*under_way=*/true);
      } else {
        fill_or_wait(kind, slot, start);
      }
    }
  }
}

void SimulatedAccount::begin_meeting(MeetingKind kind, std::size_t slot_index, TimePoint start,
                                     bool under_way) {
  Pool& kind_pool = pool(kind);
  Slot& slot = kind_pool.slots[slot_index];
  const std::uint64_t generation = slot.meetings_begun++;
  const Salt salt = kind == MeetingKind::webinar ? Salt::webinar : Salt::meeting;
  slot.key = hash_of(config_.seed, salt, slot_index, generation);
  RandomStream random(slot.key);
  const KindTraits& traits = traits_of(kind);
  const double lifetime =
      random.uniform(seconds(traits.shortest).count(), seconds(traits.longest).count());
  // The account's first meetings are already under way when the simulation starts.
  const double elapsed = under_way ? lifetime * random.uniform() : 0.0;
  slot.start = after(start, -elapsed);
  slot.end = after(slot.start, lifetime);
  const int mean_participants =
      std::max(0, config_.participants_per_meeting) * traits.participants_per_mean;
  // About three quarters of the seats are occupied at any time: this centres the count on the mean.
  slot.seats = mean_participants == 0
                   ? 0
                   : static_cast<std::size_t>(
                         std::max(1L, std::lround(mean_participants * random.uniform(0.8, 1.9))));
  // Ids are random, so two live meetings could draw the same one: draw again until unique. The
  // check spans both kinds, as Zoom's ids do.
  for (std::uint64_t attempt = 0;; ++attempt) {
    RandomStream identity(hash_of(slot.key, Salt::identity, attempt));
    slot.id = 10'000'000'000ULL + identity.below(90'000'000'000ULL);
    slot.uuid = make_uuid(identity);
    if (!slot_by_id_.contains(slot.id) && !slot_by_uuid_.contains(slot.uuid)) break;
  }
  slot_by_id_.emplace(slot.id, SlotRef{kind, slot_index});
  slot_by_uuid_.emplace(slot.uuid, SlotRef{kind, slot_index});
  kind_pool.live.set_live(slot_index, true);
  events_.push(SlotEvent{slot.end, kind, slot_index});
}

void SimulatedAccount::fill_or_wait(MeetingKind kind, std::size_t slot_index, TimePoint at) {
  const std::size_t peak = pool(kind).slots.size();
  if (slot_in_target(config_.load_profile, slot_index, peak, at)) {
    begin_meeting(kind, slot_index, at, /*under_way=*/false);
  } else {
    events_.push(SlotEvent{next_time_in_target(config_.load_profile, slot_index, peak, at), kind,
                           slot_index});
  }
}

void SimulatedAccount::advance_to(TimePoint now) {
  if (now <= now_) return;
  now_ = now;
  // One queue for both kinds, in time order: ids are unique across kinds, so the order in which
  // meetings start must not depend on how far each call advances.
  while (!events_.empty() && events_.top().at <= now_) {
    const SlotEvent event = events_.top();
    events_.pop();
    Pool& kind_pool = pool(event.kind);
    if (kind_pool.live.is_live(event.slot)) {
      const Slot& ended = kind_pool.slots[event.slot];
      slot_by_id_.erase(ended.id);
      slot_by_uuid_.erase(ended.uuid);
      kind_pool.live.set_live(event.slot, false);
    }
    fill_or_wait(event.kind, event.slot, event.at);
  }
}

std::size_t SimulatedAccount::meeting_count(MeetingKind kind) const {
  return pool(kind).live.live_count();
}

const SimulatedAccount::Slot& SimulatedAccount::live_slot(std::size_t index,
                                                          MeetingKind kind) const {
  const Pool& kind_pool = pool(kind);
  if (index >= kind_pool.live.live_count()) {
    throw std::out_of_range("no live meeting at index " + std::to_string(index));
  }
  return kind_pool.slots[kind_pool.live.nth_live(index)];
}

std::uint64_t SimulatedAccount::meeting_id(std::size_t index, MeetingKind kind) const {
  return live_slot(index, kind).id;
}

std::size_t SimulatedAccount::list_position(std::size_t index, MeetingKind kind) const {
  live_slot(index, kind);  // checks the index
  return pool(kind).live.nth_live(index);
}

std::size_t SimulatedAccount::first_index_from(std::size_t position, MeetingKind kind) const {
  return pool(kind).live.live_before(position);
}

MeetingInfo SimulatedAccount::meeting(std::size_t index, MeetingKind kind) const {
  const Slot& slot = live_slot(index, kind);
  const Timeline timeline{slot.key, slot.start, slot.end, slot.seats};
  RandomStream traits(hash_of(slot.key, Salt::traits));
  // The host is the person at the first seat, whether or not they are in the meeting now.
  const Person host = person_at(timeline, 0);
  const Moment moment = moment_at(timeline, now_);

  MeetingInfo info;
  info.id = slot.id;
  info.uuid = slot.uuid;
  info.topic = kind == MeetingKind::webinar ? traits.pick(kWebinarTopics) : traits.pick(kTopics);
  info.host = host.name;
  info.email = host.email;
  info.user_type = traits.chance(0.9) ? "Licensed" : "Basic";
  info.start_time = slot.start;
  info.duration = floor<seconds>(now_ - slot.start);
  info.participants = static_cast<int>(moment.present);
  info.has_pstn = traits.chance(0.1);
  info.has_voip = moment.present > 0;
  info.has_video = moment.cameras_on > 0;
  info.has_screen_share = moment.sharer_seat.has_value();
  info.has_recording = traits.chance(0.2);
  info.has_sip = traits.chance(0.03);
  return info;
}

std::optional<std::size_t> SimulatedAccount::find_meeting(std::string_view id_or_uuid,
                                                          MeetingKind kind) const {
  std::optional<SlotRef> found;
  std::uint64_t id = 0;
  const char* end = id_or_uuid.data() + id_or_uuid.size();
  const auto [parsed_to, error] = std::from_chars(id_or_uuid.data(), end, id);
  if (!id_or_uuid.empty() && error == std::errc{} && parsed_to == end) {
    if (const auto by_id = slot_by_id_.find(id); by_id != slot_by_id_.end()) found = by_id->second;
  } else if (const auto by_uuid = slot_by_uuid_.find(std::string(id_or_uuid));
             by_uuid != slot_by_uuid_.end()) {
    found = by_uuid->second;
  }
  if (!found || found->kind != kind) return std::nullopt;
  return pool(kind).live.live_before(found->slot);
}

ParticipantsPage SimulatedAccount::participants(std::size_t meeting_index, std::size_t first_seat,
                                                std::size_t max_count, MeetingKind kind) const {
  const Slot& slot = live_slot(meeting_index, kind);
  const Timeline timeline{slot.key, slot.start, slot.end, slot.seats};
  const ReplyMinutes reply = reply_minutes(timeline, now_);

  ParticipantsPage page;
  for (std::size_t seat = 0; seat < timeline.seats; ++seat) {
    const std::optional<Session> session = session_at(timeline, seat, now_);
    if (!session) continue;
    ++page.total;
    if (seat < first_seat || page.next_seat) continue;
    if (page.participants.size() == max_count) {
      page.next_seat = seat;
      continue;
    }
    page.participants.push_back(participant_qos(timeline, seat, *session, reply));
  }
  return page;
}

std::optional<ParticipantQos> SimulatedAccount::participant(std::size_t meeting_index,
                                                            std::string_view user_id,
                                                            MeetingKind kind) const {
  const Slot& slot = live_slot(meeting_index, kind);
  const Timeline timeline{slot.key, slot.start, slot.end, slot.seats};
  const std::optional<SeatAndSession> wanted = parse_participant_user_id(timeline, user_id);
  if (!wanted) return std::nullopt;
  const std::optional<Session> session = session_at(timeline, wanted->seat, now_);
  if (!session || session->index != wanted->session_index) return std::nullopt;
  return participant_qos(timeline, wanted->seat, *session, reply_minutes(timeline, now_));
}

}  // namespace zqe::simulator
