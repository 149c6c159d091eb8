#include "node/host_ports.h"

#include <charconv>

namespace devflow::node {
namespace {

bool ParsePort(std::string_view text, int32_t* out) {
  int32_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 1 || value > 65535) {
    return false;
  }
  *out = value;
  return true;
}

}  // namespace

std::string FormatHostPorts(const HostPorts& ports) {
  std::string out;
  for (const auto& [container_port, host_port] : ports) {
    if (!out.empty()) out += ',';
    out += std::to_string(container_port) + "=" + std::to_string(host_port);
  }
  return out;
}

Result<HostPorts> ParseHostPorts(std::string_view text) {
  HostPorts ports;
  if (text.empty()) return ports;
  for (bool more = true; more;) {
    size_t comma = text.find(',');
    more = comma != std::string_view::npos;
    std::string_view entry = text.substr(0, comma);
    text = more ? text.substr(comma + 1) : std::string_view();
    size_t equals = entry.find('=');
    int32_t container_port = 0;
    int32_t host_port = 0;
    if (equals == std::string_view::npos || !ParsePort(entry.substr(0, equals), &container_port) ||
        !ParsePort(entry.substr(equals + 1), &host_port)) {
      return InvalidArgumentError(std::string(kHostPortsAnnotation) + ": \"" + std::string(entry) +
                                  "\" is not CONTAINERPORT=HOSTPORT with ports in 1..65535");
    }
    if (!ports.emplace(container_port, host_port).second) {
      return InvalidArgumentError(std::string(kHostPortsAnnotation) + ": containerPort " +
                                  std::to_string(container_port) + " appears twice");
    }
  }
  return ports;
}

}  // namespace devflow::node
