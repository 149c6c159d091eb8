// The Kubelet against the embedded API server, with real processes: /bin/sh scripts, and
// `python3 -m http.server` for HTTP probes.
#include "node/kubelet.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "api/decode.h"
#include "api/pod_codec.h"
#include "apiserver/api_server.h"
#include "apiserver/api_server_testing.h"
#include "apiserver/sqlite_store_testing.h"
#include "common/eventually_testing.h"
#include "common/json_reader.h"
#include "kube/typed_client.h"
#include "node/host_ports.h"

namespace devflow::node {
namespace {

using std::chrono::milliseconds;

constexpr char kNode[] = "node-1";
constexpr char kNamespace[] = "default";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The fields of /proc/PID/stat after the command name: state, ppid. Empty when gone.
std::optional<std::pair<char, int>> ProcState(int pid) {
  std::string stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return std::nullopt;
  std::istringstream rest(stat.substr(paren + 1));
  char state = 0;
  int ppid = 0;
  rest >> state >> ppid;
  return std::make_pair(state, ppid);
}

bool Alive(int pid) {
  auto state = ProcState(pid);
  return state && state->first != 'Z';
}

int PidOf(const std::string& container_id) {
  const std::string prefix = "devflow://";
  if (container_id.rfind(prefix, 0) != 0) return 0;
  return std::stoi(container_id.substr(prefix.size()));
}

const api::PodCondition* FindCondition(const api::Pod& pod, std::string_view type) {
  for (const api::PodCondition& condition : pod.status.conditions) {
    if (condition.type == type) return &condition;
  }
  return nullptr;
}

bool IsReady(const api::Pod& pod) {
  const api::PodCondition* ready = FindCondition(pod, "Ready");
  return ready != nullptr && ready->status == "True";
}

class KubeletTest : public ::testing::Test {
 protected:
  void SetUp() override {
    apiserver::ApiServerOptions options;
    options.data_dir = dir_.File("api");
    options.listen = "127.0.0.1:0";
    options.tls = false;
    options.threads = 4;
    auto server = apiserver::ApiServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.error();
    server_ = std::move(server).value();
    auto client = apiserver::api_server_testing::ConnectClient(*server_, kNamespace);
    ASSERT_TRUE(client.ok()) << client.error();
    client_ = std::move(client).value();
    std::filesystem::create_directories(Work());
  }

