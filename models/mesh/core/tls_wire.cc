#include "models/mesh/core/tls_wire.h"

#include <algorithm>
#include <cstring>

namespace planelab::tls {

namespace {

constexpr size_t kMaxPlain = 16384;          // 2^14 (§5.1)
constexpr size_t kMaxCipher = 16384 + 256;   // 2^14 + 256 (§5.2)
constexpr size_t kTag = 16;                  // AES-128-GCM's tag

void U8(std::vector<uint8_t>* b, uint32_t v) { b->push_back(static_cast<uint8_t>(v)); }
void U16(std::vector<uint8_t>* b, uint32_t v) {
  b->push_back(static_cast<uint8_t>(v >> 8));
  b->push_back(static_cast<uint8_t>(v));
}
void U24(std::vector<uint8_t>* b, uint32_t v) {
  b->push_back(static_cast<uint8_t>(v >> 16));
  U16(b, v);
}
void Bytes(std::vector<uint8_t>* b, const uint8_t* p, size_t n) { b->insert(b->end(), p, p + n); }
void Random(std::vector<uint8_t>* b, ByteSource& rnd, size_t n) {
  size_t at = b->size();
  b->resize(at + n);
  rnd.Fill(b->data() + at, n);
}
// Appends an extension: type, then its body with a 2-byte length.
void Extension(std::vector<uint8_t>* b, uint16_t type, const std::vector<uint8_t>& body) {
  U16(b, type);
  U16(b, static_cast<uint32_t>(body.size()));
  Bytes(b, body.data(), body.size());
}
// A handshake message of `type` in a record of `record_version`.
std::vector<uint8_t> HandshakeRecord(uint8_t type, const std::vector<uint8_t>& body, uint16_t record_version) {
  std::vector<uint8_t> r;
  U8(&r, kHandshake);
  U16(&r, record_version);
  U16(&r, static_cast<uint32_t>(body.size() + 4));
  U8(&r, type);
  U24(&r, static_cast<uint32_t>(body.size()));
  Bytes(&r, body.data(), body.size());
  return r;
}
uint32_t Get16(const uint8_t* p) { return (uint32_t{p[0]} << 8) | p[1]; }

}  // namespace

void ByteSource::Fill(uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; i += 8) {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    for (size_t k = 0; k < 8 && i + k < n; ++k) p[i + k] = static_cast<uint8_t>(z >> (8 * k));
  }
}

std::vector<uint8_t> ClientHello(const std::string& sni, const std::vector<std::string>& alpn, ByteSource& rnd) {
  std::vector<uint8_t> h;
  U16(&h, 0x0303);                      // legacy_version
  Random(&h, rnd, 32);                  // random
  U8(&h, 32);                           // legacy_session_id (compatibility mode)
  Random(&h, rnd, 32);
  U16(&h, 6);                           // cipher_suites
  for (uint16_t cs : {0x1301, 0x1302, 0x1303}) U16(&h, cs);
  U8(&h, 1);                            // legacy_compression_methods: null
  U8(&h, 0);
  std::vector<uint8_t> ext;
  {
    std::vector<uint8_t> b;             // server_name (RFC 6066 §3): one host_name
    U16(&b, static_cast<uint32_t>(sni.size() + 3));
    U8(&b, 0);
    U16(&b, static_cast<uint32_t>(sni.size()));
    Bytes(&b, reinterpret_cast<const uint8_t*>(sni.data()), sni.size());
    Extension(&ext, 0x0000, b);
  }
  Extension(&ext, 0x000a, {0x00, 0x04, 0x00, 0x1d, 0x00, 0x17});  // supported_groups: x25519, secp256r1
  // signature_algorithms: ecdsa_secp256r1_sha256, rsa_pss_rsae_sha256, rsa_pkcs1_sha256
  Extension(&ext, 0x000d, {0x00, 0x06, 0x04, 0x03, 0x08, 0x04, 0x04, 0x01});
  if (!alpn.empty()) {
    std::vector<uint8_t> list;
    for (const auto& p : alpn) {
      U8(&list, static_cast<uint32_t>(p.size()));
      Bytes(&list, reinterpret_cast<const uint8_t*>(p.data()), p.size());
    }
    std::vector<uint8_t> b;
    U16(&b, static_cast<uint32_t>(list.size()));
    Bytes(&b, list.data(), list.size());
    Extension(&ext, 0x0010, b);         // application_layer_protocol_negotiation (RFC 7301)
  }
  {
    std::vector<uint8_t> b;             // key_share: one x25519 share
    U16(&b, 36);
    U16(&b, 0x001d);
    U16(&b, 32);
    Random(&b, rnd, 32);
    Extension(&ext, 0x0033, b);
  }
  Extension(&ext, 0x002b, {0x02, 0x03, 0x04});  // supported_versions: TLS 1.3
  U16(&h, static_cast<uint32_t>(ext.size()));
  Bytes(&h, ext.data(), ext.size());
  return HandshakeRecord(1, h, 0x0301);  // the first ClientHello's record says TLS 1.0 (§5.1)
}

