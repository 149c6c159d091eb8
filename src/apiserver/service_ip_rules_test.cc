#include "apiserver/service_ip_rules.h"

#include <gtest/gtest.h>

#include "common/json_reader.h"

namespace devflow::apiserver {
namespace {

json::Value Service(std::string_view spec) {
  return json::Parse(R"({"kind":"Service","spec":)" + std::string(spec) + "}").value();
}

std::string Errors(const api::FieldErrors& errors) {
  std::string out;
  for (const api::FieldError& e : errors) out += e.path.str() + ": " + e.message + ";";
  return out;
}

TEST(ServiceIpRulesTest, AllocateClusterIp) {
  struct Row {
    const char* name;
    const char* spec;
    std::set<std::string> used;
    uint64_t random;
    const char* want_ip;     // spec.clusterIP afterwards
    const char* want_error;  // "" = none
  };
  const Row rows[] = {
      {"empty gets the random pick", R"({"ports":[{"port":80}]})", {}, 4, "127.1.0.5", ""},
      {"empty string too", R"({"clusterIP":""})", {}, 0, "127.1.0.1", ""},
      {"a used pick moves on", R"({})", {"127.1.0.1", "127.1.0.2"}, 0, "127.1.0.3", ""},
      {"wraps at the top", R"({})", {"127.1.255.254"}, 65533, "127.1.0.1", ""},
      {"headless keeps None", R"({"clusterIP":"None"})", {}, 0, "None", ""},
      {"ExternalName gets none",
       R"({"type":"ExternalName","externalName":"x.example"})",
       {},
       0,
       "",
       ""},
      {"given free address kept", R"({"clusterIP":"127.1.3.4"})", {}, 0, "127.1.3.4", ""},
      {"given used address",
       R"({"clusterIP":"127.1.3.4"})",
       {"127.1.3.4"},
       0,
       "127.1.3.4",
       "spec.clusterIP: Invalid value: \"127.1.3.4\": provided IP is already allocated;"},
      {"given outside the range",
       R"({"clusterIP":"10.96.0.10"})",
       {},
       0,
       "10.96.0.10",
       "spec.clusterIP: Invalid value: \"10.96.0.10\": provided IP is not in the valid range. "
       "The range of valid IPs is 127.1.0.0/16;"},
      {"network address refused",
       R"({"clusterIP":"127.1.0.0"})",
       {},
       0,
       "127.1.0.0",
       "not in the valid range"},
      {"garbage refused",
       R"({"clusterIP":"127.1.0.x"})",
       {},
       0,
       "127.1.0.x",
       "not in the valid range"},
  };
  for (const Row& row : rows) {
    json::Value service = Service(row.spec);
    api::FieldErrors errors = AllocateClusterIp(service, row.used, [&] { return row.random; });
    const std::string got = Errors(errors);
    if (std::string(row.want_error).empty()) {
      EXPECT_EQ(got, "") << row.name;
    } else {
      EXPECT_NE(got.find(row.want_error), std::string::npos) << row.name << ": " << got;
    }
    EXPECT_EQ(ClusterIpOf(service), row.want_ip) << row.name;
    if (errors.empty() && std::string(row.want_ip).starts_with("127.")) {
      EXPECT_EQ(json::Write(*service.Find("spec")->Find("clusterIPs")),
                std::string("[\"") + row.want_ip + "\"]")
          << row.name;
    }
  }
}

TEST(ServiceIpRulesTest, ExhaustedRangeIsAnError) {
  std::set<std::string> used;
  for (int a = 0; a < 256; ++a) {
    for (int b = 0; b < 256; ++b) {
      used.insert("127.1." + std::to_string(a) + "." + std::to_string(b));
    }
  }
  json::Value service = Service("{}");
  EXPECT_NE(Errors(AllocateClusterIp(service, used, [] { return 7; })).find("no free address"),
            std::string::npos);
}

TEST(ServiceIpRulesTest, KeepClusterIp) {
  struct Row {
    const char* name;
    const char* updated;
    const char* stored;
    const char* want_ip;
    bool want_error;
  };
  const Row rows[] = {
      {"empty update keeps the address", "{}", R"({"clusterIP":"127.1.0.9"})", "127.1.0.9", false},
      {"same address", R"({"clusterIP":"127.1.0.9"})", R"({"clusterIP":"127.1.0.9"})", "127.1.0.9",
       false},
      {"changed address refused", R"({"clusterIP":"127.1.0.8"})", R"({"clusterIP":"127.1.0.9"})",
       "127.1.0.8", true},
      {"headless stays headless", "{}", R"({"clusterIP":"None"})", "None", false},
      {"to ExternalName releases", R"({"type":"ExternalName"})", R"({"clusterIP":"127.1.0.9"})", "",
       false},
  };
  for (const Row& row : rows) {
    json::Value updated = Service(row.updated);
    api::FieldErrors errors = KeepClusterIp(updated, Service(row.stored));
    EXPECT_EQ(!errors.empty(), row.want_error) << row.name << ": " << Errors(errors);
    EXPECT_EQ(ClusterIpOf(updated), row.want_ip) << row.name;
  }
}

}  // namespace
}  // namespace devflow::apiserver