  void TearDown() override {
    StopKubelet();
    // Whatever still runs (also after a failed assertion) is stopped: the supervisor's
    // processes, then any process seen in a pod's status that is still our child.
    if (supervisor_) {
      for (const ProcessInfo& info : supervisor_->Running()) {
        (void)supervisor_->Stop(info.key, milliseconds(0));
      }
      supervisor_->Shutdown();
      supervisor_.reset();
    }
    for (int pid : pids_seen_) {
      auto state = ProcState(pid);
      if (state && state->second == ::getpid()) {
        ::kill(-pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
      }
    }
    client_.reset();
    server_.reset();
  }

  static KubeletOptions FastOptions() {
    KubeletOptions options;
    options.backoff.initial = milliseconds(200);
    options.backoff.max = std::chrono::seconds(10);
    options.start_retry = milliseconds(500);
    options.api_retry = milliseconds(100);
    return options;
  }

  // Opens a supervisor on the test's state directory and starts a Kubelet on it.
  void StartKubelet(KubeletOptions options = FastOptions()) {
    auto supervisor = ProcessSupervisor::Open(SupervisorOptions{.state_dir = dir_.File("node")},
                                              relay_.Callback());
    ASSERT_TRUE(supervisor.ok()) << supervisor.error();
    supervisor_ = std::move(supervisor).value();
    informers_ = std::make_unique<kube::InformerFactory>(*client_);
    kubelet_ = std::make_unique<Kubelet>(*client_, *informers_, *supervisor_, relay_, kNode,
                                         kube::SystemClock(), options);
    Status started = kubelet_->Start();
    ASSERT_TRUE(started.ok()) << started;
  }

  // As `devflow serve` stopping: the Kubelet and the supervisor go, the processes stay.
  void StopKubelet() {
    if (kubelet_) kubelet_->Stop();
    kubelet_.reset();
    if (informers_) informers_->Stop();
    informers_.reset();
  }

  std::string Work() const { return dir_.File("work"); }

  void CreatePod(const std::string& text) {
    auto object = json::Parse(text);
    ASSERT_TRUE(object.ok()) << object.error() << "\n" << text;
    auto created = client_->Create(pods_, kNamespace, *object);
    ASSERT_TRUE(created.ok()) << created.error();
  }

  std::optional<api::Pod> GetPod(const std::string& name) {
    auto object = client_->Get(pods_, kNamespace, name);
    if (!object.ok()) return std::nullopt;
    api::Pod pod = api::Decode<api::Pod>(*object);
    for (const api::ContainerStatus& status : pod.status.container_statuses) {
      if (int pid = PidOf(status.container_id); pid > 0) pids_seen_.insert(pid);
    }
    return pod;
  }

  // Polls the pod until `ready` holds (60 s at most: a bound for a hung test, not a timing).
  ::testing::AssertionResult WaitForPod(const std::string& name,
                                        const std::function<bool(const api::Pod&)>& ready,
                                        const std::string& what, api::Pod* out = nullptr) {
    std::optional<api::Pod> last;
    bool ok = devflow::testing::Eventually(
        [&] {
          last = GetPod(name);
          if (last && ready(*last)) return true;
          std::this_thread::sleep_for(milliseconds(10));  // spare the server; not a timing
          return false;
        },
        std::chrono::seconds(60));
    if (ok) {
      if (out != nullptr) *out = *last;
      return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure()
           << "pod " << name << ": still not " << what
           << "; last seen: " << (last ? json::Write(api::Encode(*last)) : std::string("absent"));
  }

  ::testing::AssertionResult WaitUntil(const std::function<bool()>& condition,
                                       const std::string& what) {
    if (devflow::testing::Eventually(condition, std::chrono::seconds(60))) {
      return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure() << "still not true after 60 s: " << what;
  }

  const kube::ResourceRef pods_ = kube::ResourceOf<api::Pod>();
  apiserver::TempDir dir_;
  std::unique_ptr<apiserver::ApiServer> server_;
  std::unique_ptr<kube::ApiClient> client_;
  ExitRelay relay_;
  std::unique_ptr<ProcessSupervisor> supervisor_;
  std::unique_ptr<kube::InformerFactory> informers_;
  std::unique_ptr<Kubelet> kubelet_;
  std::set<int> pids_seen_;
};

// A pod running python's HTTP server on $PORT in `dir`, ready when GET /ready answers 200
// (the file `dir`/ready exists), probed every second.
std::string HttpPod(const std::string& name, const std::string& dir,
                    const std::string& extra_spec = "") {
  return R"j({"apiVersion":"v1","kind":"Pod","metadata":{"name":")j" + name +
         R"j(","labels":{"app":"web"}},"spec":{)j" + extra_spec +
         R"j("containers":[{"name":"web","image":"python-demo:v1",)j"
         R"j("command":["python3","-m","http.server","$(PORT)","--bind","127.0.0.1"],)j"
         R"j("workingDir":")j" +
         dir +
         R"j(","ports":[{"name":"http","containerPort":8080}],)j"
         R"j("readinessProbe":{"httpGet":{"path":"/ready","port":"http"},"periodSeconds":1,)j"
         R"j("failureThreshold":1}}]}})j";
}

TEST_F(KubeletTest, PodBecomesRunningAndReadyWithExpandedEnvAndArgs) {
  StartKubelet();
  const std::string out = Work();
  { std::ofstream(out + "/ready") << "ok"; }
  // The script records its environment and arguments, then serves HTTP on $PORT.
  CreatePod(
      R"j({"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-1","labels":{"app":"web"}},)j"
      R"j("spec":{"containers":[{"name":"web",)j"
      R"j("image":"registry.local:5000/team/rollouts-demo:green",)j"
      R"j("command":["/bin/sh","-c","env > \"$OUT/env\"; )j"
      R"j(printf '%s\\n' \"$@\" > \"$OUT/args\"; )j"
      R"j(exec python3 -m http.server \"$PORT\" --bind 127.0.0.1","sh"],)j"
      R"j("args":["--color","$(DEVFLOW_IMAGE_TAG)","$(GREETING)","$$(PORT)","$(UNKNOWN)"],)j"
      R"j("workingDir":")j" +
      out +
      R"j(",)j"
      R"j("env":[{"name":"OUT","value":")j" +
      out +
      R"j("},)j"
      R"j({"name":"POD_NAME","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}},)j"
      R"j({"name":"APP","valueFrom":{"fieldRef":{"fieldPath":"metadata.labels['app']"}}},)j"
      R"j({"name":"GREETING","value":"hello-$(POD_NAME)-$(APP)"}],)j"
      R"j("ports":[{"name":"http-alt","containerPort":8080}],)j"
      R"j("readinessProbe":{"httpGet":{"path":"/ready","port":"http-alt"},)j"
      R"j("periodSeconds":1}}]}})j");

  api::Pod pod;
  ASSERT_TRUE(WaitForPod(
      "web-1", [](const api::Pod& p) { return p.status.phase == "Running" && IsReady(p); },
      "Running and Ready", &pod));

  EXPECT_EQ(pod.spec.node_name, kNode);
  EXPECT_EQ(pod.status.pod_ip, "127.0.0.1");
  EXPECT_EQ(pod.status.host_ip, "127.0.0.1");
  ASSERT_EQ(pod.status.container_statuses.size(), 1u);
  const api::ContainerStatus& status = pod.status.container_statuses[0];
  EXPECT_TRUE(status.state.running.has_value());
  EXPECT_TRUE(status.ready);
  EXPECT_EQ(status.started, true);
  EXPECT_EQ(status.restart_count, 0);
  EXPECT_EQ(status.image, "registry.local:5000/team/rollouts-demo:green");
  EXPECT_GT(PidOf(status.container_id), 0) << status.container_id;
  for (std::string type : {"Initialized", "Ready", "ContainersReady", "PodScheduled"}) {
    const api::PodCondition* condition = FindCondition(pod, type);
    ASSERT_NE(condition, nullptr) << type;
    EXPECT_EQ(condition->status, "True") << type;
  }

  auto ports = ParseHostPorts(pod.metadata.annotations[std::string(kHostPortsAnnotation)]);
  ASSERT_TRUE(ports.ok()) << ports.error();
  ASSERT_EQ(ports->size(), 1u);
  const std::string host_port = std::to_string(ports->at(8080));

  const std::string env = ReadFile(out + "/env");
  for (std::string line :
       {"PORT=" + host_port, "PORT_HTTP_ALT=" + host_port,
        std::string("DEVFLOW_IMAGE=registry.local:5000/team/rollouts-demo:green"),
        std::string("DEVFLOW_IMAGE_TAG=green"), std::string("POD_NAME=web-1"),
        std::string("GREETING=hello-web-1-web")}) {
    EXPECT_NE(env.find(line + "\n"), std::string::npos) << line << " not in:\n" << env;
  }
  EXPECT_NE(env.find("\nPATH="), std::string::npos) << env;
  EXPECT_EQ(ReadFile(out + "/args"), "--color\ngreen\nhello-web-1-web\n$(PORT)\n$(UNKNOWN)\n");
}

