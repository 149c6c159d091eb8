// ApiObjectAccess: the traffic routers' ObjectAccess (traffic/traffic_router.h) over the API
// client, so routers read and write VirtualServices, Ingresses and HTTPRoutes on whichever
// server the controller talks to. Updates carry the resourceVersion the router read (Conflict
// when stale); nothing is retried here (the routers retry, the controller requeues).
// Thread-safety: as the client's (any thread).
#pragma once

#include "traffic/traffic_router.h"

namespace devflow::kube {
class ApiClient;
}

namespace devflow::controller {

class ApiObjectAccess : public traffic::ObjectAccess {
 public:
  explicit ApiObjectAccess(kube::ApiClient& client) : client_(client) {}

  Result<json::Value> Get(const kube::ResourceRef& resource, std::string_view ns,
                          std::string_view name) override;
  Result<json::Value> Create(const kube::ResourceRef& resource, std::string_view ns,
                             const json::Value& object) override;
  Result<json::Value> Update(const kube::ResourceRef& resource, std::string_view ns,
                             const json::Value& object) override;
  Status Delete(const kube::ResourceRef& resource, std::string_view ns,
                std::string_view name) override;

 private:
  kube::ApiClient& client_;
};

}  // namespace devflow::controller
