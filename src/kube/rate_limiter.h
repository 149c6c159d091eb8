// The client-side rate limit of the Kubernetes client: a token bucket (QPS and burst), as
// client-go's flowcontrol.NewTokenBucketRateLimiter, and the clock it and the client's retry
// backoff wait by.
//
// The bucket starts full with `burst` tokens and refills at `qps` tokens per second up to
// `burst`. A request takes one token; when none is left it waits for the next one. Waiters are
// served in the order they asked: a waiter reserves its token at once (the count goes below
// zero), so a later caller's wait includes the earlier callers' tokens.
#pragma once

#include <chrono>
#include <mutex>

namespace devflow::kube {

// The monotonic clock the client waits by (the rate limiter and the retry backoff). Tests inject
// one whose SleepFor records the wait and returns at once. Implementations must be callable from
// any thread.
class ClientClock {
 public:
  virtual ~ClientClock() = default;
  virtual std::chrono::steady_clock::time_point Now() = 0;
  // Blocks the calling thread for `duration` as this clock counts it. Zero or less returns.
  virtual void SleepFor(std::chrono::nanoseconds duration) = 0;
};

// std::chrono::steady_clock and std::this_thread::sleep_for. Lives for the whole process.
ClientClock& SystemClientClock();

// A token bucket. Thread-safe: Wait, Reserve and TryAcquire may be called from any thread.
// Borrows its clock, which must outlive it.
class RateLimiter {
 public:
  // `qps` tokens per second, at most `burst` stored (a burst below 1 counts as 1). A qps of 0 or
  // less disables the limit: every call succeeds at once. `clock` null means SystemClientClock().
  RateLimiter(double qps, int burst, ClientClock* clock = nullptr);
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // Takes a token, blocking (on the clock) until it is due.
  void Wait();

  // Takes a token now and returns how long the caller must wait before using it (zero when one
  // was available). Wait() is Reserve() followed by the clock's SleepFor.
  std::chrono::nanoseconds Reserve();

  // Takes a token if one is available now and returns true; otherwise takes nothing and returns
  // false (never reserves).
  bool TryAcquire();

  double qps() const { return qps_; }
  int burst() const { return burst_; }

 private:
  // Adds the credit earned since the last refill, up to the burst. REQUIRES: mu_ held.
  void Refill(std::chrono::steady_clock::time_point now);

  const double qps_;
  const int burst_;
  // Tokens are counted as credit in nanoseconds (one token = interval_), so the arithmetic is
  // exact: a token is due exactly 1/qps after the previous one.
  const std::chrono::nanoseconds interval_;
  const std::chrono::nanoseconds capacity_;  // burst_ tokens
  ClientClock& clock_;
  std::mutex mu_;
  std::chrono::nanoseconds credit_;             // guarded by mu_; below 0 when waiters reserved
  std::chrono::steady_clock::time_point last_;  // guarded by mu_: when credit_ was last refilled
};

}  // namespace devflow::kube
