// The replay of an SDN fabric (issue 19) under QT_QPA_PLATFORM=offscreen: switches and controllers in shapes of
// their own, the OpenFlow channels as their own line style coloured by state, the legend. Apart from gui.replay so
// that neither runs long on a loaded machine.
#include <QApplication>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <map>

#include "gui/replay_window.h"
#include "tests/gui/replay_test_support.h"

using planelab::gui::HealthColor;
using planelab::gui::ReplayWindow;
using planelab::gui::test_support::CountNear;
using planelab::gui::test_support::Keep;
using planelab::gui::test_support::Near;
using planelab::gui::test_support::Overlap;
namespace test_support = planelab::gui::test_support;

class SdnReplayTest : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir tmp_;

  QString RunOnce(const QString& scenario, const QString& name) {
    return test_support::RunOnce(tmp_, scenario, name, 240000);
  }

 private slots:
  void initTestCase() { QVERIFY(tmp_.isValid()); }

  // The SDN fabric (issue 19): switches and controllers drawn in shapes of their own, the OpenFlow channels
  // (switch <-> controller) as their own line style coloured by the channel's state, and the legend saying so.
  void sdnFabricDrawsSwitchesControllersAndChannels() {
    QString run = RunOnce("scenarios/incidents/sdn-controllers-unreachable.json", "sdn-unreachable");
    QVERIFY(!run.isEmpty());
    ReplayWindow w;
    QVERIFY2(w.Open(run), qPrintable(w.last_error()));
    w.resize(1400, 900);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QCOMPARE(w.DeviceShape("leaf1"), QString("switch"));
    QCOMPARE(w.DeviceShape("spine2"), QString("switch"));
    QCOMPARE(w.DeviceShape("c1"), QString("controller"));
    QCOMPARE(w.DeviceShape("ctl"), QString("device"));  // the control network's router
    QCOMPARE(w.DeviceShape("h1"), QString("device"));
    auto boxes = w.BoxRects();
    QVERIFY2(Overlap(boxes).isEmpty(), qPrintable(Overlap(boxes)));
    // 4 switches x 3 controllers, each its own line.
    auto state_count = [&](const QString& state) {
      int n = 0;
      for (const auto& c : w.ControlChannelLines()) n += c.state == state;
      return n;
    };
    w.SeekTo(15);  // before the partition: every channel up, one master per switch
    QCOMPARE(int(w.ControlChannelLines().size()), 12);
    QCOMPARE(state_count("up"), 12);
    std::map<QString, int> masters;
    for (const auto& c : w.ControlChannelLines()) {
      QVERIFY(c.sw.startsWith("leaf") || c.sw.startsWith("spine"));
      QVERIFY(c.controller.startsWith("c"));
      masters[c.sw] += c.role == "master";
    }
    QCOMPARE(int(masters.size()), 4);
    for (const auto& [sw, n] : masters) QVERIFY2(n == 1, qPrintable(sw));
    QApplication::processEvents();
    const QColor teal(0, 150, 136), amber(191, 120, 0), cut = HealthColor("down");
    QImage before = w.grab().toImage();
    int teal_before = CountNear(before, teal);
    QVERIFY2(teal_before > 300, qPrintable(QString::number(teal_before)));
    QVERIFY(CountNear(before, amber) > 100);  // the controllers' borders
    // The legend names the shapes and the channel's line style, and draws their swatches.
    QStringList entries = w.legend()->property("entries").toStringList();
    QVERIFY(entries.contains("OpenFlow switch") && entries.contains("SDN controller"));
    QVERIFY(entries.contains("OpenFlow channel up (thick: master)") && entries.contains("OpenFlow channel lost"));
    QImage legend = w.legend()->grab().toImage();
    QVERIFY(CountNear(legend, teal) > 20);
    QVERIFY(CountNear(legend, amber) > 20);
    Keep(before, "replay-sdn-fabric.png");
    w.SeekTo(40);  // controllers cut from the switches since 20 s: every channel lost after 2 x 5 s
    QCOMPARE(state_count("down"), 12);
    for (const auto& c : w.ControlChannelLines()) QCOMPARE(c.colour, cut);
    QApplication::processEvents();
    QImage during = w.grab().toImage();
    QVERIFY(CountNear(during, teal) < teal_before / 4);
    QVERIFY(CountNear(during, cut) > CountNear(before, cut) + 200);
    Keep(during, "replay-sdn-channels-lost.png");
    w.SeekTo(85);  // back after the outage
    QCOMPARE(state_count("up"), 12);
    // A run without switches keeps the plain legend.
    QString plain_run = RunOnce("scenarios/basics/link-failure-reroute.json", "plain");
    QVERIFY(!plain_run.isEmpty());
    ReplayWindow plain;
    QVERIFY(plain.Open(plain_run));
    QVERIFY(plain.ControlChannelLines().empty());
    QVERIFY(!plain.legend()->property("entries").toStringList().contains("OpenFlow switch"));
  }

};

QTEST_MAIN(SdnReplayTest)
#include "sdn_replay_test.moc"
