#include "models/proto/openflow13.h"

#include <cstdio>

namespace planelab::of13 {

namespace {

// OXM basic fields (OF §7.2.3.7, enum oxm_ofb_match_fields) and the OpenFlow basic class.
constexpr uint16_t kOxmClass = 0x8000;
constexpr uint8_t kOxmInPort = 0, kOxmEthDst = 3, kOxmEthSrc = 4, kOxmEthType = 5, kOxmIpProto = 10,
                  kOxmIpv4Src = 11, kOxmIpv4Dst = 12, kOxmTcpSrc = 13, kOxmTcpDst = 14, kOxmUdpSrc = 15,
                  kOxmUdpDst = 16;
constexpr uint16_t kInstrApplyActions = 4;  // OFPIT_APPLY_ACTIONS
constexpr uint16_t kActOutput = 0, kActGroup = 22;
constexpr uint16_t kNoBufferLen = 0xffff;   // OFPCML_NO_BUFFER: send the whole packet to the controller

struct Writer {
  std::vector<uint8_t>* b;
  void U8(uint8_t v) { b->push_back(v); }
  void U16(uint16_t v) { U8(uint8_t(v >> 8)); U8(uint8_t(v)); }
  void U32(uint32_t v) { U16(uint16_t(v >> 16)); U16(uint16_t(v)); }
  void U48(uint64_t v) { U16(uint16_t(v >> 32)); U32(uint32_t(v)); }
  void U64(uint64_t v) { U32(uint32_t(v >> 32)); U32(uint32_t(v)); }
  void Pad(size_t n) { b->insert(b->end(), n, 0); }
  void Bytes(const std::vector<uint8_t>& v) { b->insert(b->end(), v.begin(), v.end()); }
  void Put16(size_t at, uint16_t v) { (*b)[at] = uint8_t(v >> 8); (*b)[at + 1] = uint8_t(v); }
  size_t size() const { return b->size(); }
};

struct Reader {
  const uint8_t* p;
  size_t n, at = 0;
  bool ok = true;
  bool Need(size_t k) {
    if (n - at < k) ok = false;
    return ok;
  }
  uint8_t U8() { if (!Need(1)) return 0; return p[at++]; }
  uint16_t U16() { if (!Need(2)) return 0; uint16_t v = uint16_t(p[at] << 8 | p[at + 1]); at += 2; return v; }
  uint32_t U32() { uint32_t hi = U16(); return hi << 16 | U16(); }
  uint64_t U48() { uint64_t hi = U16(); return hi << 32 | U32(); }
  uint64_t U64() { uint64_t hi = U32(); return hi << 32 | U32(); }
  void Skip(size_t k) { if (Need(k)) at += k; }
  size_t left() const { return ok ? n - at : 0; }
};

void OxmHeader(Writer& w, uint8_t field, bool masked, uint8_t len) {
  w.U16(kOxmClass);
  w.U8(uint8_t(field << 1 | (masked ? 1 : 0)));
  w.U8(masked ? uint8_t(2 * len) : len);
}

void EncodeMatch(Writer& w, const Match& m) {
  size_t start = w.size();
  w.U16(1);  // OFPMT_OXM
  w.U16(0);  // length, set below
  if (m.fields & Match::kInPort) { OxmHeader(w, kOxmInPort, false, 4); w.U32(m.in_port); }
  if (m.fields & Match::kEthDst) { OxmHeader(w, kOxmEthDst, false, 6); w.U48(m.eth_dst); }
  if (m.fields & Match::kEthSrc) { OxmHeader(w, kOxmEthSrc, false, 6); w.U48(m.eth_src); }
  // OF §7.2.3.8: IP fields need ETH_TYPE=0x0800 and ports need IP_PROTO; a match that names them has them.
  if (m.fields & Match::kEthType) { OxmHeader(w, kOxmEthType, false, 2); w.U16(m.eth_type); }
  if (m.fields & Match::kIpProto) { OxmHeader(w, kOxmIpProto, false, 1); w.U8(m.ip_proto); }
  if (m.fields & Match::kIpv4Src) {
    bool masked = m.ipv4_src_mask != 0xffffffff;
    OxmHeader(w, kOxmIpv4Src, masked, 4);
    w.U32(m.ipv4_src);
    if (masked) w.U32(m.ipv4_src_mask);
  }
  if (m.fields & Match::kIpv4Dst) {
    bool masked = m.ipv4_dst_mask != 0xffffffff;
    OxmHeader(w, kOxmIpv4Dst, masked, 4);
    w.U32(m.ipv4_dst);
    if (masked) w.U32(m.ipv4_dst_mask);
  }
  bool udp = m.ip_proto == 17;
  if (m.fields & Match::kL4Src) { OxmHeader(w, udp ? kOxmUdpSrc : kOxmTcpSrc, false, 2); w.U16(m.l4_src); }
  if (m.fields & Match::kL4Dst) { OxmHeader(w, udp ? kOxmUdpDst : kOxmTcpDst, false, 2); w.U16(m.l4_dst); }
  size_t len = w.size() - start;
  w.Put16(start + 2, uint16_t(len));
  w.Pad((8 - len % 8) % 8);  // OF §7.2.3.1: padded to a multiple of 8
}

bool DecodeMatch(Reader& r, Match* m) {
  size_t start = r.at;
  uint16_t type = r.U16(), len = r.U16();
  if (!r.ok || type != 1 || len < 4) return false;
  *m = Match();
  while (r.ok && r.at < start + len) {
    uint16_t cls = r.U16();
    uint8_t fh = r.U8(), flen = r.U8();
    uint8_t field = fh >> 1;
    bool masked = fh & 1;
    if (cls != kOxmClass) { r.Skip(flen); continue; }
    switch (field) {
      case kOxmInPort: m->fields |= Match::kInPort; m->in_port = r.U32(); break;
      case kOxmEthDst: m->fields |= Match::kEthDst; m->eth_dst = r.U48(); break;
      case kOxmEthSrc: m->fields |= Match::kEthSrc; m->eth_src = r.U48(); break;
      case kOxmEthType: m->fields |= Match::kEthType; m->eth_type = r.U16(); break;
      case kOxmIpProto: m->fields |= Match::kIpProto; m->ip_proto = r.U8(); break;
      case kOxmIpv4Src:
        m->fields |= Match::kIpv4Src; m->ipv4_src = r.U32();
        if (masked) m->ipv4_src_mask = r.U32();
        break;
      case kOxmIpv4Dst:
        m->fields |= Match::kIpv4Dst; m->ipv4_dst = r.U32();
        if (masked) m->ipv4_dst_mask = r.U32();
        break;
      case kOxmTcpSrc: case kOxmUdpSrc: m->fields |= Match::kL4Src; m->l4_src = r.U16(); break;
      case kOxmTcpDst: case kOxmUdpDst: m->fields |= Match::kL4Dst; m->l4_dst = r.U16(); break;
      default: r.Skip(flen);
    }
  }
  if (!r.ok || r.at != start + len) return false;
  r.Skip((8 - len % 8) % 8);
  return r.ok;
}

void EncodeActions(Writer& w, const std::vector<Action>& actions) {
  for (const Action& a : actions) {
    if (a.kind == Action::Kind::kOutput) {
      w.U16(kActOutput); w.U16(16); w.U32(a.arg); w.U16(kNoBufferLen); w.Pad(6);
    } else {
      w.U16(kActGroup); w.U16(8); w.U32(a.arg);
    }
  }
}

bool DecodeActions(Reader& r, size_t len, std::vector<Action>* out) {
  size_t end = r.at + len;
  while (r.ok && r.at < end) {
    uint16_t type = r.U16(), alen = r.U16();
    if (alen < 8) return false;
    if (type == kActOutput) {
      out->push_back(Output(r.U32()));
      r.Skip(alen - 8);
    } else if (type == kActGroup) {
      out->push_back(ToGroup(r.U32()));
      r.Skip(alen - 8);
    } else {
      r.Skip(alen - 4);
    }
  }
  return r.ok && r.at == end;
}

void Put48(std::vector<uint8_t>& b, uint64_t v) {
  for (int k = 5; k >= 0; --k) b.push_back(uint8_t(v >> (8 * k)));
}
uint64_t Get48(const uint8_t* p) {
  uint64_t v = 0;
  for (int k = 0; k < 6; ++k) v = v << 8 | p[k];
  return v;
}

}  // namespace

const char* ToString(Type t) {
  switch (t) {
    case Type::kHello: return "HELLO";
    case Type::kError: return "ERROR";
    case Type::kEchoRequest: return "ECHO_REQUEST";
    case Type::kEchoReply: return "ECHO_REPLY";
    case Type::kFeaturesRequest: return "FEATURES_REQUEST";
    case Type::kFeaturesReply: return "FEATURES_REPLY";
    case Type::kPacketIn: return "PACKET_IN";
    case Type::kFlowRemoved: return "FLOW_REMOVED";
    case Type::kPacketOut: return "PACKET_OUT";
    case Type::kFlowMod: return "FLOW_MOD";
    case Type::kGroupMod: return "GROUP_MOD";
    case Type::kBarrierRequest: return "BARRIER_REQUEST";
    case Type::kBarrierReply: return "BARRIER_REPLY";
    case Type::kRoleRequest: return "ROLE_REQUEST";
    case Type::kRoleReply: return "ROLE_REPLY";
  }
  return "?";
}

const char* ToString(Role r) {
  switch (r) {
    case Role::kNoChange: return "nochange";
    case Role::kEqual: return "equal";
    case Role::kMaster: return "master";
    case Role::kSlave: return "slave";
  }
  return "?";
}

const char* ToString(RemovedReason r) {
  switch (r) {
    case RemovedReason::kIdleTimeout: return "idle_timeout";
    case RemovedReason::kHardTimeout: return "hard_timeout";
    case RemovedReason::kDelete: return "delete";
    case RemovedReason::kGroupDelete: return "group_delete";
  }
  return "?";
}

Action Output(uint32_t port) { return Action{Action::Kind::kOutput, port}; }
Action ToGroup(uint32_t group) { return Action{Action::Kind::kGroup, group}; }

bool Match::Matches(const PacketFields& p) const {
  if ((fields & kInPort) && p.in_port != in_port) return false;
  if ((fields & kEthSrc) && p.eth_src != eth_src) return false;
  if ((fields & kEthDst) && p.eth_dst != eth_dst) return false;
  if ((fields & kEthType) && p.eth_type != eth_type) return false;
  if ((fields & kIpProto) && p.ip_proto != ip_proto) return false;
  if ((fields & kIpv4Src) && (p.ipv4_src & ipv4_src_mask) != (ipv4_src & ipv4_src_mask)) return false;
  if ((fields & kIpv4Dst) && (p.ipv4_dst & ipv4_dst_mask) != (ipv4_dst & ipv4_dst_mask)) return false;
  if ((fields & kL4Src) && p.l4_src != l4_src) return false;
  if ((fields & kL4Dst) && p.l4_dst != l4_dst) return false;
  return true;
}

bool Match::Within(const Match& o) const {
  // Every field `o` constrains, this match constrains at least as tightly.
  if ((o.fields & ~fields) != 0) return false;
  if ((o.fields & kInPort) && in_port != o.in_port) return false;
  if ((o.fields & kEthSrc) && eth_src != o.eth_src) return false;
  if ((o.fields & kEthDst) && eth_dst != o.eth_dst) return false;
  if ((o.fields & kEthType) && eth_type != o.eth_type) return false;
  if ((o.fields & kIpProto) && ip_proto != o.ip_proto) return false;
  if ((o.fields & kIpv4Src) &&
      ((ipv4_src_mask & o.ipv4_src_mask) != o.ipv4_src_mask || (ipv4_src & o.ipv4_src_mask) != (o.ipv4_src & o.ipv4_src_mask)))
    return false;
  if ((o.fields & kIpv4Dst) &&
      ((ipv4_dst_mask & o.ipv4_dst_mask) != o.ipv4_dst_mask || (ipv4_dst & o.ipv4_dst_mask) != (o.ipv4_dst & o.ipv4_dst_mask)))
    return false;
  if ((o.fields & kL4Src) && l4_src != o.l4_src) return false;
  if ((o.fields & kL4Dst) && l4_dst != o.l4_dst) return false;
  return true;
}

bool Match::operator==(const Match& o) const {
  return fields == o.fields && Within(o) && o.Within(*this);
}

std::string Match::ToString() const {
  std::string s;
  char buf[64];
  auto ip = [&](const char* name, uint32_t a, uint32_t mask) {
    int len = __builtin_popcount(mask);
    std::snprintf(buf, sizeof buf, "%s=%u.%u.%u.%u%s%s", name, a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255,
                  len == 32 ? "" : "/", len == 32 ? "" : std::to_string(len).c_str());
    if (!s.empty()) s += ",";
    s += buf;
  };
  auto num = [&](const char* name, uint64_t v) {
    if (!s.empty()) s += ",";
    s += std::string(name) + "=" + std::to_string(v);
  };
  if (fields & kInPort) num("in_port", in_port);
  if (fields & kEthType) num("eth_type", eth_type);
  if (fields & kIpProto) num("ip_proto", ip_proto);
  if (fields & kIpv4Src) ip("ipv4_src", ipv4_src, ipv4_src_mask);
  if (fields & kIpv4Dst) ip("ipv4_dst", ipv4_dst, ipv4_dst_mask);
  if (fields & kL4Src) num("l4_src", l4_src);
  if (fields & kL4Dst) num("l4_dst", l4_dst);
  return s.empty() ? "*" : s;
}

void Encode(const Message& m, std::vector<uint8_t>* out) {
  Writer w{out};
  size_t start = w.size();
  w.U8(kVersion);
  w.U8(static_cast<uint8_t>(m.type));
  w.U16(0);
  w.U32(m.xid);
  switch (m.type) {
    case Type::kHello: case Type::kFeaturesRequest: case Type::kBarrierRequest: case Type::kBarrierReply: break;
    case Type::kError: w.U16(m.err_type); w.U16(m.err_code); w.Bytes(m.data); break;
    case Type::kEchoRequest: case Type::kEchoReply: w.Bytes(m.data); break;
    case Type::kFeaturesReply:
      w.U64(m.datapath_id); w.U32(0); w.U8(m.n_tables); w.U8(0); w.Pad(2);
      w.U32(0x0000004f);  // capabilities: FLOW_STATS, TABLE_STATS, PORT_STATS, GROUP_STATS, QUEUE_STATS
      w.U32(0);
      break;
    case Type::kPacketIn:
      w.U32(m.buffer_id); w.U16(uint16_t(m.data.size())); w.U8(m.reason); w.U8(m.table_id); w.U64(m.cookie);
      EncodeMatch(w, m.match);
      w.Pad(2);
      w.Bytes(m.data);
      break;
    case Type::kFlowRemoved:
      w.U64(m.cookie); w.U16(m.priority); w.U8(m.reason); w.U8(m.table_id); w.U32(m.duration_sec);
      w.U32(m.duration_nsec); w.U16(m.idle_timeout); w.U16(m.hard_timeout); w.U64(m.packet_count);
      w.U64(m.byte_count);
      EncodeMatch(w, m.match);
      break;
    case Type::kPacketOut: {
      w.U32(m.buffer_id); w.U32(m.in_port);
      size_t len_at = w.size();
      w.U16(0); w.Pad(6);
      size_t a0 = w.size();
      EncodeActions(w, m.actions);
      w.Put16(len_at, uint16_t(w.size() - a0));
      w.Bytes(m.data);
      break;
    }
    case Type::kFlowMod: {
      w.U64(m.cookie); w.U64(m.cookie_mask); w.U8(m.table_id); w.U8(static_cast<uint8_t>(m.command));
      w.U16(m.idle_timeout); w.U16(m.hard_timeout); w.U16(m.priority); w.U32(m.buffer_id); w.U32(m.out_port);
      w.U32(m.out_group); w.U16(m.flags); w.Pad(2);
      EncodeMatch(w, m.match);
      if (m.command == FlowModCommand::kAdd || m.command == FlowModCommand::kModify ||
          m.command == FlowModCommand::kModifyStrict) {
        size_t i0 = w.size();
        w.U16(kInstrApplyActions); w.U16(0); w.Pad(4);
        EncodeActions(w, m.actions);
        w.Put16(i0 + 2, uint16_t(w.size() - i0));
      }
      break;
    }
    case Type::kGroupMod:
      w.U16(m.group_command); w.U8(m.group_type); w.Pad(1); w.U32(m.group_id);
      for (const Bucket& b : m.buckets) {
        size_t b0 = w.size();
        w.U16(0); w.U16(m.group_type == 1 ? 1 : 0); w.U32(kPortAny); w.U32(kGroupAny); w.Pad(4);
        EncodeActions(w, b.actions);
        w.Put16(b0, uint16_t(w.size() - b0));
      }
      break;
    case Type::kRoleRequest: case Type::kRoleReply:
      w.U32(static_cast<uint32_t>(m.role)); w.Pad(4); w.U64(m.generation_id);
      break;
  }
  w.Put16(start + 2, uint16_t(w.size() - start));
}

std::vector<uint8_t> Encode(const Message& m) {
  std::vector<uint8_t> b;
  Encode(m, &b);
  return b;
}

bool Decode(const uint8_t* data, size_t size, Message* out) {
  Reader r{data, size};
  if (size < 8 || data[0] != kVersion) return false;
  Message m;
  r.U8();
  uint8_t type = r.U8();
  uint16_t len = r.U16();
  if (len != size) return false;
  m.xid = r.U32();
  m.type = static_cast<Type>(type);
  auto rest = [&]() { m.data.assign(data + r.at, data + size); r.at = size; };
  switch (m.type) {
    case Type::kHello: case Type::kFeaturesRequest: case Type::kBarrierRequest: case Type::kBarrierReply:
      r.at = size;  // HELLO may carry elements (OF §7.5.1); they are not needed here
      break;
    case Type::kError: m.err_type = r.U16(); m.err_code = r.U16(); if (r.ok) rest(); break;
    case Type::kEchoRequest: case Type::kEchoReply: rest(); break;
    case Type::kFeaturesReply:
      m.datapath_id = r.U64(); r.U32(); m.n_tables = r.U8(); r.Skip(3); r.U32(); r.U32();
      break;
    case Type::kPacketIn:
      m.buffer_id = r.U32(); r.U16(); m.reason = r.U8(); m.table_id = r.U8(); m.cookie = r.U64();
      if (!DecodeMatch(r, &m.match)) return false;
      r.Skip(2);
      if (r.ok) rest();
      if (m.match.fields & Match::kInPort) m.in_port = m.match.in_port;
      break;
    case Type::kFlowRemoved:
      m.cookie = r.U64(); m.priority = r.U16(); m.reason = r.U8(); m.table_id = r.U8(); m.duration_sec = r.U32();
      m.duration_nsec = r.U32(); m.idle_timeout = r.U16(); m.hard_timeout = r.U16(); m.packet_count = r.U64();
      m.byte_count = r.U64();
      if (!DecodeMatch(r, &m.match)) return false;
      break;
    case Type::kPacketOut: {
      m.buffer_id = r.U32(); m.in_port = r.U32();
      uint16_t alen = r.U16();
      r.Skip(6);
      if (!r.ok || !DecodeActions(r, alen, &m.actions)) return false;
      rest();
      break;
    }
    case Type::kFlowMod: {
      m.cookie = r.U64(); m.cookie_mask = r.U64(); m.table_id = r.U8();
      m.command = static_cast<FlowModCommand>(r.U8());
      m.idle_timeout = r.U16(); m.hard_timeout = r.U16(); m.priority = r.U16(); m.buffer_id = r.U32();
      m.out_port = r.U32(); m.out_group = r.U32(); m.flags = r.U16(); r.Skip(2);
      if (!r.ok || !DecodeMatch(r, &m.match)) return false;
      while (r.ok && r.at < size) {
        uint16_t itype = r.U16(), ilen = r.U16();
        if (ilen < 8) return false;
        r.Skip(4);
        if (itype == kInstrApplyActions) {
          if (!DecodeActions(r, ilen - 8, &m.actions)) return false;
        } else {
          r.Skip(ilen - 8);
        }
      }
      break;
    }
    case Type::kGroupMod:
      m.group_command = r.U16(); m.group_type = r.U8(); r.Skip(1); m.group_id = r.U32();
      while (r.ok && r.at < size) {
        uint16_t blen = r.U16();
        if (blen < 16) return false;
        r.Skip(14);
        Bucket b;
        if (!DecodeActions(r, blen - 16, &b.actions)) return false;
        m.buckets.push_back(std::move(b));
      }
      break;
    case Type::kRoleRequest: case Type::kRoleReply:
      m.role = static_cast<Role>(r.U32()); r.Skip(4); m.generation_id = r.U64();
      break;
    default:
      return false;
  }
  if (!r.ok || r.at != size) return false;
  *out = std::move(m);
  return true;
}

std::vector<uint8_t> FrameOf(const PacketFields& p) {
  std::vector<uint8_t> b;
  Put48(b, p.eth_dst);
  Put48(b, p.eth_src);
  b.push_back(uint8_t(p.eth_type >> 8));
  b.push_back(uint8_t(p.eth_type));
  if (p.eth_type != kEthTypeIpv4) return b;
  bool tcp = p.ip_proto == 6;
  uint16_t l4 = tcp ? 20 : 8;
  uint16_t total = uint16_t(20 + l4);
  uint8_t ip[20] = {0x45, 0, uint8_t(total >> 8), uint8_t(total), 0, 0, 0x40, 0, 64, p.ip_proto, 0, 0};
  for (int k = 0; k < 4; ++k) {
    ip[12 + k] = uint8_t(p.ipv4_src >> (24 - 8 * k));
    ip[16 + k] = uint8_t(p.ipv4_dst >> (24 - 8 * k));
  }
  uint32_t sum = 0;  // RFC 791 header checksum, so the capture shows a valid header
  for (int k = 0; k < 20; k += 2) sum += uint32_t(ip[k] << 8 | ip[k + 1]);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  ip[10] = uint8_t(~sum >> 8);
  ip[11] = uint8_t(~sum);
  b.insert(b.end(), ip, ip + 20);
  b.push_back(uint8_t(p.l4_src >> 8)); b.push_back(uint8_t(p.l4_src));
  b.push_back(uint8_t(p.l4_dst >> 8)); b.push_back(uint8_t(p.l4_dst));
  if (tcp) {
    uint8_t rest[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0};  // a SYN, data offset 5
    b.insert(b.end(), rest, rest + 16);
  } else {
    b.push_back(0); b.push_back(8); b.push_back(0); b.push_back(0);  // length 8, checksum 0 (none, RFC 768)
  }
  return b;
}

bool FieldsOfFrame(const uint8_t* d, size_t n, PacketFields* p) {
  if (n < 14) return false;
  p->eth_dst = Get48(d);
  p->eth_src = Get48(d + 6);
  p->eth_type = uint16_t(d[12] << 8 | d[13]);
  if (p->eth_type != kEthTypeIpv4) return true;
  if (n < 34) return false;
  const uint8_t* ip = d + 14;
  p->ip_proto = ip[9];
  p->ipv4_src = uint32_t(ip[12]) << 24 | uint32_t(ip[13]) << 16 | uint32_t(ip[14]) << 8 | ip[15];
  p->ipv4_dst = uint32_t(ip[16]) << 24 | uint32_t(ip[17]) << 16 | uint32_t(ip[18]) << 8 | ip[19];
  if ((p->ip_proto == 6 || p->ip_proto == 17) && n >= 38) {
    p->l4_src = uint16_t(d[34] << 8 | d[35]);
    p->l4_dst = uint16_t(d[36] << 8 | d[37]);
  }
  return true;
}

std::vector<uint8_t> LldpFrame(uint64_t dpid, uint32_t port) {
  std::vector<uint8_t> b;
  Put48(b, 0x0180c200000eULL);  // IEEE 802.1AB nearest-bridge group address
  Put48(b, MacOf(static_cast<uint32_t>(dpid)));
  b.push_back(0x88); b.push_back(0xcc);
  auto tlv = [&](uint8_t type, uint8_t subtype, const std::string& v) {
    uint16_t len = uint16_t(v.size() + 1);
    b.push_back(uint8_t(type << 1 | len >> 8)); b.push_back(uint8_t(len));
    b.push_back(subtype);
    b.insert(b.end(), v.begin(), v.end());
  };
  char id[32];
  std::snprintf(id, sizeof id, "dpid:%016llx", static_cast<unsigned long long>(dpid));
  tlv(1, 7, id);                      // Chassis ID, locally assigned
  tlv(2, 7, std::to_string(port));    // Port ID, locally assigned
  b.push_back(3 << 1); b.push_back(2); b.push_back(0); b.push_back(120);  // TTL 120 s
  b.push_back(0); b.push_back(0);     // End of LLDPDU
  return b;
}

bool ParseLldp(const uint8_t* d, size_t n, uint64_t* dpid, uint32_t* port) {
  if (n < 14 || d[12] != 0x88 || d[13] != 0xcc) return false;
  bool have_chassis = false, have_port = false;
  for (size_t at = 14; at + 2 <= n;) {
    uint8_t type = d[at] >> 1;
    size_t len = size_t(d[at] & 1) << 8 | d[at + 1];
    at += 2;
    if (type == 0 || at + len > n) break;
    if (len >= 1) {
      std::string v(reinterpret_cast<const char*>(d + at + 1), len - 1);
      if (type == 1 && v.rfind("dpid:", 0) == 0) {
        *dpid = std::stoull(v.substr(5), nullptr, 16);
        have_chassis = true;
      } else if (type == 2 && !v.empty() && v.find_first_not_of("0123456789") == std::string::npos) {
        *port = static_cast<uint32_t>(std::stoul(v));
        have_port = true;
      }
    }
    at += len;
  }
  return have_chassis && have_port;
}

}  // namespace planelab::of13
