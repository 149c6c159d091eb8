// Traffic translation: Services, pods, Gateways and HTTPRoutes in, the ProxyState the one-machine
// data plane must serve out (proxy_state.h), together with the status each object should show.
// Pure functions: no clock, no I/O; the traffic controller (traffic_controller.h) feeds them the
// informers' objects and writes what they decide.
//
// Services. A Service of type ClusterIP (the default), NodePort or LoadBalancer whose clusterIP
// is an address (not "", not "None") gets a listener per TCP spec.ports[] entry at
// clusterIP:port, named "service/<ns>/<name>:<port>". The embedded API server allocates
// clusterIPs from 127.1.0.0/16, all local on Linux, so every Service has its own port space.
// Type LoadBalancer also listens at <bind_address>:port ("...:<port>/loadbalancer") and
// publishes status.loadBalancer.ingress [{ip: bind_address}]; a NodePort or LoadBalancer port
// with nodePort set also listens at <bind_address>:nodePort ("...:<port>/nodeport"). Headless
// and ExternalName Services have no listener. Each listener has one rule: every request to the
// backend "<ns>/<name>:<port>". UDP and SCTP ports are reported, not served.
//
// Endpoints of a Service port: the pods of the Service's namespace matching a non-empty
// spec.selector, not Succeeded or Failed, with condition Ready=True (any pod when
// publishNotReadyAddresses), whose host ports are recorded (host_ports.h) and include the
// targeted container port: targetPort by number, by name (the containerPort of that name in
// the pod's containers), or unset (= port). A terminating pod stays, with serving = false
// (drained). Address: status.podIP, else 127.0.0.1; revision: the rollouts-pod-template-hash
// label, else pod-template-hash.
//
// Gateways (gatewayClassName is ignored: every Gateway is ours). Listeners of protocol HTTP
// are served at <bind_address>:port; the HTTP listeners of one Gateway that share a port are one
// ProxyListener named "gateway/<ns>/<name>/<first listener's name>" (they differ by hostname;
// a later listener repeating a hostname is Conflicted/HostnameConflict and not served). Other
// protocols: Accepted=False/UnsupportedProtocol. allowedRoutes.namespaces.from Same (default)
// and All are honoured; Selector and None admit no route (Selector is reported unsupported).
//
// HTTPRoutes attach by parentRefs (group gateway.networking.k8s.io and kind Gateway, the
// defaults; other parents are not ours and get no status), matching the listener by
// sectionName and port when given. Hostnames are intersected as the Gateway API defines
// (`*.example.com` covers one or more labels). Each (intersected hostname, rule, match) becomes
// a RouteRule, ordered by the Gateway API's precedence:
//   1. hostname: precise, then wildcards with more characters, then any hostname;
//   2. path: Exact, then RegularExpression (implementation-specific: longer pattern first), then
//      PathPrefix with more characters (no path = PathPrefix "/");
//   3. a method match; 4. more header matches;
//   5. the older route (creationTimestamp), then "<namespace>/<name>"; 6. rule order, match order.
// Adjacent rules that differ only in hostnames or only in matches are merged (same effect under
// first-match). Unlike Envoy-style virtual hosts, a request that matches no rule of the most
// specific hostname falls through to less specific hostnames' rules.
//
// Not supported, reported on the route instead of half-honoured: a match with queryParams (that
// match is dropped), a rule with filters (route- or backend-level; the rule is dropped), path
// and header match types other than those above. A route that loses only some rules or matches
// shows PartiallyInvalid=True/UnsupportedValue; one that loses all is Accepted=False. Rule
// timeouts, retry and sessionPersistence are ignored.
//
// backendRefs: kind Service of the core group only (others: ResolvedRefs=False/InvalidKind,
// left out), port required, weight default 1. A ref to a missing Service or port is kept with
// weight 0 and an empty backend, and ResolvedRefs=False/BackendNotFound. Its share goes to the
// rule's other backends; a rule with no positive weight answers 503 (the Gateway API says 500
// for traffic meant for an invalid backend). Cross-namespace refs are allowed: the embedded API
// server serves no ReferenceGrant. Weights summing past 1,000,000 are scaled down.
//
// Port conflicts: two listeners (of any objects) wanting the same bind address and port: the
// older object (creationTimestamp, then "<namespace>/<name>", then Gateway before Service) gets
// it; the other's listener is left out and reported (PortConflict). Listeners the proxy manager
// reports it cannot serve (port taken by another program) are folded in by ApplyListenerProblems.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/core_kinds.h"
#include "api/networking.h"
#include "api/pod.h"
#include "api/time.h"
#include "node/proxy_state.h"