TEST_F(KubeletTest, CrashingContainerGoesIntoCrashLoopBackOffWithGrowingBackOff) {
  StartKubelet();
  CreatePod(R"j({"apiVersion":"v1","kind":"Pod","metadata":{"name":"crasher"},)j"
            R"j("spec":{"containers":[{"name":"app","image":"crasher:v1",)j"
            R"j("command":["/bin/sh","-c","exit 3"]}]}})j");
  // Exits 1 and 2 are restarted at once and after 200 ms; then 400 ms, 800 ms, 1.6 s: the
  // message of the fifth exit can only appear once the back-off has doubled three times.
  std::set<std::string> messages;
  api::Pod pod;
  ASSERT_TRUE(WaitForPod(
      "crasher",
      [&](const api::Pod& p) {
        if (p.status.container_statuses.empty()) return false;
        const auto& waiting = p.status.container_statuses[0].state.waiting;
        if (waiting && waiting->reason == "CrashLoopBackOff") messages.insert(waiting->message);
        return waiting && waiting->message.find("back-off 1.6s ") != std::string::npos;
      },
      "in CrashLoopBackOff at 1.6s", &pod));
  const api::ContainerStatus& status = pod.status.container_statuses[0];
  EXPECT_EQ(status.state.waiting->reason, "CrashLoopBackOff");
  EXPECT_EQ(status.state.waiting->message,
            "back-off 1.6s restarting failed container=app pod=crasher_default(" +
                pod.metadata.uid + ")");
  EXPECT_EQ(status.restart_count, 4);
  ASSERT_TRUE(status.last_state.terminated.has_value());
  EXPECT_EQ(status.last_state.terminated->exit_code, 3);
  EXPECT_EQ(status.last_state.terminated->reason, "Error");
  EXPECT_FALSE(status.ready);
  EXPECT_EQ(pod.status.phase, "Running") << "restartPolicy Always keeps it Running";
  for (const std::string& message : messages) {
    EXPECT_EQ(message.find("back-off 3.2s"), std::string::npos) << "no step skipped: " << message;
  }
}

