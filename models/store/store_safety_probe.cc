#include "models/store/store_safety_probe.h"

#include <memory>

#include "models/store/control/store_control_metrics.h"

namespace planelab {

StoreSafetyProbe::StoreSafetyProbe(RunContext& ctx, const std::string& device) : ctx_(ctx), device_(device) {
  counter_ = ctx.metrics.AddCounter(device, StoreSafetyMetrics::Get().safety_violations);
}

StoreSafetyProbe& StoreSafetyProbe::For(RunContext& ctx, const std::string& first_member) {
  auto& slot = ctx.shared["store-safety"];
  if (!slot) slot = std::make_shared<StoreSafetyProbe>(ctx, first_member);
  return *std::static_pointer_cast<StoreSafetyProbe>(slot);
}

void StoreSafetyProbe::OnLeader(uint64_t member, uint64_t term) {
  auto [it, fresh] = leader_of_term_.emplace(term, member);
  if (!fresh && it->second != member) {
    ++violations_;
    counter_->Add();
    ctx_.events.Emit(device_, "control", "store.safety-violation",
                     "{\"rule\":\"election-safety\",\"term\":" + std::to_string(term) + "}");
  }
}

void StoreSafetyProbe::OnApply(uint64_t member, uint64_t index, uint64_t term, const void* payload) {
  auto [it, fresh] = applied_.emplace(index, std::make_pair(term, payload));
  if (!fresh && (it->second.first != term || it->second.second != payload)) {
    ++violations_;
    counter_->Add();
    ctx_.events.Emit(device_, "control", "store.safety-violation",
                     "{\"rule\":\"state-machine-safety\",\"index\":" + std::to_string(index) + "}");
  }
}

}  // namespace planelab
