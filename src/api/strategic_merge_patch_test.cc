#include "api/strategic_merge_patch.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "common/json_reader.h"

namespace devflow::api {
namespace {

json::Value J(const char* text) {
  Result<json::Value> v = json::Parse(text);
  EXPECT_TRUE(v.ok()) << text << ": " << v.status();
  return v.value_or(json::Value());
}

const char* const kDeployment = R"({
  "apiVersion": "apps/v1", "kind": "Deployment",
  "metadata": {"name": "web", "finalizers": ["a", "b"], "labels": {"app": "web"}},
  "spec": {
    "replicas": 2,
    "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}},
    "template": {
      "metadata": {"labels": {"app": "web"}},
      "spec": {
        "containers": [
          {"name": "web", "image": "nginx:1.25",
           "ports": [{"containerPort": 80, "name": "http"}],
           "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
           "args": ["--x", "--y"]},
          {"name": "sidecar", "image": "envoy:1.0"}
        ],
        "tolerations": [{"key": "k1", "operator": "Exists"}],
        "volumes": [{"name": "cfg", "configMap": {"name": "web"}}]
      }
    }
  }
})";

struct ApplyRow {
  const char* name;
  const char* kind;
  const char* target;
  const char* patch;
  const char* want;
};

void RunApplyRows(const std::vector<ApplyRow>& rows) {
  for (const ApplyRow& row : rows) {
    Result<json::Value> got =
        ApplyStrategicMergePatch(J(row.target), J(row.patch), PatchSchemaForKind(row.kind));
    ASSERT_TRUE(got.ok()) << row.name << ": " << got.status();
    EXPECT_EQ(*got, J(row.want)) << row.name << ": got " << json::Write(*got);
  }
}

