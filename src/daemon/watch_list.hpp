#pragma once

#include <string>
#include <unordered_set>

#include "config/config.hpp"
#include "qos/participant_qos.hpp"
#include "zoom/meeting.hpp"

namespace zqe::daemon {

// Which meetings and participants the config's watch list names. Meetings by id or UUID, or by
// their host's email or name; participants by id or user name. Names and emails compare
// case-insensitively (ASCII), ids and UUIDs exactly.
class WatchList {
 public:
  explicit WatchList(const config::WatchConfig& watch);

  bool empty() const { return meetings_.empty() && participants_.empty() && users_.empty(); }
  bool watches(const zoom::LiveMeeting& meeting) const;
  bool watches(const qos::ParticipantQos& participant) const;

 private:
  std::unordered_set<std::string> meetings_;
  std::unordered_set<std::string> participants_;
  std::unordered_set<std::string> users_;  // lowercased
};

}  // namespace zqe::daemon
