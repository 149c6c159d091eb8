#include "node/traffic_translation.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "common/json_value.h"
#include "node/host_ports.h"

namespace devflow::node {
namespace {

constexpr std::string_view kGatewayGroup = "gateway.networking.k8s.io";
constexpr int64_t kMaxRuleWeight = 1000000;

std::string KeyOf(const api::ObjectMeta& meta) { return meta.namespace_ + "/" + meta.name; }

api::MetaCondition Condition(std::string type, bool status, std::string reason,
                             std::string message) {
  api::MetaCondition condition;
  condition.type = std::move(type);
  condition.status = status ? "True" : "False";
  condition.reason = std::move(reason);
  condition.message = std::move(message);
  return condition;
}

// Replaces the condition of the same type, or appends.
void SetCondition(std::vector<api::MetaCondition>& conditions, api::MetaCondition condition) {
  for (api::MetaCondition& existing : conditions) {
    if (existing.type == condition.type) {
      existing = std::move(condition);
      return;
    }
  }
  conditions.push_back(std::move(condition));
}

const api::MetaCondition* FindCondition(const std::vector<api::MetaCondition>& conditions,
                                        std::string_view type) {
  for (const api::MetaCondition& condition : conditions) {
    if (condition.type == type) return &condition;
  }
  return nullptr;
}

bool IsTrue(const std::vector<api::MetaCondition>& conditions, std::string_view type) {
  const api::MetaCondition* condition = FindCondition(conditions, type);
  return condition != nullptr && condition->status == "True";
}

std::string Join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const std::string& part : parts) {
    if (!out.empty()) out += separator;
    out += part;
  }
  return out;
}

// ---- Hostnames ----

bool IsWildcard(std::string_view hostname) { return hostname.starts_with("*."); }

// Whether the wildcard `wildcard` ("*.example.com") covers `name`, a precise hostname or a
// wildcard at least as specific: one or more labels before the suffix.
bool Covers(std::string_view wildcard, std::string_view name) {
  std::string_view suffix = wildcard.substr(1);  // ".example.com"
  return name.size() > suffix.size() && name.ends_with(suffix);
}

// ---- Service endpoints ----

bool IsReady(const api::Pod& pod) {
  for (const api::PodCondition& condition : pod.status.conditions) {
    if (condition.type == "Ready") return condition.status == "True";
  }
  return false;
}

std::optional<int32_t> TargetContainerPort(const api::ServicePort& port, const api::Pod& pod) {
  const api::IntOrString& target = port.target_port;
  if (target.is_int()) {
    return target.int_value() == 0 ? port.port : static_cast<int32_t>(target.int_value());
  }
  if (target.string_value().empty()) return port.port;
  for (const api::Container& container : pod.spec.containers) {
    for (const api::ContainerPort& container_port : container.ports) {
      if (container_port.name == target.string_value()) return container_port.container_port;
    }
  }
  return std::nullopt;
}

std::string RevisionOf(const api::Pod& pod) {
  const auto& labels = pod.metadata.labels;
  if (auto it = labels.find("rollouts-pod-template-hash"); it != labels.end()) return it->second;
  if (auto it = labels.find("pod-template-hash"); it != labels.end()) return it->second;
  return "";
}

bool SelectorMatches(const std::map<std::string, std::string>& selector,
                     const std::map<std::string, std::string>& labels) {
  for (const auto& [key, value] : selector) {
    auto it = labels.find(key);
    if (it == labels.end() || it->second != value) return false;
  }
  return true;
}

std::string ServiceType(const api::Service& service) {
  return service.spec.type.empty() ? "ClusterIP" : service.spec.type;
}

bool IsTcp(const api::ServicePort& port) { return port.protocol.empty() || port.protocol == "TCP"; }

std::string BackendName(std::string_view ns, std::string_view service, int32_t port) {
  return std::string(ns) + "/" + std::string(service) + ":" + std::to_string(port);
}

// ---- Listener candidates and port conflicts ----

// A listener some object wants, before port conflicts are settled.
struct Candidate {
  ProxyListener listener;
  api::Time created;
  std::string owner_key;  // "<namespace>/<name>"
  int owner_kind = 0;     // 0 Gateway, 1 Service: the tie-break of equal keys
  std::string owner;      // for messages: "Service default/web"
  // Where to report a lost conflict: a Service report, or a Gateway's port group.
  size_t report_index = 0;
  std::vector<size_t> gateway_listeners;  // Gateway: indexes into its report's listeners
};

// ---- Routes ----

// One rule of a route, translated, before it is placed on listeners.
struct CompiledRule {
  size_t index = 0;
  std::vector<RouteMatch> matches;  // at least one (an empty match accepts everything)
  std::vector<WeightedBackend> backends;
};

struct CompiledRoute {
  const api::HTTPRoute* route = nullptr;
  std::vector<CompiledRule> rules;
  std::vector<std::string> unsupported;  // messages: what was dropped and why
  bool all_dropped = false;              // the route had rules and none survived
  std::string unresolved_reason;         // "" when every backendRef resolved
  std::vector<std::string> unresolved;   // messages
};

std::optional<PathCondition> CompilePath(const std::optional<api::HTTPPathMatch>& path,
                                         std::string* problem) {
  if (!path.has_value()) return std::nullopt;
  PathCondition out;
  std::string type = path->type.value_or("PathPrefix");
  out.value = path->value.value_or("/");
  if (type == "PathPrefix") {
    out.type = PathCondition::Type::kPrefix;
  } else if (type == "Exact") {
    out.type = PathCondition::Type::kExact;
  } else if (type == "RegularExpression") {
    out.type = PathCondition::Type::kRegex;
  } else {
    *problem = "path type " + type + " is not supported";
  }
  return out;
}

