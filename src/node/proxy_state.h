// ProxyState: what the one-machine data plane must do, as plain values. The traffic translator
// (traffic_translation.h) computes it from Services, ready pods, Gateways and HTTPRoutes; the
// proxy manager (proxy_manager.h) makes HAProxy do it, through the runtime API wherever it can.
//
// The model is deliberately HAProxy-agnostic and small:
//   Listener  a TCP port HAProxy binds (a Service port, or a Gateway listener), with ordered
//             routing rules: the first rule whose hostnames and matches accept a request wins.
//   Backend   the endpoints of one Service port. Each revision's pods are separate servers, so
//             traffic per revision (pod-template-hash) stays measurable.
//   Rule      splits matching requests across backends by weight (HTTPRoute backendRefs).
//
// Names are stable identifiers chosen by the translator; the proxy manager turns them into
// HAProxy-safe names. Equality is by value, so "did anything change" is `==`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace devflow::node {

// One pod serving a Service port: a server of a backend.
struct ProxyEndpoint {
  std::string name;      // the pod's name: unique within its backend
  std::string address;   // host address the pod's process listens on, e.g. "127.0.0.1"
  int port = 0;          // the host port assigned to the targeted container port
  std::string revision;  // the pod's pod-template-hash label, or "" when it has none
  // False while the pod is terminating: existing connections finish, no new requests go to it
  // (HAProxy "drain"). Pods that are not ready are not endpoints at all.
  bool serving = true;
  friend bool operator==(const ProxyEndpoint&, const ProxyEndpoint&) = default;
};

// The endpoints of one Service port.
struct ProxyBackend {
  std::string name;  // "<namespace>/<service>:<port>", e.g. "production/web-active:80"
  std::vector<ProxyEndpoint> endpoints;  // sorted by name
  friend bool operator==(const ProxyBackend&, const ProxyBackend&) = default;
};

struct WeightedBackend {
  std::string backend;  // a ProxyBackend name
  // Relative weight (HTTPRoute semantics: share = weight / sum of the rule's weights); 0 sends
  // nothing. Weights of one rule sum to at most 1,000,000.
  int32_t weight = 1;
  friend bool operator==(const WeightedBackend&, const WeightedBackend&) = default;
};

struct HeaderCondition {
  std::string name;  // compared case-insensitively
  std::string value;
  bool regex = false;  // false: exact match
  friend bool operator==(const HeaderCondition&, const HeaderCondition&) = default;
};

struct PathCondition {
  enum class Type { kPrefix, kExact, kRegex };
  Type type = Type::kPrefix;
  std::string value = "/";
  friend bool operator==(const PathCondition&, const PathCondition&) = default;
};

// Every condition must hold (an empty match accepts every request).
struct RouteMatch {
  std::optional<PathCondition> path;
  std::vector<HeaderCondition> headers;
  std::optional<std::string> method;
  friend bool operator==(const RouteMatch&, const RouteMatch&) = default;
};

struct RouteRule {
  // Host header values accepted (exact, or "*.example.com" wildcards); empty accepts any.
  std::vector<std::string> hostnames;
  // Any one match suffices; empty accepts every request.
  std::vector<RouteMatch> matches;
  // Empty, or all weights 0: the request is answered 503 (Gateway API: no backend).
  std::vector<WeightedBackend> backends;
  std::string origin;  // for messages: "HTTPRoute production/web rules[1]" or "Service .../web"
  friend bool operator==(const RouteRule&, const RouteRule&) = default;
};

// A port HAProxy listens on.
struct ProxyListener {
  std::string name;          // "service/<ns>/<name>:<port>" or "gateway/<ns>/<name>/<listener>"
  std::string bind_address;  // e.g. "127.0.0.1"
  int port = 0;
  // Ordered by precedence: the first rule that accepts a request routes it. None: 404.
  std::vector<RouteRule> rules;
  friend bool operator==(const ProxyListener&, const ProxyListener&) = default;
};

struct ProxyState {
  std::vector<ProxyListener> listeners;  // sorted by name; (bind_address, port) unique
  std::vector<ProxyBackend> backends;    // sorted by name
  friend bool operator==(const ProxyState&, const ProxyState&) = default;
};

// Why a listener of the desired state is not being served (its port is taken by another
// program, say). The proxy manager reports these; the caller writes them into the owning
// object's status and events.
struct ListenerProblem {
  std::string listener;  // ProxyListener::name
  std::string message;   // e.g. "127.0.0.1:8080 is already in use by another program"
  friend bool operator==(const ListenerProblem&, const ListenerProblem&) = default;
};

}  // namespace devflow::node
