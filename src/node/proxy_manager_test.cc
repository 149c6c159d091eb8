// ProxyManager against the real HAProxy (/usr/sbin/haproxy) and real HTTP backends in this
// process. Every test starts its own HAProxy in its own state directory and stops it at the end,
// also when an assertion failed (TearDown kills whatever the pid file names, if it is ours).
#include "node/proxy_manager.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "common/eventually_testing.h"
#include "http/client.h"
#include "http/server.h"

namespace devflow::node {
namespace {

namespace fs = std::filesystem;
using devflow::testing::Eventually;
using namespace std::chrono_literals;

constexpr char kHaproxy[] = "/usr/sbin/haproxy";

int FreePort(const char* address = "127.0.0.1") {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in bound{};
  bound.sin_family = AF_INET;
  ::inet_pton(AF_INET, address, &bound.sin_addr);
  socklen_t size = sizeof(bound);
  ::bind(fd, reinterpret_cast<sockaddr*>(&bound), size);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &size);
  ::close(fd);
  return ntohs(bound.sin_port);
}

// A pod: an HTTP server that answers its own name.
class Pod {
 public:
  explicit Pod(std::string name)
      : name_(std::move(name)),
        handler_([this](const http::Request&, http::ResponseWriter& writer) {
          writer.Send({200, {{"Content-Type", "text/plain"}}, name_});
        }),
        server_(http::ServerOptions{.threads = 1}, handler_) {
    Status status = server_.Start();
    if (!status.ok()) {
      std::cerr << "pod " << name_ << ": " << status << "\n";
      std::abort();
    }
  }

  const std::string& name() const { return name_; }
  int port() const { return server_.port(); }
  ProxyEndpoint Endpoint(bool serving = true) const {
    return {name_, "127.0.0.1", port(), "rev", serving};
  }
  void Stop() { server_.Stop(); }

 private:
  std::string name_;
  http::FunctionHandler handler_;
  http::Server server_;
};

struct Answer {
  int status = 0;
  std::string body;
  std::string error;  // transport failure
};

// One request on a new connection (Connection: close), over a plain socket.
Answer GetOnce(const std::string& address, int port, const http::Headers& headers = {},
               const std::string& path = "/") {
  Answer answer;
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval guard{30, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &guard, sizeof(guard));
  sockaddr_in peer{};
  peer.sin_family = AF_INET;
  peer.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, address.c_str(), &peer.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&peer), sizeof(peer)) != 0) {
    answer.error = std::string("connect: ") + std::strerror(errno);
    ::close(fd);
    return answer;
  }
  std::string request = "GET " + path + " HTTP/1.1\r\nConnection: close\r\n";
  bool host = false;
  for (const auto& [name, value] : headers) {
    request += name + ": " + value + "\r\n";
    host = host || name == "Host";
  }
  if (!host) request += "Host: test\r\n";
  request += "\r\n";
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string response;
  char buffer[4096];
  for (ssize_t n; (n = ::recv(fd, buffer, sizeof(buffer), 0)) > 0;) response.append(buffer, n);
  ::close(fd);
  size_t head_end = response.find("\r\n\r\n");
  if (response.size() < 12 || head_end == std::string::npos) {
    answer.error = "incomplete response: \"" + response + "\"";
    return answer;
  }
  answer.status = std::atoi(response.c_str() + 9);
  answer.body = response.substr(head_end + 4);
  return answer;
}

std::unique_ptr<http::Client> KeepAliveClient(const std::string& address, int port) {
  auto client = http::Client::Create(
      {.base_url = "http://" + address + ":" + std::to_string(port), .request_timeout = 30s});
  if (!client.ok()) std::abort();
  return std::move(client).value();
}

Answer Get(http::Client& client, const http::Headers& headers = {}, const std::string& path = "/") {
  http::Request request{.method = "GET", .target = path, .headers = headers};
  auto response = client.Send(request);
  if (!response.ok()) return {0, "", response.error().ToString()};
  return {response->status, response->body, ""};
}

