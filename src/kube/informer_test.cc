#include "kube/informer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <map>
#include <set>
#include <thread>

#include "common/eventually_testing.h"
#include "common/json_reader.h"

namespace devflow::kube {
namespace {

using devflow::testing::Eventually;

using std::chrono::milliseconds;
using std::chrono::seconds;

json::Value Pod(const std::string& name, const std::string& version = "v1") {
  return json::Object{
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata", json::Object{{"name", name}, {"namespace", "shop"}}},
      {"spec", json::Object{{"image", version}}},
  };
}

std::string Key(const json::Value& object) { return ObjectKey(object).value_or("?"); }
std::string Rv(const json::Value& object) {
  return object.Find("metadata")->Find("resourceVersion")->as_string();
}

// An in-memory API server for one resource: objects, a global resourceVersion, an event history
// that can be compacted (watches from before it get Gone), and scripted failures. Thread-safe.
class FakeApi {
 public:
  explicit FakeApi(const Clock& clock) : clock_(clock) {}

  // Creates or updates `object`, recording an ADDED or MODIFIED event unless `silently` (a
  // change the informer can only learn of by relisting).
  void Put(json::Value object, bool silently = false) {
    std::lock_guard<std::mutex> l(mu_);
    object["metadata"]["resourceVersion"] = std::to_string(++rv_);
    std::string key = Key(object);
    WatchEventType type =
        objects_.count(key) != 0 ? WatchEventType::kModified : WatchEventType::kAdded;
    objects_[key] = object;
    if (!silently) {
      history_.push_back({rv_, WatchEvent{type, object}});
    }
    cv_.notify_all();
  }
  void Delete(const std::string& key, bool silently = false) {
    std::lock_guard<std::mutex> l(mu_);
    json::Value object = objects_.at(key);
    objects_.erase(key);
    object["metadata"]["resourceVersion"] = std::to_string(++rv_);
    if (!silently) {
      history_.push_back({rv_, WatchEvent{WatchEventType::kDeleted, object}});
    }
    cv_.notify_all();
  }
  void Bookmark() {
    std::lock_guard<std::mutex> l(mu_);
    json::Value object = json::Object{
        {"kind", "Pod"}, {"metadata", json::Object{{"resourceVersion", std::to_string(++rv_)}}}};
    history_.push_back({rv_, WatchEvent{WatchEventType::kBookmark, object}});
    cv_.notify_all();
  }
  // Forgets the history: watches from any version up to now get Gone.
  void Compact() {
    std::lock_guard<std::mutex> l(mu_);
    compacted_through_ = rv_;
    cv_.notify_all();
  }
  // Open watches end as at the server's timeout.
  void EndWatches() {
    std::lock_guard<std::mutex> l(mu_);
    ++ends_;
    cv_.notify_all();
  }
  // Open watches fail with `status`.
  void BreakWatches(Status status) {
    std::lock_guard<std::mutex> l(mu_);
    ++breaks_;
    break_status_ = status;
    cv_.notify_all();
  }
  void FailLists(std::vector<Status> statuses) {
    std::lock_guard<std::mutex> l(mu_);
    list_failures_ = std::move(statuses);
  }
  void FailWatches(std::vector<Status> statuses) {
    std::lock_guard<std::mutex> l(mu_);
    watch_failures_ = std::move(statuses);
  }
  // Watches opened from now on are closed by the server at once.
  void CloseNewWatchesAtOnce() {
    std::lock_guard<std::mutex> l(mu_);
    close_new_watches_ = true;
  }
  void ExpireContinueTokens() {
    std::lock_guard<std::mutex> l(mu_);
    expire_continue_ = true;
  }

  std::vector<ListRequest> lists() const {
    std::lock_guard<std::mutex> l(mu_);
    return lists_;
  }
  std::vector<WatchRequest> watches() const {
    std::lock_guard<std::mutex> l(mu_);
    return watches_;
  }
  std::vector<Clock::TimePoint> watch_times() const {
    std::lock_guard<std::mutex> l(mu_);
    return watch_times_;
  }
  std::string rv() const {
    std::lock_guard<std::mutex> l(mu_);
    return std::to_string(rv_);
  }

