#pragma once

#include <array>
#include <cstddef>
#include <limits>
#include <optional>
#include <string_view>
#include <vector>

#include "qos/audio_quality.hpp"
#include "qos/participant_qos.hpp"

// What a meeting's participants add up to, for the meeting and account series: summaries that
// merge, so that an account's totals are the merge of its meetings' without keeping their
// participants.
namespace zqe::qos {

// Count, sum, minimum and maximum of some values: enough for their mean, and mergeable.
struct Summary {
  std::size_t count = 0;
  double sum = 0;
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();

  void add(double value);
  void merge(const Summary& other);
  double mean() const { return sum / static_cast<double>(count); }  // count > 0
};

// The nearest-rank percentile (`fraction` in (0, 1]): the smallest value that at least that
// fraction of the values are at or below, so always one of them. Reorders `values`; empty when
// there are none.
std::optional<double> nearest_rank_percentile(std::vector<double>& values, double fraction);

// The stream values the meeting and account series aggregate.
struct AggregatedMetric {
  std::string_view name;  // of the meeting family without the zoom_meeting_ prefix
  std::optional<double> StreamQos::*value;
};

inline constexpr std::array<AggregatedMetric, 3> kAggregatedMetrics{{
    {"latency_seconds", &StreamQos::latency_seconds},
    {"jitter_seconds", &StreamQos::jitter_seconds},
    {"avg_loss_ratio", &StreamQos::avg_loss_ratio},
}};

inline constexpr std::array<Direction, 2> kDirections{Direction::input, Direction::output};

struct QosTotals {
  std::size_t participants = 0;  // with a QoS snapshot
  // [stream, indexed like kStreamKinds][metric, indexed like kAggregatedMetrics]
  std::array<std::array<Summary, kAggregatedMetrics.size()>, kStreamKinds.size()> streams{};
  std::array<Summary, kDirections.size()> audio_mos{};  // indexed like kDirections
  // [direction][class, indexed like kQualityClasses]: participants whose audio is in that class
  std::array<std::array<std::size_t, kQualityClasses.size()>, kDirections.size()> quality{};

  void merge(const QosTotals& other);
};

// A meeting's totals and the p90 of each stream value over its participants.
struct MeetingAggregates {
  QosTotals totals;
  // [stream][metric], empty where no participant has the value
  std::array<std::array<std::optional<double>, kAggregatedMetrics.size()>, kStreamKinds.size()>
      p90{};
};

MeetingAggregates aggregate(const std::vector<ParticipantQos>& participants,
                            const QualityThresholds& thresholds);

}  // namespace zqe::qos