TEST(StrategicMergePatchTest, MergesListsAsKubernetesTagsThem) {
  RunApplyRows({
      {"container image change merges by name", "Deployment",
       R"({"spec":{"template":{"spec":{"containers":[
           {"name":"web","image":"nginx:1.25","args":["a"]},{"name":"sidecar","image":"envoy"}]}}}})",
       R"({"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.27"}]}}}})",
       R"({"spec":{"template":{"spec":{"containers":[
           {"name":"web","image":"nginx:1.27","args":["a"]},{"name":"sidecar","image":"envoy"}]}}}})"},
      {"without $setElementOrder a new element goes first, as in Kubernetes", "Pod",
       R"({"spec":{"containers":[{"name":"web","image":"a"}]}})",
       R"({"spec":{"containers":[{"name":"log","image":"b"}]}})",
       R"({"spec":{"containers":[{"name":"log","image":"b"},{"name":"web","image":"a"}]}})"},
      {"env entry deleted with $patch: delete", "Deployment",
       R"({"spec":{"template":{"spec":{"containers":[{"name":"web","env":[
           {"name":"A","value":"1"},{"name":"B","value":"2"},{"name":"C","value":"3"}]}]}}}})",
       R"({"spec":{"template":{"spec":{"containers":[{"name":"web","env":[
           {"name":"B","$patch":"delete"}]}]}}}})",
       R"({"spec":{"template":{"spec":{"containers":[{"name":"web","env":[
           {"name":"A","value":"1"},{"name":"C","value":"3"}]}]}}}})"},
      {"container port added by containerPort", "Pod",
       R"({"spec":{"containers":[{"name":"web","ports":[{"containerPort":80,"name":"http"}]}]}})",
       R"({"spec":{"containers":[{"name":"web","$setElementOrder/ports":[
           {"containerPort":80},{"containerPort":9090}],
           "ports":[{"containerPort":9090,"name":"metrics"}]}]}})",
       R"({"spec":{"containers":[{"name":"web","ports":[
           {"containerPort":80,"name":"http"},{"containerPort":9090,"name":"metrics"}]}]}})"},
      {"service port merges by port", "Service",
       R"({"spec":{"ports":[{"port":80,"targetPort":8080},{"port":443,"targetPort":8443}]}})",
       R"({"spec":{"ports":[{"port":443,"targetPort":9443}]}})",
       R"({"spec":{"ports":[{"port":80,"targetPort":8080},{"port":443,"targetPort":9443}]}})"},
      {"volume mounts merge by mountPath", "Pod",
       R"({"spec":{"containers":[{"name":"c","volumeMounts":[{"name":"a","mountPath":"/a"}]}]}})",
       R"({"spec":{"containers":[{"name":"c","volumeMounts":[{"name":"b","mountPath":"/a"}]}]}})",
       R"({"spec":{"containers":[{"name":"c","volumeMounts":[{"name":"b","mountPath":"/a"}]}]}})"},
      {"finalizers merge as a set", "Deployment", R"({"metadata":{"finalizers":["a","b"]}})",
       R"({"metadata":{"finalizers":["b","c","c"]}})",
       R"({"metadata":{"finalizers":["a","b","c"]}})"},
      {"owner references merge by uid", "ReplicaSet",
       R"({"metadata":{"ownerReferences":[{"uid":"1","name":"x"}]}})",
       R"({"metadata":{"ownerReferences":[{"uid":"2","name":"y"}]}})",
       R"({"metadata":{"ownerReferences":[{"uid":"2","name":"y"},{"uid":"1","name":"x"}]}})"},
      {"tolerations have no merge tag: replaced whole", "Pod",
       R"({"spec":{"tolerations":[{"key":"a"},{"key":"b"}]}})",
       R"({"spec":{"tolerations":[{"key":"c"}]}})", R"({"spec":{"tolerations":[{"key":"c"}]}})"},
      {"args are replaced whole", "Pod",
       R"({"spec":{"containers":[{"name":"c","args":["1","2"]}]}})",
       R"({"spec":{"containers":[{"name":"c","args":["3"]}]}})",
       R"({"spec":{"containers":[{"name":"c","args":["3"]}]}})"},
      {"status conditions merge by type", "Deployment",
       R"({"status":{"conditions":[{"type":"Available","status":"True"},{"type":"Progressing","status":"True"}]}})",
       R"({"status":{"conditions":[{"type":"Available","status":"False"}]}})",
       R"({"status":{"conditions":[{"type":"Available","status":"False"},{"type":"Progressing","status":"True"}]}})"},
      {"Rollout's pod template merges as a Deployment's", "Rollout",
       R"({"spec":{"template":{"spec":{"containers":[{"name":"a","image":"1"},{"name":"b","image":"1"}]}}}})",
       R"({"spec":{"template":{"spec":{"containers":[{"name":"b","image":"2"}]}}}})",
       R"({"spec":{"template":{"spec":{"containers":[{"name":"a","image":"1"},{"name":"b","image":"2"}]}}}})"},
      {"CronJob's pod template is under jobTemplate", "CronJob",
       R"({"spec":{"jobTemplate":{"spec":{"template":{"spec":{"containers":[{"name":"a"}]}}}}}})",
       R"({"spec":{"jobTemplate":{"spec":{"template":{"spec":{"containers":[{"name":"b"}]}}}}}})",
       R"({"spec":{"jobTemplate":{"spec":{"template":{"spec":{"containers":[{"name":"b"},{"name":"a"}]}}}}}})"},
      {"a new list is merged into an empty one", "Pod", R"({"spec":{}})",
       R"({"spec":{"containers":[{"name":"a","env":[{"name":"X","value":null,"valueFrom":{}}]}]}})",
       R"({"spec":{"containers":[{"name":"a","env":[{"name":"X","valueFrom":{}}]}]}})"},
      {"null deletes a member", "Pod", R"({"spec":{"a":1,"b":2}})", R"({"spec":{"a":null}})",
       R"({"spec":{"b":2}})"},
      {"duplicates on the server: the first matches", "Pod",
       R"({"spec":{"containers":[{"name":"a","image":"1"},{"name":"a","image":"2"}]}})",
       R"({"spec":{"containers":[{"name":"a","image":"3"}]}})",
       R"({"spec":{"containers":[{"name":"a","image":"3"},{"name":"a","image":"2"}]}})"},
  });
}

TEST(StrategicMergePatchTest, UnknownKindsGetMergePatchSemantics) {
  EXPECT_TRUE(PatchSchemaForKind("Widget").empty());
  EXPECT_FALSE(HasStrategicPatchSchema("Widget"));
  EXPECT_TRUE(HasStrategicPatchSchema("Deployment"));
  RunApplyRows({
      {"lists are replaced whole", "Widget",
       R"({"spec":{"containers":[{"name":"a"},{"name":"b"}],"x":1}})",
       R"({"spec":{"containers":[{"name":"c"}]}})",
       R"({"spec":{"containers":[{"name":"c"}],"x":1}})"},
      {"objects merge and null deletes", "Widget", R"({"a":{"b":1,"c":2}})",
       R"({"a":{"b":null,"d":3}})", R"({"a":{"c":2,"d":3}})"},
      {"directives still work", "Widget", R"({"a":{"b":1,"c":2}})",
       R"({"a":{"$patch":"replace","z":1}})", R"({"a":{"z":1}})"},
  });
}

