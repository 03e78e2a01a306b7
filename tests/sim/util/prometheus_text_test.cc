// Prometheus's text exposition and the HTTP exchange of a scrape, as bytes.
#include "sim/util/prometheus_text.h"

#include <gtest/gtest.h>

#include <cmath>

namespace planelab::prom {
namespace {

TEST(PrometheusText, ExpositionRoundTrips) {
  std::string text = EncodeExposition({{"has_leader", "gauge", "etcd_server_has_leader", "plane", "control", 1},
                                       {"requests_get", "counter", "a\nb", "plane", "control", 12345}});
  EXPECT_EQ(text,
            "# HELP has_leader etcd_server_has_leader\n# TYPE has_leader gauge\nhas_leader{plane=\"control\"} 1\n"
            "# HELP requests_get a\\nb\n# TYPE requests_get counter\nrequests_get{plane=\"control\"} 12345\n");
  auto v = ParseExposition(text);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->at("has_leader"), 1);
  EXPECT_EQ(v->at("requests_get"), 12345);
}

TEST(PrometheusText, ParsesWhatPrometheusAcceptsAndRefusesTheRest) {
  auto v = ParseExposition("x 1.5 1700000000000\ny{a=\"}\",b=\"q\\\"\"} +Inf\nz NaN\n");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->at("x"), 1.5);
  EXPECT_TRUE(std::isinf(v->at("y")));
  EXPECT_TRUE(std::isnan(v->at("z")));
  EXPECT_FALSE(ParseExposition("9bad 1\n"));
  EXPECT_FALSE(ParseExposition("x one\n"));
  EXPECT_FALSE(ParseExposition("x{a=\"1\" 2\n"));
}

TEST(PrometheusText, HttpReaderTakesAResponseInPieces) {
  std::string r = HttpOkResponse("a 1\n");
  HttpMessageReader reader;
  for (char c : r) ASSERT_TRUE(reader.Feed(&c, 1));
  EXPECT_TRUE(reader.complete());
  EXPECT_EQ(reader.status(), 200);
  EXPECT_EQ(reader.body(), "a 1\n");
  HttpMessageReader get;
  std::string q = HttpGetRequest("10.0.0.1:2381", "/metrics");
  ASSERT_TRUE(get.Feed(q.data(), q.size()));
  EXPECT_TRUE(get.complete());
  EXPECT_EQ(get.start_line(), "GET /metrics HTTP/1.1");
}

TEST(PrometheusText, HttpReaderBoundsWhatItKeeps) {
  HttpMessageReader huge;
  std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n";
  EXPECT_FALSE(huge.Feed(head.data(), head.size()));
  HttpMessageReader endless;
  std::string junk(HttpMessageReader::kMaxHeaderBytes + 1, 'x');
  EXPECT_FALSE(endless.Feed(junk.data(), junk.size()));
  HttpMessageReader garbage;
  std::string bad = "HTTP/1.1 200 OK\r\nContent-Length: 12x\r\n\r\n";
  EXPECT_FALSE(garbage.Feed(bad.data(), bad.size()));
}

}  // namespace
}  // namespace planelab::prom
