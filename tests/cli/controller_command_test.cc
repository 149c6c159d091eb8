// `devflow controller` against a `devflow serve --no-controllers` (the API server alone, as a
// cluster's would be): two replicas contend for the Lease, only the leader reconciles, and when
// the leader stops (SIGTERM releases the lease) the other takes over and reconciles what changes
// next. No pods run, so the checks are on what the controller writes: ReplicaSets and status.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>

#include "command_runner.h"
#include "common/eventually_testing.h"
#include "serve_process.h"

namespace devflow {
namespace {

using std::chrono::seconds;
using testing::CommandOutput;
using testing::RunCommand;
using testing::ServeProcess;

const std::string kDevflow = DEVFLOW_BINARY;

// One `devflow controller` process, its output in a file; SIGTERMed by the destructor.
class ControllerProcess {
 public:
  ControllerProcess(const std::string& kubeconfig, const std::string& log) : log_(log) {
    pid_ = ::fork();
    if (pid_ < 0) std::abort();
    if (pid_ == 0) {
      const std::string command = "exec " + kDevflow + " --kubeconfig " + kubeconfig +
                                  " controller --rollout-threads 2 >" + log + " 2>&1";
      ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
  }
  ~ControllerProcess() { Stop(SIGTERM); }
  // Sends `signal` and waits; returns the exit status (-1 when already stopped).
  int Stop(int signal) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, signal);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }
  std::string log() const { return testing::ReadFileForTest(log_); }
  bool leading() const { return log().find("leading") != std::string::npos; }

 private:
  std::string log_;
  pid_t pid_ = -1;
};

class ControllerCommandTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.Start("--no-controllers")) << server_.log(); }
  CommandOutput Devflow(const std::string& args, const std::string& input = "") {
    return RunCommand(kDevflow + " --kubeconfig " + server_.kubeconfig() + " " + args, input);
  }
  // The names of the ReplicaSets, one per line.
  std::string ReplicaSets() { return Devflow("get rs -o name").out; }
  size_t CountReplicaSets() {
    const std::string names = ReplicaSets();
    return static_cast<size_t>(std::count(names.begin(), names.end(), '\n'));
  }

  ServeProcess server_;
};

constexpr char kRollout[] = R"(apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: web
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: app, image: "demo:blue"}]
  strategy:
    blueGreen: {activeService: web-active}
---
apiVersion: v1
kind: Service
metadata: {name: web-active}
spec:
  selector: {app: web}
  ports: [{port: 80}]
)";

TEST_F(ControllerCommandTest, OnlyTheLeaderReconcilesAndTheOtherTakesOverWhenItStops) {
  ControllerProcess first(server_.kubeconfig(), server_.data_dir() + "/first.log");
  ASSERT_TRUE(testing::Eventually([&] { return first.leading(); }, seconds(30))) << first.log();
  ControllerProcess second(server_.kubeconfig(), server_.data_dir() + "/second.log");
  std::this_thread::sleep_for(std::chrono::seconds(3));  // a few of its acquisition rounds
  EXPECT_FALSE(second.leading()) << second.log();

  ASSERT_EQ(Devflow("apply -f -", kRollout).exit_code, 0);
  ASSERT_TRUE(testing::Eventually([&] { return CountReplicaSets() == 1; }, seconds(30)))
      << ReplicaSets() << first.log();
  EXPECT_TRUE(testing::Eventually(
      [&] { return Devflow("get ro web -o yaml").out.find("currentPodHash") != std::string::npos; },
      seconds(30)));

  EXPECT_EQ(first.Stop(SIGTERM), 0) << "a stop on SIGTERM is clean";
  ASSERT_TRUE(testing::Eventually([&] { return second.leading(); }, seconds(30))) << second.log();
  ASSERT_EQ(Devflow("set image rollout/web app=demo:green").exit_code, 0);
  EXPECT_TRUE(testing::Eventually([&] { return CountReplicaSets() == 2; }, seconds(30)))
      << ReplicaSets() << second.log();
}

}  // namespace
}  // namespace devflow
