// Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection package: of
// several processes running the same controllers against one API, one acts at a time, and when
// it dies another takes over within about one lease duration.
//
// The protocol (one round, TryAcquireOrRenew):
//   - the Lease is absent: create it holding it (leaseTransitions 0);
//   - it is held by another identity and its record (spec) has been seen unchanged for less than
//     leaseDurationSeconds *on our own monotonic clock*: do nothing. Expiry is judged from when
//     we last saw the record change, not from its renewTime, so clocks of different machines
//     need not agree (client-go does the same);
//   - otherwise (expired, released with an empty holderIdentity, or ours): write the record with
//     our identity and renewTime now, as an Update carrying the resourceVersion we read. When
//     taking over from another holder, acquireTime is now and leaseTransitions is incremented;
//     when renewing, both are kept. A Conflict means another contender wrote first: this round
//     is lost.
// A leader that already holds the lease first tries the update with the version it last wrote,
// without reading (client-go's fast path), and falls back to the full round on any error.
//
// Times written are RFC 3339 with microseconds (MicroTime), from the clock's wall face.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "api/core_kinds.h"
#include "common/result.h"
#include "kube/clock.h"

namespace devflow::kube {

class ApiClient;

// Reads and writes the one Lease an election uses. Implementations need not be thread-safe: an
// elector calls them from one thread at a time.
class LeaseLock {
 public:
  virtual ~LeaseLock() = default;
  // The Lease as stored. Errors: NotFound when it does not exist; others (Unavailable, ...).
  virtual Result<api::Lease> Get() = 0;
  // Creates the Lease with `lease`'s spec; the lock sets apiVersion, kind, metadata.name and
  // metadata.namespace. Returns it as stored. Errors: AlreadyExists when another contender
  // created it first; others.
  virtual Result<api::Lease> Create(const api::Lease& lease) = 0;
  // Replaces the Lease with `lease`, whose metadata.resourceVersion is the precondition. Returns
  // it as stored. Errors: Conflict when the stored Lease has changed since; NotFound; others.
  virtual Result<api::Lease> Update(const api::Lease& lease) = 0;
  // "namespace/name", for messages.
  virtual std::string Describe() const = 0;
};

// The Lease `ns`/`name` through `client`, which must outlive the lock.
std::unique_ptr<LeaseLock> NewLeaseLock(ApiClient& client, std::string ns, std::string name);

struct LeaderElectionCallbacks {
  // This process now leads. Called on the elector's thread, which renews the lease only after it
  // returns: start the work elsewhere and return.
  std::function<void()> on_started_leading;
  // This process no longer leads (the lease could not be renewed within renew_deadline, or Stop
  // was called). Called on the elector's thread, once, only after on_started_leading. The work
  // must stop at once: another process may be leading already. (client-go calls it even when
  // leadership was never acquired; devflow does not.)
  std::function<void()> on_stopped_leading;
  // The observed holder changed (including to this process, and to "" when a leader released).
  std::function<void(const std::string& identity)> on_new_leader;
};

struct LeaderElectionConfig {
  // This contender's identity (holderIdentity): unique per process, e.g. "host_<uuid>".
  std::string identity;
  // How long a non-leader waits, from when it last saw the record change, before taking over
  // (leaseDurationSeconds, whole seconds).
  std::chrono::milliseconds lease_duration{15000};
  // How long the leader keeps retrying a failed renewal before it gives up leading.
  std::chrono::milliseconds renew_deadline{10000};
  // The wait between rounds (acquisition rounds are jittered up to 1.2 times more).
  std::chrono::milliseconds retry_period{2000};
  // On Stop, a leader writes the Lease with an empty holderIdentity (and leaseDurationSeconds 1),
  // so that another contender takes over at its next round instead of after lease_duration.
  bool release_on_cancel = false;
  LeaderElectionCallbacks callbacks;
  // Null means SystemClock(). Must outlive the elector.
  const Clock* clock = nullptr;
  // Jitter of acquisition rounds; empty means DefaultRandomSource().
  RandomSource random;
};

// One contender. Thread-safe: Run on one thread; Stop, IsLeader and GetLeader from any.
class LeaderElector {
 public:
  // The factor by which acquisition rounds are jittered (client-go's JitterFactor).
  static constexpr double kJitterFactor = 1.2;

  // Checks `config` as client-go does. Errors (InvalidArgument): empty identity; a lease
  // duration, renew deadline or retry period below 1 s for the lease duration or not positive
  // for the others; lease_duration <= renew_deadline; renew_deadline <= kJitterFactor *
  // retry_period. `lock` must outlive the elector.
  static Result<std::unique_ptr<LeaderElector>> Create(LeaseLock& lock,
                                                       LeaderElectionConfig config);
  LeaderElector(const LeaderElector&) = delete;
  LeaderElector& operator=(const LeaderElector&) = delete;

  // Tries to acquire every retry_period (jittered) until it succeeds or Stop; then calls
  // on_started_leading and renews every retry_period until a renewal has failed for
  // renew_deadline or Stop; then (when release_on_cancel) releases and calls on_stopped_leading.
  // Returns when done: leadership is not sought again (a process that lost it should exit and
  // restart, as client-go's users do). Returns at once, without acquiring, after Stop.
  // REQUIRES: not called twice.
  void Run();
  // Makes Run return at its next wait (a lease call in progress completes first). Idempotent.
  void Stop();

  // One round of the protocol (see the top); true when the lease is ours afterwards. Run calls
  // it; exposed for callers that drive their own loop and for tests. REQUIRES: not concurrently
  // with Run or itself.
  bool TryAcquireOrRenew();
  // Writes the Lease with an empty holder if this process holds it. True when released (or not
  // held); false when the write failed. REQUIRES: as TryAcquireOrRenew.
  bool Release();

  // Whether the last record seen or written names this process.
  bool IsLeader() const;
  // The holder of the last record seen or written ("" when none).
  std::string GetLeader() const;

 private:
  LeaderElector(LeaseLock& lock, LeaderElectionConfig config);

  // Records `lease` as the last seen or written and, when its spec differs from the last, the
  // time of the change.
  void Observe(api::Lease lease, bool changed);
  bool LeaseValidLocked(Clock::TimePoint now) const;
  api::LeaseSpec NewRecord(api::MicroTime now) const;
  bool TryUpdate(api::Lease lease);
  void ReportTransition();
  // Waits `d` on the clock; false when stopped meanwhile.
  bool Wait(std::chrono::nanoseconds d);
  bool stopped() const;

  LeaseLock& lock_;
  const LeaderElectionConfig config_;
  const Clock& clock_;
  const RandomSource random_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopped_ = false;                        // guarded by mu_
  std::optional<api::Lease> observed_;          // guarded by mu_; the last Lease seen or written
  Clock::TimePoint observed_time_{};            // guarded by mu_; when its spec last changed
  std::optional<std::string> reported_leader_;  // Run's thread only
};

}  // namespace devflow::kube
