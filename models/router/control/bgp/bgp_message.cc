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
      // RFC 4271 §4.5: error code, error subcode, then data of the length the header implies.
      Put8(b, m.notification.code);
      Put8(b, m.notification.subcode);
      b.insert(b.end(), m.notification.data.begin(), m.notification.data.end());
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

namespace {

/// Checks of one message, in the order of RFC 4271 §6.1-§6.3; the first failure is the error.
class Decoder {
 public:
  Decoder(const uint8_t* data, size_t size, Message* out) : d_(data), n_(size), out_(out) {}
  bool Run();
  DecodeError error;

 private:
  bool Fail(uint8_t code, uint8_t subcode, std::vector<uint8_t> data = {}) {
    error.notification = {code, subcode, std::move(data)};
    return false;
  }
  /// Bad Message Length: the data is the erroneous Length field (§6.1).
  bool BadLength() { return Fail(err::kMessageHeader, err::kBadMessageLength, {d_[16], d_[17]}); }
  /// The data of most §6.3 errors: the attribute itself (type, length and value).
  std::vector<uint8_t> Attribute(size_t at, size_t end) const { return {d_ + at, d_ + end}; }
  uint16_t U16(size_t at) const { return static_cast<uint16_t>((d_[at] << 8) | d_[at + 1]); }
  uint32_t U32(size_t at) const { return (uint32_t(U16(at)) << 16) | U16(at + 2); }
  /// Reads the prefixes of [at, end) into `into`; false when one is malformed.
  bool Prefixes(size_t at, size_t end, std::vector<Prefix>* into) const {
    while (at < end) {
      uint8_t len = d_[at++];
      size_t bytes = (len + 7u) / 8;
      if (len > 32 || at + bytes > end) return false;
      uint32_t a = 0;
      for (size_t k = 0; k < bytes; ++k) a |= uint32_t(d_[at + k]) << (24 - 8 * k);
      at += bytes;
      into->push_back({a, len});
    }
    return true;
  }
  bool DecodeOpen();
  bool DecodeUpdate();
  bool PathAttribute(uint8_t flags, uint8_t type, size_t at, size_t value, size_t end);

