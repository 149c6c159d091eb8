#include "kube/work_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <map>
#include <thread>
#include <vector>

#include "common/eventually_testing.h"

namespace devflow::kube {
namespace {

using devflow::testing::Eventually;

using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

struct LimiterStep {
  enum Op { kWhen, kForget, kAdvance } op;
  std::string key;
  nanoseconds arg{0};  // kWhen: the expected delay; kAdvance: how far
};

struct LimiterCase {
  std::string name;
  RateLimitOptions options;
  std::vector<LimiterStep> steps;
};

TEST(WorkQueueRateLimiterTest, DelaysFollowBackoffAndBucket) {
  const RateLimitOptions defaults;
  RateLimitOptions tiny_bucket;
  tiny_bucket.base_delay = nanoseconds(1);
  tiny_bucket.qps = 10;
  tiny_bucket.burst = 2;
  RateLimitOptions short_cap = defaults;
  short_cap.max_delay = milliseconds(30);

  const std::vector<LimiterCase> cases = {
      {"first failure waits the base delay",
       defaults,
       {{LimiterStep::kWhen, "a", milliseconds(5)}}},
      {"each failure doubles the delay",
       defaults,
       {{LimiterStep::kWhen, "a", milliseconds(5)},
        {LimiterStep::kWhen, "a", milliseconds(10)},
        {LimiterStep::kWhen, "a", milliseconds(20)},
        {LimiterStep::kWhen, "a", milliseconds(40)}}},
      {"the delay is capped at max_delay",
       short_cap,
       {{LimiterStep::kWhen, "a", milliseconds(5)},
        {LimiterStep::kWhen, "a", milliseconds(10)},
        {LimiterStep::kWhen, "a", milliseconds(20)},
        {LimiterStep::kWhen, "a", milliseconds(30)},
        {LimiterStep::kWhen, "a", milliseconds(30)}}},
      {"the default cap is 1000 s", defaults,
       [] {
         std::vector<LimiterStep> steps;
         for (int i = 0; i < 18; ++i) {  // up to 5 ms * 2^17 = 655 s
           steps.push_back({LimiterStep::kWhen, "a", milliseconds(5) * (1 << i)});
           steps.push_back({LimiterStep::kAdvance, "", seconds(1)});  // keep the bucket full
         }
         steps.push_back({LimiterStep::kWhen, "a", seconds(1000)});
         steps.push_back({LimiterStep::kWhen, "a", seconds(1000)});
         return steps;
       }()},
      {"keys back off independently",
       defaults,
       {{LimiterStep::kWhen, "a", milliseconds(5)},
        {LimiterStep::kWhen, "a", milliseconds(10)},
        {LimiterStep::kWhen, "b", milliseconds(5)}}},
      {"forget restarts the backoff",
       defaults,
       {{LimiterStep::kWhen, "a", milliseconds(5)},
        {LimiterStep::kWhen, "a", milliseconds(10)},
        {LimiterStep::kForget, "a"},
        {LimiterStep::kWhen, "a", milliseconds(5)}}},
      {"an exhausted bucket spaces retries at qps",
       tiny_bucket,
       {{LimiterStep::kWhen, "a", nanoseconds(1)},
        {LimiterStep::kWhen, "b", nanoseconds(1)},
        {LimiterStep::kWhen, "c", milliseconds(100)},
        {LimiterStep::kWhen, "d", milliseconds(200)}}},
      {"the bucket refills with time",
       tiny_bucket,
       {{LimiterStep::kWhen, "a", nanoseconds(1)},
        {LimiterStep::kWhen, "b", nanoseconds(1)},
        {LimiterStep::kAdvance, "", milliseconds(100)},
        {LimiterStep::kWhen, "c", nanoseconds(1)},
        {LimiterStep::kWhen, "d", milliseconds(100)}}},
      {"the larger of backoff and bucket wins",
       [] {
         RateLimitOptions o;
         o.qps = 10;
         o.burst = 1;
         return o;
       }(),
       {{LimiterStep::kWhen, "a", milliseconds(5)},
        {LimiterStep::kWhen, "a", milliseconds(100)},
        {LimiterStep::kAdvance, "", seconds(10)},
        {LimiterStep::kWhen, "a", milliseconds(20)}}},
  };

  for (const LimiterCase& c : cases) {
    ManualClock clock;
    ControllerRateLimiter limiter(c.options, clock);
    for (size_t i = 0; i < c.steps.size(); ++i) {
      const LimiterStep& step = c.steps[i];
      switch (step.op) {
        case LimiterStep::kWhen:
          EXPECT_EQ(limiter.When(step.key).count(), step.arg.count())
              << c.name << ", step " << i << " (When " << step.key << ")";
          break;
        case LimiterStep::kForget:
          limiter.Forget(step.key);
          EXPECT_EQ(limiter.NumRequeues(step.key), 0) << c.name << ", step " << i;
          break;
        case LimiterStep::kAdvance:
          clock.Advance(step.arg);
          break;
      }
    }
  }
}

TEST(WorkQueueTest, KeyAddedTwiceIsQueuedOnceInFifoOrder) {
  WorkQueue queue;
  queue.Add("ns/a");
  queue.Add("ns/b");
  queue.Add("ns/a");
  EXPECT_EQ(queue.Len(), 2u);
  EXPECT_EQ(queue.Get(), "ns/a");
  EXPECT_EQ(queue.Get(), "ns/b");
  EXPECT_EQ(queue.Len(), 0u);
}

TEST(WorkQueueTest, KeyAddedWhileProcessingIsQueuedAgainOnlyAfterDone) {
  WorkQueue queue;
  queue.Add("ns/a");
  ASSERT_EQ(queue.Get(), "ns/a");
  queue.Add("ns/a");
  queue.Add("ns/a");
  EXPECT_EQ(queue.Len(), 0u) << "a key being processed must not be handed to another worker";
  queue.Done("ns/a");
  EXPECT_EQ(queue.Len(), 1u);
  EXPECT_EQ(queue.Get(), "ns/a");
  queue.Done("ns/a");
  EXPECT_EQ(queue.Len(), 0u) << "Done of a key not added meanwhile must not queue it";
}

TEST(WorkQueueTest, WorkersNeverProcessOneKeyAtOnce) {
  WorkQueue queue;
  std::mutex mu;
  std::map<std::string, int> in_progress;
  std::atomic<int> violations{0};
  std::atomic<int> processed{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&] {
      while (auto key = queue.Get()) {
        {
          std::lock_guard<std::mutex> l(mu);
          if (++in_progress[*key] > 1) {
            ++violations;
          }
        }
        std::this_thread::yield();
        {
          std::lock_guard<std::mutex> l(mu);
          --in_progress[*key];
        }
        ++processed;
        queue.Done(*key);
      }
    });
  }
  for (int i = 0; i < 20000; ++i) {
    queue.Add("ns/k" + std::to_string(i % 3));
  }
  EXPECT_TRUE(Eventually([&] { return queue.Len() == 0; }));
  queue.ShutDown();
  for (auto& t : workers) {
    t.join();
  }
  EXPECT_EQ(violations.load(), 0);
  EXPECT_GT(processed.load(), 0);
}

