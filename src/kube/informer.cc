#include "kube/informer.h"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <set>

#include "common/json_reader.h"

namespace devflow::kube {
namespace {

json::Value ParseCached(const std::string& text) {
  auto parsed = json::Parse(text);
  if (!parsed.ok()) {
    // The cache wrote this text itself: failing to read it back is a bug.
    std::cerr << "devflow: informer cache holds unparsable JSON: " << parsed.error() << "\n";
    std::abort();
  }
  return std::move(parsed).value();
}

std::string ResourceVersionOf(const json::Value& object) {
  const json::Value* metadata = object.Find("metadata");
  const json::Value* rv = metadata != nullptr ? metadata->Find("resourceVersion") : nullptr;
  return rv != nullptr && rv->is_string() ? rv->as_string() : std::string();
}

}  // namespace

Informer::Informer(std::unique_ptr<ListerWatcher> lister_watcher, InformerOptions options)
    : lister_watcher_(std::move(lister_watcher)),
      options_(std::move(options)),
      clock_(options_.clock != nullptr ? *options_.clock : SystemClock()),
      random_(options_.random ? options_.random : DefaultRandomSource()) {}

Informer::~Informer() { Stop(); }

void Informer::AddEventHandler(EventHandlers handlers) {
  std::lock_guard<std::mutex> dispatch(dispatch_mu_);
  // The cache only changes under dispatch_mu_, so this replay and the events after it form one
  // gapless sequence for the new handler.
  if (handlers.on_add) {
    for (const json::Value& object : cache_.List()) {
      handlers.on_add(object);
    }
  }
  handlers_.push_back(std::move(handlers));
}

void Informer::Start() {
  std::lock_guard<std::mutex> l(mu_);
  if (started_ || stopping_) {
    std::cerr << "devflow: Informer::Start called twice or after Stop\n";
    std::abort();
  }
  started_ = true;
  thread_ = std::thread([this] { Run(); });
}

void Informer::Stop() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stopping_ = true;
    if (open_watch_ != nullptr) {
      open_watch_->Cancel();
    }
    cv_.notify_all();
  }
  if (thread_.joinable()) {
    thread_.join();
  }
}

bool Informer::stopping() const {
  std::lock_guard<std::mutex> l(mu_);
  return stopping_;
}

bool Informer::HasSynced() const {
  std::lock_guard<std::mutex> l(mu_);
  return synced_;
}

bool Informer::WaitForSync(std::chrono::milliseconds timeout) const {
  Clock::TimePoint deadline = clock_.Now() + timeout;
  std::unique_lock<std::mutex> l(mu_);
  while (!synced_ && !stopping_ && clock_.Now() < deadline) {
    clock_.WaitUntil(cv_, l, deadline);
  }
  return synced_;
}

std::string Informer::LastSyncResourceVersion() const {
  std::lock_guard<std::mutex> l(mu_);
  return last_resource_version_;
}

Status Informer::LastError() const {
  std::lock_guard<std::mutex> l(mu_);
  return last_error_;
}

void Informer::SetError(Status status) {
  std::string context = "informer";
  if (!options_.name.empty()) {
    context += " for " + options_.name;
  }
  std::lock_guard<std::mutex> l(mu_);
  last_error_ = status.WithContext(context);
}

void Informer::Run() {
  if (options_.resync_period.count() > 0) {
    next_resync_ = clock_.Now() + options_.resync_period;
  }
  bool need_list = true;
  // Whether the last list was followed by at least one watch event. A relist that a watch
  // answers Gone at once would otherwise loop without pause.
  bool progressed_since_list = true;
  while (!stopping()) {
    if (need_list) {
      Status listed = ListAndSync();
      if (!listed.ok()) {
        SetError(listed);
        if (!Sleep(NextBackoff())) {
          return;
        }
        continue;
      }
      need_list = false;
      progressed_since_list = false;
    }
    bool delivered = false;
    Status watched = WatchOnce(&delivered);
    progressed_since_list = progressed_since_list || delivered;
    if (stopping()) {
      return;
    }
    if (watched.ok()) {
      continue;  // The server ended the watch: reopen from the last version.
    }
    SetError(watched);
    if (watched.code() == StatusCode::kGone) {
      need_list = true;
      if (progressed_since_list) {
        continue;
      }
    }
    if (!Sleep(NextBackoff())) {
      return;
    }
  }
}

