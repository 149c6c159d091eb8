// The real kubectl against ServeDiscovery: `api-resources` with the oldest and the newest kubectl
// installed, over aggregated and classic discovery, and `create`/`replace`/`apply -f` with
// kubectl's default validation against a small in-memory fake of the object endpoints. Skipped
// when no kubectl is installed. Set DEVFLOW_KUBECTL_TRACE=1 to print every request kubectl made,
// DEVFLOW_KUBECTL_ALL=1 to run every installed kubectl instead of the oldest and the newest.
#include <gtest/gtest.h>
#include <stdio.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "api/merge_patch.h"
#include "apiserver/discovery.h"
#include "apiserver/sqlite_store_testing.h"
#include "common/json_reader.h"
#include "http/http_testing.h"
#include "http/server.h"

namespace devflow::apiserver {
namespace {

struct Kubectl {
  std::string path;
  int minor = 0;  // 0 when unknown
};

// The oldest and the newest kubectl of /usr/lib/google-cloud-sdk/bin/kubectl.1.NN (all of them
// with DEVFLOW_KUBECTL_ALL set), else /usr/bin/kubectl; empty when there is none.
std::vector<Kubectl> OldestAndNewestKubectl() {
  std::vector<Kubectl> found;
  std::error_code error;
  for (const auto& entry :
       std::filesystem::directory_iterator("/usr/lib/google-cloud-sdk/bin", error)) {
    const std::string name = entry.path().filename();
    if (!name.starts_with("kubectl.1.")) continue;
    const int minor = std::atoi(name.c_str() + 10);
    if (minor > 0) found.push_back(Kubectl{entry.path(), minor});
  }
  if (found.empty()) {
    if (std::filesystem::exists("/usr/bin/kubectl")) return {Kubectl{"/usr/bin/kubectl", 0}};
    return {};
  }
  std::sort(found.begin(), found.end(),
            [](const Kubectl& a, const Kubectl& b) { return a.minor < b.minor; });
  if (found.size() == 1 || std::getenv("DEVFLOW_KUBECTL_ALL") != nullptr) return found;
  return {found.front(), found.back()};
}

json::Value ParseOrDie(std::string_view text) {
  auto value = json::Parse(text);
  if (!value.ok()) {
    ADD_FAILURE() << value.error() << " in " << text;
    return json::Value();
  }
  return *value;
}

struct Recorded {
  std::string method, target, accept, content_type;
  int status = 0;
};

// An http::Server that answers discovery with ServeDiscovery and keeps the objects kubectl
// writes in memory (create, get, replace, merge patch), recording every request.
class FakeApiServer {
 public:
  // `classic_only`: answer /api and /apis as a server without aggregated discovery would.
  FakeApiServer(const ResourceCatalog& catalog, bool classic_only)
      : catalog_(catalog),
        classic_only_(classic_only),
        handler_([this](const http::Request& request, http::ResponseWriter& writer) {
          http::Response response = Answer(request);
          {
            std::lock_guard lock(mu_);
            log_.push_back(Recorded{request.method, request.target,
                                    std::string(request.Header("Accept")),
                                    std::string(request.Header("Content-Type")), response.status});
          }
          writer.Send(std::move(response));
        }),
        server_(http::testing::StartServer(handler_)) {}

  std::string url() const { return http::testing::BaseUrl(*server_); }

  std::vector<Recorded> log() const {
    std::lock_guard lock(mu_);
    return log_;
  }

 private:
  static http::Response Json(int status, const json::Value& body) {
    return http::Response{status, {{"Content-Type", "application/json"}}, json::Write(body)};
  }

  static http::Response NotFound(const std::string& name) {
    return Json(404, json::Object{{"kind", "Status"},
                                  {"apiVersion", "v1"},
                                  {"metadata", json::Object{}},
                                  {"status", "Failure"},
                                  {"message", "\"" + name + "\" not found"},
                                  {"reason", "NotFound"},
                                  {"details", json::Object{{"name", name}}},
                                  {"code", 404}});
  }

