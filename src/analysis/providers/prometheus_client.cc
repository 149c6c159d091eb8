#include "analysis/providers/prometheus_client.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <utility>

#include "api/core_kinds.h"
#include "common/json_reader.h"
#include "common/json_value.h"

namespace devflow::analysis::providers {
namespace {

constexpr size_t kBodyExcerpt = 200;

Status BadResponse(std::string why) {
  return InternalError("bad response from Prometheus: " + std::move(why));
}

// The Status for an error answer, by errorType (see the header).
Status ErrorAnswer(std::string_view type, std::string_view message) {
  std::string text = std::string(type) + ": " + std::string(message);
  if (type == "bad_data") return InvalidArgumentError(std::move(text));
  if (type == "timeout") return DeadlineExceededError(std::move(text));
  if (type == "canceled" || type == "unavailable") return UnavailableError(std::move(text));
  if (type == "not_found") return NotFoundError(std::move(text));
  return InternalError(std::move(text));
}

Status HttpErrorAnswer(int http_status, std::string_view body) {
  std::string text = "server answered HTTP " + std::to_string(http_status);
  if (!body.empty()) text += ": " + std::string(body.substr(0, kBodyExcerpt));
  if (http_status == 502 || http_status == 503 || http_status == 504) {
    return UnavailableError(std::move(text));
  }
  return InternalError(std::move(text));
}

// [<unix seconds>, "<value>"]; `where` names it in errors.
Result<std::pair<api::TimePoint, std::string>> ParsePair(const json::Value& v,
                                                         const std::string& where) {
  if (!v.is_array() || v.as_array().size() != 2 || !v.as_array()[0].is_number() ||
      !v.as_array()[1].is_string()) {
    return BadResponse(where + ": expected [<time>, \"<value>\"]");
  }
  const double seconds = v.as_array()[0].as_double();
  const auto millis = std::llround(seconds * 1000.0);
  return std::make_pair(api::TimePoint(std::chrono::milliseconds(millis)),
                        v.as_array()[1].as_string());
}

Result<PrometheusSample> ParseSample(const json::Value& v, const std::string& where) {
  DEVFLOW_ASSIGN_OR_RETURN(auto pair, ParsePair(v, where));
  Result<double> value = ParsePrometheusValue(pair.second);
  if (!value.ok()) return BadResponse(where + ": " + value.error().message());
  return PrometheusSample{.time = pair.first, .value = *value};
}

Result<PrometheusSeries> ParseSeries(const json::Value& v, const std::string& where, bool matrix) {
  PrometheusSeries series;
  if (const json::Value* metric = v.Find("metric"); metric != nullptr && metric->is_object()) {
    for (const json::Member& m : metric->as_object()) {
      if (m.value.is_string()) series.labels[m.key] = m.value.as_string();
    }
  }
  // Native histograms ("histogram", "histograms") carry no float samples: they are skipped.
  if (matrix) {
    if (const json::Value* values = v.Find("values"); values != nullptr) {
      if (!values->is_array()) return BadResponse(where + ".values: expected an array");
      for (size_t i = 0; i < values->as_array().size(); ++i) {
        DEVFLOW_ASSIGN_OR_RETURN(
            PrometheusSample sample,
            ParseSample(values->as_array()[i], where + ".values[" + std::to_string(i) + "]"));
        series.samples.push_back(sample);
      }
    }
  } else if (const json::Value* value = v.Find("value"); value != nullptr) {
    DEVFLOW_ASSIGN_OR_RETURN(PrometheusSample sample, ParseSample(*value, where + ".value"));
    series.samples.push_back(sample);
  }
  return series;
}

Result<PrometheusQueryResult> ParseData(const json::Value& data) {
  PrometheusQueryResult out;
  const std::string type = json::StringAt(data, {"resultType"});
  const json::Value* result = data.Find("result");
  if (result == nullptr) return BadResponse("data.result is missing");
  if (type == "scalar" || type == "string") {
    DEVFLOW_ASSIGN_OR_RETURN(auto pair, ParsePair(*result, "data.result"));
    if (type == "string") {
      out.type = PrometheusResultType::kString;
      out.scalar.time = pair.first;
      out.string_value = std::move(pair.second);
      return out;
    }
    out.type = PrometheusResultType::kScalar;
    DEVFLOW_ASSIGN_OR_RETURN(out.scalar, ParseSample(*result, "data.result"));
    return out;
  }
  if (type != "vector" && type != "matrix") {
    return BadResponse("unknown resultType \"" + type + "\"");
  }
  out.type = type == "vector" ? PrometheusResultType::kVector : PrometheusResultType::kMatrix;
  if (!result->is_array()) return BadResponse("data.result: expected an array");
  for (size_t i = 0; i < result->as_array().size(); ++i) {
    DEVFLOW_ASSIGN_OR_RETURN(
        PrometheusSeries series,
        ParseSeries(result->as_array()[i], "data.result[" + std::to_string(i) + "]",
                    out.type == PrometheusResultType::kMatrix));
    out.series.push_back(std::move(series));
  }
  return out;
}

std::string StripTrailingSlashes(std::string s) {
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

bool IsHttpUrl(std::string_view address) {
  std::string_view rest;
  if (address.starts_with("http://")) {
    rest = address.substr(7);
  } else if (address.starts_with("https://")) {
    rest = address.substr(8);
  } else {
    return false;
  }
  const size_t host_end = rest.find_first_of("/?#");
  return host_end != 0 && !rest.empty();
}

}  // namespace

std::string_view PrometheusResultTypeName(PrometheusResultType type) {
  switch (type) {
    case PrometheusResultType::kScalar:
      return "scalar";
    case PrometheusResultType::kVector:
      return "vector";
    case PrometheusResultType::kMatrix:
      return "matrix";
    case PrometheusResultType::kString:
      return "string";
  }
  return "unknown";
}

Result<double> ParsePrometheusValue(std::string_view text) {
  std::string_view digits = text;
  if (digits.size() > 1 && digits.front() == '+' && digits[1] != '+' && digits[1] != '-') {
    digits.remove_prefix(1);
  }
  double value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  // A value out of range is what Go's ParseFloat calls ±Inf (with an error): refuse it too.
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
    return InvalidArgumentError("invalid sample value \"" + std::string(text) + "\"");
  }
  return value;
}

std::string FormatPrometheusValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buf[400];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed);
  return std::string(buf, ec == std::errc() ? end : buf);
}

