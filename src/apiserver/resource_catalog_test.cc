#include "apiserver/resource_catalog.h"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "common/json_reader.h"

namespace devflow::json {
// Readable failures; internal linkage, so that other test files may define their own.
[[maybe_unused]] static void PrintTo(const Value& value, std::ostream* os) { *os << Write(value); }
}  // namespace devflow::json

namespace devflow::apiserver {
namespace {

json::Value ParseOrDie(std::string_view text) {
  auto value = json::Parse(text);
  if (!value.ok()) {
    ADD_FAILURE() << value.error();
    return json::Value();
  }
  return *value;
}

// A valid CRD: widgets.example.com, Namespaced, v1 served and stored with a status subresource,
// v1beta1 served, v1alpha1 not served.
json::Value WidgetCrd() {
  return ParseOrDie(R"({
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.example.com"},
    "spec": {
      "group": "example.com",
      "names": {"plural": "widgets", "singular": "widget", "kind": "Widget",
                "listKind": "WidgetList", "shortNames": ["wg"], "categories": ["all", "gadgets"]},
      "scope": "Namespaced",
      "versions": [
        {"name": "v1", "served": true, "storage": true, "subresources": {"status": {}},
         "schema": {"openAPIV3Schema": {"type": "object",
                                        "x-kubernetes-preserve-unknown-fields": true}}},
        {"name": "v1beta1", "served": true, "storage": false,
         "schema": {"openAPIV3Schema": {"type": "object"}}},
        {"name": "v1alpha1", "served": false, "storage": false,
         "schema": {"openAPIV3Schema": {"type": "object"}}}
      ]
    }
  })");
}

// A one-version CRD with the given names, for conflict tests.
json::Value SimpleCrd(const std::string& group, const std::string& plural, const std::string& kind,
                      const std::string& short_name = "", const std::string& scope = "Namespaced") {
  json::Value crd = ParseOrDie(R"({
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {}, "spec": {"names": {}, "versions": [
      {"name": "v1", "served": true, "storage": true,
       "schema": {"openAPIV3Schema": {"type": "object"}}}]}})");
  crd["metadata"]["name"] = plural + "." + group;
  crd["spec"]["group"] = group;
  crd["spec"]["scope"] = scope;
  crd["spec"]["names"]["plural"] = plural;
  // An explicit singular, so that conflict tests are about the name they set.
  crd["spec"]["names"]["singular"] =
      plural.ends_with("s") ? plural.substr(0, plural.size() - 1) : plural + "-item";
  crd["spec"]["names"]["kind"] = kind;
  if (!short_name.empty()) crd["spec"]["names"]["shortNames"] = json::Array{short_name};
  return crd;
}

// ---- Built-in resources ----

struct BuiltinRow {
  std::string name;
  std::string group, version, plural;
  std::string kind, list_kind, singular;
  std::vector<std::string> short_names, categories;
  bool namespaced;
  bool status_subresource;
};