// The match, or nullopt with `problem` set when it uses something the data plane cannot do.
std::optional<RouteMatch> CompileMatch(const api::HTTPRouteMatch& match, std::string* problem) {
  if (!match.query_params.empty()) {
    *problem = "queryParams matches are not supported";
    return std::nullopt;
  }
  RouteMatch out;
  out.path = CompilePath(match.path, problem);
  if (!problem->empty()) return std::nullopt;
  for (const api::HTTPHeaderMatch& header : match.headers) {
    std::string type = header.type.value_or("Exact");
    if (type != "Exact" && type != "RegularExpression") {
      *problem = "header match type " + type + " is not supported";
      return std::nullopt;
    }
    out.headers.push_back(HeaderCondition{
        .name = header.name, .value = header.value, .regex = type == "RegularExpression"});
  }
  out.method = match.method;
  return out;
}

bool HasFilters(const api::HTTPRouteRule& rule) {
  if (!rule.filters.empty()) return true;
  for (const api::HTTPBackendRef& ref : rule.backend_refs) {
    if (ref.filters.is_array() ? !ref.filters.as_array().empty() : !ref.filters.is_null()) {
      return true;
    }
  }
  return false;
}

// Keeps each rule's weights within the data plane's bound, preserving ratios as well as
// integers allow (a positive weight stays positive).
void BoundWeights(std::vector<WeightedBackend>& backends) {
  int64_t sum = 0;
  for (const WeightedBackend& backend : backends) sum += backend.weight;
  if (sum <= kMaxRuleWeight) return;
  for (WeightedBackend& backend : backends) {
    if (backend.weight == 0) continue;
    // Room for up to 16 weights rounded up to 1 (a rule has at most 16 backendRefs).
    int64_t scaled = int64_t{backend.weight} * (kMaxRuleWeight - 16) / sum;
    backend.weight = static_cast<int32_t>(std::max<int64_t>(1, scaled));
  }
}

class Translator {
 public:
  Translator(const TrafficObjects& objects, const TranslateOptions& options)
      : objects_(objects), options_(options) {}

  Translation Run() {
    BuildServices();
    BuildGateways();
    CompileRoutes();
    AttachRoutes();
    SettlePorts();
    Finish();
    return std::move(out_);
  }

 private:
  // Backends and listener candidates of every Service.
  void BuildServices() {
    std::vector<const api::Service*> services;
    for (const api::Service& service : objects_.services) services.push_back(&service);
    std::sort(services.begin(), services.end(), [](const api::Service* a, const api::Service* b) {
      return KeyOf(a->metadata) < KeyOf(b->metadata);
    });
    for (const api::Service* service : services) {
      const api::ObjectMeta& meta = service->metadata;
      ServiceReport report{.namespace_ = meta.namespace_, .name = meta.name};
      const std::string type = ServiceType(*service);
      const std::string& cluster_ip = service->spec.cluster_ip;
      const bool has_cluster_ip =
          type != "ExternalName" && !cluster_ip.empty() && cluster_ip != "None" &&
          (type == "ClusterIP" || type == "NodePort" || type == "LoadBalancer");
      if (type == "LoadBalancer" && has_cluster_ip) report.load_balancer_ip = options_.bind_address;
      const std::string prefix = "service/" + KeyOf(meta) + ":";
      for (size_t i = 0; i < service->spec.ports.size(); ++i) {
        const api::ServicePort& port = service->spec.ports[i];
        const std::string listener_name = prefix + std::to_string(port.port);
        if (!IsTcp(port)) {
          if (has_cluster_ip) {
            report.listeners.push_back(listener_name);
            report.problems.push_back(
                ListenerIssue{listener_name, "UnsupportedProtocol",
                              "spec.ports[" + std::to_string(i) + "]: protocol " + port.protocol +
                                  " is not supported by devflow's data plane (TCP only)"});
          }
          continue;
        }
        const std::string backend = BackendName(meta.namespace_, meta.name, port.port);
        if (!backends_.contains(backend)) {
          backends_.emplace(
              backend, ProxyBackend{.name = backend,
                                    .endpoints = ServiceEndpoints(*service, port, objects_.pods)});
        }
        if (!has_cluster_ip) continue;
        AddServiceCandidate(*service, report, listener_name, cluster_ip, port.port, backend);
        if (type == "LoadBalancer") {
          AddServiceCandidate(*service, report, listener_name + "/loadbalancer",
                              options_.bind_address, port.port, backend);
        }
        if ((type == "NodePort" || type == "LoadBalancer") && port.node_port > 0) {
          AddServiceCandidate(*service, report, listener_name + "/nodeport", options_.bind_address,
                              port.node_port, backend);
        }
      }
      std::sort(report.listeners.begin(), report.listeners.end());
      out_.services.push_back(std::move(report));
    }
  }

  void AddServiceCandidate(const api::Service& service, ServiceReport& report, std::string name,
                           const std::string& address, int32_t port, const std::string& backend) {
    report.listeners.push_back(name);
    RouteRule rule{.backends = {WeightedBackend{.backend = backend, .weight = 1}},
                   .origin = "Service " + KeyOf(service.metadata)};
    candidates_.push_back(Candidate{
        .listener = ProxyListener{.name = std::move(name),
                                  .bind_address = address,
                                  .port = port,
                                  .rules = {std::move(rule)}},
        .created = service.metadata.creation_timestamp,
        .owner_key = KeyOf(service.metadata),
        .owner_kind = 1,
        .owner = "Service " + KeyOf(service.metadata),
        .report_index = out_.services.size(),
    });
  }

