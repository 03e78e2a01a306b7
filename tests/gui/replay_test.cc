// The replay GUI under QT_QPA_PLATFORM=offscreen: states at times, the truth/reported toggle, the
// event filter, screenshots, and bad run folders.
#include <QDir>
#include <QImage>
#include <QProcess>
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
    w.Open(tmp_.filePath("truncated"));  // must not crash; may open partially or refuse
    QProcess p;
    p.start(REPLAY_BIN, {tmp_.filePath("corrupt"), "--screenshot", tmp_.filePath("x.png")});
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitCode(), 2);
    QVERIFY(p.readAllStandardError().contains("run.sqlite"));
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
    QVERIFY(help.readAllStandardOutput().contains("--screenshot"));
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
};

QTEST_MAIN(ReplayTest)
#include "replay_test.moc"
