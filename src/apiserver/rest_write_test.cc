// RestHandler over real HTTP: create, update, patch and the status subresource.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "apiserver/rest_testing.h"

namespace devflow::apiserver {
namespace {

using rest_testing::At;
using rest_testing::ParseOrDie;
using rest_testing::ReplicaSetJson;
using rest_testing::RestFixture;
using rest_testing::RolloutJson;
using rest_testing::SecretJson;
using rest_testing::Str;
using rest_testing::WidgetCrdJson;
using rest_testing::WidgetJson;

constexpr char kRollouts[] = "/apis/argoproj.io/v1alpha1/namespaces/default/rollouts";
constexpr char kReplicaSets[] = "/apis/apps/v1/namespaces/default/replicasets";
constexpr char kSecrets[] = "/api/v1/namespaces/default/secrets";
constexpr char kWidgets[] = "/apis/example.com/v1/namespaces/default/widgets";
constexpr char kCrds[] = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";

class RestWriteTest : public RestFixture {
 protected:
  void AddWidgetCrd(bool status = false) { MustCreate(kCrds, WidgetCrdJson(false, status)); }
};

TEST_F(RestWriteTest, CreateFillsSystemFields) {
  http::Response response =
      Post(kRollouts, RolloutJson("web", "default", R"(,"labels":{"app":"web"})"));
  ASSERT_EQ(response.status, 201) << response.body;
  EXPECT_EQ(response.Header("Content-Type"), "application/json");
  json::Value created = ParseOrDie(response.body);
  EXPECT_EQ(Str(created, "metadata.uid"), "uid-1");
  EXPECT_EQ(Str(created, "metadata.creationTimestamp"), "2026-11-23T10:00:00Z");
  EXPECT_EQ(At(created, "metadata.generation"), json::Value(1));
  EXPECT_EQ(Str(created, "metadata.resourceVersion"), std::to_string(sqlite_->Versions().current));
  EXPECT_EQ(Str(created, "metadata.labels.app"), "web");
  EXPECT_EQ(Str(created, "spec.strategy.canary.steps"), R"([{"setWeight":20},{"pause":{}}])");
  EXPECT_EQ(response.body, sqlite_->Get({"argoproj.io/rollouts", "default", "web"})->json);
}

TEST_F(RestWriteTest, CreateKeepsUnknownFieldsAndAcceptsIgnoredParameters) {
  json::Value created = MustCreate(
      std::string(kSecrets) + "?fieldManager=kubectl-create&fieldValidation=Strict&pretty=true",
      R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"a","futureField":{"x":1}},)"
      R"("stringData":{"k":"v"},"somethingNew":[1,2]})");
  EXPECT_EQ(Str(created, "somethingNew"), "[1,2]");
  EXPECT_EQ(Str(created, "metadata.futureField"), R"({"x":1})");
  EXPECT_EQ(Str(created, "metadata.namespace"), "default");
}