  // Listener reports of every Gateway and one candidate per port its HTTP listeners use.
  void BuildGateways() {
    for (const api::Gateway& gateway : objects_.gateways) gateways_.push_back(&gateway);
    std::sort(gateways_.begin(), gateways_.end(), [](const api::Gateway* a, const api::Gateway* b) {
      return KeyOf(a->metadata) < KeyOf(b->metadata);
    });
    for (size_t g = 0; g < gateways_.size(); ++g) {
      const api::Gateway& gateway = *gateways_[g];
      GatewayReport report{.namespace_ = gateway.metadata.namespace_,
                           .name = gateway.metadata.name,
                           .address = options_.bind_address};
      std::map<int32_t, size_t> candidate_by_port;
      // Hostnames ("" for none) already claimed per port.
      std::map<int32_t, std::set<std::string>> hostnames_by_port;
      for (size_t l = 0; l < gateway.spec.listeners.size(); ++l) {
        const api::GatewayListener& listener = gateway.spec.listeners[l];
        GatewayListenerReport lr{.name = listener.name};
        lr.supports_http_routes = listener.protocol == "HTTP" && AllowsHttpRoutes(listener);
        lr.conditions.push_back(Condition("Accepted", true, "Accepted", "Listener is accepted"));
        lr.conditions.push_back(
            Condition("Programmed", true, "Programmed", "Listener is programmed"));
        lr.conditions.push_back(
            Condition("ResolvedRefs", true, "ResolvedRefs", "All references resolved"));
        lr.conditions.push_back(Condition("Conflicted", false, "NoConflicts", "No conflicts"));
        if (listener.protocol != "HTTP") {
          SetCondition(lr.conditions,
                       Condition("Accepted", false, "UnsupportedProtocol",
                                 "protocol " + listener.protocol +
                                     " is not supported by devflow's data plane (HTTP only)"));
          SetCondition(lr.conditions,
                       Condition("Programmed", false, "Invalid", "Listener is not accepted"));
          report.listeners.push_back(std::move(lr));
          continue;
        }
        if (!lr.supports_http_routes) {
          SetCondition(lr.conditions,
                       Condition("ResolvedRefs", false, "InvalidRouteKinds",
                                 "allowedRoutes.kinds names no kind devflow supports (HTTPRoute)"));
        }
        const std::string hostname = listener.hostname.value_or("");
        if (!hostnames_by_port[listener.port].insert(hostname).second) {
          SetCondition(lr.conditions,
                       Condition("Conflicted", true, "HostnameConflict",
                                 "another listener on port " + std::to_string(listener.port) +
                                     " has hostname \"" + hostname + "\""));
          SetCondition(lr.conditions, Condition("Programmed", false, "Invalid",
                                                "Listener conflicts with another listener"));
          report.listeners.push_back(std::move(lr));
          continue;
        }
        auto [it, inserted] = candidate_by_port.emplace(listener.port, candidates_.size());
        if (inserted) {
          candidates_.push_back(Candidate{
              .listener =
                  ProxyListener{.name = "gateway/" + KeyOf(gateway.metadata) + "/" + listener.name,
                                .bind_address = options_.bind_address,
                                .port = listener.port},
              .created = gateway.metadata.creation_timestamp,
              .owner_key = KeyOf(gateway.metadata),
              .owner_kind = 0,
              .owner = "Gateway " + KeyOf(gateway.metadata),
              .report_index = g,
          });
        }
        Candidate& candidate = candidates_[it->second];
        candidate.gateway_listeners.push_back(report.listeners.size());
        lr.proxy_listener = candidate.listener.name;
        listener_candidate_[{g, l}] = it->second;
        report.listeners.push_back(std::move(lr));
      }
      out_.gateways.push_back(std::move(report));
    }
  }

  static bool AllowsHttpRoutes(const api::GatewayListener& listener) {
    const json::Value* kinds = listener.allowed_routes.Find("kinds");
    if (kinds == nullptr || !kinds->is_array() || kinds->as_array().empty()) return true;
    for (const json::Value& kind : kinds->as_array()) {
      std::string group = json::StringAt(kind, {"group"});
      if (json::StringAt(kind, {"kind"}) == "HTTPRoute" &&
          (group.empty() || group == kGatewayGroup)) {
        return true;
      }
    }
    return false;
  }

  // Why `listener` of `gateway` does not admit routes of `route_namespace`; "" when it does.
  static std::string NamespaceRefusal(const api::Gateway& gateway,
                                      const api::GatewayListener& listener,
                                      const std::string& route_namespace) {
    std::string from = json::StringAt(listener.allowed_routes, {"namespaces", "from"});
    if (from.empty() || from == "Same") {
      if (route_namespace == gateway.metadata.namespace_) return "";
      return "listener " + listener.name + " admits routes of namespace " +
             gateway.metadata.namespace_ + " only";
    }
    if (from == "All") return "";
    if (from == "Selector") {
      return "listener " + listener.name +
             ": allowedRoutes.namespaces.from Selector is not supported by devflow";
    }
    return "listener " + listener.name + " admits no routes (allowedRoutes.namespaces.from " +
           from + ")";
  }

