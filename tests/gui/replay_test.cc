// The replay GUI under QT_QPA_PLATFORM=offscreen: states at times, the truth/reported toggle, the
// event filter, screenshots, and bad run folders.
#include <QDir>
#include <QImage>
#include <QLabel>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <sqlite3.h>

#include "gui/replay_window.h"

using planelab::gui::HealthColor;
using planelab::gui::ReplayWindow;

class ReplayTest : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir tmp_;
  QString run_;

  static bool Near(QColor a, QColor b) {
    return std::abs(a.red() - b.red()) < 25 && std::abs(a.green() - b.green()) < 25 && std::abs(a.blue() - b.blue()) < 25;
  }

 private slots:
  void initTestCase() {
    QVERIFY(tmp_.isValid());
    run_ = tmp_.filePath("dead-asic");
    QProcess p;
    p.setWorkingDirectory(PLANELAB_SOURCE_DIR);
    p.start(PLANELAB_BIN, {"run", "scenarios/incidents/dead-asic.json", "--quiet", "--out", run_});
    QVERIFY(p.waitForFinished(120000));
    QCOMPARE(p.exitCode(), 0);
  }

  void showsPlaneStatesAtTimes() {
    ReplayWindow w;
    QVERIFY2(w.Open(run_), qPrintable(w.last_error()));
    w.SeekTo(10);
    QCOMPARE(w.IndicatorColor("r2", "data"), HealthColor("up"));
    QVERIFY(!w.Disagrees("r2"));
    w.SeekTo(30);  // inside the asic-dead window (20s-45s)
    QCOMPARE(w.IndicatorColor("r2", "data"), HealthColor("down"));
    QCOMPARE(w.IndicatorColor("r2", "control"), HealthColor("up"));
    QCOMPARE(w.IndicatorColor("h1", "data"), HealthColor("down"));
    QVERIFY(w.Disagrees("r2"));
    w.SetReportedView(true);  // the operators' view: the dashboard is green
    QCOMPARE(w.IndicatorColor("r2", "data"), HealthColor("up"));
    QVERIFY(w.Disagrees("r2"));
    w.SeekTo(55);
    w.SetReportedView(false);
    QCOMPARE(w.IndicatorColor("r2", "data"), HealthColor("up"));
  }

  void clusterRunShowsKubectlReadyWhileUsersAreRefused() {
    // The orchestrated cluster's kinds in the replay: cni-broken on node-3 from 30 s to 90 s.
    QString run = tmp_.filePath("cni-broken");
    QProcess p;
    p.setWorkingDirectory(PLANELAB_SOURCE_DIR);
    p.start(PLANELAB_BIN, {"run", "scenarios/incidents/cni-broken.json", "--quiet", "--out", run});
    QVERIFY(p.waitForFinished(120000));
    QCOMPARE(p.exitCode(), 0);
    ReplayWindow w;
    QVERIFY2(w.Open(run), qPrintable(w.last_error()));
    w.SeekTo(20);
    QCOMPARE(w.IndicatorColor("node-3", "data"), HealthColor("up"));
    QVERIFY(!w.Disagrees("node-3"));
    w.SeekTo(60);
    QCOMPARE(w.IndicatorColor("node-3", "data"), HealthColor("down"));
    QCOMPARE(w.IndicatorColor("node-3", "control"), HealthColor("up"));
    QCOMPARE(w.IndicatorColor("client-1", "data"), HealthColor("degraded"));
    QVERIFY(w.Disagrees("node-3"));
    w.SetReportedView(true);  // kubectl get nodes: Ready
    QCOMPARE(w.IndicatorColor("node-3", "data"), HealthColor("up"));
    w.SeekTo(100);
    w.SetReportedView(false);
    QCOMPARE(w.IndicatorColor("node-3", "data"), HealthColor("up"));
  }

  void filtersAndStepsThroughEvents() {
    ReplayWindow w;
    QVERIFY(w.Open(run_));
    int all = w.VisibleEventRows();
    QVERIFY(all > 10);
    w.SetEventFilter("fault");
    QCOMPARE(w.VisibleEventRows(), 2);  // fault.start and fault.end
    w.SetEventFilter("r2 data");
    QVERIFY(w.VisibleEventRows() >= 3);
    w.SetEventFilter("");
    QCOMPARE(w.VisibleEventRows(), all);
    w.SeekTo(19.5);
    w.StepEvent(+1);
    QCOMPARE(w.time(), 20.0);
    // The keyboard: arrows step between events, End and Home jump to the ends.
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QTest::keyClick(&w, Qt::Key_End);
    QCOMPARE(w.time(), w.run().duration());
    QTest::keyClick(&w, Qt::Key_Home);
    QCOMPARE(w.time(), 0.0);
    w.SeekTo(19.5);
    QTest::keyClick(&w, Qt::Key_Right);
    QCOMPARE(w.time(), 20.0);
    QTest::keyClick(&w, Qt::Key_Left);
    QVERIFY(w.time() < 20.0);
  }

  void screenshotHasTheDownColourAtTheIndicator() {
    ReplayWindow w;
    QVERIFY(w.Open(run_));
    w.resize(1400, 900);
    w.show();
    w.SeekTo(30);
    QApplication::processEvents();
    QImage img = w.grab().toImage();
    QCOMPARE(img.size(), QSize(1400, 900));
    QPoint c = w.IndicatorCenter("r2", "data");
    QVERIFY(img.rect().contains(c));
    QVERIFY2(Near(img.pixelColor(c), HealthColor("down")), qPrintable(img.pixelColor(c).name()));
    // The headless command writes the same kind of image.
    QString png = tmp_.filePath("shot.png");
    QProcess p;
    p.start(REPLAY_BIN, {run_, "--at", "30s", "--screenshot", png, "--view", "reported"});
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitCode(), 0);
    QImage shot(png);
    QCOMPARE(shot.size(), QSize(1400, 900));
  }

  void badRunFoldersAreExplainedNotCrashed() {
    ReplayWindow w;
    QVERIFY(!w.Open(tmp_.filePath("missing")));
    QVERIFY(w.last_error().contains("no such run folder"));
    QDir(tmp_.path()).mkpath("corrupt");
    QFile f(tmp_.filePath("corrupt/run.sqlite"));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("this is not a database, just bytes");
    f.close();
    QVERIFY(!w.Open(tmp_.filePath("corrupt")));
    QVERIFY2(w.last_error().contains("run.sqlite"), qPrintable(w.last_error()));
    // A run store from a newer PlaneLab.
    QDir(tmp_.path()).mkpath("newer");
    sqlite3* db = nullptr;
    QVERIFY(sqlite3_open(qPrintable(tmp_.filePath("newer/run.sqlite")), &db) == SQLITE_OK);
    sqlite3_exec(db, "CREATE TABLE meta(key TEXT, value TEXT); INSERT INTO meta VALUES('schema','planelab.run/99');",
                 nullptr, nullptr, nullptr);
    sqlite3_close(db);
    QVERIFY(!w.Open(tmp_.filePath("newer")));
    QVERIFY2(w.last_error().contains("not supported"), qPrintable(w.last_error()));
    // A truncated copy of a real store.
    QDir(tmp_.path()).mkpath("truncated");
    QFile src(run_ + "/run.sqlite");
    QVERIFY(src.open(QIODevice::ReadOnly));
    QByteArray head = src.read(src.size() / 3);
    QFile dst(tmp_.filePath("truncated/run.sqlite"));
    QVERIFY(dst.open(QIODevice::WriteOnly));
    dst.write(head);
    dst.close();
    // Issue 14.11: refused as damaged, in SQLite's words, not drawn as if it were fine.
    QVERIFY(!w.Open(tmp_.filePath("truncated")));
    QVERIFY2(w.last_error().contains("damaged") && w.last_error().contains("malformed"), qPrintable(w.last_error()));
    QProcess p;
    p.start(REPLAY_BIN, {tmp_.filePath("corrupt"), "--screenshot", tmp_.filePath("x.png")});
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitCode(), 2);
    QVERIFY(p.readAllStandardError().contains("run.sqlite"));
  }

  // A copy of the good run, damaged by `sql` (and without its content digest when `keep_digest` is false,
  // as a crafted store would be): the folder's path.
  QString Damaged(const QString& name, const QString& sql, bool keep_digest = false) {
    QString dir = tmp_.filePath(name);
    QDir().mkpath(dir);
    for (const QString& f : QDir(run_).entryList(QDir::Files)) QFile::copy(run_ + "/" + f, dir + "/" + f);
    sqlite3* db = nullptr;
    sqlite3_open(qPrintable(dir + "/run.sqlite"), &db);
    QString all = sql + (keep_digest ? "" : "; DELETE FROM meta WHERE key = 'content_digest'");
    char* err = nullptr;
    int rc = sqlite3_exec(db, qPrintable(all), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) qWarning("%s", err);
    sqlite3_free(err);
    sqlite3_close(db);
    return dir;
  }

  static QString Status(const ReplayWindow& w) { return w.findChild<QLabel*>("status")->text(); }

  // Issue 14.12: event details of the wrong type are damage, named, in the window: never an abort.
  void wrongTypedEventDetailsAreDamageNotAnAbort() {
    ReplayWindow w;
    QString carrier = Damaged("carrier-link-number",
                              "UPDATE events SET kind = 'carrier.down', detail = '{\"link\":7}' "
                              "WHERE seq = (SELECT MIN(seq) FROM events WHERE kind = 'connection.lost')");
    QVERIFY(!w.Open(carrier));
    QVERIFY2(w.last_error().contains("carrier.down") && w.last_error().contains("\"link\" that is a number"),
             qPrintable(w.last_error()));
    QVERIFY(Status(w).contains("Cannot open the run"));
    QString fault = Damaged("fault-kind-number", "UPDATE events SET detail = '{\"kind\":5}' WHERE kind = 'fault.start'");
    QVERIFY(!w.Open(fault));
    QVERIFY2(w.last_error().contains("fault.start") && w.last_error().contains("\"kind\" that is a number"),
             qPrintable(w.last_error()));
    // With its digest the same edit is found before the details are read at all.
    QVERIFY(!w.Open(Damaged("fault-kind-digest", "UPDATE events SET detail = '{\"kind\":5}' WHERE kind = 'fault.start'",
                            true)));
    QVERIFY2(w.last_error().contains("does not match the digest"), qPrintable(w.last_error()));
  }

  // A series read on demand (the chart of the selected device) that turns out damaged is shown.
  void damageFoundWhileDrawingIsShown() {
    QString dir = Damaged("sample-text",
                          "UPDATE samples SET value = 'lots' WHERE rowid = (SELECT MIN(s.rowid) FROM samples s "
                          "JOIN series r ON r.id = s.series WHERE r.device = 'r2' AND r.metric = 'forwarded_bps' "
                          "AND s.value IS NOT NULL)");
    ReplayWindow w;
    QVERIFY2(w.Open(dir), qPrintable(w.last_error()));  // the samples are read when r2's chart is drawn
    QVERIFY2(w.damage().contains("samples of r2 data forwarded_bps") && w.damage().contains("TEXT"),
             qPrintable(w.damage()));
    QVERIFY(Status(w).contains("damaged"));
    QProcess p;
    p.start(REPLAY_BIN, {dir, "--screenshot", tmp_.filePath("sample-text.png")});
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitCode(), 2);
    QVERIFY(!QFile::exists(tmp_.filePath("sample-text.png")));
  }

  // Issue 14.13: a killed run's .partial folder opens as interrupted, ending where its data end.
  void interruptedRunEndsWhereItsDataEnd() {
    QString partial = tmp_.filePath("dead-asic.partial-3999999");
    QDir().mkpath(partial);
    QVERIFY(QFile::copy(run_ + "/run.sqlite", partial + "/run.sqlite"));
    sqlite3* db = nullptr;
    sqlite3_open(qPrintable(partial + "/run.sqlite"), &db);
    QCOMPARE(sqlite3_exec(db,
                          "DELETE FROM events WHERE t_s > 30.5; DELETE FROM health WHERE t_s > 30.5; "
                          "DELETE FROM samples WHERE t_s > 30.5; DELETE FROM meta WHERE key IN ('kernel_events', "
                          "'content_digest')",
                          nullptr, nullptr, nullptr),
             SQLITE_OK);
    sqlite3_close(db);
    ReplayWindow w;
    QVERIFY2(w.Open(partial), qPrintable(w.last_error()));
    QVERIFY(w.run().interrupted());
    QCOMPARE(w.run().duration(), 30.0);  // the last sample, not the 60 s planned
    QCOMPARE(w.run().planned_duration(), 60.0);
    QCOMPARE(w.run().faults().size(), size_t(1));
    QCOMPARE(w.run().faults()[0].to, 30.0);  // asic-dead was still active: its band ends with the data
    QVERIFY2(Status(w).contains("Interrupted run") && Status(w).contains(".partial-3999999") &&
                 Status(w).contains("30 s of the 60 s planned"),
             qPrintable(Status(w)));
    QVERIFY(w.windowTitle().contains("interrupted"));
    w.SeekTo(50);
    QCOMPARE(w.time(), 30.0);
    QCOMPARE(w.IndicatorColor("r2", "data"), HealthColor("down"));
    // Headless: refused unless asked for, then drawn with a warning.
    QProcess p;
    p.start(REPLAY_BIN, {partial, "--screenshot", tmp_.filePath("partial.png")});
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitCode(), 2);
    QVERIFY(p.readAllStandardError().contains("--partial"));
    p.start(REPLAY_BIN, {partial, "--screenshot", tmp_.filePath("partial.png"), "--partial"});
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitCode(), 0);
    QVERIFY(p.readAllStandardError().contains("warning"));
    QVERIFY(!QImage(tmp_.filePath("partial.png")).isNull());
  }

  // Issue 14.14: the manifest's schema is checked as the store's is; missing files mean "did not finish".
  void manifestIsCheckedLikeTheStore() {
    QString dir = Damaged("newer-manifest", "SELECT 1", true);
    QFile m(dir + "/manifest.json");
    QVERIFY(m.open(QIODevice::ReadOnly));
    QByteArray text = m.readAll().replace("planelab.manifest/1", "planelab.manifest/2");
    m.close();
    QVERIFY(m.open(QIODevice::WriteOnly | QIODevice::Truncate));
    m.write(text);
    m.close();
    ReplayWindow w;
    QVERIFY(!w.Open(dir));
    QVERIFY2(w.last_error().contains("\"planelab.manifest/2\" is not supported: it is newer than the "
                                     "\"planelab.manifest/1\" this build reads"),
             qPrintable(w.last_error()));
    QString no_summary = Damaged("no-summary", "SELECT 1", true);
    QVERIFY(QFile::remove(no_summary + "/summary.json"));
    QVERIFY(w.Open(no_summary));
    QVERIFY(w.run().interrupted());
    QVERIFY2(Status(w).contains("it has no summary.json"), qPrintable(Status(w)));
    QCOMPARE(w.run().duration(), 60.0);
  }

  // Issue 12.11: --help and --screenshot work with no display and no QT_QPA_PLATFORM set by hand;
  // the interactive window without a display is a clear error, not an abort.
  void worksWithoutADisplay() {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove("QT_QPA_PLATFORM");
    env.remove("DISPLAY");
    env.remove("WAYLAND_DISPLAY");
    QProcess help;
    help.setProcessEnvironment(env);
    help.start(REPLAY_BIN, {"--help"});
    QVERIFY(help.waitForFinished(60000));
    QCOMPARE(help.exitStatus(), QProcess::NormalExit);
    QCOMPARE(help.exitCode(), 0);
    QByteArray usage = help.readAllStandardOutput();
    QVERIFY(usage.contains("--screenshot") && usage.contains("--partial") && usage.contains("--dump"));
    QProcess shot;
    shot.setProcessEnvironment(env);
    QString png = tmp_.filePath("headless.png");
    shot.start(REPLAY_BIN, {run_, "--at", "30s", "--screenshot", png});
    QVERIFY(shot.waitForFinished(60000));
    QCOMPARE(shot.exitStatus(), QProcess::NormalExit);
    QCOMPARE(shot.exitCode(), 0);
    QVERIFY(!QImage(png).isNull());
    QProcess window;
    window.setProcessEnvironment(env);
    window.start(REPLAY_BIN, {run_});
    QVERIFY(window.waitForFinished(60000));
    QCOMPARE(window.exitStatus(), QProcess::NormalExit);
    QCOMPARE(window.exitCode(), 2);
    QVERIFY(window.readAllStandardError().contains("--screenshot"));
  }

  void studentBundleHidesTheTruthUntilSubmitted() {
    // A student's bundle of the dead-ASIC drill: the operators' view only, no truth toggle, until answers.json.
    QString cls = tmp_.filePath("class");
    QProcess p;
    p.setWorkingDirectory(PLANELAB_SOURCE_DIR);
    p.start(PLANELAB_BIN, {"exercise", "make", "exercises/net-01.json", "--student", "ada", "--out", cls});
    QVERIFY(p.waitForFinished(120000));
    QCOMPARE(p.exitCode(), 0);
    QString bundle = cls + "/bundles/ada";
    QFile keyfile(cls + "/keys/ada.key.json");
    QVERIFY(keyfile.open(QIODevice::ReadOnly));
    QString key = QString::fromUtf8(keyfile.readAll());
    QRegularExpressionMatch m = QRegularExpression("\"device\": \"(r\\d)\"").match(key);
    QVERIFY(m.hasMatch());
    QString culprit = m.captured(1);
    ReplayWindow w;
    QVERIFY2(w.Open(bundle), qPrintable(w.last_error()));
    QVERIFY(w.run().student_bundle());
    QVERIFY(w.reported_view());
    w.SeekTo(35);  // inside every variant's fault window
    QCOMPARE(w.IndicatorColor(culprit, "data"), HealthColor("up"));  // the dashboard is green
    QVERIFY(!w.Disagrees(culprit));                                   // and nothing gives the truth away
    w.SetReportedView(false);                                         // the toggle cannot show the truth
    QVERIFY(w.reported_view());
    QCOMPARE(w.IndicatorColor(culprit, "data"), HealthColor("up"));
    QVERIFY(!w.Reveal());
    QVERIFY(w.last_error().contains("once your answers are submitted"));
    QProcess c;
    c.start(PLANELAB_BIN, {"console", bundle, "--cmd", "answer plane traffic", "--cmd", "submit"});
    QVERIFY(c.waitForFinished(60000));
    QCOMPARE(c.exitCode(), 0);
    QVERIFY(w.answers_submitted());
    QVERIFY2(w.Reveal(), qPrintable(w.last_error()));
    QVERIFY(w.truth_window() != nullptr);
    QCOMPARE(w.truth_window()->IndicatorColor(culprit, "data"), HealthColor("down"));
    QVERIFY(w.truth_window()->Disagrees(culprit));
    w.SeekTo(55);  // the two windows move together
    QCOMPARE(w.truth_window()->time(), 55.0);
    // Headless: the revealed pair side by side in one screenshot; the truth view alone is refused.
    QProcess r;
    QString png = tmp_.filePath("revealed.png");
    r.start(REPLAY_BIN, {bundle, "--reveal", "--at", "35s", "--screenshot", png});
    QVERIFY(r.waitForFinished(60000));
    QCOMPARE(r.exitCode(), 0);
    QImage image(png);
    QVERIFY(image.width() > 2 * 1400);
    r.start(REPLAY_BIN, {bundle, "--view", "truth", "--at", "35s", "--screenshot", png});
    QVERIFY(r.waitForFinished(60000));
    QCOMPARE(r.exitCode(), 2);
  }
};

QTEST_MAIN(ReplayTest)
#include "replay_test.moc"
