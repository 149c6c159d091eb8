#include "apiserver/api_status.h"

#include <utility>

namespace devflow::apiserver {
namespace {

ApiStatus Failure(int code, std::string reason, std::string message) {
  return ApiStatus{.success = false,
                   .code = code,
                   .reason = std::move(reason),
                   .message = std::move(message),
                   .details = std::nullopt};
}

StatusDetails ResourceDetails(std::string_view group, std::string_view plural,
                              std::string_view name) {
  return StatusDetails{
      .name = std::string(name), .group = std::string(group), .kind = std::string(plural)};
}

std::string Quoted(std::string_view text) {
  std::string out;
  json::AppendQuoted(text, out);
  return out;
}

std::string Join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += separator;
    out += parts[i];
  }
  return out;
}

// Go's field.Error prints the bad value with %v for numbers and booleans and %q for strings.
std::string FormatValue(const json::Value& value) {
  switch (value.type()) {
    case json::Type::kNull:
      return "null";
    case json::Type::kString:
      return Quoted(value.as_string());
    default:
      return json::Write(value);
  }
}

std::string RenderCause(const StatusCause& cause) {
  if (cause.field.empty()) return cause.message;
  return cause.field + ": " + cause.message;
}

}  // namespace

json::Value ToJson(const ApiStatus& status) {
  json::Object out{{"kind", "Status"}, {"apiVersion", "v1"}, {"metadata", json::Object{}}};
  out.Set("status", status.success ? "Success" : "Failure");
  if (!status.message.empty()) out.Set("message", status.message);
  if (!status.reason.empty()) out.Set("reason", status.reason);
  if (status.details) {
    const StatusDetails& d = *status.details;
    json::Object details;
    if (!d.name.empty()) details.Set("name", d.name);
    if (!d.group.empty()) details.Set("group", d.group);
    if (!d.kind.empty()) details.Set("kind", d.kind);
    if (!d.uid.empty()) details.Set("uid", d.uid);
    if (!d.causes.empty()) {
      json::Array causes;
      for (const StatusCause& c : d.causes) {
        json::Object cause;
        if (!c.type.empty()) cause.Set("reason", c.type);
        if (!c.message.empty()) cause.Set("message", c.message);
        if (!c.field.empty()) cause.Set("field", c.field);
        causes.push_back(std::move(cause));
      }
      details.Set("causes", std::move(causes));
    }
    if (d.retry_after_seconds > 0) details.Set("retryAfterSeconds", d.retry_after_seconds);
    out.Set("details", std::move(details));
  }
  // A delete's success Status has no code in kube-apiserver's answer (the HTTP status says it);
  // tests/lab/response_shapes_test.cc compares the two.
  if (!status.success) out.Set("code", status.code);
  return out;
}

std::string ToJsonText(const ApiStatus& status) { return json::Write(ToJson(status)); }

std::string QualifiedResourceName(std::string_view group, std::string_view plural) {
  if (group.empty()) return std::string(plural);
  return std::string(plural) + "." + std::string(group);
}

std::string QualifiedKindName(std::string_view group, std::string_view kind) {
  if (group.empty()) return std::string(kind);
  return std::string(kind) + "." + std::string(group);
}

ApiStatus NotFoundStatus(std::string_view group, std::string_view plural, std::string_view name) {
  ApiStatus status = Failure(
      404, "NotFound", QualifiedResourceName(group, plural) + " " + Quoted(name) + " not found");
  status.details = ResourceDetails(group, plural, name);
  return status;
}

ApiStatus PathNotFoundStatus() {
  ApiStatus status = Failure(404, "NotFound", "the server could not find the requested resource");
  status.details = StatusDetails{};
  return status;
}

ApiStatus AlreadyExistsStatus(std::string_view group, std::string_view plural,
                              std::string_view name) {
  ApiStatus status =
      Failure(409, "AlreadyExists",
              QualifiedResourceName(group, plural) + " " + Quoted(name) + " already exists");
  status.details = ResourceDetails(group, plural, name);
  return status;
}

