#include "apiserver/object_meta_rules.h"

#include <algorithm>
#include <set>
#include <utility>

#include "apiserver/deletion_rules.h"

namespace devflow::apiserver {
namespace {

// ObjectMeta's members in the order Kubernetes writes them, so created objects read as a
// kube-apiserver's do.
constexpr std::string_view kMetadataOrder[] = {
    "name",
    "generateName",
    "namespace",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "labels",
    "annotations",
    "ownerReferences",
    "finalizers",
    "managedFields",
};

json::Object& MetadataOf(json::Value& object) {
  json::Value& metadata = object.as_object()["metadata"];
  if (!metadata.is_object()) metadata = json::Object{};
  return metadata.as_object();
}

const json::Value* MetadataMember(const json::Value& object, std::string_view member) {
  const json::Value* metadata = object.Find("metadata");
  if (metadata == nullptr || !metadata->is_object()) return nullptr;
  return metadata->Find(member);
}

// Copies metadata.<member> of `from` into `to`, or removes it from `to` when `from` has none.
void KeepMember(json::Object& to, const json::Value& from, std::string_view member) {
  const json::Value* value = MetadataMember(from, member);
  if (value == nullptr || value->is_null()) {
    to.Erase(member);
  } else {
    to.Set(std::string(member), *value);
  }
}

void KeepStatus(json::Value& to, const json::Value& from) {
  const json::Value* status = from.Find("status");
  if (status == nullptr) {
    to.as_object().Erase("status");
  } else {
    to.as_object().Set("status", *status);
  }
}

json::Object Reordered(const json::Object& metadata) {
  json::Object out;
  for (std::string_view key : kMetadataOrder) {
    if (const json::Value* value = metadata.Find(key)) out.Set(std::string(key), *value);
  }
  for (const json::Member& member : metadata) {
    if (!out.Contains(member.key)) out.Set(member.key, member.value);
  }
  return out;
}

std::vector<std::string> FinalizerList(const json::Value& object) {
  std::vector<std::string> out;
  const json::Value* finalizers = MetadataMember(object, "finalizers");
  if (finalizers == nullptr || !finalizers->is_array()) return out;
  for (const json::Value& f : finalizers->as_array()) {
    if (f.is_string()) out.push_back(f.as_string());
  }
  return out;
}

// Go's %#v of a []string: []string{"a", "b"}.
std::string GoStringSlice(const std::set<std::string>& values) {
  std::string out = "[]string{";
  bool first = true;
  for (const std::string& value : values) {
    if (!first) out += ", ";
    first = false;
    json::AppendQuoted(value, out);
  }
  return out + "}";
}

void PrepareNamespaceForCreate(json::Value& object) {
  json::Value& spec = object.as_object()["spec"];
  if (!spec.is_object()) spec = json::Object{};
  json::Value& finalizers = spec.as_object()["finalizers"];
  if (!finalizers.is_array()) finalizers = json::Array{};
  bool has = false;
  for (const json::Value& f : finalizers.as_array()) {
    has = has || (f.is_string() && f.as_string() == kNamespaceFinalizer);
  }
  if (!has) finalizers.as_array().push_back(json::Value(kNamespaceFinalizer));
  object.as_object().Set("status", json::Object{{"phase", "Active"}});
}

void SetNamespaceNameLabel(json::Value& object) {
  json::Object& metadata = MetadataOf(object);
  json::Value& labels = metadata["labels"];
  if (!labels.is_object()) labels = json::Object{};
  const json::Value* name = metadata.Find("name");
  labels.as_object().Set(std::string(kNamespaceNameLabel),
                         name != nullptr && name->is_string() ? *name : json::Value(""));
}

}  // namespace

std::string GeneratedName(std::string_view prefix, std::string_view suffix) {
  constexpr size_t kMaxPrefix = 63 - kNameSuffixLength;
  if (prefix.size() > kMaxPrefix) prefix = prefix.substr(0, kMaxPrefix);
  return std::string(prefix) + std::string(suffix);
}

std::string FormatUuidV4(const unsigned char (&bytes)[16]) {
  unsigned char b[16];
  std::copy(std::begin(bytes), std::end(bytes), b);
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[b[i] >> 4];
    out += kHex[b[i] & 0x0f];
  }
  return out;
}

std::string MetadataString(const json::Value& object, std::string_view member) {
  const json::Value* value = MetadataMember(object, member);
  return value != nullptr && value->is_string() ? value->as_string() : std::string();
}

bool IsNamespaceResource(const ResourceInfo& info) {
  return info.group.empty() && info.plural == "namespaces";
}

bool TracksGeneration(const ResourceInfo& info) {
  static const std::set<std::string, std::less<>> kWithoutGeneration = {"", "coordination.k8s.io",
                                                                        "events.k8s.io"};
  return info.custom || !kWithoutGeneration.contains(info.group);
}

