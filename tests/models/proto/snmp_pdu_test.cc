// SNMPv2c messages through net-snmp's BER codec, and the agent's RFC 3416 answering rules.
#include "models/proto/snmp_pdu.h"

#include <gtest/gtest.h>

#include "models/proto/mgmt_protocol.h"

namespace planelab::snmp {
namespace {

const Oid kIfNumber0 = {1, 3, 6, 1, 2, 1, 2, 1, 0};

// GetRequest for ifNumber.0, community "public", request-id 1, by X.690 BER rules (definite,
// minimal lengths; every length here < 128, so one length octet each):
//   OID 1.3.6.1.2.1.2.1.0: first two arcs 1*40+3 = 43 = 0x2b, then 06 01 02 01 02 01 00
//     -> 8 content octets: 06 08 2b 06 01 02 01 02 01 00                     = 10 octets
//   value NULL: 05 00                                                         =  2 octets
//   VarBind SEQUENCE: 30 0c (10+2 = 12 = 0x0c)                                = 14 octets
//   VarBindList SEQUENCE: 30 0e (14 = 0x0e)                                   = 16 octets
//   request-id 02 01 01, error-status 02 01 00, error-index 02 01 00          =  9 octets
//   GetRequest-PDU [0] constructed, tag 0xa0: a0 19 (9+16 = 25 = 0x19)        = 27 octets
//   version INTEGER 1 (= v2c, RFC 1901): 02 01 01                             =  3 octets
//   community OCTET STRING "public": 04 06 70 75 62 6c 69 63                  =  8 octets
//   Message SEQUENCE: 30 26 (3+8+27 = 38 = 0x26)                              = 40 octets
const std::vector<uint8_t> kGetIfNumber = {
    0x30, 0x26, 0x02, 0x01, 0x01, 0x04, 0x06, 0x70, 0x75, 0x62, 0x6c, 0x69, 0x63, 0xa0,
    0x19, 0x02, 0x01, 0x01, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x0e, 0x30, 0x0c,
    0x06, 0x08, 0x2b, 0x06, 0x01, 0x02, 0x01, 0x02, 0x01, 0x00, 0x05, 0x00};

// Its Response with ifNumber.0 = 4 and request-id 300: 300 = 0x012c needs two octets (its top bit
// is clear, so no leading 00): 02 02 01 2c (4 octets, one more than above); INTEGER 4: 02 01 04
// (3 octets, one more than NULL's 2). VarBind 30 0d (13), list 30 0f (15), PDU tag 0xa2:
// a2 1b (4+3+3+17 = 27 = 0x1b), message 30 28 (3+8+29 = 40 = 0x28): 42 octets.
const std::vector<uint8_t> kResponseIfNumber = {
    0x30, 0x28, 0x02, 0x01, 0x01, 0x04, 0x06, 0x70, 0x75, 0x62, 0x6c, 0x69, 0x63, 0xa2,
    0x1b, 0x02, 0x02, 0x01, 0x2c, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x0f, 0x30,
    0x0d, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x02, 0x01, 0x02, 0x01, 0x00, 0x02, 0x01, 0x04};

TEST(SnmpPdu, GetRequestHasTheBytesComputedByHand) {
  Message m;
  m.type = PduType::kGet;
  m.request_id = 1;
  m.varbinds.push_back({kIfNumber0, Value::Null()});
  EXPECT_EQ(Encode(m), kGetIfNumber);
}

TEST(SnmpPdu, ResponseHasTheBytesComputedByHand) {
  Message m;
  m.type = PduType::kResponse;
  m.request_id = 300;
  m.varbinds.push_back({kIfNumber0, Value::Integer(4)});
  EXPECT_EQ(Encode(m), kResponseIfNumber);
  auto d = Decode(kResponseIfNumber);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->type, PduType::kResponse);
  EXPECT_EQ(d->request_id, 300);
  EXPECT_EQ(d->community, "public");
  ASSERT_EQ(d->varbinds.size(), 1u);
  EXPECT_EQ(d->varbinds[0], (VarBind{kIfNumber0, Value::Integer(4)}));
}

TEST(SnmpPdu, GetRequestRoundTrips) {
  Message m;
  m.type = PduType::kGet;
  m.request_id = 123456789;
  m.varbinds.push_back({kIfNumber0, Value::Null()});
  m.varbinds.push_back({OidWith(mib::kIfOperStatus, {3}), Value::Null()});
  m.varbinds.push_back({OidWith(mib::kHrProcessorLoad, {768}), Value::Null()});
  auto d = Decode(Encode(m));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->type, PduType::kGet);
  EXPECT_EQ(d->community, "public");
  EXPECT_EQ(d->request_id, 123456789);
  EXPECT_EQ(d->error_status, 0);
  EXPECT_EQ(d->error_index, 0);
  EXPECT_EQ(d->varbinds, m.varbinds);
}