TEST(ResourceCatalogBuiltinTest, ServesEveryBuiltinKindWithKubernetesNames) {
  const std::vector<BuiltinRow> rows = {
      {"rollouts",
       "argoproj.io",
       "v1alpha1",
       "rollouts",
       "Rollout",
       "RolloutList",
       "rollout",
       {"ro"},
       {},
       true,
       true},
      {"analysistemplates",
       "argoproj.io",
       "v1alpha1",
       "analysistemplates",
       "AnalysisTemplate",
       "AnalysisTemplateList",
       "analysistemplate",
       {"at"},
       {},
       true,
       false},
      {"clusteranalysistemplates",
       "argoproj.io",
       "v1alpha1",
       "clusteranalysistemplates",
       "ClusterAnalysisTemplate",
       "ClusterAnalysisTemplateList",
       "clusteranalysistemplate",
       {"cat"},
       {},
       false,
       false},
      {"analysisruns",
       "argoproj.io",
       "v1alpha1",
       "analysisruns",
       "AnalysisRun",
       "AnalysisRunList",
       "analysisrun",
       {"ar"},
       {},
       true,
       false},
      {"experiments",
       "argoproj.io",
       "v1alpha1",
       "experiments",
       "Experiment",
       "ExperimentList",
       "experiment",
       {"exp"},
       {},
       true,
       false},
      {"replicasets",
       "apps",
       "v1",
       "replicasets",
       "ReplicaSet",
       "ReplicaSetList",
       "replicaset",
       {"rs"},
       {"all"},
       true,
       true},
      {"deployments",
       "apps",
       "v1",
       "deployments",
       "Deployment",
       "DeploymentList",
       "deployment",
       {"deploy"},
       {"all"},
       true,
       true},
      {"pods", "", "v1", "pods", "Pod", "PodList", "pod", {"po"}, {"all"}, true, true},
      {"services",
       "",
       "v1",
       "services",
       "Service",
       "ServiceList",
       "service",
       {"svc"},
       {"all"},
       true,
       true},
      {"namespaces",
       "",
       "v1",
       "namespaces",
       "Namespace",
       "NamespaceList",
       "namespace",
       {"ns"},
       {},
       false,
       true},
      {"secrets", "", "v1", "secrets", "Secret", "SecretList", "secret", {}, {}, true, false},
      {"events", "", "v1", "events", "Event", "EventList", "event", {"ev"}, {}, true, false},
      {"jobs", "batch", "v1", "jobs", "Job", "JobList", "job", {}, {"all"}, true, true},
      {"leases",
       "coordination.k8s.io",
       "v1",
       "leases",
       "Lease",
       "LeaseList",
       "lease",
       {},
       {},
       true,
       false},
      {"ingresses",
       "networking.k8s.io",
       "v1",
       "ingresses",
       "Ingress",
       "IngressList",
       "ingress",
       {"ing"},
       {},
       true,
       true},
      {"gateways",
       "gateway.networking.k8s.io",
       "v1",
       "gateways",
       "Gateway",
       "GatewayList",
       "gateway",
       {"gtw"},
       {"gateway-api"},
       true,
       true},
      {"httproutes",
       "gateway.networking.k8s.io",
       "v1",
       "httproutes",
       "HTTPRoute",
       "HTTPRouteList",
       "httproute",
       {},
       {"gateway-api"},
       true,
       true},
      {"virtualservices",
       "networking.istio.io",
       "v1beta1",
       "virtualservices",
       "VirtualService",
       "VirtualServiceList",
       "virtualservice",
       {"vs"},
       {"istio-io", "networking-istio-io"},
       true,
       true},
      {"destinationrules",
       "networking.istio.io",
       "v1beta1",
       "destinationrules",
       "DestinationRule",
       "DestinationRuleList",
       "destinationrule",
       {"dr"},
       {"istio-io", "networking-istio-io"},
       true,
       true},
      {"customresourcedefinitions",
       "apiextensions.k8s.io",
       "v1",
       "customresourcedefinitions",
       "CustomResourceDefinition",
       "CustomResourceDefinitionList",
       "customresourcedefinition",
       {"crd", "crds"},
       {"api-extensions"},
       false,
       true},
  };
  ResourceCatalog catalog;
  for (const BuiltinRow& row : rows) {
    SCOPED_TRACE(row.name);
    std::optional<ResourceInfo> info = catalog.Find(row.group, row.version, row.plural);
    ASSERT_TRUE(info.has_value());
    EXPECT_EQ(info->kind, row.kind);
    EXPECT_EQ(info->list_kind, row.list_kind);
    EXPECT_EQ(info->singular, row.singular);
    EXPECT_EQ(info->short_names, row.short_names);
    EXPECT_EQ(info->categories, row.categories);
    EXPECT_EQ(info->namespaced, row.namespaced);
    EXPECT_EQ(info->status_subresource, row.status_subresource);
    EXPECT_FALSE(info->custom);
    // Built-in kinds are checked by devflow's own validation; CRDs by ValidateCrd (see header).
    EXPECT_EQ(info->check == nullptr, row.kind == "CustomResourceDefinition");
  }
  EXPECT_EQ(catalog.All().size(), rows.size()) << "a built-in resource has no row";
}

TEST(ResourceCatalogBuiltinTest, KeepsTheKindsNameRules) {
  ResourceCatalog catalog;
  EXPECT_EQ(catalog.Find("", "v1", "services")->name_rule, api::NameRule::kDns1035Label);
  EXPECT_EQ(catalog.Find("", "v1", "namespaces")->name_rule, api::NameRule::kDnsLabel);
  EXPECT_EQ(catalog.Find("apps", "v1", "replicasets")->name_rule, api::NameRule::kDnsSubdomain);
}

