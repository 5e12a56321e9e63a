#include "daemon/watch_list.hpp"

#include <algorithm>

namespace zqe::daemon {
namespace {

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : static_cast<char>(c);
  });
  return text;
}

}  // namespace

WatchList::WatchList(const config::WatchConfig& watch)
    : meetings_(watch.meetings.begin(), watch.meetings.end()),
      participants_(watch.participants.begin(), watch.participants.end()) {
  for (const std::string& user : watch.users) users_.insert(lowercase(user));
}

bool WatchList::watches(const zoom::LiveMeeting& meeting) const {
  if (meetings_.contains(std::to_string(meeting.id)) || meetings_.contains(meeting.uuid)) {
    return true;
  }
  return (!meeting.host_email.empty() && users_.contains(lowercase(meeting.host_email))) ||
         (!meeting.host.empty() && users_.contains(lowercase(meeting.host)));
}

bool WatchList::watches(const qos::ParticipantQos& participant) const {
  return participants_.contains(participant.participant_id) ||
         (!participant.identity.user_name.empty() &&
          users_.contains(lowercase(participant.identity.user_name)));
}

}  // namespace zqe::daemon
