#pragma once

#include <string.h>

#include <string>

namespace zqe {

// Overwrites a transient copy of a secret before its memory is freed, in a way the compiler
// cannot optimise away, so the copy does not linger in the heap.
inline void wipe(std::string& text) {
  explicit_bzero(text.data(), text.size());
  text.clear();
}

}  // namespace zqe
