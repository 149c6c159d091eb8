// The HTTPRoute a Rollout wants: pure functions from the route as read plus the TrafficTargets to
// the route to write. The router (gateway_api_router.h) reads, calls DesiredHttpRoute, and writes
// only when the result differs.
//
// Weighted rules. Every rule that is not a managed rule (below) and has a backendRef named
// canaryService and one named stableService is a weighted rule: each backendRef of the canary
// Service gets weight canary_weight, each of the stable Service StableWeight(targets) (Gateway API
// weights are proportional, so max_weight need not be 100). A route without a weighted rule is
// InvalidArgument naming the route. Experiment Services (TrafficTargets::additional) get their
// weight in each weighted rule; one missing from a rule is appended (a copy of the stable
// backendRef's group and kind, the Service's port from `additional_ports`, namespace set when
// the route lives outside the Rollout's namespace) when its port is known, and recorded; recorded
// ones no longer in `additional` are removed again. Other backendRefs and rules are left as they
// are.
//
// Managed rules (only in routes with useHeaderRoutes; elsewhere the targets' header and mirror
// routes are ignored and earlier managed rules removed). For each route name, in the order of
// targets.managed_routes (names not listed there follow in the targets' order), and for each
// weighted rule W, one rule is inserted before all other rules:
//   - header route (setHeaderRoute with a match): W's matches (or one empty match when W has
//     none), each with the header conditions appended; W's filters and timeouts;
//     backendRefs = [a copy of W's canary backendRef (port, namespace, ...) without weight].
//     Header values: exact -> Exact, regex -> RegularExpression, prefix -> RegularExpression
//     "^<prefix with regex metacharacters escaped>.*".
//   - mirror route (setMirrorRoute with a match): every W match combined with every mirror
//     match (the mirror match's path and method replace W's, its headers are appended); W's
//     filters plus a RequestMirror filter to the canary Service (W's canary backendRef's
//     group, kind, namespace and port) with `percent` set when percentage is set and not 100;
//     W's backendRefs with their weights and W's timeouts. Mirror paths: exact -> Exact, prefix
//     -> PathPrefix, regex -> RegularExpression; methods must be exact and a Gateway API method.
// Copying W's matches keeps a header or mirror rule inside the paths the route already sends to
// the Rollout: a header rule without W's path would capture every path of the route's hostnames.
// A setHeaderRoute or setMirrorRoute without match stands for "remove the route" and yields no
// rule. The one-machine data plane (node/traffic_translation.h) serves no rule with filters, so
// there a mirror rule is reported on the route and its requests take the weighted rule unmirrored.
// A route with more than 16 rules in all is InvalidArgument (the Gateway API's limit).
//
// Rule names. The first rule of route name N is named N, the k-th after it N-k (k = 1, 2, ...),
// as the Argo Rollouts plugin names them since 0.15, when that is a valid rule name
// (^[a-z0-9]([-a-z0-9]*[a-z0-9])?$, at most 253 characters); otherwise the rule has no name.
//
// How managed rules are recognised on the next reconcile (no ConfigMap). The route carries the
// annotation kManagedRoutesAnnotation, a JSON object {"<route name>": ["<fingerprint>", ...]}
// listing the rules devflow inserted, and kManagedBackendsAnnotation, a JSON array of the
// Experiment Services devflow appended. A fingerprint is 16 hex digits of FNV-1a-64 over the
// canonical JSON of the rule with its name removed and the Gateway API's defaults filled in
// (RuleFingerprint), so the API server's defaulting does not change it. A rule is managed when:
//   1. its name is N or N-<digits> for an N among the annotation's keys, targets.managed_routes
//      or the targets' header and mirror route names, or
//   2. its fingerprint is listed in the annotation, or
//   3. (routes with useHeaderRoutes only) it has no name, its only backendRef is the canary
//      Service and every one of its matches has a header condition: a rule inserted by Argo
//      Rollouts' plugin before it named its rules, so that a cluster moving to devflow in the
//      middle of a header-routing step does not keep that rule for ever.
// Crash safety: the record and the rules it describes are in the same object and change in the
// same Update, so no crash can separate them: the route holds either the old rules and the old
// record or the new rules and the new record. A record is dropped only together with its rule.
// Each of 1 and 2 alone suffices, so a rule stays removable when its record is lost (annotations
// stripped by a tool) or its name is (Gateway API CRDs older than the rule `name` field prune
// it). Only a rule whose name, content and record have all been changed by someone else stops
// being managed; it is then that someone's rule. A desired managed rule whose normalised form
// equals an existing managed rule's is kept exactly as stored (with or without its name), so the
// server's defaulting or pruning never makes the route differ on every reconcile. A malformed
// annotation counts as empty.
//
// The in-progress label (HttpRouteOptions) is set while canary_weight > 0 and removed at 0.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "api/networking.h"
#include "api/rollout_canary_step.h"
#include "common/result.h"
#include "traffic/traffic_router.h"

