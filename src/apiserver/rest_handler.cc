#include "apiserver/rest_handler.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <functional>
#include <iterator>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <utility>
#include <variant>
#include <vector>

#include "api/json_patch.h"
#include "api/merge_patch.h"
#include "api/object_check.h"
#include "api/selector.h"
#include "api/strategic_merge_patch.h"
#include "api/time.h"
#include "apiserver/api_status.h"
#include "apiserver/deletion_rules.h"
#include "apiserver/discovery.h"
#include "apiserver/object_meta_rules.h"
#include "apiserver/pod_log.h"
#include "apiserver/request_target.h"
#include "apiserver/service_ip_rules.h"
#include "common/json_reader.h"

namespace devflow::apiserver {
namespace {

constexpr std::string_view kJsonPatch = "application/json-patch+json";
constexpr std::string_view kMergePatch = "application/merge-patch+json";
constexpr std::string_view kStrategicPatch = "application/strategic-merge-patch+json";
constexpr std::string_view kApplyPatch = "application/apply-patch+yaml";

constexpr std::string_view kCrdGroup = "apiextensions.k8s.io";
constexpr std::string_view kCrdPlural = "customresourcedefinitions";

// Read-modify-write cycles retried on a store Conflict when the client did not ask for a
// precondition (kube-apiserver's GuaranteedUpdate loops the same way).
constexpr int kWriteAttempts = 5;

constexpr std::string_view kImmortalNamespaces[] = {"default", "kube-system", "kube-public"};
constexpr std::string_view kSystemNamespaces[] = {"default", "kube-system", "kube-public",
                                                  "kube-node-lease"};

const std::string kModifiedMessage =
    "the object has been modified; please apply your changes to the latest version and try again";

// An answer, or the Status to answer instead.
template <class T>
using Answer = std::variant<T, ApiStatus>;

template <class T>
bool Failed(const Answer<T>& answer) {
  return std::holds_alternative<ApiStatus>(answer);
}

http::Response JsonResponse(int code, std::string body) {
  http::Response response;
  response.status = code;
  response.headers = {{"Content-Type", "application/json"}};
  response.body = std::move(body);
  return response;
}

http::Response StatusResponse(const ApiStatus& status) {
  return JsonResponse(status.code, ToJsonText(status));
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// "application/json; charset=utf-8" -> "application/json".
std::string MediaType(std::string_view content_type) {
  return Lower(Trim(content_type.substr(0, content_type.find(';'))));
}

// Whether any entry of an Accept header admits JSON. kubectl's `as=Table` entries are followed by
// plain application/json, which is what this server answers.
bool AcceptsJson(std::string_view accept) {
  if (Trim(accept).empty()) return true;
  while (!accept.empty()) {
    size_t comma = accept.find(',');
    std::string type = MediaType(accept.substr(0, comma));
    if (type == "application/json" || type == "*/*" || type == "application/*") return true;
    if (comma == std::string_view::npos) break;
    accept.remove_prefix(comma + 1);
  }
  return false;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  // The length is not secret; the bytes are compared without an early exit.
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return diff == 0;
}

std::optional<int64_t> ParseInt(std::string_view text) {
  int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
    return std::nullopt;
  }
  return value;
}

std::chrono::system_clock::time_point SystemNow(const Clock& clock) {
  return clock ? clock() : std::chrono::system_clock::now();
}

std::string FormatNow(const Clock& clock) {
  return api::FormatRfc3339(std::chrono::floor<std::chrono::microseconds>(SystemNow(clock)));
}

std::mt19937_64& Random() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  return generator;
}

std::string RandomUuid() {
  unsigned char bytes[16];
  for (unsigned char& b : bytes) b = static_cast<unsigned char>(Random()() & 0xff);
  return FormatUuidV4(bytes);
}

std::string RandomNameSuffix() {
  std::string out;
  for (size_t i = 0; i < kNameSuffixLength; ++i) {
    out += kNameSuffixAlphabet[Random()() % kNameSuffixAlphabet.size()];
  }
  return out;
}

bool ServesGroupVersion(const ResourceCatalog& catalog, std::string_view group,
                        std::string_view version) {
  for (const ApiGroup& served : catalog.Groups()) {
    if (served.name != group) continue;
    for (const ApiGroupVersion& v : served.versions) {
      if (v.version == version) return true;
    }
  }
  return false;
}

bool IsServiceResource(const ResourceInfo& info) {
  return info.group.empty() && info.plural == "services";
}

bool IsPodResource(const ResourceInfo& info) { return info.group.empty() && info.plural == "pods"; }

bool IsCrdResource(const ResourceInfo& info) {
  return info.group == kCrdGroup && info.plural == kCrdPlural;
}

// Whether a cluster serves this resource through a CRD: the custom ones, and the kinds devflow
// serves natively that are CRDs in a cluster (Argo's, Istio's, Gateway API's).
bool ServedAsCustomResource(const ResourceInfo& info) {
  static const std::set<std::string, std::less<>> kKubernetesGroups = {"",
                                                                       "apps",
                                                                       "batch",
                                                                       "coordination.k8s.io",
                                                                       "networking.k8s.io",
                                                                       "events.k8s.io",
                                                                       "apiextensions.k8s.io"};
  return info.custom || !kKubernetesGroups.contains(info.group);
}

// Kubernetes' own groups answer deletes with a Status (except the kinds below), while custom
// resources answer the deleted object.
bool ReturnsDeletedObject(const ResourceInfo& info) {
  if (ServedAsCustomResource(info) || IsCrdResource(info)) return true;
  return info.group.empty() &&
         (info.plural == "pods" || info.plural == "services" || info.plural == "namespaces");
}

api::FieldErrors Validate(const json::Value& object, const ResourceInfo& info) {
  api::KindInfo kind_info;
  kind_info.group = info.group;
  kind_info.version = info.version;
  kind_info.kind = info.kind;
  kind_info.plural = info.plural;
  kind_info.namespaced = info.namespaced;
  kind_info.name_rule = info.name_rule;
  api::FieldErrors errors;
  api::ValidateObjectMeta(object, &kind_info, &errors);
  if (info.check != nullptr) {
    for (api::FieldError& e : info.check(object)) {
      if (std::find(errors.begin(), errors.end(), e) == errors.end())
        errors.push_back(std::move(e));
    }
  }
  if (IsCrdResource(info)) {
    for (api::FieldError& e : ResourceCatalog::ValidateCrd(object)) {
      if (std::find(errors.begin(), errors.end(), e) == errors.end())
        errors.push_back(std::move(e));
    }
  }
  return errors;
}

json::Value WithResourceVersion(json::Value object, int64_t version) {
  json::Value* metadata = object.Find("metadata");
  if (metadata != nullptr && metadata->is_object()) {
    metadata->as_object().Set("resourceVersion", std::to_string(version));
  }
  return object;
}

std::string ListBody(const ResourceInfo& info, int64_t version, std::string_view continue_token,
                     const std::vector<std::string>& items) {
  std::string body = "{\"kind\":";
  json::AppendQuoted(info.list_kind, body);
  body += ",\"apiVersion\":";
  json::AppendQuoted(info.ApiVersion(), body);
  body += ",\"metadata\":{\"resourceVersion\":";
  json::AppendQuoted(std::to_string(version), body);
  // apiextensions-apiserver writes lists of custom resources with an empty continue member.
  if (!continue_token.empty() || ServedAsCustomResource(info)) {
    body += ",\"continue\":";
    json::AppendQuoted(continue_token, body);
  }
  body += "},\"items\":[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) body += ',';
    body += items[i];
  }
  body += "]}";
  return body;
}