  void CompileRoutes() {
    for (const api::HTTPRoute& route : objects_.routes) routes_.push_back(CompileRoute(route));
    // Precedence among routes: the older first, then by namespace/name.
    std::sort(routes_.begin(), routes_.end(), [](const CompiledRoute& a, const CompiledRoute& b) {
      const api::ObjectMeta& x = a.route->metadata;
      const api::ObjectMeta& y = b.route->metadata;
      return std::forward_as_tuple(x.creation_timestamp, KeyOf(x)) <
             std::forward_as_tuple(y.creation_timestamp, KeyOf(y));
    });
  }

  CompiledRoute CompileRoute(const api::HTTPRoute& route) {
    CompiledRoute out{.route = &route};
    const std::string& ns = route.metadata.namespace_;
    std::vector<api::HTTPRouteRule> rules = route.spec.rules;
    // The API's default: one rule matching every path, with no backend.
    if (rules.empty()) rules.emplace_back();
    for (size_t r = 0; r < rules.size(); ++r) {
      const api::HTTPRouteRule& rule = rules[r];
      const std::string at = "rules[" + std::to_string(r) + "]";
      if (HasFilters(rule)) {
        out.unsupported.push_back(at + ": filters are not supported; the rule is not served");
        continue;
      }
      CompiledRule compiled{.index = r};
      for (size_t m = 0; m < rule.matches.size(); ++m) {
        std::string problem;
        std::optional<RouteMatch> match = CompileMatch(rule.matches[m], &problem);
        if (match.has_value()) {
          compiled.matches.push_back(std::move(*match));
        } else {
          out.unsupported.push_back(at + ".matches[" + std::to_string(m) + "]: " + problem +
                                    "; the match is not served");
        }
      }
      if (rule.matches.empty()) compiled.matches.emplace_back();
      if (compiled.matches.empty()) continue;
      for (size_t b = 0; b < rule.backend_refs.size(); ++b) {
        const api::HTTPBackendRef& ref = rule.backend_refs[b];
        const std::string ref_at = at + ".backendRefs[" + std::to_string(b) + "]";
        std::string group = ref.group.value_or("");
        std::string kind = ref.kind.value_or("Service");
        if (!group.empty() || kind != "Service") {
          Unresolved(out, "InvalidKind",
                     ref_at + ": " + (group.empty() ? "" : group + "/") + kind +
                         " is not supported (Service only)");
          continue;
        }
        if (!ref.port.has_value()) {
          Unresolved(out, "BackendNotFound", ref_at + ": port is required for a Service");
          continue;
        }
        const std::string ref_ns = ref.namespace_.value_or(ns);
        const std::string backend = BackendName(ref_ns, ref.name, *ref.port);
        int32_t weight = ref.weight.value_or(1);
        if (!backends_.contains(backend)) {
          std::string why = ServiceExists(ref_ns, ref.name)
                                ? "Service " + ref_ns + "/" + ref.name + " has no TCP port " +
                                      std::to_string(*ref.port)
                                : "Service " + ref_ns + "/" + ref.name + " not found";
          Unresolved(out, "BackendNotFound", ref_at + ": " + why);
          missing_backends_.insert(backend);
          weight = 0;
        }
        compiled.backends.push_back(WeightedBackend{.backend = backend, .weight = weight});
      }
      BoundWeights(compiled.backends);
      out.rules.push_back(std::move(compiled));
    }
    out.all_dropped = out.rules.empty();
    return out;
  }

  static void Unresolved(CompiledRoute& route, std::string reason, std::string message) {
    if (route.unresolved_reason.empty()) route.unresolved_reason = std::move(reason);
    route.unresolved.push_back(std::move(message));
  }

  bool ServiceExists(const std::string& ns, const std::string& name) const {
    for (const api::Service& service : objects_.services) {
      if (service.metadata.namespace_ == ns && service.metadata.name == name) return true;
    }
    return false;
  }

  const api::Gateway* FindGateway(const std::string& ns, const std::string& name,
                                  size_t* index) const {
    for (size_t g = 0; g < gateways_.size(); ++g) {
      if (gateways_[g]->metadata.namespace_ == ns && gateways_[g]->metadata.name == name) {
        *index = g;
        return gateways_[g];
      }
    }
    return nullptr;
  }

  // A route's rule placed on a listener, with its precedence.
  struct Entry {
    int host_class = 0;  // 2 precise, 1 wildcard, 0 any
    int host_length = 0;
    int path_class = 0;  // 3 Exact, 2 RegularExpression, 1 PathPrefix
    int path_length = 0;
    bool method = false;
    int headers = 0;
    size_t route_rank = 0;
    size_t rule_index = 0;
    size_t match_index = 0;
    std::string hostname;
    RouteRule rule;

    auto Key() const {
      // Larger is better for the first six, so they are negated.
      return std::make_tuple(-host_class, -host_length, -path_class, -path_length,
                             -static_cast<int>(method), -headers, route_rank, rule_index,
                             match_index, std::cref(hostname));
    }
  };

  static void Rank(const RouteMatch& match, Entry& entry) {
    PathCondition path = match.path.value_or(PathCondition{});
    entry.path_class = path.type == PathCondition::Type::kExact   ? 3
                       : path.type == PathCondition::Type::kRegex ? 2
                                                                  : 1;
    entry.path_length = static_cast<int>(path.value.size());
    entry.method = match.method.has_value();
    entry.headers = static_cast<int>(match.headers.size());
  }

