#include "node/process_record.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

#include "common/json_reader.h"
#include "common/json_value.h"

namespace devflow::node {
namespace {

constexpr std::string_view kRecordSuffix = ".json";
constexpr std::string_view kTemporarySuffix = ".tmp";

std::string ErrnoText() { return std::strerror(errno); }

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

void FsyncDirectory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

Status WriteAll(int fd, std::string_view content, const std::string& path) {
  while (!content.empty()) {
    ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return InternalError("cannot write " + path + ": " + ErrnoText());
    content.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

bool ParsePort(std::string_view text, int32_t& port) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), port);
  return error == std::errc() && end == text.data() + text.size() && port >= 1 && port <= 65535;
}

const std::string* StringMember(const json::Value& object, std::string_view key) {
  const json::Value* value = object.Find(key);
  return value != nullptr && value->is_string() ? &value->as_string() : nullptr;
}

const json::Value* IntMember(const json::Value& object, std::string_view key) {
  const json::Value* value = object.Find(key);
  return value != nullptr && value->is_int() ? value : nullptr;
}

}  // namespace

std::string EscapeFileNamePart(std::string_view part) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : part) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '-';
    if (keep) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string EncodeProcessRecord(const ProcessInfo& info) {
  json::Object ports;
  for (const auto& [container_port, host_port] : info.host_ports) {
    ports.Set(std::to_string(container_port), host_port);
  }
  json::Object record;
  record.Set("podUID", info.key.pod_uid);
  record.Set("container", info.key.container);
  record.Set("namespace", info.pod_namespace);
  record.Set("podName", info.pod_name);
  record.Set("pid", info.pid);
  record.Set("startTicks", static_cast<int64_t>(info.start_ticks));
  record.Set("startedAtUnixNano",
             static_cast<int64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                      info.started_at.time_since_epoch())
                                      .count()));
  record.Set("hostPorts", std::move(ports));
  record.Set("restartCount", info.restart_count);
  return json::Write(record);
}

Result<ProcessInfo> DecodeProcessRecord(std::string_view text) {
  Result<json::Value> parsed = json::Parse(text);
  if (!parsed.ok())
    return InvalidArgumentError("not a process record: " + parsed.error().message());
  const json::Value& root = *parsed;
  if (!root.is_object()) return InvalidArgumentError("not a process record: not a JSON object");
  ProcessInfo info;
  const std::string* pod_uid = StringMember(root, "podUID");
  const std::string* container = StringMember(root, "container");
  if (pod_uid == nullptr || pod_uid->empty() || container == nullptr || container->empty()) {
    return InvalidArgumentError("process record without podUID or container");
  }
  info.key = {*pod_uid, *container};
  if (const std::string* ns = StringMember(root, "namespace")) info.pod_namespace = *ns;
  if (const std::string* name = StringMember(root, "podName")) info.pod_name = *name;
  const json::Value* pid = IntMember(root, "pid");
  if (pid == nullptr || pid->as_int() <= 0 || pid->as_int() > INT32_MAX) {
    return InvalidArgumentError("process record without a positive pid");
  }
  info.pid = static_cast<int>(pid->as_int());
  const json::Value* ticks = IntMember(root, "startTicks");
  if (ticks == nullptr || ticks->as_int() < 0) {
    return InvalidArgumentError("process record without startTicks");
  }
  info.start_ticks = static_cast<uint64_t>(ticks->as_int());
  if (const json::Value* started = IntMember(root, "startedAtUnixNano")) {
    info.started_at = std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::nanoseconds(started->as_int())));
  }
  if (const json::Value* ports = root.Find("hostPorts"); ports != nullptr && ports->is_object()) {
    for (const json::Member& member : ports->as_object()) {
      int32_t container_port = 0;
      if (!ParsePort(member.key, container_port) || !member.value.is_int() ||
          member.value.as_int() < 1 || member.value.as_int() > 65535) {
        return InvalidArgumentError("process record has a bad hostPorts entry \"" + member.key +
                                    "\"");
      }
      info.host_ports[container_port] = static_cast<int32_t>(member.value.as_int());
    }
  }
  if (const json::Value* restarts = IntMember(root, "restartCount")) {
    info.restart_count = static_cast<int>(restarts->as_int());
  }
  return info;
}

std::filesystem::path ProcessRecordPath(const std::filesystem::path& dir, const ContainerKey& key) {
  return dir / (EscapeFileNamePart(key.pod_uid) + "_" + EscapeFileNamePart(key.container) +
                std::string(kRecordSuffix));
}

Status WriteProcessRecord(const std::filesystem::path& dir, const ProcessInfo& info) {
  const std::filesystem::path path = ProcessRecordPath(dir, info.key);
  const std::string temporary = path.string() + std::string(kTemporarySuffix);
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return InternalError("cannot write " + temporary + ": " + ErrnoText());
  Status written = WriteAll(fd, EncodeProcessRecord(info), temporary);
  if (written.ok() && ::fsync(fd) != 0) {
    written = InternalError("cannot sync " + temporary + ": " + ErrnoText());
  }
  if (::close(fd) != 0 && written.ok()) {
    written = InternalError("cannot write " + temporary + ": " + ErrnoText());
  }
  if (written.ok() && ::rename(temporary.c_str(), path.c_str()) != 0) {
    written = InternalError("cannot rename " + temporary + ": " + ErrnoText());
  }
  if (!written.ok()) {
    ::unlink(temporary.c_str());
    return written;
  }
  // The rename is durable only once the directory's entry is on disk.
  FsyncDirectory(dir);
  return Status::Ok();
}

Status RemoveProcessRecord(const std::filesystem::path& dir, const ContainerKey& key) {
  const std::filesystem::path path = ProcessRecordPath(dir, key);
  if (::unlink(path.c_str()) != 0) {
    if (errno == ENOENT) return Status::Ok();
    return InternalError("cannot remove " + path.string() + ": " + ErrnoText());
  }
  FsyncDirectory(dir);
  return Status::Ok();
}

Result<LoadedProcessRecords> LoadProcessRecords(const std::filesystem::path& dir) {
  LoadedProcessRecords loaded;
  std::error_code error;
  if (!std::filesystem::exists(dir, error)) return loaded;
  std::vector<std::filesystem::path> files;
  for (std::filesystem::directory_iterator it(dir, error), end; !error && it != end;
       it.increment(error)) {
    files.push_back(it->path());
  }
  if (error) return InternalError("cannot list " + dir.string() + ": " + error.message());
  std::sort(files.begin(), files.end());
  bool removed_any = false;
  for (const std::filesystem::path& file : files) {
    const std::string name = file.filename().string();
    std::string problem;
    if (EndsWith(name, kTemporarySuffix)) {
      problem = "left behind by an interrupted write";
    } else if (EndsWith(name, kRecordSuffix)) {
      std::ifstream in(file);
      std::stringstream text;
      text << in.rdbuf();
      Result<ProcessInfo> record = DecodeProcessRecord(text.str());
      if (record.ok()) {
        loaded.records.push_back(*std::move(record));
        continue;
      }
      problem = record.error().message();
    } else {
      continue;
    }
    std::filesystem::remove(file, error);
    removed_any = true;
    loaded.discarded.push_back(file.string() + ": " + problem);
  }
  if (removed_any) FsyncDirectory(dir);
  return loaded;
}

}  // namespace devflow::node
