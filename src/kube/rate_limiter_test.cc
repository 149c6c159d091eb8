// The token bucket: burst, refill, reservations, and the disabled limit, on an injected clock.
#include "kube/rate_limiter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>
#include <vector>

#include "kube/api_client_testing.h"

namespace devflow::kube {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using testing::FakeClientClock;

enum class Op { kTry, kWait };

struct Step {
  milliseconds advance;  // moves the clock first
  Op op;
  bool acquired;          // kTry: the expected answer
  milliseconds expected;  // kWait: the expected sleep (0: none)
};

Step Try(bool acquired, milliseconds advance = milliseconds(0)) {
  return Step{advance, Op::kTry, acquired, milliseconds(0)};
}
Step WaitFor(milliseconds expected, milliseconds advance = milliseconds(0)) {
  return Step{advance, Op::kWait, true, expected};
}

TEST(RateLimiterTest, TokenBucket) {
  struct Row {
    const char* name;
    double qps;
    int burst;
    std::vector<Step> steps;
  };
  const std::vector<Row> rows = {
      {"starts full: the burst passes at once",
       1,
       3,
       {Try(true), Try(true), Try(true), Try(false)}},
      {"refills at qps",
       2,
       1,
       {Try(true), Try(false), Try(false, milliseconds(499)), Try(true, milliseconds(1))}},
      {"never holds more than the burst",
       10,
       2,
       {Try(true, std::chrono::hours(1)), Try(true), Try(false)}},
      {"wait sleeps until the next token",
       10,
       1,
       {WaitFor(milliseconds(0)), WaitFor(milliseconds(100))}},
      {"waiters reserve in order",
       10,
       1,
       {WaitFor(milliseconds(0)), WaitFor(milliseconds(100)), WaitFor(milliseconds(200))}},
      {"a partly earned token shortens the wait",
       10,
       1,
       {WaitFor(milliseconds(0)), WaitFor(milliseconds(60), milliseconds(40))}},
      {"a failed try reserves nothing",
       10,
       1,
       {Try(true), Try(false), Try(false), WaitFor(milliseconds(100))}},
      {"reserved tokens are paid back before a try succeeds",
       10,
       1,
       {WaitFor(milliseconds(0)), WaitFor(milliseconds(100)), Try(false, milliseconds(150)),
        Try(true, milliseconds(50))}},
      {"qps 0 disables the limit",
       0,
       1,
       {Try(true), Try(true), Try(true), WaitFor(milliseconds(0)), WaitFor(milliseconds(0))}},
      {"a burst below 1 counts as 1", 1, 0, {Try(true), Try(false)}},
  };
  for (const Row& row : rows) {
    FakeClientClock clock;
    RateLimiter limiter(row.qps, row.burst, &clock);
    for (size_t i = 0; i < row.steps.size(); ++i) {
      const Step& step = row.steps[i];
      clock.Advance(step.advance);
      if (step.op == Op::kTry) {
        EXPECT_EQ(limiter.TryAcquire(), step.acquired) << row.name << ", step " << i;
        continue;
      }
      size_t sleeps_before = clock.Sleeps().size();
      limiter.Wait();
      std::vector<nanoseconds> sleeps = clock.Sleeps();
      nanoseconds slept = sleeps.size() > sleeps_before ? sleeps.back() : nanoseconds(0);
      EXPECT_EQ(slept, step.expected) << row.name << ", step " << i;
    }
  }
}

TEST(RateLimiterTest, ConcurrentWaitersEachReserveTheirOwnToken) {
  FakeClientClock clock;  // frozen: every wait is a reservation against the same instant
  RateLimiter limiter(100, 5, &clock);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) limiter.Wait();
    });
  }
  for (std::thread& thread : threads) thread.join();

  // 80 tokens, 5 from the burst: the other 75 are due 10 ms apart, each handed out once.
  std::vector<nanoseconds> sleeps = clock.Sleeps();
  std::sort(sleeps.begin(), sleeps.end());
  std::vector<nanoseconds> expected;
  for (int i = 1; i <= 75; ++i) expected.push_back(milliseconds(10 * i));
  EXPECT_EQ(sleeps, expected);
}

}  // namespace
}  // namespace devflow::kube