// Counts answers by body over `n` keep-alive requests; non-200 answers count as "<status>".
std::map<std::string, int> Tally(const std::string& address, int port, int n,
                                 const http::Headers& headers = {}) {
  auto client = KeepAliveClient(address, port);
  std::map<std::string, int> tally;
  for (int i = 0; i < n; ++i) {
    Answer answer = Get(*client, headers);
    ++tally[!answer.error.empty()  ? "error: " + answer.error
            : answer.status == 200 ? answer.body
                                   : std::to_string(answer.status)];
  }
  return tally;
}

// Steady client load on one listener: threads that reuse keep-alive connections and threads that
// open a new connection per request, counting every request that did not get a 200.
class Load {
 public:
  Load(std::string address, int port, int keep_alive_threads = 2, int new_connection_threads = 2)
      : address_(std::move(address)), port_(port) {
    for (int i = 0; i < keep_alive_threads; ++i) {
      threads_.emplace_back([this] {
        auto client = KeepAliveClient(address_, port_);
        while (!stop_) Record(Get(*client));
      });
    }
    for (int i = 0; i < new_connection_threads; ++i) {
      threads_.emplace_back([this] {
        while (!stop_) Record(GetOnce(address_, port_));
      });
    }
  }
  ~Load() { Stop(); }

  void Stop() {
    stop_ = true;
    for (std::thread& thread : threads_) {
      if (thread.joinable()) thread.join();
    }
  }

  int64_t total() const { return total_; }
  int64_t failures() const { return failures_; }
  std::string Samples() const {
    std::lock_guard lock(mu_);
    std::string out;
    for (const std::string& sample : samples_) out += sample + "\n";
    return out;
  }
  int64_t Count(const std::string& body) const {
    std::lock_guard lock(mu_);
    auto it = bodies_.find(body);
    return it == bodies_.end() ? 0 : it->second;
  }

  // Waits until `n` more requests have completed: lets each change be exercised by traffic.
  bool WaitFor(int64_t n) const {
    int64_t target = total_ + n;
    return Eventually([&] { return total_ >= target; }, 60s);
  }

 private:
  void Record(const Answer& answer) {
    std::lock_guard lock(mu_);
    if (!answer.error.empty() || answer.status != 200) {
      ++failures_;
      if (samples_.size() < 10) {
        samples_.push_back(answer.error.empty() ? std::to_string(answer.status) + " " + answer.body
                                                : answer.error);
      }
    } else {
      ++bodies_[answer.body];
    }
    ++total_;
  }

  const std::string address_;
  const int port_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> total_{0};
  std::atomic<int64_t> failures_{0};
  mutable std::mutex mu_;
  std::vector<std::string> samples_;
  std::map<std::string, int64_t> bodies_;
  std::vector<std::thread> threads_;
};

ProxyBackend Backend(std::string name, std::vector<ProxyEndpoint> endpoints) {
  return {std::move(name), std::move(endpoints)};
}

ProxyListener Listener(std::string name, int port, std::vector<RouteRule> rules,
                       std::string address = "127.0.0.1") {
  return {std::move(name), std::move(address), port, std::move(rules)};
}

RouteRule Rule(std::vector<WeightedBackend> backends, std::vector<RouteMatch> matches = {},
               std::vector<std::string> hostnames = {}) {
  return {std::move(hostnames), std::move(matches), std::move(backends), "test"};
}

class ProxyManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir_template[] = "/tmp/proxy-manager-test-XXXXXX";
    ASSERT_NE(::mkdtemp(dir_template), nullptr);
    dir_ = dir_template;
    StartManager();
  }

  void TearDown() override {
    if (manager_) manager_->Shutdown(/*stop_haproxy=*/true);
    manager_.reset();
    // After a failed assertion the manager may not have stopped it: kill what is ours.
    int pid = MasterPid();
    std::ifstream cmdline("/proc/" + std::to_string(pid) + "/cmdline");
    std::string text((std::istreambuf_iterator<char>(cmdline)), {});
    if (pid > 0 && text.find(dir_.string()) != std::string::npos) ::kill(pid, SIGKILL);
    fs::remove_all(dir_);
  }

  void StartManager() {
    auto manager = ProxyManager::Start({.state_dir = dir_, .haproxy_binary = kHaproxy});
    ASSERT_TRUE(manager.ok()) << manager.status();
    manager_ = std::move(manager).value();
  }

  int MasterPid() const {
    std::ifstream in(dir_ / "haproxy" / "haproxy.pid");
    int pid = 0;
    in >> pid;
    return pid;
  }

  void ApplyOk(const ProxyState& state) {
    auto problems = manager_->Apply(state);
    ASSERT_TRUE(problems.ok()) << problems.status();
    EXPECT_TRUE(problems->empty()) << problems->front().message;
  }

  fs::path dir_;
  std::unique_ptr<ProxyManager> manager_;
};

