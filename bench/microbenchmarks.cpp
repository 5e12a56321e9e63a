// Microbenchmarks of the exporter's hot paths: QoS unit strings, participant pages, the QoS
// exposition (against prometheus-cpp doing the same job), and its gzip cache. Inputs are built
// here, shaped like Zoom's replies, so that the executable needs neither the simulator nor a
// network. docs/benchmarks.md explains how to run it and records results.

#include <benchmark/benchmark.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "metrics/account_metrics.hpp"
#include "metrics/exposition_cache.hpp"
#include "metrics/qos_renderer.hpp"
#include "qos/value_parser.hpp"
#include "zoom/reply_decoder.hpp"

namespace {

using zqe::metrics::MeetingSnapshot;
using zqe::metrics::RenderOptions;
using zqe::qos::ParticipantQos;
using zqe::qos::Quantity;

// Figures that the console shows directly: "participants=1.2M/s", "bytes=310M/s" (MB/s).
benchmark::Counter rate(double per_iteration) {
  return benchmark::Counter(per_iteration, benchmark::Counter::kIsIterationInvariantRate);
}
// Seconds per item, e.g. "per_value=9.8ns".
benchmark::Counter time_per_item(double items_per_iteration) {
  return benchmark::Counter(items_per_iteration, benchmark::Counter::kIsIterationInvariantRate |
                                                     benchmark::Counter::kInvert);
}

// ---------------------------------------------------------------------------------------------
// Deterministic input

// splitmix64: reproducible inputs, so two runs measure the same bytes.
class Random {
 public:
  explicit Random(std::uint64_t seed) : state_(seed) {}

  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  std::uint64_t below(std::uint64_t bound) { return next() % bound; }
  int between(int low, int high) {
    return low + static_cast<int>(below(static_cast<std::uint64_t>(high - low + 1)));
  }
  double uniform(double low, double high) {
    constexpr double kTwoToMinus53 = 1.0 / 9007199254740992.0;
    return low + (high - low) * static_cast<double>(next() >> 11) * kTwoToMinus53;
  }
  bool chance(double probability) { return uniform(0, 1) < probability; }
  template <typename T, std::size_t N>
  const T& pick(const T (&items)[N]) {
    return items[below(N)];
  }

