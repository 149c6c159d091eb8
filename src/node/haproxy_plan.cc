#include "node/haproxy_plan.h"

#include <map>

namespace devflow::node {
namespace {

std::string Where(const ProxyListener& listener) {
  return listener.bind_address + ":" + std::to_string(listener.port);
}

std::set<std::string> BackendNames(const ProxyState& state) {
  std::set<std::string> names;
  for (const ProxyBackend& backend : state.backends) names.insert(backend.name);
  return names;
}

std::optional<std::string> ListenerSetChange(const ProxyState& applied, const ProxyState& desired) {
  std::map<std::string, const ProxyListener*> before;
  for (const ProxyListener& listener : applied.listeners) before[listener.name] = &listener;
  std::set<std::string> after;
  for (const ProxyListener& listener : desired.listeners) {
    after.insert(listener.name);
    auto it = before.find(listener.name);
    if (it == before.end()) return "listener " + listener.name + " added";
    if (Where(*it->second) != Where(listener)) {
      return "listener " + listener.name + " moved from " + Where(*it->second) + " to " +
             Where(listener);
    }
  }
  for (const ProxyListener& listener : applied.listeners) {
    if (!after.contains(listener.name)) return "listener " + listener.name + " removed";
  }
  // Same listeners, different order: the frontends and map names would be renumbered.
  if (applied.listeners.size() != desired.listeners.size()) return "listeners repeated";
  for (size_t l = 0; l < desired.listeners.size(); ++l) {
    if (applied.listeners[l].name != desired.listeners[l].name) return "listeners reordered";
  }
  return std::nullopt;
}

std::optional<std::string> RuleChange(const ProxyListener& applied, const ProxyListener& desired) {
  if (applied.rules.size() != desired.rules.size()) {
    return "listener " + desired.name + ": " + std::to_string(desired.rules.size()) +
           " rules instead of " + std::to_string(applied.rules.size());
  }
  for (size_t r = 0; r < desired.rules.size(); ++r) {
    const RouteRule& before = applied.rules[r];
    const RouteRule& after = desired.rules[r];
    if (before.hostnames != after.hostnames || before.matches != after.matches) {
      return "listener " + desired.name + " rules[" + std::to_string(r) + "] (" + after.origin +
             "): hostnames or matches changed";
    }
  }
  return std::nullopt;
}

void PlanServers(const ProxyBackend* applied, const ProxyBackend& desired,
                 const std::set<ServerKey>& lingering, std::vector<RuntimeStep>& first,
                 std::vector<RuntimeStep>& drains, std::vector<RuntimeStep>& deletes) {
  const std::string backend = HaproxyProxyName(desired.name);
  std::map<std::string, HaproxyServer> before;
  if (applied != nullptr) {
    for (HaproxyServer& server : BackendServers(*applied)) before[server.name] = server;
  }
  std::set<std::string> kept;
  for (const HaproxyServer& server : BackendServers(desired)) {
    kept.insert(server.name);
    ServerKey key{backend, server.name};
    auto it = before.find(server.name);
    if (it == before.end()) {
      if (lingering.contains(key)) {
        first.push_back(SetServerAddress{key, server.address, server.port});
        (server.serving ? first : drains).push_back(SetServerServing{key, server.serving});
      } else {
        first.push_back(AddServer{backend, server});
      }
      continue;
    }
    const HaproxyServer& old = it->second;
    if (old.address != server.address || old.port != server.port) {
      first.push_back(SetServerAddress{key, server.address, server.port});
    }
    if (old.serving != server.serving) {
      (server.serving ? first : drains).push_back(SetServerServing{key, server.serving});
    }
  }
  for (const auto& [name, server] : before) {
    if (!kept.contains(name)) deletes.push_back(DeleteServer{{backend, name}});
  }
}

}  // namespace

std::optional<std::string> StructureChange(const ProxyState& applied, const ProxyState& desired) {
  if (auto change = ListenerSetChange(applied, desired)) return change;
  for (size_t l = 0; l < desired.listeners.size(); ++l) {
    if (auto change = RuleChange(applied.listeners[l], desired.listeners[l])) return change;
  }
  std::set<std::string> before = BackendNames(applied);
  std::set<std::string> after = BackendNames(desired);
  for (const std::string& name : after) {
    if (!before.contains(name)) return "backend " + name + " added";
  }
  for (const std::string& name : before) {
    if (!after.contains(name)) return "backend " + name + " removed";
  }
  return std::nullopt;
}

ProxyPlan PlanProxyChange(const std::optional<ProxyState>& applied, const ProxyState& desired,
                          const std::set<ServerKey>& lingering) {
  ProxyPlan plan;
  if (!applied) {
    plan.reload_reason = "the applied state is unknown";
    return plan;
  }
  if (auto change = StructureChange(*applied, desired)) {
    plan.reload_reason = *change;
    return plan;
  }
  std::vector<RuntimeStep> drains;
  std::vector<RuntimeStep> deletes;
  std::map<std::string, const ProxyBackend*> before;
  for (const ProxyBackend& backend : applied->backends) before[backend.name] = &backend;
  for (const ProxyBackend& backend : desired.backends) {
    auto it = before.find(backend.name);
    PlanServers(it == before.end() ? nullptr : it->second, backend, lingering, plan.steps, drains,
                deletes);
  }
  // The backend sets are equal (same structure), so both states' maps are computed alike.
  const std::set<std::string> names = BackendNames(desired);
  for (size_t l = 0; l < desired.listeners.size(); ++l) {
    for (size_t r = 0; r < desired.listeners[l].rules.size(); ++r) {
      std::vector<MapEntry> entries = RuleMapEntries(desired.listeners[l].rules[r], names);
      if (entries != RuleMapEntries(applied->listeners[l].rules[r], names)) {
        plan.steps.push_back(ReplaceMap{RuleMapName(l, r), std::move(entries)});
      }
    }
  }
  plan.steps.insert(plan.steps.end(), drains.begin(), drains.end());
  plan.steps.insert(plan.steps.end(), deletes.begin(), deletes.end());
  return plan;
}

}  // namespace devflow::node
