// What the kernel says about a process in /proc/<pid>/stat, read robustly.
//
// The process runtime identifies a process by its pid plus its start time (field 22,
// `starttime`, in clock ticks since boot): a pid is recycled after the process is reaped, but
// the pair never repeats while the machine is up. The second field is the command name in
// parentheses, which the process chooses (prctl(PR_SET_NAME), or its executable's name) and
// which may hold spaces, parentheses and newlines: the fields after it are found after the LAST
// ')' of the text, never by splitting the whole line.
//
// Thread-safety: free functions without state; call from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace devflow::node {

// The fields of /proc/<pid>/stat the runtime uses.
struct ProcStat {
  int pid = 0;               // field 1
  std::string comm;          // field 2, without the parentheses
  char state = '?';          // field 3: R, S, D, Z (zombie), T, t, X (dead), I, ...
  int ppid = 0;              // field 4: the parent's pid
  int pgrp = 0;              // field 5: the process group
  int session = 0;           // field 6: the session
  uint64_t start_ticks = 0;  // field 22: start time in clock ticks after boot
  friend bool operator==(const ProcStat&, const ProcStat&) = default;

  // True for a process that has exited (a zombie not yet reaped by its parent, or dead).
  bool exited() const { return state == 'Z' || state == 'X' || state == 'x'; }
};

// Parses the text of /proc/<pid>/stat. Errors: InvalidArgument when the text has no
// "(comm)" or too few fields, or a field used here is not a number.
Result<ProcStat> ParseProcStat(std::string_view text);

// Reads and parses /proc/<pid>/stat. Errors: NotFound when no process has that pid (it was
// reaped); InvalidArgument as ParseProcStat; Internal for other read errors.
Result<ProcStat> ReadProcStat(int pid);

}  // namespace devflow::node
