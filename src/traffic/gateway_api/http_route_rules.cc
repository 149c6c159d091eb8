#include "traffic/gateway_api/http_route_rules.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <set>
#include <utility>

#include "api/decode.h"
#include "api/networking_codec.h"
#include "common/json_reader.h"
#include "common/status.h"

namespace devflow::traffic::gateway_api {
namespace {

constexpr size_t kMaxRules = 16;  // HTTPRoute spec.rules: at most 16

std::string Quote(std::string_view s) {
  std::string out;
  json::AppendQuoted(s, out);
  return out;
}

std::string RouteName(const api::HTTPRoute& route) {
  return "HTTPRoute " + route.metadata.namespace_ + "/" + route.metadata.name;
}

// Gateway API SectionName: ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$, at most 253 characters.
bool IsSectionName(std::string_view s) {
  if (s.empty() || s.size() > 253 || s.front() == '-' || s.back() == '-') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

// `value` with every object's members sorted by key, so equal documents write equal text.
json::Value Canonical(const json::Value& value) {
  if (value.is_array()) {
    json::Array out;
    for (const json::Value& item : value.as_array()) out.push_back(Canonical(item));
    return out;
  }
  if (!value.is_object()) return value;
  std::vector<const json::Member*> members;
  for (const json::Member& member : value.as_object()) members.push_back(&member);
  std::sort(members.begin(), members.end(),
            [](const json::Member* a, const json::Member* b) { return a->key < b->key; });
  json::Object out;
  for (const json::Member* member : members) out.Set(member->key, Canonical(member->value));
  return out;
}

uint64_t Fnv1a64(std::string_view text) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

bool HasBackend(const api::HTTPRouteRule& rule, std::string_view service) {
  return std::any_of(rule.backend_refs.begin(), rule.backend_refs.end(),
                     [&](const api::HTTPBackendRef& ref) { return ref.name == service; });
}

const api::HTTPBackendRef* FindBackend(const api::HTTPRouteRule& rule, std::string_view service) {
  for (const api::HTTPBackendRef& ref : rule.backend_refs) {
    if (ref.name == service) return &ref;
  }
  return nullptr;
}

bool IsWeighted(const api::HTTPRouteRule& rule, const TrafficTargets& targets) {
  return HasBackend(rule, targets.canary_service) && HasBackend(rule, targets.stable_service);
}

// Rule 3 of the header: a header rule the Argo Rollouts plugin inserted before naming its rules.
bool IsLegacyHeaderRule(const api::HTTPRouteRule& rule, std::string_view canary_service) {
  if (rule.name.has_value() || rule.backend_refs.size() != 1 ||
      rule.backend_refs[0].name != canary_service || rule.matches.empty()) {
    return false;
  }
  return std::all_of(rule.matches.begin(), rule.matches.end(),
                     [](const api::HTTPRouteMatch& match) { return !match.headers.empty(); });
}

// The route names rule 1 of the header recognises.
std::vector<std::string> KnownRouteNames(
    const std::map<std::string, std::vector<std::string>>& record, const TrafficTargets& targets) {
  std::vector<std::string> names;
  for (const auto& [name, fingerprints] : record) names.push_back(name);
  names.insert(names.end(), targets.managed_routes.begin(), targets.managed_routes.end());
  for (const api::SetHeaderRoute& route : targets.header_routes) names.push_back(route.name);
  for (const api::SetMirrorRoute& route : targets.mirror_routes) names.push_back(route.name);
  return names;
}

// Route names in precedence order: managedRoutes first, then any other name in the targets.
std::vector<std::string> OrderedRouteNames(const TrafficTargets& targets) {
  std::vector<std::string> order;
  auto add = [&order](const std::string& name) {
    if (std::find(order.begin(), order.end(), name) == order.end()) order.push_back(name);
  };
  for (const std::string& name : targets.managed_routes) add(name);
  for (const api::SetHeaderRoute& route : targets.header_routes) add(route.name);
  for (const api::SetMirrorRoute& route : targets.mirror_routes) add(route.name);
  return order;
}

Result<api::HTTPHeaderMatch> HeaderCondition(const std::string& name,
                                             const api::RolloutStringMatch& value,
                                             const std::string& where) {
  if (name.empty()) {
    return InvalidArgumentError(where + ": headerName is required");
  }
  if (!value.exact.empty()) {
    return api::HTTPHeaderMatch{.type = "Exact", .name = name, .value = value.exact};
  }
  if (!value.prefix.empty()) {
    return api::HTTPHeaderMatch{
        .type = "RegularExpression", .name = name, .value = PrefixRegex(value.prefix)};
  }
  if (!value.regex.empty()) {
    return api::HTTPHeaderMatch{.type = "RegularExpression", .name = name, .value = value.regex};
  }
  return InvalidArgumentError(where + ": header " + Quote(name) +
                              " needs one of exact, prefix and regex");
}

// `base` narrowed by `extra`: extra's path and method replace base's, headers are appended.
api::HTTPRouteMatch Combine(const api::HTTPRouteMatch& base, const api::HTTPRouteMatch& extra) {
  api::HTTPRouteMatch out = base;
  if (extra.path.has_value()) out.path = extra.path;
  if (extra.method.has_value()) out.method = extra.method;
  out.headers.insert(out.headers.end(), extra.headers.begin(), extra.headers.end());
  return out;
}

// W's matches, or the one match-everything match a rule without matches has.
std::vector<api::HTTPRouteMatch> BaseMatches(const api::HTTPRouteRule& weighted) {
  if (weighted.matches.empty()) return {api::HTTPRouteMatch{}};
  return weighted.matches;
}

// A copy of W's canary backendRef (kind, namespace, port, filters) without weight.
api::HTTPBackendRef CanaryRef(const api::HTTPRouteRule& weighted, const TrafficTargets& targets) {
  api::HTTPBackendRef ref = *FindBackend(weighted, targets.canary_service);
  ref.weight.reset();
  return ref;
}

api::HTTPRouteRule HeaderRule(const api::HTTPRouteRule& weighted,
                              const std::vector<api::HTTPHeaderMatch>& headers,
                              const TrafficTargets& targets) {
  api::HTTPRouteRule rule;
  api::HTTPRouteMatch extra;
  extra.headers = headers;
  for (const api::HTTPRouteMatch& base : BaseMatches(weighted)) {
    rule.matches.push_back(Combine(base, extra));
  }
  rule.filters = weighted.filters;
  rule.backend_refs = {CanaryRef(weighted, targets)};
  rule.timeouts = weighted.timeouts;
  return rule;
}

api::HTTPRouteRule MirrorRule(const api::HTTPRouteRule& weighted,
                              const std::vector<api::HTTPRouteMatch>& matches,
                              std::optional<int32_t> percentage, const TrafficTargets& targets) {
  api::HTTPRouteRule rule;
  for (const api::HTTPRouteMatch& base : BaseMatches(weighted)) {
    for (const api::HTTPRouteMatch& extra : matches) rule.matches.push_back(Combine(base, extra));
  }
  rule.filters = weighted.filters;
  api::HTTPBackendRef canary = CanaryRef(weighted, targets);
  api::HTTPRequestMirrorFilter mirror;
  mirror.backend_ref = api::BackendObjectReference{.group = canary.group,
                                                   .kind = canary.kind,
                                                   .name = canary.name,
                                                   .namespace_ = canary.namespace_,
                                                   .port = canary.port};
  if (percentage.has_value() && *percentage != 100) mirror.percent = percentage;
  rule.filters.push_back(api::HTTPRouteFilter{.type = "RequestMirror", .request_mirror = mirror});
  rule.backend_refs = weighted.backend_refs;
  rule.timeouts = weighted.timeouts;
  return rule;
}

// Weights of canary, stable and Experiment backendRefs in one weighted rule. `recorded` are the
// Experiment Services appended earlier; `appended` collects those this rule holds as ours.
void SetWeights(api::HTTPRouteRule& rule, const TrafficTargets& targets,
                const ServicePorts& additional_ports, const std::string& route_namespace,
                const std::set<std::string>& recorded, std::set<std::string>& appended) {
  std::set<std::string> wanted;
  for (const WeightDestination& destination : targets.additional) {
    wanted.insert(destination.service_name);
  }
  std::erase_if(rule.backend_refs, [&](const api::HTTPBackendRef& ref) {
    return recorded.contains(ref.name) && !wanted.contains(ref.name);
  });
  const int32_t stable_weight = StableWeight(targets);
  for (api::HTTPBackendRef& ref : rule.backend_refs) {
    if (ref.name == targets.canary_service) ref.weight = targets.canary_weight;
    if (ref.name == targets.stable_service) ref.weight = stable_weight;
  }
  const api::HTTPBackendRef stable = *FindBackend(rule, targets.stable_service);
  for (const WeightDestination& destination : targets.additional) {
    bool found = false;
    for (api::HTTPBackendRef& ref : rule.backend_refs) {
      if (ref.name != destination.service_name) continue;
      ref.weight = destination.weight;
      found = true;
    }
    if (found) {
      if (recorded.contains(destination.service_name)) appended.insert(destination.service_name);
      continue;
    }
    auto port = additional_ports.find(destination.service_name);
    if (port == additional_ports.end()) continue;
    api::HTTPBackendRef ref{.group = stable.group,
                            .kind = stable.kind,
                            .name = destination.service_name,
                            .port = port->second,
                            .weight = destination.weight};
    if (route_namespace != targets.namespace_) ref.namespace_ = targets.namespace_;
    rule.backend_refs.push_back(std::move(ref));
    appended.insert(destination.service_name);
  }
}

std::set<std::string> ParseManagedBackends(const std::map<std::string, std::string>& annotations) {
  std::set<std::string> out;
  auto it = annotations.find(std::string(kManagedBackendsAnnotation));
  if (it == annotations.end()) return out;
  Result<json::Value> parsed = json::Parse(it->second);
  if (!parsed.ok() || !parsed->is_array()) return out;
  for (const json::Value& item : parsed->as_array()) {
    if (!item.is_string()) return {};
    out.insert(item.as_string());
  }
  return out;
}

// Sets or erases annotation `key`: erased when `value` is nullopt.
void SetAnnotation(api::ObjectMeta& meta, std::string_view key, std::optional<std::string> value) {
  if (value.has_value()) {
    meta.annotations[std::string(key)] = std::move(*value);
  } else {
    meta.annotations.erase(std::string(key));
  }
}

struct NamedRule {
  std::string route_name;
  api::HTTPRouteRule rule;
};

// The managed rules `targets` ask for, in precedence order, named (header, "Rule names").
Result<std::vector<NamedRule>> DesiredManagedRules(
    const std::vector<const api::HTTPRouteRule*>& weighted, const TrafficTargets& targets) {
  std::vector<NamedRule> out;
  for (const std::string& name : OrderedRouteNames(targets)) {
    std::vector<api::HTTPRouteRule> rules;
    for (const api::SetHeaderRoute& route : targets.header_routes) {
      if (route.name != name || route.match.empty()) continue;
      DEVFLOW_ASSIGN_OR_RETURN(std::vector<api::HTTPHeaderMatch> headers, HeaderMatches(route));
      for (const api::HTTPRouteRule* w : weighted) {
        rules.push_back(HeaderRule(*w, headers, targets));
      }
    }
    for (const api::SetMirrorRoute& route : targets.mirror_routes) {
      if (route.name != name || route.match.empty()) continue;
      DEVFLOW_ASSIGN_OR_RETURN(std::vector<api::HTTPRouteMatch> matches, MirrorMatches(route));
      for (const api::HTTPRouteRule* w : weighted) {
        rules.push_back(MirrorRule(*w, matches, route.percentage, targets));
      }
    }
    for (size_t k = 0; k < rules.size(); ++k) {
      std::string rule_name = k == 0 ? name : name + "-" + std::to_string(k);
      if (IsSectionName(rule_name)) rules[k].name = rule_name;
      out.push_back(NamedRule{name, std::move(rules[k])});
    }
  }
  return out;
}

// Keeps a stored managed rule in place of an equal desired one (header, last paragraph but one).
void ReuseStored(std::vector<NamedRule>& desired, const std::vector<api::HTTPRouteRule>& stored) {
  std::vector<bool> used(stored.size(), false);
  for (NamedRule& want : desired) {
    api::HTTPRouteRule normalized = NormalizedRule(want.rule);
    for (size_t j = 0; j < stored.size(); ++j) {
      if (used[j] || NormalizedRule(stored[j]) != normalized) continue;
      used[j] = true;
      std::optional<std::string> name = want.rule.name;
      want.rule = stored[j];
      // A stored name means the server keeps names: use the desired one, which is unique.
      if (want.rule.name.has_value()) want.rule.name = name;
      break;
    }
  }
}

std::string WriteRecord(const std::vector<NamedRule>& rules) {
  std::map<std::string, std::vector<std::string>> record;
  for (const NamedRule& named : rules) {
    record[named.route_name].push_back(RuleFingerprint(named.rule));
  }
  json::Object out;
  for (const auto& [name, fingerprints] : record) {
    json::Array list;
    for (const std::string& fingerprint : fingerprints) list.push_back(fingerprint);
    out.Set(name, std::move(list));
  }
  return json::Write(out);
}

}  // namespace

std::string PrefixRegex(std::string_view prefix) {
  std::string out = "^";
  for (char c : prefix) {
    if (std::string_view("\\.+*?()|[]{}^$").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  out += ".*";
  return out;
}

Result<std::vector<api::HTTPHeaderMatch>> HeaderMatches(const api::SetHeaderRoute& route) {
  std::vector<api::HTTPHeaderMatch> out;
  for (size_t i = 0; i < route.match.size(); ++i) {
    const api::HeaderRoutingMatch& match = route.match[i];
    std::string where = "setHeaderRoute " + Quote(route.name) + " match[" + std::to_string(i) + "]";
    DEVFLOW_ASSIGN_OR_RETURN(
        api::HTTPHeaderMatch header,
        HeaderCondition(match.header_name, match.header_value.value_or(api::RolloutStringMatch{}),
                        where));
    out.push_back(std::move(header));
  }
  return out;
}

Result<std::vector<api::HTTPRouteMatch>> MirrorMatches(const api::SetMirrorRoute& route) {
  static constexpr std::string_view kMethods[] = {"GET",     "HEAD",    "POST",  "PUT",  "DELETE",
                                                  "CONNECT", "OPTIONS", "TRACE", "PATCH"};
  std::vector<api::HTTPRouteMatch> out;
  for (size_t i = 0; i < route.match.size(); ++i) {
    const api::MirrorRouteMatch& match = route.match[i];
    std::string where = "setMirrorRoute " + Quote(route.name) + " match[" + std::to_string(i) + "]";
    api::HTTPRouteMatch converted;
    if (match.method.has_value()) {
      const api::RolloutStringMatch& method = *match.method;
      if (method.exact.empty()) {
        return InvalidArgumentError(where +
                                    ".method: Gateway API matches methods exactly; use "
                                    "exact with GET, POST, ...");
      }
      if (std::find(std::begin(kMethods), std::end(kMethods), method.exact) == std::end(kMethods)) {
        return InvalidArgumentError(where + ".method: " + Quote(method.exact) +
                                    " is not a Gateway API method (GET, HEAD, POST, PUT, DELETE, "
                                    "CONNECT, OPTIONS, TRACE, PATCH)");
      }
      converted.method = method.exact;
    }
    if (match.path.has_value()) {
      const api::RolloutStringMatch& path = *match.path;
      if (!path.exact.empty()) {
        converted.path = api::HTTPPathMatch{.type = "Exact", .value = path.exact};
      } else if (!path.prefix.empty()) {
        converted.path = api::HTTPPathMatch{.type = "PathPrefix", .value = path.prefix};
      } else if (!path.regex.empty()) {
        converted.path = api::HTTPPathMatch{.type = "RegularExpression", .value = path.regex};
      } else {
        return InvalidArgumentError(where + ".path: needs one of exact, prefix and regex");
      }
    }
    for (const auto& [name, value] : match.headers) {
      DEVFLOW_ASSIGN_OR_RETURN(api::HTTPHeaderMatch header,
                               HeaderCondition(name, value, where + ".headers"));
      converted.headers.push_back(std::move(header));
    }
    out.push_back(std::move(converted));
  }
  return out;
}

api::HTTPRouteRule NormalizedRule(const api::HTTPRouteRule& rule) {
  api::HTTPRouteRule out = rule;
  out.name.reset();
  if (out.matches.empty()) out.matches.emplace_back();
  for (api::HTTPRouteMatch& match : out.matches) {
    if (!match.path.has_value()) match.path.emplace();
    if (!match.path->type.has_value()) match.path->type = "PathPrefix";
    if (!match.path->value.has_value()) match.path->value = "/";
    for (api::HTTPHeaderMatch& header : match.headers) {
      if (!header.type.has_value()) header.type = "Exact";
    }
    for (api::HTTPQueryParamMatch& param : match.query_params) {
      if (!param.type.has_value()) param.type = "Exact";
    }
  }
  for (api::HTTPRouteFilter& filter : out.filters) {
    if (!filter.request_mirror.has_value()) continue;
    api::BackendObjectReference& ref = filter.request_mirror->backend_ref;
    if (!ref.group.has_value()) ref.group = "";
    if (!ref.kind.has_value()) ref.kind = "Service";
  }
  for (api::HTTPBackendRef& ref : out.backend_refs) {
    if (!ref.group.has_value()) ref.group = "";
    if (!ref.kind.has_value()) ref.kind = "Service";
    if (!ref.weight.has_value()) ref.weight = 1;
  }
  return out;
}

std::string RuleFingerprint(const api::HTTPRouteRule& rule) {
  api::HTTPRoute holder;
  holder.spec.rules.push_back(NormalizedRule(rule));
  json::Value encoded = api::Encode(holder);
  const json::Value& rule_json = encoded["spec"]["rules"].as_array()[0];
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx",
                static_cast<unsigned long long>(Fnv1a64(json::Write(Canonical(rule_json)))));
  return hex;
}

bool IsManagedRuleName(std::string_view name, const std::vector<std::string>& route_names) {
  for (const std::string& base : route_names) {
    if (base.empty() || !name.starts_with(base)) continue;
    std::string_view rest = name.substr(base.size());
    if (rest.empty()) return true;
    if (rest.size() >= 2 && rest[0] == '-' &&
        std::all_of(rest.begin() + 1, rest.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return true;
    }
  }
  return false;
}

std::map<std::string, std::vector<std::string>> ParseManagedRoutes(
    const std::map<std::string, std::string>& annotations) {
  std::map<std::string, std::vector<std::string>> out;
  auto it = annotations.find(std::string(kManagedRoutesAnnotation));
  if (it == annotations.end()) return out;
  Result<json::Value> parsed = json::Parse(it->second);
  if (!parsed.ok() || !parsed->is_object()) return {};
  for (const json::Member& member : parsed->as_object()) {
    if (!member.value.is_array()) return {};
    std::vector<std::string>& fingerprints = out[member.key];
    for (const json::Value& item : member.value.as_array()) {
      if (!item.is_string()) return {};
      fingerprints.push_back(item.as_string());
    }
  }
  return out;
}

Result<api::HTTPRoute> DesiredHttpRoute(const api::HTTPRoute& current,
                                        const TrafficTargets& targets,
                                        const HttpRouteOptions& options,
                                        const ServicePorts& additional_ports) {
  const std::map<std::string, std::vector<std::string>> record =
      ParseManagedRoutes(current.metadata.annotations);
  std::set<std::string> recorded_fingerprints;
  for (const auto& [name, fingerprints] : record) {
    recorded_fingerprints.insert(fingerprints.begin(), fingerprints.end());
  }
  const std::vector<std::string> known_names = KnownRouteNames(record, targets);

  // Split the stored rules into managed ones and the user's.
  std::vector<api::HTTPRouteRule> stored_managed;
  std::vector<api::HTTPRouteRule> rules;
  for (const api::HTTPRouteRule& rule : current.spec.rules) {
    bool managed = (rule.name.has_value() && IsManagedRuleName(*rule.name, known_names)) ||
                   recorded_fingerprints.contains(RuleFingerprint(rule)) ||
                   (options.use_header_routes && IsLegacyHeaderRule(rule, targets.canary_service));
    (managed ? stored_managed : rules).push_back(rule);
  }

  // Weights.
  const std::set<std::string> recorded_backends =
      ParseManagedBackends(current.metadata.annotations);
  std::set<std::string> appended;
  std::vector<const api::HTTPRouteRule*> weighted;
  for (api::HTTPRouteRule& rule : rules) {
    if (!IsWeighted(rule, targets)) continue;
    SetWeights(rule, targets, additional_ports, current.metadata.namespace_, recorded_backends,
               appended);
    weighted.push_back(&rule);
  }
  if (weighted.empty()) {
    return InvalidArgumentError(RouteName(current) +
                                    ": no rule has backendRefs to both the canary "
                                    "Service " +
                                    Quote(targets.canary_service) + " and the stable Service " +
                                    Quote(targets.stable_service) +
                                    "; add both to the rule that carries the application's traffic",
                                "spec.rules");
  }

  // Managed rules.
  std::vector<NamedRule> managed;
  if (options.use_header_routes) {
    DEVFLOW_ASSIGN_OR_RETURN(managed, DesiredManagedRules(weighted, targets));
  }
  ReuseStored(managed, stored_managed);
  if (managed.size() + rules.size() > kMaxRules) {
    return InvalidArgumentError(RouteName(current) +
                                    ": with the header and mirror routes it would have " +
                                    std::to_string(managed.size() + rules.size()) +
                                    " rules; Gateway API allows 16: remove rules or managed routes",
                                "spec.rules");
  }

  api::HTTPRoute out = current;
  out.spec.rules.clear();
  for (const NamedRule& named : managed) out.spec.rules.push_back(named.rule);
  out.spec.rules.insert(out.spec.rules.end(), rules.begin(), rules.end());

  SetAnnotation(out.metadata, kManagedRoutesAnnotation,
                managed.empty() ? std::nullopt : std::optional(WriteRecord(managed)));
  std::optional<std::string> backends;
  if (!appended.empty()) {
    json::Array list(appended.begin(), appended.end());
    backends = json::Write(list);
  }
  SetAnnotation(out.metadata, kManagedBackendsAnnotation, backends);
  if (!options.in_progress_label_key.empty()) {
    if (targets.canary_weight > 0) {
      out.metadata.labels[options.in_progress_label_key] = options.in_progress_label_value;
    } else {
      out.metadata.labels.erase(options.in_progress_label_key);
    }
  }
  return out;
}

}  // namespace devflow::traffic::gateway_api