TEST_F(ProxyManagerTest, SplitsByWeightWithinThreePoints) {
  Pod canary("canary-1");
  Pod stable("stable-1");
  const int port = FreePort();
  ProxyState state;
  state.listeners = {
      Listener("gateway/ns/gw/http", port, {Rule({{"ns/canary:80", 10}, {"ns/stable:80", 90}})})};
  state.backends = {Backend("ns/canary:80", {canary.Endpoint()}),
                    Backend("ns/stable:80", {stable.Endpoint()})};
  ApplyOk(state);
  EXPECT_EQ(manager_->ReloadCount(), 1) << "a new listener";

  auto tally = Tally("127.0.0.1", port, 2000);
  EXPECT_EQ(tally["canary-1"] + tally["stable-1"], 2000);
  EXPECT_NEAR(tally["canary-1"] / 2000.0, 0.10, 0.03);

  state.listeners[0].rules[0].backends = {{"ns/canary:80", 50}, {"ns/stable:80", 50}};
  ApplyOk(state);
  tally = Tally("127.0.0.1", port, 2000);
  EXPECT_EQ(tally["canary-1"] + tally["stable-1"], 2000);
  EXPECT_NEAR(tally["canary-1"] / 2000.0, 0.50, 0.03);
  EXPECT_EQ(manager_->ReloadCount(), 1) << "weights change through the runtime API";
}

TEST_F(ProxyManagerTest, HeaderMatchSendsOnlyMatchingRequestsToItsBackend) {
  Pod canary("canary-1");
  Pod stable("stable-1");
  const int port = FreePort();
  RouteMatch header{std::nullopt, {{"X-Canary", "on", false}}, std::nullopt};
  ProxyState state;
  state.listeners = {
      Listener("gateway/ns/gw/http", port,
               {Rule({{"ns/canary:80", 1}}, {header}), Rule({{"ns/stable:80", 1}})})};
  state.backends = {Backend("ns/canary:80", {canary.Endpoint()}),
                    Backend("ns/stable:80", {stable.Endpoint()})};
  ApplyOk(state);

  EXPECT_EQ(Tally("127.0.0.1", port, 200, {{"x-canary", "on"}}),
            (std::map<std::string, int>{{"canary-1", 200}}));
  EXPECT_EQ(Tally("127.0.0.1", port, 200, {{"X-Canary", "off"}}),
            (std::map<std::string, int>{{"stable-1", 200}}));
  EXPECT_EQ(Tally("127.0.0.1", port, 200), (std::map<std::string, int>{{"stable-1", 200}}));
}

TEST_F(ProxyManagerTest, AnswersNotFoundWithoutRuleAndUnavailableWithoutBackend) {
  Pod stable("stable-1");
  const int no_rules = FreePort();
  const int zero_weights = FreePort();
  const int no_backends = FreePort();
  const int by_host = FreePort();
  ProxyState state;
  state.listeners = {
      Listener("service/ns/a:80", no_rules, {}),
      Listener("service/ns/b:80", zero_weights, {Rule({{"ns/stable:80", 0}})}),
      Listener("service/ns/c:80", no_backends, {Rule({})}),
      Listener("service/ns/d:80", by_host, {Rule({{"ns/stable:80", 1}}, {}, {"a.example.com"})})};
  state.backends = {Backend("ns/stable:80", {stable.Endpoint()})};
  ApplyOk(state);

  EXPECT_EQ(GetOnce("127.0.0.1", no_rules).status, 404);
  EXPECT_EQ(GetOnce("127.0.0.1", zero_weights).status, 503);
  EXPECT_EQ(GetOnce("127.0.0.1", no_backends).status, 503);
  EXPECT_EQ(GetOnce("127.0.0.1", by_host, {{"Host", "b.example.com"}}).status, 404);
  Answer matched = GetOnce("127.0.0.1", by_host, {{"Host", "A.example.com:8080"}});
  EXPECT_EQ(matched.status, 200);
  EXPECT_EQ(matched.body, "stable-1");
}

