// The mapping from the API server's answers (HTTP code + Kubernetes Status) to devflow Statuses.
#include "kube/api_error.h"

#include <gtest/gtest.h>

#include "common/json_reader.h"
#include "kube/api_client_testing.h"

namespace devflow::kube {
namespace {

using testing::StatusBody;

TEST(ApiErrorTest, MapsAnswersToStatuses) {
  struct Row {
    const char* name;
    int http_code;
    std::string body;
    StatusCode code;
    std::string message;
    std::string field_path;
  };
  const std::vector<Row> rows = {
      {"400 bad request", 400,
       StatusBody(400, "BadRequest",
                  "unable to parse requirement: found '=', expected: identifier"),
       StatusCode::kInvalidArgument, "unable to parse requirement: found '=', expected: identifier",
       ""},
      {"401 unauthorized", 401, StatusBody(401, "Unauthorized", "Unauthorized"),
       StatusCode::kUnauthenticated, "Unauthorized", ""},
      {"403 forbidden", 403,
       StatusBody(403, "Forbidden",
                  "pods is forbidden: User \"x\" cannot list resource \"pods\" in API group \"\""),
       StatusCode::kPermissionDenied,
       "pods is forbidden: User \"x\" cannot list resource \"pods\" in API group \"\"", ""},
      {"404 not found", 404, StatusBody(404, "NotFound", "rollouts.argoproj.io \"web\" not found"),
       StatusCode::kNotFound, "rollouts.argoproj.io \"web\" not found", ""},
      {"409 already exists", 409,
       StatusBody(409, "AlreadyExists", "rollouts.argoproj.io \"web\" already exists"),
       StatusCode::kAlreadyExists, "rollouts.argoproj.io \"web\" already exists", ""},
      {"409 conflict", 409,
       StatusBody(409, "Conflict",
                  "Operation cannot be fulfilled on rollouts.argoproj.io \"web\": the object has "
                  "been modified; please apply your changes to the latest version and try again"),
       StatusCode::kConflict,
       "Operation cannot be fulfilled on rollouts.argoproj.io \"web\": the object has been "
       "modified; please apply your changes to the latest version and try again",
       ""},
      {"409 without a reason is a conflict", 409, StatusBody(409, "", "precondition failed"),
       StatusCode::kConflict, "precondition failed", ""},
      {"410 expired", 410, StatusBody(410, "Expired", "too old resource version: 5 (120)"),
       StatusCode::kGone, "too old resource version: 5 (120)", ""},
      {"415 unsupported media type", 415,
       StatusBody(415, "UnsupportedMediaType",
                  "the body of the request was in an unknown format - accepted media types "
                  "include: application/json-patch+json, application/merge-patch+json"),
       StatusCode::kInvalidArgument,
       "the body of the request was in an unknown format - accepted media types include: "
       "application/json-patch+json, application/merge-patch+json",
       ""},
      {"422 names the first cause's field", 422,
       StatusBody(
           422, "Invalid",
           "Rollout.argoproj.io \"web\" is invalid: spec.strategy.canary.steps[2].setWeight: "
           "Invalid value: 120: must be 0..100",
           "spec.strategy.canary.steps[2].setWeight"),
       StatusCode::kInvalidArgument,
       "Rollout.argoproj.io \"web\" is invalid: spec.strategy.canary.steps[2].setWeight: Invalid "
       "value: 120: must be 0..100",
       "spec.strategy.canary.steps[2].setWeight"},
      {"429 too many requests", 429, StatusBody(429, "TooManyRequests", "too many requests"),
       StatusCode::kUnavailable, "too many requests", ""},
      {"500 internal error", 500, StatusBody(500, "InternalError", "etcdserver: leader changed"),
       StatusCode::kUnavailable, "etcdserver: leader changed", ""},
      {"503 unavailable", 503, StatusBody(503, "ServiceUnavailable", "the server is shutting down"),
       StatusCode::kUnavailable, "the server is shutting down", ""},
      {"504 timeout", 504,
       StatusBody(504, "Timeout", "Timeout: request did not complete within requested timeout"),
       StatusCode::kDeadlineExceeded, "Timeout: request did not complete within requested timeout",
       ""},
      {"the HTTP code wins over the Status's", 404, StatusBody(500, "NotFound", "gone missing"),
       StatusCode::kNotFound, "gone missing", ""},
      {"other 4xx is a bad request", 405,
       StatusBody(405, "MethodNotAllowed", "the server does not allow this method"),
       StatusCode::kInvalidArgument, "the server does not allow this method", ""},
      {"a body that is not a Status is the message", 502, "  upstream connect error\n",
       StatusCode::kUnavailable, "upstream connect error", ""},
      {"JSON that is not a Status is the message", 404, R"({"error":"no route"})",
       StatusCode::kNotFound, R"({"error":"no route"})", ""},
      {"an empty body gives the reason phrase", 404, "", StatusCode::kNotFound, "Not Found", ""},
      {"a long body is cut", 500, std::string(600, 'x'), StatusCode::kUnavailable,
       std::string(512, 'x') + "...", ""},
      {"a redirect is not understood", 302, "", StatusCode::kInternal, "Found", ""},
      {"a 2xx is not a failure the client expects", 200, "{}", StatusCode::kInternal, "{}", ""},
  };
  for (const Row& row : rows) {
    Status got = ErrorFromResponse(row.http_code, row.body);
    EXPECT_EQ(got.code(), row.code) << row.name << ": " << got;
    EXPECT_EQ(got.message(), row.message) << row.name;
    EXPECT_EQ(got.field_path(), row.field_path) << row.name;
  }
}

TEST(ApiErrorTest, ParsesStatusObjects) {
  auto value = json::Parse(R"({"kind":"Status","apiVersion":"v1","metadata":{},
    "status":"Failure","message":"m","reason":"Invalid","code":422,
    "details":{"name":"web","kind":"rollouts","retryAfterSeconds":3,
      "causes":[{"reason":"FieldValueInvalid","message":"bad","field":"spec.replicas"},
                {"reason":"FieldValueRequired","message":"needed","field":"spec.selector"},
                "not a cause"]}})");
  ASSERT_TRUE(value.ok()) << value.error();
  std::optional<KubeStatus> status = ParseKubeStatus(*value);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, (KubeStatus{
                         .code = 422,
                         .status = "Failure",
                         .reason = "Invalid",
                         .message = "m",
                         .name = "web",
                         .kind = "rollouts",
                         .causes = {{"FieldValueInvalid", "bad", "spec.replicas"},
                                    {"FieldValueRequired", "needed", "spec.selector"}},
                         .retry_after_seconds = 3,
                     }));

