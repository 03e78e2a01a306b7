#include "sim/trace/run_store.h"

#include <sqlite3.h>

#include <stdexcept>

#include "sim/trace/run_digest.h"

namespace planelab {

namespace {
const char* kSchemaSql = R"SQL(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE devices(id TEXT PRIMARY KEY, kind TEXT NOT NULL, groups TEXT NOT NULL, managed INTEGER NOT NULL,
                     x REAL, y REAL);
CREATE TABLE links(id TEXT PRIMARY KEY, a TEXT NOT NULL, b TEXT NOT NULL, network TEXT NOT NULL,
                   rate_bps INTEGER NOT NULL, delay_s REAL NOT NULL, queue TEXT NOT NULL);
CREATE TABLE series(id INTEGER PRIMARY KEY, device TEXT NOT NULL, plane TEXT NOT NULL, metric TEXT NOT NULL,
                    unit TEXT NOT NULL, kind TEXT NOT NULL, help TEXT NOT NULL);
CREATE TABLE events(seq INTEGER PRIMARY KEY, t_s REAL NOT NULL, device TEXT NOT NULL, plane TEXT NOT NULL,
                    kind TEXT NOT NULL, detail TEXT NOT NULL);
CREATE TABLE samples(t_s REAL NOT NULL, series INTEGER NOT NULL, value REAL);
CREATE TABLE health(t_s REAL NOT NULL, device TEXT NOT NULL, plane TEXT NOT NULL, actual TEXT NOT NULL,
                    reported TEXT NOT NULL);
CREATE VIEW metric_samples AS
  SELECT s.t_s AS t_s, r.device AS device, r.plane AS plane, r.metric AS metric, s.value AS value, r.unit AS unit
  FROM samples s JOIN series r ON r.id = s.series;
)SQL";
// Built by Finish() over the complete tables: a sorted build, where keeping samples_by_series current while rows
// arrive in time order touched a different leaf page for every sample (a 2,000-router run's 1.6 million samples
// spent 14 % of the run in SQLite). SQLite's index sorter spills to temporary files past the page cache, so memory
// stays bounded either way.
const char* kIndexSql = R"SQL(
CREATE INDEX series_by_name ON series(device, plane, metric);
CREATE INDEX events_by_time ON events(t_s);
CREATE INDEX samples_by_time ON samples(t_s);
CREATE INDEX samples_by_series ON samples(series, t_s);
CREATE INDEX health_by_time ON health(t_s);
CREATE INDEX health_by_device ON health(device, plane, t_s);
)SQL";
}  // namespace

RunStoreWriter::RunStoreWriter(const std::string& path) {
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw std::runtime_error("cannot create run store " + path + ": " + msg);
  }
  // The file is written under a temporary name and renamed when complete, so no journal is needed.
  Exec("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA page_size=8192; PRAGMA cache_size=-16384;");
  Exec(kSchemaSql);
  meta_ = Prepare("INSERT OR REPLACE INTO meta(key, value) VALUES(?,?)");
  device_ = Prepare("INSERT INTO devices VALUES(?,?,?,?,?,?)");
  link_ = Prepare("INSERT INTO links VALUES(?,?,?,?,?,?,?)");
  series_ = Prepare("INSERT INTO series VALUES(?,?,?,?,?,?,?)");
  event_ = Prepare("INSERT INTO events(t_s, device, plane, kind, detail) VALUES(?,?,?,?,?)");
  sample_ = Prepare("INSERT INTO samples VALUES(?,?,?)");
  health_ = Prepare("INSERT INTO health VALUES(?,?,?,?,?)");
  Exec("BEGIN");
  PutMeta("schema", kRunStoreSchema);
}

RunStoreWriter::~RunStoreWriter() {
  for (auto* s : {meta_, device_, link_, series_, event_, sample_, health_}) sqlite3_finalize(s);
  if (db_) sqlite3_close(db_);
}

void RunStoreWriter::Exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "?";
    sqlite3_free(err);
    throw std::runtime_error("run store: " + msg);
  }
}

sqlite3_stmt* RunStoreWriter::Prepare(const char* sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db_, sql, -1, &s, nullptr) != SQLITE_OK) {
    throw std::runtime_error(std::string("run store: ") + sqlite3_errmsg(db_));
  }
  return s;
}

void RunStoreWriter::Step(sqlite3_stmt* s) {
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
  if (rc != SQLITE_DONE) throw std::runtime_error(std::string("run store: ") + sqlite3_errmsg(db_));
  Counted();
}

void RunStoreWriter::Counted() {
  ++rows_;
  if (++batch_ >= 20000) Flush();
}