TEST(StrategicMergePatchTest, AppliesDirectives) {
  RunApplyRows({
      {"$setElementOrder puts a merged list in the given order", "Pod",
       R"({"spec":{"containers":[{"name":"a"},{"name":"b"},{"name":"c"}]}})",
       R"({"spec":{"$setElementOrder/containers":[{"name":"c"},{"name":"a"},{"name":"b"}]}})",
       R"({"spec":{"containers":[{"name":"c"},{"name":"a"},{"name":"b"}]}})"},
      {"$setElementOrder places a new element", "Pod",
       R"({"spec":{"containers":[{"name":"a"},{"name":"c"}]}})",
       R"({"spec":{"$setElementOrder/containers":[{"name":"a"},{"name":"b"},{"name":"c"}],
                   "containers":[{"name":"b","image":"x"}]}})",
       R"({"spec":{"containers":[{"name":"a"},{"name":"b","image":"x"},{"name":"c"}]}})"},
      {"server-only elements keep their place among ordered ones", "Pod",
       R"({"spec":{"containers":[{"name":"a"},{"name":"mesh"},{"name":"b"}]}})",
       R"({"spec":{"$setElementOrder/containers":[{"name":"a"},{"name":"b"}],
                   "containers":[{"name":"b","image":"2"}]}})",
       R"({"spec":{"containers":[{"name":"a"},{"name":"mesh"},{"name":"b","image":"2"}]}})"},
      {"$setElementOrder of a set", "Deployment", R"({"metadata":{"finalizers":["a","b","c"]}})",
       R"({"metadata":{"$setElementOrder/finalizers":["c","a","b"]}})",
       R"({"metadata":{"finalizers":["c","a","b"]}})"},
      {"$deleteFromPrimitiveList removes values from a set", "Deployment",
       R"({"metadata":{"finalizers":["a","b","c","b"]}})",
       R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["b","z"]}})",
       R"({"metadata":{"finalizers":["a","c"]}})"},
      {"$retainKeys clears the members it does not list", "Deployment",
       R"({"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}}}})",
       R"({"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}})",
       R"({"spec":{"strategy":{"type":"Recreate"}}})"},
      {"$retainKeys in a volume element switches its source", "Pod",
       R"({"spec":{"volumes":[{"name":"v","configMap":{"name":"c"}},{"name":"w","emptyDir":{}}]}})",
       R"({"spec":{"volumes":[{"name":"v","$retainKeys":["name","secret"],"secret":{"secretName":"s"}}]}})",
       R"({"spec":{"volumes":[{"name":"v","secret":{"secretName":"s"}},{"name":"w","emptyDir":{}}]}})"},
      {"$patch: replace on an object takes it as written", "Deployment",
       R"({"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}}}})",
       R"({"spec":{"strategy":{"$patch":"replace","type":"Recreate","x":{"$patch":"delete"}}}})",
       R"({"spec":{"strategy":{"type":"Recreate","x":{"$patch":"delete"}}}})"},
      {"$patch: delete on an object deletes its member", "Deployment",
       R"({"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}}}})",
       R"({"spec":{"strategy":{"rollingUpdate":{"$patch":"delete"}}}})",
       R"({"spec":{"strategy":{"type":"RollingUpdate"}}})"},
      {"$patch: delete at the top empties the object", "Pod", R"({"a":1})",
       R"({"$patch":"delete"})", "{}"},
      {"$patch: merge is the default", "Pod", R"({"a":{"b":1}})",
       R"({"a":{"$patch":"merge","c":2}})", R"({"a":{"b":1,"c":2}})"},
      {"a replace element replaces a merged list", "Pod",
       R"({"spec":{"containers":[{"name":"a"},{"name":"b"}]}})",
       R"({"spec":{"containers":[{"name":"c","x":null},{"$patch":"replace"}]}})",
       R"({"spec":{"containers":[{"name":"c","x":null}]}})"},
      {"delete then re-add in one patch", "Pod",
       R"({"spec":{"containers":[{"name":"a","image":"1","args":["x"]}]}})",
       R"({"spec":{"containers":[{"name":"a","$patch":"delete"},{"name":"a","image":"2"}]}})",
       R"({"spec":{"containers":[{"name":"a","image":"2"}]}})"},
      {"deleting an element that is not there", "Pod", R"({"spec":{"containers":[{"name":"a"}]}})",
       R"({"spec":{"containers":[{"name":"zz","$patch":"delete"}]}})",
       R"({"spec":{"containers":[{"name":"a"}]}})"},
  });
}

