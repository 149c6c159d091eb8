// Validation of the kinds of networking.h: Ingress by the Kubernetes API server's rules, Gateway
// and HTTPRoute by the Gateway API CRDs' schema and CEL rules (v1), VirtualService and
// DestinationRule by Istio's validation webhook.
//
// Each Validate returns every problem found (empty when valid), each with its path from the
// object root ("spec.rules[0].backendRefs[1].weight") and a message saying what is wrong and what
// is allowed. Pure: no I/O. Metadata common to all kinds is checked by ValidateObjectMeta in
// object_check.h.
//
// Regular expressions (Gateway API RegularExpression matches, Istio `regex`) are compiled with
// std::regex's ECMAScript grammar after removing a leading RE2 flag group such as "(?i)"; the data
// planes use RE2 or PCRE, which accept a few constructs ECMAScript rejects (e.g. (?P<name>...)).
#pragma once

#include "api/field_error.h"
#include "api/networking.h"

namespace devflow::api {

// Ingress: rules or defaultBackend; hosts are DNS names (wildcard "*." allowed), not IPs; each
// http rule has paths; pathType Exact|Prefix|ImplementationSpecific; paths absolute and, for
// Exact/Prefix, free of "//", "/./", "/../", "%2f"; each backend names exactly one of a service
// (a DNS-1035 name with exactly one of port name and number 1..65535) and a resource;
// ingressClassName and tls[].secretName DNS subdomains.
FieldErrors Validate(const Ingress& ingress);
// Gateway: gatewayClassName required; 1..64 listeners with unique DNS-label names, port
// 1..65535, protocol HTTP|HTTPS|TLS|TCP|UDP (or "domain/name"); no hostname for TCP/UDP; no tls
// for HTTP/TCP/UDP.
FieldErrors Validate(const Gateway& gateway);
// HTTPRoute: Gateway API limits (32 parentRefs, 16 hostnames, 16 rules, 64 matches per rule and
// 128 in all, 16 headers/queryParams/filters/backendRefs); path, header and query matches;
// methods; filter types and their members; RequestMirror percent/fraction; backendRef weight
// 0..1000000 and port 1..65535 (required for Services); unique rule names.
FieldErrors Validate(const HTTPRoute& route);
// VirtualService: hosts required; at least one http/tls/tcp route; every destination has a host;
// weights 0..100, summing to 100 when a route has several destinations; StringMatch sets exactly
// one of exact|prefix|regex (none = presence, for headers/queryParams/withoutHeaders only);
// regexes compile; header names lowercase; mirror host and mirrorPercentage 0..100; tls routes
// need matches with sniHosts; tls/tcp routes need destinations; exportTo values.
FieldErrors Validate(const VirtualService& vs);
// DestinationRule: host required; subsets have unique DNS-label names and valid labels; exportTo.
FieldErrors Validate(const DestinationRule& rule);

}  // namespace devflow::api
