#include "kube/client_config.h"

#include <gtest/gtest.h>

#include <map>

#include "kube/kubeconfig_testing.h"

namespace devflow::kube {
namespace {

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(ServerUrlTest, ParsesServerAddresses) {
  struct Row {
    const char* name;
    const char* text;
    bool default_https;
    ServerUrl want;
    const char* error = nullptr;
  } rows[] = {
      {"https with port", "https://10.0.0.1:6443", false, {"https", "10.0.0.1", 6443, ""}},
      {"https default port",
       "https://api.example.com",
       false,
       {"https", "api.example.com", 443, ""}},
      {"http default port", "http://localhost", true, {"http", "localhost", 80, ""}},
      {"scheme is case-insensitive", "HTTPS://h:1", false, {"https", "h", 1, ""}},
      {"ipv6 bracketed", "https://[fd00::1]:6443", false, {"https", "fd00::1", 6443, ""}},
      {"ipv6 without port", "https://[::1]", false, {"https", "::1", 443, ""}},
      {"path prefix kept, trailing slash dropped",
       "https://rancher/k8s/clusters/c-1/",
       false,
       {"https", "rancher", 443, "/k8s/clusters/c-1"}},
      {"no scheme with TLS settings", "10.0.0.1:6443", true, {"https", "10.0.0.1", 6443, ""}},
      {"no scheme without TLS settings", "localhost:8080", false, {"http", "localhost", 8080, ""}},
      {"empty", "", false, {}, "empty address"},
      {"other scheme", "ftp://h", false, {}, "scheme must be http or https, got \"ftp\""},
      {"no host", "https://:6443", false, {}, "no host"},
      {"port not a number", "https://h:abc", false, {}, "port must be 1..65535, got \"abc\""},
      {"port zero", "https://h:0", false, {}, "port must be 1..65535, got \"0\""},
      {"port too large", "https://h:65536", false, {}, "port must be 1..65535, got \"65536\""},
      {"empty port", "https://h:", false, {}, "empty port"},
      {"ipv6 unbracketed",
       "https://fd00::1",
       false,
       {},
       "an IPv6 address must be written in brackets ([::1]:6443)"},
      {"unclosed bracket", "https://[::1", false, {}, "unclosed '[' in host"},
      {"user info",
       "https://me:pw@h",
       false,
       {},
       "user information is not allowed; use the user's credentials"},
      {"query", "https://h/?x=1", false, {}, "a query or fragment is not allowed"},
  };
  for (const Row& row : rows) {
    auto got = ParseServerUrl(row.text, row.default_https);
    if (row.error != nullptr) {
      ASSERT_FALSE(got.ok()) << row.name;
      EXPECT_EQ(got.error().message(), row.error) << row.name;
      continue;
    }
    ASSERT_TRUE(got.ok()) << row.name << ": " << got.error();
    EXPECT_EQ(*got, row.want) << row.name;
  }
  EXPECT_EQ(ParseServerUrl("https://[fd00::1]:6443/p", false)->ToString(),
            "https://[fd00::1]:6443/p");
  EXPECT_EQ(ParseServerUrl("https://h", false)->HostPort(), "h:443");
}

TEST(DefaultKubeconfigPathsTest, DataDirThenHome) {
  EXPECT_EQ(DefaultKubeconfigPaths("/var/lib/devflow", FakeEnv({{"HOME", "/home/me"}})),
            (std::vector<std::string>{"/var/lib/devflow/kubeconfig", "/home/me/.kube/config"}));
  EXPECT_EQ(DefaultKubeconfigPaths("", FakeEnv({{"HOME", "/home/me"}})),
            (std::vector<std::string>{"/home/me/.kube/config"}));
  EXPECT_EQ(DefaultKubeconfigPaths("/d", FakeEnv({{"HOME", ""}})),
            (std::vector<std::string>{"/d/kubeconfig"}));
}

// One kubeconfig with a context per case; "$DIR" is the directory holding it.
constexpr char kKubeconfig[] = R"(apiVersion: v1
kind: Config
current-context: token
clusters:
- name: data
  cluster: {server: 'https://data:6443', certificate-authority-data: Q0EtREFUQQ==,
            tls-server-name: api.internal, proxy-url: 'http://proxy:3128'}
- name: file
  cluster: {server: 'https://file:6443', certificate-authority: pki/ca.crt}
- name: both
  cluster: {server: 'https://both', certificate-authority: missing.crt,
            certificate-authority-data: Q0EtREFUQQ==}
- name: insecure
  cluster: {server: 'insecure:6443', insecure-skip-tls-verify: true}
- name: no-server
  cluster: {certificate-authority-data: Q0EtREFUQQ==}
- name: bad-server
  cluster: {server: 'https://a:b:c'}
- name: missing-ca
  cluster: {server: 'https://h', certificate-authority: nope/ca.crt}
users:
- name: token
  user: {token: static-token}
- name: token-file
  user: {tokenFile: secrets/token}
- name: basic
  user: {username: bob, password: hunter2}
- name: cert-files
  user: {client-certificate: pki/client.crt, client-key: pki/client.key}
- name: cert-data
  user: {client-certificate-data: Q0VSVC1EQVRB, client-key-data: S0VZLURBVEE=}
- name: cert-only
  user: {client-certificate-data: Q0VSVC1EQVRB}
- name: key-only
  user: {client-key: pki/client.key}
- name: token-and-basic
  user: {token: t, username: u}
- name: token-file-and-exec
  user: {tokenFile: secrets/token, exec: {command: p, apiVersion: client.authentication.k8s.io/v1}}
- name: auth-provider
  user: {auth-provider: {name: gcp}}
- name: impersonating
  user: {token: t, as: admin}
- name: missing-token-file
  user: {tokenFile: secrets/none}
- name: missing-cert-file
  user: {client-certificate: pki/none.crt, client-key: pki/client.key}
- name: exec
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1, command: ./plugins/get-token,
           args: [a], interactiveMode: Never, provideClusterInfo: true}
- name: exec-no-command
  user: {exec: {apiVersion: client.authentication.k8s.io/v1, interactiveMode: Never}}
- name: exec-no-version
  user: {exec: {command: p}}
- name: exec-old-version
  user: {exec: {command: p, apiVersion: client.authentication.k8s.io/v1alpha1}}
- name: exec-v1-no-mode
  user: {exec: {command: p, apiVersion: client.authentication.k8s.io/v1}}
- name: exec-beta-no-mode
  user: {exec: {command: p, apiVersion: client.authentication.k8s.io/v1beta1}}
- name: exec-always
  user: {exec: {command: p, apiVersion: client.authentication.k8s.io/v1, interactiveMode: Always}}
- name: exec-odd-mode
  user:
    exec: {command: p, apiVersion: client.authentication.k8s.io/v1, interactiveMode: Sometimes}
- name: exec-nameless-env
  user:
    exec: {command: p, apiVersion: client.authentication.k8s.io/v1beta1, env: [{value: x}]}
contexts:
- {name: token, context: {cluster: data, user: token, namespace: web}}
- {name: token-file, context: {cluster: file, user: token-file}}
- {name: basic, context: {cluster: insecure, user: basic}}
- {name: cert-files, context: {cluster: both, user: cert-files}}
- {name: cert-data, context: {cluster: data, user: cert-data}}
- {name: anonymous, context: {cluster: data}}
- {name: exec, context: {cluster: file, user: exec}}
- {name: exec-beta-no-mode, context: {cluster: data, user: exec-beta-no-mode}}
- {name: no-cluster, context: {user: token}}
- {name: unknown-cluster, context: {cluster: nope, user: token}}
- {name: unknown-user, context: {cluster: data, user: nope}}
- {name: no-server, context: {cluster: no-server}}
- {name: bad-server, context: {cluster: bad-server}}
- {name: missing-ca, context: {cluster: missing-ca}}
- {name: cert-only, context: {cluster: data, user: cert-only}}
- {name: key-only, context: {cluster: data, user: key-only}}
- {name: token-and-basic, context: {cluster: data, user: token-and-basic}}
- {name: token-file-and-exec, context: {cluster: data, user: token-file-and-exec}}
- {name: auth-provider, context: {cluster: data, user: auth-provider}}
- {name: impersonating, context: {cluster: data, user: impersonating}}
- {name: missing-token-file, context: {cluster: data, user: missing-token-file}}
- {name: missing-cert-file, context: {cluster: data, user: missing-cert-file}}
- {name: exec-no-command, context: {cluster: data, user: exec-no-command}}
- {name: exec-no-version, context: {cluster: data, user: exec-no-version}}
- {name: exec-old-version, context: {cluster: data, user: exec-old-version}}
- {name: exec-v1-no-mode, context: {cluster: data, user: exec-v1-no-mode}}
- {name: exec-always, context: {cluster: data, user: exec-always}}
- {name: exec-odd-mode, context: {cluster: data, user: exec-odd-mode}}
- {name: exec-nameless-env, context: {cluster: data, user: exec-nameless-env}}
)";

class ClientConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.Write("kube/config", kKubeconfig);
    dir_.Write("kube/pki/ca.crt", "CA-FILE");
    dir_.Write("kube/pki/client.crt", "CERT-FILE");
    dir_.Write("kube/pki/client.key", "KEY-FILE");
    dir_.Write("kube/secrets/token", "  file-token\n");
    dir_.Write("kube/plugins/get-token",
               "#!/bin/sh\n"
               "echo '{\"apiVersion\":\"client.authentication.k8s.io/v1\","
               "\"kind\":\"ExecCredential\",\"status\":{\"token\":\"exec-token\"}}'\n",
               0755);
  }

  LoadOptions Options(const std::string& context) {
    LoadOptions options;
    options.kubeconfig_path = path_;
    options.context = context;
    options.env = FakeEnv({});
    return options;
  }

  std::string Kube(const std::string& name) { return dir_.Path("kube/" + name); }

  TempDirForTest dir_;
  std::string path_;
};

TEST_F(ClientConfigTest, ResolvesEachKindOfContext) {
  std::string kube = dir_.Path("kube");
  auto user = [&](const std::string& name) { return "user \"" + name + "\" in " + path_; };
  ExecOptions exec_options;
  exec_options.owner = user("exec");

  struct Row {
    std::string context;
    ClientConfig want;
  } rows[] = {
      {"token",
       {.server = {"https", "data", 6443, ""},
        .ca_pem = "CA-DATA",
        .tls_server_name = "api.internal",
        .proxy_url = "http://proxy:3128",
        .credentials = BearerToken{"static-token"},
        .namespace_ = "web"}},
      {"token-file",
       {.server = {"https", "file", 6443, ""},
        .ca_pem = "CA-FILE",
        .credentials = TokenFile(kube + "/secrets/token")}},
      {"basic",
       {.server = {"https", "insecure", 6443, ""},
        .insecure_skip_tls_verify = true,
        .credentials = BasicAuth{"bob", "hunter2"}}},
      // certificate-authority-data wins over a (here missing) certificate-authority file.
      {"cert-files",
       {.server = {"https", "both", 443, ""},
        .ca_pem = "CA-DATA",
        .client_cert_pem = "CERT-FILE",
        .client_key_pem = "KEY-FILE"}},
      {"cert-data",
       {.server = {"https", "data", 6443, ""},
        .ca_pem = "CA-DATA",
        .tls_server_name = "api.internal",
        .proxy_url = "http://proxy:3128",
        .client_cert_pem = "CERT-DATA",
        .client_key_pem = "KEY-DATA"}},
      {"anonymous",
       {.server = {"https", "data", 6443, ""},
        .ca_pem = "CA-DATA",
        .tls_server_name = "api.internal",
        .proxy_url = "http://proxy:3128"}},
      {"exec",
       {.server = {"https", "file", 6443, ""},
        .ca_pem = "CA-FILE",
        .credentials = ExecPlugin(
            ExecConfig{.api_version = "client.authentication.k8s.io/v1",
                       .command = kube + "/./plugins/get-token",
                       .args = {"a"},
                       .provide_cluster_info = true,
                       .interactive_mode = "Never"},
            ExecCluster{.server = "https://file:6443", .certificate_authority_data = "CA-FILE"},
            exec_options)}},
      // v1beta1 defaults interactiveMode to IfAvailable, so it may be left out.
      {"exec-beta-no-mode",
       {.server = {"https", "data", 6443, ""},
        .ca_pem = "CA-DATA",
        .tls_server_name = "api.internal",
        .proxy_url = "http://proxy:3128",
        .credentials = ExecPlugin(
            ExecConfig{.api_version = "client.authentication.k8s.io/v1beta1", .command = "p"},
            std::nullopt,
            [&] {
              ExecOptions o;
              o.owner = user("exec-beta-no-mode");
              return o;
            }())}},
  };
  for (Row& row : rows) {
    row.want.origin = "context \"" + row.context + "\" of " + path_;
    auto got = ResolveClientConfig(Options(row.context));
    ASSERT_TRUE(got.ok()) << row.context << ": " << got.error();
    EXPECT_EQ(*got, row.want) << row.context;
  }
}

