#include "node/process_supervisor.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "common/eventually_testing.h"
#include "node/proc_stat.h"
#include "node/process_record.h"

namespace devflow::node {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using testing::Eventually;

constexpr milliseconds kLongGrace(30000);  // a well-behaved process exits long before

std::string Read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Whether the process `pid` started at `start_ticks` is still running (not a zombie).
bool Alive(int pid, uint64_t start_ticks) {
  Result<ProcStat> stat = ReadProcStat(pid);
  return stat.ok() && stat->start_ticks == start_ticks && !stat->exited();
}

// Exits reported by the supervisor's callback.
class ExitLog {
 public:
  void Add(const ProcessExit& exit) {
    std::lock_guard lock(mu_);
    exits_.push_back(exit);
  }
  std::vector<ProcessExit> Of(const ContainerKey& key) const {
    std::lock_guard lock(mu_);
    std::vector<ProcessExit> found;
    for (const ProcessExit& exit : exits_) {
      if (exit.key == key) found.push_back(exit);
    }
    return found;
  }
  // The exit of `key`, once reported (the test fails if it never is).
  std::optional<ProcessExit> WaitFor(const ContainerKey& key) const {
    if (!Eventually([&] { return !Of(key).empty(); })) return std::nullopt;
    return Of(key).front();
  }

 private:
  mutable std::mutex mu_;
  std::vector<ProcessExit> exits_;
};

class ProcessSupervisorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "process-supervisor-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    state_dir_ = dir_ / "state";
    work_dir_ = dir_ / "work";
    fs::create_directories(work_dir_);
  }

  // Every process a test started is killed, whatever the test's outcome: by group, and only
  // while its pid still has the start time it had.
  void TearDown() override {
    supervisor_.reset();
    for (const auto& [pid, ticks] : tracked_) {
      Result<ProcStat> stat = ReadProcStat(pid);
      if (!stat.ok() || stat->start_ticks != ticks) continue;
      ::kill(-pid, SIGKILL);
      ::kill(pid, SIGKILL);
      if (stat->ppid == ::getpid()) ::waitpid(pid, nullptr, 0);
    }
    fs::remove_all(dir_);
  }

  std::unique_ptr<ProcessSupervisor> Open(SupervisorOptions options = {}) {
    options.state_dir = state_dir_;
    auto supervisor =
        ProcessSupervisor::Open(options, [this](const ProcessExit& exit) { exits_.Add(exit); });
    EXPECT_TRUE(supervisor.ok()) << supervisor.status();
    return supervisor.ok() ? std::move(supervisor).value() : nullptr;
  }

  ProcessSpec Spec(const std::string& container, std::vector<std::string> argv) {
    ProcessSpec spec;
    spec.key = {"uid-1", container};
    spec.pod_namespace = "default";
    spec.pod_name = "web-abcde";
    spec.argv = std::move(argv);
    spec.env = {{"PATH", "/usr/bin:/bin"}};
    spec.working_dir = work_dir_.string();
    return spec;
  }

  ProcessSpec Shell(const std::string& container, const std::string& script) {
    return Spec(container, {"/bin/sh", "-c", script});
  }

  void Track(int pid, uint64_t ticks) { tracked_.emplace_back(pid, ticks); }
  void Track(const ProcessInfo& info) { Track(info.pid, info.start_ticks); }

  // Starts `spec` with `supervisor` (supervisor_ by default); fails the test on an error.
  std::optional<ProcessInfo> Start(const ProcessSpec& spec,
                                   ProcessSupervisor* supervisor = nullptr) {
    Result<ProcessInfo> info = (supervisor ? supervisor : supervisor_.get())->Start(spec);
    EXPECT_TRUE(info.ok()) << spec.key.container << ": " << info.status();
    if (!info.ok()) return std::nullopt;
    Track(*info);
    return *info;
  }

  // Waits for `file` in the work directory, which a script writes once it is ready.
  bool WaitForFile(const std::string& file) {
    return Eventually([&] { return !Read(work_dir_ / file).empty(); });
  }

  fs::path dir_;
  fs::path state_dir_;
  fs::path work_dir_;
  ExitLog exits_;
  std::unique_ptr<ProcessSupervisor> supervisor_;
  std::vector<std::pair<int, uint64_t>> tracked_;
};

