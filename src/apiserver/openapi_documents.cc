#include "apiserver/openapi_documents.h"

#include <cstdint>
#include <cstdio>
#include <vector>

#include "apiserver/discovery.h"
#include "common/json_value.h"

namespace devflow::apiserver {
namespace {

constexpr std::string_view kFieldValidationDescription =
    "fieldValidation instructs the server on how to handle objects in the request containing "
    "unknown or duplicate fields: Ignore, Warn or Strict.";

// One PATCH operation: the item path of a resource and the kind it takes.
struct PatchOperation {
  std::string path;
  std::string group;
  std::string version;
  std::string kind;
};

std::string GroupVersionPrefix(std::string_view group, std::string_view version) {
  if (group.empty()) return "/api/" + std::string(version);
  return "/apis/" + std::string(group) + "/" + std::string(version);
}

std::vector<PatchOperation> OperationsOf(const ApiGroupVersion& gv, const std::string& group) {
  std::vector<PatchOperation> operations;
  for (const ResourceInfo& r : gv.resources) {
    std::string path = GroupVersionPrefix(group, gv.version);
    if (r.namespaced) path += "/namespaces/{namespace}";
    path += "/" + r.plural + "/{name}";
    operations.push_back(PatchOperation{std::move(path), r.group, r.version, r.kind});
  }
  return operations;
}

json::Value Info() {
  return json::Object{{"title", "Kubernetes"}, {"version", kKubernetesGitVersion}};
}

json::Value PatchOperationJson(const PatchOperation& op, json::Value parameter) {
  return json::Object{
      {"description", "partially update the specified " + op.kind},
      {"parameters", json::Array{std::move(parameter)}},
      {"responses", json::Object{{"200", json::Object{{"description", "OK"}}}}},
      {"x-kubernetes-action", "patch"},
      {"x-kubernetes-group-version-kind",
       json::Object{{"group", op.group}, {"kind", op.kind}, {"version", op.version}}},
  };
}

std::string V3Document(const std::vector<PatchOperation>& operations) {
  json::Object paths;
  for (const PatchOperation& op : operations) {
    json::Value parameter = json::Object{{"name", "fieldValidation"},
                                         {"in", "query"},
                                         {"description", kFieldValidationDescription},
                                         {"schema", json::Object{{"type", "string"}}}};
    paths.Set(op.path, json::Object{{"patch", PatchOperationJson(op, std::move(parameter))}});
  }
  return json::Write(
      json::Object{{"openapi", "3.0.0"}, {"info", Info()}, {"paths", std::move(paths)}});
}

// FNV-1a, 64 bits, as 16 upper-case hex digits: a cache key for the document, not a security
// measure (kube-apiserver uses SHA-512; clients treat the value as opaque).
std::string Hash(std::string_view text) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buffer[17];
  std::snprintf(buffer, sizeof(buffer), "%016llX", static_cast<unsigned long long>(h));
  return buffer;
}

std::vector<PatchOperation> AllOperations(const ResourceCatalog& catalog) {
  std::vector<PatchOperation> all;
  for (const ApiGroup& group : catalog.Groups()) {
    for (const ApiGroupVersion& gv : group.versions) {
      std::vector<PatchOperation> ops = OperationsOf(gv, group.name);
      all.insert(all.end(), ops.begin(), ops.end());
    }
  }
  return all;
}

// ---- Protocol buffers wire format, just what gnostic's openapi_v2.Document needs ----
// Every field written is a string or an embedded message (wire type 2, length-delimited).

void AppendVarint(uint64_t value, std::string& out) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

// Appends field `number` holding `bytes` (a string, or an encoded message).
void AppendField(int number, std::string_view bytes, std::string& out) {
  AppendVarint(static_cast<uint64_t>(number) << 3 | 2, out);
  AppendVarint(bytes.size(), out);
  out.append(bytes);
}

std::string Field(int number, std::string_view bytes) {
  std::string out;
  AppendField(number, bytes, out);
  return out;
}

// NamedAny{name = 1, value = 2: Any{yaml = 2}}.
std::string VendorExtension(std::string_view name, std::string_view yaml) {
  return Field(1, name) + Field(2, Field(2, yaml));
}

std::string YamlQuoted(std::string_view s) {
  std::string out;
  json::AppendQuoted(s, out);  // a JSON string is a YAML double-quoted scalar
  return out;
}

// Operation{parameters = 8, responses = 9, vendor_extension = 13}.
std::string PatchOperationProto(const PatchOperation& op) {
  // QueryParameterSubSchema{in = 2, description = 3, name = 4, type = 6}, inside
  // NonBodyParameter.query_parameter_sub_schema = 3, Parameter.non_body_parameter = 2,
  // ParametersItem.parameter = 1.
  std::string query = Field(2, "query") + Field(3, kFieldValidationDescription) +
                      Field(4, "fieldValidation") + Field(6, "string");
  std::string parameter = Field(1, Field(2, Field(3, query)));
  // Responses.response_code = 1: NamedResponseValue{name = 1, value = 2: ResponseValue{
  // response = 1: Response{description = 1}}}.
  std::string responses = Field(1, Field(1, "200") + Field(2, Field(1, Field(1, "OK"))));
  std::string gvk = "group: " + YamlQuoted(op.group) + "\nkind: " + YamlQuoted(op.kind) +
                    "\nversion: " + YamlQuoted(op.version) + "\n";
  std::string operation = Field(3, "partially update the specified " + op.kind);
  operation += Field(8, parameter);
  operation += Field(9, responses);
  operation += Field(13, VendorExtension("x-kubernetes-action", "patch\n"));
  operation += Field(13, VendorExtension("x-kubernetes-group-version-kind", gvk));
  return operation;
}

}  // namespace

