#include "apiserver/service_ip_rules.h"

#include <string_view>

namespace devflow::apiserver {
namespace {

constexpr uint32_t kRangeBase = (127u << 24) | (1u << 16);  // 127.1.0.0
constexpr uint32_t kRangeSize = 1u << 16;

std::string FormatIp(uint32_t ip) {
  return std::to_string(ip >> 24) + "." + std::to_string((ip >> 16) & 0xff) + "." +
         std::to_string((ip >> 8) & 0xff) + "." + std::to_string(ip & 0xff);
}

// The offset of `ip` within the range, or nullopt when it is not a dotted quad inside it. The
// network and broadcast addresses are not offered, as in kube-apiserver's allocator.
std::optional<uint32_t> OffsetInRange(std::string_view ip) {
  uint32_t value = 0;
  int parts = 0;
  while (!ip.empty() && parts < 4) {
    size_t dot = ip.find('.');
    std::string_view part = ip.substr(0, dot);
    if (part.empty() || part.size() > 3) return std::nullopt;
    uint32_t octet = 0;
    for (char c : part) {
      if (c < '0' || c > '9') return std::nullopt;
      octet = octet * 10 + static_cast<uint32_t>(c - '0');
    }
    if (octet > 255) return std::nullopt;
    value = (value << 8) | octet;
    ++parts;
    ip = dot == std::string_view::npos ? std::string_view() : ip.substr(dot + 1);
    if (dot != std::string_view::npos && ip.empty()) return std::nullopt;
  }
  if (parts != 4 || !ip.empty()) return std::nullopt;
  if (value <= kRangeBase || value >= kRangeBase + kRangeSize - 1) return std::nullopt;
  return value - kRangeBase;
}

const json::Value* SpecMember(const json::Value& service, std::string_view member) {
  const json::Value* spec = service.Find("spec");
  return spec != nullptr && spec->is_object() ? spec->Find(member) : nullptr;
}

std::string SpecString(const json::Value& service, std::string_view member) {
  const json::Value* value = SpecMember(service, member);
  return value != nullptr && value->is_string() ? value->as_string() : std::string();
}

void SetClusterIp(json::Value& service, const std::string& ip) {
  json::Value& spec = service["spec"];
  if (!spec.is_object()) spec = json::Object{};
  spec.as_object().Set("clusterIP", json::Value(ip));
  spec.as_object().Set("clusterIPs", json::Array{json::Value(ip)});
}

api::FieldError Invalid(const std::string& value, std::string why) {
  return api::FieldError{FieldPath("spec").Child("clusterIP"),
                         "Invalid value: \"" + value + "\": " + std::move(why)};
}

}  // namespace

std::string ClusterIpOf(const json::Value& service) { return SpecString(service, "clusterIP"); }

api::FieldErrors AllocateClusterIp(json::Value& service, const std::set<std::string>& used,
                                   const std::function<uint64_t()>& random) {
  if (SpecString(service, "type") == "ExternalName") return {};
  const std::string given = ClusterIpOf(service);
  if (given == "None") return {};
  if (!given.empty()) {
    if (!OffsetInRange(given)) {
      return {Invalid(given, std::string("provided IP is not in the valid range. The range of "
                                         "valid IPs is ") +
                                 kServiceIpRange)};
    }
    if (used.contains(given)) return {Invalid(given, "provided IP is already allocated")};
    SetClusterIp(service, given);
    return {};
  }
  // Random first guess, then a linear scan: the answer does not depend on how full the range
  // is, and an exhausted range is detected rather than looped on.
  const uint32_t usable = kRangeSize - 2;
  const uint32_t start = static_cast<uint32_t>(random() % usable);
  for (uint32_t i = 0; i < usable; ++i) {
    const std::string candidate = FormatIp(kRangeBase + 1 + (start + i) % usable);
    if (!used.contains(candidate)) {
      SetClusterIp(service, candidate);
      return {};
    }
  }
  return {
      api::FieldError{FieldPath("spec").Child("clusterIP"),
                      std::string("Internal error: no free address left in ") + kServiceIpRange}};
}

api::FieldErrors KeepClusterIp(json::Value& updated, const json::Value& stored) {
  const std::string old_ip = ClusterIpOf(stored);
  const std::string new_ip = ClusterIpOf(updated);
  if (SpecString(updated, "type") == "ExternalName") return {};
  if (old_ip.empty()) return {};
  if (new_ip.empty()) {
    SetClusterIp(updated, old_ip);
    return {};
  }
  if (new_ip != old_ip) return {Invalid(new_ip, "field is immutable")};
  return {};
}

}  // namespace devflow::apiserver
