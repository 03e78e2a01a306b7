// Reads a run store without ns-3: for expectations, the GUI, tests and tools.
#pragma once
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace planelab {

/// A run store that cannot be read as one: SQLite reports it corrupt, a table is missing, a value has
/// the wrong type. what() names the file and says what is wrong, in SQLite's own words where it has them.
class RunStoreDamaged : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// "" when `found` is the schema this build reads (`supported`, e.g. kRunStoreSchema), else a message
/// naming `what` (e.g. "run store schema") and both versions, that says whether `found` is newer.
std::string SchemaMismatch(const std::string& what, const std::string& found, const std::string& supported);

/// Read-only access to a run.sqlite; refuses files of another schema with a clear message. Every SQLite
/// call is checked: an error while reading (SQLITE_CORRUPT, SQLITE_NOTADB, a missing table...) throws
/// RunStoreDamaged instead of reading as "no more rows".
class RunStoreReader {
 public:
  /// Opens `path`; throws std::runtime_error (RunStoreDamaged for a damaged file) naming the file and
  /// what is wrong.
  explicit RunStoreReader(const std::string& path);
  ~RunStoreReader();
  RunStoreReader(const RunStoreReader&) = delete;
  RunStoreReader& operator=(const RunStoreReader&) = delete;

  /// The value of a meta key, "" when the key is absent.
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

  /// One result row, with type-checked accessors: a value of another storage type than asked for
  /// throws RunStoreDamaged naming the query's `what`, the row and the column.
  class Row {
   public:
    /// TEXT (NULL reads as "" only when `null_ok`).
    std::string Text(int col, bool null_ok = false) const;
    /// INTEGER or REAL, finite.
    double Real(int col) const;
    bool IsNull(int col) const;
    long long index() const { return index_; }

   private:
    friend class RunStoreReader;
    Row(sqlite3_stmt* s, const std::string& what, long long index) : s_(s), what_(what), index_(index) {}
    [[noreturn]] void Wrong(int col, const char* expected) const;
    sqlite3_stmt* s_;
    const std::string& what_;
    long long index_;
  };
  /// Runs a read-only query and calls `row` for every result row; `what` names the rows in messages
  /// (e.g. "events"). Throws RunStoreDamaged on any SQLite error.
  void ForEach(const std::string& sql, const std::string& what, const std::function<void(const Row&)>& row) const;

  /// SQLite's own check of the file: PRAGMA integrity_check (which also compares every index with its
  /// table) for stores up to `thorough_limit_bytes`, PRAGMA quick_check above. Returns "" when the
  /// file is well formed, else SQLite's first complaints.
  std::string CheckIntegrity(int64_t thorough_limit_bytes = 64ll << 20) const;

  /// Recomputes the content digest (run_digest.h) and compares it with meta "content_digest".
  enum class Content { kVerified, kNoDigest };
  /// kNoDigest for a store without one (never finished, or written before digests existed); throws
  /// RunStoreDamaged naming the tables whose content differs.
  Content VerifyContent() const;

  const std::string& path() const { return path_; }

 private:
  [[noreturn]] void Fail(const std::string& doing, int rc) const;
  sqlite3* db_ = nullptr;
  std::string path_;
};

}  // namespace planelab