 private:
  std::uint64_t state_;
};

constexpr std::string_view kFirstNames[] = {"Alice",  "Bruno",  "Chen",  "Dmitri", "Emma",
                                            "Fatima", "George", "Hana",  "Ivan",   "Julia",
                                            "Kwame",  "Laura",  "Mateo", "Nina",   "Priya"};
constexpr std::string_view kLastNames[] = {"Anderson", "Becker", "Costa",  "Dubois", "Evans",
                                           "Fischer",  "Garcia", "Hughes", "Kim",    "Mensah",
                                           "Nakamura", "Okafor", "Patel",  "Rossi",  "Wong"};
// Real accounts have them, and they take the renderers' escaping paths.
constexpr std::string_view kUnusualNames[] = {"Zoë Müller", "Robert \"Bob\" Smith",
                                              "Siobhán O'Brien", "李小龙"};

struct Device {
  std::string_view name;
  std::string_view pc_name;
  std::string_view version;
  int camera_width;
  int camera_height;
};
constexpr Device kDevices[] = {
    {"Windows", "DESKTOP-7QK2M4L", "5.17.11.34827", 1280, 720},
    {"Mac", "MacBook-Pro", "5.17.5.31030", 1280, 720},
    {"iOS", "iPhone", "5.16.10.26186", 640, 360},
    {"Android", "Pixel 7", "5.17.0.19850", 640, 360},
    {"Web Browser", "Chrome", "5.17.0", 640, 360},
};

struct Location {
  std::string_view name;
  std::string_view ip_prefix;
};
constexpr Location kLocations[] = {
    {"San Jose (US)", "198.51.100."}, {"New York (US)", "203.0.113."},
    {"Frankfurt (DE)", "192.0.2."},   {"São Paulo (BR)", "198.51.100."},
    {"Tokyo (JP)", "203.0.113."},     {"Bengaluru (IN)", "192.0.2."},
};

constexpr std::string_view kTopics[] = {"Weekly team sync",
                                        "Sprint planning",
                                        "All hands",
                                        "Customer onboarding",
                                        "Design review",
                                        "Budget review – Q4",
                                        "Training: \"Secure coding\"",
                                        "Café & croissants"};

// How much of a meeting is active. Decoding is measured on what Zoom typically sends (some
// cameras off, idle screen share, a few empty streams); rendering on busy meetings, where every
// participant has audio, video and a screen share in one direction: 40 series each.
struct MeetingActivity {
  double camera_on_chance;
  double sharing_chance;
  double empty_stream_chance;
};
constexpr MeetingActivity kTypicalMeeting{0.75, 0.5, 0.03};
constexpr MeetingActivity kBusyMeeting{1.0, 1.0, 0.0};

constexpr std::uint64_t kFirstUserId = 16778240;  // Zoom's ids go 16778240, 16779264, ...
constexpr std::uint64_t kUserIdStep = 1024;
constexpr std::string_view kSnapshotTimes[] = {"2026-11-22T10:41:00Z", "2026-11-22T10:42:00Z"};
constexpr double kLatestSnapshotUnixSeconds = 1795344120;  // 2026-11-22T10:42:00Z
constexpr std::size_t kPageSize = 10;                      // Zoom's cap for QoS pages

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void write_field(JsonWriter& writer, const char* key, std::string_view value) {
  writer.Key(key);
  writer.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

template <typename... Values>
std::string formatted(const char* format, Values... values) {
  char text[64];
  std::snprintf(text, sizeof text, format, values...);
  return text;
}

// An empty stream is all "" as Zoom sends it for an interval without data.
void write_stream_values(JsonWriter& writer, Random& random, bool empty, int kbps) {
  const int latency = random.between(20, 220);
  const double avg_loss = random.chance(0.6) ? 0.0 : random.uniform(0, 2);
  write_field(writer, "bitrate", empty ? "" : formatted("%d kbps", kbps));
  write_field(writer, "latency", empty ? "" : formatted("%d ms", latency));
  write_field(writer, "jitter", empty ? "" : formatted("%d ms", random.between(1, 25)));
  write_field(writer, "avg_loss", empty ? "" : formatted("%.1f%%", avg_loss));
  write_field(writer, "max_loss",
              empty ? "" : formatted("%.1f%%", avg_loss * random.uniform(1, 5)));
}

void write_audio(JsonWriter& writer, const char* key, Random& random,
                 const MeetingActivity& activity) {
  writer.Key(key);
  writer.StartObject();
  write_stream_values(writer, random, random.chance(activity.empty_stream_chance),
                      random.between(20, 70));
  writer.EndObject();
}

struct VideoShape {
  int width;  // 0 with height 0: nothing sent, "0*0"
  int height;
  int frame_rate;
};

void write_video(JsonWriter& writer, const char* key, Random& random,
                 const MeetingActivity& activity, std::optional<VideoShape> shape) {
  writer.Key(key);
  writer.StartObject();
  const bool empty = !shape || random.chance(activity.empty_stream_chance);
  write_stream_values(writer, random, empty, random.between(150, 1800));
  write_field(writer, "resolution",
              shape ? formatted("%d*%d", shape->width, shape->height) : std::string("0*0"));
  write_field(writer, "frame_rate", empty ? "" : formatted("%d fps", shape->frame_rate));
  writer.EndObject();
}

// Two snapshots a minute apart, as the live endpoint sends them.
void write_snapshot(JsonWriter& writer, Random& random, const MeetingActivity& activity,
                    std::string_view time, const Device& device, bool camera_on,
                    bool others_camera_on, std::optional<bool> presenting, bool on_wifi) {
  writer.StartObject();
  write_field(writer, "date_time", time);
  write_audio(writer, "audio_input", random, activity);
  write_audio(writer, "audio_output", random, activity);
  if (camera_on) {
    write_video(writer, "video_input", random, activity,
                VideoShape{device.camera_width, device.camera_height, random.between(10, 30)});
  }
  if (others_camera_on) {
    write_video(writer, "video_output", random, activity,
                VideoShape{640, 360, random.between(10, 30)});
  }
  const VideoShape screen{1920, 1080, random.between(2, 15)};
  write_video(writer, "as_input", random, activity,
              presenting && *presenting ? std::optional(screen) : std::nullopt);
  write_video(writer, "as_output", random, activity,
              presenting && !*presenting ? std::optional(screen) : std::nullopt);

  const int zoom_avg = random.between(5, 40);
  writer.Key("cpu_usage");
  writer.StartObject();
  write_field(writer, "zoom_min_cpu_usage", formatted("%d%%", zoom_avg / 2));
  write_field(writer, "zoom_avg_cpu_usage", formatted("%d%%", zoom_avg));
  write_field(writer, "zoom_max_cpu_usage", formatted("%d%%", std::min(100, zoom_avg * 2)));
  write_field(writer, "system_max_cpu_usage", formatted("%d%%", std::min(100, zoom_avg + 30)));
  writer.EndObject();
  if (on_wifi) {
    writer.Key("wifi_rssi");
    writer.StartObject();
    writer.Key("max_rssi");
    writer.Int(-45);
    writer.Key("avg_rssi");
    writer.Int(-52);
    writer.Key("min_rssi");
    writer.Int(-61);
    write_field(writer, "rssi_unit", "dBm");
    writer.EndObject();
  }
  writer.EndObject();
}

std::string random_hex(Random& random, int bytes, std::string_view separator) {
  std::string text;
  for (int i = 0; i < bytes; ++i) {
    if (i > 0) text += separator;
    text += formatted("%02x", static_cast<unsigned>(random.below(256)));
  }
  return text;
}

std::string display_name(Random& random) {
  if (random.chance(0.05)) return std::string(random.pick(kUnusualNames));
  return std::string(random.pick(kFirstNames)) + " " + std::string(random.pick(kLastNames));
}

void write_participant(JsonWriter& writer, Random& random, const MeetingActivity& activity,
                       std::size_t seat, std::optional<std::size_t> sharer_seat) {
  const Device& device = random.pick(kDevices);
  const Location& location = random.pick(kLocations);
  const bool on_wifi = random.chance(0.4);
  const bool camera_on = random.chance(activity.camera_on_chance);
  const bool others_camera_on = random.chance(activity.camera_on_chance > 0.99 ? 1.0 : 0.95);
  std::optional<bool> presenting;
  if (sharer_seat) presenting = *sharer_seat == seat;

  writer.StartObject();
  write_field(writer, "user_id", std::to_string(kFirstUserId + kUserIdStep * seat));
  if (random.chance(0.7)) write_field(writer, "id", random_hex(random, 11, ""));
  write_field(writer, "user_name", display_name(random));
  write_field(writer, "device", device.name);
  write_field(writer, "ip_address",
              std::string(location.ip_prefix) + std::to_string(random.between(1, 254)));
  write_field(writer, "location", location.name);
  write_field(writer, "join_time",
              formatted("2026-11-22T10:%02d:%02dZ", random.between(0, 39), random.between(0, 59)));
  write_field(writer, "leave_time", "");
  write_field(writer, "pc_name", device.pc_name);
  write_field(writer, "domain", "corp.example.com");
  write_field(writer, "mac_addr", random_hex(random, 6, ":"));
  write_field(writer, "harddisk_id", random.chance(0.5) ? random_hex(random, 8, "") : "");
  write_field(writer, "version", device.version);
  writer.Key("internal_ip_addresses");
  writer.StartArray();
  const std::string internal_ip = "192.168.1." + std::to_string(random.between(2, 250));
  writer.String(internal_ip.c_str());
  writer.EndArray();
  writer.Key("user_qos");
  writer.StartArray();
  for (const std::string_view time : kSnapshotTimes) {
    write_snapshot(writer, random, activity, time, device, camera_on, others_camera_on, presenting,
                   on_wifi);
  }
  writer.EndArray();
  writer.EndObject();
}

// One reply of GET /metrics/meetings/{id}/participants/qos: the seats [first_seat, end_seat).
std::string participants_page_json(Random& random, const MeetingActivity& activity,
                                   std::size_t first_seat, std::size_t end_seat,
                                   std::size_t meeting_size,
                                   std::optional<std::size_t> sharer_seat) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  write_field(writer, "from", "2026-11-22");
  write_field(writer, "to", "2026-11-22");
  writer.Key("page_count");
  writer.Uint64((meeting_size + kPageSize - 1) / kPageSize);
  writer.Key("page_size");
  writer.Uint64(kPageSize);
  writer.Key("total_records");
  writer.Uint64(meeting_size);
  write_field(writer, "next_page_token",
              end_seat < meeting_size ? random_hex(random, 16, "") : std::string());
  writer.Key("participants");
  writer.StartArray();
  for (std::size_t seat = first_seat; seat < end_seat; ++seat) {
    write_participant(writer, random, activity, seat, sharer_seat);
  }
  writer.EndArray();
  writer.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

std::vector<ParticipantQos> decode_or_die(std::string body) {
  auto decoded = zqe::zoom::decode_participants_page(body);
  // A generated page that Zoom could not have sent would measure the error paths instead.
  if (!decoded.value) {
    std::fprintf(stderr, "generated page does not decode: %s\n", decoded.error.c_str());
    std::abort();
  }
  if (!decoded.value->parse_errors.empty()) {
    std::fprintf(stderr, "generated page has a bad value in %s\n",
                 decoded.value->parse_errors.begin()->first.c_str());
    std::abort();
  }
  return std::move(decoded.value->participants);
}

// A live meeting of `size` participants, decoded from Zoom-shaped pages like the poller's.
MeetingSnapshot make_meeting(Random& random, std::uint64_t meeting_id, std::size_t size,
                             const MeetingActivity& activity) {
  MeetingSnapshot snapshot;
  snapshot.meeting.id = meeting_id;
  snapshot.meeting.uuid = random_hex(random, 11, "") + "Zw==";
  snapshot.meeting.topic = std::string(random.pick(kTopics));
  snapshot.meeting.host = display_name(random);
  snapshot.meeting.start_timestamp_seconds =
      kLatestSnapshotUnixSeconds - static_cast<double>(random.between(120, 3600));
  snapshot.meeting.participants = static_cast<double>(size);

  std::optional<std::size_t> sharer_seat;
  if (random.chance(activity.sharing_chance)) sharer_seat = random.below(size);
  for (std::size_t first = 0; first < size; first += kPageSize) {
    const std::size_t end = std::min(size, first + kPageSize);
    std::vector<ParticipantQos> page =
        decode_or_die(participants_page_json(random, activity, first, end, size, sharer_seat));
    std::move(page.begin(), page.end(), std::back_inserter(snapshot.participants));
  }
  return snapshot;
}

std::size_t count_samples(std::string_view exposition) {
  std::size_t samples = 0;
  std::size_t line_start = 0;
  while (line_start < exposition.size()) {
    std::size_t line_end = exposition.find('\n', line_start);
    if (line_end == std::string_view::npos) line_end = exposition.size();
    if (line_end > line_start && exposition[line_start] != '#') ++samples;
    line_start = line_end + 1;
  }
  return samples;
}

// ---------------------------------------------------------------------------------------------
// 1. Unit strings

enum class ValueKind { bitrate, duration, percentage, frame_rate, resolution };

struct UnitString {
  std::string_view text;
  ValueKind kind;
};

double parse_unit_string(const UnitString& value) {
  switch (value.kind) {
    case ValueKind::bitrate:
      return zqe::qos::parse_quantity(value.text, Quantity::bitrate).value;
    case ValueKind::duration:
      return zqe::qos::parse_quantity(value.text, Quantity::duration).value;
    case ValueKind::percentage:
      return zqe::qos::parse_quantity(value.text, Quantity::percentage).value;
    case ValueKind::frame_rate:
      return zqe::qos::parse_quantity(value.text, Quantity::frame_rate).value;
    case ValueKind::resolution:
      return zqe::qos::parse_resolution(value.text).width;
  }
  return 0;
}

// Every value string of one snapshot, in Zoom's order: camera on both ways, receiving a screen
// share, so the idle as_input is all "" but for "0*0".
constexpr UnitString kSnapshotValues[] = {
    {"23 kbps", ValueKind::bitrate},
    {"126 ms", ValueKind::duration},
    {"6 ms", ValueKind::duration},
    {"0.3%", ValueKind::percentage},
    {"1.9%", ValueKind::percentage},
    {"63 kbps", ValueKind::bitrate},
    {"134 ms", ValueKind::duration},
    {"6 ms", ValueKind::duration},
    {"0.0%", ValueKind::percentage},
    {"0.0%", ValueKind::percentage},
    {"1055 kbps", ValueKind::bitrate},
    {"129 ms", ValueKind::duration},
    {"11 ms", ValueKind::duration},
    {"0.0%", ValueKind::percentage},
    {"4.9%", ValueKind::percentage},
    {"1280*720", ValueKind::resolution},
    {"12 fps", ValueKind::frame_rate},
    {"673 kbps", ValueKind::bitrate},
    {"135 ms", ValueKind::duration},
    {"11 ms", ValueKind::duration},
    {"0.0%", ValueKind::percentage},
    {"0.0%", ValueKind::percentage},
    {"640*360", ValueKind::resolution},
    {"22 fps", ValueKind::frame_rate},
    {"", ValueKind::bitrate},
    {"", ValueKind::duration},
    {"", ValueKind::duration},
    {"", ValueKind::percentage},
    {"", ValueKind::percentage},
    {"0*0", ValueKind::resolution},
    {"", ValueKind::frame_rate},
    {"1489 kbps", ValueKind::bitrate},
    {"141 ms", ValueKind::duration},
    {"9 ms", ValueKind::duration},
    {"0.1%", ValueKind::percentage},
    {"0.8%", ValueKind::percentage},
    {"1920*1080", ValueKind::resolution},
    {"8 fps", ValueKind::frame_rate},
    {"8%", ValueKind::percentage},
    {"12%", ValueKind::percentage},
    {"18%", ValueKind::percentage},
    {"40%", ValueKind::percentage},
};

void BM_parse_one_value(benchmark::State& state, UnitString value) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(value);
    benchmark::DoNotOptimize(parse_unit_string(value));
  }
  state.counters["per_value"] = time_per_item(1);
  state.counters["values"] = rate(1);
}

