#include "node/executable_lookup.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

namespace devflow::node {
namespace {

namespace fs = std::filesystem;

class ExecutableLookupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "executable-lookup-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    fs::create_directories(dir_ / "bin1");
    fs::create_directories(dir_ / "bin2");
    fs::create_directories(dir_ / "work");
    MakeFile(dir_ / "bin1" / "plain", 0644);  // found first, but not executable
    MakeFile(dir_ / "bin2" / "plain", 0755);  // so this one wins, as with execvp
    MakeFile(dir_ / "bin2" / "only-plain", 0644);
    MakeFile(dir_ / "work" / "local", 0755);
    fs::create_directories(dir_ / "bin1" / "adir");
  }
  void TearDown() override { fs::remove_all(dir_); }

  static void MakeFile(const fs::path& path, mode_t mode) {
    std::ofstream(path) << "#!/bin/sh\n";
    ::chmod(path.c_str(), mode);
  }

  fs::path dir_;
};

TEST_F(ExecutableLookupTest, ResolvesAsExecvpWithTheGivenPath) {
  const std::map<std::string, std::string> env = {
      {"PATH", (dir_ / "bin1").string() + ":" + (dir_ / "bin2").string() + ":"}};
  const std::string work = (dir_ / "work").string();
  struct Row {
    const char* name;
    std::string program;
    std::map<std::string, std::string> env;
    std::string want_path;     // when found
    std::string want_message;  // part of the error otherwise
  };
  const Row rows[] = {
      {"skips a non-executable match", "plain", env, (dir_ / "bin2" / "plain").string(), ""},
      {"empty PATH entry is the working directory", "local", env, work + "/local", ""},
      {"default PATH without one", "sh", {}, "/bin/sh", ""},
      {"absolute", "/bin/sh", env, "/bin/sh", ""},
      {"relative to the working directory", "./local", env, work + "/./local", ""},
      {"missing", "nope", env, "", "executable file \"nope\" not found in $PATH ("},
      {"only a non-executable match", "only-plain", env, "", "is not executable"},
      {"a directory", "adir", env, "", "not found"},
      {"absolute directory", "/tmp", env, "", "is a directory"},
      {"absolute missing", "/no/such/app", env, "", "\"/no/such/app\" not found"},
      {"empty", "", env, "", "argv[0] is empty"},
  };
  for (const Row& row : rows) {
    Result<std::string> found = FindExecutable(row.program, row.env, work);
    if (!row.want_path.empty()) {
      ASSERT_TRUE(found.ok()) << row.name << ": " << found.status();
      // /bin may be a link to /usr/bin: compare the files, not the spelling.
      EXPECT_TRUE(fs::equivalent(*found, row.want_path)) << row.name << ": " << *found;
    } else {
      ASSERT_FALSE(found.ok()) << row.name << ": " << *found;
      EXPECT_EQ(found.error().code(), StatusCode::kInvalidArgument) << row.name;
      EXPECT_NE(found.error().message().find(row.want_message), std::string::npos)
          << row.name << ": " << found.error().message();
    }
  }
}

}  // namespace
}  // namespace devflow::node
