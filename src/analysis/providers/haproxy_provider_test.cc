#include "analysis/providers/haproxy_provider.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/eventually_testing.h"
#include "common/json_reader.h"
#include "http/http_testing.h"

extern char** environ;

namespace devflow::analysis::providers {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

json::Value Doc(std::string_view text) {
  Result<json::Value> parsed = json::Parse(text);
  if (!parsed.ok()) ADD_FAILURE() << "bad test JSON: " << parsed.error();
  return parsed.value_or(nullptr);
}

// ---- Configuration ----

TEST(DecodeHaproxyMetricConfigTest, GivenValidConfigsWhenDecodedThenFieldsAndDefaultsAreSet) {
  struct Row {
    const char* name;
    const char* config;
    HaproxyMetricConfig want;
  };
  const Row rows[] = {
      {"revision with the default window",
       R"({"podTemplateHash": "7f9c6d8b4", "metric": "errorRate"})",
       {.pod_template_hash = "7f9c6d8b4", .metric = HaproxyMetric::kErrorRate, .window = 10s}},
      {"service, short window, socket",
       R"({"service": "web", "metric": "requestRate", "window": "1s", "socket": "/r.sock"})",
       {.service = "web",
        .metric = HaproxyMetric::kRequestRate,
        .window = 1s,
        .socket = "/r.sock"}},
      {"both selectors, response time, sub-second window",
       R"({"podTemplateHash": "h", "service": "web", "metric": "responseTime",
           "window": "500ms"})",
       {.pod_template_hash = "h",
        .service = "web",
        .metric = HaproxyMetric::kResponseTime,
        .window = 500ms}},
      {"total time, longest window",
       R"({"service": "web", "metric": "totalTime", "window": "5m"})",
       {.service = "web", .metric = HaproxyMetric::kTotalTime, .window = 5min}},
  };
  for (const Row& row : rows) {
    Result<HaproxyMetricConfig> got = DecodeHaproxyMetricConfig(Doc(row.config));
    ASSERT_TRUE(got.ok()) << row.name << ": " << got.error();
    EXPECT_EQ(*got, row.want) << row.name;
  }
}

TEST(DecodeHaproxyMetricConfigTest, GivenBadConfigsWhenDecodedThenTheErrorNamesTheField) {
  struct Row {
    const char* name;
    const char* config;
    const char* field_path;
    const char* message;
  };
  const Row rows[] = {
      {"not an object", R"("web")", "provider.haproxy", "must be an object"},
      {"unknown key", R"({"service": "web", "metric": "errorRate", "backend": "x"})",
       "provider.haproxy.backend", "known: metric, podTemplateHash, service, socket, window"},
      {"no metric", R"({"service": "web"})", "provider.haproxy.metric", "required"},
      {"unknown metric", R"({"service": "web", "metric": "latency"})", "provider.haproxy.metric",
       "unknown metric \"latency\""},
      {"metric not a string", R"({"service": "web", "metric": 1})", "provider.haproxy.metric",
       "must be a string"},
      {"hash not a string", R"({"podTemplateHash": 12, "metric": "errorRate"})",
       "provider.haproxy.podTemplateHash", "must be a string"},
      {"window not a duration", R"({"service": "web", "metric": "errorRate", "window": "10"})",
       "provider.haproxy.window", ""},
      {"window zero", R"({"service": "web", "metric": "errorRate", "window": "0s"})",
       "provider.haproxy.window", "more than 0s"},
      {"window too long", R"({"service": "web", "metric": "errorRate", "window": "6m"})",
       "provider.haproxy.window", "at most 5m"},
      {"no selector", R"({"metric": "errorRate"})", "provider.haproxy",
       "set podTemplateHash (one revision), service, or both"},
  };
  for (const Row& row : rows) {
    Result<HaproxyMetricConfig> got = DecodeHaproxyMetricConfig(Doc(row.config));
    ASSERT_FALSE(got.ok()) << row.name;
    EXPECT_EQ(got.error().code(), StatusCode::kInvalidArgument) << row.name;
    EXPECT_EQ(got.error().field_path(), row.field_path) << row.name << ": " << got.error();
    EXPECT_NE(got.error().message().find(row.message), std::string::npos)
        << row.name << ": " << got.error();
  }
}

// ---- show stat ----

