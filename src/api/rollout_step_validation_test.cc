// Validation of canary steps and of the analyses and experiments they start.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "api/rollout_testing.h"
#include "api/rollout_validation.h"

namespace devflow::api {
namespace {

using namespace rollout_testing;  // NOLINT: test helpers

const std::string C = kCanary;
const std::string kManagedRoutes = "spec.strategy.canary.trafficRouting.managedRoutes";

CanaryStep& Step(Rollout& r, size_t i) { return CanaryOf(r).steps[i]; }

// A step at index 0 holding only what `fill` sets.
CanaryStep& OnlyStep(Rollout& r) {
  CanaryOf(r).steps = {CanaryStep{}};
  return CanaryOf(r).steps[0];
}

RolloutAnalysisArgument Arg(std::string name, std::optional<std::string> value) {
  RolloutAnalysisArgument a;
  a.name = std::move(name);
  a.value = std::move(value);
  return a;
}

RolloutAnalysisArgument FieldRefArg(std::string name, std::string field_path) {
  RolloutAnalysisArgument a;
  a.name = std::move(name);
  a.value_from.emplace().field_ref.emplace().field_path = std::move(field_path);
  return a;
}

RolloutExperimentTemplate ExperimentTemplate(std::string name, std::string spec_ref) {
  RolloutExperimentTemplate t;
  t.name = std::move(name);
  t.spec_ref = std::move(spec_ref);
  return t;
}

RolloutExperimentStep& ExperimentStep(Rollout& r) {
  RolloutExperimentStep& e = OnlyStep(r).experiment.emplace();
  e.templates = {ExperimentTemplate("baseline", "stable"), ExperimentTemplate("canary", "canary")};
  return e;
}

// The message std::regex gives for `pattern`, which the validation quotes.
std::string RegexError(const std::string& pattern) {
  try {
    std::regex compiled(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    return e.what();
  }
  return "(compiles)";
}

TEST(RolloutStepValidationTest, PrimaryActions) {
  RunValidationTable({
      {"two primaries",
       [](Rollout& r) { Step(r, 0).pause.emplace(); },
       {C + "steps[0]: sets setWeight and pause: a step takes at most one of setWeight, pause, "
            "experiment and analysis; split it into several steps"}},
      {"three primaries",
       [](Rollout& r) {
         Step(r, 1).set_weight = 10;
         Step(r, 1).analysis = ValidAnalysis();
       },
       {C + "steps[1]: sets setWeight, pause and analysis: a step takes at most one of setWeight, "
            "pause, experiment and analysis; split it into several steps"}},
      {"a primary with modifiers",
       [](Rollout& r) {
         UseIstioSubsets(r);
         AddManagedRoute(r, "h");
         Step(r, 0).set_canary_scale.emplace().replicas = 1;
         Step(r, 0).set_header_route.emplace().name = "h";
         Step(r, 0).plugin.emplace().name = "p";
       },
       {}},
      {"empty step",
       [](Rollout& r) { CanaryOf(r).steps.push_back(CanaryStep{}); },
       {C + "steps[2]: is empty: set one of setWeight, pause, analysis, experiment, "
            "setCanaryScale, setHeaderRoute, setMirrorRoute or plugin"}},
      {"a modifier alone is a step",
       [](Rollout& r) { OnlyStep(r).plugin.emplace().name = "p"; },
       {}},
      {"setWeight over 100",
       [](Rollout& r) { Step(r, 0).set_weight = 120; },
       {C + "steps[0].setWeight: must be 0..100, got 120"}},
      {"setWeight negative",
       [](Rollout& r) { Step(r, 0).set_weight = -1; },
       {C + "steps[0].setWeight: must be 0..100, got -1"}},
      {"setWeight bounds",
       [](Rollout& r) {
         Step(r, 0).set_weight = 0;
         CanaryOf(r).steps.push_back(CanaryStep{});
         CanaryOf(r).steps.back().set_weight = 100;
       },
       {}},
      {"setWeight within maxTrafficWeight",
       [](Rollout& r) {
         UseNginx(r);
         Routing(r).max_traffic_weight = 1000;
         Step(r, 0).set_weight = 500;
       },
       {}},
      {"setWeight over maxTrafficWeight",
       [](Rollout& r) {
         UseNginx(r);
         Routing(r).max_traffic_weight = 1000;
         Step(r, 0).set_weight = 1200;
       },
       {C + "steps[0].setWeight: must be 0..1000, got 1200"}},
  });
}

TEST(RolloutStepValidationTest, Pause) {
  auto with_duration = [](IntOrString d) {
    return [d](Rollout& r) { Step(r, 1).pause->duration = d; };
  };
  RunValidationTable({
      {"seconds as an integer", with_duration(int64_t{10}), {}},
      {"seconds as a string", with_duration("30"), {}},
      {"a Go duration", with_duration("1h30m"), {}},
      {"not a duration",
       with_duration("abc"),
       {C + "steps[1].pause.duration: must be a number of seconds or a duration like \"30s\", "
            "\"5m\", \"1h\", got \"abc\""}},
      {"unknown unit",
       with_duration("10d"),
       {C + "steps[1].pause.duration: must be a number of seconds or a duration like \"30s\", "
            "\"5m\", \"1h\", got \"10d\""}},
      {"negative seconds",
       with_duration(int64_t{-5}),
       {C + "steps[1].pause.duration: must be at least 0 seconds, got -5"}},
      {"negative duration",
       with_duration("-5s"),
       {C + "steps[1].pause.duration: must not be negative, got \"-5s\""}},
  });
}

TEST(RolloutStepValidationTest, SetCanaryScale) {
  RunValidationTable({
      {"without trafficRouting",
       [](Rollout& r) { OnlyStep(r).set_canary_scale.emplace().replicas = 1; },
       {C + "steps[0].setCanaryScale: requires spec.strategy.canary.trafficRouting: without a "
            "router the canary's size is its traffic share, set by setWeight"}},
      {"with trafficRouting",
       [](Rollout& r) {
         UseIstioSubsets(r);
         OnlyStep(r).set_canary_scale.emplace().weight = 50;
       },
       {}},
      {"out of range",
       [](Rollout& r) {
         UseIstioSubsets(r);
         SetCanaryScale& s = OnlyStep(r).set_canary_scale.emplace();
         s.weight = 150;
         s.replicas = -1;
       },
       {C + "steps[0].setCanaryScale.weight: must be 0..100, got 150",
        C + "steps[0].setCanaryScale.replicas: must be >= 0, got -1"}},
  });
}

TEST(RolloutStepValidationTest, SetHeaderRoute) {
  const std::string route = C + "steps[0].setHeaderRoute";
  auto header_route = [](Rollout& r) -> SetHeaderRoute& {
    SetHeaderRoute& h = OnlyStep(r).set_header_route.emplace();
    h.name = "h";
    RolloutStringMatch exact;
    exact.exact = "yes";
    h.match.push_back(HeaderRoutingMatch{"X-Canary", exact, {}});
    return h;
  };
  auto istio = [](Rollout& r) {
    UseIstioSubsets(r);
    AddManagedRoute(r, "h");
  };
  RunValidationTable({
      {"valid with istio",
       [=](Rollout& r) {
         istio(r);
         header_route(r);
       },
       {}},
      {"without trafficRouting",
       [=](Rollout& r) { header_route(r); },
       {route + ": requires trafficRouting with istio, alb, apisix or plugins"}},
      {"with nginx only",
       [=](Rollout& r) {
         UseNginx(r);
         AddManagedRoute(r, "h");
         header_route(r);
       },
       {route + ": requires trafficRouting with istio, alb, apisix or plugins"}},
      {"with plugins",
       [=](Rollout& r) {
         Routing(r).plugins["example/router"] = json::Object{};
         AddManagedRoute(r, "h");
         header_route(r);
       },
       {}},
      {"no managedRoutes",
       [=](Rollout& r) {
         UseIstioSubsets(r);
         header_route(r);
       },
       {route + ".name: must be a route listed in " + kManagedRoutes +
        ", got \"h\" (none listed)"}},
      {"name not listed",
       [=](Rollout& r) {
         UseIstioSubsets(r);
         AddManagedRoute(r, "a");
         AddManagedRoute(r, "b");
         header_route(r);
       },
       {route + ".name: must be a route listed in " + kManagedRoutes +
        ", got \"h\" (listed: \"a\" and \"b\")"}},
      {"name missing",
       [=](Rollout& r) {
         istio(r);
         header_route(r).name.clear();
       },
       {route + ".name: is required: a route listed in " + kManagedRoutes + " (listed: \"h\")"}},
      {"no match removes the route",
       [=](Rollout& r) {
         istio(r);
         header_route(r).match.clear();
       },
       {}},
      {"match without header name or value",
       [=](Rollout& r) {
         istio(r);
         header_route(r).match = {HeaderRoutingMatch{}};
       },
       {route + ".match[0].headerName: is required: the request header to match",
        route + ".match[0].headerValue: is required: one of exact, prefix or regex"}},
      {"value with no condition",
       [=](Rollout& r) {
         istio(r);
         header_route(r).match[0].header_value = RolloutStringMatch{};
       },
       {route + ".match[0].headerValue: must set one of exact, prefix or regex, got none"}},
      {"value with two conditions",
       [=](Rollout& r) {
         istio(r);
         header_route(r).match[0].header_value->regex = "y.*";
       },
       {route + ".match[0].headerValue: must set exactly one of exact, prefix or regex, got "
                "exact and regex"}},
      {"regex that does not compile",
       [=](Rollout& r) {
         istio(r);
         RolloutStringMatch m;
         m.regex = "(canary";
         header_route(r).match[0].header_value = m;
       },
       {route +
        ".match[0].headerValue.regex: must be a valid regular expression, got "
        "\"(canary\": " +
        RegexError("(canary")}},
      {"alb takes exact only",
       [=](Rollout& r) {
         UseAlb(r);
         AddManagedRoute(r, "h");
         RolloutStringMatch m;
         m.prefix = "y";
         header_route(r).match[0].header_value = m;
       },
       {route + ".match[0].headerValue: must use exact only: the alb router matches no prefix "
                "or regex"}},
      {"alb with exact",
       [=](Rollout& r) {
         UseAlb(r);
         AddManagedRoute(r, "h");
         header_route(r);
       },
       {}},
  });
}

TEST(RolloutStepValidationTest, SetMirrorRoute) {
  const std::string route = C + "steps[0].setMirrorRoute";
  auto mirror_route = [](Rollout& r) -> SetMirrorRoute& {
    SetMirrorRoute& m = OnlyStep(r).set_mirror_route.emplace();
    m.name = "m";
    MirrorRouteMatch match;
    match.method.emplace().exact = "GET";
    m.match.push_back(match);
    m.percentage = 50;
    return m;
  };
  auto istio = [](Rollout& r) {
    UseIstioSubsets(r);
    AddManagedRoute(r, "m");
  };
  RunValidationTable({
      {"valid with istio",
       [=](Rollout& r) {
         istio(r);
         mirror_route(r);
       },
       {}},
      {"with alb",
       [=](Rollout& r) {
         UseAlb(r);
         AddManagedRoute(r, "m");
         mirror_route(r);
       },
       {route + ": requires trafficRouting with istio or plugins"}},
      {"without trafficRouting",
       [=](Rollout& r) { mirror_route(r); },
       {route + ": requires trafficRouting with istio or plugins"}},
      {"name not listed",
       [=](Rollout& r) {
         UseIstioSubsets(r);
         AddManagedRoute(r, "h");
         mirror_route(r);
       },
       {route + ".name: must be a route listed in " + kManagedRoutes +
        ", got \"m\" (listed: \"h\")"}},
      {"percentage over 100",
       [=](Rollout& r) {
         istio(r);
         mirror_route(r).percentage = 150;
       },
       {route + ".percentage: must be 0..100, got 150"}},
      {"string matches",
       [=](Rollout& r) {
         istio(r);
         MirrorRouteMatch& m = mirror_route(r).match[0];
         m.method = RolloutStringMatch{};
         m.path.emplace().regex = "[";
         RolloutStringMatch two;
         two.exact = "1";
         two.prefix = "1";
         m.headers["X-Debug"] = two;
       },
       {route + ".match[0].method: must set one of exact, prefix or regex, got none",
        route + ".match[0].path.regex: must be a valid regular expression, got \"[\": " +
            RegexError("["),
        route + ".match[0].headers.X-Debug: must set exactly one of exact, prefix or regex, got "
                "exact and prefix"}},
  });
}

TEST(RolloutStepValidationTest, Plugin) {
  RunValidationTable({
      {"name missing",
       [](Rollout& r) { OnlyStep(r).plugin.emplace(); },
       {C + "steps[0].plugin.name: is required: the step plugin's name as configured in "
            "argo-rollouts-config"}},
  });
}

TEST(RolloutStepValidationTest, Analysis) {
  const std::string a = C + "steps[0].analysis.";
  auto analysis = [](Rollout& r) -> RolloutAnalysis& {
    return OnlyStep(r).analysis.emplace(ValidAnalysis());
  };
  RunValidationTable({
      {"valid",
       [=](Rollout& r) {
         RolloutAnalysis& x = analysis(r);
         x.args = {Arg("service", "web"), Arg("empty", ""), FieldRefArg("ns", "metadata.namespace"),
                   FieldRefArg("app", "metadata.labels['app']"),
                   FieldRefArg("replicas", "spec.replicas")};
         x.args.push_back(Arg("hash", std::nullopt));
         x.args.back().value_from.emplace().pod_template_hash_value = "Stable";
         x.dry_run = {RolloutDryRun{".*", {}}};
         x.measurement_retention = {RolloutMeasurementRetention{"latency", 20, {}}};
       },
       {}},
      {"no templates",
       [](Rollout& r) { OnlyStep(r).analysis.emplace(); },
       {a + "templates: must list at least one template: {templateName: <name>}"}},
      {"template without a name",
       [=](Rollout& r) { analysis(r).templates.emplace_back(); },
       {a + "templates[1].templateName: is required: the AnalysisTemplate (or, with "
            "clusterScope: true, ClusterAnalysisTemplate) to run"}},
      {"argument names",
       [=](Rollout& r) {
         analysis(r).args = {Arg("", "x"), Arg("a", "1"), Arg("a", "2")};
       },
       {a + "args[0].name: is required: the template argument this value is for",
        a + "args[2].name: must be unique; \"a\" is also args[1]"}},
      {"argument without a value",
       [=](Rollout& r) { analysis(r).args = {Arg("a", std::nullopt)}; },
       {a + "args[0]: must set value or valueFrom"}},
      {"argument with value and valueFrom",
       [=](Rollout& r) {
         RolloutAnalysisArgument arg = FieldRefArg("a", "metadata.name");
         arg.value = "x";
         analysis(r).args = {arg};
       },
       {a + "args[0]: must set value or valueFrom, not both"}},
      {"valueFrom with neither source",
       [=](Rollout& r) {
         RolloutAnalysisArgument arg = Arg("a", std::nullopt);
         arg.value_from.emplace();
         analysis(r).args = {arg};
       },
       {a + "args[0].valueFrom: must set exactly one of podTemplateHashValue or fieldRef, got "
            "neither"}},
      {"valueFrom with both sources",
       [=](Rollout& r) {
         RolloutAnalysisArgument arg = FieldRefArg("a", "metadata.name");
         arg.value_from->pod_template_hash_value = "Latest";
         analysis(r).args = {arg};
       },
       {a + "args[0].valueFrom: must set exactly one of podTemplateHashValue or fieldRef, got "
            "both"}},
      {"podTemplateHashValue",
       [=](Rollout& r) {
         RolloutAnalysisArgument arg = Arg("a", std::nullopt);
         arg.value_from.emplace().pod_template_hash_value = "Canary";
         analysis(r).args = {arg};
       },
       {a + "args[0].valueFrom.podTemplateHashValue: must be Stable or Latest, got \"Canary\""}},
      {"fieldRef without a path",
       [=](Rollout& r) { analysis(r).args = {FieldRefArg("a", "")}; },
       {a + "args[0].valueFrom.fieldRef.fieldPath: is required: a path into the Rollout such as "
            "metadata.name"}},
      {"fieldRef metadata path outside the downward API",
       [=](Rollout& r) {
         analysis(r).args = {FieldRefArg("a", "metadata.generation"),
                             FieldRefArg("b", "metadata.labels[app]")};
       },
       {a + "args[0].valueFrom.fieldRef.fieldPath: must be a downward-API metadata path "
            "(metadata.name, metadata.namespace, metadata.uid, metadata.labels['<key>'] or "
            "metadata.annotations['<key>']), got \"metadata.generation\"",
        a + "args[1].valueFrom.fieldRef.fieldPath: must be a downward-API metadata path "
            "(metadata.name, metadata.namespace, metadata.uid, metadata.labels['<key>'] or "
            "metadata.annotations['<key>']), got \"metadata.labels[app]\""}},
      {"dryRun and measurementRetention",
       [=](Rollout& r) {
         RolloutAnalysis& x = analysis(r);
         x.dry_run = {RolloutDryRun{}};
         x.measurement_retention = {RolloutMeasurementRetention{"", -1, {}}};
       },
       {a + "dryRun[0].metricName: is required: a metric name or a regular expression such as "
            "\".*\"",
        a + "measurementRetention[0].metricName: is required: a metric name or a regular "
            "expression such as \".*\"",
        a + "measurementRetention[0].limit: must be >= 0, got -1"}},
      {"analysisRunMetadata",
       [=](Rollout& r) {
         analysis(r).analysis_run_metadata.emplace().labels = {{"team", "a b"}};
       },
       {a + "analysisRunMetadata.labels.team: must be empty or at most 63 letters, digits, '-', "
            "'_' and '.', starting and ending with a letter or digit, got \"a b\""}},
  });
}

TEST(RolloutStepValidationTest, Experiment) {
  const std::string e = C + "steps[0].experiment.";
  RunValidationTable({
      {"valid",
       [](Rollout& r) {
         RolloutExperimentStep& x = ExperimentStep(r);
         x.duration = "30m";
         x.templates[0].replicas = 1;
         x.templates[0].service.emplace().name = "baseline-svc";
         x.analyses.push_back(RolloutExperimentAnalysis{"compare", "judge", {}, {}, true, {}});
         x.dry_run = {RolloutDryRun{"latency", {}}};
         x.scale_down_delay_seconds = 0;
       },
       {}},
      {"duration from an argument",
       [](Rollout& r) { ExperimentStep(r).duration = "{{args.duration}}"; },
       {}},
      {"no templates",
       [](Rollout& r) { ExperimentStep(r).templates.clear(); },
       {e + "templates: must list at least one template: {name, specRef: canary|stable}"}},
      {"template names",
       [](Rollout& r) {
         RolloutExperimentStep& x = ExperimentStep(r);
         x.templates[0].name.clear();
         x.templates.push_back(ExperimentTemplate("canary", "canary"));
       },
       {e + "templates[0].name: is required: the template's name, unique in the step",
        e + "templates[2].name: must be unique in the step; \"canary\" is also templates[1]"}},
      {"specRef",
       [](Rollout& r) { ExperimentStep(r).templates[1].spec_ref = "preview"; },
       {e + "templates[1].specRef: must be canary or stable, got \"preview\""}},
      {"negative replicas",
       [](Rollout& r) { ExperimentStep(r).templates[0].replicas = -1; },
       {e + "templates[0].replicas: must be >= 0, got -1"}},
      {"weight without trafficRouting",
       [](Rollout& r) { ExperimentStep(r).templates[0].weight = 10; },
       {e + "templates[0].weight: requires trafficRouting with smi, alb, istio or plugins (the "
            "routers that can send traffic to an experiment)"}},
      {"weight with nginx",
       [](Rollout& r) {
         UseNginx(r);
         ExperimentStep(r).templates[0].weight = 10;
       },
       {e + "templates[0].weight: requires trafficRouting with smi, alb, istio or plugins (the "
            "routers that can send traffic to an experiment)"}},
      {"weight with istio",
       [](Rollout& r) {
         UseIstioSubsets(r);
         ExperimentStep(r).templates[0].weight = 10;
       },
       {}},
      {"weight over 100",
       [](Rollout& r) {
         UseIstioSubsets(r);
         ExperimentStep(r).templates[0].weight = 150;
       },
       {e + "templates[0].weight: must be 0..100, got 150"}},
      {"template metadata and service",
       [](Rollout& r) {
         RolloutExperimentTemplate& t = ExperimentStep(r).templates[0];
         t.metadata.labels = {{"exp", "-x"}};
         t.service.emplace().name = "Baseline";
       },
       {e + "templates[0].metadata.labels.exp: must be empty or at most 63 letters, digits, '-', "
            "'_' and '.', starting and ending with a letter or digit, got \"-x\"",
        e + "templates[0].service.name: must be a Service name: must be at most 63 lowercase "
            "letters, digits and '-', starting and ending with a letter or digit, got "
            "\"Baseline\""}},
      {"duration not a Go duration",
       [](Rollout& r) { ExperimentStep(r).duration = "30"; },
       {e + "duration: must be a duration like \"30s\", \"1m30s\", \"2h\" or \"300ms\", got "
            "\"30\""}},
      {"negative duration",
       [](Rollout& r) { ExperimentStep(r).duration = "-1m"; },
       {e + "duration: must not be negative, got \"-1m\""}},
      {"analyses",
       [](Rollout& r) {
         RolloutExperimentStep& x = ExperimentStep(r);
         x.analyses = {
             RolloutExperimentAnalysis{"", "t", {}, {}, false, {}},
             RolloutExperimentAnalysis{"a", "", {}, {}, false, {}},
             RolloutExperimentAnalysis{"a", "t", {}, {Arg("p", std::nullopt)}, false, {}}};
       },
       {e + "analyses[0].name: is required: the analysis's name, unique in the step",
        e + "analyses[1].templateName: is required: the AnalysisTemplate (or "
            "ClusterAnalysisTemplate) to run",
        e + "analyses[2].name: must be unique in the step; \"a\" is also analyses[1]",
        e + "analyses[2].args[0]: must set value or valueFrom"}},
      {"dryRun, delay and metadata",
       [](Rollout& r) {
         RolloutExperimentStep& x = ExperimentStep(r);
         x.dry_run = {RolloutDryRun{}};
         x.scale_down_delay_seconds = -1;
         x.analysis_run_metadata.annotations = {{"bad key", "v"}};
       },
       {e + "dryRun[0].metricName: is required: a metric name or a regular expression such as "
            "\".*\"",
        e + "scaleDownDelaySeconds: must be >= 0, got -1",
        e + "analysisRunMetadata.annotations[bad key]: key: must be [prefix/]name with a name of "
            "at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or "
            "digit, got \"bad key\""}},
  });
}

}  // namespace
}  // namespace devflow::api
