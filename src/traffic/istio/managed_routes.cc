#include "traffic/istio/managed_routes.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace devflow::traffic::istio {
namespace {

api::IstioStringMatch ToIstio(const api::RolloutStringMatch& match) {
  api::IstioStringMatch out;
  if (!match.exact.empty()) out.exact = match.exact;
  if (!match.prefix.empty()) out.prefix = match.prefix;
  if (!match.regex.empty()) out.regex = match.regex;
  return out;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

const std::string kManagedRoutesPath = "spec.strategy.canary.trafficRouting.managedRoutes";

}  // namespace

api::IstioHTTPRoute HeaderRoute(const api::SetHeaderRoute& header_route,
                                const api::IstioDestination& canary) {
  api::IstioHTTPRoute route;
  route.name = header_route.name;
  for (const api::HeaderRoutingMatch& match : header_route.match) {
    api::IstioHTTPMatchRequest request;
    request.headers[Lower(match.header_name)] =
        match.header_value ? ToIstio(*match.header_value) : api::IstioStringMatch{};
    route.match.push_back(std::move(request));
  }
  api::IstioRouteDestination destination;
  destination.destination = canary;
  destination.weight = 100;
  route.route.push_back(std::move(destination));
  return route;
}

api::IstioHTTPRoute MirrorRoute(const api::SetMirrorRoute& mirror_route,
                                const std::vector<api::IstioRouteDestination>& weighted_route,
                                const api::IstioDestination& canary) {
  api::IstioHTTPRoute route;
  route.name = mirror_route.name;
  for (const api::MirrorRouteMatch& match : mirror_route.match) {
    api::IstioHTTPMatchRequest request;
    if (match.method) request.method = ToIstio(*match.method);
    if (match.path) request.uri = ToIstio(*match.path);
    for (const auto& [name, value] : match.headers) request.headers[Lower(name)] = ToIstio(value);
    route.match.push_back(std::move(request));
  }
  route.route = weighted_route;
  route.mirror = canary;
  route.mirror_percentage =
      api::IstioPercent{.value = static_cast<double>(mirror_route.percentage.value_or(100))};
  return route;
}

bool InForce(const api::SetHeaderRoute& header_route) { return !header_route.match.empty(); }
bool InForce(const api::SetMirrorRoute& mirror_route) { return !mirror_route.match.empty(); }

Result<std::vector<ManagedRouteInForce>> RoutesInForce(const TrafficTargets& targets) {
  std::vector<ManagedRouteInForce> found;
  std::set<std::string> names;
  auto add = [&](ManagedRouteInForce route) -> Status {
    if (std::find(targets.managed_routes.begin(), targets.managed_routes.end(), route.name) ==
        targets.managed_routes.end()) {
      return InvalidArgumentError(
          "has no route named \"" + route.name + "\", which the current step sets; add it",
          kManagedRoutesPath);
    }
    if (!names.insert(route.name).second) {
      return InvalidArgumentError(
          "route \"" + route.name + "\" is set by both setHeaderRoute and setMirrorRoute",
          kManagedRoutesPath);
    }
    found.push_back(std::move(route));
    return Status::Ok();
  };
  for (const api::SetHeaderRoute& header : targets.header_routes) {
    if (InForce(header)) DEVFLOW_RETURN_IF_ERROR(add({.name = header.name, .header = &header}));
  }
  for (const api::SetMirrorRoute& mirror : targets.mirror_routes) {
    if (InForce(mirror)) DEVFLOW_RETURN_IF_ERROR(add({.name = mirror.name, .mirror = &mirror}));
  }
  std::vector<ManagedRouteInForce> ordered;
  for (const std::string& name : targets.managed_routes) {
    for (const ManagedRouteInForce& route : found) {
      if (route.name == name) ordered.push_back(route);
    }
  }
  return ordered;
}

std::vector<api::IstioHTTPRoute> WithManagedRoutes(
    const std::vector<api::IstioHTTPRoute>& http,
    const std::vector<std::string>& managed_route_names,
    std::vector<api::IstioHTTPRoute> in_force) {
  std::vector<api::IstioHTTPRoute> out = std::move(in_force);
  for (const api::IstioHTTPRoute& route : http) {
    bool managed = std::find(managed_route_names.begin(), managed_route_names.end(), route.name) !=
                   managed_route_names.end();
    if (!managed) out.push_back(route);
  }
  return out;
}

}  // namespace devflow::traffic::istio
