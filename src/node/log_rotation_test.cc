#include "node/log_rotation.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace devflow::node {
namespace {

namespace fs = std::filesystem;

std::string Read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void Write(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

class LogRotationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "log-rotation-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    log_ = dir_ / "default_web_app.log";
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
  fs::path log_;
};

TEST(LogRotationRulesTest, NamesAndLimit) {
  EXPECT_EQ(RotatedLogPath("/d/a.log", 1), fs::path("/d/a.log.1"));
  EXPECT_EQ(RotatedLogPath("/d/a.log", 12), fs::path("/d/a.log.12"));
  struct Row {
    const char* name;
    uint64_t size;
    uint64_t max_bytes;
    bool rotate;
  };
  const Row rows[] = {
      {"empty", 0, 100, false},
      {"below", 99, 100, false},
      {"at the limit", 100, 100, false},
      {"past the limit", 101, 100, true},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(LogNeedsRotation(row.size, row.max_bytes), row.rotate) << row.name;
  }
}

TEST_F(LogRotationTest, KeepsTheNewestFilesAndTruncates) {
  for (const char* generation : {"one", "two", "three"}) {
    Write(log_, generation);
    ASSERT_TRUE(RotateLog(log_, 2).ok()) << generation;
  }
  EXPECT_EQ(Read(log_), "");
  EXPECT_EQ(Read(RotatedLogPath(log_, 1)), "three");
  EXPECT_EQ(Read(RotatedLogPath(log_, 2)), "two");
  EXPECT_FALSE(fs::exists(RotatedLogPath(log_, 3)));
  EXPECT_FALSE(fs::exists(RotatedLogPath(log_, 1).string() + ".tmp"));
}

TEST_F(LogRotationTest, WithoutKeptFilesOnlyTruncates) {
  Write(log_, "data");
  ASSERT_TRUE(RotateLog(log_, 0).ok());
  EXPECT_EQ(Read(log_), "");
  EXPECT_FALSE(fs::exists(RotatedLogPath(log_, 1)));
}

TEST_F(LogRotationTest, MissingLog) {
  EXPECT_EQ(RotateLog(log_, 2).code(), StatusCode::kNotFound);
  Result<bool> rotated = RotateLogIfTooLarge(log_, 10, 2);
  ASSERT_TRUE(rotated.ok()) << rotated.status();
  EXPECT_FALSE(*rotated);
}

TEST_F(LogRotationTest, RotatesOnlyPastTheLimit) {
  Write(log_, "0123456789");
  Result<bool> rotated = RotateLogIfTooLarge(log_, 10, 2);
  ASSERT_TRUE(rotated.ok()) << rotated.status();
  EXPECT_FALSE(*rotated);
  EXPECT_EQ(Read(log_), "0123456789");

  Write(log_, "0123456789A");
  rotated = RotateLogIfTooLarge(log_, 10, 2);
  ASSERT_TRUE(rotated.ok()) << rotated.status();
  EXPECT_TRUE(*rotated);
  EXPECT_EQ(Read(log_), "");
  EXPECT_EQ(Read(RotatedLogPath(log_, 1)), "0123456789A");
}

// The process keeps its descriptor: after the truncation its appends start at offset 0, with no
// hole of zero bytes where the old content was.
TEST_F(LogRotationTest, AnAppendingWriterContinuesAtTheStart) {
  const int writer = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  ASSERT_GE(writer, 0);
  ASSERT_EQ(::write(writer, "before\n", 7), 7);
  ASSERT_TRUE(RotateLog(log_, 1).ok());
  ASSERT_EQ(::write(writer, "after\n", 6), 6);
  ::close(writer);
  EXPECT_EQ(Read(log_), "after\n");
  EXPECT_EQ(Read(RotatedLogPath(log_, 1)), "before\n");
}

}  // namespace
}  // namespace devflow::node
