// The sidecars' mTLS on the wire, as a pure core (no ns-3): TLS 1.3 records (RFC 8446 §5.1) with a real
// ClientHello and ServerHello (§4.1.2, §4.1.3) as Envoy (BoringSSL) sends them for Istio's mTLS, the encrypted
// flights as application_data records of their real sizes, alerts, and the HTTP/1.1 messages the connection then
// carries. Nothing is encrypted: the "encrypted" records hold PlaneLab's own plaintext (a certificate's validity,
// the HTTP message), which Wireshark shows as "Encrypted Application Data" as it would for a real capture.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace planelab::tls {

/// TLS record content types (RFC 8446 §5.1).
constexpr uint8_t kChangeCipherSpec = 20, kAlert = 21, kHandshake = 22, kApplicationData = 23;
/// Alert descriptions (§6): what a sidecar sends when the peer's certificate is expired or missing.
constexpr uint8_t kAlertBadCertificate = 42, kAlertCertificateExpired = 45, kAlertCertificateRequired = 116;
/// ALPN Istio's sidecars offer between each other (istio-http/1.1 marks mesh traffic; pilot's ALPN filter).
inline const std::vector<std::string> kIstioAlpn = {"istio-http/1.1", "istio", "http/1.1"};

/// Deterministic bytes for randoms, session ids and key shares (SplitMix64): a run's captures are reproducible.
class ByteSource {
 public:
  explicit ByteSource(uint64_t seed) : state_(seed) {}
  void Fill(uint8_t* p, size_t n);

 private:
  uint64_t state_;
};

/// A ClientHello record (§4.1.2): legacy_version TLS 1.2, a 32-byte random and session id (middlebox
/// compatibility, §D.4), TLS_AES_128_GCM_SHA256 / AES_256_GCM_SHA384 / CHACHA20_POLY1305_SHA256, and the
/// extensions server_name (`sni`), supported_groups (x25519, secp256r1), signature_algorithms, ALPN `alpn`,
/// key_share (x25519) and supported_versions (TLS 1.3).
std::vector<uint8_t> ClientHello(const std::string& sni, const std::vector<std::string>& alpn, ByteSource& rnd);
/// The ServerHello record answering it (§4.1.3): the session id echoed, TLS_AES_128_GCM_SHA256, key_share x25519,
/// supported_versions TLS 1.3.
std::vector<uint8_t> ServerHello(const std::vector<uint8_t>& session_id, ByteSource& rnd);
/// The compatibility ChangeCipherSpec record (§D.4).
std::vector<uint8_t> ChangeCipherSpec();
/// An encrypted record (outer type application_data, §5.2): `content` (at least `size` bytes, zero-padded), the
/// inner content type and the 16-byte AEAD tag. Content over 16 KB is split across records (§5.1).
std::vector<uint8_t> Encrypted(uint8_t inner_type, const std::vector<uint8_t>& content, size_t size = 0);
/// A fatal alert record (§6), unencrypted so captures name it.
std::vector<uint8_t> Alert(uint8_t description);

/// What a ClientHello says that the server needs: the name asked for and the session id to echo.
struct ClientHelloInfo {
  std::string sni;
  std::vector<uint8_t> session_id;
  std::vector<std::string> alpn;
  bool offers_tls13 = false;
};
/// Parses a ClientHello handshake message (the record's body); false when malformed.
bool ParseClientHello(const uint8_t* body, size_t n, ClientHelloInfo* out);

/// Splits a byte stream into records: type and body, the inner type and content of an encrypted one.
class RecordReader {
 public:
  using OnRecord = std::function<void(uint8_t type, const uint8_t* body, size_t n)>;
  /// Feeds bytes; calls `on` for every complete record. False once the stream is not TLS (bad header, a record
  /// over 2^14 + 256 bytes).
  bool Feed(const uint8_t* data, size_t n, const OnRecord& on);

 private:
  std::vector<uint8_t> buf_;
  bool bad_ = false;
};
/// An encrypted record's inner plaintext: its content type (0 when there is none) and content (padding and tag
/// removed).
uint8_t InnerType(const uint8_t* body, size_t n, size_t* content_len);

/// The HTTP/1.1 messages over the connection (one request, then its response: Envoy's HTTP/1.1 pool).
struct HttpMessage {
  bool response = false;
  uint64_t id = 0;             // x-request-id
  std::string service, pod;    // request: Host, and the endpoint chosen (x-envoy-peer-metadata-id's stand-in)
  uint32_t response_bytes = 0; // request: the size asked back
  uint16_t code = 200;         // response: status
};
/// The message as bytes: a request line or status line, headers, and a body of zeros so the whole is `size` bytes
/// (or just the headers when they are longer).
std::vector<uint8_t> EncodeHttp(const HttpMessage& m, uint32_t size);
/// Reassembles HTTP messages from decrypted application data.
class HttpReader {
 public:
  /// False when the bytes are not an HTTP message PlaneLab wrote.
  bool Feed(const uint8_t* data, size_t n, const std::function<void(const HttpMessage&)>& on);

 private:
  std::vector<uint8_t> buf_;
};

}  // namespace planelab::tls
