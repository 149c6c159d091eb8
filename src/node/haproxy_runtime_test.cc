#include "node/haproxy_runtime.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/eventually_testing.h"

extern char** environ;

namespace devflow::node {
namespace {

namespace fs = std::filesystem;
using devflow::testing::Eventually;

TEST(AnswerStatusTest, Table) {
  struct Row {
    const char* name;
    const char* answer;
    StatusCode code;
    const char* message;
  };
  const Row rows[] = {
      {"empty", "\n\n", StatusCode::kOk, ""},
      {"information", "\n[6]: New server registered.\n\n", StatusCode::kOk, ""},
      {"notice", "\n[4]: no need to change the addr\n", StatusCode::kOk, ""},
      {"no such server", "\n[3]: No such server.\n\n", StatusCode::kNotFound, "No such server."},
      {"no such backend", "\n[3]: No such backend.\n", StatusCode::kNotFound, "No such backend."},
      {"unknown backend", "\n[3]: Can't find backend.\n", StatusCode::kNotFound,
       "Can't find backend."},
      {"unknown map", "\n[3]: Unknown map identifier. Please use #<id> or <file>.\n",
       StatusCode::kNotFound, "Unknown map identifier"},
      {"exists", "\n[3]: Already exists a server with the same name in backend.\n",
       StatusCode::kAlreadyExists, "Already exists"},
      {"not in maintenance", "\n[3]: Only servers in maintenance mode can be deleted.\n",
       StatusCode::kFailedPrecondition, "maintenance mode"},
      {"connections", "\n[3]: Server still has connections attached to it, cannot remove it.\n",
       StatusCode::kFailedPrecondition, "connections attached"},
      {"unknown command is tagged as information",
       "\n[6]: Unknown command, but maybe one of the following ones is a better match:\n  add "
       "acl\n",
       StatusCode::kInvalidArgument, "Unknown command"},
      {"other error", "\n[3]: Require 'backend/server'.\n", StatusCode::kInvalidArgument,
       "Require 'backend/server'."},
  };
  for (const Row& row : rows) {
    Status status = AnswerStatus(row.answer);
    EXPECT_EQ(status.code(), row.code) << row.name << ": " << status;
    EXPECT_NE(status.message().find(row.message), std::string::npos) << row.name << ": " << status;
  }
}

TEST(CliArgumentTest, EscapesSeparators) {
  EXPECT_EQ(CliArgument("be/srv"), "be/srv");
  EXPECT_EQ(CliArgument("a b;c\\d"), "a\\ b\\;c\\\\d");
}

TEST(ParseShowProcTest, Table) {
  struct Row {
    const char* name;
    const char* answer;
    MasterProcesses expected;
  };
  const Row rows[] = {
      {"one worker",
       "#<PID>          <type>          <reloads>       <uptime>        <version>      \n"
       "19635           master          0 [failed: 0]   0d00h10m23s     2.6.12-1+deb12u4\n"
       "# workers\n"
       "19659           worker          0               0d00h10m23s     2.6.12-1+deb12u4\n"
       "# programs\n\n",
       {19635, 0, 0, {19659}, {}}},
      {"after a failed reload",
       "#<PID>          <type>          <reloads>       <uptime>        <version>      \n"
       "30151           master          1 [failed: 1]   0d00h00m10s     2.6.12-1+deb12u4\n"
       "# workers\n"
       "30154           worker          1               0d00h00m10s     2.6.12-1+deb12u4\n"
       "# programs\n\n",
       {30151, 1, 1, {30154}, {}}},
      {"old workers finishing",
       "#<PID>          <type>          <reloads>       <uptime>        <version>      \n"
       "100             master          2 [failed: 0]   0d00h00m10s     2.6.12\n"
       "# workers\n"
       "300             worker          0               0d00h00m01s     2.6.12\n"
       "# old workers\n"
       "200             worker          1               0d00h00m09s     2.6.12\n"
       "# programs\n\n",
       {100, 2, 0, {300}, {200}}},
  };
  for (const Row& row : rows) {
    auto parsed = ParseShowProc(row.answer);
    ASSERT_TRUE(parsed.ok()) << row.name << ": " << parsed.status();
    EXPECT_EQ(*parsed, row.expected) << row.name;
  }
  EXPECT_FALSE(ParseShowProc("garbage\n").ok());
}

TEST(ParseServersStateTest, ReadsColumnsByHeader) {
  const char* answer =
      "1\n"
      "# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight "
      "srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health "
      "srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port "
      "srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port\n"
      "4 ns.web:80 1 web-1 127.0.0.1 2 8 5 1 635 1 0 2 0 0 0 0 - 19101 - 0 0 - - 0\n\n";
  auto parsed = ParseServersState(answer);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  std::vector<ServerStatus> expected = {{"ns.web:80", "web-1", "127.0.0.1", 19101, 2, 8, 5}};
  EXPECT_EQ(*parsed, expected);
  EXPECT_TRUE(parsed->front().draining());
  EXPECT_FALSE(parsed->front().maintenance());
  EXPECT_FALSE(ParseServersState("2\n").ok());
}

TEST(SendCliCommandTest, NothingListeningIsUnavailable) {
  auto answer = SendCliCommand("/tmp/devflow-no-such-socket", "show info", std::chrono::seconds(1));
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().code(), StatusCode::kUnavailable) << answer.error();
  auto too_long =
      SendCliCommand("/tmp/" + std::string(200, 'x'), "show info", std::chrono::seconds(1));
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().code(), StatusCode::kInvalidArgument) << too_long.error();
}

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

