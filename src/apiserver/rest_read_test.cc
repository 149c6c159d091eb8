// RestHandler over real HTTP: authentication, routing, get, list (selectors, paging, versions)
// and the hand-off of watches to the WatchHub. Writes are in rest_write_test.cc, deletes,
// namespaces and CRDs in rest_delete_test.cc.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "apiserver/rest_testing.h"

namespace devflow::apiserver {
namespace {

using rest_testing::At;
using rest_testing::ParseOrDie;
using rest_testing::RestFixture;
using rest_testing::SecretJson;
using rest_testing::Str;

class RestReadTest : public RestFixture {};

TEST_F(RestReadTest, RequestsWithoutTheTokenAreUnauthorized) {
  const std::string unauthorized =
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
      R"("message":"Unauthorized","reason":"Unauthorized","code":401})";
  struct Row {
    std::string name;
    http::Headers headers;
    std::string token;
  };
  const std::vector<Row> rows = {
      {"no header", {}, ""},
      {"wrong token", {}, "nope"},
      {"token prefix", {}, "s3cret"},
      {"basic scheme", {{"Authorization", "Basic czNjcmV0LXRva2Vu"}}, ""},
  };
  for (const Row& row : rows) {
    http::Response response =
        Send("GET", "/api/v1/namespaces/default/secrets", "", "", row.headers, row.token);
    EXPECT_EQ(response.status, 401) << row.name;
    EXPECT_EQ(response.body, unauthorized) << row.name;
    EXPECT_EQ(response.Header("Content-Type"), "application/json") << row.name;
  }
  // Discovery needs the token too.
  EXPECT_EQ(Send("GET", "/apis", "", "", {}, "").status, 401);
  // The scheme is case-insensitive, as in kube-apiserver.
  EXPECT_EQ(Send("GET", "/api/v1/namespaces/default/secrets", "", "",
                 {{"Authorization", std::string("bearer ") + rest_testing::kToken}}, "")
                .status,
            200);
}

TEST_F(RestReadTest, HealthAndVersionNeedNoToken) {
  for (const char* path : {"/healthz", "/livez", "/readyz"}) {
    http::Response response = Send("GET", path, "", "", {}, "");
    EXPECT_EQ(response.status, 200) << path;
    EXPECT_EQ(response.body, "ok") << path;
  }
  http::Response version = Send("GET", "/version", "", "", {}, "");
  EXPECT_EQ(version.status, 200) << version.body;
  EXPECT_EQ(Str(ParseOrDie(version.body), "major"), "1");
}

TEST_F(RestReadTest, DiscoveryIsServedBeforeRouting) {
  http::Response response = Get("/apis/argoproj.io/v1alpha1");
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(Str(ParseOrDie(response.body), "kind"), "APIResourceList");
}

TEST_F(RestReadTest, RoutingErrors) {
  struct Row {
    std::string name;
    std::string method;
    std::string target;
    int status;
    std::string message;
  };
  const std::string not_found = "the server could not find the requested resource";
  const std::string not_allowed = "the server does not allow this method on the requested resource";
  const std::vector<Row> rows = {
      {"unknown resource", "GET", "/api/v1/namespaces/default/widgets", 404, not_found},
      {"not an API path", "GET", "/metrics", 404, not_found},
      {"cluster-scoped resource under a namespace", "GET",
       "/apis/argoproj.io/v1alpha1/namespaces/default/clusteranalysistemplates", 404, not_found},
      {"namespaced object without namespace", "GET", "/api/v1/secrets/x", 404, not_found},
      {"unknown subresource", "GET", "/apis/apps/v1/namespaces/default/replicasets/x/scale", 404,
       not_found},
      {"status of a kind without the subresource", "GET",
       "/api/v1/namespaces/default/secrets/x/status", 404, not_found},
      {"POST to an object", "POST", "/api/v1/namespaces/default/secrets/x", 405, not_allowed},
      {"PUT to a collection", "PUT", "/api/v1/namespaces/default/secrets", 405, not_allowed},
      {"create without namespace", "POST", "/api/v1/secrets", 405, not_allowed},
      {"delete of status", "DELETE", "/apis/apps/v1/namespaces/default/replicasets/x/status", 405,
       not_allowed},
      {"finalize is PUT only", "GET", "/api/v1/namespaces/default/finalize", 405, not_allowed},
      {"unknown method", "OPTIONS", "/api/v1/namespaces/default/secrets", 405, not_allowed},
  };
  for (const Row& row : rows) {
    http::Response response = Send(row.method, row.target);
    EXPECT_EQ(response.status, row.status) << row.name << ": " << response.body;
    EXPECT_EQ(Str(ParseOrDie(response.body), "message"), row.message) << row.name;
  }
  // A group version nobody serves has no handler in kube-apiserver: its mux answers in text.
  for (const char* target : {"/apis/nope.io/v1/things", "/apis/argoproj.io/v9/rollouts"}) {
    http::Response response = Send("GET", target);
    EXPECT_EQ(response.status, 404) << target;
    EXPECT_EQ(response.body, "404 page not found\n") << target;
  }
}

TEST_F(RestReadTest, AnswersNotAcceptableWhenJsonIsNotAccepted) {
  http::Response response = Send("GET", "/api/v1/namespaces/default/secrets", "", "",
                                 {{"Accept", "application/vnd.kubernetes.protobuf"}});
  EXPECT_EQ(response.status, 406) << response.body;
  // kubectl's Table request lists application/json as a fallback: plain JSON is the answer.
  response = Send("GET", "/api/v1/namespaces/default/secrets", "", "",
                  {{"Accept",
                    "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;"
                    "v=v1beta1;g=meta.k8s.io,application/json"}});
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(Str(ParseOrDie(response.body), "kind"), "SecretList");
}

TEST_F(RestReadTest, GetsObjectsAsStored) {
  json::Value created = MustCreate("/api/v1/namespaces/default/secrets", SecretJson("a"));
  http::Response response = Get("/api/v1/namespaces/default/secrets/a");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.Header("Content-Type"), "application/json");
  EXPECT_EQ(ParseOrDie(response.body), created);
  EXPECT_EQ(response.body, sqlite_->Get({"secrets", "default", "a"})->json);

