// ApiClient: devflow's REST client for a Kubernetes API server (a cluster's kube-apiserver or
// `devflow serve`'s embedded one), for any resource, with objects as json::Value.
// typed_client.h puts the typed kinds of src/api/ on top of it.
//
// Every request:
//   - waits for the client-side rate limit (a token bucket, QPS + burst; a watch counts once,
//     when it opens);
//   - carries the credentials ClientConfig::CurrentAuth() returns at that moment (a rotated
//     token file or a renewed exec credential is used at once; an exec plugin's client
//     certificate replaces the connection pool), User-Agent, Accept: application/json, and a
//     Content-Type that fits its body;
//   - reuses kept-alive connections (http::Client).
// Retries: an answer 429 is retried for every verb (the server refused it before doing
// anything), after its Retry-After (1 s when absent); a 5xx answer is retried for GET only,
// after its Retry-After or a jittered exponential backoff; at most ApiClientOptions::max_retries
// times. Writes are never retried on a 5xx or a broken connection: the write may have happened.
// A 401 with exec-plugin credentials drops the cached credential and is retried once (the
// credential may have been revoked before its expiry).
//
// Errors: an answer that is not 2xx becomes its Kubernetes Status (api_error.h: NotFound,
// AlreadyExists, Conflict, Gone, InvalidArgument with the field path of a 422, Unavailable, ...);
// transport failures are http::Client's (Unavailable, DeadlineExceeded) with "METHOD PATH: "
// before the message; credentials that cannot be obtained are CurrentAuth()'s errors; a 2xx body
// that is not the JSON expected is Internal.
//
// Namespaces: for a namespaced resource, List and Watch with an empty `ns` cover every
// namespace; Get, Patch and Delete with an empty `ns` use the config's namespace; Create, Update
// and UpdateStatus with an empty `ns` use the object's metadata.namespace, else the config's.
// For a cluster-scoped resource `ns` is ignored.
//
// Thread-safety: one ApiClient is meant to be shared by every thread of the process; all methods
// may be called concurrently. It owns its connection pool and rate limiter; watch streams it
// returns may outlive it.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/kinds.h"
#include "common/json_value.h"
#include "common/result.h"
#include "http/client.h"
#include "kube/api_types.h"
#include "kube/client_config.h"
#include "kube/rate_limiter.h"

namespace devflow::kube {

struct ApiClientOptions {
  // Client-side rate limit: sustained requests per second and the burst above it. A qps of 0 or
  // less disables the limit. client-go's defaults are 5 and 10; devflow's controllers do more.
  double qps = 50;
  int burst = 100;
  // The User-Agent header; empty means "devflow/<version>".
  std::string user_agent;
  // The whole of one request (connecting included); for a watch, up to its response headers.
  std::chrono::milliseconds request_timeout = std::chrono::seconds(30);
  // Resolving, connecting and the TLS handshake.
  std::chrono::milliseconds connect_timeout = std::chrono::seconds(10);
  // How many times a retryable answer (see the top) is retried.
  int max_retries = 3;
  // The first backoff after a 5xx without Retry-After; doubled on each retry, with up to 50%
  // jitter added.
  std::chrono::milliseconds retry_backoff = std::chrono::milliseconds(200);
  // Retry-After values are capped at this, so a confused server cannot park a controller.
  std::chrono::seconds max_retry_after = std::chrono::seconds(30);
  // Kept-alive connections per client.
  size_t max_idle_connections = 32;
  // The clock of the rate limiter and the retry waits; null means SystemClientClock(). Must
  // outlive the client.
  ClientClock* clock = nullptr;
};

enum class PatchType {
  kMerge,      // application/merge-patch+json (RFC 7386)
  kJson,       // application/json-patch+json (RFC 6902): `patch` is an array of operations
  kStrategic,  // application/strategic-merge-patch+json: built-in kinds only (custom ones: 415)
};

// The Content-Type of a patch type.
std::string_view PatchContentType(PatchType type);

// DeleteOptions (meta/v1) of one delete.
struct DeleteRequest {
  // propagationPolicy: "" (the resource's default), "Background", "Foreground" or "Orphan".
  std::string propagation_policy;
  // preconditions.uid / preconditions.resourceVersion: the delete fails with Conflict when the
  // stored object differs.
  std::optional<std::string> precondition_uid;
  std::optional<std::string> precondition_resource_version;
  // dryRun: ["All"]: the server checks and answers without deleting.
  bool dry_run = false;
  friend bool operator==(const DeleteRequest&, const DeleteRequest&) = default;
};

// The resource of a kind of the registry (api/kinds.h).
ResourceRef ResourceFor(const api::KindInfo& kind);

class ApiClient {
 public:
  // Returns a client for `config`. No request is made. Errors: InvalidArgument when the config
  // sets a proxy-url (devflow does not speak to proxies; better to fail than to go around the
  // proxy) or when http::Client rejects the server URL or TLS material (its message).
  static Result<std::unique_ptr<ApiClient>> Create(ClientConfig config,
                                                   ApiClientOptions options = {});

