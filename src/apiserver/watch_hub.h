// WatchHub: the watch streams of the embedded API server (GET ...?watch=1), fed by the store.
//
// One hub serves every watch of a server. It subscribes once to the ObjectStore and fans each
// write out to the open watches, as kube-apiserver's watch cache (the "cacher") does:
//
// - A watch is a 200 response, Content-Type application/json, chunked, with one JSON object per
//   line: {"type":"ADDED|MODIFIED|DELETED|BOOKMARK|ERROR","object":{...}}. Objects are the
//   stored JSON text, unchanged; each event's line is built once and shared by every watch that
//   receives it.
// - resourceVersion "" or "0" (any value that reads as 0): synthetic ADDED events for every
//   current matching object, from one consistent List snapshot at version L, then the changes
//   after L. kube-apiserver also sends initial ADDED events for "" and "0" (the "Get State and
//   Start at Most Recent" and "Start at Any" semantics).
// - resourceVersion "N": every event after N (ObjectStore::EventsSince), then live events. When
//   N is older than the kept history, the stream carries one ERROR event whose object is a
//   Status {code 410, reason Expired, message "too old resource version: N (M)"} and ends, which
//   is what kube-apiserver sends; clients relist. When N is newer than the current version the
//   watch waits for it: events up to N are not sent.
// - No event is lost or sent twice between the replay and the live stream: the watch is
//   registered for live events before the replay reads the store, live events are buffered
//   during the replay, and afterwards the buffered events at or below the replay's version are
//   dropped.
// - Filters: the resource, the namespace ("" = all), a label selector and a field selector.
//   As in kube-apiserver's watch cache, an object that stops matching is sent as DELETED (with
//   its previous content, stamped with the event's resourceVersion) and one that starts matching
//   as ADDED. The stored JSON is parsed only for field selectors, once per event.
// - Bookmarks (allow_bookmarks): every WatchHubOptions::bookmark_interval after the replay, and
//   once more right before a timeout ends the stream (kube-apiserver also sends one shortly
//   before the deadline), a line {"type":"BOOKMARK","object":{"kind":K,"apiVersion":A,
//   "metadata":{"resourceVersion":"V"}}} where V is the latest version up to which the watch has
//   been sent every matching event. V advances with writes to any resource, so a client that
//   resumes from it does not replay writes it never cared about.
// - A watch ends (the stream is finished) after its timeout; when the client disconnects or
//   falls too far behind (the http layer drops it: WriteChunk fails), it is removed.
//
// Threads. Serve returns at once. A replay thread runs the initial List/EventsSince of each new
// watch, one at a time; a dispatcher thread takes the store's events from a queue (the store's
// listener only enqueues: it runs under the store's lock) and writes them, and runs the bookmark
// and timeout timers. Every public method may be called from any thread.
//
// Ownership: the hub borrows the store (which must outlive it) and keeps a copy of each watch's
// ResponseWriter until the watch ends.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "api/selector.h"
#include "apiserver/object_store.h"
#include "apiserver/resource_catalog.h"
#include "http/server.h"

namespace devflow::apiserver {

struct WatchHubOptions {
  // How often an open watch that allows bookmarks gets a BOOKMARK event (kube-apiserver: about
  // once a minute).
  std::chrono::milliseconds bookmark_interval = std::chrono::minutes(1);
  // How long a watch without timeoutSeconds stays open (kube-apiserver's --min-request-timeout,
  // 1800 s).
  std::chrono::seconds default_timeout = std::chrono::minutes(30);
  // When set, such a watch lasts a random time in [default_timeout, 2 * default_timeout), as in
  // kube-apiserver, so that the watches of many clients do not all end and re-list together.
  bool jitter_default_timeout = true;
  // Objects per page of the List that starts a watch from "" or "0". The pages share one
  // snapshot version, so the size changes only memory use and store lock hold times.
  int64_t list_page_size = 500;
  // Tests only: called on the replay thread right before the store read that starts a watch
  // (List or EventsSince), and right after it, before any of its events is written. Writes made
  // there land in the windows the replay/live hand-off must close.
  std::function<void()> before_replay_read_for_test;
  std::function<void()> after_replay_read_for_test;
};

// One watch, as the REST layer parses it from the request.
struct WatchRequest {
  // The watched resource (kind and apiVersion are written into bookmarks).
  ResourceInfo resource;
  // One namespace, or "" for every namespace (and for cluster-scoped resources).
  std::string namespace_;
  // The resourceVersion query parameter as given: "" or "0" (start with the current state) or a
  // decimal version (start after it). Anything else is answered 400.
  std::string resource_version;
  // Already parsed and, for fields, converted (api::ConvertFieldSelector) by the REST layer.
  api::Selector label_selector;
  api::FieldSelector field_selector;
  // allowWatchBookmarks.
  bool allow_bookmarks = false;
  // timeoutSeconds; 0 means WatchHubOptions::default_timeout.
  std::chrono::seconds timeout{0};
  friend bool operator==(const WatchRequest&, const WatchRequest&) = default;
};

class WatchHub {
 public:
  // Subscribes to `store` and starts the hub's two threads. `store` must outlive the hub.
  explicit WatchHub(ObjectStore& store, WatchHubOptions options = {});
  // Stop()s: ends every watch.
  ~WatchHub();
  WatchHub(const WatchHub&) = delete;
  WatchHub& operator=(const WatchHub&) = delete;

  // Answers one watch request through `writer` and returns at once; the stream is written later
  // from the hub's threads. Answers:
  //   400 BadRequest Status  request.resource_version is neither "" nor a decimal version;
  //   503 Status             the hub is stopped;
  //   200 stream             otherwise (see the top of this file). Errors found while starting
  //                          the stream (410 Expired, a store failure as 500 InternalError)
  //                          come as a single ERROR event, after which the stream ends.
  void Serve(WatchRequest request, http::ResponseWriter writer);

  // Ends every open watch (each stream is finished, so clients see a clean end and re-watch),
  // stops the threads and unsubscribes from the store. Later Serve calls answer 503. Idempotent.
  // Must not be called from a ResponseWriter callback.
  void Stop();

  // Watches registered and not yet ended (including those still replaying), for tests and
  // metrics. A watch whose client left is counted until the hub notices (promptly: the http
  // layer reports it).
  size_t active_watches() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace devflow::apiserver