struct ErrorRow {
  const char* name;
  const char* target;
  const char* patch;
  const char* field_path;
  const char* message_part;
};

TEST(StrategicMergePatchTest, ErrorsNameTheFailingPath) {
  const ErrorRow rows[] = {
      {"an element without the merge key", kDeployment,
       R"({"spec":{"template":{"spec":{"containers":[{"name":"web"},{"image":"x"}]}}}})",
       "spec.template.spec.containers[1]", R"(missing merge key "name")"},
      {"a nested element without its merge key", kDeployment,
       R"({"spec":{"template":{"spec":{"containers":[{"name":"web","ports":[{"name":"p"}]}]}}}})",
       "spec.template.spec.containers[0].ports[0]", R"(missing merge key "containerPort")"},
      {"a delete element without the merge key", kDeployment,
       R"({"spec":{"template":{"spec":{"containers":[{"$patch":"delete"}]}}}})",
       "spec.template.spec.containers[0]", R"("$patch": "delete" needs the merge key "name")"},
      {"an element that is not an object", kDeployment,
       R"({"spec":{"template":{"spec":{"containers":["web"]}}}})",
       "spec.template.spec.containers[0]", R"(merged by key "name", but this element is string)"},
      {"an object in a set of scalars", kDeployment, R"({"metadata":{"finalizers":[{"a":1}]}})",
       "metadata.finalizers[0]", "merged as a set of scalars, but this element is object"},
      {"an unknown $patch", kDeployment, R"({"spec":{"strategy":{"$patch":"nuke"}}})",
       "spec.strategy", R"(unknown "$patch" directive "nuke", want replace, delete or merge)"},
      {"$patch: merge in a list element", kDeployment,
       R"({"spec":{"template":{"spec":{"containers":[{"name":"web","$patch":"merge"}]}}}})",
       "spec.template.spec.containers[0]", R"("$patch": "merge" is not supported in a list)"},
      {"an unknown $patch in a list element", kDeployment,
       R"({"spec":{"template":{"spec":{"containers":[{"name":"web","$patch":"drop"}]}}}})",
       "spec.template.spec.containers[0]", R"(unknown "$patch" directive "drop" in a list)"},
      {"a $patch that is not a string", kDeployment, R"({"spec":{"$patch":1}})", "spec",
       R"("$patch" must be a string, got integer)"},
      {"a member missing from $retainKeys", kDeployment,
       R"({"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate","rollingUpdate":{}}}})",
       "spec.strategy.rollingUpdate", "not listed in $retainKeys"},
      {"$retainKeys that is not a list", kDeployment,
       R"({"spec":{"strategy":{"$retainKeys":"type"}}})", "spec.strategy.$retainKeys",
       "must be a list of field names"},
      {"$setElementOrder that is not a list", kDeployment,
       R"({"metadata":{"$setElementOrder/finalizers":"a"}})",
       "metadata[$setElementOrder/finalizers]", "must be a list"},
      {"$setElementOrder entry without the merge key", kDeployment,
       R"({"spec":{"template":{"spec":{"$setElementOrder/containers":[{"image":"x"}]}}}})",
       "spec.template.spec[$setElementOrder/containers][0]", R"(missing merge key "name")"},
      {"a patched element missing from $setElementOrder", kDeployment,
       R"({"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"web"}],
           "containers":[{"name":"web"},{"name":"new"}]}}}})",
       "spec.template.spec.containers[1]", "not named in $setElementOrder/containers"},
      {"$deleteFromPrimitiveList that is not a list", kDeployment,
       R"({"metadata":{"$deleteFromPrimitiveList/finalizers":"a"}})",
       "metadata[$deleteFromPrimitiveList/finalizers]", "must be a list"},
      {"a patch that is not an object", kDeployment, "[]", "",
       "a strategic merge patch must be a JSON object, got array"},
  };
  for (const ErrorRow& row : rows) {
    Result<json::Value> got =
        ApplyStrategicMergePatch(J(row.target), J(row.patch), PatchSchemaForKind("Deployment"));
    ASSERT_FALSE(got.ok()) << row.name << ": got " << json::Write(*got);
    EXPECT_EQ(got.error().code(), StatusCode::kInvalidArgument) << row.name;
    EXPECT_EQ(got.error().field_path(), row.field_path) << row.name;
    EXPECT_NE(got.error().message().find(row.message_part), std::string::npos)
        << row.name << ": " << got.error().message();
  }
}

