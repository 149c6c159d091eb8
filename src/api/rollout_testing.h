// Test support for the Rollout validation tables (rollout_*_test.cc only): a valid base Rollout,
// mutations that switch it to another strategy or router, and the table runner.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "api/rollout.h"
#include "api/rollout_validation.h"

namespace devflow::api::rollout_testing {

inline const std::string kCanary = "spec.strategy.canary.";
inline const std::string kBlueGreen = "spec.strategy.blueGreen.";

// A valid canary Rollout: 3 replicas of app=web, steps [setWeight 20, pause {}].
inline Rollout ValidCanaryRollout() {
  Rollout r;
  r.api_version = "argoproj.io/v1alpha1";
  r.kind = "Rollout";
  r.metadata.name = "web";
  r.spec.replicas = 3;
  r.spec.selector.emplace().match_labels = {{"app", "web"}};
  r.spec.template_.metadata.labels = {{"app", "web"}};
  Container container;
  container.name = "web";
  container.image = "web:v1";
  r.spec.template_.spec.containers.push_back(container);
  CanaryStrategy& canary = r.spec.strategy.canary.emplace();
  CanaryStep weight;
  weight.set_weight = 20;
  CanaryStep pause;
  pause.pause.emplace();
  canary.steps = {weight, pause};
  return r;
}

inline CanaryStrategy& CanaryOf(Rollout& r) { return *r.spec.strategy.canary; }

// Replaces the strategy with a valid blue/green one (active web-active, preview web-preview).
inline BlueGreenStrategy& MakeBlueGreen(Rollout& r) {
  r.spec.strategy.canary.reset();
  BlueGreenStrategy& bg = r.spec.strategy.blue_green.emplace();
  bg.active_service = "web-active";
  bg.preview_service = "web-preview";
  return bg;
}

inline void SetServices(Rollout& r) {
  CanaryOf(r).canary_service = "web-canary";
  CanaryOf(r).stable_service = "web-stable";
}

inline RolloutTrafficRouting& Routing(Rollout& r) {
  CanaryStrategy& c = CanaryOf(r);
  if (!c.traffic_routing) c.traffic_routing.emplace();
  return *c.traffic_routing;
}

// Istio subset-level split: needs neither canaryService nor stableService.
inline IstioTrafficRouting& UseIstioSubsets(Rollout& r) {
  IstioTrafficRouting& istio = Routing(r).istio.emplace();
  istio.virtual_service.emplace().name = "web";
  IstioDestinationRuleRef& dr = istio.destination_rule.emplace();
  dr.name = "web";
  dr.canary_subset_name = "canary";
  dr.stable_subset_name = "stable";
  return istio;
}

// NGINX with its stable Ingress and the two Services it needs.
inline NginxTrafficRouting& UseNginx(Rollout& r) {
  SetServices(r);
  NginxTrafficRouting& nginx = Routing(r).nginx.emplace();
  nginx.stable_ingress = "web";
  return nginx;
}

// ALB with its Ingress, port and the two Services it needs.
inline AlbTrafficRouting& UseAlb(Rollout& r) {
  SetServices(r);
  AlbTrafficRouting& alb = Routing(r).alb.emplace();
  alb.ingress = "web";
  alb.service_port = 80;
  return alb;
}

inline void AddManagedRoute(Rollout& r, const std::string& name) {
  Routing(r).managed_routes.push_back(ManagedRoute{name, {}});
}

inline RolloutAnalysis ValidAnalysis() {
  RolloutAnalysis a;
  a.templates.push_back(RolloutAnalysisTemplateRef{"success-rate", std::nullopt, {}});
  return a;
}

inline std::vector<std::string> Rendered(const FieldErrors& errors) {
  std::vector<std::string> out;
  for (const FieldError& e : errors) out.push_back(ToString(e));
  return out;
}

// One row of a validation table: a mutation of ValidCanaryRollout() and the exact errors
// ("path: message") Validate must return, in order.
struct ValidationRow {
  std::string name;
  std::function<void(Rollout&)> mutate;
  std::vector<std::string> want;
};

inline void RunValidationTable(const std::vector<ValidationRow>& rows) {
  for (const ValidationRow& row : rows) {
    Rollout r = ValidCanaryRollout();
    row.mutate(r);
    EXPECT_EQ(Rendered(Validate(r)), row.want) << "row: " << row.name;
  }
}

}  // namespace devflow::api::rollout_testing