TEST_F(ProxyManagerTest, EndpointChangesGoThroughTheRuntimeApi) {
  Pod one("web-1");
  Pod two("web-2");
  Pod three("web-3");
  const int port = FreePort();
  ProxyState state;
  state.listeners = {Listener("service/ns/web:80", port, {Rule({{"ns/web:80", 1}})})};
  state.backends = {Backend("ns/web:80", {one.Endpoint()})};
  ApplyOk(state);
  const int reloads = manager_->ReloadCount();

  // Added: both serve.
  state.backends[0].endpoints = {one.Endpoint(), two.Endpoint()};
  ApplyOk(state);
  EXPECT_EQ(Tally("127.0.0.1", port, 100),
            (std::map<std::string, int>{{"web-1", 50}, {"web-2", 50}}));

  // Drained: no new requests.
  state.backends[0].endpoints = {one.Endpoint(/*serving=*/false), two.Endpoint()};
  ApplyOk(state);
  EXPECT_EQ(Tally("127.0.0.1", port, 100), (std::map<std::string, int>{{"web-2", 100}}));

  // Removed, and web-2's server moved to another port (the pod restarted elsewhere).
  ProxyEndpoint moved = two.Endpoint();
  moved.port = three.port();
  state.backends[0].endpoints = {moved};
  ApplyOk(state);
  EXPECT_EQ(Tally("127.0.0.1", port, 100), (std::map<std::string, int>{{"web-3", 100}}));

  // Serving again after a drain.
  state.backends[0].endpoints = {one.Endpoint(false), moved};
  ApplyOk(state);
  state.backends[0].endpoints = {one.Endpoint(true), moved};
  ApplyOk(state);
  EXPECT_EQ(Tally("127.0.0.1", port, 100),
            (std::map<std::string, int>{{"web-1", 50}, {"web-3", 50}}));

  EXPECT_EQ(manager_->ReloadCount(), reloads);
  EXPECT_EQ(manager_->RestartCount(), 0);
}