TEST_F(ClientConfigTest, ReportsEveryConfigurationError) {
  struct Row {
    const char* context;
    StatusCode code;
    const char* error;  // "$F" is the kubeconfig's path, "$K" its directory
  } rows[] = {
      {"nope", StatusCode::kNotFound, "context \"nope\" not found in kubeconfig $F"},
      {"no-cluster", StatusCode::kInvalidArgument, "context \"no-cluster\" in $F names no cluster"},
      {"unknown-cluster", StatusCode::kNotFound,
       "cluster \"nope\" of context \"unknown-cluster\" not found in kubeconfig $F"},
      {"unknown-user", StatusCode::kNotFound,
       "user \"nope\" of context \"unknown-user\" not found in kubeconfig $F"},
      {"no-server", StatusCode::kInvalidArgument, "cluster \"no-server\" in $F has no server"},
      {"bad-server", StatusCode::kInvalidArgument,
       "cluster \"bad-server\" in $F: server \"https://a:b:c\": an IPv6 address must be written "
       "in brackets ([::1]:6443)"},
      {"missing-ca", StatusCode::kNotFound,
       "cluster \"missing-ca\" in $F: certificate-authority $K/nope/ca.crt: No such file or "
       "directory"},
      {"cert-only", StatusCode::kInvalidArgument,
       "user \"cert-only\" in $F: a client certificate needs client-key or client-key-data"},
      {"key-only", StatusCode::kInvalidArgument,
       "user \"key-only\" in $F: a client key needs client-certificate or "
       "client-certificate-data"},
      {"token-and-basic", StatusCode::kInvalidArgument,
       "user \"token-and-basic\" in $F sets more than one authentication method (token, basic "
       "auth); only one is allowed"},
      {"token-file-and-exec", StatusCode::kInvalidArgument,
       "user \"token-file-and-exec\" in $F sets more than one authentication method (token, "
       "exec); only one is allowed"},
      {"auth-provider", StatusCode::kInvalidArgument,
       "user \"auth-provider\" in $F: auth-provider \"gcp\" is not supported; use an exec "
       "credential plugin (exec)"},
      {"impersonating", StatusCode::kInvalidArgument,
       "user \"impersonating\" in $F: impersonation (as, as-uid, as-groups, as-user-extra) is "
       "not supported"},
      {"missing-token-file", StatusCode::kNotFound,
       "user \"missing-token-file\" in $F: token file $K/secrets/none: No such file or "
       "directory"},
      {"missing-cert-file", StatusCode::kNotFound,
       "user \"missing-cert-file\" in $F: client-certificate $K/pki/none.crt: No such file or "
       "directory"},
      {"exec-no-command", StatusCode::kInvalidArgument,
       "user \"exec-no-command\" in $F: exec: command is required"},
      {"exec-no-version", StatusCode::kInvalidArgument,
       "user \"exec-no-version\" in $F: exec: apiVersion is required"},
      {"exec-old-version", StatusCode::kInvalidArgument,
       "user \"exec-old-version\" in $F: exec: apiVersion "
       "\"client.authentication.k8s.io/v1alpha1\" is not supported (use "
       "client.authentication.k8s.io/v1 or client.authentication.k8s.io/v1beta1)"},
      {"exec-v1-no-mode", StatusCode::kInvalidArgument,
       "user \"exec-v1-no-mode\" in $F: exec: interactiveMode is required for "
       "client.authentication.k8s.io/v1 (Never or IfAvailable)"},
      {"exec-always", StatusCode::kInvalidArgument,
       "user \"exec-always\" in $F: exec: interactiveMode Always needs a terminal for the plugin "
       "to prompt on, which devflow never has; use Never or IfAvailable"},
      {"exec-odd-mode", StatusCode::kInvalidArgument,
       "user \"exec-odd-mode\" in $F: exec: interactiveMode must be Never, IfAvailable or "
       "Always, got \"Sometimes\""},
      {"exec-nameless-env", StatusCode::kInvalidArgument,
       "user \"exec-nameless-env\" in $F: exec: env[0].name is required"},
  };
  for (const Row& row : rows) {
    auto got = ResolveClientConfig(Options(row.context));
    ASSERT_FALSE(got.ok()) << row.context;
    EXPECT_EQ(got.error().code(), row.code) << row.context << ": " << got.error();
    std::string want = row.error;
    for (auto [placeholder, value] : {std::pair<std::string, std::string>{"$F", path_},
                                      std::pair<std::string, std::string>{"$K", Kube("")}}) {
      if (value.back() == '/') value.pop_back();
      for (size_t at = want.find(placeholder); at != std::string::npos;
           at = want.find(placeholder, at)) {
        want.replace(at, placeholder.size(), value);
        at += value.size();
      }
    }
    EXPECT_EQ(got.error().message(), want) << row.context;
  }
}