struct CreateRow {
  const char* name;
  const char* modified;  // kDeployment changed
  const char* want_patch;
};

TEST(StrategicMergePatchTest, CreatesPatchesAsKubectlDoes) {
  const CreateRow rows[] = {
      {"an image change names the container and keeps the order",
       R"({"apiVersion":"apps/v1","kind":"Deployment",
  "metadata":{"name":"web","finalizers":["a","b"],"labels":{"app":"web"}},
  "spec":{"replicas":2,"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}},
    "template":{"metadata":{"labels":{"app":"web"}},"spec":{
      "containers":[{"name":"web","image":"nginx:1.27","ports":[{"containerPort":80,"name":"http"}],
          "env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"args":["--x","--y"]},
        {"name":"sidecar","image":"envoy:1.0"}],
      "tolerations":[{"key":"k1","operator":"Exists"}],
      "volumes":[{"name":"cfg","configMap":{"name":"web"}}]}}}})",
       R"({"spec":{"template":{"spec":{
           "$setElementOrder/containers":[{"name":"web"},{"name":"sidecar"}],
           "containers":[{"name":"web","image":"nginx:1.27"}]}}}})"},
      {"a removed env entry and container, a new port, a changed set, a new strategy",
       R"({"apiVersion":"apps/v1","kind":"Deployment",
  "metadata":{"name":"web","finalizers":["b","c"],"labels":{"app":"web"}},
  "spec":{"replicas":2,"strategy":{"type":"Recreate"},
    "template":{"metadata":{"labels":{"app":"web"}},"spec":{
      "containers":[{"name":"web","image":"nginx:1.25",
          "ports":[{"containerPort":80,"name":"http"},{"containerPort":9090}],
          "env":[{"name":"B","value":"2"}],"args":["--x","--y"]}],
      "tolerations":[{"key":"k1","operator":"Exists"}],
      "volumes":[{"name":"cfg","configMap":{"name":"web"}}]}}}})",
       R"({"metadata":{"$setElementOrder/finalizers":["b","c"],"finalizers":["c"],
                       "$deleteFromPrimitiveList/finalizers":["a"]},
           "spec":{"strategy":{"type":"Recreate","rollingUpdate":null,"$retainKeys":["type"]},
             "template":{"spec":{
               "$setElementOrder/containers":[{"name":"web"}],
               "containers":[
                 {"name":"web",
                  "$setElementOrder/ports":[{"containerPort":80},{"containerPort":9090}],
                  "ports":[{"containerPort":9090}],
                  "$setElementOrder/env":[{"name":"B"}],
                  "env":[{"name":"A","$patch":"delete"}]},
                 {"name":"sidecar","$patch":"delete"}]}}}})"},
      {"a reorder alone sends only the order",
       R"({"apiVersion":"apps/v1","kind":"Deployment",
  "metadata":{"name":"web","finalizers":["a","b"],"labels":{"app":"web"}},
  "spec":{"replicas":2,"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}},
    "template":{"metadata":{"labels":{"app":"web"}},"spec":{
      "containers":[{"name":"sidecar","image":"envoy:1.0"},
        {"name":"web","image":"nginx:1.25","ports":[{"containerPort":80,"name":"http"}],
          "env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"args":["--x","--y"]}],
      "tolerations":[{"key":"k1","operator":"Exists"}],
      "volumes":[{"name":"cfg","configMap":{"name":"web"}}]}}}})",
       R"({"spec":{"template":{"spec":{
           "$setElementOrder/containers":[{"name":"sidecar"},{"name":"web"}]}}}})"},
      {"a list without a merge tag is sent whole, a volume change retains its keys",
       R"({"apiVersion":"apps/v1","kind":"Deployment",
  "metadata":{"name":"web","finalizers":["a","b"],"labels":{"app":"web"}},
  "spec":{"replicas":2,"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}},
    "template":{"metadata":{"labels":{"app":"web"}},"spec":{
      "containers":[{"name":"web","image":"nginx:1.25","ports":[{"containerPort":80,"name":"http"}],
          "env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"args":["--x","--y"]},
        {"name":"sidecar","image":"envoy:1.0"}],
      "tolerations":[],
      "volumes":[{"name":"cfg","secret":{"secretName":"web"}}]}}}})",
       R"({"spec":{"template":{"spec":{"tolerations":[],
           "$setElementOrder/volumes":[{"name":"cfg"}],
           "volumes":[{"name":"cfg","configMap":null,"secret":{"secretName":"web"},
                       "$retainKeys":["name","secret"]}]}}}})"},
      {"a duplicate merge key sends the list whole with a replace marker",
       R"({"apiVersion":"apps/v1","kind":"Deployment",
  "metadata":{"name":"web","finalizers":["a","b"],"labels":{"app":"web"}},
  "spec":{"replicas":2,"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}},
    "template":{"metadata":{"labels":{"app":"web"}},"spec":{
      "containers":[{"name":"web","image":"nginx:1.25","ports":[{"containerPort":80,"name":"http"}],
          "env":[{"name":"A","value":"1"},{"name":"A","value":"2"}],"args":["--x","--y"]},
        {"name":"sidecar","image":"envoy:1.0"}],
      "tolerations":[{"key":"k1","operator":"Exists"}],
      "volumes":[{"name":"cfg","configMap":{"name":"web"}}]}}}})",
       R"({"spec":{"template":{"spec":{
           "$setElementOrder/containers":[{"name":"web"},{"name":"sidecar"}],
           "containers":[{"name":"web","env":[{"name":"A","value":"1"},{"name":"A","value":"2"},
                                              {"$patch":"replace"}]}]}}}})"},
      {"equal documents give {}", kDeployment, "{}"},
  };
  const PatchSchema& schema = PatchSchemaForKind("Deployment");
  for (const CreateRow& row : rows) {
    json::Value original = J(kDeployment);
    json::Value modified = J(row.modified);
    json::Value patch = CreateStrategicMergePatch(original, modified, schema);
    EXPECT_EQ(patch, J(row.want_patch)) << row.name << ": got " << json::Write(patch);
    Result<json::Value> applied = ApplyStrategicMergePatch(original, patch, schema);
    ASSERT_TRUE(applied.ok()) << row.name << ": " << applied.status();
    // json::Value's == compares list elements in order (object members in any order).
    EXPECT_EQ(*applied, modified) << row.name << ": got " << json::Write(*applied);
  }
}

