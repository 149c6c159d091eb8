// RestHandler over real HTTP: delete (finalizers, propagation, preconditions), deletecollection,
// namespaces, CustomResourceDefinitions and the start-up functions.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "apiserver/rest_testing.h"

namespace devflow::apiserver {
namespace {

using rest_testing::At;
using rest_testing::ParseOrDie;
using rest_testing::RestFixture;
using rest_testing::RolloutJson;
using rest_testing::SecretJson;
using rest_testing::Str;
using rest_testing::WidgetCrdJson;
using rest_testing::WidgetJson;

constexpr char kRollouts[] = "/apis/argoproj.io/v1alpha1/namespaces/default/rollouts";
constexpr char kSecrets[] = "/api/v1/namespaces/default/secrets";
constexpr char kCrds[] = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
constexpr char kWidgets[] = "/apis/example.com/v1/namespaces/default/widgets";

class RestDeleteTest : public RestFixture {};

TEST_F(RestDeleteTest, DeleteAnswersAsKubernetes) {
  json::Value secret = MustCreate(kSecrets, SecretJson("a"));
  http::Response response = Delete(std::string(kSecrets) + "/a");
  ASSERT_EQ(response.status, 200) << response.body;
  // Kubernetes' own kinds answer a Status naming what was deleted.
  EXPECT_EQ(response.body, R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success",)"
                           R"("details":{"name":"a","kind":"secrets","uid":")" +
                               Str(secret, "metadata.uid") + R"("}})");
  EXPECT_EQ(Get(std::string(kSecrets) + "/a").status, 404);

  // Custom resources (Argo's kinds are, in a cluster) answer the deleted object.
  MustCreate(kRollouts, RolloutJson("web"));
  response = Delete(std::string(kRollouts) + "/web");
  ASSERT_EQ(response.status, 200) << response.body;
  json::Value deleted = ParseOrDie(response.body);
  EXPECT_EQ(Str(deleted, "kind"), "Rollout");
  EXPECT_EQ(Str(deleted, "metadata.resourceVersion"), std::to_string(sqlite_->Versions().current));

  response = Delete(std::string(kRollouts) + "/web");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(Str(ParseOrDie(response.body), "message"), "rollouts.argoproj.io \"web\" not found");
}

TEST_F(RestDeleteTest, FinalizersKeepTheObjectUntilRemoved) {
  json::Value created =
      MustCreate(kRollouts, RolloutJson("web", "default", R"(,"finalizers":["example.com/x"])"));
  Advance(std::chrono::seconds(30));
  http::Response response = Delete(std::string(kRollouts) + "/web");
  ASSERT_EQ(response.status, 200) << response.body;
  json::Value marked = ParseOrDie(response.body);
  EXPECT_EQ(Str(marked, "metadata.deletionTimestamp"), "2026-11-23T10:00:30Z");
  EXPECT_EQ(Str(marked, "metadata.deletionGracePeriodSeconds"), "0");
  EXPECT_EQ(At(marked, "metadata.generation"), json::Value(2)) << "marking bumps generation";
  EXPECT_EQ(ParseOrDie(Get(std::string(kRollouts) + "/web").body), marked);

  // A second delete changes nothing.
  const int64_t version = sqlite_->Versions().current;
  Advance(std::chrono::seconds(30));
  response = Delete(std::string(kRollouts) + "/web");
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(ParseOrDie(response.body), marked);
  EXPECT_EQ(sqlite_->Versions().current, version);

  // No new finalizers once marked.
  json::Value more = marked;
  more["metadata"]["finalizers"].as_array().push_back("example.com/y");
  response = Put(std::string(kRollouts) + "/web", json::Write(more));
  EXPECT_EQ(response.status, 422) << response.body;
  EXPECT_EQ(Str(ParseOrDie(response.body), "message"),
            "Rollout.argoproj.io \"web\" is invalid: metadata.finalizers: Forbidden: no new "
            "finalizers can be added if the object is being deleted, found new finalizers "
            "[]string{\"example.com/y\"}");

  // The update removing the last finalizer removes the object.
  json::Value done = marked;
  done["metadata"].as_object().Erase("finalizers");
  response = Put(std::string(kRollouts) + "/web", json::Write(done));
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(Get(std::string(kRollouts) + "/web").status, 404);
}

TEST_F(RestDeleteTest, FinalizerRemovedByPatchRemovesTheObject) {
  MustCreate(kSecrets, R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"a",)"
                       R"("finalizers":["example.com/x"]}})");
  ASSERT_EQ(Delete(std::string(kSecrets) + "/a").status, 200);
  http::Response response =
      Patch(std::string(kSecrets) + "/a", R"([{"op":"remove","path":"/metadata/finalizers"}])",
            "application/json-patch+json");
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(Get(std::string(kSecrets) + "/a").status, 404);
}