TEST(WorkQueueTest, AddAfterQueuesOnceTheDelayHasPassed) {
  ManualClock clock;
  WorkQueue queue({.clock = &clock});
  queue.AddAfter("ns/a", seconds(1));
  EXPECT_EQ(queue.Len(), 0u);
  clock.Advance(milliseconds(999));
  EXPECT_EQ(queue.Len(), 0u);
  clock.Advance(milliseconds(1));
  EXPECT_EQ(queue.Len(), 1u);
  EXPECT_EQ(queue.Get(), "ns/a");
}

TEST(WorkQueueTest, AddAfterKeepsTheEarlierTime) {
  ManualClock clock;
  WorkQueue queue({.clock = &clock});
  queue.AddAfter("ns/later-first", seconds(10));
  queue.AddAfter("ns/later-first", seconds(1));
  queue.AddAfter("ns/earlier-first", seconds(1));
  queue.AddAfter("ns/earlier-first", seconds(10));
  clock.Advance(seconds(1));
  EXPECT_EQ(queue.Len(), 2u);
  clock.Advance(seconds(10));
  EXPECT_EQ(queue.Len(), 2u) << "a key waits once, not once per AddAfter";
}

TEST(WorkQueueTest, AddAfterWithoutDelayAddsAtOnceAndStillDeduplicates) {
  ManualClock clock;
  WorkQueue queue({.clock = &clock});
  queue.Add("ns/a");
  queue.AddAfter("ns/a", nanoseconds(0));
  queue.AddAfter("ns/a", seconds(1));
  EXPECT_EQ(queue.Len(), 1u);
  clock.Advance(seconds(1));
  EXPECT_EQ(queue.Len(), 1u);
}

