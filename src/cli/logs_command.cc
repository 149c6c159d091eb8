#include "cli/logs_command.h"

#include <cctype>

#include "kube/api_client.h"
#include "kube/client_config.h"

namespace devflow::cli {
namespace {

std::string QueryEscape(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace

Result<std::string> PodLogPath(const std::string& ns, const LogsFlags& flags) {
  std::string name = flags.pod;
  if (size_t slash = name.find('/'); slash != std::string::npos) {
    const std::string kind = name.substr(0, slash);
    if (kind != "pod" && kind != "pods" && kind != "po") {
      return InvalidArgumentError("devflow logs reads pods: \"" + flags.pod +
                                  "\" is not a pod (write POD or pod/POD)");
    }
    name = name.substr(slash + 1);
  }
  if (name.empty()) return InvalidArgumentError("a pod name is required");
  std::string path =
      "/api/v1/namespaces/" + QueryEscape(ns) + "/pods/" + QueryEscape(name) + "/log";
  std::string query;
  auto add = [&](const std::string& key, const std::string& value) {
    query += (query.empty() ? "?" : "&") + key + "=" + QueryEscape(value);
  };
  if (!flags.container.empty()) add("container", flags.container);
  if (flags.follow) add("follow", "true");
  if (flags.tail && *flags.tail >= 0) add("tailLines", std::to_string(*flags.tail));
  if (flags.limit_bytes) add("limitBytes", std::to_string(*flags.limit_bytes));
  return path + query;
}

int RunLogs(const KubeFlags& flags, const LogsFlags& logs, std::ostream& out, std::ostream& err) {
  Result<std::unique_ptr<kube::ApiClient>> client = ConnectClient(flags);
  if (!client.ok()) {
    err << "devflow logs: " << client.status().message() << "\n";
    return 1;
  }
  Result<std::string> path = PodLogPath((*client)->config().namespace_, logs);
  if (!path.ok()) {
    err << "devflow logs: " << path.status().message() << "\n";
    return 1;
  }
  Status streamed = (*client)->StreamPath(*path, [&out](std::string_view data) {
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    out.flush();
    return static_cast<bool>(out);
  });
  if (!streamed.ok()) {
    err << "devflow logs: " << streamed.message() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace devflow::cli
