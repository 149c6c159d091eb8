// The first tests against a real Kubernetes control plane (scripts/kube-lab, issue 8): devflow's
// CRDs install on kube-apiserver, and devflow's client and CLI give there what they give against
// the embedded server. CTest starts the lab once (fixture kube_lab) and passes its directory in
// KUBE_LAB_DIR; without it the tests skip.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

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

// Every example through `devflow apply` (twice), `devflow get` and `devflow delete`, against the
// real server and the embedded one: the same output. Files with Istio or Gateway API objects are
// left out: the lab does not install those CRDs (kube-apiserver would answer "no matches for
// kind"), while the embedded server serves Gateways and HTTPRoutes itself.
TEST_F(LabTest, ExamplesApplyGetAndDeleteTheSameOnBothServers) {
  testing::ServeProcess embedded;
  ASSERT_TRUE(embedded.Start()) << embedded.log();
  const std::string ns = "lab-examples";
  const std::string namespace_doc =
      "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + ns + "\n";
  std::vector<std::string> files;
  for (const auto& dir : std::filesystem::directory_iterator(kSource + "/examples")) {
    if (!dir.is_directory()) continue;
    for (const auto& file : std::filesystem::directory_iterator(dir.path())) {
      if (file.path().extension() != ".yaml") continue;
      const std::string text = testing::ReadFileForTest(file.path().string());
      if (text.find("networking.istio.io/") != std::string::npos ||
          text.find("gateway.networking.k8s.io/") != std::string::npos) {
        continue;
      }
      files.push_back(file.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 8u);
  std::map<std::string, std::vector<std::string>> transcripts;  // kubeconfig -> outputs
  for (const std::string& kubeconfig : {kubeconfig_, embedded.kubeconfig()}) {
    SCOPED_TRACE(kubeconfig);
    std::vector<std::string>& transcript = transcripts[kubeconfig];
    ASSERT_EQ(Devflow(kubeconfig, "apply -f -", namespace_doc).exit_code, 0);
    for (const std::string& file : files) {
      // -n cannot override a namespace written in the file, so feed it without.
      std::string manifest = testing::ReadFileForTest(file);
      for (size_t at; (at = manifest.find("  namespace: production\n")) != std::string::npos;) {
        manifest.erase(at, std::string("  namespace: production\n").size());
      }
      for (const char* step :
           {"apply -f -", "apply -f -", "get rollouts -o name", "get services -o name",
            "get deployments -o name", "get ingresses -o name", "get analysistemplates -o name",
            "delete -f -"}) {
        CommandOutput out = Devflow(kubeconfig, "-n " + ns + " " + step, manifest);
        transcript.push_back(file + ": " + step + ": exit " + std::to_string(out.exit_code) + "\n" +
                             out.out + out.err);
      }
    }
  }
  const std::vector<std::string>& real = transcripts[kubeconfig_];
  const std::vector<std::string>& mine = transcripts[embedded.kubeconfig()];
  ASSERT_EQ(real.size(), mine.size());
  for (size_t i = 0; i < real.size(); ++i) EXPECT_EQ(mine[i], real[i]);
  // The transcripts are not trivially equal: every apply created something.
  EXPECT_NE(real.front().find("created"), std::string::npos) << real.front();
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