  void AttachRoutes() {
    for (size_t rank = 0; rank < routes_.size(); ++rank) {
      const CompiledRoute& compiled = routes_[rank];
      const api::HTTPRoute& route = *compiled.route;
      RouteReport report{.namespace_ = route.metadata.namespace_, .name = route.metadata.name};
      for (const api::ParentReference& parent : route.spec.parent_refs) {
        if (parent.group.value_or(std::string(kGatewayGroup)) != kGatewayGroup ||
            parent.kind.value_or("Gateway") != "Gateway") {
          continue;  // Another controller's parent (a Service of a mesh, say).
        }
        RouteParentReport parent_report{.parent_ref = parent};
        parent_report.conditions.push_back(Attach(compiled, rank, parent));
        if (compiled.unresolved.empty()) {
          parent_report.conditions.push_back(
              Condition("ResolvedRefs", true, "ResolvedRefs", "All references resolved"));
        } else {
          parent_report.conditions.push_back(Condition(
              "ResolvedRefs", false, compiled.unresolved_reason, Join(compiled.unresolved, "; ")));
        }
        if (!compiled.unsupported.empty() && !compiled.all_dropped) {
          parent_report.conditions.push_back(Condition("PartiallyInvalid", true, "UnsupportedValue",
                                                       Join(compiled.unsupported, "; ")));
        }
        report.parents.push_back(std::move(parent_report));
      }
      out_.routes.push_back(std::move(report));
    }
    std::sort(out_.routes.begin(), out_.routes.end(),
              [](const RouteReport& a, const RouteReport& b) {
                return std::tie(a.namespace_, a.name) < std::tie(b.namespace_, b.name);
              });
  }

  // Attaches the route to the listeners `parent` selects; returns the Accepted condition.
  api::MetaCondition Attach(const CompiledRoute& compiled, size_t rank,
                            const api::ParentReference& parent) {
    const api::HTTPRoute& route = *compiled.route;
    const std::string ns = parent.namespace_.value_or(route.metadata.namespace_);
    size_t g = 0;
    const api::Gateway* gateway = FindGateway(ns, parent.name, &g);
    if (gateway == nullptr) {
      return Condition("Accepted", false, "NoMatchingParent",
                       "Gateway " + ns + "/" + parent.name + " not found");
    }
    if (compiled.all_dropped) {
      return Condition("Accepted", false, "UnsupportedValue", Join(compiled.unsupported, "; "));
    }
    std::vector<std::string> not_allowed;
    bool attached = false;
    bool any_listener = false;
    for (size_t l = 0; l < gateway->spec.listeners.size(); ++l) {
      const api::GatewayListener& listener = gateway->spec.listeners[l];
      if (parent.section_name.has_value() && *parent.section_name != listener.name) continue;
      if (parent.port.has_value() && *parent.port != listener.port) continue;
      any_listener = true;
      const GatewayListenerReport& listener_report = out_.gateways[g].listeners[l];
      if (!listener_report.supports_http_routes) {
        not_allowed.push_back("listener " + listener.name + " does not admit HTTPRoutes");
        continue;
      }
      std::string refusal = NamespaceRefusal(*gateway, listener, route.metadata.namespace_);
      if (!refusal.empty()) {
        not_allowed.push_back(std::move(refusal));
        continue;
      }
      std::optional<std::vector<std::string>> hostnames =
          IntersectHostnames(listener.hostname, route.spec.hostnames);
      if (!hostnames.has_value()) {
        continue;
      }
      attached = true;
      if (!attached_[{g, l}].insert(KeyOf(route.metadata)).second) continue;
      ++out_.gateways[g].listeners[l].attached_routes;
      auto candidate = listener_candidate_.find({g, l});
      if (candidate == listener_candidate_.end()) continue;  // Conflicted: not served.
      AddEntries(compiled, rank, *hostnames, entries_[candidate->second]);
    }
    if (attached) return Condition("Accepted", true, "Accepted", "Route is accepted");
    if (!any_listener) {
      std::string which = parent.section_name.has_value() ? "named " + *parent.section_name : "";
      if (parent.port.has_value()) {
        which +=
            (which.empty() ? "" : " ") + std::string("on port ") + std::to_string(*parent.port);
      }
      return Condition("Accepted", false, "NoMatchingParent",
                       "Gateway " + ns + "/" + parent.name + " has no listener " + which);
    }
    if (!not_allowed.empty()) {
      return Condition("Accepted", false, "NotAllowedByListeners", Join(not_allowed, "; "));
    }
    return Condition("Accepted", false, "NoMatchingListenerHostname",
                     "no hostname of the route intersects the listeners' hostnames");
  }

  static void AddEntries(const CompiledRoute& compiled, size_t rank,
                         const std::vector<std::string>& hostnames, std::vector<Entry>& entries) {
    std::vector<std::string> hosts = hostnames;
    if (hosts.empty()) hosts.emplace_back();  // any hostname
    const std::string origin = "HTTPRoute " + KeyOf(compiled.route->metadata) + " rules[";
    for (const CompiledRule& rule : compiled.rules) {
      for (size_t m = 0; m < rule.matches.size(); ++m) {
        for (const std::string& host : hosts) {
          Entry entry{.route_rank = rank, .rule_index = rule.index, .match_index = m};
          entry.hostname = host;
          entry.host_class = host.empty() ? 0 : IsWildcard(host) ? 1 : 2;
          entry.host_length = entry.host_class == 1 ? static_cast<int>(host.size()) : 0;
          Rank(rule.matches[m], entry);
          entry.rule = RouteRule{
              .hostnames =
                  host.empty() ? std::vector<std::string>{} : std::vector<std::string>{host},
              .matches = {rule.matches[m]},
              .backends = rule.backends,
              .origin = origin + std::to_string(rule.index) + "]",
          };
          entries.push_back(std::move(entry));
        }
      }
    }
  }

