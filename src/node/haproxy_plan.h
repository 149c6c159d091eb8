// Planning a change of HAProxy's state: the pure diff between what HAProxy serves (the applied
// ProxyState) and what it should serve (the desired one).
//
// A change is either a list of runtime API steps, applied without a reload, or a reload with the
// reason. What the configuration fixes, and so what only a reload can change (the structure):
//   - the listeners: their names, bind addresses and ports, in order;
//   - each listener's rules: their number, hostnames and matches (the ACLs and use_backend lines);
//   - the set of ProxyBackend names (one HAProxy backend each).
// Everything else goes through the runtime API: endpoints added, removed, drained or moved
// (servers), and a rule's backends and weights (its map; see haproxy_config.h), which covers
// canary weight changes and a blue/green switch (a Service's endpoints all replaced).
//
// The steps are ordered so that no request finds nowhere to go:
//   1. servers added (enabled at once) and moved, servers becoming serving again;
//   2. rule maps replaced (traffic moves only once its destination serves);
//   3. servers drained (no new requests; requests in flight finish);
//   4. servers deleted (put in maintenance, then removed; HAProxy refuses to remove one that
//      still has connections, so the executor keeps it as lingering and retries).
#pragma once

#include <compare>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "node/haproxy_config.h"
#include "node/proxy_state.h"

namespace devflow::node {

// A server of a HAProxy backend, by HAProxy names.
struct ServerKey {
  std::string backend;  // HaproxyProxyName(ProxyBackend::name)
  std::string server;   // HaproxyServerName(ProxyEndpoint::name)
  friend auto operator<=>(const ServerKey&, const ServerKey&) = default;
};

// `add server` with the address and weight 1, then enabled: ready, or drain when not serving.
struct AddServer {
  std::string backend;
  HaproxyServer server;
  friend bool operator==(const AddServer&, const AddServer&) = default;
};

// `set server ... addr A port P`.
struct SetServerAddress {
  ServerKey key;
  std::string address;
  int port = 0;
  friend bool operator==(const SetServerAddress&, const SetServerAddress&) = default;
};

// Serving: weight 1 and state ready. Not serving: state drain.
struct SetServerServing {
  ServerKey key;
  bool serving = true;
  friend bool operator==(const SetServerServing&, const SetServerServing&) = default;
};

// State maint, then `del server`.
struct DeleteServer {
  ServerKey key;
  friend bool operator==(const DeleteServer&, const DeleteServer&) = default;
};

// Atomically replaces every entry of a rule's map.
struct ReplaceMap {
  std::string map;  // RuleMapName(...)
  std::vector<MapEntry> entries;
  friend bool operator==(const ReplaceMap&, const ReplaceMap&) = default;
};

using RuntimeStep =
    std::variant<AddServer, SetServerAddress, SetServerServing, DeleteServer, ReplaceMap>;

struct ProxyPlan {
  // Non-empty: the change needs a new configuration and a reload, for this reason
  // ("listener service/default/web:80 added"); `steps` is then empty.
  std::string reload_reason;
  std::vector<RuntimeStep> steps;  // in execution order; empty with no reload: nothing to do

  bool reload() const { return !reload_reason.empty(); }
  friend bool operator==(const ProxyPlan&, const ProxyPlan&) = default;
};

// The first structural difference between two states (see the top of this file), described for
// a log line, or nullopt when the structure is the same.
std::optional<std::string> StructureChange(const ProxyState& applied, const ProxyState& desired);

// Plans the change from `applied` (nullopt: unknown, e.g. after a crash in the middle of an
// apply, which always reloads) to `desired`. `lingering` are servers HAProxy still holds in
// maintenance because an earlier deletion found connections on them: one that is desired again
// is moved and re-enabled instead of added (`add server` would fail: the name exists).
ProxyPlan PlanProxyChange(const std::optional<ProxyState>& applied, const ProxyState& desired,
                          const std::set<ServerKey>& lingering);

}  // namespace devflow::node