TEST_F(KubeletTest, ReadinessFailureFlipsReadyToFalse) {
  StartKubelet();
  const std::string dir = Work();
  { std::ofstream(dir + "/ready") << "ok"; }
  CreatePod(HttpPod("web-2", dir));
  ASSERT_TRUE(WaitForPod("web-2", IsReady, "Ready"));

  std::filesystem::remove(dir + "/ready");  // GET /ready answers 404 from now on
  api::Pod pod;
  ASSERT_TRUE(WaitForPod(
      "web-2", [](const api::Pod& p) { return !IsReady(p); }, "unready", &pod));
  const api::PodCondition* ready = FindCondition(pod, "Ready");
  EXPECT_EQ(ready->reason, "ContainersNotReady");
  EXPECT_EQ(ready->message, "containers with unready status: [web]");
  EXPECT_EQ(pod.status.phase, "Running");
  EXPECT_TRUE(pod.status.container_statuses[0].state.running.has_value()) << "not restarted";
  EXPECT_EQ(pod.status.container_statuses[0].restart_count, 0);

  { std::ofstream(dir + "/ready") << "ok"; }
  EXPECT_TRUE(WaitForPod("web-2", IsReady, "Ready again"));
}

TEST_F(KubeletTest, LivenessFailureRestartsTheContainer) {
  StartKubelet();
  const std::string dir = Work();
  { std::ofstream(dir + "/alive") << "ok"; }
  CreatePod(
      R"j({"apiVersion":"v1","kind":"Pod","metadata":{"name":"lively"},)j"
      R"j("spec":{"terminationGracePeriodSeconds":2,"containers":[{"name":"app",)j"
      R"j("image":"app:v1","command":["/bin/sh","-c","while true; do sleep 0.1; done"],)j"
      R"j("workingDir":")j" +
      dir +
      R"j(","livenessProbe":{"exec":{"command":["/bin/sh","-c","test -f alive && touch probed"]},)j"
      R"j("periodSeconds":1,"failureThreshold":1}}]}})j");
  api::Pod pod;
  ASSERT_TRUE(WaitForPod(
      "lively", [](const api::Pod& p) { return p.status.phase == "Running"; }, "Running", &pod));
  const std::string first_id = pod.status.container_statuses[0].container_id;
  // Once a probe has passed, the next ones fail: the first process is killed and replaced
  // (and, the file staying absent, so are the following ones).
  ASSERT_TRUE(WaitUntil([&] { return std::filesystem::exists(dir + "/probed"); },
                        "a liveness probe passed"));
  std::filesystem::remove(dir + "/alive");
  ASSERT_TRUE(WaitForPod(
      "lively",
      [](const api::Pod& p) {
        return !p.status.container_statuses.empty() &&
               p.status.container_statuses[0].restart_count >= 1;
      },
      "restarted", &pod));
  const api::ContainerStatus& status = pod.status.container_statuses[0];
  EXPECT_NE(status.container_id, first_id);
  ASSERT_TRUE(status.last_state.terminated.has_value());
  EXPECT_EQ(status.last_state.terminated->exit_code, 128 + SIGTERM);
  EXPECT_EQ(status.last_state.terminated->reason, "Error");
  EXPECT_FALSE(Alive(PidOf(first_id)));
}