TEST_F(RestDeleteTest, PropagationPolicies) {
  struct Row {
    std::string name;
    std::string query;
    std::string body;
    int status;
    std::string finalizers;  // of the kept object; "" when removed
  };
  const std::vector<Row> rows = {
      {"background (default) removes", "", "", 200, ""},
      {"foreground in the query", "?propagationPolicy=Foreground", "", 200,
       R"(["foregroundDeletion"])"},
      {"orphan in DeleteOptions", "",
       R"({"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":"Orphan"})", 200,
       R"(["orphan"])"},
      {"deprecated orphanDependents true", "?orphanDependents=true", "", 200, R"(["orphan"])"},
      {"grace period accepted and ignored", "?gracePeriodSeconds=30",
       R"({"kind":"DeleteOptions","apiVersion":"v1","gracePeriodSeconds":0})", 200, ""},
  };
  int n = 0;
  for (const Row& row : rows) {
    const std::string name = "s" + std::to_string(++n);
    MustCreate(kSecrets, SecretJson(name));
    http::Response response = Delete(std::string(kSecrets) + "/" + name + row.query, row.body);
    EXPECT_EQ(response.status, row.status) << row.name << ": " << response.body;
    http::Response after = Get(std::string(kSecrets) + "/" + name);
    if (row.finalizers.empty()) {
      EXPECT_EQ(after.status, 404) << row.name;
    } else {
      EXPECT_EQ(Str(ParseOrDie(after.body), "metadata.finalizers"), row.finalizers) << row.name;
    }
  }
  // orphanDependents=false on an object kept by a finalizer answers 202.
  MustCreate(kSecrets, R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"kept",)"
                       R"("finalizers":["example.com/x"]}})");
  EXPECT_EQ(Delete(std::string(kSecrets) + "/kept?orphanDependents=false").status, 202);

  http::Response response = Delete(std::string(kSecrets) + "/s1?propagationPolicy=Sideways");
  EXPECT_EQ(response.status, 422) << response.body;
  EXPECT_EQ(Str(ParseOrDie(response.body), "message"),
            "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: "
            "\"Sideways\": supported values: \"Orphan\", \"Background\", \"Foreground\"");
}

TEST_F(RestDeleteTest, Preconditions) {
  json::Value a = MustCreate(kSecrets, SecretJson("a"));
  struct Row {
    std::string name;
    std::string body;
    int status;
    std::string message;
  };
  const std::string version = Str(a, "metadata.resourceVersion");
  const std::vector<Row> rows = {
      {"wrong uid", R"({"preconditions":{"uid":"other"}})", 409,
       "Operation cannot be fulfilled on secrets \"a\": Precondition failed: UID in precondition: "
       "other, UID in object meta: " +
           Str(a, "metadata.uid")},
      {"wrong version", R"({"preconditions":{"resourceVersion":"1"}})", 409,
       "Operation cannot be fulfilled on secrets \"a\": Precondition failed: ResourceVersion in "
       "precondition: 1, ResourceVersion in object meta: " +
           version},
      {"malformed options", "{", 400, ""},
      {"dry run", R"({"dryRun":["All"]})", 200, ""},
      {"matching preconditions",
       R"({"preconditions":{"uid":")" + Str(a, "metadata.uid") + R"(","resourceVersion":")" +
           version + R"("}})",
       200, ""},
  };
  for (const Row& row : rows) {
    http::Response response = Delete(std::string(kSecrets) + "/a", row.body);
    EXPECT_EQ(response.status, row.status) << row.name << ": " << response.body;
    if (!row.message.empty()) {
      EXPECT_EQ(Str(ParseOrDie(response.body), "message"), row.message) << row.name;
    }
    if (row.name == "dry run") {
      EXPECT_EQ(Get(std::string(kSecrets) + "/a").status, 200) << "dry run keeps the object";
    }
  }
  EXPECT_EQ(Get(std::string(kSecrets) + "/a").status, 404);
}