// One HAProxy in the foreground (-db, no master), configured from a ProxyState; killed at the
// end of the test.
class HaproxyRuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir_template[] = "/tmp/haproxy-runtime-test-XXXXXX";
    ASSERT_NE(::mkdtemp(dir_template), nullptr);
    dir_ = dir_template;
    fs::create_directories(dir_ / "maps");
    ProxyState state;
    state.listeners = {{"service/ns/web:80",
                        "127.0.0.1",
                        FreePort(),
                        {{{}, {}, {{"ns/web:80", 1}}, "Service ns/web"}}}};
    state.backends = {{"ns/web:80",
                       {{"web-1", "127.0.0.1", 1001, "h", true},
                        {"web-drained", "127.0.0.1", 1002, "h", false}}}};
    auto config =
        GenerateHaproxyConfig(state, {(dir_ / "runtime.sock").string(), "127.0.0.1", FreePort()});
    ASSERT_TRUE(config.ok()) << config.status();
    std::ofstream(dir_ / "haproxy.cfg") << config->text;
    for (const auto& [name, text] : config->map_files) std::ofstream(dir_ / name) << text;

    std::string log = (dir_ / "haproxy.log").string();
    std::string root = dir_.string();
    std::vector<std::string> argv = {"/usr/sbin/haproxy", "-db", "-C", root, "-f", "haproxy.cfg"};
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
    runtime_ = std::make_unique<HaproxyRuntime>(dir_ / "runtime.sock");
    ASSERT_TRUE(Eventually([&] { return runtime_->WorkerPid().ok(); })) << Log();
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

  // The server's status, or nullopt when the backend has no such server.
  std::optional<ServerStatus> Server(const std::string& name) {
    auto servers = runtime_->ShowServersState("ns.web:80");
    EXPECT_TRUE(servers.ok()) << servers.status();
    if (!servers.ok()) return std::nullopt;
    for (const ServerStatus& server : *servers) {
      if (server.name == name) return server;
    }
    return std::nullopt;
  }

  fs::path dir_;
  pid_t pid_ = 0;
  std::unique_ptr<HaproxyRuntime> runtime_;
};

TEST_F(HaproxyRuntimeTest, ReportsTheWorkerAndItsServers) {
  EXPECT_EQ(runtime_->WorkerPid().value_or(0), pid_);
  auto web = Server("web-1");
  ASSERT_TRUE(web.has_value());
  EXPECT_EQ(web->address, "127.0.0.1");
  EXPECT_EQ(web->port, 1001);
  EXPECT_EQ(web->weight, 1);
  auto drained = Server("web-drained");
  ASSERT_TRUE(drained.has_value());
  EXPECT_EQ(drained->weight, 0);
  auto unknown = runtime_->ShowServersState("ns.nope:80");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code(), StatusCode::kNotFound) << unknown.error();
}