TEST_F(ProcessSupervisorTest, RunsInItsOwnSessionWithOnlyItsStandardDescriptors) {
  // A socket devflow holds without close-on-exec must not reach the app, and neither must
  // devflow's ignored or blocked signals (they would survive exec).
  const int leaked = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(leaked, 0);
  struct sigaction ignore = {}, previous_action = {};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGHUP, &ignore, &previous_action);
  sigset_t usr1, previous_mask;
  ::sigemptyset(&usr1);
  ::sigaddset(&usr1, SIGUSR1);
  ::pthread_sigmask(SIG_BLOCK, &usr1, &previous_mask);
  supervisor_ = Open();
  ASSERT_NE(supervisor_, nullptr);
  auto info = Start(Spec("app", {"sleep", "1000"}));
  ::close(leaked);
  ::sigaction(SIGHUP, &previous_action, nullptr);
  ::pthread_sigmask(SIG_SETMASK, &previous_mask, nullptr);
  ASSERT_TRUE(info.has_value());
  const std::string status = Read("/proc/" + std::to_string(info->pid) + "/status");
  EXPECT_NE(status.find("SigBlk:\t0000000000000000\n"), std::string::npos) << status;
  EXPECT_NE(status.find("SigIgn:\t0000000000000000\n"), std::string::npos) << status;

  Result<ProcStat> stat = ReadProcStat(info->pid);
  ASSERT_TRUE(stat.ok()) << stat.status();
  EXPECT_EQ(stat->start_ticks, info->start_ticks);
  EXPECT_EQ(stat->session, info->pid);
  EXPECT_EQ(stat->pgrp, info->pid);
  EXPECT_EQ(stat->comm, "sleep");

  const fs::path fd_dir = "/proc/" + std::to_string(info->pid) + "/fd";
  std::set<std::string> fds;
  for (const auto& entry : fs::directory_iterator(fd_dir)) fds.insert(entry.path().filename());
  EXPECT_EQ(fds, (std::set<std::string>{"0", "1", "2"}));
  const fs::path log = supervisor_->LogPath("default", "web-abcde", "app");
  EXPECT_EQ(fs::read_symlink(fd_dir / "0"), "/dev/null");
  EXPECT_EQ(fs::read_symlink(fd_dir / "1"), log);
  EXPECT_EQ(fs::read_symlink(fd_dir / "2"), log);

  ASSERT_EQ(supervisor_->Running().size(), 1u);
  EXPECT_EQ(supervisor_->Running()[0].pid, info->pid);
  EXPECT_FALSE(supervisor_->Running()[0].adopted);
}

TEST_F(ProcessSupervisorTest, GetsExactlyItsEnvironmentAndAppendsBothStreamsToItsLog) {
  supervisor_ = Open();
  ASSERT_NE(supervisor_, nullptr);
  const fs::path log = supervisor_->LogPath("default", "web-abcde", "env");
  std::ofstream(log) << "from an earlier run\n";
  ProcessSpec spec = Spec("env", {"env"});
  spec.env = {{"A", "1"}, {"B", "two words"}};  // no PATH: `env` is found on the default one
  ASSERT_TRUE(Start(spec).has_value());
  ASSERT_TRUE(exits_.WaitFor(spec.key).has_value());
  EXPECT_EQ(Lines(Read(log)),
            (std::vector<std::string>{"from an earlier run", "A=1", "B=two words"}));

  ProcessSpec streams = Shell("streams", "echo out; echo err >&2; pwd");
  ASSERT_TRUE(Start(streams).has_value());
  ASSERT_TRUE(exits_.WaitFor(streams.key).has_value());
  EXPECT_EQ(Lines(Read(supervisor_->LogPath("default", "web-abcde", "streams"))),
            (std::vector<std::string>{"out", "err", work_dir_.string()}));

  ProcessSpec default_dir = Shell("pwd", "pwd");
  default_dir.working_dir = "";
  ASSERT_TRUE(Start(default_dir).has_value());
  ASSERT_TRUE(exits_.WaitFor(default_dir.key).has_value());
  EXPECT_EQ(Lines(Read(supervisor_->LogPath("default", "web-abcde", "pwd"))),
            (std::vector<std::string>{state_dir_.string()}));
}

