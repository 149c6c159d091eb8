#include "traffic/istio/virtual_service_rules.h"

#include <algorithm>
#include <optional>
#include <set>
#include <type_traits>
#include <vector>

#include "traffic/istio/managed_routes.h"

namespace devflow::traffic::istio {
namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool Contains(const std::vector<std::string>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string Indexed(std::string_view path, std::string_view field, size_t i) {
  return std::string(path) + "." + std::string(field) + "[" + std::to_string(i) + "]";
}

std::string Field(std::string_view path, std::string_view field) {
  return std::string(path) + "." + std::string(field);
}

std::string Describe(const api::VirtualService& vs) {
  return "VirtualService " + vs.metadata.namespace_ + "/" + vs.metadata.name;
}

// A route picked for weighting, and the field path its errors name.
struct Picked {
  size_t index;
  std::string path;
};

// The http routes `ref` edits (see the header).
Result<std::vector<Picked>> PickHttpRoutes(const api::VirtualService& vs,
                                           const api::IstioVirtualServiceRef& ref,
                                           std::string_view ref_path,
                                           const TrafficTargets& targets) {
  const std::vector<api::IstioHTTPRoute>& http = vs.spec.http;
  std::vector<Picked> picked;
  if (ref.routes.empty()) {
    std::vector<size_t> candidates;
    for (size_t i = 0; i < http.size(); ++i) {
      if (!Contains(targets.managed_routes, http[i].name)) candidates.push_back(i);
    }
    if (candidates.size() > 1) {
      return InvalidArgumentError("must name the http routes to edit: " + Describe(vs) + " has " +
                                      std::to_string(candidates.size()) + " http routes",
                                  Field(ref_path, "routes"));
    }
    if (candidates.size() == 1) picked.push_back({candidates[0], Field(ref_path, "routes")});
    return picked;
  }
  for (size_t r = 0; r < ref.routes.size(); ++r) {
    const std::string& name = ref.routes[r];
    std::string path = Indexed(ref_path, "routes", r);
    if (Contains(targets.managed_routes, name)) {
      return InvalidArgumentError("\"" + name +
                                      "\" is also a managed route, which devflow replaces; "
                                      "use another name for one of them",
                                  path);
    }
    auto it = std::find_if(http.begin(), http.end(),
                           [&](const api::IstioHTTPRoute& route) { return route.name == name; });
    if (it == http.end()) {
      return InvalidArgumentError(Describe(vs) + " has no http route named \"" + name + "\"", path);
    }
    picked.push_back({static_cast<size_t>(it - http.begin()), path});
  }
  return picked;
}

// The one port a route's match entries name (0 when none), or nullopt when they name several.
template <class Match>
std::optional<int64_t> SinglePort(const std::vector<Match>& matches) {
  std::set<int64_t> ports;
  for (const Match& match : matches) ports.insert(match.port);
  if (ports.size() > 1) return std::nullopt;
  return ports.empty() ? 0 : *ports.begin();
}

template <class Route>
Result<std::vector<Picked>> PickOnly(const std::vector<Route>& routes, std::string_view kind,
                                     const api::VirtualService& vs, std::string path) {
  if (routes.size() > 1) {
    return InvalidArgumentError("must pick the " + std::string(kind) + " routes to edit: " +
                                    Describe(vs) + " has " + std::to_string(routes.size()),
                                path);
  }
  std::vector<Picked> picked;
  if (routes.size() == 1) picked.push_back({0, std::move(path)});
  return picked;
}

void AddUnique(std::vector<Picked>& picked, Picked route) {
  for (const Picked& p : picked) {
    if (p.index == route.index) return;
  }
  picked.push_back(std::move(route));
}

Result<std::vector<Picked>> PickTlsRoutes(const api::VirtualService& vs,
                                          const api::IstioVirtualServiceRef& ref,
                                          std::string_view ref_path) {
  const std::vector<api::IstioTLSRoute>& tls = vs.spec.tls;
  if (ref.tls_routes.empty()) return PickOnly(tls, "tls", vs, Field(ref_path, "tlsRoutes"));
  std::vector<Picked> picked;
  for (size_t r = 0; r < ref.tls_routes.size(); ++r) {
    const api::IstioTlsRouteRef& want = ref.tls_routes[r];
    std::set<std::string> want_hosts(want.sni_hosts.begin(), want.sni_hosts.end());
    std::string path = Indexed(ref_path, "tlsRoutes", r);
    bool any = false;
    for (size_t i = 0; i < tls.size(); ++i) {
      std::set<std::string> hosts;
      for (const api::IstioTLSMatchAttributes& match : tls[i].match) {
        hosts.insert(match.sni_hosts.begin(), match.sni_hosts.end());
      }
      if (SinglePort(tls[i].match) == want.port && hosts == want_hosts) {
        AddUnique(picked, {i, path});
        any = true;
      }
    }
    if (!any) {
      return InvalidArgumentError(Describe(vs) + " has no tls route matching port " +
                                      std::to_string(want.port) + " and exactly these sniHosts",
                                  path);
    }
  }
  return picked;
}

Result<std::vector<Picked>> PickTcpRoutes(const api::VirtualService& vs,
                                          const api::IstioVirtualServiceRef& ref,
                                          std::string_view ref_path) {
  const std::vector<api::IstioTCPRoute>& tcp = vs.spec.tcp;
  if (ref.tcp_routes.empty()) return PickOnly(tcp, "tcp", vs, Field(ref_path, "tcpRoutes"));
  std::vector<Picked> picked;
  for (size_t r = 0; r < ref.tcp_routes.size(); ++r) {
    std::string path = Indexed(ref_path, "tcpRoutes", r);
    bool any = false;
    for (size_t i = 0; i < tcp.size(); ++i) {
      if (SinglePort(tcp[i].match) == ref.tcp_routes[r].port) {
        AddUnique(picked, {i, path});
        any = true;
      }
    }
    if (!any) {
      return InvalidArgumentError(Describe(vs) + " has no tcp route matching port " +
                                      std::to_string(ref.tcp_routes[r].port),
                                  path);
    }
  }
  return picked;
}

// Checks and re-weights the picked routes of one kind in place.
template <class Route>
Status WeighRoutes(std::vector<Route>& routes, const std::vector<Picked>& picked,
                   std::string_view kind, const api::VirtualService& vs,
                   const DestinationRoles& roles, const TrafficTargets& targets) {
  for (const Picked& p : picked) {
    Route& route = routes[p.index];
    std::string where =
        Describe(vs) + " " + std::string(kind) + "[" + std::to_string(p.index) + "]";
    if constexpr (std::is_same_v<Route, api::IstioHTTPRoute>) {
      if (!route.name.empty()) where += " (\"" + route.name + "\")";
    }
    DEVFLOW_RETURN_IF_ERROR(CheckCanaryAndStable(route.route, roles, targets, where, p.path));
    route.route = WeightedDestinations(route.route, roles, targets);
  }
  return Status::Ok();
}

}  // namespace

ObjectName ResolveVirtualServiceName(std::string_view ref_name,
                                     std::string_view rollout_namespace) {
  std::string_view name = ref_name;
  for (std::string_view suffix : {".svc.cluster.local", ".cluster.local"}) {
    if (EndsWith(name, suffix)) {
      name.remove_suffix(suffix.size());
      break;
    }
  }
  size_t dot = name.rfind('.');
  if (dot == std::string_view::npos) {
    return {.namespace_ = std::string(rollout_namespace), .name = std::string(name)};
  }
  return {.namespace_ = std::string(name.substr(dot + 1)),
          .name = std::string(name.substr(0, dot))};
}

Result<api::VirtualService> DesiredVirtualService(const api::VirtualService& current,
                                                  const api::IstioVirtualServiceRef& ref,
                                                  std::string_view ref_path,
                                                  const DestinationRoles& roles,
                                                  const TrafficTargets& targets) {
  api::VirtualService desired = current;
  DEVFLOW_ASSIGN_OR_RETURN(std::vector<Picked> http,
                           PickHttpRoutes(current, ref, ref_path, targets));
  DEVFLOW_ASSIGN_OR_RETURN(std::vector<Picked> tls, PickTlsRoutes(current, ref, ref_path));
  DEVFLOW_ASSIGN_OR_RETURN(std::vector<Picked> tcp, PickTcpRoutes(current, ref, ref_path));
  DEVFLOW_RETURN_IF_ERROR(WeighRoutes(desired.spec.http, http, "http", current, roles, targets));
  DEVFLOW_RETURN_IF_ERROR(WeighRoutes(desired.spec.tls, tls, "tls", current, roles, targets));
  DEVFLOW_RETURN_IF_ERROR(WeighRoutes(desired.spec.tcp, tcp, "tcp", current, roles, targets));

  DEVFLOW_ASSIGN_OR_RETURN(std::vector<ManagedRouteInForce> in_force, RoutesInForce(targets));
  std::vector<api::IstioHTTPRoute> managed;
  if (!in_force.empty()) {
    // Header and mirror routes copy the canary destination (and a mirror route the weights) of
    // the first weighted http route, so they reach the same Service, subset and port.
    if (http.empty()) {
      return InvalidArgumentError(
          Describe(current) +
              " has no http route to copy the canary destination from, which "
              "the header and mirror routes need",
          Field(ref_path, "routes"));
    }
    const api::IstioHTTPRoute& first = desired.spec.http[http.front().index];
    const api::IstioDestination* canary = CanaryDestination(first.route, roles, targets);
    for (const ManagedRouteInForce& route : in_force) {
      managed.push_back(route.header != nullptr ? HeaderRoute(*route.header, *canary)
                                                : MirrorRoute(*route.mirror, first.route, *canary));
    }
  }
  desired.spec.http =
      WithManagedRoutes(desired.spec.http, targets.managed_routes, std::move(managed));
  return desired;
}

}  // namespace devflow::traffic::istio
