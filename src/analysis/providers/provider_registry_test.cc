#include "analysis/providers/provider_registry.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "analysis/providers/prometheus_provider.h"
#include "analysis/providers/web_provider.h"

namespace devflow::analysis::providers {
namespace {

// A provider that answers a fixed value, to tell registered providers apart.
class FixedProvider : public MetricProvider {
 public:
  explicit FixedProvider(std::string value) : value_(std::move(value)) {}
  Result<Reading> Measure(const MeasurementRequest&) override {
    return Reading{.result = json::Value(value_), .value = value_};
  }

 private:
  std::string value_;
};

api::MetricProvider Prometheus() {
  api::MetricProvider p;
  p.prometheus = api::PrometheusMetric{};
  return p;
}
api::MetricProvider Web() {
  api::MetricProvider p;
  p.web = api::WebMetric{};
  return p;
}

TEST(ProviderRegistryTest, GivenTheBuiltinFactoriesWhenListedThenEveryProviderDevflowHas) {
  ProviderRegistry registry(ProviderEnvironment{});
  EXPECT_EQ(registry.Names(), (std::vector<std::string>{"haproxy", "judge", "prometheus", "web"}));
}

TEST(ProviderRegistryTest, GivenASupportedProviderWhenFoundThenTheProviderOfThatKind) {
  ProviderRegistry registry(ProviderEnvironment{});
  Result<MetricProvider*> prometheus = registry.Find(Prometheus());
  ASSERT_TRUE(prometheus.ok()) << prometheus.error();
  EXPECT_NE(dynamic_cast<PrometheusProvider*>(*prometheus), nullptr);
  Result<MetricProvider*> web = registry.Find(Web());
  ASSERT_TRUE(web.ok()) << web.error();
  EXPECT_NE(dynamic_cast<WebProvider*>(*web), nullptr);
  // Built once: the same object every time.
  EXPECT_EQ(*registry.Find(Web()), *web);
}

TEST(ProviderRegistryTest, GivenProviderBlocksDevflowCannotServeWhenFoundThenErrorsNamingThem) {
  struct Row {
    const char* name;
    api::MetricProvider provider;
    std::string message;
    std::string field_path;
  };
  api::MetricProvider datadog;
  datadog.datadog = json::Object{{"query", "avg:x"}};
  api::MetricProvider kayenta;
  kayenta.kayenta = json::Object{};
  api::MetricProvider plugin;
  plugin.plugin["argoproj-labs/sample"] = json::Object{};
  api::MetricProvider unknown;
  unknown.extra.Set("statsd", json::Object{});
  api::MetricProvider two = Web();
  two.job = api::JobMetric{};
  const Row rows[] = {
      {"none", api::MetricProvider{},
       "metric sets no provider (devflow supports: haproxy, judge, prometheus, web)", "provider"},
      {"datadog", datadog,
       "provider datadog is not supported by devflow (supported: haproxy, judge, prometheus, web)",
       "provider.datadog"},
      {"kayenta", kayenta,
       "provider kayenta is not supported by devflow (supported: haproxy, judge, prometheus, web)",
       "provider.kayenta"},
      {"plugin", plugin,
       "provider plugin/argoproj-labs/sample is not supported by devflow (supported: "
       "haproxy, judge, prometheus, web)",
       "provider.plugin"},
      {"unknown_key", unknown,
       "provider statsd is not supported by devflow (supported: haproxy, judge, prometheus, web)",
       "provider.statsd"},
      {"two", two, "metric sets more than one provider: job, web", "provider"},
  };
  ProviderRegistry registry(ProviderEnvironment{});
  for (const Row& row : rows) {
    Result<MetricProvider*> found = registry.Find(row.provider);
    ASSERT_FALSE(found.ok()) << row.name;
    EXPECT_EQ(found.error().code(), StatusCode::kInvalidArgument) << row.name;
    EXPECT_EQ(found.error().message(), row.message) << row.name;
    EXPECT_EQ(found.error().field_path(), row.field_path) << row.name;
  }
}

TEST(ProviderRegistryTest, GivenFactoriesWhenBuiltThenEachGetsTheEnvironmentOnce) {
  int built = 0;
  std::map<std::string, ProviderFactory, std::less<>> factories{
      {"web", [&built](const ProviderEnvironment& env) -> std::unique_ptr<MetricProvider> {
         ++built;
         return std::make_unique<FixedProvider>(env.Get("ANSWER"));
       }}};
  ProviderEnvironment env{.getenv = [](std::string_view name) {
    return name == "ANSWER" ? std::string("42") : std::string();
  }};
  ProviderRegistry registry(env, factories);
  EXPECT_EQ(built, 1);
  EXPECT_EQ(registry.Names(), (std::vector<std::string>{"web"}));
  Result<MetricProvider*> web = registry.Find(Web());
  ASSERT_TRUE(web.ok()) << web.error();
  api::AnalysisRun run;
  api::Metric metric;
  Result<Reading> reading = (*web)->Measure(MeasurementRequest{run, metric, api::TimePoint{}});
  ASSERT_TRUE(reading.ok());
  EXPECT_EQ(reading->value, "42");
  // Prometheus is not among these factories.
  EXPECT_FALSE(registry.Find(Prometheus()).ok());
}

TEST(ProviderEnvironmentTest, GivenAnEnvironmentWhenAVariableIsReadThenFromItsGetenvOrUnset) {
  EXPECT_EQ(ProviderEnvironment{}.Get("PATH"), "");
  ::setenv("DEVFLOW_PROVIDER_REGISTRY_TEST", "x", 1);
  EXPECT_EQ(ProviderEnvironment::FromProcess(nullptr).Get("DEVFLOW_PROVIDER_REGISTRY_TEST"), "x");
  ::unsetenv("DEVFLOW_PROVIDER_REGISTRY_TEST");
}

}  // namespace
}  // namespace devflow::analysis::providers