  response = Get("/api/v1/namespaces/default/secrets/missing");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.body, R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
                           R"("message":"secrets \"missing\" not found","reason":"NotFound",)"
                           R"("details":{"name":"missing","kind":"secrets"},"code":404})");

  response = Get("/api/v1/namespaces/default");
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(Str(ParseOrDie(response.body), "status.phase"), "Active");
}

TEST_F(RestReadTest, ListsWithTheListKindAndVersion) {
  MustCreate("/api/v1/namespaces/default/secrets", SecretJson("a"));
  MustCreate("/api/v1/namespaces/kube-system/secrets", SecretJson("b", "kube-system"));
  const int64_t version = sqlite_->Versions().current;

  http::Response response = Get("/api/v1/namespaces/default/secrets");
  ASSERT_EQ(response.status, 200) << response.body;
  json::Value list = ParseOrDie(response.body);
  EXPECT_EQ(Str(list, "kind"), "SecretList");
  EXPECT_EQ(Str(list, "apiVersion"), "v1");
  EXPECT_EQ(Str(list, "metadata.resourceVersion"), std::to_string(version));
  EXPECT_TRUE(At(list, "metadata.continue").is_null());
  ASSERT_EQ(At(list, "items").as_array().size(), 1u);
  EXPECT_EQ(Str(At(list, "items").as_array()[0], "metadata.name"), "a");

  // Across namespaces.
  list = ParseOrDie(Get("/api/v1/secrets").body);
  ASSERT_EQ(At(list, "items").as_array().size(), 2u);

  // An empty list still has items: []; a list of custom resources has an empty continue, as
  // apiextensions-apiserver writes it.
  response = Get("/apis/argoproj.io/v1alpha1/namespaces/default/rollouts");
  EXPECT_EQ(response.body, R"({"kind":"RolloutList","apiVersion":"argoproj.io/v1alpha1",)"
                           R"("metadata":{"resourceVersion":")" +
                               std::to_string(version) + R"(","continue":""},"items":[]})");

  // Cluster-scoped.
  list = ParseOrDie(Get("/api/v1/namespaces").body);
  std::vector<std::string> names;
  for (const json::Value& item : At(list, "items").as_array()) {
    names.push_back(Str(item, "metadata.name"));
  }
  EXPECT_EQ(names,
            (std::vector<std::string>{"default", "kube-node-lease", "kube-public", "kube-system"}));
}

