#include "traffic/nginx/canary_ingress.h"

#include <gtest/gtest.h>

#include <functional>

#include "api/codec_testing.h"
#include "api/decode.h"
#include "api/networking_codec.h"
#include "traffic/nginx/nginx_testing.h"

namespace devflow::traffic::nginx {
namespace {

using testing::Ingress;
using testing::Pretty;
using testing::Targets;

const std::string kStablePath = "spec.strategy.canary.trafficRouting.nginx.stableIngress";

TEST(CanaryIngressNameTest, GivenNamesWhenNamingTheCanaryThenItFitsIn253Characters) {
  EXPECT_EQ(CanaryIngressName("web", "web-ingress"), "web-web-ingress-canary");
  std::string rollout(200, 'r');
  std::string ingress(100, 'i');
  std::string name = CanaryIngressName(rollout, ingress);
  EXPECT_EQ(name.size(), 253u);
  EXPECT_EQ(name, rollout + "-" + std::string(253 - 7 - 201, 'i') + "-canary");
  EXPECT_EQ(CanaryIngressName("w", std::string(244, 'x')), "w-" + std::string(244, 'x') + "-canary")
      << "253 characters exactly: not cut";
  EXPECT_EQ(CanaryIngressName("w", std::string(245, 'x')), "w-" + std::string(244, 'x') + "-canary")
      << "254 characters: the stable name loses one";
}

TEST(CanaryAnnotationsTest, GivenAnnotationSourcesWhenMergingThenLaterSourcesWin) {
  struct Row {
    std::string name;
    api::NginxTrafficRouting config;
    std::function<void(TrafficTargets&)> edit;
    std::map<std::string, std::string> stable_annotations;
    std::map<std::string, std::string> want;
  };
  auto none = [](TrafficTargets&) {};
  const std::vector<Row> rows = {
      {"given the defaults, when the canary is at 30, then canary and canary-weight are set",
       {.stable_ingress = "ing"},
       none,
       {{"other", "not copied"}},
       {{"nginx.ingress.kubernetes.io/canary", "true"},
        {"nginx.ingress.kubernetes.io/canary-weight", "30"}}},
      {"given a stable ingress class annotation, when merging, then it is kept",
       {.stable_ingress = "ing"},
       none,
       {{"kubernetes.io/ingress.class", "nginx-internal"}},
       {{"kubernetes.io/ingress.class", "nginx-internal"},
        {"nginx.ingress.kubernetes.io/canary", "true"},
        {"nginx.ingress.kubernetes.io/canary-weight", "30"}}},
      {"given a custom prefix and a maximum weight of 1000, when merging, then the prefix is "
       "used and canary-weight-total is written",
       {.annotation_prefix = "custom.nginx.io", .stable_ingress = "ing"},
       [](TrafficTargets& t) {
         t.max_weight = 1000;
         t.canary_weight = 250;
       },
       {},
       {{"custom.nginx.io/canary", "true"},
        {"custom.nginx.io/canary-weight", "250"},
        {"custom.nginx.io/canary-weight-total", "1000"}}},
      {"given additional annotations with and without the prefix, when merging, then the "
       "prefix is added only where missing",
       {.stable_ingress = "ing",
        .additional_ingress_annotations = {{"canary-by-header", "X-Canary"},
                                           {"nginx.ingress.kubernetes.io/canary-by-cookie", "c"}}},
       none,
       {},
       {{"nginx.ingress.kubernetes.io/canary", "true"},
        {"nginx.ingress.kubernetes.io/canary-weight", "30"},
        {"nginx.ingress.kubernetes.io/canary-by-header", "X-Canary"},
        {"nginx.ingress.kubernetes.io/canary-by-cookie", "c"}}},
      {"given a canary annotation that collides with an additional one, when merging, then the "
       "canary annotation wins, and the router's weight wins over both",
       {.stable_ingress = "ing",
        .additional_ingress_annotations = {{"canary-by-header", "from-additional"},
                                           {"canary-weight", "99"}},
        .canary_ingress_annotations = {{"nginx.ingress.kubernetes.io/canary-by-header",
                                        "from-canary"},
                                       {"nginx.ingress.kubernetes.io/canary-weight", "98"},
                                       {"example.com/team", "payments"}}},
       none,
       {},
       {{"nginx.ingress.kubernetes.io/canary", "true"},
        {"nginx.ingress.kubernetes.io/canary-weight", "30"},
        {"nginx.ingress.kubernetes.io/canary-by-header", "from-canary"},
        {"example.com/team", "payments"}}},
  };
  for (const Row& row : rows) {
    TrafficTargets targets = Targets();
    row.edit(targets);
    api::Ingress stable;
    stable.metadata.annotations = row.stable_annotations;
    EXPECT_EQ(CanaryAnnotations(stable, row.config, targets), row.want) << row.name;
  }
}

const char* kStable = R"(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ing
  namespace: default
  labels: {app: web}
  annotations:
    kubernetes.io/ingress.class: nginx
    nginx.ingress.kubernetes.io/rewrite-target: /
spec:
  ingressClassName: nginx
  defaultBackend:
    service: {name: web-stable, port: {number: 80}}
  tls:
  - hosts: [web.example.com]
    secretName: web-tls
  rules:
  - host: web.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service: {name: web-stable, port: {name: http}}
      - path: /static
        pathType: Prefix
        backend:
          service: {name: static, port: {number: 80}}
  - host: admin.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service: {name: admin, port: {number: 80}}
  - host: other.example.com
)";

const char* kWantCanary = R"(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web-ing-canary
  namespace: default
  annotations:
    kubernetes.io/ingress.class: nginx
    nginx.ingress.kubernetes.io/canary: "true"
    nginx.ingress.kubernetes.io/canary-weight: "30"
  ownerReferences:
  - apiVersion: argoproj.io/v1alpha1
    kind: Rollout
    name: web
    uid: uid-web
    controller: true
    blockOwnerDeletion: true
spec:
  ingressClassName: nginx
  tls:
  - hosts: [web.example.com]
    secretName: web-tls
  rules:
  - host: web.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service: {name: web-canary, port: {name: http}}
)";