  // Orders each Gateway candidate's rules, then gives each (address, port) to the oldest
  // object wanting it.
  void SettlePorts() {
    for (auto& [index, entries] : entries_) {
      std::sort(entries.begin(), entries.end(),
                [](const Entry& a, const Entry& b) { return a.Key() < b.Key(); });
      std::vector<RouteRule> rules;
      for (Entry& entry : entries) rules.push_back(std::move(entry.rule));
      // A merge can make the next one possible ((h1,m1) (h2,m1) (h1,m2) (h2,m2) becomes
      // ({h1,h2},m1) ({h1,h2},m2), then one rule), so repeat until nothing merges.
      size_t before = 0;
      do {
        before = rules.size();
        std::vector<RouteRule> merged;
        for (RouteRule& rule : rules) {
          if (!merged.empty() && Merge(merged.back(), rule)) continue;
          merged.push_back(std::move(rule));
        }
        rules = std::move(merged);
      } while (rules.size() < before);
      candidates_[index].listener.rules = std::move(rules);
    }
    std::vector<size_t> order(candidates_.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      const Candidate& x = candidates_[a];
      const Candidate& y = candidates_[b];
      return std::tie(x.created, x.owner_key, x.owner_kind, x.listener.name) <
             std::tie(y.created, y.owner_key, y.owner_kind, y.listener.name);
    });
    std::map<std::pair<std::string, int32_t>, size_t> holder;
    for (size_t i : order) {
      Candidate& candidate = candidates_[i];
      auto [it, inserted] = holder.emplace(
          std::make_pair(candidate.listener.bind_address, candidate.listener.port), i);
      if (inserted) {
        out_.state.listeners.push_back(std::move(candidate.listener));
        continue;
      }
      const Candidate& winner = candidates_[it->second];
      std::string message = candidate.listener.bind_address + ":" +
                            std::to_string(candidate.listener.port) + " is already used by " +
                            winner.owner + ", which is older";
      if (candidate.owner_kind == 1) {
        out_.services[candidate.report_index].problems.push_back(
            ListenerIssue{candidate.listener.name, "PortConflict", message});
      } else {
        GatewayReport& report = out_.gateways[candidate.report_index];
        for (size_t l : candidate.gateway_listeners) {
          MarkUnserved(report.listeners[l], message);
        }
      }
    }
  }

  // Two adjacent rules with the same backends become one when they differ only in hostnames or
  // only in matches: under first-match the union routes every request as the pair did.
  static bool Merge(RouteRule& into, const RouteRule& next) {
    if (into.backends != next.backends || into.origin != next.origin) return false;
    if (into.hostnames == next.hostnames) {
      for (const RouteMatch& match : next.matches) {
        if (std::find(into.matches.begin(), into.matches.end(), match) == into.matches.end()) {
          into.matches.push_back(match);
        }
      }
      return true;
    }
    if (into.matches == next.matches) {
      if (into.hostnames.empty() || next.hostnames.empty()) {
        into.hostnames.clear();
      } else {
        for (const std::string& host : next.hostnames) {
          if (std::find(into.hostnames.begin(), into.hostnames.end(), host) ==
              into.hostnames.end()) {
            into.hostnames.push_back(host);
          }
        }
      }
      return true;
    }
    return false;
  }

  void Finish() {
    for (const std::string& name : missing_backends_) {
      backends_.emplace(name, ProxyBackend{.name = name});
    }
    for (auto& [name, backend] : backends_) out_.state.backends.push_back(std::move(backend));
    std::sort(out_.state.listeners.begin(), out_.state.listeners.end(),
              [](const ProxyListener& a, const ProxyListener& b) { return a.name < b.name; });
    for (ServiceReport& report : out_.services) {
      std::sort(
          report.problems.begin(), report.problems.end(),
          [](const ListenerIssue& a, const ListenerIssue& b) { return a.listener < b.listener; });
    }
  }

 public:
  static void MarkUnserved(GatewayListenerReport& listener, const std::string& message) {
    SetCondition(listener.conditions, Condition("Accepted", false, "PortUnavailable", message));
    SetCondition(listener.conditions, Condition("Programmed", false, "Invalid", message));
  }

 private:
  const TrafficObjects& objects_;
  const TranslateOptions& options_;
  Translation out_;
  std::map<std::string, ProxyBackend> backends_;
  std::set<std::string> missing_backends_;
  std::vector<Candidate> candidates_;
  std::vector<const api::Gateway*> gateways_;  // sorted by namespace/name, as out_.gateways
  // (gateway index, listener index) -> its candidate, for served HTTP listeners.
  std::map<std::pair<size_t, size_t>, size_t> listener_candidate_;
  std::map<std::pair<size_t, size_t>, std::set<std::string>> attached_;  // route keys
  std::vector<CompiledRoute> routes_;                                    // by precedence
  std::map<size_t, std::vector<Entry>> entries_;                         // by candidate
};

// ---- Status ----

// `desired` with observedGeneration and a lastTransitionTime that moves only with the status.
api::MetaCondition Stamp(api::MetaCondition desired,
                         const std::vector<api::MetaCondition>& previous, int64_t generation,
                         api::Time now) {
  desired.observed_generation = generation;
  desired.last_transition_time = now;
  const api::MetaCondition* before = FindCondition(previous, desired.type);
  if (before != nullptr && before->status == desired.status) {
    desired.last_transition_time = before->last_transition_time;
    desired.extra = before->extra;
  }
  return desired;
}

