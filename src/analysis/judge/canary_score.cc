#include "analysis/judge/canary_score.h"

#include <cmath>
#include <cstdio>
#include <utility>

#include "api/analysis.h"

namespace devflow::analysis::judge {
namespace {

// Kayenta fails the canary when this share (percent) of the metrics or more have no data.
constexpr double kNoDataFailPercent = 50;

// Up to 2 decimals, without trailing zeros: "66.67", "50", "97.5".
std::string Score(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f", v);
  std::string s = buffer;
  while (s.find('.') != std::string::npos && (s.back() == '0' || s.back() == '.')) {
    const bool dot = s.back() == '.';
    s.pop_back();
    if (dot) break;
  }
  return s;
}

bool Fails(Classification c) {
  return c == Classification::kHigh || c == Classification::kLow ||
         c == Classification::kNoDataFail;
}

std::vector<GroupScore> ScoreGroups(const std::vector<MetricOutcome>& metrics,
                                    const std::map<std::string, double>& group_weights) {
  std::map<std::string, GroupScore> by_name;
  for (const MetricOutcome& m : metrics) {
    GroupScore& g = by_name[m.group];
    g.name = m.group;
    const Classification c = m.classification.classification;
    if (c == Classification::kPass) {
      ++g.pass;
    } else if (Fails(c)) {
      ++g.failed;
    } else {
      ++g.nodata;
    }
  }
  double explicit_total = 0;
  int unweighted = 0;
  for (const auto& [name, g] : by_name) {
    if (auto it = group_weights.find(name); it != group_weights.end()) {
      explicit_total += it->second;
    } else {
      ++unweighted;
    }
  }
  const double shared = unweighted > 0 ? (100 - explicit_total) / unweighted : 0;
  std::vector<GroupScore> groups;
  for (auto& [name, g] : by_name) {
    auto it = group_weights.find(name);
    g.weight = it != group_weights.end() ? it->second : shared;
    const int counted = g.pass + g.failed;
    g.no_data = counted == 0;
    g.score = g.no_data ? 100 : 100.0 * g.pass / counted;
    groups.push_back(g);
  }
  return groups;
}

}  // namespace

std::string_view VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kPass:
      return "Pass";
    case Verdict::kMarginal:
      return "Marginal";
    case Verdict::kFail:
      return "Fail";
  }
  return "Fail";
}

std::string_view VerdictPhase(Verdict verdict) {
  switch (verdict) {
    case Verdict::kPass:
      return api::analysis_phase::kSuccessful;
    case Verdict::kMarginal:
      return api::analysis_phase::kInconclusive;
    case Verdict::kFail:
      return api::analysis_phase::kFailed;
  }
  return api::analysis_phase::kFailed;
}

CanaryScore ScoreCanary(std::vector<MetricOutcome> metrics,
                        const std::map<std::string, double>& group_weights,
                        const ScoreThresholds& thresholds) {
  CanaryScore out;
  out.metrics = std::move(metrics);
  out.groups = ScoreGroups(out.metrics, group_weights);

  int nodata = 0;
  for (const MetricOutcome& m : out.metrics) {
    if (m.classification.critical && m.classification.classification != Classification::kPass &&
        out.forced_reason.empty()) {
      out.forced_reason = "critical metric " + m.name + " failed: " + m.classification.reason;
    }
    nodata += m.classification.classification == Classification::kNoData ? 1 : 0;
  }
  if (out.metrics.empty()) {
    out.forced_reason = "no metrics to judge";
  } else if (out.forced_reason.empty() &&
             100.0 * nodata / static_cast<double>(out.metrics.size()) >= kNoDataFailPercent) {
    out.forced_reason = std::to_string(nodata) + " of " + std::to_string(out.metrics.size()) +
                        " metrics had no data (the judge fails at 50% or more)";
  }

  if (out.forced_reason.empty()) {
    double sum = 0;
    for (const GroupScore& g : out.groups) {
      sum += g.score * g.weight / 100;
    }
    out.score = std::round(sum * 100) / 100;
  }
  out.verdict = out.score >= thresholds.pass       ? Verdict::kPass
                : out.score >= thresholds.marginal ? Verdict::kMarginal
                                                   : Verdict::kFail;
  return out;
}

CanaryScore JudgeCanary(const JudgeConfig& config, const std::vector<MetricSamples>& samples) {
  std::vector<MetricOutcome> outcomes;
  outcomes.reserve(config.metrics.size());
  for (const JudgeMetric& metric : config.metrics) {
    const MetricSamples* found = nullptr;
    for (const MetricSamples& s : samples) {
      if (s.name == metric.name) {
        found = &s;
        break;
      }
    }
    const std::vector<double> none;
    outcomes.push_back(MetricOutcome{
        .name = metric.name,
        .group = metric.group,
        .classification = ClassifyMetric(found ? found->canary : none,
                                         found ? found->baseline : none, metric.criteria),
    });
  }
  return ScoreCanary(std::move(outcomes), config.group_weights, config.thresholds);
}

std::string DescribeScore(const CanaryScore& score, const ScoreThresholds& thresholds) {
  std::string text = "score " + Score(score.score) + ": " +
                     std::string(VerdictName(score.verdict)) + " (pass " + Score(thresholds.pass) +
                     ", marginal " + Score(thresholds.marginal) + ")";
  if (!score.forced_reason.empty()) {
    text += "; " + score.forced_reason;
  }
  int passed = 0;
  for (const MetricOutcome& m : score.metrics) {
    passed += m.classification.classification == Classification::kPass ? 1 : 0;
  }
  text += "; " + std::to_string(passed) + " of " + std::to_string(score.metrics.size()) +
          " metrics passed";
  for (const MetricOutcome& m : score.metrics) {
    if (m.classification.classification == Classification::kPass) {
      continue;
    }
    text += "; " + m.name + ": " + std::string(ClassificationName(m.classification.classification));
    if (!m.classification.reason.empty()) {
      text += ", " + m.classification.reason;
    }
  }
  return text;
}

}  // namespace devflow::analysis::judge