TEST_F(RestWriteTest, CreateErrors) {
  MustCreate(kSecrets, SecretJson("taken"));
  AddWidgetCrd();
  struct Row {
    std::string name;
    std::string target;
    std::string body;
    int status;
    std::string reason;
    std::string message;
  };
  const std::vector<Row> rows = {
      {"invalid JSON", kSecrets, "{", 400, "BadRequest",
       "the object provided is unrecognized (must be of type Secret): couldn't get version/kind; "
       "json parse error: line 1, column 2: expected a string key in object"},
      {"not an object", kSecrets, "[1]", 400, "BadRequest",
       "the object provided is unrecognized (must be of type Secret): couldn't get version/kind; "
       "the body must be a JSON object"},
      {"apiVersion mismatch", kRollouts,
       R"({"apiVersion":"argoproj.io/v2","kind":"Rollout","metadata":{"name":"x"}})", 400,
       "BadRequest",
       "the API version in the data (argoproj.io/v2) does not match the expected API version "
       "(argoproj.io/v1alpha1)"},
      {"kind mismatch of a built-in", kSecrets,
       R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"x"}})", 400, "BadRequest",
       "Pod in version \"v1\" cannot be handled as a Secret: the kind in the data does not match "
       "the kind of the resource"},
      {"kind mismatch of a custom resource", kWidgets,
       R"({"apiVersion":"example.com/v1","kind":"Gadget","metadata":{"name":"x"}})", 422, "Invalid",
       "Gadget.example.com \"x\" is invalid: kind: Invalid value: \"Gadget\": must be Widget"},
      {"namespace mismatch", kSecrets,
       R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"x","namespace":"other"}})", 400,
       "BadRequest",
       "the namespace of the provided object does not match the namespace sent on the request"},
      {"no name", kSecrets, R"({"apiVersion":"v1","kind":"Secret","metadata":{}})", 422, "Invalid",
       "Secret \"\" is invalid: metadata.name: Required value: name or generateName is required"},
      {"no metadata", kSecrets, R"({"apiVersion":"v1","kind":"Secret"})", 422, "Invalid",
       "Secret \"\" is invalid: metadata.name: Required value: name or generateName is required"},
      {"namespace does not exist", "/api/v1/namespaces/nowhere/secrets", SecretJson("x", "nowhere"),
       404, "NotFound", "namespaces \"nowhere\" not found"},
      {"already exists", kSecrets, SecretJson("taken"), 409, "AlreadyExists",
       "secrets \"taken\" already exists"},
      {"wrong content type", kSecrets, "", 415, "UnsupportedMediaType",
       "the body of the request was in an unknown format - accepted media types include: "
       "application/json"},
  };
  for (const Row& row : rows) {
    http::Response response = row.status == 415
                                  ? Send("POST", row.target, "a: b", "application/yaml")
                                  : Post(row.target, row.body);
    EXPECT_EQ(response.status, row.status) << row.name << ": " << response.body;
    json::Value status = ParseOrDie(response.body);
    EXPECT_EQ(Str(status, "kind"), "Status") << row.name;
    EXPECT_EQ(Str(status, "reason"), row.reason) << row.name;
    EXPECT_EQ(Str(status, "message"), row.message) << row.name;
  }
}

TEST_F(RestWriteTest, CreateValidatesAndNamesEveryField) {
  http::Response response = Post(
      kRollouts,
      R"({"apiVersion":"argoproj.io/v1alpha1","kind":"Rollout","metadata":{"name":"Bad_Name",)"
      R"("labels":{"ok":"-bad-"}},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},)"
      R"("template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"web",)"
      R"("image":"web:v1"}]}},"strategy":{"canary":{"steps":[{"setWeight":120}]}}}})");
  ASSERT_EQ(response.status, 422) << response.body;
  json::Value status = ParseOrDie(response.body);
  EXPECT_EQ(Str(status, "reason"), "Invalid");
  EXPECT_EQ(Str(status, "details.kind"), "Rollout");
  EXPECT_EQ(Str(status, "details.group"), "argoproj.io");
  EXPECT_EQ(Str(status, "details.name"), "Bad_Name");
  std::vector<std::string> fields;
  for (const json::Value& cause : At(status, "details.causes").as_array()) {
    fields.push_back(Str(cause, "field"));
    EXPECT_EQ(Str(cause, "reason"), "FieldValueInvalid") << json::Write(cause);
  }
  EXPECT_EQ(fields, (std::vector<std::string>{"metadata.name", "metadata.labels.ok",
                                              "spec.strategy.canary.steps[0].setWeight"}));
  EXPECT_TRUE(Str(status, "message").starts_with("Rollout.argoproj.io \"Bad_Name\" is invalid: ["))
      << Str(status, "message");
  EXPECT_NE(Str(status, "message")
                .find("spec.strategy.canary.steps[0].setWeight: Invalid value: "
                      "120: "),
            std::string::npos)
      << Str(status, "message");
  EXPECT_FALSE(sqlite_->Get({"argoproj.io/rollouts", "default", "Bad_Name"}).ok());
}