std::vector<api::MetaCondition> StampAll(const std::vector<api::MetaCondition>& desired,
                                         const std::vector<api::MetaCondition>& previous,
                                         int64_t generation, api::Time now) {
  std::vector<api::MetaCondition> out;
  for (const api::MetaCondition& condition : desired) {
    out.push_back(Stamp(condition, previous, generation, now));
  }
  return out;
}

// metav1.Condition as JSON, and back (for the kinds that keep conditions schemaless).
json::Value ConditionJson(const api::MetaCondition& condition) {
  json::Object out{{"type", condition.type},
                   {"status", condition.status},
                   {"observedGeneration", condition.observed_generation},
                   {"lastTransitionTime", api::FormatRfc3339(condition.last_transition_time.value)},
                   {"reason", condition.reason},
                   {"message", condition.message}};
  for (const json::Member& member : condition.extra) out.Set(member.key, member.value);
  return out;
}

api::MetaCondition ConditionFromJson(const json::Value& value) {
  api::MetaCondition out;
  out.type = json::StringAt(value, {"type"});
  out.status = json::StringAt(value, {"status"});
  out.reason = json::StringAt(value, {"reason"});
  out.message = json::StringAt(value, {"message"});
  if (const json::Value* generation = value.Find("observedGeneration");
      generation != nullptr && generation->is_int()) {
    out.observed_generation = generation->as_int();
  }
  Result<api::TimePoint> time = api::ParseRfc3339(json::StringAt(value, {"lastTransitionTime"}));
  if (time.ok()) out.last_transition_time.value = *time;
  return out;
}

std::vector<api::MetaCondition> ConditionsFromJson(const json::Value* array) {
  std::vector<api::MetaCondition> out;
  if (array == nullptr || !array->is_array()) return out;
  for (const json::Value& item : array->as_array()) out.push_back(ConditionFromJson(item));
  return out;
}

}  // namespace

std::vector<ProxyEndpoint> ServiceEndpoints(const api::Service& service,
                                            const api::ServicePort& port,
                                            const std::vector<api::Pod>& pods) {
  std::vector<ProxyEndpoint> out;
  if (service.spec.selector.empty()) return out;
  for (const api::Pod& pod : pods) {
    if (pod.metadata.namespace_ != service.metadata.namespace_) continue;
    if (!SelectorMatches(service.spec.selector, pod.metadata.labels)) continue;
    if (pod.status.phase == "Succeeded" || pod.status.phase == "Failed") continue;
    if (!IsReady(pod) && !service.spec.publish_not_ready_addresses) continue;
    auto annotation = pod.metadata.annotations.find(std::string(kHostPortsAnnotation));
    if (annotation == pod.metadata.annotations.end()) continue;
    Result<HostPorts> host_ports = ParseHostPorts(annotation->second);
    if (!host_ports.ok()) continue;
    std::optional<int32_t> container_port = TargetContainerPort(port, pod);
    if (!container_port.has_value()) continue;
    auto host_port = host_ports->find(*container_port);
    if (host_port == host_ports->end()) continue;
    out.push_back(ProxyEndpoint{
        .name = pod.metadata.name,
        .address = pod.status.pod_ip.empty() ? "127.0.0.1" : pod.status.pod_ip,
        .port = host_port->second,
        .revision = RevisionOf(pod),
        // Terminating: existing connections finish, new requests go elsewhere.
        .serving = pod.metadata.deletion_timestamp == api::Time{},
    });
  }
  std::sort(out.begin(), out.end(),
            [](const ProxyEndpoint& a, const ProxyEndpoint& b) { return a.name < b.name; });
  return out;
}

std::optional<std::vector<std::string>> IntersectHostnames(
    const std::optional<std::string>& listener_hostname,
    const std::vector<std::string>& route_hostnames) {
  std::string listener = listener_hostname.value_or("");
  if (listener == "*") listener.clear();
  std::vector<std::string> out;
  auto add = [&out](const std::string& host) {
    if (std::find(out.begin(), out.end(), host) == out.end()) out.push_back(host);
  };
  if (route_hostnames.empty()) {
    if (!listener.empty()) out.push_back(listener);
    return out;
  }
  for (const std::string& route : route_hostnames) {
    if (listener.empty() || route == "*") {
      if (route == "*")
        return listener.empty() ? std::vector<std::string>{} : std::vector<std::string>{listener};
      add(route);
    } else if (route == listener) {
      add(route);
    } else if (IsWildcard(listener) && Covers(listener, route)) {
      add(route);
    } else if (IsWildcard(route) && Covers(route, listener)) {
      add(listener);
    }
  }
  if (out.empty()) return std::nullopt;
  return out;
}

Translation Translate(const TrafficObjects& objects, const TranslateOptions& options) {
  return Translator(objects, options).Run();
}

void ApplyListenerProblems(const std::vector<ListenerProblem>& problems, Translation& translation) {
  for (const ListenerProblem& problem : problems) {
    for (ServiceReport& report : translation.services) {
      if (std::find(report.listeners.begin(), report.listeners.end(), problem.listener) !=
          report.listeners.end()) {
        report.problems.push_back(ListenerIssue{problem.listener, "PortInUse", problem.message});
      }
    }
    for (GatewayReport& report : translation.gateways) {
      for (GatewayListenerReport& listener : report.listeners) {
        if (!listener.proxy_listener.empty() && listener.proxy_listener == problem.listener) {
          Translator::MarkUnserved(listener, problem.message);
        }
      }
    }
  }
}