  http::Response Answer(const http::Request& request) {
    const std::string path = request.Path();
    http::Request discovery = request;
    if (classic_only_ && (path == "/api" || path == "/apis")) {
      std::erase_if(discovery.headers, [](const auto& h) { return h.first == "Accept"; });
    }
    if (std::optional<http::Response> response = ServeDiscovery(catalog_, discovery)) {
      return *response;
    }
    std::lock_guard lock(mu_);
    const std::string name = path.substr(path.rfind('/') + 1);
    if (request.method == "GET") {
      auto it = objects_.find(path);
      return it == objects_.end() ? NotFound(name) : Json(200, it->second);
    }
    auto body = json::Parse(request.body);
    if (!body.ok()) return Json(400, json::Object{{"message", body.error().message()}});
    json::Value object = *body;
    if (request.method == "POST") {
      object["metadata"]["resourceVersion"] = std::to_string(++version_);
      objects_[path + "/" + object["metadata"]["name"].as_string()] = object;
      return Json(201, object);
    }
    if (request.method == "PUT") {
      object["metadata"]["resourceVersion"] = std::to_string(++version_);
      objects_[path] = object;
      return Json(200, object);
    }
    if (request.method == "PATCH" &&
        request.Header("Content-Type") == "application/merge-patch+json") {
      auto it = objects_.find(path);
      if (it == objects_.end()) return NotFound(name);
      auto patched = api::ApplyMergePatch(it->second, object);
      if (!patched.ok()) return Json(422, json::Object{{"message", patched.error().message()}});
      it->second = *patched;
      it->second["metadata"]["resourceVersion"] = std::to_string(++version_);
      return Json(200, it->second);
    }
    return Json(415, json::Object{{"message", "unsupported"}});
  }

  const ResourceCatalog& catalog_;
  const bool classic_only_;
  mutable std::mutex mu_;
  std::vector<Recorded> log_;                   // guarded by mu_
  std::map<std::string, json::Value> objects_;  // by item path; guarded by mu_
  int version_ = 0;                             // guarded by mu_
  http::FunctionHandler handler_;
  std::unique_ptr<http::Server> server_;
};

// A temp dir with a kubeconfig pointing at `url` (token user, namespace default).
class KubectlEnvironment {
 public:
  explicit KubectlEnvironment(const std::string& url) {
    std::ofstream(dir_.File("kubeconfig")) << "apiVersion: v1\n"
                                              "kind: Config\n"
                                              "clusters:\n"
                                              "- name: devflow\n"
                                              "  cluster:\n"
                                              "    server: "
                                           << url
                                           << "\n"
                                              "users:\n"
                                              "- name: devflow\n"
                                              "  user:\n"
                                              "    token: test-token\n"
                                              "contexts:\n"
                                              "- name: devflow\n"
                                              "  context: {cluster: devflow, user: devflow, "
                                              "namespace: default}\n"
                                              "current-context: devflow\n";
  }

  std::string File(const std::string& name, const std::string& content) const {
    std::ofstream(dir_.File(name)) << content;
    return dir_.File(name);
  }

  // Runs kubectl with `args`; returns its output (stdout and stderr) and sets *exit_code.
  std::string Run(const Kubectl& kubectl, const std::string& args, int* exit_code) const {
    const std::string command = "'" + kubectl.path + "' --kubeconfig '" + dir_.File("kubeconfig") +
                                "' --cache-dir '" + dir_.File("cache") +
                                "' --request-timeout=30s " + args + " 2>&1";
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) {
      *exit_code = -1;
      return "popen failed";
    }
    std::string output;
    char buffer[4096];
    while (size_t n = std::fread(buffer, 1, sizeof(buffer), pipe)) output.append(buffer, n);
    const int status = ::pclose(pipe);
    *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return output;
  }