std::vector<uint8_t> ServerHello(const std::vector<uint8_t>& session_id, ByteSource& rnd) {
  std::vector<uint8_t> h;
  U16(&h, 0x0303);
  Random(&h, rnd, 32);
  U8(&h, static_cast<uint32_t>(session_id.size()));
  Bytes(&h, session_id.data(), session_id.size());
  U16(&h, 0x1301);  // TLS_AES_128_GCM_SHA256
  U8(&h, 0);
  std::vector<uint8_t> ext;
  Extension(&ext, 0x002b, {0x03, 0x04});
  {
    std::vector<uint8_t> b;
    U16(&b, 0x001d);
    U16(&b, 32);
    Random(&b, rnd, 32);
    Extension(&ext, 0x0033, b);
  }
  U16(&h, static_cast<uint32_t>(ext.size()));
  Bytes(&h, ext.data(), ext.size());
  return HandshakeRecord(2, h, 0x0303);
}

std::vector<uint8_t> ChangeCipherSpec() { return {kChangeCipherSpec, 0x03, 0x03, 0x00, 0x01, 0x01}; }

std::vector<uint8_t> Encrypted(uint8_t inner_type, const std::vector<uint8_t>& content, size_t size) {
  std::vector<uint8_t> plain = content;
  if (plain.size() < size) plain.resize(size, 0);
  std::vector<uint8_t> out;
  size_t at = 0;
  do {
    size_t n = std::min(plain.size() - at, kMaxPlain - 1);
    U8(&out, kApplicationData);
    U16(&out, 0x0303);
    U16(&out, static_cast<uint32_t>(n + 1 + kTag));
    Bytes(&out, plain.data() + at, n);
    U8(&out, inner_type);
    for (size_t k = 0; k < kTag; ++k) U8(&out, 0xA5);  // the AEAD tag's place
    at += n;
  } while (at < plain.size());
  return out;
}

std::vector<uint8_t> Alert(uint8_t description) { return {kAlert, 0x03, 0x03, 0x00, 0x02, 0x02, description}; }

bool ParseClientHello(const uint8_t* b, size_t n, ClientHelloInfo* out) {
  // Handshake header: type 1, 3-byte length.
  if (n < 4 || b[0] != 1) return false;
  size_t len = (size_t{b[1]} << 16) | (size_t{b[2]} << 8) | b[3];
  if (len + 4 != n) return false;
  size_t p = 4 + 2 + 32;
  if (p + 1 > n) return false;
  size_t sid = b[p++];
  if (sid > 32 || p + sid > n) return false;
  out->session_id.assign(b + p, b + p + sid);
  p += sid;
  if (p + 2 > n) return false;
  size_t cs = Get16(b + p);
  p += 2 + cs;
  if (p + 1 > n) return false;
  p += 1 + b[p];
  if (p + 2 > n) return false;
  size_t ext_end = p + 2 + Get16(b + p);
  p += 2;
  if (ext_end != n) return false;
  while (p + 4 <= ext_end) {
    uint32_t type = Get16(b + p), elen = Get16(b + p + 2);
    p += 4;
    if (p + elen > ext_end) return false;
    const uint8_t* e = b + p;
    if (type == 0x0000 && elen >= 5 && e[2] == 0) {
      size_t hl = Get16(e + 3);
      if (5 + hl > elen) return false;
      out->sni.assign(reinterpret_cast<const char*>(e + 5), hl);
    } else if (type == 0x0010 && elen >= 2) {
      for (size_t q = 2; q < elen;) {
        size_t pl = e[q++];
        if (q + pl > elen) return false;
        out->alpn.emplace_back(reinterpret_cast<const char*>(e + q), pl);
        q += pl;
      }
    } else if (type == 0x002b && elen >= 1) {
      for (size_t q = 1; q + 2 <= 1 + size_t{e[0]} && q + 2 <= elen; q += 2) {
        if (Get16(e + q) == 0x0304) out->offers_tls13 = true;
      }
    }
    p += elen;
  }
  return p == ext_end;
}

