// The service mesh in the replay (issue 20) under QT_QPA_PLATFORM=offscreen: istiod in a shape of its own, the
// Envoy sidecars as strips under their nodes and the service client (X the xDS stream to istiod, C the
// configuration, T the certificate), their xDS streams as curves to istiod, the legend. istiod-down shows each
// state: all green before the outage, streams lost, configurations frozen and certificates expired during it, all
// green again after it.
#include <QApplication>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include "gui/replay_window.h"
#include "tests/gui/replay_test_support.h"

using planelab::gui::HealthColor;
using planelab::gui::ReplayWindow;
using planelab::gui::test_support::CountNear;
using planelab::gui::test_support::Keep;
using planelab::gui::test_support::Near;
using planelab::gui::test_support::Overlap;
namespace test_support = planelab::gui::test_support;

class MeshReplayTest : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir tmp_;

  QString RunOnce(const QString& scenario, const QString& name) {
    return test_support::RunOnce(tmp_, scenario, name, 280000);
  }
  static int Count(const std::vector<ReplayWindow::SidecarView>& v, QString ReplayWindow::SidecarView::*field,
                   const QString& state) {
    int n = 0;
    for (const auto& s : v) n += s.*field == state;
    return n;
  }

 private slots:
  void initTestCase() { QVERIFY(tmp_.isValid()); }

  void istiodDownShowsTheSidecarsHealth() {
    QString run = RunOnce("scenarios/incidents/istiod-down.json", "istiod-down");
    QVERIFY(!run.isEmpty());
    ReplayWindow w;
    QVERIFY2(w.Open(run), qPrintable(w.last_error()));
    w.resize(1400, 900);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QCOMPARE(w.DeviceShape("istiod"), QString("istiod"));
    QCOMPARE(w.DeviceShape("node-1"), QString("device"));
    QStringList entries = w.legend()->property("entries").toStringList();
    QVERIFY(entries.contains("istiod"));
    QVERIFY(entries.contains("xDS streams lost (last configuration)"));
    // A strip under each of the 4 nodes and under the client.
    auto strips = w.SidecarStrips();
    QStringList boxes;
    for (const auto& s : strips) boxes << s.box;
    for (const char* b : {"node-1", "node-2", "node-3", "node-4", "client-1"}) QVERIFY2(boxes.contains(b), qPrintable(boxes.join(",")));
    const int total = static_cast<int>(strips.size());
    auto running = [&](const std::vector<ReplayWindow::SidecarView>& v) {
      int n = 0;
      for (const auto& s : v) n += s.sidecars > 0;
      return n;
    };
    // Before the outage (istiod down from 300 s): every stream up, every sidecar synced, every certificate valid.
    w.SeekTo(240);
    strips = w.SidecarStrips();
    QVERIFY(running(strips) >= 5);
    QCOMPARE(Count(strips, &ReplayWindow::SidecarView::xds, "up"), running(strips));
    QCOMPARE(Count(strips, &ReplayWindow::SidecarView::config, "synced"), running(strips));
    QCOMPARE(Count(strips, &ReplayWindow::SidecarView::cert, "valid"), running(strips));
    QApplication::processEvents();
    const QColor istio_blue(70, 107, 176), red = HealthColor("down");
    QImage before = w.grab().toImage();
    const int blue_before = CountNear(before, istio_blue);
    QVERIFY2(blue_before > 200, qPrintable(QString::number(blue_before)));
    Keep(before, "istiod-down-replay-240s.png");
    // At 1,200 s: the pods the autoscaler added during the outage never got a configuration.
    w.SeekTo(1200);
    strips = w.SidecarStrips();
    QCOMPARE(Count(strips, &ReplayWindow::SidecarView::xds, "down"), running(strips));
    QVERIFY(Count(strips, &ReplayWindow::SidecarView::config, "unconfigured") >= 3);
    // At 3,000 s: istiod down for 45 minutes. Every stream lost, the sidecars on their last configuration,
    // certificates expired: mTLS fails.
    w.SeekTo(3000);
    strips = w.SidecarStrips();
    QCOMPARE(Count(strips, &ReplayWindow::SidecarView::xds, "down"), running(strips));
    QCOMPARE(Count(strips, &ReplayWindow::SidecarView::xds, "up"), 0);
    QCOMPARE(Count(strips, &ReplayWindow::SidecarView::config, "last"), running(strips));
    QVERIFY(Count(strips, &ReplayWindow::SidecarView::cert, "expired") >= 4);
    for (const auto& s : strips) {
      if (s.sidecars == 0) continue;
      QCOMPARE(s.connected, 0);
      QCOMPARE(s.xds_colour, red);
    }
    QApplication::processEvents();
    QImage during = w.grab().toImage();
    const int blue_during = CountNear(during, istio_blue);  // the blue streams are gone; istiod's box stays
    QVERIFY2(blue_during < blue_before, qPrintable(QString("%1 %2").arg(blue_before).arg(blue_during)));
    QVERIFY(CountNear(during, red) > CountNear(before, red) + 300);
    Keep(during, "istiod-down-replay-3000s.png");
    // istiod back at 3,900 s: every proxy reconnects, gets a full push and a new certificate.
    w.SeekTo(4190);
    strips = w.SidecarStrips();
    QCOMPARE(Count(strips, &ReplayWindow::SidecarView::xds, "up"), running(strips));
    QCOMPARE(Count(strips, &ReplayWindow::SidecarView::cert, "valid"), running(strips));
    QCOMPARE(Count(strips, &ReplayWindow::SidecarView::config, "synced"), running(strips));
    QVERIFY(total >= 5);
    // A run without a mesh draws no strips and keeps the plain legend.
    QString plain_run = RunOnce("scenarios/basics/link-failure-reroute.json", "plain");
    QVERIFY(!plain_run.isEmpty());
    ReplayWindow plain;
    QVERIFY(plain.Open(plain_run));
    QVERIFY(plain.SidecarStrips().empty());
    QVERIFY(!plain.legend()->property("entries").toStringList().contains("istiod"));
  }
};

QTEST_MAIN(MeshReplayTest)
#include "mesh_replay_test.moc"
