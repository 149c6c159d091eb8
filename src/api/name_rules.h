// Kubernetes' syntax rules for names, labels and annotations (k8s.io/apimachinery validation).
// Each returns an empty string when `s` is valid, else what is wrong and what is allowed.
#pragma once

#include <string>
#include <string_view>

namespace devflow::api {

// RFC 1123 subdomain: at most 253 characters of [a-z0-9.-], starting and ending alphanumeric.
// Object names of most kinds.
std::string CheckDnsSubdomain(std::string_view s);
// RFC 1123 label: at most 63 characters of [a-z0-9-], starting and ending alphanumeric.
// Namespace and Service names.
std::string CheckDnsLabel(std::string_view s);
// A label or annotation key: [prefix/]name, prefix a DNS subdomain, name at most 63 characters
// of [A-Za-z0-9-_.] starting and ending alphanumeric.
std::string CheckQualifiedName(std::string_view s);
// A label value: empty, or at most 63 characters of [A-Za-z0-9-_.] starting and ending
// alphanumeric.
std::string CheckLabelValue(std::string_view s);

}  // namespace devflow::api
