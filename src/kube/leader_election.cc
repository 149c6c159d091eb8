#include "kube/leader_election.h"

#include <cmath>

#include "api/core_kinds_codec.h"
#include "api/decode.h"
#include "kube/api_client.h"

namespace devflow::kube {
namespace {

const ResourceRef& LeasesResource() {
  static const ResourceRef* leases =
      new ResourceRef{"coordination.k8s.io", "v1", "leases", "Lease", true};
  return *leases;
}

class ApiLeaseLock : public LeaseLock {
 public:
  ApiLeaseLock(ApiClient& client, std::string ns, std::string name)
      : client_(client), ns_(std::move(ns)), name_(std::move(name)) {}

  Result<api::Lease> Get() override {
    DEVFLOW_ASSIGN_OR_RETURN(json::Value got, client_.Get(LeasesResource(), ns_, name_));
    return Decoded(got);
  }
  Result<api::Lease> Create(const api::Lease& lease) override {
    api::Lease named = lease;
    named.api_version = LeasesResource().ApiVersion();
    named.kind = LeasesResource().kind;
    named.metadata.name = name_;
    named.metadata.namespace_ = ns_;
    DEVFLOW_ASSIGN_OR_RETURN(json::Value created,
                             client_.Create(LeasesResource(), ns_, api::Encode(named)));
    return Decoded(created);
  }
  Result<api::Lease> Update(const api::Lease& lease) override {
    DEVFLOW_ASSIGN_OR_RETURN(json::Value updated,
                             client_.Update(LeasesResource(), ns_, api::Encode(lease)));
    return Decoded(updated);
  }
  std::string Describe() const override { return ns_ + "/" + name_; }

 private:
  Result<api::Lease> Decoded(const json::Value& value) const {
    api::FieldErrors errors;
    api::Lease lease = api::Decode<api::Lease>(value, &errors);
    if (!errors.empty()) {
      return InternalError("lease " + Describe() + ": " + errors.front().path.str() + ": " +
                           errors.front().message);
    }
    return lease;
  }

  ApiClient& client_;
  const std::string ns_;
  const std::string name_;
};

api::MicroTime ToMicroTime(Clock::WallTime t) {
  return api::MicroTime{std::chrono::floor<std::chrono::microseconds>(t)};
}

}  // namespace

std::unique_ptr<LeaseLock> NewLeaseLock(ApiClient& client, std::string ns, std::string name) {
  return std::make_unique<ApiLeaseLock>(client, std::move(ns), std::move(name));
}

Result<std::unique_ptr<LeaderElector>> LeaderElector::Create(LeaseLock& lock,
                                                             LeaderElectionConfig config) {
  using std::chrono::milliseconds;
  if (config.identity.empty()) {
    return InvalidArgumentError("leader election: identity is empty");
  }
  if (config.lease_duration < std::chrono::seconds(1)) {
    return InvalidArgumentError("leader election: leaseDuration must be at least 1s");
  }
  if (config.renew_deadline <= milliseconds(0) || config.retry_period <= milliseconds(0)) {
    return InvalidArgumentError("leader election: renewDeadline and retryPeriod must be positive");
  }
  if (config.lease_duration <= config.renew_deadline) {
    return InvalidArgumentError(
        "leader election: leaseDuration must be greater than renewDeadline");
  }
  if (static_cast<double>(config.renew_deadline.count()) <=
      kJitterFactor * static_cast<double>(config.retry_period.count())) {
    return InvalidArgumentError(
        "leader election: renewDeadline must be greater than retryPeriod*JitterFactor (1.2)");
  }
  return std::unique_ptr<LeaderElector>(new LeaderElector(lock, std::move(config)));
}

LeaderElector::LeaderElector(LeaseLock& lock, LeaderElectionConfig config)
    : lock_(lock),
      config_(std::move(config)),
      clock_(config_.clock != nullptr ? *config_.clock : SystemClock()),
      random_(config_.random ? config_.random : DefaultRandomSource()) {}

void LeaderElector::Observe(api::Lease lease, bool changed) {
  std::lock_guard<std::mutex> l(mu_);
  if (changed || !observed_.has_value() || !(observed_->spec == lease.spec)) {
    observed_time_ = clock_.Now();
  }
  observed_ = std::move(lease);
}

bool LeaderElector::LeaseValidLocked(Clock::TimePoint now) const {
  int32_t seconds = observed_->spec.lease_duration_seconds.value_or(0);
  return observed_time_ + std::chrono::seconds(seconds) > now;
}

bool LeaderElector::IsLeader() const {
  std::lock_guard<std::mutex> l(mu_);
  return observed_.has_value() && observed_->spec.holder_identity.value_or("") == config_.identity;
}

std::string LeaderElector::GetLeader() const {
  std::lock_guard<std::mutex> l(mu_);
  return observed_.has_value() ? observed_->spec.holder_identity.value_or("") : std::string();
}

api::LeaseSpec LeaderElector::NewRecord(api::MicroTime now) const {
  api::LeaseSpec spec;
  spec.holder_identity = config_.identity;
  spec.lease_duration_seconds = static_cast<int32_t>(
      std::chrono::duration_cast<std::chrono::seconds>(config_.lease_duration).count());
  spec.acquire_time = now;
  spec.renew_time = now;
  return spec;
}

bool LeaderElector::TryUpdate(api::Lease lease) {
  Result<api::Lease> updated = lock_.Update(lease);
  if (!updated.ok()) {
    return false;
  }
  // The record is ours: it changed (a new renewTime), so the local observation restarts now.
  Observe(std::move(*updated), /*changed=*/true);
  return true;
}

bool LeaderElector::TryAcquireOrRenew() {
  api::MicroTime now = ToMicroTime(clock_.WallNow());
  api::LeaseSpec record = NewRecord(now);

  // Fast path: a leader whose lease is still valid writes over the version it last wrote.
  std::optional<api::Lease> fast;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (observed_.has_value() && observed_->spec.holder_identity.value_or("") == config_.identity &&
        LeaseValidLocked(clock_.Now())) {
      fast = *observed_;
    }
  }
  if (fast.has_value()) {
    api::Lease lease = *fast;
    api::LeaseSpec old = lease.spec;
    lease.spec = record;
    lease.spec.acquire_time = old.acquire_time;
    lease.spec.lease_transitions = old.lease_transitions;
    lease.spec.extra = old.extra;
    if (TryUpdate(std::move(lease))) {
      return true;
    }
  }

