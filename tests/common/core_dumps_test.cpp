#include "common/core_dumps.hpp"

#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace zqe {
namespace {

// In a child, so the test process itself stays dumpable for the other tests.
TEST(CoreDumps, DisablingMakesTheProcessNonDumpable) {
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (prctl(PR_GET_DUMPABLE) != 1) _exit(10);  // dumpable before
    if (!disable_core_dumps()) _exit(11);
    _exit(prctl(PR_GET_DUMPABLE) == 0 ? 0 : 12);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "10: dumpable before, 11: prctl failed, 12: still dumpable";
}

}  // namespace
}  // namespace zqe
