// PrometheusClient: a small client for Prometheus' HTTP API (/api/v1/query and
// /api/v1/query_range), for the prometheus metric provider and the statistical judge.
//
// Answers are parsed into plain structs (QueryResult): the result type, the series with their
// labels and samples, and Prometheus' warnings. Sample values keep Prometheus' special values
// ("NaN", "+Inf", "-Inf") as the doubles they name.
//
// Errors (Status codes by what the caller should do):
//   InvalidArgument   Prometheus rejected the query (errorType bad_data), or a bad address;
//   DeadlineExceeded  the timeout elapsed, or Prometheus' own query timeout (errorType timeout);
//   Unavailable       Prometheus cannot be reached, answered canceled/unavailable, or answered
//                     HTTP 502/503/504 without a Prometheus body (a proxy in front of it);
//   NotFound          errorType not_found;
//   Internal          any other error answer (execution, internal), another HTTP error status
//                     without a Prometheus body, or a body that is not Prometheus' JSON.
// An error that Prometheus described reads "<errorType>: <error>", as the Go client writes it
// (and Argo records it): `bad_data: invalid parameter "query": 1:5: parse error: ...`.
//
// A client is immutable after Create; Query and QueryRange may be called from any thread.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/time.h"
#include "common/result.h"
#include "http/client.h"
#include "http/message.h"

namespace devflow::analysis::providers {

// One sample: when and what. Prometheus' times have millisecond precision.
struct PrometheusSample {
  api::TimePoint time;
  double value = 0;  // may be NaN or +-Inf
  // Note: NaN != NaN, so two samples holding NaN compare unequal.
  friend bool operator==(const PrometheusSample&, const PrometheusSample&) = default;
};

// One series: its labels (the "metric" object, __name__ included when Prometheus sends it)
// and its samples in time order (one for a vector, many for a matrix).
struct PrometheusSeries {
  std::map<std::string, std::string> labels;
  std::vector<PrometheusSample> samples;
  friend bool operator==(const PrometheusSeries&, const PrometheusSeries&) = default;
};

enum class PrometheusResultType { kScalar, kVector, kMatrix, kString };

// "scalar", "vector", "matrix", "string".
std::string_view PrometheusResultTypeName(PrometheusResultType type);

// A successful answer of /api/v1/query or /api/v1/query_range.
struct PrometheusQueryResult {
  PrometheusResultType type = PrometheusResultType::kVector;
  // kVector and kMatrix: the series, in the order Prometheus sent them.
  std::vector<PrometheusSeries> series;
  // kScalar: the scalar; kString: the time of the string.
  PrometheusSample scalar;
  std::string string_value;  // kString
  std::vector<std::string> warnings;
  friend bool operator==(const PrometheusQueryResult&, const PrometheusQueryResult&) = default;
};

// The time range of a range query. REQUIRES: step > 0.
struct PrometheusRange {
  api::TimePoint start;
  api::TimePoint end;
  std::chrono::nanoseconds step{0};
  friend bool operator==(const PrometheusRange&, const PrometheusRange&) = default;
};

struct PrometheusClientOptions {
  // The server's URL, "http(s)://host:port" with an optional path prefix
  // ("http://gateway/prometheus": requests go to /prometheus/api/v1/...).
  std::string address;
  // Sent with every request (e.g. Authorization); a repeated name is set once, last value wins.
  http::Headers headers;
  // HTTP basic authentication, when username is not empty (overrides an Authorization header).
  std::string basic_auth_username;
  std::string basic_auth_password;
  // Skip TLS certificate verification (provider.prometheus.insecure).
  bool insecure_skip_verify = false;
  // The whole request, connecting included.
  std::chrono::milliseconds timeout = std::chrono::seconds(30);
};

class PrometheusClient {
 public:
  using Options = PrometheusClientOptions;

  // Returns a client, or InvalidArgument when the address is not an http(s) URL with a host.
  static Result<std::unique_ptr<PrometheusClient>> Create(Options options);

  PrometheusClient(const PrometheusClient&) = delete;
  PrometheusClient& operator=(const PrometheusClient&) = delete;

  // Evaluates `query` at `time` (an instant query). Errors: see the top of the file.
  Result<PrometheusQueryResult> Query(std::string_view query, api::TimePoint time);

  // Evaluates `query` over `range` (a range query; the answer is a matrix). Errors: as Query.
  Result<PrometheusQueryResult> QueryRange(std::string_view query, const PrometheusRange& range);

  const Options& options() const { return options_; }

 private:
  PrometheusClient(Options options, std::unique_ptr<http::Client> http);
  Result<PrometheusQueryResult> Post(std::string_view path, std::string form);

  Options options_;
  std::unique_ptr<http::Client> http_;
};

// Parses Prometheus' answer to a query: `http_status` and `body` as received. Returns the
// result for {"status":"success",...}, and the errors of the top of the file otherwise: the
// error answer's "<errorType>: <error>", or for a body that is not Prometheus' JSON
// "server answered HTTP <status>: <start of body>" / "bad response from Prometheus: <why>".
Result<PrometheusQueryResult> ParsePrometheusResponse(int http_status, std::string_view body);

// Parses a sample value as Prometheus writes it: a decimal ("0.99", "1e+06"), "NaN", "+Inf",
// "-Inf" (Go's ParseFloat forms, "Inf" and "inf" included). InvalidArgument otherwise.
Result<double> ParsePrometheusValue(std::string_view text);

// Formats a value as Prometheus' Go model does (strconv.FormatFloat(v, 'f', -1, 64)), which
// Argo writes into measurement values: 0.99 -> "0.99", 1e6 -> "1000000", 1e-7 -> "0.0000001",
// NaN -> "NaN", +Inf -> "+Inf", -Inf -> "-Inf".
std::string FormatPrometheusValue(double value);

// Formats a time as the Go client sends it: Unix seconds with the fraction needed, e.g.
// "1700000000", "1700000000.25".
std::string FormatPrometheusTime(api::TimePoint time);

}  // namespace devflow::analysis::providers
