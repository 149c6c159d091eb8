// End-to-end: the real kubectl against the real `devflow serve`, through the
// kubeconfig it writes. Runs every kubectl minor version the machine has at its
// oldest and newest (the machine image ships several beside /usr/bin/kubectl),
// so a change that suits one kubectl and breaks another fails here.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "command_runner.h"
#include "kubectl_binaries.h"
#include "serve_process.h"

namespace devflow {
namespace {

using testing::CommandOutput;
using testing::RunCommand;
using testing::ServeProcess;

const std::string kSource = DEVFLOW_SOURCE_DIR;

class KubectlTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam().empty()) GTEST_SKIP() << "no kubectl on this machine";
    ASSERT_TRUE(server_.Start()) << server_.log();
    // The bluegreen example lives in namespace production.
    // Through a manifest: kubectl's imperative `create namespace` sends protobuf from 1.3x on,
    // which devflow does not decode (docs/kubernetes-compatibility.md).
    CommandOutput ns =
        Kubectl("create -f -", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: production\n");
    ASSERT_EQ(ns.exit_code, 0) << ns.err;
  }
  CommandOutput Kubectl(const std::string& args, const std::string& input = "") {
    return RunCommand(GetParam() + " --kubeconfig " + server_.kubeconfig() + " --cache-dir " +
                          server_.data_dir() + "/kubectl-cache " + args,
                      input);
  }
  ServeProcess server_;
};

TEST_P(KubectlTest, CreateGetReplacePatchDelete) {
  CommandOutput created = Kubectl("create -f " + kSource + "/examples/canary/rollout.yaml");
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_EQ(created.out, "rollout.argoproj.io/notifications-service-canary created\n");

  CommandOutput listed = Kubectl("get rollouts");
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("notifications-service-canary"), std::string::npos) << listed.out;

  CommandOutput shown = Kubectl("get ro notifications-service-canary -o jsonpath={.spec.replicas}");
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_EQ(shown.out, "3");

  CommandOutput patched = Kubectl(
      "patch rollout notifications-service-canary --type merge -p "
      "'{\"spec\":{\"replicas\":5}}'");
  ASSERT_EQ(patched.exit_code, 0) << patched.err;
  EXPECT_EQ(patched.out, "rollout.argoproj.io/notifications-service-canary patched\n");
  EXPECT_EQ(Kubectl("get ro notifications-service-canary -o jsonpath={.spec.replicas}").out, "5");
  EXPECT_EQ(Kubectl("get ro notifications-service-canary -o "
                    "jsonpath={.metadata.generation}")
                .out,
            "2");

  // replace sends the file's object (replicas 3) over the live one.
  CommandOutput live = Kubectl("get ro notifications-service-canary -o json");
  ASSERT_EQ(live.exit_code, 0) << live.err;
  CommandOutput replaced = Kubectl("replace -f -", live.out);
  ASSERT_EQ(replaced.exit_code, 0) << replaced.err;
  EXPECT_EQ(replaced.out, "rollout.argoproj.io/notifications-service-canary replaced\n");

  CommandOutput deleted = Kubectl("delete rollout notifications-service-canary");
  ASSERT_EQ(deleted.exit_code, 0) << deleted.err;
  EXPECT_EQ(deleted.out, "rollout.argoproj.io \"notifications-service-canary\" deleted\n");
  CommandOutput gone = Kubectl("get rollout notifications-service-canary");
  EXPECT_NE(gone.exit_code, 0);
  EXPECT_NE(gone.err.find("NotFound"), std::string::npos) << gone.err;
}

TEST_P(KubectlTest, ApplyCustomResourceTwice) {
  const std::string file = kSource + "/examples/bluegreen/rollout.yaml";
  CommandOutput first = Kubectl("apply -f " + file);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.out, "rollout.argoproj.io/my-app created\n");
  CommandOutput second = Kubectl("apply -f " + file);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(second.out, "rollout.argoproj.io/my-app unchanged\n");
}

TEST_P(KubectlTest, CoreKindsAndNamespaces) {
  CommandOutput services = Kubectl("create -f " + kSource + "/examples/bluegreen/services.yaml");
  ASSERT_EQ(services.exit_code, 0) << services.err;
  CommandOutput listed = Kubectl("get svc -A -o name");
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_EQ(listed.out, "service/my-app-active\nservice/my-app-preview\n");
  CommandOutput invalid = Kubectl("-n production create -f -",
                                  "apiVersion: v1\nkind: Service\nmetadata:\n  name: Bad_Name\n");
  EXPECT_NE(invalid.exit_code, 0);
  EXPECT_NE(invalid.err.find("metadata.name"), std::string::npos) << invalid.err;
}

TEST_P(KubectlTest, WatchSeesChanges) {
  ASSERT_EQ(Kubectl("create -f " + kSource + "/examples/bluegreen/rollout.yaml").exit_code, 0);
  // kubectl get -w runs until killed: give it a deadline, change the object
  // meanwhile.
  const std::string watch_out = server_.data_dir() + "/watch.out";
  const std::string command = "timeout 20 " + GetParam() + " --kubeconfig " + server_.kubeconfig() +
                              " --cache-dir " + server_.data_dir() +
                              "/kubectl-cache get rollouts -A -w --output-watch-events >" +
                              watch_out + " 2>&1 & echo $! >" + watch_out + ".pid";
  ASSERT_EQ(std::system(command.c_str()), 0);
  // Wait until the watch printed the initial state, then change the object.
  for (int i = 0;
       i < 1000 && testing::ReadFileForTest(watch_out).find("my-app") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(Kubectl("-n production patch ro my-app --type merge -p '{\"spec\":{\"replicas\":4}}'")
                .exit_code,
            0);
  ASSERT_EQ(Kubectl("-n production delete ro my-app").exit_code, 0);
  std::string seen;
  for (int i = 0; i < 1000; ++i) {
    seen = testing::ReadFileForTest(watch_out);
    if (seen.find("DELETED") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  // Only this test's watch: the other kubectl version's test may run at the same time.
  std::system(("kill $(cat " + watch_out + ".pid) >/dev/null 2>&1").c_str());
  EXPECT_NE(seen.find("ADDED"), std::string::npos) << seen;
  EXPECT_NE(seen.find("MODIFIED"), std::string::npos) << seen;
  EXPECT_NE(seen.find("DELETED"), std::string::npos) << seen;
}

TEST_P(KubectlTest, RejectsAWrongToken) {
  CommandOutput anonymous = Kubectl("--token wrong get rollouts");
  EXPECT_NE(anonymous.exit_code, 0);
  EXPECT_NE(anonymous.err.find("Unauthorized"), std::string::npos) << anonymous.err;
}

INSTANTIATE_TEST_SUITE_P(Versions, KubectlTest, ::testing::ValuesIn(testing::KubectlTestParams()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           if (info.param.empty()) return std::string("none");
                           std::string name = info.param.substr(info.param.rfind('/') + 1);
                           for (char& c : name) {
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace devflow
