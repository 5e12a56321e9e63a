#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace zqe::simulator {

// Which slots of an account hold a live meeting, with the live ones numbered in slot order: a
// Fenwick tree, so that marking a slot and converting between a slot and its number among the live
// ones cost O(log slots), where a scan would make every page of a large account cost O(slots).
class LiveSlots {
 public:
  explicit LiveSlots(std::size_t slot_count = 0)
      : counts_(slot_count + 1, 0), live_(slot_count, false) {}

  std::size_t slot_count() const { return live_.size(); }
  std::size_t live_count() const { return live_count_; }
  bool is_live(std::size_t slot) const { return live_[slot]; }

  void set_live(std::size_t slot, bool live) {
    if (live_[slot] == live) return;
    live_[slot] = live;
    const std::int32_t change = live ? 1 : -1;
    live_count_ = live ? live_count_ + 1 : live_count_ - 1;
    for (std::size_t node = slot + 1; node < counts_.size(); node += node & (~node + 1)) {
      counts_[node] += change;
    }
  }

  // How many live slots come before `slot`; also the number of the first live slot from `slot` on.
  std::size_t live_before(std::size_t slot) const {
    std::int64_t sum = 0;
    for (std::size_t node = std::min(slot, live_.size()); node > 0; node &= node - 1) {
      sum += counts_[node];
    }
    return static_cast<std::size_t>(sum);
  }

  // The slot of the live one numbered `number` (from 0); requires number < live_count().
  std::size_t nth_live(std::size_t number) const {
    std::size_t slot = 0;  // as a tree node: everything up to it holds at most `number` live
    std::size_t remaining = number;
    for (std::size_t step = std::bit_floor(live_.size()); step > 0; step >>= 1) {
      const std::size_t next = slot + step;
      if (next < counts_.size() && static_cast<std::size_t>(counts_[next]) <= remaining) {
        slot = next;
        remaining -= static_cast<std::size_t>(counts_[next]);
      }
    }
    return slot;  // the node after the last one skipped, 1-based, is the 0-based slot
  }

 private:
  std::vector<std::int32_t> counts_;  // 1-based Fenwick tree of live flags
  std::vector<bool> live_;
  std::size_t live_count_ = 0;
};

}  // namespace zqe::simulator
