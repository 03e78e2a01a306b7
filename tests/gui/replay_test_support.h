// What the replay's offscreen tests share: a scenario run made once per test run, and the questions asked of the
// drawn boxes and pixels.
#pragma once
#include <QColor>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QProcess>
#include <QRectF>
#include <QString>
#include <QTemporaryDir>
#include <cstdlib>
#include <utility>
#include <vector>

namespace planelab::gui::test_support {

/// The run folder of `scenario` (relative to the source tree) in `tmp`/`name`, made by planelab the first time it
/// is asked for; "" when the run failed or took longer than `timeout_ms`.
inline QString RunOnce(const QTemporaryDir& tmp, const QString& scenario, const QString& name, int timeout_ms) {
  QString dir = tmp.filePath(name);
  if (QFile::exists(dir + "/run.sqlite")) return dir;
  QProcess p;
  p.setWorkingDirectory(PLANELAB_SOURCE_DIR);
  p.start(PLANELAB_BIN, {"run", scenario, "--quiet", "--out", dir});
  if (!p.waitForFinished(timeout_ms) || p.exitCode() != 0) return {};
  return dir;
}

/// The first pair of boxes that overlap, "" when none do.
inline QString Overlap(const std::vector<std::pair<QString, QRectF>>& boxes) {
  for (size_t i = 0; i < boxes.size(); ++i) {
    for (size_t j = i + 1; j < boxes.size(); ++j) {
      if (boxes[i].second.intersects(boxes[j].second)) return boxes[i].first + " and " + boxes[j].first;
    }
  }
  return {};
}

inline bool Near(QColor a, QColor b) {
  return std::abs(a.red() - b.red()) < 25 && std::abs(a.green() - b.green()) < 25 && std::abs(a.blue() - b.blue()) < 25;
}

/// Pixels of `img` near colour `c`.
inline int CountNear(const QImage& img, QColor c) {
  int n = 0;
  for (int y = 0; y < img.height(); ++y) {
    for (int x = 0; x < img.width(); ++x) n += Near(img.pixelColor(x, y), c);
  }
  return n;
}

/// Keeps a screenshot when PLANELAB_SCREENSHOT_DIR is set (docs/ pictures are made this way).
inline void Keep(const QImage& img, const QString& name) {
  QByteArray dir = qgetenv("PLANELAB_SCREENSHOT_DIR");
  if (!dir.isEmpty()) img.save(QDir(QString::fromUtf8(dir)).filePath(name), "PNG");
}

}  // namespace planelab::gui::test_support
