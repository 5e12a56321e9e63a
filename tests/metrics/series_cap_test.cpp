#include "metrics/series_cap.hpp"

#include <gtest/gtest.h>

namespace zqe::metrics {
namespace {

const std::vector<MeetingSeries> kMeetings = {{10, 100}, {10, 40}, {10, 20}};

TEST(SelectSeries, WithoutACapEverythingIsKept) {
  const SeriesSelection selection = select_series(0, 5, kMeetings);
  EXPECT_EQ(selection.meeting_kept, (std::vector<bool>{true, true, true}));
  EXPECT_EQ(selection.participants_kept, (std::vector<bool>{true, true, true}));
  EXPECT_EQ(selection.exported, (SeriesCounts{160, 30, 5}));
  EXPECT_EQ(selection.dropped, (SeriesCounts{}));
}

TEST(SelectSeries, ParticipantSeriesGoFirstAWholeMeetingAtATime) {
  // 5 + 30 meeting-level series, then 65 left: the first meeting's 100 do not fit, the next
  // two (40 + 20) do.
  const SeriesSelection selection = select_series(100, 5, kMeetings);
  EXPECT_EQ(selection.meeting_kept, (std::vector<bool>{true, true, true}));
  EXPECT_EQ(selection.participants_kept, (std::vector<bool>{false, true, true}));
  EXPECT_EQ(selection.exported, (SeriesCounts{60, 30, 5}));
  EXPECT_EQ(selection.dropped, (SeriesCounts{100, 0, 0}));
}

TEST(SelectSeries, ThenWholeMeetingsInOrder) {
  const SeriesSelection selection = select_series(25, 5, kMeetings);
  EXPECT_EQ(selection.meeting_kept, (std::vector<bool>{true, true, false}));
  EXPECT_EQ(selection.participants_kept, (std::vector<bool>{false, false, false}));
  EXPECT_EQ(selection.exported, (SeriesCounts{0, 20, 5}));
  EXPECT_EQ(selection.dropped, (SeriesCounts{160, 10, 0}));
}

TEST(SelectSeries, TheAccountTotalsStayEvenPastTheCap) {
  const SeriesSelection selection = select_series(3, 5, kMeetings);
  EXPECT_EQ(selection.exported, (SeriesCounts{0, 0, 5}));
  EXPECT_EQ(selection.dropped, (SeriesCounts{160, 30, 0}));
}

TEST(SelectSeries, ExactlyAtTheCapFits) {
  const SeriesSelection selection = select_series(195, 5, kMeetings);
  EXPECT_EQ(selection.dropped, (SeriesCounts{}));
  EXPECT_EQ(select_series(194, 5, kMeetings).dropped, (SeriesCounts{20, 0, 0}));
}

}  // namespace
}  // namespace zqe::metrics