namespace devflow::node {

// status.parents[].controllerName of the routes this controller programs.
inline constexpr std::string_view kGatewayControllerName = "devflow.io/gateway-controller";
// The Service condition type that says whether its listeners are served.
inline constexpr std::string_view kServiceProgrammedCondition = "Programmed";

// Everything the translation reads, in any order.
struct TrafficObjects {
  std::vector<api::Service> services;
  std::vector<api::Pod> pods;
  std::vector<api::Gateway> gateways;
  std::vector<api::HTTPRoute> routes;
};

struct TranslateOptions {
  // Where LoadBalancer ports, nodePorts and Gateway listeners listen.
  std::string bind_address = "127.0.0.1";
};

// A listener an object asked for that is not served.
struct ListenerIssue {
  std::string listener;  // the ProxyListener name it would have had
  std::string reason;    // PortConflict, PortInUse or UnsupportedProtocol
  std::string message;   // names the address, port and who holds it
  friend bool operator==(const ListenerIssue&, const ListenerIssue&) = default;
};

struct ServiceReport {
  std::string namespace_;
  std::string name;
  std::vector<std::string> listeners;  // ProxyListener names the Service asked for, served or not
  std::vector<ListenerIssue> problems;
  std::string load_balancer_ip;  // type LoadBalancer: the ingress IP to publish; else ""
  friend bool operator==(const ServiceReport&, const ServiceReport&) = default;
};

// Conditions in reports carry type, status, reason and message only; the status functions
// below add observedGeneration and lastTransitionTime.
struct GatewayListenerReport {
  std::string name;
  std::string proxy_listener;  // the ProxyListener that serves it; "" when none could
  int32_t attached_routes = 0;
  bool supports_http_routes = false;           // supportedKinds: [HTTPRoute] or []
  std::vector<api::MetaCondition> conditions;  // Accepted, Programmed, ResolvedRefs, Conflicted
  friend bool operator==(const GatewayListenerReport&, const GatewayListenerReport&) = default;
};

struct GatewayReport {
  std::string namespace_;
  std::string name;
  std::string address;                           // the bind address, published in status.addresses
  std::vector<GatewayListenerReport> listeners;  // in spec order
  friend bool operator==(const GatewayReport&, const GatewayReport&) = default;
};

struct RouteParentReport {
  api::ParentReference parent_ref;             // as written in spec.parentRefs
  std::vector<api::MetaCondition> conditions;  // Accepted, ResolvedRefs[, PartiallyInvalid]
  friend bool operator==(const RouteParentReport&, const RouteParentReport&) = default;
};

struct RouteReport {
  std::string namespace_;
  std::string name;
  std::vector<RouteParentReport> parents;  // one per Gateway parentRef, in spec order
  friend bool operator==(const RouteReport&, const RouteReport&) = default;
};

struct Translation {
  ProxyState state;
  // One report per object of the input, each list sorted by "<namespace>/<name>".
  std::vector<ServiceReport> services;
  std::vector<GatewayReport> gateways;
  std::vector<RouteReport> routes;
  friend bool operator==(const Translation&, const Translation&) = default;
};

// The desired data plane and the reports. Total: any input gives a state whose listeners have
// unique names and (bind address, port) pairs and whose rules name only backends of the state.
Translation Translate(const TrafficObjects& objects, const TranslateOptions& options);

// Folds the proxy manager's problems into the reports: the owning Service gets a PortInUse
// issue; a Gateway listener served by that ProxyListener gets Accepted=False/PortUnavailable
// and Programmed=False. Problems naming no listener of the translation are ignored.
void ApplyListenerProblems(const std::vector<ListenerProblem>& problems, Translation& translation);

// The status each object should have, from its current one and its report. Members and
// conditions this controller does not own are kept; a condition keeps its lastTransitionTime
// while its status is unchanged, else gets `now`; observedGeneration is metadata.generation.
// Equal to the current status when nothing changed, so the caller writes only on !=.
//
// Service: status.loadBalancer.ingress for type LoadBalancer (cleared otherwise), and the
// condition "Programmed" (True, or False with the first problem's reason and every message)
// while the Service asks for listeners.
api::ServiceStatus ServiceStatusFor(const api::Service& service, const ServiceReport& report,
                                    api::Time now);
// Gateway: addresses [{IPAddress, bind address}], conditions Accepted (True/Accepted; True or,
// when no listener is valid, False with ListenersNotValid) and Programmed (True when some listener
// is served), and listeners[] {name, supportedKinds, attachedRoutes, conditions}.
api::GatewayStatus GatewayStatusFor(const api::Gateway& gateway, const GatewayReport& report,
                                    api::Time now);
// HTTPRoute: parents[] entries of other controllers kept, ours replaced by the report's.
api::HTTPRouteStatus RouteStatusFor(const api::HTTPRoute& route, const RouteReport& report,
                                    api::Time now);

// ---- The rules above, exposed for their table tests ----

// The endpoints of `port` of `service` among `pods` (any namespace), sorted by name.
std::vector<ProxyEndpoint> ServiceEndpoints(const api::Service& service,
                                            const api::ServicePort& port,
                                            const std::vector<api::Pod>& pods);

// The hostnames a route serves on a listener: nullopt when they do not intersect; an empty list
// for "any hostname" (neither side sets one).
std::optional<std::vector<std::string>> IntersectHostnames(
    const std::optional<std::string>& listener_hostname,
    const std::vector<std::string>& route_hostnames);

}  // namespace devflow::node
