#include "apiserver/watch_hub.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <queue>
#include <random>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/json_reader.h"
#include "common/json_value.h"

namespace devflow::apiserver {
namespace {

using Clock = std::chrono::steady_clock;

// Replay output is written in chunks of about this size rather than one per object.
constexpr size_t kReplayChunkBytes = 64 * 1024;

// What a watch receives for one store event (kube-apiserver's convertToWatchEvent).
enum class Delivery {
  kNone,
  kAdded,            // the object, as ADDED
  kModified,         // the object, as MODIFIED
  kDeleted,          // the object (already stamped with the deletion's version), as DELETED
  kDeletedPrevious,  // the previous object stamped with the event's version, as DELETED
};
constexpr size_t kDeliveryKinds = 5;

std::string StatusJson(int code, std::string_view reason, std::string_view message) {
  json::Object status{{"kind", "Status"},
                      {"apiVersion", "v1"},
                      {"metadata", json::Object{}},
                      {"status", "Failure"},
                      {"message", message}};
  if (!reason.empty()) status.Set("reason", reason);
  status.Set("code", code);
  return json::Write(json::Value(std::move(status)));
}

// Appends one event line: {"type":TYPE,"object":OBJECT}\n.
void AppendLine(std::string_view type, std::string_view object_json, std::string& out) {
  out += R"({"type":")";
  out += type;
  out += R"(","object":)";
  out += object_json;
  out += "}\n";
}

std::string Line(std::string_view type, std::string_view object_json) {
  std::string line;
  line.reserve(object_json.size() + type.size() + 24);
  AppendLine(type, object_json, line);
  return line;
}

std::string ErrorLine(const Status& status) {
  if (status.code() == StatusCode::kGone) {
    return Line("ERROR", StatusJson(410, "Expired", status.message()));
  }
  return Line("ERROR",
              StatusJson(500, "InternalError", "Internal error occurred: " + status.message()));
}

// Kubernetes reads resourceVersion with strconv.ParseUint; its messages are kept.
Result<int64_t> ParseResourceVersion(const std::string& text) {
  if (text.empty()) return int64_t{0};
  auto invalid = [&](std::string_view why) {
    std::string quoted;
    json::AppendQuoted(text, quoted);
    return InvalidArgumentError("resourceVersion: Invalid value: " + quoted +
                                    ": strconv.ParseUint: parsing " + quoted + ": " +
                                    std::string(why),
                                "resourceVersion");
  };
  if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return invalid("invalid syntax");
  }
  errno = 0;
  char* end = nullptr;
  long long value = std::strtoll(text.c_str(), &end, 10);
  if (errno == ERANGE) return invalid("value out of range");
  return static_cast<int64_t>(value);
}

// The parts of a WatchRequest that decide which events a watch gets.
struct Filter {
  std::string resource;  // ObjectKey::resource
  std::string namespace_;
  api::Selector labels;
  api::FieldSelector fields;

  // `parsed()` returns the object's JSON as a Value; it is called only when fields is not empty.
  template <class Parsed>
  bool Matches(const StoredObject& object, Parsed parsed) const {
    if (!namespace_.empty() && object.key.namespace_ != namespace_) return false;
    if (!labels.empty() && !api::Matches(labels, object.labels)) return false;
    return fields.empty() || api::Matches(fields, parsed());
  }
};

json::Value ParseOrNull(const std::string& text) {
  auto parsed = json::Parse(text);
  return parsed.ok() ? std::move(parsed).value() : json::Value();
}

// A store event as the hub shares it between watches: the event, and what is derived from it
// on first need (its parsed objects for field selectors, its lines). Touched only by the
// dispatcher thread after the listener made it, and by the replay thread for its own copies.
class EventRecord {
 public:
  explicit EventRecord(Event event) : event_(std::move(event)) {}

  const Event& event() const { return event_; }
  int64_t version() const { return event_.object.resource_version; }

  Delivery Classify(const Filter& filter) {
    bool current = event_.type != EventType::kDeleted &&
                   filter.Matches(event_.object, [this]() -> const json::Value& {
                     if (!object_value_) object_value_ = ParseOrNull(event_.object.json);
                     return *object_value_;
                   });
    const StoredObject& before = event_.previous ? *event_.previous : event_.object;
    bool previous = (event_.previous || event_.type == EventType::kDeleted) &&
                    filter.Matches(before, [this, &before]() -> const json::Value& {
                      if (!previous_value_) previous_value_ = ParseOrNull(before.json);
                      return *previous_value_;
                    });
    if (current) return previous ? Delivery::kModified : Delivery::kAdded;
    if (!previous) return Delivery::kNone;
    return event_.type == EventType::kDeleted ? Delivery::kDeleted : Delivery::kDeletedPrevious;
  }