ApiStatus ConflictStatus(std::string_view group, std::string_view plural, std::string_view name,
                         std::string_view why) {
  ApiStatus status =
      Failure(409, "Conflict",
              "Operation cannot be fulfilled on " + QualifiedResourceName(group, plural) + " " +
                  Quoted(name) + ": " + std::string(why));
  status.details = ResourceDetails(group, plural, name);
  return status;
}

ApiStatus InvalidStatus(std::string_view group, std::string_view kind, std::string_view name,
                        std::vector<StatusCause> causes) {
  std::string message = QualifiedKindName(group, kind) + " " + Quoted(name) + " is invalid";
  if (causes.size() == 1) {
    message += ": " + RenderCause(causes[0]);
  } else if (causes.size() > 1) {
    std::vector<std::string> rendered;
    for (const StatusCause& cause : causes) rendered.push_back(RenderCause(cause));
    message += ": [" + Join(rendered, ", ") + "]";
  }
  ApiStatus status = Failure(422, "Invalid", std::move(message));
  status.details = StatusDetails{.name = std::string(name),
                                 .group = std::string(group),
                                 .kind = std::string(kind),
                                 .causes = std::move(causes)};
  return status;
}

ApiStatus BadRequestStatus(std::string message) {
  return Failure(400, "BadRequest", std::move(message));
}

ApiStatus UnauthorizedStatus() { return Failure(401, "Unauthorized", "Unauthorized"); }

ApiStatus ForbiddenStatus(std::string_view group, std::string_view plural, std::string_view name,
                          std::string_view why, std::vector<StatusCause> causes) {
  std::string subject = QualifiedResourceName(group, plural);
  if (!name.empty()) subject += " " + Quoted(name);
  ApiStatus status = Failure(403, "Forbidden", subject + " is forbidden: " + std::string(why));
  status.details = ResourceDetails(group, plural, name);
  status.details->causes = std::move(causes);
  return status;
}

ApiStatus MethodNotAllowedStatus() {
  ApiStatus status = Failure(405, "MethodNotAllowed",
                             "the server does not allow this method on the requested resource");
  status.details = StatusDetails{};
  return status;
}

ApiStatus UnsupportedMediaTypeStatus(const std::vector<std::string>& accepted,
                                     std::string_view note) {
  std::string message =
      "the body of the request was in an unknown format - accepted media types include: " +
      Join(accepted, ", ");
  if (!note.empty()) message += std::string(note);
  return Failure(415, "UnsupportedMediaType", std::move(message));
}

ApiStatus NotAcceptableStatus(const std::vector<std::string>& accepted) {
  return Failure(406, "NotAcceptable",
                 "only the following media types are accepted: " + Join(accepted, ", "));
}

ApiStatus ExpiredStatus(std::string message) { return Failure(410, "Expired", std::move(message)); }

ApiStatus GoneStatus(std::string message) { return Failure(410, "Gone", std::move(message)); }

ApiStatus InternalErrorStatus(std::string_view message) {
  ApiStatus status =
      Failure(500, "InternalError", "Internal error occurred: " + std::string(message));
  status.details = StatusDetails{.causes = {StatusCause{.message = std::string(message)}}};
  return status;
}

ApiStatus ServiceUnavailableStatus(std::string message) {
  return Failure(503, "ServiceUnavailable", std::move(message));
}

ApiStatus TooLargeResourceVersionStatus(int64_t requested, int64_t current) {
  ApiStatus status = Failure(504, "Timeout",
                             "Too large resource version: " + std::to_string(requested) +
                                 ", current: " + std::to_string(current));
  status.details = StatusDetails{.causes = {StatusCause{.type = "ResourceVersionTooLarge",
                                                        .message = "Too large resource version"}},
                                 .retry_after_seconds = 1};
  return status;
}

ApiStatus DeletedStatus(std::string_view group, std::string_view plural, std::string_view name,
                        std::string_view uid) {
  ApiStatus status{.success = true, .code = 200};
  status.details = ResourceDetails(group, plural, name);
  status.details->uid = std::string(uid);
  return status;
}

