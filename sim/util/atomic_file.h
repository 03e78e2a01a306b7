// Files other processes may read while they are written (results, goldens, keys, answers): written whole or not at
// all.
#pragma once
#include <string>

namespace planelab {

/// Writes `text` to `path` under a temporary name no other process uses (host and pid: the folder may be shared
/// between cluster nodes), then renames it into place, which is atomic on NFS and Lustre as on a local disk:
/// readers see the old file or the new one, never half of one. False (nothing left behind) when it fails.
bool WriteFileAtomically(const std::string& path, const std::string& text);

}  // namespace planelab
