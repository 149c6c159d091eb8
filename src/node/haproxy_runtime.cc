#include "node/haproxy_runtime.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <map>
#include <sstream>

namespace devflow::node {
namespace {

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string Errno(std::string_view what) { return std::string(what) + ": " + std::strerror(errno); }

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t end = text.find('\n');
    lines.push_back(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
  }
  return lines;
}

std::vector<std::string_view> Fields(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t at = 0;
  while (at < line.size()) {
    size_t start = line.find_first_not_of(" \t", at);
    if (start == std::string_view::npos) break;
    size_t end = line.find_first_of(" \t", start);
    if (end == std::string_view::npos) end = line.size();
    fields.push_back(line.substr(start, end - start));
    at = end;
  }
  return fields;
}

bool ToInt(std::string_view text, int* out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

// A line's severity tag ("[3]: "), or -1 when it has none; `*rest` is the line after the tag.
int Severity(std::string_view line, std::string_view* rest) {
  *rest = line;
  if (line.size() < 5 || line[0] != '[' || line[2] != ']' || line[3] != ':' || line[1] < '0' ||
      line[1] > '7') {
    return -1;
  }
  *rest = line.substr(line[4] == ' ' ? 5 : 4);
  return line[1] - '0';
}

std::string Trimmed(std::string_view text) {
  size_t start = text.find_first_not_of(" \t\n");
  if (start == std::string_view::npos) return "";
  size_t end = text.find_last_not_of(" \t\n");
  return std::string(text.substr(start, end - start + 1));
}

// The answer without severity tags and surrounding blank lines.
std::string Untagged(std::string_view answer) {
  std::string out;
  for (std::string_view line : Lines(answer)) {
    std::string_view rest;
    Severity(line, &rest);
    out.append(rest);
    out += '\n';
  }
  return Trimmed(out);
}

std::string ServerArg(std::string_view backend, std::string_view server) {
  return CliArgument(std::string(backend) + "/" + std::string(server));
}

std::string AddressArg(std::string_view address, int port) {
  std::string host(address);
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return CliArgument(host + ":" + std::to_string(port));
}

}  // namespace

Result<std::string> SendCliCommand(const std::filesystem::path& socket_path,
                                   std::string_view command, std::chrono::milliseconds timeout) {
  const std::string path = socket_path.string();
  sockaddr_un address{};
  if (path.size() >= sizeof(address.sun_path)) {
    return InvalidArgumentError("socket path " + path + " is longer than the " +
                                std::to_string(sizeof(address.sun_path) - 1) +
                                " bytes a unix socket path may have");
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return UnavailableError(Errno("socket"));
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, path.data(), path.size());
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    return UnavailableError(Errno("connecting to " + path));
  }
  std::string request(command);
  request += '\n';
  for (std::string_view rest = request; !rest.empty();) {
    ssize_t n = ::send(fd.get(), rest.data(), rest.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return UnavailableError(Errno("writing to " + path));
    rest.remove_prefix(static_cast<size_t>(n));
  }
  // Half-closing tells HAProxy no command follows: it answers, then closes.
  ::shutdown(fd.get(), SHUT_WR);
  std::string answer;
  char buffer[16384];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return DeadlineExceededError("no complete answer from " + path + " to \"" +
                                   std::string(command) + "\" within " +
                                   std::to_string(timeout.count()) + " ms");
    }
    pollfd ready{fd.get(), POLLIN, 0};
    int polled = ::poll(&ready, 1, static_cast<int>(left.count()));
    if (polled < 0 && errno == EINTR) continue;
    if (polled <= 0) continue;
    ssize_t n = ::recv(fd.get(), buffer, sizeof(buffer), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return UnavailableError(Errno("reading from " + path));
    if (n == 0) return answer;
    answer.append(buffer, static_cast<size_t>(n));
  }
}

Status AnswerStatus(std::string_view answer) {
  std::string error;
  for (std::string_view line : Lines(answer)) {
    std::string_view rest;
    int severity = Severity(line, &rest);
    if ((severity >= 0 && severity <= 3) || rest.find("Unknown command") != std::string::npos) {
      if (!error.empty()) error += ' ';
      error.append(rest);
    }
  }
  if (error.empty()) return Status::Ok();
  if (error.find("No such") != std::string::npos || error.find("Can't find") != std::string::npos ||
      error.find("Unknown map") != std::string::npos ||
      error.find("Unknown ACL") != std::string::npos) {
    return NotFoundError(error);
  }
  if (error.find("Already exists") != std::string::npos) return AlreadyExistsError(error);
  if (error.find("maintenance mode") != std::string::npos ||
      error.find("connection") != std::string::npos) {
    return FailedPreconditionError(error);
  }
  return InvalidArgumentError(error);
}