  ~ApiClient();
  ApiClient(const ApiClient&) = delete;
  ApiClient& operator=(const ApiClient&) = delete;

  // The object `name`. Errors: NotFound, and those at the top.
  Result<json::Value> Get(const ResourceRef& resource, std::string_view ns, std::string_view name);

  // One page of objects matching `request` (selectors, limit, continue token, resourceVersion).
  // Items that arrive without apiVersion or kind (kube-apiserver omits them in lists of built-in
  // kinds) get the resource's, so each item is a whole object. Errors: InvalidArgument for a bad
  // selector (the server's 400), Gone for an expired continue token, and those at the top.
  Result<ObjectList> List(const ResourceRef& resource, std::string_view ns,
                          const ListRequest& request = {});

  // Every page, following continue tokens (request.limit objects per page; 0 asks for all at
  // once). The result has every item, the resourceVersion of the list and no continue token. If
  // a continue token expires between pages (Gone), the list is read again whole, without a
  // limit, as client-go's pager does. Errors: List's.
  Result<ObjectList> ListAll(const ResourceRef& resource, std::string_view ns,
                             ListRequest request = {});

  // Creates `object` (POST) and returns it as stored. Errors: AlreadyExists, InvalidArgument
  // (422: field_path names the first invalid field), NotFound (the namespace does not exist),
  // and those at the top.
  Result<json::Value> Create(const ResourceRef& resource, std::string_view ns,
                             const json::Value& object);

  // Replaces the object named by object.metadata.name (PUT) and returns it as stored. The
  // object's metadata.resourceVersion is the precondition: Conflict when the stored object has
  // changed since (re-read and redo the change; see RetryOnConflict). Without a resourceVersion
  // the update is unconditional where the server allows it. Errors: InvalidArgument (without a
  // request) when metadata.name is missing; NotFound; Conflict; InvalidArgument (422); those at
  // the top.
  Result<json::Value> Update(const ResourceRef& resource, std::string_view ns,
                             const json::Value& object);

  // As Update, through the status subresource (PUT .../NAME/status): only the status changes.
  // Errors: Update's; NotFound also when the resource has no status subresource.
  Result<json::Value> UpdateStatus(const ResourceRef& resource, std::string_view ns,
                                   const json::Value& object);

  // Applies `patch` of `type` to the object `name` (or its `subresource`, e.g. "status") and
  // returns the result as stored. A merge patch carrying metadata.resourceVersion is
  // conditional (Conflict when stale). Errors: NotFound; Conflict; InvalidArgument (a malformed
  // patch, 422 on the result, or 415 for a strategic patch of a custom resource); those at the
  // top.
  Result<json::Value> Patch(const ResourceRef& resource, std::string_view ns, std::string_view name,
                            PatchType type, const json::Value& patch,
                            std::string_view subresource = "");

  // Deletes the object `name` and returns the response body: the deleted object, the object as
  // marked for deletion (finalizers or foreground deletion pending), or a Status. Errors:
  // NotFound; Conflict when a precondition fails; those at the top.
  Result<json::Value> Delete(const ResourceRef& resource, std::string_view ns,
                             std::string_view name, const DeleteRequest& request = {});

