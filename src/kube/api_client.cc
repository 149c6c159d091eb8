#include "kube/api_client.h"

#include <algorithm>
#include <random>
#include <thread>
#include <utility>
#include <variant>

#include "api/core_kinds.h"
#include "common/json_reader.h"
#include "common/version.h"
#include "kube/api_error.h"

namespace devflow::kube {
namespace {

constexpr std::string_view kJson = "application/json";
// A non-200 answer to a watch is read whole for its Status; more than this is not a Status.
constexpr size_t kMaxWatchErrorBody = 64 * 1024;

// Go's url.PathEscape for one segment: unreserved characters stay, every other byte is %XX.
std::string PathEscape(std::string_view segment) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : segment) {
    auto u = static_cast<unsigned char>(c);
    if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

// Builds "?a=1&b=2" from the parameters that are set.
class Query {
 public:
  void Add(std::string_view name, std::string_view value) {
    text_ += text_.empty() ? '?' : '&';
    text_ += http::QueryEscape(name);
    text_ += '=';
    text_ += http::QueryEscape(value);
  }
  void AddIfSet(std::string_view name, std::string_view value) {
    if (!value.empty()) Add(name, value);
  }
  const std::string& str() const { return text_; }

 private:
  std::string text_;
};

const std::string* StringAt(const json::Value& object, std::string_view a, std::string_view b) {
  const json::Value* parent = object.Find(a);
  const json::Value* v = parent != nullptr ? parent->Find(b) : nullptr;
  return v != nullptr && v->is_string() ? &v->as_string() : nullptr;
}

std::string StringMember(const json::Value& object, std::string_view key) {
  const json::Value* v = object.Find(key);
  return v != nullptr && v->is_string() ? v->as_string() : std::string();
}

// Gives `object` the apiVersion and kind it arrived without (kube-apiserver omits them from the
// items of built-in lists), placed first as in any object the server writes.
void FillTypeMeta(json::Value& object, const std::string& api_version, const std::string& kind) {
  if (!object.is_object()) return;
  bool has_version = !StringMember(object, "apiVersion").empty();
  bool has_kind = !StringMember(object, "kind").empty();
  if ((has_version || api_version.empty()) && (has_kind || kind.empty())) return;
  json::Object filled;
  const std::string& version_value =
      has_version ? object.as_object().Find("apiVersion")->as_string() : api_version;
  const std::string& kind_value = has_kind ? object.as_object().Find("kind")->as_string() : kind;
  if (!version_value.empty()) filled.Set("apiVersion", version_value);
  if (!kind_value.empty()) filled.Set("kind", kind_value);
  for (json::Member& member : object.as_object()) {
    if (member.key == "apiVersion" || member.key == "kind") continue;
    filled.Set(std::move(member.key), std::move(member.value));
  }
  object = json::Value(std::move(filled));
}

double Jitter() {
  thread_local std::mt19937_64 random(std::random_device{}());
  return std::uniform_real_distribution<double>(0.0, 1.0)(random);
}

// Retry-After in seconds (RFC 9110 also allows a date, which Kubernetes never sends: ignored).
std::optional<int64_t> RetryAfterSeconds(std::string_view value) {
  if (value.empty() || value.size() > 9) return std::nullopt;
  int64_t seconds = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return std::nullopt;
    seconds = seconds * 10 + (c - '0');
  }
  return seconds;
}

Result<json::Value> ParseBody(const std::string& method, const std::string& target,
                              const std::string& body) {
  auto parsed = json::Parse(body);
  if (!parsed.ok()) {
    return InternalError(method + " " + target +
                         ": the answer is not JSON: " + parsed.error().message());
  }
  return std::move(parsed).value();
}

// One watch response, read line by line: each line is one event, {"type":..,"object":..}.
class HttpWatchStream final : public WatchStream {
 public:
  HttpWatchStream(std::unique_ptr<http::Stream> stream, ResourceRef resource)
      : stream_(std::move(stream)), resource_(std::move(resource)) {}

