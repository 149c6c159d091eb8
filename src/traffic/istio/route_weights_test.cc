#include "traffic/istio/route_weights.h"

#include <gtest/gtest.h>

#include <functional>

#include "traffic/istio/istio_testing.h"

namespace devflow::traffic::istio {
namespace {

using testing::Targets;

api::IstioRouteDestination D(std::string host, int32_t weight, std::string subset = "") {
  api::IstioRouteDestination d;
  d.destination.host = std::move(host);
  d.destination.subset = std::move(subset);
  d.weight = weight;
  return d;
}

std::string Show(const std::vector<api::IstioRouteDestination>& route) {
  std::string out;
  for (const api::IstioRouteDestination& d : route) {
    out += d.destination.host + (d.destination.subset.empty() ? "" : "/" + d.destination.subset) +
           "=" + std::to_string(d.weight) + " ";
  }
  return out;
}

const api::IstioDestinationRuleRef kRule{.name = "dr",
                                         .canary_subset_name = "canary",
                                         .stable_subset_name = "stable",
                                         .additional_subset_names = {"mirror-subset"}};

TEST(HostServiceNameTest, GivenAHostWhenNamingItsServiceThenTheFirstDnsLabelIsTaken) {
  EXPECT_EQ(HostServiceName("web-canary"), "web-canary");
  EXPECT_EQ(HostServiceName("web-canary.default"), "web-canary");
  EXPECT_EQ(HostServiceName("web-canary.default.svc.cluster.local"), "web-canary");
  EXPECT_EQ(HostServiceName(""), "");
}

TEST(WeightedDestinationsTest, GivenARouteWhenWeightingThenEachDestinationGetsItsShare) {
  struct Row {
    std::string name;
    std::vector<api::IstioRouteDestination> route;
    const api::IstioDestinationRuleRef* rule;
    std::function<void(TrafficTargets&)> edit;
    std::vector<api::IstioRouteDestination> want;
  };
  auto none = [](TrafficTargets&) {};
  const std::vector<Row> rows = {
      {"given a host split at 100/0, when the canary is at 30, then canary 30 and stable 70",
       {D("web-stable", 100), D("web-canary", 0)},
       nullptr,
       none,
       {D("web-stable", 70), D("web-canary", 30)}},
      {"given fully qualified hosts, when weighting, then the first DNS label identifies them",
       {D("web-canary.default.svc.cluster.local", 0), D("web-stable.default", 100)},
       nullptr,
       none,
       {D("web-canary.default.svc.cluster.local", 30), D("web-stable.default", 70)}},
      {"given a destination that is neither side, when weighting, then it is removed",
       {D("web-stable", 90), D("old-experiment", 10), D("web-canary", 0)},
       nullptr,
       none,
       {D("web-stable", 70), D("web-canary", 30)}},
      {"given an experiment in the route and one missing, when weighting, then the present one "
       "is updated in place, the missing one appended, and the stable gives up both weights",
       {D("web-stable", 100), D("exp-b.default.svc", 1), D("web-canary", 0)},
       nullptr,
       [](TrafficTargets& t) {
         t.canary_weight = 10;
         t.additional = {{"exp-c", "h3", 5}, {"exp-b", "h2", 20}, {"exp-a", "h1", 5}};
       },
       {D("web-stable", 60), D("exp-b.default.svc", 20), D("web-canary", 10), D("exp-a", 5),
        D("exp-c", 5)}},
      {"given a destination listed twice for one experiment, when weighting, then the second "
       "copy is removed",
       {D("web-stable", 100), D("exp", 0), D("exp.default", 0), D("web-canary", 0)},
       nullptr,
       [](TrafficTargets& t) {
         t.additional = {{"exp", "h", 10}};
       },
       {D("web-stable", 60), D("exp", 10), D("web-canary", 30)}},
      {"given the canary and experiments above the maximum, when weighting, then the stable is "
       "floored at 0",
       {D("web-stable", 100), D("web-canary", 0)},
       nullptr,
       [](TrafficTargets& t) {
         t.canary_weight = 90;
         t.additional = {{"exp", "h", 20}};
       },
       {D("web-stable", 0), D("web-canary", 90), D("exp", 20)}},
      {"given a subset split, when weighting, then subsets decide the sides and the shared host "
       "does not",
       {D("web", 100, "stable"), D("web", 0, "canary")},
       &kRule,
       none,
       {D("web", 70, "stable"), D("web", 30, "canary")}},
      {"given a subset split whose host is also canaryService, when weighting, then the stable "
       "subset still gets the stable weight",
       {D("web-canary", 100, "stable"), D("web-canary", 0, "canary")},
       &kRule,
       none,
       {D("web-canary", 70, "stable"), D("web-canary", 30, "canary")}},
      {"given a subset split with an unknown subset, when weighting, then it is removed",
       {D("web", 90, "stable"), D("web", 10, "legacy"), D("web", 0, "canary")},
       &kRule,
       none,
       {D("web", 70, "stable"), D("web", 30, "canary")}},
      {"given an additional subset, when weighting, then it keeps its weight and the stable "
       "gives it up",
       {D("web", 80, "stable"), D("web", 15, "mirror-subset"), D("web", 5, "canary")},
       &kRule,
       none,
       {D("web", 55, "stable"), D("web", 15, "mirror-subset"), D("web", 30, "canary")}},
      {"given the canary at 0, when weighting, then the stable carries everything",
       {D("web-stable", 50), D("web-canary", 50)},
       nullptr,
       [](TrafficTargets& t) { t.canary_weight = 0; },
       {D("web-stable", 100), D("web-canary", 0)}},
  };
  for (const Row& row : rows) {
    TrafficTargets targets = Targets();
    row.edit(targets);
    std::vector<api::IstioRouteDestination> got =
        WeightedDestinations(row.route, RolesFor(targets, row.rule), targets);
    EXPECT_EQ(got, row.want) << row.name << "\n got: " << Show(got) << "\nwant: " << Show(row.want);
  }
}

TEST(WeightedDestinationsTest, GivenADestinationWithPortAndHeadersWhenWeightingThenTheyAreKept) {
  api::IstioRouteDestination canary = D("web-canary", 0);
  canary.destination.port = api::IstioPortSelector{.number = 8080};
  canary.headers = json::Object{{"request", json::Object{{"set", json::Object{{"x", "1"}}}}}};
  canary.extra.Set("custom", "kept");
  TrafficTargets targets = Targets();
  std::vector<api::IstioRouteDestination> got =
      WeightedDestinations({D("web-stable", 100), canary}, RolesFor(targets, nullptr), targets);
  api::IstioRouteDestination want = canary;
  want.weight = 30;
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1], want);
}