bool RecordReader::Feed(const uint8_t* data, size_t n, const OnRecord& on) {
  if (bad_) return false;
  buf_.insert(buf_.end(), data, data + n);
  size_t at = 0;
  while (buf_.size() - at >= 5) {
    const uint8_t* h = buf_.data() + at;
    size_t len = Get16(h + 3);
    if (h[0] < kChangeCipherSpec || h[0] > kApplicationData || h[1] != 0x03 || h[2] > 0x04 || len > kMaxCipher) {
      bad_ = true;
      return false;
    }
    if (buf_.size() - at < 5 + len) break;
    on(h[0], h + 5, len);
    at += 5 + len;
  }
  buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(at));
  return true;
}

uint8_t InnerType(const uint8_t* body, size_t n, size_t* content_len) {
  if (n < kTag + 1) return 0;
  size_t end = n - kTag;
  while (end > 0 && body[end - 1] == 0) --end;  // TLSInnerPlaintext's zero padding
  if (end == 0) return 0;
  *content_len = end - 1;
  return body[end - 1];
}

std::vector<uint8_t> EncodeHttp(const HttpMessage& m, uint32_t size) {
  auto head = [&](size_t body) {
    std::string h;
    if (m.response) {
      const char* reason = m.code == 200 ? "OK" : m.code == 503 ? "Service Unavailable"
                           : m.code == 504 ? "Gateway Timeout" : m.code == 404 ? "Not Found" : "Error";
      h = "HTTP/1.1 " + std::to_string(m.code) + " " + reason + "\r\n";
    } else {
      h = "GET / HTTP/1.1\r\nhost: " + m.service + "\r\nx-planelab-pod: " + m.pod +
          "\r\nx-planelab-response-bytes: " + std::to_string(m.response_bytes) + "\r\n";
    }
    h += "x-request-id: " + std::to_string(m.id) + "\r\ncontent-length: " + std::to_string(body) + "\r\n\r\n";
    return h;
  };
  size_t body = 0;
  for (int i = 0; i < 3; ++i) {
    size_t h = head(body).size();
    body = size > h ? size - h : 0;
  }
  std::string h = head(body);
  std::vector<uint8_t> out(h.begin(), h.end());
  out.resize(out.size() + body, 0);
  return out;
}

bool HttpReader::Feed(const uint8_t* data, size_t n, const std::function<void(const HttpMessage&)>& on) {
  buf_.insert(buf_.end(), data, data + n);
  while (!buf_.empty()) {
    static const char kEnd[] = "\r\n\r\n";
    auto end = std::search(buf_.begin(), buf_.end(), kEnd, kEnd + 4);
    if (end == buf_.end()) return buf_.size() < 8192;
    std::string head(buf_.begin(), end);
    HttpMessage m;
    size_t body = 0;
    size_t pos = 0;
    bool first = true;
    while (pos <= head.size()) {
      size_t eol = head.find("\r\n", pos);
      std::string line = head.substr(pos, eol == std::string::npos ? std::string::npos : eol - pos);
      pos = eol == std::string::npos ? head.size() + 1 : eol + 2;
      if (first) {
        first = false;
        if (line.rfind("HTTP/1.1 ", 0) == 0 && line.size() >= 12) {
          m.response = true;
          m.code = static_cast<uint16_t>(std::stoi(line.substr(9, 3)));
        } else if (line.rfind("GET ", 0) != 0) {
          return false;
        }
        continue;
      }
      size_t colon = line.find(": ");
      if (colon == std::string::npos) continue;
      std::string k = line.substr(0, colon), v = line.substr(colon + 2);
      try {
        if (k == "host") m.service = v;
        else if (k == "x-planelab-pod") m.pod = v;
        else if (k == "x-planelab-response-bytes") m.response_bytes = static_cast<uint32_t>(std::stoul(v));
        else if (k == "x-request-id") m.id = std::stoull(v);
        else if (k == "content-length") body = std::stoul(v);
      } catch (const std::exception&) {
        return false;
      }
    }
    size_t total = static_cast<size_t>(end - buf_.begin()) + 4 + body;
    if (buf_.size() < total) return true;
    buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(total));
    on(m);
  }
  return true;
}

}  // namespace planelab::tls