std::string FormatPrometheusTime(api::TimePoint time) {
  const int64_t micros = time.time_since_epoch().count();
  int64_t seconds = micros / 1'000'000;
  int64_t fraction = micros % 1'000'000;
  if (fraction < 0) {
    fraction += 1'000'000;
    --seconds;
  }
  std::string out = std::to_string(seconds);
  if (fraction == 0) return out;
  char buf[8];
  std::snprintf(buf, sizeof buf, "%06lld", static_cast<long long>(fraction));
  std::string digits(buf);
  while (digits.back() == '0') digits.pop_back();
  return out + "." + digits;
}

Result<PrometheusQueryResult> ParsePrometheusResponse(int http_status, std::string_view body) {
  const bool success_code = http_status / 100 == 2;
  Result<json::Value> parsed = json::Parse(body);
  if (!parsed.ok() || !parsed->is_object()) {
    if (!success_code) return HttpErrorAnswer(http_status, body);
    return BadResponse(parsed.ok() ? "the body is not a JSON object" : parsed.error().message());
  }
  const json::Value& doc = *parsed;
  const std::string status = json::StringAt(doc, {"status"});
  if (status == "error") {
    return ErrorAnswer(json::StringAt(doc, {"errorType"}), json::StringAt(doc, {"error"}));
  }
  if (status != "success") {
    if (!success_code) return HttpErrorAnswer(http_status, body);
    return BadResponse("unknown status \"" + status + "\"");
  }
  if (!success_code) {
    return BadResponse("status success with HTTP " + std::to_string(http_status));
  }
  const json::Value* data = doc.Find("data");
  if (data == nullptr || !data->is_object()) return BadResponse("data is missing");
  DEVFLOW_ASSIGN_OR_RETURN(PrometheusQueryResult result, ParseData(*data));
  if (const json::Value* warnings = doc.Find("warnings"); warnings && warnings->is_array()) {
    for (const json::Value& w : warnings->as_array()) {
      if (w.is_string()) result.warnings.push_back(w.as_string());
    }
  }
  return result;
}

Result<std::unique_ptr<PrometheusClient>> PrometheusClient::Create(Options options) {
  if (!IsHttpUrl(options.address)) {
    return InvalidArgumentError("prometheus address \"" + options.address +
                                "\" is not a URL (expected http://host:port or https://...)");
  }
  http::ClientOptions http_options;
  http_options.base_url = StripTrailingSlashes(options.address);
  http_options.insecure_skip_verify = options.insecure_skip_verify;
  http_options.request_timeout = options.timeout;
  http_options.connect_timeout =
      std::min<std::chrono::milliseconds>(options.timeout, http_options.connect_timeout);
  DEVFLOW_ASSIGN_OR_RETURN(std::unique_ptr<http::Client> http,
                           http::Client::Create(std::move(http_options)));
  return std::unique_ptr<PrometheusClient>(
      new PrometheusClient(std::move(options), std::move(http)));
}

PrometheusClient::PrometheusClient(Options options, std::unique_ptr<http::Client> http)
    : options_(std::move(options)), http_(std::move(http)) {}

Result<PrometheusQueryResult> PrometheusClient::Query(std::string_view query, api::TimePoint time) {
  std::string form = "query=" + http::QueryEscape(query) + "&time=" + FormatPrometheusTime(time);
  return Post("/api/v1/query", std::move(form));
}

Result<PrometheusQueryResult> PrometheusClient::QueryRange(std::string_view query,
                                                           const PrometheusRange& range) {
  const double step_seconds = std::chrono::duration<double>(range.step).count();
  std::string form =
      "query=" + http::QueryEscape(query) + "&start=" + FormatPrometheusTime(range.start) +
      "&end=" + FormatPrometheusTime(range.end) + "&step=" + FormatPrometheusValue(step_seconds);
  return Post("/api/v1/query_range", std::move(form));
}

Result<PrometheusQueryResult> PrometheusClient::Post(std::string_view path, std::string form) {
  // POST with a form, as the Go client does first: long queries do not hit URL limits.
  http::Request request;
  request.method = "POST";
  request.target = std::string(path);
  for (const auto& [name, value] : options_.headers) http::SetHeader(request.headers, name, value);
  if (!options_.basic_auth_username.empty()) {
    http::SetHeader(request.headers, "Authorization",
                    "Basic " + api::EncodeBase64(options_.basic_auth_username + ":" +
                                                 options_.basic_auth_password));
  }
  http::SetHeader(request.headers, "Content-Type", "application/x-www-form-urlencoded");
  request.body = std::move(form);
  Result<http::Response> response = http_->Send(request);
  if (!response.ok()) {
    return response.error().WithContext("querying Prometheus at " + options_.address);
  }
  return ParsePrometheusResponse(response->status, response->body);
}

}  // namespace devflow::analysis::providers
