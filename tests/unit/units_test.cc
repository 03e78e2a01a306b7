#include "sim/util/units.h"

#include <gtest/gtest.h>

namespace planelab {

TEST(Units, Durations) {
  EXPECT_EQ(*ParseDuration("30s").value, 30 * kSec);
  EXPECT_EQ(*ParseDuration("250ms").value, 250 * kMs);
  EXPECT_EQ(*ParseDuration("10us").value, 10 * kUs);
  EXPECT_EQ(*ParseDuration("1.5s").value, 1500 * kMs);
  EXPECT_EQ(*ParseDuration("2m").value, 120 * kSec);
  EXPECT_EQ(*ParseDuration("1h").value, 3600 * kSec);
  EXPECT_EQ(*ParseDuration("7ns").value, 7);
}

TEST(Units, BadDurationsSayWhatIsAllowed) {
  for (const char* bad : {"30", "30 s", "s", "-1s", "30sec", "", "1e3s"}) {
    auto p = ParseDuration(bad);
    EXPECT_FALSE(p) << bad;
    EXPECT_NE(p.error.find("e.g. \"30s\""), std::string::npos) << p.error;
  }
}

TEST(Units, Rates) {
  EXPECT_EQ(*ParseBitRate("10Gbps").value, 10000000000ULL);
  EXPECT_EQ(*ParseBitRate("100Mbps").value, 100000000ULL);
  EXPECT_EQ(*ParseBitRate("64kbps").value, 64000ULL);
  EXPECT_FALSE(ParseBitRate("10GB/s"));
  EXPECT_FALSE(ParseBitRate("0bps"));
  EXPECT_DOUBLE_EQ(*ParsePacketRate("2000pps").value, 2000);
  EXPECT_DOUBLE_EQ(*ParsePacketRate("1.5kpps").value, 1500);
  EXPECT_FALSE(ParsePacketRate("2000"));
}

TEST(Units, Sizes) {
  EXPECT_EQ(*ParseBytes("1500B").value, 1500u);
  EXPECT_EQ(*ParseBytes("64KB").value, 64000u);
  EXPECT_EQ(*ParseBytes("1KiB").value, 1024u);
  EXPECT_EQ(*ParseQueueSize("100p").value, "100p");
  EXPECT_EQ(*ParseQueueSize("150KB").value, "150000B");
  EXPECT_FALSE(ParseQueueSize("0p"));
  EXPECT_FALSE(ParseQueueSize("1.5p"));
}

TEST(Units, FormatDuration) {
  EXPECT_EQ(FormatDuration(20 * kSec), "20s");
  EXPECT_EQ(FormatDuration(250 * kMs), "250ms");
  EXPECT_EQ(FormatDuration(1500 * kMs), "1.5s");
}

}  // namespace planelab