void BM_parse_snapshot_mix(benchmark::State& state) {
  for (auto _ : state) {
    for (const UnitString& value : kSnapshotValues) {
      benchmark::DoNotOptimize(parse_unit_string(value));
    }
  }
  state.counters["per_value"] = time_per_item(std::size(kSnapshotValues));
  state.counters["values"] = rate(std::size(kSnapshotValues));
}

// ---------------------------------------------------------------------------------------------
// 2. Page decoding

void BM_decode_participants_page(benchmark::State& state) {
  // Distinct pages, so that branch predictors cannot learn a single one.
  constexpr int kDistinctPages = 16;
  constexpr std::size_t kCopiesPerRefill = 256;
  Random random(2);
  std::vector<std::string> pages;
  std::size_t page_bytes = 0;
  for (int i = 0; i < kDistinctPages; ++i) {
    std::optional<std::size_t> sharer_seat;
    if (random.chance(kTypicalMeeting.sharing_chance)) sharer_seat = random.below(kPageSize);
    pages.push_back(
        participants_page_json(random, kTypicalMeeting, 0, kPageSize, 3 * kPageSize, sharer_seat));
    page_bytes += pages.back().size();
    decode_or_die(pages.back());
  }

  // Decoding parses in situ, so every decode needs a fresh copy; copying happens untimed in
  // batches, and the copies keep their capacity so refilling does not allocate.
  std::vector<std::string> copies(kCopiesPerRefill);
  std::size_t next_copy = copies.size();
  std::size_t participants = 0;
  for (auto _ : state) {
    if (next_copy == copies.size()) {
      state.PauseTiming();
      for (std::size_t i = 0; i < copies.size(); ++i) copies[i] = pages[i % pages.size()];
      next_copy = 0;
      state.ResumeTiming();
    }
    auto decoded = zqe::zoom::decode_participants_page(copies[next_copy++]);
    if (!decoded.value) {
      state.SkipWithError("page did not decode");
      break;
    }
    participants += decoded.value->participants.size();
    benchmark::DoNotOptimize(decoded);
  }
  const double mean_page_bytes = static_cast<double>(page_bytes) / kDistinctPages;
  state.counters["participants"] =
      benchmark::Counter(static_cast<double>(participants), benchmark::Counter::kIsRate);
  state.counters["bytes"] = rate(mean_page_bytes);
  state.counters["page_bytes"] = mean_page_bytes;
}

