#include "kube/api_error.h"

#include <utility>

#include "common/json_reader.h"

namespace devflow::kube {
namespace {

constexpr size_t kMaxBodyInMessage = 512;

std::string StringMember(const json::Value& object, std::string_view key) {
  const json::Value* v = object.Find(key);
  return v != nullptr && v->is_string() ? v->as_string() : std::string();
}

int IntMember(const json::Value& object, std::string_view key) {
  const json::Value* v = object.Find(key);
  return v != nullptr && v->is_int() ? static_cast<int>(v->as_int()) : 0;
}

// The HTTP code a reason stands for, for Statuses that carry no code.
int CodeForReason(std::string_view reason) {
  struct Entry {
    std::string_view reason;
    int code;
  };
  static constexpr Entry kReasons[] = {
      {"BadRequest", 400},
      {"Unauthorized", 401},
      {"Forbidden", 403},
      {"NotFound", 404},
      {"MethodNotAllowed", 405},
      {"NotAcceptable", 406},
      {"AlreadyExists", 409},
      {"Conflict", 409},
      {"Gone", 410},
      {"Expired", 410},
      {"RequestEntityTooLarge", 413},
      {"UnsupportedMediaType", 415},
      {"Invalid", 422},
      {"TooManyRequests", 429},
      {"InternalError", 500},
      {"ServerTimeout", 500},
      {"ServiceUnavailable", 503},
      {"Timeout", 504},
  };
  for (const Entry& entry : kReasons) {
    if (entry.reason == reason) return entry.code;
  }
  return 0;
}

Status FromCode(int code, std::string_view reason, std::string message, std::string field_path) {
  if (code == 409) {
    return reason == "AlreadyExists" ? AlreadyExistsError(std::move(message))
                                     : ConflictError(std::move(message));
  }
  switch (code) {
    case 400:
    case 415:
    case 422:
      return InvalidArgumentError(std::move(message), std::move(field_path));
    case 401:
      return UnauthenticatedError(std::move(message));
    case 403:
      return PermissionDeniedError(std::move(message));
    case 404:
      return NotFoundError(std::move(message));
    case 410:
      return GoneError(std::move(message));
    case 429:
      return UnavailableError(std::move(message));
    case 504:
      return DeadlineExceededError(std::move(message));
    default:
      break;
  }
  if (code >= 500 && code <= 599) return UnavailableError(std::move(message));
  if (code >= 400 && code <= 499) {
    return InvalidArgumentError(std::move(message), std::move(field_path));
  }
  return InternalError(std::move(message));
}

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

}  // namespace

std::optional<KubeStatus> ParseKubeStatus(const json::Value& value) {
  if (!value.is_object() || StringMember(value, "kind") != "Status") return std::nullopt;
  KubeStatus out;
  out.code = IntMember(value, "code");
  out.status = StringMember(value, "status");
  out.reason = StringMember(value, "reason");
  out.message = StringMember(value, "message");
  if (const json::Value* details = value.Find("details"); details && details->is_object()) {
    out.name = StringMember(*details, "name");
    out.kind = StringMember(*details, "kind");
    out.retry_after_seconds = IntMember(*details, "retryAfterSeconds");
    if (const json::Value* causes = details->Find("causes"); causes && causes->is_array()) {
      for (const json::Value& cause : causes->as_array()) {
        if (!cause.is_object()) continue;
        out.causes.push_back(StatusCause{.reason = StringMember(cause, "reason"),
                                         .message = StringMember(cause, "message"),
                                         .field = StringMember(cause, "field")});
      }
    }
  }
  return out;
}

Status ToStatus(const KubeStatus& status) {
  if (status.status == "Success") return Status::Ok();
  int code = status.code != 0 ? status.code : CodeForReason(status.reason);
  std::string message = status.message;
  if (message.empty()) {
    message = !status.reason.empty() ? status.reason : HttpReasonPhrase(code);
  }
  std::string field = status.causes.empty() ? std::string() : status.causes.front().field;
  return FromCode(code, status.reason, std::move(message), std::move(field));
}

Status ErrorFromResponse(int http_code, std::string_view body) {
  if (auto parsed = json::Parse(body); parsed.ok()) {
    if (std::optional<KubeStatus> status = ParseKubeStatus(*parsed)) {
      // The HTTP code is what the server did; a Status's own code may be absent or stale.
      status->code = http_code;
      status->status = "Failure";
      return ToStatus(*status);
    }
  }
  std::string message = Trim(body);
  if (message.size() > kMaxBodyInMessage) message = message.substr(0, kMaxBodyInMessage) + "...";
  if (message.empty()) message = HttpReasonPhrase(http_code);
  return FromCode(http_code, "", std::move(message), "");
}

std::string HttpReasonPhrase(int http_code) {
  switch (http_code) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 413:
      return "Content Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Content";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "HTTP " + std::to_string(http_code);
  }
}

}  // namespace devflow::kube