// Random Deployments: containers, env, ports, finalizers, volumes and a strategy that change
// between original and modified in content and order.
class RandomDeployments {
 public:
  explicit RandomDeployments(uint32_t seed) : rng_(seed) {}

  json::Value Next() {
    json::Object meta{{"name", "web"}};
    if (Pick(4) != 0) {
      meta.Set("finalizers", Subset({"f1", "f2", "f3", "f4"}));
    }
    if (Pick(3) != 0) {
      meta.Set("labels", json::Object{{"app", Word()}});
    }
    json::Array containers;
    for (const json::Value& name : Subset({"web", "log", "mesh", "init"})) {
      json::Object c{{"name", name}, {"image", Word()}};
      if (Pick(2) == 0) {
        json::Array env;
        for (const json::Value& n : Subset({"A", "B", "C", "D"})) {
          env.push_back(json::Object{{"name", n}, {"value", Word()}});
        }
        c.Set("env", std::move(env));
      }
      if (Pick(2) == 0) {
        json::Array ports;
        for (const json::Value& p : Subset({80, 443, 8080})) {
          ports.push_back(json::Object{{"containerPort", p}, {"protocol", "TCP"}});
        }
        c.Set("ports", std::move(ports));
      }
      if (Pick(3) == 0) {
        c.Set("args", Subset({"-a", "-b", "-c"}));
      }
      containers.push_back(std::move(c));
    }
    json::Array volumes;
    for (const json::Value& name : Subset({"v1", "v2"})) {
      json::Object v{{"name", name}};
      if (Pick(2) == 0) {
        v.Set("configMap", json::Object{{"name", Word()}});
      } else {
        v.Set("emptyDir", json::Object{});
      }
      volumes.push_back(std::move(v));
    }
    json::Object strategy{{"type", Pick(2) == 0 ? "Recreate" : "RollingUpdate"}};
    if (Pick(2) == 0) {
      strategy.Set("rollingUpdate", json::Object{{"maxSurge", Pick(3)}});
    }
    json::Object pod_spec{{"containers", std::move(containers)}};
    if (Pick(2) == 0) {
      pod_spec.Set("volumes", std::move(volumes));
    }
    if (Pick(3) == 0) {
      pod_spec.Set("tolerations", json::Array{json::Object{{"key", Word()}}});
    }
    return json::Object{
        {"metadata", std::move(meta)},
        {"spec", json::Object{{"replicas", Pick(4)},
                              {"strategy", std::move(strategy)},
                              {"template", json::Object{{"spec", std::move(pod_spec)}}}}}};
  }