Result<ObjectList> Informer::ListAll() {
  ListRequest request;
  request.limit = options_.page_size;
  ObjectList all;
  while (true) {
    Result<ObjectList> page = lister_watcher_->List(request);
    if (!page.ok()) {
      if (page.error().code() == StatusCode::kGone && !request.continue_token.empty()) {
        // The continue token expired (the server compacted past the list's version) before the
        // list was complete: client-go falls back to one unpaged list, and so do we.
        ListRequest whole;
        return lister_watcher_->List(whole);
      }
      return page.error();
    }
    for (json::Value& item : page->items) {
      all.items.push_back(std::move(item));
    }
    all.resource_version = page->resource_version;
    if (page->continue_token.empty() || stopping()) {
      return all;
    }
    request.continue_token = page->continue_token;
  }
}

Status Informer::ListAndSync() {
  DEVFLOW_ASSIGN_OR_RETURN(ObjectList list, ListAll());
  if (stopping()) {
    return Status::Ok();
  }
  ReplaceAll(list);
  std::lock_guard<std::mutex> l(mu_);
  last_resource_version_ = list.resource_version;
  last_error_ = Status::Ok();
  backoff_steps_ = 0;
  synced_ = true;
  cv_.notify_all();
  return Status::Ok();
}

void Informer::ReplaceAll(const ObjectList& list) {
  std::lock_guard<std::mutex> dispatch(dispatch_mu_);
  std::set<std::string> listed;
  for (const json::Value& item : list.items) {
    Result<std::string> key = ObjectKey(item);
    if (!key.ok()) {
      continue;  // A server never lists a nameless object; nothing could find it anyway.
    }
    listed.insert(*key);
    Result<std::shared_ptr<const std::string>> previous = cache_.Upsert(item);
    if (*previous == nullptr) {
      DispatchAdd(item);
    } else if (**previous != *cache_.GetText(*key)) {
      DispatchUpdate(ParseCached(**previous), item);
    }
  }
  // What the cache holds but the list does not was deleted while no watch was open.
  for (const std::string& key : cache_.Keys()) {
    if (listed.count(key) != 0) {
      continue;
    }
    if (std::shared_ptr<const std::string> removed = cache_.Remove(key)) {
      DispatchDelete(ParseCached(*removed));
    }
  }
}

Status Informer::WatchOnce(bool* delivered) {
  WatchRequest request;
  request.resource_version = LastSyncResourceVersion();
  request.allow_bookmarks = true;
  request.timeout = options_.watch_timeout;
  if (request.timeout.count() == 0) {
    request.timeout = std::chrono::seconds(300 + static_cast<int64_t>(300 * random_()));
  }
  DEVFLOW_ASSIGN_OR_RETURN(std::unique_ptr<WatchStream> stream, lister_watcher_->Watch(request));
  {
    std::lock_guard<std::mutex> l(mu_);
    if (stopping_) {
      return Status::Ok();
    }
    open_watch_ = stream.get();
  }
  const Clock::TimePoint opened = clock_.Now();
  Status result;
  while (!stopping()) {
    ResyncIfDue();
    std::chrono::milliseconds wait = options_.poll_interval;
    if (options_.resync_period.count() > 0) {
      auto until_resync = std::chrono::ceil<std::chrono::milliseconds>(next_resync_ - clock_.Now());
      wait = std::clamp(until_resync, std::chrono::milliseconds(1), wait);
    }
    Result<std::optional<WatchEvent>> next = stream->Next(wait);
    if (!next.ok()) {
      if (next.error().code() == StatusCode::kDeadlineExceeded) {
        continue;
      }
      result = next.error();
      break;
    }
    if (!next->has_value()) {
      // Ended by the server's timeout, or cancelled by Stop. A watch that the server closes at
      // once, with nothing delivered, is a failure to back off from (as client-go's "very short
      // watch"); reopening it at once would spin.
      if (!*delivered && clock_.Now() - opened < std::chrono::seconds(1) && !stopping()) {
        result = UnavailableError(
            "very short watch: the server closed it within a second, "
            "without events");
      }
      break;
    }
    Apply(**next);
    *delivered = true;
    std::lock_guard<std::mutex> l(mu_);
    last_error_ = Status::Ok();
    backoff_steps_ = 0;
  }
  std::lock_guard<std::mutex> l(mu_);
  open_watch_ = nullptr;
  return result;
}