// The "zero failed requests": pods replaced one by one, weights moved 0 -> 10 -> 50 ->
// 100, and a blue/green switch, all under load, without a single reload.
TEST_F(ProxyManagerTest, NoFailedRequestsWhileEndpointsAndWeightsChangeUnderLoad) {
  std::map<std::string, std::unique_ptr<Pod>> pods;
  for (const char* name : {"stable-a", "stable-b", "stable-c", "stable-d", "canary-a", "canary-b",
                           "blue-a", "blue-b", "green-a", "green-b"}) {
    pods[name] = std::make_unique<Pod>(name);
  }
  auto endpoints = [&](std::vector<std::pair<const char*, bool>> names) {
    std::vector<ProxyEndpoint> out;
    for (auto [name, serving] : names) out.push_back(pods[name]->Endpoint(serving));
    std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.name < b.name; });
    return out;
  };
  const int route_port = FreePort();
  const int active_port = FreePort();
  ProxyState state;
  state.listeners = {Listener("gateway/ns/gw/http", route_port,
                              {Rule({{"ns/canary:80", 0}, {"ns/stable:80", 100}})}),
                     Listener("service/ns/active:80", active_port, {Rule({{"ns/active:80", 1}})})};
  state.backends = {Backend("ns/active:80", endpoints({{"blue-a", true}, {"blue-b", true}})),
                    Backend("ns/canary:80", endpoints({{"canary-a", true}, {"canary-b", true}})),
                    Backend("ns/stable:80", endpoints({{"stable-a", true}, {"stable-b", true}}))};
  ApplyOk(state);
  const int reloads = manager_->ReloadCount();

  Load route("127.0.0.1", route_port);
  Load active("127.0.0.1", active_port);
  ASSERT_TRUE(route.WaitFor(200));
  ASSERT_TRUE(active.WaitFor(200));

  // Stable pods replaced one by one: the new one added, the old one drained, then removed and
  // stopped.
  std::vector<std::pair<const char*, bool>> stable = {{"stable-a", true}, {"stable-b", true}};
  for (auto [old_pod, new_pod] : {std::pair{"stable-a", "stable-c"}, {"stable-b", "stable-d"}}) {
    stable.push_back({new_pod, true});
    state.backends[2].endpoints = endpoints(stable);
    ApplyOk(state);
    ASSERT_TRUE(route.WaitFor(200));
    for (auto& [name, serving] : stable) serving = serving && std::string(name) != old_pod;
    state.backends[2].endpoints = endpoints(stable);
    ApplyOk(state);
    ASSERT_TRUE(route.WaitFor(200));
    std::erase_if(stable, [&](auto& entry) { return std::string(entry.first) == old_pod; });
    state.backends[2].endpoints = endpoints(stable);
    ApplyOk(state);
    ASSERT_TRUE(route.WaitFor(200));
    pods[old_pod]->Stop();
    ASSERT_TRUE(route.WaitFor(200));
  }

  for (int weight : {10, 50, 100}) {
    state.listeners[0].rules[0].backends = {{"ns/canary:80", weight},
                                            {"ns/stable:80", 100 - weight}};
    ApplyOk(state);
    ASSERT_TRUE(route.WaitFor(300));
  }
  const int64_t stable_before = route.Count("stable-c") + route.Count("stable-d");
  ASSERT_TRUE(route.WaitFor(300));
  EXPECT_EQ(route.Count("stable-c") + route.Count("stable-d"), stable_before)
      << "at 100% canary, stable gets nothing";

  // A pod that dies before it leaves the endpoints (readiness lags by a probe period): requests
  // that reach it are retried on another pod.
  pods["canary-b"]->Stop();
  ASSERT_TRUE(route.WaitFor(300));
  state.backends[1].endpoints = endpoints({{"canary-a", true}});
  ApplyOk(state);
  ASSERT_TRUE(route.WaitFor(300));

  // Blue/green: every endpoint of the active Service replaced at once.
  state.backends[0].endpoints = endpoints({{"green-a", true}, {"green-b", true}});
  ApplyOk(state);
  ASSERT_TRUE(active.WaitFor(300));
  pods["blue-a"]->Stop();
  pods["blue-b"]->Stop();
  const int64_t blue_before = active.Count("blue-a") + active.Count("blue-b");
  ASSERT_TRUE(active.WaitFor(300));
  EXPECT_EQ(active.Count("blue-a") + active.Count("blue-b"), blue_before);
  EXPECT_GT(active.Count("green-a") + active.Count("green-b"), 0);

  route.Stop();
  active.Stop();
  EXPECT_EQ(route.failures(), 0) << route.Samples();
  EXPECT_EQ(active.failures(), 0) << active.Samples();
  EXPECT_EQ(manager_->ReloadCount(), reloads) << "none of these changes may reload";
  std::cout << "requests: " << route.total() << " through the route, " << active.total()
            << " through the active Service\n";
}

TEST_F(ProxyManagerTest, NewListenerReloadsWithoutFailingRequests) {
  Pod web("web-1");
  Pod other("other-1");
  const int port = FreePort();
  ProxyState state;
  state.listeners = {Listener("service/ns/web:80", port, {Rule({{"ns/web:80", 1}})})};
  state.backends = {Backend("ns/other:80", {other.Endpoint()}),
                    Backend("ns/web:80", {web.Endpoint()})};
  ApplyOk(state);
  const int reloads = manager_->ReloadCount();

  Load load("127.0.0.1", port);
  ASSERT_TRUE(load.WaitFor(300));
  const int second_port = FreePort();
  state.listeners.push_back(
      Listener("service/ns/other:80", second_port, {Rule({{"ns/other:80", 1}})}));
  ApplyOk(state);
  EXPECT_EQ(manager_->ReloadCount(), reloads + 1);
  EXPECT_EQ(GetOnce("127.0.0.1", second_port).body, "other-1");
  ASSERT_TRUE(load.WaitFor(300));
  load.Stop();
  EXPECT_EQ(load.failures(), 0) << load.Samples();
}