// HAProxy 2.6's header, shortened to the columns before the last one the parser reads plus one:
// the parser reads columns by name, so order and extra columns do not matter.
constexpr std::string_view kHeader =
    "# pxname,svname,qcur,stot,type,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,"
    "req_tot,rtime,ttime,addr,\n";

TEST(ParseShowStatTest, GivenAnswersWhenParsedThenServerAndBackendRowsAreRead) {
  struct Row {
    const char* name;
    std::string answer;
    std::vector<HaproxyStatRow> want;
  };
  const Row rows[] = {
      {"server, backend and frontend rows",
       std::string(kHeader) +
           "web,FRONTEND,,9,0,0,9,0,0,0,0,9,,,,\n"
           "ns.web:80,web-6c7d8f9b5-abcde,0,7,2,0,5,0,1,2,1,7,12,40,127.0.0.1:1,\n"
           "ns.web:80,BACKEND,0,7,1,0,5,0,1,2,1,7,12,40,,\n\n",
       {{"ns.web:80", "web-6c7d8f9b5-abcde", true, 7, 9, 2, 12, 40},
        {"ns.web:80", "BACKEND", false, 7, 9, 2, 12, 40}}},
      {"empty req_tot falls back to stot; empty cells are 0",
       std::string(kHeader) + "ns.tcp:80,s-1,,4,2,,,,,,,,,,,\n",
       {{"ns.tcp:80", "s-1", true, 4, 0, 0, 0, 0}}},
      {"header only", std::string(kHeader) + "\n", {}},
  };
  for (const Row& row : rows) {
    Result<std::vector<HaproxyStatRow>> got = ParseShowStat(row.answer);
    ASSERT_TRUE(got.ok()) << row.name << ": " << got.error();
    EXPECT_EQ(*got, row.want) << row.name;
  }
}

TEST(ParseShowStatTest, GivenMalformedAnswersWhenParsedThenInvalidArgument) {
  struct Row {
    const char* name;
    std::string answer;
    const char* message;
  };
  const Row rows[] = {
      {"an error instead of CSV", "Unknown command. Please enter one of the following...\n",
       "instead of the CSV statistics"},
      {"nothing", "\n", "answered nothing"},
      {"a needed column missing", "# pxname,svname,type,stot\n", "no column req_tot"},
      {"a short row", std::string(kHeader) + "ns.web:80,s\n", "cells"},
      {"not an integer", std::string(kHeader) + "ns.web:80,s,0,x,2,0,0,0,0,0,0,0,0,0,,\n",
       "column stot holds \"x\""},
  };
  for (const Row& row : rows) {
    Result<std::vector<HaproxyStatRow>> got = ParseShowStat(row.answer);
    ASSERT_FALSE(got.ok()) << row.name;
    EXPECT_NE(got.error().message().find(row.message), std::string::npos)
        << row.name << ": " << got.error();
  }
}

TEST(ServerNameHasRevisionTest, GivenPodNamesWhenMatchedThenOnlyTheHashBeforeTheSuffixCounts) {
  struct Row {
    const char* server;
    const char* hash;
    bool want;
  };
  const Row rows[] = {
      {"web-7f9c6d8b4-abcde", "7f9c6d8b4", true},
      {"my-web-app-7f9c6d8b4-x1y2z", "7f9c6d8b4", true},
      {"web-7f9c6d8b4-abcde", "6c7d8f9b5", false},    // another revision
      {"web-7f9c6d8b4-abcde", "", false},             // no hash
      {"7f9c6d8b4-abcde", "7f9c6d8b4", false},        // no ReplicaSet prefix
      {"web-7f9c6d8b4-abcd", "7f9c6d8b4", false},     // suffix too short
      {"web-7f9c6d8b4-ABCDE", "7f9c6d8b4", false},    // not a generated suffix
      {"web-7f9c6d8b4-x-abcde", "7f9c6d8b4", false},  // hash not right before the suffix
      {"web-x7f9c6d8b4-abcde", "7f9c6d8b4", false},   // hash only a tail of a segment
  };
  for (const Row& row : rows) {
    EXPECT_EQ(ServerNameHasRevision(row.server, row.hash), row.want)
        << row.server << " / " << row.hash;
  }
}

// ---- Counting a window ----