TEST(ResourceCatalogBuiltinTest, FindMatchesGroupVersionAndPluralExactly) {
  ResourceCatalog catalog;
  struct Row {
    std::string name, group, version, plural;
  };
  for (const Row& row : std::vector<Row>{{"core group has no replicasets", "", "v1", "replicasets"},
                                         {"wrong version", "argoproj.io", "v1", "rollouts"},
                                         {"kind instead of plural", "apps", "v1", "ReplicaSet"},
                                         {"short name instead of plural", "apps", "v1", "rs"},
                                         {"unknown group", "example.com", "v1", "widgets"}}) {
    EXPECT_FALSE(catalog.Find(row.group, row.version, row.plural).has_value()) << row.name;
  }
}

TEST(ResourceCatalogBuiltinTest, FindKindSplitsTheApiVersion) {
  ResourceCatalog catalog;
  struct Row {
    std::string name, api_version, kind;
    std::optional<std::string> plural;
  };
  const std::vector<Row> rows = {
      {"group/version", "apps/v1", "ReplicaSet", "replicasets"},
      {"core group", "v1", "Pod", "pods"},
      {"argo", "argoproj.io/v1alpha1", "Rollout", "rollouts"},
      {"crd kind", "apiextensions.k8s.io/v1", "CustomResourceDefinition",
       "customresourcedefinitions"},
      {"unserved version", "argoproj.io/v1", "Rollout", std::nullopt},
      {"kind of another group", "apps/v1", "Pod", std::nullopt},
      {"core kind with a group", "core/v1", "Pod", std::nullopt},
  };
  for (const Row& row : rows) {
    std::optional<ResourceInfo> info = catalog.FindKind(row.api_version, row.kind);
    EXPECT_EQ(info ? std::optional(info->plural) : std::nullopt, row.plural) << row.name;
  }
}

TEST(ResourceCatalogBuiltinTest, NamesTheApiVersionAndStoreResource) {
  ResourceCatalog catalog;
  ResourceInfo pods = *catalog.Find("", "v1", "pods");
  EXPECT_EQ(pods.ApiVersion(), "v1");
  EXPECT_EQ(pods.StoreResource(), "pods");
  ResourceInfo replicasets = *catalog.Find("apps", "v1", "replicasets");
  EXPECT_EQ(replicasets.ApiVersion(), "apps/v1");
  EXPECT_EQ(replicasets.StoreResource(), "apps/replicasets");
}

TEST(ResourceCatalogBuiltinTest, ListsBuiltinsInGroupVersionPluralOrder) {
  ResourceCatalog catalog;
  std::vector<ResourceInfo> all = catalog.All();
  for (size_t i = 1; i < all.size(); ++i) {
    EXPECT_LT(std::tie(all[i - 1].group, all[i - 1].version, all[i - 1].plural),
              std::tie(all[i].group, all[i].version, all[i].plural))
        << "at " << i;
  }
}

// ---- Version priority ----

TEST(ResourceCatalogVersionTest, OrdersVersionsAsKubernetesDoes) {
  struct Row {
    std::string first, second;  // `first` has priority
  };
  const std::vector<Row> rows = {
      {"v2", "v1"},
      {"v1", "v1beta1"},
      {"v1", "v2beta1"},
      {"v1beta2", "v1beta1"},
      {"v2beta1", "v1beta2"},
      {"v1beta1", "v1alpha1"},
      {"v1alpha2", "v1alpha1"},
      {"v10", "v2"},
      {"v1alpha1", "foo"},
      {"bar", "foo"},
      {"v1alpha1", "v1beta"},
      {"v1alpha1", "v01"},
  };
  for (const Row& row : rows) {
    EXPECT_TRUE(VersionHasPriority(row.first, row.second)) << row.first << " before " << row.second;
    EXPECT_FALSE(VersionHasPriority(row.second, row.first)) << row.second << " after " << row.first;
  }
  EXPECT_FALSE(VersionHasPriority("v1", "v1"));
}

// ---- CRD validation ----

