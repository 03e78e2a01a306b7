// OSPFv2 packets as RFC 2328 Appendix A lays them out (Wireshark decodes them), and the run-wide pool that lets
// thousands of routers hold one copy of each router-LSA instance. Pure: no kernel calls.
#pragma once
#include <cstddef>
#include <climits>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "sim/util/flat_id_map.h"

namespace planelab::ls {

/// RFC 2328 §12.1.6: sequence numbers are signed; the first instance a router originates has this one.
constexpr int32_t kInitialSequenceNumber = static_cast<int32_t>(0x80000001u);
/// IP protocol number of OSPF (RFC 2328 Appendix A.1).
constexpr uint8_t kOspfProtocol = 89;

/// LSA header (A.4.1). PlaneLab originates only router-LSAs (type 1), whose Link State ID is the router's id.
struct LsaHeader {
  uint16_t age = 0;
  uint8_t options = 0x02;  // E-bit: AS-external capable, as a plain backbone router sets it
  uint8_t type = 1;
  uint32_t id = 0;
  uint32_t adv = 0;
  int32_t seq = kInitialSequenceNumber;
  uint16_t checksum = 0;
  uint16_t length = 0;
};

/// A point-to-point link in a router-LSA (type 1): the neighbour's router id, our interface address, the cost.
struct LinkAdv {
  uint32_t neighbor = 0;
  uint32_t cost = 1;
  uint32_t local_addr = 0;
};
/// A stub network in a router-LSA (type 3): an attached subnet and its cost.
struct PrefixAdv {
  uint32_t prefix = 0;
  uint8_t len = 0;
  uint32_t cost = 1;
};

/// A router-LSA (A.4.2); links sorted by neighbour so the two-way check is a binary search.
/// The fields a received copy reads (header, pool index, the bytes' sum and length) come first, near the
/// reference count: at 5,000 routers each pooled instance is looked up about 20,000 times.
struct Lsa {
  LsaHeader header;
  // Filled by the pool that interned it: the originator's dense router index.
  uint32_t origin_index = 0;
  const class LsaPool* indexed_by = nullptr;
  // The LSA's bytes and their one's-complement sum, kept by the pool: flooding copies them into each update and
  // adds the sum into the packet checksum (RFC 1071 sums are additive over even-aligned parts).
  uint32_t wire_sum = 0;
  // How many routers' databases hold this instance (by plain pointer, see LinkStateRouting::DbEntry): the pool
  // keeps it while any does.
  mutable uint32_t db_holders = 0;
  std::vector<uint8_t> wire;
  std::vector<LinkAdv> links;
  std::vector<PrefixAdv> prefixes;
  // Filled by the pool too, so SPF walks arrays instead of hashing router ids: each link's neighbour as the pool's
  // dense router index, each stub network as the pool's prefix id.
  std::vector<uint32_t> link_index;
  std::vector<uint32_t> prefix_id;
  uint32_t origin() const { return header.adv; }
  int32_t seq() const { return header.seq; }
  /// True when this LSA lists a point-to-point link to `router`.
  bool Lists(uint32_t router) const;
};
using LsaRef = std::shared_ptr<const Lsa>;

/// Fills in length and the Fletcher checksum (RFC 2328 §12.1.7) of an LSA built by its originator.
void Seal(Lsa* lsa);
/// -1, 0 or 1 as `a` is older, the same instance as or more recent than `b` (RFC 2328 §13.1; LS age is not
/// compared: PlaneLab's runs are shorter than LSRefreshTime and never flush with MaxAge).
int CompareInstances(const LsaHeader& a, const LsaHeader& b);

/// Hello body (A.3.2).
struct Hello {
  uint32_t network_mask = 0;
  uint16_t hello_interval_s = 10;
  uint8_t priority = 1;
  uint32_t dead_interval_s = 40;
  std::vector<uint32_t> neighbors;
};

/// Database Description flags (A.3.3).
constexpr uint8_t kDdInit = 0x04, kDdMore = 0x02, kDdMaster = 0x01;

/// One OSPFv2 packet; which fields count depends on the type.
struct Message {
  enum class Type : uint8_t { kHello = 1, kDbDescription = 2, kLsRequest = 3, kLsUpdate = 4, kLsAck = 5 };
  Type type = Type::kHello;
  uint32_t router_id = 0;
  Hello hello;
  uint16_t dd_mtu = 1500;
  uint8_t dd_flags = 0;
  uint32_t dd_seq = 0;
  std::vector<LsaHeader> headers;   // Database Description, Link State Acknowledgment
  std::vector<uint32_t> requests;   // Link State Request: advertising routers of router-LSAs
  std::vector<LsaRef> lsas;         // Link State Update
};

/// Shares router-LSA instances and gives each originating router a dense index, for a whole run: 5,000 routers
/// each holding 5,000 LSAs would otherwise keep 25 million copies (the sharing BIRD's attribute cache does).
class LsaPool {
 public:
  /// Dense index of a router id, assigned on first use.
  uint32_t IndexOf(uint32_t origin);
  uint32_t OriginAt(uint32_t index) const { return origins_[index]; }
  /// The index of a router id already seen, or kUnknown.
  uint32_t IndexIfKnown(uint32_t origin) const {
    const uint32_t* i = index_.Find(origin);
    return i ? *i : kUnknown;
  }
  static constexpr uint32_t kUnknown = UINT32_MAX;
  size_t routers() const { return origins_.size(); }
  /// The pooled instance with this header (advertising router, sequence number, checksum), or null.
  LsaRef Find(const LsaHeader& h) const;
  /// The pooled instance equal to `lsa` (adding it when new), indexed by this pool.
  LsaRef Intern(Lsa lsa);
  /// Dense id of a prefix (network << 8 | length), assigned on first use.
  uint32_t PrefixId(uint64_t key);
  size_t prefixes() const { return prefix_keys_.size(); }
  uint64_t PrefixKey(uint32_t id) const { return prefix_keys_[id]; }
  /// Every prefix id, sorted by network and length.
  const std::vector<uint32_t>& PrefixesInOrder();

