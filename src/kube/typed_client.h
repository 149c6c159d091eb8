// TypedClient<T>: the verbs of ApiClient for one kind of src/api/ (api::Rollout, api::Service,
// ...), with objects as the typed structs instead of json::Value.
//
// Objects are decoded with api::Decode<T> and encoded with api::Encode, so members devflow does
// not model survive a read-modify-write (they ride in `extra`). An answer that does not decode as
// T (a member of the wrong type) is InvalidArgument "decoding KIND NS/NAME: PATH: WHY" with the
// first bad field as field_path; the fields that did decode are not returned. Every other error
// is ApiClient's.
//
// A thin, copyable handle: it borrows the ApiClient, which must outlive it; thread-safe as the
// ApiClient is.
#pragma once

#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/analysis_codec.h"
#include "api/core_kinds_codec.h"
#include "api/decode.h"
#include "api/experiment_codec.h"
#include "api/kinds.h"
#include "api/networking_codec.h"
#include "api/pod_codec.h"
#include "api/rollout_codec.h"
#include "api/workloads_codec.h"
#include "kube/api_client.h"

namespace devflow::kube {

// The apiVersion and kind of a typed struct of src/api/; specialised below for every kind of
// api::BuiltinKinds().
template <class T>
struct KindOf;

#define DEVFLOW_KIND_OF_(Type, api_version_, kind_)               \
  template <>                                                     \
  struct KindOf<api::Type> {                                      \
    static constexpr std::string_view kApiVersion = api_version_; \
    static constexpr std::string_view kKind = kind_;              \
  }
DEVFLOW_KIND_OF_(Rollout, "argoproj.io/v1alpha1", "Rollout");
DEVFLOW_KIND_OF_(AnalysisTemplate, "argoproj.io/v1alpha1", "AnalysisTemplate");
DEVFLOW_KIND_OF_(ClusterAnalysisTemplate, "argoproj.io/v1alpha1", "ClusterAnalysisTemplate");
DEVFLOW_KIND_OF_(AnalysisRun, "argoproj.io/v1alpha1", "AnalysisRun");
DEVFLOW_KIND_OF_(Experiment, "argoproj.io/v1alpha1", "Experiment");
DEVFLOW_KIND_OF_(ReplicaSet, "apps/v1", "ReplicaSet");
DEVFLOW_KIND_OF_(Deployment, "apps/v1", "Deployment");
DEVFLOW_KIND_OF_(Pod, "v1", "Pod");
DEVFLOW_KIND_OF_(Service, "v1", "Service");
DEVFLOW_KIND_OF_(Namespace, "v1", "Namespace");
DEVFLOW_KIND_OF_(Secret, "v1", "Secret");
DEVFLOW_KIND_OF_(Event, "v1", "Event");
DEVFLOW_KIND_OF_(Job, "batch/v1", "Job");
DEVFLOW_KIND_OF_(Lease, "coordination.k8s.io/v1", "Lease");
DEVFLOW_KIND_OF_(Ingress, "networking.k8s.io/v1", "Ingress");
DEVFLOW_KIND_OF_(Gateway, "gateway.networking.k8s.io/v1", "Gateway");
DEVFLOW_KIND_OF_(HTTPRoute, "gateway.networking.k8s.io/v1", "HTTPRoute");
DEVFLOW_KIND_OF_(VirtualService, "networking.istio.io/v1beta1", "VirtualService");
DEVFLOW_KIND_OF_(DestinationRule, "networking.istio.io/v1beta1", "DestinationRule");
#undef DEVFLOW_KIND_OF_

// The REST resource of T, from the kind registry.
template <class T>
ResourceRef ResourceOf() {
  const api::KindInfo* info = api::FindKind(KindOf<T>::kApiVersion, KindOf<T>::kKind);
  if (info == nullptr) {  // KindOf and BuiltinKinds disagree: a bug.
    std::cerr << "devflow: kind " << KindOf<T>::kKind << " is not in api::BuiltinKinds()\n";
    std::abort();
  }
  return ResourceFor(*info);
}

// One page of typed objects (ObjectList, decoded).
template <class T>
struct TypedList {
  std::vector<T> items;
  std::string resource_version;
  std::string continue_token;
};

template <class T>
class TypedClient {
 public:
  // The client for T's resource (ResourceOf<T>()).
  explicit TypedClient(ApiClient& client) : TypedClient(client, ResourceOf<T>()) {}
  // The client for `resource` (another version of the same schema, say).
  TypedClient(ApiClient& client, ResourceRef resource)
      : client_(&client), resource_(std::move(resource)) {}

