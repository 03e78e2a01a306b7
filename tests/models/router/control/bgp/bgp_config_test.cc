// SpeakerConfig::Validate(): each rule, and the speaker refusing a configuration with problems
// (std::invalid_argument) rather than adjusting it.
#include <gtest/gtest.h>

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/router/control/bgp/bgp_speaker.h"

namespace planelab::bgp {
namespace {

SpeakerConfig Good() {
  SpeakerConfig c;
  c.local_as = 65001;
  c.router_id = 0x0a000001;
  return c;
}

TEST(BgpConfig, DefaultsAreValid) {
  EXPECT_TRUE(Good().Validate().empty());
  // Data-center timers (the fabric scenarios), RFC 7196 damping, hold time 0 (no keepalives).
  SpeakerConfig dc = Good();
  dc.keepalive = 3 * kSec;
  dc.hold_time = 9 * kSec;
  dc.connect_retry = 10 * kSec;
  dc.mrai_ebgp = 0;
  dc.damping.enabled = true;
  EXPECT_TRUE(dc.Validate().empty());
  SpeakerConfig none = Good();
  none.hold_time = 0;
  none.keepalive = 0;
  EXPECT_TRUE(none.Validate().empty());
}

TEST(BgpConfig, EachRuleNamesItsProblem) {
  struct Rule {
    const char* what;  // a word the problem must contain
    std::function<void(SpeakerConfig&)> make_bad;
  };
  const std::vector<Rule> rules = {
      {"local_as", [](auto& c) { c.local_as = 0; }},
      {"router_id", [](auto& c) { c.router_id = 0; }},
      {"hold_time", [](auto& c) { c.hold_time = 2 * kSec; c.keepalive = 1 * kSec; }},
      {"hold_time", [](auto& c) { c.hold_time = -1 * kSec; }},
      {"hold_time", [](auto& c) { c.hold_time = 70000 * kSec; c.keepalive = 30 * kSec; }},
      {"hold_time", [](auto& c) { c.hold_time = 9500 * kMs; c.keepalive = 3 * kSec; }},
      {"keepalive", [](auto& c) { c.keepalive = 90 * kSec; }},
      {"keepalive", [](auto& c) { c.keepalive = 0; }},
      {"connect_retry", [](auto& c) { c.connect_retry = 0; }},
      {"mrai_ebgp", [](auto& c) { c.mrai_ebgp = -1; }},
      {"mrai_ibgp", [](auto& c) { c.mrai_ibgp = -1; }},
      {"write_quantum", [](auto& c) { c.write_quantum = 0; }},
      {"half_life", [](auto& c) { c.damping.half_life = 0; }},
      {"max_suppress", [](auto& c) { c.damping.max_suppress = 0; }},
      {"reuse_threshold", [](auto& c) { c.damping.reuse_threshold = 0; }},
      {"reuse_threshold", [](auto& c) { c.damping.reuse_threshold = 6000; }},
      {"withdraw_penalty", [](auto& c) { c.damping.withdraw_penalty = 0; }},
      {"attribute_penalty", [](auto& c) { c.damping.attribute_penalty = -1; }},
      // reuse 750 x 2^(60 min / 15 min) = 12000: a suppress threshold of 12000 is never exceeded.
      {"suppress_threshold", [](auto& c) { c.damping.suppress_threshold = 12000; }},
  };
  for (const auto& r : rules) {
    SpeakerConfig c = Good();
    r.make_bad(c);
    std::vector<std::string> problems = c.Validate();
    ASSERT_FALSE(problems.empty()) << r.what;
    bool named = false;
    for (const auto& p : problems) named = named || p.find(r.what) != std::string::npos;
    EXPECT_TRUE(named) << r.what << ": " << problems[0];
  }
  // Just under the ceiling still suppresses.
  SpeakerConfig c = Good();
  c.damping.suppress_threshold = 11999;
  EXPECT_TRUE(c.Validate().empty());
}

TEST(BgpConfig, SpeakerRefusesAnInvalidConfiguration) {
  SpeakerConfig c = Good();
  c.hold_time = 1 * kSec;
  c.connect_retry = 0;
  try {
    BgpSpeaker sp(c, {}, {});
    FAIL() << "accepted";
  } catch (const std::invalid_argument& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("hold_time"), std::string::npos) << what;
    EXPECT_NE(what.find("connect_retry"), std::string::npos) << what;
  }
  EXPECT_NO_THROW(BgpSpeaker(Good(), {}, {}));
}

}  // namespace
}  // namespace planelab::bgp
