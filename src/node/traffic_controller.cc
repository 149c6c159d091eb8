#include "node/traffic_controller.h"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <utility>

#include "api/decode.h"
#include "kube/event_recorder.h"
#include "kube/informer.h"
#include "kube/typed_client.h"

namespace devflow::node {
namespace {

template <class T>
std::vector<T> Decoded(const kube::Informer& informer) {
  std::vector<T> out;
  for (const json::Value& object : informer.cache().List()) out.push_back(api::Decode<T>(object));
  return out;
}

template <class T>
api::ObjectReference ReferenceTo(const T& object) {
  return api::ObjectReference{.kind = std::string(kube::KindOf<T>::kKind),
                              .namespace_ = object.metadata.namespace_,
                              .name = object.metadata.name,
                              .uid = object.metadata.uid,
                              .api_version = std::string(kube::KindOf<T>::kApiVersion),
                              .resource_version = object.metadata.resource_version};
}

// Writes `object` with `status` when that differs from its current one. Returns false only for
// a failure worth a retry: Conflict means a newer version is on its way through the informer,
// which brings another recomputation; NotFound means the object is gone.
template <class T, class S>
bool WriteStatus(kube::ApiClient& client, T object, S status, Status* error) {
  if (object.status == status) return true;
  object.status = std::move(status);
  Result<T> written = kube::TypedClient<T>(client).UpdateStatus(object.metadata.namespace_, object);
  if (written.ok()) return true;
  StatusCode code = written.error().code();
  if (code == StatusCode::kConflict || code == StatusCode::kNotFound) return true;
  *error = written.error();
  return false;
}

using ObjectName = std::pair<std::string, std::string>;

}  // namespace

TrafficController::TrafficController(kube::ApiClient& client, kube::InformerFactory& informers,
                                     ProxyManager& proxy, kube::EventRecorder& events,
                                     TrafficControllerOptions options)
    : client_(client),
      proxy_(proxy),
      events_(events),
      options_(std::move(options)),
      clock_(options_.clock != nullptr ? *options_.clock : kube::SystemClock()),
      services_(informers.For(kube::ResourceOf<api::Service>())),
      pods_(informers.For(kube::ResourceOf<api::Pod>())),
      gateways_(informers.For(kube::ResourceOf<api::Gateway>())),
      routes_(informers.For(kube::ResourceOf<api::HTTPRoute>())) {}

TrafficController::~TrafficController() { Stop(); }

void TrafficController::Start() {
  {
    std::lock_guard lock(mu_);
    if (started_) {
      std::fprintf(stderr, "devflow: TrafficController::Start called twice\n");
      std::abort();
    }
    started_ = true;
  }
  kube::EventHandlers handlers{
      .on_add = [this](const json::Value&) { Poke(); },
      .on_update = [this](const json::Value&, const json::Value&) { Poke(); },
      .on_delete = [this](const json::Value&) { Poke(); },
  };
  for (kube::Informer* informer : {&services_, &pods_, &gateways_, &routes_}) {
    informer->AddEventHandler(handlers);
  }
  worker_ = std::thread([this] { Run(); });
}

void TrafficController::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

Status TrafficController::LastError() const {
  std::lock_guard lock(mu_);
  return last_error_;
}

int64_t TrafficController::RecomputeCountForTest() const {
  std::lock_guard lock(mu_);
  return recomputes_;
}

int64_t TrafficController::ChangesForTest() const {
  std::lock_guard lock(mu_);
  return changes_;
}

int64_t TrafficController::ChangesConsideredForTest() const {
  std::lock_guard lock(mu_);
  return changes_considered_;
}

void TrafficController::Poke() {
  {
    std::lock_guard lock(mu_);
    dirty_ = true;
    ++changes_;
  }
  cv_.notify_all();
}

bool TrafficController::stopping() const {
  std::lock_guard lock(mu_);
  return stopping_;
}

void TrafficController::SetError(Status status) {
  std::lock_guard lock(mu_);
  last_error_ = std::move(status);
}

bool TrafficController::WaitForInformers() {
  for (kube::Informer* informer : {&services_, &pods_, &gateways_, &routes_}) {
    while (!informer->WaitForSync(std::chrono::milliseconds(100))) {
      if (stopping()) return false;
    }
  }
  return true;
}

void TrafficController::Run() {
  if (!WaitForInformers()) return;
  std::unique_lock lock(mu_);
  dirty_ = true;  // The first picture, even of an empty API.
  while (true) {
    while (!stopping_ && !dirty_) {
      if (!retry_at_.has_value()) {
        cv_.wait(lock);
      } else if (clock_.Now() >= *retry_at_) {
        dirty_ = true;
      } else {
        clock_.WaitUntil(cv_, lock, *retry_at_);
      }
    }
    // Let the rest of the burst arrive; later changes only keep dirty_ set.
    const kube::Clock::TimePoint deadline = clock_.Now() + options_.debounce;
    while (!stopping_ && clock_.Now() < deadline) clock_.WaitUntil(cv_, lock, deadline);
    if (stopping_) return;
    dirty_ = false;
    retry_at_.reset();
    // Informers update their caches before calling handlers, so the snapshot taken next holds
    // every change poked so far.
    const int64_t considering = changes_;
    lock.unlock();
    const bool retry = Reconcile();
    lock.lock();
    ++recomputes_;
    changes_considered_ = considering;
    if (retry) retry_at_ = clock_.Now() + options_.retry_interval;
  }
}

TrafficObjects TrafficController::Snapshot() const {
  return TrafficObjects{.services = Decoded<api::Service>(services_),
                        .pods = Decoded<api::Pod>(pods_),
                        .gateways = Decoded<api::Gateway>(gateways_),
                        .routes = Decoded<api::HTTPRoute>(routes_)};
}

bool TrafficController::Reconcile() {
  const TrafficObjects objects = Snapshot();
  Translation translation =
      Translate(objects, TranslateOptions{.bind_address = options_.bind_address});
  // Problems may clear without any change here (another program frees its port), so a state
  // with problems is offered again at each retry.
  if (!last_applied_.has_value() || *last_applied_ != translation.state ||
      !last_problems_.empty()) {
    Result<std::vector<ListenerProblem>> problems = proxy_.Apply(translation.state);
    if (!problems.ok()) {
      last_applied_.reset();
      SetError(problems.error());
      return true;
    }
    last_applied_ = translation.state;
    last_problems_ = std::move(problems).value();
  }
  ApplyListenerProblems(last_problems_, translation);
  const bool written = WriteStatuses(objects, translation);
  RecordEvents(objects, translation);
  if (written) SetError(Status::Ok());
  return !written || !last_problems_.empty();
}

bool TrafficController::WriteStatuses(const TrafficObjects& objects,
                                      const Translation& translation) {
  // Condition times are whole seconds, as metav1.Time is written: a finer time would differ
  // from the stored one and look like a change.
  const api::Time now{std::chrono::time_point_cast<std::chrono::seconds>(
      std::chrono::time_point_cast<api::TimePoint::duration>(clock_.WallNow()))};
  std::map<ObjectName, const ServiceReport*> services;
  for (const ServiceReport& report : translation.services) {
    services[{report.namespace_, report.name}] = &report;
  }
  std::map<ObjectName, const GatewayReport*> gateways;
  for (const GatewayReport& report : translation.gateways) {
    gateways[{report.namespace_, report.name}] = &report;
  }
  std::map<ObjectName, const RouteReport*> routes;
  for (const RouteReport& report : translation.routes) {
    routes[{report.namespace_, report.name}] = &report;
  }
  bool ok = true;
  Status error;
  for (const api::Service& service : objects.services) {
    auto it = services.find({service.metadata.namespace_, service.metadata.name});
    if (it == services.end()) continue;
    ok = WriteStatus(client_, service, ServiceStatusFor(service, *it->second, now), &error) && ok;
  }
  for (const api::Gateway& gateway : objects.gateways) {
    auto it = gateways.find({gateway.metadata.namespace_, gateway.metadata.name});
    if (it == gateways.end()) continue;
    ok = WriteStatus(client_, gateway, GatewayStatusFor(gateway, *it->second, now), &error) && ok;
  }
  for (const api::HTTPRoute& route : objects.routes) {
    auto it = routes.find({route.metadata.namespace_, route.metadata.name});
    if (it == routes.end() || it->second->parents.empty()) continue;
    ok = WriteStatus(client_, route, RouteStatusFor(route, *it->second, now), &error) && ok;
  }
  if (!ok) SetError(error);
  return ok;
}

void TrafficController::RecordEvents(const TrafficObjects& objects,
                                     const Translation& translation) {
  std::set<std::string> current;
  auto record = [&](const api::ObjectReference& object, const std::string& reason,
                    const std::string& listener, const std::string& message) {
    std::string key = object.kind + " " + object.namespace_ + "/" + object.name + " " + listener +
                      " " + reason + " " + message;
    if (!reported_.contains(key)) {
      events_.Record(object, kube::EventType::kWarning, reason, message);
    }
    current.insert(std::move(key));
  };
  for (const api::Service& service : objects.services) {
    for (const ServiceReport& report : translation.services) {
      if (report.namespace_ != service.metadata.namespace_ ||
          report.name != service.metadata.name) {
        continue;
      }
      for (const ListenerIssue& issue : report.problems) {
        record(ReferenceTo(service), issue.reason, issue.listener, issue.message);
      }
    }
  }
  for (const api::Gateway& gateway : objects.gateways) {
    for (const GatewayReport& report : translation.gateways) {
      if (report.namespace_ != gateway.metadata.namespace_ ||
          report.name != gateway.metadata.name) {
        continue;
      }
      for (const GatewayListenerReport& listener : report.listeners) {
        for (const api::MetaCondition& condition : listener.conditions) {
          if (condition.type == "Accepted" && condition.reason == "PortUnavailable") {
            record(ReferenceTo(gateway), "PortUnavailable", listener.name, condition.message);
          }
        }
      }
    }
  }
  // A problem that clears and comes back is told again.
  reported_ = std::move(current);
}

}  // namespace devflow::node
