#include "kube/in_cluster.h"

#include <gtest/gtest.h>

#include <map>

#include "kube/kubeconfig_testing.h"

namespace devflow::kube {
namespace {

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

class InClusterTest : public ::testing::Test {
 protected:
  InClusterPaths Paths() {
    return {dir_.Path("sa/token"), dir_.Path("sa/ca.crt"), dir_.Path("sa/namespace")};
  }
  TempDirForTest dir_;
};

TEST_F(InClusterTest, BuildsTheConfigFromServiceAccountFilesAndEnvironment) {
  struct Row {
    const char* name;
    std::map<std::string, std::string> env;
    std::map<std::string, std::string> files;  // under sa/
    ClientConfig want;                         // credentials and origin filled in below
  } rows[] = {
      {"ipv4",
       {{"KUBERNETES_SERVICE_HOST", "10.96.0.1"}, {"KUBERNETES_SERVICE_PORT", "443"}},
       {{"token", "sa-token\n"}, {"ca.crt", "CA"}, {"namespace", "rollouts\n"}},
       {.server = {"https", "10.96.0.1", 443, ""}, .ca_pem = "CA", .namespace_ = "rollouts"}},
      {"ipv6 host is bracketed",
       {{"KUBERNETES_SERVICE_HOST", "fd00:10:96::1"}, {"KUBERNETES_SERVICE_PORT", "6443"}},
       {{"token", "sa-token"}, {"ca.crt", "CA"}, {"namespace", "rollouts"}},
       {.server = {"https", "fd00:10:96::1", 6443, ""}, .ca_pem = "CA", .namespace_ = "rollouts"}},
      {"POD_NAMESPACE wins over the namespace file",
       {{"KUBERNETES_SERVICE_HOST", "h"},
        {"KUBERNETES_SERVICE_PORT", "443"},
        {"POD_NAMESPACE", "from-env"}},
       {{"token", "sa-token"}, {"namespace", "from-file"}},
       {.server = {"https", "h", 443, ""}, .namespace_ = "from-env"}},
      {"no namespace file, no CA file",
       {{"KUBERNETES_SERVICE_HOST", "h"}, {"KUBERNETES_SERVICE_PORT", "443"}},
       {{"token", "sa-token"}},
       {.server = {"https", "h", 443, ""}, .namespace_ = "default"}},
  };
  for (Row& row : rows) {
    std::filesystem::remove_all(dir_.Path("sa"));
    for (const auto& [name, content] : row.files) dir_.Write("sa/" + name, content);
    row.want.credentials = TokenFile(dir_.Path("sa/token"));
    row.want.origin = "in-cluster service account";
    auto got = InClusterConfig(Paths(), FakeEnv(row.env));
    ASSERT_TRUE(got.ok()) << row.name << ": " << got.error();
    EXPECT_EQ(*got, row.want) << row.name;
    EXPECT_EQ(got->CurrentAuth()->bearer_token, "sa-token") << row.name;
  }
  EXPECT_EQ(InClusterConfig(Paths(), FakeEnv({{"KUBERNETES_SERVICE_HOST", "fd00::1"},
                                              {"KUBERNETES_SERVICE_PORT", "443"}}))
                ->server.ToString(),
            "https://[fd00::1]:443");
}

TEST_F(InClusterTest, ReportsWhatIsMissing) {
  std::map<std::string, std::string> in_cluster = {{"KUBERNETES_SERVICE_HOST", "h"},
                                                   {"KUBERNETES_SERVICE_PORT", "443"}};
  struct Row {
    const char* name;
    std::map<std::string, std::string> env;
    bool token_file;
    StatusCode code;
    const char* error;  // "$DIR" replaced
  } rows[] = {
      {"not in a cluster",
       {},
       true,
       StatusCode::kFailedPrecondition,
       "not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be "
       "set"},
      {"port missing",
       {{"KUBERNETES_SERVICE_HOST", "h"}},
       true,
       StatusCode::kFailedPrecondition,
       "not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be "
       "set"},
      {"bad port",
       {{"KUBERNETES_SERVICE_HOST", "h"}, {"KUBERNETES_SERVICE_PORT", "https"}},
       true,
       StatusCode::kInvalidArgument,
       "in-cluster server from KUBERNETES_SERVICE_HOST=h and KUBERNETES_SERVICE_PORT=https: port "
       "must be 1..65535, got \"https\""},
      {"no token file", in_cluster, false, StatusCode::kNotFound,
       "in-cluster config: token file $DIR/sa/token: No such file or directory"},
  };
  for (const Row& row : rows) {
    std::filesystem::remove_all(dir_.Path("sa"));
    if (row.token_file) dir_.Write("sa/token", "t");
    auto got = InClusterConfig(Paths(), FakeEnv(row.env));
    ASSERT_FALSE(got.ok()) << row.name;
    EXPECT_EQ(got.error().code(), row.code) << row.name;
    EXPECT_EQ(got.error().message(), WithDir(row.error, dir_.path())) << row.name;
  }
}

TEST_F(InClusterTest, UnreadableCaFileIsAnError) {
  dir_.Write("sa/token", "t");
  std::filesystem::create_directories(dir_.Path("sa/ca.crt"));  // a directory cannot be read
  auto got = InClusterConfig(
      Paths(), FakeEnv({{"KUBERNETES_SERVICE_HOST", "h"}, {"KUBERNETES_SERVICE_PORT", "443"}}));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().message(),
            "in-cluster CA file " + dir_.Path("sa/ca.crt") + ": Is a directory");
}

TEST_F(InClusterTest, RotatedTokenIsSeenOnTheNextRequest) {
  dir_.Write("sa/token", "first");
  auto config = InClusterConfig(
      Paths(), FakeEnv({{"KUBERNETES_SERVICE_HOST", "h"}, {"KUBERNETES_SERVICE_PORT", "443"}}));
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_EQ(config->CurrentAuth()->bearer_token, "first");
  dir_.Replace("sa/token", "secnd");
  EXPECT_EQ(config->CurrentAuth()->bearer_token, "secnd");
}

}  // namespace
}  // namespace devflow::kube
