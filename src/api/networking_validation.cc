#include "api/networking_validation.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <regex>
#include <set>
#include <utility>

#include "api/core_kinds_validation.h"
#include "api/name_rules.h"
#include "api/pod_validation.h"
#include "api/validation_util.h"

namespace devflow::api {
namespace {

std::string CheckRange(int64_t value, int64_t lo, int64_t hi) {
  if (value >= lo && value <= hi) return {};
  return "must be " + std::to_string(lo) + ".." + std::to_string(hi) + ", got " +
         std::to_string(value);
}

// "must have at most 16 rules, got 17" when `count` exceeds `max`.
void CheckMaxItems(size_t count, size_t max, std::string_view what, const FieldPath& path,
                   FieldErrors& errors) {
  if (count <= max) return;
  AddFieldError(&errors, path,
                "must have at most " + std::to_string(max) + " " + std::string(what) + ", got " +
                    std::to_string(count));
}

bool IsIp(const std::string& s) {
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

// A hostname as Ingress and Gateway API take it: a DNS subdomain, optionally prefixed by the
// wildcard label "*.", and not an IP address.
std::string CheckHostname(const std::string& host) {
  if (IsIp(host)) return "must be a DNS name, not an IP address, got " + Quoted(host);
  std::string_view name = host;
  if (name.starts_with("*.")) name.remove_prefix(2);
  if (!CheckDnsSubdomain(name).empty()) {
    return "must be a DNS name (lowercase letters, digits, '-' and '.'), optionally prefixed by "
           "\"*.\", got " +
           Quoted(host);
  }
  return {};
}

// Gateway API SectionName (listener and rule names): ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$, <= 253.
std::string CheckSectionName(std::string_view name) {
  const std::string rule =
      "must be 1..253 lowercase letters, digits and '-', starting and ending with a letter or "
      "digit, got " +
      Quoted(name);
  if (name.empty() || name.size() > 253) return rule;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return rule;
  }
  if (name.front() == '-' || name.back() == '-') return rule;
  return {};
}

// Exact/prefix path syntax shared by Ingress and HTTPRoute: absolute, and none of the sequences
// a proxy would normalise away (so the match could be bypassed).
std::string CheckAbsolutePath(std::string_view path, bool forbid_hash) {
  if (!path.starts_with('/')) {
    return "must be an absolute path starting with '/', got " + Quoted(path);
  }
  for (std::string_view bad : {"//", "/./", "/../", "%2f", "%2F"}) {
    if (path.find(bad) != std::string_view::npos) {
      return "must not contain " + Quoted(bad) + ", got " + Quoted(path);
    }
  }
  if (forbid_hash && path.find('#') != std::string_view::npos) {
    return "must not contain '#', got " + Quoted(path);
  }
  for (std::string_view bad : {"/..", "/."}) {
    if (path.ends_with(bad)) return "must not end with " + Quoted(bad) + ", got " + Quoted(path);
  }
  return {};
}

// Compiles `pattern`. A leading RE2/PCRE flag group ("(?i)", "(?s)") is dropped first, since
// ECMAScript has no inline flags; "i" becomes the icase option.
std::string CheckRegex(std::string_view pattern) {
  std::string p(pattern);
  auto flags = std::regex::ECMAScript;
  if (p.starts_with("(?")) {
    size_t close = p.find(')');
    if (close != std::string::npos && close > 2 && p.find_first_not_of("imsU", 2) == close) {
      if (p.substr(2, close - 2).find('i') != std::string::npos) flags |= std::regex::icase;
      p.erase(0, close + 1);
    }
  }
  try {
    std::regex compiled(p, flags);
  } catch (const std::regex_error& e) {
    return "must be a valid regular expression, got " + Quoted(pattern) + " (" + e.what() + ")";
  }
  return {};
}

void ValidateLabelMap(const std::map<std::string, std::string>& labels, const FieldPath& path,
                      FieldErrors& errors) {
  for (const auto& [key, value] : labels) {
    AddFieldError(&errors, path.Child(key), CheckQualifiedName(key));
    AddFieldError(&errors, path.Child(key), CheckLabelValue(value));
  }
}

// ---- Ingress ----

void ValidateIngressBackend(const IngressBackend& backend, const FieldPath& path,
                            FieldErrors& errors) {
  bool has_service = backend.service.has_value();
  bool has_resource = !backend.resource.is_null();
  if (has_service == has_resource) {
    AddFieldError(&errors, path,
                  std::string("must set exactly one of service and resource, got ") +
                      (has_service ? "both" : "neither"));
  }
  if (!has_service) return;
  const IngressServiceBackend& service = *backend.service;
  FieldPath sp = path.Child("service");
  if (service.name.empty()) {
    AddFieldError(&errors, sp.Child("name"), "is required: the Service to send traffic to");
  } else {
    AddFieldError(&errors, sp.Child("name"), CheckDns1035Label(service.name));
  }
  FieldPath port = sp.Child("port");
  bool has_name = !service.port.name.empty();
  bool has_number = service.port.number != 0;
  if (has_name == has_number) {
    AddFieldError(&errors, port,
                  std::string("must set exactly one of name and number, got ") +
                      (has_name ? "both" : "neither"));
  } else if (has_number) {
    AddFieldError(&errors, port.Child("number"), CheckRange(service.port.number, 1, 65535));
  } else {
    AddFieldError(&errors, port.Child("name"), CheckPortName(service.port.name));
  }
}

void ValidateIngressPath(const HTTPIngressPath& path, const FieldPath& p, FieldErrors& errors) {
  AddFieldError(&errors, p.Child("pathType"),
                CheckOneOf(path.path_type, {"Exact", "Prefix", "ImplementationSpecific"}));
  if (path.path_type == "Exact" || path.path_type == "Prefix") {
    AddFieldError(&errors, p.Child("path"), CheckAbsolutePath(path.path, /*forbid_hash=*/false));
  } else if (!path.path.empty() && !path.path.starts_with('/')) {
    AddFieldError(&errors, p.Child("path"),
                  "must be empty or an absolute path starting with '/', got " + Quoted(path.path));
  }
  ValidateIngressBackend(path.backend, p.Child("backend"), errors);
}

// ---- HTTPRoute ----

bool IsHeaderNameChar(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string CheckHeaderName(std::string_view name) {
  const std::string rule =
      "must be 1..256 characters of letters, digits and !#$%&'*+-.^_`|~ (an HTTP token), got " +
      Quoted(name);
  if (name.empty() || name.size() > 256) return rule;
  if (!std::all_of(name.begin(), name.end(), IsHeaderNameChar)) return rule;
  return {};
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// headers[] or queryParams[] of one match. Header names compare case-insensitively, query
// parameter names exactly; a repeated name would be silently ignored by the data plane.
void ValidateValueMatches(const std::vector<HTTPHeaderMatch>& matches, bool header,
                          const FieldPath& path, FieldErrors& errors) {
  CheckMaxItems(matches.size(), 16, header ? "headers" : "queryParams", path, errors);
  std::set<std::string> seen;
  for (size_t i = 0; i < matches.size(); ++i) {
    const HTTPHeaderMatch& m = matches[i];
    FieldPath p = path.Index(i);
    std::string type = m.type.value_or("Exact");
    AddFieldError(&errors, p.Child("type"), CheckOneOf(type, {"Exact", "RegularExpression"}));
    AddFieldError(&errors, p.Child("name"), CheckHeaderName(m.name));
    if (!m.name.empty() && !seen.insert(header ? Lower(m.name) : m.name).second) {
      AddFieldError(&errors, p.Child("name"),
                    "duplicate name " + Quoted(m.name) + ": each " +
                        (header ? "header" : "query parameter") + " may be matched once per match" +
                        (header ? " (names are case-insensitive)" : ""));
    }
    if (m.value.empty()) {
      AddFieldError(&errors, p.Child("value"),
                    "is required: the value to match (1..4096 characters)");
    } else if (type == "RegularExpression") {
      AddFieldError(&errors, p.Child("value"), CheckRegex(m.value));
    }
  }
}

void ValidateRouteMatch(const HTTPRouteMatch& match, const FieldPath& p, FieldErrors& errors) {
  if (match.path) {
    std::string type = match.path->type.value_or("PathPrefix");
    std::string value = match.path->value.value_or("/");
    FieldPath pp = p.Child("path");
    AddFieldError(&errors, pp.Child("type"),
                  CheckOneOf(type, {"Exact", "PathPrefix", "RegularExpression"}));
    if (value.size() > 1024) {
      AddFieldError(&errors, pp.Child("value"),
                    "must be at most 1024 characters, got " + std::to_string(value.size()));
    } else if (type == "RegularExpression") {
      AddFieldError(&errors, pp.Child("value"), CheckRegex(value));
    } else if (type == "Exact" || type == "PathPrefix") {
      AddFieldError(&errors, pp.Child("value"), CheckAbsolutePath(value, /*forbid_hash=*/true));
    }
  }
  ValidateValueMatches(match.headers, /*header=*/true, p.Child("headers"), errors);
  ValidateValueMatches(match.query_params, /*header=*/false, p.Child("queryParams"), errors);
  if (match.method) {
    AddFieldError(&errors, p.Child("method"),
                  CheckOneOf(*match.method, {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT",
                                             "OPTIONS", "TRACE", "PATCH"}));
  }
}

// A core-group Service reference (the default when group and kind are unset) needs a port.
bool IsServiceRef(const std::optional<std::string>& group, const std::optional<std::string>& kind) {
  return group.value_or("").empty() && kind.value_or("Service") == "Service";
}

void ValidateBackendTarget(const std::string& name, const std::optional<std::string>& group,
                           const std::optional<std::string>& kind,
                           const std::optional<int32_t>& port, const FieldPath& p,
                           FieldErrors& errors) {
  if (name.empty()) AddFieldError(&errors, p.Child("name"), "is required: the backend's name");
  if (port) {
    AddFieldError(&errors, p.Child("port"), CheckRange(*port, 1, 65535));
  } else if (IsServiceRef(group, kind)) {
    AddFieldError(&errors, p.Child("port"), "is required for a Service backend (1..65535)");
  }
}

void ValidateMirror(const HTTPRequestMirrorFilter& mirror, const FieldPath& p,
                    FieldErrors& errors) {
  const BackendObjectReference& ref = mirror.backend_ref;
  ValidateBackendTarget(ref.name, ref.group, ref.kind, ref.port, p.Child("backendRef"), errors);
  if (mirror.percent && mirror.fraction) {
    AddFieldError(&errors, p, "must set at most one of percent and fraction, got both");
  }
  if (mirror.percent)
    AddFieldError(&errors, p.Child("percent"), CheckRange(*mirror.percent, 0, 100));
  if (mirror.fraction) {
    FieldPath fp = p.Child("fraction");
    int32_t numerator = mirror.fraction->numerator;
    int32_t denominator = mirror.fraction->denominator.value_or(100);
    if (numerator < 0) {
      AddFieldError(&errors, fp.Child("numerator"),
                    "must be >= 0, got " + std::to_string(numerator));
    }
    if (denominator < 1) {
      AddFieldError(&errors, fp.Child("denominator"),
                    "must be >= 1, got " + std::to_string(denominator));
    } else if (numerator > denominator) {
      AddFieldError(&errors, fp,
                    "numerator must be at most denominator, got " + std::to_string(numerator) +
                        "/" + std::to_string(denominator));
    }
  }
}

// Which member each filter type requires (and every other type forbids).
struct FilterMember {
  std::string_view type;
  std::string_view json_name;
  bool (*is_set)(const HTTPRouteFilter&);
};
constexpr FilterMember kFilterMembers[] = {
    {"RequestHeaderModifier", "requestHeaderModifier",
     [](const HTTPRouteFilter& f) { return !f.request_header_modifier.is_null(); }},
    {"ResponseHeaderModifier", "responseHeaderModifier",
     [](const HTTPRouteFilter& f) { return !f.response_header_modifier.is_null(); }},
    {"RequestMirror", "requestMirror",
     [](const HTTPRouteFilter& f) { return f.request_mirror.has_value(); }},
    {"RequestRedirect", "requestRedirect",
     [](const HTTPRouteFilter& f) { return !f.request_redirect.is_null(); }},
    {"URLRewrite", "urlRewrite", [](const HTTPRouteFilter& f) { return !f.url_rewrite.is_null(); }},
    {"ExtensionRef", "extensionRef",
     [](const HTTPRouteFilter& f) { return !f.extension_ref.is_null(); }},
    {"CORS", "cors", [](const HTTPRouteFilter& f) { return !f.cors.is_null(); }},
};

void ValidateFilters(const HTTPRouteRule& rule, const FieldPath& path, FieldErrors& errors) {
  CheckMaxItems(rule.filters.size(), 16, "filters", path, errors);
  std::map<std::string, int> counts;
  for (size_t i = 0; i < rule.filters.size(); ++i) {
    const HTTPRouteFilter& f = rule.filters[i];
    FieldPath p = path.Index(i);
    AddFieldError(
        &errors, p.Child("type"),
        CheckOneOf(f.type, {"RequestHeaderModifier", "ResponseHeaderModifier", "RequestMirror",
                            "RequestRedirect", "URLRewrite", "ExtensionRef", "CORS"}));
    for (const FilterMember& m : kFilterMembers) {
      bool set = m.is_set(f);
      if (f.type == m.type && !set) {
        AddFieldError(&errors, p.Child(m.json_name),
                      "is required for filter type " + Quoted(m.type));
      } else if (f.type != m.type && set) {
        AddFieldError(&errors, p.Child(m.json_name),
                      "must not be set for filter type " + Quoted(f.type) + " (only for " +
                          Quoted(m.type) + ")");
      }
    }
    if (f.request_mirror) ValidateMirror(*f.request_mirror, p.Child("requestMirror"), errors);
    int n = ++counts[f.type];
    if (n == 2 && f.type != "RequestMirror" && f.type != "ExtensionRef") {
      AddFieldError(&errors, p.Child("type"),
                    Quoted(f.type) +
                        " may appear once per rule (only RequestMirror and ExtensionRef repeat)");
    }
  }
  if (counts["RequestRedirect"] > 0 && counts["URLRewrite"] > 0) {
    AddFieldError(&errors, path, "must not combine RequestRedirect and URLRewrite filters");
  }
  if (counts["RequestRedirect"] > 0 && !rule.backend_refs.empty()) {
    AddFieldError(
        &errors, path,
        "must not use a RequestRedirect filter together with backendRefs (a redirect answers "
        "the request itself)");
  }
}

void ValidateRule(const HTTPRouteRule& rule, const FieldPath& p, FieldErrors& errors) {
  if (rule.name) AddFieldError(&errors, p.Child("name"), CheckSectionName(*rule.name));
  CheckMaxItems(rule.matches.size(), 64, "matches", p.Child("matches"), errors);
  for (size_t j = 0; j < rule.matches.size(); ++j) {
    ValidateRouteMatch(rule.matches[j], p.Child("matches").Index(j), errors);
  }
  ValidateFilters(rule, p.Child("filters"), errors);
  FieldPath refs = p.Child("backendRefs");
  CheckMaxItems(rule.backend_refs.size(), 16, "backendRefs", refs, errors);
  for (size_t j = 0; j < rule.backend_refs.size(); ++j) {
    const HTTPBackendRef& ref = rule.backend_refs[j];
    FieldPath rp = refs.Index(j);
    ValidateBackendTarget(ref.name, ref.group, ref.kind, ref.port, rp, errors);
    if (ref.weight) AddFieldError(&errors, rp.Child("weight"), CheckRange(*ref.weight, 0, 1000000));
  }
}

// ---- Istio ----

void ValidateStringMatch(const IstioStringMatch& m, bool presence_ok, const FieldPath& p,
                         FieldErrors& errors) {
  int set = (m.exact ? 1 : 0) + (m.prefix ? 1 : 0) + (m.regex ? 1 : 0);
  if (set > 1 || (set == 0 && !presence_ok)) {
    AddFieldError(&errors, p,
                  "must set exactly one of exact, prefix and regex, got " + std::to_string(set) +
                      (presence_ok ? " ({} alone matches on presence)" : ""));
  }
  if (m.regex) AddFieldError(&errors, p.Child("regex"), CheckRegex(*m.regex));
}

void ValidateStringMatchMap(const std::map<std::string, IstioStringMatch>& map, bool lowercase_keys,
                            const FieldPath& path, FieldErrors& errors) {
  for (const auto& [key, m] : map) {
    FieldPath p = path.Child(key);
    if (lowercase_keys && key != Lower(key)) {
      AddFieldError(&errors, p, "header names must be lowercase, got " + Quoted(key));
    }
    ValidateStringMatch(m, /*presence_ok=*/true, p, errors);
  }
}

void ValidateHttpMatch(const IstioHTTPMatchRequest& m, const FieldPath& p, FieldErrors& errors) {
  const std::pair<const char*, const std::optional<IstioStringMatch>*> singles[] = {
      {"uri", &m.uri}, {"scheme", &m.scheme}, {"method", &m.method}, {"authority", &m.authority}};
  for (const auto& [name, match] : singles) {
    if (*match) ValidateStringMatch(**match, /*presence_ok=*/false, p.Child(name), errors);
  }
  ValidateStringMatchMap(m.headers, /*lowercase_keys=*/true, p.Child("headers"), errors);
  ValidateStringMatchMap(m.query_params, /*lowercase_keys=*/false, p.Child("queryParams"), errors);
  ValidateStringMatchMap(m.without_headers, /*lowercase_keys=*/true, p.Child("withoutHeaders"),
                         errors);
  ValidateLabelMap(m.source_labels, p.Child("sourceLabels"), errors);
}

void ValidateDestination(const IstioDestination& d, const FieldPath& p, FieldErrors& errors) {
  if (d.host.empty()) {
    AddFieldError(&errors, p.Child("host"),
                  "is required: the Service (short name or FQDN) to route to");
  }
  if (!d.subset.empty()) AddFieldError(&errors, p.Child("subset"), CheckDnsLabel(d.subset));
  if (d.port)
    AddFieldError(&errors, p.Child("port").Child("number"), CheckRange(d.port->number, 1, 65535));
}

void ValidateRouteDestinations(const std::vector<IstioRouteDestination>& route,
                               const FieldPath& path, FieldErrors& errors) {
  int64_t sum = 0;
  std::string terms;
  for (size_t i = 0; i < route.size(); ++i) {
    const IstioRouteDestination& r = route[i];
    ValidateDestination(r.destination, path.Index(i).Child("destination"), errors);
    AddFieldError(&errors, path.Index(i).Child("weight"), CheckRange(r.weight, 0, 100));
    sum += r.weight;
    terms += (i == 0 ? "" : " + ") + std::to_string(r.weight);
  }
  if (route.size() > 1 && sum != 100) {
    AddFieldError(&errors, path,
                  "weights must sum to 100 when a route has several destinations, got " +
                      std::to_string(sum) + " (" + terms + ")");
  }
}

void ValidatePortNumber(int32_t port, const FieldPath& p, FieldErrors& errors) {
  if (port != 0) AddFieldError(&errors, p, CheckRange(port, 1, 65535));
}

void ValidateExportTo(const std::vector<std::string>& export_to, const FieldPath& path,
                      FieldErrors& errors) {
  for (size_t i = 0; i < export_to.size(); ++i) {
    const std::string& e = export_to[i];
    if (e == "." || e == "*" || CheckDnsLabel(e).empty()) continue;
    AddFieldError(
        &errors, path.Index(i),
        "must be \".\" (this namespace), \"*\" (all) or a namespace name, got " + Quoted(e));
  }
}

}  // namespace

FieldErrors Validate(const Ingress& ingress) {
  FieldErrors errors;
  const IngressSpec& spec = ingress.spec;
  FieldPath s("spec");
  if (spec.rules.empty() && !spec.default_backend) {
    AddFieldError(&errors, s, "must set defaultBackend or at least one of rules");
  }
  if (spec.ingress_class_name) {
    AddFieldError(&errors, s.Child("ingressClassName"),
                  CheckDnsSubdomain(*spec.ingress_class_name));
  }
  if (spec.default_backend) {
    ValidateIngressBackend(*spec.default_backend, s.Child("defaultBackend"), errors);
  }
  for (size_t i = 0; i < spec.tls.size(); ++i) {
    FieldPath p = s.Child("tls").Index(i);
    for (size_t j = 0; j < spec.tls[i].hosts.size(); ++j) {
      AddFieldError(&errors, p.Child("hosts").Index(j), CheckHostname(spec.tls[i].hosts[j]));
    }
    if (!spec.tls[i].secret_name.empty()) {
      AddFieldError(&errors, p.Child("secretName"), CheckDnsSubdomain(spec.tls[i].secret_name));
    }
  }
  for (size_t i = 0; i < spec.rules.size(); ++i) {
    const IngressRule& rule = spec.rules[i];
    FieldPath p = s.Child("rules").Index(i);
    if (!rule.host.empty()) AddFieldError(&errors, p.Child("host"), CheckHostname(rule.host));
    if (!rule.http) continue;
    FieldPath paths = p.Child("http").Child("paths");
    if (rule.http->paths.empty()) {
      AddFieldError(&errors, paths, "is required: at least one path");
    }
    for (size_t j = 0; j < rule.http->paths.size(); ++j) {
      ValidateIngressPath(rule.http->paths[j], paths.Index(j), errors);
    }
  }
  return errors;
}

FieldErrors Validate(const Gateway& gateway) {
  FieldErrors errors;
  const GatewaySpec& spec = gateway.spec;
  FieldPath s("spec");
  if (spec.gateway_class_name.empty()) {
    AddFieldError(&errors, s.Child("gatewayClassName"),
                  "is required: the GatewayClass that runs this Gateway");
  }
  FieldPath listeners = s.Child("listeners");
  if (spec.listeners.empty())
    AddFieldError(&errors, listeners, "is required: at least one listener");
  CheckMaxItems(spec.listeners.size(), 64, "listeners", listeners, errors);
  std::set<std::string> names;
  for (size_t i = 0; i < spec.listeners.size(); ++i) {
    const GatewayListener& l = spec.listeners[i];
    FieldPath p = listeners.Index(i);
    AddFieldError(&errors, p.Child("name"), CheckSectionName(l.name));
    if (!l.name.empty() && !names.insert(l.name).second) {
      AddFieldError(
          &errors, p.Child("name"),
          "duplicate listener name " + Quoted(l.name) + ": names must be unique in a Gateway");
    }
    AddFieldError(&errors, p.Child("port"), CheckRange(l.port, 1, 65535));
    bool custom = l.protocol.find('/') != std::string::npos &&
                  CheckDnsSubdomain(l.protocol.substr(0, l.protocol.find('/'))).empty() &&
                  l.protocol.back() != '/';
    if (!custom) {
      std::string problem = CheckOneOf(l.protocol, {"HTTP", "HTTPS", "TLS", "TCP", "UDP"});
      if (!problem.empty()) problem += " (or an implementation's \"example.com/name\")";
      AddFieldError(&errors, p.Child("protocol"), problem);
    }
    bool l4 = l.protocol == "TCP" || l.protocol == "UDP";
    if (l.hostname) {
      if (l4) {
        AddFieldError(&errors, p.Child("hostname"),
                      "must not be set for protocol " + l.protocol +
                          " (only HTTP, HTTPS and TLS match "
                          "hostnames)");
      } else {
        AddFieldError(&errors, p.Child("hostname"), CheckHostname(*l.hostname));
      }
    }
    if (!l.tls.is_null() && (l4 || l.protocol == "HTTP")) {
      AddFieldError(
          &errors, p.Child("tls"),
          "must not be set for protocol " + l.protocol + " (only HTTPS and TLS listeners)");
    }
  }
  return errors;
}

FieldErrors Validate(const HTTPRoute& route) {
  FieldErrors errors;
  const HTTPRouteSpec& spec = route.spec;
  FieldPath s("spec");
  FieldPath parents = s.Child("parentRefs");
  CheckMaxItems(spec.parent_refs.size(), 32, "parentRefs", parents, errors);
  for (size_t i = 0; i < spec.parent_refs.size(); ++i) {
    const ParentReference& ref = spec.parent_refs[i];
    FieldPath p = parents.Index(i);
    if (ref.name.empty())
      AddFieldError(&errors, p.Child("name"), "is required: the Gateway to attach to");
    if (ref.port) AddFieldError(&errors, p.Child("port"), CheckRange(*ref.port, 1, 65535));
  }
  FieldPath hostnames = s.Child("hostnames");
  CheckMaxItems(spec.hostnames.size(), 16, "hostnames", hostnames, errors);
  for (size_t i = 0; i < spec.hostnames.size(); ++i) {
    AddFieldError(&errors, hostnames.Index(i), CheckHostname(spec.hostnames[i]));
  }
  FieldPath rules = s.Child("rules");
  CheckMaxItems(spec.rules.size(), 16, "rules", rules, errors);
  size_t total_matches = 0;
  std::set<std::string> rule_names;
  for (size_t i = 0; i < spec.rules.size(); ++i) {
    const HTTPRouteRule& rule = spec.rules[i];
    total_matches += rule.matches.size();
    if (rule.name && !rule_names.insert(*rule.name).second) {
      AddFieldError(
          &errors, rules.Index(i).Child("name"),
          "duplicate rule name " + Quoted(*rule.name) + ": names must be unique in a route");
    }
    ValidateRule(rule, rules.Index(i), errors);
  }
  if (total_matches > 128) {
    AddFieldError(
        &errors, rules,
        "must have at most 128 matches across all rules, got " + std::to_string(total_matches));
  }
  return errors;
}

FieldErrors Validate(const VirtualService& vs) {
  FieldErrors errors;
  const VirtualServiceSpec& spec = vs.spec;
  FieldPath s("spec");
  if (spec.hosts.empty()) {
    AddFieldError(&errors, s.Child("hosts"), "is required: at least one host the routes apply to");
  }
  if (spec.http.empty() && spec.tls.empty() && spec.tcp.empty()) {
    AddFieldError(&errors, s, "must set at least one of http, tls and tcp");
  }
  for (size_t i = 0; i < spec.http.size(); ++i) {
    const IstioHTTPRoute& h = spec.http[i];
    FieldPath p = s.Child("http").Index(i);
    for (size_t j = 0; j < h.match.size(); ++j) {
      ValidateHttpMatch(h.match[j], p.Child("match").Index(j), errors);
    }
    if (h.route.empty() && h.redirect.is_null() && h.direct_response.is_null() &&
        h.delegate.is_null()) {
      AddFieldError(&errors, p.Child("route"),
                    "is required unless redirect, directResponse or delegate is set");
    }
    ValidateRouteDestinations(h.route, p.Child("route"), errors);
    if (h.mirror) ValidateDestination(*h.mirror, p.Child("mirror"), errors);
    if (h.mirror_percentage) {
      double v = h.mirror_percentage->value;
      if (!(v >= 0 && v <= 100)) {
        AddFieldError(&errors, p.Child("mirrorPercentage").Child("value"),
                      "must be 0.0..100.0, got " + std::to_string(v));
      }
    }
  }
  for (size_t i = 0; i < spec.tls.size(); ++i) {
    const IstioTLSRoute& t = spec.tls[i];
    FieldPath p = s.Child("tls").Index(i);
    if (t.match.empty()) {
      AddFieldError(&errors, p.Child("match"), "is required: at least one match with sniHosts");
    }
    for (size_t j = 0; j < t.match.size(); ++j) {
      FieldPath mp = p.Child("match").Index(j);
      if (t.match[j].sni_hosts.empty()) {
        AddFieldError(&errors, mp.Child("sniHosts"), "is required: at least one SNI host");
      }
      ValidatePortNumber(t.match[j].port, mp.Child("port"), errors);
    }
    if (t.route.empty())
      AddFieldError(&errors, p.Child("route"), "is required: at least one destination");
    ValidateRouteDestinations(t.route, p.Child("route"), errors);
  }
  for (size_t i = 0; i < spec.tcp.size(); ++i) {
    const IstioTCPRoute& t = spec.tcp[i];
    FieldPath p = s.Child("tcp").Index(i);
    for (size_t j = 0; j < t.match.size(); ++j) {
      ValidatePortNumber(t.match[j].port, p.Child("match").Index(j).Child("port"), errors);
    }
    if (t.route.empty())
      AddFieldError(&errors, p.Child("route"), "is required: at least one destination");
    ValidateRouteDestinations(t.route, p.Child("route"), errors);
  }
  ValidateExportTo(spec.export_to, s.Child("exportTo"), errors);
  return errors;
}

FieldErrors Validate(const DestinationRule& rule) {
  FieldErrors errors;
  const DestinationRuleSpec& spec = rule.spec;
  FieldPath s("spec");
  if (spec.host.empty()) {
    AddFieldError(&errors, s.Child("host"),
                  "is required: the Service (short name or FQDN) the rule is for");
  }
  std::set<std::string> names;
  for (size_t i = 0; i < spec.subsets.size(); ++i) {
    const IstioSubset& subset = spec.subsets[i];
    FieldPath p = s.Child("subsets").Index(i);
    if (subset.name.empty()) {
      AddFieldError(&errors, p.Child("name"), "is required: routes refer to the subset by name");
    } else {
      AddFieldError(&errors, p.Child("name"), CheckDnsLabel(subset.name));
      if (!names.insert(subset.name).second) {
        AddFieldError(&errors, p.Child("name"),
                      "duplicate subset name " + Quoted(subset.name) + ": names must be unique");
      }
    }
    ValidateLabelMap(subset.labels, p.Child("labels"), errors);
  }
  ValidateExportTo(spec.export_to, s.Child("exportTo"), errors);
  return errors;
}

}  // namespace devflow::api
