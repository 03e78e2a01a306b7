#include "sim/core/plane.h"

namespace planelab {

const char* ToString(Plane p) {
  switch (p) {
    case Plane::kData: return "data";
    case Plane::kControl: return "control";
    case Plane::kManagement: return "management";
  }
  return "?";
}

bool ParsePlane(const std::string& s, Plane* out) {
  if (s == "data") { *out = Plane::kData; return true; }
  if (s == "control") { *out = Plane::kControl; return true; }
  if (s == "management") { *out = Plane::kManagement; return true; }
  return false;
}

const char* TriageOf(Plane p) {
  switch (p) {
    case Plane::kData: return "carrying traffic";
    case Plane::kControl: return "making changes";
    case Plane::kManagement: return "seeing the system";
  }
  return "?";
}

}  // namespace planelab
