// The first tests against a real Kubernetes control plane (scripts/kube-lab, issue 8): devflow's
// CRDs install on kube-apiserver, and devflow's client and CLI give there what they give against
// the embedded server. CTest starts the lab once (fixture kube_lab) and passes its directory in
// KUBE_LAB_DIR; without it the tests skip.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "command_runner.h"
#include "common/eventually_testing.h"
#include "common/json_value.h"
#include "kube/api_client.h"
#include "kube/client_config.h"
#include "serve_process.h"

namespace devflow {
namespace {

using testing::CommandOutput;
using testing::Eventually;
using testing::RunCommand;

const std::string kDevflow = DEVFLOW_BINARY;
const std::string kSource = DEVFLOW_SOURCE_DIR;

std::string LabKubeconfig() {
  const char* dir = std::getenv("KUBE_LAB_DIR");
  return dir == nullptr ? "" : std::string(dir) + "/kubeconfig";
}

class LabTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kubeconfig_ = LabKubeconfig();
    if (kubeconfig_.empty()) GTEST_SKIP() << "KUBE_LAB_DIR is not set (run through CTest)";
    // The CRDs are installed once by the fixture (tests/CMakeLists.txt: kube_lab.crds).
  }
  CommandOutput Kubectl(const std::string& args, const std::string& input = "") {
    return RunCommand("kubectl --kubeconfig " + kubeconfig_ + " " + args, input);
  }
  CommandOutput Devflow(const std::string& kubeconfig, const std::string& args,
                        const std::string& input = "") {
    return RunCommand(kDevflow + " --kubeconfig " + kubeconfig + " " + args, input);
  }
  std::string kubeconfig_;
};

TEST_F(LabTest, CrdsServeTheArgoprojResources) {
  CommandOutput resources = Kubectl("api-resources --api-group argoproj.io -o name");
  ASSERT_EQ(resources.exit_code, 0) << resources.err;
  for (const char* name : {"rollouts.argoproj.io", "analysistemplates.argoproj.io",
                           "clusteranalysistemplates.argoproj.io", "analysisruns.argoproj.io",
                           "experiments.argoproj.io"}) {
    EXPECT_NE(resources.out.find(name), std::string::npos) << name << " in " << resources.out;
  }
}

// The same manifests through `devflow apply`, then `devflow get`, against the real server and
// the embedded one: the same output.
TEST_F(LabTest, ApplyAndGetAgreeWithTheEmbeddedServer) {
  testing::ServeProcess embedded;
  ASSERT_TRUE(embedded.Start()) << embedded.log();
  const std::string ns = "lab-apply";
  const std::string namespace_doc =
      "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + ns + "\n";
  // The example's namespace is production; -n cannot override a written namespace, so feed
  // the rollout and services without it.
  std::string manifests = testing::ReadFileForTest(kSource + "/examples/bluegreen/rollout.yaml") +
                          "\n---\n" +
                          testing::ReadFileForTest(kSource + "/examples/bluegreen/services.yaml");
  for (size_t at; (at = manifests.find("  namespace: production\n")) != std::string::npos;) {
    manifests.erase(at, std::string("  namespace: production\n").size());
  }
  for (const std::string& kubeconfig : {kubeconfig_, embedded.kubeconfig()}) {
    SCOPED_TRACE(kubeconfig);
    CommandOutput created = Devflow(kubeconfig, "apply -f -", namespace_doc);
    ASSERT_EQ(created.exit_code, 0) << created.err;
    CommandOutput first = Devflow(kubeconfig, "-n " + ns + " apply -f -", manifests);
    ASSERT_EQ(first.exit_code, 0) << first.err;
    EXPECT_EQ(first.out,
              "rollout.argoproj.io/my-app created\n"
              "service/my-app-active created\n"
              "service/my-app-preview created\n");
    CommandOutput second = Devflow(kubeconfig, "-n " + ns + " apply -f -", manifests);
    ASSERT_EQ(second.exit_code, 0) << second.err;
    EXPECT_EQ(second.out,
              "rollout.argoproj.io/my-app unchanged\n"
              "service/my-app-active unchanged\n"
              "service/my-app-preview unchanged\n");
    CommandOutput rollouts = Devflow(kubeconfig, "-n " + ns + " get ro -o name");
    EXPECT_EQ(rollouts.out, "rollout.argoproj.io/my-app\n") << rollouts.err;
    CommandOutput deleted = Devflow(kubeconfig, "-n " + ns + " delete ro my-app");
    EXPECT_EQ(deleted.out, "rollout.argoproj.io \"my-app\" deleted\n") << deleted.err;
  }
  Kubectl("delete namespace " + ns + " --wait=false");
}

// A stale update is refused with 409 and RetryOnConflict gets through, on the real server.
TEST_F(LabTest, ConflictAndRetryOnTheRealServer) {
  kube::LoadOptions options;
  options.kubeconfig_path = kubeconfig_;
  options.env = [](const std::string&) { return std::nullopt; };
  Result<kube::ClientConfig> config = kube::ResolveClientConfig(options);
  ASSERT_TRUE(config.ok()) << config.status();
  Result<std::unique_ptr<kube::ApiClient>> client = kube::ApiClient::Create(*config);
  ASSERT_TRUE(client.ok()) << client.status();
  const kube::ResourceRef leases{"coordination.k8s.io", "v1", "leases", "Lease", true};
  json::Value lease =
      json::Object{{"apiVersion", "coordination.k8s.io/v1"},
                   {"kind", "Lease"},
                   {"metadata", json::Object{{"name", "lab-conflict"}, {"namespace", "default"}}},
                   {"spec", json::Object{{"holderIdentity", "a"}}}};
  (void)(*client)->Delete(leases, "default", "lab-conflict");
  Result<json::Value> created = (*client)->Create(leases, "default", lease);
  ASSERT_TRUE(created.ok()) << created.status();
  json::Value stale = *created;
  json::Value fresh = *created;
  fresh["spec"].as_object().Set("holderIdentity", "b");
  ASSERT_TRUE((*client)->Update(leases, "default", fresh).ok());
  stale["spec"].as_object().Set("holderIdentity", "c");
  Result<json::Value> refused = (*client)->Update(leases, "default", stale);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kConflict) << refused.status();

  Result<json::Value> retried = kube::RetryOnConflict([&]() -> Result<json::Value> {
    DEVFLOW_ASSIGN_OR_RETURN(json::Value current,
                             (*client)->Get(leases, "default", "lab-conflict"));
    current["spec"].as_object().Set("holderIdentity", "c");
    return (*client)->Update(leases, "default", current);
  });
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_EQ(retried->Find("spec")->Find("holderIdentity")->as_string(), "c");
  EXPECT_TRUE((*client)->Delete(leases, "default", "lab-conflict").ok());
}

}  // namespace
}  // namespace devflow