TEST_F(ProcessSupervisorTest, RefusesWhatCannotRun) {
  supervisor_ = Open();
  ASSERT_NE(supervisor_, nullptr);
  const fs::path text = work_dir_ / "text";  // executable, but not a program: exec fails
  std::ofstream(text) << "no interpreter line\n";
  ::chmod(text.c_str(), 0755);
  const fs::path plain = work_dir_ / "plain";
  std::ofstream(plain) << "#!/bin/sh\n";
  ::chmod(plain.c_str(), 0644);

  struct Row {
    const char* name;
    std::vector<std::string> argv;
    std::string working_dir;
    std::string message_part;
  };
  const Row rows[] = {
      {"missing program", {"no-such-program"}, "", "\"no-such-program\" not found in $PATH"},
      {"missing path", {"/no/such/program"}, "", "\"/no/such/program\" not found"},
      {"not executable", {plain.string()}, "", "is not executable"},
      {"a directory", {"/tmp"}, "", "is a directory"},
      {"exec fails", {text.string()}, "", "Exec format error"},
      {"missing working directory", {"sleep", "1"}, "/no/such/dir", "\"/no/such/dir\""},
      {"no argv", {}, "", "argv is empty"},
  };
  for (const Row& row : rows) {
    ProcessSpec spec = Spec(row.name, row.argv);
    if (!row.working_dir.empty()) spec.working_dir = row.working_dir;
    Result<ProcessInfo> started = supervisor_->Start(spec);
    if (started.ok()) Track(*started);
    ASSERT_FALSE(started.ok()) << row.name;
    EXPECT_EQ(started.error().code(), StatusCode::kInvalidArgument) << row.name;
    EXPECT_NE(started.error().message().find(row.message_part), std::string::npos)
        << row.name << ": " << started.error().message();
    EXPECT_FALSE(fs::exists(ProcessRecordPath(state_dir_ / "processes", spec.key))) << row.name;
  }
  EXPECT_TRUE(supervisor_->Running().empty());
}

TEST_F(ProcessSupervisorTest, RecordsTheProcessBeforeStartReturns) {
  supervisor_ = Open();
  ASSERT_NE(supervisor_, nullptr);
  ProcessSpec spec = Spec("app", {"sleep", "1000"});
  spec.host_ports = {{8080, 41234}};
  spec.restart_count = 3;
  auto info = Start(spec);
  ASSERT_TRUE(info.has_value());

  Result<LoadedProcessRecords> records = LoadProcessRecords(state_dir_ / "processes");
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_EQ(records->records.size(), 1u);
  const ProcessInfo& record = records->records[0];
  EXPECT_EQ(record.key, spec.key);
  EXPECT_EQ(record.pid, info->pid);
  EXPECT_EQ(record.start_ticks, ReadProcStat(info->pid)->start_ticks);
  EXPECT_EQ(record.host_ports, spec.host_ports);
  EXPECT_EQ(record.restart_count, 3);
  EXPECT_EQ(record.pod_name, "web-abcde");

  Result<ProcessInfo> again = supervisor_->Start(spec);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), StatusCode::kFailedPrecondition);
}

