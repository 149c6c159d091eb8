// Clients of HAProxy's command sockets: the runtime API (the worker's `stats socket`, level
// admin) and the master CLI (-S) of master-worker mode.
//
// Each command opens its own connection, sends one line, half-closes, and reads the answer to the
// end (HAProxy's non-interactive mode). Runtime commands are prefixed with `set severity-output
// number`, so HAProxy tags its messages "[3]: ..." (error) or "[6]: ..." (information): that tag,
// not the wording, says whether a command failed. AnswerStatus maps the known error messages to
// codes by who should act on them.
//
// Thread-safety: the clients hold only their socket path; every member is const and may be called
// from any thread. HAProxy serialises nothing across connections: callers that need an order
// (a plan's steps) issue commands one after another.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/status.h"
#include "node/haproxy_config.h"

namespace devflow::node {

// Sends `command` on the unix socket at `socket_path` and returns everything HAProxy answered
// until it closed the connection. Errors: Unavailable when the socket cannot be reached or the
// connection breaks (HAProxy not running, or restarting); DeadlineExceeded when the answer does
// not end within `timeout`; InvalidArgument for a path too long for a unix socket.
Result<std::string> SendCliCommand(const std::filesystem::path& socket_path,
                                   std::string_view command, std::chrono::milliseconds timeout);

// The outcome of a runtime command from its answer (with severity output on). OK unless a message
// is tagged with severity 0..3 or says "Unknown command". Codes:
//   NotFound            "No such backend/server", "Can't find backend", "Unknown map" (the
//                       named object does not exist);
//   AlreadyExists       "Already exists a server with the same name";
//   FailedPrecondition  the server must be in maintenance, or still has connections (retry later);
//   InvalidArgument     any other refusal (unknown command, bad argument).
// The message is HAProxy's, without the tags.
Status AnswerStatus(std::string_view answer);

// Escapes one argument of a CLI command (a space, ';' or '\' is preceded by '\').
std::string CliArgument(std::string_view text);

// A server as `show servers state` reports it.
struct ServerStatus {
  std::string backend;
  std::string name;
  std::string address;
  int port = 0;
  int operational_state = 0;  // srv_op_state: 0 stopped, 1 starting, 2 running, 3 stopping
  int admin_state = 0;        // srv_admin_state: bit flags, see maintenance() and draining()
  int weight = 0;             // srv_uweight
  bool maintenance() const { return (admin_state & 0x27) != 0; }  // forced/inherited/config maint
  bool draining() const { return (admin_state & 0x18) != 0; }     // forced or inherited drain
  friend bool operator==(const ServerStatus&, const ServerStatus&) = default;
};

// Parses the answer of `show servers state` (format version 1). Errors: InvalidArgument for
// another version or a line whose fields do not match the header.
Result<std::vector<ServerStatus>> ParseServersState(std::string_view answer);

// The typed runtime API of one worker.
class HaproxyRuntime {
 public:
  explicit HaproxyRuntime(std::filesystem::path socket_path,
                          std::chrono::milliseconds timeout = std::chrono::seconds(5))
      : socket_path_(std::move(socket_path)), timeout_(timeout) {}

  // Runs `command` and returns its answer without severity tags. Errors: as SendCliCommand, then
  // as AnswerStatus.
  Result<std::string> Execute(std::string_view command) const;

  // `add server <backend>/<name> <address>:<port> weight 1`, then `set server ... state ready`
  // (or `drain` when !server.serving): HAProxy creates dynamic servers in maintenance. Errors:
  // NotFound (no such backend), AlreadyExists (the name is taken), InvalidArgument.
  Status AddServer(std::string_view backend, const HaproxyServer& server) const;

  // `set server <backend>/<server> addr <address> port <port>`. Errors: NotFound.
  Status SetServerAddress(std::string_view backend, std::string_view server,
                          std::string_view address, int port) const;

  enum class AdminState { kReady, kDrain, kMaint };
  // `set server <backend>/<server> state ready|drain|maint`. Errors: NotFound.
  Status SetServerState(std::string_view backend, std::string_view server, AdminState state) const;

  // `set weight <backend>/<server> <weight>` (0..256). Errors: NotFound, InvalidArgument.
  Status SetWeight(std::string_view backend, std::string_view server, int weight) const;

  // Serving: weight 1 and state ready (a server configured as drained has weight 0). Not serving:
  // state drain. Errors: NotFound.
  Status SetServing(std::string_view backend, std::string_view server, bool serving) const;

  // `set server ... state maint`, then `del server`. Errors: NotFound when the server does not
  // exist; FailedPrecondition when it still has connections (it stays in maintenance: retry).
  Status DeleteServer(std::string_view backend, std::string_view server) const;

  // `show servers state [<backend>]`: every server, or those of one backend. Errors: NotFound
  // for an unknown backend.
  Result<std::vector<ServerStatus>> ShowServersState(std::string_view backend = {}) const;

  // `show map <map>`: the entries of a map file loaded by the configuration. Errors: NotFound.
  Result<std::vector<MapEntry>> ShowMap(std::string_view map) const;

  // Replaces all entries of `map` at once: `prepare map`, `add map @<version>` per entry,
  // `commit map @<version>`. Requests see either the old entries or the new ones, never a mix.
  // Errors: NotFound (no such map), InvalidArgument.
  Status ReplaceMap(std::string_view map, const std::vector<MapEntry>& entries) const;

  // `set map` of one existing key / `add map` of a new one / `del map` of a key. Errors:
  // NotFound.
  Status SetMapEntry(std::string_view map, const MapEntry& entry) const;
  Status AddMapEntry(std::string_view map, const MapEntry& entry) const;
  Status DeleteMapEntry(std::string_view map, std::string_view key) const;

  // The pid of the worker answering on this socket (`show info`). Errors: as Execute, and
  // Internal when the answer carries no pid.
  Result<int> WorkerPid() const;

  const std::filesystem::path& socket_path() const { return socket_path_; }

 private:
  std::filesystem::path socket_path_;
  std::chrono::milliseconds timeout_;
};

// The processes the master CLI's `show proc` lists.
struct MasterProcesses {
  int master_pid = 0;
  int reloads = 0;               // reloads since the master started, failed ones included
  int failed_reloads = 0;        // failed reloads since the last successful one
  std::vector<int> workers;      // current workers
  std::vector<int> old_workers;  // workers of earlier configurations, finishing their requests
  friend bool operator==(const MasterProcesses&, const MasterProcesses&) = default;
};

// Parses the answer of `show proc` (HAProxy 2.6's layout). Errors: InvalidArgument when no master
// line is found.
Result<MasterProcesses> ParseShowProc(std::string_view answer);

// The master CLI of a master-worker HAProxy.
class HaproxyMaster {
 public:
  explicit HaproxyMaster(std::filesystem::path socket_path,
                         std::chrono::milliseconds timeout = std::chrono::seconds(5))
      : socket_path_(std::move(socket_path)), timeout_(timeout) {}

  // `show proc`. Errors: as SendCliCommand (Unavailable while the master re-executes itself).
  Result<MasterProcesses> ShowProc() const;

  // `reload`: the master re-executes itself with the same command line and configuration file,
  // and starts a new worker that takes over the listening sockets. Returns once the command is
  // sent: watch ShowProc for the outcome. Errors: Unavailable when it could not be sent.
  Status Reload() const;

 private:
  std::filesystem::path socket_path_;
  std::chrono::milliseconds timeout_;
};

}  // namespace devflow::node
