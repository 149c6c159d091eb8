#include "node/prober.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "common/eventually_testing.h"
#include "http/http_testing.h"
#include "http/tls.h"
#include "node/proc_stat.h"
#include "node/process_supervisor.h"

namespace devflow::node {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

constexpr milliseconds kTimeout(5000);  // bounds a hang; the servers answer at once

api::Probe HttpProbe(api::IntOrString port, std::string path,
                     std::vector<api::HttpHeader> headers = {}) {
  api::Probe probe;
  probe.http_get = api::HttpGetAction{};
  probe.http_get->port = std::move(port);
  probe.http_get->path = std::move(path);
  probe.http_get->http_headers = std::move(headers);
  return probe;
}

api::Probe TcpProbe(api::IntOrString port) {
  api::Probe probe;
  probe.tcp_socket = api::TcpSocketAction{};
  probe.tcp_socket->port = std::move(port);
  return probe;
}

api::Probe ExecProbe(std::vector<std::string> command) {
  api::Probe probe;
  probe.exec = api::ExecAction{};
  probe.exec->command = std::move(command);
  return probe;
}

// Answers by path: /ok 200, /redirect 302, /fail 503, /headers 200 only with the probe's
// headers (a custom one and an overridden Host), / 204.
class ProbedApp : public http::Handler {
 public:
  void Handle(const http::Request& request, http::ResponseWriter& writer) override {
    http::Response response;
    const std::string path = request.Path();
    if (path == "/ok") {
      response.status = 200;
    } else if (path == "/redirect") {
      response.status = 302;
      response.headers = {{"Location", "/elsewhere"}};
    } else if (path == "/fail") {
      response.status = 503;
    } else if (path == "/headers") {
      const bool as_asked =
          request.Header("X-Probe") == "yes" && request.Header("Host") == "app.example";
      response.status = as_asked ? 200 : 400;
    } else if (path == "/") {
      response.status = 204;
    } else {
      response.status = 404;
    }
    writer.Send(std::move(response));
  }
};

struct Row {
  const char* name;
  api::Probe probe;
  bool success;
  std::string message_part;  // of the failure message
};

void CheckRows(const std::vector<Row>& rows, const ProbeTarget& target) {
  for (const Row& row : rows) {
    ProbeOutcome outcome = RunProbe(row.probe, target, kTimeout);
    EXPECT_EQ(outcome.success, row.success) << row.name << ": " << outcome.message;
    EXPECT_NE(outcome.message.find(row.message_part), std::string::npos)
        << row.name << ": " << outcome.message;
  }
}

TEST(ProberTest, HttpGetSucceedsOn200To399) {
  ProbedApp app;
  auto server = http::testing::StartServer(app);
  const int port = server->port();
  ProbeTarget target;
  target.host_ports = {{8080, port}};
  target.named_ports = {{"http", 8080}};
  const std::string url = "http://127.0.0.1:" + std::to_string(port);
  const std::vector<Row> rows = {
      {"200", HttpProbe(8080, "/ok"), true, ""},
      {"302 is not followed", HttpProbe(8080, "/redirect"), true, ""},
      {"default path", HttpProbe(8080, ""), true, ""},
      {"path without slash", HttpProbe(8080, "ok"), true, ""},
      {"503", HttpProbe(8080, "/fail"), false,
       "Get \"" + url + "/fail\": HTTP probe failed with statuscode: 503"},
      {"404", HttpProbe(8080, "/nothing"), false, "statuscode: 404"},
      {"headers", HttpProbe(8080, "/headers", {{"X-Probe", "yes"}, {"Host", "app.example"}}), true,
       ""},
      {"headers missing", HttpProbe(8080, "/headers"), false, "statuscode: 400"},
      {"named port", HttpProbe("http", "/ok"), true, ""},
      {"numeric string port", HttpProbe("8080", "/ok"), true, ""},
      {"unknown port name", HttpProbe("metrics", "/ok"), false,
       "port \"metrics\" names no port of the container"},
      {"port without a host port", HttpProbe(9090, "/ok"), false,
       "containerPort 9090 has no host port"},
  };
  CheckRows(rows, target);
}

TEST(ProberTest, HttpGetOverTlsSkipsVerification) {
  auto ca = http::GenerateSelfSignedCa("probe-test-ca");
  ASSERT_TRUE(ca.ok()) << ca.status();
  auto certificate = http::IssueServerCertificate(*ca, {"localhost"}, {"127.0.0.1"});
  ASSERT_TRUE(certificate.ok()) << certificate.status();
  http::ServerOptions options;
  options.tls = http::ServerTlsOptions{.certificate_chain_pem = certificate->certificate_pem,
                                       .private_key_pem = certificate->private_key_pem};
  ProbedApp app;
  auto server = http::testing::StartServer(app, options);
  ProbeTarget target;
  target.host_ports = {{8443, server->port()}};
  api::Probe probe = HttpProbe(8443, "/ok");
  probe.http_get->scheme = "HTTPS";
  ProbeOutcome outcome = RunProbe(probe, target, kTimeout);
  EXPECT_TRUE(outcome.success) << outcome.message;

  probe.http_get->scheme = "HTTP";  // plain HTTP to a TLS server: no valid answer
  EXPECT_FALSE(RunProbe(probe, target, kTimeout).success);
}

TEST(ProberTest, HttpGetFailsAtTheTimeoutWhenNoAnswerComes) {
  http::testing::RawListener silent;  // accepts connections in the kernel, never answers
  ProbeTarget target;
  target.host_ports = {{8080, silent.port()}};
  ProbeOutcome outcome = RunProbe(HttpProbe(8080, "/ok"), target, milliseconds(200));
  EXPECT_FALSE(outcome.success);
  EXPECT_NE(outcome.message.find("Get \"http://127.0.0.1:"), std::string::npos) << outcome.message;
}

TEST(ProberTest, TcpSocketSucceedsWhenAConnectionIsAccepted) {
  http::testing::RawListener listener;
  Result<int> closed = PickFreePort();  // nothing listens there any more
  ASSERT_TRUE(closed.ok());
  ProbeTarget target;
  target.host_ports = {{8080, listener.port()}, {9090, *closed}};
  target.named_ports = {{"web", 8080}};
  const std::vector<Row> rows = {
      {"listening", TcpProbe(8080), true, ""},
      {"named", TcpProbe("web"), true, ""},
      {"refused", TcpProbe(9090), false,
       "dial tcp 127.0.0.1:" + std::to_string(*closed) + ": connect: Connection refused"},
      {"no host port", TcpProbe(7070), false, "containerPort 7070 has no host port"},
      {"out of range", TcpProbe(70000), false, "outside 1..65535"},
  };
  CheckRows(rows, target);
}

class ExecProbeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "exec-probe-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    std::ofstream(dir_ / "marker") << "x";
    target_.env = {{"PATH", "/usr/bin:/bin"}, {"FOO", "bar"}};
    target_.working_dir = dir_.string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
  ProbeTarget target_;
};

