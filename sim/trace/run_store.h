// The run store: one SQLite file per run (schema "planelab.run/1"), written while the run goes.
#pragma once
#include <cstdint>
#include <map>
#include <string>

#include "sim/trace/run_digest.h"

struct sqlite3;
struct sqlite3_stmt;

namespace planelab {

/// The schema version of run.sqlite; the GUI's and notebooks' API (docs/outputs.md).
inline constexpr const char* kRunStoreSchema = "planelab.run/1";
/// The schema version of a run folder's manifest.json (written by sim/cli/run_folder.cc).
inline constexpr const char* kManifestSchema = "planelab.manifest/1";

/// Streams a run into SQLite: rows go straight to disk in batches, so memory stays flat.
class RunStoreWriter {
 public:
  /// Creates a new store at `path` (which must not exist). Throws std::runtime_error.
  explicit RunStoreWriter(const std::string& path);
  ~RunStoreWriter();
  RunStoreWriter(const RunStoreWriter&) = delete;
  RunStoreWriter& operator=(const RunStoreWriter&) = delete;

  void PutMeta(const std::string& key, const std::string& value);
  /// `xy`: the drawing position given in the scenario, or null.
  void AddDevice(const std::string& id, const std::string& kind, const std::string& groups_json, bool managed,
                 const double* xy = nullptr);
  void AddLink(const std::string& id, const std::string& a, const std::string& b, const std::string& network,
               uint64_t rate_bps, double delay_s, const std::string& queue);
  void AddSeries(int id, const std::string& device, const std::string& plane, const std::string& metric,
                 const std::string& unit, const std::string& kind, const std::string& help);
  void AddEvent(double t_s, const std::string& device, const std::string& plane, const std::string& kind,
                const std::string& detail);
  void AddSample(double t_s, int series, double value);
  void AddHealth(double t_s, const std::string& device, const std::string& plane, const std::string& actual,
                 const std::string& reported);
  /// Commits the current batch (called on every sampling tick and every 20,000 rows).
  void Flush();
  /// Records the content digest (meta "content_digest", run_digest.h) and commits the last batch; the
  /// file is complete afterwards.
  void Finish();
  uint64_t rows() const { return rows_; }

 private:
  void Exec(const char* sql);
  sqlite3_stmt* Prepare(const char* sql);
  void Step(sqlite3_stmt* s);
  void Counted();
  void Digest(const char* table, const digest::RowHash& row);
  sqlite3* db_ = nullptr;
  sqlite3_stmt* meta_ = nullptr;
  sqlite3_stmt* device_ = nullptr;
  sqlite3_stmt* link_ = nullptr;
  sqlite3_stmt* series_ = nullptr;
  sqlite3_stmt* event_ = nullptr;
  sqlite3_stmt* sample_ = nullptr;
  sqlite3_stmt* health_ = nullptr;
  uint64_t rows_ = 0;
  uint64_t batch_ = 0;
  bool finished_ = false;
  digest::Digest digest_;
  std::map<std::string, std::string> meta_values_;
};

}  // namespace planelab
