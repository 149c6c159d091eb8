// The one-machine runtime end to end (issue 4, "Done when"): the real `devflow serve` with its
// runtime, the demo app as pods, the real HAProxy, and traffic from a load generator. Each test
// starts its own server on a fresh data directory; NodeUnderTest's ServeProcess stops it and runs
// `devflow down` (pods and HAProxy), also when an assertion fails.
//
// Nothing here asserts how long something takes: waits are polls with generous deadlines. What
// the issue times (the HAProxy recovery) is printed as "[ measured ]" lines for the report.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "api/duration.h"
#include "common/eventually_testing.h"
#include "load_generator.h"
#include "node_under_test.h"

namespace devflow {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::Fill;
using testing::kGatewaysResource;
using testing::kHttpRoutesResource;
using testing::kPodsResource;
using testing::kReplicaSetsResource;
using testing::kServicesResource;
using testing::LoadCounts;
using testing::LoadGenerator;
using testing::LoadOptions;
using testing::NodeUnderTest;
using testing::Poll;
using testing::ProcessId;

const std::string kDemoApp = DEVFLOW_DEMO_APP;

// Pods answer /color with the image tag (rollouts-demo:<color>), or with their own name when
// the args say `--color $(POD_NAME)`. E2E_DATA_DIR ties the processes to this test's server
// (NodeUnderTest::ProcessesOf). The readiness probe is an httpGet of /healthz unless given.
constexpr char kReplicaSet[] = R"({
  "apiVersion": "apps/v1", "kind": "ReplicaSet",
  "metadata": {"name": "@NAME@"},
  "spec": {
    "replicas": @REPLICAS@,
    "selector": {"matchLabels": {"app": "demo", "track": "@NAME@"}},
    "template": {
      "metadata": {"labels": {"app": "demo", "track": "@NAME@"}},
      "spec": {
        "terminationGracePeriodSeconds": 10,
        "containers": [{
          "name": "app",
          "image": "rollouts-demo:@COLOR@",
          "command": ["@APP@"],
          "args": @ARGS@,
          "env": [{"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                  {"name": "E2E_DATA_DIR", "value": "@DATA_DIR@"}],
          "ports": [{"name": "http", "containerPort": 8080}],
          "readinessProbe": @PROBE@
        }]
      }
    }
  }
})";

constexpr char kHttpReadiness[] = R"({"httpGet": {"path": "/healthz", "port": "http"},
                                      "periodSeconds": 1})";

struct DemoSet {
  std::string name;  // also the pods' label track=<name>
  int replicas = 2;
  std::string color;        // the image tag
  std::string args = "[]";  // JSON array
  std::string probe = kHttpReadiness;
};

std::string ReplicaSetJson(const NodeUnderTest& node, const DemoSet& set) {
  return Fill(kReplicaSet, {{"NAME", set.name},
                            {"REPLICAS", std::to_string(set.replicas)},
                            {"COLOR", set.color},
                            {"APP", kDemoApp},
                            {"ARGS", set.args},
                            {"DATA_DIR", node.data_dir()},
                            {"PROBE", set.probe}});
}

// A Service on port 80 for the pods with label track=<track>.
std::string ServiceJson(const std::string& name, const std::string& track) {
  return Fill(R"({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "@NAME@"},
                  "spec": {"selector": {"app": "demo", "track": "@TRACK@"},
                           "ports": [{"port": 80, "targetPort": "http"}]}})",
              {{"NAME", name}, {"TRACK", track}});
}

std::string GatewayJson(int port) {
  return Fill(R"({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
                  "metadata": {"name": "gateway"},
                  "spec": {"gatewayClassName": "devflow",
                           "listeners": [{"name": "http", "protocol": "HTTP", "port": @PORT@}]}})",
              {{"PORT", std::to_string(port)}});
}

// The route's rules: every request split between two Services by weight.
std::string WeightedRules(const std::string& first, int first_weight, const std::string& second,
                          int second_weight) {
  return Fill(R"([{"backendRefs": [{"name": "@A@", "port": 80, "weight": @WA@},
                                   {"name": "@B@", "port": 80, "weight": @WB@}]}])",
              {{"A", first},
               {"WA", std::to_string(first_weight)},
               {"B", second},
               {"WB", std::to_string(second_weight)}});
}

