#include "node/haproxy_plan.h"

#include <gtest/gtest.h>

#include <functional>

namespace devflow::node {
namespace {

ProxyEndpoint Pod(std::string name, int port, bool serving = true) {
  return {std::move(name), "127.0.0.1", port, "h1", serving};
}

// A listener with one rule canary/stable, and the two backends.
ProxyState Canary(int canary_weight, int stable_weight) {
  ProxyState state;
  RouteRule rule{{}, {}, {{"ns/canary:80", canary_weight}, {"ns/stable:80", stable_weight}}, "r"};
  state.listeners = {{"gateway/ns/gw/http", "127.0.0.1", 8080, {rule}}};
  state.backends = {{"ns/canary:80", {Pod("canary-1", 5001)}},
                    {"ns/stable:80", {Pod("stable-1", 4001), Pod("stable-2", 4002)}}};
  return state;
}

ServerKey Key(std::string backend, std::string server) {
  return {std::move(backend), std::move(server)};
}

HaproxyServer Server(std::string name, int port, bool serving = true) {
  return {std::move(name), "127.0.0.1", port, serving};
}

ProxyState With(ProxyState state, const std::function<void(ProxyState&)>& change) {
  change(state);
  return state;
}

ProxyPlan Reload(std::string reason) { return {std::move(reason), {}}; }
ProxyPlan Steps(std::vector<RuntimeStep> steps) { return {"", std::move(steps)}; }

TEST(PlanProxyChangeTest, Table) {
  const ProxyState base = Canary(0, 100);
  struct Row {
    const char* name;
    std::optional<ProxyState> applied;
    ProxyState desired;
    std::set<ServerKey> lingering;
    ProxyPlan expected;
  };
  const Row rows[] = {
      {"nothing changed", base, base, {}, Steps({})},
      {"unknown applied state reloads",
       std::nullopt,
       base,
       {},
       Reload("the applied state is unknown")},
      {"weights move through the map",
       base,
       Canary(10, 90),
       {},
       Steps({ReplaceMap{"maps/l0_r0.map",
                         {{"0:99999", "ns.canary:80"}, {"100000:999999", "ns.stable:80"}}}})},
      {"scaled weights are no change", Canary(1, 9), Canary(10, 90), {}, Steps({})},
      {"all weights zero empties the map",
       base,
       Canary(0, 0),
       {},
       Steps({ReplaceMap{"maps/l0_r0.map", {}}})},
      {"endpoint added",
       base,
       With(base, [](ProxyState& s) { s.backends[1].endpoints.push_back(Pod("stable-3", 4003)); }),
       {},
       Steps({AddServer{"ns.stable:80", Server("stable-3", 4003)}})},
      {"endpoint added drained",
       base,
       With(base,
            [](ProxyState& s) { s.backends[1].endpoints.push_back(Pod("stable-3", 4003, false)); }),
       {},
       Steps({AddServer{"ns.stable:80", Server("stable-3", 4003, false)}})},
      {"endpoint drained",
       base,
       With(base, [](ProxyState& s) { s.backends[1].endpoints[0].serving = false; }),
       {},
       Steps({SetServerServing{Key("ns.stable:80", "stable-1"), false}})},
      {"endpoint serving again",
       With(base, [](ProxyState& s) { s.backends[1].endpoints[0].serving = false; }),
       base,
       {},
       Steps({SetServerServing{Key("ns.stable:80", "stable-1"), true}})},
      {"endpoint moved",
       base,
       With(base, [](ProxyState& s) { s.backends[1].endpoints[0].port = 4999; }),
       {},
       Steps({SetServerAddress{Key("ns.stable:80", "stable-1"), "127.0.0.1", 4999}})},
      {"endpoint removed",
       base,
       With(base,
            [](ProxyState& s) { s.backends[1].endpoints.erase(s.backends[1].endpoints.begin()); }),
       {},
       Steps({DeleteServer{Key("ns.stable:80", "stable-1")}})},
      {"revision alone is no change",
       base,
       With(base, [](ProxyState& s) { s.backends[1].endpoints[0].revision = "h2"; }),
       {},
       Steps({})},
      {"blue/green switch: new servers first, then old ones deleted",
       base,
       With(base,
            [](ProxyState& s) {
              s.backends[1].endpoints = {Pod("green-1", 6001), Pod("green-2", 6002)};
            }),
       {},
       Steps({AddServer{"ns.stable:80", Server("green-1", 6001)},
              AddServer{"ns.stable:80", Server("green-2", 6002)},
              DeleteServer{Key("ns.stable:80", "stable-1")},
              DeleteServer{Key("ns.stable:80", "stable-2")}})},
      {"order: adds, maps, drains, deletes",
       base,
       With(Canary(50, 50),
            [](ProxyState& s) {
              s.backends[0].endpoints = {Pod("canary-1", 5001, false), Pod("canary-2", 5002)};
              s.backends[1].endpoints = {Pod("stable-2", 4002)};
            }),
       {},
       Steps({AddServer{"ns.canary:80", Server("canary-2", 5002)},
              ReplaceMap{"maps/l0_r0.map",
                         {{"0:499999", "ns.canary:80"}, {"500000:999999", "ns.stable:80"}}},
              SetServerServing{Key("ns.canary:80", "canary-1"), false},
              DeleteServer{Key("ns.stable:80", "stable-1")}})},
      {"a lingering server desired again is moved and enabled, not added",
       base,
       With(base, [](ProxyState& s) { s.backends[1].endpoints.push_back(Pod("stable-3", 4333)); }),
       {Key("ns.stable:80", "stable-3")},
       Steps({SetServerAddress{Key("ns.stable:80", "stable-3"), "127.0.0.1", 4333},
              SetServerServing{Key("ns.stable:80", "stable-3"), true}})},
      {"a lingering server desired drained is moved, then drained",
       base,
       With(base,
            [](ProxyState& s) { s.backends[1].endpoints.push_back(Pod("stable-3", 4333, false)); }),
       {Key("ns.stable:80", "stable-3")},
       Steps({SetServerAddress{Key("ns.stable:80", "stable-3"), "127.0.0.1", 4333},
              SetServerServing{Key("ns.stable:80", "stable-3"), false}})},
      {"listener added reloads",
       base,
       With(base,
            [](ProxyState& s) {
              s.listeners.push_back({"service/ns/web:80", "127.1.0.1", 80, {}});
            }),
       {},
       Reload("listener service/ns/web:80 added")},
      {"listener removed reloads",
       base,
       With(base, [](ProxyState& s) { s.listeners.clear(); }),
       {},
       Reload("listener gateway/ns/gw/http removed")},
      {"listener moved reloads",
       base,
       With(base, [](ProxyState& s) { s.listeners[0].port = 8081; }),
       {},
       Reload("listener gateway/ns/gw/http moved from 127.0.0.1:8080 to 127.0.0.1:8081")},
      {"rule added reloads",
       base,
       With(base, [](ProxyState& s) { s.listeners[0].rules.push_back(s.listeners[0].rules[0]); }),
       {},
       Reload("listener gateway/ns/gw/http: 2 rules instead of 1")},
      {"header match added reloads",
       base,
       With(base,
            [](ProxyState& s) {
              s.listeners[0].rules[0].matches = {{std::nullopt, {{"x-canary", "1", false}}, {}}};
            }),
       {},
       Reload("listener gateway/ns/gw/http rules[0] (r): hostnames or matches changed")},
      {"hostname changed reloads",
       base,
       With(base, [](ProxyState& s) { s.listeners[0].rules[0].hostnames = {"a.example.com"}; }),
       {},
       Reload("listener gateway/ns/gw/http rules[0] (r): hostnames or matches changed")},
      {"backend added reloads",
       base,
       With(base,
            [](ProxyState& s) {
              s.backends.push_back({"ns/preview:80", {}});
            }),
       {},
       Reload("backend ns/preview:80 added")},
      {"backend removed reloads",
       base,
       With(base, [](ProxyState& s) { s.backends.pop_back(); }),
       {},
       Reload("backend ns/stable:80 removed")},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(PlanProxyChange(row.applied, row.desired, row.lingering), row.expected)
        << row.name << ": reload_reason \""
        << PlanProxyChange(row.applied, row.desired, row.lingering).reload_reason << "\", "
        << PlanProxyChange(row.applied, row.desired, row.lingering).steps.size() << " steps";
  }
}

TEST(StructureChangeTest, ReorderedListenersReload) {
  ProxyState state;
  state.listeners = {{"a", "127.0.0.1", 1, {}}, {"b", "127.0.0.1", 2, {}}};
  ProxyState reordered = state;
  std::swap(reordered.listeners[0], reordered.listeners[1]);
  EXPECT_EQ(StructureChange(state, reordered), "listeners reordered");
  EXPECT_EQ(StructureChange(state, state), std::nullopt);
}

}  // namespace
}  // namespace devflow::node
