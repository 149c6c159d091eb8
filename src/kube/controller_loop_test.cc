#include "kube/controller_loop.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/json_value.h"

namespace devflow::kube {
namespace {

using namespace std::chrono_literals;

// Records the syncs of each key and answers with what the test scripted for it.
class ScriptedSync {
 public:
  Result<SyncOutcome> operator()(const std::string& key) {
    std::lock_guard<std::mutex> lock(mu_);
    const int call = ++calls_[key];
    auto found = script_.find({key, call});
    if (found == script_.end()) return SyncOutcome{};
    return found->second;
  }
  void On(const std::string& key, int call, Result<SyncOutcome> answer) {
    std::lock_guard<std::mutex> lock(mu_);
    script_.insert_or_assign({key, call}, std::move(answer));
  }
  int Calls(const std::string& key) {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_[key];
  }

 private:
  std::mutex mu_;
  std::map<std::string, int> calls_;
  std::map<std::pair<std::string, int>, Result<SyncOutcome>> script_;
};

bool Eventually(const std::function<bool()>& done) {
  for (auto until = std::chrono::steady_clock::now() + 10s;
       std::chrono::steady_clock::now() < until; std::this_thread::sleep_for(5ms)) {
    if (done()) return true;
  }
  return done();
}

ControllerLoopOptions Options() {
  ControllerLoopOptions options;
  options.resource = "things";
  options.workers = 2;
  options.rate_limit.base_delay = 1ms;
  return options;
}

TEST(ControllerLoopTest, GivenAFailedSyncThenTheKeyIsRetriedAndTheErrorNamesItUntilASyncSucceeds) {
  ScriptedSync script;
  script.On("ns/a", 1, UnavailableError("server down"));
  script.On("ns/a", 2, UnavailableError("server down"));
  ControllerLoop loop(Options(), [&](const std::string& key) { return script(key); });
  loop.Start();
  loop.Add("ns/a");
  ASSERT_TRUE(Eventually([&] { return script.Calls("ns/a") >= 3; }));
  EXPECT_TRUE(Eventually([&] { return loop.LastError().ok(); }));
  EXPECT_GE(loop.Syncs(), 3u);
}

TEST(ControllerLoopTest, GivenAFailingKeyThenLastErrorSaysWhichResourceAndKeyFailed) {
  ScriptedSync script;
  for (int call = 1; call <= 1000; ++call) script.On("ns/b", call, InternalError("boom"));
  ControllerLoop loop(Options(), [&](const std::string& key) { return script(key); });
  loop.Start();
  loop.Add("ns/b");
  ASSERT_TRUE(Eventually([&] { return !loop.LastError().ok(); }));
  EXPECT_NE(loop.LastError().message().find("syncing things/ns/b"), std::string::npos)
      << loop.LastError();
  EXPECT_NE(loop.LastError().message().find("boom"), std::string::npos);
}

TEST(ControllerLoopTest, GivenASyncAskingToComeBackThenTheKeyIsSyncedAgainAtThatTime) {
  ScriptedSync script;
  script.On("ns/c", 1, SyncOutcome{.requeue_at = SystemClock().WallNow() + 50ms});
  ControllerLoop loop(Options(), [&](const std::string& key) { return script(key); });
  loop.Start();
  loop.Add("ns/c");
  EXPECT_TRUE(Eventually([&] { return script.Calls("ns/c") == 2; }));
}

TEST(ControllerLoopTest, GivenASyncWithAWarningThenLastErrorReportsItWithoutRetrying) {
  ScriptedSync script;
  script.On("ns/d", 1, SyncOutcome{.warning = InternalError("could not collect garbage")});
  ControllerLoop loop(Options(), [&](const std::string& key) { return script(key); });
  loop.Start();
  loop.Add("ns/d");
  ASSERT_TRUE(Eventually([&] { return !loop.LastError().ok(); }));
  EXPECT_NE(loop.LastError().message().find("could not collect garbage"), std::string::npos);
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(script.Calls("ns/d"), 1);
}

TEST(ControllerLoopTest, GivenAStoppedLoopThenAddedKeysAreNotSyncedAndStopIsIdempotent) {
  ScriptedSync script;
  ControllerLoop loop(Options(), [&](const std::string& key) { return script(key); });
  loop.Start();
  loop.Stop();
  loop.Add("ns/e");
  loop.Stop();
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(script.Calls("ns/e"), 0);
  EXPECT_TRUE(loop.stopping());
}

json::Value Named(const std::string& name) {
  return json::Object{{"metadata", json::Object{{"name", name}}}};
}

// Calls the handler of `event` ("add", "update" or "delete") with old object "old" and new (or
// only) object "new".
void Deliver(const EventHandlers& handlers, const std::string& event) {
  if (event == "add") handlers.on_add(Named("new"));
  if (event == "update") handlers.on_update(Named("old"), Named("new"));
  if (event == "delete") handlers.on_delete(Named("new"));
}

TEST(ControllerLoopObjectHandlersTest,
     GivenEachEventWhenDeliveredThenTheFunctionSeesEveryObjectItCarries) {
  struct Row {
    const char* name;
    std::string event;
    UpdateObjects update;
    std::vector<std::string> want;
  };
  const Row rows[] = {
      {"add", "add", UpdateObjects::kNew, {"new"}},
      {"delete", "delete", UpdateObjects::kNew, {"new"}},
      {"update_new", "update", UpdateObjects::kNew, {"new"}},
      {"update_new_and_old", "update", UpdateObjects::kNewAndOld, {"new", "old"}},
      {"add_ignores_update_mode", "add", UpdateObjects::kNewAndOld, {"new"}},
      {"delete_ignores_update_mode", "delete", UpdateObjects::kNewAndOld, {"new"}},
  };
  for (const Row& row : rows) {
    std::vector<std::string> seen;
    const EventHandlers handlers = ObjectHandlers(
        [&](const json::Value& object) {
          seen.push_back(json::StringAt(object, {"metadata", "name"}));
        },
        row.update);
    Deliver(handlers, row.event);
    EXPECT_EQ(seen, row.want) << row.name;
  }
}

TEST(ControllerLoopObjectHandlersTest, GivenNoFunctionThenTheHandlersAreEmpty) {
  const EventHandlers handlers = ObjectHandlers(nullptr);
  EXPECT_FALSE(handlers.on_add);
  EXPECT_FALSE(handlers.on_update);
  EXPECT_FALSE(handlers.on_delete);
}

TEST(ControllerLoopWhileRunningTest, GivenALiveOwnerAndLoopThenEveryEventReachesItsHandler) {
  ControllerLoop loop(Options(), [](const std::string&) { return SyncOutcome{}; });
  auto owner = std::make_shared<int>(0);
  std::vector<std::string> seen;
  const EventHandlers handlers = WhileRunning(
      owner, loop,
      EventHandlers{
          .on_add = [&](const json::Value&) { seen.push_back("add"); },
          .on_update = [&](const json::Value&, const json::Value&) { seen.push_back("update"); },
          .on_delete = [&](const json::Value&) { seen.push_back("delete"); },
      });
  for (const std::string event : {"add", "update", "delete"}) Deliver(handlers, event);
  EXPECT_EQ(seen, (std::vector<std::string>{"add", "update", "delete"}));
}

TEST(ControllerLoopWhileRunningTest,
     GivenAStoppingLoopOrAGoneOwnerWhenEventsArriveThenNoHandlerRuns) {
  for (const bool stop_loop : {true, false}) {
    ControllerLoop loop(Options(), [](const std::string&) { return SyncOutcome{}; });
    auto owner = std::make_shared<int>(0);
    int calls = 0;
    const EventHandlers handlers = WhileRunning(
        owner, loop, ObjectHandlers([&](const json::Value&) { ++calls; }, UpdateObjects::kNew));
    if (stop_loop) {
      loop.Stop();
    } else {
      owner.reset();
    }
    for (const std::string event : {"add", "update", "delete"}) Deliver(handlers, event);
    EXPECT_EQ(calls, 0) << (stop_loop ? "loop stopped" : "owner gone");
  }
}

TEST(ControllerLoopWhileRunningTest,
     GivenAHandlerRunningWhenTheLastOtherReferenceGoesThenTheOwnerLivesOn) {
  ControllerLoop loop(Options(), [](const std::string&) { return SyncOutcome{}; });
  auto owner = std::make_shared<int>(0);
  const std::weak_ptr<int> watch = owner;
  bool alive_during_call = false;
  const EventHandlers handlers = WhileRunning(owner, loop, ObjectHandlers([&](const json::Value&) {
                                                owner.reset();
                                                alive_during_call = !watch.expired();
                                              }));
  handlers.on_add(Named("new"));
  EXPECT_TRUE(alive_during_call);
  EXPECT_TRUE(watch.expired()) << "released after the call";
}

TEST(ControllerLoopWhileRunningTest, GivenEmptyMembersThenTheyStayEmpty) {
  ControllerLoop loop(Options(), [](const std::string&) { return SyncOutcome{}; });
  auto owner = std::make_shared<int>(0);
  const EventHandlers handlers =
      WhileRunning(owner, loop, EventHandlers{.on_add = [](const json::Value&) {}});
  EXPECT_TRUE(handlers.on_add);
  EXPECT_FALSE(handlers.on_update);
  EXPECT_FALSE(handlers.on_delete);
}

}  // namespace
}  // namespace devflow::kube