TEST_F(HaproxyRuntimeTest, AddsDrainsMovesAndDeletesServers) {
  ASSERT_TRUE(runtime_->AddServer("ns.web:80", {"web-2", "127.0.0.1", 2002, true}).ok());
  auto added = Server("web-2");
  ASSERT_TRUE(added.has_value());
  EXPECT_FALSE(added->maintenance()) << "enabled at once";
  EXPECT_FALSE(added->draining());
  EXPECT_EQ(added->port, 2002);

  EXPECT_EQ(runtime_->AddServer("ns.web:80", {"web-2", "127.0.0.1", 2002, true}).code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(runtime_->AddServer("ns.nope:80", {"web-2", "127.0.0.1", 2002, true}).code(),
            StatusCode::kNotFound);

  ASSERT_TRUE(runtime_->AddServer("ns.web:80", {"web-3", "127.0.0.1", 2003, false}).ok());
  EXPECT_TRUE(Server("web-3")->draining()) << "added drained";
  EXPECT_FALSE(Server("web-3")->maintenance());

  ASSERT_TRUE(runtime_->SetServing("ns.web:80", "web-2", false).ok());
  EXPECT_TRUE(Server("web-2")->draining());
  ASSERT_TRUE(runtime_->SetServing("ns.web:80", "web-2", true).ok());
  EXPECT_FALSE(Server("web-2")->draining());

  // A server the configuration drained has weight 0: serving again restores the weight.
  ASSERT_TRUE(runtime_->SetServing("ns.web:80", "web-drained", true).ok());
  EXPECT_EQ(Server("web-drained")->weight, 1);

  ASSERT_TRUE(runtime_->SetServerAddress("ns.web:80", "web-2", "127.0.0.2", 2999).ok());
  EXPECT_EQ(Server("web-2")->address, "127.0.0.2");
  EXPECT_EQ(Server("web-2")->port, 2999);
  EXPECT_EQ(runtime_->SetServerAddress("ns.web:80", "nope", "127.0.0.2", 1).code(),
            StatusCode::kNotFound);

  ASSERT_TRUE(runtime_->SetWeight("ns.web:80", "web-1", 7).ok());
  EXPECT_EQ(Server("web-1")->weight, 7);

  ASSERT_TRUE(
      runtime_->SetServerState("ns.web:80", "web-1", HaproxyRuntime::AdminState::kMaint).ok());
  EXPECT_TRUE(Server("web-1")->maintenance());

  ASSERT_TRUE(runtime_->DeleteServer("ns.web:80", "web-2").ok());
  EXPECT_FALSE(Server("web-2").has_value());
  EXPECT_EQ(runtime_->DeleteServer("ns.web:80", "web-2").code(), StatusCode::kNotFound);
}

TEST_F(HaproxyRuntimeTest, ReplacesMapsAtomically) {
  const std::string map = "maps/l0_r0.map";
  auto initial = runtime_->ShowMap(map);
  ASSERT_TRUE(initial.ok()) << initial.status();
  EXPECT_EQ(*initial, (std::vector<MapEntry>{{"0:999999", "ns.web:80"}}));

  std::vector<MapEntry> split = {{"0:99999", "ns.canary:80"}, {"100000:999999", "ns.web:80"}};
  ASSERT_TRUE(runtime_->ReplaceMap(map, split).ok());
  EXPECT_EQ(runtime_->ShowMap(map).value_or({}), split);

  ASSERT_TRUE(runtime_->ReplaceMap(map, {}).ok());
  EXPECT_TRUE(runtime_->ShowMap(map).value_or({{"x", "y"}}).empty());

  ASSERT_TRUE(runtime_->AddMapEntry(map, {"0:499999", "ns.web:80"}).ok());
  ASSERT_TRUE(runtime_->SetMapEntry(map, {"0:499999", "ns.other:80"}).ok());
  EXPECT_EQ(runtime_->ShowMap(map).value_or({}),
            (std::vector<MapEntry>{{"0:499999", "ns.other:80"}}));
  ASSERT_TRUE(runtime_->DeleteMapEntry(map, "0:499999").ok());
  EXPECT_TRUE(runtime_->ShowMap(map).value_or({{"x", "y"}}).empty());

  EXPECT_EQ(runtime_->ShowMap("maps/none.map").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(runtime_->ReplaceMap("maps/none.map", split).code(), StatusCode::kNotFound);
}

TEST_F(HaproxyRuntimeTest, UnknownCommandIsInvalid) {
  auto answer = runtime_->Execute("frobnicate everything");
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().code(), StatusCode::kInvalidArgument) << answer.error();
}

}  // namespace
}  // namespace devflow::node