TEST_F(KubeletTest, ConfigErrorShowsAsWaitingReason) {
  StartKubelet();
  CreatePod(
      R"j({"apiVersion":"v1","kind":"Pod","metadata":{"name":"needs-secret"},)j"
      R"j("spec":{"containers":[{"name":"app","image":"app:v1","command":["/bin/true"],)j"
      R"j("env":[{"name":"PASSWORD","valueFrom":{"secretKeyRef":{"name":"db","key":"pw"}}}]}]}})j");
  api::Pod pod;
  ASSERT_TRUE(WaitForPod(
      "needs-secret",
      [](const api::Pod& p) {
        return !p.status.container_statuses.empty() &&
               p.status.container_statuses[0].state.waiting.has_value() &&
               p.status.container_statuses[0].state.waiting->reason == "CreateContainerConfigError";
      },
      "waiting with CreateContainerConfigError", &pod));
  EXPECT_NE(pod.status.container_statuses[0].state.waiting->message.find(
                "valueFrom.secretKeyRef is not supported"),
            std::string::npos);
  EXPECT_EQ(pod.status.phase, "Pending");
}

TEST_F(KubeletTest, DeletedPodIsStoppedWithSigtermThenSigkill) {
  StartKubelet();
  const std::string out = Work();
  // Ignores SIGTERM (logs it and goes on): only the SIGKILL after the grace period ends it.
  CreatePod(R"j({"apiVersion":"v1","kind":"Pod","metadata":{"name":"stubborn"},)j"
            R"j("spec":{"terminationGracePeriodSeconds":2,"containers":[{"name":"app",)j"
            R"j("image":"app:v1","command":["/bin/sh","-c",)j"
            R"j("trap 'echo term >> \"$OUT/signals\"' TERM; while true; do sleep 0.1; done"],)j"
            R"j("env":[{"name":"OUT","value":")j" +
            out + R"j("}]}]}})j");
  api::Pod pod;
  ASSERT_TRUE(WaitForPod(
      "stubborn", [](const api::Pod& p) { return p.status.phase == "Running"; }, "Running", &pod));
  const int pid = PidOf(pod.status.container_statuses[0].container_id);
  ASSERT_GT(pid, 0);

  auto deleted = client_->Delete(pods_, kNamespace, "stubborn");
  ASSERT_TRUE(deleted.ok()) << deleted.error();

  EXPECT_TRUE(WaitUntil([&] { return !GetPod("stubborn").has_value(); }, "pod deleted"));
  EXPECT_TRUE(WaitUntil([&] { return !Alive(pid); }, "process gone"));
  EXPECT_NE(ReadFile(out + "/signals").find("term"), std::string::npos)
      << "SIGTERM came first, and was ignored";
  EXPECT_TRUE(supervisor_->Running().empty());
}

TEST_F(KubeletTest, DeletedPodIsSignalledOnlyOnceTheDataPlaneNoLongerRoutesToIt) {
  std::atomic<bool> routed{true};
  std::atomic<int> asked{0};
  KubeletOptions options = FastOptions();
  options.drain_wait = std::chrono::seconds(30);
  options.still_routed = [&](const std::string& pod) {
    if (pod == "draining") ++asked;
    return routed.load();
  };
  StartKubelet(options);
  const std::string out = Work();
  CreatePod(
      R"j({"apiVersion":"v1","kind":"Pod","metadata":{"name":"draining"},)j"
      R"j("spec":{"terminationGracePeriodSeconds":60,"containers":[{"name":"app",)j"
      R"j("image":"app:v1","command":["/bin/sh","-c",)j"
      R"j("trap 'echo term >> \"$OUT/signals\"; exit 0' TERM; while true; do sleep 0.1; done"],)j"
      R"j("env":[{"name":"OUT","value":")j" +
      out + R"j("}]}]}})j");
  api::Pod pod;
  ASSERT_TRUE(WaitForPod(
      "draining", [](const api::Pod& p) { return p.status.phase == "Running"; }, "Running", &pod));
  const int pid = PidOf(pod.status.container_statuses[0].container_id);
  ASSERT_GT(pid, 0);

  ASSERT_TRUE(client_->Delete(pods_, kNamespace, "draining").ok());
  ASSERT_TRUE(WaitUntil([&] { return asked.load() >= 5; }, "the kubelet asking the data plane"));
  EXPECT_TRUE(Alive(pid)) << "not signalled while still routed";
  EXPECT_EQ(ReadFile(out + "/signals"), "");

  routed = false;  // the data plane has drained it
  EXPECT_TRUE(WaitUntil([&] { return !Alive(pid); }, "process gone"));
  EXPECT_NE(ReadFile(out + "/signals").find("term"), std::string::npos);
  EXPECT_TRUE(WaitUntil([&] { return !GetPod("draining").has_value(); }, "pod deleted"));
}