  Result<std::optional<WatchEvent>> Next(std::chrono::milliseconds timeout) override {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      DEVFLOW_ASSIGN_OR_RETURN(std::optional<std::string> line,
                               stream_->ReadLine(std::max(left, std::chrono::milliseconds(0))));
      if (!line.has_value()) return std::optional<WatchEvent>();
      if (line->find_first_not_of(" \t\r") == std::string::npos) continue;
      return ParseEvent(*line);
    }
  }

  void Cancel() override { stream_->Cancel(); }

 private:
  Result<std::optional<WatchEvent>> ParseEvent(const std::string& line) const {
    auto parsed = json::Parse(line);
    if (!parsed.ok()) {
      return UnavailableError("malformed watch event: " + parsed.error().message());
    }
    json::Value* object = parsed->Find("object");
    std::string type = StringMember(*parsed, "type");
    if (object == nullptr || !object->is_object()) {
      return UnavailableError("malformed watch event: no object in " + type + " event");
    }
    if (type == "ERROR") {
      std::optional<KubeStatus> status = ParseKubeStatus(*object);
      if (!status.has_value()) {
        return UnavailableError("watch ERROR event without a Status: " + json::Write(*object));
      }
      status->status = "Failure";
      return ToStatus(*status);
    }
    WatchEvent event;
    if (type == "ADDED") {
      event.type = WatchEventType::kAdded;
    } else if (type == "MODIFIED") {
      event.type = WatchEventType::kModified;
    } else if (type == "DELETED") {
      event.type = WatchEventType::kDeleted;
    } else if (type == "BOOKMARK") {
      event.type = WatchEventType::kBookmark;
    } else {
      return UnavailableError("malformed watch event: unknown type \"" + type + "\"");
    }
    event.object = std::move(*object);
    FillTypeMeta(event.object, resource_.ApiVersion(), resource_.kind);
    return std::optional<WatchEvent>(std::move(event));
  }

  std::unique_ptr<http::Stream> stream_;
  const ResourceRef resource_;
};

}  // namespace

// The connection pool, replaced when the client certificate changes (an exec plugin may return a
// new one with each credential). Requests in flight keep the pool they started with.
class ApiClient::Transport {
 public:
  explicit Transport(http::ClientOptions options) : options_(std::move(options)) {}

  Result<std::shared_ptr<http::Client>> For(const RequestAuth& auth) {
    std::lock_guard lock(mu_);
    if (client_ != nullptr && auth.client_cert_pem == options_.client_certificate_pem &&
        auth.client_key_pem == options_.client_key_pem) {
      return client_;
    }
    http::ClientOptions options = options_;
    options.client_certificate_pem = auth.client_cert_pem;
    options.client_key_pem = auth.client_key_pem;
    DEVFLOW_ASSIGN_OR_RETURN(std::unique_ptr<http::Client> client, http::Client::Create(options));
    options_ = std::move(options);
    client_ = std::move(client);
    return client_;
  }

 private:
  std::mutex mu_;
  http::ClientOptions options_;           // guarded by mu_: those of client_
  std::shared_ptr<http::Client> client_;  // guarded by mu_
};

std::string_view PatchContentType(PatchType type) {
  switch (type) {
    case PatchType::kMerge:
      return "application/merge-patch+json";
    case PatchType::kJson:
      return "application/json-patch+json";
    case PatchType::kStrategic:
      return "application/strategic-merge-patch+json";
  }
  return "application/merge-patch+json";
}

ResourceRef ResourceFor(const api::KindInfo& kind) {
  return ResourceRef{.group = std::string(kind.group),
                     .version = std::string(kind.version),
                     .plural = std::string(kind.plural),
                     .kind = std::string(kind.kind),
                     .namespaced = kind.namespaced};
}

