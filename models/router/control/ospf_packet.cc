#include "models/router/control/ospf_packet.h"

#include <algorithm>

namespace planelab::ls {

namespace {

void Put16(std::vector<uint8_t>& b, uint16_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}
void Put32(std::vector<uint8_t>& b, uint32_t v) {
  const uint8_t bytes[4] = {static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16), static_cast<uint8_t>(v >> 8),
                            static_cast<uint8_t>(v)};
  b.insert(b.end(), bytes, bytes + 4);
}
uint16_t Get16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
uint32_t Get32(const uint8_t* p) { return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3]; }

uint32_t MaskOf(uint8_t len) { return len == 0 ? 0 : 0xffffffffu << (32 - len); }
/// Prefix length of a contiguous mask, or -1.
int LengthOf(uint32_t mask) {
  int len = 0;
  while (len < 32 && (mask & (0x80000000u >> len))) ++len;
  return MaskOf(static_cast<uint8_t>(len)) == mask ? len : -1;
}

constexpr size_t kHeader = 24;
constexpr size_t kLsaHeader = 20;
constexpr uint8_t kLinkPointToPoint = 1, kLinkStub = 3;

/// The ISO 8473 Fletcher checksum over an LSA without its age (RFC 2328 §12.1.7, RFC 905 Annex B): the two bytes
/// at `offset` are chosen so the whole sums to zero.
uint16_t Fletcher(const uint8_t* data, size_t len, size_t offset) {
  int32_t c0 = 0, c1 = 0;
  for (size_t i = 0; i < len; ++i) {
    const uint8_t b = (i == offset || i == offset + 1) ? 0 : data[i];
    c0 = (c0 + b) % 255;
    c1 = (c1 + c0) % 255;
  }
  int32_t x = static_cast<int32_t>((static_cast<int64_t>(len - offset - 1) * c0 - c1) % 255);
  if (x <= 0) x += 255;
  int32_t y = 510 - c0 - x;
  if (y > 255) y -= 255;
  return static_cast<uint16_t>((x << 8) | y);
}
bool FletcherHolds(const uint8_t* data, size_t len) {
  int32_t c0 = 0, c1 = 0;
  for (size_t i = 0; i < len; ++i) {
    c0 = (c0 + data[i]) % 255;
    c1 = (c1 + c0) % 255;
  }
  return c0 == 0 && c1 == 0;
}

/// The RFC 1071 one's-complement sum of 16-bit words, folded to 16 bits (bytes from an even offset).
uint32_t OnesSum(const uint8_t* p, size_t n, uint32_t sum = 0) {
  uint64_t acc = sum;
  for (size_t i = 0; i + 1 < n; i += 2) acc += (uint32_t(p[i]) << 8) | p[i + 1];
  if (n & 1) acc += uint32_t(p[n - 1]) << 8;
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  return static_cast<uint32_t>(acc);
}
uint32_t AddSums(uint32_t a, uint32_t b) {
  uint32_t s = a + b;
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return s;
}
/// RFC 1071 Internet checksum, as OSPF's packet checksum (A.3.1).
uint16_t InternetChecksum(const uint8_t* p, size_t n) { return static_cast<uint16_t>(~OnesSum(p, n)); }

void PutLsaHeader(std::vector<uint8_t>& b, const LsaHeader& h) {
  Put16(b, h.age);
  b.push_back(h.options);
  b.push_back(h.type);
  Put32(b, h.id);
  Put32(b, h.adv);
  Put32(b, static_cast<uint32_t>(h.seq));
  Put16(b, h.checksum);
  Put16(b, h.length);
}
LsaHeader GetLsaHeader(const uint8_t* p) {
  LsaHeader h;
  h.age = Get16(p);
  h.options = p[2];
  h.type = p[3];
  h.id = Get32(p + 4);
  h.adv = Get32(p + 8);
  h.seq = static_cast<int32_t>(Get32(p + 12));
  h.checksum = Get16(p + 16);
  h.length = Get16(p + 18);
  return h;
}

void PutLsa(std::vector<uint8_t>& b, const Lsa& l) {
  PutLsaHeader(b, l.header);
  b.push_back(0);  // V, E, B bits: neither virtual-link endpoint, ASBR nor ABR
  b.push_back(0);
  Put16(b, static_cast<uint16_t>(l.links.size() + l.prefixes.size()));
  for (const auto& a : l.links) {
    Put32(b, a.neighbor);
    Put32(b, a.local_addr);
    b.push_back(kLinkPointToPoint);
    b.push_back(0);
    Put16(b, static_cast<uint16_t>(a.cost));
  }
  for (const auto& p : l.prefixes) {
    Put32(b, p.prefix);
    Put32(b, MaskOf(p.len));
    b.push_back(kLinkStub);
    b.push_back(0);
    Put16(b, static_cast<uint16_t>(p.cost));
  }
}