HaproxyStatRow Server(std::string backend, std::string server, int64_t requests, int64_t responses,
                      int64_t errors, int64_t rtime = 0, int64_t ttime = 0) {
  return {std::move(backend), std::move(server), true, requests, responses, errors, rtime, ttime};
}
HaproxyStatRow Backend(std::string backend) { return {std::move(backend), "BACKEND", false}; }

TEST(CountWindowTest, GivenTwoReadingsWhenCountedThenTheSelectedServersCountersAreDifferenced) {
  const std::string canary = "web-7f9c6d8b4-abcde";
  const std::string stable = "web-6c7d8f9b5-fghij";
  const std::vector<HaproxyStatRow> before = {
      Backend("ns.web:80"),
      Server("ns.web:80", canary, 100, 100, 10),
      Server("ns.web:80", stable, 500, 500, 1),
      Backend("ns.web:8080"),
      Server("ns.web:8080", canary, 5, 5, 0),
      Backend("other.web:80"),
      Server("other.web:80", canary, 0, 0, 0),
  };
  const std::vector<HaproxyStatRow> after = {
      Backend("ns.web:80"),
      Server("ns.web:80", canary, 140, 140, 20, 30, 50),
      Server("ns.web:80", stable, 560, 560, 1, 10, 20),
      Backend("ns.web:8080"),
      Server("ns.web:8080", canary, 15, 15, 5, 10, 10),
      Backend("ns.web-preview:80"),
      Server("ns.web-preview:80", "web-7f9c6d8b4-new01", 3, 3, 3, 0, 0),  // added in the window
      Backend("other.web:80"),
      Server("other.web:80", canary, 1000, 1000, 1000),  // another namespace
  };
  struct Row {
    const char* name;
    HaproxySelection selection;
    std::vector<HaproxyStatRow> before;
    HaproxyWindowCounts want;
  };
  const Row rows[] = {
      {"a revision: every port and Service of the namespace, a new server from zero",
       {.namespace_ = "ns", .pod_template_hash = "7f9c6d8b4"},
       before,
       {3, 40 + 10 + 3, 40 + 10 + 3, 10 + 5 + 3, 30.0 * 40 + 10.0 * 10, 50.0 * 40 + 10.0 * 10}},
      {"a Service: both revisions on both ports, not web-preview",
       {.namespace_ = "ns", .service = "web"},
       before,
       {3, 40 + 60 + 10, 40 + 60 + 10, 10 + 0 + 5, 30.0 * 40 + 10.0 * 60 + 10.0 * 10,
        50.0 * 40 + 20.0 * 60 + 10.0 * 10}},
      {"a revision within a Service",
       {.namespace_ = "ns", .service = "web-preview", .pod_template_hash = "7f9c6d8b4"},
       before,
       {1, 3, 3, 3, 0, 0}},
      {"servers named by the caller instead of by their names",
       {.namespace_ = "ns",
        .service = "web",
        .pod_template_hash = "zz",
        .revision_servers = std::set<std::string>{stable}},
       before,
       {1, 60, 60, 0, 10.0 * 60, 20.0 * 60}},
      {"counters that went down (HAProxy restarted) count from zero",
       {.namespace_ = "ns", .service = "web", .pod_template_hash = "6c7d8f9b5"},
       {Server("ns.web:80", stable, 9000, 9000, 9000)},
       {1, 560, 560, 1, 10.0 * 560, 20.0 * 560}},
      {"a revision with no server", {.namespace_ = "ns", .pod_template_hash = "0000"}, before, {}},
  };
  for (const Row& row : rows) {
    Result<HaproxyWindowCounts> got = CountWindow(row.selection, row.before, after);
    ASSERT_TRUE(got.ok()) << row.name << ": " << got.error();
    EXPECT_EQ(*got, row.want) << row.name;
  }
}

TEST(CountWindowTest, GivenAServiceHaproxyDoesNotRouteWhenCountedThenNotFound) {
  const std::vector<HaproxyStatRow> after = {Backend("ns.web:80"), Backend("other.api:80")};
  for (const char* service : {"api", "we", "web:80"}) {
    Result<HaproxyWindowCounts> got =
        CountWindow({.namespace_ = "ns", .service = service}, {}, after);
    ASSERT_FALSE(got.ok()) << service;
    EXPECT_EQ(got.error().code(), StatusCode::kNotFound) << service;
  }
  // A Service whose backend has no server is routed: no servers, no error.
  Result<HaproxyWindowCounts> empty =
      CountWindow({.namespace_ = "ns", .service = "web"}, {}, after);
  ASSERT_TRUE(empty.ok()) << empty.error();
  EXPECT_EQ(empty->servers, 0);
}

