// The CustomResourceDefinitions in deploy/crds/ (what a real cluster is given) against the
// built-in resources of the embedded server (api::BuiltinKinds()): each file must be a valid CRD
// that the catalog accepts, and must describe the same resource as the built-in entry, so that
// both servers serve the argoproj.io kinds alike.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "api/kinds.h"
#include "api/manifest_reader.h"
#include "api/object_check.h"
#include "apiserver/resource_catalog.h"
#include "common/json_value.h"
#include "common/result.h"

namespace devflow::apiserver {
namespace {

using json::StringAt;

namespace fs = std::filesystem;

const fs::path kCrdDir = fs::path(DEVFLOW_SOURCE_DIR) / "deploy" / "crds";

struct CrdFile {
  std::string name;  // "rollouts.yaml"
  json::Value crd;
};

// Every deploy/crds/*.yaml, each expected to hold exactly one object.
std::vector<CrdFile> ReadCrdFiles() {
  std::vector<fs::path> paths;
  for (const fs::directory_entry& entry : fs::directory_iterator(kCrdDir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".yaml") {
      paths.push_back(entry.path());
    }
  }
  std::sort(paths.begin(), paths.end());
  std::vector<CrdFile> files;
  for (const fs::path& path : paths) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    Result<std::vector<api::Manifest>> manifests =
        api::ReadManifests(text.str(), path.filename().string());
    if (!manifests.ok()) {
      ADD_FAILURE() << manifests.error().ToString();
      continue;
    }
    if (manifests->size() != 1) {
      ADD_FAILURE() << path << ": " << manifests->size() << " objects, want 1";
      continue;
    }
    files.push_back({path.filename().string(), manifests->front().object});
  }
  return files;
}

const json::Value kNull;

// The member at `keys` below `object`, or a null value when some key is missing.
const json::Value& At(const json::Value& object, std::initializer_list<std::string_view> keys) {
  const json::Value* v = &object;
  for (std::string_view key : keys) {
    v = v->is_object() ? v->Find(key) : nullptr;
    if (v == nullptr) return kNull;
  }
  return *v;
}

// The CRD's one version (the files define exactly one), or a null value.
const json::Value& OnlyVersion(const json::Value& crd) {
  const json::Value& versions = At(crd, {"spec", "versions"});
  if (!versions.is_array() || versions.as_array().size() != 1) return kNull;
  return versions.as_array()[0];
}

std::vector<std::string> ShortNames(const json::Value& crd) {
  std::vector<std::string> names;
  const json::Value& list = At(crd, {"spec", "names", "shortNames"});
  if (list.is_array()) {
    for (const json::Value& name : list.as_array()) {
      names.push_back(name.is_string() ? name.as_string() : "?");
    }
  }
  return names;
}

const api::KindInfo* BuiltinOf(const json::Value& crd) {
  const std::string group = StringAt(crd, {"spec", "group"});
  const std::string kind = StringAt(crd, {"spec", "names", "kind"});
  for (const api::KindInfo& info : api::BuiltinKinds()) {
    if (info.group == group && info.kind == kind) return &info;
  }
  return nullptr;
}

TEST(DeployCrdsTest, EveryArgoprojBuiltinKindHasExactlyOneFile) {
  std::vector<CrdFile> files = ReadCrdFiles();
  std::multiset<std::string> defined;
  for (const CrdFile& file : files) defined.insert(StringAt(file.crd, {"spec", "names", "kind"}));
  std::multiset<std::string> builtin;
  for (const api::KindInfo& info : api::BuiltinKinds()) {
    if (info.group == "argoproj.io") builtin.insert(std::string(info.kind));
  }
  EXPECT_EQ(defined, builtin);
  for (const CrdFile& file : files) {
    EXPECT_EQ(file.name, StringAt(file.crd, {"spec", "names", "plural"}) + ".yaml")
        << "one file per CRD, named after its plural";
  }
}

TEST(DeployCrdsTest, EveryFileIsAValidCrdThatLintAccepts) {
  for (const CrdFile& file : ReadCrdFiles()) {
    SCOPED_TRACE(file.name);
    EXPECT_EQ(StringAt(file.crd, {"apiVersion"}), "apiextensions.k8s.io/v1");
    EXPECT_EQ(StringAt(file.crd, {"kind"}), "CustomResourceDefinition");
    for (const api::FieldError& e : ResourceCatalog::ValidateCrd(file.crd)) {
      ADD_FAILURE() << e.path.str() << ": " << e.message;
    }
    // What `devflow lint` runs on each object.
    api::ObjectCheck check = api::CheckObject(file.crd);
    for (const api::FieldError& e : check.errors) {
      ADD_FAILURE() << "lint: " << e.path.str() << ": " << e.message;
    }
    for (const api::FieldError& e : check.warnings) {
      ADD_FAILURE() << "lint warning: " << e.path.str() << ": " << e.message;
    }
  }
}

TEST(DeployCrdsTest, AFreshCatalogAcceptsEachAndKeepsItsBuiltinEntry) {
  for (const CrdFile& file : ReadCrdFiles()) {
    SCOPED_TRACE(file.name);
    ResourceCatalog catalog;
    const std::vector<ResourceInfo> before = catalog.All();
    EXPECT_EQ(catalog.AddCrd(file.crd), Status::Ok());
    // These names are built-in resources: the CRD is accepted and the built-in entry stays.
    EXPECT_EQ(catalog.All(), before);
    std::optional<ResourceInfo> served =
        catalog.Find(StringAt(file.crd, {"spec", "group"}), "v1alpha1",
                     StringAt(file.crd, {"spec", "names", "plural"}));
    ASSERT_TRUE(served.has_value());
    EXPECT_FALSE(served->custom);
  }
}

TEST(DeployCrdsTest, EachAgreesWithTheBuiltinEntry) {
  for (const CrdFile& file : ReadCrdFiles()) {
    SCOPED_TRACE(file.name);
    const json::Value& crd = file.crd;
    const api::KindInfo* info = BuiltinOf(crd);
    ASSERT_NE(info, nullptr) << "no built-in kind " << StringAt(crd, {"spec", "names", "kind"});
    const std::string plural = StringAt(crd, {"spec", "names", "plural"});
    EXPECT_EQ(StringAt(crd, {"metadata", "name"}), plural + ".argoproj.io");
    EXPECT_EQ(plural, info->plural);
    EXPECT_EQ(StringAt(crd, {"spec", "names", "singular"}), info->singular);
    EXPECT_EQ(StringAt(crd, {"spec", "names", "listKind"}), std::string(info->kind) + "List");
    EXPECT_EQ(ShortNames(crd),
              std::vector<std::string>(info->short_names.begin(), info->short_names.end()));
    EXPECT_TRUE(At(crd, {"spec", "names", "categories"}).is_null()) << "Argo's CRDs declare none";
    EXPECT_EQ(StringAt(crd, {"spec", "scope"}), info->namespaced ? "Namespaced" : "Cluster");

    const json::Value& version = OnlyVersion(crd);
    ASSERT_TRUE(version.is_object()) << "one version";
    EXPECT_EQ(StringAt(version, {"name"}), info->version);
    EXPECT_TRUE(At(version, {"served"}) == json::Value(true));
    EXPECT_TRUE(At(version, {"storage"}) == json::Value(true));
    EXPECT_EQ(At(version, {"subresources", "status"}).is_object(), info->status_subresource);
  }
}

// The schema is structural and keeps spec and status whole (deploy/crds/README.md says why).
TEST(DeployCrdsTest, SchemasArePermissive) {
  for (const CrdFile& file : ReadCrdFiles()) {
    SCOPED_TRACE(file.name);
    const json::Value& schema = At(OnlyVersion(file.crd), {"schema", "openAPIV3Schema"});
    EXPECT_EQ(StringAt(schema, {"type"}), "object");
    EXPECT_FALSE(schema.Find("x-kubernetes-preserve-unknown-fields") != nullptr)
        << "only spec and status keep unknown fields; apiVersion, kind and metadata are typed";
    const json::Value& properties = At(schema, {"properties"});
    ASSERT_TRUE(properties.is_object());
    EXPECT_EQ(StringAt(properties, {"apiVersion", "type"}), "string");
    EXPECT_EQ(StringAt(properties, {"kind", "type"}), "string");
    EXPECT_EQ(StringAt(properties, {"metadata", "type"}), "object");
    for (std::string_view field : {"spec", "status"}) {
      const json::Value* property = properties.Find(field);
      if (property == nullptr) {
        EXPECT_EQ(field, "status") << "every kind has a spec";
        continue;
      }
      EXPECT_EQ(StringAt(*property, {"type"}), "object") << field;
      const json::Value* preserve = property->Find("x-kubernetes-preserve-unknown-fields");
      ASSERT_NE(preserve, nullptr) << field;
      EXPECT_TRUE(preserve->is_bool() && preserve->as_bool()) << field;
      EXPECT_FALSE(property->Find("properties") != nullptr)
          << field << " is left to devflow's checks";
    }
  }
}

// Argo Rollouts' printer columns (name=jsonPath:type), in Argo's order, and the Rollout's scale
// subresource.
TEST(DeployCrdsTest, PrinterColumnsAndScaleAreArgos) {
  const std::map<std::string, std::vector<std::string>> expected = {
      {"rollouts.yaml",
       {"Desired=.spec.replicas:integer", "Current=.status.replicas:integer",
        "Up-to-date=.status.updatedReplicas:integer", "Available=.status.availableReplicas:integer",
        "Age=.metadata.creationTimestamp:date"}},
      {"analysistemplates.yaml", {"Age=.metadata.creationTimestamp:date"}},
      {"clusteranalysistemplates.yaml", {"Age=.metadata.creationTimestamp:date"}},
      {"analysisruns.yaml",
       {"Status=.status.phase:string", "Age=.metadata.creationTimestamp:date"}},
      {"experiments.yaml", {"Status=.status.phase:string", "Age=.metadata.creationTimestamp:date"}},
  };
  size_t seen = 0;
  for (const CrdFile& file : ReadCrdFiles()) {
    SCOPED_TRACE(file.name);
    auto want = expected.find(file.name);
    ASSERT_NE(want, expected.end());
    ++seen;
    const json::Value& version = OnlyVersion(file.crd);
    std::vector<std::string> columns;
    const json::Value& list = At(version, {"additionalPrinterColumns"});
    ASSERT_TRUE(list.is_array());
    for (const json::Value& column : list.as_array()) {
      columns.push_back(StringAt(column, {"name"}) + "=" + StringAt(column, {"jsonPath"}) + ":" +
                        StringAt(column, {"type"}));
    }
    EXPECT_EQ(columns, want->second);

    const json::Value& scale = At(version, {"subresources", "scale"});
    if (file.name != "rollouts.yaml") {
      EXPECT_TRUE(scale.is_null());
      continue;
    }
    EXPECT_EQ(StringAt(scale, {"specReplicasPath"}), ".spec.replicas");
    EXPECT_EQ(StringAt(scale, {"statusReplicasPath"}), ".status.HPAReplicas");
    EXPECT_EQ(StringAt(scale, {"labelSelectorPath"}), ".status.selector");
  }
  EXPECT_EQ(seen, expected.size());
}

}  // namespace
}  // namespace devflow::apiserver
