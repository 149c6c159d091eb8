#include "kube/event_recorder.h"

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <thread>

#include "api/time.h"
#include "common/eventually_testing.h"
#include "common/json_reader.h"

namespace devflow::kube {
namespace {

using devflow::testing::Eventually;

using std::chrono::minutes;
using std::chrono::seconds;

// An in-memory events API that logs each call as
//   "create shop/web.18867251edfa0000 Normal Scaled count=1"
//   "patch shop/web.18867251edfa0000 count=2 last=2026-01-01T00:01:00Z".
// Create can be held at a gate, and calls can be made to fail. Thread-safe.
class FakeEventSink : public EventSink {
 public:
  Result<api::Event> Create(const api::Event& event) override {
    std::unique_lock<std::mutex> l(mu_);
    ++creates_started_;
    cv_.notify_all();
    cv_.wait(l, [this] { return gate_open_; });
    if (auto s = Failure("create")) {
      return *s;
    }
    std::string key = event.metadata.namespace_ + "/" + event.metadata.name;
    log_.push_back("create " + key + " " + event.type + " " + event.reason +
                   " count=" + std::to_string(event.count));
    events_[key] = event;
    return event;
  }
  Result<api::Event> Patch(const std::string& ns, const std::string& name,
                           const json::Value& patch) override {
    std::lock_guard<std::mutex> l(mu_);
    if (auto s = Failure("patch")) {
      return *s;
    }
    std::string key = ns + "/" + name;
    auto it = events_.find(key);
    if (it == events_.end()) {
      return NotFoundError("events \"" + name + "\" not found");
    }
    it->second.count = static_cast<int32_t>(patch.Find("count")->as_int());
    it->second.last_timestamp.value = *api::ParseRfc3339(patch.Find("lastTimestamp")->as_string());
    log_.push_back("patch " + key + " count=" + std::to_string(it->second.count) +
                   " last=" + patch.Find("lastTimestamp")->as_string());
    return it->second;
  }

  void CloseGate() {
    std::lock_guard<std::mutex> l(mu_);
    gate_open_ = false;
  }
  void OpenGate() {
    std::lock_guard<std::mutex> l(mu_);
    gate_open_ = true;
    cv_.notify_all();
  }
  int creates_started() {
    std::lock_guard<std::mutex> l(mu_);
    return creates_started_;
  }
  void FailNext(const std::string& verb, Status status) {
    std::lock_guard<std::mutex> l(mu_);
    failures_[verb].push_back(std::move(status));
  }
  void DeleteAll() {
    std::lock_guard<std::mutex> l(mu_);
    events_.clear();
  }
  std::vector<std::string> log() {
    std::lock_guard<std::mutex> l(mu_);
    return log_;
  }
  std::map<std::string, api::Event> events() {
    std::lock_guard<std::mutex> l(mu_);
    return events_;
  }

 private:
  std::optional<Status> Failure(const std::string& verb) {
    auto& queue = failures_[verb];
    if (queue.empty()) {
      return std::nullopt;
    }
    Status s = queue.front();
    queue.pop_front();
    return s;
  }