std::string RouteJson(const std::string& rules) {
  return Fill(R"({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
                  "metadata": {"name": "route"},
                  "spec": {"parentRefs": [{"name": "gateway"}], "rules": @RULES@}})",
              {{"RULES", rules}});
}

std::string RulesPatch(const std::string& rules) { return R"({"spec": {"rules": )" + rules + "}}"; }

LoadOptions Target(const std::string& host, int port) {
  LoadOptions options;
  options.host = host;
  options.port = port;
  return options;
}

// Creates the ReplicaSet and waits until `replicas` of its pods are Ready.
void RunDemoSet(NodeUnderTest& node, const DemoSet& set) {
  Result<json::Value> created = node.Create(kReplicaSetsResource, ReplicaSetJson(node, set));
  ASSERT_TRUE(created.ok()) << created.status();
  ASSERT_TRUE(Poll([&] {
    return static_cast<int>(node.ReadyPods("track=" + set.name).size()) == set.replicas;
  })) << set.name
      << " pods not ready:\n"
      << node.log();
}

// Creates the Service and waits until it answers `color` at its clusterIP; returns its target.
LoadOptions RunService(NodeUnderTest& node, const std::string& name, const std::string& track,
                       const std::string& color) {
  Result<json::Value> created = node.Create(kServicesResource, ServiceJson(name, track));
  EXPECT_TRUE(created.ok()) << created.status();
  LoadOptions target;
  EXPECT_TRUE(Poll([&] {
    target = Target(node.ClusterIp(name), 80);
    return !target.host.empty() && testing::FetchOnce(target).color == color;
  })) << "Service "
      << name << " does not answer " << color << ":\n"
      << node.log();
  return target;
}

// What the load generator counted over its next `requests` completed requests.
LoadCounts NextRequests(const LoadGenerator& load, int64_t requests) {
  const LoadCounts before = load.Counts();
  Poll([&] { return load.Counts().completed() >= before.completed() + requests; }, seconds(30));
  return LoadCounts::Between(before, load.Counts());
}

// Polls until `requests` consecutive requests of `load` satisfy `good`.
template <class F>
bool Until(const LoadGenerator& load, int64_t requests, F good) {
  return Poll([&] { return good(NextRequests(load, requests)); });
}

// Whether every answer of `counts` is `color`.
bool AllOf(const LoadCounts& counts, const std::string& color) {
  return counts.answered > 0 && counts.Of(color) == counts.answered;
}

void PrintMeasured(const std::string& what) { std::cout << "[ measured ] " << what << std::endl; }

std::string Join(const std::vector<ProcessId>& processes) {
  std::string text;
  for (const ProcessId& p : processes) {
    text += std::to_string(p.pid) + "@" + std::to_string(p.start_ticks) + " ";
  }
  return text;
}

