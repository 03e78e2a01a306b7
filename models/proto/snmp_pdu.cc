#include "models/proto/snmp_pdu.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <sstream>
#include <stdexcept>

// net-snmp last: its headers define macros (non_repeaters, max_repetitions, ...) over common names.
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

namespace planelab::snmp {

std::string OidToString(const Oid& oid) {
  std::string s;
  for (size_t i = 0; i < oid.size(); ++i) {
    if (i) s += '.';
    s += std::to_string(oid[i]);
  }
  return s;
}

Oid ParseOid(const std::string& text) {
  Oid oid;
  size_t i = 0;
  if (!text.empty() && text[0] == '.') ++i;
  while (i < text.size()) {
    size_t j = i;
    uint64_t v = 0;
    while (j < text.size() && text[j] >= '0' && text[j] <= '9') {
      v = v * 10 + static_cast<uint64_t>(text[j] - '0');
      if (v > 0xFFFFFFFFull) return {};
      ++j;
    }
    if (j == i) return {};
    oid.push_back(static_cast<uint32_t>(v));
    if (j < text.size() && (text[j] != '.' || j + 1 == text.size())) return {};
    i = j + 1;
  }
  return oid;
}

bool OidHasPrefix(const Oid& oid, const Oid& prefix) {
  return oid.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), oid.begin());
}

Oid OidWith(Oid oid, std::initializer_list<uint32_t> arcs) {
  oid.insert(oid.end(), arcs.begin(), arcs.end());
  return oid;
}

namespace {

// Encoding and decoding only: no netsnmp_session is opened (snmp_open is never called), so no
// socket, config file or MIB file is touched. init_snmp() is not called either (it would read
// snmp.conf and seed libc's random() from the clock); the one library default it sets that
// matters here, BER built back to front, which gives minimal definite lengths as every net-snmp
// tool sends them, is set by hand.
void EnsureNetSnmp() {
  static const bool once = [] {
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_REVERSE_ENCODE, 1);
    return true;
  }();
  (void)once;
}

struct PduDeleter {
  void operator()(netsnmp_pdu* p) const { snmp_free_pdu(p); }
};
using PduPtr = std::unique_ptr<netsnmp_pdu, PduDeleter>;

std::vector<oid> ToNetSnmp(const Oid& o) { return std::vector<oid>(o.begin(), o.end()); }

void AddVarBind(netsnmp_pdu* pdu, const VarBind& vb) {
  std::vector<oid> name = ToNetSnmp(vb.oid);
  netsnmp_variable_list* added = nullptr;
  switch (vb.value.type) {
    case ValueType::kNull:
      added = snmp_add_null_var(pdu, name.data(), name.size());
      break;
    case ValueType::kInteger: {
      long v = static_cast<long>(vb.value.integer);
      added = snmp_pdu_add_variable(pdu, name.data(), name.size(), ASN_INTEGER, &v, sizeof v);
      break;
    }
    case ValueType::kGauge32: {
      u_long v = static_cast<u_long>(vb.value.uinteger & 0xFFFFFFFFu);
      added = snmp_pdu_add_variable(pdu, name.data(), name.size(), ASN_GAUGE, &v, sizeof v);
      break;
    }
    case ValueType::kCounter64: {
      struct counter64 c;
      c.high = static_cast<u_long>(vb.value.uinteger >> 32);
      c.low = static_cast<u_long>(vb.value.uinteger & 0xFFFFFFFFu);
      added = snmp_pdu_add_variable(pdu, name.data(), name.size(), ASN_COUNTER64, &c, sizeof c);
      break;
    }
    case ValueType::kOctetString:
      added = snmp_pdu_add_variable(pdu, name.data(), name.size(), ASN_OCTET_STR, vb.value.octets.data(),
                                    vb.value.octets.size());
      break;
    case ValueType::kNoSuchObject:
    case ValueType::kNoSuchInstance:
    case ValueType::kEndOfMibView:
      added = snmp_pdu_add_variable(pdu, name.data(), name.size(), static_cast<u_char>(vb.value.type), nullptr, 0);
      break;
  }
  if (!added) throw std::runtime_error("net-snmp refused varbind " + OidToString(vb.oid));
}

}  // namespace

