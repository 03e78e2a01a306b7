// OpenFlow 1.3 on the wire: the messages PlaneLab's switches and SDN controllers exchange over TCP port 6653,
// encoded with the real framing and layouts of the OpenFlow Switch Specification 1.3.5 (ONF TS-023, cited as
// "OF §x"), so Wireshark's openflow_v4 dissector decodes a capture. Pure: buffers in, buffers out, no ns-3.
//
// Only the subset the models use is covered: HELLO, ERROR, ECHO, FEATURES, PACKET_IN, FLOW_REMOVED, PACKET_OUT,
// FLOW_MOD, GROUP_MOD, BARRIER and ROLE. Matches carry the OXM fields a fabric uses (OF §7.2.3.7); instructions
// are one APPLY_ACTIONS with OUTPUT and GROUP actions (OF §7.2.4, §7.2.5).
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace planelab::of13 {

constexpr uint8_t kVersion = 0x04;     // OF §7.1: OFP_VERSION for 1.3
constexpr uint16_t kTcpPort = 6653;    // IANA's OpenFlow port (OF §6.3.3)
constexpr uint32_t kNoBuffer = 0xffffffff;
constexpr uint32_t kPortController = 0xfffffffd;  // OFPP_CONTROLLER
constexpr uint32_t kPortNormal = 0xfffffffa;      // OFPP_NORMAL: the switch's own L2 forwarding
constexpr uint32_t kPortFlood = 0xfffffffb;       // OFPP_FLOOD
constexpr uint32_t kPortAny = 0xffffffff;         // OFPP_ANY
constexpr uint32_t kGroupAny = 0xffffffff;        // OFPG_ANY
constexpr uint16_t kEthTypeIpv4 = 0x0800;
constexpr uint16_t kEthTypeLldp = 0x88cc;

/// Message types (OF §7.1, enum ofp_type).
enum class Type : uint8_t {
  kHello = 0, kError = 1, kEchoRequest = 2, kEchoReply = 3, kFeaturesRequest = 5, kFeaturesReply = 6,
  kPacketIn = 10, kFlowRemoved = 11, kPacketOut = 13, kFlowMod = 14, kGroupMod = 15,
  kBarrierRequest = 20, kBarrierReply = 21, kRoleRequest = 24, kRoleReply = 25,
};
const char* ToString(Type t);

/// Controller roles (OF §7.3.9, enum ofp_controller_role).
enum class Role : uint32_t { kNoChange = 0, kEqual = 1, kMaster = 2, kSlave = 3 };
const char* ToString(Role r);

/// Flow-mod commands (OF §7.3.4.1) and flags.
enum class FlowModCommand : uint8_t { kAdd = 0, kModify = 1, kModifyStrict = 2, kDelete = 3, kDeleteStrict = 4 };
constexpr uint16_t kFlagSendFlowRem = 1;  // OFPFF_SEND_FLOW_REM
constexpr uint16_t kFlagResetCounts = 4;  // OFPFF_RESET_COUNTS

/// Why a flow entry went (OF §7.4.2, enum ofp_flow_removed_reason).
enum class RemovedReason : uint8_t { kIdleTimeout = 0, kHardTimeout = 1, kDelete = 2, kGroupDelete = 3 };
const char* ToString(RemovedReason r);

/// Error types and codes used (OF §7.4.4).
constexpr uint16_t kErrBadRequest = 1, kErrFlowModFailed = 5, kErrRoleRequestFailed = 11;
constexpr uint16_t kBrcIsSlave = 10;     // OFPBRC_IS_SLAVE: a slave controller may not modify state
constexpr uint16_t kFmfcTableFull = 1;   // OFPFMFC_TABLE_FULL
constexpr uint16_t kRrfcStale = 0;       // OFPRRFC_STALE: generation_id older than the switch's

/// The header fields of one packet as a flow table sees them (OF §7.2.3.7 OXM basic fields).
struct PacketFields {
  uint32_t in_port = 0;
  uint64_t eth_src = 0, eth_dst = 0;  // 48-bit MACs in the low bits
  uint16_t eth_type = kEthTypeIpv4;
  uint8_t ip_proto = 0;
  uint32_t ipv4_src = 0, ipv4_dst = 0;
  uint16_t l4_src = 0, l4_dst = 0;    // TCP or UDP ports
  uint32_t bytes = 0;                 // packet length, for the byte counters
};

/// A flow match: the fields present are compared, the rest are wildcards; IPv4 addresses may be masked.
struct Match {
  enum Field : uint32_t {
    kInPort = 1, kEthSrc = 2, kEthDst = 4, kEthType = 8, kIpProto = 16, kIpv4Src = 32, kIpv4Dst = 64,
    kL4Src = 128, kL4Dst = 256,
  };
  uint32_t fields = 0;
  uint32_t in_port = 0;
  uint64_t eth_src = 0, eth_dst = 0;
  uint16_t eth_type = 0;
  uint8_t ip_proto = 0;
  uint32_t ipv4_src = 0, ipv4_src_mask = 0xffffffff, ipv4_dst = 0, ipv4_dst_mask = 0xffffffff;
  uint16_t l4_src = 0, l4_dst = 0;

  bool Matches(const PacketFields& p) const;
  /// Every packet this match takes, `other` takes too (for non-strict deletes, OF §6.4).
  bool Within(const Match& other) const;
  bool operator==(const Match& o) const;
  std::string ToString() const;
};

/// One action (OF §7.2.5): output to a port (a number, CONTROLLER, NORMAL or FLOOD) or apply a group.
struct Action {
  enum class Kind : uint8_t { kOutput, kGroup };
  Kind kind = Kind::kOutput;
  uint32_t arg = 0;  // port or group id
  bool operator==(const Action& o) const { return kind == o.kind && arg == o.arg; }
};
Action Output(uint32_t port);
Action ToGroup(uint32_t group);

/// One bucket of a group (OF §7.3.4.2): its actions; a select group picks one bucket per flow.
struct Bucket {
  std::vector<Action> actions;
};

/// A decoded or to-be-encoded OpenFlow 1.3 message: the header plus the fields its type uses.
struct Message {
  Type type = Type::kHello;
  uint32_t xid = 0;
  // ERROR
  uint16_t err_type = 0, err_code = 0;
  // ECHO, ERROR (offending bytes), PACKET_IN/OUT (the frame)
  std::vector<uint8_t> data;
  // FEATURES_REPLY
  uint64_t datapath_id = 0;
  uint8_t n_tables = 1;
  // PACKET_IN: reason 0 = no match, 1 = action (OF §7.4.1); PACKET_OUT: in_port
  uint8_t reason = 0;
  uint32_t buffer_id = kNoBuffer;
  uint32_t in_port = 0;
  // FLOW_MOD, FLOW_REMOVED, PACKET_IN (cookie, match)
  uint64_t cookie = 0, cookie_mask = 0;
  uint8_t table_id = 0;
  FlowModCommand command = FlowModCommand::kAdd;
  uint16_t idle_timeout = 0, hard_timeout = 0, priority = 0, flags = 0;
  uint32_t out_port = kPortAny, out_group = kGroupAny;
  Match match;
  std::vector<Action> actions;  // FLOW_MOD: one APPLY_ACTIONS instruction; PACKET_OUT: its action list
  // FLOW_REMOVED
  uint32_t duration_sec = 0, duration_nsec = 0;
  uint64_t packet_count = 0, byte_count = 0;
  // GROUP_MOD: command 0 add, 1 modify, 2 delete; type 0 all, 1 select
  uint16_t group_command = 0;
  uint8_t group_type = 1;
  uint32_t group_id = 0;
  std::vector<Bucket> buckets;
  // ROLE_REQUEST/REPLY
  Role role = Role::kNoChange;
  uint64_t generation_id = 0;
};

/// Appends `m`'s wire form (header + body) to `out`.
void Encode(const Message& m, std::vector<uint8_t>* out);
std::vector<uint8_t> Encode(const Message& m);
/// Decodes one whole message of `size` bytes (the header's length); false on a malformed or unknown message.
bool Decode(const uint8_t* data, size_t size, Message* out);

/// Splits a TCP byte stream into messages by the header's length field (OF §7.1).
class StreamParser {
 public:
  /// Appends bytes; calls back once per complete message. Returns false when a header is impossible
  /// (wrong version or length < 8): the stream cannot be followed and the connection must close.
  template <class Fn>
  bool Feed(const uint8_t* data, size_t size, Fn&& on_message) {
    buf_.insert(buf_.end(), data, data + size);
    size_t at = 0;
    bool ok = true;
    while (buf_.size() - at >= 8) {
      uint16_t len = static_cast<uint16_t>(buf_[at + 2] << 8 | buf_[at + 3]);
      if (buf_[at] != kVersion || len < 8) { ok = false; break; }
      if (buf_.size() - at < len) break;
      on_message(buf_.data() + at, static_cast<size_t>(len));
      at += len;
    }
    buf_.erase(buf_.begin(), buf_.begin() + static_cast<long>(at));
    return ok;
  }
  void Reset() { buf_.clear(); }

 private:
  std::vector<uint8_t> buf_;
};

/// The 42-byte Ethernet/IPv4/UDP (or 54-byte TCP) frame header a packet-in carries for `p`, so a capture shows
/// the packet that missed; and back.
std::vector<uint8_t> FrameOf(const PacketFields& p);
bool FieldsOfFrame(const uint8_t* data, size_t size, PacketFields* out);
/// An LLDP frame (IEEE 802.1AB) with chassis id "dpid:<16 hex>" and port id "<port>", as ONOS's discovery sends.
std::vector<uint8_t> LldpFrame(uint64_t dpid, uint32_t port);
bool ParseLldp(const uint8_t* data, size_t size, uint64_t* dpid, uint32_t* port);
/// The locally administered MAC PlaneLab gives an IPv4 host: 02:00 then the address.
inline uint64_t MacOf(uint32_t ipv4) { return (uint64_t{0x0200} << 32) | ipv4; }

}  // namespace planelab::of13