size_t LsaSize(const Lsa& l) { return kLsaHeader + 4 + 12 * (l.links.size() + l.prefixes.size()); }

bool SameHeader(const LsaHeader& a, const LsaHeader& b) {
  return a.age == b.age && a.options == b.options && a.type == b.type && a.id == b.id && a.adv == b.adv &&
         a.seq == b.seq && a.checksum == b.checksum && a.length == b.length;
}

/// Parses the router-LSA at p (its header already read); false when malformed.
bool ParseRouterLsa(const uint8_t* p, const LsaHeader& h, Lsa* out) {
  if (h.type != 1 || h.length < kLsaHeader + 4 || !FletcherHolds(p + 2, h.length - 2)) return false;
  out->header = h;
  const uint16_t n = Get16(p + kLsaHeader + 2);
  if (kLsaHeader + 4 + size_t(n) * 12 != h.length) return false;
  const uint8_t* q = p + kLsaHeader + 4;
  for (uint16_t i = 0; i < n; ++i, q += 12) {
    if (q[9] != 0) return false;  // TOS metrics are not used (RFC 2328 §A.4.2: # TOS 0)
    const uint32_t id = Get32(q), data = Get32(q + 4);
    const uint16_t metric = Get16(q + 10);
    if (q[8] == kLinkPointToPoint) {
      out->links.push_back({id, metric, data});
    } else if (q[8] == kLinkStub) {
      int len = LengthOf(data);
      if (len < 0) return false;
      out->prefixes.push_back({id & data, static_cast<uint8_t>(len), metric});
    } else {
      return false;
    }
  }
  auto by_neighbor = [](const LinkAdv& a, const LinkAdv& b) {
    return a.neighbor != b.neighbor ? a.neighbor < b.neighbor : a.local_addr < b.local_addr;
  };
  if (!std::is_sorted(out->links.begin(), out->links.end(), by_neighbor)) {
    std::sort(out->links.begin(), out->links.end(), by_neighbor);
  }
  return true;
}

}  // namespace

bool Lsa::Lists(uint32_t router) const {
  auto it = std::lower_bound(links.begin(), links.end(), router,
                             [](const LinkAdv& a, uint32_t r) { return a.neighbor < r; });
  return it != links.end() && it->neighbor == router;
}

void Seal(Lsa* lsa) {
  std::sort(lsa->links.begin(), lsa->links.end(), [](const LinkAdv& a, const LinkAdv& b) {
    return a.neighbor != b.neighbor ? a.neighbor < b.neighbor : a.local_addr < b.local_addr;
  });
  lsa->header.length = static_cast<uint16_t>(LsaSize(*lsa));
  lsa->header.checksum = 0;
  std::vector<uint8_t> b;
  b.reserve(lsa->header.length);
  PutLsa(b, *lsa);
  lsa->header.checksum = Fletcher(b.data() + 2, b.size() - 2, 14);
}

int CompareInstances(const LsaHeader& a, const LsaHeader& b) {
  if (a.seq != b.seq) return a.seq > b.seq ? 1 : -1;
  if (a.checksum != b.checksum) return a.checksum > b.checksum ? 1 : -1;
  return 0;
}

uint32_t LsaPool::IndexOf(uint32_t origin) {
  if (const uint32_t* i = index_.Find(origin)) return *i;
  const uint32_t idx = static_cast<uint32_t>(origins_.size());
  index_.Set(origin, idx);
  origins_.push_back(origin);
  newest_.emplace_back();
  older_.emplace_back();
  return idx;
}

LsaRef LsaPool::Find(const LsaHeader& h) const {
  const uint32_t* idx = index_.Find(h.adv);
  if (!idx) return nullptr;
  const Live& newest = newest_[*idx];
  if (newest.lsa && newest.seq == h.seq && newest.checksum == h.checksum) return newest.lsa;
  for (const Live& l : older_[*idx]) {
    if (l.seq == h.seq && l.checksum == h.checksum) return l.lsa;
  }
  return nullptr;
}