std::vector<uint8_t> Encode(const Message& m) {
  EnsureNetSnmp();
  PduPtr pdu(snmp_pdu_create(static_cast<int>(m.type)));
  if (!pdu) throw std::runtime_error("snmp_pdu_create failed");
  pdu->version = SNMP_VERSION_2c;
  pdu->reqid = m.request_id;
  // For GetBulk these two fields are non-repeaters and max-repetitions (net-snmp aliases them too).
  pdu->errstat = m.error_status;
  pdu->errindex = m.error_index;
  for (const auto& vb : m.varbinds) AddVarBind(pdu.get(), vb);

  // The community goes in the PDU itself (snmp_build takes the session's only for requests, and
  // an agent's Response must echo the request's); snmp_free_pdu releases it.
  if (!m.community.empty()) {
    pdu->community = static_cast<u_char*>(std::malloc(m.community.size()));
    if (!pdu->community) throw std::bad_alloc();
    std::memcpy(pdu->community, m.community.data(), m.community.size());
    pdu->community_len = m.community.size();
  }
  // A session struct only carries the version to the encoder; it is never opened.
  std::string community = m.community;
  netsnmp_session session;
  std::memset(&session, 0, sizeof session);
  session.version = SNMP_VERSION_2c;
  session.community = reinterpret_cast<u_char*>(community.data());
  session.community_len = community.size();

  // Reverse encoding fills the buffer from its end (growing it with realloc as needed): the
  // message is the last `offset` bytes.
  size_t len = 128, offset = 0;
  u_char* buf = static_cast<u_char*>(std::malloc(len));
  if (!buf) throw std::bad_alloc();
  int rc = snmp_build(&buf, &len, &offset, &session, pdu.get());
  std::vector<uint8_t> out;
  if (rc == 0 && offset <= len) out.assign(buf + len - offset, buf + len);
  std::free(buf);
  if (rc != 0) throw std::runtime_error(std::string("snmp_build failed: ") + snmp_api_errstring(session.s_snmp_errno));
  return out;
}

std::optional<Message> Decode(const uint8_t* data, size_t size) {
  EnsureNetSnmp();
  if (size == 0) return std::nullopt;
  std::vector<u_char> copy(data, data + size);  // net-snmp's parser takes a mutable buffer
  netsnmp_session session;
  std::memset(&session, 0, sizeof session);
  session.version = SNMP_DEFAULT_VERSION;  // take the version from the message, then check it
  // Allocated as net-snmp's receive path does, so snmp_free_pdu can release what the parser adds.
  PduPtr pdu(static_cast<netsnmp_pdu*>(std::calloc(1, sizeof(netsnmp_pdu))));
  if (!pdu) return std::nullopt;
  if (snmp_parse(nullptr, &session, pdu.get(), copy.data(), copy.size()) != 0) return std::nullopt;
  if (pdu->version != SNMP_VERSION_2c) return std::nullopt;

  Message m;
  switch (pdu->command) {
    case SNMP_MSG_GET: m.type = PduType::kGet; break;
    case SNMP_MSG_GETNEXT: m.type = PduType::kGetNext; break;
    case SNMP_MSG_RESPONSE: m.type = PduType::kResponse; break;
    case SNMP_MSG_SET: m.type = PduType::kSet; break;
    case SNMP_MSG_GETBULK: m.type = PduType::kGetBulk; break;
    default: return std::nullopt;  // traps, informs, reports: not part of this model
  }
  m.community.assign(reinterpret_cast<const char*>(pdu->community), pdu->community_len);
  m.request_id = static_cast<int32_t>(pdu->reqid);
  m.error_status = static_cast<int32_t>(pdu->errstat);
  m.error_index = static_cast<int32_t>(pdu->errindex);
  for (netsnmp_variable_list* v = pdu->variables; v; v = v->next_variable) {
    VarBind vb;
    vb.oid.reserve(v->name_length);
    for (size_t i = 0; i < v->name_length; ++i) {
      if (v->name[i] > 0xFFFFFFFFul) return std::nullopt;
      vb.oid.push_back(static_cast<uint32_t>(v->name[i]));
    }
    switch (v->type) {
      case ASN_NULL: vb.value = Value::Null(); break;
      case ASN_INTEGER: vb.value = Value::Integer(static_cast<int32_t>(*v->val.integer)); break;
      case ASN_GAUGE: vb.value = Value::Gauge32(static_cast<uint32_t>(*v->val.integer)); break;
      case ASN_COUNTER64:
        vb.value = Value::Counter64((static_cast<uint64_t>(v->val.counter64->high) << 32) |
                                    (static_cast<uint64_t>(v->val.counter64->low) & 0xFFFFFFFFu));
        break;
      case ASN_OCTET_STR:
        vb.value.type = ValueType::kOctetString;
        vb.value.octets.assign(reinterpret_cast<const char*>(v->val.string), v->val_len);
        break;
      case SNMP_NOSUCHOBJECT: vb.value = Value::Exception(ValueType::kNoSuchObject); break;
      case SNMP_NOSUCHINSTANCE: vb.value = Value::Exception(ValueType::kNoSuchInstance); break;
      case SNMP_ENDOFMIBVIEW: vb.value = Value::Exception(ValueType::kEndOfMibView); break;
      default: return std::nullopt;
    }
    m.varbinds.push_back(std::move(vb));
  }
  return m;
}