namespace devflow::traffic::gateway_api {

// {"<route name>": ["<fingerprint>", ...]}: the header and mirror rules devflow inserted.
inline constexpr std::string_view kManagedRoutesAnnotation = "rollouts.devflow.io/managed-routes";
// ["<service>", ...]: the Experiment Services devflow appended to weighted rules.
inline constexpr std::string_view kManagedBackendsAnnotation =
    "rollouts.devflow.io/managed-backends";

// What the configuration says about one HTTPRoute.
struct HttpRouteOptions {
  bool use_header_routes = false;  // httpRoutes[].useHeaderRoutes
  // The in-progress label; an empty key writes no label.
  std::string in_progress_label_key;
  std::string in_progress_label_value;
  friend bool operator==(const HttpRouteOptions&, const HttpRouteOptions&) = default;
};

// The Service port of each Experiment Service the router could read, by Service name.
using ServicePorts = std::map<std::string, int32_t>;

// The route `current` should become for `targets` (rules above): spec.rules and the two
// annotations and the label change; every other field is kept. Errors: InvalidArgument, with
// field path spec.rules and a message naming the route, when no rule is a weighted rule or the
// result would exceed 16 rules; InvalidArgument naming the route name and match when a header or
// mirror match cannot be expressed in Gateway API (HeaderMatches, MirrorMatches).
// REQUIRES: targets.canary_service and targets.stable_service are non-empty.
Result<api::HTTPRoute> DesiredHttpRoute(const api::HTTPRoute& current,
                                        const TrafficTargets& targets,
                                        const HttpRouteOptions& options,
                                        const ServicePorts& additional_ports);

// The header conditions of `route`'s matches, in order. InvalidArgument (naming the route and
// match index) when a headerName is empty or a headerValue sets none of exact, prefix and regex.
// Exact wins over prefix, prefix over regex, when several are set (the plugin's order).
Result<std::vector<api::HTTPHeaderMatch>> HeaderMatches(const api::SetHeaderRoute& route);

// The conditions of `route`'s matches, one HTTPRouteMatch each (path, method, headers sorted by
// name). InvalidArgument (naming the route and match index) for a method given as prefix or
// regex or not a Gateway API method, or a string match that sets none of its members.
Result<std::vector<api::HTTPRouteMatch>> MirrorMatches(const api::SetMirrorRoute& route);

// "^" + `prefix` with each of \.+*?()|[]{}^$ escaped by a backslash + ".*".
std::string PrefixRegex(std::string_view prefix);

// The rule with its name removed and the Gateway API defaults written out: no matches -> one
// match of PathPrefix "/"; path type PathPrefix and value "/"; header and query param type
// Exact; backendRef group "", kind Service, weight 1; mirror backendRef group "", kind Service.
api::HTTPRouteRule NormalizedRule(const api::HTTPRouteRule& rule);

// 16 lowercase hex digits: FNV-1a-64 of NormalizedRule(rule) as JSON with object keys sorted.
std::string RuleFingerprint(const api::HTTPRouteRule& rule);

// Whether `name` is N or N-<one or more digits> for some N in `route_names`.
bool IsManagedRuleName(std::string_view name, const std::vector<std::string>& route_names);

// The annotation's record; empty when absent or malformed.
std::map<std::string, std::vector<std::string>> ParseManagedRoutes(
    const std::map<std::string, std::string>& annotations);

}  // namespace devflow::traffic::gateway_api
