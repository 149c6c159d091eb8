#include "apiserver/api_status.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/json_reader.h"

namespace devflow::apiserver {
namespace {

json::Value Parse(const std::string& text) {
  Result<json::Value> value = json::Parse(text);
  EXPECT_TRUE(value.ok()) << text;
  return value.ok() ? *value : json::Value();
}

// Each builder's whole Status body, as kube-apiserver writes it.
TEST(ApiStatusTest, BuildsKubernetesStatusBodies) {
  struct Row {
    std::string name;
    ApiStatus status;
    std::string want;
  };
  const std::vector<Row> rows = {
      {"not found", NotFoundStatus("apps", "replicasets", "web"),
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
       R"("message":"replicasets.apps \"web\" not found","reason":"NotFound",)"
       R"("details":{"name":"web","group":"apps","kind":"replicasets"},"code":404})"},
      {"core not found", NotFoundStatus("", "namespaces", "x"),
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
       R"("message":"namespaces \"x\" not found","reason":"NotFound",)"
       R"("details":{"name":"x","kind":"namespaces"},"code":404})"},
      {"path not found", PathNotFoundStatus(),
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
       R"("message":"the server could not find the requested resource","reason":"NotFound",)"
       R"("details":{},"code":404})"},
      {"already exists", AlreadyExistsStatus("argoproj.io", "rollouts", "web"),
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
       R"("message":"rollouts.argoproj.io \"web\" already exists","reason":"AlreadyExists",)"
       R"("details":{"name":"web","group":"argoproj.io","kind":"rollouts"},"code":409})"},
      {"conflict", ConflictStatus("", "pods", "p", "the object has been modified"),
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
       R"("message":"Operation cannot be fulfilled on pods \"p\": the object has been modified",)"
       R"("reason":"Conflict","details":{"name":"p","kind":"pods"},"code":409})"},
      {"invalid with one cause",
       InvalidStatus("argoproj.io", "Rollout", "web",
                     {{"FieldValueInvalid", "Invalid value: 120: must be 0..100",
                       "spec.strategy.canary.steps[2].setWeight"}}),
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
       R"("message":"Rollout.argoproj.io \"web\" is invalid: )"
       R"(spec.strategy.canary.steps[2].setWeight: Invalid value: 120: must be 0..100",)"
       R"("reason":"Invalid","details":{"name":"web","group":"argoproj.io","kind":"Rollout",)"
       R"("causes":[{"reason":"FieldValueInvalid","message":"Invalid value: 120: must be 0..100",)"
       R"("field":"spec.strategy.canary.steps[2].setWeight"}]},"code":422})"},
      {"invalid with two causes lists them in brackets",
       InvalidStatus("", "Pod", "p",
                     {{"FieldValueRequired", "Required value: name or generateName is required",
                       "metadata.name"},
                      {"FieldValueInvalid", "Invalid value: \"x\": bad", "spec.a"}}),
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
       R"("message":"Pod \"p\" is invalid: [metadata.name: Required value: name or generateName )"
       R"(is required, spec.a: Invalid value: \"x\": bad]","reason":"Invalid",)"
       R"("details":{"name":"p","kind":"Pod","causes":[{"reason":"FieldValueRequired",)"
       R"("message":"Required value: name or generateName is required","field":"metadata.name"},)"
       R"({"reason":"FieldValueInvalid","message":"Invalid value: \"x\": bad","field":"spec.a"}]},)"
       R"("code":422})"},
      {"bad request", BadRequestStatus("the namespace of the provided object does not match"),
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
       R"("message":"the namespace of the provided object does not match","reason":"BadRequest",)"
       R"("code":400})"},
      {"unauthorized", UnauthorizedStatus(),
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
       R"("message":"Unauthorized","reason":"Unauthorized","code":401})"},
      {"forbidden with a cause",
       ForbiddenStatus(
           "", "pods", "p",
           "unable to create new content in namespace x because it is being "
           "terminated",
           {{"NamespaceTerminating", "namespace x is being terminated", "metadata.namespace"}}),
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
       R"("message":"pods \"p\" is forbidden: unable to create new content in namespace x )"
       R"(because it is being terminated","reason":"Forbidden","details":{"name":"p","kind":)"
       R"("pods","causes":[{"reason":"NamespaceTerminating","message":"namespace x is being )"
       R"(terminated","field":"metadata.namespace"}]},"code":403})"},
      {"forbidden without a name", ForbiddenStatus("apps", "replicasets", "", "no"),
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
       R"("message":"replicasets.apps is forbidden: no","reason":"Forbidden",)"
       R"("details":{"group":"apps","kind":"replicasets"},"code":403})"},
      {"method not allowed", MethodNotAllowedStatus(),
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
       R"("message":"the server does not allow this method on the requested resource",)"
       R"("reason":"MethodNotAllowed","details":{},"code":405})"},
      {"unsupported media type",
       UnsupportedMediaTypeStatus({"application/json-patch+json", "application/merge-patch+json"}),
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
       R"("message":"the body of the request was in an unknown format - accepted media types )"
       R"(include: application/json-patch+json, application/merge-patch+json",)"
       R"("reason":"UnsupportedMediaType","code":415})"},
      {"not acceptable", NotAcceptableStatus({"application/json"}),
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
       R"("message":"only the following media types are accepted: application/json",)"
       R"("reason":"NotAcceptable","code":406})"},
      {"expired", ExpiredStatus("too old resource version: 5 (10)"),
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
       R"j("message":"too old resource version: 5 (10)","reason":"Expired","code":410})j"},
      {"gone", GoneStatus("gone"),
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
       R"("message":"gone","reason":"Gone","code":410})"},
      {"internal error", InternalErrorStatus("disk on fire"),
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
       R"("message":"Internal error occurred: disk on fire","reason":"InternalError",)"
       R"("details":{"causes":[{"message":"disk on fire"}]},"code":500})"},
      {"too large resource version", TooLargeResourceVersionStatus(20, 10),
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
       R"("message":"Too large resource version: 20, current: 10","reason":"Timeout",)"
       R"("details":{"causes":[{"reason":"ResourceVersionTooLarge","message":"Too large )"
       R"(resource version"}],"retryAfterSeconds":1},"code":504})"},
      {"deleted", DeletedStatus("apps", "replicasets", "web", "u-1"),
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success",)"
       R"("details":{"name":"web","group":"apps","kind":"replicasets","uid":"u-1"}})"},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(ToJsonText(row.status), json::Write(Parse(row.want))) << row.name;
  }
}