Result<std::unique_ptr<ApiClient>> ApiClient::Create(ClientConfig config,
                                                     ApiClientOptions options) {
  if (!config.proxy_url.empty()) {
    return InvalidArgumentError(config.origin + ": proxy-url " + config.proxy_url +
                                " is not supported by devflow; reach the server directly");
  }
  http::ClientOptions http_options{
      .base_url = config.server.ToString(),
      .ca_pem = config.ca_pem,
      .insecure_skip_verify = config.insecure_skip_tls_verify,
      .tls_server_name = config.tls_server_name,
      .client_certificate_pem = config.client_cert_pem,
      .client_key_pem = config.client_key_pem,
      .connect_timeout = options.connect_timeout,
      .request_timeout = options.request_timeout,
      .max_idle_connections = options.max_idle_connections,
  };
  auto transport = std::make_unique<Transport>(http_options);
  // Builds the first pool now, so a bad URL or TLS material fails here, not at the first request.
  RequestAuth static_auth{.client_cert_pem = config.client_cert_pem,
                          .client_key_pem = config.client_key_pem};
  if (auto client = transport->For(static_auth); !client.ok()) {
    return client.error().WithContext(config.origin.empty() ? config.server.ToString()
                                                            : config.origin);
  }
  return std::unique_ptr<ApiClient>(
      new ApiClient(std::move(config), std::move(options), std::move(transport)));
}

ApiClient::ApiClient(ClientConfig config, ApiClientOptions options,
                     std::unique_ptr<Transport> transport)
    : config_(std::move(config)),
      options_(std::move(options)),
      clock_(options_.clock != nullptr ? *options_.clock : SystemClientClock()),
      limiter_(options_.qps, options_.burst, &clock_),
      transport_(std::move(transport)) {}

ApiClient::~ApiClient() = default;

std::string ApiClient::CollectionPath(const ResourceRef& resource, std::string_view ns) {
  std::string path = resource.group.empty() ? "/api/" + PathEscape(resource.version)
                                            : "/apis/" + PathEscape(resource.group) + "/" +
                                                  PathEscape(resource.version);
  if (resource.namespaced && !ns.empty()) path += "/namespaces/" + PathEscape(ns);
  return path + "/" + PathEscape(resource.plural);
}

std::string ApiClient::NamespaceFor(const ResourceRef& resource, std::string_view ns,
                                    const json::Value* object) const {
  if (!resource.namespaced) return "";
  if (!ns.empty()) return std::string(ns);
  if (object != nullptr) {
    if (const std::string* from_object = StringAt(*object, "metadata", "namespace");
        from_object != nullptr && !from_object->empty()) {
      return *from_object;
    }
  }
  return config_.namespace_;
}

bool ApiClient::CredentialsRefreshable() const {
  return std::holds_alternative<ExecPlugin>(config_.credentials);
}

Result<std::pair<http::Request, std::shared_ptr<http::Client>>> ApiClient::Prepare(
    const std::string& method, const std::string& target, std::string_view content_type,
    const std::string& body) {
  DEVFLOW_ASSIGN_OR_RETURN(RequestAuth auth, config_.CurrentAuth());
  DEVFLOW_ASSIGN_OR_RETURN(std::shared_ptr<http::Client> client, transport_->For(auth));
  http::Request request{.method = method, .target = target, .body = body};
  request.headers.emplace_back("Accept", std::string(kJson));
  request.headers.emplace_back("User-Agent", options_.user_agent.empty()
                                                 ? std::string("devflow/") + kVersion
                                                 : options_.user_agent);
  if (!auth.bearer_token.empty()) {
    request.headers.emplace_back("Authorization", "Bearer " + auth.bearer_token);
  } else if (!auth.username.empty()) {
    request.headers.emplace_back("Authorization",
                                 "Basic " + api::EncodeBase64(auth.username + ":" + auth.password));
  }
  if (!content_type.empty()) request.headers.emplace_back("Content-Type", content_type);
  return std::make_pair(std::move(request), std::move(client));
}

