#include "sim/util/units.h"

#include <gtest/gtest.h>

namespace planelab {

TEST(Units, Durations) {
  EXPECT_EQ(ParseDuration("30s").value, 30 * kSec);
  EXPECT_EQ(ParseDuration("250ms").value, 250 * kMs);
  EXPECT_EQ(ParseDuration("10us").value, 10 * kUs);
  EXPECT_EQ(ParseDuration("1.5s").value, 1500 * kMs);
  EXPECT_EQ(ParseDuration("2m").value, 120 * kSec);
  EXPECT_EQ(ParseDuration("1h").value, 3600 * kSec);
  EXPECT_EQ(ParseDuration("7ns").value, 7);
}

TEST(Units, BadDurationsSayWhatIsAllowed) {
  for (const char* bad : {"30", "30 s", "s", "-1s", "30sec", "", "1e3s", "9.m", "9.s", ".5s", "1..5s", "+1s"}) {
    auto p = ParseDuration(bad);
    EXPECT_FALSE(p) << bad;
    EXPECT_NE(p.error.find("e.g. \"30s\""), std::string::npos) << p.error;
  }
}

TEST(Units, Rates) {
  EXPECT_EQ(ParseBitRate("10Gbps").value, 10000000000ULL);
  EXPECT_EQ(ParseBitRate("100Mbps").value, 100000000ULL);
  EXPECT_EQ(ParseBitRate("64kbps").value, 64000ULL);
  EXPECT_FALSE(ParseBitRate("10GB/s"));
  EXPECT_FALSE(ParseBitRate("0bps"));
  EXPECT_DOUBLE_EQ(ParsePacketRate("2000pps").value.value_or(-1), 2000);
  EXPECT_DOUBLE_EQ(ParsePacketRate("1.5kpps").value.value_or(-1), 1500);
  EXPECT_FALSE(ParsePacketRate("2000"));
}

TEST(Units, Sizes) {
  EXPECT_EQ(ParseBytes("1500B").value, 1500u);
  EXPECT_EQ(ParseBytes("64KB").value, 64000u);
  EXPECT_EQ(ParseBytes("1KiB").value, 1024u);
  EXPECT_EQ(ParseQueueSize("100p").value, "100p");
  EXPECT_EQ(ParseQueueSize("150KB").value, "150000B");
  EXPECT_FALSE(ParseQueueSize("0p"));
  EXPECT_FALSE(ParseQueueSize("1.5p"));
}

TEST(Units, ValuesBeyondWhatTheTypesHoldAreRangeErrors) {
  // Well formed, but no int64 nanosecond count or uint64 holds them: refused, never rounded into garbage.
  for (const char* text : {"99999999999h", "300000000000s", "1e3h"}) {
    auto p = ParseDuration(text);
    EXPECT_FALSE(p) << text;
  }
  EXPECT_TRUE(ParseDuration("99999999999h").out_of_range);
  EXPECT_FALSE(ParseDuration("1e3h").out_of_range);  // not a duration at all
  EXPECT_EQ(ParseDuration("2500000h").value, 2500000LL * 3600 * kSec);  // about 285 years: still held
  EXPECT_TRUE(ParseDuration(std::string(400, '9') + "s").out_of_range);
  auto rate = ParseBitRate("99999999999999999999Tbps");
  EXPECT_FALSE(rate);
  EXPECT_TRUE(rate.out_of_range);
  EXPECT_TRUE(ParseBitRate("0bps").out_of_range);
  EXPECT_TRUE(ParseBitRate("0.4bps").out_of_range);
  EXPECT_EQ(ParseBitRate("18446744Tbps").value, 18446744000000000000ULL);
  EXPECT_TRUE(ParseBitRate("18446745Tbps").out_of_range);
  EXPECT_TRUE(ParseBytes("99999999999999999999GB").out_of_range);
  EXPECT_TRUE(ParsePacketRate(std::string(400, '9') + "Mpps").out_of_range);
  EXPECT_TRUE(ParseQueueSize("99999999999999999999p").out_of_range);
  EXPECT_TRUE(ParseQueueSize("1000001p").out_of_range);
  EXPECT_EQ(ParseQueueSize("1000000p").value, "1000000p");
  EXPECT_TRUE(ParseQueueSize("2GB").out_of_range);
  EXPECT_EQ(ParseQueueSize("1GB").value, "1000000000B");
  EXPECT_NE(ParseQueueSize("2GB").error.find("from 1p to 1000000p, or from 1B to 1GB"), std::string::npos);
}

TEST(Units, RangesAreWrittenAsAScenarioWould) {
  EXPECT_EQ(FormatDurationExact(kMaxScenarioTime), "8760h");
  EXPECT_EQ(FormatDurationExact(90 * 60 * kSec), "90m");
  EXPECT_EQ(FormatDurationExact(1500 * kMs), "1500ms");
  EXPECT_EQ(FormatDurationExact(0), "0s");
  EXPECT_EQ(FormatDurationExact(7), "7ns");
  EXPECT_EQ(FormatBitRate(10000000000000ULL), "10Tbps");
  EXPECT_EQ(FormatBitRate(1), "1bps");
  EXPECT_EQ(FormatBitRate(64000), "64kbps");
  EXPECT_EQ(FormatPacketRate(1e6), "1Mpps");
  EXPECT_EQ(FormatPacketRate(0.001), "0.001pps");
  EXPECT_EQ(FormatBytes(10000000), "10MB");
  EXPECT_EQ(FormatBytes(65000), "65KB");
  EXPECT_EQ(FormatBytes(16), "16B");
}

TEST(Units, FormatDuration) {
  EXPECT_EQ(FormatDuration(20 * kSec), "20s");
  EXPECT_EQ(FormatDuration(250 * kMs), "250ms");
  EXPECT_EQ(FormatDuration(1500 * kMs), "1.5s");
}

}  // namespace planelab
