#include "kube/leader_election.h"

#include <gtest/gtest.h>

#include <atomic>
#include <deque>
#include <future>
#include <map>
#include <thread>

#include "common/eventually_testing.h"

namespace devflow::kube {
namespace {

using devflow::testing::Eventually;

using std::chrono::milliseconds;
using std::chrono::seconds;

// The API server's copy of one Lease, shared by the contenders' locks: resourceVersion checks
// and injected failures. Thread-safe.
class FakeLeaseStore {
 public:
  std::optional<api::Lease> lease() const {
    std::lock_guard<std::mutex> l(mu_);
    return lease_;
  }
  // Writes `spec` as another process would (no precondition).
  void Put(api::LeaseSpec spec) {
    std::lock_guard<std::mutex> l(mu_);
    api::Lease lease;
    lease.api_version = "coordination.k8s.io/v1";
    lease.kind = "Lease";
    lease.metadata.namespace_ = "devflow-system";
    lease.metadata.name = "devflow-controller";
    lease.spec = std::move(spec);
    lease.metadata.resource_version = std::to_string(++rv_);
    lease_ = std::move(lease);
  }
  void FailNext(std::string verb, Status status) {
    std::lock_guard<std::mutex> l(mu_);
    failures_[verb].push_back(std::move(status));
  }
  // Every write fails with `status` while set.
  void FailAllUpdates(std::optional<Status> status) {
    std::lock_guard<std::mutex> l(mu_);
    fail_all_updates_ = std::move(status);
  }
  int calls(const std::string& verb) const {
    std::lock_guard<std::mutex> l(mu_);
    auto it = calls_.find(verb);
    return it == calls_.end() ? 0 : it->second;
  }

  Result<api::Lease> Get() {
    std::lock_guard<std::mutex> l(mu_);
    if (auto s = Failure("get")) {
      return *s;
    }
    if (!lease_.has_value()) {
      return NotFoundError("leases \"devflow-controller\" not found");
    }
    return *lease_;
  }
  Result<api::Lease> Create(const api::Lease& lease) {
    std::lock_guard<std::mutex> l(mu_);
    if (auto s = Failure("create")) {
      return *s;
    }
    if (lease_.has_value()) {
      return AlreadyExistsError("leases \"devflow-controller\" already exists");
    }
    lease_ = lease;
    lease_->api_version = "coordination.k8s.io/v1";
    lease_->kind = "Lease";
    lease_->metadata.namespace_ = "devflow-system";
    lease_->metadata.name = "devflow-controller";
    lease_->metadata.resource_version = std::to_string(++rv_);
    return *lease_;
  }
  Result<api::Lease> Update(const api::Lease& lease) {
    std::lock_guard<std::mutex> l(mu_);
    if (auto s = Failure("update")) {
      return *s;
    }
    if (fail_all_updates_.has_value()) {
      return *fail_all_updates_;
    }
    if (!lease_.has_value()) {
      return NotFoundError("leases \"devflow-controller\" not found");
    }
    if (lease.metadata.resource_version != lease_->metadata.resource_version) {
      return ConflictError(
          "the object has been modified; please apply your changes to the latest version and try "
          "again");
    }
    lease_ = lease;
    lease_->metadata.resource_version = std::to_string(++rv_);
    return *lease_;
  }

 private:
  std::optional<Status> Failure(const std::string& verb) {
    ++calls_[verb];
    auto& queue = failures_[verb];
    if (queue.empty()) {
      return std::nullopt;
    }
    Status s = queue.front();
    queue.pop_front();
    return s;
  }

  mutable std::mutex mu_;
  std::optional<api::Lease> lease_;
  int64_t rv_ = 0;
  std::map<std::string, std::deque<Status>> failures_;
  std::map<std::string, int> calls_;
  std::optional<Status> fail_all_updates_;
};

class FakeLeaseLock : public LeaseLock {
 public:
  explicit FakeLeaseLock(FakeLeaseStore& store) : store_(store) {}
  Result<api::Lease> Get() override { return store_.Get(); }
  Result<api::Lease> Create(const api::Lease& lease) override { return store_.Create(lease); }
  Result<api::Lease> Update(const api::Lease& lease) override { return store_.Update(lease); }
  std::string Describe() const override { return "devflow-system/devflow-controller"; }

