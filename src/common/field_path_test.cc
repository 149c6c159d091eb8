#include "common/field_path.h"

#include <gtest/gtest.h>

#include "common/source_map.h"

namespace devflow {
namespace {

TEST(FieldPathTest, RendersKeysIndexesAndQualifiedKeys) {
  EXPECT_EQ(FieldPath("spec")
                .Child("strategy")
                .Child("canary")
                .Child("steps")
                .Index(2)
                .Child("setWeight")
                .str(),
            "spec.strategy.canary.steps[2].setWeight");
  EXPECT_EQ(FieldPath("metadata").Child("labels").Child("app.kubernetes.io/name").str(),
            "metadata.labels[app.kubernetes.io/name]");
  EXPECT_EQ(FieldPath().Index(0).Child("kind").str(), "[0].kind");
}

TEST(FieldPathTest, ParentUndoesOneStep) {
  struct Row {
    const char* path;
    const char* parent;
  } rows[] = {
      {"a.b.c", "a.b"},
      {"a.b[2]", "a.b"},
      {"a[2].c", "a[2]"},
      {"a", ""},
      {"metadata.labels[app.kubernetes.io/name]", "metadata.labels"},
      {"", ""},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(FieldPath::FromRenderedForTest(row.path).Parent().str(), row.parent) << row.path;
  }
}

TEST(SourceMapTest, LocatesMissingFieldsAtTheirNearestAncestor) {
  SourceMap m;
  m.Record(FieldPath(), SourcePosition{{1, 1}, {1, 1}, false});
  m.Record(FieldPath("spec"), SourcePosition{{5, 1}, {6, 3}, false});
  m.Record(FieldPath("spec").Child("cond"), SourcePosition{{6, 3}, {6, 9}, true, 0});
  EXPECT_EQ(m.Locate(FieldPath("spec").Child("cond")), (Mark{6, 9}));
  EXPECT_EQ(m.Locate(FieldPath("spec").Child("cond"), 4), (Mark{6, 13}));
  EXPECT_EQ(m.Locate(FieldPath("spec").Child("missing").Child("deeper")), (Mark{5, 1}));
  EXPECT_EQ(m.Locate(FieldPath("status")), (Mark{1, 1}));
}

}  // namespace
}  // namespace devflow
