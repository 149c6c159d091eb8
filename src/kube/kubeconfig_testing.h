// Test support for the kubeconfig, client config, exec and in-cluster tests: a temporary
// directory that is removed with everything in it when the object goes away.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace devflow::kube {

class TempDirForTest {
 public:
  TempDirForTest() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern =
        std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/devflow-kube-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    path_ = pattern;
  }
  ~TempDirForTest() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDirForTest(const TempDirForTest&) = delete;
  TempDirForTest& operator=(const TempDirForTest&) = delete;

  const std::string& path() const { return path_; }
  // The absolute path of `name` inside the directory.
  std::string Path(const std::string& name) const { return path_ + "/" + name; }

  // Writes `content` to `name` (parent directories created) with permission bits `mode`;
  // returns its path.
  std::string Write(const std::string& name, const std::string& content, mode_t mode = 0644) const {
    std::string p = Path(name);
    std::filesystem::create_directories(std::filesystem::path(p).parent_path());
    {
      std::ofstream out(p, std::ios::binary | std::ios::trunc);
      out << content;
    }
    ::chmod(p.c_str(), mode);
    return p;
  }

  // Replaces `name` atomically (write a sibling, rename over), as the kubelet rotates tokens.
  std::string Replace(const std::string& name, const std::string& content) const {
    std::string tmp = Write(name + ".new", content);
    std::filesystem::rename(tmp, Path(name));
    return Path(name);
  }

 private:
  std::string path_;
};

// Replaces every "$DIR" in `text` with `dir`.
inline std::string WithDir(std::string text, const std::string& dir) {
  for (size_t at = text.find("$DIR"); at != std::string::npos; at = text.find("$DIR", at)) {
    text.replace(at, 4, dir);
    at += dir.size();
  }
  return text;
}

}  // namespace devflow::kube