const json::Array* NamespaceSpecFinalizers(const json::Value& ns) {
  const json::Value* spec = ns.Find("spec");
  const json::Value* finalizers = spec != nullptr ? spec->Find("finalizers") : nullptr;
  return finalizers != nullptr && finalizers->is_array() ? &finalizers->as_array() : nullptr;
}

bool NamespaceFinalized(const json::Value& ns) {
  const json::Array* finalizers = NamespaceSpecFinalizers(ns);
  return finalizers == nullptr || finalizers->empty();
}

ResourceInfo NamespaceInfo() {
  ResourceInfo info;
  info.version = "v1";
  info.kind = "Namespace";
  info.list_kind = "NamespaceList";
  info.plural = "namespaces";
  info.singular = "namespace";
  info.namespaced = false;
  info.status_subresource = true;
  info.name_rule = api::NameRule::kDnsLabel;
  return info;
}

// The status kube-apiserver's naming and establishing controllers write on a CRD.
json::Value CrdStatus(const json::Value& crd, const Status& added, const std::string& now,
                      std::string_view conflict) {
  const json::Value* spec = crd.Find("spec");
  const json::Value* names = spec != nullptr ? spec->Find("names") : nullptr;
  json::Array stored_versions;
  if (const json::Value* versions = spec != nullptr ? spec->Find("versions") : nullptr;
      versions != nullptr && versions->is_array()) {
    for (const json::Value& v : versions->as_array()) {
      const json::Value* storage = v.Find("storage");
      const json::Value* name = v.Find("name");
      if (storage != nullptr && storage->is_bool() && storage->as_bool() && name != nullptr) {
        stored_versions.push_back(*name);
      }
    }
  }
  json::Object names_accepted{{"type", "NamesAccepted"}};
  json::Object established{{"type", "Established"}};
  json::Object accepted_names;
  if (added.ok()) {
    names_accepted.Set("status", "True");
    names_accepted.Set("lastTransitionTime", now);
    names_accepted.Set("reason", "NoConflicts");
    names_accepted.Set("message", "no conflicts found");
    established.Set("status", "True");
    established.Set("lastTransitionTime", now);
    established.Set("reason", "InitialNamesAccepted");
    established.Set("message", "the initial names have been accepted");
    if (names != nullptr && names->is_object()) accepted_names = names->as_object();
  } else {
    names_accepted.Set("status", "False");
    names_accepted.Set("lastTransitionTime", now);
    names_accepted.Set("reason", std::string(conflict));
    names_accepted.Set("message", added.message());
    established.Set("status", "False");
    established.Set("lastTransitionTime", now);
    established.Set("reason", "NotAccepted");
    established.Set("message", "not all names are accepted");
  }
  json::Object status;
  status.Set("conditions", json::Array{std::move(names_accepted), std::move(established)});
  status.Set("acceptedNames", std::move(accepted_names));
  status.Set("storedVersions", std::move(stored_versions));
  return status;
}

// Keeps the lastTransitionTime of conditions whose status did not change, as Kubernetes'
// SetCRDCondition does, so re-registering an unchanged CRD writes nothing.
void KeepTransitionTimes(json::Value& status, const json::Value* old_status) {
  if (old_status == nullptr) return;
  const json::Value* old_conditions = old_status->Find("conditions");
  json::Value* conditions = status.Find("conditions");
  if (old_conditions == nullptr || !old_conditions->is_array() || conditions == nullptr) return;
  for (json::Value& c : conditions->as_array()) {
    for (const json::Value& old : old_conditions->as_array()) {
      if (old.Find("type") != nullptr && *old.Find("type") == *c.Find("type") &&
          old.Find("status") != nullptr && *old.Find("status") == *c.Find("status") &&
          old.Find("lastTransitionTime") != nullptr) {
        c.as_object().Set("lastTransitionTime", *old.Find("lastTransitionTime"));
      }
    }
  }
}

struct DeleteOptions {
  PropagationPolicy policy = PropagationPolicy::kBackground;
  Preconditions preconditions;
  bool dry_run = false;
  // orphanDependents: false was given: a kept object is answered 202, as kube-apiserver does.
  bool orphan_dependents_false = false;
  std::optional<int64_t> grace_period_seconds;  // honoured for pods (graceful deletion)
};

struct DeleteOutcome {
  std::string json;  // the object as deleted, or as marked
  bool removed = false;
  std::string uid;
};

// The selectors of a list, watch or deletecollection.
struct Selection {
  api::Selector labels;
  api::FieldSelector fields;
};

// Evaluates the selectors on stored objects; nullptr when there are none. The JSON is parsed
// only for field selectors. The function refers to `selection`, which must outlive it.
std::function<bool(const StoredObject&)> Filter(const Selection& selection) {
  if (selection.labels.empty() && selection.fields.empty()) return nullptr;
  return [&selection](const StoredObject& object) {
    if (!api::Matches(selection.labels, object.labels)) return false;
    if (selection.fields.empty()) return true;
    Result<json::Value> value = json::Parse(object.json);
    return value.ok() && api::Matches(selection.fields, *value);
  };
}

// Whether a patch document sets metadata.resourceVersion: then it is a precondition, and a
// conflict is the client's to resolve.
bool PatchSetsResourceVersion(std::string_view type, const json::Value& patch) {
  if (type == kJsonPatch) {
    if (!patch.is_array()) return false;
    for (const json::Value& op : patch.as_array()) {
      const json::Value* path = op.Find("path");
      if (path != nullptr && path->is_string() &&
          path->as_string() == "/metadata/resourceVersion") {
        return true;
      }
    }
    return false;
  }
  const json::Value* metadata = patch.Find("metadata");
  return metadata != nullptr && metadata->Find("resourceVersion") != nullptr;
}

}  // namespace

class RestHandler::Impl {
 public:
  Impl(RestHandlerOptions options, ObjectStore& store, ResourceCatalog& catalog, WatchHub& hub)
      : options_(std::move(options)), store_(store), catalog_(catalog), hub_(hub) {}

  void Handle(const http::Request& request, http::ResponseWriter& writer);

 private:
  // One routed request.
  struct Call {
    const http::Request& request;
    ResourcePath path;
    Verb verb;
    ResourceInfo info;

    ObjectKey Key(std::string_view name) const {
      return ObjectKey{info.StoreResource(), path.namespace_, std::string(name)};
    }
    ObjectKey Key() const { return Key(path.name); }
    StatusSubject Subject(std::string_view name) const {
      return StatusSubject{info.group, info.plural, info.kind, std::string(name)};
    }
    StatusSubject Subject() const { return Subject(path.name); }
    bool DryRun() const { return request.Query("dryRun").value_or("") == "All"; }
  };

  // A function computing the object an update writes from the stored one.
  using MakeUpdated = std::function<Answer<json::Value>(const json::Value& stored)>;

  bool Authenticated(const http::Request& request) const;
  std::optional<http::Response> Route(const http::Request& request, http::ResponseWriter& writer);

  http::Response Get(const Call& call);
  std::optional<http::Response> PodLog(const Call& call, http::ResponseWriter& writer);
  http::Response List(const Call& call);
  void Watch(const Call& call, http::ResponseWriter& writer);
  http::Response Create(const Call& call);
  http::Response Update(const Call& call);
  http::Response Patch(const Call& call);
  http::Response Delete(const Call& call);
  http::Response DeleteCollection(const Call& call);

  Answer<Selection> ParseSelection(const Call& call) const;
  Answer<json::Value> ParseBody(const Call& call) const;
  std::optional<ApiStatus> CheckTypeMeta(json::Value& object, const ResourceInfo& info) const;
  std::optional<ApiStatus> CheckNamespaceWritable(const Call& call, std::string_view name);
  http::Response WriteUpdate(const Call& call, const MakeUpdated& make_updated,
                             bool retry_on_conflict);
  Answer<DeleteOptions> ParseDeleteOptions(const Call& call) const;
  Result<DeleteOutcome> DeleteOne(const ResourceInfo& info, const ObjectKey& key,
                                  const DeleteOptions& options);