  // REQUIRES: delivery != kNone. The reference stays valid as long as this record.
  const std::string& LineFor(Delivery delivery) {
    std::string& line = lines_[static_cast<size_t>(delivery)];
    if (!line.empty()) return line;
    switch (delivery) {
      case Delivery::kAdded:
        line = Line("ADDED", event_.object.json);
        break;
      case Delivery::kModified:
        line = Line("MODIFIED", event_.object.json);
        break;
      case Delivery::kDeleted:
        line = Line("DELETED", event_.object.json);
        break;
      case Delivery::kDeletedPrevious: {
        json::Value previous =
            previous_value_ ? *previous_value_ : ParseOrNull(event_.previous->json);
        if (json::Value* metadata = previous.Find("metadata"); metadata && metadata->is_object()) {
          metadata->as_object().Set("resourceVersion", std::to_string(version()));
        }
        line = Line("DELETED", json::Write(previous));
        break;
      }
      case Delivery::kNone:
        std::abort();
    }
    return line;
  }

 private:
  const Event event_;
  std::optional<json::Value> object_value_;
  std::optional<json::Value> previous_value_;
  std::array<std::string, kDeliveryKinds> lines_;
};

// One open watch, as the dispatcher keeps it.
struct Watcher {
  uint64_t id = 0;
  Filter filter;
  http::ResponseWriter writer;
  bool allow_bookmarks = false;
  // The bookmark line up to the version: {"type":"BOOKMARK",...,"resourceVersion":"
  std::string bookmark_prefix;
  Clock::time_point deadline;
  // False while the replay thread writes the initial events; live events are buffered.
  bool live = false;
  std::vector<std::shared_ptr<EventRecord>> buffered;
  // Every matching event up to this version has been written.
  int64_t version = 0;
  Clock::time_point next_bookmark;
  // Lines for the batch being dispatched (they point into records the batch keeps alive).
  std::vector<const std::string*> pending;
};

// The replay thread's part of a new watch.
struct ReplayTask {
  uint64_t id = 0;
  Filter filter;
  http::ResponseWriter writer;
  bool from_list = false;  // resourceVersion "" or "0"
  int64_t since = 0;       // otherwise: events after this version
};

// What reaches the dispatcher, in order.
struct Item {
  enum class Kind { kEvent, kRegister, kReplayed, kRemove };
  Kind kind = Kind::kEvent;
  std::shared_ptr<EventRecord> event;  // kEvent
  std::unique_ptr<Watcher> watcher;    // kRegister
  uint64_t id = 0;                     // kReplayed, kRemove
  int64_t version = 0;                 // kReplayed: the replay covered every event up to it
};

// The queues, shared with the callbacks given to ResponseWriters, which may run after the hub
// is gone.
struct Queues {
  std::mutex mu;
  std::condition_variable dispatcher_cv;
  std::condition_variable replay_cv;
  std::deque<Item> items;          // Guarded by mu.
  std::deque<ReplayTask> replays;  // Guarded by mu.
  bool stopping = false;           // Guarded by mu.

  void Push(Item item) {
    {
      std::lock_guard lock(mu);
      if (stopping) return;
      items.push_back(std::move(item));
    }
    dispatcher_cv.notify_one();
  }
};

}  // namespace

class WatchHub::Impl {
 public:
  Impl(ObjectStore& store, WatchHubOptions options)
      : store_(store), options_(options), random_(std::random_device{}()) {
    // The version is read before subscribing: an event written in between is then above it,
    // whereas reading after could claim (in a bookmark) a version whose event is still queued.
    processed_version_ = store_.Versions().current;
    subscription_ = store_.Subscribe([queues = queues_](const Event& event) {
      Item item;
      item.event = std::make_shared<EventRecord>(event);
      queues->Push(std::move(item));
    });
    dispatcher_ = std::thread([this] { DispatchLoop(); });
    replayer_ = std::thread([this] { ReplayLoop(); });
  }

  ~Impl() { Stop(); }