// ---- Shaping the reading ----

TEST(HaproxyReadingTest, GivenCountsWhenShapedThenTheMetricOrNoData) {
  const HaproxyWindowCounts traffic{2, 50, 40, 10, 40 * 20.0, 40 * 250.0};
  struct Row {
    const char* name;
    HaproxyMetric metric;
    HaproxyWindowCounts counts;
    json::Value result;
    const char* value;
    const char* message;
  };
  const Row rows[] = {
      {"error rate", HaproxyMetric::kErrorRate, traffic, 0.25, "0.25", ""},
      {"request rate per second over 10s", HaproxyMetric::kRequestRate, traffic, 5.0, "5", ""},
      {"response time in seconds", HaproxyMetric::kResponseTime, traffic, 0.02, "0.02", ""},
      {"total time in seconds", HaproxyMetric::kTotalTime, traffic, 0.25, "0.25", ""},
      {"no error", HaproxyMetric::kErrorRate, {1, 4, 4, 0, 0, 0}, 0.0, "0", ""},
      {"no response in the window",
       HaproxyMetric::kErrorRate,
       {2, 0, 0, 0, 0, 0},
       nullptr,
       "",
       "no response in the 10s window: no data"},
      {"no request in the window",
       HaproxyMetric::kRequestRate,
       {2, 0, 0, 0, 0, 0},
       nullptr,
       "",
       "no request in the 10s window: no data"},
      {"no server",
       HaproxyMetric::kRequestRate,
       {},
       nullptr,
       "",
       "no HAProxy server matched: no data"},
  };
  for (const Row& row : rows) {
    Reading got = HaproxyReading(row.metric, row.counts, 10s);
    EXPECT_EQ(got.result, row.result) << row.name << ": " << got.value;
    EXPECT_EQ(got.value, row.value) << row.name;
    EXPECT_EQ(got.message, row.message) << row.name;
    EXPECT_EQ(got.phase, "") << row.name << ": the conditions decide";
    EXPECT_EQ(got.metadata["requests"], std::to_string(row.counts.requests)) << row.name;
    EXPECT_EQ(got.metadata["window"], "10s") << row.name;
  }
}

TEST(HaproxyRuntimeSocketTest, GivenADataDirectoryThenTheNodeRuntimesSocket) {
  EXPECT_EQ(HaproxyRuntimeSocket("/var/lib/devflow"), "/var/lib/devflow/haproxy/runtime.sock");
}

// ---- Against a real HAProxy ----

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof(address);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), size);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  ::close(fd);
  return ntohs(address.sin_port);
}

constexpr const char* kStableServer = "web-6c7d8f9b5-abcde";
constexpr const char* kCanaryServer = "web-7f9c6d8b4-fghij";
constexpr int kCanaryFailsEvery = 4;  // the canary answers 500 to every 4th request
constexpr auto kCanaryDelay = 20ms;

