// ResourceCatalog: the REST resources the embedded API server serves, built in and defined by
// CustomResourceDefinitions, in one table that routing, validation and discovery read.
//
// Built-in resources are every kind of api::BuiltinKinds() (which includes the argoproj.io kinds:
// devflow validates Rollouts itself, as Argo's controller does) plus
// apiextensions.k8s.io/v1 customresourcedefinitions. A CRD adds one resource per version it
// serves; deleting the CRD removes them (the REST layer deletes the stored custom resources).
//
// A CRD that names a built-in resource (Argo Rollouts' own rollouts.argoproj.io CRD, applied by a
// user who installs Argo's manifests unchanged) is accepted and stored, but the built-in entry
// stays in force: validation and discovery keep devflow's definition.
//
// Discovery categories: Kubernetes' own ("all" for pods, services, deployments, replicasets and
// jobs; "api-extensions" for customresourcedefinitions), the Gateway API's ("gateway-api") and
// Istio's ("istio-io", "networking-istio-io") as their CRDs declare them; Argo Rollouts' CRDs
// declare none. Each built-in kind is served at the one version api::BuiltinKinds() gives it.
//
// Thread-safety: every method may be called from any thread; lookups return copies.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/field_error.h"
#include "api/kinds.h"
#include "common/json_value.h"
#include "common/status.h"

namespace devflow::apiserver {

struct ResourceInfo {
  std::string group;      // "" for the core group
  std::string version;    // "v1alpha1"
  std::string kind;       // "Rollout"
  std::string list_kind;  // "RolloutList"
  std::string plural;     // "rollouts"
  std::string singular;   // "rollout"
  std::vector<std::string> short_names;
  std::vector<std::string> categories;  // discovery categories ("all")
  bool namespaced = true;
  // The object's status is written only through the /status subresource; writes to the main
  // resource keep the stored status, and status changes do not bump metadata.generation.
  bool status_subresource = false;
  // Decodes and validates an object of this kind beyond the generic metadata checks
  // (api::ValidateObjectMeta); nullptr for custom resources, which are checked only for
  // well-formed metadata (devflow does not evaluate OpenAPI schemas).
  api::FieldErrors (*check)(const json::Value& object) = nullptr;
  api::NameRule name_rule = api::NameRule::kDnsSubdomain;
  // Defined by a CustomResourceDefinition (named `crd_name`, "rollouts.argoproj.io").
  bool custom = false;
  std::string crd_name;

  // "argoproj.io/v1alpha1", or "v1" for the core group.
  std::string ApiVersion() const;
  // The key the object store uses: "apps/replicasets", or "pods" for the core group.
  std::string StoreResource() const;
  friend bool operator==(const ResourceInfo&, const ResourceInfo&) = default;
};

// The resources one version of an API group serves, as discovery lists them.
struct ApiGroupVersion {
  std::string version;                  // "v1alpha1"
  std::vector<ResourceInfo> resources;  // by plural
  friend bool operator==(const ApiGroupVersion&, const ApiGroupVersion&) = default;
};

// One API group and the versions it serves.
struct ApiGroup {
  std::string name;  // "" for the core group
  // Never empty. The preferred version first: the versions in Kubernetes' priority order
  // (VersionHasPriority), as kube-apiserver orders a CRD's versions.
  std::vector<ApiGroupVersion> versions;
  friend bool operator==(const ApiGroup&, const ApiGroup&) = default;
};

// Kubernetes' version priority (k8s.io/apimachinery version.CompareKubeAwareVersionStrings):
// true when version `a` sorts before `b`. Names of the form vMAJOR[(alpha|beta)MINOR] come
// first: GA before beta before alpha, then the higher major, then the higher minor
// (v2 > v1 > v1beta2 > v1beta1 > v1alpha1); other names follow in alphabetical order.
bool VersionHasPriority(std::string_view a, std::string_view b);

class ResourceCatalog {
 public:
  // A catalog of the built-in resources.
  ResourceCatalog();
  ~ResourceCatalog();
  ResourceCatalog(const ResourceCatalog&) = delete;
  ResourceCatalog& operator=(const ResourceCatalog&) = delete;

  // The resource served at /apis/GROUP/VERSION/PLURAL (or /api/v1/PLURAL), or nullopt.
  std::optional<ResourceInfo> Find(std::string_view group, std::string_view version,
                                   std::string_view plural) const;
  // The resource of kind `kind` in apiVersion `api_version` ("apps/v1"), or nullopt.
  std::optional<ResourceInfo> FindKind(std::string_view api_version, std::string_view kind) const;
  // Every resource, built-in first, in a stable order (group, version, plural).
  std::vector<ResourceInfo> All() const;
  // Every resource grouped by API group and version, read in one consistent view (a concurrent
  // AddCrd is seen whole or not at all): the core group first, then the other groups that have
  // built-in resources, by name, then the groups only CRDs define, by name. Discovery serves it.
  std::vector<ApiGroup> Groups() const;

  // Checks a CustomResourceDefinition (apiextensions.k8s.io/v1) as kube-apiserver does for
  // what devflow uses: spec.group, spec.names (plural, singular, kind, listKind, shortNames,
  // categories), spec.scope (Namespaced|Cluster), spec.versions (name, served, storage: exactly
  // one storage version; subresources.status), and metadata.name == "<plural>.<group>".
  // Returns every problem with its field path; empty when valid.
  //
  // Kubernetes' defaults are applied first (names.singular = lowercase kind, names.listKind =
  // kind + "List"), and every version needs schema.openAPIV3Schema, as apiextensions/v1
  // requires (devflow stores the schema but does not evaluate it). Messages are
  // kube-apiserver's field error details ("should be a domain with at least one dot", "must
  // have exactly one version marked as storage version", DNS label rules word for word), and
  // "is required: ..." for a missing field, as devflow's validators say it; the caller adds
  // "Invalid value: ..." as api_status.h does. metadata.name's syntax (and presence) is left to
  // api::ValidateObjectMeta; the
  // customresourcedefinitions entry's ResourceInfo::check is nullptr, so a caller that runs
  // both does not report a problem twice.
  static api::FieldErrors ValidateCrd(const json::Value& crd);

  // Adds (or replaces) the resources the CRD defines, one per served version. REQUIRES:
  // ValidateCrd(crd) is empty. Returns FailedPrecondition when another CRD already defines the
  // same group and plural, or the same group and kind (kube-apiserver's NamesAccepted=False).
  //
  // Details, as kube-apiserver's naming controller decides them: the CRD's plural, singular and
  // short names must not be used as a plural, singular or short name by another resource of the
  // group, nor its kind and listKind as a kind or list kind. The Status message is Kubernetes'
  // NamesAccepted condition message (`"foo" is already in use`); the catalog is left unchanged
  // (a replaced CRD keeps its previous resources). A CRD whose group and plural, or group and
  // kind, are a built-in resource's is accepted (Ok) and serves nothing: the built-in entry stays
  // in force. InvalidArgument when ValidateCrd finds a problem after all, or metadata.name is
  // missing.
  Status AddCrd(const json::Value& crd);
  // Removes the resources of the CRD named `crd_name`; unknown names are ignored.
  void RemoveCrd(std::string_view crd_name);

 private:
  std::optional<ResourceInfo> FindIf(const std::function<bool(const ResourceInfo&)>& matches) const;

  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace devflow::apiserver