 private:
  FakeLeaseStore& store_;
};

api::MicroTime At(const ManualClock& clock) {
  return api::MicroTime{std::chrono::floor<std::chrono::microseconds>(clock.WallNow())};
}

api::LeaseSpec Held(std::string holder, api::MicroTime acquired, api::MicroTime renewed,
                    int transitions, int duration = 15) {
  api::LeaseSpec spec;
  spec.holder_identity = std::move(holder);
  spec.lease_duration_seconds = duration;
  spec.acquire_time = acquired;
  spec.renew_time = renewed;
  spec.lease_transitions = transitions;
  return spec;
}

std::unique_ptr<LeaderElector> NewElector(LeaseLock& lock, const Clock& clock, std::string id,
                                          LeaderElectionCallbacks callbacks = {},
                                          bool release_on_cancel = false) {
  LeaderElectionConfig config;
  config.identity = std::move(id);
  config.clock = &clock;
  config.random = [] { return 0.5; };
  config.callbacks = std::move(callbacks);
  config.release_on_cancel = release_on_cancel;
  auto elector = LeaderElector::Create(lock, std::move(config));
  EXPECT_TRUE(elector.ok()) << elector.error();
  return std::move(elector).value();
}

TEST(LeaderElectionConfigTest, RejectsWhatClientGoRejects) {
  struct Case {
    std::string name;
    std::function<void(LeaderElectionConfig&)> mutate;
    std::string want;  // "" when valid
  };
  const std::vector<Case> cases = {
      {"defaults", [](LeaderElectionConfig&) {}, ""},
      {"no identity", [](LeaderElectionConfig& c) { c.identity = ""; }, "identity is empty"},
      {"lease below a second",
       [](LeaderElectionConfig& c) { c.lease_duration = milliseconds(999); },
       "leaseDuration must be at least 1s"},
      {"zero retry", [](LeaderElectionConfig& c) { c.retry_period = milliseconds(0); },
       "renewDeadline and retryPeriod must be positive"},
      {"lease not above renew deadline",
       [](LeaderElectionConfig& c) { c.lease_duration = c.renew_deadline; },
       "leaseDuration must be greater than renewDeadline"},
      {"renew deadline within jittered retry",
       [](LeaderElectionConfig& c) { c.renew_deadline = milliseconds(2400); },
       "renewDeadline must be greater than retryPeriod*JitterFactor (1.2)"},
      {"renew deadline just above jittered retry",
       [](LeaderElectionConfig& c) { c.renew_deadline = milliseconds(2401); }, ""},
  };
  FakeLeaseStore store;
  FakeLeaseLock lock(store);
  for (const Case& c : cases) {
    LeaderElectionConfig config;
    config.identity = "a";
    c.mutate(config);
    auto got = LeaderElector::Create(lock, config);
    if (c.want.empty()) {
      EXPECT_TRUE(got.ok()) << c.name << ": " << got.error();
    } else {
      EXPECT_EQ(got.status(), InvalidArgumentError("leader election: " + c.want)) << c.name;
    }
  }
}

// One row: the Lease as stored (or absent), the contender's first round, time passing and
// another writer's change, then a second round whose outcome and written Lease are checked.
TEST(LeaderElectionTest, TryAcquireOrRenewFollowsTheLeaseProtocol) {
  ManualClock clock;
  const api::MicroTime t0 = At(clock);
  const api::MicroTime ancient{api::TimePoint(std::chrono::seconds(1000000000))};
  auto at = [&](std::chrono::nanoseconds d) {
    return api::MicroTime{t0.value + std::chrono::floor<std::chrono::microseconds>(d)};
  };
  struct Case {
    std::string name;
    std::optional<api::LeaseSpec> stored;
    bool first_round;                                      // a round at t0 before time passes
    std::chrono::nanoseconds advance;                      // before the checked round
    std::optional<api::LeaseSpec> other_writes;            // written by someone else before it
    std::vector<std::pair<std::string, Status>> failures;  // injected into the checked round
    bool want;
    std::optional<api::LeaseSpec> want_stored;
  };
  // The second round happens at t0 + advance.
  const std::vector<Case> cases = {
      {"an absent lease is created",
       std::nullopt,
       false,
       seconds(0),
       std::nullopt,
       {},
       true,
       Held("me", t0, t0, 0)},
      {"a lease held by another and just seen is left alone",
       Held("other", ancient, ancient, 3),
       false,
       seconds(0),
       std::nullopt,
       {},
       false,
       Held("other", ancient, ancient, 3)},
      {"expiry counts from when the record was seen, not its renewTime",
       Held("other", ancient, ancient, 3),
       true,
       milliseconds(14999),
       std::nullopt,
       {},
       false,
       Held("other", ancient, ancient, 3)},
      {"a record unchanged for the lease duration is taken over",
       Held("other", ancient, ancient, 3),
       true,
       seconds(15),
       std::nullopt,
       {},
       true,
       Held("me", at(seconds(15)), at(seconds(15)), 4)},
      {"the holder's own leaseDurationSeconds is the one waited for",
       Held("other", ancient, ancient, 3, 60),
       true,
       seconds(59),
       std::nullopt,
       {},
       false,
       Held("other", ancient, ancient, 3, 60)},
      {"a renewal by the holder restarts the wait",
       Held("other", ancient, ancient, 3),
       true,
       seconds(15),
       Held("other", ancient, at(seconds(10)), 3),
       {},
       false,
       Held("other", ancient, at(seconds(10)), 3)},
      {"a released lease is taken at once",
       Held("", ancient, ancient, 3, 1),
       false,
       seconds(0),
       std::nullopt,
       {},
       true,
       Held("me", t0, t0, 4)},
      {"our own lease is renewed keeping acquireTime and transitions",
       std::nullopt,
       true,
       seconds(2),
       std::nullopt,
       {},
       true,
       Held("me", t0, at(seconds(2)), 0)},
      {"our lease, taken over meanwhile, is not renewed",
       std::nullopt,
       true,
       seconds(2),
       Held("other", at(seconds(1)), at(seconds(1)), 1),
       {},
       false,
       Held("other", at(seconds(1)), at(seconds(1)), 1)},
      {"our lease is renewed by a full round when the quick update conflicts",
       std::nullopt,
       true,
       seconds(2),
       std::nullopt,
       {{"update", ConflictError("stale")}},
       true,
       Held("me", t0, at(seconds(2)), 0)},
      {"a conflict on taking over loses the round",
       Held("other", ancient, ancient, 3),
       true,
       seconds(15),
       std::nullopt,
       {{"update", ConflictError("stale")}},
       false,
       Held("other", ancient, ancient, 3)},
      {"losing the race to create loses the round",
       std::nullopt,
       false,
       seconds(0),
       std::nullopt,
       {{"create", AlreadyExistsError("exists")}},
       false,
       std::nullopt},
      {"a failed read loses the round",
       Held("", ancient, ancient, 3, 1),
       false,
       seconds(0),
       std::nullopt,
       {{"get", UnavailableError("connection refused")}},
       false,
       Held("", ancient, ancient, 3, 1)},
  };
  for (const Case& c : cases) {
    ManualClock row_clock;
    FakeLeaseStore store;
    FakeLeaseLock lock(store);
    if (c.stored.has_value()) {
      store.Put(*c.stored);
    }
    auto elector = NewElector(lock, row_clock, "me");
    if (c.first_round) {
      elector->TryAcquireOrRenew();
    }
    row_clock.Advance(c.advance);
    if (c.other_writes.has_value()) {
      store.Put(*c.other_writes);
    }
    for (const auto& [verb, status] : c.failures) {
      store.FailNext(verb, status);
    }
    EXPECT_EQ(elector->TryAcquireOrRenew(), c.want) << c.name;
    EXPECT_EQ(elector->IsLeader(), c.want) << c.name;
    std::optional<api::Lease> stored = store.lease();
    ASSERT_EQ(stored.has_value(), c.want_stored.has_value()) << c.name;
    if (stored.has_value()) {
      EXPECT_EQ(stored->spec, *c.want_stored) << c.name;
    }
  }
}

TEST(LeaderElectionTest, ReleaseClearsTheHolderKeepingTransitions) {
  ManualClock clock;
  FakeLeaseStore store;
  FakeLeaseLock lock(store);
  store.Put(Held("", At(clock), At(clock), 6, 1));
  auto elector = NewElector(lock, clock, "me");
  ASSERT_TRUE(elector->TryAcquireOrRenew());
  clock.Advance(seconds(3));
  ASSERT_TRUE(elector->Release());
  EXPECT_FALSE(elector->IsLeader());
  EXPECT_EQ(store.lease()->spec, Held("", At(clock), At(clock), 7, 1));
  EXPECT_TRUE(elector->Release()) << "releasing a lease not held is a no-op";
}

// Runs an elector on its own thread.
struct Contender {
  Contender(LeaseLock& lock, const Clock& clock, std::string id, bool release_on_cancel = false) {
    LeaderElectionCallbacks callbacks;
    callbacks.on_started_leading = [this] { ++started; };
    callbacks.on_stopped_leading = [this] { ++stopped; };
    callbacks.on_new_leader = [this](const std::string& leader) {
      std::lock_guard<std::mutex> l(mu);
      leaders.push_back(leader);
    };
    elector = NewElector(lock, clock, std::move(id), std::move(callbacks), release_on_cancel);
    thread = std::thread([this] { elector->Run(); });
  }
  ~Contender() { Kill(); }
  // Stops the elector and waits for Run to return.
  void Kill() {
    elector->Stop();
    if (thread.joinable()) {
      thread.join();
    }
  }
  std::vector<std::string> Leaders() {
    std::lock_guard<std::mutex> l(mu);
    return leaders;
  }

