#pragma once

#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <future>
#include <type_traits>

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

// Runs `function` on the thread that runs `io`, waits for it and returns its result: for tests
// that touch what that thread owns.
template <class Function>
auto run_on_io_thread(boost::asio::io_context& io, Function function) {
  std::packaged_task<std::invoke_result_t<Function>()> task(std::move(function));
  auto result = task.get_future();
  boost::asio::post(io, [&task] { task(); });
  return result.get();
}

}  // namespace zqe::test
