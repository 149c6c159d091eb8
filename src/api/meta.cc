#include "api/meta.h"

#include <algorithm>

namespace devflow::api {

OwnerReference ControllerReference(std::string api_version, std::string kind,
                                   const ObjectMeta& owner) {
  return OwnerReference{.api_version = std::move(api_version),
                        .kind = std::move(kind),
                        .name = owner.name,
                        .uid = owner.uid,
                        .controller = true,
                        .block_owner_deletion = true};
}

bool Matches(const LabelSelector& selector, const std::map<std::string, std::string>& labels) {
  for (const auto& [key, value] : selector.match_labels) {
    auto it = labels.find(key);
    if (it == labels.end() || it->second != value) return false;
  }
  for (const LabelSelectorRequirement& r : selector.match_expressions) {
    auto it = labels.find(r.key);
    bool present = it != labels.end();
    auto in_values = [&] {
      return present && std::find(r.values.begin(), r.values.end(), it->second) != r.values.end();
    };
    if (r.operator_ == "In") {
      if (!in_values()) return false;
    } else if (r.operator_ == "NotIn") {
      if (in_values()) return false;
    } else if (r.operator_ == "Exists") {
      if (!present) return false;
    } else if (r.operator_ == "DoesNotExist") {
      if (present) return false;
    } else {
      return false;
    }
  }
  return true;
}

std::string ToSelectorString(const LabelSelector& selector) {
  std::vector<std::pair<std::string, std::string>> terms;
  for (const auto& [key, value] : selector.match_labels) terms.emplace_back(key, key + "=" + value);
  for (const LabelSelectorRequirement& r : selector.match_expressions) {
    std::vector<std::string> values = r.values;
    std::sort(values.begin(), values.end());
    std::string joined;
    for (const std::string& v : values) joined += (joined.empty() ? "" : ",") + v;
    if (r.operator_ == "In") {
      terms.emplace_back(r.key, r.key + " in (" + joined + ")");
    } else if (r.operator_ == "NotIn") {
      terms.emplace_back(r.key, r.key + " notin (" + joined + ")");
    } else if (r.operator_ == "Exists") {
      terms.emplace_back(r.key, r.key);
    } else if (r.operator_ == "DoesNotExist") {
      terms.emplace_back(r.key, "!" + r.key);
    }
  }
  std::stable_sort(terms.begin(), terms.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out;
  for (const auto& term : terms) out += (out.empty() ? "" : ",") + term.second;
  return out;
}

}  // namespace devflow::api