 private:
  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  std::string Word() { return "w" + std::to_string(Pick(3)); }
  // A random subset in random order.
  json::Array Subset(std::vector<json::Value> all) {
    std::shuffle(all.begin(), all.end(), rng_);
    all.resize(Pick(static_cast<int>(all.size()) + 1));
    return json::Array(all.begin(), all.end());
  }

  std::mt19937 rng_;
};

TEST(StrategicMergePatchTest, CreateThenApplyGivesModifiedForRandomDeployments) {
  RandomDeployments gen(3);
  const PatchSchema& schema = PatchSchemaForKind("Deployment");
  for (int i = 0; i < 2000; ++i) {
    json::Value original = gen.Next();
    json::Value modified = gen.Next();
    json::Value patch = CreateStrategicMergePatch(original, modified, schema);
    Result<json::Value> got = ApplyStrategicMergePatch(original, patch, schema);
    ASSERT_TRUE(got.ok()) << "pair " << i << ": " << got.status() << "\npatch "
                          << json::Write(patch);
    // json::Value's == compares list elements in order, so this checks the order directives too.
    ASSERT_EQ(*got, modified) << "pair " << i << "\noriginal " << json::Write(original)
                              << "\nmodified " << json::Write(modified) << "\npatch "
                              << json::Write(patch);
    ASSERT_EQ(CreateStrategicMergePatch(modified, modified, schema), json::Object())
        << "pair " << i;
  }
}

TEST(StrategicMergePatchTest, PatchesFromAnotherWriterSurviveAnApplyOfTheFile) {
  // The file changes the image; a controller added a container and an env entry meanwhile. The
  // two-way patch (original file -> new file) applied to live keeps both.
  const PatchSchema& schema = PatchSchemaForKind("Deployment");
  json::Value file_before = J(R"({"spec":{"template":{"spec":{"containers":[
      {"name":"web","image":"1","env":[{"name":"A","value":"1"}]}]}}}})");
  json::Value file_after = J(R"({"spec":{"template":{"spec":{"containers":[
      {"name":"web","image":"2","env":[{"name":"A","value":"1"}]}]}}}})");
  json::Value live = J(R"({"spec":{"template":{"spec":{"containers":[
      {"name":"web","image":"1","env":[{"name":"A","value":"1"},{"name":"INJECTED","value":"x"}]},
      {"name":"mesh-proxy","image":"p"}]}}}})");
  Result<json::Value> got = ApplyStrategicMergePatch(
      live, CreateStrategicMergePatch(file_before, file_after, schema), schema);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, J(R"({"spec":{"template":{"spec":{"containers":[
      {"name":"web","image":"2","env":[{"name":"A","value":"1"},{"name":"INJECTED","value":"x"}]},
      {"name":"mesh-proxy","image":"p"}]}}}})"))
      << json::Write(*got);
}