// Given pods named by their answers, when one pod's readiness probe (an exec probe testing a
// file) starts failing, then it gets no more traffic, and gets it again when the probe passes.
TEST(OneMachineTest, EndpointsFollowReadiness) {
  NodeUnderTest node;
  ASSERT_TRUE(node.Start()) << node.log();
  const std::string files = node.data_dir() + "/ready";
  std::filesystem::create_directories(files);
  DemoSet set{.name = "ready", .replicas = 2, .color = "blue"};
  set.args = R"json(["--color", "$(POD_NAME)"])json";
  set.probe = Fill(R"({"exec": {"command": ["sh", "-c", "test -f @DIR@/$POD_NAME"]},
                       "periodSeconds": 1, "failureThreshold": 1})",
                   {{"DIR", files}});
  Result<json::Value> created = node.Create(kReplicaSetsResource, ReplicaSetJson(node, set));
  ASSERT_TRUE(created.ok()) << created.status();
  std::vector<std::string> names;
  ASSERT_TRUE(Poll([&] {
    names.clear();
    for (const json::Value& pod : node.Pods("track=ready")) names.push_back(testing::NameOf(pod));
    return names.size() == 2;
  }));
  for (const std::string& name : names) std::ofstream(files + "/" + name).put('\n');
  ASSERT_TRUE(Poll([&] { return node.ReadyPods("track=ready").size() == 2; })) << node.log();
  const LoadOptions target = RunService(node, "ready", "ready", names[0]);
  LoadOptions options = target;
  options.connections = 2;
  options.rate = 300;
  LoadGenerator load(options);
  load.Start();
  ASSERT_TRUE(Until(load, 200, [&](const LoadCounts& c) {
    return c.Of(names[0]) > 0 && c.Of(names[1]) > 0;
  })) << load.Counts().Summary();

  // When the probe of names[0] fails, it leaves the endpoints; the other pod takes every request.
  std::filesystem::remove(files + "/" + names[0]);
  EXPECT_TRUE(Poll([&] {
    Result<json::Value> pod = node.Get(kPodsResource, names[0]);
    return pod.ok() && !testing::PodReady(*pod);
  })) << node.log();
  EXPECT_TRUE(Until(load, 200, [&](const LoadCounts& c) { return AllOf(c, names[1]); }))
      << load.Counts().Summary();
  const LoadCounts out_of_service = NextRequests(load, 600);
  EXPECT_TRUE(AllOf(out_of_service, names[1])) << out_of_service.Summary();

  // When it passes again, it is back.
  std::ofstream(files + "/" + names[0]).put('\n');
  EXPECT_TRUE(Until(load, 200, [&](const LoadCounts& c) { return c.Of(names[0]) > 0; }))
      << load.Counts().Summary();
  load.Stop();
  const LoadCounts total = load.Counts();
  PrintMeasured("readiness: " + total.Summary());
  EXPECT_EQ(total.failed, 0) << total.Summary();
}

// Given a blue and a green Service behind a Gateway, an HTTPRoute at weights 10/90 splits 2,000
// requests within 3 percentage points, and a header match (as canary setHeaderRoute writes it)
// sends exactly the matching requests to green.
TEST(OneMachineTest, RouteWeightsAndHeaderMatchesSplitTraffic) {
  NodeUnderTest node;
  ASSERT_TRUE(node.Start()) << node.log();
  ASSERT_NO_FATAL_FAILURE(RunDemoSet(node, {.name = "blue", .replicas = 2, .color = "blue"}));
  ASSERT_NO_FATAL_FAILURE(RunDemoSet(node, {.name = "green", .replicas = 2, .color = "green"}));
  RunService(node, "blue", "blue", "blue");
  RunService(node, "green", "green", "green");
  const int port = testing::FreeLoopbackPort();
  ASSERT_TRUE(node.Create(kGatewaysResource, GatewayJson(port)).ok());
  ASSERT_TRUE(
      node.Create(kHttpRoutesResource, RouteJson(WeightedRules("blue", 10, "green", 90))).ok());
  const LoadOptions gateway = Target("127.0.0.1", port);
  ASSERT_TRUE(Poll([&] { return testing::FetchOnce(gateway).ok(); })) << node.log();

  LoadOptions split = gateway;
  split.request_limit = 2000;
  split.rate = 1000;
  LoadGenerator load(split);
  load.Start();
  ASSERT_TRUE(Poll([&] { return load.Done(); })) << load.Counts().Summary();
  load.Stop();
  const LoadCounts counts = load.Counts();
  PrintMeasured("weights 10/90: " + counts.Summary());
  EXPECT_EQ(counts.failed, 0) << counts.Summary();
  EXPECT_EQ(counts.answered, 2000);
  EXPECT_NEAR(100.0 * counts.Of("blue") / counts.answered, 10.0, 3.0) << counts.Summary();
  EXPECT_NEAR(100.0 * counts.Of("green") / counts.answered, 90.0, 3.0) << counts.Summary();

  // The rule canary setHeaderRoute adds, before the weighted one that now sends all to blue.
  ASSERT_TRUE(node.Patch(kHttpRoutesResource, "route", RulesPatch(R"([
                  {"matches": [{"headers": [{"name": "X-Canary", "value": "true"}]}],
                   "backendRefs": [{"name": "green", "port": 80}]},
                  {"backendRefs": [{"name": "blue", "port": 80, "weight": 100},
                                   {"name": "green", "port": 80, "weight": 0}]}])"))
                  .ok());
  auto run = [](LoadOptions options, int64_t requests) {
    options.request_limit = requests;
    options.rate = 1000;
    LoadGenerator load(options);
    load.Start();
    Poll([&] { return load.Done(); });
    load.Stop();
    return load.Counts();
  };
  // The old route sends 90% to green whatever the headers: the new one is in force once plain
  // requests stop reaching green.
  ASSERT_TRUE(Poll([&] { return AllOf(run(gateway, 100), "blue"); })) << node.log();
  LoadOptions canary = gateway;
  canary.headers = {{"X-Canary", "true"}};
  const LoadCounts matching = run(canary, 500);
  EXPECT_EQ(matching.answered, 500) << matching.Summary();
  EXPECT_TRUE(AllOf(matching, "green")) << matching.Summary();
  const LoadCounts plain = run(gateway, 500);
  EXPECT_EQ(plain.answered, 500) << plain.Summary();
  EXPECT_TRUE(AllOf(plain, "blue")) << plain.Summary();
  LoadOptions other_value = gateway;
  other_value.headers = {{"X-Canary", "false"}};
  const LoadCounts not_matching = run(other_value, 500);
  EXPECT_EQ(not_matching.answered, 500) << not_matching.Summary();
  EXPECT_TRUE(AllOf(not_matching, "blue")) << not_matching.Summary();
}

