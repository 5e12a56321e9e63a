#include "metrics/series_cap.hpp"

namespace zqe::metrics {

SeriesSelection select_series(std::size_t limit, std::size_t account_series,
                              const std::vector<MeetingSeries>& meetings) {
  SeriesSelection selection;
  selection.meeting_kept.assign(meetings.size(), false);
  selection.participants_kept.assign(meetings.size(), false);
  selection.exported.account = account_series;
  std::size_t used = account_series;
  // Greedy: a meeting too large for what is left is skipped, and smaller ones after it may fit.
  const auto fits = [&](std::size_t series) { return limit == 0 || used + series <= limit; };
  for (std::size_t index = 0; index < meetings.size(); ++index) {
    const std::size_t series = meetings[index].meeting;
    if (fits(series)) {
      selection.meeting_kept[index] = true;
      selection.exported.meeting += series;
      used += series;
    } else {
      selection.dropped.meeting += series;
    }
  }
  for (std::size_t index = 0; index < meetings.size(); ++index) {
    const std::size_t series = meetings[index].participant;
    if (selection.meeting_kept[index] && fits(series)) {
      selection.participants_kept[index] = true;
      selection.exported.participant += series;
      used += series;
    } else {
      selection.dropped.participant += series;
    }
  }
  return selection;
}

}  // namespace zqe::metrics
