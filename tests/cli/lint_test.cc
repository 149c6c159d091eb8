// End-to-end tests of `devflow lint`: the real binary on real files.
#include <gtest/gtest.h>

#include <string>

#include "command_runner.h"

namespace devflow {
namespace {

using testing::RunCommand;

const std::string kDevflow = DEVFLOW_BINARY;
const std::string kSource = DEVFLOW_SOURCE_DIR;

TEST(LintTest, EveryExampleLintsClean) {
  auto r = RunCommand(kDevflow + " lint -f " + kSource + "/examples");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("no errors"), std::string::npos) << r.err;
}

// Manifests in the shapes of Argo Rollouts' own examples (spec section 7) must stay valid.
TEST(LintTest, ArgoShapedManifestsLintClean) {
  auto r = RunCommand(kDevflow + " lint -f " + kSource + "/tests/testdata/argo-compat");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "");
}

TEST(LintTest, ReadsStandardInput) {
  auto r = RunCommand(kDevflow + " lint -f -",
                      "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: Bad_Name\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out,
            "-:4:9: metadata.name: must be at most 63 lowercase letters, digits and '-', "
            "starting and ending with a letter or digit, got \"Bad_Name\"\n");
}

TEST(LintTest, UnreadableInputExitsTwo) {
  auto r = RunCommand(kDevflow + " lint -f /nonexistent/devflow.yaml");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("/nonexistent/devflow.yaml: no such file or directory"), std::string::npos)
      << r.err;
}

TEST(LintTest, MalformedYamlNamesFileLineAndColumn) {
  auto r = RunCommand(kDevflow + " lint -f -", "kind: Rollout\nmetadata:\n  name: [x\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out.rfind("-:", 0), 0u) << r.out;
}

TEST(LintTest, MissingIdentityFieldsPointAtTheirParent) {
  auto r = RunCommand(kDevflow + " lint -f -",
                      "apiVersion: v1\nkind: Service\nmetadata:\n  labels: {a: b}\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("-:3:1: metadata.name: is required (or set generateName)\n"),
            std::string::npos)
      << r.out;
}

TEST(LintTest, ReportsEveryErrorOfEveryFile) {
  auto r = RunCommand(kDevflow + " lint -f " + kSource + "/tests/testdata/lint");
  EXPECT_EQ(r.exit_code, 1);
  std::string expected_file = kSource + "/tests/testdata/lint/metadata.yaml";
  EXPECT_NE(r.out.find(expected_file + ":4:9: metadata.name:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(expected_file + ":6:5: metadata.labels[bad key]:"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(expected_file + ":8:1: kind: is required"), std::string::npos) << r.out;
}

TEST(LintTest, WarnsAboutMisspeltRolloutFieldsWithoutFailing) {
  auto r = RunCommand(kDevflow + " lint -f -",
                      "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: r}\n"
                      "spec:\n  selector: {matchLabels: {app: r}}\n  template:\n"
                      "    metadata: {labels: {app: r}}\n"
                      "    spec: {containers: [{name: c, image: i}]}\n"
                      "  strategy:\n    blueGreen:\n      activeService: a\n"
                      "      autoPromotionEnable: false\n");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out,
            "-:12:7: warning: spec.strategy.blueGreen.autoPromotionEnable: unknown field: "
            "argoproj.io/v1alpha1 Rollout does not define it (misspelt?); it will be ignored\n");
  EXPECT_EQ(r.err, "devflow lint: 1 file, 1 object, no errors, 1 warning\n");
}

// The exact output for a file with many kinds of mistakes: one line per mistake, each naming the
// file, line, column and field path, in document order.
TEST(LintTest, GoldenOutputForInvalidRolloutsAndTemplates) {
  const std::string dir = kSource + "/tests/testdata/lint-errors";
  auto r = RunCommand("cd " + dir + " && " + kDevflow + " lint -f rollout-and-template.yaml");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, testing::ReadFileForTest(dir + "/rollout-and-template.expected"));
  EXPECT_EQ(r.err, "devflow lint: 1 file, 3 objects, 11 errors\n");
}

}  // namespace
}  // namespace devflow
