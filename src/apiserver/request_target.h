// RequestTarget: which resource, object and verb an API request names, read from its method,
// path and query as kube-apiserver's RequestInfoFactory reads them.
//
// Paths (after the authentication and discovery paths are handled elsewhere):
//   /api/v1/[namespaces/NS/]PLURAL[/NAME[/SUBRESOURCE]]          the core group
//   /apis/GROUP/VERSION/[namespaces/NS/]PLURAL[/NAME[/SUBRESOURCE]]
//   /api/v1/namespaces/NAME[/status|/finalize]                    a Namespace itself
//   .../watch/...   the legacy watch prefix after the version (/api/v1/watch/namespaces/NS/pods)
// Whether PLURAL exists, is namespaced, or has the subresource is not decided here: the REST
// handler checks the target against the ResourceCatalog.
//
// Verbs (Kubernetes' names): GET of a collection is list (watch with ?watch=1|true or the watch
// prefix), GET of an object get (watch under the watch prefix: a watch of that one object);
// POST of a collection create; PUT of an object update; PATCH of an object patch; DELETE of an
// object delete, of a collection deletecollection. Other combinations are not allowed (405).
//
// Everything here is pure and thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace devflow::apiserver {

enum class Verb {
  kGet,
  kList,
  kWatch,
  kCreate,
  kUpdate,
  kPatch,
  kDelete,
  kDeleteCollection,
};

// "get", "list", "watch", "create", "update", "patch", "delete", "deletecollection".
std::string_view VerbName(Verb verb);

// The resource part of a request path.
struct ResourcePath {
  std::string group;          // "" for /api/v1
  std::string version;        // "v1", "v1alpha1"
  std::string namespace_;     // from namespaces/NS/...; "" when the path has none
  std::string plural;         // "rollouts"; "namespaces" for /api/v1/namespaces[/NAME]
  std::string name;           // "" for a collection
  std::string subresource;    // "status", "finalize", "scale", ...; "" for the object itself
  bool watch_prefix = false;  // the path had the legacy /watch/ segment
  friend bool operator==(const ResourcePath&, const ResourcePath&) = default;
};

// Parses a percent-decoded request path (http::Request::Path()). One trailing '/' is ignored.
// Returns nullopt when the path is not an API resource path (the handler answers 404): not under
// /api/v1 or /apis/G/V, no resource segment, an empty segment, or more segments than
// [namespaces/NS/]PLURAL/NAME/SUBRESOURCE.
std::optional<ResourcePath> ParseResourcePath(std::string_view path);

// The verb of `method` ("GET", "POST", ...) on `path`; `watch_query` is whether the query asked
// for a watch (?watch=1 or ?watch=true). nullopt when the method is not allowed there (405).
std::optional<Verb> VerbFor(std::string_view method, const ResourcePath& path, bool watch_query);

// True for the query values Kubernetes reads as a true bool parameter ("1", "true", "True",
// "TRUE", "t", "T", as Go's strconv.ParseBool); false otherwise, including absent (nullopt).
bool QueryFlag(const std::optional<std::string>& value);

// A request's full target.
struct RequestTarget {
  ResourcePath path;
  Verb verb = Verb::kGet;
  friend bool operator==(const RequestTarget&, const RequestTarget&) = default;
};

}  // namespace devflow::apiserver
