// Response shapes compared (issue 8): one recorded sequence of requests is played against the
// embedded server and the real kube-apiserver, and the answers must have the same shape: status
// codes, Status bodies (status, reason, code, details with causes' types and fields), which
// top-level and metadata fields are set, list kinds, and watch event types in order.
//
// Masked, because they must differ between two servers (and this is the whole list):
//   - the values of metadata.uid, creationTimestamp, resourceVersion, deletionTimestamp and of a
//     Status's details.uid (only whether they are set is compared);
//   - metadata.managedFields, which kube-apiserver writes for server-side apply and the
//     embedded server does not implement (docs/kubernetes-compatibility.md).
// Messages are not compared (kube-apiserver's wording is copied where devflow knows it, but
// a difference in wording is not a difference in behaviour).
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "common/json_reader.h"
#include "common/json_value.h"
#include "server_under_test.h"

namespace devflow::testing {
namespace {

struct Step {
  const char* what;
  const char* method;
  std::string target;  // "$NS" is replaced by the test's namespace
  std::string body;
};

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = 0; (at = text.find(from, at)) != std::string::npos; at += to.size()) {
    text.replace(at, from.size(), to);
  }
  return text;
}

std::string Keys(const json::Value& object, const std::set<std::string>& masked = {}) {
  std::set<std::string> keys;
  if (object.is_object()) {
    for (const auto& [key, value] : object.as_object()) {
      if (!masked.contains(key)) keys.insert(key);
    }
  }
  std::string out;
  for (const std::string& key : keys) out += (out.empty() ? "" : ",") + key;
  return "{" + out + "}";
}

// The shape of one answer, as one line.
std::string ShapeOf(int code, const std::string& body) {
  std::string shape = std::to_string(code);
  Result<json::Value> parsed = json::Parse(body);
  if (!parsed.ok()) return shape + " <not JSON>";
  const json::Value& value = *parsed;
  const std::string kind = json::StringAt(value, {"kind"});
  shape += " " + kind + " " + json::StringAt(value, {"apiVersion"});
  if (kind == "Status") {
    shape += " status=" + json::StringAt(value, {"status"}) +
             " reason=" + json::StringAt(value, {"reason"});
    if (const json::Value* c = value.Find("code")) shape += " code=" + json::Write(*c);
    if (const json::Value* details = value.Find("details")) {
      shape += " details=" + Keys(*details) + " name=" + json::StringAt(*details, {"name"}) +
               " group=" + json::StringAt(*details, {"group"}) +
               " kind=" + json::StringAt(*details, {"kind"});
      if (const json::Value* causes = details->Find("causes"); causes && causes->is_array()) {
        for (const json::Value& cause : causes->as_array()) {
          shape += " cause=" + json::StringAt(cause, {"reason"}) + "@" +
                   json::StringAt(cause, {"field"});
        }
      }
    }
    return shape;
  }
  shape += " fields=" + Keys(value);
  if (const json::Value* metadata = value.Find("metadata")) {
    shape += " metadata=" + Keys(*metadata, {"managedFields"});
  }
  if (const json::Value* items = value.Find("items"); items && items->is_array()) {
    shape += " items=" + std::to_string(items->as_array().size());
  }
  return shape;
}

std::string SecretBody(const std::string& name) {
  // Only "a" is watched (the watch's selector excludes label other).
  const std::string labels =
      name == "a" ? R"({"app":"shapes"})" : R"({"app":"shapes","other":"1"})";
  return R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":")" + name + R"(","labels":)" +
         labels + R"(},"type":"Opaque","data":{"k":"dg=="}})";
}

