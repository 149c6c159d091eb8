#include "traffic/router_registry.h"

#include "traffic/gateway_api/gateway_api_config.h"
#include "traffic/gateway_api/gateway_api_router.h"
#include "traffic/istio/istio_router.h"
#include "traffic/nginx/nginx_router.h"

namespace devflow::traffic {
namespace {

constexpr char kPath[] = "spec.strategy.canary.trafficRouting.";

Status Unsupported(const std::string& key) {
  std::string known;
  for (const std::string& name : KnownRouterKeys()) known += (known.empty() ? "" : ", ") + name;
  return FailedPreconditionError(
      std::string(kPath) + key +
      ": this traffic router is not supported by devflow (supported: " + known + ")");
}

}  // namespace

std::vector<std::string> KnownRouterKeys() {
  return {"istio", "nginx", "plugins/" + std::string(gateway_api::kPluginName)};
}

Result<std::vector<std::unique_ptr<TrafficRouter>>> BuildRouters(
    const api::RolloutTrafficRouting& routing) {
  if (routing.alb) return Unsupported("alb");
  if (routing.smi) return Unsupported("smi");
  if (routing.ambassador) return Unsupported("ambassador");
  if (routing.app_mesh) return Unsupported("appMesh");
  if (routing.traefik) return Unsupported("traefik");
  if (routing.apisix) return Unsupported("apisix");
  std::vector<std::unique_ptr<TrafficRouter>> routers;
  if (routing.istio) {
    DEVFLOW_ASSIGN_OR_RETURN(std::unique_ptr<TrafficRouter> router,
                             istio::MakeIstioRouter(*routing.istio));
    routers.push_back(std::move(router));
  }
  if (routing.nginx) {
    DEVFLOW_ASSIGN_OR_RETURN(std::unique_ptr<TrafficRouter> router,
                             nginx::MakeNginxRouter(*routing.nginx));
    routers.push_back(std::move(router));
  }
  for (const auto& [name, config] : routing.plugins) {
    if (name != gateway_api::kPluginName) return Unsupported("plugins." + name);
    DEVFLOW_ASSIGN_OR_RETURN(std::unique_ptr<TrafficRouter> router,
                             gateway_api::MakeGatewayApiRouter(config));
    routers.push_back(std::move(router));
  }
  return routers;
}

}  // namespace devflow::traffic
