// The route tables' shared-numbering map against std::map, across its change from hash slots to an array.
#include "sim/util/shared_key_map.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

namespace planelab {
namespace {

TEST(SharedKeyMap, MatchesAMapBeforeAndAfterBecomingDense) {
  auto keys = std::make_shared<KeyNumbering>();
  std::mt19937_64 rng(7);
  // Several tables over one numbering, as every router's FIB of a run: one large, one small (a host's).
  SharedKeyMap big(keys), small(keys);
  std::map<uint64_t, uint32_t> ref_big, ref_small;
  for (int i = 0; i < 100000; ++i) {
    const uint64_t key = (rng() % 5000) * 0x9e3779b97f4a7c15ull;
    // Small values (2 bytes a key) until late in the run, when one needs 4 bytes and the array widens.
    const uint32_t v = static_cast<uint32_t>(i < 80000 ? rng() % 1000 : rng() % 100000);
    if (rng() % 4 == 0) {
      EXPECT_EQ(big.Erase(key), ref_big.erase(key) == 1);
    } else {
      big.Set(key, v);
      ref_big[key] = v;
    }
    if (i % 500 == 0) {
      small.Set(key, v);
      ref_small[key] = v;
    }
  }
  for (const auto* pair : {&ref_big, &ref_small}) {
    const SharedKeyMap& m = pair == &ref_big ? big : small;
    EXPECT_EQ(m.size(), pair->size());
    std::map<uint64_t, uint32_t> seen;
    m.ForEach([&](uint64_t k, uint32_t v) { seen[k] = v; });
    EXPECT_EQ(seen, *pair);
    for (const auto& [k, v] : *pair) {
      EXPECT_EQ(m.Get(k), v);
    }
  }
  EXPECT_EQ(big.Get(12345), SharedKeyMap::kNone);
  EXPECT_FALSE(big.Erase(12345));
}

TEST(SharedKeyMap, WithoutANumberingStaysAHashMap) {
  SharedKeyMap m;
  for (uint64_t k = 0; k < 1000; ++k) m.Set(k, static_cast<uint32_t>(k * 2));
  EXPECT_EQ(m.size(), 1000u);
  EXPECT_EQ(m.Get(999), 1998u);
  EXPECT_TRUE(m.Erase(999));
  EXPECT_EQ(m.Get(999), SharedKeyMap::kNone);
}

}  // namespace
}  // namespace planelab
