// Tests of devflow-demo-app, run as the real binary (DEVFLOW_DEMO_APP) on a free loopback port.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "common/eventually_testing.h"
#include "http/client.h"

namespace devflow::demo {
namespace {

using ::devflow::testing::Eventually;

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A loopback port nobody listens on now. Another process may take it before the app binds it;
// StartDemoApp retries then.
int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    std::abort();  // a broken test environment, not a test failure
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

// One run of the demo app binary. The destructor kills it (SIGKILL) if it still runs and
// removes its output files, so a failing test leaves no process behind.
class DemoAppProcess {
 public:
  // Starts DEVFLOW_DEMO_APP with `args`. The environment is the test's without PORT and
  // DEVFLOW_IMAGE_TAG, plus `env`.
  DemoAppProcess(const std::vector<std::string>& args,
                 const std::map<std::string, std::string>& env) {
    char dir[] = "/tmp/devflow-demo-app-test-XXXXXX";
    if (::mkdtemp(dir) == nullptr) std::abort();
    dir_ = dir;
    const std::string out = (dir_ / "stdout").string();
    const std::string err = (dir_ / "stderr").string();

    // Everything the child needs is built before fork: after it, only async-signal-safe calls.
    std::vector<std::string> argv_text = {DEVFLOW_DEMO_APP};
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    std::vector<std::string> env_text;
    for (char** e = ::environ; *e != nullptr; ++e) {
      std::string_view entry(*e);
      if (entry.starts_with("PORT=") || entry.starts_with("DEVFLOW_IMAGE_TAG=")) continue;
      env_text.emplace_back(entry);
    }
    for (const auto& [name, value] : env) env_text.push_back(name + "=" + value);
    std::vector<char*> argv;
    for (std::string& a : argv_text) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (std::string& e : env_text) envp.push_back(e.data());
    envp.push_back(nullptr);

    pid_ = ::fork();
    if (pid_ < 0) std::abort();
    if (pid_ == 0) {
      // Dies with the test binary even if it crashes before the destructor runs.
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      int out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      int err_fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      if (out_fd < 0 || err_fd < 0) ::_exit(126);
      ::dup2(out_fd, STDOUT_FILENO);
      ::dup2(err_fd, STDERR_FILENO);
      ::execve(argv[0], argv.data(), envp.data());
      ::_exit(127);
    }
  }

  ~DemoAppProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  DemoAppProcess(const DemoAppProcess&) = delete;
  DemoAppProcess& operator=(const DemoAppProcess&) = delete;

  // Waits for the process to exit and returns its wait status; nullopt if it still runs after
  // Eventually's deadline.
  std::optional<int> WaitExit() {
    if (pid_ <= 0) return exit_status_;
    Eventually([&] {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) != pid_) return false;
      pid_ = -1;
      exit_status_ = status;
      return true;
    });
    return exit_status_;
  }

  bool running() {
    if (pid_ <= 0) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      exit_status_ = status;
      return false;
    }
    return true;
  }

  void Signal(int signal) {
    if (pid_ > 0) ::kill(pid_, signal);
  }

  std::string out() const { return ReadFile(dir_ / "stdout"); }
  std::string err() const { return ReadFile(dir_ / "stderr"); }

 private:
  std::filesystem::path dir_;
  pid_t pid_ = -1;
  std::optional<int> exit_status_;
};

// A demo app serving on `port`, with a client for it.
struct DemoApp {
  std::unique_ptr<DemoAppProcess> process;
  std::unique_ptr<http::Client> client;
  int port = 0;

  Result<http::Response> Get(const std::string& path) const {
    return client->Send(http::Request{.method = "GET", .target = path});
  }
};

std::unique_ptr<http::Client> ClientFor(int port) {
  http::ClientOptions options;
  options.base_url = "http://127.0.0.1:" + std::to_string(port);
  auto client = http::Client::Create(options);
  if (!client.ok()) std::abort();
  return std::move(client).value();
}

