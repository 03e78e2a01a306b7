#include "sim/util/json_locate.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

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

TEST(JsonLineIndex, KeysAreComparedDecoded) {
  // A pointer names the decoded key: "\u0061" is "a", "\"" and "\\" are themselves, "~1" in a pointer is "/".
  std::string text = "{\n\"\\u0061\": 1,\n\"q\\\"b\": 2,\n\"s/t~\": 3,\n\"\\ud83d\\ude00\": 4}";
  JsonLineIndex idx(text);
  EXPECT_EQ(idx.LineOf("/a"), 2);
  EXPECT_EQ(idx.LineOf("/q\"b"), 3);
  EXPECT_EQ(idx.LineOf("/s~1t~0"), 4);
  EXPECT_EQ(idx.LineOf("/\xF0\x9F\x98\x80"), 5);
}

TEST(JsonLineIndex, ArraysMapOnlyTheirElements) {
  JsonLineIndex idx("{\"a\": [\n],\n\"b\": [1,\n2]}");
  EXPECT_EQ(idx.LineOf("/a/0"), 1);  // no element: the array's own line
  EXPECT_EQ(idx.LineOf("/b/1"), 4);
  EXPECT_EQ(idx.LineOf("/b/2"), 3);   // past the end: the array
  EXPECT_EQ(idx.LineOf("/b/01x"), 3);  // not an index
  EXPECT_EQ(idx.LineOf("/b/99999999999999999999"), 3);
  EXPECT_EQ(idx.LineOf("not-a-pointer"), 1);
  EXPECT_EQ(JsonLineIndex("").LineOf(""), 0);
}

TEST(JsonLineIndex, FindsRepeatedKeysWithBothLines) {
  std::string text =
      "{\n"
      "  \"duration\": \"10s\",\n"
      "  \"topology\": {\"devices\": [{\"id\": \"a\",\n"
      "                              \"id\": \"b\"}]},\n"
      "  \"duration\": \"20s\",\n"
      "  \"x\": {\"id\": 1}, \"y\": {\"id\": 2},\n"
      "  \"\\u0064uration\": \"30s\"\n"
      "}\n";
  JsonLineIndex idx(text);
  const auto& d = idx.duplicate_keys();
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0].pointer, "/topology/devices/0/id");
  EXPECT_EQ(d[0].first_line, 3);
  EXPECT_EQ(d[0].line, 4);
  EXPECT_EQ(d[1].pointer, "/duration");
  EXPECT_EQ(d[1].first_line, 2);
  EXPECT_EQ(d[1].line, 5);
  EXPECT_EQ(d[2].pointer, "/duration");  // the same key, escaped
  EXPECT_EQ(d[2].line, 7);
  // The first occurrence is the one mapped.
  EXPECT_EQ(idx.LineOf("/duration"), 2);
  EXPECT_TRUE(JsonLineIndex("{\"a\": {\"b\": 1}, \"c\": {\"b\": 1}}").duplicate_keys().empty());
}

TEST(JsonLineIndex, StopsAtTheDepthLimit) {
  std::string ok = std::string(64, '[') + std::string(64, ']');
  EXPECT_EQ(JsonLineIndex(ok, 64).too_deep_line(), 0);
  std::string deep = "{\"a\":\n" + std::string(64, '[') + std::string(64, ']') + "}";
  EXPECT_EQ(JsonLineIndex(deep, 64).too_deep_line(), 2);
  EXPECT_EQ(JsonLineIndex(deep).too_deep_line(), 0);  // no limit given
  // Brackets inside strings do not nest.
  EXPECT_EQ(JsonLineIndex("[\"" + std::string(100, '[') + "\"]", 2).too_deep_line(), 0);
}

TEST(JsonLineIndex, CostIsLinearInTheText) {
  // 200,000 levels once took gigabytes (the pointer of every level was built); now a pass over 400 KB.
  const int depth = 200000;
  std::string text = std::string(depth, '[') + "1" + std::string(depth, ']');
  auto start = std::chrono::steady_clock::now();
  JsonLineIndex idx(text);
  std::string pointer;
  for (int i = 0; i < depth; ++i) pointer += "/0";
  EXPECT_EQ(idx.LineOf(pointer), 1);
  // One wide array: a million elements, each found by its index.
  std::string wide = "[";
  for (int i = 0; i < 1000000; ++i) wide += i ? ",\n1" : "1";
  wide += "]";
  JsonLineIndex wide_idx(wide);
  EXPECT_EQ(wide_idx.LineOf("/999999"), 1000000);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(seconds, 10.0);
}

TEST(JsonLineIndex, LineColumn) {
  auto [l, c] = LineColumnOf("ab\ncd", 4);
  EXPECT_EQ(l, 2);
  EXPECT_EQ(c, 2);
}

}  // namespace planelab