api::ServiceStatus ServiceStatusFor(const api::Service& service, const ServiceReport& report,
                                    api::Time now) {
  api::ServiceStatus status = service.status;
  if (!report.load_balancer_ip.empty()) {
    status.load_balancer =
        json::Object{{"ingress", json::Array{json::Object{{"ip", report.load_balancer_ip}}}}};
  } else if (status.load_balancer.Find("ingress") != nullptr) {
    status.load_balancer = json::Value();
  }
  std::vector<api::MetaCondition> previous;
  std::vector<json::Value> others;
  for (const json::Value& condition : status.conditions) {
    if (json::StringAt(condition, {"type"}) == kServiceProgrammedCondition) {
      previous.push_back(ConditionFromJson(condition));
    } else {
      others.push_back(condition);
    }
  }
  status.conditions = std::move(others);
  if (!report.listeners.empty()) {
    api::MetaCondition desired =
        report.problems.empty() ? Condition(std::string(kServiceProgrammedCondition), true,
                                            "Programmed", "every port is served")
                                : Condition(std::string(kServiceProgrammedCondition), false,
                                            report.problems.front().reason, [&report] {
                                              std::vector<std::string> messages;
                                              for (const ListenerIssue& issue : report.problems) {
                                                messages.push_back(issue.message);
                                              }
                                              return Join(messages, "; ");
                                            }());
    status.conditions.push_back(
        ConditionJson(Stamp(desired, previous, service.metadata.generation, now)));
  }
  return status;
}

api::GatewayStatus GatewayStatusFor(const api::Gateway& gateway, const GatewayReport& report,
                                    api::Time now) {
  api::GatewayStatus status = gateway.status;
  const int64_t generation = gateway.metadata.generation;
  status.addresses = json::Array{json::Object{{"type", "IPAddress"}, {"value", report.address}}};

  std::vector<std::string> invalid;
  bool programmed = false;
  for (const GatewayListenerReport& listener : report.listeners) {
    if (!IsTrue(listener.conditions, "Accepted") || IsTrue(listener.conditions, "Conflicted")) {
      invalid.push_back(listener.name);
    }
    programmed = programmed || IsTrue(listener.conditions, "Programmed");
  }
  std::vector<api::MetaCondition> desired;
  if (invalid.empty()) {
    desired.push_back(Condition("Accepted", true, "Accepted", "Gateway is accepted"));
  } else {
    desired.push_back(Condition("Accepted", invalid.size() < report.listeners.size(),
                                "ListenersNotValid",
                                "listeners not valid: " + Join(invalid, ", ")));
  }
  desired.push_back(programmed ? Condition("Programmed", true, "Programmed", "Gateway is served")
                               : Condition("Programmed", false, "Invalid",
                                           "no listener of the Gateway is served"));
  std::vector<api::MetaCondition> conditions;
  for (const api::MetaCondition& condition : status.conditions) {
    if (condition.type != "Accepted" && condition.type != "Programmed") {
      conditions.push_back(condition);
    }
  }
  for (const api::MetaCondition& condition : desired) {
    conditions.push_back(Stamp(condition, status.conditions, generation, now));
  }
  status.conditions = std::move(conditions);

  json::Array listeners;
  for (const GatewayListenerReport& listener : report.listeners) {
    std::vector<api::MetaCondition> previous;
    if (status.listeners.is_array()) {
      for (const json::Value& entry : status.listeners.as_array()) {
        if (json::StringAt(entry, {"name"}) == listener.name) {
          previous = ConditionsFromJson(entry.Find("conditions"));
        }
      }
    }
    json::Array kinds;
    if (listener.supports_http_routes) {
      kinds.push_back(json::Object{{"group", std::string(kGatewayGroup)}, {"kind", "HTTPRoute"}});
    }
    json::Array conditions_json;
    for (const api::MetaCondition& condition :
         StampAll(listener.conditions, previous, generation, now)) {
      conditions_json.push_back(ConditionJson(condition));
    }
    listeners.push_back(json::Object{{"name", listener.name},
                                     {"supportedKinds", std::move(kinds)},
                                     {"attachedRoutes", int64_t{listener.attached_routes}},
                                     {"conditions", std::move(conditions_json)}});
  }
  status.listeners = std::move(listeners);
  return status;
}

api::HTTPRouteStatus RouteStatusFor(const api::HTTPRoute& route, const RouteReport& report,
                                    api::Time now) {
  api::HTTPRouteStatus status = route.status;
  std::vector<api::RouteParentStatus> parents;
  for (const api::RouteParentStatus& parent : status.parents) {
    if (parent.controller_name != kGatewayControllerName) parents.push_back(parent);
  }
  for (const RouteParentReport& parent : report.parents) {
    std::vector<api::MetaCondition> previous;
    for (const api::RouteParentStatus& before : status.parents) {
      if (before.controller_name == kGatewayControllerName &&
          before.parent_ref == parent.parent_ref) {
        previous = before.conditions;
      }
    }
    parents.push_back(api::RouteParentStatus{
        .parent_ref = parent.parent_ref,
        .controller_name = std::string(kGatewayControllerName),
        .conditions = StampAll(parent.conditions, previous, route.metadata.generation, now),
    });
  }
  status.parents = std::move(parents);
  return status;
}

}  // namespace devflow::node