std::vector<Step> Sequence() {
  const std::string secrets = "/api/v1/namespaces/$NS/secrets";
  const std::string leases = "/apis/coordination.k8s.io/v1/namespaces/$NS/leases";
  const std::string rollouts = "/apis/argoproj.io/v1alpha1/namespaces/$NS/rollouts";
  return {
      {"create", "POST", secrets, SecretBody("a")},
      {"create again", "POST", secrets, SecretBody("a")},
      {"get", "GET", secrets + "/a", ""},
      {"get missing", "GET", secrets + "/missing", ""},
      {"stale update", "PUT", secrets + "/a",
       R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"a","resourceVersion":"1"}})"},
      {"update with the wrong name", "PUT", secrets + "/a",
       R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"b"}})"},
      {"invalid name", "POST", secrets, SecretBody("Not_A_Name")},
      {"no name", "POST", secrets, R"({"apiVersion":"v1","kind":"Secret","metadata":{}})"},
      {"wrong kind for the path", "POST", secrets,
       R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"x"}})"},
      {"malformed body", "POST", secrets, "{not json"},
      {"create another", "POST", secrets, SecretBody("b")},
      {"list", "GET", secrets + "?labelSelector=app%3Dshapes", ""},
      {"list with limit", "GET", secrets + "?labelSelector=app%3Dshapes&limit=1", ""},
      {"bad label selector", "GET", secrets + "?labelSelector=a%20in%20(", ""},
      {"unsupported field selector", "GET", secrets + "?fieldSelector=spec.x%3Dy", ""},
      {"delete another", "DELETE", secrets + "/b", ""},
      {"merge patch", "PATCH", secrets + "/a", R"({"metadata":{"labels":{"step":"patched"}}})"},
      {"finalizer added", "PATCH", secrets + "/a",
       R"({"metadata":{"finalizers":["test.io/hold"]}})"},
      {"delete held", "DELETE", secrets + "/a", ""},
      {"get held", "GET", secrets + "/a", ""},
      {"finalizer removed", "PATCH", secrets + "/a", R"({"metadata":{"finalizers":null}})"},
      {"get released", "GET", secrets + "/a", ""},
      {"delete missing", "DELETE", secrets + "/a", ""},
      {"create lease", "POST", leases,
       R"({"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"l"},)"
       R"("spec":{"holderIdentity":"x"}})"},
      {"delete lease", "DELETE", leases + "/l", ""},
      {"list rollouts", "GET", rollouts, ""},
      {"get missing rollout", "GET", rollouts + "/nope", ""},
      {"unknown resource", "GET", "/api/v1/namespaces/$NS/widgets", ""},
      {"unknown group", "GET", "/apis/nothing.example.com/v1/namespaces/$NS/widgets", ""},
      {"missing namespace", "POST", "/api/v1/namespaces/no-such-ns-shapes/secrets",
       SecretBody("c")},
  };
}

// Plays the sequence and, in between, a watch over secrets: the watch's event types in order.
std::vector<std::string> Play(ServerUnderTest& server) {
  const std::string ns = server.NewNamespace("shapes");
  std::vector<std::string> lines;
  Result<kube::ObjectList> start = server.client().List(kSecrets, ns);
  if (!start.ok()) return {"list failed: " + start.error().message()};
  kube::WatchRequest request;
  request.resource_version = start->resource_version;
  request.allow_bookmarks = false;
  // Only the sequence's own secrets: kube-controller-manager adds a service-account token secret
  // to every new namespace, the embedded server has no service accounts.
  request.label_selector = "app=shapes,!other";
  Result<std::unique_ptr<kube::WatchStream>> watch = server.client().Watch(kSecrets, ns, request);
  if (!watch.ok()) return {"watch failed: " + watch.error().message()};

  for (const Step& step : Sequence()) {
    Result<http::Response> response =
        server.Raw(step.method, Replace(step.target, "$NS", ns), Replace(step.body, "$NS", ns));
    lines.push_back(std::string(step.what) + ": " +
                    (response.ok() ? ShapeOf(response->status, response->body)
                                   : "transport error " + response.error().message()));
  }

  // The secret's life: ADDED, MODIFIED (patch), MODIFIED (finalizer), MODIFIED (marked),
  // MODIFIED?, DELETED. Read until DELETED or 20 s.
  std::string events = "watch:";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    Result<std::optional<kube::WatchEvent>> event = (*watch)->Next(std::chrono::seconds(1));
    if (!event.ok() || !event->has_value()) continue;
    const kube::WatchEventType type = (*event)->type;
    if (type == kube::WatchEventType::kBookmark) continue;
    events += type == kube::WatchEventType::kAdded      ? " ADDED"
              : type == kube::WatchEventType::kModified ? " MODIFIED"
                                                        : " DELETED";
    if (type == kube::WatchEventType::kDeleted) break;
  }
  (*watch)->Cancel();
  lines.push_back(events);
  return lines;
}

TEST(ResponseShapesTest, EmbeddedAnswersLikeKubeApiserver) {
  std::string why;
  bool skip = false;
  std::unique_ptr<ServerUnderTest> real = ServerUnderTest::Open(ServerKind::kReal, &why, &skip);
  if (skip) GTEST_SKIP() << why;
  ASSERT_NE(real, nullptr) << why;
  std::unique_ptr<ServerUnderTest> embedded =
      ServerUnderTest::Open(ServerKind::kEmbedded, &why, &skip);
  ASSERT_NE(embedded, nullptr) << why;

  const std::vector<std::string> want = Play(*real);
  const std::vector<std::string> got = Play(*embedded);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got[i], want[i]) << "step " << i << " (embedded vs kube-apiserver)";
  }
}

}  // namespace
}  // namespace devflow::testing
