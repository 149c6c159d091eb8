#include "api/object_check.h"

#include <gtest/gtest.h>

#include "api/manifest_reader.h"

namespace devflow::api {
namespace {

json::Value FromYaml(const std::string& yaml) {
  auto m = ReadManifests(yaml, "t.yaml");
  EXPECT_TRUE(m.ok()) << m.error();
  return m.ok() && !m->empty() ? (*m)[0].object : json::Value();
}

// The generic checks every object gets, with each kind's own name rule.
TEST(ObjectCheckTest, MetadataRules) {
  struct Row {
    const char* name;
    const char* yaml;
    std::vector<std::string> errors;  // "path: message prefix"
  } rows[] = {
      {"valid service",
       "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n",
       {}},
      {"no apiVersion", "kind: Service\nmetadata: {name: web}\n", {"apiVersion: is required"}},
      {"no kind", "apiVersion: v1\nmetadata: {name: web}\n", {"kind: is required"}},
      {"no metadata", "apiVersion: v9\nkind: Thing\n", {"metadata: is required"}},
      {"no name",
       "apiVersion: v9\nkind: Thing\nmetadata: {labels: {a: b}}\n",
       {"metadata.name: is required"}},
      {"generateName instead of name",
       "apiVersion: v9\nkind: Thing\nmetadata: {generateName: x-}\n",
       {}},
      {"subdomain rule for most kinds",
       "apiVersion: v9\nkind: Thing\nmetadata: {name: Web}\n",
       {"metadata.name: must be at most 253 lowercase letters"}},
      {"dots allowed in subdomain names",
       "apiVersion: v9\nkind: Thing\nmetadata: {name: a.b}\n",
       {}},
      {"service names are DNS-1035 labels",
       "apiVersion: v1\nkind: Service\nmetadata: {name: 1web}\nspec: {ports: [{port: 80}]}\n",
       {"metadata.name: must be"}},
      {"namespace names are DNS labels",
       "apiVersion: v1\nkind: Namespace\nmetadata: {name: team.a}\n",
       {"metadata.name: must be at most 63 lowercase letters"}},
      {"cluster-scoped kinds have no namespace",
       "apiVersion: v1\nkind: Namespace\nmetadata: {name: a, namespace: b}\n",
       {"metadata.namespace: must be empty"}},
      {"namespace is a DNS label",
       "apiVersion: v9\nkind: Thing\nmetadata: {name: a, namespace: B}\n",
       {"metadata.namespace: must be at most 63"}},
      {"label key",
       "apiVersion: v9\nkind: Thing\nmetadata: {name: a, labels: {'a b': c}}\n",
       {"metadata.labels[a b]: must be [prefix/]name"}},
      {"label value",
       "apiVersion: v9\nkind: Thing\nmetadata: {name: a, labels: {a: '-x'}}\n",
       {"metadata.labels.a: must be empty or at most 63"}},
      {"annotation key",
       "apiVersion: v9\nkind: Thing\nmetadata: {name: a, annotations: {'/x': c}}\n",
       {"metadata.annotations[/x]: prefix before '/' must be a DNS subdomain"}},
  };
  for (const Row& row : rows) {
    ObjectCheck check = CheckObject(FromYaml(row.yaml));
    ASSERT_EQ(check.errors.size(), row.errors.size())
        << row.name << ": " << (check.errors.empty() ? "" : ToString(check.errors[0]));
    for (size_t i = 0; i < row.errors.size(); ++i) {
      EXPECT_EQ(ToString(check.errors[i]).rfind(row.errors[i], 0), 0u)
          << row.name << ": " << ToString(check.errors[i]);
    }
  }
}

// A field of the wrong type is reported once, not again by every rule about that field.
TEST(ObjectCheckTest, DecodeErrorsAreNotRestatedByValidation) {
  ObjectCheck check = CheckObject(FromYaml(
      "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: r}\n"
      "spec:\n  selector: {matchLabels: {app: r}}\n  template:\n    metadata: {labels: {app: r}}\n"
      "    spec: {containers: [{name: c, image: i}]}\n"
      "  strategy: {canary: {steps: [{setWeight: lots}]}}\n"));
  ASSERT_EQ(check.errors.size(), 1u) << ToString(check.errors[1]);
  EXPECT_EQ(ToString(check.errors[0]),
            "spec.strategy.canary.steps[0].setWeight: must be an integer, got string \"lots\"");
}

TEST(ObjectCheckTest, EveryBuiltinKindHasACheck) {
  for (const KindInfo& info : BuiltinKinds()) {
    EXPECT_NE(info.check, nullptr) << info.kind;
    EXPECT_EQ(FindKind(info.ApiVersion(), info.kind), &info) << info.kind;
  }
  EXPECT_NE(FindKind("networking.istio.io/v1alpha3", "VirtualService"), nullptr);
  EXPECT_EQ(FindKind("argoproj.io/v1", "Rollout"), nullptr);
}

}  // namespace
}  // namespace devflow::api
