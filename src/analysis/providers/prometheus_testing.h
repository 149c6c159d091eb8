// Test-only: a REAL Prometheus (/usr/bin/prometheus) scraping a target the test controls.
//
//   MetricsTarget       an http::Server on a loopback port 0 serving /metrics in Prometheus'
//                       text format; the test sets each series' value (`Set`).
//   PrometheusProcess   a prometheus child process on a free loopback port, with its own
//                       temporary storage and a config scraping one target every second. Start
//                       returns once /-/ready answers and the first scrape has landed; the
//                       destructor stops it (SIGTERM, then SIGKILL) and removes its files. The
//                       child also gets SIGKILL if the test process dies (PR_SET_PDEATHSIG).
//   RealPrometheusTest  a fixture sharing one target and one Prometheus per test suite; tests
//                       are skipped (with the reason) when /usr/bin/prometheus is absent.
//
// Nothing here asserts on time: every wait polls until a condition holds, and the deadlines
// only bound a hang.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "analysis/providers/prometheus_client.h"
#include "common/result.h"
#include "common/status.h"
#include "http/client.h"
#include "http/server.h"

namespace devflow::analysis::providers::testing {

inline constexpr const char* kPrometheusBinary = "/usr/bin/prometheus";
// The scrape job of the target; its `up` series tells that a scrape landed.
inline constexpr const char* kScrapeJob = "devflow-test";
// Bounds a hang (a Prometheus that never becomes ready); no assertion depends on it.
inline constexpr std::chrono::seconds kStartDeadline(60);

// Calls `ready` every 20 ms until it returns true or `deadline` passes; returns its last answer.
inline bool PollUntil(const std::function<bool()>& ready,
                      std::chrono::milliseconds deadline = std::chrono::seconds(30)) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    if (ready()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return ready();
}

// Serves GET /metrics: one line "<series> <value>" per series set, in series order.
class MetricsTarget {
 public:
  MetricsTarget()
      : handler_([this](const http::Request& request, http::ResponseWriter& writer) {
          Serve(request, writer);
        }),
        server_(http::ServerOptions{}, handler_) {}

  // Binds the server. Unavailable/InvalidArgument from http::Server::Start.
  Status Start() { return server_.Start(); }

  // Sets `series` ("demo_ratio{pod=\"a\"}") to `value`; the next scrape sees it.
  void Set(const std::string& series, double value) {
    std::lock_guard lock(mu_);
    series_[series] = value;
  }
  void Remove(const std::string& series) {
    std::lock_guard lock(mu_);
    series_.erase(series);
  }

  int port() const { return server_.port(); }

 private:
  void Serve(const http::Request& request, http::ResponseWriter& writer) {
    http::Response response;
    if (request.Path() != "/metrics") {
      response.status = 404;
      writer.Send(std::move(response));
      return;
    }
    std::string body;
    {
      std::lock_guard lock(mu_);
      for (const auto& [series, value] : series_) {
        body += series + " " + FormatPrometheusValue(value) + "\n";
      }
    }
    response.headers.emplace_back("Content-Type", "text/plain; version=0.0.4");
    response.body = std::move(body);
    writer.Send(std::move(response));
  }

  std::mutex mu_;
  std::map<std::string, double> series_;  // guarded by mu_
  http::FunctionHandler handler_;
  http::Server server_;
};

// A free loopback TCP port, found by binding port 0 (another process may take it before
// Prometheus binds it; Start retries then).
inline Result<int> FreeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return UnavailableError("socket() failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(fd);
    return UnavailableError("cannot bind a loopback port");
  }
  const int port = ntohs(address.sin_port);
  ::close(fd);
  return port;
}

class PrometheusProcess {
 public:
  // Starts Prometheus scraping 127.0.0.1:<target_port>/metrics every second, and waits until it
  // is ready and has scraped the target once. Errors name the cause and include Prometheus'
  // log: FailedPrecondition when the binary is absent, Unavailable when it does not start.
  static Result<std::unique_ptr<PrometheusProcess>> Start(int target_port) {
    if (::access(kPrometheusBinary, X_OK) != 0) {
      return FailedPreconditionError(std::string(kPrometheusBinary) +
                                     " is absent: run scripts/install-deps");
    }
    Status last = UnavailableError("not started");
    for (int attempt = 0; attempt < 3; ++attempt) {
      std::unique_ptr<PrometheusProcess> process(new PrometheusProcess());
      last = process->Launch(target_port);
      if (last.ok()) return process;
    }
    return last;
  }

  ~PrometheusProcess() {
    Stop();
    if (!dir_.empty()) {
      std::error_code ignored;
      std::filesystem::remove_all(dir_, ignored);
    }
  }
  PrometheusProcess(const PrometheusProcess&) = delete;
  PrometheusProcess& operator=(const PrometheusProcess&) = delete;

