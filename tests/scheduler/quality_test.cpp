#include "scheduler/quality.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <vector>

namespace zqe::scheduler {
namespace {

using qos::Direction;
using qos::Media;
using qos::ParticipantQos;
using qos::StreamQos;

std::size_t stream_index(Media media, Direction direction) {
  for (std::size_t index = 0; index < qos::kStreamKinds.size(); ++index) {
    if (qos::kStreamKinds[index].media == media &&
        qos::kStreamKinds[index].direction == direction) {
      return index;
    }
  }
  ADD_FAILURE() << "no such stream kind";
  return 0;
}

StreamQos& stream(ParticipantQos& participant, Media media, Direction direction) {
  return participant.streams[stream_index(media, direction)];
}

TEST(QualityBadness, NoParticipantsIsZero) {
  EXPECT_EQ(quality_badness({}), 0);
}

TEST(QualityBadness, NoDataIsZero) {
  // Zoom sends QoS only while media flows: absent values say nothing about quality.
  EXPECT_EQ(quality_badness({ParticipantQos{}, ParticipantQos{}}), 0);
}

TEST(QualityBadness, PerfectValuesAreZero) {
  ParticipantQos participant;
  StreamQos& audio = stream(participant, Media::audio, Direction::input);
  audio.latency_seconds = 0;
  audio.jitter_seconds = 0;
  audio.avg_loss_ratio = 0;
  EXPECT_EQ(quality_badness({participant}), 0);
}

TEST(QualityBadness, NoticeableThresholdsAreOne) {
  ParticipantQos latency;
  stream(latency, Media::audio, Direction::input).latency_seconds = 0.3;
  EXPECT_DOUBLE_EQ(quality_badness({latency}), 1);

  ParticipantQos jitter;
  stream(jitter, Media::video, Direction::output).jitter_seconds = 0.05;
  EXPECT_DOUBLE_EQ(quality_badness({jitter}), 1);

  ParticipantQos loss;
  stream(loss, Media::audio, Direction::output).avg_loss_ratio = 0.05;
  EXPECT_DOUBLE_EQ(quality_badness({loss}), 1);
}

TEST(QualityBadness, ProportionalBelowTheThresholds) {
  ParticipantQos latency;
  stream(latency, Media::audio, Direction::input).latency_seconds = 0.15;
  EXPECT_DOUBLE_EQ(quality_badness({latency}), 0.5);

  ParticipantQos jitter;
  stream(jitter, Media::video, Direction::input).jitter_seconds = 0.01;
  EXPECT_DOUBLE_EQ(quality_badness({jitter}), 0.2);

  ParticipantQos loss;
  stream(loss, Media::video, Direction::output).avg_loss_ratio = 0.04;
  EXPECT_DOUBLE_EQ(quality_badness({loss}), 0.8);
}

TEST(QualityBadness, CappedAtOne) {
  ParticipantQos participant;
  StreamQos& audio = stream(participant, Media::audio, Direction::output);
  audio.latency_seconds = 3;
  audio.jitter_seconds = 1;
  audio.avg_loss_ratio = 0.5;
  EXPECT_EQ(quality_badness({participant}), 1);
}

TEST(QualityBadness, TheWorstValueOfAnyoneCounts) {
  ParticipantQos fine;
  stream(fine, Media::audio, Direction::input).latency_seconds = 0.03;
  ParticipantQos shaky;
  StreamQos& video = stream(shaky, Media::video, Direction::output);
  video.latency_seconds = 0.06;  // 0.2 of noticeable
  video.jitter_seconds = 0.03;   // 0.6 of noticeable: the worst
  video.avg_loss_ratio = 0.01;   // 0.2 of noticeable
  EXPECT_DOUBLE_EQ(quality_badness({fine, shaky}), 0.6);
  EXPECT_DOUBLE_EQ(quality_badness({shaky, fine}), 0.6);
}

TEST(QualityBadness, ScreenShareIsIgnored) {
  // Screen share is bursty by nature; its latency says little about the call.
  ParticipantQos participant;
  for (Direction direction : {Direction::input, Direction::output}) {
    StreamQos& share = stream(participant, Media::screen_share, direction);
    share.latency_seconds = 2;
    share.jitter_seconds = 1;
    share.avg_loss_ratio = 0.5;
  }
  EXPECT_EQ(quality_badness({participant}), 0);

  stream(participant, Media::audio, Direction::input).avg_loss_ratio = 0.01;
  EXPECT_DOUBLE_EQ(quality_badness({participant}), 0.2);
}

TEST(QualityBadness, MaxLossIsNotUsed) {
  // Only average loss counts: one lost burst inside the sampling period is not what users notice.
  ParticipantQos participant;
  stream(participant, Media::audio, Direction::input).max_loss_ratio = 0.9;
  EXPECT_EQ(quality_badness({participant}), 0);
}

}  // namespace
}  // namespace zqe::scheduler