TEST_F(RestWriteTest, CreateGeneratesNamesAndRetriesTakenOnes) {
  QueueNameSuffixes({"bbbbb"});
  json::Value first = MustCreate(
      kSecrets, R"({"apiVersion":"v1","kind":"Secret","metadata":{"generateName":"web-"}})");
  EXPECT_EQ(Str(first, "metadata.name"), "web-bbbbb");
  EXPECT_EQ(Str(first, "metadata.generateName"), "web-");

  // The first suffix is taken: the next one is tried.
  QueueNameSuffixes({"bbbbb", "ccccc"});
  json::Value second = MustCreate(
      kSecrets, R"({"apiVersion":"v1","kind":"Secret","metadata":{"generateName":"web-"}})");
  EXPECT_EQ(Str(second, "metadata.name"), "web-ccccc");

  // Every attempt taken: AlreadyExists.
  QueueNameSuffixes(std::vector<std::string>(8, "bbbbb"));
  http::Response response =
      Post(kSecrets, R"({"apiVersion":"v1","kind":"Secret","metadata":{"generateName":"web-"}})");
  EXPECT_EQ(response.status, 409) << response.body;
  EXPECT_EQ(Str(ParseOrDie(response.body), "message"), "secrets \"web-bbbbb\" already exists");
}

TEST_F(RestWriteTest, CreateInATerminatingNamespaceIsForbidden) {
  MustCreate("/api/v1/namespaces",
             R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"doomed"}})");
  ASSERT_EQ(Delete("/api/v1/namespaces/doomed").status, 200);
  http::Response response = Post("/api/v1/namespaces/doomed/secrets", SecretJson("x", "doomed"));
  EXPECT_EQ(response.status, 403) << response.body;
  EXPECT_EQ(response.body,
            R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
            R"("message":"secrets \"x\" is forbidden: unable to create new content in namespace )"
            R"(doomed because it is being terminated","reason":"Forbidden","details":{"name":"x",)"
            R"("kind":"secrets","causes":[{"reason":"NamespaceTerminating","message":"namespace )"
            R"(doomed is being terminated","field":"metadata.namespace"}]},"code":403})");
}

TEST_F(RestWriteTest, DryRunValidatesWithoutStoring) {
  const int64_t version = sqlite_->Versions().current;
  http::Response response = Post(std::string(kSecrets) + "?dryRun=All", SecretJson("dry"));
  EXPECT_EQ(response.status, 201) << response.body;
  EXPECT_EQ(Str(ParseOrDie(response.body), "metadata.name"), "dry");
  EXPECT_FALSE(sqlite_->Get({"secrets", "default", "dry"}).ok());
  EXPECT_EQ(sqlite_->Versions().current, version);

  response = Post(std::string(kSecrets) + "?dryRun=All",
                  R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"x"},)"
                  R"("data":{"k":"not base64!"}})");
  EXPECT_EQ(response.status, 422) << response.body;

  json::Value created = MustCreate(kSecrets, SecretJson("real"));
  json::Value changed = created;
  changed["stringData"].as_object().Set("k", "changed");
  response = Put(std::string(kSecrets) + "/real?dryRun=All", json::Write(changed));
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(Str(ParseOrDie(response.body), "stringData.k"), "changed");
  EXPECT_EQ(Str(ParseOrDie(Get(std::string(kSecrets) + "/real").body), "stringData.k"), "v");
}

TEST_F(RestWriteTest, StatusIsDroppedOnCreateForKindsWithTheSubresource) {
  json::Value rs = MustCreate(kReplicaSets, ReplicaSetJson("web"));
  EXPECT_TRUE(At(rs, "status").is_null()) << json::Write(rs);
}

TEST_F(RestWriteTest, UpdateRequiresTheCurrentVersion) {
  json::Value created = MustCreate(kSecrets, SecretJson("a"));
  json::Value stale = created;
  created["stringData"].as_object().Set("k", "v2");
  http::Response response = Put(std::string(kSecrets) + "/a", json::Write(created));
  ASSERT_EQ(response.status, 200) << response.body;
  const json::Value updated = ParseOrDie(response.body);
  EXPECT_NE(Str(updated, "metadata.resourceVersion"), Str(stale, "metadata.resourceVersion"));

  stale["stringData"].as_object().Set("k", "v3");
  response = Put(std::string(kSecrets) + "/a", json::Write(stale));
  EXPECT_EQ(response.status, 409) << response.body;
  EXPECT_EQ(response.body,
            R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
            R"("message":"Operation cannot be fulfilled on secrets \"a\": the object has been )"
            R"(modified; please apply your changes to the latest version and try again",)"
            R"("reason":"Conflict","details":{"name":"a","kind":"secrets"},"code":409})");
}

