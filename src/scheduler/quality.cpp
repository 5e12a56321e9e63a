#include "scheduler/quality.hpp"

#include <algorithm>

namespace zqe::scheduler {
namespace {

constexpr double kNoticeableLatencySeconds = 0.3;
constexpr double kNoticeableJitterSeconds = 0.05;
constexpr double kNoticeableLossRatio = 0.05;

}  // namespace

double quality_badness(const std::vector<qos::ParticipantQos>& participants) {
  double worst = 0;
  for (const auto& participant : participants) {
    for (std::size_t i = 0; i < qos::kStreamKinds.size(); ++i) {
      if (qos::kStreamKinds[i].media == qos::Media::screen_share) continue;
      const auto& stream = participant.streams[i];
      worst = std::max({worst, stream.latency_seconds.value_or(0) / kNoticeableLatencySeconds,
                        stream.jitter_seconds.value_or(0) / kNoticeableJitterSeconds,
                        stream.avg_loss_ratio.value_or(0) / kNoticeableLossRatio});
    }
  }
  return std::min(worst, 1.0);
}

}  // namespace zqe::scheduler