  const uint8_t* d_;
  size_t n_;
  Message* out_;
};

bool Decoder::Run() {
  // §6.1. Whole messages come from the stream parser; a buffer too short for a header has none.
  if (n_ < kHeader) {
    return Fail(err::kMessageHeader, err::kBadMessageLength,
                {static_cast<uint8_t>(n_ >> 8), static_cast<uint8_t>(n_ & 255)});
  }
  for (size_t i = 0; i < 16; ++i) {
    if (d_[i] != 0xff) return Fail(err::kMessageHeader, err::kConnectionNotSynchronized);
  }
  size_t length = U16(16);
  if (length != n_ || length > kMaxMessage) return BadLength();
  uint8_t type = d_[18];
  switch (type) {
    case 1:
      out_->type = MessageType::kOpen;
      if (length < 29) return BadLength();
      return DecodeOpen();
    case 2:
      out_->type = MessageType::kUpdate;
      if (length < 23) return BadLength();
      return DecodeUpdate();
    case 3:
      out_->type = MessageType::kNotification;
      if (length < 21) {
        BadLength();
        error.send = false;  // §6.4: an erroneous NOTIFICATION is not answered with one
        return false;
      }
      out_->notification.code = d_[19];
      out_->notification.subcode = d_[20];
      out_->notification.data.assign(d_ + 21, d_ + n_);
      return true;
    case 4:
      out_->type = MessageType::kKeepalive;
      if (length != kHeader) return BadLength();
      return true;
    default:
      return Fail(err::kMessageHeader, err::kBadMessageType, {type});
  }
}

bool Decoder::DecodeOpen() {
  // §4.2: version, My AS, Hold Time, BGP Identifier, Opt Parm Len, Optional Parameters.
  if (d_[19] != 4) {
    // The data is the largest version number supported, two octets (§6.2).
    return Fail(err::kOpenMessage, err::kUnsupportedVersionNumber, {0, 4});
  }
  Open& o = out_->open;
  o.my_as = U16(20);
  o.hold_time = U16(22);
  o.bgp_id = U32(24);
  size_t opt_len = d_[28];
  if (29 + opt_len != n_) return Fail(err::kOpenMessage, err::kUnspecific);
  for (size_t at = 29; at < n_;) {
    if (at + 2 > n_) return Fail(err::kOpenMessage, err::kUnspecific);
    uint8_t ptype = d_[at], plen = d_[at + 1];
    size_t pend = at + 2 + plen;
    if (pend > n_) return Fail(err::kOpenMessage, err::kUnspecific);
    // Capabilities (RFC 5492) are the only optional parameter defined since RFC 4271.
    if (ptype != 2) return Fail(err::kOpenMessage, err::kUnsupportedOptionalParameter);
    for (size_t c = at + 2; c < pend;) {
      if (c + 2 > pend) return Fail(err::kOpenMessage, err::kUnspecific);
      uint8_t code = d_[c], clen = d_[c + 1];
      if (c + 2 + clen > pend) return Fail(err::kOpenMessage, err::kUnspecific);
      if (code == 65) {  // 4-octet AS number (RFC 6793)
        if (clen != 4) return Fail(err::kOpenMessage, err::kUnspecific);
        o.my_as = U32(c + 2);
      }
      // Other capabilities are not used and are ignored (RFC 5492 §3).
      c += 2 + clen;
    }
    at = pend;
  }
  // RFC 6286 §2.2 (updating §6.2): a BGP Identifier of zero is a Bad BGP Identifier.
  if (o.bgp_id == 0) return Fail(err::kOpenMessage, err::kBadBgpIdentifier, {d_ + 24, d_ + 28});
  return true;
}

bool Decoder::PathAttribute(uint8_t flags, uint8_t type, size_t at, size_t value, size_t end) {
  // §5 and §6.3: the flags must match the type; lengths are fixed for the fixed-size attributes.
  PathAttributes& a = out_->update.attrs;
  size_t len = end - value;
  bool optional = flags & 0x80, transitive = flags & 0x40, partial = flags & 0x20;
  auto flags_must_be = [&](bool opt, bool trans) {
    // Well-known attributes are transitive and never partial; optional non-transitive ones never partial.
    return optional == opt && transitive == trans && !(partial && (!opt || !trans));
  };
  switch (type) {
    case 1:  // ORIGIN, well-known mandatory
      if (!flags_must_be(false, true)) return Fail(err::kUpdateMessage, err::kAttributeFlagsError, Attribute(at, end));
      if (len != 1) return Fail(err::kUpdateMessage, err::kAttributeLengthError, Attribute(at, end));
      if (d_[value] > 2) return Fail(err::kUpdateMessage, err::kInvalidOriginAttribute, Attribute(at, end));
      a.origin = static_cast<Origin>(d_[value]);
      return true;
    case 2:  // AS_PATH, well-known mandatory: segments of (type, count, count 4-octet ASes)
      if (!flags_must_be(false, true)) return Fail(err::kUpdateMessage, err::kAttributeFlagsError, Attribute(at, end));
      for (size_t s = value; s < end;) {
        if (s + 2 > end) return Fail(err::kUpdateMessage, err::kMalformedAsPath);
        uint8_t seg_type = d_[s], count = d_[s + 1];
        // AS_SET 1, AS_SEQUENCE 2, and the confederation segments 3 and 4 (RFC 5065); RFC 7606
        // §7.2 also counts an empty segment as malformed.
        if (seg_type < 1 || seg_type > 4 || count == 0 || s + 2 + 4 * size_t(count) > end) {
          return Fail(err::kUpdateMessage, err::kMalformedAsPath);
        }
        // Only AS_SEQUENCEs are kept: PlaneLab's speakers neither aggregate nor confederate.
        if (seg_type == 2) {
          for (size_t k = 0; k < count; ++k) a.as_path.push_back(U32(s + 2 + 4 * k));
        }
        s += 2 + 4 * size_t(count);
      }
      return true;
    case 3:  // NEXT_HOP, well-known mandatory
      if (!flags_must_be(false, true)) return Fail(err::kUpdateMessage, err::kAttributeFlagsError, Attribute(at, end));
      if (len != 4) return Fail(err::kUpdateMessage, err::kAttributeLengthError, Attribute(at, end));
      a.next_hop = U32(value);
      return true;
    case 4:  // MULTI_EXIT_DISC, optional non-transitive
      if (!flags_must_be(true, false)) return Fail(err::kUpdateMessage, err::kAttributeFlagsError, Attribute(at, end));
      if (len != 4) return Fail(err::kUpdateMessage, err::kAttributeLengthError, Attribute(at, end));
      a.med = U32(value);
      return true;
    case 5:  // LOCAL_PREF, well-known
      if (!flags_must_be(false, true)) return Fail(err::kUpdateMessage, err::kAttributeFlagsError, Attribute(at, end));
      if (len != 4) return Fail(err::kUpdateMessage, err::kAttributeLengthError, Attribute(at, end));
      a.local_pref = U32(value);
      return true;
    case 6:  // ATOMIC_AGGREGATE, well-known discretionary, no value: recognised, not used
      if (!flags_must_be(false, true)) return Fail(err::kUpdateMessage, err::kAttributeFlagsError, Attribute(at, end));
      if (len != 0) return Fail(err::kUpdateMessage, err::kAttributeLengthError, Attribute(at, end));
      return true;
    default:
      // An unknown attribute must be optional; optional ones PlaneLab does not model are ignored.
      if (!optional) return Fail(err::kUpdateMessage, err::kUnrecognizedWellKnownAttribute, Attribute(at, end));
      return true;
  }
}

bool Decoder::DecodeUpdate() {
  // §4.3: Withdrawn Routes Length, Withdrawn Routes, Total Path Attribute Length, Path Attributes, NLRI.
  size_t wd_len = U16(19);
  if (23 + wd_len > n_) return Fail(err::kUpdateMessage, err::kMalformedAttributeList);
  size_t attr_len = U16(21 + wd_len);
  if (23 + wd_len + attr_len > n_) return Fail(err::kUpdateMessage, err::kMalformedAttributeList);
  if (!Prefixes(21, 21 + wd_len, &out_->update.withdrawn)) {
    return Fail(err::kUpdateMessage, err::kInvalidNetworkField);
  }
  size_t at = 23 + wd_len, attr_end = at + attr_len;
  bool seen[256] = {};
  while (at < attr_end) {
    if (at + 3 > attr_end) return Fail(err::kUpdateMessage, err::kMalformedAttributeList);
    uint8_t flags = d_[at], type = d_[at + 1];
    bool ext = flags & 0x10;  // Extended Length: two octets
    if (ext && at + 4 > attr_end) return Fail(err::kUpdateMessage, err::kMalformedAttributeList);
    size_t len = ext ? U16(at + 2) : d_[at + 2];
    size_t value = at + (ext ? 4 : 3), end = value + len;
    if (end > attr_end) return Fail(err::kUpdateMessage, err::kMalformedAttributeList);
    // §6.3: an attribute that appears more than once makes a Malformed Attribute List.
    if (seen[type]) return Fail(err::kUpdateMessage, err::kMalformedAttributeList);
    seen[type] = true;
    if (!PathAttribute(flags, type, at, value, end)) return false;
    at = end;
  }
  if (!Prefixes(attr_end, n_, &out_->update.nlri)) return Fail(err::kUpdateMessage, err::kInvalidNetworkField);
  // §6.3: with NLRI, ORIGIN, AS_PATH and NEXT_HOP are mandatory; the data is the missing type code.
  if (!out_->update.nlri.empty()) {
    for (uint8_t t : {1, 2, 3}) {
      if (!seen[t]) return Fail(err::kUpdateMessage, err::kMissingWellKnownAttribute, {t});
    }
  }
  return true;
}

}  // namespace

