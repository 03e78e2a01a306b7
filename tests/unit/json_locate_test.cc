#include "sim/util/json_locate.h"

#include <gtest/gtest.h>

namespace planelab {

TEST(JsonLineIndex, FindsLinesOfNestedValues) {
  std::string text =
      "{\n"
      "  \"name\": \"x\",\n"
      "  \"topology\": {\n"
      "    \"links\": [\n"
      "      {\"a\": \"r1\", \"b\": \"r2\"},\n"
      "      {\"a\": \"r2\",\n"
      "       \"b\": \"r9\"}\n"
      "    ]\n"
      "  },\n"
      "  \"a/b\": 1\n"
      "}\n";
  JsonLineIndex idx(text);
  EXPECT_EQ(idx.LineOf(""), 1);
  EXPECT_EQ(idx.LineOf("/name"), 2);
  EXPECT_EQ(idx.LineOf("/topology/links/0/b"), 5);
  EXPECT_EQ(idx.LineOf("/topology/links/1"), 6);
  EXPECT_EQ(idx.LineOf("/topology/links/1/b"), 7);
  EXPECT_EQ(idx.LineOf("/a~1b"), 10);
  // Unknown pointers fall back to their nearest known ancestor.
  EXPECT_EQ(idx.LineOf("/topology/links/1/zzz"), 6);
}

TEST(JsonLineIndex, ToleratesBrokenText) {
  JsonLineIndex idx("{\n \"a\": [1, 2,\n");
  EXPECT_EQ(idx.LineOf("/a"), 2);
}

TEST(JsonLineIndex, LineColumn) {
  auto [l, c] = LineColumnOf("ab\ncd", 4);
  EXPECT_EQ(l, 2);
  EXPECT_EQ(c, 2);
}

}  // namespace planelab