Result<http::Response> ApiClient::Send(const std::string& method, const std::string& target,
                                       std::string_view content_type, const std::string& body) {
  bool refreshed_credentials = false;
  for (int retries = 0;;) {
    limiter_.Wait();
    DEVFLOW_ASSIGN_OR_RETURN(auto prepared, Prepare(method, target, content_type, body));
    auto& [request, client] = prepared;
    Result<http::Response> response = client->Send(request);
    if (!response.ok()) return response.error().WithContext(method + " " + target);
    int code = response->status;
    if (code >= 200 && code <= 299) return response;

    if (code == 401 && !refreshed_credentials && CredentialsRefreshable()) {
      config_.InvalidateCredentials();
      refreshed_credentials = true;
      continue;
    }
    // 429: the server turned the request away unprocessed, so even a write is safe to resend.
    // 5xx: a write may have been applied before the failure; only reads are resent.
    bool retryable = code == 429 || (code >= 500 && code <= 599 && method == "GET");
    if (!retryable || retries >= options_.max_retries) {
      return ErrorFromResponse(code, response->body);
    }
    std::chrono::nanoseconds delay;
    if (std::optional<int64_t> after = RetryAfterSeconds(response->Header("Retry-After"))) {
      delay = std::min<std::chrono::nanoseconds>(std::chrono::seconds(*after),
                                                 options_.max_retry_after);
    } else if (code == 429) {
      delay = std::chrono::seconds(1);
    } else {
      auto base = std::chrono::duration_cast<std::chrono::nanoseconds>(options_.retry_backoff) *
                  (int64_t{1} << std::min(retries, 20));
      delay = base + std::chrono::nanoseconds(
                         static_cast<int64_t>(static_cast<double>(base.count()) * 0.5 * Jitter()));
    }
    ++retries;
    clock_.SleepFor(delay);
  }
}

Result<json::Value> ApiClient::SendJson(const std::string& method, const std::string& target,
                                        std::string_view content_type, const std::string& body) {
  DEVFLOW_ASSIGN_OR_RETURN(http::Response response, Send(method, target, content_type, body));
  return ParseBody(method, target, response.body);
}

Result<json::Value> ApiClient::Get(const ResourceRef& resource, std::string_view ns,
                                   std::string_view name) {
  if (name.empty()) return InvalidArgumentError("resource name may not be empty");
  return SendJson(
      "GET", CollectionPath(resource, NamespaceFor(resource, ns, nullptr)) + "/" + PathEscape(name),
      "", "");
}

Result<ObjectList> ApiClient::List(const ResourceRef& resource, std::string_view ns,
                                   const ListRequest& request) {
  Query query;
  query.AddIfSet("labelSelector", request.label_selector);
  query.AddIfSet("fieldSelector", request.field_selector);
  if (request.limit > 0) query.Add("limit", std::to_string(request.limit));
  query.AddIfSet("continue", request.continue_token);
  query.AddIfSet("resourceVersion", request.resource_version);
  std::string target = CollectionPath(resource, resource.namespaced ? ns : "") + query.str();
  DEVFLOW_ASSIGN_OR_RETURN(json::Value body, SendJson("GET", target, "", ""));

  json::Value* items = body.Find("items");
  if (!body.is_object() || (items != nullptr && !items->is_array() && !items->is_null())) {
    return InternalError("GET " + target + ": the answer is not a list");
  }
  ObjectList list;
  if (const std::string* version = StringAt(body, "metadata", "resourceVersion")) {
    list.resource_version = *version;
  }
  if (const std::string* token = StringAt(body, "metadata", "continue")) {
    list.continue_token = *token;
  }
  std::string api_version = StringMember(body, "apiVersion");
  if (api_version.empty()) api_version = resource.ApiVersion();
  std::string kind = resource.kind;
  if (std::string list_kind = StringMember(body, "kind");
      kind.empty() && list_kind.size() > 4 && list_kind.ends_with("List")) {
    kind = list_kind.substr(0, list_kind.size() - 4);
  }
  if (items != nullptr && items->is_array()) {
    list.items = std::move(items->as_array());
    for (json::Value& item : list.items) FillTypeMeta(item, api_version, kind);
  }
  return list;
}

