#include "kube/rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <thread>

namespace devflow::kube {
namespace {

class SystemClock final : public ClientClock {
 public:
  std::chrono::steady_clock::time_point Now() override { return std::chrono::steady_clock::now(); }
  void SleepFor(std::chrono::nanoseconds duration) override {
    if (duration > std::chrono::nanoseconds::zero()) std::this_thread::sleep_for(duration);
  }
};

}  // namespace

ClientClock& SystemClientClock() {
  static SystemClock* clock = new SystemClock();  // never destroyed: used from any thread at exit
  return *clock;
}

RateLimiter::RateLimiter(double qps, int burst, ClientClock* clock)
    : qps_(qps),
      burst_(std::max(burst, 1)),
      interval_(qps > 0 ? std::max<int64_t>(1, std::llround(1e9 / qps)) : 0),
      capacity_(interval_ * burst_),
      clock_(clock != nullptr ? *clock : SystemClientClock()),
      credit_(capacity_),
      last_(clock_.Now()) {}

void RateLimiter::Refill(std::chrono::steady_clock::time_point now) {
  // A clock that went backwards (a test resetting it) earns nothing rather than losing credit.
  if (now <= last_) return;
  credit_ = std::min(capacity_,
                     credit_ + std::chrono::duration_cast<std::chrono::nanoseconds>(now - last_));
  last_ = now;
}

std::chrono::nanoseconds RateLimiter::Reserve() {
  if (qps_ <= 0) return std::chrono::nanoseconds::zero();
  std::lock_guard lock(mu_);
  Refill(clock_.Now());
  credit_ -= interval_;
  // A negative credit is what this caller and the waiters before it owe: it is paid back by
  // waiting that long.
  return credit_ >= std::chrono::nanoseconds::zero() ? std::chrono::nanoseconds::zero() : -credit_;
}

void RateLimiter::Wait() {
  std::chrono::nanoseconds delay = Reserve();
  if (delay > std::chrono::nanoseconds::zero()) clock_.SleepFor(delay);
}

bool RateLimiter::TryAcquire() {
  if (qps_ <= 0) return true;
  std::lock_guard lock(mu_);
  Refill(clock_.Now());
  if (credit_ < interval_) return false;
  credit_ -= interval_;
  return true;
}

}  // namespace devflow::kube
