// WorkQueue: the rate-limited, de-duplicating queue of object keys ("namespace/name") that
// controllers reconcile, with client-go's workqueue semantics:
//   - a key is queued at most once however often it is added before a worker takes it;
//   - a key is never handed to two workers at once: added while being processed, it is queued
//     again when the worker calls Done;
//   - AddAfter delays a key; AddRateLimited delays it by ControllerRateLimiter (per-key
//     exponential backoff, and an overall token bucket), until Forget.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "kube/clock.h"

namespace devflow::kube {

// The delays of ControllerRateLimiter; the defaults are client-go's DefaultControllerRateLimiter.
struct RateLimitOptions {
  // The first retry of a key waits base_delay, each further one twice as long, up to max_delay.
  std::chrono::nanoseconds base_delay = std::chrono::milliseconds(5);
  std::chrono::nanoseconds max_delay = std::chrono::seconds(1000);
  // The overall token bucket every retry of every key draws from: `qps` tokens a second, holding
  // at most `burst`. REQUIRES: qps > 0, burst >= 1.
  double qps = 10;
  int burst = 100;
  friend bool operator==(const RateLimitOptions&, const RateLimitOptions&) = default;
};

// How long a key's next retry waits: the larger of its own exponential backoff and the wait the
// shared token bucket imposes (client-go's MaxOf(ItemExponentialFailureRateLimiter,
// BucketRateLimiter)). Thread-safe. `clock` must outlive the limiter.
class ControllerRateLimiter {
 public:
  ControllerRateLimiter(RateLimitOptions options, const Clock& clock);
  ControllerRateLimiter(const ControllerRateLimiter&) = delete;
  ControllerRateLimiter& operator=(const ControllerRateLimiter&) = delete;

  // Returns the delay before `key` is retried, and counts one more failure for it. The bucket
  // reserves a token even when the delay comes from the backoff, as client-go's does.
  std::chrono::nanoseconds When(const std::string& key);
  // Clears the failures of `key`: its next When starts at base_delay again.
  void Forget(const std::string& key);
  // Failures counted for `key` since its last Forget.
  int NumRequeues(const std::string& key) const;

 private:
  const RateLimitOptions options_;
  const Clock& clock_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, int> failures_;  // guarded by mu_
  double tokens_;                                  // guarded by mu_; negative when reserved ahead
  Clock::TimePoint last_refill_;                   // guarded by mu_
};

struct WorkQueueOptions {
  RateLimitOptions rate_limit;
  // Time for AddAfter and the rate limiter; null means SystemClock(). Must outlive the queue.
  const Clock* clock = nullptr;
};

// Thread-safe: any thread may add; any number of workers may Get/Done concurrently.
class WorkQueue {
 public:
  explicit WorkQueue(WorkQueueOptions options = {});
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  // Queues `key` unless it is already queued. A key being processed is marked and queued again
  // by Done. Ignored after ShutDown.
  void Add(const std::string& key);
  // Adds `key` once `delay` has passed on the clock (at once when delay <= 0). A key already
  // waiting keeps the earlier of its two times. Ignored after ShutDown.
  void AddAfter(const std::string& key, std::chrono::nanoseconds delay);
  // AddAfter(key, rate_limiter.When(key)): call when processing `key` failed.
  void AddRateLimited(const std::string& key);
  // Resets the rate limiter's failure count of `key`: call when processing `key` succeeded. Does
  // not remove the key from the queue.
  void Forget(const std::string& key);
  // Failures counted for `key` by AddRateLimited since its last Forget.
  int NumRequeues(const std::string& key) const;

  // Blocks until a key is queued and returns it, marking it as being processed; the caller must
  // call Done(key) when finished. Returns nullopt once ShutDown has been called (keys still
  // queued are dropped: a controller that stops reconciles nothing more).
  std::optional<std::string> Get();
  // Ends the processing of `key`; if it was added meanwhile, it is queued again.
  // REQUIRES: `key` was returned by Get and Done has not been called for it since.
  void Done(const std::string& key);

  // Wakes every blocked Get (which returns nullopt) and ignores later adds. Idempotent.
  void ShutDown();
  bool ShuttingDown() const;

  // The number of keys queued and not yet taken by Get, after moving delayed keys whose time has
  // come into the queue. Keys still waiting for their delay and keys being processed are not
  // counted.
  size_t Len();

 private:
  void AddLocked(const std::string& key);
  void PromoteReadyLocked();

  const Clock& clock_;
  ControllerRateLimiter limiter_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  // Invariants (under mu_): a key is in queue_ iff it is in dirty_ and not in processing_.
  std::deque<std::string> queue_;
  std::unordered_set<std::string> dirty_;       // queued, or added while processing
  std::unordered_set<std::string> processing_;  // taken by Get, Done not yet called
  // Delayed keys: the ready time of each, and the same entries ordered by time.
  std::unordered_map<std::string, Clock::TimePoint> waiting_;
  std::set<std::pair<Clock::TimePoint, std::string>> waiting_by_time_;
  bool shutting_down_ = false;
};

}  // namespace devflow::kube
