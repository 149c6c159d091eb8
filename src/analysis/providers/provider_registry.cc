#include "analysis/providers/provider_registry.h"

#include <cstdlib>
#include <utility>

#include "analysis/providers/haproxy_provider.h"
#include "analysis/providers/job_provider.h"
#include "analysis/providers/judge_provider.h"
#include "analysis/providers/prometheus_provider.h"
#include "analysis/providers/web_provider.h"
#include "api/pod_codec.h"
#include "kube/api_client.h"
#include "kube/typed_client.h"

namespace devflow::analysis::providers {
namespace {

std::string Join(const std::vector<std::string>& names) {
  std::string joined;
  for (const std::string& name : names) {
    if (!joined.empty()) joined += ", ";
    joined += name;
  }
  return joined;
}

}  // namespace

ProviderEnvironment ProviderEnvironment::FromProcess(kube::ApiClient* client) {
  return ProviderEnvironment{
      .client = client,
      .getenv =
          [](std::string_view name) {
            const char* value = std::getenv(std::string(name).c_str());
            return value != nullptr ? std::string(value) : std::string();
          },
  };
}

std::string ProviderEnvironment::Get(std::string_view name) const {
  return getenv ? getenv(name) : std::string();
}

std::map<std::string, ProviderFactory, std::less<>> BuiltinProviderFactories() {
  return {
      {"prometheus",
       [](const ProviderEnvironment& env) -> std::unique_ptr<MetricProvider> {
         return std::make_unique<PrometheusProvider>(
             PrometheusProviderOptions{.default_address = env.Get(kPrometheusAddressEnv)});
       }},
      {"web",
       [](const ProviderEnvironment&) -> std::unique_ptr<MetricProvider> {
         return std::make_unique<WebProvider>();
       }},
      {"haproxy",
       [](const ProviderEnvironment& env) -> std::unique_ptr<MetricProvider> {
         HaproxyProviderOptions options{.default_socket = env.haproxy_socket};
         if (env.client != nullptr) {
           // HAProxy's servers are the pods: a revision's are those carrying its hash.
           options.revision_servers =
               [client = env.client](const std::string& namespace_,
                                     const std::string& hash) -> Result<std::set<std::string>> {
             kube::ListRequest request;
             request.label_selector = "rollouts-pod-template-hash=" + hash;
             DEVFLOW_ASSIGN_OR_RETURN(
                 kube::ObjectList pods,
                 client->ListAll(kube::ResourceOf<api::Pod>(), namespace_, request));
             std::set<std::string> names;
             for (const json::Value& pod : pods.items) {
               names.insert(json::StringAt(pod, {"metadata", "name"}));
             }
             return names;
           };
         }
         return std::make_unique<HaproxyProvider>(std::move(options));
       }},
      {"job",
       [](const ProviderEnvironment& env) -> std::unique_ptr<MetricProvider> {
         return env.client != nullptr ? std::make_unique<JobProvider>(*env.client) : nullptr;
       }},
      {"judge",
       [](const ProviderEnvironment& env) -> std::unique_ptr<MetricProvider> {
         return std::make_unique<JudgeProvider>(
             JudgeProviderOptions{.default_address = env.Get(kPrometheusAddressEnv)});
       }},
  };
}

ProviderRegistry::ProviderRegistry(
    const ProviderEnvironment& env,
    const std::map<std::string, ProviderFactory, std::less<>>& factories) {
  for (const auto& [name, factory] : factories) {
    if (std::unique_ptr<MetricProvider> provider = factory(env)) {
      providers_.emplace(name, std::move(provider));
    }
  }
}

Result<MetricProvider*> ProviderRegistry::Find(const api::MetricProvider& provider) const {
  std::vector<std::string> set;
  for (std::string_view name : api::SetProviders(provider)) {
    set.push_back(name == "plugin" ? "plugin/" + provider.plugin.begin()->first
                                   : std::string(name));
  }
  for (const auto& [key, value] : provider.extra) set.push_back(key);
  if (set.empty()) {
    return InvalidArgumentError("metric sets no provider (devflow supports: " + Join(Names()) + ")",
                                "provider");
  }
  if (set.size() > 1) {
    return InvalidArgumentError("metric sets more than one provider: " + Join(set), "provider");
  }
  const auto found = providers_.find(set.front());
  if (found == providers_.end() || found->second == nullptr) {
    const std::string key = set.front().substr(0, set.front().find('/'));
    return InvalidArgumentError("provider " + set.front() + " is not supported by devflow " +
                                    "(supported: " + Join(Names()) + ")",
                                "provider." + key);
  }
  return found->second.get();
}

std::vector<std::string> ProviderRegistry::Names() const {
  std::vector<std::string> names;
  for (const auto& [name, provider] : providers_) names.push_back(name);
  return names;
}

}  // namespace devflow::analysis::providers