  std::mutex mu_;
  std::condition_variable cv_;
  bool gate_open_ = true;
  int creates_started_ = 0;
  std::map<std::string, std::deque<Status>> failures_;
  std::vector<std::string> log_;
  std::map<std::string, api::Event> events_;
};

json::Value Rollout(const std::string& name, const std::string& uid = "uid-1") {
  return json::Object{
      {"apiVersion", "argoproj.io/v1alpha1"},
      {"kind", "Rollout"},
      {"metadata",
       json::Object{
           {"name", name}, {"namespace", "shop"}, {"uid", uid}, {"resourceVersion", "42"}}},
      {"spec", json::Object{{"replicas", 3}}},
  };
}

// Unix nanoseconds of ManualClock's origin (2026-01-01T00:00:00Z) in hex.
constexpr char kOriginHex[] = "18867251edfa0000";

TEST(EventRecorderTest, WritesAnEventAboutTheObject) {
  ManualClock clock;
  FakeEventSink sink;
  EventRecorder recorder(sink,
                         {.component = "devflow-controller", .host = "node-1", .clock = &clock});
  recorder.Record(Rollout("web"), EventType::kNormal, "RolloutUpdated",
                  "Rollout updated to revision 2");
  recorder.Flush();

  api::Event want;
  want.api_version = "v1";
  want.kind = "Event";
  want.metadata.name = std::string("web.") + kOriginHex;
  want.metadata.namespace_ = "shop";
  want.involved_object = api::ObjectReference{.kind = "Rollout",
                                              .namespace_ = "shop",
                                              .name = "web",
                                              .uid = "uid-1",
                                              .api_version = "argoproj.io/v1alpha1",
                                              .resource_version = "42"};
  want.reason = "RolloutUpdated";
  want.message = "Rollout updated to revision 2";
  want.source = api::EventSource{.component = "devflow-controller", .host = "node-1"};
  want.first_timestamp.value = std::chrono::floor<std::chrono::microseconds>(clock.WallNow());
  want.last_timestamp = want.first_timestamp;
  want.count = 1;
  want.type = "Normal";
  want.reporting_component = "devflow-controller";
  want.reporting_instance = "node-1";
  auto events = sink.events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events.begin()->second, want);
  EXPECT_EQ(recorder.Dropped(), 0u);
  EXPECT_EQ(recorder.Failed(), 0u);
}

TEST(EventRecorderTest, ClusterScopedObjectsGetEventsInDefault) {
  ManualClock clock;
  FakeEventSink sink;
  EventRecorder recorder(sink, {.component = "devflow", .clock = &clock});
  api::ObjectReference node{.kind = "Namespace", .name = "shop", .uid = "u", .api_version = "v1"};
  recorder.Record(node, EventType::kWarning, "Stuck", "finalizers pending");
  recorder.Flush();
  EXPECT_EQ(sink.log(), std::vector<std::string>{std::string("create default/shop.") + kOriginHex +
                                                 " Warning Stuck count=1"});
}

struct Occurrence {
  std::chrono::nanoseconds after;  // clock advance before recording
  std::string name = "web";
  std::string uid = "uid-1";
  EventType type = EventType::kNormal;
  std::string reason = "Scaled";
  std::string message = "scaled to 3";
};

TEST(EventRecorderTest, RepeatsWithinTheWindowAreCountedOnTheSameEvent) {
  const std::string web0 = std::string("shop/web.") + kOriginHex;
  struct Case {
    std::string name;
    std::vector<Occurrence> occurrences;
    std::vector<std::string> want;
    size_t max_tracked = 4096;
  };
  const std::vector<Case> cases = {
      {"a repeat is a patch of count and lastTimestamp",
       {{seconds(0)}, {minutes(1)}, {seconds(30)}},
       {"create " + web0 + " Normal Scaled count=1",
        "patch " + web0 + " count=2 last=2026-01-01T00:01:00Z",
        "patch " + web0 + " count=3 last=2026-01-01T00:01:30Z"}},
      {"the window counts from the previous occurrence",
       {{seconds(0)}, {minutes(9)}, {minutes(9)}},
       {"create " + web0 + " Normal Scaled count=1",
        "patch " + web0 + " count=2 last=2026-01-01T00:09:00Z",
        "patch " + web0 + " count=3 last=2026-01-01T00:18:00Z"}},
      {"exactly ten minutes later is still a repeat",
       {{seconds(0)}, {minutes(10)}},
       {"create " + web0 + " Normal Scaled count=1",
        "patch " + web0 + " count=2 last=2026-01-01T00:10:00Z"}},
      {"later than ten minutes is a new event",
       {{seconds(0)}, {minutes(10) + seconds(1)}},
       {"create " + web0 + " Normal Scaled count=1",
        "create shop/web.188672dddc5e3a00 Normal Scaled count=1"}},
      {"another message is another event",
       {{seconds(0)}, {seconds(0), "web", "uid-1", EventType::kNormal, "Scaled", "scaled to 4"}},
       {"create " + web0 + " Normal Scaled count=1",
        "create shop/web.18867251edfa0001 Normal Scaled count=1"}},
      {"another reason is another event",
       {{seconds(0)}, {seconds(0), "web", "uid-1", EventType::kNormal, "Paused"}},
       {"create " + web0 + " Normal Scaled count=1",
        "create shop/web.18867251edfa0001 Normal Paused count=1"}},
      {"another type is another event",
       {{seconds(0)}, {seconds(0), "web", "uid-1", EventType::kWarning}},
       {"create " + web0 + " Normal Scaled count=1",
        "create shop/web.18867251edfa0001 Warning Scaled count=1"}},
      {"another object is another event",
       {{seconds(0)}, {seconds(0), "web", "uid-2"}, {seconds(0), "api"}},
       {"create " + web0 + " Normal Scaled count=1",
        "create shop/web.18867251edfa0001 Normal Scaled count=1",
        std::string("create shop/api.18867251edfa0002 Normal Scaled count=1")}},
      {"a forgotten event is created anew",
       {{seconds(0)}, {seconds(0), "api"}, {seconds(1)}},
       {"create " + web0 + " Normal Scaled count=1",
        "create shop/api.18867251edfa0001 Normal Scaled count=1",
        "create shop/web.188672522994ca00 Normal Scaled count=1"},
       1},
  };
  for (const Case& c : cases) {
    ManualClock clock;
    FakeEventSink sink;
    EventRecorder recorder(sink,
                           {.component = "devflow", .max_tracked = c.max_tracked, .clock = &clock});
    for (const Occurrence& o : c.occurrences) {
      clock.Advance(o.after);
      recorder.Record(Rollout(o.name, o.uid), o.type, o.reason, o.message);
      recorder.Flush();  // each occurrence written at its own time
    }
    EXPECT_EQ(sink.log(), c.want) << c.name;
  }
}

TEST(EventRecorderTest, ARepeatOfADeletedEventCreatesItAgain) {
  ManualClock clock;
  FakeEventSink sink;
  EventRecorder recorder(sink, {.component = "devflow", .clock = &clock});
  recorder.Record(Rollout("web"), EventType::kNormal, "Scaled", "scaled to 3");
  recorder.Flush();
  sink.DeleteAll();  // the API server's event TTL
  clock.Advance(seconds(5));
  recorder.Record(Rollout("web"), EventType::kNormal, "Scaled", "scaled to 3");
  recorder.Flush();
  clock.Advance(seconds(5));
  recorder.Record(Rollout("web"), EventType::kNormal, "Scaled", "scaled to 3");
  recorder.Flush();
  EXPECT_EQ(sink.log(), (std::vector<std::string>{
                            std::string("create shop/web.") + kOriginHex + " Normal Scaled count=1",
                            "create shop/web.1886725317fff200 Normal Scaled count=1",
                            "patch shop/web.1886725317fff200 count=2 last=2026-01-01T00:00:10Z"}));
  EXPECT_EQ(recorder.Failed(), 0u);
}

TEST(EventRecorderTest, SinkFailuresAreCountedAndForgotten) {
  ManualClock clock;
  FakeEventSink sink;
  EventRecorder recorder(sink, {.component = "devflow", .clock = &clock});
  sink.FailNext("create", UnavailableError("connection refused"));
  recorder.Record(Rollout("web"), EventType::kNormal, "Scaled", "scaled to 3");
  recorder.Flush();
  EXPECT_EQ(recorder.Failed(), 1u);
  recorder.Record(Rollout("web"), EventType::kNormal, "Scaled", "scaled to 3");
  recorder.Flush();
  sink.FailNext("patch", UnavailableError("connection refused"));
  recorder.Record(Rollout("web"), EventType::kNormal, "Scaled", "scaled to 3");
  recorder.Flush();
  EXPECT_EQ(recorder.Failed(), 2u);
  EXPECT_EQ(sink.log(),
            (std::vector<std::string>{"create shop/web.18867251edfa0001 Normal Scaled count=1"}))
      << "a failed create is not aggregated into; a failed patch leaves the count";
}

TEST(EventRecorderTest, RecordNeverBlocksAndDropsWhenTheQueueIsFull) {
  ManualClock clock;
  FakeEventSink sink;
  EventRecorder recorder(sink, {.component = "devflow", .queue_capacity = 2, .clock = &clock});
  sink.CloseGate();
  recorder.Record(Rollout("a"), EventType::kNormal, "R", "m");
  // The worker holds "a" inside Create, blocked: the queue is empty again.
  ASSERT_TRUE(Eventually([&] { return sink.creates_started() == 1; }));
  recorder.Record(Rollout("b"), EventType::kNormal, "R", "m");
  recorder.Record(Rollout("c"), EventType::kNormal, "R", "m");
  recorder.Record(Rollout("d"), EventType::kNormal, "R", "m");
  EXPECT_EQ(recorder.Dropped(), 1u);
  sink.OpenGate();
  recorder.Flush();
  EXPECT_EQ(sink.log().size(), 3u);
}

TEST(EventRecorderTest, ShutdownWritesWhatIsQueuedThenDrops) {
  ManualClock clock;
  FakeEventSink sink;
  EventRecorder recorder(sink, {.component = "devflow", .clock = &clock});
  sink.CloseGate();
  recorder.Record(Rollout("a"), EventType::kNormal, "R", "m");
  recorder.Record(Rollout("b"), EventType::kNormal, "R", "m");
  ASSERT_TRUE(Eventually([&] { return sink.creates_started() == 1; }));
  // "b" is still queued when Shutdown begins.
  std::thread shutdown([&] { recorder.Shutdown(); });
  sink.OpenGate();
  shutdown.join();
  EXPECT_EQ(sink.log().size(), 2u);
  recorder.Record(Rollout("c"), EventType::kNormal, "R", "m");
  EXPECT_EQ(recorder.Dropped(), 1u);
}

}  // namespace
}  // namespace devflow::kube