// Starts the app with $PORT set to a free port and polls until /healthz answers (any status).
// Returns nullopt, with the reason added to the test's failures, when it exits or never answers.
std::optional<DemoApp> StartDemoApp(const std::vector<std::string>& args,
                                    std::map<std::string, std::string> env = {}) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    DemoApp app;
    app.port = FreePort();
    env["PORT"] = std::to_string(app.port);
    app.process = std::make_unique<DemoAppProcess>(args, env);
    app.client = ClientFor(app.port);
    bool answered = Eventually([&] { return app.Get("/healthz").ok() || !app.process->running(); });
    if (answered && app.process->running()) return app;
    if (app.process->running()) {
      ADD_FAILURE() << "the demo app never answered /healthz; stderr:\n" << app.process->err();
      return std::nullopt;
    }
    // Someone took the port between FreePort and the app's bind: try another.
    if (app.process->err().find("in use") == std::string::npos) {
      ADD_FAILURE() << "the demo app exited; stderr:\n" << app.process->err();
      return std::nullopt;
    }
  }
  ADD_FAILURE() << "no free port found for the demo app";
  return std::nullopt;
}

bool ExitedWith(const std::optional<int>& status, int code) {
  return status && WIFEXITED(*status) && WEXITSTATUS(*status) == code;
}

