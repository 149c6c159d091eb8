#include "kube/controller_loop.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <mutex>
#include <thread>

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

}  // namespace
}  // namespace devflow::kube
