// Validation of the kinds of core_kinds.h, by the rules the Kubernetes API server applies.
//
// Each Validate returns every problem found (empty when valid), each with its path from the
// object root ("spec.ports[1].targetPort") and a message saying what is wrong and what is allowed.
// Pure: no I/O. Metadata common to all kinds (name syntax, labels) is checked by
// ValidateObjectMeta in object_check.h; these add only each kind's own rules.
#pragma once

#include <string>
#include <string_view>

#include "api/core_kinds.h"
#include "api/field_error.h"

namespace devflow::api {

// Service: type, ports (required unless ExternalName or headless; 1..65535; names required when
// several, unique DNS labels; protocol TCP|UDP|SCTP; targetPort a number or a port name;
// nodePort), selector syntax, sessionAffinity, externalTrafficPolicy, clusterIP(s), and
// metadata.name a DNS-1035 label.
FieldErrors Validate(const Service& service);
// Namespace: metadata.name a DNS label, spec.finalizers qualified names, status.phase.
FieldErrors Validate(const Namespace& ns);
// Secret: data/stringData keys, data values valid base64, total size <= 1 MiB, the keys the
// kubernetes.io/tls and kubernetes.io/dockerconfigjson types require.
FieldErrors Validate(const Secret& secret);
// Event: type Normal|Warning, involvedObject.kind, involvedObject.namespace matching the
// event's, reason and action lengths, count >= 0.
FieldErrors Validate(const Event& event);
// Lease: leaseDurationSeconds >= 1, leaseTransitions >= 0.
FieldErrors Validate(const Lease& lease);

// Returns "" when `name` is a DNS-1035 label (at most 63 lowercase letters, digits and '-',
// starting with a letter, ending with a letter or digit), else what is wrong and what is allowed.
// Service names; also Ingress backends' service names (networking_validation.cc).
std::string CheckDns1035Label(std::string_view name);

}  // namespace devflow::api