bool Decode(const uint8_t* data, size_t size, Message* out, DecodeError* error) {
  // Reset field by field so the vectors keep their capacity when a caller reuses `out`.
  out->open = Open();
  out->notification.code = 6;
  out->notification.subcode = 0;
  out->notification.data.clear();
  out->update.withdrawn.clear();
  out->update.nlri.clear();
  out->update.attrs.as_path.clear();
  out->update.attrs.origin = Origin::kIgp;
  out->update.attrs.next_hop = 0;
  out->update.attrs.med.reset();
  out->update.attrs.local_pref.reset();
  Decoder d(data, size, out);
  if (d.Run()) return true;
  if (error) *error = std::move(d.error);
  return false;
}

DecodeError StreamParser::failure() const {
  DecodeError e;
  e.notification = {err::kMessageHeader, err::kBadMessageLength,
                    {static_cast<uint8_t>(bad_length_ >> 8), static_cast<uint8_t>(bad_length_ & 255)}};
  return e;
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
        bad_length_ = static_cast<uint16_t>(len);
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
    if (len < kHeader || len > kMaxMessage) {
      error_ = true;
      bad_length_ = static_cast<uint16_t>(len);
      break;
    }
    if (size - pos < len) break;
    pos += len;
    ++count;
  }
  messages->insert(messages->end(), data, data + pos);
  if (!error_) buffer_.assign(data + pos, data + size);
  return count;
}

}  // namespace planelab::bgp
