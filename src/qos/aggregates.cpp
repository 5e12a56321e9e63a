#include "qos/aggregates.hpp"

#include <algorithm>
#include <cmath>

namespace zqe::qos {

void Summary::add(double value) {
  ++count;
  sum += value;
  min = std::min(min, value);
  max = std::max(max, value);
}

void Summary::merge(const Summary& other) {
  count += other.count;
  sum += other.sum;
  min = std::min(min, other.min);
  max = std::max(max, other.max);
}

std::optional<double> nearest_rank_percentile(std::vector<double>& values, double fraction) {
  if (values.empty()) return std::nullopt;
  const auto rank =
      static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(values.size())));
  const auto nth = values.begin() +
                   static_cast<std::ptrdiff_t>(std::clamp<std::size_t>(rank, 1, values.size()) - 1);
  std::nth_element(values.begin(), nth, values.end());
  return *nth;
}

void QosTotals::merge(const QosTotals& other) {
  participants += other.participants;
  for (std::size_t stream = 0; stream < streams.size(); ++stream) {
    for (std::size_t metric = 0; metric < kAggregatedMetrics.size(); ++metric) {
      streams[stream][metric].merge(other.streams[stream][metric]);
    }
  }
  for (std::size_t direction = 0; direction < kDirections.size(); ++direction) {
    audio_mos[direction].merge(other.audio_mos[direction]);
    for (std::size_t quality_index = 0; quality_index < kQualityClasses.size(); ++quality_index) {
      quality[direction][quality_index] += other.quality[direction][quality_index];
    }
  }
}

namespace {

std::size_t direction_index(Direction direction) {
  return direction == Direction::input ? 0 : 1;
}

std::size_t class_index(QualityClass quality) {
  return static_cast<std::size_t>(
      std::find(kQualityClasses.begin(), kQualityClasses.end(), quality) - kQualityClasses.begin());
}

}  // namespace

MeetingAggregates aggregate(const std::vector<ParticipantQos>& participants,
                            const QualityThresholds& thresholds) {
  MeetingAggregates result;
  QosTotals& totals = result.totals;
  totals.participants = participants.size();
  std::vector<double> values;
  values.reserve(participants.size());
  for (std::size_t stream = 0; stream < kStreamKinds.size(); ++stream) {
    for (std::size_t metric = 0; metric < kAggregatedMetrics.size(); ++metric) {
      values.clear();
      for (const ParticipantQos& participant : participants) {
        const std::optional<double>& value =
            participant.streams[stream].*kAggregatedMetrics[metric].value;
        if (!value || !std::isfinite(*value)) continue;
        values.push_back(*value);
        totals.streams[stream][metric].add(*value);
      }
      result.p90[stream][metric] = nearest_rank_percentile(values, 0.9);
    }
    if (kStreamKinds[stream].media != Media::audio) continue;
    const std::size_t direction = direction_index(kStreamKinds[stream].direction);
    for (const ParticipantQos& participant : participants) {
      const std::optional<double> mos = audio_mos(participant.streams[stream]);
      if (!mos) continue;
      totals.audio_mos[direction].add(*mos);
      ++totals.quality[direction][class_index(quality_class(*mos, thresholds))];
    }
  }
  return result;
}

}  // namespace zqe::qos
