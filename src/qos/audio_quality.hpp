#pragma once

#include <array>
#include <optional>
#include <string_view>

#include "qos/participant_qos.hpp"

// How a participant would rate their audio: ITU-T G.107's E-model in the simplified form that
// VoIP monitors use, from the network figures Zoom reports. See docs/audio-quality.md for the
// formula, its sources and its limits.
namespace zqe::qos {

// The transmission rating R (0 to 100, higher is better; may fall below 0) for a one-way delay,
// jitter and average packet loss in base units (seconds, seconds, ratio 0..1).
double e_model_rating(double latency_seconds, double jitter_seconds, double loss_ratio);

// G.107 Annex B: the mean opinion score, 1 to 4.5, that the rating R predicts.
double mos_from_rating(double rating);

// The MOS of one audio stream, rounded to 3 decimals; empty unless Zoom sent its latency, jitter
// and average loss as finite numbers.
std::optional<double> audio_mos(const StreamQos& audio);

enum class QualityClass { good, fair, poor };

// good: MOS at least `good_mos`; poor: MOS below `poor_mos`; fair in between. The defaults are
// G.107's "satisfied" (R 80) and "many users dissatisfied" (R 70) boundaries, rounded.
struct QualityThresholds {
  double good_mos = 4.0;
  double poor_mos = 3.6;

  bool operator==(const QualityThresholds&) const = default;
};

inline constexpr std::array<QualityClass, 3> kQualityClasses{QualityClass::good, QualityClass::fair,
                                                             QualityClass::poor};

QualityClass quality_class(double mos, const QualityThresholds& thresholds);

constexpr std::string_view quality_class_label(QualityClass quality) {
  switch (quality) {
    case QualityClass::good:
      return "good";
    case QualityClass::fair:
      return "fair";
    case QualityClass::poor:
      return "poor";
  }
  return "";
}

}  // namespace zqe::qos
