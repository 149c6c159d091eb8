#include "node/proc_stat.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "common/eventually_testing.h"

namespace devflow::node {
namespace {

// A /proc/<pid>/stat line with the given comm (fields 23.. are cut short: only 22 are read).
std::string StatLine(const std::string& comm) {
  return "4242 (" + comm + ") S 17 4242 4242 0 -1 4194560 98 0 0 0 0 0 0 0 20 0 1 0 987654 8192\n";
}

TEST(ProcStatTest, ParsesTheFieldsAfterTheLastParenthesis) {
  struct Row {
    const char* name;
    std::string comm;
  };
  const Row rows[] = {
      {"plain", "sleep"},
      {"space", "my app"},
      {"closing parenthesis", "a) b"},
      {"looks like fields", "x) R 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20"},
      {"parentheses only", ")("},
      {"newline", "a\nb"},
      {"empty", ""},
  };
  for (const Row& row : rows) {
    Result<ProcStat> stat = ParseProcStat(StatLine(row.comm));
    ASSERT_TRUE(stat.ok()) << row.name << ": " << stat.status();
    EXPECT_EQ(*stat, (ProcStat{.pid = 4242,
                               .comm = row.comm,
                               .state = 'S',
                               .ppid = 17,
                               .pgrp = 4242,
                               .session = 4242,
                               .start_ticks = 987654}))
        << row.name;
  }
}

TEST(ProcStatTest, RejectsMalformedText) {
  struct Row {
    const char* name;
    std::string text;
  };
  const Row rows[] = {
      {"empty", ""},
      {"no parentheses", "4242 sleep S 17 4242 4242 0 -1 4194560 98 0 0 0 0 0 0 0 20 0 1 0 987654"},
      {"too few fields", "4242 (sleep) S 17 4242 4242 0 -1"},
      {"bad pid", "x42 (sleep) S 17 4242 4242 0 -1 4194560 98 0 0 0 0 0 0 0 20 0 1 0 987654"},
      {"bad start time", "4242 (sleep) S 17 4242 4242 0 -1 4194560 98 0 0 0 0 0 0 0 20 0 1 0 9x"},
      {"bad state", "4242 (sleep) SS 17 4242 4242 0 -1 4194560 98 0 0 0 0 0 0 0 20 0 1 0 1"},
  };
  for (const Row& row : rows) {
    Result<ProcStat> stat = ParseProcStat(row.text);
    ASSERT_FALSE(stat.ok()) << row.name;
    EXPECT_EQ(stat.error().code(), StatusCode::kInvalidArgument) << row.name;
  }
}

TEST(ProcStatTest, ZombiesAndDeadProcessesHaveExited) {
  for (char state : {'R', 'S', 'D', 'T', 'I'}) {
    EXPECT_FALSE(ProcStat{.state = state}.exited()) << state;
  }
  for (char state : {'Z', 'X'}) EXPECT_TRUE(ProcStat{.state = state}.exited()) << state;
}

TEST(ProcStatTest, ReadsALiveProcessAndNotAReapedOne) {
  Result<ProcStat> self = ReadProcStat(::getpid());
  ASSERT_TRUE(self.ok()) << self.status();
  EXPECT_EQ(self->pid, ::getpid());
  EXPECT_EQ(self->ppid, ::getppid());
  EXPECT_EQ(self->pgrp, ::getpgrp());
  EXPECT_GT(self->start_ticks, 0u);

  pid_t child = -1;
  char arg0[] = "/bin/true";
  char* argv[] = {arg0, nullptr};
  char* envp[] = {nullptr};
  ASSERT_EQ(::posix_spawn(&child, argv[0], nullptr, nullptr, argv, envp), 0);
  // The child is ours until reaped: the start time reads the same while it runs and as a zombie.
  Result<ProcStat> running = ReadProcStat(child);
  ASSERT_TRUE(running.ok()) << running.status();
  EXPECT_EQ(running->ppid, ::getpid());
  EXPECT_GE(running->start_ticks, self->start_ticks);
  ASSERT_TRUE(testing::Eventually([&] {
    Result<ProcStat> zombie = ReadProcStat(child);
    return zombie.ok() && zombie->exited();
  }));
  EXPECT_EQ(ReadProcStat(child)->start_ticks, running->start_ticks);
  ASSERT_EQ(::waitpid(child, nullptr, 0), child);
  Result<ProcStat> reaped = ReadProcStat(child);
  ASSERT_FALSE(reaped.ok());
  EXPECT_EQ(reaped.error().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace devflow::node
