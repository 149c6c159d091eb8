#include "apiserver/discovery.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "apiserver/openapi_documents.h"
#include "common/json_reader.h"

namespace devflow::json {
// Readable failures; internal linkage, so that other test files may define their own.
[[maybe_unused]] static void PrintTo(const Value& value, std::ostream* os) { *os << Write(value); }
}  // namespace devflow::json

namespace devflow::apiserver {
namespace {

constexpr std::string_view kAcceptKubectl133 =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g="
    "apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
constexpr std::string_view kAcceptKubectl127 =
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";

json::Value ParseOrDie(std::string_view text) {
  auto value = json::Parse(text);
  if (!value.ok()) {
    ADD_FAILURE() << value.error() << " in " << text;
    return json::Value();
  }
  return *value;
}

json::Value WidgetCrd() {
  return ParseOrDie(R"({
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.example.com"},
    "spec": {"group": "example.com",
             "names": {"plural": "widgets", "kind": "Widget", "shortNames": ["wg"]},
             "scope": "Cluster",
             "versions": [{"name": "v1", "served": true, "storage": true,
                           "schema": {"openAPIV3Schema": {"type": "object"}}}]}})");
}

http::Request Get(std::string target, std::string_view accept = "") {
  http::Request request;
  request.target = std::move(target);
  request.headers.emplace_back("Host", "127.0.0.1:6443");
  if (!accept.empty()) request.headers.emplace_back("Accept", std::string(accept));
  return request;
}

// The response to GET `target`; fails the test when ServeDiscovery declines it.
http::Response Serve(const ResourceCatalog& catalog, std::string target,
                     std::string_view accept = "") {
  std::optional<http::Response> response = ServeDiscovery(catalog, Get(target, accept));
  if (!response) {
    ADD_FAILURE() << target << " was not answered";
    return http::Response{.status = 0};
  }
  return *response;
}

json::Value ServeJson(const ResourceCatalog& catalog, std::string target,
                      std::string_view accept = "") {
  http::Response response = Serve(catalog, target, accept);
  EXPECT_EQ(response.status, 200) << target << ": " << response.body;
  return ParseOrDie(response.body);
}

// The entry named `name` of an APIResourceList, or null.
json::Value Entry(const json::Value& list, std::string_view name) {
  for (const json::Value& r : list.Find("resources")->as_array()) {
    if (r.Find("name")->as_string() == name) return r;
  }
  return json::Value();
}

json::Array Strings(std::initializer_list<const char*> values) {
  json::Array out;
  for (const char* v : values) out.push_back(v);
  return out;
}

const json::Array kAllVerbs =
    Strings({"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"});

// ---- Classic discovery ----

TEST(DiscoveryTest, ApiListsV1AndTheServerAddress) {
  ResourceCatalog catalog;
  http::Response response = Serve(catalog, "/api");
  EXPECT_EQ(response.Header("Content-Type"), "application/json");
  EXPECT_EQ(response.Header("Vary"), "Accept");
  EXPECT_EQ(ParseOrDie(response.body), ParseOrDie(R"({"kind": "APIVersions", "versions": ["v1"],
      "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0",
                                      "serverAddress": "127.0.0.1:6443"}]})"));
}

TEST(DiscoveryTest, CoreResourceListDescribesEachResource) {
  ResourceCatalog catalog;
  json::Value list = ServeJson(catalog, "/api/v1");
  EXPECT_EQ(*list.Find("kind"), "APIResourceList");
  EXPECT_EQ(*list.Find("groupVersion"), "v1");
  EXPECT_EQ(list.Find("apiVersion"), nullptr) << "kube-apiserver's /api/v1 has none";

  EXPECT_EQ(Entry(list, "pods"), json::Value(json::Object{{"name", "pods"},
                                                          {"singularName", "pod"},
                                                          {"namespaced", true},
                                                          {"kind", "Pod"},
                                                          {"verbs", kAllVerbs},
                                                          {"shortNames", Strings({"po"})},
                                                          {"categories", Strings({"all"})}}));
  EXPECT_EQ(Entry(list, "pods/status"),
            json::Value(json::Object{{"name", "pods/status"},
                                     {"singularName", ""},
                                     {"namespaced", true},
                                     {"kind", "Pod"},
                                     {"verbs", Strings({"get", "patch", "update"})}}));
  EXPECT_EQ(Entry(list, "namespaces"),
            json::Value(json::Object{
                {"name", "namespaces"},
                {"singularName", "namespace"},
                {"namespaced", false},
                {"kind", "Namespace"},
                {"verbs", Strings({"create", "delete", "get", "list", "patch", "update", "watch"})},
                {"shortNames", Strings({"ns"})}}));
  // No short names, no categories, no status subresource: the members are left out.
  EXPECT_EQ(Entry(list, "secrets"), json::Value(json::Object{{"name", "secrets"},
                                                             {"singularName", "secret"},
                                                             {"namespaced", true},
                                                             {"kind", "Secret"},
                                                             {"verbs", kAllVerbs}}));
  EXPECT_TRUE(Entry(list, "secrets/status").is_null());

  std::vector<std::string> names;
  for (const json::Value& r : list.Find("resources")->as_array()) {
    names.push_back(r.Find("name")->as_string());
  }
  EXPECT_EQ(names,
            (std::vector<std::string>{"events", "namespaces", "namespaces/status", "pods",
                                      "pods/status", "secrets", "services", "services/status"}));
}