TEST_F(ClientConfigTest, ChoosesContextAndNamespaceByPrecedence) {
  struct Row {
    const char* name;
    const char* context_flag;
    const char* namespace_flag;
    const char* want_origin_context;
    const char* want_namespace;
  } rows[] = {
      {"current-context and its namespace", "", "", "token", "web"},
      {"--namespace wins over the context's", "", "flagged", "token", "flagged"},
      {"--context wins over current-context", "basic", "", "basic", "default"},
      {"both flags", "basic", "ns", "basic", "ns"},
  };
  for (const Row& row : rows) {
    LoadOptions options = Options(row.context_flag);
    options.namespace_ = row.namespace_flag;
    auto got = ResolveClientConfig(options);
    ASSERT_TRUE(got.ok()) << row.name << ": " << got.error();
    EXPECT_EQ(got->origin, "context \"" + std::string(row.want_origin_context) + "\" of " + path_)
        << row.name;
    EXPECT_EQ(got->namespace_, row.want_namespace) << row.name;
  }
}

TEST_F(ClientConfigTest, NoContextChosenIsAnError) {
  std::string path = dir_.Write("empty-context", "clusters: []\n");
  LoadOptions options = Options("");
  options.kubeconfig_path = path;
  auto got = ResolveClientConfig(options);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().message(),
            "no context chosen: kubeconfig " + path + " sets no current-context; pass --context");
}

