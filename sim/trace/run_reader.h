// Reads a run store without ns-3: for expectations, the GUI, tests and tools.
#pragma once
#include <string>
#include <utility>
#include <vector>

struct sqlite3;

namespace planelab {

/// Read-only access to a run.sqlite; refuses files of another schema with a clear message.
class RunStoreReader {
 public:
  /// Opens `path`; throws std::runtime_error naming the file and what is wrong.
  explicit RunStoreReader(const std::string& path);
  ~RunStoreReader();
  RunStoreReader(const RunStoreReader&) = delete;
  RunStoreReader& operator=(const RunStoreReader&) = delete;

  std::string Meta(const std::string& key) const;
  /// (t_s, value) of one series in [from_s, to_s], in time order; NULL values skipped.
  std::vector<std::pair<double, double>> Samples(const std::string& device, const std::string& plane,
                                                 const std::string& metric, double from_s, double to_s) const;
  /// (t_s, state) of the actual or reported health of one plane in [from_s, to_s].
  std::vector<std::pair<double, std::string>> Health(const std::string& device, const std::string& plane,
                                                     bool reported, double from_s, double to_s) const;
  /// A single integer from a read-only query (for tests and tools).
  long long QueryInt(const std::string& sql) const;
  /// Every row of every table in a stable text form (determinism checks).
  std::string DumpAll() const;

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

}  // namespace planelab
