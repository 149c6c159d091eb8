// PrometheusProvider: the MetricProvider for `provider.prometheus` (spec §5.6).
//
// A measurement is one query: an instant query at the request's `now`, or, with rangeQuery, a
// range query whose start and end are condition-language expressions evaluated at `now`
// (`now() - duration("5m")`). The answer becomes a Reading shaped as Argo Rollouts shapes it:
//   scalar  -> result 0.99 (a number),            value "0.99"
//   vector  -> result [0.99, 0.98] (series order), value "[0.99,0.98]"; empty: [] and "[]"
//   matrix  -> every sample of every series, flattened in series order, shaped as a vector
//   string  -> an error (Argo supports only the numeric types)
// Numbers are written as Prometheus' Go model writes them (FormatPrometheusValue: "1000000",
// "NaN", "+Inf"). metric_metadata["ResolvedPrometheusQuery"] holds the query; Prometheus'
// warnings go into metadata["warnings"] as `"first", "second"`.
//
// The provider is stateless (a client is made per measurement, as Argo does per reconcile), so
// Measure may be called from several threads at once.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "analysis/metric_provider.h"
#include "analysis/providers/prometheus_client.h"
#include "api/analysis.h"
#include "common/result.h"

namespace devflow::analysis::providers {

// The environment variable naming the Prometheus used when provider.prometheus.address is empty.
inline constexpr std::string_view kPrometheusAddressEnv = "ARGO_ROLLOUTS_PROMETHEUS_ADDRESS";
// The metric metadata key holding the query as sent (arguments substituted).
inline constexpr std::string_view kResolvedPrometheusQuery = "ResolvedPrometheusQuery";

struct PrometheusProviderOptions {
  // The address used when provider.prometheus.address is empty (kPrometheusAddressEnv's value).
  std::string default_address;

  // Options with default_address read from the process environment.
  static PrometheusProviderOptions FromEnvironment();
};

class PrometheusProvider : public MetricProvider {
 public:
  explicit PrometheusProvider(PrometheusProviderOptions options = {})
      : options_(std::move(options)) {}

  // Takes one measurement of request.metric.provider.prometheus. Errors: InvalidArgument with
  // the field path for a configuration that cannot be queried (no or bad address, bad
  // rangeQuery, unsupported authentication), then PrometheusClient's errors (see
  // prometheus_client.h), then InvalidArgument for a string result.
  Result<Reading> Measure(const MeasurementRequest& request) override;

 private:
  PrometheusProviderOptions options_;
};

// The client options for `metric`: its address, else `default_address`; its headers; basic
// auth from authentication.basicAuth; insecure; timeout (PrometheusTimeout: default 30 s).
// Errors (InvalidArgument, field path under "provider.prometheus"):
//   address      neither set ("prometheus address is not configured: set ... or ...") or not a
//                URL with scheme and host;
//   authentication.sigv4 / authentication.oauth2   not supported by devflow.
Result<PrometheusClientOptions> PrometheusClientOptionsFor(const api::PrometheusMetric& metric,
                                                           std::string_view default_address);

// Evaluates rangeQuery's start and end at `now` and parses its step (a Go duration). Errors
// (InvalidArgument, field path "provider.prometheus.rangeQuery.<field>"): an expression that
// does not compile or is not a time, a step that is not a positive duration, end before start.
Result<PrometheusRange> ResolvePrometheusRange(const api::PrometheusRangeQuery& range_query,
                                               api::TimePoint now);

// Shapes a query answer as Argo does (see the file comment); `query` fills the metadata.
// InvalidArgument for a string result.
Result<Reading> PrometheusReading(const PrometheusQueryResult& answer, std::string_view query);

}  // namespace devflow::analysis::providers
