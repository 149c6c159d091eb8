// WebProvider: the MetricProvider for `provider.web` (spec §5.6).
//
// A measurement is one HTTP request: method GET (default), POST or PUT to `url`, with
// `headers`, and for POST/PUT a `body` or a `jsonBody` (sent compact, with Content-Type
// application/json). `timeoutSeconds` (default 10) bounds the whole request; `insecure` skips
// TLS verification. The answer becomes a Reading as Argo Rollouts shapes it:
//   non-2xx          -> error "received non 2xx response code: <N>"
//   a JSON body      -> queried with `jsonPath` (default "{$}", json_path.h); the first match is
//                       the result and its Go JSON encoding (EncodeGoJson) the value
//   no match         -> error "result of web metric produced no value"
//   a non-JSON body  -> the raw text is both result and value
// Difference from Argo: Argo marks a measurement with a non-JSON body Successful without
// evaluating the conditions; here the conditions judge the text like any other result.
//
// The provider is stateless (a client per measurement), so Measure may be called from several
// threads at once.
#pragma once

#include <string>
#include <string_view>

#include "analysis/metric_provider.h"
#include "analysis/providers/json_path.h"
#include "api/analysis.h"
#include "common/json_value.h"
#include "common/result.h"
#include "http/message.h"

namespace devflow::analysis::providers {

class WebProvider : public MetricProvider {
 public:
  // Takes one measurement of request.metric.provider.web. Errors: InvalidArgument with the field
  // path for a configuration that cannot be sent (see WebRequestFor, a jsonPath that does not
  // parse, oauth2 authentication); http::Client's DeadlineExceeded / Unavailable (with the URL
  // as context); then WebReading's errors.
  Result<Reading> Measure(const MeasurementRequest& request) override;
};

// A URL split for http::Client: "https://host:8443" and "/path?query".
struct WebUrl {
  std::string base_url;  // scheme and authority, without user information
  std::string target;    // path (at least "/") and query; the fragment is dropped
  // User information of the URL ("user:pass@host"), sent as basic authentication as Go does.
  std::string username;
  std::string password;
  friend bool operator==(const WebUrl&, const WebUrl&) = default;
};

// Splits `url`. InvalidArgument (field path provider.web.url) when it is not an http or https
// URL with a host.
Result<WebUrl> SplitWebUrl(std::string_view url);

// The request `web` describes (target relative to the URL's base): method, headers (a repeated
// name keeps its last value, as Go's Header.Set), Authorization from the URL's user
// information, body for POST/PUT (jsonBody wins over body; Content-Type application/json).
// InvalidArgument (field path provider.web.method) for a method other than GET, POST or PUT, and
// SplitWebUrl's errors.
Result<http::Request> WebRequestFor(const api::WebMetric& web);

// Shapes an answer (see the file comment). Errors: FailedPrecondition for a non-2xx status
// (Unavailable for 5xx), InvalidArgument "Could not find JSONPath in body: <why>" when `path`
// fails on the document, InvalidArgument when it matches nothing.
Result<Reading> WebReading(int http_status, std::string_view body, const JsonPath& path);

// Encodes `value` as Go's encoding/json Marshal does for the decoded document: object keys
// sorted, numbers in Go's float64 form (1 -> "1", 0.5 -> "0.5", 1e21 -> "1e+21",
// 1e-7 -> "1e-7"), '<', '>', '&', U+2028 and U+2029 escaped as \u003c..., no whitespace.
std::string EncodeGoJson(const json::Value& value);

}  // namespace devflow::analysis::providers