  // "http://127.0.0.1:<port>".
  std::string address() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }

  // Prometheus' log so far (stdout and stderr), for failure messages.
  std::string Log() const {
    std::ifstream in(dir_ / "prometheus.log");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  // Stops Prometheus: SIGTERM, then SIGKILL if it has not exited within 10 s. Idempotent.
  void Stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    const bool exited = PollUntil([&] { return Reaped(); }, std::chrono::seconds(10));
    if (!exited) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    pid_ = -1;
  }

 private:
  PrometheusProcess() = default;

  // True once the child has exited (and was reaped).
  bool Reaped() {
    if (pid_ <= 0) return true;
    const pid_t r = ::waitpid(pid_, nullptr, WNOHANG);
    if (r == pid_ || r < 0) {
      pid_ = -1;
      return true;
    }
    return false;
  }

  Status Launch(int target_port) {
    char pattern[] = "/tmp/devflow-prometheus-XXXXXX";
    if (::mkdtemp(pattern) == nullptr) return UnavailableError("mkdtemp failed");
    dir_ = pattern;
    DEVFLOW_ASSIGN_OR_RETURN(port_, FreeLoopbackPort());
    const std::filesystem::path config = dir_ / "prometheus.yml";
    {
      std::ofstream out(config);
      out << "global:\n"
             "  scrape_interval: 1s\n"
             "  scrape_timeout: 1s\n"
             "  evaluation_interval: 1s\n"
             "scrape_configs:\n"
             "  - job_name: "
          << kScrapeJob
          << "\n"
             "    static_configs:\n"
             "      - targets: ['127.0.0.1:"
          << target_port << "']\n";
    }
    // Everything the child needs is prepared before fork: after it, only async-signal-safe
    // calls are allowed (the test process has threads).
    std::vector<std::string> args = {
        kPrometheusBinary,
        "--config.file=" + config.string(),
        "--storage.tsdb.path=" + (dir_ / "data").string(),
        "--web.listen-address=127.0.0.1:" + std::to_string(port_),
        "--log.level=info",
    };
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const std::string log = (dir_ / "prometheus.log").string();
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) return UnavailableError("fork failed");
    if (pid == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(127);
      const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0) {
        ::dup2(fd, 1);
        ::dup2(fd, 2);
        ::close(fd);
      }
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    pid_ = pid;
    return AwaitFirstScrape();
  }

  Status AwaitFirstScrape() {
    http::ClientOptions options;
    options.base_url = address();
    options.request_timeout = std::chrono::seconds(5);
    DEVFLOW_ASSIGN_OR_RETURN(std::unique_ptr<http::Client> http, http::Client::Create(options));
    const bool ready = PollUntil(
        [&] {
          if (Reaped()) return true;
          Result<http::Response> r = http->Send(http::Request{.target = "/-/ready"});
          return r.ok() && r->status == 200;
        },
        kStartDeadline);
    if (pid_ <= 0) return UnavailableError("prometheus exited at start; its log:\n" + Log());
    if (!ready) return UnavailableError("prometheus did not become ready; its log:\n" + Log());

    DEVFLOW_ASSIGN_OR_RETURN(std::unique_ptr<PrometheusClient> client,
                             PrometheusClient::Create({.address = address()}));
    const std::string up = std::string("up{job=\"") + kScrapeJob + "\"} == 1";
    const bool scraped = PollUntil(
        [&] {
          Result<PrometheusQueryResult> r =
              client->Query(up, std::chrono::time_point_cast<std::chrono::microseconds>(
                                    std::chrono::system_clock::now()));
          return r.ok() && !r->series.empty();
        },
        kStartDeadline);
    if (!scraped) {
      return UnavailableError("prometheus never scraped the target; its log:\n" + Log());
    }
    return Status::Ok();
  }

  std::filesystem::path dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

// A fixture with one MetricsTarget and one real Prometheus per test suite. Tests Set series on
// target() and wait for them with AwaitValue before measuring.
class RealPrometheusTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    skip_reason_.clear();
    failed_to_start_ = false;
    target_ = std::make_unique<MetricsTarget>();
    Status started = target_->Start();
    if (!started.ok()) {
      skip_reason_ = "the metrics target did not start: " + started.ToString();
      return;
    }
    Result<std::unique_ptr<PrometheusProcess>> prometheus =
        PrometheusProcess::Start(target_->port());
    if (!prometheus.ok()) {
      skip_reason_ = prometheus.error().ToString();
      failed_to_start_ = prometheus.error().code() != StatusCode::kFailedPrecondition;
      return;
    }
    prometheus_ = std::move(prometheus).value();
  }

  static void TearDownTestSuite() {
    prometheus_.reset();
    target_.reset();
  }

  void SetUp() override {
    // An installed Prometheus that does not start is a failure; an absent one a skip.
    if (failed_to_start_) FAIL() << skip_reason_;
    if (prometheus_ == nullptr) GTEST_SKIP() << skip_reason_;
  }

  static MetricsTarget& target() { return *target_; }
  static PrometheusProcess& prometheus() { return *prometheus_; }

  // Waits until the instant query `query` returns a vector holding `value` (after the scrape
  // that carries a value the test just Set). False when the deadline passed first.
  static bool AwaitValue(const std::string& query, double value) {
    Result<std::unique_ptr<PrometheusClient>> client =
        PrometheusClient::Create({.address = prometheus_->address()});
    if (!client.ok()) return false;
    return PollUntil([&] {
      Result<PrometheusQueryResult> r =
          (*client)->Query(query, std::chrono::time_point_cast<std::chrono::microseconds>(
                                      std::chrono::system_clock::now()));
      if (!r.ok()) return false;
      for (const PrometheusSeries& s : r->series) {
        if (!s.samples.empty() && s.samples.back().value == value) return true;
      }
      return false;
    });
  }

 private:
  static inline std::unique_ptr<MetricsTarget> target_;
  static inline std::unique_ptr<PrometheusProcess> prometheus_;
  static inline std::string skip_reason_;
  static inline bool failed_to_start_ = false;
};

}  // namespace devflow::analysis::providers::testing
