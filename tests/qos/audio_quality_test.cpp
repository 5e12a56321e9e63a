#include "qos/audio_quality.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace zqe::qos {
namespace {

constexpr double kTolerance = 1e-9;

// Worked values, each as docs/audio-quality.md derives it.
TEST(EModel, APerfectNetworkRatesAsG107sBestNarrowbandCall) {
  // d = 0 + 2·0 + 10 = 10 ms; Id = 0.024·10 = 0.24; Ie,eff = 0; R = 93.2 − 0.24 = 92.96.
  EXPECT_NEAR(e_model_rating(0, 0, 0), 92.96, kTolerance);
  // MOS = 1 + 0.035·92.96 + 7·10⁻⁶·92.96·32.96·7.04
  EXPECT_NEAR(mos_from_rating(92.96), 4.404592027648, kTolerance);
}

TEST(EModel, AnOrdinaryHomeConnection) {
  // 100 ms, 20 ms jitter, 1 % loss: d = 150 ms, Id = 3.6, Ie,eff = 95·1/(1 + 25.1) = 3.63985.
  const double rating = e_model_rating(0.100, 0.020, 0.01);
  EXPECT_NEAR(rating, 93.2 - 3.6 - 95.0 / 26.1, kTolerance);
  EXPECT_NEAR(mos_from_rating(rating), 4.227918598593808, kTolerance);
}

TEST(EModel, DelayPastTheKneeCostsFiveTimesAsMuch) {
  // 300 ms, 30 ms jitter: d = 370 ms, Id = 0.024·370 + 0.11·(370 − 177.3) = 30.077.
  const double rating = e_model_rating(0.300, 0.030, 0);
  EXPECT_NEAR(rating, 63.123, kTolerance);
  EXPECT_NEAR(mos_from_rating(rating), 3.2601927487869315, kTolerance);
}

TEST(EModel, HeavyLoss) {
  // 20 % loss: Ie,eff = 95·20/(20 + 25.1) = 42.12860.
  const double rating = e_model_rating(0, 0, 0.20);
  EXPECT_NEAR(rating, 93.2 - 0.24 - 95 * 20 / 45.1, kTolerance);
  EXPECT_NEAR(mos_from_rating(rating), 2.618692699732926, kTolerance);
}

TEST(EModel, TheScoreStaysBetweenOneAndFourAndAHalf) {
  EXPECT_LT(e_model_rating(2.0, 0, 0), 0);
  EXPECT_EQ(mos_from_rating(e_model_rating(2.0, 0, 0)), 1.0);
  EXPECT_EQ(mos_from_rating(5), 1.0);  // the cubic alone would give 0.992
  EXPECT_EQ(mos_from_rating(100), 4.5);
  EXPECT_EQ(mos_from_rating(120), 4.5);
}

TEST(EModel, TheLossTermSaturates) {
  // Ie,eff tends to 95 only as loss grows without bound: all packets lost still leaves
  // R = 93.2 − 0.24 − 95·100/125.1 = 17.02, MOS 1.17.
  EXPECT_NEAR(e_model_rating(0, 0, 1.0), 93.2 - 0.24 - 9500 / 125.1, kTolerance);
  EXPECT_NEAR(mos_from_rating(e_model_rating(0, 0, 1.0)), 1.17081, 1e-5);
}

TEST(EModel, ImpossibleInputsScoreAsTheirBoundsNotBetter) {
  EXPECT_EQ(e_model_rating(-1, -1, -0.5), e_model_rating(0, 0, 0));
  EXPECT_EQ(e_model_rating(0, 0, 7), e_model_rating(0, 0, 1));
}

TEST(EModel, AnnexBsSatisfactionBoundaries) {
  EXPECT_NEAR(mos_from_rating(80), 4.024, kTolerance);
  EXPECT_NEAR(mos_from_rating(70), 3.597, kTolerance);
  EXPECT_NEAR(mos_from_rating(60), 3.1, kTolerance);
  EXPECT_NEAR(mos_from_rating(50), 2.575, kTolerance);
}

TEST(AudioMos, IsRoundedToThreeDecimals) {
  StreamQos audio;
  audio.latency_seconds = 0.1;
  audio.jitter_seconds = 0.02;
  audio.avg_loss_ratio = 0.01;
  EXPECT_EQ(audio_mos(audio), 4.228);  // 4.22792 unrounded
}

TEST(AudioMos, NeedsLatencyJitterAndLossAsFiniteNumbers) {
  StreamQos audio;
  audio.latency_seconds = 0.1;
  audio.jitter_seconds = 0.02;
  EXPECT_FALSE(audio_mos(audio));
  audio.avg_loss_ratio = 0.01;
  EXPECT_TRUE(audio_mos(audio));
  audio.jitter_seconds = std::numeric_limits<double>::quiet_NaN();
  EXPECT_FALSE(audio_mos(audio));
  audio.jitter_seconds = std::numeric_limits<double>::infinity();
  EXPECT_FALSE(audio_mos(audio));
  audio.jitter_seconds.reset();
  EXPECT_FALSE(audio_mos(audio));
}

TEST(QualityClass, ThresholdsSplitGoodFairAndPoor) {
  const QualityThresholds defaults;
  EXPECT_EQ(quality_class(4.4, defaults), QualityClass::good);
  EXPECT_EQ(quality_class(4.0, defaults), QualityClass::good);  // at the boundary: good
  EXPECT_EQ(quality_class(3.99, defaults), QualityClass::fair);
  EXPECT_EQ(quality_class(3.6, defaults), QualityClass::fair);
  EXPECT_EQ(quality_class(3.59, defaults), QualityClass::poor);
  EXPECT_EQ(quality_class(1.0, defaults), QualityClass::poor);
  EXPECT_EQ(quality_class(3.8, {.good_mos = 3.8, .poor_mos = 3.0}), QualityClass::good);
  EXPECT_EQ(quality_class_label(QualityClass::fair), "fair");
}

}  // namespace
}  // namespace zqe::qos
