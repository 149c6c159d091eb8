#include "kube/event_recorder.h"

#include <cinttypes>
#include <cstdio>

#include "api/core_kinds_codec.h"
#include "api/decode.h"
#include "api/time.h"
#include "kube/api_client.h"

namespace devflow::kube {
namespace {

const ResourceRef& EventsResource() {
  static const ResourceRef* events = new ResourceRef{"", "v1", "events", "Event", true};
  return *events;
}

Result<api::Event> DecodeEvent(const json::Value& value) {
  api::FieldErrors errors;
  api::Event event = api::Decode<api::Event>(value, &errors);
  if (!errors.empty()) {
    return InternalError("event: " + errors.front().path.str() + ": " + errors.front().message);
  }
  return event;
}

class ApiEventSink : public EventSink {
 public:
  explicit ApiEventSink(ApiClient& client) : client_(client) {}

  Result<api::Event> Create(const api::Event& event) override {
    DEVFLOW_ASSIGN_OR_RETURN(
        json::Value created,
        client_.Create(EventsResource(), event.metadata.namespace_, api::Encode(event)));
    return DecodeEvent(created);
  }
  Result<api::Event> Patch(const std::string& ns, const std::string& name,
                           const json::Value& patch) override {
    DEVFLOW_ASSIGN_OR_RETURN(json::Value patched,
                             client_.Patch(EventsResource(), ns, name, PatchType::kMerge, patch));
    return DecodeEvent(patched);
  }

