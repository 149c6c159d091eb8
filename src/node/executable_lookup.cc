#include "node/executable_lookup.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string_view>

namespace devflow::node {
namespace {

enum class Candidate { kExecutable, kMissing, kDirectory, kNotExecutable };

Candidate Check(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return Candidate::kMissing;
  if (S_ISDIR(st.st_mode)) return Candidate::kDirectory;
  if (!S_ISREG(st.st_mode) || ::access(path.c_str(), X_OK) != 0) {
    return Candidate::kNotExecutable;
  }
  return Candidate::kExecutable;
}

std::string Join(const std::string& dir, const std::string& name) {
  if (dir.empty()) return name;
  return (std::filesystem::path(dir) / name).string();
}

}  // namespace

Result<std::string> FindExecutable(const std::string& name,
                                   const std::map<std::string, std::string>& env,
                                   const std::string& working_dir) {
  if (name.empty()) return InvalidArgumentError("no command to run (argv[0] is empty)");
  if (name.find('/') != std::string::npos) {
    const std::string path = name.front() == '/' ? name : Join(working_dir, name);
    switch (Check(path)) {
      case Candidate::kExecutable:
        return path;
      case Candidate::kMissing:
        return InvalidArgumentError("executable file \"" + name + "\" not found");
      case Candidate::kDirectory:
        return InvalidArgumentError("executable file \"" + name + "\" is a directory");
      case Candidate::kNotExecutable:
        return InvalidArgumentError("executable file \"" + name + "\" is not executable");
    }
  }
  auto it = env.find("PATH");
  const std::string search = it == env.end() ? kDefaultSearchPath : it->second;
  // A match that is not executable is reported only when nothing later in PATH is, as execvp
  // skips it and goes on.
  bool found_not_executable = false;
  std::string_view rest = search;
  while (true) {
    const size_t colon = rest.find(':');
    std::string dir(rest.substr(0, colon));
    const std::string path = Join(dir.empty() ? working_dir : dir, name);
    const Candidate candidate = Check(path);
    if (candidate == Candidate::kExecutable) return path;
    if (candidate == Candidate::kNotExecutable) found_not_executable = true;
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  if (found_not_executable) {
    return InvalidArgumentError("executable file \"" + name + "\" in $PATH (" + search +
                                ") is not executable");
  }
  return InvalidArgumentError("executable file \"" + name + "\" not found in $PATH (" + search +
                              ")");
}

}  // namespace devflow::node
