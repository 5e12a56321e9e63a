#include "qos/aggregates.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace zqe::qos {
namespace {

constexpr std::size_t kAudioInput = 0;
constexpr std::size_t kVideoInput = 2;
constexpr std::size_t kLatency = 0;
constexpr std::size_t kJitter = 1;
constexpr std::size_t kLoss = 2;
constexpr std::size_t kInput = 0;
constexpr std::size_t kGood = 0;
constexpr std::size_t kFair = 1;
constexpr std::size_t kPoor = 2;

TEST(NearestRankPercentile, IsAlwaysOneOfTheValues) {
  std::vector<double> ten = {0.10, 0.03, 0.07, 0.01, 0.09, 0.05, 0.02, 0.08, 0.04, 0.06};
  EXPECT_EQ(nearest_rank_percentile(ten, 0.9), 0.09);  // rank ⌈0.9·10⌉ = 9
  std::vector<double> five = {0.3, 0.1, 0.2, 0.5, 0.4};
  EXPECT_EQ(nearest_rank_percentile(five, 0.9), 0.5);  // rank ⌈4.5⌉ = 5: the largest
  std::vector<double> one = {0.126};
  EXPECT_EQ(nearest_rank_percentile(one, 0.9), 0.126);
  std::vector<double> none;
  EXPECT_EQ(nearest_rank_percentile(none, 0.9), std::nullopt);
}

TEST(Summary, MergesAsIfTheValuesWereAddedTogether) {
  Summary first;
  first.add(0.1);
  first.add(0.3);
  Summary second;
  second.add(0.05);
  Summary empty;
  first.merge(second);
  first.merge(empty);
  EXPECT_EQ(first.count, 3u);
  EXPECT_DOUBLE_EQ(first.sum, 0.45);
  EXPECT_EQ(first.min, 0.05);
  EXPECT_EQ(first.max, 0.3);
  EXPECT_DOUBLE_EQ(first.mean(), 0.15);
}

// Five participants with audio whose scores docs/audio-quality.md's formula gives as 4.228,
// 3.260, 4.405, 2.619 and 3.698, and ten with video latency 10 ms to 100 ms.
std::vector<ParticipantQos> known_participants() {
  const double audio[5][3] = {
      {0.1, 0.02, 0.01}, {0.3, 0.03, 0}, {0, 0, 0}, {0, 0, 0.2}, {0.2, 0.02, 0.02}};
  std::vector<ParticipantQos> participants(10);
  for (std::size_t index = 0; index < participants.size(); ++index) {
    participants[index].participant_id = std::to_string(index);
    participants[index].streams[kVideoInput].latency_seconds =
        0.01 * static_cast<double>(index + 1);
    if (index < 5) {
      StreamQos& stream = participants[index].streams[kAudioInput];
      stream.latency_seconds = audio[index][0];
      stream.jitter_seconds = audio[index][1];
      stream.avg_loss_ratio = audio[index][2];
    }
  }
  return participants;
}

TEST(Aggregate, GivesMaxMeanAndP90OfEachStreamValue) {
  const MeetingAggregates result = aggregate(known_participants(), QualityThresholds{});
  const Summary& latency = result.totals.streams[kAudioInput][kLatency];
  EXPECT_EQ(latency.count, 5u);
  EXPECT_EQ(latency.max, 0.3);
  EXPECT_DOUBLE_EQ(latency.mean(), 0.12);
  EXPECT_EQ(result.p90[kAudioInput][kLatency], 0.3);
  EXPECT_EQ(result.totals.streams[kAudioInput][kJitter].max, 0.03);
  EXPECT_DOUBLE_EQ(result.totals.streams[kAudioInput][kJitter].mean(), 0.014);
  EXPECT_EQ(result.totals.streams[kAudioInput][kLoss].max, 0.2);
  EXPECT_DOUBLE_EQ(result.totals.streams[kAudioInput][kLoss].mean(), 0.046);

  const Summary& video = result.totals.streams[kVideoInput][kLatency];
  EXPECT_EQ(video.count, 10u);
  EXPECT_DOUBLE_EQ(video.max, 0.1);
  EXPECT_DOUBLE_EQ(video.mean(), 0.055);
  EXPECT_DOUBLE_EQ(*result.p90[kVideoInput][kLatency], 0.09);
  // Nobody sent video jitter: no summary, no p90.
  EXPECT_EQ(result.totals.streams[kVideoInput][kJitter].count, 0u);
  EXPECT_EQ(result.p90[kVideoInput][kJitter], std::nullopt);
  EXPECT_EQ(result.totals.participants, 10u);
}

TEST(Aggregate, ScoresAndClassesCountOnlyParticipantsWithAScore) {
  const MeetingAggregates result = aggregate(known_participants(), QualityThresholds{});
  const Summary& mos = result.totals.audio_mos[kInput];
  EXPECT_EQ(mos.count, 5u);
  EXPECT_EQ(mos.min, 2.619);
  EXPECT_DOUBLE_EQ(mos.mean(), (4.228 + 3.26 + 4.405 + 2.619 + 3.698) / 5);
  EXPECT_EQ(result.totals.quality[kInput][kGood], 2u);
  EXPECT_EQ(result.totals.quality[kInput][kFair], 1u);  // 3.698
  EXPECT_EQ(result.totals.quality[kInput][kPoor], 2u);  // 3.260 and 2.619
  EXPECT_EQ(result.totals.audio_mos[1].count, 0u);      // nobody's output has a score

  // The thresholds move the classes: from 3.2 up fair, from 4.3 up good.
  const MeetingAggregates strict = aggregate(known_participants(), QualityThresholds{4.3, 3.2});
  EXPECT_EQ(strict.totals.quality[kInput][kGood], 1u);
  EXPECT_EQ(strict.totals.quality[kInput][kFair], 3u);
  EXPECT_EQ(strict.totals.quality[kInput][kPoor], 1u);
}

TEST(QosTotals, AnAccountIsTheMergeOfItsMeetings) {
  const std::vector<ParticipantQos> participants = known_participants();
  const std::vector<ParticipantQos> first(participants.begin(), participants.begin() + 3);
  const std::vector<ParticipantQos> second(participants.begin() + 3, participants.end());
  QosTotals account = aggregate(first, QualityThresholds{}).totals;
  account.merge(aggregate(second, QualityThresholds{}).totals);
  const QosTotals whole = aggregate(participants, QualityThresholds{}).totals;
  EXPECT_EQ(account.participants, whole.participants);
  EXPECT_EQ(account.quality, whole.quality);
  EXPECT_EQ(account.audio_mos[kInput].min, whole.audio_mos[kInput].min);
  EXPECT_DOUBLE_EQ(account.audio_mos[kInput].sum, whole.audio_mos[kInput].sum);
  EXPECT_EQ(account.streams[kVideoInput][kLatency].max, whole.streams[kVideoInput][kLatency].max);
  EXPECT_DOUBLE_EQ(account.streams[kVideoInput][kLatency].sum,
                   whole.streams[kVideoInput][kLatency].sum);
}

}  // namespace
}  // namespace zqe::qos