TEST(DiscoveryTest, GroupResourceListDescribesArgoResources) {
  ResourceCatalog catalog;
  json::Value list = ServeJson(catalog, "/apis/argoproj.io/v1alpha1");
  EXPECT_EQ(*list.Find("apiVersion"), "v1");
  EXPECT_EQ(*list.Find("groupVersion"), "argoproj.io/v1alpha1");
  EXPECT_EQ(Entry(list, "rollouts"), json::Value(json::Object{{"name", "rollouts"},
                                                              {"singularName", "rollout"},
                                                              {"namespaced", true},
                                                              {"kind", "Rollout"},
                                                              {"verbs", kAllVerbs},
                                                              {"shortNames", Strings({"ro"})}}));
  EXPECT_FALSE(Entry(list, "rollouts/status").is_null());
  EXPECT_TRUE(Entry(list, "analysisruns/status").is_null()) << "Argo's CRD has no status "
                                                               "subresource";
  EXPECT_EQ(*Entry(list, "clusteranalysistemplates").Find("namespaced"), false);

  json::Value crds = ServeJson(catalog, "/apis/apiextensions.k8s.io/v1");
  json::Value crd = Entry(crds, "customresourcedefinitions");
  EXPECT_EQ(*crd.Find("shortNames"), json::Value(Strings({"crd", "crds"})));
  EXPECT_EQ(*crd.Find("categories"), json::Value(Strings({"api-extensions"})));
  EXPECT_EQ(*crd.Find("namespaced"), false);
}

TEST(DiscoveryTest, ApisListsGroupsWithPreferredVersions) {
  ResourceCatalog catalog;
  json::Value list = ServeJson(catalog, "/apis");
  EXPECT_EQ(*list.Find("kind"), "APIGroupList");
  EXPECT_EQ(*list.Find("apiVersion"), "v1");
  std::map<std::string, json::Value> groups;
  for (const json::Value& g : list.Find("groups")->as_array()) {
    groups[g.Find("name")->as_string()] = g;
  }
  EXPECT_EQ(groups.count(""), 0u) << "the core group is served at /api";
  EXPECT_EQ(groups["argoproj.io"], ParseOrDie(R"({"name": "argoproj.io",
      "versions": [{"groupVersion": "argoproj.io/v1alpha1", "version": "v1alpha1"}],
      "preferredVersion": {"groupVersion": "argoproj.io/v1alpha1", "version": "v1alpha1"}})"));
  EXPECT_EQ(groups.size(), 8u);
  EXPECT_EQ(ServeJson(catalog, "/apis/"), list) << "a trailing slash is ignored";
}

TEST(DiscoveryTest, ApisGroupDescribesOneGroup) {
  ResourceCatalog catalog;
  EXPECT_EQ(ServeJson(catalog, "/apis/apps"), ParseOrDie(R"({"kind": "APIGroup",
      "apiVersion": "v1", "name": "apps",
      "versions": [{"groupVersion": "apps/v1", "version": "v1"}],
      "preferredVersion": {"groupVersion": "apps/v1", "version": "v1"}})"));
}