// ---------------------------------------------------------------------------------------------
// 3. Rendering

// A meeting's series: its rendering's, and its three meeting families.
std::size_t series_of(const MeetingSnapshot& snapshot) {
  static const zqe::metrics::QosRenderer renderer{RenderOptions{}};
  const zqe::metrics::RenderedMeeting rendered = renderer.render_text(snapshot);
  return rendered.participant_series + rendered.meeting_series +
         zqe::metrics::meeting_family_series(snapshot.meeting);
}

// Our exposition read back: each family's name and help, and each series' labels and value.
// prometheus-cpp is then filled from it, so that it holds exactly the series we render, whatever
// families the renderer gains, without a second copy of the renderer's tables here.
struct ParsedFamily {
  std::string name;
  std::string help;
  std::vector<std::pair<prometheus::Labels, double>> series;
};

std::string unescaped(std::string_view text) {
  std::string out;
  for (std::size_t index = 0; index < text.size(); ++index) {
    if (text[index] == '\\' && index + 1 < text.size()) {
      ++index;
      out += text[index] == 'n' ? '\n' : text[index];
    } else {
      out += text[index];
    }
  }
  return out;
}

std::vector<ParsedFamily> parse_exposition(std::string_view text) {
  std::vector<ParsedFamily> families;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (line.starts_with("# HELP ")) {
      line.remove_prefix(7);
      const std::size_t space = line.find(' ');
      families.push_back(
          {std::string(line.substr(0, space)), unescaped(line.substr(space + 1)), {}});
      continue;
    }
    if (line.empty() || line.starts_with('#')) continue;
    prometheus::Labels labels;
    const std::size_t value_at = line.rfind(' ');
    if (const std::size_t brace = line.find('{'); brace != std::string_view::npos) {
      std::string_view rest = line.substr(brace + 1, line.rfind('}') - brace - 1);
      while (!rest.empty()) {
        const std::size_t equals = rest.find('=');
        std::size_t close = equals + 2;  // past the opening quote
        while (rest[close] != '"') close += rest[close] == '\\' ? 2 : 1;
        labels.emplace(std::string(rest.substr(0, equals)),
                       unescaped(rest.substr(equals + 2, close - equals - 2)));
        rest.remove_prefix(std::min(rest.size(), close + 2));  // the quote and the comma
      }
    }
    families.back().series.emplace_back(std::move(labels),
                                        std::stod(std::string(line.substr(value_at + 1))));
  }
  return families;
}