void Informer::Apply(const WatchEvent& event) {
  std::string rv = ResourceVersionOf(event.object);
  if (event.type != WatchEventType::kBookmark) {
    std::lock_guard<std::mutex> dispatch(dispatch_mu_);
    Result<std::string> key = ObjectKey(event.object);
    if (key.ok()) {
      if (event.type == WatchEventType::kDeleted) {
        cache_.Remove(*key);
        DispatchDelete(event.object);
      } else {
        Result<std::shared_ptr<const std::string>> previous = cache_.Upsert(event.object);
        if (*previous == nullptr) {
          DispatchAdd(event.object);
        } else {
          DispatchUpdate(ParseCached(**previous), event.object);
        }
      }
    }
  }
  if (!rv.empty()) {
    std::lock_guard<std::mutex> l(mu_);
    last_resource_version_ = rv;
  }
}

void Informer::ResyncIfDue() {
  if (options_.resync_period.count() <= 0 || clock_.Now() < next_resync_) {
    return;
  }
  next_resync_ = clock_.Now() + options_.resync_period;
  if (!HasSynced()) {
    return;
  }
  std::lock_guard<std::mutex> dispatch(dispatch_mu_);
  for (const json::Value& object : cache_.List()) {
    DispatchUpdate(object, object);
  }
}

bool Informer::Sleep(std::chrono::nanoseconds d) {
  Clock::TimePoint deadline = clock_.Now() + d;
  while (true) {
    ResyncIfDue();
    std::unique_lock<std::mutex> l(mu_);
    if (stopping_) {
      return false;
    }
    Clock::TimePoint now = clock_.Now();
    if (now >= deadline) {
      return true;
    }
    Clock::TimePoint wake = deadline;
    if (options_.resync_period.count() > 0) {
      wake = std::min(wake, next_resync_);
    }
    clock_.WaitUntil(cv_, l, wake);
  }
}

std::chrono::nanoseconds Informer::NextBackoff() {
  using std::chrono::nanoseconds;
  nanoseconds base = options_.initial_backoff;
  int steps;
  {
    std::lock_guard<std::mutex> l(mu_);
    steps = backoff_steps_++;
  }
  for (int i = 0; i < steps && base < options_.max_backoff; ++i) {
    base *= 2;
  }
  base = std::min<nanoseconds>(base, options_.max_backoff);
  return base + nanoseconds(static_cast<int64_t>(static_cast<double>(base.count()) * random_()));
}

void Informer::DispatchAdd(const json::Value& object) {
  for (const EventHandlers& h : handlers_) {
    if (h.on_add) {
      h.on_add(object);
    }
  }
}

void Informer::DispatchUpdate(const json::Value& old_object, const json::Value& new_object) {
  for (const EventHandlers& h : handlers_) {
    if (h.on_update) {
      h.on_update(old_object, new_object);
    }
  }
}

void Informer::DispatchDelete(const json::Value& object) {
  for (const EventHandlers& h : handlers_) {
    if (h.on_delete) {
      h.on_delete(object);
    }
  }
}

InformerFactory::InformerFactory(ApiClient& client, InformerOptions defaults)
    : client_(client), defaults_(std::move(defaults)) {}

InformerFactory::~InformerFactory() { Stop(); }

Informer& InformerFactory::For(const ResourceRef& resource, const std::string& ns) {
  std::lock_guard<std::mutex> l(mu_);
  auto key = std::make_pair(resource.ApiVersion() + "/" + resource.plural, ns);
  auto it = informers_.find(key);
  if (it != informers_.end()) {
    return *it->second;
  }
  InformerOptions options = defaults_;
  options.name = ns.empty() ? resource.plural : resource.plural + " in " + ns;
  auto informer =
      std::make_unique<Informer>(NewListerWatcher(client_, resource, ns), std::move(options));
  if (started_) {
    informer->Start();
  }
  return *informers_.emplace(key, std::move(informer)).first->second;
}

void InformerFactory::Start() {
  std::lock_guard<std::mutex> l(mu_);
  if (started_) {
    return;
  }
  started_ = true;
  for (auto& [key, informer] : informers_) {
    informer->Start();
  }
}

bool InformerFactory::WaitForSync(std::chrono::milliseconds timeout) {
  const Clock& clock = defaults_.clock != nullptr ? *defaults_.clock : SystemClock();
  Clock::TimePoint deadline = clock.Now() + timeout;
  std::vector<Informer*> informers;
  {
    std::lock_guard<std::mutex> l(mu_);
    for (auto& [key, informer] : informers_) {
      informers.push_back(informer.get());
    }
  }
  for (Informer* informer : informers) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock.Now());
    if (!informer->WaitForSync(std::max(left, std::chrono::milliseconds(0)))) {
      return false;
    }
  }
  return true;
}

void InformerFactory::Stop() {
  std::lock_guard<std::mutex> l(mu_);
  for (auto& [key, informer] : informers_) {
    informer->Stop();
  }
}

}  // namespace devflow::kube
