#include "common/core_dumps.hpp"

#include <sys/prctl.h>

namespace zqe {

bool disable_core_dumps() {
  return prctl(PR_SET_DUMPABLE, 0L, 0L, 0L, 0L) == 0;
}

}  // namespace zqe
