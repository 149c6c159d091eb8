// `devflow serve` with its runtime, as an operator drives it: a pod runs as a process found by
// name beside devflow, `devflow logs` reads it, stopping serve leaves it (and HAProxy) serving,
// and `devflow down` stops them, refusing while serve runs. The traffic paths under load are in
// tests/one_machine/.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <string>
#include <vector>

#include "command_runner.h"
#include "common/eventually_testing.h"
#include "common/json_reader.h"
#include "serve_process.h"

namespace devflow {
namespace {

using testing::CommandOutput;
using testing::Eventually;
using testing::ReadFileForTest;
using testing::RunCommand;
using testing::ServeProcess;

const std::string kDevflow = DEVFLOW_BINARY;

constexpr char kPod[] = R"(apiVersion: v1
kind: Pod
metadata:
  name: hello
spec:
  containers:
  - name: app
    image: rollouts-demo:blue
    command: ["devflow-demo-app"]
    ports:
    - name: http
      containerPort: 8080
)";

bool Alive(int pid) { return pid > 0 && ::kill(pid, 0) == 0; }

// The pids in the process supervisor's records (<data_dir>/node/processes/*.json).
std::vector<int> RecordedPids(const std::string& data_dir) {
  std::vector<int> pids;
  std::error_code error;
  for (const auto& entry :
       std::filesystem::directory_iterator(data_dir + "/node/processes", error)) {
    if (entry.path().extension() != ".json") continue;
    Result<json::Value> record = json::Parse(ReadFileForTest(entry.path().string()));
    if (!record.ok()) continue;
    if (const json::Value* pid = record->Find("pid"); pid && pid->is_int()) {
      pids.push_back(static_cast<int>(pid->as_int()));
    }
  }
  return pids;
}

int HaproxyPid(const std::string& data_dir) {
  return std::atoi(ReadFileForTest(data_dir + "/haproxy/haproxy.pid").c_str());
}

TEST(ServeRuntimeTest, PodsRunAsProcessesWithLogsAndOutliveServeUntilDown) {
  ServeProcess server(/*runtime=*/true);
  ASSERT_TRUE(server.Start()) << server.log();
  auto devflow = [&](const std::string& args, const std::string& input = "") {
    return RunCommand(kDevflow + " --kubeconfig " + server.kubeconfig() + " " + args, input);
  };
  CommandOutput applied = devflow("apply -f -", kPod);
  ASSERT_EQ(applied.exit_code, 0) << applied.err;

  // The demo app is found by name (it is built beside devflow) and writes its log.
  CommandOutput logs;
  EXPECT_TRUE(Eventually([&] {
    logs = devflow("logs hello");
    return logs.out.find("serving blue on 127.0.0.1:") != std::string::npos;
  })) << logs.out
      << logs.err << server.log();
  EXPECT_EQ(devflow("logs pod/hello --tail 1").out,
            logs.out.substr(logs.out.rfind("devflow-demo")));
  CommandOutput wrong = devflow("logs hello -c sidecar");
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_EQ(wrong.err, "devflow logs: container sidecar is not valid for pod hello\n");

  const std::vector<int> pids = RecordedPids(server.data_dir());
  ASSERT_EQ(pids.size(), 1u);
  ASSERT_TRUE(Eventually([&] { return Alive(HaproxyPid(server.data_dir())); }));
  const int haproxy = HaproxyPid(server.data_dir());

  CommandOutput refused = RunCommand(kDevflow + " down --data-dir " + server.data_dir());
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("devflow serve is running on https://127.0.0.1:"), std::string::npos)
      << refused.err;
  EXPECT_TRUE(Alive(pids[0]));

  // Stopping serve leaves the workload serving, as a stopped kubelet leaves its containers.
  server.Kill(SIGTERM);
  EXPECT_TRUE(Alive(pids[0]));
  EXPECT_TRUE(Alive(haproxy));

  CommandOutput down = RunCommand(kDevflow + " down --data-dir " + server.data_dir());
  EXPECT_EQ(down.exit_code, 0) << down.err;
  EXPECT_NE(down.out.find("stopped pod default/hello container app (pid " +
                          std::to_string(pids[0]) + ")"),
            std::string::npos)
      << down.out;
  EXPECT_NE(down.out.find("stopped HAProxy"), std::string::npos) << down.out;
  EXPECT_TRUE(Eventually([&] { return !Alive(pids[0]) && !Alive(haproxy); }));
  EXPECT_TRUE(RecordedPids(server.data_dir()).empty());

  // Nothing left: a second down has nothing to do.
  CommandOutput again = RunCommand(kDevflow + " down --data-dir " + server.data_dir());
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, "");
}

TEST(ServeRuntimeTest, WithoutTheRuntimeNoPodRunsAndLogsSaySo) {
  ServeProcess server;  // --no-runtime
  ASSERT_TRUE(server.Start()) << server.log();
  auto devflow = [&](const std::string& args, const std::string& input = "") {
    return RunCommand(kDevflow + " --kubeconfig " + server.kubeconfig() + " " + args, input);
  };
  ASSERT_EQ(devflow("apply -f -", kPod).exit_code, 0);
  CommandOutput logs = devflow("logs hello");
  EXPECT_EQ(logs.exit_code, 1);
  EXPECT_NE(logs.err.find("no pods run on this server"), std::string::npos) << logs.err;
  EXPECT_FALSE(std::filesystem::exists(server.data_dir() + "/haproxy/haproxy.pid"));
}

}  // namespace
}  // namespace devflow