  std::atomic<int> started{0};
  std::atomic<int> stopped{0};
  std::mutex mu;
  std::vector<std::string> leaders;
  std::unique_ptr<LeaderElector> elector;
  std::thread thread;
};

// Discrete-event simulation of the contenders' time: waits until `sleepers` threads are all
// blocked on the clock, then advances it to the earliest of their deadlines, until `done`. Each
// contender therefore acts exactly at the times it asked for, however slowly its thread runs.
// False when the threads neither finish nor all go to sleep within 20 s of real time.
template <class F>
bool SimulateUntil(ManualClock& clock, size_t sleepers, F done) {
  while (!done()) {
    std::optional<Clock::TimePoint> wake;
    bool ok = Eventually([&] {
      if (done()) {
        return true;
      }
      std::vector<Clock::TimePoint> deadlines = clock.PendingDeadlines();
      if (deadlines.size() != sleepers || deadlines.front() <= clock.Now()) {
        return false;
      }
      wake = deadlines.front();
      return true;
    });
    if (!ok) {
      return false;
    }
    if (wake.has_value() && !done()) {
      clock.Advance(*wake - clock.Now());
    }
  }
  return true;
}

TEST(LeaderElectionTest, OfTwoContendersOneLeadsAndTheOtherTakesOverWhenItDies) {
  ManualClock clock;
  FakeLeaseStore store;
  FakeLeaseLock lock_a(store);
  FakeLeaseLock lock_b(store);
  Contender a(lock_a, clock, "a");
  ASSERT_TRUE(Eventually([&] { return a.started == 1; }));
  Contender b(lock_b, clock, "b");
  ASSERT_TRUE(Eventually([&] { return b.Leaders().size() == 1; }));
  EXPECT_EQ(b.Leaders(), std::vector<std::string>{"a"});

  // A minute passes: a renews every 2 s, b sees the record change and never leads.
  Clock::TimePoint minute_later = clock.Now() + seconds(60);
  ASSERT_TRUE(SimulateUntil(clock, 2, [&] { return clock.Now() >= minute_later; }));
  EXPECT_EQ(b.started, 0);
  EXPECT_EQ(a.started, 1);
  EXPECT_EQ(a.stopped, 0);
  EXPECT_GE(store.lease()->spec.renew_time->value,
            std::chrono::floor<std::chrono::microseconds>(clock.WallNow()) - seconds(2));

  // a dies without releasing: nothing renews the lease any more. b takes over one lease
  // duration after it last saw the record change, at its next round.
  a.Kill();
  api::TimePoint died = store.lease()->spec.renew_time->value;
  ASSERT_TRUE(SimulateUntil(clock, 1, [&] { return b.started == 1; }));
  api::LeaseSpec spec = store.lease()->spec;
  EXPECT_EQ(spec.holder_identity, "b");
  EXPECT_EQ(spec.lease_transitions, 1);
  EXPECT_GE(spec.acquire_time->value - died, seconds(15));
  // b saw the last renewal at its first round after it (up to one 3.2 s round late), and takes
  // over at its first round a lease duration after that (up to one round more).
  EXPECT_LE(spec.acquire_time->value - died, seconds(15) + milliseconds(2 * 3200));
  EXPECT_EQ(b.Leaders(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(a.stopped, 1);
}

TEST(LeaderElectionTest, ReleaseOnCancelLetsTheOtherTakeOverAtItsNextRound) {
  ManualClock clock;
  FakeLeaseStore store;
  FakeLeaseLock lock_a(store);
  FakeLeaseLock lock_b(store);
  Contender a(lock_a, clock, "a", /*release_on_cancel=*/true);
  ASSERT_TRUE(Eventually([&] { return a.started == 1; }));
  Contender b(lock_b, clock, "b");
  ASSERT_TRUE(Eventually([&] { return b.Leaders().size() == 1; }));
  a.Kill();
  EXPECT_EQ(a.stopped, 1);
  EXPECT_EQ(store.lease()->spec.holder_identity, "");
  EXPECT_EQ(a.Leaders(), (std::vector<std::string>{"a", ""}));
  Clock::TimePoint released = clock.Now();
  ASSERT_TRUE(SimulateUntil(clock, 1, [&] { return b.started == 1; }));
  EXPECT_LE(clock.Now() - released, milliseconds(3200)) << "b waited for the lease to expire";
  EXPECT_EQ(store.lease()->spec.lease_transitions, 1);
}

TEST(LeaderElectionTest, LeaderThatCannotRenewWithinTheDeadlineStopsLeading) {
  ManualClock clock;
  FakeLeaseStore store;
  FakeLeaseLock lock(store);
  Contender a(lock, clock, "a");
  ASSERT_TRUE(Eventually([&] { return a.started == 1; }));
  api::TimePoint last_renewal = store.lease()->spec.renew_time->value;
  store.FailAllUpdates(UnavailableError("connection refused"));
  ASSERT_TRUE(SimulateUntil(clock, 1, [&] { return a.stopped == 1; }));
  // The renewal due 2 s after the last one failed, and was retried for renew_deadline (10 s).
  EXPECT_EQ(std::chrono::floor<std::chrono::microseconds>(clock.WallNow()) - last_renewal,
            seconds(12));
  EXPECT_EQ(a.started, 1);
}

TEST(LeaderElectionTest, StopBeforeAcquiringCallsNoLeadershipCallback) {
  ManualClock clock;
  FakeLeaseStore store;
  FakeLeaseLock lock(store);
  store.Put(Held("other", At(clock), At(clock), 0));
  Contender a(lock, clock, "a");
  ASSERT_TRUE(Eventually([&] { return a.Leaders().size() == 1; }));
  a.Kill();
  EXPECT_EQ(a.started, 0);
  EXPECT_EQ(a.stopped, 0);
  EXPECT_EQ(a.Leaders(), std::vector<std::string>{"other"});
}

}  // namespace
}  // namespace devflow::kube
