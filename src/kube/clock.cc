#include "kube/clock.h"

#include <memory>
#include <random>

namespace devflow::kube {
namespace {

class SystemClockImpl : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::steady_clock::now(); }
  WallTime WallNow() const override { return std::chrono::system_clock::now(); }
  void WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                 TimePoint deadline) const override {
    cv.wait_until(lock, deadline);
  }
};

// 2026-01-01T00:00:00Z: a fixed wall origin keeps timestamps in test expectations stable.
constexpr std::chrono::seconds kManualWallOrigin{1767225600};

}  // namespace

const Clock& SystemClock() {
  static const SystemClockImpl* clock = new SystemClockImpl();
  return *clock;
}

ManualClock::ManualClock() = default;

Clock::TimePoint ManualClock::Now() const {
  std::lock_guard<std::mutex> l(mu_);
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(elapsed_));
}

Clock::WallTime ManualClock::WallNow() const {
  std::lock_guard<std::mutex> l(mu_);
  return WallTime(std::chrono::duration_cast<WallTime::duration>(kManualWallOrigin + elapsed_));
}

void ManualClock::WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                            TimePoint deadline) const {
  std::multiset<TimePoint>::iterator waiter;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (TimePoint(std::chrono::duration_cast<TimePoint::duration>(elapsed_)) >= deadline) {
      return;
    }
    waiter = waiters_.insert(deadline);
  }
  cv.wait_for(lock, std::chrono::milliseconds(1));
  std::lock_guard<std::mutex> l(mu_);
  waiters_.erase(waiter);
}

std::vector<Clock::TimePoint> ManualClock::PendingDeadlines() const {
  std::lock_guard<std::mutex> l(mu_);
  return std::vector<TimePoint>(waiters_.begin(), waiters_.end());
}

void ManualClock::Advance(std::chrono::nanoseconds d) {
  std::lock_guard<std::mutex> l(mu_);
  elapsed_ += d;
}

RandomSource DefaultRandomSource() {
  auto mu = std::make_shared<std::mutex>();
  auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
  return [mu, engine] {
    std::lock_guard<std::mutex> l(*mu);
    return std::uniform_real_distribution<double>(0.0, 1.0)(*engine);
  };
}

}  // namespace devflow::kube