// Given a Gateway whose route sends everything to an active Service (blue pods) and nothing to a
// canary Service (green pods), under at least 1,000 requests/s for 20 s, not one request fails
// while: the blue pods are replaced one by one; the canary weight moves 0 -> 10 -> 50 -> 100;
// and, with the route back on the active Service, its selector switches from blue to green.
TEST(OneMachineTest, NoFailedRequestUnderLoadWhilePodsWeightsAndSelectorsChange) {
  NodeUnderTest node;
  ASSERT_TRUE(node.Start()) << node.log();
  ASSERT_NO_FATAL_FAILURE(RunDemoSet(node, {.name = "blue", .replicas = 3, .color = "blue"}));
  ASSERT_NO_FATAL_FAILURE(RunDemoSet(node, {.name = "green", .replicas = 3, .color = "green"}));
  RunService(node, "active", "blue", "blue");
  RunService(node, "canary", "green", "green");
  const int port = testing::FreeLoopbackPort();
  ASSERT_TRUE(node.Create(kGatewaysResource, GatewayJson(port)).ok());
  ASSERT_TRUE(
      node.Create(kHttpRoutesResource, RouteJson(WeightedRules("active", 100, "canary", 0))).ok());
  LoadOptions options = Target("127.0.0.1", port);
  ASSERT_TRUE(Poll([&] { return testing::FetchOnce(options).color == "blue"; })) << node.log();
  options.rate = 1200;
  LoadGenerator load(options);
  load.Start();
  const auto set_canary_weight = [&](int weight) {
    EXPECT_TRUE(node.Patch(kHttpRoutesResource, "route",
                           RulesPatch(WeightedRules("active", 100 - weight, "canary", weight)))
                    .ok());
  };

  const auto phase_done = [&](const std::string& phase) {
    const LoadCounts now = load.Counts();
    PrintMeasured(phase + " done after " + std::to_string(now.elapsed.count()) +
                  " ms of load, failed so far: " + std::to_string(now.failed));
  };

  // (1) Pods replaced one by one: delete one, wait for its replacement to be ready.
  const std::vector<std::string> originals = node.ReadyPods("track=blue");
  ASSERT_EQ(originals.size(), 3u);
  for (const std::string& pod : originals) {
    ASSERT_TRUE(node.Delete(kPodsResource, pod).ok());
    ASSERT_TRUE(Poll([&] {
      std::vector<std::string> ready = node.ReadyPods("track=blue");
      return ready.size() == 3 && std::find(ready.begin(), ready.end(), pod) == ready.end();
    })) << pod
        << " not replaced:\n"
        << node.log();
  }
  std::vector<std::string> replaced = node.ReadyPods("track=blue");
  for (const std::string& pod : originals) {
    EXPECT_EQ(std::find(replaced.begin(), replaced.end(), pod), replaced.end()) << pod;
  }
  phase_done("(1) replacing 3 pods one by one");
  const LoadCounts after_replacing = load.Counts();
  EXPECT_EQ(after_replacing.Of("green"), 0) << after_replacing.Summary();

  // (2) Canary weights 0 -> 10 -> 50 -> 100: both colours answer in between, then only green.
  set_canary_weight(10);
  EXPECT_TRUE(Until(load, 1000, [](const LoadCounts& c) {
    return c.Of("green") >= 50 && c.Of("green") <= 150;
  })) << load.Counts().Summary();
  set_canary_weight(50);
  EXPECT_TRUE(Until(load, 1000, [](const LoadCounts& c) {
    return c.Of("green") >= 400 && c.Of("green") <= 600;
  })) << load.Counts().Summary();
  set_canary_weight(100);
  EXPECT_TRUE(Until(load, 1000, [](const LoadCounts& c) { return AllOf(c, "green"); }))
      << load.Counts().Summary();
  phase_done("(2) weights 0 -> 10 -> 50 -> 100");

  // (3) Back on the active Service (blue), then its selector switches to the green pods.
  set_canary_weight(0);
  EXPECT_TRUE(Until(load, 1000, [](const LoadCounts& c) { return AllOf(c, "blue"); }))
      << load.Counts().Summary();
  ASSERT_TRUE(
      node.Patch(kServicesResource, "active", R"({"spec": {"selector": {"track": "green"}}})")
          .ok());
  EXPECT_TRUE(Until(load, 1000, [](const LoadCounts& c) { return AllOf(c, "green"); }))
      << load.Counts().Summary();
  phase_done("(3) blue/green switch of the active Service");

  // At least 20 s of load in all.
  Poll([&] { return load.Counts().elapsed >= seconds(20); });
  load.Stop();
  const LoadCounts total = load.Counts();
  PrintMeasured("replacements, weights, blue/green switch: " + total.Summary());
  EXPECT_EQ(total.failed, 0) << total.Summary();
  EXPECT_GE(total.rate(), 1000.0) << total.Summary();
  EXPECT_GE(total.elapsed, seconds(20));
}

