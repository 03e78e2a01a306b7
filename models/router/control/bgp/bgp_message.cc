#include "models/router/control/bgp/bgp_message.h"

namespace planelab::bgp {

namespace {
constexpr size_t kHeader = 19;           // marker 16 + length 2 + type 1
constexpr size_t kMaxMessage = 4096;     // RFC 4271 §4.1
constexpr uint16_t kAsTrans = 23456;     // RFC 6793 §9

void Put8(std::vector<uint8_t>& b, uint8_t v) { b.push_back(v); }
void Put16(std::vector<uint8_t>& b, uint16_t v) { b.push_back(v >> 8); b.push_back(v & 255); }
void Put32(std::vector<uint8_t>& b, uint32_t v) { Put16(b, v >> 16); Put16(b, v & 0xffff); }
void PutPrefix(std::vector<uint8_t>& b, const Prefix& p) {
  Put8(b, p.len);
  int bytes = (p.len + 7) / 8;
  for (int i = 0; i < bytes; ++i) Put8(b, static_cast<uint8_t>(p.addr >> (24 - 8 * i)));
}

struct Reader {
  const uint8_t* p;
  size_t n, i = 0;
  bool ok = true;
  bool Has(size_t k) { if (i + k > n) ok = false; return ok; }
  uint8_t U8() { return Has(1) ? p[i++] : 0; }
  uint16_t U16() { if (!Has(2)) return 0; uint16_t v = (p[i] << 8) | p[i + 1]; i += 2; return v; }
  uint32_t U32() { uint32_t hi = U16(); return (hi << 16) | U16(); }
  bool PrefixAt(Prefix* out) {
    uint8_t len = U8();
    if (!ok || len > 32) return ok = false;
    int bytes = (len + 7) / 8;
    uint32_t a = 0;
    for (int k = 0; k < bytes; ++k) a |= uint32_t(U8()) << (24 - 8 * k);
    *out = {a, len};
    return ok;
  }
};

void Attr(std::vector<uint8_t>& b, uint8_t flags, uint8_t type, const std::vector<uint8_t>& value) {
  bool ext = value.size() > 255;
  Put8(b, flags | (ext ? 0x10 : 0));
  Put8(b, type);
  if (ext) Put16(b, static_cast<uint16_t>(value.size())); else Put8(b, static_cast<uint8_t>(value.size()));
  b.insert(b.end(), value.begin(), value.end());
}
}  // namespace

std::vector<uint8_t> Encode(const Message& m) {
  std::vector<uint8_t> b(16, 0xff);
  Put16(b, 0);  // length, filled in below
  Put8(b, static_cast<uint8_t>(m.type));
  switch (m.type) {
    case MessageType::kOpen: {
      Put8(b, 4);  // version
      Put16(b, m.open.my_as > 65535 ? kAsTrans : static_cast<uint16_t>(m.open.my_as));
      Put16(b, m.open.hold_time);
      Put32(b, m.open.bgp_id);
      // Optional parameter 2 (capabilities) holding capability 65: 4-octet AS number (RFC 6793).
      Put8(b, 8);
      Put8(b, 2);
      Put8(b, 6);
      Put8(b, 65);
      Put8(b, 4);
      Put32(b, m.open.my_as);
      break;
    }
    case MessageType::kUpdate: {
      std::vector<uint8_t> wd;
      for (const auto& p : m.update.withdrawn) PutPrefix(wd, p);
      Put16(b, static_cast<uint16_t>(wd.size()));
      b.insert(b.end(), wd.begin(), wd.end());
      std::vector<uint8_t> attrs;
      if (!m.update.nlri.empty()) {
        Attr(attrs, 0x40, 1, {static_cast<uint8_t>(m.update.attrs.origin)});
        std::vector<uint8_t> path;
        if (!m.update.attrs.as_path.empty()) {
          Put8(path, 2);  // AS_SEQUENCE
          Put8(path, static_cast<uint8_t>(m.update.attrs.as_path.size()));
          for (uint32_t as : m.update.attrs.as_path) Put32(path, as);
        }
        Attr(attrs, 0x40, 2, path);
        std::vector<uint8_t> nh;
        Put32(nh, m.update.attrs.next_hop);
        Attr(attrs, 0x40, 3, nh);
        if (m.update.attrs.med) { std::vector<uint8_t> v; Put32(v, *m.update.attrs.med); Attr(attrs, 0x80, 4, v); }
        if (m.update.attrs.local_pref) { std::vector<uint8_t> v; Put32(v, *m.update.attrs.local_pref); Attr(attrs, 0x40, 5, v); }
      }
      Put16(b, static_cast<uint16_t>(attrs.size()));
      b.insert(b.end(), attrs.begin(), attrs.end());
      for (const auto& p : m.update.nlri) PutPrefix(b, p);
      break;
    }
    case MessageType::kNotification:
      Put8(b, m.notification.code);
      Put8(b, m.notification.subcode);
      break;
    case MessageType::kKeepalive:
      break;
  }
  b[16] = static_cast<uint8_t>(b.size() >> 8);
  b[17] = static_cast<uint8_t>(b.size() & 255);
  return b;
}

bool Decode(const uint8_t* data, size_t size, Message* out) {
  if (size < kHeader || size > kMaxMessage) return false;
  for (int i = 0; i < 16; ++i) if (data[i] != 0xff) return false;
  if (((data[16] << 8) | data[17]) != static_cast<int>(size)) return false;
  Reader r{data, size, kHeader};
  *out = Message();
  uint8_t type = data[18];
  switch (type) {
    case 1: {
      out->type = MessageType::kOpen;
      if (r.U8() != 4) return false;
      out->open.my_as = r.U16();
      out->open.hold_time = r.U16();
      out->open.bgp_id = r.U32();
      size_t opt_len = r.U8();
      size_t end = r.i + opt_len;
      while (r.ok && r.i < end) {
        uint8_t ptype = r.U8(), plen = r.U8();
        size_t pend = r.i + plen;
        while (ptype == 2 && r.ok && r.i < pend) {
          uint8_t code = r.U8(), clen = r.U8();
          if (code == 65 && clen == 4) out->open.my_as = r.U32();
          else r.i += clen;
        }
        r.i = pend;
      }
      return r.ok && r.i == size;
    }
    case 2: {
      out->type = MessageType::kUpdate;
      size_t wd_end = r.U16();
      wd_end += r.i;
      while (r.ok && r.i < wd_end) {
        Prefix p;
        if (!r.PrefixAt(&p)) return false;
        out->update.withdrawn.push_back(p);
      }
      size_t attr_end = r.U16();
      attr_end += r.i;
      while (r.ok && r.i < attr_end) {
        uint8_t flags = r.U8(), type_code = r.U8();
        size_t len = (flags & 0x10) ? r.U16() : r.U8();
        size_t vend = r.i + len;
        if (vend > attr_end) return false;
        PathAttributes& a = out->update.attrs;
        switch (type_code) {
          case 1: a.origin = static_cast<Origin>(r.U8()); break;
          case 2:
            while (r.ok && r.i < vend) {
              uint8_t seg_type = r.U8(), count = r.U8();
              for (int k = 0; k < count && r.ok; ++k) {
                uint32_t as = r.U32();
                if (seg_type == 2) a.as_path.push_back(as);
              }
            }
            break;
          case 3: a.next_hop = r.U32(); break;
          case 4: a.med = r.U32(); break;
          case 5: a.local_pref = r.U32(); break;
          default: break;
        }
        r.i = vend;
      }
      while (r.ok && r.i < size) {
        Prefix p;
        if (!r.PrefixAt(&p)) return false;
        out->update.nlri.push_back(p);
      }
      return r.ok && r.i == size;
    }
    case 3:
      out->type = MessageType::kNotification;
      out->notification.code = r.U8();
      out->notification.subcode = r.U8();
      return r.ok;
    case 4:
      out->type = MessageType::kKeepalive;
      return size == kHeader;
    default:
      return false;
  }
}

std::vector<std::vector<uint8_t>> StreamParser::Feed(const uint8_t* data, size_t size) {
  std::vector<std::vector<uint8_t>> out;
  buffer_.insert(buffer_.end(), data, data + size);
  size_t pos = 0;
  while (!error_ && buffer_.size() - pos >= kHeader) {
    size_t len = (buffer_[pos + 16] << 8) | buffer_[pos + 17];
    if (len < kHeader || len > kMaxMessage) { error_ = true; break; }
    if (buffer_.size() - pos < len) break;
    out.emplace_back(buffer_.begin() + static_cast<long>(pos), buffer_.begin() + static_cast<long>(pos + len));
    pos += len;
  }
  buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<long>(pos));
  return out;
}

}  // namespace planelab::bgp