TEST_F(RestWriteTest, UpdateWithoutVersion) {
  MustCreate(kSecrets, SecretJson("a"));
  // Built-in kinds update unconditionally.
  http::Response response = Put(std::string(kSecrets) + "/a",
                                R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"a"},)"
                                R"("stringData":{"k":"v9"}})");
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(Str(ParseOrDie(response.body), "stringData.k"), "v9");

  // Custom resources do not.
  AddWidgetCrd();
  MustCreate(kWidgets, WidgetJson("w"));
  response = Put(std::string(kWidgets) + "/w", WidgetJson("w", "default", R"({"size":2})"));
  EXPECT_EQ(response.status, 422) << response.body;
  EXPECT_EQ(
      response.body,
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
      R"("message":"widgets.example.com \"w\" is invalid: metadata.resourceVersion: Invalid )"
      R"(value: 0x0: must be specified for an update","reason":"Invalid","details":)"
      R"({"name":"w","group":"example.com","kind":"widgets","causes":[{"reason":)"
      R"("FieldValueInvalid","message":"Invalid value: 0x0: must be specified for an update",)"
      R"("field":"metadata.resourceVersion"}]},"code":422})");
}

TEST_F(RestWriteTest, UpdateThatChangesNothingWritesNothing) {
  json::Value created = MustCreate(kRollouts, RolloutJson("web"));
  const int64_t version = sqlite_->Versions().current;
  // The same object with its members in another order is still the same object.
  json::Object reordered;
  for (auto it = created.as_object().end(); it != created.as_object().begin();) {
    --it;
    reordered.Set(it->key, it->value);
  }
  http::Response response =
      Put(std::string(kRollouts) + "/web", json::Write(json::Value(std::move(reordered))));
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(ParseOrDie(response.body), created);
  EXPECT_EQ(sqlite_->Versions().current, version);
}

TEST_F(RestWriteTest, UpdateBumpsGenerationForSpecChangesOnly) {
  json::Value rs = MustCreate(kReplicaSets, ReplicaSetJson("web"));
  rs["metadata"].as_object().Set("labels", json::Object{{"x", "y"}});
  json::Value updated = ParseOrDie(Put(std::string(kReplicaSets) + "/web", json::Write(rs)).body);
  EXPECT_EQ(At(updated, "metadata.generation"), json::Value(1)) << "labels are metadata";

  updated.as_object().Set("status", json::Object{{"replicas", 5}});
  updated = ParseOrDie(Put(std::string(kReplicaSets) + "/web", json::Write(updated)).body);
  EXPECT_EQ(At(updated, "metadata.generation"), json::Value(1));
  EXPECT_TRUE(At(updated, "status").is_null()) << "the main resource cannot write status";

  updated["spec"].as_object().Set("replicas", 2);
  updated["metadata"].as_object().Set("generation", 99);
  updated["metadata"].as_object().Set("uid", "");
  updated = ParseOrDie(Put(std::string(kReplicaSets) + "/web", json::Write(updated)).body);
  EXPECT_EQ(At(updated, "metadata.generation"), json::Value(2));
  EXPECT_EQ(Str(updated, "metadata.uid"), Str(rs, "metadata.uid"));
}