// The store's and the patch functions' errors become the Status kube-apiserver would send.
TEST(ApiStatusTest, ConvertsDevflowStatuses) {
  const StatusSubject subject{"apps", "replicasets", "ReplicaSet", "web"};
  struct Row {
    std::string name;
    Status status;
    int code;
    std::string reason;
    std::string message;
  };
  const std::vector<Row> rows = {
      {"not found", NotFoundError("replicasets.apps \"web\" not found"), 404, "NotFound",
       "replicasets.apps \"web\" not found"},
      {"already exists", AlreadyExistsError("x"), 409, "AlreadyExists", "x"},
      {"conflict", ConflictError("Operation cannot be fulfilled"), 409, "Conflict",
       "Operation cannot be fulfilled"},
      {"failed precondition", FailedPreconditionError("later"), 409, "Conflict", "later"},
      {"gone is Expired", GoneError("too old resource version: 1 (5)"), 410, "Expired",
       "too old resource version: 1 (5)"},
      {"invalid argument without a field", InvalidArgumentError("bad continue"), 400, "BadRequest",
       "bad continue"},
      {"invalid argument with a field", InvalidArgumentError("must be set", "spec.x"), 422,
       "Invalid", "ReplicaSet.apps \"web\" is invalid: spec.x: must be set"},
      {"unauthenticated", UnauthenticatedError("who"), 401, "Unauthorized", "who"},
      {"permission denied", PermissionDeniedError("no"), 403, "Forbidden", "no"},
      {"unavailable", UnavailableError("busy"), 503, "ServiceUnavailable", "busy"},
      {"deadline", DeadlineExceededError("slow"), 504, "Timeout", "slow"},
      {"internal", InternalError("bug"), 500, "InternalError", "Internal error occurred: bug"},
  };
  for (const Row& row : rows) {
    ApiStatus status = FromStatus(row.status, subject);
    EXPECT_EQ(status.code, row.code) << row.name;
    EXPECT_EQ(status.reason, row.reason) << row.name;
    EXPECT_EQ(status.message, row.message) << row.name;
    EXPECT_FALSE(status.success) << row.name;
  }
  ApiStatus not_found = FromStatus(NotFoundError("m"), subject);
  ASSERT_TRUE(not_found.details.has_value());
  EXPECT_EQ(not_found.details->name, "web");
  EXPECT_EQ(not_found.details->group, "apps");
  EXPECT_EQ(not_found.details->kind, "replicasets");
}