TEST_F(ProxyManagerTest, ListenerOnATakenPortIsReportedAndTheOthersServe) {
  Pod web("web-1");
  // Another program holds this port.
  int holder = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in bound{};
  bound.sin_family = AF_INET;
  bound.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof(bound);
  ASSERT_EQ(::bind(holder, reinterpret_cast<sockaddr*>(&bound), size), 0);
  ASSERT_EQ(::listen(holder, 4), 0);
  ::getsockname(holder, reinterpret_cast<sockaddr*>(&bound), &size);
  const int taken = ntohs(bound.sin_port);
  const int free_port = FreePort();

  ProxyState state;
  state.listeners = {Listener("service/ns/a:80", taken, {Rule({{"ns/web:80", 1}})}),
                     Listener("service/ns/b:80", free_port, {Rule({{"ns/web:80", 1}})})};
  state.backends = {Backend("ns/web:80", {web.Endpoint()})};
  auto problems = manager_->Apply(state);
  ASSERT_TRUE(problems.ok()) << problems.status();
  std::vector<ListenerProblem> expected = {
      {"service/ns/a:80",
       "127.0.0.1:" + std::to_string(taken) + " is already in use by another program"}};
  EXPECT_EQ(*problems, expected);
  EXPECT_EQ(GetOnce("127.0.0.1", free_port).body, "web-1");

  // Once the port is free, the next Apply serves it.
  ::close(holder);
  ApplyOk(state);
  EXPECT_EQ(GetOnce("127.0.0.1", taken).body, "web-1");
  EXPECT_EQ(GetOnce("127.0.0.1", free_port).body, "web-1");
}

TEST_F(ProxyManagerTest, ListenersOnLoopbackAddressesShareAPort) {
  Pod active("active-1");
  Pod preview("preview-1");
  const int port = FreePort("127.1.0.1");
  ProxyState state;
  state.listeners = {
      Listener("service/ns/active:80", port, {Rule({{"ns/active:80", 1}})}, "127.1.0.1"),
      Listener("service/ns/preview:80", port, {Rule({{"ns/preview:80", 1}})}, "127.1.0.2")};
  state.backends = {Backend("ns/active:80", {active.Endpoint()}),
                    Backend("ns/preview:80", {preview.Endpoint()})};
  ApplyOk(state);
  EXPECT_EQ(GetOnce("127.1.0.1", port).body, "active-1");
  EXPECT_EQ(GetOnce("127.1.0.2", port).body, "preview-1");
}

TEST_F(ProxyManagerTest, RestartsHaproxyKilledWithSigkill) {
  Pod web("web-1");
  Pod two("web-2");
  const int port = FreePort();
  ProxyState state;
  state.listeners = {Listener("service/ns/web:80", port, {Rule({{"ns/web:80", 1}})})};
  state.backends = {Backend("ns/web:80", {web.Endpoint()})};
  ApplyOk(state);
  // A runtime change too: the restart must bring back the desired state, not the configured one.
  state.backends[0].endpoints = {web.Endpoint(false), two.Endpoint()};
  ApplyOk(state);
  const int reloads = manager_->ReloadCount();

  const int killed = MasterPid();
  ASSERT_GT(killed, 0);
  ASSERT_EQ(::kill(killed, SIGKILL), 0);
  ASSERT_TRUE(Eventually([&] {
    return MasterPid() != killed && GetOnce("127.0.0.1", port).status == 200;
  })) << "serving again";
  // The new master serves before the watchdog has finished checking it.
  EXPECT_TRUE(Eventually([&] { return manager_->RestartCount() == 1; }));
  EXPECT_EQ(manager_->ReloadCount(), reloads);
  EXPECT_EQ(Tally("127.0.0.1", port, 50), (std::map<std::string, int>{{"web-2", 50}}));

  // And it is managed as before: runtime changes, no reload.
  state.backends[0].endpoints = {web.Endpoint(), two.Endpoint()};
  ApplyOk(state);
  EXPECT_EQ(Tally("127.0.0.1", port, 100),
            (std::map<std::string, int>{{"web-1", 50}, {"web-2", 50}}));
  EXPECT_EQ(manager_->ReloadCount(), reloads);
}