static void BindText(sqlite3_stmt* s, int i, const std::string& v) {
  sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

void RunStoreWriter::PutMeta(const std::string& key, const std::string& value) {
  BindText(meta_, 1, key);
  BindText(meta_, 2, value);
  Step(meta_);
  meta_values_[key] = value;  // INSERT OR REPLACE: the digest covers the last value of each key
}

void RunStoreWriter::AddDevice(const std::string& id, const std::string& kind, const std::string& groups_json,
                               bool managed, const double* xy) {
  BindText(device_, 1, id);
  BindText(device_, 2, kind);
  BindText(device_, 3, groups_json);
  sqlite3_bind_int(device_, 4, managed ? 1 : 0);
  if (xy) {
    sqlite3_bind_double(device_, 5, xy[0]);
    sqlite3_bind_double(device_, 6, xy[1]);
  } else {
    sqlite3_bind_null(device_, 5);
    sqlite3_bind_null(device_, 6);
  }
  Step(device_);
  digest::RowHash h;
  h.Text(id);
  h.Text(kind);
  h.Text(groups_json);
  h.Int(managed ? 1 : 0);
  if (xy) {
    h.Real(xy[0]);
    h.Real(xy[1]);
  } else {
    h.Null();
    h.Null();
  }
  Digest("devices", h);
}

void RunStoreWriter::AddLink(const std::string& id, const std::string& a, const std::string& b,
                             const std::string& network, uint64_t rate_bps, double delay_s, const std::string& queue) {
  BindText(link_, 1, id);
  BindText(link_, 2, a);
  BindText(link_, 3, b);
  BindText(link_, 4, network);
  sqlite3_bind_int64(link_, 5, static_cast<sqlite3_int64>(rate_bps));
  sqlite3_bind_double(link_, 6, delay_s);
  BindText(link_, 7, queue);
  Step(link_);
  digest::RowHash h;
  h.Text(id);
  h.Text(a);
  h.Text(b);
  h.Text(network);
  h.Int(static_cast<int64_t>(rate_bps));
  h.Real(delay_s);
  h.Text(queue);
  Digest("links", h);
}

void RunStoreWriter::AddSeries(int id, const std::string& device, const std::string& plane, const std::string& metric,
                               const std::string& unit, const std::string& kind, const std::string& help) {
  sqlite3_bind_int(series_, 1, id);
  BindText(series_, 2, device);
  BindText(series_, 3, plane);
  BindText(series_, 4, metric);
  BindText(series_, 5, unit);
  BindText(series_, 6, kind);
  BindText(series_, 7, help);
  Step(series_);
  digest::RowHash h;
  h.Int(id);
  for (const std::string* v : {&device, &plane, &metric, &unit, &kind, &help}) h.Text(*v);
  Digest("series", h);
}

void RunStoreWriter::AddEvent(double t_s, const std::string& device, const std::string& plane,
                              const std::string& kind, const std::string& detail) {
  sqlite3_bind_double(event_, 1, t_s);
  BindText(event_, 2, device);
  BindText(event_, 3, plane);
  BindText(event_, 4, kind);
  BindText(event_, 5, detail);
  Step(event_);
  digest::RowHash h;
  h.Int(sqlite3_last_insert_rowid(db_));  // seq: the events' order
  h.Real(t_s);
  for (const std::string* v : {&device, &plane, &kind, &detail}) h.Text(*v);
  Digest("events", h);
}

void RunStoreWriter::AddSample(double t_s, int series, double value) {
  sqlite3_bind_double(sample_, 1, t_s);
  sqlite3_bind_int(sample_, 2, series);
  if (value == value) sqlite3_bind_double(sample_, 3, value);
  else sqlite3_bind_null(sample_, 3);
  Step(sample_);
  digest::RowHash h;
  h.Real(t_s);
  h.Int(series);
  if (value == value) h.Real(value);
  else h.Null();
  Digest("samples", h);
}

void RunStoreWriter::AddHealth(double t_s, const std::string& device, const std::string& plane,
                               const std::string& actual, const std::string& reported) {
  sqlite3_bind_double(health_, 1, t_s);
  BindText(health_, 2, device);
  BindText(health_, 3, plane);
  BindText(health_, 4, actual);
  BindText(health_, 5, reported);
  Step(health_);
  digest::RowHash h;
  h.Real(t_s);
  for (const std::string* v : {&device, &plane, &actual, &reported}) h.Text(*v);
  Digest("health", h);
}

void RunStoreWriter::Digest(const char* table, const digest::RowHash& row) { digest_[table].Add(row.Done()); }

void RunStoreWriter::Flush() {
  if (batch_ == 0 || finished_) return;
  Exec("COMMIT; BEGIN");
  batch_ = 0;
}

void RunStoreWriter::Finish() {
  if (finished_) return;
  // The content digest, last: a reader recomputes it to tell an intact store from a damaged one.
  digest::TableDigest& meta = digest_["meta"];
  meta = {};
  for (const auto& [key, value] : meta_values_) {
    if (digest::Excluded(key)) continue;
    digest::RowHash h;
    h.Text(key);
    h.Text(value);
    meta.Add(h.Done());
  }
  PutMeta("content_digest", digest::Format(digest_));
  Exec(kIndexSql);
  Exec("COMMIT");
  finished_ = true;
}

}  // namespace planelab