struct ExpectedError {
  std::string path;
  std::string message_part;  // a fragment of the message
};

struct CrdRow {
  std::string name;
  std::function<void(json::Value&)> mutate;
  std::vector<ExpectedError> errors;
};

constexpr std::string_view kDns1035 = "a DNS-1035 label must consist of lower case alphanumeric";

TEST(ResourceCatalogCrdValidationTest, ReportsEveryProblemWithItsPath) {
  const std::vector<CrdRow> rows = {
      {"valid", [](json::Value&) {}, {}},
      {"singular and listKind default from kind",
       [](json::Value& crd) {
         crd["spec"]["names"].as_object().Erase("singular");
         crd["spec"]["names"].as_object().Erase("listKind");
       },
       {}},
      {"no name: left to ValidateObjectMeta",
       [](json::Value& crd) { crd["metadata"].as_object().Erase("name"); },
       {}},
      {"name is not plural.group",
       [](json::Value& crd) { crd["metadata"]["name"] = "gadgets.example.com"; },
       {{"metadata.name", "must be spec.names.plural+\".\"+spec.group"}}},
      {"no spec",
       [](json::Value& crd) { crd.as_object().Erase("spec"); },
       {{"spec", "is required"}}},
      {"spec not an object",
       [](json::Value& crd) { crd["spec"] = json::Array{}; },
       {{"spec", "must be an object, got array"}}},
      {"no group",
       [](json::Value& crd) {
         crd["spec"].as_object().Erase("group");
         crd["metadata"]["name"] = "widgets.";
       },
       {{"spec.group", "is required"}}},
      {"group without a dot",
       [](json::Value& crd) {
         crd["spec"]["group"] = "example";
         crd["metadata"]["name"] = "widgets.example";
       },
       {{"spec.group", "should be a domain with at least one dot"}}},
      {"group not a subdomain",
       [](json::Value& crd) {
         crd["spec"]["group"] = "Example.com";
         crd["metadata"]["name"] = "widgets.Example.com";
       },
       {{"spec.group", "a lowercase RFC 1123 subdomain must consist of"}}},
      {"no scope",
       [](json::Value& crd) { crd["spec"].as_object().Erase("scope"); },
       {{"spec.scope", "is required"}}},
      {"scope in lower case",
       [](json::Value& crd) { crd["spec"]["scope"] = "namespaced"; },
       {{"spec.scope", "supported values: \"Cluster\", \"Namespaced\""}}},
      {"no versions",
       [](json::Value& crd) { crd["spec"]["versions"] = json::Array{}; },
       {{"spec.versions", "must have exactly one version marked as storage version"}}},
      {"two storage versions",
       [](json::Value& crd) { crd["spec"]["versions"].as_array()[1]["storage"] = true; },
       {{"spec.versions", "must have exactly one version marked as storage version"}}},
      {"duplicate version names",
       [](json::Value& crd) { crd["spec"]["versions"].as_array()[1]["name"] = "v1"; },
       {{"spec.versions", "must contain unique version names"}}},
      {"version name not a DNS-1035 label",
       [](json::Value& crd) { crd["spec"]["versions"].as_array()[0]["name"] = "V1"; },
       {{"spec.versions[0].name", std::string(kDns1035)}}},
      {"version without a schema",
       [](json::Value& crd) { crd["spec"]["versions"].as_array()[2].as_object().Erase("schema"); },
       {{"spec.versions[2].schema.openAPIV3Schema", "is required"}}},
      {"served not a boolean",
       [](json::Value& crd) { crd["spec"]["versions"].as_array()[0]["served"] = "yes"; },
       {{"spec.versions[0].served", "must be true or false, got string \"yes\""}}},
      {"versions not an array",
       [](json::Value& crd) { crd["spec"]["versions"] = "v1"; },
       {{"spec.versions", "must be an array, got string \"v1\""},
        {"spec.versions", "must have exactly one version marked as storage version"}}},
      {"status subresource not an object",
       [](json::Value& crd) {
         crd["spec"]["versions"].as_array()[0]["subresources"]["status"] = true;
       },
       {{"spec.versions[0].subresources.status", "must be an object, got bool"}}},
      {"plural not a DNS-1035 label",
       [](json::Value& crd) {
         crd["spec"]["names"]["plural"] = "Widgets";
         crd["metadata"]["name"] = "Widgets.example.com";
       },
       {{"spec.names.plural", std::string(kDns1035)}}},
      {"plural longer than 63 characters",
       [](json::Value& crd) {
         std::string plural(64, 'w');
         crd["spec"]["names"]["plural"] = plural;
         crd["metadata"]["name"] = plural + ".example.com";
       },
       {{"spec.names.plural", "must be no more than 63 characters"}}},
      {"singular not a DNS-1035 label",
       [](json::Value& crd) { crd["spec"]["names"]["singular"] = "a_widget"; },
       {{"spec.names.singular", std::string(kDns1035)}}},
      {"no kind: singular and listKind cannot default",
       [](json::Value& crd) {
         json::Object& names = crd["spec"]["names"].as_object();
         names.Erase("kind");
         names.Erase("singular");
         names.Erase("listKind");
       },
       {{"spec.names.singular", "is required"},
        {"spec.names.kind", "is required"},
        {"spec.names.listKind", "is required"}}},
      {"kind with an underscore",
       [](json::Value& crd) { crd["spec"]["names"]["kind"] = "Wid_get"; },
       {{"spec.names.kind", "may have mixed case, but should otherwise match: a DNS-1035"}}},
      {"listKind equal to kind",
       [](json::Value& crd) { crd["spec"]["names"]["listKind"] = "Widget"; },
       {{"spec.names.listKind", "kind and listKind may not be the same"}}},
      {"bad short name",
       [](json::Value& crd) {
         crd["spec"]["names"]["shortNames"] = json::Array{"wg", "W G"};
       },
       {{"spec.names.shortNames[1]", std::string(kDns1035)}}},
      {"short names not strings",
       [](json::Value& crd) { crd["spec"]["names"]["shortNames"] = json::Array{1}; },
       {{"spec.names.shortNames[0]", "must be a string, got integer"}}},
      {"bad category",
       [](json::Value& crd) {
         crd["spec"]["names"]["categories"] = json::Array{"all", "a.b"};
       },
       {{"spec.names.categories[1]", std::string(kDns1035)}}},
      {"several problems at once",
       [](json::Value& crd) {
         crd["spec"]["scope"] = "Global";
         crd["spec"]["names"]["listKind"] = "Widget";
         crd["spec"]["versions"].as_array()[0]["storage"] = false;
       },
       {{"spec.scope", "supported values"},
        {"spec.versions", "must have exactly one version marked as storage version"},
        {"spec.names.listKind", "kind and listKind may not be the same"}}},
  };
  for (const CrdRow& row : rows) {
    json::Value crd = WidgetCrd();
    row.mutate(crd);
    api::FieldErrors errors = ResourceCatalog::ValidateCrd(crd);
    std::string all;
    for (const api::FieldError& e : errors) all += "\n  " + api::ToString(e);
    ASSERT_EQ(errors.size(), row.errors.size()) << row.name << ": got" << all;
    for (size_t i = 0; i < errors.size(); ++i) {
      EXPECT_EQ(errors[i].path.str(), row.errors[i].path) << row.name << ": got" << all;
      EXPECT_NE(errors[i].message.find(row.errors[i].message_part), std::string::npos)
          << row.name << ": got" << all;
    }
  }
}

