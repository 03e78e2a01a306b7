// The damaged-folder sweep (issue 14, items 11-14): one good run folder of a shipped scenario, and
// variants of it damaged deterministically - the store truncated at several offsets, single bits
// flipped across its pages, tables dropped or emptied, event details and columns of the wrong type,
// summary.json or manifest.json missing, a manifest of another schema, files that no longer match
// the manifest, interrupted (.partial) folders cut at several times, and one run really killed. Each
// is opened headless in planelab-replay (offscreen) and must end in one of:
//   refused    exit 2, with a message that names the damage, and nothing written;
//   identical  exit 0, drawing exactly the intact run's story (the --dump text and the screenshot);
//   interrupted  exit 2 naming the interruption, and with --partial exit 0 drawing the intact run's
//              story up to where the data end, marked as interrupted;
// never a signal, and never another story with exit 0. The figures are printed at the end.
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest/QtTest>
#include <signal.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace {

enum class Expect {
  kRefused,      // exit 2 naming the damage (all of `words`)
  kIdentical,    // exit 0, the intact story
  kEither,       // refused (naming `words`) or identical: damage SQLite and the digest may not see, e.g. free space
  kInterrupted,  // refused without --partial; with it, the intact story up to `cut`, marked interrupted
  kLiveKill,     // a run killed with SIGKILL: refused as damaged, or interrupted with a consistent prefix
};

struct Case {
  QString name;
  Expect expect;
  QStringList words;                           // what the refusal must say (case-insensitive)
  std::function<bool(const QString&)> damage;  // applied to a copy of the good folder
  double cut = 0;                              // kInterrupted: the data kept are those at t <= cut
  QString folder = "run";                      // the copy's folder name
  QString group;                               // for the figures
};

struct Outcome {
  bool normal_exit = false;
  int code = -1;
  QString err;
  QByteArray dump;
  QImage png;
  bool png_written = false;
};

