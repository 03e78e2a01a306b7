#include "sim/trace/run_reader.h"

#include <sqlite3.h>

#include <stdexcept>

#include "sim/trace/run_store.h"

namespace planelab {

namespace {
struct Stmt {
  sqlite3_stmt* s = nullptr;
  Stmt(sqlite3* db, const std::string& sql) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
      throw std::runtime_error(std::string("run store query failed: ") + sqlite3_errmsg(db));
    }
  }
  ~Stmt() { sqlite3_finalize(s); }
};
std::string Text(sqlite3_stmt* s, int i) {
  const unsigned char* t = sqlite3_column_text(s, i);
  return t ? reinterpret_cast<const char*>(t) : "";
}
}  // namespace

RunStoreReader::RunStoreReader(const std::string& path) : path_(path) {
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw std::runtime_error(path + ": cannot open the run store (is this a PlaneLab run folder's run.sqlite?)");
  }
  std::string schema;
  try {
    schema = Meta("schema");
  } catch (const std::exception&) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw std::runtime_error(path + ": not a PlaneLab run store (no meta table); open the run.sqlite of a run folder");
  }
  if (schema != kRunStoreSchema) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw std::runtime_error(path + ": run store schema \"" + schema + "\" is not supported; this build reads \"" +
                             kRunStoreSchema + "\" (re-run the scenario with this version)");
  }
}

RunStoreReader::~RunStoreReader() {
  if (db_) sqlite3_close(db_);
}

std::string RunStoreReader::Meta(const std::string& key) const {
  Stmt st(db_, "SELECT value FROM meta WHERE key = ?");
  sqlite3_bind_text(st.s, 1, key.c_str(), -1, SQLITE_TRANSIENT);
  if (sqlite3_step(st.s) == SQLITE_ROW) return Text(st.s, 0);
  return "";
}

std::vector<std::pair<double, double>> RunStoreReader::Samples(const std::string& device, const std::string& plane,
                                                               const std::string& metric, double from_s,
                                                               double to_s) const {
  Stmt st(db_,
          "SELECT s.t_s, s.value FROM samples s JOIN series r ON r.id = s.series "
          "WHERE r.device = ? AND r.plane = ? AND r.metric = ? AND s.t_s >= ? AND s.t_s <= ? AND s.value IS NOT NULL "
          "ORDER BY s.t_s");
  sqlite3_bind_text(st.s, 1, device.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st.s, 2, plane.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st.s, 3, metric.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_double(st.s, 4, from_s);
  sqlite3_bind_double(st.s, 5, to_s);
  std::vector<std::pair<double, double>> out;
  while (sqlite3_step(st.s) == SQLITE_ROW) out.emplace_back(sqlite3_column_double(st.s, 0), sqlite3_column_double(st.s, 1));
  return out;
}

std::vector<std::pair<double, std::string>> RunStoreReader::Health(const std::string& device, const std::string& plane,
                                                                   bool reported, double from_s, double to_s) const {
  Stmt st(db_, std::string("SELECT t_s, ") + (reported ? "reported" : "actual") +
                   " FROM health WHERE device = ? AND plane = ? AND t_s >= ? AND t_s <= ? ORDER BY t_s");
  sqlite3_bind_text(st.s, 1, device.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st.s, 2, plane.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_double(st.s, 3, from_s);
  sqlite3_bind_double(st.s, 4, to_s);
  std::vector<std::pair<double, std::string>> out;
  while (sqlite3_step(st.s) == SQLITE_ROW) out.emplace_back(sqlite3_column_double(st.s, 0), Text(st.s, 1));
  return out;
}

long long RunStoreReader::QueryInt(const std::string& sql) const {
  Stmt st(db_, sql);
  if (sqlite3_step(st.s) == SQLITE_ROW) return sqlite3_column_int64(st.s, 0);
  return 0;
}

std::string RunStoreReader::DumpAll() const {
  std::string out;
  for (const char* table : {"meta", "devices", "links", "series", "events", "samples", "health"}) {
    Stmt st(db_, std::string("SELECT * FROM ") + table + " ORDER BY rowid");
    out += std::string("## ") + table + "\n";
    while (sqlite3_step(st.s) == SQLITE_ROW) {
      int n = sqlite3_column_count(st.s);
      for (int i = 0; i < n; ++i) out += (i ? "|" : "") + Text(st.s, i);
      out += "\n";
    }
  }
  return out;
}

}  // namespace planelab