  // CRDs: registration after a write, and removal of a CRD's custom resources.
  Result<StoredObject> RegisterCrd(const StoredObject& crd);
  Status RemoveCustomResources(const json::Value& crd);
  // The cluster IPs of every stored Service.
  Result<std::set<std::string>> ClusterIpsInUse();

  CreateFields NewCreateFields() const {
    return CreateFields{
        .uid = options_.uid_generator ? options_.uid_generator() : RandomUuid(),
        .creation_timestamp = FormatNow(options_.clock),
        .name_suffix =
            options_.name_suffix_generator ? options_.name_suffix_generator() : RandomNameSuffix(),
    };
  }

  const RestHandlerOptions options_;
  ObjectStore& store_;
  ResourceCatalog& catalog_;
  WatchHub& hub_;
  // Serialises writes to CustomResourceDefinitions with their catalog registration.
  std::mutex crd_mu_;
  // Serialises Service creates: the cluster IP is chosen against the stored Services.
  std::mutex service_ip_mu_;
  // Declared last: its destructor ends the streams, which read store_.
  PodLogFollowers log_followers_;
};

Result<std::set<std::string>> RestHandler::Impl::ClusterIpsInUse() {
  std::set<std::string> used;
  ListOptions options{.resource = "services"};
  do {
    DEVFLOW_ASSIGN_OR_RETURN(ListResult page, store_.List(options));
    for (const StoredObject& item : page.items) {
      Result<json::Value> service = json::Parse(item.json);
      if (service.ok()) used.insert(ClusterIpOf(*service));
    }
    options.continue_token = std::move(page.continue_token);
  } while (!options.continue_token.empty());
  return used;
}

bool RestHandler::Impl::Authenticated(const http::Request& request) const {
  if (options_.token.empty()) return true;
  std::string_view header = Trim(request.Header("Authorization"));
  size_t space = header.find(' ');
  if (space == std::string_view::npos || Lower(header.substr(0, space)) != "bearer") return false;
  return ConstantTimeEquals(Trim(header.substr(space + 1)), options_.token);
}

void RestHandler::Impl::Handle(const http::Request& request, http::ResponseWriter& writer) {
  if (std::optional<http::Response> response = Route(request, writer)) {
    writer.Send(std::move(*response));
  }
}

std::optional<http::Response> RestHandler::Impl::Route(const http::Request& request,
                                                       http::ResponseWriter& writer) {
  const std::string path = request.Path();
  const bool get = request.method == "GET";
  if (get && (path == "/healthz" || path == "/livez" || path == "/readyz")) {
    http::Response ok;
    ok.headers = {{"Content-Type", "text/plain; charset=utf-8"}};
    ok.body = "ok";
    return ok;
  }
  if (!(get && path == "/version") && !Authenticated(request)) {
    return StatusResponse(UnauthorizedStatus());
  }
  if (get) {
    if (std::optional<http::Response> discovery = ServeDiscovery(catalog_, request)) {
      return discovery;
    }
  }
  if (!AcceptsJson(request.Header("Accept"))) {
    return StatusResponse(NotAcceptableStatus({"application/json"}));
  }

  std::optional<ResourcePath> resource_path = ParseResourcePath(path);
  if (!resource_path) return StatusResponse(PathNotFoundStatus());
  std::optional<ResourceInfo> info =
      catalog_.Find(resource_path->group, resource_path->version, resource_path->plural);
  if (!info && !ServesGroupVersion(catalog_, resource_path->group, resource_path->version)) {
    // kube-apiserver has no handler at all for a group version it does not serve: its mux
    // answers in plain text.
    http::Response response;
    response.status = 404;
    response.headers.push_back({"Content-Type", "text/plain; charset=utf-8"});
    response.body = "404 page not found\n";
    return response;
  }
  if (!info) return StatusResponse(PathNotFoundStatus());
  if (!info->namespaced && !resource_path->namespace_.empty()) {
    return StatusResponse(PathNotFoundStatus());
  }
  if (info->namespaced && resource_path->namespace_.empty() && !resource_path->name.empty()) {
    return StatusResponse(PathNotFoundStatus());
  }
  std::optional<Verb> verb =
      VerbFor(request.method, *resource_path, QueryFlag(request.Query("watch")));
  if (!verb) return StatusResponse(MethodNotAllowedStatus());
  // A namespaced resource is listed and watched across namespaces, but written in one.
  if (info->namespaced && resource_path->namespace_.empty() && *verb != Verb::kList &&
      *verb != Verb::kWatch) {
    return StatusResponse(MethodNotAllowedStatus());
  }
  const std::string& subresource = resource_path->subresource;
  if (subresource == "status" && info->status_subresource) {
    if (*verb != Verb::kGet && *verb != Verb::kUpdate && *verb != Verb::kPatch) {
      return StatusResponse(MethodNotAllowedStatus());
    }
  } else if (subresource == "finalize" && IsNamespaceResource(*info)) {
    if (*verb != Verb::kUpdate) return StatusResponse(MethodNotAllowedStatus());
  } else if (subresource == "log" && info->group.empty() && info->plural == "pods") {
    if (*verb != Verb::kGet) return StatusResponse(MethodNotAllowedStatus());
    return PodLog(Call{request, std::move(*resource_path), *verb, std::move(*info)}, writer);
  } else if (!subresource.empty()) {
    return StatusResponse(PathNotFoundStatus());
  }

  const Call call{request, std::move(*resource_path), *verb, std::move(*info)};
  switch (call.verb) {
    case Verb::kGet:
      return Get(call);
    case Verb::kList:
      return List(call);
    case Verb::kWatch:
      Watch(call, writer);
      return std::nullopt;
    case Verb::kCreate:
      return Create(call);
    case Verb::kUpdate:
      return Update(call);
    case Verb::kPatch:
      return Patch(call);
    case Verb::kDelete:
      return Delete(call);
    case Verb::kDeleteCollection:
      return DeleteCollection(call);
  }
  return StatusResponse(MethodNotAllowedStatus());
}

// ---------------------------------------------------------------------------------------------
// Reads

http::Response RestHandler::Impl::Get(const Call& call) {
  Result<StoredObject> stored = store_.Get(call.Key());
  if (!stored.ok()) return StatusResponse(FromStatus(stored.error(), call.Subject()));
  return JsonResponse(200, std::move(stored->json));
}

