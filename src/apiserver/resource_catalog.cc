#include "apiserver/resource_catalog.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <tuple>
#include <utility>

namespace devflow::apiserver {
namespace {

using api::FieldError;
using api::FieldErrors;

constexpr std::string_view kCrdGroup = "apiextensions.k8s.io";

// Discovery categories of the built-in resources. Kubernetes puts its workloads and services in
// "all"; the Gateway API and Istio CRDs declare their own; Argo Rollouts' CRDs declare none.
struct BuiltinCategories {
  std::string_view group;
  std::string_view plural;
  std::vector<std::string> categories;
};

const std::vector<BuiltinCategories>& CategoriesTable() {
  static const std::vector<BuiltinCategories> table = {
      {"", "pods", {"all"}},
      {"", "services", {"all"}},
      {"apps", "deployments", {"all"}},
      {"apps", "replicasets", {"all"}},
      {"batch", "jobs", {"all"}},
      {"gateway.networking.k8s.io", "gateways", {"gateway-api"}},
      {"gateway.networking.k8s.io", "httproutes", {"gateway-api"}},
      {"networking.istio.io", "virtualservices", {"istio-io", "networking-istio-io"}},
      {"networking.istio.io", "destinationrules", {"istio-io", "networking-istio-io"}},
  };
  return table;
}

std::vector<std::string> BuiltinCategoriesOf(std::string_view group, std::string_view plural) {
  for (const BuiltinCategories& row : CategoriesTable()) {
    if (row.group == group && row.plural == plural) return row.categories;
  }
  return {};
}

ResourceInfo FromKindInfo(const api::KindInfo& kind) {
  ResourceInfo info;
  info.group = kind.group;
  info.version = kind.version;
  info.kind = kind.kind;
  info.list_kind = std::string(kind.kind) + "List";
  info.plural = kind.plural;
  info.singular = kind.singular;
  for (std::string_view s : kind.short_names) info.short_names.emplace_back(s);
  info.categories = BuiltinCategoriesOf(kind.group, kind.plural);
  info.namespaced = kind.namespaced;
  info.status_subresource = kind.status_subresource;
  info.check = kind.check;
  info.name_rule = kind.name_rule;
  return info;
}

ResourceInfo CrdResource() {
  ResourceInfo info;
  info.group = kCrdGroup;
  info.version = "v1";
  info.kind = "CustomResourceDefinition";
  info.list_kind = "CustomResourceDefinitionList";
  info.plural = "customresourcedefinitions";
  info.singular = "customresourcedefinition";
  info.short_names = {"crd", "crds"};
  info.categories = {"api-extensions"};
  info.namespaced = false;
  info.status_subresource = true;
  // check stays nullptr: the REST layer runs ValidateCrd itself when it registers a CRD.
  return info;
}

bool ByGroupVersionPlural(const ResourceInfo& a, const ResourceInfo& b) {
  return std::tie(a.group, a.version, a.plural) < std::tie(b.group, b.version, b.plural);
}

// ---- Kubernetes' name syntax, with apimachinery's messages ----

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

std::string Dns1035LabelErrors(std::string_view s) {
  std::vector<std::string> errors;
  if (s.size() > 63) errors.push_back("must be no more than 63 characters");
  bool ok = !s.empty() && s.front() >= 'a' && s.front() <= 'z' && IsLowerAlnum(s.back());
  for (char c : s) ok = ok && (IsLowerAlnum(c) || c == '-');
  if (!ok) {
    errors.push_back(
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with "
        "an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "
        "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')");
  }
  std::string joined;
  for (const std::string& e : errors) joined += (joined.empty() ? "" : ",") + e;
  return joined;
}

std::string Dns1123SubdomainErrors(std::string_view s) {
  std::vector<std::string> errors;
  if (s.size() > 253) errors.push_back("must be no more than 253 characters");
  bool ok = !s.empty();
  size_t label_start = 0;
  for (size_t i = 0; ok && i <= s.size(); ++i) {
    if (i == s.size() || s[i] == '.') {
      std::string_view label = s.substr(label_start, i - label_start);
      ok = !label.empty() && IsLowerAlnum(label.front()) && IsLowerAlnum(label.back());
      label_start = i + 1;
    } else {
      ok = IsLowerAlnum(s[i]) || s[i] == '-';
    }
  }
  if (!ok) {
    errors.push_back(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
        "or '.', and must start and end with an alphanumeric character (e.g. 'example.com', "
        "regex used for validation is "
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
  }
  std::string joined;
  for (const std::string& e : errors) joined += (joined.empty() ? "" : ",") + e;
  return joined;
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// ---- Reading a CustomResourceDefinition ----

struct CrdVersion {
  std::string name;
  bool served = false;
  bool storage = false;
  bool status_subresource = false;
};

// The parts of a CRD the catalog uses, with Kubernetes' defaults applied.
struct CrdSpec {
  std::string name;  // metadata.name
  std::string group;
  std::string scope;
  std::string plural;
  std::string singular;
  std::string kind;
  std::string list_kind;
  std::vector<std::string> short_names;
  std::vector<std::string> categories;
  std::vector<CrdVersion> versions;
};

std::string TypeMismatch(std::string_view want, const json::Value& got) {
  std::string message =
      "must be " + std::string(want) + ", got " + std::string(json::TypeName(got.type()));
  if (got.is_string()) message += " \"" + got.as_string() + "\"";
  return message;
}

// Reads the member `key` of `object` (an object or null) into *out when it has the expected
// type; records a type error otherwise. Absent and null members leave *out unchanged.
void ReadString(const json::Value& object, std::string_view key, const FieldPath& path,
                std::string* out, FieldErrors* errors) {
  const json::Value* v = object.Find(key);
  if (v == nullptr || v->is_null()) return;
  if (!v->is_string()) {
    errors->push_back(FieldError{path.Child(key), TypeMismatch("a string", *v)});
    return;
  }
  *out = v->as_string();
}

void ReadBool(const json::Value& object, std::string_view key, const FieldPath& path, bool* out,
              FieldErrors* errors) {
  const json::Value* v = object.Find(key);
  if (v == nullptr || v->is_null()) return;
  if (!v->is_bool()) {
    errors->push_back(FieldError{path.Child(key), TypeMismatch("true or false", *v)});
    return;
  }
  *out = v->as_bool();
}

void ReadStrings(const json::Value& object, std::string_view key, const FieldPath& path,
                 std::vector<std::string>* out, FieldErrors* errors) {
  const json::Value* v = object.Find(key);
  if (v == nullptr || v->is_null()) return;
  if (!v->is_array()) {
    errors->push_back(FieldError{path.Child(key), TypeMismatch("an array of strings", *v)});
    return;
  }
  const json::Array& items = v->as_array();
  for (size_t i = 0; i < items.size(); ++i) {
    if (!items[i].is_string()) {
      errors->push_back(FieldError{path.Child(key).Index(i), TypeMismatch("a string", items[i])});
      continue;
    }
    out->push_back(items[i].as_string());
  }
}

// Returns the member `key` when it is an object; records a type error when it is present and
// not one. nullptr when absent, null or mistyped.
const json::Value* ObjectMember(const json::Value& object, std::string_view key,
                                const FieldPath& path, FieldErrors* errors) {
  const json::Value* v = object.Find(key);
  if (v == nullptr || v->is_null()) return nullptr;
  if (!v->is_object()) {
    errors->push_back(FieldError{path.Child(key), TypeMismatch("an object", *v)});
    return nullptr;
  }
  return v;
}

// Reads what the catalog needs from `crd`, recording type errors; structural rules are checked
// by ValidateCrd. REQUIRES: crd.is_object().
CrdSpec ReadCrd(const json::Value& crd, FieldErrors* errors) {
  CrdSpec spec;
  if (const json::Value* metadata = ObjectMember(crd, "metadata", FieldPath(), errors)) {
    ReadString(*metadata, "name", FieldPath("metadata"), &spec.name, errors);
  }
  const FieldPath spec_path("spec");
  const json::Value* s = ObjectMember(crd, "spec", FieldPath(), errors);
  if (s == nullptr) return spec;
  ReadString(*s, "group", spec_path, &spec.group, errors);
  ReadString(*s, "scope", spec_path, &spec.scope, errors);
  const FieldPath names_path = spec_path.Child("names");
  if (const json::Value* names = ObjectMember(*s, "names", spec_path, errors)) {
    ReadString(*names, "plural", names_path, &spec.plural, errors);
    ReadString(*names, "singular", names_path, &spec.singular, errors);
    ReadString(*names, "kind", names_path, &spec.kind, errors);
    ReadString(*names, "listKind", names_path, &spec.list_kind, errors);
    ReadStrings(*names, "shortNames", names_path, &spec.short_names, errors);
    ReadStrings(*names, "categories", names_path, &spec.categories, errors);
  }
  // apiextensions/v1 defaulting (SetDefaults_CustomResourceDefinitionSpec).
  if (spec.singular.empty()) spec.singular = ToLower(spec.kind);
  if (spec.list_kind.empty() && !spec.kind.empty()) spec.list_kind = spec.kind + "List";

  const FieldPath versions_path = spec_path.Child("versions");
  const json::Value* versions = s->Find("versions");
  if (versions != nullptr && !versions->is_null() && !versions->is_array()) {
    errors->push_back(FieldError{versions_path, TypeMismatch("an array", *versions)});
  } else if (versions != nullptr && versions->is_array()) {
    const json::Array& items = versions->as_array();
    for (size_t i = 0; i < items.size(); ++i) {
      const FieldPath path = versions_path.Index(i);
      if (!items[i].is_object()) {
        errors->push_back(FieldError{path, TypeMismatch("an object", items[i])});
        continue;
      }
      CrdVersion version;
      ReadString(items[i], "name", path, &version.name, errors);
      ReadBool(items[i], "served", path, &version.served, errors);
      ReadBool(items[i], "storage", path, &version.storage, errors);
      if (const json::Value* sub = ObjectMember(items[i], "subresources", path, errors)) {
        version.status_subresource =
            ObjectMember(*sub, "status", path.Child("subresources"), errors) != nullptr;
      }
      spec.versions.push_back(std::move(version));
    }
  }
  return spec;
}

void CheckRequired(const std::string& value, const FieldPath& path, std::string detail,
                   FieldErrors* errors) {
  if (value.empty()) errors->push_back(FieldError{path, std::move(detail)});
}

void CheckVersions(const json::Value& spec_value, const CrdSpec& spec, FieldErrors* errors) {
  const FieldPath versions_path = FieldPath("spec").Child("versions");
  const json::Value* versions = spec_value.Find("versions");
  const json::Array empty;
  const json::Array& items =
      versions != nullptr && versions->is_array() ? versions->as_array() : empty;
  for (size_t i = 0; i < items.size(); ++i) {
    if (!items[i].is_object()) continue;
    const json::Value* schema = items[i].Find("schema");
    const json::Value* open_api = schema != nullptr ? schema->Find("openAPIV3Schema") : nullptr;
    if (open_api == nullptr || open_api->is_null()) {
      errors->push_back(
          FieldError{versions_path.Index(i).Child("schema").Child("openAPIV3Schema"),
                     "is required in apiextensions.k8s.io/v1 (a schema of type object with "
                     "x-kubernetes-preserve-unknown-fields: true accepts any content)"});
    }
  }
  // Version entries that were not objects were reported by ReadCrd; count the rest.
  int storage = 0;
  bool unique = true;
  for (size_t i = 0, read = 0; i < items.size(); ++i) {
    if (!items[i].is_object()) continue;
    const CrdVersion& version = spec.versions[read++];
    if (version.storage) ++storage;
    for (size_t j = 0; j + 1 < read; ++j) unique = unique && spec.versions[j].name != version.name;
    std::string syntax = Dns1035LabelErrors(version.name);
    if (!syntax.empty()) {
      errors->push_back(FieldError{versions_path.Index(i).Child("name"), std::move(syntax)});
    }
  }
  if (!unique) errors->push_back(FieldError{versions_path, "must contain unique version names"});
  if (storage != 1) {
    errors->push_back(
        FieldError{versions_path, "must have exactly one version marked as storage version"});
  }
}

void CheckNames(const CrdSpec& spec, FieldErrors* errors) {
  const FieldPath names = FieldPath("spec").Child("names");
  CheckRequired(spec.plural, names.Child("plural"),
                "is required: the resource's lowercase plural name in URLs (\"rollouts\")", errors);
  CheckRequired(spec.singular, names.Child("singular"),
                "is required: the lowercase singular name (defaults to the kind in lowercase)",
                errors);
  CheckRequired(spec.kind, names.Child("kind"), "is required: the CamelCase kind (\"Rollout\")",
                errors);
  CheckRequired(spec.list_kind, names.Child("listKind"),
                "is required: the kind of lists (defaults to kind + \"List\")", errors);
  auto add = [&](FieldPath path, std::string message) {
    if (!message.empty()) errors->push_back(FieldError{std::move(path), std::move(message)});
  };
  if (!spec.plural.empty()) add(names.Child("plural"), Dns1035LabelErrors(spec.plural));
  if (!spec.singular.empty()) add(names.Child("singular"), Dns1035LabelErrors(spec.singular));
  for (auto [field, value] : {std::pair<std::string_view, const std::string*>{"kind", &spec.kind},
                              {"listKind", &spec.list_kind}}) {
    if (value->empty()) continue;
    std::string syntax = Dns1035LabelErrors(ToLower(*value));
    if (!syntax.empty()) {
      add(names.Child(field), "may have mixed case, but should otherwise match: " + syntax);
    }
  }
  for (size_t i = 0; i < spec.short_names.size(); ++i) {
    add(names.Child("shortNames").Index(i), Dns1035LabelErrors(spec.short_names[i]));
  }
  if (!spec.kind.empty() && spec.kind == spec.list_kind) {
    add(names.Child("listKind"), "kind and listKind may not be the same");
  }
  for (size_t i = 0; i < spec.categories.size(); ++i) {
    add(names.Child("categories").Index(i), Dns1035LabelErrors(spec.categories[i]));
  }
}

// The resources a valid CRD serves: one per served version.
std::vector<ResourceInfo> ResourcesOf(const CrdSpec& spec) {
  std::vector<ResourceInfo> resources;
  for (const CrdVersion& version : spec.versions) {
    if (!version.served) continue;
    ResourceInfo info;
    info.group = spec.group;
    info.version = version.name;
    info.kind = spec.kind;
    info.list_kind = spec.list_kind;
    info.plural = spec.plural;
    info.singular = spec.singular;
    info.short_names = spec.short_names;
    info.categories = spec.categories;
    info.namespaced = spec.scope == "Namespaced";
    info.status_subresource = version.status_subresource;
    info.custom = true;
    info.crd_name = spec.name;
    resources.push_back(std::move(info));
  }
  std::sort(resources.begin(), resources.end(), ByGroupVersionPlural);
  return resources;
}

// Parses "v<major>[(alpha|beta)<minor>]". Returns false for other names.
bool ParseKubeVersion(std::string_view v, int* major, int* stability, int* minor) {
  auto digits = [](std::string_view s, int* out) {
    if (s.empty() || s.size() > 9 || s.front() == '0') return false;
    int n = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return false;
      n = n * 10 + (c - '0');
    }
    *out = n;
    return true;
  };
  if (v.size() < 2 || v.front() != 'v') return false;
  v.remove_prefix(1);
  size_t end = 0;
  while (end < v.size() && v[end] >= '0' && v[end] <= '9') ++end;
  if (!digits(v.substr(0, end), major)) return false;
  std::string_view rest = v.substr(end);
  *minor = 0;
  if (rest.empty()) {
    *stability = 2;
    return true;
  }
  for (auto [word, level] : {std::pair<std::string_view, int>{"beta", 1}, {"alpha", 0}}) {
    if (rest.starts_with(word)) {
      *stability = level;
      return digits(rest.substr(word.size()), minor);
    }
  }
  return false;
}

}  // namespace

bool VersionHasPriority(std::string_view a, std::string_view b) {
  int a_major, a_stability, a_minor, b_major, b_stability, b_minor;
  const bool a_kube = ParseKubeVersion(a, &a_major, &a_stability, &a_minor);
  const bool b_kube = ParseKubeVersion(b, &b_major, &b_stability, &b_minor);
  if (a_kube != b_kube) return a_kube;
  if (!a_kube) return a < b;
  return std::tie(a_stability, a_major, a_minor) > std::tie(b_stability, b_major, b_minor);
}

std::string ResourceInfo::ApiVersion() const {
  return group.empty() ? version : group + "/" + version;
}

std::string ResourceInfo::StoreResource() const {
  return group.empty() ? plural : group + "/" + plural;
}

class ResourceCatalog::Impl {
 public:
  Impl() {
    for (const api::KindInfo& kind : api::BuiltinKinds()) builtin_.push_back(FromKindInfo(kind));
    builtin_.push_back(CrdResource());
    std::sort(builtin_.begin(), builtin_.end(), ByGroupVersionPlural);
  }