json::Value PrepareForCreate(const json::Value& object, const ResourceInfo& info,
                             const CreateFields& fields) {
  json::Value out = object;
  json::Object& metadata = MetadataOf(out);
  if (MetadataString(out, "name").empty()) {
    const std::string prefix = MetadataString(out, "generateName");
    if (!prefix.empty()) metadata.Set("name", GeneratedName(prefix, fields.name_suffix));
  }
  if (!info.namespaced) metadata.Erase("namespace");
  metadata.Set("uid", fields.uid);
  metadata.Set("creationTimestamp", fields.creation_timestamp);
  if (TracksGeneration(info)) {
    metadata.Set("generation", 1);
  } else {
    metadata.Erase("generation");
  }
  metadata.Erase("resourceVersion");
  metadata.Erase("deletionTimestamp");
  metadata.Erase("deletionGracePeriodSeconds");
  metadata = Reordered(metadata);
  if (info.status_subresource) out.as_object().Erase("status");
  if (IsNamespaceResource(info)) {
    PrepareNamespaceForCreate(out);
    SetNamespaceNameLabel(out);
  }
  return out;
}

UpdatePreparation PrepareForUpdate(const json::Value& updated, const json::Value& stored,
                                   const ResourceInfo& info) {
  UpdatePreparation result{.object = updated, .causes = {}};
  json::Value& out = result.object;
  json::Object& metadata = MetadataOf(out);

  KeepMember(metadata, stored, "name");
  if (info.namespaced) {
    KeepMember(metadata, stored, "namespace");
  } else {
    metadata.Erase("namespace");
  }
  const std::string stored_uid = MetadataString(stored, "uid");
  const json::Value* uid = metadata.Find("uid");
  if (uid == nullptr || (uid->is_string() && uid->as_string().empty())) {
    KeepMember(metadata, stored, "uid");
  } else if (!uid->is_string() || uid->as_string() != stored_uid) {
    std::string shown = uid->is_string() ? "" : json::Write(*uid);
    if (uid->is_string()) json::AppendQuoted(uid->as_string(), shown);
    result.causes.push_back(
        StatusCause{.type = "FieldValueInvalid",
                    .message = "Invalid value: " + shown + ": field is immutable",
                    .field = "metadata.uid"});
  }
  KeepMember(metadata, stored, "creationTimestamp");
  KeepMember(metadata, stored, "deletionTimestamp");
  KeepMember(metadata, stored, "deletionGracePeriodSeconds");

  if (IsMarkedForDeletion(stored)) {
    const std::vector<std::string> old_list = FinalizerList(stored);
    const std::set<std::string> old_set(old_list.begin(), old_list.end());
    std::set<std::string> added;
    for (const std::string& f : FinalizerList(out)) {
      if (!old_set.contains(f)) added.insert(f);
    }
    if (!added.empty()) {
      result.causes.push_back(StatusCause{
          .type = "FieldValueForbidden",
          .message = "Forbidden: no new finalizers can be added if the object is being deleted, "
                     "found new finalizers " +
                     GoStringSlice(added),
          .field = "metadata.finalizers"});
    }
  }

  if (info.status_subresource) KeepStatus(out, stored);
  if (IsNamespaceResource(info)) {
    // Only /finalize changes a Namespace's spec.finalizers.
    const json::Value* stored_spec = stored.Find("spec");
    if (stored_spec != nullptr) {
      out.as_object().Set("spec", *stored_spec);
    } else {
      out.as_object().Erase("spec");
    }
    SetNamespaceNameLabel(out);
  }

  const json::Value* stored_generation = MetadataMember(stored, "generation");
  const int64_t generation =
      stored_generation != nullptr && stored_generation->is_int() ? stored_generation->as_int() : 0;
  if (!TracksGeneration(info)) {
    MetadataOf(out).Erase("generation");
  } else if (!SpecEqual(out, stored, info.status_subresource)) {
    MetadataOf(out).Set("generation", generation + 1);
  } else if (stored_generation != nullptr) {
    MetadataOf(out).Set("generation", *stored_generation);
  } else {
    MetadataOf(out).Erase("generation");
  }
  return result;
}

json::Value PrepareForStatusUpdate(const json::Value& updated, const json::Value& stored) {
  json::Value out = stored;
  KeepStatus(out, updated);
  return out;
}

json::Value PrepareForFinalize(const json::Value& updated, const json::Value& stored) {
  json::Value out = stored;
  json::Value& spec = out.as_object()["spec"];
  if (!spec.is_object()) spec = json::Object{};
  const json::Value* new_spec = updated.Find("spec");
  const json::Value* finalizers = new_spec != nullptr ? new_spec->Find("finalizers") : nullptr;
  if (finalizers == nullptr || finalizers->is_null()) {
    spec.as_object().Erase("finalizers");
  } else {
    spec.as_object().Set("finalizers", *finalizers);
  }
  return out;
}

bool SpecEqual(const json::Value& a, const json::Value& b, bool ignore_status) {
  if (!a.is_object() || !b.is_object()) return a == b;
  auto counted = [&](const json::Member& m) {
    return m.key != "metadata" && !(ignore_status && m.key == "status");
  };
  size_t a_count = 0;
  for (const json::Member& m : a.as_object()) {
    if (!counted(m)) continue;
    ++a_count;
    const json::Value* other = b.Find(m.key);
    if (other == nullptr || !(*other == m.value)) return false;
  }
  size_t b_count = 0;
  for (const json::Member& m : b.as_object()) b_count += counted(m) ? 1 : 0;
  return a_count == b_count;
}

}  // namespace devflow::apiserver