TEST_F(RestReadTest, ListsWithSelectors) {
  MustCreate("/api/v1/namespaces/default/secrets", SecretJson("a", "default", R"("app":"web")"));
  MustCreate("/api/v1/namespaces/default/secrets",
             SecretJson("b", "default", R"("app":"db","tier":"x")"));
  MustCreate("/api/v1/namespaces/default/secrets", SecretJson("c"));
  struct Row {
    std::string name;
    std::string query;
    int status;
    std::vector<std::string> names;  // on 200
    std::string message;             // otherwise
  };
  const std::vector<Row> rows = {
      {"no selector", "", 200, {"a", "b", "c"}, ""},
      {"equality", "?labelSelector=app%3Dweb", 200, {"a"}, ""},
      {"inequality includes unlabelled", "?labelSelector=app!%3Dweb", 200, {"b", "c"}, ""},
      {"set", "?labelSelector=app+in+(web,db)", 200, {"a", "b"}, ""},
      {"exists", "?labelSelector=tier", 200, {"b"}, ""},
      {"field name", "?fieldSelector=metadata.name%3Dc", 200, {"c"}, ""},
      {"field and label", "?fieldSelector=metadata.name!%3Da&labelSelector=app", 200, {"b"}, ""},
      {"secret type field", "?fieldSelector=type%3DOpaque", 200, {"a", "b", "c"}, ""},
      {"bad label selector",
       "?labelSelector=a+b",
       400,
       {},
       "unable to parse requirement: found 'b' at column 3, expected: in, notin, =, ==, !=, gt, "
       "lt"},
      {"unsupported field",
       "?fieldSelector=spec.x%3D1",
       400,
       {},
       "field label not supported: spec.x"},
      {"malformed field selector",
       "?fieldSelector=a,b",
       400,
       {},
       "invalid selector: 'a,b'; can't understand 'a'"},
  };
  for (const Row& row : rows) {
    http::Response response = Get("/api/v1/namespaces/default/secrets" + row.query);
    EXPECT_EQ(response.status, row.status) << row.name << ": " << response.body;
    json::Value body = ParseOrDie(response.body);
    if (row.status != 200) {
      EXPECT_EQ(Str(body, "reason"), "BadRequest") << row.name;
      EXPECT_EQ(Str(body, "message"), row.message) << row.name;
      continue;
    }
    std::vector<std::string> names;
    for (const json::Value& item : At(body, "items").as_array()) {
      names.push_back(Str(item, "metadata.name"));
    }
    EXPECT_EQ(names, row.names) << row.name;
  }
  // ReplicaSets accept only the metadata fields, with kube-apiserver's message for them.
  http::Response response =
      Get("/apis/apps/v1/namespaces/default/replicasets?fieldSelector=status.replicas%3D1");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(Str(ParseOrDie(response.body), "message"),
            "\"status.replicas\" is not a known field selector: only \"metadata.name\", "
            "\"metadata.namespace\"");
}