// Given pods serving under load, `kill -9` of devflow serve fails no request (pods and HAProxy
// run on their own), and the next serve on the same data directory adopts the same processes
// and the same HAProxy: no orphan, no duplicate, and it still runs and routes new pods.
TEST(OneMachineTest, KillNineOfServeUnderLoadFailsNothingAndAdoptsTheSameProcesses) {
  NodeUnderTest node;
  ASSERT_TRUE(node.Start()) << node.log();
  DemoSet set{.name = "web", .replicas = 2, .color = "blue"};
  set.args = R"json(["--color", "$(POD_NAME)"])json";
  ASSERT_NO_FATAL_FAILURE(RunDemoSet(node, set));
  const std::vector<std::string> pods = node.ReadyPods("track=web");
  const LoadOptions target = RunService(node, "web", "web", pods[0]);
  const std::vector<ProcessId> before = node.RecordedProcesses();
  ASSERT_EQ(before.size(), 2u);
  ASSERT_EQ(node.ProcessesOf(kDemoApp), before);
  const int haproxy = node.HaproxyPid();
  ASSERT_GT(haproxy, 0);

  LoadOptions options = target;
  options.rate = 1200;
  LoadGenerator load(options);
  load.Start();
  NextRequests(load, 2000);
  node.serve().Kill(SIGKILL);
  const LoadCounts while_down = NextRequests(load, 3000);
  EXPECT_EQ(while_down.failed, 0) << while_down.Summary();
  ASSERT_TRUE(node.Start()) << node.log();

  // The new serve runs and routes: a third pod starts and gets traffic.
  ASSERT_TRUE(node.Patch(kReplicaSetsResource, "web", R"({"spec": {"replicas": 3}})").ok());
  std::vector<std::string> ready;
  ASSERT_TRUE(Poll([&] {
    ready = node.ReadyPods("track=web");
    return ready.size() == 3;
  })) << node.log();
  std::string added;
  for (const std::string& pod : ready) {
    if (std::find(pods.begin(), pods.end(), pod) == pods.end()) added = pod;
  }
  EXPECT_TRUE(Until(load, 600, [&](const LoadCounts& c) { return c.Of(added) > 0; }))
      << added << ": " << load.Counts().Summary();
  load.Stop();
  const LoadCounts total = load.Counts();
  PrintMeasured("kill -9 of serve: " + total.Summary());
  EXPECT_EQ(total.failed, 0) << total.Summary();
  EXPECT_GE(total.rate(), 1000.0) << total.Summary();

  // The same two processes (pid and start time), one new one, nothing else.
  const std::vector<ProcessId> after = node.RecordedProcesses();
  EXPECT_EQ(after.size(), 3u) << Join(after);
  for (const ProcessId& process : before) {
    EXPECT_TRUE(std::find(after.begin(), after.end(), process) != after.end())
        << "not adopted: " << process.pid << "; before " << Join(before) << "after " << Join(after);
  }
  EXPECT_EQ(node.ProcessesOf(kDemoApp), after)
      << "live demo processes differ from the records (orphans or duplicates)";
  EXPECT_EQ(node.HaproxyPid(), haproxy) << "HAProxy was not adopted";
  EXPECT_EQ(::kill(haproxy, 0), 0);
}

