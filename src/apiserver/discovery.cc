#include "apiserver/discovery.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "apiserver/openapi_documents.h"
#include "common/json_value.h"
#include "common/version.h"

namespace devflow::apiserver {
namespace {

constexpr std::string_view kJson = "application/json";
constexpr std::string_view kProtobufV2Accept = "application/com.github.proto-openapi.spec.v2";
constexpr std::string_view kProtobufV2ContentType =
    "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

constexpr std::string_view kNotFoundMessage = "the server could not find the requested resource";

enum class Format { kClassic, kAggregatedV2, kAggregatedV2Beta1 };

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

// Splits `s` at `separator` (no quoting: Accept values kubectl and client-go send have none).
std::vector<std::string_view> Split(std::string_view s, char separator) {
  std::vector<std::string_view> parts;
  while (true) {
    size_t at = s.find(separator);
    parts.push_back(Trim(s.substr(0, at)));
    if (at == std::string_view::npos) return parts;
    s.remove_prefix(at + 1);
  }
}

// The discovery format the Accept header asks for first (highest q, then earliest); classic when
// nothing acceptable is named.
Format NegotiateFormat(std::string_view accept) {
  std::optional<Format> best;
  double best_q = 0;
  for (std::string_view range : Split(accept, ',')) {
    std::vector<std::string_view> parts = Split(range, ';');
    std::string_view type = parts[0];
    std::string_view g, v, as;
    double q = 1;
    for (size_t i = 1; i < parts.size(); ++i) {
      size_t eq = parts[i].find('=');
      if (eq == std::string_view::npos) continue;
      std::string_view key = Trim(parts[i].substr(0, eq));
      std::string_view value = Trim(parts[i].substr(eq + 1));
      if (key == "g") g = value;
      if (key == "v") v = value;
      if (key == "as") as = value;
      if (key == "q") q = std::atof(std::string(value).c_str());
    }
    std::optional<Format> format;
    if (type == "*/*" || type == "application/*") {
      format = Format::kClassic;
    } else if (EqualsIgnoreCase(type, kJson)) {
      if (g.empty() && v.empty() && as.empty()) {
        format = Format::kClassic;
      } else if (g == "apidiscovery.k8s.io" && as == "APIGroupDiscoveryList") {
        if (v == "v2") format = Format::kAggregatedV2;
        if (v == "v2beta1") format = Format::kAggregatedV2Beta1;
      }
    }
    if (format && q > best_q) {
      best = format;
      best_q = q;
    }
  }
  return best.value_or(Format::kClassic);
}

http::Response JsonResponse(int status, const json::Value& body,
                            std::string_view content_type = kJson) {
  http::Response response;
  response.status = status;
  response.headers.emplace_back("Content-Type", std::string(content_type));
  response.body = json::Write(body);
  return response;
}

http::Response NotFound() {
  return JsonResponse(404, json::Object{{"kind", "Status"},
                                        {"apiVersion", "v1"},
                                        {"metadata", json::Object{}},
                                        {"status", "Failure"},
                                        {"message", kNotFoundMessage},
                                        {"reason", "NotFound"},
                                        {"details", json::Object{}},
                                        {"code", 404}});
}

json::Array Strings(const std::vector<std::string>& values) {
  return json::Array(values.begin(), values.end());
}

std::vector<std::string> VerbsOf(const ResourceInfo& r) {
  // kube-apiserver serves no deletecollection for namespaces (a namespace is deleted on its own,
  // through its finalizer).
  if (r.group.empty() && r.plural == "namespaces") {
    return {"create", "delete", "get", "list", "patch", "update", "watch"};
  }
  return {"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"};
}

const std::vector<std::string>& StatusVerbs() {
  static const std::vector<std::string> verbs = {"get", "patch", "update"};
  return verbs;
}

std::string GroupVersion(std::string_view group, std::string_view version) {
  return group.empty() ? std::string(version) : std::string(group) + "/" + std::string(version);
}

// ---- Classic discovery ----

json::Value ApiResourceList(const std::string& group, const ApiGroupVersion& gv) {
  json::Array resources;
  for (const ResourceInfo& r : gv.resources) {
    json::Object entry{{"name", r.plural},
                       {"singularName", r.singular},
                       {"namespaced", r.namespaced},
                       {"kind", r.kind},
                       {"verbs", Strings(VerbsOf(r))}};
    if (!r.short_names.empty()) entry.Set("shortNames", Strings(r.short_names));
    if (!r.categories.empty()) entry.Set("categories", Strings(r.categories));
    resources.push_back(std::move(entry));
    if (r.status_subresource) {
      resources.push_back(json::Object{{"name", r.plural + "/status"},
                                       {"singularName", ""},
                                       {"namespaced", r.namespaced},
                                       {"kind", r.kind},
                                       {"verbs", Strings(StatusVerbs())}});
    }
  }
  json::Object list{{"kind", "APIResourceList"}};
  // kube-apiserver's /api/v1 answer has no apiVersion; the group versions' answers do.
  if (!group.empty()) list.Set("apiVersion", "v1");
  list.Set("groupVersion", GroupVersion(group, gv.version));
  list.Set("resources", std::move(resources));
  return list;
}

json::Value VersionRef(const std::string& group, const std::string& version) {
  return json::Object{{"groupVersion", GroupVersion(group, version)}, {"version", version}};
}

// The members of an APIGroup; REQUIRES: group.versions is not empty.
json::Object ApiGroupMembers(const ApiGroup& group) {
  json::Array versions;
  for (const ApiGroupVersion& gv : group.versions) {
    versions.push_back(VersionRef(group.name, gv.version));
  }
  return json::Object{{"name", group.name},
                      {"versions", std::move(versions)},
                      {"preferredVersion", VersionRef(group.name, group.versions[0].version)}};
}

json::Value ApiGroupList(const std::vector<ApiGroup>& groups) {
  json::Array items;
  for (const ApiGroup& group : groups) {
    if (!group.name.empty()) items.push_back(ApiGroupMembers(group));
  }
  return json::Object{{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", std::move(items)}};
}

json::Value ApiVersions(const http::Request& request) {
  std::string host(request.Header("Host"));
  return json::Object{
      {"kind", "APIVersions"},
      {"versions", json::Array{"v1"}},
      {"serverAddressByClientCIDRs",
       json::Array{json::Object{{"clientCIDR", "0.0.0.0/0"}, {"serverAddress", host}}}}};
}

// ---- Aggregated discovery (apidiscovery.k8s.io v2 and v2beta1: the same shape) ----

json::Value ResponseKind(const ResourceInfo& r) {
  return json::Object{{"group", r.group}, {"version", r.version}, {"kind", r.kind}};
}

json::Value AggregatedResource(const ResourceInfo& r) {
  json::Object entry{{"resource", r.plural},
                     {"responseKind", ResponseKind(r)},
                     {"scope", r.namespaced ? "Namespaced" : "Cluster"},
                     {"singularResource", r.singular},
                     {"verbs", Strings(VerbsOf(r))}};
  if (!r.short_names.empty()) entry.Set("shortNames", Strings(r.short_names));
  if (!r.categories.empty()) entry.Set("categories", Strings(r.categories));
  if (r.status_subresource) {
    entry.Set("subresources", json::Array{json::Object{{"subresource", "status"},
                                                       {"responseKind", ResponseKind(r)},
                                                       {"verbs", Strings(StatusVerbs())}}});
  }
  return entry;
}

json::Value AggregatedGroup(const ApiGroup& group) {
  json::Array versions;
  for (const ApiGroupVersion& gv : group.versions) {
    json::Array resources;
    for (const ResourceInfo& r : gv.resources) resources.push_back(AggregatedResource(r));
    versions.push_back(json::Object{
        {"version", gv.version}, {"resources", std::move(resources)}, {"freshness", "Current"}});
  }
  json::Object metadata;
  if (!group.name.empty()) metadata.Set("name", group.name);
  return json::Object{{"metadata", std::move(metadata)}, {"versions", std::move(versions)}};
}

// The aggregated document of the core group (`core`) or of every other group.
http::Response Aggregated(const std::vector<ApiGroup>& groups, bool core, Format format) {
  const std::string version = format == Format::kAggregatedV2 ? "v2" : "v2beta1";
  json::Array items;
  for (const ApiGroup& group : groups) {
    if (group.name.empty() == core) items.push_back(AggregatedGroup(group));
  }
  json::Object list{{"kind", "APIGroupDiscoveryList"},
                    {"apiVersion", "apidiscovery.k8s.io/" + version},
                    {"metadata", json::Object{}},
                    {"items", std::move(items)}};
  return JsonResponse(
      200, list,
      "application/json;g=apidiscovery.k8s.io;v=" + version + ";as=APIGroupDiscoveryList");
}

// ---- /version ----

#if defined(__linux__)
constexpr std::string_view kOs = "linux";
#elif defined(__APPLE__)
constexpr std::string_view kOs = "darwin";
#else
constexpr std::string_view kOs = "unknown";
#endif
#if defined(__x86_64__)
constexpr std::string_view kArch = "amd64";
#elif defined(__aarch64__)
constexpr std::string_view kArch = "arm64";
#else
constexpr std::string_view kArch = "unknown";
#endif

json::Value VersionInfo() {
  const std::string_view describe = kGitDescribe;
  return json::Object{{"major", kKubernetesMajor},
                      {"minor", kKubernetesMinor},
                      {"gitVersion", kKubernetesGitVersion},
                      {"gitCommit", kGitDescribe},
                      {"gitTreeState", describe.ends_with("-dirty") ? "dirty" : "clean"},
                      {"platform", std::string(kOs) + "/" + std::string(kArch)}};
}

// ---- Routing ----

http::Response OpenApiV2(const ResourceCatalog& catalog, const http::Request& request) {
  if (request.Header("Accept").find(kProtobufV2Accept) != std::string_view::npos) {
    http::Response response;
    response.headers.emplace_back("Content-Type", std::string(kProtobufV2ContentType));
    response.body = OpenApiV2Protobuf(catalog);
    return response;
  }
  http::Response response;
  response.headers.emplace_back("Content-Type", std::string(kJson));
  response.body = OpenApiV2Json(catalog);
  return response;
}

http::Response JsonText(std::string body) {
  http::Response response;
  response.headers.emplace_back("Content-Type", std::string(kJson));
  response.body = std::move(body);
  return response;
}

const ApiGroup* FindGroup(const std::vector<ApiGroup>& groups, std::string_view name) {
  for (const ApiGroup& group : groups) {
    if (group.name == name) return &group;
  }
  return nullptr;
}

const ApiGroupVersion* FindVersion(const ApiGroup* group, std::string_view version) {
  if (group == nullptr) return nullptr;
  for (const ApiGroupVersion& gv : group->versions) {
    if (gv.version == version) return &gv;
  }
  return nullptr;
}

// /api and /apis answer according to Accept, so caches must key on it.
http::Response VaryOnAccept(http::Response response) {
  response.headers.emplace_back("Vary", "Accept");
  return response;
}

}  // namespace

std::optional<http::Response> ServeDiscovery(const ResourceCatalog& catalog,
                                             const http::Request& request) {
  if (request.method != "GET") return std::nullopt;
  std::string path = request.Path();
  if (path.size() > 1 && path.back() == '/') path.pop_back();
  std::vector<std::string_view> segments = Split(std::string_view(path).substr(1), '/');

  if (path == "/version") return JsonResponse(200, VersionInfo());
  if (path == "/openapi/v2") return OpenApiV2(catalog, request);
  if (path == "/openapi/v3") return JsonText(OpenApiV3Index(catalog));
  if (segments.size() >= 2 && segments[0] == "openapi" && segments[1] == "v3") {
    std::optional<std::string> document;
    if (segments.size() == 4 && segments[2] == "api") {
      document = OpenApiV3Document(catalog, "", segments[3]);
    } else if (segments.size() == 5 && segments[2] == "apis") {
      document = OpenApiV3Document(catalog, segments[3], segments[4]);
    }
    return document ? JsonText(std::move(*document)) : NotFound();
  }

  if (segments[0] != "api" && segments[0] != "apis") return std::nullopt;
  const bool core = segments[0] == "api";
  if (segments.size() > (core ? 2u : 3u)) return std::nullopt;  // a resource path
  const std::vector<ApiGroup> groups = catalog.Groups();
  if (segments.size() == 1) {
    Format format = NegotiateFormat(request.Header("Accept"));
    if (format != Format::kClassic) return VaryOnAccept(Aggregated(groups, core, format));
    return VaryOnAccept(JsonResponse(200, core ? ApiVersions(request) : ApiGroupList(groups)));
  }
  if (core) {
    const ApiGroupVersion* gv = FindVersion(FindGroup(groups, ""), segments[1]);
    return gv ? JsonResponse(200, ApiResourceList("", *gv)) : NotFound();
  }
  const ApiGroup* group = segments[1].empty() ? nullptr : FindGroup(groups, segments[1]);
  if (segments.size() == 2) {
    if (group == nullptr) return NotFound();
    json::Object body{{"kind", "APIGroup"}, {"apiVersion", "v1"}};
    for (json::Member& m : ApiGroupMembers(*group)) body.Set(m.key, std::move(m.value));
    return JsonResponse(200, body);
  }
  const ApiGroupVersion* gv = FindVersion(group, segments[2]);
  return gv ? JsonResponse(200, ApiResourceList(group->name, *gv)) : NotFound();
}

}  // namespace devflow::apiserver
