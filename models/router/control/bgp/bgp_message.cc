#include "models/router/control/bgp/bgp_message.h"

#include <algorithm>

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

}  // namespace

void EncodeUpdateTo(const std::vector<Prefix>& withdrawn, const PathAttributes* attrs, uint32_t next_hop,
                    const Prefix* nlri, size_t nlri_count, std::vector<uint8_t>* out) {
  std::vector<uint8_t>& b = *out;
  size_t start = b.size();
  b.insert(b.end(), 16, 0xff);
  Put16(b, 0);  // length, filled in below
  Put8(b, static_cast<uint8_t>(MessageType::kUpdate));
  size_t wd_at = b.size();
  Put16(b, 0);
  for (const auto& p : withdrawn) PutPrefix(b, p);
  size_t wd_len = b.size() - wd_at - 2;
  b[wd_at] = static_cast<uint8_t>(wd_len >> 8);
  b[wd_at + 1] = static_cast<uint8_t>(wd_len & 255);
  size_t attr_at = b.size();
  Put16(b, 0);
  if (nlri_count > 0 && attrs) {
    Put8(b, 0x40), Put8(b, 1), Put8(b, 1), Put8(b, static_cast<uint8_t>(attrs->origin));
    size_t path_len = attrs->as_path.empty() ? 0 : 2 + 4 * attrs->as_path.size();
    bool ext = path_len > 255;
    Put8(b, 0x40 | (ext ? 0x10 : 0)), Put8(b, 2);
    if (ext) Put16(b, static_cast<uint16_t>(path_len)); else Put8(b, static_cast<uint8_t>(path_len));
    if (!attrs->as_path.empty()) {
      Put8(b, 2);  // AS_SEQUENCE
      Put8(b, static_cast<uint8_t>(attrs->as_path.size()));
      for (uint32_t as : attrs->as_path) Put32(b, as);
    }
    Put8(b, 0x40), Put8(b, 3), Put8(b, 4), Put32(b, next_hop);
    if (attrs->med) Put8(b, 0x80), Put8(b, 4), Put8(b, 4), Put32(b, *attrs->med);
    if (attrs->local_pref) Put8(b, 0x40), Put8(b, 5), Put8(b, 4), Put32(b, *attrs->local_pref);
  }
  size_t attr_len = b.size() - attr_at - 2;
  b[attr_at] = static_cast<uint8_t>(attr_len >> 8);
  b[attr_at + 1] = static_cast<uint8_t>(attr_len & 255);
  for (size_t i = 0; i < nlri_count; ++i) PutPrefix(b, nlri[i]);
  size_t len = b.size() - start;
  b[start + 16] = static_cast<uint8_t>(len >> 8);
  b[start + 17] = static_cast<uint8_t>(len & 255);
}

void EncodeTo(const Message& m, std::vector<uint8_t>* out) {
  if (m.type == MessageType::kUpdate) {
    EncodeUpdateTo(m.update.withdrawn, &m.update.attrs, m.update.attrs.next_hop, m.update.nlri.data(),
                   m.update.nlri.size(), out);
    return;
  }
  std::vector<uint8_t>& b = *out;
  size_t start = b.size();
  b.insert(b.end(), 16, 0xff);
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
    case MessageType::kNotification:
      Put8(b, m.notification.code);
      Put8(b, m.notification.subcode);
      break;
    case MessageType::kKeepalive:
    case MessageType::kUpdate:
      break;
  }
  size_t len = b.size() - start;
  b[start + 16] = static_cast<uint8_t>(len >> 8);
  b[start + 17] = static_cast<uint8_t>(len & 255);
}

std::vector<uint8_t> Encode(const Message& m) {
  std::vector<uint8_t> b;
  EncodeTo(m, &b);
  return b;
}

bool Decode(const uint8_t* data, size_t size, Message* out) {
  if (size < kHeader || size > kMaxMessage) return false;
  for (int i = 0; i < 16; ++i) if (data[i] != 0xff) return false;
  if (((data[16] << 8) | data[17]) != static_cast<int>(size)) return false;
  Reader r{data, size, kHeader};
  // Reset field by field so the vectors keep their capacity when a caller reuses `out`.
  out->open = Open();
  out->notification = Notification();
  out->update.withdrawn.clear();
  out->update.nlri.clear();
  out->update.attrs.as_path.clear();
  out->update.attrs.origin = Origin::kIgp;
  out->update.attrs.next_hop = 0;
  out->update.attrs.med.reset();
  out->update.attrs.local_pref.reset();
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

size_t StreamParser::Feed(const uint8_t* data, size_t size, std::vector<uint8_t>* messages) {
  // Whole messages go straight from `data` to `messages`; only a partial one at either end is
  // kept, so a fabric's tens of thousands of sessions hold no read buffers between reads.
  size_t count = 0;
  if (!buffer_.empty()) {
    // Complete the pending message first.
    auto length = [this]() { return size_t((buffer_[16] << 8) | buffer_[17]); };
    while (size > 0) {
      size_t need = buffer_.size() < kHeader ? kHeader : length();
      size_t take = std::min(size, need - buffer_.size());
      buffer_.insert(buffer_.end(), data, data + take);
      data += take;
      size -= take;
      if (buffer_.size() < kHeader) continue;
      size_t len = length();
      if (len < kHeader || len > kMaxMessage) {
        error_ = true;
        return count;
      }
      if (buffer_.size() == len) {
        messages->insert(messages->end(), buffer_.begin(), buffer_.end());
        std::vector<uint8_t>().swap(buffer_);
        ++count;
        break;
      }
    }
    if (!buffer_.empty() || error_) return count;
  }
  size_t pos = 0;
  while (size - pos >= kHeader) {
    size_t len = (data[pos + 16] << 8) | data[pos + 17];
    if (len < kHeader || len > kMaxMessage) { error_ = true; break; }
    if (size - pos < len) break;
    pos += len;
    ++count;
  }
  messages->insert(messages->end(), data, data + pos);
  if (!error_) buffer_.assign(data + pos, data + size);
  return count;
}

}  // namespace planelab::bgp