// Given: one HAProxy in the foreground (-db) with the node runtime's naming (backends
// "<ns>.<service>:<port>", servers named after pods): Service ns/web holds the stable pod,
// ns/web-canary the canary pod, and other/web a pod of the canary's revision in another
// namespace; one frontend port each. The pods are src/http servers; the canary fails a fixed
// share of its requests and answers after kCanaryDelay.
class HaproxyProviderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir_template[] = "/tmp/haproxy-provider-test-XXXXXX";
    ASSERT_NE(::mkdtemp(dir_template), nullptr);
    dir_ = dir_template;
    stable_server_ = http::testing::StartServer(stable_);
    canary_server_ = http::testing::StartServer(canary_);
    for (int& port : frontend_ports_) port = FreePort();
    const std::string stable = "127.0.0.1:" + std::to_string(stable_server_->port());
    const std::string canary = "127.0.0.1:" + std::to_string(canary_server_->port());
    std::ofstream(dir_ / "haproxy.cfg")
        << "global\n  stats socket " << (dir_ / "runtime.sock").string()
        << " mode 600 level admin\n"
        << "defaults\n  mode http\n  timeout connect 2s\n  timeout client 10s\n"
        << "  timeout server 10s\n"
        << "frontend web\n  bind 127.0.0.1:" << frontend_ports_[0]
        << "\n  default_backend ns.web:80\n"
        << "frontend canary\n  bind 127.0.0.1:" << frontend_ports_[1]
        << "\n  default_backend ns.web-canary:80\n"
        << "frontend other\n  bind 127.0.0.1:" << frontend_ports_[2]
        << "\n  default_backend other.web:80\n"
        << "backend ns.web:80\n  server " << kStableServer << " " << stable << "\n"
        << "backend ns.web-canary:80\n  server " << kCanaryServer << " " << canary << "\n"
        << "backend other.web:80\n  server web-7f9c6d8b4-zzzzz " << canary << "\n";

    std::string log = (dir_ / "haproxy.log").string();
    std::vector<std::string> argv = {"/usr/sbin/haproxy", "-db", "-f",
                                     (dir_ / "haproxy.cfg").string()};
    std::vector<char*> args;
    for (std::string& arg : argv) args.push_back(arg.data());
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    ::posix_spawn_file_actions_init(&actions);
    ::posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                       0600);
    ::posix_spawn_file_actions_adddup2(&actions, 1, 2);
    ::posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    ASSERT_EQ(::posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ), 0);
    ::posix_spawn_file_actions_destroy(&actions);
    ASSERT_TRUE(devflow::testing::Eventually([&] {
      return http::Client::Create({.base_url = FrontendUrl(0)}).value()->Send({}).ok() &&
             fs::exists(dir_ / "runtime.sock");
    })) << Log();
    stable_requests_ = 0;  // the readiness probe above is not part of any test's traffic
  }

  void TearDown() override {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    fs::remove_all(dir_);
  }

  std::string Log() {
    std::ifstream in(dir_ / "haproxy.log");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  std::string FrontendUrl(int frontend) const {
    return "http://127.0.0.1:" + std::to_string(frontend_ports_[frontend]);
  }

  // Sends `count` requests one after another through `frontend`; returns how many got a 500.
  int Send(int frontend, int count) {
    auto client = http::testing::MakeClient({.base_url = FrontendUrl(frontend)});
    int failed = 0;
    for (int i = 0; i < count; ++i) {
      Result<http::Response> response = client->Send({});
      EXPECT_TRUE(response.ok()) << response.error();
      if (response.ok() && response->status == 500) ++failed;
    }
    return failed;
  }

  Result<Reading> Measure(std::string config, HaproxyProviderOptions options) {
    api::AnalysisRun run;
    run.metadata.namespace_ = "ns";
    api::Metric metric;
    metric.name = "haproxy";
    metric.provider.haproxy = Doc(config);
    if (options.default_socket.empty()) options.default_socket = dir_ / "runtime.sock";
    return HaproxyProvider(std::move(options))
        .Measure({.run = run, .metric = metric, .now = api::TimePoint()});
  }

  fs::path dir_;
  pid_t pid_ = 0;
  std::atomic<int> stable_requests_{0};
  std::atomic<int> canary_requests_{0};
  http::FunctionHandler stable_{[this](const http::Request&, http::ResponseWriter& writer) {
    ++stable_requests_;
    writer.Send({.body = "stable"});
  }};
  http::FunctionHandler canary_{[this](const http::Request&, http::ResponseWriter& writer) {
    std::this_thread::sleep_for(kCanaryDelay);
    const int n = ++canary_requests_;
    writer.Send({.status = n % kCanaryFailsEvery == 0 ? 500 : 200, .body = "canary"});
  }};
  std::unique_ptr<http::Server> stable_server_;
  std::unique_ptr<http::Server> canary_server_;
  int frontend_ports_[3] = {};
};

TEST_F(HaproxyProviderTest, GivenACanaryFailingAShareWhenItsErrorRateIsMeasuredThenThatShare) {
  int failed = 0;
  int sent = 0;
  // When: traffic to every Service inside the window, the canary's revision measured.
  Result<Reading> got =
      Measure(R"({"podTemplateHash": "7f9c6d8b4", "metric": "errorRate", "window": "1s"})",
              {.wait = [&](std::chrono::nanoseconds window) {
                EXPECT_EQ(window, 1s);
                sent = 40;
                failed = Send(1, sent);
                Send(0, 30);  // stable: no errors
                Send(2, 8);   // the canary's revision in another namespace: not counted
              }});

  // Then: the ratio of the 500s the client saw to what it sent through the canary.
  ASSERT_TRUE(got.ok()) << got.error() << "\n" << Log();
  EXPECT_EQ(failed, sent / kCanaryFailsEvery);
  ASSERT_TRUE(got->result.is_number()) << got->value;
  EXPECT_DOUBLE_EQ(got->result.as_double(), static_cast<double>(failed) / sent);
  EXPECT_EQ(got->value, "0.25");
  EXPECT_EQ(got->metadata["servers"], "1");
  EXPECT_EQ(got->metadata["responses"], "40");
}