TEST(DesiredCanaryIngressTest, GivenAStableIngressWhenNoCanaryExistsThenOnlyStablePathsAreCopied) {
  Result<api::Ingress> got = DesiredCanaryIngress(
      Ingress(kStable), nullptr, {.stable_ingress = "ing"}, kStablePath, Targets());
  ASSERT_TRUE(got.ok()) << got.error();
  api::Ingress want = Ingress(kWantCanary);
  EXPECT_EQ(*got, want) << "got: " << Pretty(*got) << "\nwant: " << Pretty(want);
}

TEST(DesiredCanaryIngressTest, GivenAnExistingCanaryWhenUpdatingThenForeignMetadataIsKept) {
  api::Ingress current = Ingress(kWantCanary);
  current.metadata.resource_version = "42";
  current.metadata.labels["team"] = "payments";
  current.metadata.annotations["rancher.io/tracked"] = "yes";
  current.metadata.annotations["nginx.ingress.kubernetes.io/canary-weight"] = "10";
  current.spec.rules[0].host = "stale.example.com";

  Result<api::Ingress> got = DesiredCanaryIngress(
      Ingress(kStable), &current, {.stable_ingress = "ing"}, kStablePath, Targets());
  ASSERT_TRUE(got.ok()) << got.error();
  api::Ingress want = Ingress(kWantCanary);
  want.metadata.resource_version = "42";
  want.metadata.labels["team"] = "payments";
  want.metadata.annotations["rancher.io/tracked"] = "yes";
  EXPECT_EQ(*got, want) << "got: " << Pretty(*got) << "\nwant: " << Pretty(want);
}

TEST(DesiredCanaryIngressTest, GivenIngressesThatCannotHostACanaryWhenBuildingThenTheCauseIsNamed) {
  struct Row {
    std::string name;
    std::function<void(api::Ingress& stable, api::Ingress& current)> edit;
    StatusCode want_code;
    std::string want_text;
    std::string want_path;
  };
  const std::vector<Row> rows = {
      {"given a stable Ingress without a stableService backend, when building, then the "
       "Ingress and the field naming it are reported",
       [](api::Ingress& stable, api::Ingress&) {
         stable.spec.rules.erase(stable.spec.rules.begin());
       },
       StatusCode::kInvalidArgument,
       "Ingress default/ing has no path with the backend service \"web-stable\"", kStablePath},
      {"given a canary Ingress controlled by another object, when building, then it is not "
       "taken over",
       [](api::Ingress&, api::Ingress& current) {
         current.metadata.owner_references[0].uid = "someone-else";
       },
       StatusCode::kFailedPrecondition,
       "Ingress default/web-ing-canary exists and is not controlled by Rollout web", ""},
      {"given a canary Ingress the Rollout owns but does not control, when building, then it "
       "is not taken over",
       [](api::Ingress&, api::Ingress& current) {
         current.metadata.owner_references[0].controller = false;
       },
       StatusCode::kFailedPrecondition, "is not controlled by Rollout web", ""},
  };
  for (const Row& row : rows) {
    api::Ingress stable = Ingress(kStable);
    api::Ingress current = Ingress(kWantCanary);
    row.edit(stable, current);
    Result<api::Ingress> got =
        DesiredCanaryIngress(stable, &current, {.stable_ingress = "ing"}, kStablePath, Targets());
    ASSERT_FALSE(got.ok()) << row.name;
    EXPECT_EQ(got.error().code(), row.want_code) << row.name << ": " << got.error();
    EXPECT_NE(got.error().message().find(row.want_text), std::string::npos)
        << row.name << ": " << got.error();
    EXPECT_EQ(got.error().field_path(), row.want_path) << row.name;
  }
}

TEST(DesiredCanaryIngressTest, GivenHeaderAndMirrorRoutesWhenBuildingThenNginxIgnoresThem) {
  TrafficTargets targets = Targets();
  targets.managed_routes = {"header"};
  targets.header_routes = {{.name = "header",
                            .match = {{.header_name = "x-canary",
                                       .header_value = api::RolloutStringMatch{.exact = "1"}}}}};
  Result<api::Ingress> got = DesiredCanaryIngress(Ingress(kStable), nullptr,
                                                  {.stable_ingress = "ing"}, kStablePath, targets);
  ASSERT_TRUE(got.ok()) << got.error();
  EXPECT_EQ(*got, Ingress(kWantCanary));
}

}  // namespace
}  // namespace devflow::traffic::nginx