TEST_F(KubeletTest, PodRemovedWithoutWarningHasItsProcessesStopped) {
  StartKubelet();
  CreatePod(R"j({"apiVersion":"v1","kind":"Pod","metadata":{"name":"gone"},)j"
            R"j("spec":{"containers":[{"name":"app","image":"app:v1",)j"
            R"j("command":["/bin/sh","-c","while true; do sleep 0.1; done"]}]}})j");
  api::Pod pod;
  ASSERT_TRUE(WaitForPod(
      "gone", [](const api::Pod& p) { return p.status.phase == "Running"; }, "Running", &pod));
  const int pid = PidOf(pod.status.container_statuses[0].container_id);
  ASSERT_GT(pid, 0);
  // Removed beneath the REST layer: no deletionTimestamp, just a DELETED event.
  ASSERT_TRUE(server_->store().Delete({"pods", kNamespace, "gone"}, {}).ok());
  EXPECT_TRUE(WaitUntil([&] { return !Alive(pid) && supervisor_->Running().empty(); },
                        "the process stopped"));
}

TEST_F(KubeletTest, RestartedKubeletAdoptsRunningProcessesWithoutDuplicates) {
  StartKubelet();
  const std::string dir = Work();
  { std::ofstream(dir + "/ready") << "ok"; }
  CreatePod(HttpPod("kept", dir));
  CreatePod(R"j({"apiVersion":"v1","kind":"Pod","metadata":{"name":"vanishing"},)j"
            R"j("spec":{"containers":[{"name":"app","image":"app:v1",)j"
            R"j("command":["/bin/sh","-c","while true; do sleep 0.1; done"]}]}})j");
  api::Pod kept;
  api::Pod vanishing;
  ASSERT_TRUE(WaitForPod("kept", IsReady, "Ready", &kept));
  ASSERT_TRUE(WaitForPod(
      "vanishing", [](const api::Pod& p) { return p.status.phase == "Running"; }, "Running",
      &vanishing));
  const std::string kept_id = kept.status.container_statuses[0].container_id;
  const int kept_pid = PidOf(kept_id);
  const int vanishing_pid = PidOf(vanishing.status.container_statuses[0].container_id);
  const std::string kept_ports = kept.metadata.annotations[std::string(kHostPortsAnnotation)];

  // devflow goes away; meanwhile one pod disappears from the store without a graceful delete.
  StopKubelet();
  supervisor_->Shutdown();
  supervisor_.reset();
  ASSERT_TRUE(server_->store().Delete({"pods", kNamespace, "vanishing"}, {}).ok());
  ASSERT_TRUE(Alive(kept_pid));
  ASSERT_TRUE(Alive(vanishing_pid));

  StartKubelet();
  // The supervisor forgets a process just after reaping it: wait for both.
  EXPECT_TRUE(WaitUntil([&] { return !Alive(vanishing_pid) && supervisor_->Running().size() == 1; },
                        "the process of the vanished pod stopped"));
  // The kept pod stays served by the same process, with the same ports, and ready.
  std::vector<ProcessInfo> running = supervisor_->Running();
  ASSERT_EQ(running.size(), 1u);
  EXPECT_EQ(running[0].pid, kept_pid);
  EXPECT_TRUE(running[0].adopted);
  ASSERT_TRUE(WaitForPod("kept", IsReady, "Ready", &kept));
  EXPECT_EQ(kept.status.container_statuses[0].container_id, kept_id);
  EXPECT_EQ(kept.status.container_statuses[0].restart_count, 0);
  EXPECT_EQ(kept.metadata.annotations[std::string(kHostPortsAnnotation)], kept_ports);

  // Probes keep running against the adopted process: unready and ready again, never replaced.
  std::filesystem::remove(dir + "/ready");
  ASSERT_TRUE(WaitForPod(
      "kept", [](const api::Pod& p) { return !IsReady(p); }, "unready"));
  { std::ofstream(dir + "/ready") << "ok"; }
  ASSERT_TRUE(WaitForPod("kept", IsReady, "Ready again", &kept));
  EXPECT_EQ(kept.status.container_statuses[0].container_id, kept_id);
  running = supervisor_->Running();
  ASSERT_EQ(running.size(), 1u);
  EXPECT_EQ(running[0].pid, kept_pid);
}

}  // namespace
}  // namespace devflow::node
