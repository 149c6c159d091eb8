#include "controller/api_object_access.h"

#include "kube/api_client.h"

namespace devflow::controller {

Result<json::Value> ApiObjectAccess::Get(const kube::ResourceRef& resource, std::string_view ns,
                                         std::string_view name) {
  return client_.Get(resource, ns, name);
}

Result<json::Value> ApiObjectAccess::Create(const kube::ResourceRef& resource, std::string_view ns,
                                            const json::Value& object) {
  return client_.Create(resource, ns, object);
}

Result<json::Value> ApiObjectAccess::Update(const kube::ResourceRef& resource, std::string_view ns,
                                            const json::Value& object) {
  return client_.Update(resource, ns, object);
}

Status ApiObjectAccess::Delete(const kube::ResourceRef& resource, std::string_view ns,
                               std::string_view name) {
  return client_.Delete(resource, ns, name).status();
}

}  // namespace devflow::controller