TEST(DiscoveryTest, ACrdAppearsAndDisappears) {
  ResourceCatalog catalog;
  ASSERT_EQ(catalog.AddCrd(WidgetCrd()), Status::Ok());
  json::Value list = ServeJson(catalog, "/apis/example.com/v1");
  EXPECT_EQ(Entry(list, "widgets"), json::Value(json::Object{{"name", "widgets"},
                                                             {"singularName", "widget"},
                                                             {"namespaced", false},
                                                             {"kind", "Widget"},
                                                             {"verbs", kAllVerbs},
                                                             {"shortNames", Strings({"wg"})}}));
  bool listed = false;
  const json::Value groups = ServeJson(catalog, "/apis");
  for (const json::Value& g : groups.Find("groups")->as_array()) {
    listed = listed || g.Find("name")->as_string() == "example.com";
  }
  EXPECT_TRUE(listed);

  catalog.RemoveCrd("widgets.example.com");
  EXPECT_EQ(Serve(catalog, "/apis/example.com/v1").status, 404);
  EXPECT_EQ(Serve(catalog, "/apis/example.com").status, 404);
}

TEST(DiscoveryTest, UnknownGroupsAndVersionsAre404Statuses) {
  ResourceCatalog catalog;
  for (std::string target :
       {"/api/v2", "/apis/example.com", "/apis/example.com/v1", "/apis/argoproj.io/v1",
        "/apis/apps/v2", "/openapi/v3/apis/argoproj.io/v9", "/openapi/v3/api/v2",
        "/openapi/v3/apis/argoproj.io"}) {
    std::optional<http::Response> response = ServeDiscovery(catalog, Get(target));
    ASSERT_TRUE(response.has_value()) << target;
    EXPECT_EQ(response->status, 404) << target;
    EXPECT_EQ(response->Header("Content-Type"), "application/json") << target;
    EXPECT_EQ(ParseOrDie(response->body), ParseOrDie(R"({"kind": "Status", "apiVersion": "v1",
        "metadata": {}, "status": "Failure",
        "message": "the server could not find the requested resource", "reason": "NotFound",
        "details": {}, "code": 404})"))
        << target;
  }
}

TEST(DiscoveryTest, DeclinesWhatIsNotDiscovery) {
  ResourceCatalog catalog;
  struct Row {
    std::string method, target;
  };
  for (const Row& row : std::vector<Row>{{"GET", "/api/v1/pods"},
                                         {"GET", "/api/v1/namespaces/default/pods"},
                                         {"GET", "/apis/apps/v1/deployments"},
                                         {"GET", "/apis/apps/v1/namespaces/a/deployments/b"},
                                         {"GET", "/healthz"},
                                         {"GET", "/"},
                                         {"GET", "/apiz"},
                                         {"POST", "/api"},
                                         {"POST", "/api/v1"},
                                         {"DELETE", "/apis/apps/v1"},
                                         {"PUT", "/version"}}) {
    http::Request request = Get(row.target);
    request.method = row.method;
    EXPECT_FALSE(ServeDiscovery(catalog, request).has_value()) << row.method << " " << row.target;
  }
}

TEST(DiscoveryTest, VersionClaimsKubernetes131) {
  ResourceCatalog catalog;
  json::Value version = ServeJson(catalog, "/version");
  EXPECT_EQ(*version.Find("major"), "1");
  EXPECT_EQ(*version.Find("minor"), "31");
  EXPECT_EQ(*version.Find("gitVersion"), "v1.31.0+devflow");
  EXPECT_TRUE(version.Find("platform")->is_string());
  EXPECT_EQ(version.Find("goVersion"), nullptr);
}

// ---- Aggregated discovery ----

TEST(DiscoveryTest, NegotiatesTheFormatFromAccept) {
  ResourceCatalog catalog;
  struct Row {
    std::string name;
    std::string accept;
    std::string content_type;
  };
  const std::string v2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
  const std::string v2beta1 =
      "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList";
  const std::vector<Row> rows = {
      {"kubectl 1.30+", std::string(kAcceptKubectl133), v2},
      {"kubectl 1.27-1.29", std::string(kAcceptKubectl127), v2beta1},
      {"no Accept", "", "application/json"},
      {"plain JSON", "application/json, */*", "application/json"},
      {"aggregated only", v2, v2},
      {"q prefers classic", v2 + ";q=0.5, application/json", "application/json"},
      {"q prefers aggregated", "application/json;q=0.9, " + v2beta1, v2beta1},
      {"spaces around parameters",
       "application/json; g=apidiscovery.k8s.io; v=v2; "
       "as=APIGroupDiscoveryList",
       v2},
      {"unknown aggregated version",
       "application/json;g=apidiscovery.k8s.io;v=v3;as="
       "APIGroupDiscoveryList,application/json",
       "application/json"},
      {"nothing acceptable falls back to JSON", "application/yaml", "application/json"},
      {"a table is not discovery", "application/json;as=Table;v=v1;g=meta.k8s.io",
       "application/json"},
  };
  for (const Row& row : rows) {
    for (std::string target : {"/api", "/apis"}) {
      http::Response response = Serve(catalog, target, row.accept);
      EXPECT_EQ(response.Header("Content-Type"), row.content_type) << row.name << " " << target;
      EXPECT_EQ(response.Header("Vary"), "Accept") << row.name << " " << target;
      json::Value body = ParseOrDie(response.body);
      const bool aggregated = row.content_type != "application/json";
      EXPECT_EQ(body.Find("kind")->as_string(),
                aggregated ? "APIGroupDiscoveryList"
                           : (target == "/api" ? "APIVersions" : "APIGroupList"))
          << row.name << " " << target;
    }
  }
}

