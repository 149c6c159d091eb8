#include "cli/logs_command.h"

#include <gtest/gtest.h>

namespace devflow::cli {
namespace {

TEST(PodLogPathTest, Table) {
  struct Row {
    std::string name;
    LogsFlags flags;
    std::string want;  // the path, or "error: <message>"
  };
  const std::vector<Row> rows = {
      {"plain name", {.pod = "web-1"}, "/api/v1/namespaces/prod/pods/web-1/log"},
      {"pod/ prefix", {.pod = "pod/web-1"}, "/api/v1/namespaces/prod/pods/web-1/log"},
      {"pods/ prefix", {.pod = "pods/web-1"}, "/api/v1/namespaces/prod/pods/web-1/log"},
      {"every option",
       {.pod = "web-1", .container = "app", .follow = true, .tail = 10, .limit_bytes = 100},
       "/api/v1/namespaces/prod/pods/web-1/log?container=app&follow=true&tailLines=10&"
       "limitBytes=100"},
      {"tail -1 means all", {.pod = "web-1", .tail = -1}, "/api/v1/namespaces/prod/pods/web-1/log"},
      {"not a pod",
       {.pod = "deploy/web"},
       "error: devflow logs reads pods: \"deploy/web\" is not a pod (write POD or pod/POD)"},
      {"no name", {.pod = "pod/"}, "error: a pod name is required"},
  };
  for (const Row& row : rows) {
    Result<std::string> got = PodLogPath("prod", row.flags);
    const std::string text = got.ok() ? *got : "error: " + got.status().message();
    EXPECT_EQ(text, row.want) << row.name;
  }
}

}  // namespace
}  // namespace devflow::cli
