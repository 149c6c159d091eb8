#include "kube/exec_credential.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "api/time.h"
#include "kube/kubeconfig_testing.h"

namespace devflow::kube {
namespace {

constexpr char kV1[] = "client.authentication.k8s.io/v1";
constexpr char kV1Beta1[] = "client.authentication.k8s.io/v1beta1";

std::chrono::system_clock::time_point At(const char* rfc3339) {
  return std::chrono::time_point_cast<std::chrono::system_clock::duration>(
      *api::ParseRfc3339(rfc3339));
}

class ManualClock final : public CredentialClock {
 public:
  explicit ManualClock(const char* rfc3339) : now_(At(rfc3339)) {}
  std::chrono::system_clock::time_point Now() const override { return now_; }
  void Set(const char* rfc3339) { now_ = At(rfc3339); }

 private:
  std::chrono::system_clock::time_point now_;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int Lines(const std::string& path) {
  std::string text = ReadFile(path);
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

// A fixed environment, so the tests do not depend on the runner's.
ExecOptions TestOptions() {
  ExecOptions options;
  options.environment = std::vector<std::string>{"PATH=/usr/bin:/bin", "INHERITED=yes",
                                                 "REGION=overridden-by-config"};
  options.owner = "user \"u\" in /k/config";
  return options;
}

TEST(ExecCredentialTest, ExecInfoCarriesClusterOnlyWhenAskedFor) {
  ExecConfig config{.api_version = kV1, .command = "p"};
  ExecCluster cluster{.server = "https://10.0.0.1:6443",
                      .tls_server_name = "api",
                      .insecure_skip_tls_verify = true,
                      .certificate_authority_data = "ca-pem",
                      .proxy_url = "http://proxy",
                      .config = json::Object{{"audience", "x"}}};

  EXPECT_EQ(ExecInfoJson(config, &cluster),
            R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",)"
            R"("spec":{"interactive":false}})");
  config.provide_cluster_info = true;
  EXPECT_EQ(ExecInfoJson(config, &cluster),
            R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",)"
            R"("spec":{"cluster":{"server":"https://10.0.0.1:6443","tls-server-name":"api",)"
            R"("insecure-skip-tls-verify":true,"certificate-authority-data":"Y2EtcGVt",)"
            R"("proxy-url":"http://proxy","config":{"audience":"x"}},"interactive":false}})");
  ExecCluster bare{.server = "https://h"};
  EXPECT_EQ(ExecInfoJson(config, &bare),
            R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",)"
            R"("spec":{"cluster":{"server":"https://h"},"interactive":false}})");
}

TEST(ExecCredentialTest, ParsesAndChecksThePluginsOutput) {
  struct Row {
    const char* name;
    const char* output;
    std::optional<ExecCredential> want;
    const char* error = "";
  } rows[] = {
      {"token with expiry",
       R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",
           "status":{"token":"t","expirationTimestamp":"2030-01-01T00:00:00Z"}})",
       ExecCredential{.token = "t", .expiration = At("2030-01-01T00:00:00Z")}},
      {"certificate without expiry",
       R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",
           "spec":{},"status":{"clientCertificateData":"C","clientKeyData":"K"}})",
       ExecCredential{.client_certificate_pem = "C", .client_key_pem = "K"}},
      {"not JSON", "hello\n", std::nullopt,
       "output is not an ExecCredential: line 1, column 1: unexpected character 'h'"},
      {"not an object", "[1]", std::nullopt,
       "output is not an ExecCredential: a JSON array, not an object"},
      {"other apiVersion",
       R"({"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential",
           "status":{"token":"t"}})",
       std::nullopt,
       "the plugin returned apiVersion \"client.authentication.k8s.io/v1beta1\", but the "
       "kubeconfig asks for \"client.authentication.k8s.io/v1\""},
      {"other kind",
       R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"Token","status":{"token":"t"}})",
       std::nullopt, "the plugin returned kind \"Token\", expected \"ExecCredential\""},
      {"no status", R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential"})",
       std::nullopt, "the plugin returned no status object"},
      {"empty status",
       R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{}})",
       std::nullopt, "the plugin returned neither status.token nor status.clientCertificateData"},
      {"certificate without key",
       R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",
           "status":{"token":"t","clientCertificateData":"C"}})",
       std::nullopt,
       "the plugin returned only one of status.clientCertificateData and status.clientKeyData"},
      {"token not a string",
       R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",
           "status":{"token":7}})",
       std::nullopt, "status.token must be a string, got integer"},
      {"bad expiry",
       R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",
           "status":{"token":"t","expirationTimestamp":"tomorrow"}})",
       std::nullopt, "status.expirationTimestamp: "},
  };
  for (const Row& row : rows) {
    auto got = ParseExecCredential(row.output, kV1);
    if (row.want.has_value()) {
      ASSERT_TRUE(got.ok()) << row.name << ": " << got.error();
      EXPECT_EQ(*got, *row.want) << row.name;
      continue;
    }
    ASSERT_FALSE(got.ok()) << row.name;
    EXPECT_EQ(got.error().code(), StatusCode::kInvalidArgument) << row.name;
    // The bad-expiry row checks the prefix only: the rest is ParseRfc3339's wording.
    EXPECT_EQ(got.error().message().substr(0, std::string(row.error).size()), row.error)
        << row.name;
    if (std::string(row.name) != "bad expiry") {
      EXPECT_EQ(got.error().message(), row.error) << row.name;
    }
  }
}

