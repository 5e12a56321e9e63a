#pragma once

#include <cstddef>
#include <vector>

// The hard cap on exported series (metrics.max_series): which meetings' series fit. The account
// level always does (a handful of series per account); then, meeting by meeting in exposition
// order, the meeting level (info, gauges and aggregates: what dashboards and alerts need first);
// then, with what is left, the participant series of the meetings kept, each meeting whole or
// not at all, so that a meeting never shows half its participants.
namespace zqe::metrics {

struct SeriesCounts {
  std::size_t participant = 0;
  std::size_t meeting = 0;
  std::size_t account = 0;

  bool operator==(const SeriesCounts&) const = default;
};

struct MeetingSeries {
  std::size_t meeting = 0;      // its meeting-level series
  std::size_t participant = 0;  // its participant series
};

struct SeriesSelection {
  std::vector<bool> meeting_kept;       // per meeting
  std::vector<bool> participants_kept;  // per meeting; only where meeting_kept
  SeriesCounts exported;
  SeriesCounts dropped;
};

// `limit` 0: no cap.
SeriesSelection select_series(std::size_t limit, std::size_t account_series,
                              const std::vector<MeetingSeries>& meetings);

}  // namespace zqe::metrics
