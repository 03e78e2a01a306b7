// The FIB's and RIB's flat hash map against std::map, under random inserts, overwrites and erases.
#include "sim/util/flat_id_map.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

namespace planelab {
namespace {

TEST(FlatIdMap, MatchesAMapUnderRandomOperations) {
  std::mt19937_64 rng(11);
  FlatIdMap m;
  std::map<uint64_t, uint32_t> ref;
  for (int i = 0; i < 200000; ++i) {
    // Few distinct keys so that erases hit long probe runs (backward-shift deletion).
    uint64_t key = rng() % 3000 * 0x9e3779b97f4a7c15ull;
    if (rng() % 3 == 0) {
      EXPECT_EQ(m.Erase(key), ref.erase(key) == 1);
    } else {
      uint32_t v = static_cast<uint32_t>(rng());
      m.Set(key, v);
      ref[key] = v;
    }
  }
  EXPECT_EQ(m.size(), ref.size());
  for (const auto& [k, v] : ref) {
    const uint32_t* got = m.Find(k);
    ASSERT_NE(got, nullptr);
    EXPECT_EQ(*got, v);
  }
  std::map<uint64_t, uint32_t> seen;
  m.ForEach([&](uint64_t k, uint32_t v) { seen[k] = v; });
  EXPECT_EQ(seen, ref);
  EXPECT_EQ(m.Find(12345), nullptr);
}

}  // namespace
}  // namespace planelab