// Kills HAProxy's master with SIGKILL and returns how long `target` then takes to answer again
// (new connections every 5 ms), for printing; the new master must differ from the killed one.
milliseconds KillHaproxyAndTimeRecovery(NodeUnderTest& node, LoadOptions target) {
  const int haproxy = node.HaproxyPid();
  EXPECT_GT(haproxy, 0);
  if (haproxy <= 0) return {};
  target.timeout = milliseconds(500);
  const auto killed = std::chrono::steady_clock::now();
  EXPECT_EQ(::kill(haproxy, SIGKILL), 0);
  auto recovered = killed;
  bool failed_once = false;
  EXPECT_TRUE(testing::Eventually(
      [&] {
        if (!testing::FetchOnce(target).ok()) {
          failed_once = true;
          std::this_thread::sleep_for(milliseconds(5));
          return false;
        }
        // An answer before any failure may still come from the dying worker.
        if (!failed_once && node.HaproxyPid() == haproxy) return false;
        recovered = std::chrono::steady_clock::now();
        return true;
      },
      seconds(90)))
      << node.log();
  EXPECT_TRUE(Poll([&] { return node.HaproxyPid() != haproxy && node.HaproxyPid() > 0; }));
  return std::chrono::duration_cast<milliseconds>(recovered - killed);
}

// Given Services serving, `kill -9` of HAProxy's master: the runtime starts HAProxy again with
// the whole desired state, and every Service serves again. The time to recover is printed (the
// issue wants under 2 s), once at rest and once right after a reload (a new listener).
TEST(OneMachineTest, KillNineOfHaproxyServesAgain) {
  NodeUnderTest node;
  ASSERT_TRUE(node.Start()) << node.log();
  ASSERT_NO_FATAL_FAILURE(RunDemoSet(node, {.name = "blue", .replicas = 1, .color = "blue"}));
  ASSERT_NO_FATAL_FAILURE(RunDemoSet(node, {.name = "green", .replicas = 1, .color = "green"}));
  const LoadOptions web = RunService(node, "web", "blue", "blue");
  // At rest: once the selector switch (runtime API, after the listener's reload) shows, nothing
  // is under way in the data plane.
  ASSERT_TRUE(
      node.Patch(kServicesResource, "web", R"({"spec": {"selector": {"track": "green"}}})").ok());
  ASSERT_TRUE(Poll([&] { return testing::FetchOnce(web).color == "green"; })) << node.log();
  const milliseconds at_rest = KillHaproxyAndTimeRecovery(node, web);
  PrintMeasured("HAProxy recovery after kill -9 at rest: " + std::to_string(at_rest.count()) +
                " ms");
  EXPECT_EQ(testing::FetchOnce(web).color, "green");

  // Right after a reload: a new Service's listener reloads HAProxy; kill it as soon as the new
  // listener answers.
  const LoadOptions second = RunService(node, "second", "blue", "blue");
  const milliseconds after_reload = KillHaproxyAndTimeRecovery(node, second);
  PrintMeasured("HAProxy recovery after kill -9 right after a reload: " +
                std::to_string(after_reload.count()) + " ms");
  EXPECT_EQ(testing::FetchOnce(second).color, "blue");
  EXPECT_EQ(testing::FetchOnce(web).color, "green");
}