  // Immutable after construction: read without the lock.
  std::vector<ResourceInfo> builtin_;

  struct Crd {
    // Empty when the CRD names a built-in resource (it is stored but serves nothing).
    std::vector<ResourceInfo> resources;
  };
  mutable std::shared_mutex mu_;
  std::map<std::string, Crd, std::less<>> crds_;  // by CRD name; guarded by mu_

  bool NamesBuiltin(const CrdSpec& spec) const {
    return std::any_of(builtin_.begin(), builtin_.end(), [&](const ResourceInfo& r) {
      return r.group == spec.group && (r.plural == spec.plural || r.kind == spec.kind);
    });
  }

  // Kubernetes' naming controller: the first of the CRD's names another resource of the group
  // already uses, as its condition message; "" when every name is free. REQUIRES: mu_ held.
  std::string NameConflict(const CrdSpec& spec) const {
    std::vector<const std::string*> resource_names, kind_names;
    auto collect = [&](const ResourceInfo& r) {
      if (r.group != spec.group) return;
      resource_names.push_back(&r.plural);
      resource_names.push_back(&r.singular);
      for (const std::string& s : r.short_names) resource_names.push_back(&s);
      kind_names.push_back(&r.kind);
      kind_names.push_back(&r.list_kind);
    };
    for (const ResourceInfo& r : builtin_) collect(r);
    for (const auto& [name, crd] : crds_) {
      if (name == spec.name) continue;
      for (const ResourceInfo& r : crd.resources) collect(r);
    }
    auto used = [](const std::vector<const std::string*>& names, const std::string& candidate) {
      return std::any_of(names.begin(), names.end(),
                         [&](const std::string* n) { return *n == candidate; });
    };
    std::vector<const std::string*> wanted = {&spec.plural, &spec.singular};
    for (const std::string& s : spec.short_names) wanted.push_back(&s);
    for (const std::string* name : wanted) {
      if (used(resource_names, *name)) return "\"" + *name + "\" is already in use";
    }
    for (const std::string* name : {&spec.kind, &spec.list_kind}) {
      if (used(kind_names, *name)) return "\"" + *name + "\" is already in use";
    }
    return {};
  }
};

ResourceCatalog::ResourceCatalog() : impl_(std::make_unique<Impl>()) {}
ResourceCatalog::~ResourceCatalog() = default;

// The first resource `matches` accepts: built-ins first (they win over CRDs that name them).
std::optional<ResourceInfo> ResourceCatalog::FindIf(
    const std::function<bool(const ResourceInfo&)>& matches) const {
  for (const ResourceInfo& r : impl_->builtin_) {
    if (matches(r)) return r;
  }
  std::shared_lock lock(impl_->mu_);
  for (const auto& [name, crd] : impl_->crds_) {
    for (const ResourceInfo& r : crd.resources) {
      if (matches(r)) return r;
    }
  }
  return std::nullopt;
}

std::optional<ResourceInfo> ResourceCatalog::Find(std::string_view group, std::string_view version,
                                                  std::string_view plural) const {
  return FindIf([&](const ResourceInfo& r) {
    return r.plural == plural && r.version == version && r.group == group;
  });
}

std::optional<ResourceInfo> ResourceCatalog::FindKind(std::string_view api_version,
                                                      std::string_view kind) const {
  std::string_view group, version = api_version;
  if (size_t slash = api_version.find('/'); slash != std::string_view::npos) {
    group = api_version.substr(0, slash);
    version = api_version.substr(slash + 1);
  }
  return FindIf([&](const ResourceInfo& r) {
    return r.kind == kind && r.version == version && r.group == group;
  });
}

std::vector<ResourceInfo> ResourceCatalog::All() const {
  std::vector<ResourceInfo> custom;
  {
    std::shared_lock lock(impl_->mu_);
    for (const auto& [name, crd] : impl_->crds_) {
      custom.insert(custom.end(), crd.resources.begin(), crd.resources.end());
    }
  }
  std::sort(custom.begin(), custom.end(), ByGroupVersionPlural);
  std::vector<ResourceInfo> all = impl_->builtin_;
  all.insert(all.end(), custom.begin(), custom.end());
  return all;
}

std::vector<ApiGroup> ResourceCatalog::Groups() const {
  std::vector<ResourceInfo> all = All();
  // Group rank: the core group, then groups with built-in resources, then the rest.
  auto rank = [&](const std::string& group) {
    if (group.empty()) return 0;
    for (const ResourceInfo& r : impl_->builtin_) {
      if (r.group == group) return 1;
    }
    return 2;
  };
  std::vector<ApiGroup> groups;
  for (ResourceInfo& r : all) {
    auto group = std::find_if(groups.begin(), groups.end(),
                              [&](const ApiGroup& g) { return g.name == r.group; });
    if (group == groups.end()) group = groups.insert(groups.end(), ApiGroup{r.group, {}});
    auto version = std::find_if(group->versions.begin(), group->versions.end(),
                                [&](const ApiGroupVersion& v) { return v.version == r.version; });
    if (version == group->versions.end()) {
      version = group->versions.insert(group->versions.end(), ApiGroupVersion{r.version, {}});
    }
    version->resources.push_back(std::move(r));
  }
  for (ApiGroup& group : groups) {
    std::sort(group.versions.begin(), group.versions.end(),
              [](const ApiGroupVersion& a, const ApiGroupVersion& b) {
                return VersionHasPriority(a.version, b.version);
              });
    for (ApiGroupVersion& version : group.versions) {
      std::sort(version.resources.begin(), version.resources.end(),
                [](const ResourceInfo& a, const ResourceInfo& b) { return a.plural < b.plural; });
    }
  }
  std::stable_sort(groups.begin(), groups.end(), [&](const ApiGroup& a, const ApiGroup& b) {
    return std::make_pair(rank(a.name), std::cref(a.name)) <
           std::make_pair(rank(b.name), std::cref(b.name));
  });
  return groups;
}

FieldErrors ResourceCatalog::ValidateCrd(const json::Value& crd) {
  FieldErrors errors;
  if (!crd.is_object()) {
    errors.push_back(FieldError{FieldPath(), TypeMismatch("an object", crd)});
    return errors;
  }
  CrdSpec spec = ReadCrd(crd, &errors);
  const json::Value* spec_value = crd.Find("spec");
  if (spec_value == nullptr || spec_value->is_null()) {
    errors.push_back(
        FieldError{FieldPath("spec"), "is required: group, names, scope and versions"});
    return errors;
  }
  if (!spec_value->is_object()) return errors;  // ReadCrd reported it

  if (!spec.name.empty() && spec.name != spec.plural + "." + spec.group) {
    errors.push_back(FieldError{FieldPath("metadata").Child("name"),
                                "must be spec.names.plural+\".\"+spec.group"});
  }
  const FieldPath spec_path("spec");
  if (spec.group.empty()) {
    errors.push_back(FieldError{spec_path.Child("group"),
                                "is required: the API group, a domain such as "
                                "\"argoproj.io\""});
  } else if (std::string syntax = Dns1123SubdomainErrors(spec.group); !syntax.empty()) {
    errors.push_back(FieldError{spec_path.Child("group"), std::move(syntax)});
  } else if (spec.group.find('.') == std::string::npos) {
    errors.push_back(
        FieldError{spec_path.Child("group"), "should be a domain with at least one dot"});
  }
  if (spec.scope.empty()) {
    errors.push_back(
        FieldError{spec_path.Child("scope"), "is required: \"Cluster\" or \"Namespaced\""});
  } else if (spec.scope != "Cluster" && spec.scope != "Namespaced") {
    errors.push_back(
        FieldError{spec_path.Child("scope"), "supported values: \"Cluster\", \"Namespaced\""});
  }
  CheckVersions(*spec_value, spec, &errors);
  CheckNames(spec, &errors);
  return errors;
}

Status ResourceCatalog::AddCrd(const json::Value& crd) {
  FieldErrors problems = ValidateCrd(crd);
  if (!problems.empty()) {
    return InvalidArgumentError("invalid CustomResourceDefinition: " + api::ToString(problems[0]),
                                problems[0].path.str());
  }
  FieldErrors ignored;
  CrdSpec spec = ReadCrd(crd, &ignored);
  if (spec.name.empty()) {
    return InvalidArgumentError("invalid CustomResourceDefinition: metadata.name is required",
                                "metadata.name");
  }
  Impl::Crd entry;
  if (!impl_->NamesBuiltin(spec)) entry.resources = ResourcesOf(spec);

  std::unique_lock lock(impl_->mu_);
  if (!entry.resources.empty()) {
    if (std::string conflict = impl_->NameConflict(spec); !conflict.empty()) {
      return FailedPreconditionError(std::move(conflict));
    }
  }
  impl_->crds_.insert_or_assign(spec.name, std::move(entry));
  return Status::Ok();
}

void ResourceCatalog::RemoveCrd(std::string_view crd_name) {
  std::unique_lock lock(impl_->mu_);
  if (auto it = impl_->crds_.find(crd_name); it != impl_->crds_.end()) impl_->crds_.erase(it);
}

}  // namespace devflow::apiserver
