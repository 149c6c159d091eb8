// Copy-truncate rotation of container log files.
//
// A container process writes its log itself, through a descriptor opened with O_APPEND, so the
// log keeps growing while `devflow serve` is down or restarting. devflow therefore cannot rotate
// by renaming the file and reopening it (the process would keep writing to the renamed file);
// it copies the file to NAME.log.1 and truncates NAME.log to zero instead. Because the writer
// appends, its next write lands at the new end (offset 0), leaving no hole. Lines written
// between the copy and the truncation are lost: the price of copy-truncate, as with logrotate's
// `copytruncate`.
//
// Rotated files: NAME.log.1 is the newest, NAME.log.<max_files> the oldest; older ones are
// deleted.
//
// Thread-safety: free functions without state. Rotating the same log from two threads at once
// is not supported (the process supervisor rotates from its one thread).
#pragma once

#include <cstdint>
#include <filesystem>

#include "common/result.h"
#include "common/status.h"

namespace devflow::node {

// The `index`-th rotated file of `log`: "<log>.<index>" (1 = newest).
// REQUIRES: index >= 1.
std::filesystem::path RotatedLogPath(const std::filesystem::path& log, int index);

// Whether a log of `size` bytes must be rotated under the limit `max_bytes`: when it is larger.
bool LogNeedsRotation(uint64_t size, uint64_t max_bytes);

// Rotates `log` once: deletes <log>.<max_files>, renames <log>.<i> to <log>.<i+1> from the
// oldest down, copies `log` to <log>.1 (through a temporary file and a rename, so <log>.1 is
// never half-written), then truncates `log` to zero bytes. With max_files <= 0 the log is only
// truncated. Errors: NotFound when `log` does not exist; Internal when a step fails (the message
// names the file; `log` is then not truncated).
Status RotateLog(const std::filesystem::path& log, int max_files);

// Rotates `log` (as RotateLog) when LogNeedsRotation says so. Returns whether it rotated; a
// missing log is not an error (false). Errors: as RotateLog.
Result<bool> RotateLogIfTooLarge(const std::filesystem::path& log, uint64_t max_bytes,
                                 int max_files);

}  // namespace devflow::node
