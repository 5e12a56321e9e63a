#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <string_view>

namespace zqe::test {

// A fresh directory under the system's temporary directory, removed with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // Writes `content` to the file `name` in the directory, with permission bits `mode`; returns
  // its path.
  std::string write(const std::string& name, std::string_view content, mode_t mode = 0600) const;
  // The path of the file `name` in the directory, written or not.
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace zqe::test
