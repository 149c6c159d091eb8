// Discovery: the read-only documents through which kubectl and client-go learn what the embedded
// API server serves. Every answer is built from the ResourceCatalog at the time of the request,
// so a CRD's resources appear as soon as AddCrd returns.
//
// API level. devflow claims Kubernetes 1.31 (/version: major "1", minor "31", gitVersion
// "v1.31.0+devflow"): the REST semantics it implements are those of kube-apiserver 1.31
// (aggregated discovery apidiscovery.k8s.io/v2, GA in 1.30; server-side field validation, GA in
// 1.27; apiextensions.k8s.io/v1 CRDs), and 1.31 keeps every kubectl from 1.30 to 1.32 inside
// Kubernetes' supported skew of one minor version (1.32 is Debian's and this machine's default).
// kubectl 1.27 to 1.33 all work against it (the DiscoveryKubectl tests run the oldest and the
// newest installed).
//
// Paths (GET requests only; ServeDiscovery answers nullopt for any other method or path, which
// the REST layer then routes). One trailing '/' is ignored.
//   /api                  APIVersions {"versions":["v1"],"serverAddressByClientCIDRs":[{
//                         "clientCIDR":"0.0.0.0/0","serverAddress":<the request's Host>}]}
//   /api/v1               APIResourceList of the core group
//   /apis                 APIGroupList: each group's versions (preferred first) and
//                         preferredVersion; the core group is not listed, as in Kubernetes
//   /apis/G               APIGroup
//   /apis/G/V             APIResourceList
//   /version              version.Info (no goVersion: devflow is not a Go program)
//   /openapi/v2, /openapi/v3, /openapi/v3/api/v1, /openapi/v3/apis/G/V   see below
// Another version under /api, or a group or version under /apis that nothing serves: 404 with a
// Status body ("the server could not find the requested resource", reason NotFound).
//
// APIResourceList entries carry name, singularName, namespaced, kind, verbs, shortNames and
// categories (the last two omitted when empty), sorted by name; a resource with a status
// subresource is followed by "PLURAL/status" (singularName "", verbs get, patch, update). Verbs
// are Kubernetes' for the resource: create, delete, deletecollection, get, list, patch, update,
// watch (namespaces have no deletecollection, as in Kubernetes).
//
// Aggregated discovery. kubectl 1.27-1.29 send /api and /apis with
//   Accept: application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,
//           application/json
// and kubectl 1.30+ put ...;v=v2;... first. The Accept list is negotiated in order (q values
// honoured): the v2 or v2beta1 APIGroupDiscoveryList (every group, version and resource in one
// document, Content-Type naming the format) when it comes first, else the classic document.
// A request that accepts neither gets the classic JSON document (no 406). Both answers carry
// "Vary: Accept".
//
// OpenAPI: the smallest documents that let kubectl's default validation (--validate=strict
// since 1.25) leave validation to devflow. What kubectl does (found by running 1.27..1.33
// against a recording server):
//   - create, replace and apply first ask whether the server validates fields itself: kubectl
//     1.27+ read GET /openapi/v3 (Accept "application/json, */*"), then the document of the
//     object's group version (GET /openapi/v3/apis/G/V?hash=H, Accept application/json), and
//     look for the PATCH operation of the object's item path tagged with the kind
//     (x-kubernetes-group-version-kind) that declares the query parameter "fieldValidation". If
//     it does, kubectl sends the write with ?fieldValidation=Strict and skips client-side
//     schema validation. Without these documents create/replace/apply fail with "failed to
//     download openapi".
//   - kubectl 1.27 and 1.28 also fetch GET /openapi/v2 eagerly (Accept
//     "application/com.github.proto-openapi.spec.v2@v1.0+protobuf") and fail when it is
//     missing or not protobuf; apply (all versions) reads it, when it is there, to look for a
//     patch strategy of the kind, and otherwise uses a JSON merge patch for kinds it does not
//     compile in (custom resources) and its built-in strategic merge patch for the others.
// So devflow serves, for every resource in the catalog, exactly that PATCH operation:
//   /openapi/v3            {"paths":{"apis/G/V":{"serverRelativeURL":
//                          "/openapi/v3/apis/G/V?hash=H"},"api/v1":{...}}}, H a hash of the
//                          group version's document (it changes with CRDs)
//   /openapi/v3/apis/G/V   an OpenAPI 3.0 document: for each resource of G/V its item path
//                          (/apis/G/V[/namespaces/{namespace}]/PLURAL/{name}) with a "patch"
//                          operation: parameters [fieldValidation (query, string)], responses
//                          {"200"}, x-kubernetes-group-version-kind {group, version, kind}
//   /openapi/v2            the same operations in one Swagger 2.0 document: gnostic's
//                          openapi_v2.Document protobuf when Accept names
//                          application/com.github.proto-openapi.spec.v2 (Content-Type
//                          "application/com.github.proto-openapi.spec.v2.v1.0+protobuf": Go's
//                          mime parser rejects the '@' form kubectl sends), JSON otherwise
// No schemas: `kubectl explain` finds nothing, and apply computes patches as described above.
//
// Thread-safety: pure apart from reading the catalog (which is thread-safe); call from any
// thread.
#pragma once

#include <optional>

#include "apiserver/resource_catalog.h"
#include "http/message.h"

namespace devflow::apiserver {

// The Kubernetes API level devflow claims (see the top of this file).
inline constexpr const char kKubernetesMajor[] = "1";
inline constexpr const char kKubernetesMinor[] = "31";
inline constexpr const char kKubernetesGitVersion[] = "v1.31.0+devflow";

// Answers a discovery request (a GET of one of the paths above): 200 with the document, or 404
// with a Status for an unknown group or version. nullopt when `request` is not a discovery
// request (another method, or a path such as /api/v1/pods), for the caller to route.
std::optional<http::Response> ServeDiscovery(const ResourceCatalog& catalog,
                                             const http::Request& request);

}  // namespace devflow::apiserver
