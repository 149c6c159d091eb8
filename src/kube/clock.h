// Clock: the time source of the client's background machinery (work queue delays, informer
// backoff and resync, leader election, event timestamps), injected so that tests move time by
// hand instead of sleeping.
//
// A Clock has two faces: a monotonic one (Now) for delays and deadlines, and a wall one (WallNow)
// for timestamps written into objects (Lease renewTime, Event lastTimestamp). WaitUntil lets a
// component block on its own condition variable until a deadline of this clock, so a manual
// clock can wake it when time is advanced.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <set>
#include <vector>

namespace devflow::kube {

class Clock {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  using WallTime = std::chrono::system_clock::time_point;

  virtual ~Clock() = default;

  // Monotonic time, for delays and deadlines.
  virtual TimePoint Now() const = 0;
  // Wall time, for timestamps written into objects.
  virtual WallTime WallNow() const = 0;
  // Blocks on `cv` (with `lock` held on entry and on return) until it is notified, `deadline`
  // (on this clock) has passed, or spuriously. Callers re-check their condition and the time in
  // a loop, as with std::condition_variable::wait_until.
  virtual void WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                         TimePoint deadline) const = 0;
};

// The process's steady and system clocks. Lives for the whole process; thread-safe.
const Clock& SystemClock();

// A clock that moves only when told: for tests. Starts at an arbitrary monotonic origin and at
// the wall time 2026-01-01T00:00:00Z; Advance moves both faces together. Thread-safe.
//
// WaitUntil waits at most a millisecond of real time per call, so a waiter notices an Advance
// from another thread promptly even though Advance cannot notify the waiter's condition variable
// under the waiter's mutex.
class ManualClock : public Clock {
 public:
  ManualClock();
  ManualClock(const ManualClock&) = delete;
  ManualClock& operator=(const ManualClock&) = delete;

  TimePoint Now() const override;
  WallTime WallNow() const override;
  void WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                 TimePoint deadline) const override;

  // Moves time forward by `d` (>= 0).
  void Advance(std::chrono::nanoseconds d);
  // The deadlines threads are waiting for in WaitUntil right now, earliest first. Lets a test see
  // that a component has gone to sleep, and until when, before it advances the clock.
  std::vector<TimePoint> PendingDeadlines() const;

 private:
  mutable std::mutex mu_;
  std::chrono::nanoseconds elapsed_{0};       // guarded by mu_
  mutable std::multiset<TimePoint> waiters_;  // guarded by mu_
};

// A source of uniformly distributed numbers in [0, 1), for jitter. Must be callable from the
// thread of the component it is given to.
using RandomSource = std::function<double()>;

// A thread-safe RandomSource seeded from std::random_device.
RandomSource DefaultRandomSource();

}  // namespace devflow::kube
