#include "kube/work_queue.h"

#include <algorithm>
#include <cmath>

namespace devflow::kube {

ControllerRateLimiter::ControllerRateLimiter(RateLimitOptions options, const Clock& clock)
    : options_(options), clock_(clock), tokens_(options.burst), last_refill_(clock.Now()) {}

std::chrono::nanoseconds ControllerRateLimiter::When(const std::string& key) {
  std::lock_guard<std::mutex> l(mu_);
  int exponent = failures_[key]++;
  // Computed in double so that a long failure streak saturates at max_delay instead of
  // overflowing.
  double backoff_ns = static_cast<double>(options_.base_delay.count()) * std::pow(2.0, exponent);
  std::chrono::nanoseconds backoff =
      backoff_ns >= static_cast<double>(options_.max_delay.count())
          ? options_.max_delay
          : std::chrono::nanoseconds(static_cast<int64_t>(backoff_ns));

  // A reservation, as golang.org/x/time/rate's Reserve: the token is taken now, and the bucket
  // may go negative, so a burst of failures spreads its retries at `qps`.
  Clock::TimePoint now = clock_.Now();
  if (now > last_refill_) {
    double elapsed_s = std::chrono::duration<double>(now - last_refill_).count();
    tokens_ = std::min<double>(options_.burst, tokens_ + elapsed_s * options_.qps);
    last_refill_ = now;
  }
  tokens_ -= 1;
  std::chrono::nanoseconds bucket{0};
  if (tokens_ < 0) {
    bucket =
        std::chrono::nanoseconds(static_cast<int64_t>(std::ceil(-tokens_ * 1e9 / options_.qps)));
  }
  return std::max(backoff, bucket);
}

void ControllerRateLimiter::Forget(const std::string& key) {
  std::lock_guard<std::mutex> l(mu_);
  failures_.erase(key);
}

int ControllerRateLimiter::NumRequeues(const std::string& key) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

WorkQueue::WorkQueue(WorkQueueOptions options)
    : clock_(options.clock != nullptr ? *options.clock : SystemClock()),
      limiter_(options.rate_limit, clock_) {}

void WorkQueue::Add(const std::string& key) {
  std::lock_guard<std::mutex> l(mu_);
  AddLocked(key);
}

void WorkQueue::AddLocked(const std::string& key) {
  if (shutting_down_ || !dirty_.insert(key).second) {
    return;
  }
  if (processing_.count(key) != 0) {
    return;  // Done queues it again.
  }
  queue_.push_back(key);
  cv_.notify_one();
}

void WorkQueue::AddAfter(const std::string& key, std::chrono::nanoseconds delay) {
  std::lock_guard<std::mutex> l(mu_);
  if (shutting_down_) {
    return;
  }
  if (delay <= std::chrono::nanoseconds::zero()) {
    AddLocked(key);
    return;
  }
  Clock::TimePoint ready = clock_.Now() + delay;
  auto [it, inserted] = waiting_.emplace(key, ready);
  if (!inserted) {
    if (it->second <= ready) {
      return;
    }
    waiting_by_time_.erase({it->second, key});
    it->second = ready;
  }
  waiting_by_time_.emplace(ready, key);
  // A blocked Get may now have an earlier deadline to wait for.
  cv_.notify_all();
}

void WorkQueue::AddRateLimited(const std::string& key) { AddAfter(key, limiter_.When(key)); }

void WorkQueue::Forget(const std::string& key) { limiter_.Forget(key); }

int WorkQueue::NumRequeues(const std::string& key) const { return limiter_.NumRequeues(key); }

void WorkQueue::PromoteReadyLocked() {
  Clock::TimePoint now = clock_.Now();
  while (!waiting_by_time_.empty() && waiting_by_time_.begin()->first <= now) {
    std::string key = waiting_by_time_.begin()->second;
    waiting_by_time_.erase(waiting_by_time_.begin());
    waiting_.erase(key);
    AddLocked(key);
  }
}

std::optional<std::string> WorkQueue::Get() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    if (shutting_down_) {
      return std::nullopt;
    }
    PromoteReadyLocked();
    if (!queue_.empty()) {
      std::string key = std::move(queue_.front());
      queue_.pop_front();
      processing_.insert(key);
      dirty_.erase(key);
      return key;
    }
    if (waiting_by_time_.empty()) {
      cv_.wait(lock);
    } else {
      clock_.WaitUntil(cv_, lock, waiting_by_time_.begin()->first);
    }
  }
}

void WorkQueue::Done(const std::string& key) {
  std::lock_guard<std::mutex> l(mu_);
  processing_.erase(key);
  if (dirty_.count(key) != 0 && !shutting_down_) {
    queue_.push_back(key);
    cv_.notify_one();
  }
}

void WorkQueue::ShutDown() {
  std::lock_guard<std::mutex> l(mu_);
  shutting_down_ = true;
  cv_.notify_all();
}

bool WorkQueue::ShuttingDown() const {
  std::lock_guard<std::mutex> l(mu_);
  return shutting_down_;
}

size_t WorkQueue::Len() {
  std::lock_guard<std::mutex> l(mu_);
  PromoteReadyLocked();
  return queue_.size();
}

}  // namespace devflow::kube