LsaRef LsaPool::Intern(Lsa lsa) {
  if (LsaRef known = Find(lsa.header)) return known;
  const uint32_t origin = IndexOf(lsa.header.adv);
  // Instances every router has replaced (only the pool holds them) are dropped as their originator's next one
  // comes, so the table stays the size of what is live.
  auto unused = [](const Live& l) { return l.lsa.use_count() == 1 && l.lsa->db_holders == 0; };
  std::vector<Live>& older = older_[origin];
  older.erase(std::remove_if(older.begin(), older.end(), unused), older.end());
  if (Live& newest = newest_[origin]; newest.lsa && !unused(newest)) older.push_back(std::move(newest));
  lsa.origin_index = origin;
  lsa.indexed_by = this;
  lsa.wire.clear();
  lsa.wire.reserve(lsa.header.length);
  PutLsa(lsa.wire, lsa);
  lsa.wire_sum = OnesSum(lsa.wire.data(), lsa.wire.size());
  lsa.link_index.clear();
  lsa.prefix_id.clear();
  for (const auto& l : lsa.links) lsa.link_index.push_back(IndexOf(l.neighbor));
  for (const auto& p : lsa.prefixes) lsa.prefix_id.push_back(PrefixId((uint64_t(p.prefix) << 8) | p.len));
  const int32_t seq = lsa.header.seq;
  const uint16_t checksum = lsa.header.checksum;
  auto ref = std::make_shared<const Lsa>(std::move(lsa));
  newest_[origin] = Live{seq, checksum, ref};  // indexed again: IndexOf above may have grown newest_
  return ref;
}

uint32_t LsaPool::PrefixId(uint64_t key) {
  auto [it, added] = prefix_index_.emplace(key, static_cast<uint32_t>(prefix_keys_.size()));
  if (added) prefix_keys_.push_back(key);
  return it->second;
}

const std::vector<uint32_t>& LsaPool::PrefixesInOrder() {
  if (prefix_order_.size() != prefix_keys_.size()) {
    prefix_order_.resize(prefix_keys_.size());
    for (uint32_t i = 0; i < prefix_order_.size(); ++i) prefix_order_[i] = i;
    std::sort(prefix_order_.begin(), prefix_order_.end(),
              [&](uint32_t a, uint32_t b) { return prefix_keys_[a] < prefix_keys_[b]; });
  }
  return prefix_order_;
}

std::vector<uint8_t> Encode(const Message& m) {
  size_t body = 0;
  switch (m.type) {
    case Message::Type::kHello: body = 20 + 4 * m.hello.neighbors.size(); break;
    case Message::Type::kDbDescription: body = 8 + kLsaHeader * m.headers.size(); break;
    case Message::Type::kLsRequest: body = 12 * m.requests.size(); break;
    case Message::Type::kLsUpdate:
      body = 4;
      for (const auto& l : m.lsas) body += l->header.length;
      break;
    case Message::Type::kLsAck: body = kLsaHeader * m.headers.size(); break;
  }
  std::vector<uint8_t> b;
  b.reserve(kHeader + body);
  b.push_back(2);  // OSPF version 2
  b.push_back(static_cast<uint8_t>(m.type));
  Put16(b, static_cast<uint16_t>(kHeader + body));
  Put32(b, m.router_id);
  Put32(b, 0);  // area 0.0.0.0, the backbone
  Put16(b, 0);  // checksum, below
  Put16(b, 0);  // AuType 0: null authentication
  Put32(b, 0);
  Put32(b, 0);
  switch (m.type) {
    case Message::Type::kHello:
      Put32(b, m.hello.network_mask);
      Put16(b, m.hello.hello_interval_s);
      b.push_back(0x02);
      b.push_back(m.hello.priority);
      Put32(b, m.hello.dead_interval_s);
      Put32(b, 0);  // no DR or BDR on a point-to-point network
      Put32(b, 0);
      for (uint32_t n : m.hello.neighbors) Put32(b, n);
      break;
    case Message::Type::kDbDescription:
      Put16(b, m.dd_mtu);
      b.push_back(0x02);
      b.push_back(m.dd_flags);
      Put32(b, m.dd_seq);
      for (const auto& h : m.headers) PutLsaHeader(b, h);
      break;
    case Message::Type::kLsRequest:
      for (uint32_t r : m.requests) {
        Put32(b, 1);
        Put32(b, r);
        Put32(b, r);
      }
      break;
    case Message::Type::kLsUpdate: {
      Put32(b, static_cast<uint32_t>(m.lsas.size()));
      // Every LSA starts at an even offset, so the packet's sum is the header's plus each LSA's kept sum.
      uint32_t sum = OnesSum(b.data(), b.size());
      for (const auto& l : m.lsas) {
        if (l->wire.size() == l->header.length) {
          b.insert(b.end(), l->wire.begin(), l->wire.end());
          sum = AddSums(sum, l->wire_sum);
        } else {
          const size_t at = b.size();
          PutLsa(b, *l);
          sum = AddSums(sum, OnesSum(b.data() + at, b.size() - at));
        }
      }
      const uint16_t check = static_cast<uint16_t>(~sum);
      b[12] = static_cast<uint8_t>(check >> 8);
      b[13] = static_cast<uint8_t>(check);
      return b;
    }
    case Message::Type::kLsAck:
      for (const auto& h : m.headers) PutLsaHeader(b, h);
      break;
  }
  const uint16_t sum = InternetChecksum(b.data(), b.size());
  b[12] = static_cast<uint8_t>(sum >> 8);
  b[13] = static_cast<uint8_t>(sum);
  return b;
}