TEST(ApiStatusTest, FindsValuesAtRenderedPaths) {
  const json::Value object =
      Parse(R"({"spec":{"steps":[{"setWeight":120},{"pause":{}}]},)"
            R"("metadata":{"labels":{"app.kubernetes.io/name":"web","7":"seven"}}})");
  struct Row {
    std::string path;
    std::string want;  // JSON of the value, or "absent"
  };
  const std::vector<Row> rows = {
      {"spec.steps[0].setWeight", "120"},
      {"spec.steps[1].pause", "{}"},
      {"spec.steps[2]", "absent"},
      {"spec.steps[x]", "absent"},
      {"metadata.labels[app.kubernetes.io/name]", "\"web\""},
      {"metadata.labels.7", "\"seven\""},
      {"metadata.missing", "absent"},
      {"spec.steps[0].setWeight.deeper", "absent"},
  };
  for (const Row& row : rows) {
    const json::Value* value = FindAtPath(object, row.path);
    EXPECT_EQ(value == nullptr ? "absent" : json::Write(*value), row.want) << row.path;
  }
  EXPECT_EQ(FindAtPath(object, ""), &object);
}

TEST(ApiStatusTest, TurnsFieldErrorsIntoCauses) {
  const json::Value object =
      Parse(R"({"spec":{"replicas":-1,"name":"x y","paused":"yes","ratio":1.5,"nothing":null,)"
            R"("template":{"a":1},"list":[1]},"metadata":{"labels":{"bad key!":"v"}}})");
  struct Row {
    std::string name;
    api::FieldError error;
    StatusCause want;
  };
  auto path = [](const std::string& p) { return FieldPath::FromRenderedForTest(p); };
  api::FieldError key_error{path("metadata.labels[bad key!]"), "must be a qualified name"};
  key_error.about_key = true;
  const std::vector<Row> rows = {
      {"integer",
       {path("spec.replicas"), "must be >= 0"},
       {"FieldValueInvalid", "Invalid value: -1: must be >= 0", "spec.replicas"}},
      {"string is quoted",
       {path("spec.name"), "must be a DNS label"},
       {"FieldValueInvalid", "Invalid value: \"x y\": must be a DNS label", "spec.name"}},
      {"double",
       {path("spec.ratio"), "must be whole"},
       {"FieldValueInvalid", "Invalid value: 1.5: must be whole", "spec.ratio"}},
      {"null",
       {path("spec.nothing"), "must be set"},
       {"FieldValueInvalid", "Invalid value: null: must be set", "spec.nothing"}},
      {"object as JSON",
       {path("spec.template"), "bad"},
       {"FieldValueInvalid", "Invalid value: {\"a\":1}: bad", "spec.template"}},
      {"array as JSON",
       {path("spec.list"), "bad"},
       {"FieldValueInvalid", "Invalid value: [1]: bad", "spec.list"}},
      {"absent is required",
       {path("spec.selector"), "is required"},
       {"FieldValueRequired", "Required value: is required", "spec.selector"}},
      {"key error shows the key",
       key_error,
       {"FieldValueInvalid", "Invalid value: \"bad key!\": must be a qualified name",
        "metadata.labels[bad key!]"}},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(CauseFromFieldError(row.error, object), row.want) << row.name;
  }
  EXPECT_EQ(CausesFromFieldErrors({rows[0].error, rows[1].error}, object),
            (std::vector<StatusCause>{rows[0].want, rows[1].want}));
}

TEST(ApiStatusTest, QualifiesNamesAsKubernetes) {
  EXPECT_EQ(QualifiedResourceName("", "pods"), "pods");
  EXPECT_EQ(QualifiedResourceName("argoproj.io", "rollouts"), "rollouts.argoproj.io");
  EXPECT_EQ(QualifiedKindName("", "Pod"), "Pod");
  EXPECT_EQ(QualifiedKindName("argoproj.io", "Rollout"), "Rollout.argoproj.io");
}

}  // namespace
}  // namespace devflow::apiserver
