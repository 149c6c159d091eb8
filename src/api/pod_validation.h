// Validation of Pods and pod templates: the subset of Kubernetes' pod validation devflow applies
// at admission and lint, so a manifest the cluster would reject is rejected first with the
// same field path.
//
// Every function collects all errors (never stops at the first); each error carries the full
// path from the object root and a message saying what is wrong and what is allowed. Pure: no I/O.
//
// Rules (paths relative to the pod spec):
//   containers             at least one
//   containers[*].name     a DNS label, unique across containers and initContainers
//   containers[*].image    required
//   ports[*]               containerPort 1..65535; hostPort 0 or 1..65535; protocol TCP, UDP
//                          or SCTP; name an IANA_SVC_NAME (<= 15 characters) unique in the
//                          container
//   *Probe                 exactly one handler (httpGet, tcpSocket, exec, grpc); numbers >= 0;
//                          successThreshold 1 for liveness and startup probes; handler ports valid
//   env[*]                 name non-empty without '='; value and valueFrom exclusive; valueFrom
//                          holds exactly one source
//   resources              quantities >= 0; each request <= its limit
//   restartPolicy          see RestartPolicyRule
//   dnsPolicy, imagePullPolicy, terminationMessagePolicy: their enumerations
//   terminationGracePeriodSeconds >= 0; activeDeadlineSeconds >= 1
// Explicit zeros in probe numbers are accepted, as Kubernetes accepts them: its defaulting turns
// 0 into the default (periodSeconds 0 means 10) before validating.
#pragma once

#include "api/field_error.h"
#include "api/pod.h"
#include "common/field_path.h"

namespace devflow::api {

// Which spec.restartPolicy values the owner of a pod template allows. Empty means Always.
enum class RestartPolicyRule {
  kAny,         // a bare Pod: Always, OnFailure or Never
  kAlwaysOnly,  // ReplicaSet, Deployment, Rollout, Experiment templates: Always
  kNotAlways,   // Job templates: OnFailure or Never (so it must be set)
};

// Validates a pod spec at `path` (e.g. "spec" for a Pod, "spec.template.spec" for a workload).
// Appends to *errors.
void ValidatePodSpec(const PodSpec& spec, const FieldPath& path, RestartPolicyRule rule,
                     FieldErrors* errors);

// Validates a pod template at `path` (e.g. "spec.template"): its metadata labels and annotations
// (syntax only) and its spec with `rule` (default: a ReplicaSet's, Always only). Appends to
// *errors. The Rollout and Experiment validations call this.
void ValidatePodTemplate(const PodTemplateSpec& tmpl, const FieldPath& path, FieldErrors* errors,
                         RestartPolicyRule rule = RestartPolicyRule::kAlwaysOnly);

// Validates a Pod's spec (metadata is checked by object_check's ValidateObjectMeta).
FieldErrors Validate(const Pod& pod);

// Returns "" when `name` is a valid IANA_SVC_NAME (a named port), else what is wrong.
std::string CheckPortName(std::string_view name);

}  // namespace devflow::api
