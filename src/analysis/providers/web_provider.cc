#include "analysis/providers/web_provider.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <memory>
#include <utility>
#include <vector>

#include "api/analysis_defaults.h"
#include "api/core_kinds.h"
#include "common/json_reader.h"
#include "http/client.h"

namespace devflow::analysis::providers {
namespace {

constexpr std::string_view kPath = "provider.web";

std::string FieldPath(std::string_view field) {
  return std::string(kPath) + "." + std::string(field);
}

void AppendGoFloat(double f, std::string& out) {
  if (!std::isfinite(f)) {
    out += "null";  // Go refuses to encode these; the decoded document never holds them
    return;
  }
  const double abs = std::fabs(f);
  const bool exponent = abs != 0 && (abs < 1e-6 || abs >= 1e21);
  char buf[400];
  const auto [end, ec] =
      std::to_chars(buf, buf + sizeof buf, f,
                    exponent ? std::chars_format::scientific : std::chars_format::fixed);
  std::string text(buf, ec == std::errc() ? end : buf);
  if (exponent) {
    // Go writes e-07 as e-7 (but keeps e+21).
    const size_t n = text.size();
    if (n >= 4 && text[n - 4] == 'e' && text[n - 3] == '-' && text[n - 2] == '0') {
      text.erase(n - 2, 1);
    }
  }
  out += text;
}

void AppendGoString(std::string_view s, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '\b':
        out += "\\b";
        continue;
      case '\f':
        out += "\\f";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\r':
        out += "\\r";
        continue;
      case '\t':
        out += "\\t";
        continue;
      default:
        break;
    }
    if (c < 0x20 || c == '<' || c == '>' || c == '&') {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
      continue;
    }
    // U+2028 and U+2029 (E2 80 A8/A9) break JavaScript: Go escapes them.
    if (c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
        (static_cast<unsigned char>(s[i + 2]) & 0xFE) == 0xA8) {
      out += static_cast<unsigned char>(s[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
      i += 2;
      continue;
    }
    out += static_cast<char>(c);
  }
  out += '"';
}

void AppendGoJson(const json::Value& v, std::string& out) {
  switch (v.type()) {
    case json::Type::kNull:
      out += "null";
      return;
    case json::Type::kBool:
      out += v.as_bool() ? "true" : "false";
      return;
    case json::Type::kInt:
      out += std::to_string(v.as_int());
      return;
    case json::Type::kDouble:
      AppendGoFloat(v.as_double(), out);
      return;
    case json::Type::kString:
      AppendGoString(v.as_string(), out);
      return;
    case json::Type::kArray: {
      out += '[';
      bool first = true;
      for (const json::Value& e : v.as_array()) {
        if (!first) out += ',';
        first = false;
        AppendGoJson(e, out);
      }
      out += ']';
      return;
    }
    case json::Type::kObject: {
      std::vector<const json::Member*> members;
      for (const json::Member& m : v.as_object()) members.push_back(&m);
      std::sort(members.begin(), members.end(),
                [](const json::Member* a, const json::Member* b) { return a->key < b->key; });
      out += '{';
      bool first = true;
      for (const json::Member* m : members) {
        if (!first) out += ',';
        first = false;
        AppendGoString(m->key, out);
        out += ':';
        AppendGoJson(m->value, out);
      }
      out += '}';
      return;
    }
  }
}

Status NonSuccessStatus(int http_status) {
  std::string message = "received non 2xx response code: " + std::to_string(http_status);
  if (http_status >= 500) return UnavailableError(std::move(message));
  return FailedPreconditionError(std::move(message));
}

}  // namespace

std::string EncodeGoJson(const json::Value& value) {
  std::string out;
  AppendGoJson(value, out);
  return out;
}

Result<WebUrl> SplitWebUrl(std::string_view url) {
  auto bad = [&](std::string_view why) {
    return InvalidArgumentError(std::string(why) + ", got \"" + std::string(url) + "\"",
                                FieldPath("url"));
  };
  WebUrl out;
  std::string_view rest;
  std::string scheme;
  if (url.starts_with("http://")) {
    scheme = "http://";
  } else if (url.starts_with("https://")) {
    scheme = "https://";
  } else {
    return bad("must be an http:// or https:// URL");
  }
  rest = url.substr(scheme.size());
  if (const size_t hash = rest.find('#'); hash != std::string_view::npos) {
    rest = rest.substr(0, hash);
  }
  const size_t authority_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, authority_end);
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos) {
    const std::string_view user_info = authority.substr(0, at);
    authority = authority.substr(at + 1);
    const size_t colon = user_info.find(':');
    out.username = http::PercentDecode(user_info.substr(0, colon), false);
    if (colon != std::string_view::npos) {
      out.password = http::PercentDecode(user_info.substr(colon + 1), false);
    }
  }
  if (authority.empty()) return bad("must name a host");
  out.base_url = scheme + std::string(authority);
  const std::string_view target =
      authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  out.target = target.starts_with("/") ? std::string(target) : "/" + std::string(target);
  return out;
}

