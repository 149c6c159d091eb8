#include "apiserver/store_worker.h"

#include <algorithm>
#include <utility>

namespace devflow::apiserver {

StoreWorker::StoreWorker(ObjectStore& store, StoreWorkerOptions options, EventHandler on_event,
                         ItemHandler process)
    : store_(store),
      options_(options),
      on_event_(std::move(on_event)),
      process_(std::move(process)) {}

StoreWorker::~StoreWorker() { Stop(); }

Status StoreWorker::Start(const std::function<Status()>& scan) {
  {
    std::lock_guard lock(mu_);
    if (running_) return FailedPreconditionError("the worker is already running");
    running_ = true;
    stopping_ = false;
  }
  // Subscribing before the scan means no write falls between what the scan lists and the
  // first event handed over; the price is that some events predate the listed state.
  subscription_ = store_.Subscribe([this](const Event& event) {
    std::lock_guard lock(mu_);
    if (!running_) return;
    events_.push_back(event);
    wake_.notify_one();
  });
  Status scanned = scan();
  if (!scanned.ok()) {
    Stop();
    return scanned;
  }
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void StoreWorker::Stop() {
  if (subscription_) {
    store_.Unsubscribe(*subscription_);
    subscription_.reset();
  }
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    wake_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mu_);
  running_ = false;
  events_.clear();
  ready_.clear();
  waiting_.clear();
  retries_.clear();
  failures_.clear();
  idle_.notify_all();
}

void StoreWorker::Enqueue(const WorkItem& item) {
  std::lock_guard lock(mu_);
  if (!running_) return;
  EnqueueLocked(item);
}

void StoreWorker::EnqueueLocked(const WorkItem& item) {
  if (waiting_.insert(item).second) {
    ready_.push_back(item);
    wake_.notify_one();
  }
}

bool StoreWorker::IdleLocked() const {
  return events_.empty() && ready_.empty() && retries_.empty() && !busy_;
}

bool StoreWorker::WaitForIdleForTest(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return idle_.wait_for(lock, timeout, [this] { return IdleLocked(); });
}

void StoreWorker::Run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    const Clock::time_point now = Clock::now();
    while (!retries_.empty() && retries_.begin()->first <= now) {
      EnqueueLocked(retries_.begin()->second);
      retries_.erase(retries_.begin());
    }
    if (!events_.empty()) {
      std::deque<Event> events;
      events.swap(events_);
      busy_ = true;
      lock.unlock();
      for (const Event& event : events) on_event_(event);
      lock.lock();
      busy_ = false;
      continue;
    }
    if (!ready_.empty()) {
      WorkItem item = std::move(ready_.front());
      ready_.pop_front();
      waiting_.erase(item);
      busy_ = true;
      lock.unlock();
      const Status status = process_(item);
      lock.lock();
      busy_ = false;
      if (status.ok()) {
        failures_.erase(item);
      } else {
        const int failures = ++failures_[item];
        auto delay = options_.retry_base_delay * (int64_t{1} << std::min(failures - 1, 30));
        delay = std::min<std::chrono::milliseconds>(delay, options_.retry_max_delay);
        retries_.emplace(Clock::now() + delay, std::move(item));
      }
      continue;
    }
    idle_.notify_all();
    if (retries_.empty()) {
      wake_.wait(lock);
    } else {
      wake_.wait_until(lock, retries_.begin()->first);
    }
  }
}

}  // namespace devflow::apiserver
