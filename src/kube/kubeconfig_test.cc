#include "kube/kubeconfig.h"

#include <gtest/gtest.h>

#include "kube/kubeconfig_testing.h"

namespace devflow::kube {
namespace {

constexpr char kFull[] = R"(apiVersion: v1
kind: Config
clusters:
- name: prod
  cluster:
    server: https://10.0.0.1:6443
    certificate-authority: ca.crt
    certificate-authority-data: Y2EtcGVt
    insecure-skip-tls-verify: true
    tls-server-name: api.prod
    proxy-url: http://proxy:3128
    extensions:
    - name: client.authentication.k8s.io/exec
      extension: {audience: prod}
    - name: other
      extension: {x: 1}
users:
- name: admin
  user:
    token: t0k
    tokenFile: secrets/token
    client-certificate: /abs/cert.pem
    client-certificate-data: Y2VydC1wZW0=
    client-key: key.pem
    client-key-data: a2V5LXBlbQ==
    username: bob
    password: hunter2
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: ./bin/get-token
      args: [--cluster, prod]
      env:
      - {name: REGION, value: eu}
      installHint: install get-token
      provideClusterInfo: true
      interactiveMode: Never
contexts:
- name: prod-admin
  context: {cluster: prod, user: admin, namespace: web}
current-context: prod-admin
preferences: {colors: true}
)";

TEST(KubeconfigTest, ParsesEveryFieldAndResolvesPathsAgainstTheFilesDirectory) {
  auto got = ParseKubeconfig(kFull, "/etc/kube/config");
  ASSERT_TRUE(got.ok()) << got.error();

  Kubeconfig want;
  want.clusters["prod"] = KubeconfigCluster{
      .server = "https://10.0.0.1:6443",
      .certificate_authority = "/etc/kube/ca.crt",
      .certificate_authority_data = "ca-pem",
      .insecure_skip_tls_verify = true,
      .tls_server_name = "api.prod",
      .proxy_url = "http://proxy:3128",
      .exec_extension = json::Object{{"audience", "prod"}},
      .origin = "/etc/kube/config",
  };
  want.users["admin"] = KubeconfigUser{
      .token = "t0k",
      .token_file = "/etc/kube/secrets/token",
      .client_certificate = "/abs/cert.pem",
      .client_certificate_data = "cert-pem",
      .client_key = "/etc/kube/key.pem",
      .client_key_data = "key-pem",
      .username = "bob",
      .password = "hunter2",
      .exec =
          ExecConfig{
              .api_version = "client.authentication.k8s.io/v1",
              .command = "/etc/kube/./bin/get-token",
              .args = {"--cluster", "prod"},
              .env = {{"REGION", "eu"}},
              .install_hint = "install get-token",
              .provide_cluster_info = true,
              .interactive_mode = "Never",
          },
      .origin = "/etc/kube/config",
  };
  want.contexts["prod-admin"] = KubeconfigContext{
      .cluster = "prod", .user = "admin", .namespace_ = "web", .origin = "/etc/kube/config"};
  want.current_context = "prod-admin";
  want.preferences = json::Object{{"colors", true}};
  want.sources = {"/etc/kube/config"};
  EXPECT_EQ(*got, want);
}

TEST(KubeconfigTest, ResolvesOnlyRelativePathsAndCommandsWithADirectory) {
  struct Row {
    const char* name;
    const char* source;
    const char* written;
    const char* want_file;     // as a tokenFile
    const char* want_command;  // as an exec command
  } rows[] = {
      {"relative", "/k/config", "tok", "/k/tok", "tok"},
      {"relative with directory", "/k/config", "sub/tok", "/k/sub/tok", "/k/sub/tok"},
      {"dot slash", "/k/config", "./tok", "/k/./tok", "/k/./tok"},
      {"absolute", "/k/config", "/abs/tok", "/abs/tok", "/abs/tok"},
      {"file in the root directory", "/config", "tok", "/tok", "tok"},
      {"source without directory", "config", "sub/tok", "sub/tok", "sub/tok"},
  };
  for (const Row& row : rows) {
    std::string text = std::string("users:\n- name: u\n  user:\n    tokenFile: ") + row.written +
                       "\n    exec: {command: " + row.written + "}\n";
    auto got = ParseKubeconfig(text, row.source);
    ASSERT_TRUE(got.ok()) << row.name << ": " << got.error();
    const KubeconfigUser& user = got->users.at("u");
    EXPECT_EQ(user.token_file, row.want_file) << row.name;
    EXPECT_EQ(user.exec->command, row.want_command) << row.name;
  }
}

TEST(KubeconfigTest, EmptyFileIsAnEmptyConfig) {
  for (const char* text : {"", "# nothing\n", "---\n"}) {
    auto got = ParseKubeconfig(text, "/k/config");
    ASSERT_TRUE(got.ok()) << got.error();
    Kubeconfig want;
    want.sources = {"/k/config"};
    EXPECT_EQ(*got, want) << "text: " << text;
  }
}

TEST(KubeconfigTest, IgnoresFieldsItDoesNotModel) {
  auto got = ParseKubeconfig(
      "clusters:\n- name: c\n  cluster: {server: 'https://a', disable-compression: true}\n"
      "  extra: 1\nextensions: []\n",
      "f");
  ASSERT_TRUE(got.ok()) << got.error();
  EXPECT_EQ(got->clusters.at("c").server, "https://a");
}

TEST(KubeconfigTest, ReportsEveryErrorWithFileLineAndField) {
  struct Row {
    const char* name;
    const char* text;
    const char* error;
  } rows[] = {
      {"server not a string", "clusters:\n- name: c\n  cluster:\n    server: 6443\n",
       "/k/config:4:13: clusters[0].cluster.server: must be a string, got integer"},
      {"bool written as a quoted string",
       "clusters:\n- name: c\n  cluster:\n    insecure-skip-tls-verify: \"true\"\n",
       "/k/config:4:31: clusters[0].cluster.insecure-skip-tls-verify: must be a bool, got string"},
      {"clusters not a list", "clusters: {a: 1}\n",
       "/k/config:1:11: clusters: must be an array, got object"},
      {"list item not an object", "users:\n- alice\n",
       "/k/config:2:3: users[0]: must be an object, got string"},
      {"missing name", "contexts:\n- context: {cluster: c}\n",
       "/k/config:2:3: contexts[0].name: context name is required"},
      {"duplicate name",
       "clusters:\n- name: c\n  cluster: {server: a}\n- name: c\n  cluster: {server: b}\n",
       "/k/config:4:9: clusters[1].name: duplicate cluster name \"c\""},
      {"bad base64", "users:\n- name: u\n  user:\n    client-key-data: a2V5!XBlbQ==\n",
       "/k/config:4:22: users[0].user.client-key-data: is not valid base64 (standard alphabet "
       "A-Z a-z 0-9 + /, '=' padding to a multiple of 4 characters): character '!' at offset 4 "
       "is not in the alphabet"},
      {"base64 without padding",
       "clusters:\n- name: c\n  cluster:\n    certificate-authority-data: YQ\n",
       "/k/config:4:33: clusters[0].cluster.certificate-authority-data: is not valid base64 "
       "(standard alphabet A-Z a-z 0-9 + /, '=' padding to a multiple of 4 characters): length 2 "
       "is not a multiple of 4"},
      {"exec args not strings", "users:\n- name: u\n  user:\n    exec:\n      args: [a, 2]\n",
       "/k/config:5:17: users[0].user.exec.args[1]: must be a string, got integer"},
      {"exec env not objects", "users:\n- name: u\n  user:\n    exec:\n      env: [A=b]\n",
       "/k/config:5:13: users[0].user.exec.env[0]: must be an object, got string"},
      {"wrong apiVersion", "apiVersion: v2\nkind: Config\n",
       "/k/config:1:13: apiVersion: must be v1, got \"v2\""},
      {"wrong kind", "apiVersion: v1\nkind: Pod\n",
       "/k/config:2:7: kind: must be Config, got \"Pod\""},
      {"current-context not a string", "current-context: [a]\n",
       "/k/config:1:18: current-context: must be a string, got array"},
      {"two errors, both reported",
       "clusters:\n- name: c\n  cluster: {server: 1}\ncurrent-context: 2\n",
       "/k/config:3:21: clusters[0].cluster.server: must be a string, got integer\n"
       "/k/config:4:18: current-context: must be a string, got integer"},
      {"two documents", "kind: Config\n---\nkind: Config\n",
       "/k/config: a kubeconfig holds one document, found 2"},
      {"yaml syntax", "clusters:\n- name: c\n   cluster: x\n",
       "/k/config:3:11: mapping values are not allowed in this context"},
  };
  for (const Row& row : rows) {
    auto got = ParseKubeconfig(row.text, "/k/config");
    ASSERT_FALSE(got.ok()) << row.name;
    EXPECT_EQ(got.error().code(), StatusCode::kInvalidArgument) << row.name;
    EXPECT_EQ(got.error().message(), row.error) << row.name;
  }
}

TEST(KubeconfigTest, MergeKeepsWhatTheFirstFileSet) {
  auto first = ParseKubeconfig(
      "clusters:\n- {name: shared, cluster: {server: https://first}}\n"
      "users:\n- {name: shared, user: {token: first}}\n"
      "contexts:\n- {name: shared, context: {cluster: shared}}\n"
      "preferences: {colors: true}\n",
      "/a/config");
  auto second = ParseKubeconfig(
      "clusters:\n- {name: shared, cluster: {server: https://second}}\n"
      "- {name: only-second, cluster: {server: https://s2}}\n"
      "users:\n- {name: shared, user: {token: second}}\n"
      "contexts:\n- {name: shared, context: {cluster: only-second}}\n"
      "current-context: shared\npreferences: {colors: false, extensions: []}\n",
      "/b/config");
  auto third = ParseKubeconfig("current-context: other\n", "/c/config");
  ASSERT_TRUE(first.ok() && second.ok() && third.ok());

  Kubeconfig merged;
  MergeKubeconfig(merged, *first);
  MergeKubeconfig(merged, *second);
  MergeKubeconfig(merged, *third);

  EXPECT_EQ(merged.clusters.at("shared").server, "https://first");
  EXPECT_EQ(merged.clusters.at("shared").origin, "/a/config");
  EXPECT_EQ(merged.clusters.at("only-second").server, "https://s2");
  EXPECT_EQ(merged.users.at("shared").token, "first");
  EXPECT_EQ(merged.contexts.at("shared").cluster, "shared");
  // The first file leaves current-context empty, so the second's fills it; the third's loses.
  EXPECT_EQ(merged.current_context, "shared");
  EXPECT_EQ(merged.preferences, (json::Object{{"colors", true}, {"extensions", json::Array{}}}));
  EXPECT_EQ(merged.sources, (std::vector<std::string>{"/a/config", "/b/config", "/c/config"}));
}

TEST(KubeconfigTest, LoadFollowsPrecedenceAndMergesKubeconfigList) {
  TempDirForTest dir;
  dir.Write("a", "current-context: a\n");
  dir.Write("b", "current-context: b\n");
  dir.Write("c", "current-context: c\n");
  std::filesystem::create_directories(dir.Path("a-directory"));

  struct Row {
    const char* name;
    KubeconfigLocations locations;  // "$DIR" is replaced by the temporary directory
    std::vector<std::string> want_sources;
    std::string want_current_context;
    StatusCode want_code = StatusCode::kOk;
    std::string want_error;
  } rows[] = {
      {"explicit path wins over KUBECONFIG and defaults",
       {"$DIR/c", "$DIR/a", {"$DIR/b"}},
       {"$DIR/c"},
       "c"},
      {"KUBECONFIG wins over defaults", {"", "$DIR/b", {"$DIR/a"}}, {"$DIR/b"}, "b"},
      {"KUBECONFIG list merged, first wins", {"", "$DIR/b:$DIR/a", {}}, {"$DIR/b", "$DIR/a"}, "b"},
      {"KUBECONFIG skips missing files and empty items",
       {"", "$DIR/missing::$DIR/a", {"$DIR/b"}},
       {"$DIR/a"},
       "a"},
      {"empty KUBECONFIG counts as unset", {"", "", {"$DIR/b"}}, {"$DIR/b"}, "b"},
      {"first existing default path",
       {"", std::nullopt, {"$DIR/missing", "$DIR/c", "$DIR/a"}},
       {"$DIR/c"},
       "c"},
      {"explicit path must exist",
       {"$DIR/missing", "$DIR/a", {}},
       {},
       "",
       StatusCode::kNotFound,
       "kubeconfig $DIR/missing: No such file or directory"},
      {"KUBECONFIG listing no file",
       {"", ":", {"$DIR/a"}},
       {},
       "",
       StatusCode::kInvalidArgument,
       "KUBECONFIG=\":\" lists no files"},
      {"KUBECONFIG files all missing, defaults not consulted",
       {"", "$DIR/x:$DIR/y", {"$DIR/a"}},
       {},
       "",
       StatusCode::kNotFound,
       "none of the files in KUBECONFIG exists: $DIR/x, $DIR/y"},
      {"KUBECONFIG file unreadable is an error, not skipped",
       {"", "$DIR/a-directory:$DIR/a", {}},
       {},
       "",
       StatusCode::kFailedPrecondition,
       "kubeconfig $DIR/a-directory: Is a directory"},
      {"no default path exists",
       {"", std::nullopt, {"$DIR/x", "$DIR/y"}},
       {},
       "",
       StatusCode::kNotFound,
       "no kubeconfig found: pass --kubeconfig or set KUBECONFIG (tried $DIR/x, $DIR/y)"},
  };
  for (Row& row : rows) {
    KubeconfigLocations loc = row.locations;
    loc.explicit_path = WithDir(loc.explicit_path, dir.path());
    if (loc.kubeconfig_env) loc.kubeconfig_env = WithDir(*loc.kubeconfig_env, dir.path());
    for (std::string& p : loc.default_paths) p = WithDir(p, dir.path());

    auto got = LoadKubeconfig(loc);
    if (row.want_code != StatusCode::kOk) {
      ASSERT_FALSE(got.ok()) << row.name;
      EXPECT_EQ(got.error().code(), row.want_code) << row.name;
      EXPECT_EQ(got.error().message(), WithDir(row.want_error, dir.path())) << row.name;
      continue;
    }
    ASSERT_TRUE(got.ok()) << row.name << ": " << got.error();
    for (std::string& s : row.want_sources) s = WithDir(s, dir.path());
    EXPECT_EQ(got->sources, row.want_sources) << row.name;
    EXPECT_EQ(got->current_context, row.want_current_context) << row.name;
  }
}

TEST(KubeconfigTest, LoadFileReportsParseErrorsWithItsPath) {
  TempDirForTest dir;
  std::string path = dir.Write("config", "clusters: 1\n");
  auto got = LoadKubeconfigFile(path);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().message(), path + ":1:11: clusters: must be an array, got integer");
}

}  // namespace
}  // namespace devflow::kube