TEST_F(ClientConfigTest, ReadsKubeconfigFromTheEnvironmentThenTheDefaults) {
  std::string other = dir_.Write("other", R"(current-context: other
contexts: [{name: other, context: {cluster: c}}]
clusters: [{name: c, cluster: {server: 'http://other'}}]
)");
  LoadOptions options;
  options.default_paths = {dir_.Path("missing"), other};

  options.env = FakeEnv({{"KUBECONFIG", path_}});
  auto from_env = ResolveClientConfig(options);
  ASSERT_TRUE(from_env.ok()) << from_env.error();
  EXPECT_EQ(from_env->server.host, "data");

  options.env = FakeEnv({});
  auto from_default = ResolveClientConfig(options);
  ASSERT_TRUE(from_default.ok()) << from_default.error();
  EXPECT_EQ(from_default->server.host, "other");

  // Entries of a later KUBECONFIG file are usable; the first file's current-context wins.
  options.env = FakeEnv({{"KUBECONFIG", other + ":" + path_}});
  options.context = "basic";
  auto merged = ResolveClientConfig(options);
  ASSERT_TRUE(merged.ok()) << merged.error();
  EXPECT_EQ(merged->server.host, "insecure");
  EXPECT_EQ(merged->origin, "context \"basic\" of " + other + ", " + path_);
}

TEST_F(ClientConfigTest, CurrentAuthGivesEachSourcesCredentials) {
  struct Row {
    const char* context;
    RequestAuth want;
  } rows[] = {
      {"token", {.bearer_token = "static-token"}},
      {"token-file", {.bearer_token = "file-token"}},
      {"basic", {.username = "bob", .password = "hunter2"}},
      {"cert-data", {.client_cert_pem = "CERT-DATA", .client_key_pem = "KEY-DATA"}},
      {"anonymous", {}},
      {"exec", {.bearer_token = "exec-token"}},
  };
  for (const Row& row : rows) {
    auto config = ResolveClientConfig(Options(row.context));
    ASSERT_TRUE(config.ok()) << row.context << ": " << config.error();
    auto auth = config->CurrentAuth();
    ASSERT_TRUE(auth.ok()) << row.context << ": " << auth.error();
    EXPECT_EQ(*auth, row.want) << row.context;
  }
}