  void Serve(WatchRequest request, http::ResponseWriter writer) {
    auto since = ParseResourceVersion(request.resource_version);
    if (!since.ok()) {
      writer.Send(JsonResponse(400, StatusJson(400, "BadRequest", since.error().message())));
      return;
    }
    if (Stopping()) {
      writer.Send(JsonResponse(
          503, StatusJson(503, "ServiceUnavailable", "the server is shutting down its watches")));
      return;
    }
    if (!writer.StartStream(200, {{"Content-Type", "application/json"}})) return;

    auto watcher =
        std::make_unique<Watcher>(Watcher{.filter = {.resource = request.resource.StoreResource(),
                                                     .namespace_ = request.namespace_,
                                                     .labels = std::move(request.label_selector),
                                                     .fields = std::move(request.field_selector)},
                                          .writer = writer,
                                          .allow_bookmarks = request.allow_bookmarks,
                                          .bookmark_prefix = BookmarkPrefix(request.resource)});
    ReplayTask task{
        .filter = watcher->filter, .writer = writer, .from_list = *since == 0, .since = *since};
    uint64_t id = 0;
    {
      std::lock_guard lock(queues_->mu);
      if (queues_->stopping) {
        writer.Finish();  // stopped since the check above
        return;
      }
      id = next_id_++;
      watcher->id = task.id = id;
      watcher->deadline = Clock::now() + TimeoutLocked(request.timeout);
      // Registration is queued before the replay reads the store, so every event the replay
      // does not see is queued after it and reaches the watch's buffer.
      Item item{.kind = Item::Kind::kRegister, .watcher = std::move(watcher)};
      queues_->items.push_back(std::move(item));
      queues_->replays.push_back(std::move(task));
      ++active_;
    }
    queues_->dispatcher_cv.notify_one();
    queues_->replay_cv.notify_one();
    writer.OnClosed(
        [queues = queues_, id] { queues->Push(Item{.kind = Item::Kind::kRemove, .id = id}); });
  }

  void Stop() {
    std::lock_guard stop_lock(stop_mu_);
    if (stopped_) return;
    stopped_ = true;
    // Unsubscribing first: the listener then never runs against a stopping hub.
    store_.Unsubscribe(subscription_);
    {
      std::lock_guard lock(queues_->mu);
      queues_->stopping = true;
    }
    queues_->dispatcher_cv.notify_all();
    queues_->replay_cv.notify_all();
    replayer_.join();
    dispatcher_.join();
    // Queued tasks hold ResponseWriters, whose connections hold callbacks that hold the queues:
    // clearing them breaks that cycle.
    std::lock_guard lock(queues_->mu);
    queues_->items.clear();
    queues_->replays.clear();
  }

  size_t active_watches() const { return active_.load(); }

 private:
  static http::Response JsonResponse(int code, std::string body) {
    return http::Response{
        .status = code, .headers = {{"Content-Type", "application/json"}}, .body = std::move(body)};
  }