Result<ObjectList> ApiClient::ListAll(const ResourceRef& resource, std::string_view ns,
                                      ListRequest request) {
  ObjectList all;
  ListRequest page = request;
  for (bool following = false;; following = true) {
    Result<ObjectList> result = List(resource, ns, page);
    if (!result.ok()) {
      if (following && result.error().code() == StatusCode::kGone) {
        // The continue token expired (the server compacted past the list's version): the pages
        // read so far cannot be completed consistently, so read everything again in one go.
        ListRequest whole = request;
        whole.limit = 0;
        whole.continue_token.clear();
        DEVFLOW_ASSIGN_OR_RETURN(ObjectList fresh, List(resource, ns, whole));
        fresh.continue_token.clear();
        return fresh;
      }
      return result.error();
    }
    for (json::Value& item : result->items) all.items.push_back(std::move(item));
    all.resource_version = result->resource_version;
    if (result->continue_token.empty()) return all;
    page.continue_token = result->continue_token;
    // The continue token pins the version; Kubernetes rejects a resourceVersion beside it.
    page.resource_version.clear();
  }
}

Result<json::Value> ApiClient::Create(const ResourceRef& resource, std::string_view ns,
                                      const json::Value& object) {
  return SendJson("POST", CollectionPath(resource, NamespaceFor(resource, ns, &object)), kJson,
                  json::Write(object));
}

Result<json::Value> ApiClient::Update(const ResourceRef& resource, std::string_view ns,
                                      const json::Value& object) {
  const std::string* name = StringAt(object, "metadata", "name");
  if (name == nullptr || name->empty()) {
    return InvalidArgumentError("an update needs the object's name", "metadata.name");
  }
  return SendJson(
      "PUT",
      CollectionPath(resource, NamespaceFor(resource, ns, &object)) + "/" + PathEscape(*name),
      kJson, json::Write(object));
}

Result<json::Value> ApiClient::UpdateStatus(const ResourceRef& resource, std::string_view ns,
                                            const json::Value& object) {
  const std::string* name = StringAt(object, "metadata", "name");
  if (name == nullptr || name->empty()) {
    return InvalidArgumentError("an update needs the object's name", "metadata.name");
  }
  return SendJson("PUT",
                  CollectionPath(resource, NamespaceFor(resource, ns, &object)) + "/" +
                      PathEscape(*name) + "/status",
                  kJson, json::Write(object));
}

Result<json::Value> ApiClient::Patch(const ResourceRef& resource, std::string_view ns,
                                     std::string_view name, PatchType type,
                                     const json::Value& patch, std::string_view subresource) {
  if (name.empty()) return InvalidArgumentError("resource name may not be empty");
  std::string target =
      CollectionPath(resource, NamespaceFor(resource, ns, nullptr)) + "/" + PathEscape(name);
  if (!subresource.empty()) target += "/" + PathEscape(subresource);
  return SendJson("PATCH", target, PatchContentType(type), json::Write(patch));
}

Result<json::Value> ApiClient::Delete(const ResourceRef& resource, std::string_view ns,
                                      std::string_view name, const DeleteRequest& request) {
  if (name.empty()) return InvalidArgumentError("resource name may not be empty");
  std::string target =
      CollectionPath(resource, NamespaceFor(resource, ns, nullptr)) + "/" + PathEscape(name);
  std::string body;
  if (request != DeleteRequest{}) {
    json::Object options{{"kind", "DeleteOptions"}, {"apiVersion", "v1"}};
    if (!request.propagation_policy.empty()) {
      options.Set("propagationPolicy", request.propagation_policy);
    }
    json::Object preconditions;
    if (request.precondition_uid) preconditions.Set("uid", *request.precondition_uid);
    if (request.precondition_resource_version) {
      preconditions.Set("resourceVersion", *request.precondition_resource_version);
    }
    if (!preconditions.empty()) options.Set("preconditions", std::move(preconditions));
    if (request.dry_run) options.Set("dryRun", json::Array{"All"});
    body = json::Write(options);
  }
  return SendJson("DELETE", target, body.empty() ? "" : kJson, body);
}