TEST_F(HaproxyProviderTest, GivenTrafficToAServiceWhenRatesAndTimesAreMeasuredThenTheyMatch) {
  // When: 30 requests to Service web within a 2s window.
  Result<Reading> rate = Measure(R"({"service": "web", "metric": "requestRate", "window": "2s"})",
                                 {.wait = [&](std::chrono::nanoseconds) { Send(0, 30); }});
  ASSERT_TRUE(rate.ok()) << rate.error();
  EXPECT_EQ(rate->result, json::Value(15.0)) << "30 requests / 2s";
  EXPECT_EQ(stable_requests_.load(), 30);

  // When: the canary's response time, its pod answering after kCanaryDelay.
  Result<Reading> time =
      Measure(R"({"service": "web-canary", "metric": "responseTime", "window": "1s"})",
              {.wait = [&](std::chrono::nanoseconds) { Send(1, 10); }});
  ASSERT_TRUE(time.ok()) << time.error();
  ASSERT_TRUE(time->result.is_number()) << time->value;
  // Then: at least the delay (HAProxy's rtime is in whole milliseconds), and not absurdly more.
  EXPECT_GE(time->result.as_double(), 0.019) << time->value;
  EXPECT_LT(time->result.as_double(), 1.0) << time->value;
}

TEST_F(HaproxyProviderTest, GivenServersNamedByTheCallerWhenMeasuredThenThoseAreTheRevision) {
  std::string asked;
  Result<Reading> got =
      Measure(R"({"podTemplateHash": "abc", "metric": "errorRate", "window": "1s"})",
              {.revision_servers = [&](const std::string& ns,
                                       const std::string& hash) -> Result<std::set<std::string>> {
                 asked = ns + "/" + hash;
                 return std::set<std::string>{kCanaryServer};
               },
               .wait = [&](std::chrono::nanoseconds) { Send(1, 8); }});
  ASSERT_TRUE(got.ok()) << got.error();
  EXPECT_EQ(asked, "ns/abc");
  EXPECT_EQ(got->result, json::Value(0.25));
}

TEST_F(HaproxyProviderTest, GivenNoTrafficWhenMeasuredOverAShortRealWindowThenNoData) {
  const auto start = std::chrono::steady_clock::now();
  Result<Reading> got =
      Measure(R"({"podTemplateHash": "7f9c6d8b4", "metric": "errorRate", "window": "200ms"})", {});
  ASSERT_TRUE(got.ok()) << got.error();
  EXPECT_GE(std::chrono::steady_clock::now() - start, 200ms) << "the window was waited";
  EXPECT_TRUE(got->result.is_null()) << got->value;
  EXPECT_EQ(got->message, "no response in the 200ms window: no data (revision 7f9c6d8b4)");
}

TEST_F(HaproxyProviderTest, GivenAnUnknownServiceOrNoSocketWhenMeasuredThenAnError) {
  HaproxyProviderOptions no_wait{.wait = [](std::chrono::nanoseconds) {}};
  Result<Reading> unknown =
      Measure(R"({"service": "api", "metric": "errorRate", "window": "1s"})", no_wait);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code(), StatusCode::kNotFound) << unknown.error();

  Result<Reading> gone =
      Measure(R"({"service": "web", "metric": "errorRate", "socket": "/tmp/devflow-no-such.sock"})",
              no_wait);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code(), StatusCode::kUnavailable) << gone.error();

  api::AnalysisRun run;
  api::Metric metric;
  metric.provider.haproxy = Doc(R"({"service": "web", "metric": "errorRate"})");
  Result<Reading> unset = HaproxyProvider().Measure({.run = run, .metric = metric, .now = {}});
  ASSERT_FALSE(unset.ok());
  EXPECT_EQ(unset.error().field_path(), "provider.haproxy.socket") << unset.error();
}

}  // namespace
}  // namespace devflow::analysis::providers