// The item of an APIGroupDiscoveryList for group `name` ("" for core), or null.
json::Value Item(const json::Value& list, std::string_view name) {
  for (const json::Value& item : list.Find("items")->as_array()) {
    const json::Value* n = item.Find("metadata")->Find("name");
    if ((n == nullptr ? "" : n->as_string()) == name) return item;
  }
  return json::Value();
}

json::Value AggregatedResource(const json::Value& item, std::string_view resource) {
  for (const json::Value& r : item.Find("versions")->as_array()[0].Find("resources")->as_array()) {
    if (r.Find("resource")->as_string() == resource) return r;
  }
  return json::Value();
}

TEST(DiscoveryTest, AggregatedApisDescribesEveryGroup) {
  ResourceCatalog catalog;
  json::Value list = ServeJson(catalog, "/apis", kAcceptKubectl133);
  EXPECT_EQ(*list.Find("apiVersion"), "apidiscovery.k8s.io/v2");
  EXPECT_EQ(list.Find("items")->as_array().size(), 8u);
  EXPECT_TRUE(Item(list, "").is_null()) << "the core group is served at /api";
  json::Value argo = Item(list, "argoproj.io");
  ASSERT_FALSE(argo.is_null());
  EXPECT_EQ(*argo.Find("versions")->as_array()[0].Find("version"), "v1alpha1");
  EXPECT_EQ(*argo.Find("versions")->as_array()[0].Find("freshness"), "Current");
  EXPECT_EQ(AggregatedResource(argo, "rollouts"), ParseOrDie(R"({"resource": "rollouts",
      "responseKind": {"group": "argoproj.io", "version": "v1alpha1", "kind": "Rollout"},
      "scope": "Namespaced", "singularResource": "rollout",
      "verbs": ["create", "delete", "deletecollection", "get", "list", "patch", "update",
                "watch"],
      "shortNames": ["ro"],
      "subresources": [{"subresource": "status",
          "responseKind": {"group": "argoproj.io", "version": "v1alpha1", "kind": "Rollout"},
          "verbs": ["get", "patch", "update"]}]})"));
  EXPECT_EQ(*AggregatedResource(argo, "clusteranalysistemplates").Find("scope"), "Cluster");
  EXPECT_EQ(AggregatedResource(argo, "analysisruns").Find("subresources"), nullptr);

  json::Value apps = Item(list, "apps");
  EXPECT_EQ(*AggregatedResource(apps, "deployments").Find("categories"),
            json::Value(Strings({"all"})));

  json::Value beta = ServeJson(catalog, "/apis", kAcceptKubectl127);
  EXPECT_EQ(*beta.Find("apiVersion"), "apidiscovery.k8s.io/v2beta1");
  EXPECT_EQ(*beta.Find("items"), *list.Find("items")) << "v2beta1 has the same shape";
}

TEST(DiscoveryTest, AggregatedApiDescribesTheCoreGroup) {
  ResourceCatalog catalog;
  json::Value list = ServeJson(catalog, "/api", kAcceptKubectl133);
  ASSERT_EQ(list.Find("items")->as_array().size(), 1u);
  json::Value core = list.Find("items")->as_array()[0];
  EXPECT_EQ(*core.Find("metadata"), json::Value(json::Object{}));
  EXPECT_EQ(*AggregatedResource(core, "namespaces").Find("scope"), "Cluster");
  EXPECT_EQ(*AggregatedResource(core, "pods").Find("responseKind"),
            ParseOrDie(R"({"group": "", "version": "v1", "kind": "Pod"})"));
}

