#include "daemon/cli.hpp"

int main(int argc, char** argv) {
  return zqe::daemon::run(argc, argv);
}