TEST_F(RestWriteTest, UpdateErrors) {
  json::Value created = MustCreate(kSecrets, SecretJson("a"));
  struct Row {
    std::string name;
    std::string target;
    std::function<void(json::Value&)> change;
    int status;
    std::string message;
  };
  const std::vector<Row> rows = {
      {"name differs from the URL", "/a",
       [](json::Value& o) { o["metadata"].as_object().Set("name", "b"); }, 400,
       "the name of the object (b) does not match the name on the URL (a)"},
      {"namespace differs from the URL", "/a",
       [](json::Value& o) { o["metadata"].as_object().Set("namespace", "kube-system"); }, 400,
       "the namespace of the object (kube-system) does not match the namespace on the URL "
       "(default)"},
      {"missing object", "/b",
       [](json::Value& o) {
         o["metadata"].as_object().Set("name", "b");
         o["metadata"].as_object().Erase("resourceVersion");
       },
       404, "secrets \"b\" not found"},
      {"changed uid", "/a", [](json::Value& o) { o["metadata"].as_object().Set("uid", "other"); },
       422, "Secret \"a\" is invalid: metadata.uid: Invalid value: \"other\": field is immutable"},
      {"invalid object", "/a",
       [](json::Value& o) {
         o.as_object().Set("data", json::Object{{"k", "%%%"}});
       },
       422, ""},
      {"bad version", "/a",
       [](json::Value& o) { o["metadata"].as_object().Set("resourceVersion", "x1"); }, 400,
       "invalid resource version \"x1\": must be a number"},
  };
  for (const Row& row : rows) {
    json::Value body = created;
    row.change(body);
    http::Response response = Put(std::string(kSecrets) + row.target, json::Write(body));
    EXPECT_EQ(response.status, row.status) << row.name << ": " << response.body;
    if (!row.message.empty()) {
      EXPECT_EQ(Str(ParseOrDie(response.body), "message"), row.message) << row.name;
    }
  }
}

TEST_F(RestWriteTest, StatusSubresource) {
  json::Value rs = MustCreate(kReplicaSets, ReplicaSetJson("web"));
  json::Value body = rs;
  body.as_object().Set("status", json::Object{{"replicas", 3}});
  body["spec"].as_object().Set("replicas", 9);
  body["metadata"].as_object().Set("labels", json::Object{{"sneaky", "yes"}});
  http::Response response = Put(std::string(kReplicaSets) + "/web/status", json::Write(body));
  ASSERT_EQ(response.status, 200) << response.body;
  json::Value updated = ParseOrDie(response.body);
  EXPECT_EQ(Str(updated, "status.replicas"), "3");
  EXPECT_EQ(Str(updated, "spec.replicas"), "1") << "a status write keeps the spec";
  EXPECT_TRUE(At(updated, "metadata.labels").is_null()) << "and the metadata";
  EXPECT_EQ(At(updated, "metadata.generation"), json::Value(1)) << "status never bumps";

  response = Get(std::string(kReplicaSets) + "/web/status");
  EXPECT_EQ(ParseOrDie(response.body), updated);

  response = Patch(std::string(kReplicaSets) + "/web/status",
                   R"({"status":{"readyReplicas":2},"spec":{"replicas":5}})",
                   "application/merge-patch+json");
  ASSERT_EQ(response.status, 200) << response.body;
  updated = ParseOrDie(response.body);
  EXPECT_EQ(Str(updated, "status"), R"({"replicas":3,"readyReplicas":2})");
  EXPECT_EQ(Str(updated, "spec.replicas"), "1");

  // A stale status write conflicts like any other.
  response = Put(std::string(kReplicaSets) + "/web/status", json::Write(body));
  EXPECT_EQ(response.status, 409) << response.body;
}