TEST_F(RestDeleteTest, DeleteCollectionWithSelectors) {
  MustCreate(kSecrets, SecretJson("a", "default", R"("app":"web")"));
  MustCreate(kSecrets, SecretJson("b", "default", R"("app":"web")"));
  MustCreate(kSecrets, SecretJson("c", "default", R"("app":"db")"));
  MustCreate("/api/v1/namespaces/kube-system/secrets",
             SecretJson("d", "kube-system", R"("app":"web")"));
  http::Response response = Delete(std::string(kSecrets) + "?labelSelector=app%3Dweb");
  ASSERT_EQ(response.status, 200) << response.body;
  json::Value list = ParseOrDie(response.body);
  EXPECT_EQ(Str(list, "kind"), "SecretList");
  EXPECT_EQ(At(list, "items").as_array().size(), 2u);

  std::vector<std::string> left;
  const json::Value all = ParseOrDie(Get("/api/v1/secrets").body);
  for (const json::Value& item : At(all, "items").as_array()) {
    left.push_back(Str(item, "metadata.name"));
  }
  EXPECT_EQ(left, (std::vector<std::string>{"c", "d"}));

  EXPECT_EQ(Delete("/api/v1/namespaces").status, 405) << "namespaces have no deletecollection";
}

TEST_F(RestDeleteTest, SystemNamespacesExistAndTheImmortalOnesStay) {
  for (const char* name : {"default", "kube-system", "kube-public", "kube-node-lease"}) {
    json::Value ns = ParseOrDie(Get(std::string("/api/v1/namespaces/") + name).body);
    EXPECT_EQ(Str(ns, "status.phase"), "Active") << name;
    EXPECT_EQ(Str(ns, "spec.finalizers"), R"(["kubernetes"])") << name;
    EXPECT_EQ(Str(ns, "metadata.labels"),
              std::string(R"({"kubernetes.io/metadata.name":")") + name + "\"}")
        << name;
  }
  const int64_t version = sqlite_->Versions().current;
  EXPECT_TRUE(EnsureSystemNamespaces(*store_).ok());
  EXPECT_EQ(sqlite_->Versions().current, version) << "idempotent";

  for (const char* name : {"default", "kube-system", "kube-public"}) {
    http::Response response = Delete(std::string("/api/v1/namespaces/") + name);
    EXPECT_EQ(response.status, 403) << name;
    EXPECT_EQ(
        Str(ParseOrDie(response.body), "message"),
        std::string("namespaces \"") + name + "\" is forbidden: this namespace may not be deleted");
  }
}

TEST_F(RestDeleteTest, NamespaceLifecycle) {
  json::Value ns = MustCreate(
      "/api/v1/namespaces",
      R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"team"},"status":{"phase":"x"}})");
  EXPECT_EQ(Str(ns, "status.phase"), "Active");
  EXPECT_EQ(Str(ns, "spec.finalizers"), R"(["kubernetes"])");

  Advance(std::chrono::seconds(5));
  http::Response response = Delete("/api/v1/namespaces/team");
  ASSERT_EQ(response.status, 200) << response.body;
  json::Value marked = ParseOrDie(response.body);
  EXPECT_EQ(Str(marked, "status.phase"), "Terminating");
  EXPECT_EQ(Str(marked, "metadata.deletionTimestamp"), "2026-11-23T10:00:05Z");

  response = Delete("/api/v1/namespaces/team");
  EXPECT_EQ(response.status, 409) << response.body;
  EXPECT_EQ(Str(ParseOrDie(response.body), "message"),
            "Operation cannot be fulfilled on namespaces \"team\": The system is ensuring all "
            "content is removed from this namespace.  Upon completion, this namespace will "
            "automatically be purged by the system.");

  // The main resource cannot change spec.finalizers; /finalize can, and emptying them on a
  // terminating namespace removes it.
  json::Value body = marked;
  body["spec"].as_object().Set("finalizers", json::Array{});
  response = Put("/api/v1/namespaces/team", json::Write(body));
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(Str(ParseOrDie(response.body), "spec.finalizers"), R"(["kubernetes"])");
  response = Put("/api/v1/namespaces/team/finalize", json::Write(body));
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(Get("/api/v1/namespaces/team").status, 404);
}