TEST(DiscoveryTest, AggregatedListsCrdGroupsAfterBuiltinGroups) {
  ResourceCatalog catalog;
  ASSERT_EQ(catalog.AddCrd(WidgetCrd()), Status::Ok());
  json::Value list = ServeJson(catalog, "/apis", kAcceptKubectl133);
  const json::Array& items = list.Find("items")->as_array();
  ASSERT_EQ(items.size(), 9u);
  EXPECT_EQ(*items.back().Find("metadata")->Find("name"), "example.com");
  EXPECT_EQ(*AggregatedResource(items.back(), "widgets").Find("shortNames"),
            json::Value(Strings({"wg"})));
}

// ---- OpenAPI ----

TEST(DiscoveryTest, OpenApiV3IndexPointsAtEveryGroupVersion) {
  ResourceCatalog catalog;
  json::Value index = ServeJson(catalog, "/openapi/v3");
  const json::Object& paths = index.Find("paths")->as_object();
  EXPECT_EQ(paths.size(), 9u) << "core plus 8 groups";
  const json::Value* argo = paths.Find("apis/argoproj.io/v1alpha1");
  ASSERT_NE(argo, nullptr);
  const std::string url = argo->Find("serverRelativeURL")->as_string();
  EXPECT_TRUE(url.starts_with("/openapi/v3/apis/argoproj.io/v1alpha1?hash=")) << url;
  ASSERT_NE(paths.Find("api/v1"), nullptr);

  // The hash names the document: it changes when the group version changes, and only then.
  ASSERT_EQ(catalog.AddCrd(ParseOrDie(R"({"metadata": {"name": "rolloutplugins.argoproj.io"},
      "spec": {"group": "argoproj.io", "scope": "Namespaced",
               "names": {"plural": "rolloutplugins", "kind": "RolloutPlugin"},
               "versions": [{"name": "v1alpha1", "served": true, "storage": true,
                             "schema": {"openAPIV3Schema": {"type": "object"}}}]}})")),
            Status::Ok());
  json::Value after = ServeJson(catalog, "/openapi/v3");
  EXPECT_NE(*after.Find("paths")->Find("apis/argoproj.io/v1alpha1"), *argo);
  EXPECT_EQ(*after.Find("paths")->Find("api/v1"), *paths.Find("api/v1"));
}

TEST(DiscoveryTest, OpenApiV3DocumentsDeclareFieldValidationOnPatch) {
  ResourceCatalog catalog;
  // The hash in the query is ignored: the current document is served.
  json::Value argo = ServeJson(catalog, "/openapi/v3/apis/argoproj.io/v1alpha1?hash=ABC");
  EXPECT_EQ(*argo.Find("openapi"), "3.0.0");
  const json::Object& paths = argo.Find("paths")->as_object();
  EXPECT_EQ(paths.size(), 5u);
  const json::Value* rollouts =
      paths.Find("/apis/argoproj.io/v1alpha1/namespaces/{namespace}/rollouts/{name}");
  ASSERT_NE(rollouts, nullptr);
  const json::Value& patch = *rollouts->Find("patch");
  EXPECT_EQ(*patch.Find("x-kubernetes-group-version-kind"),
            ParseOrDie(R"({"group": "argoproj.io", "kind": "Rollout", "version": "v1alpha1"})"));
  const json::Value& parameter = patch.Find("parameters")->as_array().at(0);
  EXPECT_EQ(*parameter.Find("name"), "fieldValidation");
  EXPECT_EQ(*parameter.Find("in"), "query");
  EXPECT_NE(paths.Find("/apis/argoproj.io/v1alpha1/clusteranalysistemplates/{name}"), nullptr)
      << "cluster-scoped resources have no namespace segment";

  json::Value core = ServeJson(catalog, "/openapi/v3/api/v1");
  const json::Value* namespaces = core.Find("paths")->Find("/api/v1/namespaces/{name}");
  ASSERT_NE(namespaces, nullptr);
  EXPECT_EQ(*namespaces->Find("patch")->Find("x-kubernetes-group-version-kind"),
            ParseOrDie(R"({"group": "", "kind": "Namespace", "version": "v1"})"));
}

