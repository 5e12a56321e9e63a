#include "simulator/simulated_account.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iterator>
#include <map>
#include <set>
#include <stdexcept>
#include <string>

#include "simulator/load_profile.hpp"
#include "simulator/simulator_test_support.hpp"
#include "simulator/zoom_json.hpp"

namespace zqe::simulator {
namespace {

using namespace std::chrono_literals;
using test::simulator_config;
using test::test_start;

// The whole visible state: every meeting and every present participant, as JSON.
std::string account_json(const SimulatedAccount& account) {
  std::string json;
  for (std::size_t index = 0; index < account.meeting_count(); ++index) {
    json += test::to_json(account.meeting(index), &write_meeting) + "\n";
    json += test::all_participants_json(account, index);
  }
  for (std::size_t index = 0; index < account.meeting_count(MeetingKind::webinar); ++index) {
    json += test::to_json(account.meeting(index, MeetingKind::webinar), &write_webinar) + "\n";
    for (const ParticipantQos& participant :
         account.participants(index, 0, 100000, MeetingKind::webinar).participants) {
      json += test::to_json(participant, &write_participant) + "\n";
    }
  }
  return json;
}

std::set<std::uint64_t> live_ids(const SimulatedAccount& account) {
  std::set<std::uint64_t> ids;
  for (std::size_t index = 0; index < account.meeting_count(); ++index) {
    ids.insert(account.meeting_id(index));
  }
  return ids;
}

std::vector<ParticipantQos> all_participants(const SimulatedAccount& account) {
  std::vector<ParticipantQos> participants;
  for (std::size_t index = 0; index < account.meeting_count(); ++index) {
    ParticipantsPage page = account.participants(index, 0, 100000);
    std::move(page.participants.begin(), page.participants.end(), std::back_inserter(participants));
  }
  return participants;
}

TEST(SimulatedAccount, SameSeedAndTimeGiveTheSameState) {
  SimulatedAccount first(simulator_config(20, 8), test_start());
  SimulatedAccount second(simulator_config(20, 8), test_start());
  EXPECT_EQ(account_json(first), account_json(second));
  first.advance_to(test_start() + 37min);
  second.advance_to(test_start() + 37min);
  EXPECT_EQ(account_json(first), account_json(second));
}

TEST(SimulatedAccount, OtherSeedGivesOtherMeetings) {
  const SimulatedAccount first(simulator_config(20, 8, 1), test_start());
  const SimulatedAccount second(simulator_config(20, 8, 2), test_start());
  std::set<std::uint64_t> common;
  const std::set<std::uint64_t> first_ids = live_ids(first);
  const std::set<std::uint64_t> second_ids = live_ids(second);
  std::set_intersection(first_ids.begin(), first_ids.end(), second_ids.begin(), second_ids.end(),
                        std::inserter(common, common.begin()));
  EXPECT_TRUE(common.empty());
}

TEST(SimulatedAccount, StateDoesNotDependOnHowOftenItIsAsked) {
  SimulatedAccount polled(simulator_config(30, 6), test_start());
  SimulatedAccount jumped(simulator_config(30, 6), test_start());
  for (auto elapsed = 0s; elapsed <= 3h; elapsed += 7min + 13s) {
    polled.advance_to(test_start() + elapsed);
    account_json(polled);
  }
  polled.advance_to(test_start() + 3h);
  jumped.advance_to(test_start() + 3h);
  EXPECT_EQ(account_json(polled), account_json(jumped));
}

TEST(SimulatedAccount, TimeNeverGoesBack) {
  SimulatedAccount account(simulator_config(5, 3), test_start());
  account.advance_to(test_start() + 10min);
  const std::string later = account_json(account);
  account.advance_to(test_start() + 5min);
  EXPECT_EQ(account.now(), test_start() + 10min);
  EXPECT_EQ(account_json(account), later);
}

TEST(SimulatedAccount, MeetingsEndAndOthersStart) {
  SimulatedAccount account(simulator_config(50, 5), test_start());
  const std::set<std::uint64_t> before = live_ids(account);
  ASSERT_EQ(before.size(), 50u);

  account.advance_to(test_start() + 20min);
  const std::set<std::uint64_t> soon = live_ids(account);
  EXPECT_EQ(soon.size(), 50u);
  EXPECT_NE(soon, before);

  // No meeting lasts longer than 90 minutes: two hours later every meeting is a new one.
  account.advance_to(test_start() + 2h);
  const std::set<std::uint64_t> after = live_ids(account);
  EXPECT_EQ(after.size(), 50u);
  for (const std::uint64_t id : before) {
    EXPECT_FALSE(after.contains(id));
    EXPECT_FALSE(account.find_meeting(std::to_string(id)));
  }
}

TEST(SimulatedAccount, LiveMeetingsHaveStartedAndLastAtMostNinetyMinutes) {
  SimulatedAccount account(simulator_config(100, 4), test_start());
  account.advance_to(test_start() + 5h);
  for (std::size_t index = 0; index < account.meeting_count(); ++index) {
    const MeetingInfo meeting = account.meeting(index);
    EXPECT_LE(meeting.start_time, account.now());
    EXPECT_GE(meeting.duration, 0s);
    EXPECT_LT(meeting.duration, 90min);
  }
}

TEST(SimulatedAccount, IdsAndUuidsLookLikeZoomsAndFindTheirMeeting) {
  const SimulatedAccount account(simulator_config(300, 2), test_start());
  int uuids_needing_double_encoding = 0;
  for (std::size_t index = 0; index < account.meeting_count(); ++index) {
    const MeetingInfo meeting = account.meeting(index);
    EXPECT_EQ(std::to_string(meeting.id).size(), 11u);
    ASSERT_EQ(meeting.uuid.size(), 24u);
    EXPECT_TRUE(meeting.uuid.ends_with("=="));
    if (meeting.uuid.starts_with('/') || meeting.uuid.find("//") != std::string::npos) {
      ++uuids_needing_double_encoding;
    }
    EXPECT_EQ(account.find_meeting(std::to_string(meeting.id)), index);
    EXPECT_EQ(account.find_meeting(meeting.uuid), index);
  }
  EXPECT_GE(uuids_needing_double_encoding, 10);
  EXPECT_FALSE(account.find_meeting("12345678901"));
  EXPECT_FALSE(account.find_meeting("no-such-uuid"));
  EXPECT_FALSE(account.find_meeting(""));
}

TEST(SimulatedAccount, ParticipantCountsVaryAroundTheConfiguredMean) {
  SimulatedAccount account(simulator_config(400, 8), test_start());
  account.advance_to(test_start() + 1h);
  std::set<int> counts;
  double sum = 0;
  for (std::size_t index = 0; index < account.meeting_count(); ++index) {
    const MeetingInfo meeting = account.meeting(index);
    const ParticipantsPage page = account.participants(index, 0, 1000);
    EXPECT_EQ(static_cast<std::size_t>(meeting.participants), page.total);
    EXPECT_EQ(page.participants.size(), page.total);
    counts.insert(meeting.participants);
    sum += meeting.participants;
  }
  const double mean = sum / static_cast<double>(account.meeting_count());
  EXPECT_GT(mean, 8 * 0.75);
  EXPECT_LT(mean, 8 * 1.25);
  EXPECT_GE(counts.size(), 5u);
}

TEST(SimulatedAccount, ZeroParticipantsPerMeetingMeansEmptyMeetings) {
  const SimulatedAccount account(simulator_config(20, 0), test_start());
  for (std::size_t index = 0; index < account.meeting_count(); ++index) {
    EXPECT_EQ(account.meeting(index).participants, 0);
    EXPECT_FALSE(account.meeting(index).has_voip);
    const ParticipantsPage page = account.participants(index, 0, 10);
    EXPECT_EQ(page.total, 0u);
    EXPECT_TRUE(page.participants.empty());
    EXPECT_FALSE(page.next_seat);
  }
}

TEST(SimulatedAccount, ParticipantsJoinAndLeave) {
  SimulatedAccount account(simulator_config(50, 10), test_start());
  auto participant_keys = [&] {
    std::set<std::string> keys;
    for (std::size_t index = 0; index < account.meeting_count(); ++index) {
      for (const ParticipantQos& participant : account.participants(index, 0, 1000).participants) {
        keys.insert(std::to_string(account.meeting_id(index)) + "/" + participant.user_id);
      }
    }
    return keys;
  };
  const std::set<std::string> before = participant_keys();
  account.advance_to(test_start() + 3min);
  const std::set<std::string> after = participant_keys();
  std::size_t stayed = 0;
  for (const std::string& key : before) stayed += after.contains(key) ? 1 : 0;
  EXPECT_LT(stayed, before.size());  // some left
  EXPECT_LT(stayed, after.size());   // some joined
  EXPECT_GT(stayed, before.size() / 2);
}

TEST(SimulatedAccount, ParticipantPagesCoverEveryParticipantOnce) {
  SimulatedAccount account(simulator_config(10, 20), test_start());
  account.advance_to(test_start() + 30min);
  for (std::size_t index = 0; index < account.meeting_count(); ++index) {
    const ParticipantsPage whole = account.participants(index, 0, 1000);
    std::vector<std::string> paged;
    std::optional<std::size_t> seat = 0;
    while (seat) {
      const ParticipantsPage page = account.participants(index, *seat, 3);
      EXPECT_EQ(page.total, whole.total);
      EXPECT_LE(page.participants.size(), 3u);
      for (const ParticipantQos& participant : page.participants) {
        paged.push_back(participant.user_id);
      }
      seat = page.next_seat;
    }
    std::vector<std::string> expected;
    for (const ParticipantQos& participant : whole.participants) {
      expected.push_back(participant.user_id);
    }
    EXPECT_EQ(paged, expected);
    EXPECT_EQ(std::set<std::string>(paged.begin(), paged.end()).size(), paged.size());
  }
}

void expect_stream_in_bounds(const StreamQos& stream, int min_bitrate, int max_bitrate) {
  if (stream.bitrate_kbps) {
    EXPECT_GE(*stream.bitrate_kbps, min_bitrate);
    EXPECT_LE(*stream.bitrate_kbps, max_bitrate);
  }
  if (stream.latency_ms) {
    EXPECT_GE(*stream.latency_ms, 20);
    EXPECT_LE(*stream.latency_ms, 400);
  }
  if (stream.jitter_ms) {
    EXPECT_GE(*stream.jitter_ms, 1);
    EXPECT_LE(*stream.jitter_ms, 60);
  }
  if (stream.avg_loss_percent) {
    ASSERT_TRUE(stream.max_loss_percent);
    EXPECT_GE(*stream.avg_loss_percent, 0);
    EXPECT_LE(*stream.avg_loss_percent, *stream.max_loss_percent);
    EXPECT_LE(*stream.max_loss_percent, 10);
  }
}

TEST(SimulatedAccount, QosValuesStayWithinSaneBoundsAndSometimesHaveNoData) {
  SimulatedAccount account(simulator_config(60, 8), test_start());
  int snapshots = 0;
  int empty_streams = 0;
  int cameras_off = 0;
  int idle_shares = 0;
  int shares = 0;
  for (auto elapsed = 0min; elapsed <= 4h; elapsed += 17min) {
    account.advance_to(test_start() + elapsed);
    for (const ParticipantQos& participant : all_participants(account)) {
      ASSERT_LE(participant.user_qos.size(), 2u);
      for (const QosSnapshot& snapshot : participant.user_qos) {
        ++snapshots;
        EXPECT_GT(snapshot.date_time, participant.join_time);
        EXPECT_LE(snapshot.date_time, account.now());
        EXPECT_EQ(snapshot.date_time, std::chrono::floor<std::chrono::minutes>(snapshot.date_time));
        expect_stream_in_bounds(snapshot.audio_input, 20, 90);
        expect_stream_in_bounds(snapshot.audio_output, 20, 90);
        empty_streams += snapshot.audio_input.bitrate_kbps ? 0 : 1;
        if (snapshot.video_input) {
          expect_stream_in_bounds(*snapshot.video_input, 100, 2500);
          if (snapshot.video_input->frame_rate_fps) {
            EXPECT_GE(*snapshot.video_input->frame_rate_fps, 5);
            EXPECT_LE(*snapshot.video_input->frame_rate_fps, 30);
          }
        } else {
          ++cameras_off;
        }
        const bool sharing = snapshot.as_input.bitrate_kbps || snapshot.as_output.bitrate_kbps;
        (sharing ? shares : idle_shares) += 1;
        const CpuUsage& cpu = snapshot.cpu_usage;
        EXPECT_LE(cpu.zoom_min_percent, cpu.zoom_avg_percent);
        EXPECT_LE(cpu.zoom_avg_percent, cpu.zoom_max_percent);
        EXPECT_LE(cpu.zoom_max_percent, cpu.system_max_percent);
        EXPECT_LE(cpu.system_max_percent, 100);
      }
    }
  }
  EXPECT_GT(snapshots, 1000);
  EXPECT_GT(empty_streams, 0);
  EXPECT_GT(cameras_off, 0);
  EXPECT_GT(idle_shares, 0);
  EXPECT_GT(shares, 0);
}

TEST(SimulatedAccount, QosValuesDriftFromMinuteToMinute) {
  SimulatedAccount account(simulator_config(20, 8), test_start());
  account.advance_to(test_start() + 30min);
  std::set<int> latencies;
  for (const ParticipantQos& participant : all_participants(account)) {
    if (participant.user_qos.size() == 2 && participant.user_qos[0].audio_input.latency_ms &&
        participant.user_qos[1].audio_input.latency_ms) {
      latencies.insert(*participant.user_qos[1].audio_input.latency_ms -
                       *participant.user_qos[0].audio_input.latency_ms);
    }
  }
  EXPECT_GE(latencies.size(), 10u);
}

TEST(SimulatedAccount, PeopleHaveVariedDevicesAndNames) {
  SimulatedAccount account(simulator_config(200, 8), test_start());
  std::set<std::string> devices;
  bool non_ascii_name = false;
  bool quoted_name = false;
  for (const ParticipantQos& participant : all_participants(account)) {
    devices.insert(participant.device);
    non_ascii_name |= participant.user_name == "Zoë Müller";
    quoted_name |= participant.user_name.find('"') != std::string::npos;
  }
  EXPECT_EQ(devices, (std::set<std::string>{"Android", "Linux", "Mac", "Windows", "iPhone"}));
  EXPECT_TRUE(non_ascii_name);
  EXPECT_TRUE(quoted_name);
}

TEST(SimulatedAccount, ThousandsOfMeetingsCostLittlePerPage) {
  SimulatedAccount account(simulator_config(5000, 10), test_start());
  const auto started = std::chrono::steady_clock::now();
  // A day of polls every five minutes, each listing a page of meetings and one meeting's QoS.
  for (auto elapsed = 0min; elapsed < 24h; elapsed += 5min) {
    account.advance_to(test_start() + elapsed);
    const std::size_t first = static_cast<std::size_t>(elapsed.count() * 60) % 5000;
    for (std::size_t index = first; index < std::min<std::size_t>(first + 300, 5000); ++index) {
      account.meeting(index);
    }
    account.participants(first, 0, 10);
  }
  EXPECT_EQ(account.meeting_count(), 5000u);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 60s);
}

config::SimulatorConfig workday(int meetings, int participants, int webinars) {
  config::SimulatorConfig config = simulator_config(meetings, participants);
  config.webinars = webinars;
  config.load_profile = config::LoadProfile::workday;
  return config;
}

TimePoint midnight() {
  return std::chrono::floor<std::chrono::days>(test_start());
}

TEST(SimulatedAccount, WorkdayProfileFollowsTheWorkingDayInUtc) {
  SimulatedAccount account(workday(1000, 2, 20), midnight());
  account.advance_to(midnight() + 3h);
  EXPECT_EQ(account.meeting_count(), 30u);  // 3%
  EXPECT_EQ(account.meeting_count(MeetingKind::webinar), 1u);
  account.advance_to(midnight() + 7h + 30min);
  // Halfway up the morning ramp; meetings start as soon as the target has room for them.
  EXPECT_NEAR(static_cast<double>(account.meeting_count()), 515, 1);
  account.advance_to(midnight() + 12h);
  EXPECT_EQ(account.meeting_count(), 1000u);
  EXPECT_EQ(account.meeting_count(MeetingKind::webinar), 20u);
  account.advance_to(midnight() + 18h + 30min);
  // Down the evening ramp meetings are not replaced, but run to their end.
  EXPECT_GT(account.meeting_count(), 515u);
  EXPECT_LT(account.meeting_count(), 1000u);
  account.advance_to(midnight() + 22h);
  EXPECT_EQ(account.meeting_count(), 30u);
  EXPECT_EQ(account.meeting_count(MeetingKind::webinar), 1u);
}

TEST(SimulatedAccount, WorkdayStartsWithTheTargetAlreadyLive) {
  const SimulatedAccount noon(workday(400, 2, 4), midnight() + 12h);
  EXPECT_EQ(noon.meeting_count(), 400u);
  EXPECT_EQ(noon.meeting_count(MeetingKind::webinar), 4u);
  const SimulatedAccount night(workday(400, 2, 4), midnight() + 2h);
  EXPECT_EQ(night.meeting_count(), 12u);
  EXPECT_EQ(night.meeting_count(MeetingKind::webinar), 1u);
}

TEST(SimulatedAccount, WorkdayMeetingsStartAndEndAllDayWithinTheProfile) {
  SimulatedAccount account(workday(300, 2, 0), midnight());
  std::set<std::uint64_t> ids_seen;
  std::set<std::uint64_t> previous;
  for (auto elapsed = 0min; elapsed < 24h; elapsed += 7min) {
    const TimePoint now = midnight() + elapsed;
    account.advance_to(now);
    // The slots within the target are always live; the others only until their meeting ends.
    const double target = 300 * live_share(config::LoadProfile::workday, now);
    EXPECT_GE(static_cast<double>(account.meeting_count()), std::ceil(target) - 1e-9)
        << format_timestamp(now);
    const std::set<std::uint64_t> live = live_ids(account);
    ids_seen.insert(live.begin(), live.end());
    if (elapsed >= 10h && elapsed < 16h) {
      EXPECT_NE(live, previous);  // some ended and others started
    }
    previous = live;
  }
  // 300 slots for eight hours of meetings that last 47.5 minutes on average, and the ramps.
  EXPECT_GT(ids_seen.size(), 3000u);
  EXPECT_LT(ids_seen.size(), 6000u);
}

TEST(SimulatedAccount, WorkdayStateDoesNotDependOnHowOftenItIsAsked) {
  SimulatedAccount polled(workday(40, 4, 5), midnight() + 5h);
  SimulatedAccount jumped(workday(40, 4, 5), midnight() + 5h);
  for (auto elapsed = 0s; elapsed <= 14h; elapsed += 11min + 7s) {
    polled.advance_to(midnight() + 5h + elapsed);
    polled.meeting_count();
  }
  polled.advance_to(midnight() + 19h);
  jumped.advance_to(midnight() + 19h);
  EXPECT_EQ(account_json(polled), account_json(jumped));
}

TEST(SimulatedAccount, WebinarsHaveTheirOwnIdsAndLargerAudiences) {
  config::SimulatorConfig config = simulator_config(200, 8);
  config.webinars = 40;
  SimulatedAccount account(config, test_start());
  account.advance_to(test_start() + 1h);
  ASSERT_EQ(account.meeting_count(MeetingKind::webinar), 40u);
  const std::set<std::uint64_t> meeting_ids = live_ids(account);
  double attendees = 0;
  for (std::size_t index = 0; index < 40; ++index) {
    const MeetingInfo webinar = account.meeting(index, MeetingKind::webinar);
    EXPECT_FALSE(meeting_ids.contains(webinar.id));
    EXPECT_EQ(account.find_meeting(std::to_string(webinar.id), MeetingKind::webinar), index);
    EXPECT_EQ(account.find_meeting(webinar.uuid, MeetingKind::webinar), index);
    EXPECT_FALSE(account.find_meeting(std::to_string(webinar.id)));
    EXPECT_FALSE(account.find_meeting(webinar.uuid));
    EXPECT_LT(webinar.duration, 2h);
    const ParticipantsPage page = account.participants(index, 0, 1000, MeetingKind::webinar);
    EXPECT_EQ(page.total, static_cast<std::size_t>(webinar.participants));
    attendees += webinar.participants;
  }
  for (const std::uint64_t id : meeting_ids) {
    EXPECT_FALSE(account.find_meeting(std::to_string(id), MeetingKind::webinar));
  }
  EXPECT_GT(attendees / 40, 5 * 8 * 0.75);
  EXPECT_LT(attendees / 40, 5 * 8 * 1.25);
}

TEST(SimulatedAccount, ListPositionsHoldWhileMeetingsAreLive) {
  SimulatedAccount account(workday(200, 2, 0), midnight() + 17h);
  std::map<std::uint64_t, std::size_t> positions;
  for (std::size_t index = 0; index < account.meeting_count(); ++index) {
    positions[account.meeting_id(index)] = account.list_position(index);
    EXPECT_EQ(account.first_index_from(account.list_position(index)), index);
  }
  account.advance_to(midnight() + 17h + 40min);
  std::size_t still_live = 0;
  for (const auto& [id, position] : positions) {
    const std::optional<std::size_t> index = account.find_meeting(std::to_string(id));
    if (!index) continue;
    ++still_live;
    EXPECT_EQ(account.list_position(*index), position);
    EXPECT_EQ(account.first_index_from(position), *index);
  }
  EXPECT_GT(still_live, 20u);
  EXPECT_LT(still_live, positions.size());
  EXPECT_EQ(account.first_index_from(1'000'000), account.meeting_count());
  EXPECT_THROW(account.meeting(account.meeting_count()), std::out_of_range);
}

TEST(SimulatedAccount, FindsOneParticipantByTheUserIdOfAPage) {
  SimulatedAccount account(simulator_config(20, 10), test_start());
  account.advance_to(test_start() + 25min);
  std::size_t found = 0;
  for (std::size_t index = 0; index < account.meeting_count(); ++index) {
    for (const ParticipantQos& participant : account.participants(index, 0, 1000).participants) {
      const std::optional<ParticipantQos> single = account.participant(index, participant.user_id);
      ASSERT_TRUE(single);
      EXPECT_EQ(test::to_json(*single, &write_participant),
                test::to_json(participant, &write_participant));
      ++found;
    }
    EXPECT_FALSE(account.participant(index, "16778241"));  // not a step of 1024
    EXPECT_FALSE(account.participant(index, "1024"));
    EXPECT_FALSE(account.participant(index, ""));
    EXPECT_FALSE(account.participant(index, "16778240x"));
  }
  EXPECT_GT(found, 100u);
}

}  // namespace
}  // namespace zqe::simulator
