// kubectl against both servers (issue 8): the same kubectl session, with the oldest and the newest
// kubectl on the machine, against the embedded server and the real kube-apiserver, must print
// the same. Each run works in its own namespace (the real server is shared by parallel tests),
// so the examples are fed without their `namespace: production` line.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "command_runner.h"
#include "kubectl_binaries.h"
#include "server_under_test.h"

namespace devflow::testing {
namespace {

const std::string kSource = DEVFLOW_SOURCE_DIR;

std::string WithoutNamespace(std::string manifest) {
  const std::string line = "  namespace: production\n";
  for (size_t at; (at = manifest.find(line)) != std::string::npos;) manifest.erase(at, line.size());
  return manifest;
}

using Param = std::tuple<ServerKind, std::string>;

class KubectlBothServersTest : public ::testing::TestWithParam<Param> {
 protected:
  void SetUp() override {
    kubectl_ = std::get<1>(GetParam());
    if (kubectl_.empty()) GTEST_SKIP() << "no kubectl on this machine";
    std::string why;
    bool skip = false;
    server_ = ServerUnderTest::Open(std::get<0>(GetParam()), &why, &skip);
    if (skip) GTEST_SKIP() << why;
    ASSERT_NE(server_, nullptr) << why;
    ns_ = server_->NewNamespace("kubectl");
    cache_ = std::filesystem::temp_directory_path() / ServerUnderTest::UniqueName("kubectl-cache");
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(cache_, ignored);
  }
  std::string Base() const {
    // The real server is 1.20: newer kubectl warn about the skew on stderr, nothing else.
    return kubectl_ + " --kubeconfig " + server_->kubeconfig() + " --cache-dir " + cache_.string() +
           " -n " + ns_ + " ";
  }
  CommandOutput Kubectl(const std::string& args, const std::string& input = "") {
    return RunCommand(Base() + args, input);
  }

  std::string kubectl_;
  std::unique_ptr<ServerUnderTest> server_;
  std::string ns_;
  std::filesystem::path cache_;
};

TEST_P(KubectlBothServersTest, SessionPrintsTheSameOnBothServers) {
  const std::string rollout =
      WithoutNamespace(ReadFileForTest(kSource + "/examples/canary/rollout.yaml"));
  CommandOutput created = Kubectl("create -f -", rollout);
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_EQ(created.out, "rollout.argoproj.io/notifications-service-canary created\n");
  EXPECT_EQ(Kubectl("get rollouts -o name").out,
            "rollout.argoproj.io/notifications-service-canary\n");

  CommandOutput patched = Kubectl(
      "patch ro notifications-service-canary --type merge -p '{\"spec\":{\"replicas\":5}}'");
  ASSERT_EQ(patched.exit_code, 0) << patched.err;
  EXPECT_EQ(patched.out, "rollout.argoproj.io/notifications-service-canary patched\n");
  EXPECT_EQ(Kubectl("get ro notifications-service-canary -o "
                    "jsonpath={.spec.replicas}/{.metadata.generation}")
                .out,
            "5/2");

  CommandOutput live = Kubectl("get ro notifications-service-canary -o json");
  ASSERT_EQ(live.exit_code, 0) << live.err;
  CommandOutput replaced = Kubectl("replace -f -", live.out);
  ASSERT_EQ(replaced.exit_code, 0) << replaced.err;
  EXPECT_EQ(replaced.out, "rollout.argoproj.io/notifications-service-canary replaced\n");

  const std::string bluegreen =
      WithoutNamespace(ReadFileForTest(kSource + "/examples/bluegreen/rollout.yaml") + "---\n" +
                       ReadFileForTest(kSource + "/examples/bluegreen/services.yaml"));
  CommandOutput first = Kubectl("apply -f -", bluegreen);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.out,
            "rollout.argoproj.io/my-app created\nservice/my-app-active created\n"
            "service/my-app-preview created\n");
  CommandOutput second = Kubectl("apply -f -", bluegreen);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(second.out,
            "rollout.argoproj.io/my-app unchanged\nservice/my-app-active unchanged\n"
            "service/my-app-preview unchanged\n");
  EXPECT_EQ(Kubectl("get svc -o name").out, "service/my-app-active\nservice/my-app-preview\n");

  CommandOutput invalid =
      Kubectl("create -f -", "apiVersion: v1\nkind: Service\nmetadata:\n  name: Bad_Name\n");
  EXPECT_NE(invalid.exit_code, 0);
  EXPECT_NE(invalid.err.find("metadata.name"), std::string::npos) << invalid.err;

  CommandOutput deleted = Kubectl("delete ro notifications-service-canary");
  ASSERT_EQ(deleted.exit_code, 0) << deleted.err;
  EXPECT_EQ(deleted.out, "rollout.argoproj.io \"notifications-service-canary\" deleted\n");
  CommandOutput gone = Kubectl("get ro notifications-service-canary");
  EXPECT_NE(gone.exit_code, 0);
  EXPECT_NE(gone.err.find("NotFound"), std::string::npos) << gone.err;
}

TEST_P(KubectlBothServersTest, WatchSeesChanges) {
  const std::string bluegreen =
      WithoutNamespace(ReadFileForTest(kSource + "/examples/bluegreen/rollout.yaml"));
  ASSERT_EQ(Kubectl("create -f -", bluegreen).exit_code, 0);
  const std::string out = cache_.string() + ".watch";
  const std::string command = "mkdir -p " + cache_.string() + "; timeout 30 " + Base() +
                              "get rollouts -w --output-watch-events >" + out +
                              " 2>&1 & echo $! >" + out + ".pid";
  ASSERT_EQ(RunCommand(command).exit_code, 0);
  auto seen = [&] { return ReadFileForTest(out); };
  for (int i = 0; i < 1500 && seen().find("my-app") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(Kubectl("patch ro my-app --type merge -p '{\"spec\":{\"replicas\":4}}'").exit_code, 0);
  ASSERT_EQ(Kubectl("delete ro my-app").exit_code, 0);
  for (int i = 0; i < 1500 && seen().find("DELETED") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  RunCommand("kill $(cat " + out + ".pid) >/dev/null 2>&1; rm -f " + out + ".pid");
  const std::string events = seen();
  std::filesystem::remove(out);
  EXPECT_NE(events.find("ADDED"), std::string::npos) << events;
  EXPECT_NE(events.find("MODIFIED"), std::string::npos) << events;
  EXPECT_NE(events.find("DELETED"), std::string::npos) << events;
}

INSTANTIATE_TEST_SUITE_P(Servers, KubectlBothServersTest,
                         ::testing::Combine(::testing::Values(ServerKind::kEmbedded,
                                                              ServerKind::kReal),
                                            ::testing::ValuesIn(KubectlTestParams())),
                         [](const ::testing::TestParamInfo<Param>& info) {
                           std::string kubectl =
                               std::filesystem::path(std::get<1>(info.param)).filename().string();
                           for (char& c : kubectl) {
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return ServerKindName(std::get<0>(info.param)) + "_" + kubectl;
                         });

}  // namespace
}  // namespace devflow::testing