TEST(CheckCanaryAndStableTest, GivenARouteWhenCheckingThenAMissingSideIsNamed) {
  struct Row {
    std::string name;
    std::vector<api::IstioRouteDestination> route;
    const api::IstioDestinationRuleRef* rule;
    std::string want_message;  // empty: ok
  };
  const std::vector<Row> rows = {
      {"given both hosts, when checking, then ok",
       {D("web-stable", 100), D("web-canary", 0)},
       nullptr,
       ""},
      {"given no canary host, when checking, then the canary Service is named",
       {D("web-stable", 100)},
       nullptr,
       "route r has no destination for the canary Service \"web-canary\""},
      {"given no stable host, when checking, then the stable Service is named",
       {D("web-canary", 100), D("other", 0)},
       nullptr,
       "route r has no destination for the stable Service \"web-stable\""},
      {"given a subset split without the canary subset, when checking, then the subset is named",
       {D("web", 100, "stable"), D("web-canary", 0)},
       &kRule,
       "route r has no destination with the canary subset \"canary\""},
      {"given both subsets, when checking, then ok",
       {D("web", 100, "stable"), D("web", 0, "canary")},
       &kRule,
       ""},
  };
  for (const Row& row : rows) {
    TrafficTargets targets = Targets();
    Status got = CheckCanaryAndStable(row.route, RolesFor(targets, row.rule), targets, "route r",
                                      "spec.path");
    if (row.want_message.empty()) {
      EXPECT_TRUE(got.ok()) << row.name << ": " << got;
      continue;
    }
    EXPECT_EQ(got.code(), StatusCode::kInvalidArgument) << row.name;
    EXPECT_EQ(got.field_path(), "spec.path") << row.name;
    EXPECT_EQ(got.message(), row.want_message) << row.name;
  }
}

}  // namespace
}  // namespace devflow::traffic::istio