std::string OpenApiV3Index(const ResourceCatalog& catalog) {
  json::Object paths;
  for (const ApiGroup& group : catalog.Groups()) {
    for (const ApiGroupVersion& gv : group.versions) {
      std::string prefix = GroupVersionPrefix(group.name, gv.version);
      std::string hash = Hash(V3Document(OperationsOf(gv, group.name)));
      paths.Set(prefix.substr(1),
                json::Object{{"serverRelativeURL", "/openapi/v3" + prefix + "?hash=" + hash}});
    }
  }
  return json::Write(json::Object{{"paths", std::move(paths)}});
}

std::optional<std::string> OpenApiV3Document(const ResourceCatalog& catalog, std::string_view group,
                                             std::string_view version) {
  for (const ApiGroup& g : catalog.Groups()) {
    if (g.name != group) continue;
    for (const ApiGroupVersion& gv : g.versions) {
      if (gv.version == version) return V3Document(OperationsOf(gv, g.name));
    }
  }
  return std::nullopt;
}

std::string OpenApiV2Json(const ResourceCatalog& catalog) {
  json::Object paths;
  for (const PatchOperation& op : AllOperations(catalog)) {
    json::Value parameter = json::Object{{"name", "fieldValidation"},
                                         {"in", "query"},
                                         {"description", kFieldValidationDescription},
                                         {"type", "string"}};
    paths.Set(op.path, json::Object{{"patch", PatchOperationJson(op, std::move(parameter))}});
  }
  return json::Write(
      json::Object{{"swagger", "2.0"}, {"info", Info()}, {"paths", std::move(paths)}});
}

std::string OpenApiV2Protobuf(const ResourceCatalog& catalog) {
  // Document{swagger = 1, info = 2: Info{title = 1, version = 2}, paths = 8: Paths{path = 2:
  // NamedPathItem{name = 1, value = 2: PathItem{patch = 8}}}}.
  std::string paths;
  for (const PatchOperation& op : AllOperations(catalog)) {
    AppendField(2, Field(1, op.path) + Field(2, Field(8, PatchOperationProto(op))), paths);
  }
  std::string document = Field(1, "2.0");
  document += Field(2, Field(1, "Kubernetes") + Field(2, kKubernetesGitVersion));
  document += Field(8, paths);
  return document;
}

}  // namespace devflow::apiserver
