#include "node/process_record.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

namespace devflow::node {
namespace {

namespace fs = std::filesystem;

// ProcessInfo has no ==: compare what a record keeps.
void ExpectSameRecord(const ProcessInfo& got, const ProcessInfo& want, const std::string& row) {
  EXPECT_EQ(got.key, want.key) << row;
  EXPECT_EQ(got.pod_namespace, want.pod_namespace) << row;
  EXPECT_EQ(got.pod_name, want.pod_name) << row;
  EXPECT_EQ(got.pid, want.pid) << row;
  EXPECT_EQ(got.start_ticks, want.start_ticks) << row;
  EXPECT_EQ(got.started_at, want.started_at) << row;
  EXPECT_EQ(got.host_ports, want.host_ports) << row;
  EXPECT_EQ(got.restart_count, want.restart_count) << row;
  EXPECT_FALSE(got.adopted) << row;
}

ProcessInfo Sample(const std::string& container = "app") {
  ProcessInfo info;
  info.key = {"5f0c2d7e-uid", container};
  info.pod_namespace = "default";
  info.pod_name = "web-7f9c-abcde";
  info.pid = 41234;
  info.start_ticks = 987654321;
  info.started_at = std::chrono::system_clock::time_point(std::chrono::seconds(1717171717));
  info.host_ports = {{8080, 41235}, {9090, 41236}};
  info.restart_count = 2;
  info.adopted = true;  // not recorded
  return info;
}

TEST(ProcessRecordTest, RoundTrips) {
  ProcessInfo info = Sample();
  Result<ProcessInfo> decoded = DecodeProcessRecord(EncodeProcessRecord(info));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  ExpectSameRecord(*decoded, info, "sample");
  EXPECT_EQ(EncodeProcessRecord(info),
            "{\"podUID\":\"5f0c2d7e-uid\",\"container\":\"app\",\"namespace\":\"default\","
            "\"podName\":\"web-7f9c-abcde\",\"pid\":41234,\"startTicks\":987654321,"
            "\"startedAtUnixNano\":1717171717000000000,\"hostPorts\":{\"8080\":41235,"
            "\"9090\":41236},\"restartCount\":2}");
}

TEST(ProcessRecordTest, RejectsWhatCannotIdentifyAProcess) {
  struct Row {
    const char* name;
    const char* text;
  };
  const Row rows[] = {
      {"not json", "{\"podUID\":"},
      {"not an object", "[]"},
      {"no pod uid", R"({"container":"app","pid":1,"startTicks":1})"},
      {"empty container", R"({"podUID":"u","container":"","pid":1,"startTicks":1})"},
      {"no pid", R"({"podUID":"u","container":"app","startTicks":1})"},
      {"zero pid", R"({"podUID":"u","container":"app","pid":0,"startTicks":1})"},
      {"pid as string", R"({"podUID":"u","container":"app","pid":"1","startTicks":1})"},
      {"no start ticks", R"({"podUID":"u","container":"app","pid":1})"},
      {"negative start ticks", R"({"podUID":"u","container":"app","pid":1,"startTicks":-1})"},
      {"bad host port key",
       R"({"podUID":"u","container":"app","pid":1,"startTicks":1,"hostPorts":{"http":1}})"},
      {"bad host port",
       R"({"podUID":"u","container":"app","pid":1,"startTicks":1,"hostPorts":{"80":70000}})"},
  };
  for (const Row& row : rows) {
    Result<ProcessInfo> decoded = DecodeProcessRecord(row.text);
    ASSERT_FALSE(decoded.ok()) << row.name;
    EXPECT_EQ(decoded.error().code(), StatusCode::kInvalidArgument) << row.name;
  }
}

TEST(ProcessRecordTest, EscapesFileNameParts) {
  struct Row {
    const char* name;
    const char* part;
    const char* want;
  };
  const Row rows[] = {
      {"dns name", "web-7f9c.abc", "web-7f9c.abc"},      {"separator", "a_b", "a%5Fb"},
      {"slash", "../etc/passwd", "..%2Fetc%2Fpasswd"},   {"percent", "50%", "50%25"},
      {"space and utf-8", "a b\xc3\xa9", "a%20b%C3%A9"},
  };
  for (const Row& row : rows) EXPECT_EQ(EscapeFileNamePart(row.part), row.want) << row.name;
  EXPECT_EQ(ProcessRecordPath("/s/processes", {"u_1", "app"}),
            fs::path("/s/processes/u%5F1_app.json"));
}

class ProcessRecordFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "process-record-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(ProcessRecordFilesTest, WritesLoadsAndRemoves) {
  ASSERT_TRUE(WriteProcessRecord(dir_, Sample("app")).ok());
  ASSERT_TRUE(WriteProcessRecord(dir_, Sample("sidecar")).ok());
  ProcessInfo replaced = Sample("app");
  replaced.pid = 777;
  ASSERT_TRUE(WriteProcessRecord(dir_, replaced).ok());

  Result<LoadedProcessRecords> loaded = LoadProcessRecords(dir_);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_EQ(loaded->records.size(), 2u);
  ExpectSameRecord(loaded->records[0], replaced, "app");
  ExpectSameRecord(loaded->records[1], Sample("sidecar"), "sidecar");
  EXPECT_TRUE(loaded->discarded.empty());

  ASSERT_TRUE(RemoveProcessRecord(dir_, replaced.key).ok());
  ASSERT_TRUE(RemoveProcessRecord(dir_, replaced.key).ok()) << "removing twice is fine";
  loaded = LoadProcessRecords(dir_);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_EQ(loaded->records.size(), 1u);
  EXPECT_EQ(loaded->records[0].key.container, "sidecar");
}

TEST_F(ProcessRecordFilesTest, DiscardsLeftoversOfACrash) {
  ASSERT_TRUE(WriteProcessRecord(dir_, Sample()).ok());
  std::ofstream(dir_ / "u_half.json.tmp") << "{\"podUID\":";
  std::ofstream(dir_ / "u_torn.json") << "{\"podUID\":";
  std::ofstream(dir_ / "README") << "not a record, not ours to delete";

  Result<LoadedProcessRecords> loaded = LoadProcessRecords(dir_);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_EQ(loaded->records.size(), 1u);
  EXPECT_EQ(loaded->discarded.size(), 2u);
  EXPECT_FALSE(fs::exists(dir_ / "u_half.json.tmp"));
  EXPECT_FALSE(fs::exists(dir_ / "u_torn.json"));
  EXPECT_TRUE(fs::exists(dir_ / "README"));
}

TEST_F(ProcessRecordFilesTest, AMissingDirectoryHasNoRecords) {
  Result<LoadedProcessRecords> loaded = LoadProcessRecords(dir_ / "absent");
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_TRUE(loaded->records.empty());
}

}  // namespace
}  // namespace devflow::node