TEST(ResourceCatalogCrdValidationTest, RejectsANonObject) {
  api::FieldErrors errors = ResourceCatalog::ValidateCrd(json::Value("crd"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].path.str(), "");
}

TEST(ResourceCatalogCrdValidationTest, UsesKubernetesWordingForDnsLabels) {
  json::Value crd = WidgetCrd();
  crd["spec"]["names"]["shortNames"] = json::Array{"-wg"};
  api::FieldErrors errors = ResourceCatalog::ValidateCrd(crd);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message,
            "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start "
            "with an alphabetic character, and end with an alphanumeric character (e.g. "
            "'my-name',  or 'abc-123', regex used for validation is "
            "'[a-z]([-a-z0-9]*[a-z0-9])?')");
}

// ---- Adding and removing CRDs ----

TEST(ResourceCatalogCrdTest, AddsOneResourcePerServedVersion) {
  ResourceCatalog catalog;
  ASSERT_EQ(catalog.AddCrd(WidgetCrd()), Status::Ok());

  std::optional<ResourceInfo> v1 = catalog.Find("example.com", "v1", "widgets");
  ASSERT_TRUE(v1.has_value());
  ResourceInfo expected;
  expected.group = "example.com";
  expected.version = "v1";
  expected.kind = "Widget";
  expected.list_kind = "WidgetList";
  expected.plural = "widgets";
  expected.singular = "widget";
  expected.short_names = {"wg"};
  expected.categories = {"all", "gadgets"};
  expected.namespaced = true;
  expected.status_subresource = true;
  expected.custom = true;
  expected.crd_name = "widgets.example.com";
  EXPECT_EQ(*v1, expected);

  std::optional<ResourceInfo> v1beta1 = catalog.Find("example.com", "v1beta1", "widgets");
  ASSERT_TRUE(v1beta1.has_value());
  EXPECT_FALSE(v1beta1->status_subresource) << "subresources are per version";
  EXPECT_FALSE(catalog.Find("example.com", "v1alpha1", "widgets").has_value())
      << "v1alpha1 is not served";
  EXPECT_EQ(catalog.FindKind("example.com/v1beta1", "Widget")->version, "v1beta1");
  EXPECT_EQ(v1->StoreResource(), "example.com/widgets");
  EXPECT_EQ(v1->ApiVersion(), "example.com/v1");
}