bool Decode(const uint8_t* data, size_t size, Message* out, LsaPool* pool) {
  *out = Message();
  if (size < kHeader || data[0] != 2 || Get16(data + 2) != size || Get16(data + 14) != 0) return false;
  const uint8_t type = data[1];
  if (type < 1 || type > 5) return false;
  // An update's checksum is checked below, LSA by LSA, so the pooled ones are not summed again.
  if (type != 4 && InternetChecksum(data, size) != 0) return false;
  out->type = static_cast<Message::Type>(type);
  out->router_id = Get32(data + 4);
  const uint8_t* p = data + kHeader;
  const size_t n = size - kHeader;
  switch (out->type) {
    case Message::Type::kHello: {
      if (n < 20 || (n - 20) % 4 != 0) return false;
      out->hello.network_mask = Get32(p);
      out->hello.hello_interval_s = Get16(p + 4);
      out->hello.priority = p[7];
      out->hello.dead_interval_s = Get32(p + 8);
      for (size_t i = 20; i < n; i += 4) out->hello.neighbors.push_back(Get32(p + i));
      return true;
    }
    case Message::Type::kDbDescription: {
      if (n < 8 || (n - 8) % kLsaHeader != 0) return false;
      out->dd_mtu = Get16(p);
      out->dd_flags = p[3];
      out->dd_seq = Get32(p + 4);
      for (size_t i = 8; i < n; i += kLsaHeader) out->headers.push_back(GetLsaHeader(p + i));
      return true;
    }
    case Message::Type::kLsRequest: {
      if (n % 12 != 0) return false;
      for (size_t i = 0; i < n; i += 12) {
        if (Get32(p + i) != 1 || Get32(p + i + 4) != Get32(p + i + 8)) return false;
        out->requests.push_back(Get32(p + i + 8));
      }
      return true;
    }
    case Message::Type::kLsAck: {
      if (n % kLsaHeader != 0) return false;
      for (size_t i = 0; i < n; i += kLsaHeader) out->headers.push_back(GetLsaHeader(p + i));
      return true;
    }
    case Message::Type::kLsUpdate: {
      if (n < 4) return false;
      const uint32_t count = Get32(p);
      if (count > n / (kLsaHeader + 4)) return false;  // bounded before anything is allocated
      size_t i = 4;
      uint32_t sum = OnesSum(data, kHeader + 4);
      out->lsas.reserve(count);
      for (uint32_t k = 0; k < count; ++k) {
        if (i + kLsaHeader > n) return false;
        const LsaHeader h = GetLsaHeader(p + i);
        if (h.length < kLsaHeader || i + h.length > n) return false;
        LsaRef known = pool ? pool->Find(h) : nullptr;
        // A pooled instance with these header fields has these bytes (the sum must still agree). Its wire bytes
        // begin with its header, so comparing the parsed header leaves them untouched until the LSA is sent on.
        if (known && SameHeader(known->header, h) && known->wire.size() == h.length) {
          sum = AddSums(sum, known->wire_sum);
          out->lsas.push_back(std::move(known));
        } else {
          sum = OnesSum(p + i, h.length, sum);
          Lsa l;
          if (!ParseRouterLsa(p + i, h, &l)) return false;
          out->lsas.push_back(pool ? pool->Intern(std::move(l)) : std::make_shared<const Lsa>(std::move(l)));
        }
        i += h.length;
      }
      return i == n && static_cast<uint16_t>(~sum) == 0;
    }
  }
  return false;
}

}  // namespace planelab::ls
