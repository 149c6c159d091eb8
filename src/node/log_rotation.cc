#include "node/log_rotation.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

namespace devflow::node {
namespace {

std::string ErrnoText() { return std::strerror(errno); }

// Copies `from` to `to` (created or replaced) through `to`.tmp, so that `to` appears whole.
Status CopyWhole(const std::filesystem::path& from, const std::filesystem::path& to) {
  const std::filesystem::path temporary = to.string() + ".tmp";
  const int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) {
    if (errno == ENOENT) return NotFoundError("no log file " + from.string());
    return InternalError("cannot read " + from.string() + ": " + ErrnoText());
  }
  const int out = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out < 0) {
    Status failed = InternalError("cannot write " + temporary.string() + ": " + ErrnoText());
    ::close(in);
    return failed;
  }
  Status status;
  char buffer[64 * 1024];
  while (status.ok()) {
    ssize_t n = ::read(in, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) status = InternalError("cannot read " + from.string() + ": " + ErrnoText());
    if (n <= 0) break;
    for (ssize_t done = 0; done < n && status.ok();) {
      ssize_t w = ::write(out, buffer + done, static_cast<size_t>(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) {
        status = InternalError("cannot write " + temporary.string() + ": " + ErrnoText());
      } else {
        done += w;
      }
    }
  }
  ::close(in);
  if (::close(out) != 0 && status.ok()) {
    status = InternalError("cannot write " + temporary.string() + ": " + ErrnoText());
  }
  if (status.ok() && ::rename(temporary.c_str(), to.c_str()) != 0) {
    status = InternalError("cannot rename " + temporary.string() + ": " + ErrnoText());
  }
  if (!status.ok()) ::unlink(temporary.c_str());
  return status;
}

}  // namespace

std::filesystem::path RotatedLogPath(const std::filesystem::path& log, int index) {
  return std::filesystem::path(log.string() + "." + std::to_string(index));
}

bool LogNeedsRotation(uint64_t size, uint64_t max_bytes) { return size > max_bytes; }

Status RotateLog(const std::filesystem::path& log, int max_files) {
  std::error_code error;
  if (!std::filesystem::exists(log, error)) return NotFoundError("no log file " + log.string());
  if (max_files > 0) {
    std::filesystem::remove(RotatedLogPath(log, max_files), error);
    for (int i = max_files - 1; i >= 1; --i) {
      const std::filesystem::path from = RotatedLogPath(log, i);
      if (!std::filesystem::exists(from, error)) continue;
      std::filesystem::rename(from, RotatedLogPath(log, i + 1), error);
      if (error) return InternalError("cannot rename " + from.string() + ": " + error.message());
    }
    DEVFLOW_RETURN_IF_ERROR(CopyWhole(log, RotatedLogPath(log, 1)));
  }
  if (::truncate(log.c_str(), 0) != 0) {
    return InternalError("cannot truncate " + log.string() + ": " + ErrnoText());
  }
  return Status::Ok();
}

Result<bool> RotateLogIfTooLarge(const std::filesystem::path& log, uint64_t max_bytes,
                                 int max_files) {
  std::error_code error;
  const uintmax_t size = std::filesystem::file_size(log, error);
  if (error) return false;
  if (!LogNeedsRotation(size, max_bytes)) return false;
  Status rotated = RotateLog(log, max_files);
  if (rotated.code() == StatusCode::kNotFound) return false;
  if (!rotated.ok()) return rotated;
  return true;
}

}  // namespace devflow::node
