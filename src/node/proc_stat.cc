#include "node/proc_stat.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <vector>

namespace devflow::node {
namespace {

template <class T>
bool ParseNumber(std::string_view text, T& out) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size();
}

std::vector<std::string_view> SplitSpaces(std::string_view text) {
  std::vector<std::string_view> fields;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\n')) ++i;
    size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\n') ++i;
    if (i > start) fields.push_back(text.substr(start, i - start));
  }
  return fields;
}

}  // namespace

Result<ProcStat> ParseProcStat(std::string_view text) {
  const size_t open = text.find('(');
  const size_t close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
    return InvalidArgumentError("/proc stat text has no \"(comm)\": \"" + std::string(text) + "\"");
  }
  ProcStat stat;
  std::string_view pid_text = text.substr(0, open);
  while (!pid_text.empty() && pid_text.back() == ' ') pid_text.remove_suffix(1);
  if (!ParseNumber(pid_text, stat.pid)) {
    return InvalidArgumentError("/proc stat text has a bad pid: \"" + std::string(pid_text) + "\"");
  }
  stat.comm = std::string(text.substr(open + 1, close - open - 1));
  // Field 3 is rest[0], so field N is rest[N - 3].
  std::vector<std::string_view> rest = SplitSpaces(text.substr(close + 1));
  constexpr size_t kStartTimeIndex = 22 - 3;
  if (rest.size() <= kStartTimeIndex) {
    return InvalidArgumentError("/proc stat text has " + std::to_string(rest.size() + 2) +
                                " fields, want at least 22");
  }
  if (rest[0].size() != 1) {
    return InvalidArgumentError("/proc stat text has a bad state: \"" + std::string(rest[0]) +
                                "\"");
  }
  stat.state = rest[0][0];
  if (!ParseNumber(rest[1], stat.ppid) || !ParseNumber(rest[2], stat.pgrp) ||
      !ParseNumber(rest[3], stat.session) ||
      !ParseNumber(rest[kStartTimeIndex], stat.start_ticks)) {
    return InvalidArgumentError("/proc stat text has a field that is not a number: \"" +
                                std::string(text) + "\"");
  }
  return stat;
}

Result<ProcStat> ReadProcStat(int pid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/stat";
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int error = errno;
    if (error == ENOENT || error == ESRCH)
      return NotFoundError("no process " + std::to_string(pid));
    return InternalError("cannot read " + path + ": " + std::strerror(error));
  }
  std::string text;
  char buffer[1024];
  int error = 0;
  while (true) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) error = errno;
    if (n <= 0) break;
    text.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  // Reading fails with ESRCH when the process was reaped after the open.
  if (error == ESRCH || (error == 0 && text.empty())) {
    return NotFoundError("no process " + std::to_string(pid));
  }
  if (error != 0) return InternalError("cannot read " + path + ": " + std::strerror(error));
  return ParseProcStat(text);
}

}  // namespace devflow::node