TEST_F(ProcessSupervisorTest, ReportsEachExitOnceWithItsCodeOrSignal) {
  supervisor_ = Open();
  ASSERT_NE(supervisor_, nullptr);
  ProcessSpec code = Shell("code", "exit 3");
  ProcessSpec killed = Shell("killed", "kill -KILL $$");
  ASSERT_TRUE(Start(code).has_value());
  ASSERT_TRUE(Start(killed).has_value());

  auto code_exit = exits_.WaitFor(code.key);
  ASSERT_TRUE(code_exit.has_value());
  EXPECT_EQ(code_exit->exit_code, 3);
  EXPECT_EQ(code_exit->signal, std::nullopt);
  auto killed_exit = exits_.WaitFor(killed.key);
  ASSERT_TRUE(killed_exit.has_value());
  EXPECT_EQ(killed_exit->signal, SIGKILL);
  EXPECT_EQ(killed_exit->exit_code, 128 + SIGKILL);

  // Exits are reported in order from one thread: once a later one is in, an earlier one would
  // have been reported twice already.
  ProcessSpec later = Shell("later", "exit 0");
  ASSERT_TRUE(Start(later).has_value());
  ASSERT_TRUE(exits_.WaitFor(later.key).has_value());
  EXPECT_EQ(exits_.Of(code.key).size(), 1u);
  EXPECT_EQ(exits_.Of(killed.key).size(), 1u);

  EXPECT_TRUE(supervisor_->Running().empty());
  EXPECT_FALSE(fs::exists(ProcessRecordPath(state_dir_ / "processes", code.key)));
  // The key is free again: the kubelet restarts the container under the same key.
  ASSERT_TRUE(Start(code).has_value());
}

// The callback runs on the thread that watches for exits; a Stop from there must not wait for
// that thread.
TEST_F(ProcessSupervisorTest, TheExitCallbackMayStopAnotherProcess) {
  std::mutex mu;
  std::optional<Status> stopped_from_callback;
  ProcessSupervisor* self = nullptr;
  const ContainerKey second = {"uid-1", "second"};
  auto opened = ProcessSupervisor::Open({.state_dir = state_dir_}, [&](const ProcessExit& exit) {
    exits_.Add(exit);
    if (exit.key.container != "first") return;
    Status stopped = self->Stop(second, kLongGrace);
    std::lock_guard lock(mu);
    stopped_from_callback = stopped;
  });
  ASSERT_TRUE(opened.ok()) << opened.status();
  std::unique_ptr<ProcessSupervisor> supervisor = std::move(opened).value();
  self = supervisor.get();
  ASSERT_TRUE(Start(Spec("second", {"sleep", "1000"}), supervisor.get()).has_value());
  ASSERT_TRUE(Start(Shell("first", "exit 0"), supervisor.get()).has_value());

  auto exit = exits_.WaitFor(second);
  ASSERT_TRUE(exit.has_value());
  EXPECT_EQ(exit->signal, SIGTERM);
  ASSERT_TRUE(Eventually([&] {
    std::lock_guard lock(mu);
    return stopped_from_callback.has_value();
  }));
  EXPECT_TRUE(stopped_from_callback->ok()) << *stopped_from_callback;
  EXPECT_EQ(exits_.Of(second).size(), 1u);
  supervisor.reset();
}