TEST(DemoAppFlags, BadFlagsExitTwoWithAMessage) {
  struct Row {
    std::string name;
    std::vector<std::string> args;
    std::map<std::string, std::string> env;
    std::string message;
  };
  const std::vector<Row> rows = {
      {"unknown flag", {"--colour", "red"}, {}, "unknown flag --colour"},
      {"missing value", {"--port"}, {}, "--port: needs a value"},
      {"port out of range",
       {"--port", "70000"},
       {},
       "--port: must be a port number from 0 to 65535, got \"70000\""},
      {"$PORT not a number", {}, {{"PORT", "http"}}, "$PORT: must be a port number"},
      {"error rate above one",
       {"--error-rate=1.5"},
       {},
       "--error-rate: must be a number from 0 to 1, got \"1.5\""},
      {"error rate nan", {"--error-rate", "nan"}, {}, "--error-rate: must be a number from 0 to 1"},
      {"error rate with percent", {"--error-rate", "10%"}, {}, "--error-rate: must be a number"},
      {"negative latency", {"--latency-ms", "-5"}, {}, "--latency-ms: must be whole milliseconds"},
      {"latency with unit",
       {"--latency-ms", "5ms"},
       {},
       "--latency-ms: must be whole milliseconds"},
      {"negative crash-after", {"--crash-after", "-1"}, {}, "--crash-after: must be seconds"},
      {"fail-readiness with a value", {"--fail-readiness=yes"}, {}, "--fail-readiness: must be"},
      {"colour with markup", {"--color", "<b>"}, {}, "--color: must be 1 to 128 letters"},
      {"empty colour", {"--color="}, {}, "--color: must be 1 to 128 letters"},
      {"image tag not a colour",
       {},
       {{"DEVFLOW_IMAGE_TAG", "a b"}},
       "$DEVFLOW_IMAGE_TAG: must be 1 to 128 letters"},
      {"positional argument", {"green"}, {}, "unexpected argument \"green\""},
      {"address not an IP", {"--address", "nowhere"}, {}, "\"nowhere\" is not an IP address"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    DemoAppProcess process(row.args, row.env);
    EXPECT_TRUE(ExitedWith(process.WaitExit(), 2)) << process.err();
    EXPECT_NE(process.err().find(row.message), std::string::npos) << process.err();
    EXPECT_NE(process.err().find("devflow-demo-app"), std::string::npos) << process.err();
  }
}

TEST(DemoAppFlags, VersionAndHelpExitZero) {
  DemoAppProcess version({"--version"}, {});
  EXPECT_TRUE(ExitedWith(version.WaitExit(), 0));
  EXPECT_TRUE(version.out().starts_with("devflow-demo-app ")) << version.out();

  // --help wins over a bad flag beside it.
  DemoAppProcess help({"--bogus", "--help"}, {});
  EXPECT_TRUE(ExitedWith(help.WaitExit(), 0));
  EXPECT_NE(help.out().find("--error-rate"), std::string::npos) << help.out();
}

TEST(DemoApp, AnswersItsColourAsJson) {
  struct Row {
    std::string name;
    std::vector<std::string> args;
    std::map<std::string, std::string> env;
    std::string body;
  };
  const std::vector<Row> rows = {
      {"default", {}, {}, R"({"color":"blue"})"},
      {"--color", {"--color", "green"}, {}, R"({"color":"green"})"},
      {"--color=", {"--color=orange"}, {}, R"({"color":"orange"})"},
      {"image tag", {}, {{"DEVFLOW_IMAGE_TAG", "yellow"}}, R"({"color":"yellow"})"},
      {"empty image tag", {}, {{"DEVFLOW_IMAGE_TAG", ""}}, R"({"color":"blue"})"},
      {"--color beats image tag",
       {"--color", "purple"},
       {{"DEVFLOW_IMAGE_TAG", "yellow"}},
       R"({"color":"purple"})"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    std::optional<DemoApp> app = StartDemoApp(row.args, row.env);
    ASSERT_TRUE(app);
    Result<http::Response> color = app->Get("/color");
    ASSERT_TRUE(color.ok()) << color.error();
    EXPECT_EQ(color->status, 200);
    EXPECT_EQ(color->Header("Content-Type"), "application/json");
    EXPECT_EQ(color->body, row.body + "\n");
  }
}

TEST(DemoApp, PortFlagBeatsPortVariable) {
  // The app says where it listens once it has bound; a port taken by a parallel test between
  // FreePort and the bind makes it exit, and another port is tried.
  for (int attempt = 0; attempt < 5; ++attempt) {
    const int port = FreePort();
    const std::string listening = "on 127.0.0.1:" + std::to_string(port);
    DemoAppProcess process({"--port", std::to_string(port)}, {{"PORT", "1"}});
    ASSERT_TRUE(Eventually([&] {
      return process.out().find(listening) != std::string::npos || !process.running();
    })) << process.err();
    if (process.out().find(listening) != std::string::npos) {
      std::unique_ptr<http::Client> client = ClientFor(port);
      EXPECT_TRUE(client->Send(http::Request{.target = "/healthz"}).ok());
      return;
    }
    ASSERT_NE(process.err().find("in use"), std::string::npos) << process.err();
  }
  FAIL() << "no free port found for the demo app";
}

TEST(DemoApp, HealthzAnswersOk) {
  std::optional<DemoApp> app = StartDemoApp({});
  ASSERT_TRUE(app);
  Result<http::Response> health = app->Get("/healthz");
  ASSERT_TRUE(health.ok()) << health.error();
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->body, "ok\n");
}

TEST(DemoApp, FailReadinessAnswers503ButStillServesColour) {
  std::optional<DemoApp> app = StartDemoApp({"--fail-readiness"});
  ASSERT_TRUE(app);
  Result<http::Response> health = app->Get("/healthz");
  ASSERT_TRUE(health.ok()) << health.error();
  EXPECT_EQ(health->status, 503);
  Result<http::Response> color = app->Get("/color");
  ASSERT_TRUE(color.ok()) << color.error();
  EXPECT_EQ(color->status, 200);
}

// 'x' for a 500, '.' for a 200, in the order sent.
std::string AnswerPattern(const DemoApp& app, int requests) {
  std::string pattern;
  for (int i = 0; i < requests; ++i) {
    Result<http::Response> color = app.Get("/color");
    if (!color.ok()) return pattern + "!";
    pattern += color->status == 500 ? 'x' : color->status == 200 ? '.' : '?';
  }
  return pattern;
}

TEST(DemoApp, ErrorRateFailsThatShareEvenly) {
  struct Row {
    std::string name;
    std::string rate;
    std::string pattern;
  };
  const std::vector<Row> rows = {
      {"never", "0", "........"},
      {"a quarter", "0.25", "...x...x"},
      {"half", "0.5", ".x.x.x.x"},
      {"always", "1.0", "xxxxxxxx"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    std::optional<DemoApp> app = StartDemoApp({"--error-rate", row.rate});
    ASSERT_TRUE(app);
    EXPECT_EQ(AnswerPattern(*app, 8), row.pattern);
  }
}

TEST(DemoApp, FailedAnswerNamesTheInjectedError) {
  std::optional<DemoApp> app = StartDemoApp({"--error-rate", "1", "--color", "green"});
  ASSERT_TRUE(app);
  Result<http::Response> color = app->Get("/color");
  ASSERT_TRUE(color.ok()) << color.error();
  EXPECT_EQ(color->status, 500);
  EXPECT_EQ(color->body, R"({"error":"failure injected by --error-rate","color":"green"})"
                         "\n");
}

TEST(DemoApp, LatencyDelaysColourAnswers) {
  const auto latency = std::chrono::milliseconds(400);
  std::optional<DemoApp> app = StartDemoApp({"--latency-ms", std::to_string(latency.count())});
  ASSERT_TRUE(app);
  // A lower bound only: the answer cannot come sooner, however loaded the machine is.
  const auto sent = std::chrono::steady_clock::now();
  Result<http::Response> color = app->Get("/color");
  const auto elapsed = std::chrono::steady_clock::now() - sent;
  ASSERT_TRUE(color.ok()) << color.error();
  EXPECT_EQ(color->status, 200);
  EXPECT_GE(elapsed, latency);
}

TEST(DemoApp, CrashAfterExitsOne) {
  std::optional<DemoApp> app = StartDemoApp({"--crash-after", "0.5"});
  ASSERT_TRUE(app);
  EXPECT_TRUE(ExitedWith(app->process->WaitExit(), 1)) << app->process->err();
  EXPECT_NE(app->process->err().find("--crash-after"), std::string::npos) << app->process->err();
}

// Reads devflow_demo_color_in_flight from /metrics; -1 when it cannot.
int64_t ColorInFlight(const DemoApp& app) {
  Result<http::Response> metrics = app.Get("/metrics");
  if (!metrics.ok()) return -1;
  const std::string key = "\ndevflow_demo_color_in_flight ";
  size_t at = metrics->body.find(key);
  if (at == std::string::npos) return -1;
  return std::atoll(metrics->body.c_str() + at + key.size());
}

TEST(DemoApp, SigtermFinishesTheRequestInFlightThenExitsZero) {
  // Given a slow version with one /color request waiting for its answer,
  std::optional<DemoApp> app = StartDemoApp({"--latency-ms", "1500"});
  ASSERT_TRUE(app);
  std::future<Result<http::Response>> slow =
      std::async(std::launch::async, [&] { return app->Get("/color"); });
  ASSERT_TRUE(Eventually([&] { return ColorInFlight(*app) == 1; }));

  // when it gets SIGTERM,
  app->process->Signal(SIGTERM);

  // then the request still gets its answer and the process exits 0.
  Result<http::Response> answer = slow.get();
  ASSERT_TRUE(answer.ok()) << answer.error();
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->body, "{\"color\":\"blue\"}\n");
  EXPECT_TRUE(ExitedWith(app->process->WaitExit(), 0)) << app->process->err();
  EXPECT_NE(app->process->out().find("SIGTERM"), std::string::npos) << app->process->out();
}

TEST(DemoApp, PageAsksColourFiftyTimesASecondFromItsOwnOrigin) {
  std::optional<DemoApp> app = StartDemoApp({"--color", "green"});
  ASSERT_TRUE(app);
  Result<http::Response> page = app->Get("/");
  ASSERT_TRUE(page.ok()) << page.error();
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->Header("Content-Type"), "text/html; charset=utf-8");
  const std::string& html = page->body;
  for (const char* part :
       {"<script>", "fetch(\"/color\"", "const PER_SECOND = 50;", "setInterval(",
        "1000 / PER_SECOND", "square error", "served by <b id=\"served-by\">green</b>"}) {
    EXPECT_NE(html.find(part), std::string::npos) << "missing: " << part;
  }
  // Self-contained: nothing loaded from elsewhere.
  for (const char* part : {"http://", "https://", "src=", "<link", "@import", "url("}) {
    EXPECT_EQ(html.find(part), std::string::npos) << "external resource: " << part;
  }
}