// The same series in a prometheus-cpp registry, as an exporter built on it would hold them.
std::unique_ptr<prometheus::Registry> fill_registry(const std::vector<ParsedFamily>& families) {
  auto registry = std::make_unique<prometheus::Registry>();
  for (const ParsedFamily& parsed : families) {
    auto& family = prometheus::BuildGauge().Name(parsed.name).Help(parsed.help).Register(*registry);
    for (const auto& [labels, value] : parsed.series) family.Add(labels).Set(value);
  }
  return registry;
}

std::string prometheus_cpp_render(const prometheus::Registry& registry) {
  return prometheus::TextSerializer().Serialize(registry.Collect());
}

// Live meetings with at least `target_series` QoS series between them, and their renderings.
struct RenderCorpus {
  std::size_t target_series = 0;
  std::vector<MeetingSnapshot> meetings;
  std::vector<const MeetingSnapshot*> meeting_views;  // what render_qos takes
  RenderOptions options;
  std::string exposition;                          // render_qos's output
  std::size_t series = 0;                          // sample lines of `exposition`
  std::unique_ptr<prometheus::Registry> registry;  // made on first use: it is the costly part
  std::vector<ParsedFamily> parsed;                // `exposition` read back, with `registry`
  std::size_t prometheus_cpp_bytes = 0;
  std::size_t prometheus_cpp_series = 0;
  // Every meeting rendered with its gzip segments, as the daemon holds them.
  std::vector<zqe::metrics::ExportedMeeting> rendered;
  std::string meeting_families;
};