TEST_F(ProcessSupervisorTest, StopsWithTermThenKillsAfterTheGrace) {
  supervisor_ = Open();
  ASSERT_NE(supervisor_, nullptr);
  ProcessSpec polite = Spec("polite", {"sleep", "1000"});
  ProcessSpec stubborn = Shell("stubborn", "trap '' TERM; echo ready > stubborn; exec sleep 1000");
  auto polite_info = Start(polite);
  auto stubborn_info = Start(stubborn);
  ASSERT_TRUE(polite_info && stubborn_info);
  ASSERT_TRUE(WaitForFile("stubborn"));

  ASSERT_TRUE(supervisor_->Stop(polite.key, kLongGrace).ok());
  // Stop returns once the process has exited (and, being our child, was reaped).
  EXPECT_FALSE(Alive(polite_info->pid, polite_info->start_ticks));
  auto polite_exit = exits_.WaitFor(polite.key);
  ASSERT_TRUE(polite_exit.has_value());
  EXPECT_EQ(polite_exit->signal, SIGTERM);
  EXPECT_EQ(polite_exit->exit_code, 128 + SIGTERM);

  ASSERT_TRUE(supervisor_->Stop(stubborn.key, milliseconds(100)).ok());
  EXPECT_FALSE(Alive(stubborn_info->pid, stubborn_info->start_ticks));
  auto stubborn_exit = exits_.WaitFor(stubborn.key);
  ASSERT_TRUE(stubborn_exit.has_value());
  EXPECT_EQ(stubborn_exit->signal, SIGKILL);

  EXPECT_TRUE(supervisor_->Running().empty());
  EXPECT_FALSE(fs::exists(ProcessRecordPath(state_dir_ / "processes", polite.key)));
  EXPECT_TRUE(supervisor_->Stop(polite.key, kLongGrace).ok()) << "stopping what does not run";
}

// SIGTERM goes to the whole process group: here the main process ignores it and waits for its
// child, which shuts down cleanly on SIGTERM. Were only the main process signalled, nothing would
// happen until the SIGKILL after the grace.
TEST_F(ProcessSupervisorTest, StopSignalsTheWholeGroup) {
  supervisor_ = Open();
  ASSERT_NE(supervisor_, nullptr);
  ProcessSpec family = Shell("family",
                             "(trap 'echo yes > child-got-term; exit 0' TERM; echo ready > child; "
                             "while :; do sleep 0.1; done) & "
                             "trap '' TERM; echo ready > leader; wait");
  ASSERT_TRUE(Start(family).has_value());
  ASSERT_TRUE(WaitForFile("child"));
  ASSERT_TRUE(WaitForFile("leader"));
  ASSERT_TRUE(supervisor_->Stop(family.key, milliseconds(10000)).ok());
  auto exit = exits_.WaitFor(family.key);
  ASSERT_TRUE(exit.has_value());
  EXPECT_EQ(exit->exit_code, 0);
  EXPECT_EQ(Read(work_dir_ / "child-got-term"), "yes\n");
}

TEST_F(ProcessSupervisorTest, WhatTheMainProcessLeftBehindEndsWithIt) {
  supervisor_ = Open();
  ASSERT_NE(supervisor_, nullptr);
  ProcessSpec spec = Shell("app", "sleep 1000 & echo $! > left");
  ASSERT_TRUE(Start(spec).has_value());
  ASSERT_TRUE(exits_.WaitFor(spec.key).has_value());
  const int left = std::stoi(Read(work_dir_ / "left"));
  Result<ProcStat> stat = ReadProcStat(left);
  if (stat.ok()) {
    Track(left, stat->start_ticks);
    EXPECT_TRUE(Eventually([&] { return !Alive(left, stat->start_ticks); }));
  }
}

