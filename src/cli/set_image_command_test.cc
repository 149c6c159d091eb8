#include "cli/set_image_command.h"

#include <gtest/gtest.h>

#include "common/json_reader.h"

namespace devflow::cli {
namespace {

json::Value Parse(std::string_view text) {
  Result<json::Value> value = json::Parse(text);
  EXPECT_TRUE(value.ok()) << text;
  return value.ok() ? *value : json::Value();
}

TEST(ParseImageArgumentsTest, Table) {
  struct Row {
    std::vector<std::string> arguments;
    std::string want;  // "a=x,b=y" or "error: ..."
  };
  const std::vector<Row> rows = {
      {{"app=demo:green"}, "app=demo:green"},
      {{"app=demo:green", "side=proxy:2"}, "app=demo:green,side=proxy:2"},
      {{"*=demo:green"}, "*=demo:green"},
      {{}, "error: give at least one CONTAINER=IMAGE"},
      {{"app"}, "error: \"app\": expected CONTAINER=IMAGE"},
      {{"=demo"}, "error: \"=demo\": expected CONTAINER=IMAGE"},
      {{"app="}, "error: \"app=\": expected CONTAINER=IMAGE"},
  };
  for (const Row& row : rows) {
    Result<std::map<std::string, std::string>> got = ParseImageArguments(row.arguments);
    std::string text;
    if (!got.ok()) {
      text = "error: " + got.status().message();
    } else {
      for (const auto& [container, image] : *got) {
        text += (text.empty() ? "" : ",") + container + "=" + image;
      }
    }
    EXPECT_EQ(text, row.want);
  }
}

constexpr char kRollout[] = R"({"kind":"Rollout","spec":{"template":{"spec":{
  "initContainers":[{"name":"init","image":"setup:1"}],
  "containers":[{"name":"app","image":"demo:blue"},{"name":"side","image":"proxy:1"}]}}}})";

TEST(ImagePatchTest, Table) {
  struct Row {
    std::string name;
    std::string object;
    std::map<std::string, std::string> images;
    std::string want;  // the patch as JSON, or "error: ..."
  };
  const std::vector<Row> rows = {
      {"one container",
       kRollout,
       {{"app", "demo:green"}},
       R"([{"op":"test","path":"/spec/template/spec/containers/0/name","value":"app"},)"
       R"({"op":"test","path":"/spec/template/spec/containers/0/image","value":"demo:blue"},)"
       R"({"op":"replace","path":"/spec/template/spec/containers/0/image","value":"demo:green"}])"},
      {"init containers too",
       kRollout,
       {{"init", "setup:2"}},
       R"([{"op":"test","path":"/spec/template/spec/initContainers/0/name","value":"init"},)"
       R"({"op":"test","path":"/spec/template/spec/initContainers/0/image","value":"setup:1"},)"
       R"({"op":"replace","path":"/spec/template/spec/initContainers/0/image",)"
       R"("value":"setup:2"}])"},
      {"star sets every container",
       kRollout,
       {{"*", "x:1"}},
       R"([{"op":"test","path":"/spec/template/spec/initContainers/0/name","value":"init"},)"
       R"({"op":"test","path":"/spec/template/spec/initContainers/0/image","value":"setup:1"},)"
       R"({"op":"replace","path":"/spec/template/spec/initContainers/0/image","value":"x:1"},)"
       R"({"op":"test","path":"/spec/template/spec/containers/0/name","value":"app"},)"
       R"({"op":"test","path":"/spec/template/spec/containers/0/image","value":"demo:blue"},)"
       R"({"op":"replace","path":"/spec/template/spec/containers/0/image","value":"x:1"},)"
       R"({"op":"test","path":"/spec/template/spec/containers/1/name","value":"side"},)"
       R"({"op":"test","path":"/spec/template/spec/containers/1/image","value":"proxy:1"},)"
       R"({"op":"replace","path":"/spec/template/spec/containers/1/image","value":"x:1"}])"},
      {"unchanged image: no operation", kRollout, {{"app", "demo:blue"}}, "[]"},
      {"ephemeral containers too",
       R"({"kind":"Pod","spec":{"ephemeralContainers":[{"name":"debug","image":"busybox:1"}]}})",
       {{"debug", "busybox:2"}},
       R"([{"op":"test","path":"/spec/ephemeralContainers/0/name","value":"debug"},)"
       R"({"op":"test","path":"/spec/ephemeralContainers/0/image","value":"busybox:1"},)"
       R"({"op":"replace","path":"/spec/ephemeralContainers/0/image","value":"busybox:2"}])"},
      {"a pod's own spec",
       R"({"kind":"Pod","spec":{"containers":[{"name":"app"}]}})",
       {{"app", "demo:green"}},
       R"([{"op":"test","path":"/spec/containers/0/name","value":"app"},)"
       R"({"op":"add","path":"/spec/containers/0/image","value":"demo:green"}])"},
      {"a cron job",
       R"({"kind":"CronJob","spec":{"jobTemplate":{"spec":{"template":{"spec":{)"
       R"("containers":[{"name":"job","image":"j:1"}]}}}}}})",
       {{"job", "j:2"}},
       R"([{"op":"test","path":"/spec/jobTemplate/spec/template/spec/containers/0/name",)"
       R"("value":"job"},)"
       R"({"op":"test","path":"/spec/jobTemplate/spec/template/spec/containers/0/image",)"
       R"("value":"j:1"},{"op":"replace","path":)"
       R"("/spec/jobTemplate/spec/template/spec/containers/0/image","value":"j:2"}])"},
      {"unknown container",
       kRollout,
       {{"db", "pg:16"}},
       "error: unable to find container named \"db\""},
      {"no pod template",
       R"({"kind":"Service","spec":{"ports":[]}})",
       {{"app", "x"}},
       "error: Service has no pod template"},
  };
  for (const Row& row : rows) {
    Result<json::Value> got = ImagePatch(Parse(row.object), row.images);
    const std::string text = got.ok() ? json::Write(*got) : "error: " + got.status().message();
    EXPECT_EQ(text, row.want) << row.name;
  }
}

}  // namespace
}  // namespace devflow::cli
