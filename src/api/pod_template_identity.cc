#include "api/pod_template_identity.h"

#include <algorithm>
#include <string>
#include <vector>

#include "api/defaults.h"
#include "api/pod_codec.h"
#include "api/quantity.h"

namespace devflow::api {
namespace {

// Returns the member `key` of object `v`, or nullptr when `v` is not an object or lacks it.
json::Value* Member(json::Value& v, std::string_view key) {
  return v.is_object() ? v.Find(key) : nullptr;
}

void SetDefault(json::Value& object, std::string_view key, json::Value value) {
  if (!object.is_object()) return;
  json::Value* existing = object.Find(key);
  if (existing == nullptr) {
    object.as_object().Set(std::string(key), std::move(value));
  }
}

// For Go int32 fields without a pointer, 0 is "unset" and gets the default.
void SetDefaultIfZero(json::Value& object, std::string_view key, int64_t value) {
  if (!object.is_object()) return;
  json::Value* existing = object.Find(key);
  if (existing == nullptr || (existing->is_int() && existing->as_int() == 0)) {
    object.as_object().Set(std::string(key), json::Value(value));
  }
}

template <class F>
void ForEachItem(json::Value* list, F f) {
  if (list == nullptr || !list->is_array()) return;
  for (json::Value& item : list->as_array()) f(item);
}

bool IsEmptyContainer(const json::Value& v) {
  return v.is_null() || (v.is_array() && v.as_array().empty()) ||
         (v.is_object() && v.as_object().empty());
}

// Drops null members, empty lists and empty objects, bottom-up, and sorts object members by key.
json::Value Normalize(const json::Value& v) {
  if (v.is_array()) {
    json::Array out;
    out.reserve(v.as_array().size());
    for (const json::Value& item : v.as_array()) out.push_back(Normalize(item));
    return json::Value(std::move(out));
  }
  if (!v.is_object()) return v;
  std::vector<const json::Member*> members;
  for (const json::Member& m : v.as_object()) members.push_back(&m);
  std::sort(members.begin(), members.end(),
            [](const json::Member* a, const json::Member* b) { return a->key < b->key; });
  json::Object out;
  for (const json::Member* m : members) {
    json::Value value = Normalize(m->value);
    if (IsEmptyContainer(value)) continue;
    out.Set(m->key, std::move(value));
  }
  return json::Value(std::move(out));
}

// Kubernetes' image-name parsing, reduced to what defaulting needs: the tag, "latest" when the
// image has neither a tag nor a digest, "" when it has only a digest.
std::string ImageTag(std::string_view image) {
  bool has_digest = false;
  if (size_t at = image.find('@'); at != std::string_view::npos) {
    image = image.substr(0, at);
    has_digest = true;
  }
  size_t slash = image.rfind('/');
  std::string_view last = slash == std::string_view::npos ? image : image.substr(slash + 1);
  if (size_t colon = last.rfind(':'); colon != std::string_view::npos) {
    return std::string(last.substr(colon + 1));
  }
  return has_digest ? "" : "latest";
}

void DefaultHttpGet(json::Value* http_get) {
  if (http_get != nullptr) SetDefault(*http_get, "scheme", "HTTP");
}

void DefaultProbe(json::Value* probe) {
  if (probe == nullptr || !probe->is_object()) return;
  SetDefaultIfZero(*probe, "timeoutSeconds", 1);
  SetDefaultIfZero(*probe, "periodSeconds", 10);
  SetDefaultIfZero(*probe, "successThreshold", 1);
  SetDefaultIfZero(*probe, "failureThreshold", 3);
  DefaultHttpGet(Member(*probe, "httpGet"));
  if (json::Value* grpc = Member(*probe, "grpc")) SetDefault(*grpc, "service", "");
}

void CanonicalQuantities(json::Value* map) {
  if (map == nullptr || !map->is_object()) return;
  for (json::Member& m : map->as_object()) {
    std::string text;
    if (m.value.is_string()) {
      text = m.value.as_string();
    } else if (m.value.is_int()) {
      text = std::to_string(m.value.as_int());
    } else {
      continue;
    }
    Result<Quantity> q = Quantity::Parse(text);
    if (q.ok()) m.value = json::Value(q->DecimalString());
  }
}

void DefaultContainer(json::Value& c, bool host_network) {
  if (!c.is_object()) return;
  SetDefault(c, "terminationMessagePath", "/dev/termination-log");
  SetDefault(c, "terminationMessagePolicy", "File");
  if (c.Find("imagePullPolicy") == nullptr) {
    const json::Value* image = c.Find("image");
    std::string tag = image != nullptr && image->is_string() ? ImageTag(image->as_string()) : "";
    c.as_object().Set("imagePullPolicy", tag == "latest" ? "Always" : "IfNotPresent");
  }
  ForEachItem(Member(c, "ports"), [host_network](json::Value& port) {
    SetDefault(port, "protocol", "TCP");
    if (host_network && port.is_object()) {
      if (const json::Value* container_port = port.Find("containerPort")) {
        SetDefault(port, "hostPort", *container_port);
      }
    }
  });
  ForEachItem(Member(c, "env"), [](json::Value& env) {
    json::Value* from = Member(env, "valueFrom");
    if (json::Value* field_ref = from ? Member(*from, "fieldRef") : nullptr) {
      SetDefault(*field_ref, "apiVersion", "v1");
    }
  });
  DefaultProbe(Member(c, "livenessProbe"));
  DefaultProbe(Member(c, "readinessProbe"));
  DefaultProbe(Member(c, "startupProbe"));
  if (json::Value* lifecycle = Member(c, "lifecycle")) {
    for (std::string_view hook : {"postStart", "preStop"}) {
      if (json::Value* handler = Member(*lifecycle, hook)) {
        DefaultHttpGet(Member(*handler, "httpGet"));
      }
    }
  }
  if (json::Value* resources = Member(c, "resources")) {
    CanonicalQuantities(Member(*resources, "limits"));
    CanonicalQuantities(Member(*resources, "requests"));
  }
}

void DefaultVolume(json::Value& volume) {
  if (!volume.is_object()) return;
  bool has_source = false;
  for (const json::Member& m : volume.as_object()) {
    if (m.key != "name") has_source = true;
  }
  if (!has_source) volume.as_object().Set("emptyDir", json::Object{});
  for (std::string_view source : {"secret", "configMap", "downwardAPI", "projected"}) {
    if (json::Value* s = Member(volume, source)) SetDefault(*s, "defaultMode", 420);
  }
  if (json::Value* host_path = Member(volume, "hostPath")) SetDefault(*host_path, "type", "");
  if (json::Value* empty_dir = Member(volume, "emptyDir"); empty_dir && empty_dir->is_object()) {
    if (json::Value* limit = empty_dir->Find("sizeLimit"); limit && limit->is_string()) {
      Result<Quantity> q = Quantity::Parse(limit->as_string());
      if (q.ok()) *limit = json::Value(q->DecimalString());
    }
  }
}

void DefaultPodSpec(json::Value& spec) {
  if (spec.is_null()) spec = json::Value(json::Object{});
  if (!spec.is_object()) return;
  spec.as_object().Erase("serviceAccount");
  SetDefault(spec, "restartPolicy", "Always");
  SetDefault(spec, "terminationGracePeriodSeconds", 30);
  SetDefault(spec, "dnsPolicy", "ClusterFirst");
  SetDefault(spec, "schedulerName", "default-scheduler");
  SetDefault(spec, "securityContext", json::Object{});
  SetDefault(spec, "enableServiceLinks", true);
  const json::Value* host_network = spec.Find("hostNetwork");
  bool on_host = host_network != nullptr && host_network->is_bool() && host_network->as_bool();
  ForEachItem(Member(spec, "containers"),
              [on_host](json::Value& c) { DefaultContainer(c, on_host); });
  ForEachItem(Member(spec, "initContainers"),
              [on_host](json::Value& c) { DefaultContainer(c, on_host); });
  ForEachItem(Member(spec, "volumes"), DefaultVolume);
}

// FNV-1a, 32 bits.
class Fnv32a {
 public:
  void Write(std::string_view bytes) {
    for (char c : bytes) {
      hash_ ^= static_cast<uint8_t>(c);
      hash_ *= 16777619u;
    }
  }
  uint32_t Sum() const { return hash_; }

