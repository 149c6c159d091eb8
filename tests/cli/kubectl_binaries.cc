#include "kubectl_binaries.h"

#include <algorithm>
#include <filesystem>

namespace devflow::testing {

std::vector<std::string> KubectlBinaries() {
  std::vector<std::string> versioned;
  std::error_code error;
  for (const auto& entry :
       std::filesystem::directory_iterator("/usr/lib/google-cloud-sdk/bin", error)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("kubectl.1.", 0) == 0) versioned.push_back(entry.path().string());
  }
  auto minor = [](const std::string& p) { return std::stoi(p.substr(p.rfind('.') + 1)); };
  std::sort(versioned.begin(), versioned.end(),
            [&](const std::string& a, const std::string& b) { return minor(a) < minor(b); });
  if (versioned.size() >= 2) return {versioned.front(), versioned.back()};
  if (!versioned.empty()) return versioned;
  for (const char* path : {"/usr/bin/kubectl", "/usr/local/bin/kubectl"}) {
    if (std::filesystem::exists(path)) return {path};
  }
  return {};
}

std::vector<std::string> KubectlTestParams() {
  std::vector<std::string> binaries = KubectlBinaries();
  if (binaries.empty()) binaries.push_back("");
  return binaries;
}

}  // namespace devflow::testing