VarBind MibView::Get(const Oid& oid) const {
  auto it = objects_.find(oid);
  if (it != objects_.end()) return {oid, it->second};
  // RFC 3416 §4.2.1: noSuchInstance when the object type exists (a known column or scalar whose
  // instances are one arc below it, as every object here is), noSuchObject otherwise.
  if (oid.size() > 1) {
    Oid type(oid.begin(), oid.end() - 1);
    auto lb = objects_.lower_bound(type);
    if (lb != objects_.end() && lb->first.size() == oid.size() && OidHasPrefix(lb->first, type)) {
      return {oid, Value::Exception(ValueType::kNoSuchInstance)};
    }
  }
  return {oid, Value::Exception(ValueType::kNoSuchObject)};
}

VarBind MibView::GetNext(const Oid& oid) const {
  // RFC 3416 §4.2.2: the first object whose name lexicographically follows the requested one.
  auto it = objects_.upper_bound(oid);
  if (it == objects_.end()) return {oid, Value::Exception(ValueType::kEndOfMibView)};
  return {it->first, it->second};
}

std::optional<Message> MibView::Respond(const Message& req) const {
  Message r;
  r.community = req.community;
  r.type = PduType::kResponse;
  r.request_id = req.request_id;
  switch (req.type) {
    case PduType::kGet:
      for (const auto& vb : req.varbinds) r.varbinds.push_back(Get(vb.oid));
      break;
    case PduType::kGetNext:
      for (const auto& vb : req.varbinds) r.varbinds.push_back(GetNext(vb.oid));
      break;
    case PduType::kGetBulk: {
      // RFC 3416 §4.2.3: N non-repeaters answered as GetNext, then up to M rounds over the rest.
      const size_t n = req.varbinds.size();
      const size_t non_rep = static_cast<size_t>(std::max<int32_t>(0, std::min<int64_t>(req.error_status, n)));
      const int32_t max_rep = std::max<int32_t>(0, req.error_index);
      for (size_t i = 0; i < non_rep; ++i) r.varbinds.push_back(GetNext(req.varbinds[i].oid));
      std::vector<Oid> cursor;
      for (size_t i = non_rep; i < n; ++i) cursor.push_back(req.varbinds[i].oid);
      for (int32_t rep = 0; rep < max_rep && !cursor.empty(); ++rep) {
        bool all_ended = true;
        for (auto& c : cursor) {
          VarBind vb = GetNext(c);
          if (vb.value.type != ValueType::kEndOfMibView) all_ended = false;
          c = vb.oid;
          r.varbinds.push_back(std::move(vb));
        }
        if (all_ended) break;
      }
      // The answer may be cut to fit the message size: keep the most whole rounds that fit
      // (binary search over the number of rounds; the last round may be partial).
      if (Encode(r).size() > kMaxMessageSize && !cursor.empty()) {
        std::vector<VarBind> all = std::move(r.varbinds);
        size_t rounds = (all.size() - non_rep + cursor.size() - 1) / cursor.size();
        auto fits = [&](size_t k) {
          r.varbinds.assign(all.begin(), all.begin() + std::min(all.size(), non_rep + k * cursor.size()));
          return Encode(r).size() <= kMaxMessageSize;
        };
        size_t lo = 0, hi = rounds;  // fits(lo) is assumed (the non-repeaters alone), fits(hi) is not
        while (hi - lo > 1) {
          size_t mid = lo + (hi - lo) / 2;
          (fits(mid) ? lo : hi) = mid;
        }
        fits(lo);
      }
      break;
    }
    case PduType::kSet:
      // A read-only view (community "public" is read-only by convention).
      r.error_status = kNotWritable;
      r.error_index = req.varbinds.empty() ? 0 : 1;
      r.varbinds = req.varbinds;
      break;
    case PduType::kResponse:
      return std::nullopt;
  }
  if (Encode(r).size() > kMaxMessageSize) {
    // RFC 3416 §4.2.1: tooBig, error-index zero, an empty variable-bindings field.
    r.error_status = kTooBig;
    r.error_index = 0;
    r.varbinds.clear();
  }
  return r;
}

}  // namespace planelab::snmp
