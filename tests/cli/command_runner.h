// Runs a shell command for end-to-end tests and captures what it printed and its exit code.
#pragma once

#include <string>

namespace devflow::testing {

struct CommandOutput {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `command` with /bin/sh, feeding `input` on standard input. Aborts the test binary if the
// shell cannot be started (a broken test environment, not a test failure).
CommandOutput RunCommand(const std::string& command, const std::string& input = "");

// Returns the contents of a file (empty when it cannot be read).
std::string ReadFileForTest(const std::string& path);

}  // namespace devflow::testing