class ExecPluginTest : public ::testing::Test {
 protected:
  // Writes an executable shell script plugin and returns its path.
  std::string Plugin(const std::string& name, const std::string& body) {
    return dir_.Write(name, "#!/bin/sh\n" + WithDir(body, dir_.path()), 0755);
  }

  TempDirForTest dir_;
};

constexpr char kCountingTokenPlugin[] = R"(echo run >> "$DIR/runs"
n=$(wc -l < "$DIR/runs" | tr -d ' ')
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",'
printf '"status":{"token":"tok-%s","expirationTimestamp":"2030-01-01T00:00:00Z"}}\n' "$n"
)";

TEST_F(ExecPluginTest, CachesTheCredentialUntilItExpires) {
  ExecConfig config{.api_version = kV1, .command = Plugin("token", kCountingTokenPlugin)};
  ManualClock clock("2029-12-31T23:00:00Z");
  ExecOptions options = TestOptions();
  options.clock = &clock;
  ExecPlugin plugin(config, std::nullopt, options);

  auto first = plugin.Credential();
  ASSERT_TRUE(first.ok()) << first.error();
  EXPECT_EQ(*first, (ExecCredential{.token = "tok-1", .expiration = At("2030-01-01T00:00:00Z")}));

  clock.Set("2029-12-31T23:59:59Z");
  ExecPlugin copy = plugin;  // copies share the cache
  EXPECT_EQ(copy.Credential()->token, "tok-1");
  EXPECT_EQ(Lines(dir_.Path("runs")), 1);

  clock.Set("2030-01-01T00:00:00Z");  // expired at its expirationTimestamp
  EXPECT_EQ(plugin.Credential()->token, "tok-2");
  EXPECT_EQ(Lines(dir_.Path("runs")), 2);

  plugin.Invalidate();  // after a 401
  EXPECT_EQ(copy.Credential()->token, "tok-3");
  EXPECT_EQ(Lines(dir_.Path("runs")), 3);
}

