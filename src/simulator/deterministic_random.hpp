#pragma once

#include <cmath>
#include <cstdint>
#include <numbers>

// Every random draw of the simulation is a hash of the seed and of what is being drawn, so a value
// depends on its identity (which meeting, seat, minute) and never on when or in which order the
// requests that reveal it arrive.
namespace zqe::simulator {

// SplitMix64's finaliser: a bijective, well-avalanching 64-bit mix.
constexpr std::uint64_t mix64(std::uint64_t value) {
  value += 0x9e3779b97f4a7c15ULL;
  value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ULL;
  value = (value ^ (value >> 27)) * 0x94d049bb133111ebULL;
  return value ^ (value >> 31);
}

// Order-sensitive: hash_of(a, b) differs from hash_of(b, a).
template <typename... Parts>
constexpr std::uint64_t hash_of(std::uint64_t first, Parts... rest) {
  std::uint64_t hash = mix64(first);
  ((hash = mix64(hash ^ static_cast<std::uint64_t>(rest))), ...);
  return hash;
}

// A sequence of draws under one key, for values that are always drawn together and in order.
class RandomStream {
 public:
  explicit RandomStream(std::uint64_t key) : key_(key) {}

  std::uint64_t next() { return hash_of(key_, draws_++); }
  // In [0, 1), 53 bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  double uniform(double low, double high) { return low + (high - low) * uniform(); }
  // In [0, count); the modulo bias is below 2^-40 for the small counts drawn here.
  std::uint64_t below(std::uint64_t count) { return next() % count; }
  bool chance(double probability) { return uniform() < probability; }
  // Standard normal (Box-Muller); 1 - uniform() keeps the logarithm's argument above zero.
  double normal() {
    const double radius = std::sqrt(-2.0 * std::log(1.0 - uniform()));
    return radius * std::cos(2.0 * std::numbers::pi * uniform());
  }
  template <typename T, std::size_t N>
  const T& pick(const T (&choices)[N]) {
    return choices[below(N)];
  }

 private:
  std::uint64_t key_;
  std::uint64_t draws_ = 0;
};

}  // namespace zqe::simulator