std::string CliArgument(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == ';' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

Result<std::vector<ServerStatus>> ParseServersState(std::string_view answer) {
  std::vector<std::string_view> lines = Lines(answer);
  if (lines.empty() || Trimmed(lines[0]) != "1") {
    return InvalidArgumentError("show servers state: expected format version 1, got \"" +
                                std::string(lines.empty() ? "" : lines[0]) + "\"");
  }
  std::map<std::string, size_t> column;
  std::vector<ServerStatus> servers;
  for (size_t i = 1; i < lines.size(); ++i) {
    std::vector<std::string_view> fields = Fields(lines[i]);
    if (fields.empty()) continue;
    if (fields[0] == "#") {
      for (size_t c = 1; c < fields.size(); ++c) column[std::string(fields[c])] = c - 1;
      continue;
    }
    auto field = [&](const char* name) -> std::string_view {
      auto it = column.find(name);
      return it == column.end() || it->second >= fields.size() ? std::string_view()
                                                               : fields[it->second];
    };
    ServerStatus server;
    server.backend = field("be_name");
    server.name = field("srv_name");
    server.address = field("srv_addr");
    if (server.backend.empty() || server.name.empty() || !ToInt(field("srv_port"), &server.port) ||
        !ToInt(field("srv_op_state"), &server.operational_state) ||
        !ToInt(field("srv_admin_state"), &server.admin_state) ||
        !ToInt(field("srv_uweight"), &server.weight)) {
      return InvalidArgumentError("show servers state: cannot read line \"" +
                                  std::string(lines[i]) + "\"");
    }
    servers.push_back(std::move(server));
  }
  return servers;
}

Result<std::string> HaproxyRuntime::Execute(std::string_view command) const {
  DEVFLOW_ASSIGN_OR_RETURN(
      std::string answer,
      SendCliCommand(socket_path_, "set severity-output number; " + std::string(command),
                     timeout_));
  if (Status status = AnswerStatus(answer); !status.ok()) {
    return status.WithContext(std::string(command));
  }
  return Untagged(answer);
}

Status HaproxyRuntime::AddServer(std::string_view backend, const HaproxyServer& server) const {
  DEVFLOW_RETURN_IF_ERROR(Execute("add server " + ServerArg(backend, server.name) + " " +
                                  AddressArg(server.address, server.port) + " weight 1")
                              .status());
  return SetServerState(backend, server.name,
                        server.serving ? AdminState::kReady : AdminState::kDrain);
}

Status HaproxyRuntime::SetServerAddress(std::string_view backend, std::string_view server,
                                        std::string_view address, int port) const {
  return Execute("set server " + ServerArg(backend, server) + " addr " + CliArgument(address) +
                 " port " + std::to_string(port))
      .status();
}

Status HaproxyRuntime::SetServerState(std::string_view backend, std::string_view server,
                                      AdminState state) const {
  const char* name = state == AdminState::kReady   ? "ready"
                     : state == AdminState::kDrain ? "drain"
                                                   : "maint";
  return Execute("set server " + ServerArg(backend, server) + " state " + name).status();
}

Status HaproxyRuntime::SetWeight(std::string_view backend, std::string_view server,
                                 int weight) const {
  return Execute("set weight " + ServerArg(backend, server) + " " + std::to_string(weight))
      .status();
}

Status HaproxyRuntime::SetServing(std::string_view backend, std::string_view server,
                                  bool serving) const {
  if (!serving) return SetServerState(backend, server, AdminState::kDrain);
  DEVFLOW_RETURN_IF_ERROR(SetWeight(backend, server, 1));
  return SetServerState(backend, server, AdminState::kReady);
}

Status HaproxyRuntime::DeleteServer(std::string_view backend, std::string_view server) const {
  DEVFLOW_RETURN_IF_ERROR(SetServerState(backend, server, AdminState::kMaint));
  return Execute("del server " + ServerArg(backend, server)).status();
}

Result<std::vector<ServerStatus>> HaproxyRuntime::ShowServersState(std::string_view backend) const {
  std::string command = "show servers state";
  if (!backend.empty()) command += " " + CliArgument(backend);
  DEVFLOW_ASSIGN_OR_RETURN(std::string answer, Execute(command));
  return ParseServersState(answer);
}

Result<std::vector<MapEntry>> HaproxyRuntime::ShowMap(std::string_view map) const {
  DEVFLOW_ASSIGN_OR_RETURN(std::string answer, Execute("show map " + CliArgument(map)));
  std::vector<MapEntry> entries;
  for (std::string_view line : Lines(answer)) {
    std::vector<std::string_view> fields = Fields(line);
    if (fields.size() < 3) continue;  // "<pointer> <key> <value>"
    entries.push_back({std::string(fields[1]), std::string(fields[2])});
  }
  return entries;
}

Status HaproxyRuntime::ReplaceMap(std::string_view map,
                                  const std::vector<MapEntry>& entries) const {
  const std::string name = CliArgument(map);
  DEVFLOW_ASSIGN_OR_RETURN(std::string prepared, Execute("prepare map " + name));
  // "New version created: <n>"
  size_t colon = prepared.rfind(':');
  int version = 0;
  if (colon == std::string::npos || !ToInt(Trimmed(prepared.substr(colon + 1)), &version)) {
    return InternalError("prepare map " + std::string(map) + ": unexpected answer \"" + prepared +
                         "\"");
  }
  const std::string at = "@" + std::to_string(version) + " " + name + " ";
  for (const MapEntry& entry : entries) {
    DEVFLOW_RETURN_IF_ERROR(
        Execute("add map " + at + CliArgument(entry.key) + " " + CliArgument(entry.value))
            .status());
  }
  return Execute("commit map @" + std::to_string(version) + " " + name).status();
}

Status HaproxyRuntime::SetMapEntry(std::string_view map, const MapEntry& entry) const {
  return Execute("set map " + CliArgument(map) + " " + CliArgument(entry.key) + " " +
                 CliArgument(entry.value))
      .status();
}

Status HaproxyRuntime::AddMapEntry(std::string_view map, const MapEntry& entry) const {
  return Execute("add map " + CliArgument(map) + " " + CliArgument(entry.key) + " " +
                 CliArgument(entry.value))
      .status();
}

Status HaproxyRuntime::DeleteMapEntry(std::string_view map, std::string_view key) const {
  return Execute("del map " + CliArgument(map) + " " + CliArgument(key)).status();
}

Result<int> HaproxyRuntime::WorkerPid() const {
  DEVFLOW_ASSIGN_OR_RETURN(std::string answer, Execute("show info"));
  for (std::string_view line : Lines(answer)) {
    int pid = 0;
    if (line.starts_with("Pid: ") && ToInt(Trimmed(line.substr(5)), &pid)) return pid;
  }
  return InternalError("show info on " + socket_path_.string() + " carries no Pid line");
}

Result<MasterProcesses> ParseShowProc(std::string_view answer) {
  MasterProcesses processes;
  enum class Section { kNone, kWorkers, kOldWorkers, kOther } section = Section::kNone;
  for (std::string_view line : Lines(answer)) {
    std::vector<std::string_view> fields = Fields(line);
    if (fields.empty()) continue;
    if (fields[0].starts_with('#')) {
      std::string heading = Trimmed(line);
      section = heading == "# workers"       ? Section::kWorkers
                : heading == "# old workers" ? Section::kOldWorkers
                : heading.starts_with("#<")  ? Section::kNone
                                             : Section::kOther;
      continue;
    }
    int pid = 0;
    if (fields.size() < 3 || !ToInt(fields[0], &pid)) continue;
    if (fields[1] == "master") {
      processes.master_pid = pid;
      ToInt(fields[2], &processes.reloads);
      // "<reloads> [failed: <n>]"
      if (fields.size() > 4 && fields[3] == "[failed:") {
        std::string_view failed = fields[4];
        if (failed.ends_with(']')) failed.remove_suffix(1);
        ToInt(failed, &processes.failed_reloads);
      }
    } else if (fields[1] == "worker" && section == Section::kWorkers) {
      processes.workers.push_back(pid);
    } else if (fields[1] == "worker" && section == Section::kOldWorkers) {
      processes.old_workers.push_back(pid);
    }
  }
  if (processes.master_pid == 0) {
    return InvalidArgumentError("show proc: no master line in \"" + std::string(answer) + "\"");
  }
  return processes;
}

Result<MasterProcesses> HaproxyMaster::ShowProc() const {
  DEVFLOW_ASSIGN_OR_RETURN(std::string answer, SendCliCommand(socket_path_, "show proc", timeout_));
  return ParseShowProc(answer);
}

Status HaproxyMaster::Reload() const {
  // The master re-executes itself while answering, so the connection may end abruptly: that is
  // the reload happening, not a failure. Only a command that could not be sent is one.
  Result<std::string> answer = SendCliCommand(socket_path_, "reload", timeout_);
  if (!answer.ok() && answer.error().message().starts_with("connecting")) return answer.error();
  return Status::Ok();
}

}  // namespace devflow::node