TEST_F(ExecPluginTest, CredentialWithoutExpiryIsKeptUntilInvalidated) {
  ExecConfig config{.api_version = kV1, .command = Plugin("token", R"(echo run >> "$DIR/runs"
echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",'
echo '"status":{"token":"t"}}'
)")};
  ManualClock clock("2029-01-01T00:00:00Z");
  ExecOptions options = TestOptions();
  options.clock = &clock;
  ExecPlugin plugin(config, std::nullopt, options);
  ASSERT_TRUE(plugin.Credential().ok());
  clock.Set("2099-01-01T00:00:00Z");
  ASSERT_TRUE(plugin.Credential().ok());
  EXPECT_EQ(Lines(dir_.Path("runs")), 1);
}

TEST_F(ExecPluginTest, PassesArgsEnvironmentAndExecInfo) {
  ExecConfig config{
      .api_version = kV1Beta1,
      .command = Plugin("echo", R"(printf '%s\n' "$@" > "$DIR/args"
printf '%s|%s' "$REGION" "$INHERITED" > "$DIR/env"
printf '%s' "$KUBERNETES_EXEC_INFO" > "$DIR/info"
echo '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential",'
echo '"status":{"clientCertificateData":"CERT","clientKeyData":"KEY"}}'
)"),
      .args = {"--cluster", "prod one"},
      .env = {{"REGION", "eu"}},
      .provide_cluster_info = true,
  };
  ExecCluster cluster{.server = "https://h:6443"};
  auto got = RunExecPlugin(config, &cluster, TestOptions());
  ASSERT_TRUE(got.ok()) << got.error();
  EXPECT_EQ(*got, (ExecCredential{.client_certificate_pem = "CERT", .client_key_pem = "KEY"}));
  EXPECT_EQ(ReadFile(dir_.Path("args")), "--cluster\nprod one\n");
  EXPECT_EQ(ReadFile(dir_.Path("env")), "eu|yes");
  EXPECT_EQ(ReadFile(dir_.Path("info")), ExecInfoJson(config, &cluster));
}

TEST_F(ExecPluginTest, FindsABareCommandInPath) {
  Plugin("bin/my-plugin", R"(echo '{"apiVersion":"client.authentication.k8s.io/v1",'
echo '"kind":"ExecCredential","status":{"token":"from-path"}}'
)");
  ExecOptions options = TestOptions();
  options.environment->push_back("PATH=/nonexistent:" + dir_.Path("bin"));
  options.environment->erase(options.environment->begin());  // the first PATH
  auto got = RunExecPlugin({.api_version = kV1, .command = "my-plugin"}, nullptr, options);
  ASSERT_TRUE(got.ok()) << got.error();
  EXPECT_EQ(got->token, "from-path");
}

TEST_F(ExecPluginTest, FailuresCarryStderrAndInstallHint) {
  struct Row {
    const char* name;
    std::string command;  // a script body, or "@missing", "@bare-missing", "@not-executable"
    StatusCode code;
    std::string error;  // "$CMD" is the command's path
  } rows[] = {
      {"exit code", "echo 'boom: no credentials' >&2\nexit 3\n", StatusCode::kUnavailable,
       "exec credential plugin \"$CMD\" (user \"u\" in /k/config): exited with code 3; stderr: "
       "boom: no credentials\nInstall it with: brew install thing"},
      {"garbage output", "echo hello\necho 'warning: x' >&2\n", StatusCode::kInvalidArgument,
       "exec credential plugin \"$CMD\" (user \"u\" in /k/config): output is not an "
       "ExecCredential: line 1, column 1: unexpected character 'h'; stderr: warning: x"},
      {"killed by a signal", "kill -9 $$\n", StatusCode::kUnavailable,
       "exec credential plugin \"$CMD\" (user \"u\" in /k/config): killed by signal 9\n"
       "Install it with: brew install thing"},
      {"hangs", "echo 'waiting for a browser' >&2\nsleep 1000\n", StatusCode::kDeadlineExceeded,
       "exec credential plugin \"$CMD\" (user \"u\" in /k/config): did not finish within 300ms; "
       "stderr: waiting for a browser"},
      {"missing file", "@missing", StatusCode::kNotFound,
       "exec credential plugin \"$CMD\" (user \"u\" in /k/config): No such file or directory\n"
       "Install it with: brew install thing"},
      {"not in PATH", "@bare-missing", StatusCode::kNotFound,
       "exec credential plugin \"$CMD\" (user \"u\" in /k/config): executable not found in "
       "PATH\nInstall it with: brew install thing"},
      {"not executable", "@not-executable", StatusCode::kPermissionDenied,
       "exec credential plugin \"$CMD\" (user \"u\" in /k/config): cannot execute $CMD: "
       "Permission denied"},
  };
  int i = 0;
  for (const Row& row : rows) {
    std::string command;
    if (row.command == "@missing") {
      command = dir_.Path("missing-plugin");
    } else if (row.command == "@bare-missing") {
      command = "devflow-no-such-plugin";
    } else if (row.command == "@not-executable") {
      command = dir_.Write("plain", "#!/bin/sh\necho hi\n", 0644);
    } else {
      command = Plugin("plugin-" + std::to_string(i++), row.command);
    }
    ExecConfig config{.api_version = kV1,
                      .command = command,
                      .install_hint = "Install it with: brew install thing\n"};
    ExecOptions options = TestOptions();
    options.timeout = std::chrono::milliseconds(300);
    auto got = RunExecPlugin(config, nullptr, options);
    ASSERT_FALSE(got.ok()) << row.name;
    EXPECT_EQ(got.error().code(), row.code) << row.name << ": " << got.error();
    std::string want = row.error;
    for (size_t at = want.find("$CMD"); at != std::string::npos; at = want.find("$CMD", at)) {
      want.replace(at, 4, command);
      at += command.size();
    }
    EXPECT_EQ(got.error().message(), want) << row.name;
  }
}

TEST_F(ExecPluginTest, FailedRunIsNotCached) {
  std::string command = Plugin("flaky", R"(if [ -e "$DIR/ok" ]; then
  echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",'
  echo '"status":{"token":"t"}}'
else
  exit 1
fi
)");
  ExecPlugin plugin({.api_version = kV1, .command = command}, std::nullopt, TestOptions());
  EXPECT_EQ(plugin.Credential().status().code(), StatusCode::kUnavailable);
  dir_.Write("ok", "");
  auto got = plugin.Credential();
  ASSERT_TRUE(got.ok()) << got.error();
  EXPECT_EQ(got->token, "t");
}

}  // namespace
}  // namespace devflow::kube