TEST(DiscoveryTest, OpenApiV2JsonHasEveryPatchOperation) {
  ResourceCatalog catalog;
  http::Response response = Serve(catalog, "/openapi/v2", "application/json");
  EXPECT_EQ(response.Header("Content-Type"), "application/json");
  json::Value doc = ParseOrDie(response.body);
  EXPECT_EQ(*doc.Find("swagger"), "2.0");
  EXPECT_EQ(doc.Find("paths")->as_object().size(), catalog.All().size());
  const json::Value* deployments =
      doc.Find("paths")->Find("/apis/apps/v1/namespaces/{namespace}/deployments/{name}");
  ASSERT_NE(deployments, nullptr);
  EXPECT_EQ(*deployments->Find("patch")->Find("parameters")->as_array()[0].Find("type"), "string");
}

// ---- A minimal protobuf reader, to check the /openapi/v2 message ----

// The fields of one message: field number -> the length-delimited values, in order.
using Fields = std::multimap<int, std::string>;

std::optional<uint64_t> ReadVarint(std::string_view& in) {
  uint64_t value = 0;
  for (int shift = 0; shift < 64 && !in.empty(); shift += 7) {
    const uint8_t byte = static_cast<uint8_t>(in.front());
    in.remove_prefix(1);
    value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return value;
  }
  return std::nullopt;
}

// Decodes a message whose fields are all length-delimited; nullopt when it is not one.
std::optional<Fields> Decode(std::string_view in) {
  Fields fields;
  while (!in.empty()) {
    std::optional<uint64_t> tag = ReadVarint(in);
    if (!tag || (*tag & 7) != 2) return std::nullopt;
    std::optional<uint64_t> size = ReadVarint(in);
    if (!size || *size > in.size()) return std::nullopt;
    fields.emplace(static_cast<int>(*tag >> 3), std::string(in.substr(0, *size)));
    in.remove_prefix(*size);
  }
  return fields;
}

// Follows a chain of embedded messages (field numbers); "" when a field is missing.
std::string Follow(std::string message, std::initializer_list<int> path) {
  for (int number : path) {
    std::optional<Fields> fields = Decode(message);
    if (!fields || fields->count(number) == 0) return "";
    message = fields->find(number)->second;
  }
  return message;
}

TEST(DiscoveryTest, OpenApiV2ProtobufIsAGnosticDocument) {
  ResourceCatalog catalog;
  http::Response response =
      Serve(catalog, "/openapi/v2", "application/com.github.proto-openapi.spec.v2@v1.0+protobuf");
  EXPECT_EQ(response.Header("Content-Type"),
            "application/com.github.proto-openapi.spec.v2.v1.0+protobuf");
  EXPECT_EQ(response.body, OpenApiV2Protobuf(catalog));
  std::optional<Fields> document = Decode(response.body);
  ASSERT_TRUE(document.has_value());
  EXPECT_EQ(document->find(1)->second, "2.0");  // swagger
  std::optional<Fields> paths = Decode(document->find(8)->second);
  ASSERT_TRUE(paths.has_value());
  EXPECT_EQ(paths->count(2), catalog.All().size());

  std::map<std::string, std::pair<std::string, std::string>> operations;  // path -> (param, gvk)
  for (auto [it, end] = paths->equal_range(2); it != end; ++it) {
    std::string name = Follow(it->second, {1});
    std::string patch = Follow(it->second, {2, 8});
    // Operation.parameters -> ParametersItem.parameter -> Parameter.non_body_parameter ->
    // NonBodyParameter.query_parameter_sub_schema -> QueryParameterSubSchema.name.
    std::string parameter = Follow(patch, {8, 1, 2, 3, 4});
    std::string gvk;
    std::optional<Fields> operation = Decode(patch);
    ASSERT_TRUE(operation.has_value()) << name;
    for (auto [ext, ext_end] = operation->equal_range(13); ext != ext_end; ++ext) {
      if (Follow(ext->second, {1}) == "x-kubernetes-group-version-kind") {
        gvk = Follow(ext->second, {2, 2});  // NamedAny.value -> Any.yaml
      }
    }
    operations[name] = {parameter, gvk};
  }
  EXPECT_EQ(operations["/apis/argoproj.io/v1alpha1/namespaces/{namespace}/rollouts/{name}"],
            std::make_pair(std::string("fieldValidation"),
                           std::string("group: \"argoproj.io\"\nkind: \"Rollout\"\nversion: "
                                       "\"v1alpha1\"\n")));
  EXPECT_EQ(operations["/api/v1/namespaces/{name}"],
            std::make_pair(std::string("fieldValidation"),
                           std::string("group: \"\"\nkind: \"Namespace\"\nversion: \"v1\"\n")));
}

}  // namespace
}  // namespace devflow::apiserver
