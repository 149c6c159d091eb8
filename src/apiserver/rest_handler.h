// RestHandler: the Kubernetes REST API of `devflow serve`, as an http::Handler over the
// ObjectStore. kubectl, devflow's own client and controllers talk to it exactly as they talk to
// a kube-apiserver.
//
// What it serves (Kubernetes' semantics; where devflow differs, it says so):
// - Authentication: `Authorization: Bearer <token>` (compared in constant time), else 401.
//   /version, /healthz, /livez and /readyz answer without a token, as kube-apiserver lets
//   anonymous users read them. Discovery (/api, /apis, /openapi/...) is served by
//   discovery.h's ServeDiscovery for every authenticated GET before routing.
// - Resource paths (request_target.h) of every resource in the ResourceCatalog: get, list (label
//   and field selectors, limit/continue paging, resourceVersion + resourceVersionMatch), watch
//   (handed to the WatchHub), create, update, patch (merge, JSON, strategic merge where the kind
//   has a schema; server-side apply is refused with 415), delete (propagation policy,
//   preconditions, finalizers via deletion_rules.h), deletecollection, and the status
//   subresource of kinds that have one. `dryRun=All` validates and answers without storing.
//   `fieldManager`, `fieldValidation` and `pretty` are accepted and ignored.
// - Metadata rules on write (object_meta_rules.h), validation (each kind's check and
//   api::ValidateObjectMeta), Kubernetes Status bodies for every error (api_status.h).
// - Namespaces: objects can be created only in an existing namespace that is not terminating;
//   deleting a namespace marks it Terminating (the namespace controller empties and removes it);
//   default, kube-system and kube-public cannot be deleted.
// - CustomResourceDefinitions: validated (ResourceCatalog::ValidateCrd), registered on create
//   and update (their status gets NamesAccepted/Established conditions, False on a name
//   conflict), and on removal every stored object of their resources is deleted (directly: the
//   objects' finalizers are not waited for, unlike kube-apiserver) before the resources go.
// - Responses are application/json. A list or get asking for `as=Table` gets plain JSON, which
//   kubectl accepts (it then prints the columns itself).
//
// Threading: Handle runs on the http::Server's threads, several at once; the handler is
// thread-safe. Writes to CustomResourceDefinitions are serialised among themselves. Ownership:
// the store, catalog and hub are borrowed and must outlive the handler.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "apiserver/object_store.h"
#include "apiserver/pod_log.h"
#include "apiserver/resource_catalog.h"
#include "apiserver/watch_hub.h"
#include "common/status.h"
#include "http/server.h"

namespace devflow::apiserver {

// The time source for creationTimestamp and deletionTimestamp.
using Clock = std::function<std::chrono::system_clock::time_point()>;

struct RestHandlerOptions {
  // The bearer token every request (but the anonymous paths above) must carry. Empty disables
  // authentication: for tests only.
  std::string token;
  // Null: the system clock.
  Clock clock;
  // Generates metadata.uid on create. Null: random version-4 UUIDs.
  std::function<std::string()> uid_generator;
  // Generates the 5-character suffix of generateName names (object_meta_rules.h). Null: random
  // characters of kNameSuffixAlphabet.
  std::function<std::string()> name_suffix_generator;
  // Where pods' container logs are (pods/log, pod_log.h). Null: no pods run here, and pods/log
  // answers 400 saying so.
  PodLogPath pod_log_path;
};

class RestHandler : public http::Handler {
 public:
  RestHandler(RestHandlerOptions options, ObjectStore& store, ResourceCatalog& catalog,
              WatchHub& hub);
  ~RestHandler() override;
  RestHandler(const RestHandler&) = delete;
  RestHandler& operator=(const RestHandler&) = delete;

  // Answers one request (see the file comment); never throws.
  void Handle(const http::Request& request, http::ResponseWriter& writer) override;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// Creates the namespaces every cluster has (default, kube-system, kube-public,
// kube-node-lease) when absent, as kube-apiserver does at start-up. `clock` null: system clock.
// Returns the store's error (Unavailable/Internal) when one cannot be read or created.
Status EnsureSystemNamespaces(ObjectStore& store, const Clock& clock = nullptr);

// Registers in `catalog` the resources of every valid CustomResourceDefinition in `store`, for
// start-up. A CRD whose names conflict with another stays unregistered (its stored status says
// so). Returns the store's error when the CRDs cannot be listed.
Status LoadCustomResourceDefinitions(ObjectStore& store, ResourceCatalog& catalog);

}  // namespace devflow::apiserver
