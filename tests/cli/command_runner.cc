#include "command_runner.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

namespace devflow::testing {
namespace {

std::string Slurp(const std::filesystem::path& p) {
  std::ifstream f(p);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

}  // namespace

std::string ReadFileForTest(const std::string& path) { return Slurp(path); }

CommandOutput RunCommand(const std::string& command, const std::string& input) {
  char dir_template[] = "/tmp/devflow-cmd-XXXXXX";
  if (mkdtemp(dir_template) == nullptr) {
    std::perror("mkdtemp");
    std::abort();
  }
  std::filesystem::path dir(dir_template);
  std::ofstream(dir / "in") << input;
  std::string full = "(" + command + ") <" + (dir / "in").string() + " >" + (dir / "out").string() +
                     " 2>" + (dir / "err").string();
  int status = std::system(full.c_str());
  if (status == -1) {
    std::perror("system");
    std::abort();
  }
  CommandOutput result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = Slurp(dir / "out");
  result.err = Slurp(dir / "err");
  std::filesystem::remove_all(dir);
  return result;
}

}  // namespace devflow::testing