  static std::string BookmarkPrefix(const ResourceInfo& resource) {
    std::string prefix = R"({"type":"BOOKMARK","object":{"kind":)";
    json::AppendQuoted(resource.kind, prefix);
    prefix += R"(,"apiVersion":)";
    json::AppendQuoted(resource.ApiVersion(), prefix);
    prefix += R"(,"metadata":{"resourceVersion":")";
    return prefix;
  }

  // REQUIRES: queues_->mu held (it guards random_).
  Clock::duration TimeoutLocked(std::chrono::seconds requested) {
    if (requested.count() > 0) return requested;
    Clock::duration timeout = options_.default_timeout;
    if (options_.jitter_default_timeout && timeout.count() > 0) {
      std::uniform_int_distribution<Clock::rep> extra(0, timeout.count() - 1);
      timeout += Clock::duration(extra(random_));
    }
    return timeout;
  }

  // ---- The replay thread ----

  void ReplayLoop() {
    for (;;) {
      std::optional<ReplayTask> task;
      {
        std::unique_lock lock(queues_->mu);
        queues_->replay_cv.wait(lock,
                                [&] { return queues_->stopping || !queues_->replays.empty(); });
        if (queues_->stopping) return;
        task.emplace(std::move(queues_->replays.front()));
        queues_->replays.pop_front();
      }
      Replay(*task);
    }
  }

  bool Stopping() {
    std::lock_guard lock(queues_->mu);
    return queues_->stopping;
  }

  // Writes the initial events of `task`'s watch, then hands the watch to the dispatcher.
  void Replay(ReplayTask& task) {
    std::string chunk;
    auto flush = [&] {
      bool ok = chunk.empty() || task.writer.WriteChunk(std::move(chunk));
      chunk.clear();
      return ok;
    };
    auto fail = [&](const Status& status) {
      chunk += ErrorLine(status);
      flush();
      task.writer.Finish();
      queues_->Push(Item{.kind = Item::Kind::kRemove, .id = task.id});
    };

    int64_t version = task.since;
    if (options_.before_replay_read_for_test) options_.before_replay_read_for_test();
    if (task.from_list) {
      ListOptions list{.resource = task.filter.resource,
                       .namespace_ = task.filter.namespace_,
                       .limit = options_.list_page_size};
      if (!task.filter.labels.empty()) {
        list.filter = [&labels = task.filter.labels](const StoredObject& object) {
          return api::Matches(labels, object.labels);
        };
      }
      for (bool first = true; first || !list.continue_token.empty(); first = false) {
        auto page = store_.List(list);
        if (!page.ok()) return fail(page.error());
        if (first) {
          version = page->resource_version;
          if (options_.after_replay_read_for_test) options_.after_replay_read_for_test();
        }
        for (const StoredObject& object : page->items) {
          if (!task.filter.fields.empty() &&
              !api::Matches(task.filter.fields, ParseOrNull(object.json))) {
            continue;
          }
          AppendLine("ADDED", object.json, chunk);
          if (chunk.size() >= kReplayChunkBytes && !flush()) return Abandon(task);
        }
        list.continue_token = std::move(page->continue_token);
        if (!list.continue_token.empty() && Stopping()) return;
      }
    } else {
      auto events = store_.EventsSince(task.filter.resource, task.filter.namespace_, task.since);
      if (!events.ok()) return fail(events.error());
      if (options_.after_replay_read_for_test) options_.after_replay_read_for_test();
      for (Event& event : *events) {
        EventRecord record(std::move(event));
        version = std::max(version, record.version());
        Delivery delivery = record.Classify(task.filter);
        if (delivery == Delivery::kNone) continue;
        chunk += record.LineFor(delivery);
        if (chunk.size() >= kReplayChunkBytes && !flush()) return Abandon(task);
      }
    }
    if (!flush()) return Abandon(task);
    queues_->Push(Item{.kind = Item::Kind::kReplayed, .id = task.id, .version = version});
  }

  void Abandon(const ReplayTask& task) {
    queues_->Push(Item{.kind = Item::Kind::kRemove, .id = task.id});
  }

  // ---- The dispatcher thread ----

  void DispatchLoop() {
    std::deque<Item> batch;
    for (;;) {
      bool stopping = false;
      {
        std::unique_lock lock(queues_->mu);
        auto ready = [&] { return queues_->stopping || !queues_->items.empty(); };
        if (timers_.empty()) {
          queues_->dispatcher_cv.wait(lock, ready);
        } else {
          queues_->dispatcher_cv.wait_until(lock, timers_.top().first, ready);
        }
        batch.swap(queues_->items);
        stopping = queues_->stopping;
      }
      if (stopping) {
        // Watches registered before the stop are in `batch` or in watchers_: all are ended.
        for (Item& item : batch) {
          if (item.kind == Item::Kind::kRegister) AddWatcher(std::move(item.watcher));
        }
        while (!watchers_.empty()) EndWatcher(watchers_.begin()->first, /*finish=*/true);
        return;
      }
      for (Item& item : batch) Handle(item);
      Flush();
      batch.clear();
      keep_alive_.clear();
      RunTimers(Clock::now());
    }
  }

  void Handle(Item& item) {
    switch (item.kind) {
      case Item::Kind::kEvent:
        Dispatch(item.event);
        break;
      case Item::Kind::kRegister:
        AddWatcher(std::move(item.watcher));
        break;
      case Item::Kind::kReplayed:
        GoLive(item.id, item.version);
        break;
      case Item::Kind::kRemove:
        EndWatcher(item.id, /*finish=*/false);
        break;
    }
  }

  void AddWatcher(std::unique_ptr<Watcher> watcher) {
    Watcher* w = watcher.get();
    by_resource_[w->filter.resource].push_back(w);
    timers_.emplace(w->deadline, w->id);
    watchers_.emplace(w->id, std::move(watcher));
  }

  void Dispatch(const std::shared_ptr<EventRecord>& record) {
    processed_version_ = std::max(processed_version_, record->version());
    auto it = by_resource_.find(record->event().object.key.resource);
    if (it == by_resource_.end()) return;
    for (Watcher* w : it->second) {
      if (w->live) {
        Deliver(*w, *record);
      } else {
        w->buffered.push_back(record);
      }
    }
  }

  void Deliver(Watcher& w, EventRecord& record) {
    if (record.version() <= w.version) return;  // the replay sent it already
    w.version = record.version();
    Delivery delivery = record.Classify(w.filter);
    if (delivery == Delivery::kNone) return;
    if (w.pending.empty()) dirty_.push_back(w.id);
    w.pending.push_back(&record.LineFor(delivery));
  }

  void GoLive(uint64_t id, int64_t version) {
    auto it = watchers_.find(id);
    if (it == watchers_.end()) return;
    Watcher& w = *it->second;
    w.version = version;
    for (auto& record : w.buffered) {
      Deliver(w, *record);
      keep_alive_.push_back(std::move(record));
    }
    w.buffered.clear();
    w.buffered.shrink_to_fit();
    w.live = true;
    if (w.allow_bookmarks) {
      w.next_bookmark = Clock::now() + options_.bookmark_interval;
      timers_.emplace(w.next_bookmark, id);
    }
  }

  // Writes the lines each watch collected from this batch, one chunk per watch.
  void Flush() {
    for (uint64_t id : dirty_) {
      auto it = watchers_.find(id);
      if (it == watchers_.end()) continue;
      Watcher& w = *it->second;
      std::string data;
      if (w.pending.size() == 1) {
        data = *w.pending.front();
      } else {
        size_t size = 0;
        for (const std::string* line : w.pending) size += line->size();
        data.reserve(size);
        for (const std::string* line : w.pending) data += *line;
      }
      w.pending.clear();
      if (!w.writer.WriteChunk(std::move(data))) EndWatcher(id, /*finish=*/false);
    }
    dirty_.clear();
  }

  void RunTimers(Clock::time_point now) {
    while (!timers_.empty() && timers_.top().first <= now) {
      uint64_t id = timers_.top().second;
      timers_.pop();
      auto it = watchers_.find(id);
      if (it == watchers_.end()) continue;  // a timer of a watch that already ended
      Watcher& w = *it->second;
      if (now >= w.deadline) {
        if (w.live && w.allow_bookmarks) SendBookmark(w);
        EndWatcher(id, /*finish=*/true);
      } else if (w.live && w.allow_bookmarks && now >= w.next_bookmark) {
        if (!SendBookmark(w)) {
          EndWatcher(id, /*finish=*/false);
          continue;
        }
        w.next_bookmark = now + options_.bookmark_interval;
        timers_.emplace(w.next_bookmark, id);
      }
    }
  }

  bool SendBookmark(Watcher& w) {
    // Every event up to processed_version_ has been dispatched; a live watch got those that
    // matched, so it has seen everything up to there (or further, up to its replay's version).
    w.version = std::max(w.version, processed_version_);
    std::string line = w.bookmark_prefix;
    line += std::to_string(w.version);
    line += "\"}}}\n";
    return w.writer.WriteChunk(std::move(line));
  }

  void EndWatcher(uint64_t id, bool finish) {
    auto it = watchers_.find(id);
    if (it == watchers_.end()) return;
    Watcher* w = it->second.get();
    if (finish) w->writer.Finish();
    auto& same_resource = by_resource_[w->filter.resource];
    std::erase(same_resource, w);
    if (same_resource.empty()) by_resource_.erase(w->filter.resource);
    watchers_.erase(it);
    --active_;
  }

  ObjectStore& store_;
  const WatchHubOptions options_;
  std::mutex stop_mu_;
  bool stopped_ = false;  // Guarded by stop_mu_.
  const std::shared_ptr<Queues> queues_ = std::make_shared<Queues>();
  SubscriptionId subscription_ = 0;
  std::atomic<size_t> active_{0};
  uint64_t next_id_ = 1;    // Guarded by queues_->mu.
  std::mt19937_64 random_;  // Guarded by queues_->mu.

  // The dispatcher thread's own state.
  std::unordered_map<uint64_t, std::unique_ptr<Watcher>> watchers_;
  std::unordered_map<std::string, std::vector<Watcher*>> by_resource_;
  int64_t processed_version_ = 0;  // the version of the last event dispatched
  // (time, watch id): deadlines and bookmarks. Entries of ended watches are skipped.
  using Timer = std::pair<Clock::time_point, uint64_t>;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  std::vector<uint64_t> dirty_;  // watches with pending lines in this batch
  std::vector<std::shared_ptr<EventRecord>> keep_alive_;  // records pending lines point into

  std::thread dispatcher_;
  std::thread replayer_;
};

WatchHub::WatchHub(ObjectStore& store, WatchHubOptions options)
    : impl_(std::make_unique<Impl>(store, options)) {}

WatchHub::~WatchHub() = default;

void WatchHub::Serve(WatchRequest request, http::ResponseWriter writer) {
  impl_->Serve(std::move(request), std::move(writer));
}

void WatchHub::Stop() { impl_->Stop(); }

size_t WatchHub::active_watches() const { return impl_->active_watches(); }

}  // namespace devflow::apiserver