Result<std::unique_ptr<WatchStream>> ApiClient::Watch(const ResourceRef& resource,
                                                      std::string_view ns,
                                                      const WatchRequest& request) {
  Query query;
  query.Add("watch", "1");
  query.AddIfSet("resourceVersion", request.resource_version);
  if (request.allow_bookmarks) query.Add("allowWatchBookmarks", "true");
  query.AddIfSet("labelSelector", request.label_selector);
  query.AddIfSet("fieldSelector", request.field_selector);
  if (request.timeout.count() > 0) {
    query.Add("timeoutSeconds", std::to_string(request.timeout.count()));
  }
  std::string target = CollectionPath(resource, resource.namespaced ? ns : "") + query.str();

  limiter_.Wait();
  for (bool refreshed_credentials = false;; refreshed_credentials = true) {
    DEVFLOW_ASSIGN_OR_RETURN(auto prepared, Prepare("GET", target, "", ""));
    auto& [http_request, client] = prepared;
    Result<std::unique_ptr<http::Stream>> opened = client->Open(http_request);
    if (!opened.ok()) return opened.error().WithContext("GET " + target);
    std::unique_ptr<http::Stream> stream = std::move(opened).value();
    if (stream->status() == 200) {
      return std::unique_ptr<WatchStream>(new HttpWatchStream(std::move(stream), resource));
    }
    if (stream->status() == 401 && !refreshed_credentials && CredentialsRefreshable()) {
      config_.InvalidateCredentials();
      continue;
    }
    std::string body;
    while (body.size() < kMaxWatchErrorBody) {
      Result<std::optional<std::string>> some = stream->ReadSome(options_.request_timeout);
      if (!some.ok() || !some->has_value()) break;
      body += **some;
    }
    return ErrorFromResponse(stream->status(), body);
  }
}

Result<json::Value> ApiClient::GetPath(std::string_view path) {
  if (path.empty() || path.front() != '/') {
    return InvalidArgumentError("path must start with '/', got \"" + std::string(path) + "\"");
  }
  return SendJson("GET", std::string(path), "", "");
}

Status ApiClient::StreamPath(std::string_view path,
                             const std::function<bool(std::string_view)>& on_data) {
  if (path.empty() || path.front() != '/') {
    return InvalidArgumentError("path must start with '/', got \"" + std::string(path) + "\"");
  }
  const std::string target(path);
  limiter_.Wait();
  for (bool refreshed_credentials = false;; refreshed_credentials = true) {
    DEVFLOW_ASSIGN_OR_RETURN(auto prepared, Prepare("GET", target, "", ""));
    auto& [http_request, client] = prepared;
    Result<std::unique_ptr<http::Stream>> opened = client->Open(http_request);
    if (!opened.ok()) return opened.error().WithContext("GET " + target);
    std::unique_ptr<http::Stream> stream = std::move(opened).value();
    if (stream->status() == 401 && !refreshed_credentials && CredentialsRefreshable()) {
      config_.InvalidateCredentials();
      continue;
    }
    std::string error_body;
    while (true) {
      Result<std::optional<std::string>> some = stream->ReadSome(std::chrono::hours(24));
      if (!some.ok()) {
        if (some.error().code() == StatusCode::kDeadlineExceeded) continue;
        return some.error().WithContext("GET " + target);
      }
      if (!some->has_value()) break;
      if (stream->status() != 200) {
        if (error_body.size() < kMaxWatchErrorBody) error_body += **some;
        continue;
      }
      if (!on_data(**some)) return Status::Ok();
    }
    if (stream->status() != 200) return ErrorFromResponse(stream->status(), error_body);
    return Status::Ok();
  }
}