std::optional<http::Response> RestHandler::Impl::PodLog(const Call& call,
                                                       http::ResponseWriter& writer) {
  Result<StoredObject> stored = store_.Get(call.Key());
  if (!stored.ok()) return StatusResponse(FromStatus(stored.error(), call.Subject()));
  if (!options_.pod_log_path) {
    return StatusResponse(BadRequestStatus("pod " + call.path.name +
                                           " has no logs here: no pods run on this server "
                                           "(devflow serve --no-runtime)"));
  }
  Result<json::Value> pod = json::Parse(stored->json);
  if (!pod.ok()) return StatusResponse(InternalErrorStatus(pod.error().message()));
  std::variant<PodLogQuery, ApiStatus> parsed = ParsePodLogQuery(call.request, *pod);
  if (auto* status = std::get_if<ApiStatus>(&parsed)) return StatusResponse(*status);
  const PodLogQuery& query = std::get<PodLogQuery>(parsed);

  const std::filesystem::path path =
      options_.pod_log_path(call.path.namespace_, call.path.name, query.container);
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return StatusResponse(BadRequestStatus("container \"" + query.container + "\" in pod \"" +
                                           call.path.name +
                                           "\" is waiting to start: ContainerCreating"));
  }
  std::string log((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  std::string selected(SelectLogText(log, query.tail_lines, query.limit_bytes));
  if (!query.follow) {
    http::Response response;
    response.status = 200;
    response.headers.push_back({"Content-Type", "text/plain"});
    response.body = std::move(selected);
    return response;
  }
  const json::Value* uid_value =
      pod->Find("metadata") ? pod->Find("metadata")->Find("uid") : nullptr;
  const std::string uid = uid_value && uid_value->is_string() ? uid_value->as_string() : "";
  const ObjectKey key = call.Key();
  log_followers_.Follow(path, log.size(), std::move(selected), writer, [this, key, uid] {
    Result<StoredObject> current = store_.Get(key);
    // Only a definite "gone" ends the stream; a store hiccup does not.
    if (!current.ok()) return current.error().code() != StatusCode::kNotFound;
    Result<json::Value> object = json::Parse(current->json);
    if (!object.ok()) return true;
    const json::Value* meta = object->Find("metadata");
    const json::Value* current_uid = meta ? meta->Find("uid") : nullptr;
    return current_uid && current_uid->is_string() && current_uid->as_string() == uid;
  });
  return std::nullopt;
}

Answer<Selection> RestHandler::Impl::ParseSelection(const Call& call) const {
  Selection selection;
  if (std::optional<std::string> text = call.request.Query("labelSelector")) {
    Result<api::Selector> labels = api::ParseLabelSelector(*text);
    if (!labels.ok()) return BadRequestStatus(labels.error().message());
    selection.labels = std::move(*labels);
  }
  if (std::optional<std::string> text = call.request.Query("fieldSelector")) {
    Result<api::FieldSelector> fields = api::ParseFieldSelector(*text);
    if (!fields.ok()) return BadRequestStatus(fields.error().message());
    Result<api::FieldSelector> converted =
        api::ConvertFieldSelector(call.info.group, call.info.kind, call.info.namespaced, *fields);
    if (!converted.ok()) return BadRequestStatus(converted.error().message());
    selection.fields = std::move(*converted);
  }
  return selection;
}

http::Response RestHandler::Impl::List(const Call& call) {
  Answer<Selection> selection = ParseSelection(call);
  if (Failed(selection)) return StatusResponse(std::get<ApiStatus>(selection));

  ListOptions options;
  options.resource = call.info.StoreResource();
  options.namespace_ = call.path.namespace_;
  options.continue_token = call.request.Query("continue").value_or("");
  options.filter = Filter(std::get<Selection>(selection));
  if (std::optional<std::string> limit = call.request.Query("limit"); limit && !limit->empty()) {
    std::optional<int64_t> parsed = ParseInt(*limit);
    if (!parsed) {
      return StatusResponse(
          BadRequestStatus("limit: Invalid value: \"" + *limit + "\": must be an integer"));
    }
    options.limit = std::max<int64_t>(0, *parsed);
  }

  const std::string version = call.request.Query("resourceVersion").value_or("");
  const std::string match = call.request.Query("resourceVersionMatch").value_or("");
  std::vector<StatusCause> option_errors;
  auto forbid = [&](std::string message) {
    option_errors.push_back(StatusCause{.type = "FieldValueForbidden",
                                        .message = "Forbidden: " + std::move(message),
                                        .field = "resourceVersionMatch"});
  };
  if (!match.empty()) {
    if (version.empty())
      forbid("resourceVersionMatch is forbidden unless resourceVersion is provided");
    if (!options.continue_token.empty()) {
      forbid("resourceVersionMatch is forbidden when continue is provided");
    }
    if (match != "Exact" && match != "NotOlderThan") {
      option_errors.push_back(
          StatusCause{.type = "FieldValueNotSupported",
                      .message = "Unsupported value: \"" + match +
                                 "\": supported values: \"Exact\", \"NotOlderThan\", \"\"",
                      .field = "resourceVersionMatch"});
    }
    if (match == "Exact" && version == "0") {
      forbid("resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\"");
    }
  }
  if (!option_errors.empty()) {
    return StatusResponse(
        InvalidStatus("meta.k8s.io", "ListOptions", "", std::move(option_errors)));
  }
  if (!version.empty()) {
    std::optional<int64_t> parsed = ParseInt(version);
    if (!parsed || *parsed < 0) {
      return StatusResponse(
          BadRequestStatus("invalid resource version \"" + version + "\": must be a number"));
    }
    if (!options.continue_token.empty() && *parsed != 0) {
      return StatusResponse(
          BadRequestStatus("specifying resource version is not allowed when using continue"));
    }
    const int64_t current = store_.Versions().current;
    if (match == "Exact") {
      options.resource_version = *parsed;
    } else if (*parsed > current) {
      return StatusResponse(TooLargeResourceVersionStatus(*parsed, current));
    }
  }

  Result<ListResult> listed = store_.List(options);
  if (!listed.ok()) {
    if (listed.error().code() == StatusCode::kUnavailable && options.resource_version) {
      return StatusResponse(
          TooLargeResourceVersionStatus(*options.resource_version, store_.Versions().current));
    }
    if (listed.error().code() == StatusCode::kInvalidArgument) {
      // A malformed continue token: kube-apiserver answers 400, not 422.
      return StatusResponse(BadRequestStatus(listed.error().message()));
    }
    return StatusResponse(FromStatus(listed.error(), call.Subject("")));
  }
  std::vector<std::string> items;
  items.reserve(listed->items.size());
  for (StoredObject& item : listed->items) items.push_back(std::move(item.json));
  return JsonResponse(200,
                      ListBody(call.info, listed->resource_version, listed->continue_token, items));
}

void RestHandler::Impl::Watch(const Call& call, http::ResponseWriter& writer) {
  Answer<Selection> selection = ParseSelection(call);
  if (Failed(selection)) {
    writer.Send(StatusResponse(std::get<ApiStatus>(selection)));
    return;
  }
  WatchRequest request;
  request.resource = call.info;
  request.namespace_ = call.path.namespace_;
  request.resource_version = call.request.Query("resourceVersion").value_or("");
  request.label_selector = std::move(std::get<Selection>(selection).labels);
  request.field_selector = std::move(std::get<Selection>(selection).fields);
  if (!call.path.name.empty()) {
    request.field_selector.requirements.push_back(
        api::FieldRequirement{"metadata.name", api::FieldOperator::kEquals, call.path.name});
  }
  request.allow_bookmarks = QueryFlag(call.request.Query("allowWatchBookmarks"));
  if (std::optional<std::string> timeout = call.request.Query("timeoutSeconds")) {
    std::optional<int64_t> seconds = ParseInt(*timeout);
    if (!seconds || *seconds < 0) {
      writer.Send(StatusResponse(BadRequestStatus("timeoutSeconds: Invalid value: \"" + *timeout +
                                                  "\": must be a non-negative integer")));
      return;
    }
    request.timeout = std::chrono::seconds(*seconds);
  }
  hub_.Serve(std::move(request), writer);
}

// ---------------------------------------------------------------------------------------------
// Create

Answer<json::Value> RestHandler::Impl::ParseBody(const Call& call) const {
  const std::string type = MediaType(call.request.Header("Content-Type"));
  if (!type.empty() && type != "application/json") {
    return UnsupportedMediaTypeStatus({"application/json"});
  }
  Result<json::Value> body = json::Parse(call.request.body);
  if (!body.ok() || !body->is_object()) {
    const std::string why = body.ok() ? "the body must be a JSON object"
                                      : "json parse error: " + body.error().message();
    return BadRequestStatus("the object provided is unrecognized (must be of type " +
                            call.info.kind + "): couldn't get version/kind; " + why);
  }
  return std::move(*body);
}

std::optional<ApiStatus> RestHandler::Impl::CheckTypeMeta(json::Value& object,
                                                          const ResourceInfo& info) const {
  json::Object& members = object.as_object();
  const json::Value* api_version = members.Find("apiVersion");
  const json::Value* kind = members.Find("kind");
  if (api_version == nullptr || (api_version->is_string() && api_version->as_string().empty())) {
    members.Set("apiVersion", info.ApiVersion());
  } else if (!api_version->is_string() || api_version->as_string() != info.ApiVersion()) {
    return BadRequestStatus(
        "the API version in the data (" +
        (api_version->is_string() ? api_version->as_string() : json::Write(*api_version)) +
        ") does not match the expected API version (" + info.ApiVersion() + ")");
  }
  kind = members.Find("kind");
  if (kind == nullptr || (kind->is_string() && kind->as_string().empty())) {
    members.Set("kind", info.kind);
    return std::nullopt;
  }
  if (kind->is_string() && kind->as_string() == info.kind) return std::nullopt;
  const std::string data_kind = kind->is_string() ? kind->as_string() : json::Write(*kind);
  if (info.custom) {
    std::string shown;
    json::AppendQuoted(data_kind, shown);
    return InvalidStatus(
        info.group, data_kind, MetadataString(object, "name"),
        {StatusCause{.type = "FieldValueInvalid",
                     .message = "Invalid value: " + shown + ": must be " + info.kind,
                     .field = "kind"}});
  }
  return BadRequestStatus(data_kind + " in version \"" + info.version +
                          "\" cannot be handled as a " + info.kind +
                          ": the kind in the data does not match the kind of the resource");
}

std::optional<ApiStatus> RestHandler::Impl::CheckNamespaceWritable(const Call& call,
                                                                   std::string_view name) {
  if (!call.info.namespaced) return std::nullopt;
  const std::string& ns = call.path.namespace_;
  Result<StoredObject> stored = store_.Get(ObjectKey{"namespaces", "", ns});
  if (!stored.ok()) {
    if (stored.error().code() == StatusCode::kNotFound) return NotFoundStatus("", "namespaces", ns);
    return FromStatus(stored.error(), call.Subject(name));
  }
  Result<json::Value> value = json::Parse(stored->json);
  if (value.ok() && IsMarkedForDeletion(*value)) {
    return ForbiddenStatus(
        call.info.group, call.info.plural, name,
        "unable to create new content in namespace " + ns + " because it is being terminated",
        {StatusCause{.type = "NamespaceTerminating",
                     .message = "namespace " + ns + " is being terminated",
                     .field = "metadata.namespace"}});
  }
  return std::nullopt;
}

http::Response RestHandler::Impl::Create(const Call& call) {
  Answer<json::Value> parsed = ParseBody(call);
  if (Failed(parsed)) return StatusResponse(std::get<ApiStatus>(parsed));
  json::Value& body = std::get<json::Value>(parsed);
  if (std::optional<ApiStatus> error = CheckTypeMeta(body, call.info)) {
    return StatusResponse(*error);
  }
  json::Value& metadata = body.as_object()["metadata"];
  if (!metadata.is_object()) metadata = json::Object{};
  if (call.info.namespaced) {
    const std::string ns = MetadataString(body, "namespace");
    if (ns.empty()) {
      metadata.as_object().Set("namespace", call.path.namespace_);
    } else if (ns != call.path.namespace_) {
      return StatusResponse(BadRequestStatus(
          "the namespace of the provided object does not match the namespace sent on the "
          "request"));
    }
  }
  const std::string name = MetadataString(body, "name");
  const bool generated = name.empty() && !MetadataString(body, "generateName").empty();
  if (name.empty() && !generated) {
    return StatusResponse(InvalidStatus(call.info.group, call.info.kind, "",
                                        {StatusCause{.type = "FieldValueRequired",
                                                     .message = "Required value: name or "
                                                                "generateName is required",
                                                     .field = "metadata.name"}}));
  }
  if (std::optional<ApiStatus> error = CheckNamespaceWritable(call, name)) {
    return StatusResponse(*error);
  }

  std::unique_lock<std::mutex> crd_lock(crd_mu_, std::defer_lock);
  if (IsCrdResource(call.info)) crd_lock.lock();
  // Held until the Service is stored, so two creates cannot take the same address.
  std::unique_lock<std::mutex> service_ip_lock(service_ip_mu_, std::defer_lock);
  if (IsServiceResource(call.info)) {
    service_ip_lock.lock();
    Result<std::set<std::string>> used = ClusterIpsInUse();
    if (!used.ok()) return StatusResponse(FromStatus(used.error(), call.Subject(name)));
    if (api::FieldErrors errors = AllocateClusterIp(body, *used, [] { return Random()(); });
        !errors.empty()) {
      return StatusResponse(InvalidStatus(call.info.group, call.info.kind, name,
                                          CausesFromFieldErrors(errors, body)));
    }
  }
  for (int attempt = 1;; ++attempt) {
    const json::Value prepared = PrepareForCreate(body, call.info, NewCreateFields());
    const std::string object_name = MetadataString(prepared, "name");
    if (api::FieldErrors errors = Validate(prepared, call.info); !errors.empty()) {
      return StatusResponse(InvalidStatus(call.info.group, call.info.kind, object_name,
                                          CausesFromFieldErrors(errors, prepared)));
    }
    if (call.DryRun()) return JsonResponse(201, json::Write(prepared));
    Result<StoredObject> created = store_.Create(call.Key(object_name), json::Write(prepared));
    if (created.ok()) {
      if (IsCrdResource(call.info)) {
        Result<StoredObject> registered = RegisterCrd(*created);
        if (!registered.ok()) {
          return StatusResponse(FromStatus(registered.error(), call.Subject(object_name)));
        }
        return JsonResponse(201, std::move(registered->json));
      }
      return JsonResponse(201, std::move(created->json));
    }
    if (created.error().code() != StatusCode::kAlreadyExists) {
      return StatusResponse(FromStatus(created.error(), call.Subject(object_name)));
    }
    if (generated && attempt < kGenerateNameAttempts) continue;
    ApiStatus exists = AlreadyExistsStatus(call.info.group, call.info.plural, object_name);
    if (Result<StoredObject> existing = store_.Get(call.Key(object_name)); existing.ok()) {
      Result<json::Value> value = json::Parse(existing->json);
      if (value.ok() && IsMarkedForDeletion(*value)) {
        exists.message = "object is being deleted: " + exists.message;
      }
    }
    return StatusResponse(exists);
  }
}

// ---------------------------------------------------------------------------------------------
// Update and patch

http::Response RestHandler::Impl::WriteUpdate(const Call& call, const MakeUpdated& make_updated,
                                              bool retry_on_conflict) {
  std::unique_lock<std::mutex> crd_lock(crd_mu_, std::defer_lock);
  if (IsCrdResource(call.info)) crd_lock.lock();
  const ObjectKey key = call.Key();
  const bool namespace_resource = IsNamespaceResource(call.info);
  Status last_conflict;
  for (int attempt = 0; attempt < kWriteAttempts; ++attempt) {
    Result<StoredObject> stored = store_.Get(key);
    if (!stored.ok()) return StatusResponse(FromStatus(stored.error(), call.Subject()));
    Result<json::Value> stored_value = json::Parse(stored->json);
    if (!stored_value.ok())
      return StatusResponse(InternalErrorStatus(stored_value.error().message()));

    Answer<json::Value> made = make_updated(*stored_value);
    if (Failed(made)) return StatusResponse(std::get<ApiStatus>(made));
    json::Value& updated = std::get<json::Value>(made);
    const std::string version_text = MetadataString(updated, "resourceVersion");
    if (!version_text.empty()) {
      std::optional<int64_t> version = ParseInt(version_text);
      if (!version) {
        return StatusResponse(BadRequestStatus("invalid resource version \"" + version_text +
                                               "\": must be a number"));
      }
      if (*version != stored->resource_version) {
        return StatusResponse(
            ConflictStatus(call.info.group, call.info.plural, call.path.name, kModifiedMessage));
      }
    }

    json::Value result;
    if (call.path.subresource == "status") {
      result = PrepareForStatusUpdate(updated, *stored_value);
    } else if (call.path.subresource == "finalize") {
      result = PrepareForFinalize(updated, *stored_value);
    } else {
      UpdatePreparation prepared = PrepareForUpdate(updated, *stored_value, call.info);
      if (!prepared.causes.empty()) {
        return StatusResponse(InvalidStatus(call.info.group, call.info.kind, call.path.name,
                                            std::move(prepared.causes)));
      }
      result = std::move(prepared.object);
      if (IsServiceResource(call.info)) {
        if (api::FieldErrors errors = KeepClusterIp(result, *stored_value); !errors.empty()) {
          return StatusResponse(InvalidStatus(call.info.group, call.info.kind, call.path.name,
                                              CausesFromFieldErrors(errors, result)));
        }
      }
    }
    result = WithResourceVersion(std::move(result), stored->resource_version);
    if (api::FieldErrors errors = Validate(result, call.info); !errors.empty()) {
      return StatusResponse(InvalidStatus(call.info.group, call.info.kind, call.path.name,
                                          CausesFromFieldErrors(errors, result)));
    }

    const Preconditions unchanged{.resource_version = stored->resource_version};
    if (ReadyToRemove(result) && (!namespace_resource || NamespaceFinalized(result))) {
      // The update removed the last finalizer of an object marked for deletion: it goes now.
      if (call.DryRun()) return JsonResponse(200, json::Write(result));
      if (IsCrdResource(call.info)) {
        if (Status removed = RemoveCustomResources(result); !removed.ok()) {
          return StatusResponse(FromStatus(removed, call.Subject()));
        }
      }
      Result<StoredObject> deleted = store_.Delete(key, unchanged);
      if (!deleted.ok()) {
        if (deleted.error().code() == StatusCode::kConflict && retry_on_conflict) {
          last_conflict = deleted.error();
          continue;
        }
        return StatusResponse(FromStatus(deleted.error(), call.Subject()));
      }
      if (IsCrdResource(call.info)) catalog_.RemoveCrd(call.path.name);
      return JsonResponse(200, json::Write(result));
    }
    if (result == *stored_value) return JsonResponse(200, std::move(stored->json));
    if (call.DryRun()) return JsonResponse(200, json::Write(result));

    Result<StoredObject> written = store_.Update(key, json::Write(result), unchanged);
    if (!written.ok()) {
      if (written.error().code() == StatusCode::kConflict && retry_on_conflict) {
        last_conflict = written.error();
        continue;
      }
      return StatusResponse(FromStatus(written.error(), call.Subject()));
    }
    if (IsCrdResource(call.info) && call.path.subresource.empty()) {
      Result<StoredObject> registered = RegisterCrd(*written);
      if (!registered.ok()) return StatusResponse(FromStatus(registered.error(), call.Subject()));
      return JsonResponse(200, std::move(registered->json));
    }
    return JsonResponse(200, std::move(written->json));
  }
  return StatusResponse(FromStatus(last_conflict, call.Subject()));
}

http::Response RestHandler::Impl::Update(const Call& call) {
  Answer<json::Value> parsed = ParseBody(call);
  if (Failed(parsed)) return StatusResponse(std::get<ApiStatus>(parsed));
  json::Value body = std::move(std::get<json::Value>(parsed));
  if (std::optional<ApiStatus> error = CheckTypeMeta(body, call.info)) {
    return StatusResponse(*error);
  }
  const std::string name = MetadataString(body, "name");
  if (name != call.path.name) {
    return StatusResponse(BadRequestStatus("the name of the object (" + name +
                                           ") does not match the name on the URL (" +
                                           call.path.name + ")"));
  }
  const std::string ns = MetadataString(body, "namespace");
  if (call.info.namespaced && !ns.empty() && ns != call.path.namespace_) {
    return StatusResponse(BadRequestStatus("the namespace of the object (" + ns +
                                           ") does not match the namespace on the URL (" +
                                           call.path.namespace_ + ")"));
  }
  const bool conditional = !MetadataString(body, "resourceVersion").empty();
  if (!conditional && call.info.custom) {
    // Custom resources do not allow unconditional updates; kube-apiserver names the resource
    // (not the kind) in this message.
    return StatusResponse(
        InvalidStatus(call.info.group, call.info.plural, call.path.name,
                      {StatusCause{.type = "FieldValueInvalid",
                                   .message = "Invalid value: 0x0: must be specified for an update",
                                   .field = "metadata.resourceVersion"}}));
  }
  return WriteUpdate(
      call, [&body](const json::Value&) -> Answer<json::Value> { return body; }, !conditional);
}

http::Response RestHandler::Impl::Patch(const Call& call) {
  const std::string type = MediaType(call.request.Header("Content-Type"));
  const bool strategic_allowed = !call.info.custom && api::HasStrategicPatchSchema(call.info.kind);
  std::vector<std::string> accepted = {std::string(kJsonPatch), std::string(kMergePatch)};
  if (strategic_allowed) accepted.push_back(std::string(kStrategicPatch));
  if (type == kApplyPatch) {
    return StatusResponse(UnsupportedMediaTypeStatus(
        accepted,
        " (server-side apply, application/apply-patch+yaml, is not supported by "
        "devflow's API server: use client-side apply)"));
  }
  if (std::find(accepted.begin(), accepted.end(), type) == accepted.end()) {
    return StatusResponse(UnsupportedMediaTypeStatus(accepted));
  }
  Result<json::Value> patch = json::Parse(call.request.body);
  if (!patch.ok()) {
    return StatusResponse(BadRequestStatus("error decoding patch: " + patch.error().message()));
  }
  const bool carries_version = PatchSetsResourceVersion(type, *patch);
  const std::string name = call.path.name;
  const bool namespaced = call.info.namespaced;
  const std::string kind = call.info.kind;
  const std::string group = call.info.group;
  auto make_updated = [&](const json::Value& stored) -> Answer<json::Value> {
    Result<json::Value> patched = InternalError("unreachable");
    if (type == kJsonPatch) {
      patched = api::ApplyJsonPatch(stored, *patch);
      if (!patched.ok()) {
        return ApiStatus{.code = 422, .reason = "Invalid", .message = patched.error().message()};
      }
    } else if (type == kMergePatch) {
      patched = api::ApplyMergePatch(stored, *patch);
    } else {
      patched = api::ApplyStrategicMergePatch(stored, *patch, api::PatchSchemaForKind(kind));
    }
    if (!patched.ok()) {
      std::string message = patched.error().message();
      if (!patched.error().field_path().empty()) {
        message = patched.error().field_path() + ": " + message;
      }
      return BadRequestStatus(std::move(message));
    }
    if (!patched->is_object()) return BadRequestStatus("the patched document is not an object");
    std::vector<StatusCause> causes;
    for (std::string_view member : {"name", "namespace"}) {
      if (member == "namespace" && !namespaced) continue;
      const std::string before = MetadataString(stored, member);
      const std::string after = MetadataString(*patched, member);
      if (before != after) {
        std::string shown;
        json::AppendQuoted(after, shown);
        causes.push_back(StatusCause{.type = "FieldValueInvalid",
                                     .message = "Invalid value: " + shown + ": field is immutable",
                                     .field = "metadata." + std::string(member)});
      }
    }
    if (!causes.empty()) return InvalidStatus(group, kind, name, std::move(causes));
    return std::move(*patched);
  };
  return WriteUpdate(call, make_updated, !carries_version);
}

// ---------------------------------------------------------------------------------------------
// Delete

Answer<DeleteOptions> RestHandler::Impl::ParseDeleteOptions(const Call& call) const {
  DeleteOptions options;
  std::string policy = call.request.Query("propagationPolicy").value_or("");
  options.dry_run = call.DryRun();
  std::optional<bool> orphan;
  if (std::optional<std::string> text = call.request.Query("orphanDependents")) {
    orphan = QueryFlag(text);
  }
  if (std::optional<std::string> text = call.request.Query("gracePeriodSeconds")) {
    options.grace_period_seconds = ParseInt(*text);
    if (!options.grace_period_seconds) {
      return BadRequestStatus("invalid gracePeriodSeconds \"" + *text + "\": must be a number");
    }
  }
  if (!Trim(call.request.body).empty()) {
    Result<json::Value> body = json::Parse(call.request.body);
    if (!body.ok() || !body->is_object()) {
      return BadRequestStatus(
          "the object provided is unrecognized (must be of type "
          "DeleteOptions): couldn't get version/kind; json parse error: " +
          (body.ok() ? "not an object" : body.error().message()));
    }
    if (const json::Value* p = body->Find("propagationPolicy"); p != nullptr && p->is_string()) {
      policy = p->as_string();
    }
    if (const json::Value* o = body->Find("orphanDependents"); o != nullptr && o->is_bool()) {
      orphan = o->as_bool();
    }
    if (const json::Value* g = body->Find("gracePeriodSeconds"); g != nullptr && g->is_int()) {
      options.grace_period_seconds = g->as_int();
    }
    if (const json::Value* d = body->Find("dryRun"); d != nullptr && d->is_array()) {
      for (const json::Value& v : d->as_array()) {
        options.dry_run = options.dry_run || (v.is_string() && v.as_string() == "All");
      }
    }
    if (const json::Value* pre = body->Find("preconditions"); pre != nullptr && pre->is_object()) {
      if (const json::Value* uid = pre->Find("uid"); uid != nullptr && uid->is_string()) {
        options.preconditions.uid = uid->as_string();
      }
      if (const json::Value* rv = pre->Find("resourceVersion"); rv != nullptr && rv->is_string()) {
        std::optional<int64_t> version = ParseInt(rv->as_string());
        if (!version) {
          return BadRequestStatus("invalid resource version \"" + rv->as_string() +
                                  "\": must be a number");
        }
        options.preconditions.resource_version = *version;
      }
    }
  }
  if (orphan && !policy.empty()) {
    return InvalidStatus("meta.k8s.io", "DeleteOptions", "",
                         {StatusCause{.type = "FieldValueInvalid",
                                      .message = "Invalid value: \"" + policy +
                                                 "\": orphanDependents and deletionPropagation "
                                                 "cannot be both set",
                                      .field = "propagationPolicy"}});
  }
  if (orphan) {
    options.policy = *orphan ? PropagationPolicy::kOrphan : PropagationPolicy::kBackground;
    options.orphan_dependents_false = !*orphan;
    return options;
  }
  Result<PropagationPolicy> parsed = ParsePropagationPolicy(policy);
  if (!parsed.ok()) {
    return InvalidStatus("meta.k8s.io", "DeleteOptions", "",
                         {StatusCause{.type = "FieldValueNotSupported",
                                      .message = parsed.error().message(),
                                      .field = "propagationPolicy"}});
  }
  options.policy = *parsed;
  return options;
}

Result<DeleteOutcome> RestHandler::Impl::DeleteOne(const ResourceInfo& info, const ObjectKey& key,
                                                   const DeleteOptions& options) {
  const std::string resource = QualifiedResourceName(info.group, info.plural);
  auto cannot = [&](const std::string& why) {
    return ConflictError("Operation cannot be fulfilled on " + resource + " \"" + key.name +
                         "\": " + why);
  };
  const bool is_namespace = IsNamespaceResource(info);
  if (is_namespace) {
    for (std::string_view immortal : kImmortalNamespaces) {
      if (key.name == immortal) {
        return PermissionDeniedError("namespaces \"" + key.name +
                                     "\" is forbidden: this namespace may not be deleted");
      }
    }
  }
  // Without a client precondition the delete is re-decided when the object changed meanwhile.
  const bool retry = !options.preconditions.resource_version.has_value();
  Status last_conflict;
  for (int attempt = 0; attempt < kWriteAttempts; ++attempt) {
    DEVFLOW_ASSIGN_OR_RETURN(StoredObject stored, store_.Get(key));
    DEVFLOW_ASSIGN_OR_RETURN(json::Value value, json::Parse(stored.json));
    const std::string uid = MetadataString(value, "uid");
    if (options.preconditions.uid && *options.preconditions.uid != uid) {
      return cannot("Precondition failed: UID in precondition: " + *options.preconditions.uid +
                    ", UID in object meta: " + uid);
    }
    if (options.preconditions.resource_version &&
        *options.preconditions.resource_version != stored.resource_version) {
      return cannot("Precondition failed: ResourceVersion in precondition: " +
                    std::to_string(*options.preconditions.resource_version) +
                    ", ResourceVersion in object meta: " + std::to_string(stored.resource_version));
    }
    const Preconditions unchanged{.resource_version = stored.resource_version,
                                  .uid = options.preconditions.uid};

    const std::string now = FormatNow(options_.clock);
    DeletePlan plan;
    if (is_namespace && !IsMarkedForDeletion(value)) {
      // The first delete of a Namespace always marks it; the namespace controller empties it.
      plan = PlanDelete(value, options.policy, now);
      json::Value marked = plan.remove_now ? value : std::move(plan.marked);
      json::Object& metadata = marked["metadata"].as_object();
      if (metadata.Find("deletionTimestamp") == nullptr) metadata.Set("deletionTimestamp", now);
      json::Value& status = marked["status"];
      if (!status.is_object()) status = json::Object{};
      status.as_object().Set("phase", "Terminating");
      plan = DeletePlan{.remove_now = false, .marked = std::move(marked)};
    } else if (is_namespace && !NamespaceFinalized(value)) {
      return cannot(
          "The system is ensuring all content is removed from this namespace.  Upon completion, "
          "this namespace will automatically be purged by the system.");
    } else if (std::optional<json::Value> graceful =
                   IsPodResource(info) ? PlanGracefulPodDelete(value, options.grace_period_seconds,
                                                               SystemNow(options_.clock))
                                       : std::nullopt) {
      plan = DeletePlan{.remove_now = false, .marked = std::move(*graceful)};
    } else {
      plan = PlanDelete(value, options.policy, now);
    }

    if (plan.remove_now) {
      if (options.dry_run) return DeleteOutcome{stored.json, true, uid};
      if (IsCrdResource(info)) DEVFLOW_RETURN_IF_ERROR(RemoveCustomResources(value));
      Result<StoredObject> deleted = store_.Delete(key, unchanged);
      if (!deleted.ok()) {
        if (deleted.error().code() == StatusCode::kConflict && retry) {
          last_conflict = deleted.error();
          continue;
        }
        return deleted.error();
      }
      if (IsCrdResource(info)) catalog_.RemoveCrd(key.name);
      return DeleteOutcome{std::move(deleted->json), true, uid};
    }

    json::Value marked = std::move(plan.marked);
    if (!IsMarkedForDeletion(value)) {
      // kube-apiserver bumps the generation of an object when it is first marked.
      const json::Value* generation = marked["metadata"].Find("generation");
      if (generation != nullptr && generation->is_int() && generation->as_int() > 0) {
        marked["metadata"].as_object().Set("generation", generation->as_int() + 1);
      }
    }
    if (marked == value) return DeleteOutcome{stored.json, false, uid};
    if (options.dry_run) return DeleteOutcome{json::Write(marked), false, uid};
    Result<StoredObject> updated = store_.Update(key, json::Write(marked), unchanged);
    if (!updated.ok()) {
      if (updated.error().code() == StatusCode::kConflict && retry) {
        last_conflict = updated.error();
        continue;
      }
      return updated.error();
    }
    return DeleteOutcome{std::move(updated->json), false, uid};
  }
  return last_conflict;
}

http::Response RestHandler::Impl::Delete(const Call& call) {
  Answer<DeleteOptions> options = ParseDeleteOptions(call);
  if (Failed(options)) return StatusResponse(std::get<ApiStatus>(options));
  std::unique_lock<std::mutex> crd_lock(crd_mu_, std::defer_lock);
  if (IsCrdResource(call.info)) crd_lock.lock();
  Result<DeleteOutcome> outcome =
      DeleteOne(call.info, call.Key(), std::get<DeleteOptions>(options));
  if (!outcome.ok()) return StatusResponse(FromStatus(outcome.error(), call.Subject()));
  if (outcome->removed && !ReturnsDeletedObject(call.info)) {
    return StatusResponse(
        DeletedStatus(call.info.group, call.info.plural, call.path.name, outcome->uid));
  }
  const int code =
      !outcome->removed && std::get<DeleteOptions>(options).orphan_dependents_false ? 202 : 200;
  return JsonResponse(code, std::move(outcome->json));
}

http::Response RestHandler::Impl::DeleteCollection(const Call& call) {
  if (IsNamespaceResource(call.info)) return StatusResponse(MethodNotAllowedStatus());
  Answer<Selection> selection = ParseSelection(call);
  if (Failed(selection)) return StatusResponse(std::get<ApiStatus>(selection));
  Answer<DeleteOptions> options = ParseDeleteOptions(call);
  if (Failed(options)) return StatusResponse(std::get<ApiStatus>(options));

  ListOptions list;
  list.resource = call.info.StoreResource();
  list.namespace_ = call.path.namespace_;
  list.filter = Filter(std::get<Selection>(selection));
  Result<ListResult> listed = store_.List(list);
  if (!listed.ok()) return StatusResponse(FromStatus(listed.error(), call.Subject("")));

  std::unique_lock<std::mutex> crd_lock(crd_mu_, std::defer_lock);
  if (IsCrdResource(call.info)) crd_lock.lock();
  std::vector<std::string> items;
  for (const StoredObject& item : listed->items) {
    Result<DeleteOutcome> outcome =
        DeleteOne(call.info, item.key, std::get<DeleteOptions>(options));
    if (!outcome.ok()) {
      if (outcome.error().code() == StatusCode::kNotFound) continue;
      return StatusResponse(FromStatus(outcome.error(), call.Subject(item.key.name)));
    }
    items.push_back(std::move(outcome->json));
  }
  return JsonResponse(200, ListBody(call.info, store_.Versions().current, "", items));
}

// ---------------------------------------------------------------------------------------------
// CustomResourceDefinitions

Result<StoredObject> RestHandler::Impl::RegisterCrd(const StoredObject& crd) {
  DEVFLOW_ASSIGN_OR_RETURN(json::Value value, json::Parse(crd.json));
  if (IsMarkedForDeletion(value)) return crd;
  Status added = catalog_.AddCrd(value);
  if (!added.ok() && added.code() != StatusCode::kFailedPrecondition) return added;
  std::string conflict;
  if (!added.ok()) {
    // The catalog names the taken name (`"x" is already in use`); Kubernetes' reason says which
    // of the CRD's names it is.
    const json::Value* spec = value.Find("spec");
    const json::Value* names = spec != nullptr ? spec->Find("names") : nullptr;
    conflict = "ShortNamesConflict";
    for (const auto& [member, reason] :
         {std::pair{"plural", "PluralConflict"}, std::pair{"singular", "SingularConflict"},
          std::pair{"kind", "KindConflict"}, std::pair{"listKind", "ListKindConflict"}}) {
      const json::Value* name = names != nullptr ? names->Find(member) : nullptr;
      if (name != nullptr && name->is_string() && !name->as_string().empty() &&
          added.message().starts_with("\"" + name->as_string() + "\"")) {
        conflict = reason;
        break;
      }
    }
  }
  json::Value status = CrdStatus(value, added, FormatNow(options_.clock), conflict);
  KeepTransitionTimes(status, value.Find("status"));
  if (const json::Value* old = value.Find("status"); old != nullptr && *old == status) return crd;
  value.as_object().Set("status", std::move(status));
  return store_.Update(crd.key, json::Write(value),
                       Preconditions{.resource_version = crd.resource_version});
}

Status RestHandler::Impl::RemoveCustomResources(const json::Value& crd) {
  const std::string crd_name = MetadataString(crd, "name");
  std::set<std::string> resources;
  for (const ResourceInfo& info : catalog_.All()) {
    if (info.custom && info.crd_name == crd_name) resources.insert(info.StoreResource());
  }
  for (const std::string& resource : resources) {
    DEVFLOW_ASSIGN_OR_RETURN(ListResult listed, store_.List(ListOptions{.resource = resource}));
    for (const StoredObject& item : listed.items) {
      Result<StoredObject> deleted = store_.Delete(item.key, {});
      if (!deleted.ok() && deleted.error().code() != StatusCode::kNotFound) {
        return deleted.error();
      }
    }
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------

RestHandler::RestHandler(RestHandlerOptions options, ObjectStore& store, ResourceCatalog& catalog,
                         WatchHub& hub)
    : impl_(std::make_unique<Impl>(std::move(options), store, catalog, hub)) {}

RestHandler::~RestHandler() = default;

void RestHandler::Handle(const http::Request& request, http::ResponseWriter& writer) {
  try {
    impl_->Handle(request, writer);
  } catch (const std::exception& e) {
    // Only a bug (or memory exhaustion) gets here; the connection keeps serving.
    writer.Send(StatusResponse(InternalErrorStatus(e.what())));
  }
}

Status EnsureSystemNamespaces(ObjectStore& store, const Clock& clock) {
  const ResourceInfo info = NamespaceInfo();
  for (std::string_view name : kSystemNamespaces) {
    const ObjectKey key{"namespaces", "", std::string(name)};
    Result<StoredObject> existing = store.Get(key);
    if (existing.ok()) continue;
    if (existing.error().code() != StatusCode::kNotFound) return existing.error();
    json::Value ns = json::Object{{"apiVersion", "v1"},
                                  {"kind", "Namespace"},
                                  {"metadata", json::Object{{"name", std::string(name)}}}};
    const CreateFields fields{
        .uid = RandomUuid(), .creation_timestamp = FormatNow(clock), .name_suffix = ""};
    Result<StoredObject> created =
        store.Create(key, json::Write(PrepareForCreate(ns, info, fields)));
    if (!created.ok() && created.error().code() != StatusCode::kAlreadyExists) {
      return created.error();
    }
  }
  return Status::Ok();
}

Status LoadCustomResourceDefinitions(ObjectStore& store, ResourceCatalog& catalog) {
  DEVFLOW_ASSIGN_OR_RETURN(
      ListResult listed,
      store.List(ListOptions{.resource = std::string(kCrdGroup) + "/" + std::string(kCrdPlural)}));
  for (const StoredObject& item : listed.items) {
    Result<json::Value> crd = json::Parse(item.json);
    if (!crd.ok() || !ResourceCatalog::ValidateCrd(*crd).empty()) continue;
    Status added = catalog.AddCrd(*crd);
    if (!added.ok() && added.code() != StatusCode::kFailedPrecondition) return added;
  }
  return Status::Ok();
}

}  // namespace devflow::apiserver
