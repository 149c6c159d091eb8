// ProviderRegistry: which MetricProvider measures a metric, keyed by the manifest's own field
// name under spec.metrics[].provider (`prometheus`, `web`, ...), as Envoy's registry is keyed by
// name() and unlike Argo's growing if/else in metricproviders/metricproviders.go.
//
// Registration is explicit, in one function: BuiltinProviderFactories() lists every provider
// devflow implements, one line each (key -> factory). A factory receives what providers may need
// (ProviderEnvironment: the API client for the job provider, the process environment for
// default addresses) and returns a configured provider. No static initializers.
//
// A metric whose provider devflow does not implement (kayenta, datadog, a plugin, ...) is not an
// invalid manifest (Argo accepts it); Find answers an error Status, which the analysis core
// records as an Error measurement, so the run errors after consecutiveErrorLimit like any
// unreachable provider.
//
// Thread-safety: a registry is immutable once built; Find may be called from any thread, and the
// providers it returns are stateless (each documents that Measure may run concurrently).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/metric_provider.h"
#include "api/analysis.h"
#include "common/result.h"

namespace devflow::kube {
class ApiClient;
}  // namespace devflow::kube

namespace devflow::analysis::providers {

// What factories may use to build a provider.
struct ProviderEnvironment {
  // The API server's client (the job provider creates Jobs through it); may be null for
  // providers that do not need it. Must outlive the providers built from it.
  kube::ApiClient* client = nullptr;
  // Reads an environment variable ("" when unset), e.g. ARGO_ROLLOUTS_PROMETHEUS_ADDRESS.
  // Null reads nothing (every variable unset).
  std::function<std::string(std::string_view name)> getenv;
  // The one-machine data plane's HAProxy runtime socket (`devflow serve` with its runtime), the
  // haproxy provider's default; empty elsewhere.
  std::string haproxy_socket;

  // An environment reading the process's variables (std::getenv), with `client`.
  static ProviderEnvironment FromProcess(kube::ApiClient* client);
  // The variable `name` through getenv, "" when getenv is null or the variable unset.
  std::string Get(std::string_view name) const;
};

// Builds one provider; null when it cannot work in `env` (the job provider without an API
// client), in which case the registry does not offer it.
using ProviderFactory = std::function<std::unique_ptr<MetricProvider>(const ProviderEnvironment&)>;

// Every provider devflow implements, by manifest key (haproxy, job, judge, prometheus, web). Adding
// a provider is one line here.
std::map<std::string, ProviderFactory, std::less<>> BuiltinProviderFactories();

// Thread-safe after construction; owns its providers.
class ProviderRegistry {
 public:
  // Builds each factory's provider once, from `env`.
  explicit ProviderRegistry(const ProviderEnvironment& env,
                            const std::map<std::string, ProviderFactory, std::less<>>& factories =
                                BuiltinProviderFactories());
  ProviderRegistry(const ProviderRegistry&) = delete;
  ProviderRegistry& operator=(const ProviderRegistry&) = delete;

  // The provider measuring a metric whose provider block is `provider`; the pointer is owned by
  // the registry. Errors (InvalidArgument):
  //   no provider set        "metric sets no provider (devflow supports: prometheus, web)",
  //                          field path "provider";
  //   more than one set      "metric sets more than one provider: job, web", field path
  //                          "provider";
  //   one devflow lacks      "provider datadog is not supported by devflow (supported:
  //                          prometheus, web)", field path "provider.datadog" (for a plugin:
  //                          "provider plugin/<name>", the first plugin's name; an unknown key
  //                          kept in `extra` is named as it is written).
  Result<MetricProvider*> Find(const api::MetricProvider& provider) const;

  // The keys of the registered providers, sorted.
  std::vector<std::string> Names() const;

 private:
  std::map<std::string, std::unique_ptr<MetricProvider>, std::less<>> providers_;
};

}  // namespace devflow::analysis::providers