bool Sql(const QString& db_path, const QString& sql) {
  sqlite3* db = nullptr;
  bool ok = sqlite3_open_v2(qPrintable(db_path), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK;
  char* err = nullptr;
  if (ok && sqlite3_exec(db, qPrintable(sql), nullptr, nullptr, &err) != SQLITE_OK) {
    qWarning("sqlite: %s: %s", qPrintable(sql), err ? err : "?");
    ok = false;
  }
  sqlite3_free(err);
  sqlite3_close(db);
  return ok;
}

bool Flip(const QString& file, qint64 offset, int bit) {
  QFile f(file);
  if (!f.open(QIODevice::ReadWrite) || !f.seek(offset)) return false;
  char c;
  if (f.read(&c, 1) != 1 || !f.seek(offset)) return false;
  c = static_cast<char>(c ^ (1 << bit));
  return f.write(&c, 1) == 1;
}

bool Write(const QString& file, const QByteArray& bytes) {
  QFile f(file);
  return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(bytes) == bytes.size();
}

QByteArray Read(const QString& file) {
  QFile f(file);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool CopyFolder(const QString& from, const QString& to) {
  if (!QDir().mkpath(to)) return false;
  for (const QString& name : QDir(from).entryList(QDir::Files)) {
    if (!QFile::copy(from + "/" + name, to + "/" + name)) return false;
  }
  return true;
}

double Time(const QByteArray& line) {
  QList<QByteArray> f = line.split(' ');
  return f.size() > 1 ? std::strtod(f[1].constData(), nullptr) : NAN;
}

QByteArray Num(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

/// The story an interrupted copy of the intact run must draw: the data at t <= cut, the replay ending
/// where they end, fault windows still open there ending with it.
QByteArray Truncated(const QByteArray& intact, double cut) {
  QList<QByteArray> lines = intact.split('\n');
  double end = 0;
  for (const QByteArray& l : lines) {
    if (l.startsWith("event ") || l.startsWith("health ") || l.startsWith("sample ") || l.startsWith("util ")) {
      if (Time(l) <= cut) end = std::max(end, Time(l));
    }
  }
  QByteArray out;
  for (const QByteArray& l : lines) {
    if (l.isEmpty()) continue;
    QList<QByteArray> f = l.split(' ');
    if (l.startsWith("duration ")) {
      out += "duration " + Num(end) + "\n";
    } else if (l.startsWith("interrupted ")) {
      out += "interrupted yes\n";
    } else if (l.startsWith("event ") || l.startsWith("health ") || l.startsWith("sample ") || l.startsWith("util ")) {
      if (Time(l) <= cut) out += l + "\n";
    } else if (l.startsWith("fault ") || l.startsWith("linkdown ")) {
      // "fault FROM TO kind target", "linkdown FROM TO link"
      double from = std::strtod(f[1].constData(), nullptr), to = std::strtod(f[2].constData(), nullptr);
      if (from > cut) continue;
      if (to > cut) f[2] = Num(l.startsWith("fault ") ? end : end + 1);
      out += f.join(' ') + "\n";
    } else {
      out += l + "\n";
    }
  }
  return out;
}

}  // namespace

class DamagedRunsTest : public QObject {
  Q_OBJECT
 private:
  // Named so that no word a refusal must say appears in the paths the messages quote.
  QTemporaryDir tmp_{QDir::tempPath() + "/planelab-sweep-XXXXXX"};
  QString good_;
  QByteArray intact_story_;
  QImage intact_png_;
  qint64 store_size_ = 0;
  int page_size_ = 0;
  std::vector<Case> cases_;
  std::map<QString, std::map<QString, int>> tally_;  // group -> outcome -> cases
  QString group_;                                    // of the cases being added

  Outcome Replay(const QString& dir, const QStringList& extra = {}) {
    Outcome o;
    QString png = dir + ".png", dump = dir + ".story";
    QFile::remove(png);
    QFile::remove(dump);
    QProcess p;
    p.start(REPLAY_BIN, QStringList{dir, "--at", "30s", "--screenshot", png, "--dump", dump} + extra);
    if (!p.waitForFinished(60000)) {
      p.kill();
      p.waitForFinished();
      o.err = "timed out";
      return o;
    }
    o.normal_exit = p.exitStatus() == QProcess::NormalExit;
    o.code = p.exitCode();
    for (const QByteArray& l : p.readAllStandardError().split('\n')) {
      // Qt's own notes on the offscreen platform are not the replay's message.
      if (l.contains("QStandardPaths") || l.contains("propagateSizeHints") || l.isEmpty()) continue;
      o.err += QString::fromUtf8(l) + "\n";
    }
    o.png_written = QFile::exists(png);
    if (o.png_written) o.png = QImage(png);
    o.dump = Read(dump);
    return o;
  }

  static QString Describe(const Outcome& o) {
    return QString("%1 exit %2: %3").arg(o.normal_exit ? "normal" : "SIGNAL/timeout").arg(o.code).arg(o.err.trimmed());
  }

  // Refused: exit 2, a message naming every one of `words` ("a|b": either), no screenshot and no story
  // written. The words are looked for in the message with the folder's path taken out.
  bool IsRefusal(const Outcome& o, const QStringList& words, QString* why) const {
    if (!o.normal_exit || o.code != 2) return *why = "not exit 2", false;
    if (!o.err.startsWith("planelab-replay: ")) return *why = "no message", false;
    QString message = o.err;
    message.replace(tmp_.path(), "<tmp>");
    for (const QString& w : words) {
      bool said = false;
      for (const QString& alt : w.split('|')) said |= message.contains(alt, Qt::CaseInsensitive);
      if (!said) return *why = "the message does not say \"" + w + "\"", false;
    }
    if (o.png_written || !o.dump.isEmpty()) return *why = "refused, but wrote a screenshot or story", false;
    return true;
  }

  bool IsIdentical(const Outcome& o, QString* why) const {
    if (!o.normal_exit || o.code != 0) return *why = "not exit 0", false;
    if (o.dump != intact_story_) {
      // Name the first line that differs: this is the silent lie the sweep is here to catch.
      QList<QByteArray> a = intact_story_.split('\n'), b = o.dump.split('\n');
      for (int i = 0; i < std::max(a.size(), b.size()); ++i) {
        QByteArray x = i < a.size() ? a[i] : "<end>", y = i < b.size() ? b[i] : "<end>";
        if (x != y) return *why = "exit 0 with ANOTHER STORY: intact \"" + x + "\", drawn \"" + y + "\"", false;
      }
    }
    if (o.png != intact_png_) return *why = "exit 0, same story, but another picture", false;
    return true;
  }

  void Add(const QString& name, Expect e, QStringList words, std::function<bool(const QString&)> damage) {
    cases_.push_back({name, e, std::move(words), std::move(damage), 0, "run", group_});
  }
  void AddInterrupted(const QString& name, double cut, QStringList words, std::function<bool(const QString&)> damage,
                      QString folder = "run") {
    cases_.push_back({name, Expect::kInterrupted, std::move(words), std::move(damage), cut, std::move(folder), group_});
  }

  // Keeps the rows a run killed at `cut` would have written: no rows after it, no end-of-run meta, and
  // none of the files written when a run completes.
  static bool CutAt(const QString& dir, double cut) {
    QString c = QString::number(cut, 'g', 17);
    return Sql(dir + "/run.sqlite", "DELETE FROM events WHERE t_s > " + c + "; DELETE FROM health WHERE t_s > " + c +
                                        "; DELETE FROM samples WHERE t_s > " + c +
                                        "; DELETE FROM meta WHERE key IN ('kernel_events', 'content_digest');") &&
           QFile::remove(dir + "/summary.json") && QFile::remove(dir + "/manifest.json") &&
           QFile::remove(dir + "/scenario.json");
  }

  void BuildCases() {
    const QString S = "/run.sqlite";
    auto sql = [S](QString q) { return [S, q](const QString& d) { return Sql(d + S, q); }; };
    auto sql_nodigest = [S](QString q) {
      return [S, q](const QString& d) { return Sql(d + S, q + "; DELETE FROM meta WHERE key = 'content_digest';"); };
    };
    auto manifest = [](std::function<QByteArray(QByteArray)> edit) {
      return [edit](const QString& d) { return Write(d + "/manifest.json", edit(Read(d + "/manifest.json"))); };
    };
    auto replace = [](QByteArray a, QByteArray b) { return [a, b](QByteArray m) { return m.replace(a, b); }; };
    const QStringList damaged = {"run.sqlite", "damaged"};

    group_ = "truncations";
    // 1. Truncations of the store: nothing, inside the header, at and around page boundaries, the last page.
    const qint64 P = page_size_, N = store_size_;
    for (qint64 size : {qint64(0), qint64(50), qint64(99), qint64(100), P / 2, P, P + 1, 2 * P, N / 4, N / 3, N / 2,
                        2 * N / 3, N - P, N - P / 2, N - 1}) {
      Add(QString("truncated to %1 of %2 bytes").arg(size).arg(N), Expect::kRefused, damaged,
          [S, size](const QString& d) { return QFile(d + S).resize(size); });
    }
    group_ = "bit flips";
    // 2. Single bit flips: the file header, page 1's b-tree header, then on pages across the file the
    // page header, the cell pointers, the middle and the end of the page.
    std::vector<qint64> offsets = {0, 16, 18, 21, 28, 44, 56, 100, 103, 105, 107};
    const qint64 pages = N / P;
    for (qint64 page : {qint64(2), qint64(3), pages / 4, pages / 2, 3 * pages / 4, pages - 1, pages}) {
      for (qint64 in_page : {qint64(0), qint64(3), qint64(9), P / 2, P - 9}) offsets.push_back((page - 1) * P + in_page);
    }
    int k = 0;
    for (qint64 off : offsets) {
      int bit = k++ % 8;
      // A flip may also land in a name the store is checked by first (its schema: "not supported").
      Add(QString("bit %1 of byte %2 (page %3) flipped").arg(bit).arg(off).arg(off / P + 1), Expect::kEither,
          {"run.sqlite", "damaged|not supported"},
          [S, off, bit](const QString& d) { return Flip(d + S, off, bit); });
    }
    group_ = "tables and indexes";
    // 3. Tables dropped or emptied; indexes dropped (the story is the same: no damage to report).
    for (const char* t : {"meta", "devices", "links", "series", "events", "samples", "health"}) {
      Add(QString("table %1 dropped").arg(t), Expect::kRefused, {"run.sqlite", "damaged", t},
          sql(QString("DROP TABLE %1").arg(t)));
    }
    Add("health emptied", Expect::kRefused, {"damaged", "health", "digest"}, sql("DELETE FROM health"));
    Add("samples emptied", Expect::kRefused, {"damaged", "samples", "digest"}, sql("DELETE FROM samples"));
    Add("health emptied, digest removed", Expect::kRefused, {"damaged", "no health"},
        sql_nodigest("DELETE FROM health"));
    Add("one event deleted", Expect::kRefused, {"damaged", "events", "digest"},
        sql("DELETE FROM events WHERE kind = 'fault.end'"));
    Add("index samples_by_series dropped", Expect::kIdentical, {}, sql("DROP INDEX samples_by_series"));
    Add("index health_by_device dropped", Expect::kIdentical, {}, sql("DROP INDEX health_by_device"));
    Add("digest removed (a store from before digests)", Expect::kIdentical, {},
        sql("DELETE FROM meta WHERE key = 'content_digest'"));
    Add("digest garbled", Expect::kRefused, {"damaged", "content_digest"},
        sql("UPDATE meta SET value = 'planelab.digest/1 meta=x' WHERE key = 'content_digest'"));
    group_ = "wrong types and values";
    // 4. Values of the wrong type or out of range: caught by the digest, and without it (a crafted store)
    // by the type-checked reading, each naming what is wrong.
    struct Crafted {
      const char* name;
      const char* sql;
      QStringList words;
    };
    const std::vector<Crafted> crafted = {
        {"fault.start whose kind is a number", "UPDATE events SET detail = '{\"kind\":5}' WHERE kind = 'fault.start'",
         {"fault.start", "kind", "a number"}},
        {"fault.end whose kind is null", "UPDATE events SET detail = '{\"kind\":null}' WHERE kind = 'fault.end'",
         {"fault.end", "kind", "null"}},
        {"fault.start without a kind", "UPDATE events SET detail = '{\"target\":\"r2\"}' WHERE kind = 'fault.start'",
         {"fault.start", "no \"kind\""}},
        {"fault.start whose detail is not JSON", "UPDATE events SET detail = '{\"kind\": asic' WHERE kind = 'fault.start'",
         {"fault.start", "not JSON"}},
        {"fault.start whose detail is a list", "UPDATE events SET detail = '[\"asic-dead\"]' WHERE kind = 'fault.start'",
         {"fault.start", "an array"}},
        {"carrier.down whose link is a number",
         "UPDATE events SET kind = 'carrier.down', detail = '{\"link\":7}' WHERE seq = (SELECT MIN(seq) FROM events "
         "WHERE kind = 'connection.lost')",
         {"carrier.down", "link", "a number"}},
        {"carrier.up whose link is a list",
         "UPDATE events SET kind = 'carrier.up', detail = '{\"link\":[\"r1-r2\"]}' WHERE seq = (SELECT MAX(seq) FROM "
         "events WHERE kind = 'connection.lost')",
         {"carrier.up", "link", "an array"}},
        {"event time is text", "UPDATE events SET t_s = 'soon' WHERE kind = 'fault.start'", {"events", "t_s", "TEXT"}},
        {"event time far beyond the run", "UPDATE events SET t_s = 1e308 WHERE kind = 'fault.end'",
         {"events", "outside the run"}},
        {"event time negative", "UPDATE events SET t_s = -5 WHERE kind = 'fault.start'", {"events", "outside the run"}},
        {"event kind is a blob", "UPDATE events SET kind = X'6661756c74' WHERE kind = 'fault.end'",
         {"events", "kind", "BLOB"}},
        {"health state unknown to the replay", "UPDATE health SET actual = 'sideways' WHERE rowid = 100",
         {"health", "sideways"}},
        {"health plane unknown to the replay", "UPDATE health SET plane = 'dat' WHERE rowid = 200", {"health", "dat"}},
        {"health time is a blob", "UPDATE health SET t_s = X'00ff' WHERE rowid = 300", {"health", "t_s", "BLOB"}},
        {"health device is a blob", "UPDATE health SET device = X'7232' WHERE rowid = 400", {"health", "device", "BLOB"}},
        {"health of a device the store does not list", "UPDATE health SET device = 'r9' WHERE rowid = 500",
         {"health", "r9", "does not list"}},
        {"device groups not a list", "UPDATE devices SET groups = '{' WHERE id = 'r2'", {"groups", "r2"}},
        {"device position is text", "UPDATE devices SET x = 'left' WHERE id = 'r1'", {"devices", "x", "TEXT"}},
        {"meta duration_s not a number", "UPDATE meta SET value = 'sixty' WHERE key = 'duration_s'",
         {"duration_s", "sixty"}},
        {"meta duration_s is infinite", "UPDATE meta SET value = 'inf' WHERE key = 'duration_s'", {"duration_s", "inf"}},
        {"a charted sample's value is text",
         "UPDATE samples SET value = 'lots' WHERE rowid = (SELECT MIN(s.rowid) FROM samples s JOIN series r ON r.id = "
         "s.series WHERE r.device = 'r2' AND r.plane = 'data' AND r.metric = 'forwarded_bps' AND s.value IS NOT NULL)",
         {"samples of r2 data forwarded_bps", "TEXT"}},
        {"a link utilisation sample's time is text",
         "UPDATE samples SET t_s = 'x' WHERE rowid = (SELECT MIN(s.rowid) FROM samples s JOIN series r ON r.id = "
         "s.series WHERE r.metric = 'utilization')",
         {"samples", "t_s", "TEXT"}},
    };
    for (const auto& c : crafted) {
      Add(QString("%1 (digest kept)").arg(c.name), Expect::kRefused, {"damaged", "digest"}, sql(c.sql));
      Add(QString("%1 (digest removed)").arg(c.name), Expect::kRefused, QStringList{"damaged"} + c.words,
          sql_nodigest(c.sql));
    }
    group_ = "store schema and file";
    Add("store schema planelab.run/2", Expect::kRefused, {"planelab.run/2", "planelab.run/1", "newer"},
        sql("UPDATE meta SET value = 'planelab.run/2' WHERE key = 'schema'"));
    Add("store schema removed", Expect::kRefused, {"schema"}, sql("DELETE FROM meta WHERE key = 'schema'"));
    Add("run.sqlite is text", Expect::kRefused, {"run.sqlite", "not a SQLite database"},
        [S](const QString& d) { return Write(d + S, "this is not a database, just bytes\n"); });
    Add("run.sqlite is missing", Expect::kRefused, {"no run.sqlite"}, [S](const QString& d) { return QFile::remove(d + S); });
    Add("run.sqlite is a folder", Expect::kRefused, {"run.sqlite", "not a file"},
        [S](const QString& d) { return QFile::remove(d + S) && QDir().mkpath(d + S); });
    group_ = "manifest and listed files";
    // 5. The manifest and the files it lists.
    Add("manifest schema planelab.manifest/2", Expect::kRefused,
        {"manifest.json", "planelab.manifest/2", "planelab.manifest/1", "newer"},
        manifest(replace("planelab.manifest/1", "planelab.manifest/2")));
    Add("manifest schema planelab.manifest/0", Expect::kRefused,
        {"manifest.json", "planelab.manifest/0", "planelab.manifest/1", "older"},
        manifest(replace("planelab.manifest/1", "planelab.manifest/0")));
    Add("manifest schema of another format", Expect::kRefused, {"manifest.json", "planelab.summary/1", "not supported"},
        manifest(replace("planelab.manifest/1", "planelab.summary/1")));
    Add("manifest schema is a number", Expect::kRefused, {"manifest.json", "schema", "a number"},
        manifest(replace("\"planelab.manifest/1\"", "1")));
    Add("manifest without a schema", Expect::kRefused, {"manifest.json", "schema"},
        manifest(replace("\"schema\"", "\"schema_\"")));
    Add("manifest cut in half", Expect::kRefused, {"manifest.json", "not valid JSON"},
        manifest([](QByteArray m) { return m.left(m.size() / 2); }));
    Add("manifest empty", Expect::kRefused, {"manifest.json", "not valid JSON"}, manifest([](QByteArray) { return QByteArray(); }));
    Add("manifest is a list", Expect::kRefused, {"manifest.json", "an array"},
        manifest([](QByteArray m) { return "[" + m + "]"; }));
    Add("manifest of another scenario", Expect::kRefused, {"not of the same run", "scenario"},
        manifest(replace("\"scenario\": \"dead-asic\"", "\"scenario\": \"bgp-flap\"")));
    Add("manifest of another seed", Expect::kRefused, {"not of the same run", "seed"},
        manifest(replace("\"seed\": 1", "\"seed\": 2")));
    Add("manifest seed is text", Expect::kRefused, {"manifest.json", "seed", "a string"},
        manifest(replace("\"seed\": 1", "\"seed\": \"1\"")));
    Add("manifest names a newer store schema", Expect::kRefused, {"not of the same run", "planelab.run/2"},
        manifest(replace("\"run_store_schema\": \"planelab.run/1\"", "\"run_store_schema\": \"planelab.run/2\"")));
    Add("manifest files not an object", Expect::kRefused, {"manifest.json", "files", "an array"},
        manifest([](QByteArray m) {
          QJsonObject o = QJsonDocument::fromJson(m).object();
          o["files"] = QJsonArray{"scenario.json", "summary.json"};
          return QJsonDocument(o).toJson();
        }));
    Add("manifest lists a file outside the folder", Expect::kRefused, {"manifest.json", "not a file of the folder"},
        manifest(replace("\"scenario.json\"", "\"../scenario.json\"")));
    Add("summary.json edited", Expect::kRefused, {"summary.json", "does not match its hash"},
        [](const QString& d) { return Write(d + "/summary.json", Read(d + "/summary.json").replace("true", "fals")); });
    Add("scenario.json edited", Expect::kRefused, {"scenario.json", "does not match its hash"},
        [](const QString& d) { return Write(d + "/scenario.json", Read(d + "/scenario.json") + " "); });
    Add("scenario.json missing", Expect::kRefused, {"scenario.json", "missing"},
        [](const QString& d) { return QFile::remove(d + "/scenario.json"); });
    Add("a stray file in the folder", Expect::kIdentical, {},
        [](const QString& d) { return Write(d + "/notes.txt", "looked at it on Monday\n"); });
    group_ = "interrupted runs";
    // 6. Interrupted runs: all the data, but the folder says the run did not finish...
    AddInterrupted("summary.json missing", 1e9, {"no summary.json"},
                   [](const QString& d) { return QFile::remove(d + "/summary.json"); });
    AddInterrupted("manifest.json missing", 1e9, {"no manifest.json"},
                   [](const QString& d) { return QFile::remove(d + "/manifest.json"); });
    AddInterrupted("summary.json and manifest.json missing", 1e9, {"no summary.json", "no manifest.json"},
                   [](const QString& d) { return QFile::remove(d + "/summary.json") && QFile::remove(d + "/manifest.json"); });
    AddInterrupted("INTERRUPTED marker", 1e9, {"INTERRUPTED", "SIGTERM at 12 s"},
                   [](const QString& d) { return Write(d + "/INTERRUPTED", "SIGTERM at 12 s\n"); });
    AddInterrupted("meta complete = false", 1e9, {"complete = \"false\""},
                   sql("INSERT OR REPLACE INTO meta VALUES('complete', 'false')"));
    // ... and folders a killed run leaves: <out>.partial-<PID> with only run.sqlite, the data cut where it stopped.
    for (double cut : {0.0, 0.5, 10.5, 20.0, 30.5, 44.99, 59.5}) {
      AddInterrupted(QString("killed at %1 s").arg(cut), cut, {".partial-3999999"},
                     [cut](const QString& d) { return CutAt(d, cut); }, "dead-asic.partial-3999999");
    }
    AddInterrupted("killed at 30.5 s, marked INTERRUPTED with complete = false", 30.5,
                   {".partial-3999998", "INTERRUPTED", "complete = \"false\""},
                   [](const QString& d) {
                     return CutAt(d, 30.5) && Sql(d + "/run.sqlite", "INSERT OR REPLACE INTO meta VALUES('complete', 'false')") &&
                            Write(d + "/INTERRUPTED", "interrupted by SIGINT\n");
                   },
                   "dead-asic.partial-3999998");
    AddInterrupted("a partial folder whose process is alive", 30.5, {QString("process %1 is alive").arg(getpid())},
                   [](const QString& d) { return CutAt(d, 30.5); },
                   QString("dead-asic.partial-%1").arg(getpid()));
    Add("killed at 30.5 s, but with the finished run's digest", Expect::kRefused, {"damaged", "digest", ".partial-"},
        [S](const QString& d) {
          return Sql(d + S, "DELETE FROM health WHERE t_s > 30.5; DELETE FROM samples WHERE t_s > 30.5") &&
                 QFile::remove(d + "/summary.json") && QFile::remove(d + "/manifest.json");
        });
    cases_.back().folder = "dead-asic.partial-3999997";
    Add("partial folder without run.sqlite", Expect::kRefused, {"no run.sqlite", "partial"},
        [S](const QString& d) { return CutAt(d, 10) && QFile::remove(d + S); });
    cases_.back().folder = "dead-asic.partial-3999996";
    cases_.push_back({"a run killed with SIGKILL while it ran", Expect::kLiveKill, {}, {}, 0, "", group_});
  }

  // Runs dead-asic and kills it with SIGKILL once its partial store has grown to `bytes`; returns the
  // partial folder left behind, "" if the run finished first.
  QString KillARun(qint64 bytes) {
    QString out = tmp_.filePath("killed/dead-asic");
    QDir(tmp_.filePath("killed")).removeRecursively();
    QDir().mkpath(tmp_.filePath("killed"));
    QProcess p;
    p.setWorkingDirectory(PLANELAB_SOURCE_DIR);
    p.start(PLANELAB_BIN, {"run", "scenarios/incidents/dead-asic.json", "--quiet", "--out", out});
    if (!p.waitForStarted()) return "";
    QString partial = out + ".partial-" + QString::number(p.processId());
    QElapsedTimer clock;
    clock.start();
    while (p.state() == QProcess::Running && clock.elapsed() < 60000) {
      if (QFileInfo(partial + "/run.sqlite").size() >= bytes) {
        ::kill(static_cast<pid_t>(p.processId()), SIGKILL);
        p.waitForFinished();
        return QDir(partial).exists() ? partial : "";
      }
      QThread::usleep(500);
    }
    p.waitForFinished();
    return "";
  }

  void Count(const QString& outcome) { ++tally_[current_][outcome]; }
  QString current_;

 private slots:
  void initTestCase() {
    QVERIFY(tmp_.isValid());
    // DAMAGED_RUNS_KEEP=1 keeps the damaged copies (case-N/...) to open them with another build.
    if (qEnvironmentVariableIsSet("DAMAGED_RUNS_KEEP")) {
      tmp_.setAutoRemove(false);
      qInfo("keeping the damaged folders in %s", qPrintable(tmp_.path()));
    }
    good_ = tmp_.filePath("good/dead-asic");
    QProcess p;
    p.setWorkingDirectory(PLANELAB_SOURCE_DIR);
    p.start(PLANELAB_BIN, {"run", "scenarios/incidents/dead-asic.json", "--quiet", "--out", good_});
    QVERIFY(p.waitForFinished(120000));
    QCOMPARE(p.exitCode(), 0);
    Outcome intact = Replay(good_);
    QVERIFY2(intact.normal_exit && intact.code == 0, qPrintable(Describe(intact)));
    QVERIFY(intact.dump.startsWith("scenario dead-asic\n"));
    QVERIFY(intact.dump.contains("\nfault 20 45 asic-dead r2\n"));
    QVERIFY(!intact.png.isNull());
    intact_story_ = intact.dump;
    intact_png_ = intact.png;
    store_size_ = QFileInfo(good_ + "/run.sqlite").size();
    QByteArray header = Read(good_ + "/run.sqlite").left(100);
    QVERIFY(header.startsWith("SQLite format 3"));
    page_size_ = (static_cast<unsigned char>(header[16]) << 8) | static_cast<unsigned char>(header[17]);
    if (page_size_ == 1) page_size_ = 65536;
    QVERIFY(page_size_ >= 512 && store_size_ % page_size_ == 0);
    BuildCases();
  }

  void sweep_data() {
    QTest::addColumn<int>("index");
    for (size_t i = 0; i < cases_.size(); ++i) {
      QTest::newRow(qPrintable(QString("%1 %2").arg(i + 1, 3, 10, QChar('0')).arg(cases_[i].name))) << int(i);
    }
  }

  void sweep() {
    QFETCH(int, index);
    const Case& c = cases_[static_cast<size_t>(index)];
    current_ = c.group;
    QString why;
    if (c.expect == Expect::kLiveKill) {
      QString partial;
      for (qint64 bytes : {qint64(160000), qint64(60000), qint64(16000)}) {
        if (!(partial = KillARun(bytes)).isEmpty()) break;
      }
      if (partial.isEmpty()) QSKIP("every run finished before it could be killed");
      Outcome o = Replay(partial);
      QVERIFY2(o.normal_exit, qPrintable(Describe(o)));
      qInfo("killed run: %s", qPrintable(o.err.trimmed()));
      if (IsRefusal(o, {"damaged"}, &why)) {  // killed in the middle of a commit
        Count("refused");
        return;
      }
      QVERIFY2(IsRefusal(o, {"did not finish", ".partial-"}, &why), qPrintable(why + ": " + Describe(o)));
      Outcome drawn = Replay(partial, {"--partial"});
      QVERIFY2(drawn.normal_exit && drawn.code == 0 && drawn.err.contains("warning"), qPrintable(Describe(drawn)));
      // The run stopped between two commits: what it drew is the intact story up to its end, give or
      // take the rows at that very instant written after the last commit.
      QList<QByteArray> lines = drawn.dump.split('\n');
      double end = NAN;
      for (const QByteArray& l : lines) {
        if (l.startsWith("duration ")) end = std::strtod(l.constData() + 9, nullptr);
      }
      QVERIFY(std::isfinite(end) && end < 60);
      QList<QByteArray> want = Truncated(intact_story_, end).split('\n');
      std::set<QByteArray> got_set(lines.begin(), lines.end()), want_set(want.begin(), want.end());
      for (const QByteArray& l : lines) {
        if (l.startsWith("fault ") || l.startsWith("linkdown ")) continue;  // checked through their events
        QVERIFY2(want_set.count(l), qPrintable("drawn but not in the intact run: " + l));
      }
      for (const QByteArray& l : want) {
        if (l.startsWith("fault ") || l.startsWith("linkdown ") || Time(l) == end) continue;
        QVERIFY2(got_set.count(l), qPrintable("in the intact run before the end, but not drawn: " + l));
      }
      qInfo("killed run: data end at %g s", end);
      Count("interrupted: refused, drawn to its end with --partial");
      return;
    }
    QString dir = tmp_.filePath(QString("case-%1/%2").arg(index + 1).arg(c.folder));
    QVERIFY(CopyFolder(good_, dir));
    QVERIFY2(c.damage(dir), "could not damage the copy");
    Outcome o = Replay(dir);
    QVERIFY2(o.normal_exit, qPrintable("ended by a signal or timed out: " + Describe(o)));
    switch (c.expect) {
      case Expect::kRefused:
        QVERIFY2(IsRefusal(o, c.words, &why), qPrintable(why + ": " + Describe(o)));
        Count("refused");
        break;
      case Expect::kIdentical:
        QVERIFY2(IsIdentical(o, &why), qPrintable(why + ": " + Describe(o)));
        Count("identical");
        break;
      case Expect::kEither:
        if (o.code == 0) {
          QVERIFY2(IsIdentical(o, &why), qPrintable(why));
          Count("identical");
        } else {
          QVERIFY2(IsRefusal(o, c.words, &why), qPrintable(why + ": " + Describe(o)));
          Count("refused");
        }
        break;
      case Expect::kInterrupted: {
        QVERIFY2(IsRefusal(o, QStringList{"did not finish", "--partial"} + c.words, &why),
                 qPrintable(why + ": " + Describe(o)));
        Outcome drawn = Replay(dir, {"--partial"});
        QVERIFY2(drawn.normal_exit && drawn.code == 0, qPrintable(Describe(drawn)));
        QVERIFY2(drawn.err.contains("warning") && drawn.err.contains("did not finish"), qPrintable(drawn.err));
        QByteArray want = Truncated(intact_story_, c.cut);
        if (drawn.dump != want) {
          QList<QByteArray> a = want.split('\n'), b = drawn.dump.split('\n');
          for (int i = 0; i < std::max(a.size(), b.size()); ++i) {
            QByteArray x = i < a.size() ? a[i] : "<end>", y = i < b.size() ? b[i] : "<end>";
            QVERIFY2(x == y, qPrintable("expected \"" + x + "\", drawn \"" + y + "\""));
          }
        }
        QVERIFY(drawn.png_written && !drawn.png.isNull());
        Count("interrupted: refused, drawn to its end with --partial");
        break;
      }
      case Expect::kLiveKill: break;
    }
  }

  void cleanupTestCase() {
    int total = 0;
    std::map<QString, int> all;
    for (const auto& [group, outcomes] : tally_) {
      for (const auto& [outcome, n] : outcomes) {
        total += n;
        all[outcome] += n;
      }
    }
    qInfo("damaged-folder sweep: %d of %zu cases as expected%s", total, cases_.size(),
          total == static_cast<int>(cases_.size()) ? " (none ended by a signal or drew another story)" : "");
    for (const auto& [outcome, n] : all) qInfo("  %3d %s", n, qPrintable(outcome));
    for (const auto& [group, outcomes] : tally_) {
      QString line;
      for (const auto& [outcome, n] : outcomes) line += QString("%1%2 %3").arg(line.isEmpty() ? "" : ", ").arg(n).arg(outcome);
      qInfo("  %-26s %s", qPrintable(group + ":"), qPrintable(line));
    }
  }
};

QTEST_MAIN(DamagedRunsTest)
#include "damaged_runs_test.moc"
