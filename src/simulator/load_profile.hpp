#pragma once

#include <cstddef>

#include "config/config.hpp"
#include "simulator/simulated_account.hpp"

// How many meetings an account has live over a day. The account has `peak` slots, numbered from
// 0, each holding one meeting after another; the profile's target at an instant is the lowest
// peak * live_share slots. A meeting that ends in a slot within the target is replaced at once;
// one that ends above it is not, and the slot waits until the target grows over it again. So the
// live count follows the target up at once and down with the lag of the meetings' lifetimes.
namespace zqe::simulator {

// The share of the peak the profile wants live at `at`, in (0, 1]. workday, in UTC: 3% at night,
// rising from 06:00 to 100% at 09:00, falling from 17:00 to 3% at 20:00 (live meetings run on, so
// the count is back at the night's by about 21:30). flat: 100% around the clock.
double live_share(config::LoadProfile profile, TimePoint at);

bool slot_in_target(config::LoadProfile profile, std::size_t slot, std::size_t peak, TimePoint at);

// The first instant from `from` on (`from` included) at which the slot is within the target.
// Requires slot < peak, which every profile's maximum of 100% reaches within a day.
TimePoint next_time_in_target(config::LoadProfile profile, std::size_t slot, std::size_t peak,
                              TimePoint from);

}  // namespace zqe::simulator
