#pragma once

#include <utility>

#include <boost/asio/io_context.hpp>
#include <chrono>

namespace zqe::test {

// Runs `io` on the calling thread until `done` holds; false when it did not within `patience`.
template <class Predicate>
bool run_io_until(boost::asio::io_context& io, Predicate done,
                  std::chrono::steady_clock::duration patience) {
  using namespace std::chrono_literals;
  const auto give_up = std::chrono::steady_clock::now() + patience;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= give_up) return false;
    if (io.stopped()) io.restart();
    io.run_one_for(10ms);
  }
  return true;
}

}  // namespace zqe::test