TEST(ResourceCatalogCrdTest, AppliesKubernetesDefaultsAndScope) {
  ResourceCatalog catalog;
  json::Value crd = SimpleCrd("example.com", "gadgets", "BigGadget", "", "Cluster");
  crd["spec"]["names"].as_object().Erase("singular");
  ASSERT_EQ(catalog.AddCrd(crd), Status::Ok());
  ResourceInfo info = *catalog.Find("example.com", "v1", "gadgets");
  EXPECT_EQ(info.singular, "biggadget");
  EXPECT_EQ(info.list_kind, "BigGadgetList");
  EXPECT_FALSE(info.namespaced);
  EXPECT_EQ(info.name_rule, api::NameRule::kDnsSubdomain);
  EXPECT_EQ(info.check, nullptr);
}

TEST(ResourceCatalogCrdTest, ListsCustomResourcesAfterBuiltins) {
  ResourceCatalog catalog;
  const size_t builtins = catalog.All().size();
  ASSERT_EQ(catalog.AddCrd(WidgetCrd()), Status::Ok());
  ASSERT_EQ(catalog.AddCrd(SimpleCrd("aaa.example", "things", "Thing")), Status::Ok());
  std::vector<ResourceInfo> all = catalog.All();
  ASSERT_EQ(all.size(), builtins + 3);
  for (size_t i = 0; i < builtins; ++i) EXPECT_FALSE(all[i].custom) << i;
  EXPECT_EQ(all[builtins].ApiVersion() + " " + all[builtins].plural, "aaa.example/v1 things");
  EXPECT_EQ(all[builtins + 1].ApiVersion() + " " + all[builtins + 1].plural,
            "example.com/v1 widgets");
  EXPECT_EQ(all[builtins + 2].ApiVersion() + " " + all[builtins + 2].plural,
            "example.com/v1beta1 widgets");
}

TEST(ResourceCatalogCrdTest, ReplacesAndRemoves) {
  ResourceCatalog catalog;
  ASSERT_EQ(catalog.AddCrd(WidgetCrd()), Status::Ok());
  json::Value v2_only = WidgetCrd();
  v2_only["spec"]["versions"] = ParseOrDie(R"([{"name": "v2", "served": true, "storage": true,
      "schema": {"openAPIV3Schema": {"type": "object"}}}])");
  ASSERT_EQ(catalog.AddCrd(v2_only), Status::Ok());
  EXPECT_FALSE(catalog.Find("example.com", "v1", "widgets").has_value());
  EXPECT_TRUE(catalog.Find("example.com", "v2", "widgets").has_value());

  catalog.RemoveCrd("unknown.example.com");
  EXPECT_TRUE(catalog.Find("example.com", "v2", "widgets").has_value());
  catalog.RemoveCrd("widgets.example.com");
  EXPECT_FALSE(catalog.Find("example.com", "v2", "widgets").has_value());
  EXPECT_FALSE(catalog.FindKind("example.com/v2", "Widget").has_value());
}