TEST_F(RestWriteTest, CustomResourcesWithAndWithoutStatusSubresource) {
  AddWidgetCrd(/*status=*/true);
  json::Value w =
      MustCreate(kWidgets, R"({"apiVersion":"example.com/v1","kind":"Widget",)"
                           R"("metadata":{"name":"w"},"spec":{"a":1},"status":{"x":1}})");
  EXPECT_TRUE(At(w, "status").is_null()) << "dropped on create";
  w.as_object().Set("status", json::Object{{"x", 2}});
  json::Value updated = ParseOrDie(Put(std::string(kWidgets) + "/w/status", json::Write(w)).body);
  EXPECT_EQ(Str(updated, "status.x"), "2");
  EXPECT_EQ(At(updated, "metadata.generation"), json::Value(1));

  // Without the subresource status is part of the object and a change bumps the generation, as
  // apiextensions-apiserver does; /status is not served.
  MustCreate(kCrds, WidgetCrdJson(false, false, "gizmos", "Gizmo"));
  const std::string gizmos = "/apis/example.com/v1/namespaces/default/gizmos";
  json::Value g = MustCreate(gizmos, R"({"apiVersion":"example.com/v1","kind":"Gizmo",)"
                                     R"("metadata":{"name":"g"},"status":{"x":1}})");
  EXPECT_EQ(Str(g, "status.x"), "1");
  g.as_object().Set("status", json::Object{{"x", 2}});
  updated = ParseOrDie(Put(gizmos + "/g", json::Write(g)).body);
  EXPECT_EQ(Str(updated, "status.x"), "2");
  EXPECT_EQ(At(updated, "metadata.generation"), json::Value(2));
  EXPECT_EQ(Get(gizmos + "/g/status").status, 404);
}

TEST_F(RestWriteTest, PatchTypes) {
  MustCreate(kReplicaSets, ReplicaSetJson("web"));
  const std::string target = std::string(kReplicaSets) + "/web";
  struct Row {
    std::string name;
    std::string type;
    std::string patch;
    std::string path;  // checked in the result
    std::string want;
  };
  const std::vector<Row> rows = {
      {"merge patch", "application/merge-patch+json", R"({"metadata":{"labels":{"a":"1"}}})",
       "metadata.labels", R"({"a":"1"})"},
      {"merge patch removes with null", "application/merge-patch+json",
       R"({"metadata":{"labels":{"a":null}}})", "metadata.labels", "{}"},
      {"JSON patch", "application/json-patch+json",
       R"([{"op":"replace","path":"/spec/replicas","value":4}])", "spec.replicas", "4"},
      {"strategic merge patch merges containers by name",
       "application/strategic-merge-patch+json; charset=utf-8",
       R"({"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"s:1"}]}}}})",
       "spec.template.spec.containers",
       R"([{"name":"sidecar","image":"s:1"},{"name":"web","image":"web:v1"}])"},
  };
  for (const Row& row : rows) {
    http::Response response = Patch(target, row.patch, row.type);
    ASSERT_EQ(response.status, 200) << row.name << ": " << response.body;
    EXPECT_EQ(Str(ParseOrDie(response.body), row.path), row.want) << row.name;
  }
  json::Value final_rs = ParseOrDie(Get(target).body);
  EXPECT_EQ(At(final_rs, "metadata.generation"), json::Value(3)) << "two spec changes";
}

TEST_F(RestWriteTest, PatchErrors) {
  MustCreate(kReplicaSets, ReplicaSetJson("web"));
  AddWidgetCrd();
  MustCreate(kWidgets, WidgetJson("w"));
  const std::string rs = std::string(kReplicaSets) + "/web";
  struct Row {
    std::string name;
    std::string target;
    std::string type;
    std::string patch;
    int status;
    std::string message;
  };
  const std::vector<Row> rows = {
      {"strategic merge patch of a custom resource", std::string(kWidgets) + "/w",
       "application/strategic-merge-patch+json", "{}", 415,
       "the body of the request was in an unknown format - accepted media types include: "
       "application/json-patch+json, application/merge-patch+json"},
      {"server-side apply", rs, "application/apply-patch+yaml", "{}", 415,
       "the body of the request was in an unknown format - accepted media types include: "
       "application/json-patch+json, application/merge-patch+json, "
       "application/strategic-merge-patch+json (server-side apply, application/apply-patch+yaml, "
       "is not supported by devflow's API server: use client-side apply)"},
      {"unknown type", rs, "application/json", "{}", 415,
       "the body of the request was in an unknown format - accepted media types include: "
       "application/json-patch+json, application/merge-patch+json, "
       "application/strategic-merge-patch+json"},
      {"missing object", std::string(kReplicaSets) + "/nope", "application/merge-patch+json", "{}",
       404, "replicasets.apps \"nope\" not found"},
      {"invalid JSON", rs, "application/merge-patch+json", "{", 400,
       "error decoding patch: line 1, column 2: expected a string key in object"},
      {"failed JSON patch test", rs, "application/json-patch+json",
       R"([{"op":"test","path":"/spec/replicas","value":5}])", 422,
       "operations[0] (test /spec/replicas): test failed: value is 1, want 5"},
      {"stale version in the patch", rs, "application/merge-patch+json",
       R"({"metadata":{"resourceVersion":"1"}})", 409,
       "Operation cannot be fulfilled on replicasets.apps \"web\": the object has been modified; "
       "please apply your changes to the latest version and try again"},
      {"renaming", rs, "application/merge-patch+json", R"({"metadata":{"name":"other"}})", 422,
       "ReplicaSet.apps \"web\" is invalid: metadata.name: Invalid value: \"other\": field is "
       "immutable"},
      {"result fails validation", rs, "application/merge-patch+json", R"({"spec":{"replicas":-1}})",
       422, ""},
  };
  for (const Row& row : rows) {
    http::Response response = Patch(row.target, row.patch, row.type);
    EXPECT_EQ(response.status, row.status) << row.name << ": " << response.body;
    if (!row.message.empty()) {
      EXPECT_EQ(Str(ParseOrDie(response.body), "message"), row.message) << row.name;
    }
  }
}