TEST_F(ExecProbeTest, SucceedsOnExitCodeZero) {
  const std::vector<Row> rows = {
      {"exit 0", ExecProbe({"true"}), true, ""},
      {"exit 3 with output", ExecProbe({"sh", "-c", "echo not ready; exit 3"}), false,
       "exec: command failed with exit code 3: not ready"},
      {"stderr too", ExecProbe({"sh", "-c", "echo oops >&2; exit 1"}), false, "exit code 1: oops"},
      {"the target's environment", ExecProbe({"sh", "-c", "test \"$FOO\" = bar"}), true, ""},
      {"nothing else of devflow's", ExecProbe({"sh", "-c", "test -z \"$HOME\""}), true, ""},
      {"the target's working directory", ExecProbe({"test", "-f", "marker"}), true, ""},
      {"killed", ExecProbe({"sh", "-c", "kill -KILL $$"}), false, "killed by signal 9"},
      {"missing program", ExecProbe({"no-such-program"}), false,
       "executable file \"no-such-program\" not found in $PATH"},
      {"no command", ExecProbe({}), false, "exec: no command"},
  };
  CheckRows(rows, target_);
}

TEST_F(ExecProbeTest, KillsTheCommandsGroupAtTheTimeout) {
  ProbeOutcome outcome =
      RunProbe(ExecProbe({"sh", "-c", "sleep 1000 & echo $! > background; wait"}), target_,
               milliseconds(2000));
  EXPECT_FALSE(outcome.success);
  EXPECT_NE(outcome.message.find("timed out"), std::string::npos) << outcome.message;
  std::ifstream in(dir_ / "background");
  int background = 0;
  ASSERT_TRUE(in >> background) << "the command did not start in time";
  // Killed with its group; orphaned, it may stay a zombie until its new parent reaps it.
  EXPECT_TRUE(testing::Eventually([&] {
    Result<ProcStat> stat = ReadProcStat(background);
    return !stat.ok() || stat->exited();
  }));
}

TEST(ProberTest, ProbeWithoutASupportedHandlerFails) {
  api::Probe grpc;
  grpc.grpc = json::Object{{"port", 9000}};
  EXPECT_FALSE(RunProbe(grpc, {}, kTimeout).success);
  EXPECT_FALSE(RunProbe(api::Probe{}, {}, kTimeout).success);
}

}  // namespace
}  // namespace devflow::node