TEST(ResourceCatalogCrdTest, RefusesAnInvalidCrd) {
  ResourceCatalog catalog;
  json::Value crd = WidgetCrd();
  crd["spec"]["scope"] = "Everywhere";
  Status status = catalog.AddCrd(crd);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.field_path(), "spec.scope");
  EXPECT_FALSE(catalog.Find("example.com", "v1", "widgets").has_value());

  json::Value unnamed = WidgetCrd();
  unnamed["metadata"].as_object().Erase("name");
  status = catalog.AddCrd(unnamed);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.field_path(), "metadata.name");
  EXPECT_FALSE(catalog.Find("example.com", "v1", "widgets").has_value());
}

TEST(ResourceCatalogCrdTest, RefusesNamesAnotherResourceOfTheGroupUses) {
  struct Row {
    std::string name;
    json::Value crd;
    std::string message;
  };
  const std::vector<Row> rows = {
      {"same kind", SimpleCrd("example.com", "gizmos", "Widget"), "\"Widget\" is already in use"},
      {"kind used as a list kind", SimpleCrd("example.com", "gizmos", "WidgetList"),
       "\"WidgetList\" is already in use"},
      {"plural used as a short name", SimpleCrd("example.com", "wg", "Gizmo"),
       "\"wg\" is already in use"},
      {"short name used as a plural", SimpleCrd("example.com", "gizmos", "Gizmo", "widgets"),
       "\"widgets\" is already in use"},
      {"short name of a built-in resource", SimpleCrd("argoproj.io", "rolls", "Roll", "ro"),
       "\"ro\" is already in use"},
  };
  for (const Row& row : rows) {
    ResourceCatalog catalog;
    ASSERT_EQ(catalog.AddCrd(WidgetCrd()), Status::Ok());
    const std::vector<ResourceInfo> before = catalog.All();
    Status status = catalog.AddCrd(row.crd);
    EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition) << row.name;
    EXPECT_EQ(status.message(), row.message) << row.name;
    EXPECT_EQ(catalog.All(), before) << row.name << ": the catalog must not change";
  }
}

TEST(ResourceCatalogCrdTest, AcceptsTheSameNamesInAnotherGroup) {
  ResourceCatalog catalog;
  ASSERT_EQ(catalog.AddCrd(WidgetCrd()), Status::Ok());
  EXPECT_EQ(catalog.AddCrd(SimpleCrd("other.example.com", "widgets", "Widget", "wg")),
            Status::Ok());
  EXPECT_TRUE(catalog.Find("other.example.com", "v1", "widgets").has_value());
}

TEST(ResourceCatalogCrdTest, AReplacementThatConflictsKeepsThePreviousDefinition) {
  ResourceCatalog catalog;
  ASSERT_EQ(catalog.AddCrd(WidgetCrd()), Status::Ok());
  ASSERT_EQ(catalog.AddCrd(SimpleCrd("example.com", "gizmos", "Gizmo", "gz")), Status::Ok());
  Status status = catalog.AddCrd(SimpleCrd("example.com", "gizmos", "Gizmo", "wg"));
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(catalog.Find("example.com", "v1", "gizmos")->short_names,
            std::vector<std::string>{"gz"});
  // Re-adding itself unchanged is not a conflict with itself.
  EXPECT_EQ(catalog.AddCrd(SimpleCrd("example.com", "gizmos", "Gizmo", "gz")), Status::Ok());
}

