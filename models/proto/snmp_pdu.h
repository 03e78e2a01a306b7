// SNMPv2c messages (RFC 3416 PDUs in RFC 1901's community message) and the agent's answering logic.
// Pure: no ns-3 and no net-snmp in this header. The BER encoding and decoding are net-snmp's
// (libnetsnmp's snmp_build / snmp_parse on buffers; no session is opened, no socket is touched).
// Debian's net-snmp is built without NETSNMP_REENTRANT: call these from one thread at a time (the
// simulator's event loop is single-threaded).
#pragma once
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace planelab::snmp {

/// An OBJECT IDENTIFIER as its arcs; std::vector's ordering is SNMP's lexicographic OID order.
using Oid = std::vector<uint32_t>;

/// "1.3.6.1.2.1.2.1.0" from {1,3,6,1,2,1,2,1,0}, and back (ParseOid returns {} on a malformed string).
std::string OidToString(const Oid& oid);
Oid ParseOid(const std::string& text);
/// True when `oid` lies under `prefix` (or equals it).
bool OidHasPrefix(const Oid& oid, const Oid& prefix);
/// `oid` with `arcs` appended.
Oid OidWith(Oid oid, std::initializer_list<uint32_t> arcs);

/// PDU tags (RFC 3416 §3: context-specific, constructed).
enum class PduType : uint8_t {
  kGet = 0xA0,
  kGetNext = 0xA1,
  kResponse = 0xA2,
  kSet = 0xA3,
  kGetBulk = 0xA5,
};

/// The value syntaxes this model uses (RFC 2578 §7.1 / RFC 3416 §3 tags) and the RFC 3416
/// exceptions a Response carries instead of a value.
enum class ValueType : uint8_t {
  kNull = 0x05,          // the value of every varbind in a request
  kInteger = 0x02,       // Integer32 / enumerations (ifOperStatus, hrProcessorLoad, ifNumber)
  kOctetString = 0x04,
  kGauge32 = 0x42,       // Unsigned32 / Gauge32
  kCounter64 = 0x46,     // ifHCInOctets and friends
  kNoSuchObject = 0x80,
  kNoSuchInstance = 0x81,
  kEndOfMibView = 0x82,
};

struct Value {
  ValueType type = ValueType::kNull;
  int64_t integer = 0;    // kInteger
  uint64_t uinteger = 0; // kGauge32, kCounter64
  std::string octets;     // kOctetString

  static Value Null() { return {}; }
  static Value Integer(int32_t v) { Value x; x.type = ValueType::kInteger; x.integer = v; return x; }
  static Value Gauge32(uint32_t v) { Value x; x.type = ValueType::kGauge32; x.uinteger = v; return x; }
  static Value Counter64(uint64_t v) { Value x; x.type = ValueType::kCounter64; x.uinteger = v; return x; }
  static Value Exception(ValueType t) { Value x; x.type = t; return x; }
  bool IsException() const {
    return type == ValueType::kNoSuchObject || type == ValueType::kNoSuchInstance || type == ValueType::kEndOfMibView;
  }
  bool operator==(const Value& o) const {
    return type == o.type && integer == o.integer && uinteger == o.uinteger && octets == o.octets;
  }
};

struct VarBind {
  Oid oid;
  Value value;
  bool operator==(const VarBind& o) const { return oid == o.oid && value == o.value; }
};

/// One SNMPv2c message: version 1 (= v2c on the wire), community, and one PDU. For GetBulk,
/// RFC 3416 §3 puts non-repeaters and max-repetitions where the other PDUs carry error-status
/// and error-index: `non_repeaters()` / `max_repetitions()` name them.
struct Message {
  std::string community = "public";
  PduType type = PduType::kGet;
  int32_t request_id = 0;
  int32_t error_status = 0;
  int32_t error_index = 0;
  std::vector<VarBind> varbinds;

  int32_t non_repeaters() const { return error_status; }
  int32_t max_repetitions() const { return error_index; }
};

/// RFC 3416 §3 error-status values used here.
inline constexpr int32_t kNoError = 0;
inline constexpr int32_t kTooBig = 1;
inline constexpr int32_t kGenErr = 5;
inline constexpr int32_t kNotWritable = 17;

/// BER-encodes `m` as an SNMPv2c message (net-snmp's encoder). Throws std::runtime_error when
/// net-snmp refuses it (e.g. a value type it cannot encode).
std::vector<uint8_t> Encode(const Message& m);
/// Decodes an SNMPv2c message (net-snmp's parser); nullopt for anything malformed, of another
/// SNMP version, or carrying a value syntax this model does not use.
std::optional<Message> Decode(const uint8_t* data, size_t size);
inline std::optional<Message> Decode(const std::vector<uint8_t>& bytes) { return Decode(bytes.data(), bytes.size()); }

/// The largest message an agent sends (net-snmp's default maximum, SNMP_MAX_MSG_SIZE: 1472 bytes,
/// an Ethernet MTU's UDP payload). A GetBulk answer is cut to fit, as RFC 3416 §4.2.3 allows.
inline constexpr size_t kMaxMessageSize = 1472;

/// The objects an agent exposes at one instant, in OID order, and RFC 3416 §4.2's answering rules
/// for Get, GetNext and GetBulk. The view is read-only: a Set is answered notWritable.
class MibView {
 public:
  void Set(const Oid& oid, const Value& v) { objects_[oid] = v; }
  void Clear() { objects_.clear(); }
  size_t size() const { return objects_.size(); }
  /// The Response to `request` (same community and request-id); nullopt for a PDU that is not a
  /// request (a Response is never answered).
  std::optional<Message> Respond(const Message& request) const;

 private:
  VarBind Get(const Oid& oid) const;
  VarBind GetNext(const Oid& oid) const;
  std::map<Oid, Value> objects_;
};

}  // namespace planelab::snmp