TEST(SnmpPdu, ResponseRoundTripsEveryValueType) {
  Message m;
  m.type = PduType::kResponse;
  m.community = "public";
  m.request_id = -5;  // Integer32: negative ids are legal on the wire
  m.varbinds.push_back({kIfNumber0, Value::Integer(2)});
  m.varbinds.push_back({OidWith(mib::kIfOperStatus, {2}), Value::Integer(mib::kIfOperDown)});
  m.varbinds.push_back({OidWith(mib::kFibRoutes, {0}), Value::Gauge32(4000000000u)});
  m.varbinds.push_back({OidWith(mib::kIfHCInOctets, {1}), Value::Counter64(0x123456789abcdefull)});
  Value text;
  text.type = ValueType::kOctetString;
  text.octets = std::string("r2\0x", 4);
  m.varbinds.push_back({{1, 3, 6, 1, 2, 1, 1, 5, 0}, text});
  m.varbinds.push_back({{1, 3, 6, 1, 2, 1, 1, 6, 0}, Value::Exception(ValueType::kNoSuchObject)});
  m.varbinds.push_back({{1, 3, 6, 1, 2, 1, 1, 7, 0}, Value::Exception(ValueType::kNoSuchInstance)});
  m.varbinds.push_back({{1, 3, 6, 1, 9}, Value::Exception(ValueType::kEndOfMibView)});
  auto d = Decode(Encode(m));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->type, PduType::kResponse);
  EXPECT_EQ(d->request_id, -5);
  EXPECT_EQ(d->varbinds, m.varbinds);
}

TEST(SnmpPdu, GetBulkCarriesNonRepeatersAndMaxRepetitions) {
  Message m;
  m.type = PduType::kGetBulk;
  m.request_id = 7;
  m.error_status = 1;   // non-repeaters
  m.error_index = 32;   // max-repetitions
  m.varbinds.push_back({mib::kIfNumber, Value::Null()});
  m.varbinds.push_back({mib::kIfOperStatus, Value::Null()});
  auto d = Decode(Encode(m));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->type, PduType::kGetBulk);
  EXPECT_EQ(d->non_repeaters(), 1);
  EXPECT_EQ(d->max_repetitions(), 32);
  EXPECT_EQ(d->varbinds, m.varbinds);
}

TEST(SnmpPdu, MalformedOrOtherVersionsAreRejected) {
  EXPECT_FALSE(Decode(std::vector<uint8_t>{}));
  EXPECT_FALSE(Decode(std::vector<uint8_t>{0x7b, 0x22, 0x73, 0x65, 0x71, 0x22}));  // {"seq" (the old JSON)
  std::vector<uint8_t> cut(kGetIfNumber.begin(), kGetIfNumber.end() - 3);
  EXPECT_FALSE(Decode(cut));
  std::vector<uint8_t> v1 = kGetIfNumber;
  v1[4] = 0x00;  // version 0 = SNMPv1
  EXPECT_FALSE(Decode(v1));
}

TEST(SnmpOid, TextAndOrder) {
  EXPECT_EQ(OidToString(kIfNumber0), "1.3.6.1.2.1.2.1.0");
  EXPECT_EQ(ParseOid("1.3.6.1.2.1.2.1.0"), kIfNumber0);
  EXPECT_EQ(ParseOid(".1.3.6"), (Oid{1, 3, 6}));
  EXPECT_TRUE(ParseOid("1..3").empty());
  EXPECT_TRUE(ParseOid("1.3.").empty());
  EXPECT_TRUE(ParseOid("1.99999999999").empty());
  // Lexicographic: a prefix sorts first, then arc by arc (ifOperStatus.10 after ifOperStatus.9).
  EXPECT_LT(mib::kIfOperStatus, OidWith(mib::kIfOperStatus, {1}));
  EXPECT_LT(OidWith(mib::kIfOperStatus, {9}), OidWith(mib::kIfOperStatus, {10}));
  EXPECT_TRUE(OidHasPrefix(OidWith(mib::kIfOperStatus, {3}), mib::kIfOperStatus));
  EXPECT_FALSE(OidHasPrefix(mib::kIfNumber, mib::kIfOperStatus));
}

MibView RouterView() {
  MibView v;
  v.Set(OidWith(mib::kIfNumber, {0}), Value::Integer(3));
  v.Set(OidWith(mib::kIfOperStatus, {1}), Value::Integer(mib::kIfOperUp));
  v.Set(OidWith(mib::kIfOperStatus, {2}), Value::Integer(mib::kIfOperDown));
  v.Set(OidWith(mib::kIfOperStatus, {3}), Value::Integer(mib::kIfOperUp));
  v.Set(OidWith(mib::kHrProcessorLoad, {768}), Value::Integer(42));
  v.Set(OidWith(mib::kFibRoutes, {0}), Value::Gauge32(12));
  v.Set(OidWith(mib::kAdjacenciesConfigured, {0}), Value::Gauge32(2));
  return v;
}