// Benchmarks of one size run back to back and share one corpus; only one is kept, because at a
// million series the process peaks at 1.4 GB, most of it the prometheus-cpp registry.
RenderCorpus& render_corpus(std::size_t target_series) {
  static std::unique_ptr<RenderCorpus> corpus;
  if (corpus && corpus->target_series == target_series) return *corpus;
  corpus.reset();
  corpus = std::make_unique<RenderCorpus>();
  corpus->target_series = target_series;

  Random random(target_series);
  constexpr std::uint64_t kFirstMeetingId = 81'234'567'890;
  std::size_t series = 1;  // zoom_live_meetings
  while (series < target_series) {
    // Sizes around 10, so that a meeting is usually one page, sometimes two.
    const auto size = static_cast<std::size_t>(random.between(4, 16));
    const std::uint64_t id = kFirstMeetingId + 7919 * corpus->meetings.size();
    corpus->meetings.push_back(make_meeting(random, id, size, kBusyMeeting));
    series += series_of(corpus->meetings.back());
  }
  for (const MeetingSnapshot& meeting : corpus->meetings) {
    corpus->meeting_views.push_back(&meeting);
  }
  corpus->exposition = zqe::metrics::render_qos(corpus->meeting_views, corpus->options);
  corpus->series = count_samples(corpus->exposition);
  const zqe::metrics::QosRenderer renderer(corpus->options);
  std::vector<zqe::metrics::ListedMeeting> listed;
  for (const MeetingSnapshot& meeting : corpus->meetings) {
    corpus->rendered.push_back({renderer.render(meeting), true});
    listed.push_back({&meeting.meeting, {}});
  }
  corpus->meeting_families =
      zqe::metrics::render_meeting_families(listed, corpus->options.meeting_info_labels);
  return *corpus;
}

const prometheus::Registry& corpus_registry(RenderCorpus& corpus) {
  if (!corpus.registry) {
    corpus.parsed = parse_exposition(corpus.exposition);
    corpus.registry = fill_registry(corpus.parsed);
    const std::string exposition = prometheus_cpp_render(*corpus.registry);
    corpus.prometheus_cpp_bytes = exposition.size();
    corpus.prometheus_cpp_series = count_samples(exposition);
  }
  return *corpus.registry;
}