 private:
  TempDir dir_;
};

std::string Describe(const std::vector<Recorded>& log) {
  std::string out;
  for (const Recorded& r : log) {
    out += "  " + r.method + " " + r.target + " -> " + std::to_string(r.status) +
           "  Accept: " + r.accept +
           (r.content_type.empty() ? "" : "  Content-Type: " + r.content_type) + "\n";
  }
  return out;
}

void Trace(const std::string& what, const std::vector<Recorded>& log) {
  if (std::getenv("DEVFLOW_KUBECTL_TRACE") != nullptr) std::cout << what << ":\n" << Describe(log);
}

std::string Name(const Kubectl& kubectl) {
  return kubectl.minor > 0 ? "kubectl 1." + std::to_string(kubectl.minor) : kubectl.path;
}

json::Value WidgetCrd() {
  return ParseOrDie(R"({
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.example.com"},
    "spec": {"group": "example.com",
             "names": {"plural": "widgets", "kind": "Widget", "shortNames": ["wg"]},
             "scope": "Namespaced",
             "versions": [{"name": "v1", "served": true, "storage": true,
                           "schema": {"openAPIV3Schema": {"type": "object"}}}]}})");
}

struct ApiResourceRow {
  std::string short_names, api_version, namespaced, kind;
  friend bool operator==(const ApiResourceRow&, const ApiResourceRow&) = default;
};

std::ostream& operator<<(std::ostream& os, const ApiResourceRow& row) {
  return os << "{" << row.short_names << " " << row.api_version << " " << row.namespaced << " "
            << row.kind << "}";
}

// The rows of `kubectl api-resources` by NAME (columns NAME SHORTNAMES APIVERSION NAMESPACED
// KIND; SHORTNAMES may be blank).
std::map<std::string, ApiResourceRow> ParseApiResources(const std::string& output) {
  std::map<std::string, ApiResourceRow> rows;
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::vector<std::string> f;
    for (std::string word; fields >> word;) f.push_back(word);
    if (f.size() == 5) rows[f[0]] = ApiResourceRow{f[1], f[2], f[3], f[4]};
    if (f.size() == 4) rows[f[0]] = ApiResourceRow{"", f[1], f[2], f[3]};
  }
  return rows;
}

TEST(DiscoveryKubectlTest, ApiResourcesListsTheCatalog) {
  const std::vector<Kubectl> kubectls = OldestAndNewestKubectl();
  if (kubectls.empty()) GTEST_SKIP() << "no kubectl installed";
  ResourceCatalog catalog;
  ASSERT_EQ(catalog.AddCrd(WidgetCrd()), Status::Ok());
  const std::map<std::string, ApiResourceRow> expected = {
      {"rollouts", {"ro", "argoproj.io/v1alpha1", "true", "Rollout"}},
      {"analysistemplates", {"at", "argoproj.io/v1alpha1", "true", "AnalysisTemplate"}},
      {"clusteranalysistemplates",
       {"cat", "argoproj.io/v1alpha1", "false", "ClusterAnalysisTemplate"}},
      {"analysisruns", {"ar", "argoproj.io/v1alpha1", "true", "AnalysisRun"}},
      {"experiments", {"exp", "argoproj.io/v1alpha1", "true", "Experiment"}},
      {"replicasets", {"rs", "apps/v1", "true", "ReplicaSet"}},
      {"deployments", {"deploy", "apps/v1", "true", "Deployment"}},
      {"pods", {"po", "v1", "true", "Pod"}},
      {"services", {"svc", "v1", "true", "Service"}},
      {"namespaces", {"ns", "v1", "false", "Namespace"}},
      {"secrets", {"", "v1", "true", "Secret"}},
      {"jobs", {"", "batch/v1", "true", "Job"}},
      {"leases", {"", "coordination.k8s.io/v1", "true", "Lease"}},
      {"virtualservices", {"vs", "networking.istio.io/v1beta1", "true", "VirtualService"}},
      {"customresourcedefinitions",
       {"crd,crds", "apiextensions.k8s.io/v1", "false", "CustomResourceDefinition"}},
      {"widgets", {"wg", "example.com/v1", "true", "Widget"}},
  };
  for (const Kubectl& kubectl : kubectls) {
    for (bool classic : {false, true}) {
      const std::string name = Name(kubectl) + (classic ? ", classic discovery" : ", aggregated");
      SCOPED_TRACE(name);
      FakeApiServer server(catalog, classic);
      KubectlEnvironment env(server.url());
      int exit_code = 0;
      std::string output = env.Run(kubectl, "api-resources", &exit_code);
      Trace(name + " api-resources", server.log());
      ASSERT_EQ(exit_code, 0) << output << Describe(server.log());
      std::map<std::string, ApiResourceRow> rows = ParseApiResources(output);
      for (const auto& [resource, row] : expected) {
        EXPECT_EQ(rows[resource], row) << resource << "\n" << output;
      }
      EXPECT_EQ(rows.size(), catalog.All().size() + 1) << "every resource plus the header\n"
                                                       << output;
      // With aggregated discovery kubectl needs only /api and /apis.
      bool group_version_fetched = false;
      for (const Recorded& r : server.log()) {
        group_version_fetched |= r.target.starts_with("/apis/argoproj.io/v1alpha1");
      }
      EXPECT_EQ(group_version_fetched, classic) << Describe(server.log());
    }
  }
}

