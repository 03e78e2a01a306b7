#include "sim/trace/run_reader.h"

#include <sqlite3.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <optional>

#include "sim/trace/run_digest.h"
#include "sim/trace/run_store.h"

namespace planelab {

namespace {

const char* CodeName(int rc) {
  switch (rc & 0xff) {
    case SQLITE_ERROR: return "SQLITE_ERROR";
    case SQLITE_CORRUPT: return "SQLITE_CORRUPT";
    case SQLITE_NOTADB: return "SQLITE_NOTADB";
    case SQLITE_IOERR: return "SQLITE_IOERR";
    case SQLITE_CANTOPEN: return "SQLITE_CANTOPEN";
    case SQLITE_NOMEM: return "SQLITE_NOMEM";
    case SQLITE_PERM: return "SQLITE_PERM";
    case SQLITE_BUSY: return "SQLITE_BUSY";
    case SQLITE_LOCKED: return "SQLITE_LOCKED";
    case SQLITE_FULL: return "SQLITE_FULL";
    case SQLITE_TOOBIG: return "SQLITE_TOOBIG";
    case SQLITE_RANGE: return "SQLITE_RANGE";
    case SQLITE_MISMATCH: return "SQLITE_MISMATCH";
    case SQLITE_SCHEMA: return "SQLITE_SCHEMA";
    default: return "SQLite error";
  }
}

std::string ErrorText(sqlite3* db, int rc) {
  std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  return msg + " (" + CodeName(rc) + ")";
}

struct Stmt {
  sqlite3_stmt* s = nullptr;
  ~Stmt() { sqlite3_finalize(s); }
};

const char* TypeName(int type) {
  switch (type) {
    case SQLITE_INTEGER: return "INTEGER";
    case SQLITE_FLOAT: return "REAL";
    case SQLITE_TEXT: return "TEXT";
    case SQLITE_BLOB: return "BLOB";
    default: return "NULL";
  }
}

// "planelab.run/1" -> ("planelab.run", 1); nullopt when it has no "/<number>" tail.
std::optional<std::pair<std::string, long>> SplitSchema(const std::string& s) {
  size_t slash = s.rfind('/');
  if (slash == std::string::npos || slash + 1 >= s.size() || s.size() - slash > 10) return std::nullopt;
  long n = 0;
  for (size_t i = slash + 1; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    n = n * 10 + (s[i] - '0');
  }
  return std::make_pair(s.substr(0, slash), n);
}

}  // namespace

std::string SchemaMismatch(const std::string& what, const std::string& found, const std::string& supported) {
  if (found == supported) return "";
  auto f = SplitSchema(found), s = SplitSchema(supported);
  std::string head = what + " \"" + found + "\" is not supported";
  if (f && s && f->first == s->first) {
    if (f->second > s->second) return head + ": it is newer than the \"" + supported + "\" this build reads";
    return head + ": it is older than the \"" + supported + "\" this build reads";
  }
  if (found.empty()) return what + " is missing; this build reads \"" + supported + "\"";
  return head + "; this build reads \"" + supported + "\"";
}

void RunStoreReader::Fail(const std::string& doing, int rc) const {
  throw RunStoreDamaged(path_ + ": the run store is damaged: " + doing + ": " + ErrorText(db_, rc));
}

RunStoreReader::RunStoreReader(const std::string& path) : path_(path) {
  int rc = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = ErrorText(db_, rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw std::runtime_error(path + ": cannot open the run store: " + msg +
                             " (is this a PlaneLab run folder's run.sqlite?)");
  }
  sqlite3_extended_result_codes(db_, 1);
  auto refuse = [&](const std::string& msg, bool damaged) {
    sqlite3_close(db_);
    db_ = nullptr;
    if (damaged) throw RunStoreDamaged(msg);
    throw std::runtime_error(msg);
  };
  // SQLite reads nothing until the first statement: this is where a file that is not a database, or
  // one damaged in its first page, shows.
  Stmt st;
  rc = sqlite3_prepare_v2(db_, "SELECT value FROM meta WHERE key = 'schema'", -1, &st.s, nullptr);
  if (rc != SQLITE_OK) {
    int primary = rc & 0xff;
    std::string msg = ErrorText(db_, rc);
    std::error_code ec;
    auto size = std::filesystem::file_size(path, ec);
    if (!ec && size == 0) {
      refuse(path + ": the run store is damaged, or not one: the file is empty (0 bytes)", true);
    }
    if (primary == SQLITE_NOTADB) {
      refuse(path + ": not a SQLite database, or a run store damaged beyond reading: " + msg, true);
    }
    if (primary == SQLITE_ERROR && std::string(sqlite3_errmsg(db_)) == "no such table: meta") {
      // A database without PlaneLab's tables, or a run store whose meta table is gone.
      Stmt any;
      bool has_run_tables = sqlite3_prepare_v2(db_, "SELECT 1 FROM events LIMIT 1", -1, &any.s, nullptr) == SQLITE_OK;
      if (has_run_tables) refuse(path + ": the run store is damaged: its meta table is missing (" + msg + ")", true);
      refuse(path + ": not a PlaneLab run store (no meta table); open the run.sqlite of a run folder", false);
    }
    refuse(path + ": the run store is damaged: reading its schema: " + msg, true);
  }
  std::string schema;
  rc = sqlite3_step(st.s);
  if (rc == SQLITE_ROW) {
    if (sqlite3_column_type(st.s, 0) != SQLITE_TEXT) {
      refuse(path + ": the run store is damaged: meta \"schema\" holds " + TypeName(sqlite3_column_type(st.s, 0)) +
                 ", not text",
             true);
    }
    schema = reinterpret_cast<const char*>(sqlite3_column_text(st.s, 0));
  } else if (rc != SQLITE_DONE) {
    refuse(path + ": the run store is damaged: reading its schema: " + ErrorText(db_, rc), true);
  }
  if (schema.empty()) {
    refuse(path + ": not a PlaneLab run store, or a damaged one: its meta table has no \"schema\"", true);
  }
  std::string mismatch = SchemaMismatch("run store schema", schema, kRunStoreSchema);
  if (!mismatch.empty()) {
    bool newer = mismatch.find("newer") != std::string::npos;
    refuse(path + ": " + mismatch +
               (newer ? " (open it with a newer PlaneLab, or re-run the scenario with this one)"
                      : " (re-run the scenario with this version)"),
           false);
  }
}

RunStoreReader::~RunStoreReader() {
  if (db_) sqlite3_close(db_);
}

std::string RunStoreReader::Row::Text(int col, bool null_ok) const {
  int type = sqlite3_column_type(s_, col);
  if (type == SQLITE_NULL && null_ok) return "";
  if (type != SQLITE_TEXT) Wrong(col, "text");
  const unsigned char* t = sqlite3_column_text(s_, col);
  return t ? std::string(reinterpret_cast<const char*>(t), static_cast<size_t>(sqlite3_column_bytes(s_, col))) : "";
}

double RunStoreReader::Row::Real(int col) const {
  int type = sqlite3_column_type(s_, col);
  if (type != SQLITE_FLOAT && type != SQLITE_INTEGER) Wrong(col, "a number");
  double v = sqlite3_column_double(s_, col);
  if (!std::isfinite(v)) Wrong(col, "a finite number");
  return v;
}

bool RunStoreReader::Row::IsNull(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }

void RunStoreReader::Row::Wrong(int col, const char* expected) const {
  int type = sqlite3_column_type(s_, col);
  std::string value;
  if (type == SQLITE_TEXT || type == SQLITE_INTEGER || type == SQLITE_FLOAT) {
    const unsigned char* t = sqlite3_column_text(s_, col);
    value = t ? reinterpret_cast<const char*>(t) : "";
    if (value.size() > 40) value = value.substr(0, 40) + "...";
    value = " " + value;
  }
  const char* name = sqlite3_column_name(s_, col);
  sqlite3* db = sqlite3_db_handle(s_);
  const char* file = db ? sqlite3_db_filename(db, "main") : nullptr;
  throw RunStoreDamaged(std::string(file ? file : "run store") + ": the run store is damaged: " + what_ + " row " +
                        std::to_string(index_ + 1) + ", column " + (name ? name : "?") + " holds " + TypeName(type) +
                        value + ", not " + expected);
}

void RunStoreReader::ForEach(const std::string& sql, const std::string& what,
                             const std::function<void(const Row&)>& row) const {
  Stmt st;
  int rc = sqlite3_prepare_v2(db_, sql.c_str(), -1, &st.s, nullptr);
  if (rc != SQLITE_OK) Fail("reading " + what, rc);
  long long index = 0;
  while ((rc = sqlite3_step(st.s)) == SQLITE_ROW) row(Row(st.s, what, index++));
  if (rc != SQLITE_DONE) Fail("reading " + what, rc);
}

std::string RunStoreReader::Meta(const std::string& key) const {
  Stmt st;
  int rc = sqlite3_prepare_v2(db_, "SELECT value FROM meta WHERE key = ?", -1, &st.s, nullptr);
  if (rc != SQLITE_OK) Fail("reading meta", rc);
  sqlite3_bind_text(st.s, 1, key.c_str(), -1, SQLITE_TRANSIENT);
  rc = sqlite3_step(st.s);
  if (rc == SQLITE_DONE) return "";
  if (rc != SQLITE_ROW) Fail("reading meta \"" + key + "\"", rc);
  std::string what = "meta \"" + key + "\"";
  return Row(st.s, what, 0).Text(0);
}

std::vector<std::pair<double, double>> RunStoreReader::Samples(const std::string& device, const std::string& plane,
                                                               const std::string& metric, double from_s,
                                                               double to_s) const {
  Stmt st;
  int rc = sqlite3_prepare_v2(
      db_,
      "SELECT s.t_s, s.value FROM samples s JOIN series r ON r.id = s.series "
      "WHERE r.device = ? AND r.plane = ? AND r.metric = ? AND s.t_s >= ? AND s.t_s <= ? AND s.value IS NOT NULL "
      "ORDER BY s.t_s",
      -1, &st.s, nullptr);
  std::string what = "samples of " + device + " " + plane + " " + metric;
  if (rc != SQLITE_OK) Fail("reading " + what, rc);
  sqlite3_bind_text(st.s, 1, device.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st.s, 2, plane.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st.s, 3, metric.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_double(st.s, 4, from_s);
  sqlite3_bind_double(st.s, 5, to_s);
  std::vector<std::pair<double, double>> out;
  long long index = 0;
  while ((rc = sqlite3_step(st.s)) == SQLITE_ROW) {
    Row r(st.s, what, index++);
    out.emplace_back(r.Real(0), r.Real(1));
  }
  if (rc != SQLITE_DONE) Fail("reading " + what, rc);
  return out;
}

std::vector<std::pair<double, std::string>> RunStoreReader::Health(const std::string& device, const std::string& plane,
                                                                   bool reported, double from_s, double to_s) const {
  Stmt st;
  int rc = sqlite3_prepare_v2(db_,
                              (std::string("SELECT t_s, ") + (reported ? "reported" : "actual") +
                               " FROM health WHERE device = ? AND plane = ? AND t_s >= ? AND t_s <= ? ORDER BY t_s")
                                  .c_str(),
                              -1, &st.s, nullptr);
  std::string what = "health of " + device + " " + plane;
  if (rc != SQLITE_OK) Fail("reading " + what, rc);
  sqlite3_bind_text(st.s, 1, device.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st.s, 2, plane.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_double(st.s, 3, from_s);
  sqlite3_bind_double(st.s, 4, to_s);
  std::vector<std::pair<double, std::string>> out;
  long long index = 0;
  while ((rc = sqlite3_step(st.s)) == SQLITE_ROW) {
    Row r(st.s, what, index++);
    out.emplace_back(r.Real(0), r.Text(1));
  }
  if (rc != SQLITE_DONE) Fail("reading " + what, rc);
  return out;
}

long long RunStoreReader::QueryInt(const std::string& sql) const {
  Stmt st;
  int rc = sqlite3_prepare_v2(db_, sql.c_str(), -1, &st.s, nullptr);
  if (rc != SQLITE_OK) Fail("query " + sql, rc);
  rc = sqlite3_step(st.s);
  if (rc == SQLITE_ROW) return sqlite3_column_int64(st.s, 0);
  if (rc != SQLITE_DONE) Fail("query " + sql, rc);
  return 0;
}

std::string RunStoreReader::DumpAll() const {
  std::string out;
  for (const char* table : {"meta", "devices", "links", "series", "events", "samples", "health"}) {
    out += std::string("## ") + table + "\n";
    ForEach(std::string("SELECT * FROM ") + table + " ORDER BY rowid", table, [&](const Row& r) {
      int n = sqlite3_column_count(r.s_);
      for (int i = 0; i < n; ++i) {
        const unsigned char* t = sqlite3_column_text(r.s_, i);
        out += (i ? "|" : "") + std::string(t ? reinterpret_cast<const char*>(t) : "");
      }
      out += "\n";
    });
  }
  return out;
}

std::string RunStoreReader::CheckIntegrity(int64_t thorough_limit_bytes) const {
  std::error_code ec;
  auto size = std::filesystem::file_size(path_, ec);
  bool thorough = !ec && static_cast<int64_t>(size) <= thorough_limit_bytes;
  Stmt st;
  int rc = sqlite3_prepare_v2(db_, thorough ? "PRAGMA integrity_check(10)" : "PRAGMA quick_check(10)", -1, &st.s,
                              nullptr);
  if (rc != SQLITE_OK) return ErrorText(db_, rc);
  std::string out;
  while ((rc = sqlite3_step(st.s)) == SQLITE_ROW) {
    const unsigned char* t = sqlite3_column_text(st.s, 0);
    std::string text = t ? reinterpret_cast<const char*>(t) : "";
    size_t start = 0;
    while (start <= text.size()) {  // a row may hold several lines
      size_t nl = text.find('\n', start);
      std::string line = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
      start = nl == std::string::npos ? text.size() + 1 : nl + 1;
      if (line.empty() || line == "ok" || line.rfind("*** in database", 0) == 0) continue;
      if (!out.empty()) out += "; ";
      out += line;
    }
  }
  if (out.size() > 600) out = out.substr(0, 600) + "...";
  if (rc != SQLITE_DONE) {
    if (!out.empty()) out += "; ";
    out += ErrorText(db_, rc);
  }
  return out;
}

RunStoreReader::Content RunStoreReader::VerifyContent() const {
  std::string recorded = Meta("content_digest");
  if (recorded.empty()) return Content::kNoDigest;
  auto expected = digest::Parse(recorded);
  if (!expected) {
    throw RunStoreDamaged(path_ + ": the run store is damaged: its meta \"content_digest\" is not a " +
                          digest::kFormat + " digest");
  }
  static const std::map<std::string, std::string> kColumns = {
      {"meta", "key, value"},
      {"devices", "id, kind, groups, managed, x, y"},
      {"links", "id, a, b, network, rate_bps, delay_s, queue"},
      {"series", "id, device, plane, metric, unit, kind, help"},
      {"events", "seq, t_s, device, plane, kind, detail"},
      {"samples", "t_s, series, value"},
      {"health", "t_s, device, plane, actual, reported"}};
  std::string differ;
  for (const char* table : digest::kTables) {
    digest::TableDigest got;
    bool is_meta = std::string(table) == "meta";
    ForEach("SELECT " + kColumns.at(table) + " FROM " + table + " NOT INDEXED", table, [&](const Row& r) {
      sqlite3_stmt* s = r.s_;
      if (is_meta && sqlite3_column_type(s, 0) == SQLITE_TEXT &&
          digest::Excluded(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)))) {
        return;
      }
      digest::RowHash h;
      for (int i = 0, n = sqlite3_column_count(s); i < n; ++i) {
        switch (sqlite3_column_type(s, i)) {
          case SQLITE_INTEGER: h.Int(sqlite3_column_int64(s, i)); break;
          case SQLITE_FLOAT: h.Real(sqlite3_column_double(s, i)); break;
          case SQLITE_TEXT:
            h.Text(std::string_view(reinterpret_cast<const char*>(sqlite3_column_text(s, i)),
                                    static_cast<size_t>(sqlite3_column_bytes(s, i))));
            break;
          case SQLITE_BLOB: h.Blob(sqlite3_column_blob(s, i), static_cast<size_t>(sqlite3_column_bytes(s, i))); break;
          default: h.Null();
        }
      }
      got.Add(h.Done());
    });
    const digest::TableDigest& want = expected->at(table);
    if (got == want) continue;
    if (!differ.empty()) differ += "; ";
    differ += std::string(table) + ": ";
    differ += got.rows == want.rows ? std::to_string(got.rows) + " rows as written, but their content differs"
                                    : std::to_string(got.rows) + " rows, " + std::to_string(want.rows) + " written";
  }
  if (!differ.empty()) {
    throw RunStoreDamaged(path_ + ": the run store is damaged: its content does not match the digest recorded "
                          "when it was written (" + differ + ")");
  }
  return Content::kVerified;
}

}  // namespace planelab
