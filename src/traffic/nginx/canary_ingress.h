// The canary Ingress of the `nginx` router: for each stable Ingress the Rollout names, an
// Ingress `<rollout>-<stableIngress>-canary` that ingress-nginx treats as the canary of the
// stable one (annotation <prefix>/canary) and sends <prefix>/canary-weight of its traffic to.
// Pure functions, tested by tables; NginxRouter (nginx_router.h) reads and writes the objects.
//
// The desired canary Ingress (argo-rollouts.md §1.5 nginx, §8.7), as Argo Rollouts builds it:
//   - spec: the stable Ingress's rules that route to stableService, holding only those paths,
//     their backends rewritten to canaryService; the stable's tls and ingressClassName. Nothing
//     else (defaultBackend, other paths) is copied. Argo keeps a copied rule's other paths (to
//     other Services); devflow drops them, so the canary Ingress claims only the paths it splits.
//   - annotations, later entries winning: the stable's kubernetes.io/ingress.class;
//     additionalIngressAnnotations, each key prefixed with "<prefix>/" unless it already starts
//     with the prefix; canaryIngressAnnotations verbatim; then the router's own
//     <prefix>/canary: "true", <prefix>/canary-weight: "<canary_weight>" and, when max_weight is
//     not 100, <prefix>/canary-weight-total: "<max_weight>". (Argo writes canary-weight-total
//     whenever maxTrafficWeight is set, even to 100; TrafficTargets carries only the value, and
//     ingress-nginx's default total is 100, so the traffic is the same.) The router's own keys
//     win over canaryIngressAnnotations, as in Argo, so no annotation can detach the weight.
//   - ownerReferences: the Rollout, as controller (argoproj.io/v1alpha1 Rollout, name, uid,
//     controller and blockOwnerDeletion true), so deleting the Rollout deletes it.
// On an existing canary Ingress, devflow replaces the spec and sets its annotations but keeps
// annotations and labels other tools wrote (Argo keeps the annotations too, for controllers
// such as Rancher), and its resourceVersion, so the write is conditional.
//
// Header and mirror routes: Argo's nginx router implements neither (its SetHeaderRoute and
// SetMirrorRoute do nothing), so devflow ignores TrafficTargets::header_routes/mirror_routes for
// nginx rather than rejecting them. A header split can still be had with
// additionalIngressAnnotations (canary-by-header, canary-by-header-value/-pattern), which
// ingress-nginx evaluates before the weight. Experiment destinations are ignored as well.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "api/networking.h"
#include "api/rollout_traffic_routing.h"
#include "common/result.h"
#include "traffic/traffic_router.h"

namespace devflow::traffic::nginx {

// Kubernetes' limit on an object name (a DNS subdomain).
inline constexpr size_t kMaxNameLength = 253;

// "<rollout>-<stable_ingress>-canary"; when longer than 253 characters, "<rollout>-<stable>" is
// cut so that the name with "-canary" is 253 long (Argo's GetCanaryIngressName).
std::string CanaryIngressName(std::string_view rollout, std::string_view stable_ingress);

// nginx.annotationPrefix, or its default (api::defaults::kNginxAnnotationPrefix).
std::string AnnotationPrefix(const api::NginxTrafficRouting& config);

// The annotations the router writes on the canary Ingress of `stable` (precedence above).
std::map<std::string, std::string> CanaryAnnotations(const api::Ingress& stable,
                                                     const api::NginxTrafficRouting& config,
                                                     const TrafficTargets& targets);

// The canary Ingress for `stable`: a new object when `current` is null, else `current` brought
// to the desired state (rules above). `stable_path` is the field naming the stable Ingress
// (spec.strategy.canary.trafficRouting.nginx.stableIngress or .stableIngresses[i]).
// Errors: InvalidArgument at `stable_path` when no path of `stable` routes to stableService;
// FailedPrecondition when `current` is not controlled by this Rollout (another object owns the
// name: devflow will not take it over; delete it or rename the Rollout).
Result<api::Ingress> DesiredCanaryIngress(const api::Ingress& stable, const api::Ingress* current,
                                          const api::NginxTrafficRouting& config,
                                          std::string_view stable_path,
                                          const TrafficTargets& targets);

}  // namespace devflow::traffic::nginx
