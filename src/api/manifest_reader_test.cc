#include "api/manifest_reader.h"

#include <gtest/gtest.h>

namespace devflow::api {
namespace {

TEST(ManifestReaderTest, SplitsYamlDocumentsAndSkipsEmptyOnes) {
  auto m = ReadManifests("---\nkind: A\n---\n---\nkind: B\n...\n", "f.yaml");
  ASSERT_TRUE(m.ok()) << m.error();
  ASSERT_EQ(m->size(), 2u);
  EXPECT_EQ((*m)[0].object.Find("kind")->as_string(), "A");
  EXPECT_EQ((*m)[1].object.Find("kind")->as_string(), "B");
}

TEST(ManifestReaderTest, TypesScalarsAsKubectlDoes) {
  auto m = ReadManifests(
      "a: 25\nb: \"25\"\nc: 25%\nd: 2.5\ne: true\nf: yes\ng: ~\nh: 0x1F\ni: '010'\nj: 010\n"
      "k: 1_000\nl: !!str 7\nm: 1e3\nn: 30s\n",
      "f.yaml");
  ASSERT_TRUE(m.ok()) << m.error();
  const json::Value& o = (*m)[0].object;
  EXPECT_EQ(*o.Find("a"), json::Value(25));
  EXPECT_EQ(*o.Find("b"), json::Value("25"));
  EXPECT_EQ(*o.Find("c"), json::Value("25%"));
  EXPECT_EQ(*o.Find("d"), json::Value(2.5));
  EXPECT_EQ(*o.Find("e"), json::Value(true));
  EXPECT_EQ(*o.Find("f"), json::Value(true));
  EXPECT_EQ(*o.Find("g"), json::Value());
  EXPECT_EQ(*o.Find("h"), json::Value(31));
  EXPECT_EQ(*o.Find("i"), json::Value("010"));
  EXPECT_EQ(*o.Find("j"), json::Value(8));
  EXPECT_EQ(*o.Find("k"), json::Value(1000));
  EXPECT_EQ(*o.Find("l"), json::Value("7"));
  EXPECT_EQ(*o.Find("m"), json::Value(1000.0));
  EXPECT_EQ(*o.Find("n"), json::Value("30s"));
}

TEST(ManifestReaderTest, RecordsLineAndColumnOfEachField) {
  auto m = ReadManifests(
      "kind: Rollout\nspec:\n  strategy:\n    canary:\n      steps:\n      - setWeight: 120\n"
      "      - pause: {}\n",
      "r.yaml");
  ASSERT_TRUE(m.ok()) << m.error();
  const SourceMap& p = (*m)[0].positions;
  FieldPath steps = FieldPath("spec").Child("strategy").Child("canary").Child("steps");
  EXPECT_EQ(p.Locate(steps.Index(0).Child("setWeight")), (Mark{6, 20}));
  EXPECT_EQ(p.Locate(steps.Index(1).Child("pause").Child("duration")), (Mark{7, 9}));
}

TEST(ManifestReaderTest, ExpandsListsWithTheirOwnPositions) {
  auto m = ReadManifests(
      "apiVersion: v1\nkind: List\nitems:\n- kind: A\n  metadata: {name: a}\n- kind: B\n",
      "l.yaml");
  ASSERT_TRUE(m.ok()) << m.error();
  ASSERT_EQ(m->size(), 2u);
  EXPECT_EQ((*m)[1].object.Find("kind")->as_string(), "B");
  EXPECT_EQ((*m)[0].positions.Locate(FieldPath("metadata").Child("name")), (Mark{5, 20}));
}

TEST(ManifestReaderTest, ReadsJsonWithPositions) {
  auto m = ReadManifests("{\n \"kind\": \"A\",\n \"spec\": {\"replicas\": \"x\"}\n}", "a.json");
  ASSERT_TRUE(m.ok()) << m.error();
  EXPECT_EQ((*m)[0].positions.Locate(FieldPath("spec").Child("replicas")), (Mark{3, 23}));
}

TEST(ManifestReaderTest, ReportsSyntaxErrorsDuplicateKeysAndNonMappings) {
  struct Row {
    const char* name;
    const char* text;
    const char* error;
  } rows[] = {
      {"bad indentation", "a: 1\n b: 2\n", "f.yaml:2:3: "},
      {"duplicate key", "kind: A\nspec:\n  x: 1\n  x: 2\n",
       "f.yaml:4:3: spec: duplicate key \"x\""},
      {"scalar document", "hello\n", "f.yaml:1:1: a manifest must be a mapping, got string"},
      {"bad json", "{\"a\": }", "f.yaml: line 1, column 7: unexpected character '}'"},
  };
  for (const Row& row : rows) {
    auto m = ReadManifests(row.text, "f.yaml");
    ASSERT_FALSE(m.ok()) << row.name;
    EXPECT_EQ(m.error().message().rfind(row.error, 0), 0u)
        << row.name << ": " << m.error().message();
  }
}

TEST(ManifestReaderTest, ExpandsAliasesAndMergeKeys) {
  auto m = ReadManifests(
      "base: &b {x: 1, y: 2}\nref: *b\nmerged:\n  <<: *b\n  y: 3\nlist: [&i 7, *i]\n", "f.yaml");
  ASSERT_TRUE(m.ok()) << m.error();
  const json::Value& o = (*m)[0].object;
  EXPECT_EQ(*o.Find("ref"), *o.Find("base"));
  EXPECT_EQ(*o.Find("merged")->Find("x"), json::Value(1));
  EXPECT_EQ(*o.Find("merged")->Find("y"), json::Value(3));
  EXPECT_EQ(*o.Find("list"), json::Value(json::Array{7, 7}));
}

TEST(ManifestReaderTest, RefusesAliasBombsInsteadOfExhaustingMemory) {
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'j'; ++c) {
    std::string prev(1, static_cast<char>(c - 1));
    bomb += std::string(1, c) + ": &" + c + " [*" + prev + ", *" + prev + ", *" + prev + ", *" +
            prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev +
            ", *" + prev + "]\n";
  }
  auto m = ReadManifests(bomb, "bomb.yaml");
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message().find("too many aliases"), std::string::npos) << m.error();
}

// Found by the decode_validate fuzzer: yaml-cpp 0.7 allocated without bound on this input.
TEST(ManifestReaderTest, MalformedFlowInputFailsFastWithAPosition) {
  auto m = ReadManifests(
      "# x\nage: "
      "ar\":\"Rollout\",\"metadata\":{\"name\":\"x\"},\"spec\":{\"steps\":[{\"setWeight\":   "
      "targetPort: 8080\n  selector:\n,\"metadata\":{\"name\":\"x\"}\n",
      "f.yaml");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().message().rfind("f.yaml:", 0), 0u) << m.error();
}

}  // namespace
}  // namespace devflow::api