 private:
  ApiClient& client_;
};

const std::string* StringAt(const json::Value& object, std::string_view a,
                            std::string_view b = {}) {
  const json::Value* v = object.Find(a);
  if (v != nullptr && !b.empty()) {
    v = v->Find(b);
  }
  return v != nullptr && v->is_string() ? &v->as_string() : nullptr;
}

std::string StringOr(const std::string* s) { return s != nullptr ? *s : std::string(); }

// The identity of an event for aggregation, as client-go's getEventKey: source, involved object
// (without its resourceVersion, which changes on every write), type, reason and message.
std::string AggregationKey(const EventRecorderOptions& options, const api::ObjectReference& o,
                           EventType type, const std::string& reason, const std::string& message) {
  std::string key;
  for (const std::string* part :
       {&options.component, &options.host, &o.kind, &o.namespace_, &o.name, &o.field_path, &o.uid,
        &o.api_version, &reason, &message}) {
    // Length-prefixed, so that no choice of separator can make two different events collide.
    key += std::to_string(part->size());
    key += ':';
    key += *part;
  }
  key += EventTypeName(type);
  return key;
}

}  // namespace

std::unique_ptr<EventSink> NewEventSink(ApiClient& client) {
  return std::make_unique<ApiEventSink>(client);
}

std::string_view EventTypeName(EventType type) {
  return type == EventType::kWarning ? "Warning" : "Normal";
}

EventRecorder::EventRecorder(EventSink& sink, EventRecorderOptions options)
    : sink_(sink),
      options_(std::move(options)),
      clock_(options_.clock != nullptr ? *options_.clock : SystemClock()),
      worker_([this] { Run(); }) {}

EventRecorder::~EventRecorder() { Shutdown(); }

void EventRecorder::Record(const json::Value& object, EventType type, std::string reason,
                           std::string message) {
  api::ObjectReference ref;
  ref.api_version = StringOr(StringAt(object, "apiVersion"));
  ref.kind = StringOr(StringAt(object, "kind"));
  ref.namespace_ = StringOr(StringAt(object, "metadata", "namespace"));
  ref.name = StringOr(StringAt(object, "metadata", "name"));
  ref.uid = StringOr(StringAt(object, "metadata", "uid"));
  ref.resource_version = StringOr(StringAt(object, "metadata", "resourceVersion"));
  Record(ref, type, std::move(reason), std::move(message));
}

void EventRecorder::Record(const api::ObjectReference& object, EventType type, std::string reason,
                           std::string message) {
  Pending pending{object,           type,        std::move(reason), std::move(message),
                  clock_.WallNow(), clock_.Now()};
  std::lock_guard<std::mutex> l(mu_);
  if (shutting_down_ || queue_.size() >= options_.queue_capacity) {
    ++dropped_;
    return;
  }
  queue_.push_back(std::move(pending));
  cv_.notify_all();
}

void EventRecorder::Flush() {
  std::unique_lock<std::mutex> l(mu_);
  cv_.wait(l, [this] { return queue_.empty() && !busy_; });
}

void EventRecorder::Shutdown() {
  {
    std::lock_guard<std::mutex> l(mu_);
    shutting_down_ = true;
    cv_.notify_all();
  }
  if (worker_.joinable()) {
    worker_.join();
  }
}

void EventRecorder::Run() {
  std::unique_lock<std::mutex> l(mu_);
  while (true) {
    cv_.wait(l, [this] { return !queue_.empty() || shutting_down_; });
    if (queue_.empty()) {
      return;  // Shutting down, and everything queued has been written.
    }
    Pending pending = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    l.unlock();
    Write(pending);
    l.lock();
    busy_ = false;
    cv_.notify_all();
  }
}

void EventRecorder::Write(const Pending& pending) {
  std::string key =
      AggregationKey(options_, pending.object, pending.type, pending.reason, pending.message);
  auto found = written_by_key_.find(key);
  if (found != written_by_key_.end() &&
      pending.seen - found->second->last_seen > options_.aggregation_window) {
    written_.erase(found->second);
    written_by_key_.erase(found);
    found = written_by_key_.end();
  }
  if (found != written_by_key_.end()) {
    Written& written = *found->second;
    json::Value patch = json::Object{
        {"count", static_cast<int64_t>(written.count) + 1},
        {"lastTimestamp",
         api::FormatRfc3339(std::chrono::floor<std::chrono::microseconds>(pending.at))},
    };
    Result<api::Event> patched = sink_.Patch(written.ns, written.name, patch);
    if (patched.ok()) {
      ++written.count;
      written.last_seen = pending.seen;
      written_.splice(written_.begin(), written_, found->second);
      return;
    }
    if (patched.error().code() != StatusCode::kNotFound) {
      ++failed_;
      return;
    }
    written_.erase(found->second);
    written_by_key_.erase(found);
  }
  CreateNew(pending, key);
}

std::string EventRecorder::NextName(const std::string& object_name, Clock::WallTime at) {
  int64_t nanos =
      std::chrono::duration_cast<std::chrono::nanoseconds>(at.time_since_epoch()).count();
  // Two events in the same nanosecond (or a clock that stands still) must not share a name.
  nanos = std::max(nanos, last_name_nanos_ + 1);
  last_name_nanos_ = nanos;
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016" PRIx64, static_cast<uint64_t>(nanos));
  return object_name + "." + hex;
}

void EventRecorder::CreateNew(const Pending& pending, const std::string& key) {
  api::Event event;
  event.api_version = "v1";
  event.kind = "Event";
  event.metadata.namespace_ =
      pending.object.namespace_.empty() ? std::string("default") : pending.object.namespace_;
  event.involved_object = pending.object;
  event.reason = pending.reason;
  event.message = pending.message;
  event.type = std::string(EventTypeName(pending.type));
  event.source.component = options_.component;
  event.source.host = options_.host;
  api::TimePoint at = std::chrono::floor<std::chrono::microseconds>(pending.at);
  event.first_timestamp = api::Time{at};
  event.last_timestamp = api::Time{at};
  event.count = 1;
  event.reporting_component = options_.component;
  event.reporting_instance = options_.host;

  // A name already taken (another recorder, same nanosecond) gets one more try with a new one.
  Result<api::Event> created = AlreadyExistsError("");
  for (int attempt = 0;
       attempt < 2 && !created.ok() && created.error().code() == StatusCode::kAlreadyExists;
       ++attempt) {
    event.metadata.name = NextName(pending.object.name, pending.at);
    created = sink_.Create(event);
  }
  if (!created.ok()) {
    ++failed_;
    return;
  }
  Remember(Written{key, event.metadata.namespace_, event.metadata.name, 1, pending.seen});
}

void EventRecorder::Remember(Written written) {
  written_.push_front(std::move(written));
  written_by_key_[written_.front().key] = written_.begin();
  while (written_.size() > options_.max_tracked) {
    written_by_key_.erase(written_.back().key);
    written_.pop_back();
  }
}

}  // namespace devflow::kube
