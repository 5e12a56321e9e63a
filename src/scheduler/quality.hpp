#pragma once

#include <vector>

#include "qos/participant_qos.hpp"

namespace zqe::scheduler {

// How bad a meeting's call quality is, from 0 (fine) to 1 (at or past what users notice:
// 300 ms latency, 50 ms jitter or 5 % average loss on any audio or video stream of anyone).
double quality_badness(const std::vector<qos::ParticipantQos>& participants);

}  // namespace zqe::scheduler
