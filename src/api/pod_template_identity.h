// Pod template identity: when two pod templates are "the same", and the pod-template hash that
// names a Rollout's ReplicaSets (<rollout>-<hash>, label rollouts-pod-template-hash).
//
// This is the rule that lets devflow adopt an existing Argo Rollouts deployment without
// restarting pods: a Rollout's desired template (as the user wrote it) is compared with the
// template of each live ReplicaSet (as the API server stored it, with Kubernetes' pod defaults
// filled in and the hash label added). Equality, not the hash, decides which ReplicaSet is the
// Rollout's current one, as the semantic-equality fallback of Argo's FindNewReplicaSet does.
//
// Both functions work on a canonical json::Value form of the template, so fields devflow does
// not model (kept in `extra`) take part too. The canonical form is built by:
//   1. encoding the template and removing metadata.labels[rollouts-pod-template-hash]
//      (defaults::kPodTemplateHashLabel) and spec.serviceAccount (the deprecated alias the API
//      server copies from serviceAccountName; Argo ignores it too);
//   2. dropping null members, empty lists and empty objects everywhere (apimachinery's semantic
//      equality treats nil and empty lists and maps alike; an empty struct behaves as an absent
//      one for every pod field);
//   3. applying Kubernetes' pod-template defaults:
//        spec: restartPolicy Always, terminationGracePeriodSeconds 30, dnsPolicy ClusterFirst,
//          schedulerName default-scheduler, securityContext {}, enableServiceLinks true;
//        containers and initContainers: terminationMessagePath /dev/termination-log,
//          terminationMessagePolicy File, imagePullPolicy Always when the image tag is "latest"
//          or absent (and no digest), else IfNotPresent; ports[].protocol TCP (and hostPort =
//          containerPort under hostNetwork); env[].valueFrom.fieldRef.apiVersion v1;
//        probes: timeoutSeconds 1, periodSeconds 10, successThreshold 1, failureThreshold 3
//          (an explicit 0 means the default, as in Kubernetes), httpGet.scheme HTTP,
//          grpc.service ""; lifecycle handlers' httpGet.scheme HTTP;
//        volumes: a volume with no source is an emptyDir; secret, configMap, downwardAPI and
//          projected defaultMode 420 (0644); hostPath.type "";
//   4. rewriting every container resource quantity (and emptyDir.sizeLimit) as its exact
//      decimal value, so "500m" and "0.5" (or "1Gi" and "1024Mi") compare equal;
//   5. repeating step 2 (defaults such as securityContext {} are empty objects).
// Any other difference (image, env order, an unknown field) makes the templates differ.
//
// Not handled here: Argo also strips the ephemeral canary/stable metadata and the injected
// anti-affinity term before comparing; the caller removes those first.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "api/pod.h"
#include "common/json_value.h"

namespace devflow::api {

// Returns the canonical form described above. Object members are sorted by key at every level,
// so json::Write of the result is a stable byte string.
json::Value CanonicalPodTemplate(const PodTemplateSpec& tmpl);

// True when `desired` and `live` are the same template: their canonical forms are equal.
bool SemanticallyEqual(const PodTemplateSpec& desired, const PodTemplateSpec& live);

// The pod-template hash of `tmpl`: FNV-32a over json::Write(CanonicalPodTemplate(tmpl)); when
// `collision_count` is set, 8 more bytes are hashed (the count as a uint32, little-endian, then
// 4 zero bytes). The decimal form of the 32-bit sum is then mapped character by character
// through "bcdfghjklmnpqrstvwxz2456789" (alphabet[c % 27]), Argo's safe encoding, so the result
// is a valid label value and name suffix of up to 10 characters.
//
// NOT byte-identical with Argo Rollouts' hash, which hashes Go's encoding/json output of the
// un-defaulted template (Go struct field order, `creationTimestamp: null`, `resources: {}`).
// A ReplicaSet created by Argo therefore keeps its name and label; devflow finds it through
// SemanticallyEqual and never through this hash. Stable across runs and platforms: changing
// the canonical form changes the names of new ReplicaSets, so treat it as a wire format.
std::string PodTemplateHash(const PodTemplateSpec& tmpl, std::optional<int32_t> collision_count);

// Argo's SafeEncodeString: maps each character c of `s` to alphabet[c % 27]. Exposed for tests
// and for names derived the same way.
std::string SafeEncodeString(std::string_view s);

}  // namespace devflow::api