  EXPECT_FALSE(ParseKubeStatus(json::Parse(R"({"kind":"Rollout"})").value()).has_value());
  EXPECT_FALSE(ParseKubeStatus(json::Value("Status")).has_value());
}

TEST(ApiErrorTest, StatusWithoutCodeIsMappedByItsReason) {
  struct Row {
    const char* name;
    KubeStatus status;
    StatusCode code;
  };
  const std::vector<Row> rows = {
      {"expired is gone",
       {.status = "Failure", .reason = "Expired", .message = "m"},
       StatusCode::kGone},
      {"gone", {.status = "Failure", .reason = "Gone", .message = "m"}, StatusCode::kGone},
      {"already exists",
       {.status = "Failure", .reason = "AlreadyExists", .message = "m"},
       StatusCode::kAlreadyExists},
      {"conflict",
       {.status = "Failure", .reason = "Conflict", .message = "m"},
       StatusCode::kConflict},
      {"not found",
       {.status = "Failure", .reason = "NotFound", .message = "m"},
       StatusCode::kNotFound},
      {"invalid",
       {.status = "Failure", .reason = "Invalid", .message = "m"},
       StatusCode::kInvalidArgument},
      {"timeout",
       {.status = "Failure", .reason = "Timeout", .message = "m"},
       StatusCode::kDeadlineExceeded},
      {"unknown reason",
       {.status = "Failure", .reason = "Strange", .message = "m"},
       StatusCode::kInternal},
      {"the code wins over the reason",
       {.code = 410, .status = "Failure", .reason = "NotFound"},
       StatusCode::kGone},
      {"success is ok", {.code = 200, .status = "Success"}, StatusCode::kOk},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(ToStatus(row.status).code(), row.code) << row.name;
  }
  EXPECT_EQ(ToStatus(KubeStatus{.code = 404, .status = "Failure"}).message(), "Not Found")
      << "a Status without message or reason gets the reason phrase";
}

}  // namespace
}  // namespace devflow::kube
