// Generating HAProxy's configuration from a ProxyState: the pure half of the data plane.
//
// The generated file has a fixed layout that the plan (haproxy_plan.h) and the runtime API client
// (haproxy_runtime.h) rely on:
//
//   global                    the runtime socket (level admin, `expose-fd listeners`, so that a
//                             reload hands the listening sockets to the new worker), and
//                             `hard-stop-after`, bounding how long an old worker lingers.
//                             Master-worker mode and the master socket come from the command line
//                             (-W -S), which the proxy manager owns.
//   defaults                  HTTP mode; retries with redispatch (`retry-on conn-failure
//                             empty-response response-timeout`), so a request whose pod went away
//                             is sent to another pod instead of failing; timeouts;
//                             `idle-close-on-response`, so an old worker answers a request that
//                             races its shutdown instead of resetting the connection.
//   frontend devflow_stats    the Prometheus exporter at /metrics on the stats address and port.
//   frontend <listener>       one per ProxyListener (one `bind`). Each rule becomes named ACLs
//                             and one `use_backend` line, in rule order, so the first rule that
//                             accepts a request routes it; no rule: backend devflow_no_route (404).
//   backend <ProxyBackend>    one per ProxyBackend, `balance roundrobin`, one server per endpoint
//                             named after its pod: haproxy_backend_* and haproxy_server_* series
//                             exist per Service port and per pod (so per revision).
//   backend devflow_no_backend  answers 503: a rule with no backend, all weights 0, or the share of
//                             a backend the state does not define.
//   backend devflow_no_route    answers 404.
//
// How a rule's weights are realised, and why. Each rule has a map file (RuleMapName) whose keys
// are integer ranges that partition [0, kWeightScale) in proportion to the weights, and whose
// values are HAProxy backend names:
//
//   use_backend %[rand(1000000),map_int(maps/l0_r1.map,devflow_no_backend)] if <rule matches>
//
// A weight change replaces the map's entries through the runtime API, atomically (`prepare map`,
// `add map @version`, `commit map`), with no reload and no extra hop: a request goes straight from
// the frontend to the ProxyBackend's own backend, which is what keeps each ProxyBackend's traffic
// measurable. Rejected alternatives: an internal listener per backend behind a per-rule backend
// (one more proxy hop and connection per request), and one backend per rule holding every pod
// with scaled server weights (HAProxy server weights are 0..256, so 10/90 across unequal pod
// counts is not exact, and a Service's traffic is no longer one backend). Splits are exact to
// 1/kWeightScale of a rule's total weight; a backend whose share is smaller gets nothing.
//
// Everything from the state is written in single quotes (an embedded quote as '\''), so `$`, `#`,
// spaces and backslashes stay literal, and ACL patterns follow `--`, so a value starting with '-'
// is not read as a flag. What HAProxy's syntax cannot carry (control characters, a quote inside a
// header name) is rejected with InvalidArgument naming the rule.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "node/proxy_state.h"

namespace devflow::node {

// rand()'s range for weighted choices: a rule's weights are scaled to [0, kWeightScale).
inline constexpr int64_t kWeightScale = 1000000;
// The internal backends. They cannot clash with ProxyBackend names, which always contain ':'.
inline constexpr std::string_view kNoBackendName = "devflow_no_backend";
inline constexpr std::string_view kNoRouteName = "devflow_no_route";
inline constexpr std::string_view kStatsFrontendName = "devflow_stats";

// What the configuration needs besides the state. Paths are as HAProxy sees them: the proxy
// manager starts HAProxy in its state directory (-C), so the maps are found at the relative
// paths RuleMapName returns.
struct HaproxySettings {
  std::string runtime_socket;  // absolute path of the runtime (stats) socket
  std::string stats_address = "127.0.0.1";
  int stats_port = 0;  // REQUIRES: 1..65535 when generating
  friend bool operator==(const HaproxySettings&, const HaproxySettings&) = default;
};

// One line of a map file: a key ("0:99999", an inclusive integer range) and a value (a backend).
struct MapEntry {
  std::string key;
  std::string value;
  friend bool operator==(const MapEntry&, const MapEntry&) = default;
};

// A server of a HAProxy backend, as the configuration and the runtime API see it.
struct HaproxyServer {
  std::string name;     // HaproxyServerName(pod)
  std::string address;  // IP literal
  int port = 0;
  bool serving = true;  // false: drained (no new requests)
  friend bool operator==(const HaproxyServer&, const HaproxyServer&) = default;
};

// The HAProxy name of a frontend or backend for a ProxyListener or ProxyBackend name. Names made
// of [A-Za-z0-9_:-] and '/' map '/' to '.' ("production/web:80" -> "production.web:80",
// "service/production/web:80" -> "service.production.web:80"), which is injective because such
// names hold no '.'. Any other name is sanitised ('_' for each other character) and suffixed with
// ":x" and 8 hex digits of a hash of the original, so distinct names stay distinct.
std::string HaproxyProxyName(std::string_view name);

// The HAProxy name of a server for a pod name: the pod name itself when it is made of
// [A-Za-z0-9._:-] (every Kubernetes pod name is), else sanitised and suffixed as above.
std::string HaproxyServerName(std::string_view pod);

// The map file of rule `rule_index` of the `listener_index`th listener, relative to HAProxy's
// working directory: "maps/l<listener>_r<rule>.map".
std::string RuleMapName(size_t listener_index, size_t rule_index);

// The entries of a rule's map. `backends` are the ProxyBackend names the state defines: a
// WeightedBackend naming another one keeps its share, sent to kNoBackendName (503). Weights <= 0
// get no range. No positive weight: no entries (the map's default, kNoBackendName, answers).
// Ranges follow the rule's backend order; values are HaproxyProxyName(backend).
std::vector<MapEntry> RuleMapEntries(const RouteRule& rule, const std::set<std::string>& backends);

// The servers of a ProxyBackend, in endpoint order. A second endpoint whose server name repeats
// an earlier one is dropped (names must be unique in a backend).
std::vector<HaproxyServer> BackendServers(const ProxyBackend& backend);

// The content of a map file: one "key value" line per entry.
std::string MapFileText(const std::vector<MapEntry>& entries);

// A complete configuration: haproxy.cfg and the map files it references.
struct HaproxyConfig {
  std::string text;
  std::map<std::string, std::string> map_files;  // RuleMapName(...) -> MapFileText(...)
  friend bool operator==(const HaproxyConfig&, const HaproxyConfig&) = default;
};

// Generates the configuration that makes HAProxy serve `state` (every listener of it: leaving out
// listeners that cannot bind is the caller's decision). Errors: InvalidArgument naming the
// listener and rule when a value cannot be written in HAProxy's syntax (a control character, a
// header name with a quote, a bind address that is not an IP literal, a port outside 1..65535).
// Regular expressions are not checked here: HAProxy's configuration check reports a bad one.
Result<HaproxyConfig> GenerateHaproxyConfig(const ProxyState& state,
                                            const HaproxySettings& settings);

}  // namespace devflow::node
