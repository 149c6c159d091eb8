// EventRecorder: writes v1 Events about objects (what `kubectl describe` shows under Events), as
// client-go's record.EventRecorder, without ever blocking the controller that records them.
//
// Record only queues; a worker thread writes. The queue is bounded: when it is full the event is
// dropped and counted (Dropped), because a controller must not stall on an API server that is
// slow to take events.
//
// Aggregation: an event equal to an earlier one (same involved object, type, reason and message,
// and the same source) recorded within aggregation_window of that one's last occurrence is not
// written again: the existing Event is patched with count + 1 and a new lastTimestamp. When the
// patch answers NotFound (the Event expired or was deleted), a new Event is created. The recorder
// remembers at most max_tracked distinct events, forgetting the least recently seen.
//
// Events are named "<object name>.<16 hex digits>" as Kubernetes names them (the hex is the
// creation time in Unix nanoseconds), in the object's namespace, or "default" for a
// cluster-scoped object.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "api/core_kinds.h"
#include "common/json_value.h"
#include "common/result.h"
#include "kube/clock.h"

namespace devflow::kube {

class ApiClient;

// Where events are written. Called from the recorder's worker thread only.
class EventSink {
 public:
  virtual ~EventSink() = default;
  // Creates `event` in event.metadata.namespace; returns it as stored. Errors: AlreadyExists
  // when the name is taken; others.
  virtual Result<api::Event> Create(const api::Event& event) = 0;
  // Applies the JSON merge patch `patch` to the Event `ns`/`name`; returns it as stored.
  // Errors: NotFound when it no longer exists; others.
  virtual Result<api::Event> Patch(const std::string& ns, const std::string& name,
                                   const json::Value& patch) = 0;
};

// Events through `client` (core v1 "events"), which must outlive the sink.
std::unique_ptr<EventSink> NewEventSink(ApiClient& client);

// type: Normal (routine) or Warning (something may need attention).
enum class EventType { kNormal, kWarning };

// "Normal" or "Warning".
std::string_view EventTypeName(EventType type);

struct EventRecorderOptions {
  // source.component and reportingComponent ("devflow-controller").
  std::string component;
  // source.host and reportingInstance (the node or pod name); may be empty.
  std::string host;
  // Events queued and not yet written; more are dropped.
  size_t queue_capacity = 1000;
  // A repeat within this long of the previous occurrence is folded into its Event.
  std::chrono::nanoseconds aggregation_window = std::chrono::minutes(10);
  // Distinct events remembered for aggregation.
  size_t max_tracked = 4096;
  // Timestamps and the aggregation window; null means SystemClock(). Must outlive the recorder.
  const Clock* clock = nullptr;
};

// Thread-safe: any thread may Record. Owns its worker thread; `sink` must outlive the recorder.
class EventRecorder {
 public:
  EventRecorder(EventSink& sink, EventRecorderOptions options);
  ~EventRecorder();  // Shutdown()
  EventRecorder(const EventRecorder&) = delete;
  EventRecorder& operator=(const EventRecorder&) = delete;

  // Queues an event about `object` (any kind: its apiVersion, kind, metadata.namespace, name,
  // uid and resourceVersion become involvedObject). Never blocks on the API; the event is dropped
  // (counted) when the queue is full or after Shutdown.
  void Record(const json::Value& object, EventType type, std::string reason, std::string message);
  // As above, with the involved object given as a reference.
  void Record(const api::ObjectReference& object, EventType type, std::string reason,
              std::string message);

  // Events dropped because the queue was full or the recorder shut down.
  uint64_t Dropped() const { return dropped_.load(); }
  // Events the sink refused (create or patch failed with anything but NotFound).
  uint64_t Failed() const { return failed_.load(); }

  // Blocks until every event queued before the call has been written (or has failed).
  void Flush();
  // Writes what is queued, then stops the worker. Later Records are dropped. Idempotent.
  void Shutdown();

 private:
  struct Pending {
    api::ObjectReference object;
    EventType type;
    std::string reason;
    std::string message;
    Clock::WallTime at;     // for the Event's timestamps
    Clock::TimePoint seen;  // for the aggregation window
  };
  // An Event written, for aggregation.
  struct Written {
    std::string key;
    std::string ns;
    std::string name;
    int32_t count = 0;
    Clock::TimePoint last_seen;
  };

  void Run();
  void Write(const Pending& pending);
  void CreateNew(const Pending& pending, const std::string& key);
  std::string NextName(const std::string& object_name, Clock::WallTime at);
  void Remember(Written written);

  EventSink& sink_;
  const EventRecorderOptions options_;
  const Clock& clock_;
  std::atomic<uint64_t> dropped_{0};
  std::atomic<uint64_t> failed_{0};

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;   // guarded by mu_
  bool busy_ = false;           // guarded by mu_; the worker is writing an event
  bool shutting_down_ = false;  // guarded by mu_

  // Worker thread only: the aggregation memory, most recently seen first.
  std::list<Written> written_;
  std::unordered_map<std::string, std::list<Written>::iterator> written_by_key_;
  int64_t last_name_nanos_ = 0;

  std::thread worker_;
};

}  // namespace devflow::kube