Result<std::vector<ResourceRef>> ApiClient::Discover(const std::string& api_version) {
  size_t slash = api_version.find('/');
  std::string group = slash == std::string::npos ? "" : api_version.substr(0, slash);
  std::string version = slash == std::string::npos ? api_version : api_version.substr(slash + 1);
  std::string path = group.empty() ? "/api/" + PathEscape(version)
                                   : "/apis/" + PathEscape(group) + "/" + PathEscape(version);
  DEVFLOW_ASSIGN_OR_RETURN(json::Value list, SendJson("GET", path, "", ""));
  std::vector<ResourceRef> resources;
  const json::Value* entries = list.Find("resources");
  if (entries == nullptr || !entries->is_array()) return resources;
  for (const json::Value& entry : entries->as_array()) {
    std::string name = StringMember(entry, "name");
    // "rollouts/status" and the like are subresources, not resources.
    if (name.empty() || name.find('/') != std::string::npos) continue;
    const json::Value* namespaced = entry.Find("namespaced");
    resources.push_back(ResourceRef{
        .group = group,
        .version = version,
        .plural = name,
        .kind = StringMember(entry, "kind"),
        .namespaced = namespaced != nullptr && namespaced->is_bool() && namespaced->as_bool()});
  }
  return resources;
}

Result<ResourceRef> ApiClient::ResolveKind(std::string_view api_version, std::string_view kind) {
  size_t slash = api_version.find('/');
  if (api_version.empty() || kind.empty() || api_version.front() == '/' ||
      api_version.back() == '/' ||
      (slash != std::string_view::npos && api_version.find('/', slash + 1) != std::string::npos)) {
    return InvalidArgumentError("cannot resolve kind \"" + std::string(kind) +
                                "\" in apiVersion \"" + std::string(api_version) + "\"");
  }
  auto find = [&](const std::vector<ResourceRef>& resources) -> std::optional<ResourceRef> {
    for (const ResourceRef& resource : resources) {
      if (resource.kind == kind) return resource;
    }
    return std::nullopt;
  };
  {
    std::lock_guard lock(discovery_mu_);
    if (auto it = discovery_.find(api_version); it != discovery_.end()) {
      if (auto found = find(it->second)) return *found;
    }
  }
  std::string no_match = "no matches for kind \"" + std::string(kind) + "\" in version \"" +
                         std::string(api_version) + "\"";
  Result<std::vector<ResourceRef>> fresh = Discover(std::string(api_version));
  if (!fresh.ok()) {
    if (fresh.error().code() == StatusCode::kNotFound) return NotFoundError(no_match);
    return fresh.error();
  }
  std::optional<ResourceRef> found = find(*fresh);
  {
    std::lock_guard lock(discovery_mu_);
    discovery_[std::string(api_version)] = std::move(fresh).value();
  }
  if (!found) return NotFoundError(no_match);
  return *found;
}

Result<json::Value> RetryOnConflict(const std::function<Result<json::Value>()>& attempt,
                                    int attempts) {
  // client-go's retry.DefaultRetry: 10 ms steps with 10% jitter.
  constexpr std::chrono::milliseconds kStep(10);
  for (int i = 1;; ++i) {
    Result<json::Value> result = attempt();
    if (result.ok() || result.error().code() != StatusCode::kConflict || i >= attempts) {
      return result;
    }
    auto step = std::chrono::duration_cast<std::chrono::nanoseconds>(kStep);
    std::this_thread::sleep_for(step + std::chrono::nanoseconds(static_cast<int64_t>(
                                           static_cast<double>(step.count()) * 0.1 * Jitter())));
  }
}

}  // namespace devflow::kube
