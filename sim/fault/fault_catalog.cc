#include "sim/fault/fault_catalog.h"

#include <memory>

namespace planelab {

namespace {

template <class P>
FaultKind Entry() {
  auto decl = std::make_shared<const FaultKindDecl<P>>(P::Declare());
  FaultKind k;
  k.name = decl->name();
  k.plane = decl->plane();
  k.target = decl->target();
  k.params = decl->params();
  k.summary = decl->summary();
  k.effect = decl->effect();
  k.follows = decl->follows();
  k.crashes = decl->crashes();
  k.parse = [decl](const FaultParamText& text, FaultProblems& problems) -> std::any {
    std::optional<P> p = decl->Parse(text, problems);
    if (!p) return std::any();
    return *p;
  };
  return k;
}

}  // namespace

const std::vector<FaultKind>& FaultCatalog() {
  static const std::vector<FaultKind> kCatalog = {
      Entry<AsicDeadParams>(),
      Entry<LinkDownParams>(),
      Entry<LinkDegradeParams>(),
      Entry<ControlCpuSaturationParams>(),
      Entry<LinkFlapParams>(),
      Entry<BgpSessionFlapParams>(),
      Entry<BgpDaemonCrashParams>(),
      Entry<FibProgrammingStallParams>(),
      Entry<MgmtOobDownParams>(),
      Entry<DiskPressureParams>(),
      Entry<StoreMemberCrashParams>(),
      Entry<StorePartitionParams>(),
      Entry<CniBrokenParams>(),
      Entry<ProvisioningApiDegradedParams>(),
      Entry<TelemetryPipelineLagParams>(),
      Entry<CollectorDownParams>(),
      Entry<AlertingDownParams>(),
      Entry<AuditLogBacklogParams>(),
      Entry<MgmtInbandDownParams>(),
      Entry<BackboneRoutingOutageParams>(),
      Entry<PlaneCrashParams>(),
      Entry<ControllerCrashParams>(),
      Entry<ControllerPartitionParams>(),
      Entry<ControlChannelDownParams>(),
      Entry<SdnNorthboundDownParams>(),
      Entry<FlowTableFullParams>(),
      Entry<SwitchAgentCrashParams>(),
      Entry<IstiodDownParams>(),
      Entry<IstiodSlowPushParams>(),
      Entry<SidecarCrashParams>(),
      Entry<MonQuorumLossParams>(),
      Entry<OsdDownParams>(),
      Entry<OsdSlowDiskParams>(),
      Entry<CloudControlPlaneOutageParams>(),
      Entry<IamPropagationSlowParams>(),
      Entry<LbDataPlaneDropParams>(),
      Entry<VolumeIoErrorsParams>(),
  };
  return kCatalog;
}

const FaultKind* FindFaultKind(const std::string& name) {
  for (const auto& k : FaultCatalog()) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

std::vector<std::string> FaultParamList(const std::string& value) {
  std::vector<std::string> items;
  for (size_t a = 0; a <= value.size();) {
    size_t b = value.find(',', a);
    if (b == std::string::npos) b = value.size();
    items.push_back(value.substr(a, b - a));
    a = b + 1;
  }
  return items;
}

}  // namespace planelab