  // Opens a watch (GET ...?watch=1&resourceVersion=..&allowWatchBookmarks=true&
  // timeoutSeconds=..) and returns the stream once the server has answered 200. Errors: the
  // answer's Status when it is not 200 (Gone for a resourceVersion older than the server's
  // history, InvalidArgument for a bad selector), and those at the top. Not retried, except
  // the one 401 retry with fresh exec credentials. The stream's Next (api_types.h) also answers
  // Unavailable for a line that is not a watch event (the informer then watches again), and
  // fills in apiVersion and kind of objects that arrive without them.
  Result<std::unique_ptr<WatchStream>> Watch(const ResourceRef& resource, std::string_view ns,
                                             const WatchRequest& request);

  // A GET of `path` ("/version", "/apis", "/api/v1"), parsed as JSON. `path` may carry a query.
  // Errors: those at the top.
  Result<json::Value> GetPath(std::string_view path);

  // A GET of `path` whose body is not JSON and may not end (pods/log with follow=true): calls
  // `on_data` with the bytes as they arrive, until the body ends (ok), or `on_data` returns
  // false (ok). Errors: the answer's Status when it is not 200, a broken connection
  // (Unavailable), and those at the top. No read timeout: a followed log may be quiet for long.
  Status StreamPath(std::string_view path, const std::function<bool(std::string_view)>& on_data);

  // Discovery: the resource serving `kind` in `api_version` ("apps/v1", "v1"), read from
  // /api/v1 or /apis/GROUP/VERSION and cached per group-version. A kind missing from the cached
  // list refreshes it once (a CRD may have been created since). Errors: NotFound `no matches for
  // kind "K" in version "G/V"` (also when the server does not serve the group-version);
  // InvalidArgument for an empty or malformed apiVersion; those at the top.
  Result<ResourceRef> ResolveKind(std::string_view api_version, std::string_view kind);

  // The collection path of `resource` in `ns`: "/apis/G/V/namespaces/NS/PLURAL" or
  // "/api/v1/PLURAL" (cluster-scoped, or all namespaces when `ns` is empty). Segments are
  // path-escaped.
  static std::string CollectionPath(const ResourceRef& resource, std::string_view ns);

  const ClientConfig& config() const { return config_; }
  const ApiClientOptions& options() const { return options_; }

 private:
  class Transport;

  ApiClient(ClientConfig config, ApiClientOptions options, std::unique_ptr<Transport> transport);

  // The request with this moment's credentials and the common headers, and the connection
  // pool for its client certificate.
  Result<std::pair<http::Request, std::shared_ptr<http::Client>>> Prepare(
      const std::string& method, const std::string& target, std::string_view content_type,
      const std::string& body);
  // Sends one request with the retries described at the top; returns the 2xx answer or the
  // error.
  Result<http::Response> Send(const std::string& method, const std::string& target,
                              std::string_view content_type, const std::string& body);
  // Send, then the body parsed as JSON.
  Result<json::Value> SendJson(const std::string& method, const std::string& target,
                               std::string_view content_type, const std::string& body);
  // Whether a 401 is worth one retry with fresh credentials (an exec plugin's may be revoked
  // before they expire).
  bool CredentialsRefreshable() const;
  // The namespace a single-object verb addresses (see the top).
  std::string NamespaceFor(const ResourceRef& resource, std::string_view ns,
                           const json::Value* object) const;
  Result<std::vector<ResourceRef>> Discover(const std::string& api_version);

  const ClientConfig config_;
  const ApiClientOptions options_;
  ClientClock& clock_;
  RateLimiter limiter_;
  std::unique_ptr<Transport> transport_;

  std::mutex discovery_mu_;
  // api_version -> the resources it serves (no subresources). Guarded by discovery_mu_.
  std::map<std::string, std::vector<ResourceRef>, std::less<>> discovery_;
};

// Calls `attempt` until it does not fail with Conflict, at most `attempts` times, with a short
// jittered backoff (about 10 ms) in between, as client-go's retry.RetryOnConflict. The attempt
// must re-read the object it modifies. Returns the first result that is not Conflict, or the
// last Conflict.
Result<json::Value> RetryOnConflict(const std::function<Result<json::Value>()>& attempt,
                                    int attempts = 5);

}  // namespace devflow::kube