TEST_F(RestDeleteTest, CustomResourceDefinitionLifecycle) {
  EXPECT_EQ(Get(kWidgets).status, 404) << "not served before the CRD";
  json::Value crd = MustCreate(kCrds, WidgetCrdJson());
  std::vector<std::string> conditions;
  for (const json::Value& c : At(crd, "status.conditions").as_array()) {
    conditions.push_back(Str(c, "type") + "=" + Str(c, "status") + "/" + Str(c, "reason"));
  }
  EXPECT_EQ(conditions, (std::vector<std::string>{"NamesAccepted=True/NoConflicts",
                                                  "Established=True/InitialNamesAccepted"}));
  EXPECT_EQ(Str(crd, "status.acceptedNames.kind"), "Widget");
  EXPECT_EQ(Str(crd, "status.storedVersions"), R"(["v1"])");
  EXPECT_EQ(ParseOrDie(Get(std::string(kCrds) + "/widgets.example.com").body), crd);

  MustCreate(kWidgets, WidgetJson("w1"));
  MustCreate(kWidgets, WidgetJson("w2"));
  EXPECT_EQ(At(ParseOrDie(Get(kWidgets).body), "items").as_array().size(), 2u);
  EXPECT_EQ(Str(ParseOrDie(Get(kWidgets).body), "kind"), "WidgetList");

  // A second CRD claiming the same names is stored, but not accepted.
  json::Value clash = MustCreate(
      kCrds, R"({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",)"
             R"("metadata":{"name":"gadgets.example.com"},"spec":{"group":"example.com",)"
             R"("names":{"plural":"gadgets","singular":"gadget","kind":"Widget",)"
             R"("listKind":"GadgetList"},"scope":"Namespaced","versions":[{"name":"v1",)"
             R"("served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object",)"
             R"("x-kubernetes-preserve-unknown-fields":true}}}]}})");
  ASSERT_TRUE(At(clash, "status.conditions").is_array()) << json::Write(clash);
  conditions.clear();
  for (const json::Value& c : At(clash, "status.conditions").as_array()) {
    conditions.push_back(Str(c, "type") + "=" + Str(c, "status") + "/" + Str(c, "reason") + "/" +
                         Str(c, "message"));
  }
  EXPECT_EQ(conditions, (std::vector<std::string>{
                            "NamesAccepted=False/KindConflict/\"Widget\" is already in use",
                            "Established=False/NotAccepted/not all names are accepted"}));
  EXPECT_EQ(Get("/apis/example.com/v1/namespaces/default/gadgets").status, 404);

  // An invalid CRD is rejected with its fields.
  http::Response response =
      Post(kCrds, R"({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",)"
                  R"("metadata":{"name":"wrong.example.com"},"spec":{"group":"example.com",)"
                  R"("names":{"plural":"things","kind":"Thing"},"scope":"Namespaced",)"
                  R"("versions":[{"name":"v1","served":true,"storage":true}]}})");
  ASSERT_EQ(response.status, 422) << response.body;
  const json::Value invalid = ParseOrDie(response.body);
  std::vector<std::string> fields;
  for (const json::Value& cause : At(invalid, "details.causes").as_array()) {
    fields.push_back(Str(cause, "field"));
  }
  EXPECT_EQ(fields,
            (std::vector<std::string>{"metadata.name", "spec.versions[0].schema.openAPIV3Schema"}));
  EXPECT_EQ(Str(invalid, "details.kind"), "CustomResourceDefinition");

  // Deleting the CRD deletes its objects and stops serving them.
  response = Delete(std::string(kCrds) + "/widgets.example.com");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(Str(ParseOrDie(response.body), "metadata.name"), "widgets.example.com");
  EXPECT_EQ(Get(kWidgets).status, 404);
  ListResult left = *sqlite_->List(ListOptions{.resource = "example.com/widgets"});
  EXPECT_TRUE(left.items.empty());
}

TEST_F(RestDeleteTest, CrdRegistrationSurvivesARestart) {
  MustCreate(kCrds, WidgetCrdJson());
  MustCreate(kWidgets, WidgetJson("w1"));
  ResourceCatalog fresh;
  EXPECT_FALSE(fresh.Find("example.com", "v1", "widgets").has_value());
  ASSERT_TRUE(LoadCustomResourceDefinitions(*store_, fresh).ok());
  std::optional<ResourceInfo> widgets = fresh.Find("example.com", "v1", "widgets");
  ASSERT_TRUE(widgets.has_value());
  EXPECT_TRUE(widgets->custom);
  EXPECT_EQ(widgets->kind, "Widget");
}

TEST_F(RestDeleteTest, CrdUpdateReregistersItsNames) {
  json::Value crd = MustCreate(kCrds, WidgetCrdJson());
  crd["spec"]["names"].as_object().Set("shortNames", json::Array{"wd"});
  http::Response response = Put(std::string(kCrds) + "/widgets.example.com", json::Write(crd));
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(Str(ParseOrDie(response.body), "status.acceptedNames.shortNames"), R"(["wd"])");
  std::optional<ResourceInfo> widgets = catalog_->Find("example.com", "v1", "widgets");
  ASSERT_TRUE(widgets.has_value());
  EXPECT_EQ(widgets->short_names, (std::vector<std::string>{"wd"}));
}

}  // namespace
}  // namespace devflow::apiserver
