// TrafficController: keeps the data plane (a ProxyManager) serving what the Services, pods,
// Gateways and HTTPRoutes of the API say, and writes back what it could and could not do.
//
// It watches services, pods, gateways and httproutes in all namespaces through shared informers.
// Any change only marks the state dirty; one worker thread waits `debounce` after the first
// change of a burst (so a rollout step that rewrites a route while pods come and go is applied
// once), then recomputes the whole ProxyState from the informers' caches (Translate: cheap and
// pure) and calls ProxyManager::Apply only when the state differs from the last one applied.
// Nothing is computed before all four informers have synced: a partial picture (Services
// without their pods) would take endpoints out of a data plane that is serving them.
//
// Then, through the status subresource and only where something changed: Gateway conditions
// and listeners, HTTPRoute parents (controllerName devflow.io/gateway-controller), Service
// status.loadBalancer and its "Programmed" condition (traffic_translation.h). A listener that
// cannot be served (a port conflict between objects, or a port the manager reports taken) is
// also a Warning Event on its owner (reason PortConflict, PortInUse, UnsupportedProtocol or, for
// a Gateway, PortUnavailable), recorded when the problem appears. Nothing here aborts on bad
// input: problems become statuses and events.
//
// A failed Apply (the previous state stays in force) or status write, and listener problems the
// manager reported (the port may be freed later), bring a recomputation after retry_interval;
// a failed Apply is always retried, even with an unchanged state.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "kube/clock.h"
#include "node/proxy_manager.h"
#include "node/proxy_state.h"
#include "node/traffic_translation.h"

namespace devflow::kube {
class ApiClient;
class EventRecorder;
class Informer;
class InformerFactory;
}  // namespace devflow::kube

namespace devflow::node {

struct TrafficControllerOptions {
  // Where LoadBalancer ports, nodePorts and Gateway listeners listen (`devflow serve
  // --bind-address`).
  std::string bind_address = "127.0.0.1";
  // How long the worker waits after the first change of a burst before recomputing.
  std::chrono::milliseconds debounce{50};
  // When to recompute after a failure, or while the manager reports listener problems.
  std::chrono::milliseconds retry_interval{5000};
  // Debounce, retries and condition timestamps; null means kube::SystemClock(). Must outlive
  // the controller.
  const kube::Clock* clock = nullptr;
};

// Thread-safe. Owns its worker thread. `client`, `informers`, `proxy` and `events` must outlive
// it; the caller starts the informer factory (before or after Start).
class TrafficController {
 public:
  TrafficController(kube::ApiClient& client, kube::InformerFactory& informers, ProxyManager& proxy,
                    kube::EventRecorder& events, TrafficControllerOptions options = {});
  ~TrafficController();  // Stop()s.
  TrafficController(const TrafficController&) = delete;
  TrafficController& operator=(const TrafficController&) = delete;

  // Registers with the four informers and starts the worker. REQUIRES: not started before.
  void Start();
  // Stops the worker (waiting for a recomputation under way). Later changes are ignored; the
  // data plane keeps serving the last state applied. Idempotent.
  void Stop();

  // The most recent failure (Apply, or a status write), or ok after a later complete success.
  Status LastError() const;

  // Recomputations completed since Start, whether or not they applied anything.
  int64_t RecomputeCountForTest() const;
  // Informer events received so far, and how many of them the last completed recomputation had
  // seen (its picture includes every object change up to that event). Lets a test wait until a
  // change has been considered, then check that it brought no Apply.
  int64_t ChangesForTest() const;
  int64_t ChangesConsideredForTest() const;

 private:
  void Poke();
  void Run();
  bool WaitForInformers();
  // One recomputation; returns whether to recompute again after retry_interval.
  bool Reconcile();
  TrafficObjects Snapshot() const;
  // Writes the statuses that differ; returns false when a write failed for another reason
  // than a newer version (which the informers will bring) or the object's deletion.
  bool WriteStatuses(const TrafficObjects& objects, const Translation& translation);
  void RecordEvents(const TrafficObjects& objects, const Translation& translation);
  void SetError(Status status);
  bool stopping() const;

  kube::ApiClient& client_;
  ProxyManager& proxy_;
  kube::EventRecorder& events_;
  const TrafficControllerOptions options_;
  const kube::Clock& clock_;
  kube::Informer& services_;
  kube::Informer& pods_;
  kube::Informer& gateways_;
  kube::Informer& routes_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool started_ = false;                            // guarded by mu_
  bool stopping_ = false;                           // guarded by mu_
  bool dirty_ = false;                              // guarded by mu_
  std::optional<kube::Clock::TimePoint> retry_at_;  // guarded by mu_
  int64_t recomputes_ = 0;                          // guarded by mu_
  int64_t changes_ = 0;                             // guarded by mu_
  int64_t changes_considered_ = 0;                  // guarded by mu_
  Status last_error_;                               // guarded by mu_

  // Worker thread only.
  std::optional<ProxyState> last_applied_;
  std::vector<ListenerProblem> last_problems_;
  std::set<std::string> reported_;  // problems already recorded as events

  std::thread worker_;
};

}  // namespace devflow::node