  const ResourceRef& resource() const { return resource_; }

  // ApiClient::Get, decoded.
  Result<T> Get(std::string_view ns, std::string_view name) const {
    DEVFLOW_ASSIGN_OR_RETURN(json::Value object, client_->Get(resource_, ns, name));
    return Decoded(object);
  }

  // ApiClient::List, every item decoded (the first item that does not decode fails the list).
  Result<TypedList<T>> List(std::string_view ns, const ListRequest& request = {}) const {
    DEVFLOW_ASSIGN_OR_RETURN(ObjectList list, client_->List(resource_, ns, request));
    return DecodedList(list);
  }

  // ApiClient::ListAll, every item decoded.
  Result<TypedList<T>> ListAll(std::string_view ns, ListRequest request = {}) const {
    DEVFLOW_ASSIGN_OR_RETURN(ObjectList list, client_->ListAll(resource_, ns, std::move(request)));
    return DecodedList(list);
  }

  // ApiClient::Create of Encode(object) (apiVersion and kind filled in when empty).
  Result<T> Create(std::string_view ns, const T& object) const {
    DEVFLOW_ASSIGN_OR_RETURN(json::Value stored, client_->Create(resource_, ns, Encoded(object)));
    return Decoded(stored);
  }

  // ApiClient::Update of Encode(object): object.metadata.resource_version is the precondition.
  Result<T> Update(std::string_view ns, const T& object) const {
    DEVFLOW_ASSIGN_OR_RETURN(json::Value stored, client_->Update(resource_, ns, Encoded(object)));
    return Decoded(stored);
  }

  // ApiClient::UpdateStatus of Encode(object).
  Result<T> UpdateStatus(std::string_view ns, const T& object) const {
    DEVFLOW_ASSIGN_OR_RETURN(json::Value stored,
                             client_->UpdateStatus(resource_, ns, Encoded(object)));
    return Decoded(stored);
  }

  // ApiClient::Delete; the answer is left as JSON (an object or a Status).
  Result<json::Value> Delete(std::string_view ns, std::string_view name,
                             const DeleteRequest& request = {}) const {
    return client_->Delete(resource_, ns, name, request);
  }

 private:
  json::Value Encoded(const T& object) const {
    json::Value out = api::Encode(object);
    if (out.is_object()) {
      json::Object& members = out.as_object();
      const json::Value* version = members.Find("apiVersion");
      if (version == nullptr || (version->is_string() && version->as_string().empty())) {
        members.Set("apiVersion", resource_.ApiVersion());
      }
      const json::Value* kind = members.Find("kind");
      if (kind == nullptr || (kind->is_string() && kind->as_string().empty())) {
        members.Set("kind", resource_.kind);
      }
    }
    return out;
  }

  Result<T> Decoded(const json::Value& object) const {
    api::FieldErrors errors;
    T out = api::Decode<T>(object, &errors);
    if (errors.empty()) return out;
    std::string who = out.metadata.namespace_.empty()
                          ? out.metadata.name
                          : out.metadata.namespace_ + "/" + out.metadata.name;
    return InvalidArgumentError(
        "decoding " + resource_.kind + " " + who + ": " + api::ToString(errors.front()),
        errors.front().path.str());
  }

  Result<TypedList<T>> DecodedList(const ObjectList& list) const {
    TypedList<T> out{.resource_version = list.resource_version,
                     .continue_token = list.continue_token};
    out.items.reserve(list.items.size());
    for (const json::Value& item : list.items) {
      DEVFLOW_ASSIGN_OR_RETURN(T decoded, Decoded(item));
      out.items.push_back(std::move(decoded));
    }
    return out;
  }

  ApiClient* client_;
  ResourceRef resource_;
};

}  // namespace devflow::kube