TEST_F(ClientConfigTest, TokenFileRotationIsSeenOnTheNextRequest) {
  auto config = ResolveClientConfig(Options("token-file"));
  ASSERT_TRUE(config.ok()) << config.error();
  ClientConfig copy = *config;
  EXPECT_EQ(config->CurrentAuth()->bearer_token, "file-token");

  // Rewritten in place, with a different length.
  dir_.Write("kube/secrets/token", "second-token-longer\n");
  EXPECT_EQ(copy.CurrentAuth()->bearer_token, "second-token-longer");
  // Replaced by rename, as the kubelet does, with the same length.
  dir_.Replace("kube/secrets/token", "third-token-longer!\n");
  EXPECT_EQ(config->CurrentAuth()->bearer_token, "third-token-longer!");
}

TEST(TokenFileTest, KeepsTheLastGoodTokenWhenTheFileBreaks) {
  TempDirForTest dir;
  std::string path = dir.Write("token", "one\n");
  TokenFile file(path);
  EXPECT_EQ(*file.CurrentToken(), "one");
  dir.Write("token", "  \n");  // empty after trimming
  EXPECT_EQ(*file.CurrentToken(), "one");
  std::filesystem::remove(path);
  EXPECT_EQ(*file.CurrentToken(), "one");
  dir.Write("token", "two");
  EXPECT_EQ(*file.CurrentToken(), "two");
}

TEST(TokenFileTest, ErrorsOnlyWithoutATokenToFallBackOn) {
  TempDirForTest dir;
  struct Row {
    const char* name;
    const char* content;  // nullptr: no file
    const char* fallback;
    StatusCode code;
    std::string want;  // the token, or the error message ("$DIR" replaced)
  } rows[] = {
      {"missing", nullptr, "", StatusCode::kNotFound,
       "token file $DIR/token: No such file or directory"},
      {"empty", "\n", "", StatusCode::kFailedPrecondition, "token file $DIR/token is empty"},
      {"missing, kubeconfig token as fallback", nullptr, "static", StatusCode::kOk, "static"},
      {"present wins over the fallback", "from-file", "static", StatusCode::kOk, "from-file"},
  };
  for (const Row& row : rows) {
    std::filesystem::remove(dir.Path("token"));
    if (row.content != nullptr) dir.Write("token", row.content);
    TokenFile file(dir.Path("token"), row.fallback);
    auto got = file.CurrentToken();
    if (row.code == StatusCode::kOk) {
      ASSERT_TRUE(got.ok()) << row.name << ": " << got.error();
      EXPECT_EQ(*got, row.want) << row.name;
    } else {
      ASSERT_FALSE(got.ok()) << row.name;
      EXPECT_EQ(got.error().code(), row.code) << row.name;
      EXPECT_EQ(got.error().message(), WithDir(row.want, dir.path())) << row.name;
    }
  }
}

TEST_F(ClientConfigTest, ExecPluginSeesTheClusterWhenAsked) {
  dir_.Write("kube/plugins/get-token",
             "#!/bin/sh\nprintf '%s' \"$KUBERNETES_EXEC_INFO\" > \"$(dirname \"$0\")/info\"\n"
             "echo '{\"apiVersion\":\"client.authentication.k8s.io/v1\","
             "\"kind\":\"ExecCredential\",\"status\":{\"token\":\"exec-token\"}}'\n",
             0755);
  auto config = ResolveClientConfig(Options("exec"));
  ASSERT_TRUE(config.ok()) << config.error();
  ASSERT_TRUE(config->CurrentAuth().ok());
  std::ifstream in(Kube("plugins/info"));
  std::string info((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The CA read from the cluster's file reaches the plugin as base64 data.
  EXPECT_EQ(info, R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",)"
                  R"("spec":{"cluster":{"server":"https://file:6443",)"
                  R"("certificate-authority-data":"Q0EtRklMRQ=="},"interactive":false}})");
}

}  // namespace
}  // namespace devflow::kube