TEST_F(RestReadTest, PagesWithLimitAndContinue) {
  for (const char* name : {"a", "b", "c", "d", "e"}) {
    MustCreate("/api/v1/namespaces/default/secrets", SecretJson(name));
  }
  const std::string first_version = std::to_string(sqlite_->Versions().current);
  std::vector<std::string> names;
  std::string token;
  int pages = 0;
  do {
    std::string target = "/api/v1/namespaces/default/secrets?limit=2";
    if (!token.empty()) target += "&continue=" + http::QueryEscape(token);
    http::Response response = Get(target);
    ASSERT_EQ(response.status, 200) << response.body;
    json::Value page = ParseOrDie(response.body);
    // Every page shows the first page's version, even after a write in between.
    EXPECT_EQ(Str(page, "metadata.resourceVersion"), first_version);
    for (const json::Value& item : At(page, "items").as_array()) {
      names.push_back(Str(item, "metadata.name"));
    }
    json::Value next = At(page, "metadata.continue");
    token = next.is_string() ? next.as_string() : "";
    if (++pages == 1) MustCreate("/api/v1/namespaces/default/secrets", SecretJson("aa"));
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b", "c", "d", "e"}));

  http::Response bad = Get("/api/v1/namespaces/default/secrets?limit=x");
  EXPECT_EQ(bad.status, 400) << bad.body;
  bad = Get("/api/v1/namespaces/default/secrets?limit=1&continue=garbage");
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(Str(ParseOrDie(bad.body), "reason"), "BadRequest");
  bad = Get("/api/v1/namespaces/default/secrets?limit=1&continue=" + http::QueryEscape("x") +
            "&resourceVersion=3");
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(Str(ParseOrDie(bad.body), "message"),
            "specifying resource version is not allowed when using continue");
}

TEST_F(RestReadTest, ListsAtAnExactVersion) {
  MustCreate("/api/v1/namespaces/default/secrets", SecretJson("a"));
  const int64_t before = sqlite_->Versions().current;
  MustCreate("/api/v1/namespaces/default/secrets", SecretJson("b"));

  json::Value list = ParseOrDie(Get("/api/v1/namespaces/default/secrets?resourceVersion=" +
                                    std::to_string(before) + "&resourceVersionMatch=Exact")
                                    .body);
  EXPECT_EQ(Str(list, "metadata.resourceVersion"), std::to_string(before));
  ASSERT_EQ(At(list, "items").as_array().size(), 1u);

  // NotOlderThan and the legacy form serve the current state.
  for (const char* query : {"?resourceVersion=1&resourceVersionMatch=NotOlderThan",
                            "?resourceVersion=0", "?resourceVersion=1"}) {
    list = ParseOrDie(Get(std::string("/api/v1/namespaces/default/secrets") + query).body);
    EXPECT_EQ(At(list, "items").as_array().size(), 2u) << query;
  }

  struct Row {
    std::string name;
    std::string query;
    int status;
    std::string message;
  };
  const std::vector<Row> rows = {
      {"match without version", "?resourceVersionMatch=Exact", 422,
       "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: "
       "resourceVersionMatch is forbidden unless resourceVersion is provided"},
      {"exact zero", "?resourceVersion=0&resourceVersionMatch=Exact", 422,
       "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: "
       "resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\""},
      {"unknown match", "?resourceVersion=1&resourceVersionMatch=Newest", 422,
       "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Unsupported value: "
       "\"Newest\": supported values: \"Exact\", \"NotOlderThan\", \"\""},
      {"future version", "?resourceVersion=999", 504,
       "Too large resource version: 999, current: " + std::to_string(before + 1)},
      {"future exact version", "?resourceVersion=999&resourceVersionMatch=Exact", 504,
       "Too large resource version: 999, current: " + std::to_string(before + 1)},
      {"not a number", "?resourceVersion=abc", 400,
       "invalid resource version \"abc\": must be a number"},
  };
  for (const Row& row : rows) {
    http::Response response = Get("/api/v1/namespaces/default/secrets" + row.query);
    EXPECT_EQ(response.status, row.status) << row.name << ": " << response.body;
    EXPECT_EQ(Str(ParseOrDie(response.body), "message"), row.message) << row.name;
  }
}

class RestShortHistoryTest : public RestFixture {
 protected:
  RestShortHistoryTest() : RestFixture(/*history_window=*/3) {}
};

TEST_F(RestShortHistoryTest, ExpiredContinueTokensAnswer410) {
  for (const char* name : {"a", "b", "c"}) {
    MustCreate("/api/v1/namespaces/default/secrets", SecretJson(name));
  }
  json::Value page = ParseOrDie(Get("/api/v1/namespaces/default/secrets?limit=1").body);
  const std::string token = Str(page, "metadata.continue");
  for (const char* name : {"d", "e", "f", "g"}) {
    MustCreate("/api/v1/namespaces/default/secrets", SecretJson(name));
  }
  http::Response response =
      Get("/api/v1/namespaces/default/secrets?limit=1&continue=" + http::QueryEscape(token));
  EXPECT_EQ(response.status, 410) << response.body;
  json::Value status = ParseOrDie(response.body);
  EXPECT_EQ(Str(status, "reason"), "Expired");
  EXPECT_TRUE(Str(status, "message").starts_with("The provided continue parameter is too old"))
      << response.body;

  response = Get("/api/v1/namespaces/default/secrets?resourceVersion=2&resourceVersionMatch=Exact");
  EXPECT_EQ(response.status, 410) << response.body;
  EXPECT_EQ(Str(ParseOrDie(response.body), "reason"), "Expired");
}

// Reads watch lines from `target` until one satisfies `done`; returns them all.
std::vector<json::Value> WatchLines(http::Client& client, const std::string& target,
                                    const std::function<bool(const json::Value&)>& done) {
  http::Request request;
  request.target = target;
  request.headers = {{"Authorization", std::string("Bearer ") + rest_testing::kToken}};
  Result<std::unique_ptr<http::Stream>> stream = client.Open(request);
  std::vector<json::Value> lines;
  if (!stream.ok()) {
    ADD_FAILURE() << stream.error();
    return lines;
  }
  EXPECT_EQ((*stream)->status(), 200);
  while (true) {
    Result<std::optional<std::string>> line = (*stream)->ReadLine(std::chrono::seconds(20));
    if (!line.ok() || !line->has_value()) {
      ADD_FAILURE() << "the watch ended before the expected event: "
                    << (line.ok() ? "end of stream" : line.error().ToString());
      break;
    }
    lines.push_back(ParseOrDie(**line));
    if (done(lines.back())) break;
  }
  (*stream)->Cancel();
  return lines;
}

TEST_F(RestReadTest, WatchesAreServedByTheHub) {
  MustCreate("/api/v1/namespaces/default/secrets", SecretJson("a", "default", R"("app":"web")"));
  MustCreate("/api/v1/namespaces/default/secrets", SecretJson("b"));
  const std::string version = std::to_string(sqlite_->Versions().current);

  // From "" with a label selector: the matching object as ADDED.
  std::vector<json::Value> lines =
      WatchLines(*client_, "/api/v1/namespaces/default/secrets?watch=1&labelSelector=app",
                 [](const json::Value& line) { return Str(line, "type") == "ADDED"; });
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(Str(lines[0], "object.metadata.name"), "a");

  // From a version, under the legacy prefix, for one object: its next change.
  std::thread writer([&] {
    MustCreate("/api/v1/namespaces/default/secrets", SecretJson("c"));
    MustCreate("/api/v1/namespaces/default/secrets", SecretJson("d"));
  });
  lines =
      WatchLines(*client_, "/api/v1/watch/namespaces/default/secrets/d?resourceVersion=" + version,
                 [](const json::Value&) { return true; });
  writer.join();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(Str(lines[0], "type"), "ADDED");
  EXPECT_EQ(Str(lines[0], "object.metadata.name"), "d");

  // Selector errors are answered before the stream starts.
  http::Response response = Get("/api/v1/namespaces/default/secrets?watch=true&labelSelector=a+b");
  EXPECT_EQ(response.status, 400) << response.body;
  response = Get("/api/v1/namespaces/default/secrets?watch=true&timeoutSeconds=-1");
  EXPECT_EQ(response.status, 400) << response.body;
}

}  // namespace
}  // namespace devflow::apiserver