TEST(WorkQueueTest, AddRateLimitedBacksOffUntilForget) {
  ManualClock clock;
  WorkQueue queue({.clock = &clock});
  queue.AddRateLimited("ns/a");
  clock.Advance(milliseconds(4));
  EXPECT_EQ(queue.Len(), 0u);
  clock.Advance(milliseconds(1));
  ASSERT_EQ(queue.Get(), "ns/a");
  queue.AddRateLimited("ns/a");
  queue.Done("ns/a");
  EXPECT_EQ(queue.NumRequeues("ns/a"), 2);
  clock.Advance(milliseconds(9));
  EXPECT_EQ(queue.Len(), 0u);
  clock.Advance(milliseconds(1));
  ASSERT_EQ(queue.Get(), "ns/a");
  queue.Forget("ns/a");
  queue.Done("ns/a");
  EXPECT_EQ(queue.NumRequeues("ns/a"), 0);
  queue.AddRateLimited("ns/a");
  clock.Advance(milliseconds(5));
  EXPECT_EQ(queue.Len(), 1u);
}

TEST(WorkQueueTest, BlockedGetWakesWhenADelayedKeyBecomesReady) {
  ManualClock clock;
  WorkQueue queue({.clock = &clock});
  auto got = std::async(std::launch::async, [&] { return queue.Get(); });
  queue.AddAfter("ns/a", seconds(30));
  EXPECT_EQ(got.wait_for(milliseconds(20)), std::future_status::timeout)
      << "Get returned before the clock reached the key's time";
  clock.Advance(seconds(30));
  ASSERT_EQ(got.wait_for(seconds(20)), std::future_status::ready);
  EXPECT_EQ(got.get(), "ns/a");
}

TEST(WorkQueueTest, ShutDownWakesGetAndIgnoresLaterAdds) {
  WorkQueue queue;
  auto got = std::async(std::launch::async, [&] { return queue.Get(); });
  queue.ShutDown();
  ASSERT_EQ(got.wait_for(seconds(20)), std::future_status::ready);
  EXPECT_EQ(got.get(), std::nullopt);
  queue.Add("ns/a");
  queue.AddAfter("ns/b", nanoseconds(0));
  EXPECT_EQ(queue.Len(), 0u);
  EXPECT_EQ(queue.Get(), std::nullopt);
  EXPECT_TRUE(queue.ShuttingDown());
}

TEST(WorkQueueTest, GetAfterShutDownDropsQueuedKeys) {
  WorkQueue queue;
  queue.Add("ns/a");
  queue.Add("ns/b");
  ASSERT_EQ(queue.Get(), "ns/a");
  queue.Add("ns/a");
  queue.ShutDown();
  EXPECT_EQ(queue.Get(), std::nullopt);
  queue.Done("ns/a");
  EXPECT_EQ(queue.Get(), std::nullopt);
}

}  // namespace
}  // namespace devflow::kube