  Result<ObjectList> List(const ListRequest& request) {
    std::lock_guard<std::mutex> l(mu_);
    lists_.push_back(request);
    if (!list_failures_.empty()) {
      Status s = list_failures_.front();
      list_failures_.erase(list_failures_.begin());
      return s;
    }
    if (!request.continue_token.empty() && expire_continue_) {
      return GoneError("the provided continue parameter is too old");
    }
    ObjectList out;
    out.resource_version = std::to_string(rv_);
    auto it = request.continue_token.empty() ? objects_.begin()
                                             : objects_.upper_bound(request.continue_token);
    for (; it != objects_.end(); ++it) {
      if (request.limit > 0 && static_cast<int64_t>(out.items.size()) == request.limit) {
        out.continue_token = out.items.back().Find("metadata")->Find("namespace")->as_string() +
                             "/" + out.items.back().Find("metadata")->Find("name")->as_string();
        break;
      }
      out.items.push_back(it->second);
    }
    return out;
  }

  Result<std::unique_ptr<WatchStream>> Watch(const WatchRequest& request);

 private:
  friend class FakeStream;
  const Clock& clock_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, json::Value> objects_;
  int64_t rv_ = 100;
  std::vector<std::pair<int64_t, WatchEvent>> history_;
  int64_t compacted_through_ = 0;
  int ends_ = 0;
  int breaks_ = 0;
  Status break_status_;
  std::vector<Status> list_failures_;
  std::vector<Status> watch_failures_;
  bool expire_continue_ = false;
  bool close_new_watches_ = false;
  std::vector<ListRequest> lists_;
  std::vector<WatchRequest> watches_;
  std::vector<Clock::TimePoint> watch_times_;
};

class FakeStream : public WatchStream {
 public:
  FakeStream(FakeApi& api, int64_t from, int ends, int breaks)
      : api_(api), from_(from), ends_(ends), breaks_(breaks) {}

  Result<std::optional<WatchEvent>> Next(milliseconds timeout) override {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::unique_lock<std::mutex> l(api_.mu_);
    while (true) {
      if (cancelled_ || api_.ends_ != ends_) {
        return std::optional<WatchEvent>();
      }
      if (api_.breaks_ != breaks_) {
        return api_.break_status_;
      }
      if (from_ < api_.compacted_through_) {
        return GoneError("too old resource version");
      }
      for (const auto& [rv, event] : api_.history_) {
        if (rv > from_) {
          from_ = rv;
          return std::optional<WatchEvent>(event);
        }
      }
      if (api_.cv_.wait_until(l, deadline) == std::cv_status::timeout) {
        return DeadlineExceededError("no event");
      }
    }
  }
  void Cancel() override {
    std::lock_guard<std::mutex> l(api_.mu_);
    cancelled_ = true;
    api_.cv_.notify_all();
  }

 private:
  FakeApi& api_;
  int64_t from_;
  const int ends_;
  const int breaks_;
  bool cancelled_ = false;
};

Result<std::unique_ptr<WatchStream>> FakeApi::Watch(const WatchRequest& request) {
  std::lock_guard<std::mutex> l(mu_);
  watches_.push_back(request);
  watch_times_.push_back(clock_.Now());
  if (!watch_failures_.empty()) {
    Status s = watch_failures_.front();
    watch_failures_.erase(watch_failures_.begin());
    return s;
  }
  return std::unique_ptr<WatchStream>(new FakeStream(
      *this, std::stoll(request.resource_version), ends_ - (close_new_watches_ ? 1 : 0), breaks_));
}

class FakeListerWatcher : public ListerWatcher {
 public:
  explicit FakeListerWatcher(FakeApi& api) : api_(api) {}
  Result<ObjectList> List(const ListRequest& request) override { return api_.List(request); }
  Result<std::unique_ptr<WatchStream>> Watch(const WatchRequest& request) override {
    return api_.Watch(request);
  }

 private:
  FakeApi& api_;
};

// Records what handlers were told, as "add shop/a@101", "update shop/a@101->102",
// "delete shop/a@103".
class Recorder {
 public:
  EventHandlers Handlers() {
    return EventHandlers{
        .on_add = [this](const json::Value& o) { Log("add " + Key(o) + "@" + Rv(o)); },
        .on_update =
            [this](const json::Value& old_object, const json::Value& new_object) {
              Log("update " + Key(new_object) + "@" + Rv(old_object) + "->" + Rv(new_object));
            },
        .on_delete = [this](const json::Value& o) { Log("delete " + Key(o) + "@" + Rv(o)); },
    };
  }
  std::vector<std::string> Events() const {
    std::lock_guard<std::mutex> l(mu_);
    return events_;
  }
  // Waits for at least `n` events; returns them.
  std::vector<std::string> WaitFor(size_t n) const {
    Eventually([&] { return Events().size() >= n; });
    return Events();
  }

