// The durable record of one container process, kept by the process supervisor so that a
// restarted devflow can re-adopt the processes the previous run started.
//
// One JSON file per container: <dir>/<pod_uid>_<container>.json (each part escaped by
// EscapeFileNamePart), for example
//
//   {"podUID":"5f0c...","container":"app","namespace":"default","podName":"web-7f9c-abcde",
//    "pid":41234,"startTicks":987654,"startedAtUnixNano":1717171717000000000,
//    "hostPorts":{"8080":41235},"restartCount":2}
//
// pid plus startTicks (/proc/<pid>/stat field 22) identify the process. A record is written
// whole or not at all (a temporary file, fsync, rename, fsync of the directory), so after a
// crash or power loss a record is either the old one, the new one or absent, never torn.
//
// Thread-safety: free functions without state. Writing and removing the same record from two
// threads at once is not supported (the supervisor serialises them per container).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/status.h"
#include "node/process_supervisor.h"

namespace devflow::node {

// Escapes `part` for use inside a file name: ASCII letters, digits, '.' and '-' stay, every other
// byte becomes %XX (upper-case hex). Injective, so distinct names never share a file, and the
// result never holds '/' or '_' (the separator of the parts).
std::string EscapeFileNamePart(std::string_view part);

// The record's JSON text (the layout above). `info.adopted` is not recorded.
std::string EncodeProcessRecord(const ProcessInfo& info);

// Parses a record's text; `adopted` is false in the result. Errors: InvalidArgument when the
// text is not JSON, or podUID/container are missing or empty, or pid is not a positive integer,
// or startTicks is missing or negative, or a hostPorts entry is not port -> port.
Result<ProcessInfo> DecodeProcessRecord(std::string_view text);

// The record file of `key` in `dir`.
std::filesystem::path ProcessRecordPath(const std::filesystem::path& dir, const ContainerKey& key);

// Writes the record of `info.key` atomically and durably (see the top): when this returns Ok, the
// record survives a crash of devflow or of the machine. Errors: Internal naming the file.
Status WriteProcessRecord(const std::filesystem::path& dir, const ProcessInfo& info);

// Deletes the record of `key` durably (the directory is fsync'ed). Ok when it does not exist.
// Errors: Internal naming the file.
Status RemoveProcessRecord(const std::filesystem::path& dir, const ContainerKey& key);

struct LoadedProcessRecords {
  std::vector<ProcessInfo> records;  // ordered by file name
  // Files that were deleted because they cannot be records: temporary files a crash left
  // behind, and files that do not decode (each with the reason).
  std::vector<std::string> discarded;
};

// Reads every record in `dir` and deletes the leftovers named in `discarded`. A missing `dir` has
// no records. Errors: Internal when `dir` cannot be listed.
Result<LoadedProcessRecords> LoadProcessRecords(const std::filesystem::path& dir);

}  // namespace devflow::node