TEST_F(ProcessSupervisorTest, AdoptsTheLiveProcessesOfTheRecordsAfterARestart) {
  supervisor_ = Open();
  ASSERT_NE(supervisor_, nullptr);
  ProcessSpec live = Spec("live", {"sleep", "1000"});
  live.host_ports = {{8080, 40001}};
  ProcessSpec dead = Spec("dead", {"sleep", "1000"});
  ProcessSpec recycled = Spec("recycled", {"sleep", "1000"});
  auto live_info = Start(live);
  auto dead_info = Start(dead);
  auto recycled_info = Start(recycled);
  ASSERT_TRUE(live_info && dead_info && recycled_info);

  // devflow goes away without stopping anything.
  supervisor_->Shutdown();
  supervisor_.reset();
  ASSERT_TRUE(Alive(live_info->pid, live_info->start_ticks));

  // Meanwhile one process dies...
  ::kill(-dead_info->pid, SIGKILL);
  ASSERT_EQ(::waitpid(dead_info->pid, nullptr, 0), dead_info->pid);
  // ...and one record's pid now belongs to another process (here the test's own child).
  pid_t stranger = -1;
  char arg0[] = "/bin/sleep";
  char arg1[] = "1000";
  char* argv[] = {arg0, arg1, nullptr};
  char* envp[] = {nullptr};
  ASSERT_EQ(::posix_spawn(&stranger, argv[0], nullptr, nullptr, argv, envp), 0);
  const uint64_t stranger_ticks = ReadProcStat(stranger)->start_ticks;
  Track(stranger, stranger_ticks);
  ProcessInfo pointing_at_stranger = *recycled_info;
  pointing_at_stranger.pid = stranger;
  pointing_at_stranger.start_ticks = stranger_ticks + 1;
  ASSERT_TRUE(WriteProcessRecord(state_dir_ / "processes", pointing_at_stranger).ok());

  supervisor_ = Open();
  ASSERT_NE(supervisor_, nullptr);
  std::vector<ProcessInfo> adopted = supervisor_->Adopt();
  ASSERT_EQ(adopted.size(), 1u);
  EXPECT_EQ(adopted[0].key, live.key);
  EXPECT_EQ(adopted[0].pid, live_info->pid);
  EXPECT_EQ(adopted[0].start_ticks, live_info->start_ticks);
  EXPECT_EQ(adopted[0].host_ports, live.host_ports);
  EXPECT_TRUE(adopted[0].adopted);
  ASSERT_EQ(supervisor_->Running().size(), 1u);

  Result<LoadedProcessRecords> records = LoadProcessRecords(state_dir_ / "processes");
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->records.size(), 1u);
  EXPECT_EQ(records->records[0].key, live.key);

  // The stranger was neither adopted nor signalled.
  EXPECT_EQ(::waitpid(stranger, nullptr, WNOHANG), 0);
  EXPECT_TRUE(Alive(stranger, stranger_ticks));

  Result<ProcessInfo> duplicate = supervisor_->Start(live);
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.error().code(), StatusCode::kFailedPrecondition);

  // An adopted process is watched and stopped like any other. Within one devflow process it is
  // still our child, so its status is known.
  ASSERT_TRUE(supervisor_->Stop(live.key, kLongGrace).ok());
  auto exit = exits_.WaitFor(live.key);
  ASSERT_TRUE(exit.has_value());
  EXPECT_EQ(exit->signal, SIGTERM);
  EXPECT_FALSE(fs::exists(ProcessRecordPath(state_dir_ / "processes", live.key)));
}