 private:
  void Log(std::string line) {
    std::lock_guard<std::mutex> l(mu_);
    events_.push_back(std::move(line));
  }
  mutable std::mutex mu_;
  std::vector<std::string> events_;
};

struct Fixture {
  explicit Fixture(InformerOptions options = {}) : api(clock) {
    options.clock = &clock;
    if (!options.random) {
      options.random = [] { return 0.5; };
    }
    if (options.name.empty()) {
      options.name = "pods";
    }
    if (options.poll_interval == milliseconds(1000)) {
      options.poll_interval = milliseconds(5);
    }
    informer = std::make_unique<Informer>(std::make_unique<FakeListerWatcher>(api), options);
    informer->AddEventHandler(recorder.Handlers());
  }
  ~Fixture() { informer->Stop(); }
  // Waits until the informer is sleeping on the clock; returns the time it will wake.
  Clock::TimePoint WaitForSleep() {
    Clock::TimePoint wake{};
    EXPECT_TRUE(Eventually([&] {
      auto deadlines = clock.PendingDeadlines();
      if (deadlines.empty() || deadlines.front() <= clock.Now()) {
        return false;
      }
      wake = deadlines.front();
      return true;
    })) << "the informer never went to sleep";
    return wake;
  }

  ManualClock clock;
  FakeApi api;
  Recorder recorder;
  std::unique_ptr<Informer> informer;
};

TEST(InformerTest, ListsThenWatchesAndTellsHandlersInOrder) {
  Fixture f;
  f.api.Put(Pod("a"));  // 101
  f.api.Put(Pod("b"));  // 102
  f.informer->Start();
  ASSERT_TRUE(f.informer->WaitForSync(seconds(20)));
  EXPECT_EQ(f.recorder.Events(), (std::vector<std::string>{"add shop/a@101", "add shop/b@102"}));
  EXPECT_EQ(f.informer->LastSyncResourceVersion(), "102");

  f.api.Put(Pod("c"));        // 103
  f.api.Put(Pod("a", "v2"));  // 104
  f.api.Delete("shop/b");     // 105
  EXPECT_EQ(f.recorder.WaitFor(5),
            (std::vector<std::string>{"add shop/a@101", "add shop/b@102", "add shop/c@103",
                                      "update shop/a@101->104", "delete shop/b@105"}));
  EXPECT_TRUE(Eventually([&] { return f.informer->LastSyncResourceVersion() == "105"; }));
  EXPECT_EQ(f.informer->cache().Keys(), (std::vector<std::string>{"shop/a", "shop/c"}));
  EXPECT_EQ(f.informer->cache().Get("shop/a")->Find("spec")->Find("image")->as_string(), "v2");

  ASSERT_FALSE(f.api.watches().empty());
  const WatchRequest watch = f.api.watches().front();
  EXPECT_EQ(watch.resource_version, "102") << "the watch starts at the list's version";
  EXPECT_TRUE(watch.allow_bookmarks);
  EXPECT_EQ(watch.timeout, seconds(450)) << "5 minutes * (1 + random 0.5)";
}

TEST(InformerTest, ListsInPages) {
  Fixture f({.page_size = 2});
  for (const char* name : {"a", "b", "c", "d", "e"}) {
    f.api.Put(Pod(name));
  }
  f.informer->Start();
  ASSERT_TRUE(f.informer->WaitForSync(seconds(20)));
  EXPECT_EQ(f.informer->cache().Size(), 5u);
  std::vector<ListRequest> lists = f.api.lists();
  ASSERT_EQ(lists.size(), 3u);
  EXPECT_EQ(lists[0].limit, 2);
  EXPECT_EQ(lists[0].continue_token, "");
  EXPECT_EQ(lists[1].continue_token, "shop/b");
  EXPECT_EQ(lists[2].continue_token, "shop/d");
}

TEST(InformerTest, ExpiredContinueTokenFallsBackToOneUnpagedList) {
  Fixture f({.page_size = 2});
  for (const char* name : {"a", "b", "c"}) {
    f.api.Put(Pod(name));
  }
  f.api.ExpireContinueTokens();
  f.informer->Start();
  ASSERT_TRUE(f.informer->WaitForSync(seconds(20)));
  EXPECT_EQ(f.informer->cache().Size(), 3u);
  std::vector<ListRequest> lists = f.api.lists();
  ASSERT_EQ(lists.size(), 3u);
  EXPECT_EQ(lists[2].limit, 0);
  EXPECT_EQ(lists[2].continue_token, "");
}

TEST(InformerTest, BookmarksAdvanceTheVersionAndEndedWatchesResumeFromIt) {
  Fixture f;
  f.api.Put(Pod("a"));  // 101
  f.informer->Start();
  ASSERT_TRUE(f.informer->WaitForSync(seconds(20)));
  f.api.Bookmark();  // 102
  ASSERT_TRUE(Eventually([&] { return f.informer->LastSyncResourceVersion() == "102"; }));
  f.api.EndWatches();
  ASSERT_TRUE(Eventually([&] { return f.api.watches().size() == 2; }));
  EXPECT_EQ(f.api.watches()[1].resource_version, "102");
  EXPECT_EQ(f.api.lists().size(), 1u) << "an ended watch is reopened without relisting";
  f.api.Put(Pod("b"));  // 103
  EXPECT_EQ(f.recorder.WaitFor(2), (std::vector<std::string>{"add shop/a@101", "add shop/b@103"}))
      << "a bookmark reaches no handler";
}

TEST(InformerTest, GoneRelistsAtOnceAndSynthesisesMissedDeletes) {
  Fixture f;
  f.api.Put(Pod("a"));  // 101
  f.api.Put(Pod("b"));  // 102
  f.api.Put(Pod("c"));  // 103
  f.informer->Start();
  ASSERT_TRUE(f.informer->WaitForSync(seconds(20)));
  f.api.Put(Pod("x"));  // 104: an event, so the watch has made progress before it goes
  f.recorder.WaitFor(4);

  // While the informer cannot see them: b is deleted, c changes, d appears; the history is lost.
  f.api.Delete("shop/b", /*silently=*/true);  // 105
  f.api.Put(Pod("c", "v2"), true);            // 106
  f.api.Put(Pod("d"), true);                  // 107
  f.api.Compact();
  f.api.BreakWatches(GoneError("too old resource version"));

  EXPECT_EQ(f.recorder.WaitFor(7),
            (std::vector<std::string>{"add shop/a@101", "add shop/b@102", "add shop/c@103",
                                      "add shop/x@104", "update shop/c@103->106", "add shop/d@107",
                                      "delete shop/b@102"}));
  EXPECT_EQ(f.api.lists().size(), 2u) << "relisted without waiting for the clock";
  EXPECT_TRUE(Eventually([&] { return f.informer->LastSyncResourceVersion() == "107"; }));
  EXPECT_EQ(f.informer->cache().Keys(),
            (std::vector<std::string>{"shop/a", "shop/c", "shop/d", "shop/x"}));
}

TEST(InformerTest, GoneAgainRightAfterARelistBacksOff) {
  Fixture f;
  f.api.Put(Pod("a"));
  f.informer->Start();
  ASSERT_TRUE(f.informer->WaitForSync(seconds(20)));
  f.api.FailWatches({GoneError("too old"), GoneError("too old")});
  f.api.BreakWatches(GoneError("too old"));
  // Watch 1 broke with Gone before any event: that is no progress since the list, so the
  // informer waits before relisting rather than spinning.
  Clock::TimePoint start = f.clock.Now();
  EXPECT_EQ(f.WaitForSleep(), start + milliseconds(1200));
  EXPECT_EQ(f.api.lists().size(), 1u);
  f.clock.Advance(milliseconds(1200));
  ASSERT_TRUE(Eventually([&] { return f.api.lists().size() == 2; }));
  // The watch after that relist fails with Gone again: the informer backs off again instead of
  // relisting at once. (The relist clears LastError until that watch fails, so it is read only
  // once the informer sleeps.)
  const Clock::TimePoint relisted_at = f.clock.Now();
  EXPECT_GT(f.WaitForSleep(), relisted_at);
  EXPECT_EQ(f.api.lists().size(), 2u);
  EXPECT_EQ(f.informer->LastError().code(), StatusCode::kGone);
}

TEST(InformerTest, FailedWatchesReconnectWithJitteredExponentialBackoff) {
  Fixture f;
  f.api.Put(Pod("a"));  // 101
  f.api.FailWatches({UnavailableError("connection refused"), UnavailableError("refused"),
                     UnavailableError("refused")});
  f.informer->Start();
  ASSERT_TRUE(f.informer->WaitForSync(seconds(20)));

  // With random() = 0.5 each wait is 1.5 times the delay: 800 ms, 1.6 s, 3.2 s.
  for (milliseconds want : {milliseconds(1200), milliseconds(2400), milliseconds(4800)}) {
    Clock::TimePoint failed_at = f.clock.Now();
    Clock::TimePoint wake = f.WaitForSleep();
    EXPECT_EQ(wake - failed_at, want);
    f.clock.Advance(wake - failed_at);
  }
  ASSERT_TRUE(Eventually([&] { return f.api.watches().size() == 4; }));
  EXPECT_EQ(f.api.watches()[3].resource_version, "101");
  EXPECT_EQ(f.api.lists().size(), 1u) << "a failed watch resumes without relisting";
  EXPECT_EQ(f.informer->LastError(), UnavailableError("informer for pods: refused"));

  // An event resets the backoff.
  f.api.Put(Pod("b"));
  f.recorder.WaitFor(2);
  EXPECT_TRUE(f.informer->LastError().ok());
  f.api.BreakWatches(UnavailableError("connection reset"));
  Clock::TimePoint failed_at = f.clock.Now();
  EXPECT_EQ(f.WaitForSleep() - failed_at, milliseconds(1200));
}

TEST(InformerTest, WatchClosedAtOnceWithoutEventsIsRetriedAfterBackoff) {
  Fixture f;
  f.api.Put(Pod("a"));  // 101
  f.api.CloseNewWatchesAtOnce();
  f.informer->Start();
  ASSERT_TRUE(f.informer->WaitForSync(seconds(20)));
  Clock::TimePoint closed_at = f.clock.Now();
  EXPECT_EQ(f.WaitForSleep() - closed_at, milliseconds(1200));
  EXPECT_EQ(f.api.watches().size(), 1u);
  EXPECT_EQ(f.informer->LastError().code(), StatusCode::kUnavailable);
}

TEST(InformerTest, FailedListIsRetriedAfterBackoffAndSyncsLater) {
  Fixture f;
  f.api.Put(Pod("a"));
  f.api.FailLists({UnavailableError("connection refused")});
  f.informer->Start();
  Clock::TimePoint wake = f.WaitForSleep();
  EXPECT_FALSE(f.informer->HasSynced());
  EXPECT_EQ(f.informer->LastError(), UnavailableError("informer for pods: connection refused"));
  f.clock.Advance(wake - f.clock.Now());
  ASSERT_TRUE(f.informer->WaitForSync(seconds(20)));
  EXPECT_EQ(f.recorder.Events(), std::vector<std::string>{"add shop/a@101"});
}

TEST(InformerTest, ResyncUpdatesEveryCachedObjectEachPeriod) {
  Fixture f({.resync_period = seconds(30)});
  f.api.Put(Pod("a"));  // 101
  f.api.Put(Pod("b"));  // 102
  f.informer->Start();
  ASSERT_TRUE(f.informer->WaitForSync(seconds(20)));
  EXPECT_EQ(f.recorder.Events().size(), 2u);
  f.clock.Advance(seconds(30));
  EXPECT_EQ(f.recorder.WaitFor(4),
            (std::vector<std::string>{"add shop/a@101", "add shop/b@102", "update shop/a@101->101",
                                      "update shop/b@102->102"}));
  f.clock.Advance(seconds(30));
  EXPECT_EQ(f.recorder.WaitFor(6).size(), 6u);
}

TEST(InformerTest, HandlerAddedLaterCatchesUpWithoutGapsOrRepeats) {
  Fixture f;
  f.api.Put(Pod("a"));  // 101
  f.informer->Start();
  ASSERT_TRUE(f.informer->WaitForSync(seconds(20)));

  Recorder late;
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; i < 50 && !stop; ++i) {
      f.api.Put(Pod("p" + std::to_string(i)));
    }
  });
  f.informer->AddEventHandler(late.Handlers());
  writer.join();
  std::vector<std::string> events = late.WaitFor(51);
  std::set<std::string> adds(events.begin(), events.end());
  EXPECT_EQ(events.size(), 51u);
  EXPECT_EQ(adds.size(), 51u) << "each object added exactly once";
}

TEST(InformerTest, StopCancelsTheOpenWatch) {
  Fixture f({.poll_interval = milliseconds(600000)});
  f.api.Put(Pod("a"));
  f.informer->Start();
  ASSERT_TRUE(f.informer->WaitForSync(seconds(20)));
  ASSERT_TRUE(Eventually([&] { return f.api.watches().size() == 1; }));
  auto stopped = std::async(std::launch::async, [&] { f.informer->Stop(); });
  EXPECT_EQ(stopped.wait_for(seconds(20)), std::future_status::ready)
      << "Stop waited for the watch's poll interval instead of cancelling it";
}

TEST(InformerTest, WaitForSyncGivesUpWhenStopped) {
  Fixture f;
  f.api.FailLists({UnavailableError("down")});
  f.informer->Start();
  f.WaitForSleep();
  auto waited =
      std::async(std::launch::async, [&] { return f.informer->WaitForSync(seconds(60)); });
  f.informer->Stop();
  ASSERT_EQ(waited.wait_for(seconds(20)), std::future_status::ready);
  EXPECT_FALSE(waited.get());
}

}  // namespace
}  // namespace devflow::kube
