#include "qos/audio_quality.hpp"

#include <algorithm>
#include <cmath>
#include <initializer_list>

namespace zqe::qos {
namespace {

// G.107's default R0 - Is: a perfect narrowband connection with no delay, loss or codec.
constexpr double kDefaultRating = 93.2;
// What a de-jitter buffer adds, in multiples of the jitter, and the codec's own packetisation
// delay (ms): the "effective latency" of the simplified model.
constexpr double kJitterBufferFactor = 2.0;
constexpr double kCodecDelayMs = 10.0;
// Cole & Rosenbluth's fit of G.107's delay impairment Id (ms).
constexpr double kDelaySlope = 0.024;
constexpr double kDelayKneeMs = 177.3;
constexpr double kDelaySlopeAboveKnee = 0.11;
// G.113 Appendix I, G.711 with packet loss concealment, random loss: Ie = 0, Bpl = 25.1. Zoom's
// Opus conceals loss at least as well, so this errs on the side of a lower score.
constexpr double kEquipmentImpairment = 0.0;
constexpr double kPacketLossRobustness = 25.1;

}  // namespace

double e_model_rating(double latency_seconds, double jitter_seconds, double loss_ratio) {
  // Negative values cannot come from a parsed reply; clamp rather than reward them.
  const double latency_ms = std::max(latency_seconds, 0.0) * 1000;
  const double jitter_ms = std::max(jitter_seconds, 0.0) * 1000;
  const double loss_percent = std::clamp(loss_ratio, 0.0, 1.0) * 100;

  const double delay_ms = latency_ms + kJitterBufferFactor * jitter_ms + kCodecDelayMs;
  double delay_impairment = kDelaySlope * delay_ms;
  if (delay_ms > kDelayKneeMs) delay_impairment += kDelaySlopeAboveKnee * (delay_ms - kDelayKneeMs);
  const double equipment_impairment =
      kEquipmentImpairment +
      (95 - kEquipmentImpairment) * loss_percent / (loss_percent + kPacketLossRobustness);
  return kDefaultRating - delay_impairment - equipment_impairment;
}

double mos_from_rating(double rating) {
  if (rating <= 0) return 1.0;
  if (rating >= 100) return 4.5;
  // The cubic dips just below 1 for R under about 6.5; G.107 means 1 there.
  return std::max(1.0, 1 + 0.035 * rating + 7e-6 * rating * (rating - 60) * (100 - rating));
}

std::optional<double> audio_mos(const StreamQos& audio) {
  for (const std::optional<double>& input :
       {audio.latency_seconds, audio.jitter_seconds, audio.avg_loss_ratio}) {
    if (!input || !std::isfinite(*input)) return {};
  }
  const double mos = mos_from_rating(
      e_model_rating(*audio.latency_seconds, *audio.jitter_seconds, *audio.avg_loss_ratio));
  // An estimate: more digits would be noise, and would change the series at every refresh.
  return std::round(mos * 1000) / 1000;
}

QualityClass quality_class(double mos, const QualityThresholds& thresholds) {
  if (mos >= thresholds.good_mos) return QualityClass::good;
  if (mos < thresholds.poor_mos) return QualityClass::poor;
  return QualityClass::fair;
}

}  // namespace zqe::qos