TEST(ResourceCatalogCrdTest, ACrdOfABuiltinResourceIsAcceptedButTheBuiltinStays) {
  ResourceCatalog catalog;
  const std::vector<ResourceInfo> before = catalog.All();
  // Argo Rollouts' own CRD, as `kubectl apply -f install.yaml` sends it (abridged).
  json::Value argo = ParseOrDie(R"({
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {"name": "rollouts.argoproj.io"},
    "spec": {"group": "argoproj.io",
             "names": {"kind": "Rollout", "listKind": "RolloutList", "plural": "rollouts",
                       "shortNames": ["ro"], "singular": "rollout"},
             "scope": "Namespaced",
             "versions": [{"name": "v1alpha1", "served": true, "storage": true,
                           "subresources": {"status": {}},
                           "schema": {"openAPIV3Schema": {"type": "object"}}}]}})");
  ASSERT_TRUE(ResourceCatalog::ValidateCrd(argo).empty());
  EXPECT_EQ(catalog.AddCrd(argo), Status::Ok());
  EXPECT_EQ(catalog.All(), before);
  std::optional<ResourceInfo> rollouts = catalog.Find("argoproj.io", "v1alpha1", "rollouts");
  ASSERT_TRUE(rollouts.has_value());
  EXPECT_FALSE(rollouts->custom);
  EXPECT_NE(rollouts->check, nullptr);
  catalog.RemoveCrd("rollouts.argoproj.io");
  EXPECT_EQ(catalog.All(), before);
}

// ---- Groups ----

TEST(ResourceCatalogGroupsTest, CoreFirstThenBuiltinGroupsThenCustomGroups) {
  ResourceCatalog catalog;
  ASSERT_EQ(catalog.AddCrd(SimpleCrd("aaa.example", "things", "Thing")), Status::Ok());
  ASSERT_EQ(catalog.AddCrd(WidgetCrd()), Status::Ok());
  std::vector<std::string> names;
  for (const ApiGroup& group : catalog.Groups()) names.push_back(group.name);
  const std::vector<std::string> expected = {"",
                                             "apiextensions.k8s.io",
                                             "apps",
                                             "argoproj.io",
                                             "batch",
                                             "coordination.k8s.io",
                                             "gateway.networking.k8s.io",
                                             "networking.istio.io",
                                             "networking.k8s.io",
                                             "aaa.example",
                                             "example.com"};
  EXPECT_EQ(names, expected);
}

TEST(ResourceCatalogGroupsTest, OrdersVersionsByPriorityAndResourcesByPlural) {
  ResourceCatalog catalog;
  json::Value crd = WidgetCrd();
  crd["spec"]["versions"] = ParseOrDie(R"([
      {"name": "v1alpha1", "served": true, "storage": false,
       "schema": {"openAPIV3Schema": {"type": "object"}}},
      {"name": "v2beta1", "served": true, "storage": false,
       "schema": {"openAPIV3Schema": {"type": "object"}}},
      {"name": "v1", "served": true, "storage": true,
       "schema": {"openAPIV3Schema": {"type": "object"}}}])");
  ASSERT_EQ(catalog.AddCrd(crd), Status::Ok());
  std::vector<ApiGroup> groups = catalog.Groups();
  const ApiGroup& example = groups.back();
  ASSERT_EQ(example.name, "example.com");
  std::vector<std::string> versions;
  for (const ApiGroupVersion& v : example.versions) versions.push_back(v.version);
  EXPECT_EQ(versions, (std::vector<std::string>{"v1", "v2beta1", "v1alpha1"}));

  const ApiGroup& core = groups.front();
  ASSERT_EQ(core.versions.size(), 1u);
  std::vector<std::string> plurals;
  for (const ResourceInfo& r : core.versions[0].resources) plurals.push_back(r.plural);
  EXPECT_EQ(plurals,
            (std::vector<std::string>{"events", "namespaces", "pods", "secrets", "services"}));
}

// ---- Concurrency ----

// Readers see a CRD whole or not at all while writers add and remove it. (Run under TSan to
// check the locking too.)
TEST(ResourceCatalogConcurrencyTest, ReadersSeeConsistentSnapshots) {
  ResourceCatalog catalog;
  const json::Value crd = WidgetCrd();
  std::atomic<bool> done = false;
  std::atomic<int> torn = 0;
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      while (!done) {
        for (const ApiGroup& group : catalog.Groups()) {
          if (group.name == "example.com" && group.versions.size() != 2) ++torn;
        }
        (void)catalog.Find("example.com", "v1", "widgets");
        (void)catalog.FindKind("example.com/v1beta1", "Widget");
      }
    });
  }
  for (int i = 0; i < 300; ++i) {
    ASSERT_EQ(catalog.AddCrd(crd), Status::Ok());
    catalog.RemoveCrd("widgets.example.com");
  }
  done = true;
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(torn, 0);
}

}  // namespace
}  // namespace devflow::apiserver