 private:
  std::unordered_map<uint64_t, uint32_t> prefix_index_;
  std::vector<uint64_t> prefix_keys_;
  std::vector<uint32_t> prefix_order_;
  // Live instances by the originator's dense index: a router has one or two at a time, so finding a received
  // LSA's pooled instance is an index and a short scan, not a hash of every instance in the run (98 million
  // lookups on a 5,000-router cold start). The pool owns them (copying a reference out is cheaper than locking a
  // weak one) and routers' databases point at them; one that no database and nothing else holds is dropped when
  // its originator's next instance is interned.
  // The newest instance of each originator sits in one array, where nearly every lookup ends; the few older ones
  // still in some database are kept beside it.
  struct Live {
    int32_t seq = 0;
    uint16_t checksum = 0;
    LsaRef lsa;
  };
  FlatIdMap index_;
  std::vector<uint32_t> origins_;
  std::vector<Live> newest_;
  std::vector<std::vector<Live>> older_;
};

/// The largest LSU/DD/LSR/LSAck body that fits one packet on a 1,500-byte MTU (IP 20, OSPF header 24 bytes).
constexpr size_t kMaxOspfPayload = 1500 - 20 - 24;
/// The same for an interface's MTU.
constexpr size_t MaxOspfPayload(uint32_t mtu) { return mtu > 44 + 20 ? mtu - 20 - 24 : 20; }

/// Encodes an OSPFv2 packet for area 0 with no authentication, its checksum set (A.3.1).
std::vector<uint8_t> Encode(const Message& m);
/// Decodes one packet; false on a malformed one (bad version, length, checksum or LSA). LSAs are taken from
/// `pool` when it holds them already, so a flooded LSA is parsed once per run, not once per router.
bool Decode(const uint8_t* data, size_t size, Message* out, LsaPool* pool = nullptr);

}  // namespace planelab::ls