 private:
  uint32_t hash_ = 2166136261u;
};

}  // namespace

json::Value CanonicalPodTemplate(const PodTemplateSpec& tmpl) {
  json::Value v = Normalize(EncodeValue(tmpl));
  if (!v.is_object()) v = json::Value(json::Object{});
  if (json::Value* metadata = Member(v, "metadata")) {
    if (json::Value* labels = Member(*metadata, "labels"); labels && labels->is_object()) {
      labels->as_object().Erase(defaults::kPodTemplateHashLabel);
    }
  }
  DefaultPodSpec(v["spec"]);
  return Normalize(v);
}

bool SemanticallyEqual(const PodTemplateSpec& desired, const PodTemplateSpec& live) {
  return CanonicalPodTemplate(desired) == CanonicalPodTemplate(live);
}

std::string PodTemplateHash(const PodTemplateSpec& tmpl, std::optional<int32_t> collision_count) {
  Fnv32a hasher;
  hasher.Write(json::Write(CanonicalPodTemplate(tmpl)));
  if (collision_count.has_value()) {
    uint32_t count = static_cast<uint32_t>(*collision_count);
    char bytes[8] = {static_cast<char>(count & 0xff),
                     static_cast<char>((count >> 8) & 0xff),
                     static_cast<char>((count >> 16) & 0xff),
                     static_cast<char>((count >> 24) & 0xff),
                     0,
                     0,
                     0,
                     0};
    hasher.Write(std::string_view(bytes, sizeof(bytes)));
  }
  return SafeEncodeString(std::to_string(hasher.Sum()));
}

std::string SafeEncodeString(std::string_view s) {
  static constexpr std::string_view kAlphabet = "bcdfghjklmnpqrstvwxz2456789";
  std::string out;
  out.reserve(s.size());
  for (char c : s) out += kAlphabet[static_cast<uint8_t>(c) % kAlphabet.size()];
  return out;
}

}  // namespace devflow::api