void report_render(benchmark::State& state, std::size_t series, std::size_t bytes) {
  state.counters["series"] = static_cast<double>(series);
  state.counters["output_bytes"] = static_cast<double>(bytes);
  state.counters["bytes"] = rate(static_cast<double>(bytes));
  state.counters["per_series"] = time_per_item(static_cast<double>(series));
}

// The text of the whole exposition, in the pieces the daemon serves it from: every meeting's
// participant series and the meeting families. Comparable with prometheus-cpp's serializer.
void BM_render_text(benchmark::State& state) {
  const RenderCorpus& corpus = render_corpus(static_cast<std::size_t>(state.range(0)));
  const zqe::metrics::QosRenderer renderer(corpus.options);
  std::vector<zqe::metrics::ListedMeeting> listed;
  for (const MeetingSnapshot& meeting : corpus.meetings) listed.push_back({&meeting.meeting, {}});
  for (auto _ : state) {
    for (const MeetingSnapshot& meeting : corpus.meetings) {
      zqe::metrics::RenderedMeeting rendered = renderer.render_text(meeting);
      benchmark::DoNotOptimize(rendered);
    }
    std::string meeting_families =
        zqe::metrics::render_meeting_families(listed, corpus.options.meeting_info_labels);
    benchmark::DoNotOptimize(meeting_families);
  }
  report_render(state, corpus.series, corpus.exposition.size());
}

// What refreshing every meeting once costs the daemon in rendering: the text and its gzip
// segments (QosRenderer::render), which every QoS refresh pays for its meeting.
void BM_render_with_gzip(benchmark::State& state) {
  const RenderCorpus& corpus = render_corpus(static_cast<std::size_t>(state.range(0)));
  const zqe::metrics::QosRenderer renderer(corpus.options);
  for (auto _ : state) {
    for (const MeetingSnapshot& meeting : corpus.meetings) {
      auto rendered = renderer.render(meeting);
      benchmark::DoNotOptimize(rendered);
    }
  }
  report_render(state, corpus.series, corpus.exposition.size());
  std::size_t gzip_bytes = 0;
  for (const auto& exported : corpus.rendered) gzip_bytes += exported.rendered->segments.size();
  state.counters["gzip_bytes"] = static_cast<double>(gzip_bytes);
}

void BM_prometheus_cpp_serialize(benchmark::State& state) {
  RenderCorpus& corpus = render_corpus(static_cast<std::size_t>(state.range(0)));
  const prometheus::Registry& registry = corpus_registry(corpus);
  if (corpus.prometheus_cpp_series != corpus.series) {
    state.SkipWithError("prometheus-cpp holds a different number of series than render_qos wrote");
    return;
  }
  for (auto _ : state) {
    std::string exposition = prometheus_cpp_render(registry);
    benchmark::DoNotOptimize(exposition);
  }
  report_render(state, corpus.prometheus_cpp_series, corpus.prometheus_cpp_bytes);
}

// Not what the comparison is about, but what a poll would cost an exporter on prometheus-cpp
// that rebuilt its registry from the new snapshots (Family::Add and Gauge::Set per series).
void BM_prometheus_cpp_fill(benchmark::State& state) {
  RenderCorpus& corpus = render_corpus(static_cast<std::size_t>(state.range(0)));
  corpus_registry(corpus);  // reads the exposition back, untimed
  for (auto _ : state) {
    std::unique_ptr<prometheus::Registry> registry = fill_registry(corpus.parsed);
    benchmark::DoNotOptimize(registry);
    state.PauseTiming();  // freeing a million gauges is not part of filling them
    registry.reset();
    state.ResumeTiming();
  }
  state.counters["series"] = static_cast<double>(corpus.series);
  state.counters["per_series"] = time_per_item(static_cast<double>(corpus.series));
}

// ---------------------------------------------------------------------------------------------
// ExpositionCache

// Publishing: stringing the rendered meetings together (no rendering, no compression).
void BM_exposition_cache_update(benchmark::State& state) {
  const RenderCorpus& corpus = render_corpus(static_cast<std::size_t>(state.range(0)));
  zqe::metrics::ExpositionCache cache;
  for (auto _ : state) {
    state.PauseTiming();
    std::string meeting_families = corpus.meeting_families;
    state.ResumeTiming();
    cache.update(corpus.rendered, std::move(meeting_families));
  }
  state.counters["series"] = static_cast<double>(corpus.series);
  state.counters["meetings"] = static_cast<double>(corpus.meetings.size());
  state.counters["plain_bytes"] = static_cast<double>(cache.plain_size());
  state.counters["gzip_bytes"] = static_cast<double>(cache.gzip_body("").size());
}

