#include "models/proto/cluster_api.h"

namespace planelab {

const char* ToString(ObjectKind k) {
  switch (k) {
    case ObjectKind::kNode: return "nodes";
    case ObjectKind::kLease: return "leases";
    case ObjectKind::kPod: return "pods";
    case ObjectKind::kDeployment: return "deployments";
    case ObjectKind::kVirtualService: return "virtualservices";
  }
  return "?";
}

const char* ToString(Verb v) {
  switch (v) {
    case Verb::kGet: return "get";
    case Verb::kList: return "list";
    case Verb::kCreate: return "create";
    case Verb::kUpdate: return "update";
    case Verb::kDelete: return "delete";
    case Verb::kWatch: return "watch";
  }
  return "?";
}

const char* ToString(StoreResponse::Status s) {
  switch (s) {
    case StoreResponse::Status::kOk: return "ok";
    case StoreResponse::Status::kConflict: return "conflict";
    case StoreResponse::Status::kNotFound: return "not-found";
    case StoreResponse::Status::kTimeout: return "timeout";
    case StoreResponse::Status::kNoLeader: return "no-leader";
    case StoreResponse::Status::kCompacted: return "compacted";
  }
  return "?";
}

uint32_t ApiObject::Bytes() const {
  switch (kind) {
    case ObjectKind::kLease: return 300;
    case ObjectKind::kPod: return 2500;
    case ObjectKind::kNode: return 10000;
    case ObjectKind::kDeployment: return 3000;
    case ObjectKind::kVirtualService: return 1500;
  }
  return 1000;
}

std::string KeyOf(ObjectKind kind, const std::string& name) {
  return std::string("/registry/") + ToString(kind) + "/" + name;
}

bool KindOfKey(const std::string& key, ObjectKind* kind) {
  for (ObjectKind k : {ObjectKind::kNode, ObjectKind::kLease, ObjectKind::kPod, ObjectKind::kDeployment,
                       ObjectKind::kVirtualService}) {
    std::string p = std::string("/registry/") + ToString(k) + "/";
    if (key.compare(0, p.size(), p) == 0) {
      *kind = k;
      return true;
    }
  }
  return false;
}

std::string ApiObject::Key() const { return KeyOf(kind, name); }

namespace {
const char kOwnerPrefix[] = "deployment=";
constexpr size_t kOwnerPrefixLen = sizeof(kOwnerPrefix) - 1;
}  // namespace

std::string OwnerFilter(const std::string& deployment) { return kOwnerPrefix + deployment; }

bool IsOwnerFilter(const std::string& filter, std::string* owner) {
  if (filter.compare(0, kOwnerPrefixLen, kOwnerPrefix) != 0) return false;
  if (owner) *owner = filter.substr(kOwnerPrefixLen);
  return true;
}

namespace {
constexpr uint32_t kHeader = 64;  // gRPC/HTTP2 framing and the request's fixed fields
uint32_t Sum(const std::vector<KvEvent>& v) {
  uint32_t n = 0;
  for (const auto& e : v) n += static_cast<uint32_t>(e.key.size()) + (e.value ? e.value->Bytes() : 0) + 16;
  return n;
}
}  // namespace

uint32_t StoreRequest::Bytes() const {
  return kHeader + static_cast<uint32_t>(key.size()) + (value ? value->Bytes() : 0);
}
uint32_t StoreResponse::Bytes() const { return kHeader + Sum(kvs); }
uint32_t StoreWatchBatch::Bytes() const { return kHeader + Sum(events); }
uint32_t ApiRequest::Bytes() const {
  // HTTP/2 headers with the bearer token and path weigh about half a kilobyte.
  return 500 + static_cast<uint32_t>(name.size()) + (obj ? obj->Bytes() : 0);
}
uint32_t ApiResponse::Bytes() const {
  uint32_t n = 300 + (obj ? obj->Bytes() : 0);
  for (const auto& [o, rv] : items) n += o->Bytes();
  return n;
}
uint32_t ApiWatchBatch::Bytes() const {
  uint32_t n = 100;
  for (const auto& e : events) n += endpoints_view ? 150 : 50 + (e.obj ? e.obj->Bytes() : 0);
  return n;
}

}  // namespace planelab