// devflow itself is killed (-9): a forked test process plays devflow, starts two processes and
// dies; the test then adopts them.
TEST_F(ProcessSupervisorTest, AdoptsAfterTheSupervisingProcessIsKilled) {
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const pid_t devflow = ::fork();
  ASSERT_GE(devflow, 0);
  if (devflow == 0) {
    ::close(pipe_fds[0]);
    auto supervisor = ProcessSupervisor::Open({.state_dir = state_dir_}, nullptr);
    if (!supervisor.ok()) ::_exit(1);
    std::string started;
    for (const char* container : {"one", "two"}) {
      Result<ProcessInfo> info = (*supervisor)->Start(Spec(container, {"sleep", "1000"}));
      if (!info.ok()) ::_exit(1);
      started += std::to_string(info->pid) + " " + std::to_string(info->start_ticks) + "\n";
    }
    if (::write(pipe_fds[1], started.data(), started.size()) !=
        static_cast<ssize_t>(started.size())) {
      ::_exit(1);
    }
    ::close(pipe_fds[1]);
    ::pause();
    ::_exit(0);
  }
  ::close(pipe_fds[1]);
  std::string started;
  char buffer[256];
  for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;) started.append(buffer, n);
  ::close(pipe_fds[0]);
  ::kill(devflow, SIGKILL);
  ASSERT_EQ(::waitpid(devflow, nullptr, 0), devflow);

  std::map<int, uint64_t> children;
  std::stringstream in(started);
  for (int pid; in >> pid;) {
    uint64_t ticks = 0;
    in >> ticks;
    children[pid] = ticks;
    Track(pid, ticks);
  }
  ASSERT_EQ(children.size(), 2u) << "the forked supervisor failed to start its processes";

  supervisor_ = Open();
  ASSERT_NE(supervisor_, nullptr);
  std::vector<ProcessInfo> adopted = supervisor_->Adopt();
  ASSERT_EQ(adopted.size(), 2u);
  for (const ProcessInfo& info : adopted) {
    EXPECT_TRUE(children.count(info.pid) == 1 && children[info.pid] == info.start_ticks)
        << info.pid;
    EXPECT_TRUE(info.adopted);
    EXPECT_TRUE(Alive(info.pid, info.start_ticks));
  }

  // Not our children: they end with unknown status, and are still reported.
  for (const ProcessInfo& info : adopted) {
    ASSERT_TRUE(supervisor_->Stop(info.key, kLongGrace).ok());
    EXPECT_FALSE(Alive(info.pid, info.start_ticks));
    auto exit = exits_.WaitFor(info.key);
    ASSERT_TRUE(exit.has_value());
    EXPECT_EQ(exit->pid, info.pid);
    EXPECT_EQ(exit->exit_code, std::nullopt);
  }
  EXPECT_TRUE(supervisor_->Running().empty());
}

TEST_F(ProcessSupervisorTest, RotatesALogThatGrowsPastItsLimit) {
  supervisor_ = Open({.log_max_bytes = 2000, .log_max_files = 2});
  ASSERT_NE(supervisor_, nullptr);
  ProcessSpec spec =
      Shell("chatty", "while :; do echo line-of-the-chatty-container-0123456789; sleep 0.01; done");
  ASSERT_TRUE(Start(spec).has_value());
  const fs::path log = supervisor_->LogPath("default", "web-abcde", "chatty");
  ASSERT_TRUE(Eventually([&] { return fs::exists(log.string() + ".2"); }));
  EXPECT_FALSE(fs::exists(log.string() + ".3"));
  for (const fs::path& file : {log, fs::path(log.string() + ".1"), fs::path(log.string() + ".2")}) {
    const std::string text = Read(file);
    EXPECT_EQ(text.find('\0'), std::string::npos) << file << " has a hole";
    EXPECT_TRUE(text.empty() || text.rfind("line-", 0) == 0) << file;
  }
}

TEST_F(ProcessSupervisorTest, LogPathsAreSafeFileNames) {
  supervisor_ = Open();
  ASSERT_NE(supervisor_, nullptr);
  EXPECT_EQ(supervisor_->LogPath("default", "web-7f9c-abcde", "app"),
            state_dir_ / "logs" / "default_web-7f9c-abcde_app.log");
  EXPECT_EQ(supervisor_->LogPath("a_b", "../x", "c"), state_dir_ / "logs" / "a%5Fb_..%2Fx_c.log");
}

TEST_F(ProcessSupervisorTest, NothingStartsAfterShutdown) {
  supervisor_ = Open();
  ASSERT_NE(supervisor_, nullptr);
  supervisor_->Shutdown();
  Result<ProcessInfo> started = supervisor_->Start(Spec("app", {"sleep", "1000"}));
  if (started.ok()) Track(*started);
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().code(), StatusCode::kFailedPrecondition);
}

TEST(PickFreePortTest, ReturnsABindablePort) {
  Result<int> port = PickFreePort();
  ASSERT_TRUE(port.ok()) << port.status();
  ASSERT_GE(*port, 1);
  ASSERT_LE(*port, 65535);
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address = {};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(*port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ::close(fd);

  Result<int> bad = PickFreePort("not-an-address");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace devflow::node