// The "back-off 10s restarting failed container=..." duration of a waiting message.
std::chrono::nanoseconds BackoffOf(const std::string& message) {
  const std::string prefix = "back-off ";
  if (message.rfind(prefix, 0) != 0) return {};
  const size_t end = message.find(' ', prefix.size());
  Result<std::chrono::nanoseconds> delay =
      api::ParseGoDuration(message.substr(prefix.size(), end - prefix.size()));
  return delay.ok() ? *delay : std::chrono::nanoseconds{};
}

struct CrashState {
  int64_t restart_count = -1;
  std::string reason;   // state.waiting.reason
  std::string message;  // state.waiting.message
};

CrashState CrashStateOf(NodeUnderTest& node, const std::string& pod) {
  CrashState state;
  Result<json::Value> object = node.Get(kPodsResource, pod);
  if (!object.ok()) return state;
  const json::Value* status = object->Find("status");
  const json::Value* containers = status ? status->Find("containerStatuses") : nullptr;
  if (containers == nullptr || !containers->is_array() || containers->as_array().empty()) {
    return state;
  }
  const json::Value& container = containers->as_array()[0];
  if (const json::Value* count = container.Find("restartCount"); count && count->is_int()) {
    state.restart_count = count->as_int();
  }
  const json::Value* waiting =
      container.Find("state") ? container.Find("state")->Find("waiting") : nullptr;
  if (waiting != nullptr) {
    if (const json::Value* reason = waiting->Find("reason"); reason && reason->is_string()) {
      state.reason = reason->as_string();
    }
    if (const json::Value* message = waiting->Find("message"); message && message->is_string()) {
      state.message = message->as_string();
    }
  }
  return state;
}

// Given a container that exits 1 a second after it starts, its pod shows CrashLoopBackOff and
// the back-off grows from one restart to the next (10 s, then 20 s by default).
TEST(OneMachineTest, CrashingContainerShowsCrashLoopBackOffWithGrowingBackoff) {
  NodeUnderTest node;
  ASSERT_TRUE(node.Start()) << node.log();
  DemoSet set{.name = "crash", .replicas = 1, .color = "blue"};
  set.args = R"(["--crash-after", "1"])";
  Result<json::Value> created = node.Create(kReplicaSetsResource, ReplicaSetJson(node, set));
  ASSERT_TRUE(created.ok()) << created.status();
  std::string pod;
  ASSERT_TRUE(Poll([&] {
    std::vector<json::Value> pods = node.Pods("track=crash");
    if (pods.size() == 1) pod = testing::NameOf(pods[0]);
    return !pod.empty();
  }));

  CrashState first;
  ASSERT_TRUE(Poll([&] {
    first = CrashStateOf(node, pod);
    return first.reason == "CrashLoopBackOff";
  })) << node.log();
  CrashState second;
  ASSERT_TRUE(Poll(
      [&] {
        second = CrashStateOf(node, pod);
        return second.reason == "CrashLoopBackOff" && second.restart_count > first.restart_count;
      },
      seconds(120)))
      << first.message << "\n"
      << node.log();
  PrintMeasured("back-off: restartCount " + std::to_string(first.restart_count) + " \"" +
                first.message + "\", then restartCount " + std::to_string(second.restart_count) +
                " \"" + second.message + "\"");
  EXPECT_GT(BackoffOf(first.message), std::chrono::nanoseconds{0}) << first.message;
  EXPECT_GT(BackoffOf(second.message), BackoffOf(first.message)) << first.message << "\n"
                                                                 << second.message;
  Result<json::Value> object = node.Get(kPodsResource, pod);
  ASSERT_TRUE(object.ok());
  EXPECT_FALSE(testing::PodReady(*object));
}

}  // namespace
}  // namespace devflow
