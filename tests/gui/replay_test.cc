// The replay GUI under QT_QPA_PLATFORM=offscreen: states at times, the truth/reported toggle, the
// event filter, screenshots, and bad run folders.
#include <QDir>
#include <QImage>
#include <QLabel>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QChart>
#include <QChartView>
#include <QGraphicsItem>
#include <QHeaderView>
#include <QTableView>
#include <QValueAxis>
#include <QGraphicsView>
#include <QtTest/QtTest>
#include <sqlite3.h>

#include "gui/replay_window.h"
#include "tests/gui/replay_test_support.h"

using planelab::gui::HealthColor;
using planelab::gui::ReplayWindow;
using planelab::gui::test_support::CountNear;
using planelab::gui::test_support::Keep;
using planelab::gui::test_support::Near;
using planelab::gui::test_support::Overlap;
namespace test_support = planelab::gui::test_support;

class ReplayTest : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir tmp_;
  QString run_;

  QString RunOnce(const QString& scenario, const QString& name) {
    return test_support::RunOnce(tmp_, scenario, name, 240000);
  }


  static QRectF Box(const ReplayWindow& w, const QString& id) {
    for (const auto& [name, r] : w.BoxRects()) {
      if (name == id) return r;
    }
    return {};
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

  // A fabric of 150 leaves: tiers collapse into group boxes with a health strip, nothing overlaps, a click on a
  // group expands it (and still nothing overlaps), the legend is there.
  void bigFabricCollapsesIntoGroupsWithoutOverlap() {
    QString scenario = tmp_.filePath("fabric-150.json");
    QFile f(scenario);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(R"({"schema": "planelab.scenario/1", "name": "fabric-150", "description": "A fabric the replay collapses.",
      "seed": 1, "duration": "6s",
      "topology": {"generate": [{"kind": "leaf-spine", "spines": 4, "leaves": 150, "hosts_per_leaf": 1,
                                 "link": {"rate": "1Gbps", "delay": "1ms"}}]},
      "faults": [{"at": "3s", "target": "leaf1-spine1", "kind": "link-down"}]})");
    f.close();
    QString run = RunOnce(scenario, "fabric-150");
    QVERIFY(!run.isEmpty());
    ReplayWindow w;
    QVERIFY2(w.Open(run), qPrintable(w.last_error()));
    w.resize(1400, 900);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    w.SeekTo(4);
    QCOMPARE(w.CollapsedGroupOf("leaf7"), QString("leaves"));
    QCOMPARE(w.CollapsedGroupOf("h7"), QString("hosts"));
    QCOMPARE(w.CollapsedGroupOf("spine1"), QString());
    auto boxes = w.BoxRects();
    QCOMPARE(boxes.size(), size_t(4 + 2 + 1));  // the spines, leaves and hosts, the monitoring station
    QVERIFY2(Overlap(boxes).isEmpty(), qPrintable(Overlap(boxes)));
    // Tiers: spines above leaves above hosts.
    QVERIFY(Box(w, "spine1").bottom() < Box(w, "group:leaves").top());
    QVERIFY(Box(w, "group:leaves").bottom() < Box(w, "group:hosts").top());
    QCOMPARE(w.IndicatorColor("leaf7", "data"), HealthColor("up"));  // a member's colour, from the strip
    QImage img = w.grab().toImage();
    QVERIFY(CountNear(img, HealthColor("up")) > 300);
    QVERIFY(w.legend()->isVisible() && w.legend()->height() >= 16);
    QVERIFY(CountNear(w.legend()->grab().toImage(), QColor(211, 47, 47)) > 20);  // the red frame's swatch
    Keep(img, "replay-fabric-collapsed.png");
    // The health matrix: one row per box, or per device.
    QCOMPARE(w.MatrixRows(), 7);
    w.SetMatrixPerDevice(true);
    QCOMPARE(w.MatrixRows(), int(w.run().devices().size()));
    w.SetMatrixPerDevice(false);
    // A click on the leaves' box expands it.
    auto* view = w.findChild<QGraphicsView*>("topology");
    QVERIFY(view);
    QPoint at = view->mapFromScene(Box(w, "group:leaves").center());
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, at);
    QTRY_COMPARE(w.CollapsedGroupOf("leaf7"), QString());
    boxes = w.BoxRects();
    QCOMPARE(boxes.size(), size_t(4 + 150 + 1 + 1));
    QVERIFY2(Overlap(boxes).isEmpty(), qPrintable(Overlap(boxes)));
    QCOMPARE(w.IndicatorColor("leaf7", "data"), HealthColor("up"));
    w.CollapseAll();
    QCOMPARE(w.CollapsedGroupOf("leaf7"), QString("leaves"));
  }

  // A cluster by tier: the core above the racks above their nodes, the control-plane rack apart on the left; a
  // ring drawn as a ring; no overlapping boxes in either; overlapping fault windows on lanes of their own.
  void clusterAndRingLayouts() {
    QString cluster = RunOnce("scenarios/incidents/cni-broken.json", "cni-broken");
    QVERIFY(!cluster.isEmpty());
    ReplayWindow w;
    QVERIFY2(w.Open(cluster), qPrintable(w.last_error()));
    w.resize(1400, 900);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    w.SeekTo(60);
    auto boxes = w.BoxRects();
    QCOMPARE(boxes.size(), w.run().devices().size());  // a small cluster: nothing collapsed
    QVERIFY2(Overlap(boxes).isEmpty(), qPrintable(Overlap(boxes)));
    QVERIFY(Box(w, "core").bottom() < Box(w, "rack-1").top());
    QVERIFY(Box(w, "rack-1").bottom() < Box(w, "node-1").top());
    QVERIFY(Box(w, "rack-cp").right() < Box(w, "rack-1").left());
    QVERIFY(Box(w, "apiserver").right() < Box(w, "rack-1").left());
    QVERIFY(Box(w, "rack-cp").bottom() < Box(w, "etcd-1").top());
    QVERIFY(w.legend()->isVisible());
    Keep(w.grab().toImage(), "replay-cluster.png");

    // 120 nodes in racks of 20: each rack's nodes collapse into one box under their rack; node-3's broken CNI
    // shows in its rack's strip and frame.
    QString big = tmp_.filePath("cluster-120.json");
    QFile f(big);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(R"({"schema": "planelab.scenario/1", "name": "cluster-120", "description": "A cluster the replay collapses.",
      "seed": 1, "duration": "40s", "topology": {}, "management": {"enabled": false},
      "cluster": {"nodes": 120, "nodes_per_rack": 20, "max_pods": 10,
                  "deployments": [{"name": "web", "replicas": 40, "pod_capacity": "100pps"}],
                  "service_clients": [{"service": "web", "rate": "400pps", "timeout": "1s", "start": "10s"}]},
      "faults": [{"at": "15s", "until": "35s", "target": "node-3", "kind": "cni-broken"}]})");
    f.close();
    QString big_run = RunOnce(big, "cluster-120");
    QVERIFY(!big_run.isEmpty());
    QVERIFY2(w.Open(big_run), qPrintable(w.last_error()));
    w.SeekTo(25);
    QCOMPARE(w.CollapsedGroupOf("node-3"), QString("nodes of rack-1"));
    QCOMPARE(w.CollapsedGroupOf("node-45"), QString("nodes of rack-3"));
    QCOMPARE(w.CollapsedGroupOf("apiserver"), QString());
    boxes = w.BoxRects();
    QVERIFY2(Overlap(boxes).isEmpty(), qPrintable(Overlap(boxes)));
    QVERIFY(Box(w, "rack-3").bottom() < Box(w, "group:nodes of rack-3").top());
    QVERIFY(Box(w, "rack-cp").right() < Box(w, "group:nodes of rack-1").left());
    QCOMPARE(w.IndicatorColor("node-3", "data"), HealthColor("down"));
    QVERIFY(w.Disagrees("node-3"));
    Keep(w.grab().toImage(), "replay-cluster-collapsed.png");

    QString ring = RunOnce("scenarios/incidents/fib-programming-stall.json", "fib-stall");
    QVERIFY(!ring.isEmpty());
    QVERIFY2(w.Open(ring), qPrintable(w.last_error()));
    boxes = w.BoxRects();
    QVERIFY2(Overlap(boxes).isEmpty(), qPrintable(Overlap(boxes)));
    QPointF mid;
    for (const char* r : {"r1", "r2", "r3", "r4"}) mid += Box(w, r).center() / 4;
    double d0 = QLineF(mid, Box(w, "r1").center()).length();
    QVERIFY(d0 > 50);
    for (const char* r : {"r2", "r3", "r4"}) {
      QVERIFY2(std::abs(QLineF(mid, Box(w, r).center()).length() - d0) < 0.05 * d0, r);
    }
    QCOMPARE(w.TimelineLanes(), 2);  // fib-programming-stall and link-down overlap in time
  }

  // The health matrix: the whole run at a glance, coloured by the view's health (truth or reported).
  void healthMatrixFollowsTheView() {
    ReplayWindow w;
    QVERIFY(w.Open(run_));
    w.resize(1400, 900);
    w.show();
    w.ShowMatrix();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QCOMPARE(w.MatrixRows(), int(w.run().devices().size()));
    int r2 = -1;
    for (int r = 0; r < w.MatrixRows(); ++r) {
      if (w.MatrixRowName(r) == "r2") r2 = r;
    }
    QVERIFY(r2 >= 0);
    QCOMPARE(w.MatrixColor(r2, 10), HealthColor("up"));
    QCOMPARE(w.MatrixColor(r2, 30), HealthColor("down"));  // the dead ASIC, 20 s to 45 s
    QApplication::processEvents();
    QImage truth = w.matrix_widget()->grab().toImage();
    QVERIFY(CountNear(truth, HealthColor("down")) > 100);
    QVERIFY(CountNear(truth, HealthColor("up")) > 1000);
    Keep(w.grab().toImage(), "replay-health-matrix.png");
    // A click on the matrix goes there and selects that row's device.
    QWidget* m = w.matrix_widget();
    QTest::mouseClick(m, Qt::LeftButton, {}, QPoint(m->width() - 30, m->height() / 2));
    QVERIFY(w.time() > 50);
    w.SeekTo(30);
    w.SetReportedView(true);  // the dashboard never saw it
    QCOMPARE(w.MatrixColor(r2, 30), HealthColor("up"));
    QApplication::processEvents();
    QVERIFY(CountNear(w.matrix_widget()->grab().toImage(), HealthColor("down")) <
            CountNear(truth, HealthColor("down")));
  }

  // Charts: counters and flags on integer ticks, no 1e-09 axis for an all-zero series; the event list shows the
  // kind and the detail at the default size.
  void chartAxesAndEventColumnsRead() {
    ReplayWindow w;
    QVERIFY(w.Open(run_));
    w.resize(1400, 900);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    int integer_axes = 0, axes = 0;
    for (const char* device : {"r2", "h1", "r1"}) {
      w.SelectDevice(device);
      for (auto* view : w.findChildren<QChartView*>()) {
        for (auto* a : view->chart()->axes(Qt::Vertical)) {
          auto* y = qobject_cast<QValueAxis*>(a);
          QVERIFY(y);
          ++axes;
          QVERIFY2(y->max() - y->min() >= 1e-6, qPrintable(view->chart()->title()));
          for (double v : {y->min(), y->max()}) {
            QString label = QString::asprintf(y->labelFormat().toUtf8().constData(), v);
            QVERIFY2(!label.contains("e-"), qPrintable(view->chart()->title() + ": " + label));
          }
          if (y->labelFormat() == "%.0f") {
            ++integer_axes;
            QVERIFY(y->tickInterval() >= 1 && std::floor(y->tickInterval()) == y->tickInterval());
          }
        }
      }
    }
    QVERIFY(axes > 4);
    QVERIFY(integer_axes > 0);  // adjacencies, transit drops of 0/1 ...
    auto* table = w.findChild<QTableView*>();
    QVERIFY(table);
    int before_detail = 0;
    for (int c = 0; c < 4; ++c) before_detail += table->columnWidth(c);
    QVERIFY(table->columnWidth(3) >= 140);                             // "instance.launch-failed" fits
    QVERIFY(table->viewport()->width() - before_detail >= 80);          // and the detail starts in view
  }

  // The event list folds repetitions into one row with a count, and unfolds them again.
  void eventListFoldsRepetitions() {
    QString run = RunOnce("scenarios/incidents/capacity-shrink.json", "capacity-shrink");
    QVERIFY(!run.isEmpty());
    ReplayWindow w;
    QVERIFY(w.Open(run));
    int all = w.VisibleEventRows();
    w.SetCollapseRepeats(true);
    int folded = w.VisibleEventRows();
    qInfo("capacity-shrink: %d events, %d rows folded", all, folded);
    QVERIFY(folded > 0 && folded < all / 2);
    w.SetEventFilter("cloud");
    QVERIFY(w.VisibleEventRows() < 20);
    w.SetCollapseRepeats(false);
    w.SetEventFilter("");
    QCOMPARE(w.VisibleEventRows(), all);
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
    QVERIFY(w.MatrixRows() > 0);  // the health matrix of a bundle: the reported health only
    for (int r = 0; r < w.MatrixRows(); ++r) {
      if (w.MatrixRowName(r) == culprit) QCOMPARE(w.MatrixColor(r, 35), HealthColor("up"));
    }
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