  Result<api::Lease> got = lock_.Get();
  if (!got.ok()) {
    if (got.error().code() != StatusCode::kNotFound) {
      return false;
    }
    api::Lease lease;
    lease.spec = record;
    lease.spec.lease_transitions = 0;
    Result<api::Lease> created = lock_.Create(lease);
    if (!created.ok()) {
      return false;
    }
    Observe(std::move(*created), /*changed=*/true);
    return true;
  }

  Observe(*got, /*changed=*/false);
  bool leader;
  {
    std::lock_guard<std::mutex> l(mu_);
    const std::string holder = observed_->spec.holder_identity.value_or("");
    leader = holder == config_.identity;
    if (!holder.empty() && !leader && LeaseValidLocked(clock_.Now())) {
      return false;
    }
  }

  api::Lease lease = std::move(*got);
  api::LeaseSpec old = lease.spec;
  lease.spec = record;
  lease.spec.extra = old.extra;
  if (leader) {
    lease.spec.acquire_time = old.acquire_time;
    lease.spec.lease_transitions = old.lease_transitions;
  } else {
    lease.spec.lease_transitions = old.lease_transitions.value_or(0) + 1;
  }
  return TryUpdate(std::move(lease));
}

bool LeaderElector::Release() {
  std::optional<api::Lease> held;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (!observed_.has_value() ||
        observed_->spec.holder_identity.value_or("") != config_.identity) {
      return true;
    }
    held = *observed_;
  }
  api::MicroTime now = ToMicroTime(clock_.WallNow());
  api::Lease lease = std::move(*held);
  lease.spec.holder_identity = "";
  lease.spec.lease_duration_seconds = 1;
  lease.spec.acquire_time = now;
  lease.spec.renew_time = now;
  return TryUpdate(std::move(lease));
}

void LeaderElector::ReportTransition() {
  std::string leader = GetLeader();
  if (reported_leader_.has_value() && *reported_leader_ == leader) {
    return;
  }
  if (!reported_leader_.has_value() && leader.empty()) {
    return;  // Nothing observed yet, or an unheld lease: there is no leader to report.
  }
  reported_leader_ = leader;
  if (config_.callbacks.on_new_leader) {
    config_.callbacks.on_new_leader(leader);
  }
}

bool LeaderElector::stopped() const {
  std::lock_guard<std::mutex> l(mu_);
  return stopped_;
}

void LeaderElector::Stop() {
  std::lock_guard<std::mutex> l(mu_);
  stopped_ = true;
  cv_.notify_all();
}

bool LeaderElector::Wait(std::chrono::nanoseconds d) {
  Clock::TimePoint deadline = clock_.Now() + d;
  std::unique_lock<std::mutex> l(mu_);
  while (!stopped_ && clock_.Now() < deadline) {
    clock_.WaitUntil(cv_, l, deadline);
  }
  return !stopped_;
}

void LeaderElector::Run() {
  // Acquire: a round every retry_period, jittered so that contenders do not collide.
  while (true) {
    if (stopped()) {
      return;
    }
    bool acquired = TryAcquireOrRenew();
    ReportTransition();
    if (acquired) {
      break;
    }
    double jitter = 1.0 + random_() * kJitterFactor;
    auto wait = std::chrono::nanoseconds(static_cast<int64_t>(std::llround(
        static_cast<double>(std::chrono::nanoseconds(config_.retry_period).count()) * jitter)));
    if (!Wait(wait)) {
      return;
    }
  }
  if (config_.callbacks.on_started_leading) {
    config_.callbacks.on_started_leading();
  }

  // Renew: each renewal retries every retry_period until renew_deadline has passed.
  while (!stopped()) {
    Clock::TimePoint deadline = clock_.Now() + config_.renew_deadline;
    bool renewed = false;
    while (!stopped()) {
      renewed = TryAcquireOrRenew();
      ReportTransition();
      if (renewed) {
        break;
      }
      Clock::TimePoint now = clock_.Now();
      if (now >= deadline) {
        break;
      }
      Wait(std::min<std::chrono::nanoseconds>(config_.retry_period, deadline - now));
      if (clock_.Now() >= deadline) {
        break;
      }
    }
    if (!renewed || !Wait(config_.retry_period)) {
      break;
    }
  }
  if (config_.release_on_cancel) {
    Release();
    ReportTransition();
  }
  if (config_.callbacks.on_stopped_leading) {
    config_.callbacks.on_stopped_leading();
  }
}

}  // namespace devflow::kube