TEST(DiscoveryKubectlTest, CreateReplaceAndApplyLeaveValidationToTheServer) {
  const std::vector<Kubectl> kubectls = OldestAndNewestKubectl();
  if (kubectls.empty()) GTEST_SKIP() << "no kubectl installed";
  ResourceCatalog catalog;
  ASSERT_EQ(catalog.AddCrd(WidgetCrd()), Status::Ok());
  for (const Kubectl& kubectl : kubectls) {
    SCOPED_TRACE(Name(kubectl));
    FakeApiServer server(catalog, /*classic_only=*/false);
    KubectlEnvironment env(server.url());
    const std::string rollout = env.File("rollout.yaml",
                                         "apiVersion: argoproj.io/v1alpha1\n"
                                         "kind: Rollout\n"
                                         "metadata:\n"
                                         "  name: web\n"
                                         "spec:\n"
                                         "  replicas: 2\n");
    const std::string widget = env.File("widget.yaml",
                                        "apiVersion: example.com/v1\n"
                                        "kind: Widget\n"
                                        "metadata:\n"
                                        "  name: w1\n"
                                        "spec:\n"
                                        "  size: 3\n");
    struct Step {
      std::string args, expected_output;
    };
    for (const Step& step : std::vector<Step>{
             {"create -f " + rollout, "rollout.argoproj.io/web created"},
             {"replace -f " + rollout, "rollout.argoproj.io/web replaced"},
             {"apply -f " + rollout, "rollout.argoproj.io/web configured"},
             {"apply -f " + widget, "widget.example.com/w1 created"},
         }) {
      int exit_code = 0;
      std::string output = env.Run(kubectl, step.args, &exit_code);
      EXPECT_EQ(exit_code, 0) << step.args << ":\n" << output << Describe(server.log());
      EXPECT_NE(output.find(step.expected_output), std::string::npos) << step.args << ":\n"
                                                                      << output;
    }
    const std::vector<Recorded> log = server.log();
    Trace(Name(kubectl) + " create, replace, apply", log);
    int writes = 0;
    bool read_v3_index = false;
    for (const Recorded& r : log) {
      if (r.method != "GET") {
        ++writes;
        EXPECT_NE(r.target.find("fieldValidation=Strict"), std::string::npos)
            << r.method << " " << r.target << ": kubectl left validation to the server";
      }
      if (r.target.starts_with("/openapi")) {
        EXPECT_EQ(r.status, 200) << r.target << "\n" << Describe(log);
      }
      read_v3_index |= r.target.starts_with("/openapi/v3?") || r.target == "/openapi/v3";
    }
    EXPECT_EQ(writes, 4) << Describe(log);
    EXPECT_TRUE(read_v3_index) << Describe(log);
  }
}

}  // namespace
}  // namespace devflow::apiserver
