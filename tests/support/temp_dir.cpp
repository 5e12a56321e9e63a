#include "support/temp_dir.hpp"

#include <stdlib.h>
#include <sys/stat.h>

#include <fstream>
#include <stdexcept>

namespace zqe::test {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "zqe-test-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string TempDir::write(const std::string& name, std::string_view content, mode_t mode) const {
  const std::filesystem::path file = path_ / name;
  std::ofstream(file, std::ios::binary | std::ios::trunc) << content;
  // chmod, not the umask's choice: tests set the exact bits the exporter warns about.
  if (chmod(file.c_str(), mode) != 0) throw std::runtime_error("chmod failed: " + file.string());
  return file.string();
}

}  // namespace zqe::test
