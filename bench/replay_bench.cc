// Replay responsiveness: time to open a run folder and to seek (model lookup plus redraw), offscreen.
// Usage: replay_bench RUN_DIR [--expanded]   (bench/replay_bench.sh builds a run with a million events)
// --expanded: every collapsed group of a big topology expanded first (every device drawn on its own).
#include <QApplication>
#include <QElapsedTimer>
#include <cstdio>
#include <random>

#include "gui/replay_window.h"

int main(int argc, char** argv) {
  qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  if (argc < 2) {
    std::fprintf(stderr, "usage: replay_bench RUN_DIR\n");
    return 2;
  }
  planelab::gui::ReplayWindow w;
  w.resize(1400, 900);
  w.show();
  QElapsedTimer timer;
  timer.start();
  if (!w.Open(argv[1])) {
    std::fprintf(stderr, "%s\n", w.last_error().toUtf8().constData());
    return 2;
  }
  QApplication::processEvents();
  double open_ms = timer.nsecsElapsed() / 1e6;
  bool expanded = argc > 2 && QString(argv[2]) == "--expanded";
  if (expanded) {
    for (const auto& [id, rect] : w.BoxRects()) {
      if (id.startsWith("group:")) w.ExpandGroup(id.mid(6));
    }
    QApplication::processEvents();
  }
  std::mt19937 rng(1);
  std::uniform_real_distribution<double> when(0, w.run().duration());
  const int kSeeks = 200;
  double worst = 0, total = 0;
  for (int i = 0; i < kSeeks; ++i) {
    timer.restart();
    w.SeekTo(when(rng));
    w.repaint();
    QApplication::processEvents();
    double ms = timer.nsecsElapsed() / 1e6;
    total += ms;
    worst = std::max(worst, ms);
  }
  std::printf("events %zu, devices %zu, %zu boxes drawn%s: open %.0f ms; seek mean %.2f ms, worst %.2f ms over %d seeks\n",
              w.run().events().size(), w.run().devices().size(), w.BoxRects().size(), expanded ? " (expanded)" : "",
              open_ms, total / kSeeks, worst, kSeeks);
  return 0;
}