TEST_F(RestWriteTest, PatchIsReappliedWhenAConcurrentWriteWins) {
  MustCreate(kSecrets, SecretJson("a"));
  const ObjectKey key{"secrets", "default", "a"};
  store_->BeforeNextUpdate(key, [&](ObjectStore& inner) {
    json::Value current = ParseOrDie(inner.Get(key)->json);
    current["metadata"]["labels"].as_object().Set("concurrent", "yes");
    ASSERT_TRUE(inner.Update(key, json::Write(current), {}).ok());
  });
  http::Response response =
      Patch(std::string(kSecrets) + "/a", R"({"metadata":{"labels":{"mine":"yes"}}})",
            "application/merge-patch+json");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(Str(ParseOrDie(response.body), "metadata.labels"),
            R"({"concurrent":"yes","mine":"yes"})");

  // A patch carrying a version is the client's precondition: no retry.
  const std::string version = Str(ParseOrDie(response.body), "metadata.resourceVersion");
  store_->BeforeNextUpdate(key, [&](ObjectStore& inner) {
    json::Value current = ParseOrDie(inner.Get(key)->json);
    current["metadata"]["labels"].as_object().Set("again", "yes");
    ASSERT_TRUE(inner.Update(key, json::Write(current), {}).ok());
  });
  response =
      Patch(std::string(kSecrets) + "/a",
            R"({"metadata":{"resourceVersion":")" + version + R"(","labels":{"late":"yes"}}})",
            "application/merge-patch+json");
  EXPECT_EQ(response.status, 409) << response.body;
}

TEST_F(RestWriteTest, UnconditionalUpdateIsRetriedButConditionalIsNot) {
  json::Value created = MustCreate(kSecrets, SecretJson("a"));
  const ObjectKey key{"secrets", "default", "a"};
  auto interfere = [&](ObjectStore& inner) {
    json::Value current = ParseOrDie(inner.Get(key)->json);
    current["metadata"]["labels"].as_object().Set("concurrent", "yes");
    ASSERT_TRUE(inner.Update(key, json::Write(current), {}).ok());
  };
  store_->BeforeNextUpdate(key, interfere);
  json::Value body = created;
  body["metadata"].as_object().Erase("resourceVersion");
  body["stringData"].as_object().Set("k", "v2");
  http::Response response = Put(std::string(kSecrets) + "/a", json::Write(body));
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(Str(ParseOrDie(response.body), "stringData.k"), "v2");

  json::Value current = ParseOrDie(Get(std::string(kSecrets) + "/a").body);
  store_->BeforeNextUpdate(key, interfere);
  current["stringData"].as_object().Set("k", "v3");
  response = Put(std::string(kSecrets) + "/a", json::Write(current));
  EXPECT_EQ(response.status, 409) << response.body;
}

}  // namespace
}  // namespace devflow::apiserver