ApiStatus FromStatus(const Status& status, const StatusSubject& subject) {
  std::string message = status.message();
  ApiStatus out;
  switch (status.code()) {
    case StatusCode::kNotFound:
      out = Failure(404, "NotFound", std::move(message));
      break;
    case StatusCode::kAlreadyExists:
      out = Failure(409, "AlreadyExists", std::move(message));
      break;
    case StatusCode::kConflict:
    case StatusCode::kFailedPrecondition:
      out = Failure(409, "Conflict", std::move(message));
      break;
    case StatusCode::kGone:
      return ExpiredStatus(std::move(message));
    case StatusCode::kInvalidArgument:
      if (!status.field_path().empty()) {
        return InvalidStatus(subject.group, subject.kind, subject.name,
                             {StatusCause{.type = "FieldValueInvalid",
                                          .message = std::move(message),
                                          .field = status.field_path()}});
      }
      return BadRequestStatus(std::move(message));
    case StatusCode::kUnauthenticated:
      return Failure(401, "Unauthorized", std::move(message));
    case StatusCode::kPermissionDenied:
      out = Failure(403, "Forbidden", std::move(message));
      break;
    case StatusCode::kUnavailable:
      return ServiceUnavailableStatus(std::move(message));
    case StatusCode::kDeadlineExceeded:
      return Failure(504, "Timeout", std::move(message));
    case StatusCode::kOk:
    case StatusCode::kInternal:
      return InternalErrorStatus(message);
  }
  out.details = ResourceDetails(subject.group, subject.plural, subject.name);
  return out;
}

const json::Value* FindAtPath(const json::Value& object, std::string_view path) {
  const json::Value* at = &object;
  size_t i = 0;
  while (i < path.size() && at != nullptr) {
    std::string_view segment;
    if (path[i] == '[') {
      size_t close = path.find(']', i + 1);
      if (close == std::string_view::npos) return nullptr;
      segment = path.substr(i + 1, close - i - 1);
      i = close + 1;
      if (at->is_array()) {
        size_t index = 0;
        if (segment.empty()) return nullptr;
        for (char c : segment) {
          if (c < '0' || c > '9') return nullptr;
          index = index * 10 + static_cast<size_t>(c - '0');
        }
        at = index < at->as_array().size() ? &at->as_array()[index] : nullptr;
        continue;
      }
    } else {
      if (path[i] == '.') ++i;
      size_t end = path.find_first_of(".[", i);
      if (end == std::string_view::npos) end = path.size();
      segment = path.substr(i, end - i);
      i = end;
    }
    at = at->Find(segment);
  }
  return at;
}

StatusCause CauseFromFieldError(const api::FieldError& error, const json::Value& object) {
  const std::string& path = error.path.str();
  if (error.about_key) {
    // The key is the last segment of the path: "[key]" or ".key".
    std::string key = path;
    if (path.ends_with(']')) {
      key = path.substr(path.rfind('[') + 1);
      key.pop_back();
    } else if (size_t dot = path.rfind('.'); dot != std::string::npos) {
      key = path.substr(dot + 1);
    }
    return StatusCause{.type = "FieldValueInvalid",
                       .message = "Invalid value: " + Quoted(key) + ": " + error.message,
                       .field = path};
  }
  const json::Value* value = FindAtPath(object, path);
  if (value == nullptr) {
    return StatusCause{
        .type = "FieldValueRequired", .message = "Required value: " + error.message, .field = path};
  }
  return StatusCause{.type = "FieldValueInvalid",
                     .message = "Invalid value: " + FormatValue(*value) + ": " + error.message,
                     .field = path};
}

std::vector<StatusCause> CausesFromFieldErrors(const api::FieldErrors& errors,
                                               const json::Value& object) {
  std::vector<StatusCause> causes;
  causes.reserve(errors.size());
  for (const api::FieldError& error : errors) causes.push_back(CauseFromFieldError(error, object));
  return causes;
}

}  // namespace devflow::apiserver