// What is rendered at every scrape next to the cached QoS text: the exporter's own metrics and
// the age of each meeting's data.
std::string per_scrape_text(const RenderCorpus& corpus) {
  zqe::metrics::ExporterMetrics registry;
  zqe::metrics::AccountMetrics metrics(registry, "");
  namespace endpoint = zqe::metrics::endpoint;
  for (int i = 0; i < 50; ++i) {
    metrics.count_request(endpoint::participants_qos, "200", 0.18);
    metrics.count_request(endpoint::list_meetings, "200", 0.25);
  }
  metrics.count_request(endpoint::participants_qos, "429", 0.05);
  metrics.count_request(endpoint::oauth_token, "200", 0.3);
  metrics.count_parse_error("audio_input.latency");
  metrics.count_token_refresh(true);
  metrics.count_poll(true);
  metrics.set_up(true);
  metrics.set_scheduler_state(12000, 40000, static_cast<double>(corpus.meetings.size()), 3);
  metrics.set_poll_duration(4.2);
  metrics.set_last_poll_success(kLatestSnapshotUnixSeconds);
  std::vector<zqe::metrics::MeetingQosAge> ages;
  for (const MeetingSnapshot& meeting : corpus.meetings) {
    ages.push_back({{}, meeting.meeting.id, 12.5});
  }
  return registry.render() + zqe::metrics::render_qos_ages(ages);
}

void BM_exposition_cache_gzip_body(benchmark::State& state) {
  const RenderCorpus& corpus = render_corpus(static_cast<std::size_t>(state.range(0)));
  zqe::metrics::ExpositionCache cache;
  cache.update(corpus.rendered, corpus.meeting_families);
  const std::string per_scrape = per_scrape_text(corpus);
  for (auto _ : state) {
    zqe::metrics::ScrapeBody body = cache.gzip_body(per_scrape);
    benchmark::DoNotOptimize(body);
  }
  state.counters["series"] = static_cast<double>(corpus.series);
  state.counters["per_scrape_bytes"] = static_cast<double>(per_scrape.size());
  state.counters["scrapes"] = rate(1);
}

void register_benchmarks() {
  const std::pair<const char*, UnitString> kSingleValues[] = {
      {"parse_quantity/duration \"126 ms\"", {"126 ms", ValueKind::duration}},
      {"parse_quantity/bitrate \"23 kbps\"", {"23 kbps", ValueKind::bitrate}},
      {"parse_quantity/percentage \"0.3%\"", {"0.3%", ValueKind::percentage}},
      {"parse_quantity/frame_rate \"12 fps\"", {"12 fps", ValueKind::frame_rate}},
      {"parse_resolution \"1280*720\"", {"1280*720", ValueKind::resolution}},
  };
  for (const auto& [name, value] : kSingleValues) {
    benchmark::RegisterBenchmark(name, BM_parse_one_value, value);
  }
  benchmark::RegisterBenchmark("parse/snapshot mix (42 values)", BM_parse_snapshot_mix);

  benchmark::RegisterBenchmark("decode_participants_page/10 participants",
                               BM_decode_participants_page)
      ->Unit(benchmark::kMicrosecond);

  // One size at a time, so that a size's corpus is built once and freed before the next.
  constexpr std::int64_t kCacheSeries = 100'000;
  for (const std::int64_t series : {10'000, 100'000, 1'000'000}) {
    benchmark::RegisterBenchmark("render/text (QosRenderer::render_text)", BM_render_text)
        ->Arg(series)
        ->ArgName("series")
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("render/prometheus-cpp Collect+Serialize",
                                 BM_prometheus_cpp_serialize)
        ->Arg(series)
        ->ArgName("series")
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("render/prometheus-cpp fill registry", BM_prometheus_cpp_fill)
        ->Arg(series)
        ->ArgName("series")
        ->Unit(benchmark::kMillisecond);
    if (series == kCacheSeries) {
      benchmark::RegisterBenchmark("render/text and gzip segments (QosRenderer::render)",
                                   BM_render_with_gzip)
          ->Arg(series)
          ->ArgName("series")
          ->Unit(benchmark::kMillisecond);
      benchmark::RegisterBenchmark("ExpositionCache::update (assemble)", BM_exposition_cache_update)
          ->Arg(series)
          ->ArgName("series")
          ->Unit(benchmark::kMillisecond);
      benchmark::RegisterBenchmark("ExpositionCache::gzip_body per scrape",
                                   BM_exposition_cache_gzip_body)
          ->Arg(series)
          ->ArgName("series")
          ->Unit(benchmark::kMicrosecond);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  register_benchmarks();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