Result<http::Request> WebRequestFor(const api::WebMetric& web) {
  http::Request request;
  request.method = api::WebMethod(web);
  if (request.method != "GET" && request.method != "POST" && request.method != "PUT") {
    return InvalidArgumentError("must be GET, POST or PUT, got \"" + request.method + "\"",
                                FieldPath("method"));
  }
  DEVFLOW_ASSIGN_OR_RETURN(WebUrl url, SplitWebUrl(web.url));
  request.target = url.target;
  if (!url.username.empty()) {
    http::SetHeader(request.headers, "Authorization",
                    "Basic " + api::EncodeBase64(url.username + ":" + url.password));
  }
  for (const api::WebMetricHeader& header : web.headers) {
    http::SetHeader(request.headers, header.key, header.value);
  }
  if (request.method != "GET") {
    if (!web.json_body.is_null()) {
      request.body = json::Write(web.json_body);
      http::SetHeader(request.headers, "Content-Type", "application/json");
    } else {
      request.body = web.body;
    }
  }
  return request;
}

Result<Reading> WebReading(int http_status, std::string_view body, const JsonPath& path) {
  if (http_status < 200 || http_status >= 300) return NonSuccessStatus(http_status);
  Reading reading;
  Result<json::Value> document = json::Parse(body);
  if (!document.ok()) {
    reading.result = std::string(body);
    reading.value = std::string(body);
    return reading;
  }
  Result<std::optional<json::Value>> match = path.First(*document);
  if (!match.ok()) {
    return InvalidArgumentError("Could not find JSONPath in body: " + match.error().message(),
                                FieldPath("jsonPath"));
  }
  if (!match->has_value()) {
    return InvalidArgumentError("result of web metric produced no value", FieldPath("jsonPath"));
  }
  reading.value = EncodeGoJson(**match);
  reading.result = std::move(**match);
  return reading;
}

Result<Reading> WebProvider::Measure(const MeasurementRequest& request) {
  if (!request.metric.provider.web) return InvalidArgumentError("is not set", std::string(kPath));
  const api::WebMetric& web = *request.metric.provider.web;
  if (const json::Value* oauth2 = web.authentication.Find("oauth2");
      oauth2 != nullptr && !oauth2->is_null() &&
      !(oauth2->is_object() && oauth2->as_object().empty())) {
    return InvalidArgumentError("is not supported by devflow (use headers)",
                                FieldPath("authentication.oauth2"));
  }
  Result<JsonPath> path = JsonPath::Parse(api::JsonPath(web));
  if (!path.ok()) {
    return InvalidArgumentError("\"" + api::JsonPath(web) + "\": " + path.error().message(),
                                FieldPath("jsonPath"));
  }
  DEVFLOW_ASSIGN_OR_RETURN(http::Request http_request, WebRequestFor(web));
  DEVFLOW_ASSIGN_OR_RETURN(WebUrl url, SplitWebUrl(web.url));
  http::ClientOptions options;
  options.base_url = url.base_url;
  options.insecure_skip_verify = web.insecure;
  options.request_timeout = api::WebTimeout(web);
  options.connect_timeout =
      std::min<std::chrono::milliseconds>(options.request_timeout, options.connect_timeout);
  options.max_idle_connections = 0;  // one request per client
  DEVFLOW_ASSIGN_OR_RETURN(std::unique_ptr<http::Client> client,
                           http::Client::Create(std::move(options)));
  Result<http::Response> response = client->Send(http_request);
  if (!response.ok()) {
    return response.error().WithContext(http_request.method + " " + url.base_url +
                                        http_request.target);
  }
  return WebReading(response->status, response->body, *path);
}

}  // namespace devflow::analysis::providers