// A stopping (or killed) devflow leaves HAProxy serving; the next Start adopts it, without a
// restart or a reload, and clients never notice.
TEST_F(ProxyManagerTest, NextStartAdoptsTheRunningHaproxy) {
  Pod web("web-1");
  Pod two("web-2");
  const int port = FreePort();
  ProxyState state;
  state.listeners = {Listener("service/ns/web:80", port, {Rule({{"ns/web:80", 1}})})};
  state.backends = {Backend("ns/web:80", {web.Endpoint()})};
  ApplyOk(state);
  const int master = MasterPid();
  const std::string metrics = manager_->MetricsUrl();

  Load load("127.0.0.1", port);
  ASSERT_TRUE(load.WaitFor(200));
  manager_->Shutdown(/*stop_haproxy=*/false);
  manager_.reset();
  ASSERT_TRUE(load.WaitFor(200)) << "serving without devflow";
  StartManager();
  ASSERT_TRUE(manager_);
  EXPECT_EQ(MasterPid(), master);
  EXPECT_EQ(manager_->MetricsUrl(), metrics);

  ApplyOk(state);
  state.backends[0].endpoints = {web.Endpoint(), two.Endpoint()};
  ApplyOk(state);
  ASSERT_TRUE(load.WaitFor(300));
  EXPECT_GT(load.Count("web-2"), 0);
  load.Stop();
  EXPECT_EQ(load.failures(), 0) << load.Samples();
  EXPECT_EQ(manager_->ReloadCount(), 0);
  EXPECT_EQ(manager_->RestartCount(), 0);
  EXPECT_EQ(MasterPid(), master);
}

TEST_F(ProxyManagerTest, ExportsMetricsPerBackendAndPod) {
  Pod canary("canary-1");
  Pod stable("stable-1");
  const int port = FreePort();
  ProxyState state;
  state.listeners = {
      Listener("gateway/ns/gw/http", port, {Rule({{"ns/canary:80", 50}, {"ns/stable:80", 50}})})};
  state.backends = {Backend("ns/canary:80", {canary.Endpoint()}),
                    Backend("ns/stable:80", {stable.Endpoint()})};
  ApplyOk(state);
  auto tally = Tally("127.0.0.1", port, 100);
  EXPECT_EQ(manager_->BackendName("ns/canary:80"), "ns.canary:80");

  const std::string url = manager_->MetricsUrl();
  const std::string base = url.substr(0, url.find("/metrics"));
  auto client = http::Client::Create({.base_url = base});
  ASSERT_TRUE(client.ok());
  auto response = (*client)->Send({.method = "GET", .target = "/metrics"});
  ASSERT_TRUE(response.ok()) << response.status();
  ASSERT_EQ(response->status, 200);
  for (const auto& [pod, backend] :
       {std::pair{"canary-1", "ns.canary:80"}, std::pair{"stable-1", "ns.stable:80"}}) {
    std::string backend_series = "haproxy_backend_http_responses_total{proxy=\"" +
                                 std::string(backend) + "\",code=\"2xx\"} " +
                                 std::to_string(tally[pod]) + "\n";
    std::string server_series = "haproxy_server_http_responses_total{proxy=\"" +
                                std::string(backend) + "\",server=\"" + pod + "\",code=\"2xx\"} " +
                                std::to_string(tally[pod]) + "\n";
    EXPECT_NE(response->body.find(backend_series), std::string::npos) << backend_series;
    EXPECT_NE(response->body.find(server_series), std::string::npos) << server_series;
  }
}

TEST(ProxyManagerStartTest, RefusesWhatIsNotHaproxy) {
  auto missing = ProxyManager::Start(
      {.state_dir = "/tmp/proxy-manager-missing", .haproxy_binary = "/nonexistent/haproxy"});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), StatusCode::kFailedPrecondition) << missing.error();
  auto other = ProxyManager::Start(
      {.state_dir = "/tmp/proxy-manager-missing", .haproxy_binary = "/bin/echo"});
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code(), StatusCode::kFailedPrecondition) << other.error();
  fs::remove_all("/tmp/proxy-manager-missing");
}

}  // namespace
}  // namespace devflow::node
