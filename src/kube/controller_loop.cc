#include "kube/controller_loop.h"

#include <algorithm>

#include "kube/informer.h"
#include "kube/object_cache.h"

namespace devflow::kube {
namespace {

// Polls rather than blocks in Informer::WaitForSync, which waits on the informer's clock (a
// manual one in tests would never let it return).
constexpr std::chrono::milliseconds kSyncPollInterval{50};

// `handler` called only while `owner` lives (held for the call) and `loop` is not stopping.
template <class... Args>
std::function<void(Args...)> Guard(const std::weak_ptr<const void>& owner,
                                   const ControllerLoop& loop,
                                   std::function<void(Args...)> handler) {
  if (!handler) return nullptr;
  return [owner, loop = &loop, handler = std::move(handler)](Args... args) {
    if (std::shared_ptr<const void> alive = owner.lock(); alive != nullptr && !loop->stopping()) {
      handler(args...);
    }
  };
}

}  // namespace

ControllerLoop::ControllerLoop(ControllerLoopOptions options, SyncFunction sync)
    : clock_(options.clock != nullptr ? *options.clock : SystemClock()),
      resource_(std::move(options.resource)),
      workers_count_(std::max(1, options.workers)),
      informers_(std::move(options.informers)),
      sync_(std::move(sync)),
      queue_(WorkQueueOptions{.rate_limit = options.rate_limit, .clock = &clock_}) {}

ControllerLoop::~ControllerLoop() { Stop(); }

void ControllerLoop::Start() {
  for (int i = 0; i < workers_count_; ++i) workers_.emplace_back([this] { RunWorker(); });
}

void ControllerLoop::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  queue_.ShutDown();
  for (std::thread& worker : workers_) worker.join();
  workers_.clear();
}

bool ControllerLoop::stopping() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stopping_;
}

void ControllerLoop::Add(const std::string& key) { queue_.Add(key); }

void ControllerLoop::AddObject(const json::Value& object) {
  if (Result<std::string> key = ObjectKey(object); key.ok()) queue_.Add(*key);
}

Status ControllerLoop::LastError() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_error_;
}

uint64_t ControllerLoop::Syncs() const { return syncs_.load(); }

void ControllerLoop::RunWorker() {
  if (!WaitForInformers()) return;
  while (std::optional<std::string> key = queue_.Get()) {
    Result<SyncOutcome> result = sync_(*key);
    ++syncs_;
    const std::string context = "syncing " + resource_ + "/" + *key;
    if (!result.ok()) {
      SetLastError(result.error().WithContext(context));
      queue_.AddRateLimited(*key);
    } else {
      SetLastError(result->warning.ok() ? Status::Ok() : result->warning.WithContext(context));
      queue_.Forget(*key);
      if (result->requeue_at) {
        const auto delay = *result->requeue_at - clock_.WallNow();
        queue_.AddAfter(*key,
                        std::max<std::chrono::nanoseconds>(delay, std::chrono::nanoseconds(0)));
      }
    }
    queue_.Done(*key);
  }
}

bool ControllerLoop::WaitForInformers() {
  while (true) {
    if (std::all_of(informers_.begin(), informers_.end(),
                    [](const Informer* informer) { return informer->HasSynced(); })) {
      return true;
    }
    std::unique_lock<std::mutex> lock(mu_);
    if (cv_.wait_for(lock, kSyncPollInterval, [this] { return stopping_; })) return false;
  }
}

void ControllerLoop::SetLastError(Status status) {
  std::lock_guard<std::mutex> lock(mu_);
  last_error_ = std::move(status);
}

EventHandlers ObjectHandlers(std::function<void(const json::Value& object)> on_object,
                             UpdateObjects update) {
  if (!on_object) return {};
  EventHandlers handlers;
  handlers.on_add = on_object;
  handlers.on_delete = on_object;
  handlers.on_update = [on_object = std::move(on_object), update](const json::Value& old_object,
                                                                  const json::Value& new_object) {
    on_object(new_object);
    if (update == UpdateObjects::kNewAndOld) on_object(old_object);
  };
  return handlers;
}

EventHandlers WhileRunning(std::weak_ptr<const void> owner, const ControllerLoop& loop,
                           EventHandlers handlers) {
  return EventHandlers{
      .on_add = Guard(owner, loop, std::move(handlers.on_add)),
      .on_update = Guard(owner, loop, std::move(handlers.on_update)),
      .on_delete = Guard(owner, loop, std::move(handlers.on_delete)),
  };
}

}  // namespace devflow::kube