TEST(DemoApp, MetricsCountColourAnswersByStatus) {
  std::optional<DemoApp> app = StartDemoApp({"--error-rate", "0.5", "--color", "green"});
  ASSERT_TRUE(app);
  EXPECT_EQ(AnswerPattern(*app, 4), ".x.x");
  Result<http::Response> metrics = app->Get("/metrics");
  ASSERT_TRUE(metrics.ok()) << metrics.error();
  for (const char* line :
       {"devflow_demo_color_requests_total{code=\"200\"} 2\n",
        "devflow_demo_color_requests_total{code=\"500\"} 2\n", "devflow_demo_color_in_flight 0\n",
        "devflow_demo_info{color=\"green\""}) {
    EXPECT_NE(metrics->body.find(line), std::string::npos) << "missing: " << line;
  }
}

TEST(DemoApp, UnknownPathIs404AndOtherMethodsAre405) {
  std::optional<DemoApp> app = StartDemoApp({});
  ASSERT_TRUE(app);
  Result<http::Response> missing = app->Get("/colour");
  ASSERT_TRUE(missing.ok()) << missing.error();
  EXPECT_EQ(missing->status, 404);
  Result<http::Response> post =
      app->client->Send(http::Request{.method = "POST", .target = "/color"});
  ASSERT_TRUE(post.ok()) << post.error();
  EXPECT_EQ(post->status, 405);
  EXPECT_EQ(post->Header("Allow"), "GET, HEAD");
}

}  // namespace
}  // namespace devflow::demo
