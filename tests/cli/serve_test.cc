// End-to-end: how `devflow serve` starts, refuses to start, and what it leaves in its data
// directory.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>

#include "command_runner.h"
#include "serve_process.h"

namespace devflow {
namespace {

using testing::CommandOutput;
using testing::RunCommand;
using testing::ServeProcess;

const std::string kDevflow = DEVFLOW_BINARY;

int Mode(const std::string& path) {
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) return -1;
  return static_cast<int>(info.st_mode & 0777);
}

TEST(ServeTest, CredentialsAreOwnerOnly) {
  ServeProcess server;
  ASSERT_TRUE(server.Start()) << server.log();
  EXPECT_EQ(Mode(server.data_dir() + "/token"), 0600);
  EXPECT_EQ(Mode(server.data_dir() + "/kubeconfig"), 0600);
  EXPECT_EQ(Mode(server.data_dir() + "/pki/ca.key"), 0600);
  EXPECT_EQ(server.url().rfind("https://127.0.0.1:", 0), 0u) << server.url();
}

TEST(ServeTest, ATakenPortIsNamed) {
  ServeProcess first;
  ASSERT_TRUE(first.Start()) << first.log();
  const std::string listen = first.url().substr(std::string("https://").size());
  ServeProcess second;
  CommandOutput r = RunCommand(kDevflow + " serve --no-runtime --data-dir " + second.data_dir() +
                               " --listen " + listen);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("in use"), std::string::npos) << r.err;
}

TEST(ServeTest, ASecondServerOnOneDataDirectoryIsRefused) {
  ServeProcess first;
  ASSERT_TRUE(first.Start()) << first.log();
  CommandOutput r = RunCommand(kDevflow + " serve --no-runtime --data-dir " + first.data_dir() +
                               " --listen 127.0.0.1:0");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("devflow serve: "), std::string::npos) << r.err;
  // The running server keeps its kubeconfig: the refused one must not overwrite it.
  EXPECT_NE(testing::ReadFileForTest(first.kubeconfig()).find(first.url()), std::string::npos);
}

TEST(ServeTest, ABadListenAddressIsExplained) {
  ServeProcess server;
  CommandOutput r = RunCommand(kDevflow + " serve --no-runtime --data-dir " + server.data_dir() +
                               " --listen localhost");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "devflow serve: --listen \"localhost\": no port (expected HOST:PORT, e.g. "
            "127.0.0.1:7443 or [::1]:7443)\n");
}

}  // namespace
}  // namespace devflow