TEST(SnmpMibView, GetAnswersValuesAndExceptions) {
  Message q;
  q.type = PduType::kGet;
  q.request_id = 9;
  q.varbinds = {{kIfNumber0, Value::Null()},
                {OidWith(mib::kIfOperStatus, {7}), Value::Null()},     // a column, no such row
                {{1, 3, 6, 1, 2, 1, 15, 3, 1, 2, 10, 0, 0, 1}, Value::Null()}};  // not served
  auto r = RouterView().Respond(q);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->type, PduType::kResponse);
  EXPECT_EQ(r->request_id, 9);
  EXPECT_EQ(r->community, "public");
  ASSERT_EQ(r->varbinds.size(), 3u);
  EXPECT_EQ(r->varbinds[0].value, Value::Integer(3));
  EXPECT_EQ(r->varbinds[1].value.type, ValueType::kNoSuchInstance);
  EXPECT_EQ(r->varbinds[2].value.type, ValueType::kNoSuchObject);
}

TEST(SnmpMibView, GetBulkWalksTheColumnAfterTheNonRepeaters) {
  Message q;
  q.type = PduType::kGetBulk;
  q.request_id = 10;
  q.error_status = 2;  // non-repeaters: ifNumber, hrProcessorLoad (GetNext: their instances)
  q.error_index = 5;   // max-repetitions
  q.varbinds = {{mib::kIfNumber, Value::Null()}, {mib::kHrProcessorLoad, Value::Null()},
                {mib::kIfOperStatus, Value::Null()}};
  auto r = RouterView().Respond(q);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->varbinds.size(), 7u);  // 2 + 5 rounds of 1
  EXPECT_EQ(r->varbinds[0], (VarBind{kIfNumber0, Value::Integer(3)}));
  EXPECT_EQ(r->varbinds[1], (VarBind{OidWith(mib::kHrProcessorLoad, {768}), Value::Integer(42)}));
  EXPECT_EQ(r->varbinds[2].oid, OidWith(mib::kIfOperStatus, {1}));
  EXPECT_EQ(r->varbinds[3], (VarBind{OidWith(mib::kIfOperStatus, {2}), Value::Integer(mib::kIfOperDown)}));
  EXPECT_EQ(r->varbinds[4].oid, OidWith(mib::kIfOperStatus, {3}));
  EXPECT_EQ(r->varbinds[5].oid, OidWith(mib::kHrProcessorLoad, {768}));  // past the column
  EXPECT_EQ(r->varbinds[6].oid, OidWith(mib::kFibRoutes, {0}));
  // Past the last object: endOfMibView, and the walk stops early.
  q.error_status = 0;
  q.varbinds = {{OidWith(mib::kAdjacenciesConfigured, {0}), Value::Null()}};
  r = RouterView().Respond(q);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->varbinds.size(), 1u);
  EXPECT_EQ(r->varbinds[0].value.type, ValueType::kEndOfMibView);
}

TEST(SnmpMibView, GetBulkIsCutToTheMessageSize) {
  MibView v;
  for (uint32_t i = 1; i <= 500; ++i) v.Set(OidWith(mib::kIfOperStatus, {i}), Value::Integer(1));
  Message q;
  q.type = PduType::kGetBulk;
  q.error_index = 500;
  q.varbinds = {{mib::kIfOperStatus, Value::Null()}};
  auto r = v.Respond(q);
  ASSERT_TRUE(r);
  EXPECT_LE(Encode(*r).size(), kMaxMessageSize);
  EXPECT_GT(r->varbinds.size(), 50u);
  EXPECT_LT(r->varbinds.size(), 500u);
  // A Get that cannot fit is answered tooBig with no varbinds.
  Message g;
  g.type = PduType::kGet;
  for (uint32_t i = 1; i <= 500; ++i) g.varbinds.push_back({OidWith(mib::kIfOperStatus, {i}), Value::Null()});
  r = v.Respond(g);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->error_status, kTooBig);
  EXPECT_TRUE(r->varbinds.empty());
}

TEST(SnmpMibView, ResponsesAreNotAnsweredAndSetsAreRefused) {
  Message resp;
  resp.type = PduType::kResponse;
  EXPECT_FALSE(RouterView().Respond(resp));
  Message set;
  set.type = PduType::kSet;
  set.varbinds = {{kIfNumber0, Value::Integer(1)}};
  auto r = RouterView().Respond(set);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->error_status, kNotWritable);
  EXPECT_EQ(r->error_index, 1);
}

}  // namespace
}  // namespace planelab::snmp
