#include "sim/scenario/kind_catalog.h"

#include <set>
#include <stdexcept>

namespace planelab {

bool MatchesMetric(const MetricDoc& doc, const std::string& metric, std::string* value) {
  if (doc.name == metric) return true;
  auto open = doc.name.find('<');
  auto close = doc.name.find('>', open == std::string::npos ? 0 : open);
  if (open == std::string::npos || close == std::string::npos) return false;
  size_t suffix = doc.name.size() - close - 1;
  if (metric.size() <= open + suffix) return false;
  if (metric.compare(0, open, doc.name, 0, open) != 0) return false;
  if (metric.compare(metric.size() - suffix, suffix, doc.name, close + 1, suffix) != 0) return false;
  if (value) *value = metric.substr(open, metric.size() - open - suffix);
  return true;
}

void KindCatalog::Add(DeviceKindDecl decl) {
  if (Find(decl.kind)) throw std::logic_error("device kind \"" + decl.kind + "\" is registered twice");
  DeviceKindDoc kind;
  static_cast<DeviceKindDecl&>(kind) = std::move(decl);
  for (Plane p : {Plane::kData, Plane::kControl, Plane::kManagement}) {
    for (const MetricTable* t : kind.tables) {
      if (t->plane() == p) {
        kind.planes.push_back(ToString(p));
        break;
      }
    }
  }
  std::set<std::pair<std::string, std::string>> seen;
  for (const MetricTable* t : kind.tables) {
    for (const MetricDecl* d : t->metrics()) {
      for (SeriesDoc& s : d->Series()) {
        if (!seen.insert({ToString(d->plane), s.name}).second) {
          throw std::logic_error("device kind \"" + kind.kind + "\" declares " + ToString(d->plane) + "." + s.name +
                                 " twice");
        }
        kind.metrics.push_back({ToString(d->plane), std::move(s.name), std::move(s.unit), std::move(s.kind),
                                std::move(s.help), t->only()});
      }
    }
  }
  kinds_.push_back(std::move(kind));
}

const DeviceKindDoc* KindCatalog::Find(const std::string& kind) const {
  for (const auto& k : kinds_) {
    if (k.kind == kind) return &k;
  }
  return nullptr;
}

bool KindCatalog::HasMetric(const std::string& kind, const std::string& plane, const std::string& metric) const {
  const DeviceKindDoc* k = Find(kind);
  if (!k) return false;
  bool has_plane = false;
  for (const auto& p : k->planes) has_plane |= (p == plane);
  if (!has_plane) return false;
  if (metric == "health.actual" || metric == "health.reported") return true;
  for (const auto& m : k->metrics) {
    if (m.plane == plane && MatchesMetric(m, metric)) return true;
  }
  return false;
}

}  // namespace planelab
