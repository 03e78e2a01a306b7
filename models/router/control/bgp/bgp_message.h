// BGP-4 messages (RFC 4271 §4) with 4-octet AS numbers (RFC 6793), encoded on the wire as real BGP.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace planelab::bgp {

/// An IPv4 prefix.
struct Prefix {
  uint32_t addr = 0;
  uint8_t len = 0;
  bool operator<(const Prefix& o) const { return addr != o.addr ? addr < o.addr : len < o.len; }
  bool operator==(const Prefix& o) const { return addr == o.addr && len == o.len; }
};

/// ORIGIN values (RFC 4271 §5.1.1), lower is preferred.
enum class Origin : uint8_t { kIgp = 0, kEgp = 1, kIncomplete = 2 };

/// Path attributes PlaneLab models (RFC 4271 §5.1).
struct PathAttributes {
  Origin origin = Origin::kIgp;
  std::vector<uint32_t> as_path;  // one AS_SEQUENCE, nearest AS first
  uint32_t next_hop = 0;
  std::optional<uint32_t> med;
  std::optional<uint32_t> local_pref;  // iBGP only
  bool operator<(const PathAttributes& o) const {
    if (origin != o.origin) return origin < o.origin;
    if (as_path != o.as_path) return as_path < o.as_path;
    if (next_hop != o.next_hop) return next_hop < o.next_hop;
    if (med != o.med) return med < o.med;
    return local_pref < o.local_pref;
  }
  bool operator==(const PathAttributes& o) const {
    return origin == o.origin && as_path == o.as_path && next_hop == o.next_hop && med == o.med &&
           local_pref == o.local_pref;
  }
};

enum class MessageType : uint8_t { kOpen = 1, kUpdate = 2, kNotification = 3, kKeepalive = 4 };

struct Open {
  uint32_t my_as = 0;       // carried in the 4-octet AS capability; AS_TRANS in the header if > 65535
  uint16_t hold_time = 90;  // seconds
  uint32_t bgp_id = 0;
};
struct Update {
  std::vector<Prefix> withdrawn;
  PathAttributes attrs;
  std::vector<Prefix> nlri;
};
/// NOTIFICATION (RFC 4271 §4.5): error code, subcode and data, whose content depends on both.
struct Notification {
  uint8_t code = 6;
  uint8_t subcode = 0;
  std::vector<uint8_t> data;
};

/// NOTIFICATION error codes (RFC 4271 §4.5) and the subcodes PlaneLab sends (§6.1-§6.3, RFC 4486).
namespace err {
enum Code : uint8_t {
  kMessageHeader = 1,    // §6.1
  kOpenMessage = 2,      // §6.2
  kUpdateMessage = 3,    // §6.3
  kHoldTimerExpired = 4, // §6.5
  kFsm = 5,              // §6.6
  kCease = 6,            // §6.7
};
// Message Header Error subcodes (§6.1).
constexpr uint8_t kConnectionNotSynchronized = 1, kBadMessageLength = 2, kBadMessageType = 3;
// OPEN Message Error subcodes (§6.2; 5 is deprecated). 0: unspecific (a recognised optional
// parameter that is malformed).
constexpr uint8_t kUnspecific = 0, kUnsupportedVersionNumber = 1, kBadPeerAs = 2, kBadBgpIdentifier = 3,
                  kUnsupportedOptionalParameter = 4, kUnacceptableHoldTime = 6;
// UPDATE Message Error subcodes (§6.3; 7 is deprecated).
constexpr uint8_t kMalformedAttributeList = 1, kUnrecognizedWellKnownAttribute = 2, kMissingWellKnownAttribute = 3,
                  kAttributeFlagsError = 4, kAttributeLengthError = 5, kInvalidOriginAttribute = 6,
                  kInvalidNetworkField = 10, kMalformedAsPath = 11;
// Cease subcodes (RFC 4486 §4).
constexpr uint8_t kAdministrativeReset = 4;
}  // namespace err

/// Why a message could not be decoded: the NOTIFICATION RFC 4271 §6 has the receiver send before
/// it closes the connection. `send` is false for a malformed NOTIFICATION, which §6.4 says cannot
/// be answered with one: the connection is closed without.
struct DecodeError {
  Notification notification;
  bool send = true;
};

struct Message {
  MessageType type = MessageType::kKeepalive;
  Open open;
  Update update;
  Notification notification;
};

std::vector<uint8_t> Encode(const Message& m);
/// Appends the encoding of `m` to `out`.
void EncodeTo(const Message& m, std::vector<uint8_t>* out);
/// Appends an UPDATE built from parts (no Message to assemble: a spine sends one per prefix to
/// thousands of peers).
void EncodeUpdateTo(const std::vector<Prefix>& withdrawn, const PathAttributes* attrs, uint32_t next_hop,
                    const Prefix* nlri, size_t nlri_count, std::vector<uint8_t>* out);
/// Calls f(bytes, size) for each message of a buffer of whole messages (as StreamParser yields).
template <class F>
void ForEachMessage(const uint8_t* data, size_t size, F&& f) {
  size_t pos = 0;
  while (pos + 19 <= size) {
    size_t len = (size_t(data[pos + 16]) << 8) | data[pos + 17];
    if (len < 19 || pos + len > size) return;
    f(data + pos, len);
    pos += len;
  }
}
/// Decodes one whole message (header included); false when malformed, and then, if `error` is
/// given, the NOTIFICATION to send (RFC 4271 §6.1 header, §6.2 OPEN, §6.3 UPDATE checks).
bool Decode(const uint8_t* data, size_t size, Message* out, DecodeError* error = nullptr);

/// Splits a TCP byte stream into BGP messages using the header's length field.
class StreamParser {
 public:
  /// Takes the next bytes of the stream; appends the messages they complete, back to back, to
  /// `messages` and returns how many. Sets `error` on a bad header.
  size_t Feed(const uint8_t* data, size_t size, std::vector<uint8_t>* messages);
  bool error() const { return error_; }
  /// After error(): Message Header Error / Bad Message Length with the erroneous Length field as
  /// its data (RFC 4271 §6.1).
  DecodeError failure() const;

 private:
  std::vector<uint8_t> buffer_;
  bool error_ = false;
  uint16_t bad_length_ = 0;
};

}  // namespace planelab::bgp
