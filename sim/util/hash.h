// Content hashes for manifests and stream derivation.
#pragma once
#include <cstdint>
#include <string>

namespace planelab {

/// FNV-1a, 64-bit: stable across platforms and runs.
uint64_t Fnv1a64(const std::string& bytes);
/// 16 lowercase hex digits of Fnv1a64.
std::string Fnv1a64Hex(const std::string& bytes);

}  // namespace planelab
