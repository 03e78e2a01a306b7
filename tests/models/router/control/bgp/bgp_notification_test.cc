// NOTIFICATION on decode failure (RFC 4271 §6): the bytes follow §4.5's layout, the decoder names
// the right error code, subcode and data for each malformed message (§6.1 header, §6.2 OPEN,
// §6.3 UPDATE), the speaker sends that NOTIFICATION before it closes the session (§6.4: not for
// a malformed NOTIFICATION), and Wireshark (tshark) decodes what it sends.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "models/router/control/bgp/bgp_message.h"
#include "models/router/control/bgp/bgp_speaker.h"

namespace planelab::bgp {
namespace {

using Bytes = std::vector<uint8_t>;

/// A message: marker, length, type, body (the length is right unless `length` says otherwise).
Bytes Msg(uint8_t type, const Bytes& body, int length = -1) {
  Bytes b(16, 0xff);
  size_t n = length >= 0 ? static_cast<size_t>(length) : 19 + body.size();
  b.push_back(static_cast<uint8_t>(n >> 8));
  b.push_back(static_cast<uint8_t>(n & 255));
  b.push_back(type);
  b.insert(b.end(), body.begin(), body.end());
  return b;
}
/// An OPEN body: version 4, AS 65002, hold 90, BGP Identifier, then these optional parameters.
Bytes OpenBody(const Bytes& params, uint8_t version = 4, uint32_t id = 0x0a000002) {
  Bytes b = {version, 0xfe, 0x02, 0, 90, uint8_t(id >> 24), uint8_t(id >> 16), uint8_t(id >> 8), uint8_t(id)};
  b.push_back(static_cast<uint8_t>(params.size()));
  b.insert(b.end(), params.begin(), params.end());
  return b;
}
/// An UPDATE body: no withdrawn routes, these attributes, this NLRI.
Bytes UpdateBody(const Bytes& attrs, const Bytes& nlri, const Bytes& withdrawn = {}) {
  Bytes b = {uint8_t(withdrawn.size() >> 8), uint8_t(withdrawn.size() & 255)};
  b.insert(b.end(), withdrawn.begin(), withdrawn.end());
  b.push_back(static_cast<uint8_t>(attrs.size() >> 8));
  b.push_back(static_cast<uint8_t>(attrs.size() & 255));
  b.insert(b.end(), attrs.begin(), attrs.end());
  b.insert(b.end(), nlri.begin(), nlri.end());
  return b;
}
Bytes Cat(std::initializer_list<Bytes> parts) {
  Bytes b;
  for (const auto& p : parts) b.insert(b.end(), p.begin(), p.end());
  return b;
}
const Bytes kOrigin = {0x40, 1, 1, 0};
const Bytes kAsPath = {0x40, 2, 6, 2, 1, 0, 0, 0xfd, 0xea};  // AS_SEQUENCE [65002]
const Bytes kNextHop = {0x40, 3, 4, 10, 0, 0, 2};
const Bytes kNlri = {24, 192, 168, 1};  // 192.168.1.0/24
const Bytes kGoodAttrs = Cat({kOrigin, kAsPath, kNextHop});

struct Case {
  const char* what;
  Bytes message;
  uint8_t code, subcode;
  Bytes data;
  bool send = true;
};

std::vector<Case> Cases() {
  Bytes bad_marker = Msg(4, {});
  bad_marker[3] = 0;
  return {
      // §6.1 Message Header Error.
      {"marker not all ones", bad_marker, 1, 1, {}},
      {"length field differs from the message", Msg(4, {}, 20), 1, 2, {0, 20}},
      {"unknown message type", Msg(7, {}), 1, 3, {7}},
      {"KEEPALIVE longer than 19", Msg(4, {0}), 1, 2, {0, 20}},
      {"OPEN shorter than 29", Msg(1, {4, 0, 1}), 1, 2, {0, 22}},
      {"UPDATE shorter than 23", Msg(2, {0, 0}), 1, 2, {0, 21}},
      // §6.4: a malformed NOTIFICATION is not answered.
      {"NOTIFICATION shorter than 21", Msg(3, {6}), 1, 2, {0, 20}, false},
      // §6.2 OPEN Message Error.
      {"version 3", Msg(1, OpenBody({}, 3)), 2, 1, {0, 4}},
      {"optional parameter 1 (authentication, withdrawn)", Msg(1, OpenBody({1, 0})), 2, 4, {}},
      {"optional parameter longer than the parameters", Msg(1, OpenBody({2, 6, 65, 4, 0, 0})), 2, 0, {}},
      {"4-octet AS capability of 2 octets", Msg(1, OpenBody({2, 4, 65, 2, 0xfd, 0xea})), 2, 0, {}},
      {"BGP Identifier 0 (RFC 6286)", Msg(1, OpenBody({}, 4, 0)), 2, 3, {0, 0, 0, 0}},
      // §6.3 UPDATE Message Error.
      {"withdrawn routes length past the end", Msg(2, {0, 9, 0, 0}), 3, 1, {}},
      {"attribute length past the end", Msg(2, {0, 0, 0, 9}), 3, 1, {}},
      {"ORIGIN twice", Msg(2, UpdateBody(Cat({kOrigin, kOrigin, kAsPath, kNextHop}), kNlri)), 3, 1, {}},
      {"ORIGIN marked optional", Msg(2, UpdateBody(Cat({{0xc0, 1, 1, 0}, kAsPath, kNextHop}), kNlri)), 3, 4,
       {0xc0, 1, 1, 0}},
      {"ORIGIN of two octets", Msg(2, UpdateBody(Cat({{0x40, 1, 2, 0, 0}, kAsPath, kNextHop}), kNlri)), 3, 5,
       {0x40, 1, 2, 0, 0}},
      {"ORIGIN 3", Msg(2, UpdateBody(Cat({{0x40, 1, 1, 3}, kAsPath, kNextHop}), kNlri)), 3, 6, {0x40, 1, 1, 3}},
      {"AS_PATH segment type 9", Msg(2, UpdateBody(Cat({kOrigin, {0x40, 2, 6, 9, 1, 0, 0, 0xfd, 0xea}, kNextHop}), kNlri)),
       3, 11, {}},
      {"AS_PATH segment longer than the attribute",
       Msg(2, UpdateBody(Cat({kOrigin, {0x40, 2, 6, 2, 2, 0, 0, 0xfd, 0xea}, kNextHop}), kNlri)), 3, 11, {}},
      {"NEXT_HOP of three octets", Msg(2, UpdateBody(Cat({kOrigin, kAsPath, {0x40, 3, 3, 10, 0, 0}}), kNlri)), 3, 5,
       {0x40, 3, 3, 10, 0, 0}},
      {"MULTI_EXIT_DISC marked transitive", Msg(2, UpdateBody(Cat({kGoodAttrs, {0xc0, 4, 4, 0, 0, 0, 1}}), kNlri)), 3, 4,
       {0xc0, 4, 4, 0, 0, 0, 1}},
      {"unknown well-known attribute 99", Msg(2, UpdateBody(Cat({kGoodAttrs, {0x40, 99, 1, 7}}), kNlri)), 3, 2,
       {0x40, 99, 1, 7}},
      {"NLRI without NEXT_HOP", Msg(2, UpdateBody(Cat({kOrigin, kAsPath}), kNlri)), 3, 3, {3}},
      {"NLRI prefix of length 33", Msg(2, UpdateBody(kGoodAttrs, {33, 1, 2, 3, 4, 5})), 3, 10, {}},
      {"NLRI prefix cut short", Msg(2, UpdateBody(kGoodAttrs, {24, 192, 168})), 3, 10, {}},
      {"withdrawn prefix of length 40", Msg(2, UpdateBody({}, {}, {40, 1, 2, 3, 4, 5})), 3, 10, {}},
  };
}

TEST(BgpNotification, EncodingFollowsRfc4271Section4_5) {
  Message m;
  m.type = MessageType::kNotification;
  m.notification = {err::kUpdateMessage, err::kAttributeLengthError, {0x40, 1, 2, 0, 0}};
  Bytes b = Encode(m);
  // Marker (16 x 0xff), Length (2), Type 3, Error code, Error subcode, Data.
  Bytes want(16, 0xff);
  Bytes rest = {0, 26, 3, 3, 5, 0x40, 1, 2, 0, 0};
  want.insert(want.end(), rest.begin(), rest.end());
  EXPECT_EQ(b, want);
  Message d;
  ASSERT_TRUE(Decode(b.data(), b.size(), &d));
  EXPECT_EQ(d.type, MessageType::kNotification);
  EXPECT_EQ(d.notification.code, 3);
  EXPECT_EQ(d.notification.subcode, 5);
  EXPECT_EQ(d.notification.data, (Bytes{0x40, 1, 2, 0, 0}));
  // Without data: the minimum length, 21.
  m.notification = {err::kCease, err::kAdministrativeReset, {}};
  b = Encode(m);
  ASSERT_EQ(b.size(), 21u);
  EXPECT_EQ(b[17], 21);
  EXPECT_EQ(b[19], 6);
  EXPECT_EQ(b[20], 4);
}

TEST(BgpNotification, DecoderNamesTheErrorOfEachMalformedMessage) {
  // The well-formed ones the cases are built from decode.
  Message m;
  for (const Bytes& good : {Msg(4, {}), Msg(1, OpenBody({2, 6, 65, 4, 0, 0, 0xfd, 0xea})),
                            Msg(2, UpdateBody(kGoodAttrs, kNlri)), Msg(2, UpdateBody({}, {}, {24, 192, 168, 1})),
                            Msg(2, UpdateBody(Cat({kGoodAttrs, {0xc0, 99, 1, 7}}), kNlri)),
                            Msg(3, {6, 4})}) {
    DecodeError e;
    EXPECT_TRUE(Decode(good.data(), good.size(), &m, &e))
        << int(good[18]) << ": " << int(e.notification.code) << "/" << int(e.notification.subcode);
  }
  for (const Case& c : Cases()) {
    DecodeError e;
    EXPECT_FALSE(Decode(c.message.data(), c.message.size(), &m, &e)) << c.what;
    EXPECT_EQ(e.notification.code, c.code) << c.what;
    EXPECT_EQ(e.notification.subcode, c.subcode) << c.what;
    EXPECT_EQ(e.notification.data, c.data) << c.what;
    EXPECT_EQ(e.send, c.send) << c.what;
  }
}

TEST(BgpNotification, StreamParserReportsABadLengthWithTheLength) {
  StreamParser p;
  Bytes bad = Msg(4, {});
  bad[16] = 0x20;  // 8211 > 4096
  bad[17] = 0x13;
  Bytes msgs;
  p.Feed(bad.data(), bad.size(), &msgs);
  ASSERT_TRUE(p.error());
  DecodeError e = p.failure();
  EXPECT_EQ(e.notification.code, err::kMessageHeader);
  EXPECT_EQ(e.notification.subcode, err::kBadMessageLength);
  EXPECT_EQ(e.notification.data, (Bytes{0x20, 0x13}));
}

/// An established session of speaker 65001 with 65002; returns the speaker.
std::unique_ptr<BgpSpeaker> Established() {
  SpeakerConfig c;
  c.local_as = 65001;
  c.router_id = 1;
  std::unique_ptr<BgpSpeaker> sp(new BgpSpeaker(c, {{0x0a000002, 0x0a000001, 1, 65002, true}}, {}));
  std::vector<Action> out;
  sp->Start(0, &out);
  sp->OnTcpUp(0, 0, &out);
  Message m;
  m.type = MessageType::kOpen;
  m.open = {65002, 90, 2};
  sp->OnMessage(0, 0, m, &out);
  m.type = MessageType::kKeepalive;
  sp->OnMessage(0, 0, m, &out);
  EXPECT_EQ(sp->state(0), SessionState::kEstablished);
  return sp;
}

/// What the speaker sends and does when `bytes` arrive and fail to decode.
std::vector<Action> Receive(BgpSpeaker& sp, const Bytes& bytes) {
  Message m;
  DecodeError e;
  EXPECT_FALSE(Decode(bytes.data(), bytes.size(), &m, &e));
  std::vector<Action> out;
  sp.OnDecodeError(1 * kSec, 0, e, &out);
  return out;
}

TEST(BgpNotification, SpeakerSendsTheNotificationThenClosesTheSession) {
  for (const Case& c : Cases()) {
    auto sp = Established();
    std::vector<Action> out = Receive(*sp, c.message);
    // The NOTIFICATION (if any) is written before the connection is closed.
    ASSERT_FALSE(out.empty()) << c.what;
    EXPECT_EQ(out.back().kind, Action::Kind::kClose) << c.what;
    std::vector<Message> sent;
    for (const auto& a : out) {
      if (a.kind != Action::Kind::kSend) continue;
      ForEachMessage(a.bytes.data(), a.bytes.size(), [&](const uint8_t* d, size_t n) {
        Message m;
        ASSERT_TRUE(Decode(d, n, &m));
        sent.push_back(m);
      });
    }
    if (!c.send) {
      EXPECT_TRUE(sent.empty()) << c.what;
    } else {
      ASSERT_EQ(sent.size(), 1u) << c.what;
      EXPECT_EQ(sent[0].type, MessageType::kNotification) << c.what;
      // In Established a malformed OPEN is unexpected in the first place: §8.2.2 answers it
      // with Finite State Machine Error.
      uint8_t code = c.code == err::kOpenMessage ? uint8_t{err::kFsm} : c.code;
      uint8_t subcode = c.code == err::kOpenMessage ? 0 : c.subcode;
      Bytes data = c.code == err::kOpenMessage ? Bytes{} : c.data;
      EXPECT_EQ(sent[0].notification.code, code) << c.what;
      EXPECT_EQ(sent[0].notification.subcode, subcode) << c.what;
      EXPECT_EQ(sent[0].notification.data, data) << c.what;
    }
    EXPECT_EQ(sp->state(0), SessionState::kIdle) << c.what;
    EXPECT_EQ(sp->counters().session_drops, 1u) << c.what;
  }
}

TEST(BgpNotification, MalformedOpenInOpenSentGetsItsOpenMessageError) {
  SpeakerConfig c;
  c.local_as = 65001;
  c.router_id = 1;
  BgpSpeaker sp(c, {{0x0a000002, 0x0a000001, 1, 65002, true}}, {});
  std::vector<Action> out;
  sp.Start(0, &out);
  sp.OnTcpUp(0, 0, &out);
  out = Receive(sp, Msg(1, OpenBody({}, 3)));
  ASSERT_EQ(out.size(), 2u);
  Message m;
  ASSERT_TRUE(Decode(out[0].bytes.data(), out[0].bytes.size(), &m));
  EXPECT_EQ(m.notification.code, err::kOpenMessage);
  EXPECT_EQ(m.notification.subcode, err::kUnsupportedVersionNumber);
  EXPECT_EQ(m.notification.data, (Bytes{0, 4}));
  EXPECT_EQ(out[1].kind, Action::Kind::kClose);
}

// --- Wireshark ---------------------------------------------------------------------------------

/// A pcap (LINKTYPE_RAW: IPv4 packets) with one TCP segment from port 179 per payload.
void WritePcap(const std::string& path, const std::vector<Bytes>& payloads) {
  std::ofstream f(path, std::ios::binary);
  auto put32 = [&](uint32_t v) { f.write(reinterpret_cast<const char*>(&v), 4); };  // little-endian host
  auto put16 = [&](uint16_t v) { f.write(reinterpret_cast<const char*>(&v), 2); };
  put32(0xa1b2c3d4);
  put16(2);
  put16(4);
  put32(0);
  put32(0);
  put32(65535);
  put32(101);  // LINKTYPE_RAW
  for (size_t i = 0; i < payloads.size(); ++i) {
    const Bytes& p = payloads[i];
    uint16_t total = static_cast<uint16_t>(40 + p.size());
    uint16_t sport = 179, dport = static_cast<uint16_t>(40000 + i);  // one connection per message
    Bytes pkt = {0x45, 0, uint8_t(total >> 8), uint8_t(total), 0, uint8_t(i), 0x40, 0, 64, 6, 0, 0,
                 10, 0, 0, 1, 10, 0, 0, 2};
    uint32_t sum = 0;
    for (size_t k = 0; k < 20; k += 2) sum += (pkt[k] << 8) | pkt[k + 1];
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    pkt[10] = uint8_t(~sum >> 8);
    pkt[11] = uint8_t(~sum);
    Bytes tcp = {uint8_t(sport >> 8), uint8_t(sport), uint8_t(dport >> 8), uint8_t(dport), 0, 0, 0, 1, 0, 0, 0, 1,
                 0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0};
    pkt.insert(pkt.end(), tcp.begin(), tcp.end());
    pkt.insert(pkt.end(), p.begin(), p.end());
    put32(static_cast<uint32_t>(i));
    put32(0);
    put32(static_cast<uint32_t>(pkt.size()));
    put32(static_cast<uint32_t>(pkt.size()));
    f.write(reinterpret_cast<const char*>(pkt.data()), static_cast<std::streamsize>(pkt.size()));
  }
}

std::string Shell(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  pclose(p);
  return out;
}

TEST(BgpNotification, WiresharkDecodesWhatTheSpeakerSends) {
  if (std::system("command -v tshark >/dev/null 2>&1") != 0) GTEST_SKIP() << "tshark is not installed";
  // The NOTIFICATIONs the speaker sends for one malformed message of each kind, as written.
  std::vector<Bytes> sent;
  std::vector<std::string> want;
  auto collect = [&](std::unique_ptr<BgpSpeaker> sp, const Bytes& bad, const std::string& fields) {
    for (const auto& a : Receive(*sp, bad)) {
      if (a.kind == Action::Kind::kSend) sent.push_back(a.bytes);
    }
    want.push_back(fields);
  };
  // major, header, open, update minor codes, data (tshark's -T fields, '|'-separated).
  collect(Established(), Msg(4, {0}), "1|2|||0014");
  collect(Established(), Msg(7, {}), "1|3|||07");
  collect(Established(), Msg(2, UpdateBody(Cat({{0x40, 1, 2, 0, 0}, kAsPath, kNextHop}), kNlri)), "3|||5|4001020000");
  collect(Established(), Msg(2, UpdateBody(Cat({kOrigin, kAsPath}), kNlri)), "3|||3|03");
  collect(Established(), Msg(2, UpdateBody(kGoodAttrs, {33, 1, 2, 3, 4, 5})), "3|||10|");
  {
    SpeakerConfig c;
    c.local_as = 65001;
    c.router_id = 1;
    std::unique_ptr<BgpSpeaker> sp(new BgpSpeaker(c, {{0x0a000002, 0x0a000001, 1, 65002, true}}, {}));
    std::vector<Action> out;
    sp->Start(0, &out);
    sp->OnTcpUp(0, 0, &out);
    collect(std::move(sp), Msg(1, OpenBody({}, 3)), "2||1||0004");
  }
  ASSERT_EQ(sent.size(), want.size());
  std::string dir = ::testing::TempDir() + "/bgp-notification-pcap";
  std::filesystem::create_directories(dir);
  std::string pcap = dir + "/notifications.pcap";
  WritePcap(pcap, sent);
  std::string fields = Shell("tshark -n -r '" + pcap +
                           "' -T fields -E separator='|' -e bgp.notify.major_error -e bgp.notify.minor_error "
                           "-e bgp.notify.minor_error_open -e bgp.notify.minor_error_update -e bgp.notify.minor_data "
                           "2>/dev/null");
  std::string expected;
  for (const auto& w : want) expected += w + "\n";
  EXPECT_EQ(fields, expected);
  // And nothing Wireshark finds malformed or wrong.
  std::string bad = Shell("tshark -n -r '" + pcap + "' -Y '_ws.malformed || _ws.expert.severity == error' "
                        "-T fields -e frame.number 2>/dev/null");
  EXPECT_EQ(bad, "");
  std::string types = Shell("tshark -n -r '" + pcap + "' -T fields -e bgp.type 2>/dev/null");
  std::string all_notifications;
  for (size_t i = 0; i < sent.size(); ++i) all_notifications += "3\n";
  EXPECT_EQ(types, all_notifications);
}

}  // namespace
}  // namespace planelab::bgp