TEST(StrategicMergePatchTest, BuiltinSchemasCarryKubernetesTags) {
  struct Row {
    const char* kind;
    const char* path;
    FieldPatchRule want;
  };
  const FieldPatchRule by_name{.merge = true, .merge_key = "name"};
  const Row rows[] = {
      {"Deployment", "spec.template.spec.containers", by_name},
      {"Deployment", "spec.template.spec.initContainers", by_name},
      {"Deployment", "spec.template.spec.ephemeralContainers", by_name},
      {"Deployment", "spec.template.spec.imagePullSecrets", by_name},
      {"Deployment", "spec.template.spec.containers.env", by_name},
      {"Deployment",
       "spec.template.spec.containers.ports",
       {.merge = true, .merge_key = "containerPort"}},
      {"Deployment",
       "spec.template.spec.containers.volumeMounts",
       {.merge = true, .merge_key = "mountPath"}},
      {"Deployment",
       "spec.template.spec.volumes",
       {.merge = true, .merge_key = "name", .retain_keys = true}},
      {"Deployment", "spec.strategy", {.retain_keys = true}},
      {"Deployment", "metadata.finalizers", {.merge = true}},
      {"Deployment", "spec.template.metadata.finalizers", {.merge = true}},
      {"Pod", "spec.containers", by_name},
      {"Pod", "status.conditions", {.merge = true, .merge_key = "type"}},
      {"ReplicaSet", "spec.template.spec.containers", by_name},
      {"Job", "spec.template.spec.containers", by_name},
      {"PodTemplate", "template.spec.containers", by_name},
      {"Rollout", "spec.template.spec.containers", by_name},
      {"Service", "spec.ports", {.merge = true, .merge_key = "port"}},
      {"Secret", "metadata.ownerReferences", {.merge = true, .merge_key = "uid"}},
  };
  for (const Row& row : rows) {
    const FieldPatchRule* rule = PatchSchemaForKind(row.kind).Find(row.path);
    ASSERT_NE(rule, nullptr) << row.kind << " " << row.path;
    EXPECT_EQ(*rule, row.want) << row.kind << " " << row.path;
  }
  EXPECT_EQ(PatchSchemaForKind("Deployment").Find("spec.template.spec.tolerations"), nullptr);
  EXPECT_EQ(PatchSchemaForKind("Rollout").Find("spec.strategy"), nullptr);
  ASSERT_NE(PodTemplateSchema().Find("spec.containers.env"), nullptr);
  EXPECT_EQ(*PodTemplateSchema().Find("spec.containers.env"), by_name);
}

TEST(StrategicMergePatchTest, SchemasComposeByPrefix) {
  PatchSchema inner;
  inner.Set("items", {.merge = true, .merge_key = "id"});
  PatchSchema outer;
  outer.Include("spec.widgets", inner).Include("", inner);
  EXPECT_NE(outer.Find("spec.widgets.items"), nullptr);
  EXPECT_NE(outer.Find("items"), nullptr);
  EXPECT_EQ(outer.Find("spec.widgets"), nullptr);

  Result<json::Value> got = ApplyStrategicMergePatch(
      J(R"({"spec":{"widgets":{"items":[{"id":1,"v":1},{"id":2,"v":2}]}}})"),
      J(R"({"spec":{"widgets":{"items":[{"id":2,"v":3}]}}})"), outer);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, J(R"({"spec":{"widgets":{"items":[{"id":1,"v":1},{"id":2,"v":3}]}}})"));
}

TEST(StrategicMergePatchTest, ReplaceRuleTakesTheValueWhole) {
  PatchSchema schema;
  schema.Set("spec.selector", {.replace = true});
  schema.Set("spec.items", {.merge = true, .merge_key = "id", .replace = true});
  json::Value original = J(R"({"spec":{"selector":{"a":"1","b":"2"},"items":[{"id":1}]}})");
  json::Value patch = J(R"({"spec":{"selector":{"c":"3"},"items":[{"id":2}]}})");
  Result<json::Value> got = ApplyStrategicMergePatch(original, patch, schema);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, J(R"({"spec":{"selector":{"c":"3"},"items":[{"id":2}]}})"));

  json::Value modified = J(R"({"spec":{"selector":{"a":"1"},"items":[{"id":1},{"id":3}]}})");
  EXPECT_EQ(CreateStrategicMergePatch(original, modified, schema),
            J(R"({"spec":{"selector":{"a":"1"},"items":[{"id":1},{"id":3}]}})"));
}

TEST(StrategicMergePatchTest, ASetWithDuplicatesIsSentWhole) {
  const PatchSchema& schema = PatchSchemaForKind("Pod");
  json::Value original = J(R"({"metadata":{"finalizers":["a","b"]}})");
  json::Value modified = J(R"({"metadata":{"finalizers":["b","a","b"]}})");
  json::Value patch = CreateStrategicMergePatch(original, modified, schema);
  EXPECT_EQ(patch, J(R"({"metadata":{"finalizers":["b","a","b",{"$patch":"replace"}]}})"))
      << json::Write(patch);
  Result<json::Value> got = ApplyStrategicMergePatch(original, patch, schema);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, modified) << json::Write(*got);
}

}  // namespace
}  // namespace devflow::api
