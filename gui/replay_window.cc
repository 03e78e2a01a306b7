#include "gui/replay_window.h"

#include <QAction>
#include <QDir>
#include <QFileInfo>
#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QGraphicsSceneMouseEvent>
#include <QStyleOptionGraphicsItem>
#include <QComboBox>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QGraphicsEllipseItem>
#include <QGraphicsSceneHoverEvent>
#include <QGridLayout>
#include <QTabWidget>
#include <functional>
#include <QGraphicsLineItem>
#include <QGraphicsPathItem>
#include <QGraphicsRectItem>
#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <QGraphicsView>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QMenuBar>
#include <QMimeData>
#include <QPainter>
#include <QPushButton>
#include <QSettings>
#include <QAbstractTableModel>
#include <QTableView>
#include <QWheelEvent>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>
#include <QValueAxis>
#include <cmath>

#include "gui/topology_layout.h"

namespace planelab::gui {

QColor HealthColor(const std::string& state) {
  if (state == "up") return QColor(46, 157, 68);
  if (state == "degraded") return QColor(230, 167, 0);
  if (state == "down") return QColor(211, 47, 47);
  if (state == "absent") return QColor(236, 236, 236);  // no device in this slot: near-white, not a failure
  return QColor(158, 158, 158);
}

namespace {

// Health as a severity, for "the worst of": absent < up < unknown < degraded < down.
const char* const kStates[] = {"absent", "up", "unknown", "degraded", "down"};
uint8_t Severity(const std::string& s) {
  if (s == "down") return 4;
  if (s == "degraded") return 3;
  if (s == "up") return 1;
  if (s == "absent") return 0;
  return 2;
}
QColor SeverityColor(uint8_t c) { return HealthColor(kStates[std::min<uint8_t>(c, 4)]); }
QString PlaneLetter(const std::string& p) { return p == "data" ? "D" : p == "control" ? "C" : "M"; }

}  // namespace

/// The scrubber: the whole run, fault windows as labelled bands, the time cursor; click to seek.
class TimelineWidget : public QWidget {
 public:
  explicit TimelineWidget(ReplayWindow* w) : QWidget(w), window_(w) { setMinimumHeight(54); }
  void SetRun(const RunModel* run) {
    run_ = run;
    Relayout();
    update();
  }
  /// Lanes the fault bands need at the current width (bands and their labels never overlap).
  int Lanes() const {
    if (!run_) return 1;
    std::vector<double> lane_end;
    QFontMetrics fm(font());
    for (const auto& f : run_->faults()) {
      double from = X(f.from), to = std::max(from + 2, X(f.to));
      double end = std::max(to, from + fm.horizontalAdvance(QString::fromStdString(f.kind + " @ " + f.target)) + 8);
      size_t lane = 0;
      while (lane < lane_end.size() && lane_end[lane] > from) ++lane;
      if (lane == lane_end.size()) lane_end.push_back(0);
      lane_end[lane] = end;
    }
    return std::max<int>(1, static_cast<int>(lane_end.size()));
  }
  void Relayout() {
    int h = 4 + kLane * std::max(2, Lanes()) + 30;
    if (minimumHeight() != h) setFixedHeight(h);
  }
  static constexpr int kLane = 14;
  void SetTime(double t) { t_ = t; update(); }

 protected:
  double X(double t) const { return 10 + (width() - 20) * (run_ && run_->duration() > 0 ? t / run_->duration() : 0); }
  void resizeEvent(QResizeEvent* e) override {
    QWidget::resizeEvent(e);
    Relayout();
  }
  void paintEvent(QPaintEvent*) override {
    QPainter p(this);
    p.fillRect(rect(), QColor(250, 250, 250));
    p.setPen(QColor(120, 120, 120));
    const double axis = height() - 14;
    p.drawLine(QPointF(10, axis), QPointF(width() - 10, axis));
    if (!run_) return;
    // Overlapping fault windows go on lanes of their own, the label counted as part of its band.
    std::vector<double> lane_end;
    QFontMetrics fm(font());
    for (const auto& f : run_->faults()) {
      QString text = QString::fromStdString(f.kind + " @ " + f.target);
      double from = X(f.from), to = std::max(from + 2, X(f.to)), end = std::max(to, from + fm.horizontalAdvance(text) + 8);
      size_t lane = 0;
      while (lane < lane_end.size() && lane_end[lane] > from) ++lane;
      if (lane == lane_end.size()) lane_end.push_back(0);
      lane_end[lane] = end;
      QRectF band(from, 4 + kLane * static_cast<double>(lane), to - from, kLane - 2);
      p.fillRect(band, QColor(211, 47, 47, 70));
      p.setPen(QColor(150, 30, 30));
      p.drawText(QRectF(from + 3, band.top(), end - from, band.height()), Qt::AlignVCenter, text);
    }
    for (int s = 0; s <= 10; ++s) {
      double t = run_->duration() * s / 10;
      p.setPen(QColor(120, 120, 120));
      p.drawLine(QPointF(X(t), axis - 3), QPointF(X(t), axis + 3));
      p.drawText(QPointF(X(t) - 10, axis + 13), QString::number(t, 'g', 4) + "s");
    }
    if (run_->interrupted()) {
      // The run stopped here: say so at the end of the scale instead of drawing the planned end.
      p.setPen(QPen(QColor(183, 28, 28), 2));
      p.drawLine(QPointF(X(run_->duration()), 2), QPointF(X(run_->duration()), axis + 4));
      p.drawText(QRectF(X(run_->duration()) - 160, 2, 156, 14), Qt::AlignRight | Qt::AlignVCenter, "interrupted here");
    }
    p.setPen(QPen(QColor(25, 80, 200), 2));
    p.drawLine(QPointF(X(t_), 2), QPointF(X(t_), axis + 4));
  }
  void mousePressEvent(QMouseEvent* e) override { Seek(e->position().x()); }
  void mouseMoveEvent(QMouseEvent* e) override { Seek(e->position().x()); }
  void Seek(double x) {
    if (!run_) return;
    window_->SeekTo(std::clamp((x - 10) / std::max(1, width() - 20), 0.0, 1.0) * run_->duration());
  }

 private:
  ReplayWindow* window_;
  const RunModel* run_ = nullptr;
  double t_ = 0;
};

/// Metrics of the selected device over time: one small chart per metric (each with its own unit),
/// grouped by plane in tabs, each with the time cursor.
class ChartPanel : public QTabWidget {
 public:
  ChartPanel() { setMinimumHeight(200); }
  void Show(const RunModel& run, const std::string& device, double t) {
    if (device != device_ || &run != run_) {
      device_ = device;
      run_ = &run;
      Rebuild();
    }
    for (auto& c : cursors_) {
      c.series->replace({QPointF(t, c.lo), QPointF(t, c.hi)});
    }
  }

 private:
  struct Cursor {
    QLineSeries* series;
    double lo, hi;
  };
  void Rebuild() {
    int current = currentIndex();
    while (count() > 0) {
      QWidget* w = widget(0);
      removeTab(0);
      delete w;
    }
    cursors_.clear();
    // What the reference texts ask to watch per plane (DESIGN.md, "Observability").
    static const std::vector<std::tuple<std::string, std::string, std::string>> kMetrics = {
        {"data", "goodput_bps", "throughput (bit/s)"},       {"data", "forwarded_bps", "throughput (bit/s)"},
        {"data", "latency_p99", "p99 latency (s)"},          {"data", "loss_ratio", "loss ratio (0-1)"},
        {"data", "drop_ratio", "transit drop ratio (0-1)"},        {"control", "convergence_p99", "convergence p99 (s)"},
        {"control", "cpu_utilization", "CPU busy (0-1)"},          {"control", "adjacencies_up", "adjacencies / sessions up"},
        {"control", "rib_fib_divergence", "RIB-FIB divergence (routes)"}, {"management", "oob_reachable", "OOB path up (0/1)"},
        {"management", "polls_answered", "polls answered"},  {"management", "telemetry_lag", "telemetry lag (s)"},
        {"management", "stale_devices", "stale dashboard entries"},
        // The orchestrated cluster's kinds.
        {"data", "error_ratio", "error ratio (0-1, refused + timed out)"}, {"data", "ready_pods", "pods serving"},
        {"data", "refused", "requests refused (cumulative)"},   {"data", "lb_targets", "load-balancer targets"},
        {"data", "proposals_pending", "writes awaiting apply"}, {"control", "has_leader", "store has a leader (0/1)"},
        {"control", "wal_fsync_duration_p99", "WAL fsync p99 (s)"}, {"control", "leader_changes", "leader changes"},
        {"control", "latency_update_p99", "API update p99 (s)"}, {"control", "inflight", "API requests in flight"},
        {"control", "pending_pods", "pending pods"},            {"control", "workqueue_depth", "work queue depth"},
        {"control", "pods_running", "pods running"},            {"control", "lease_renew_failures", "lease renew failures"},
        {"control", "instances_running", "instances running"},  {"management", "kubectl_latency_p99", "kubectl p99 (s)"},
        {"management", "nodes_ready", "nodes Ready (kubectl)"}, {"management", "rollouts_in_progress", "rollouts in progress"}};
    for (const std::string plane : {"data", "control", "management"}) {
      auto* page = new QWidget;
      auto* grid = new QGridLayout(page);
      int n = 0;
      for (const auto& [p, metric, label] : kMetrics) {
        if (p != plane) continue;
        auto values = run_->Series(device_, plane, metric);
        if (values.empty()) continue;
        auto* chart = new QChart();
        chart->setTitle(QString::fromStdString(label));
        chart->legend()->hide();
        chart->setMargins(QMargins(2, 2, 2, 2));
        auto* x = new QValueAxis;
        x->setRange(0, std::max(1.0, run_->duration()));
        x->setLabelFormat("%.0f s");
        x->setTickCount(5);
        auto* y = new QValueAxis;
        auto* line = new QLineSeries;
        double lo = 0, hi = 0;
        for (const auto& [ts, v] : values) hi = std::max(hi, v);
        // Rates in the unit that reads best: bit/s, kbit/s, Mbit/s, Gbit/s.
        double scale = 1;
        if (metric.size() > 4 && metric.compare(metric.size() - 4, 4, "_bps") == 0) {
          const char* unit = "bit/s";
          for (auto [f, u] : {std::pair{1e3, "kbit/s"}, std::pair{1e6, "Mbit/s"}, std::pair{1e9, "Gbit/s"}}) {
            if (hi >= f) scale = f, unit = u;
          }
          QString title = QString::fromStdString(label);
          chart->setTitle(title.replace("bit/s", unit));
        }
        hi = 0;
        bool integral = scale == 1;  // counters and flags: integer ticks
        for (const auto& [ts, raw] : values) {
          double v = raw / scale;
          line->append(ts, v);
          hi = std::max(hi, v);
          lo = std::min(lo, v);
          integral &= std::floor(v) == v;
        }
        if (integral && hi - lo < 100000) {
          lo = std::floor(lo);
          // A round step (1, 2 or 5 times a power of ten) giving at most five intervals.
          double raw = std::max(1.0, (hi - lo) / 5), mag = std::pow(10, std::floor(std::log10(raw))), step = mag;
          for (double m : {1.0, 2.0, 5.0, 10.0}) {
            if (m * mag >= raw) {
              step = m * mag;
              break;
            }
          }
          hi = lo + std::max(1.0, std::ceil((hi - lo) / step)) * step;
          y->setTickType(QValueAxis::TicksDynamic);
          y->setTickAnchor(lo);
          y->setTickInterval(step);
          y->setLabelFormat("%.0f");
          y->setRange(lo, hi);
        } else {
          if (hi <= lo) hi = lo + 1;  // an all-zero series: a 0..1 axis, not 1e-09
          y->setRange(lo, hi);
          y->applyNiceNumbers();
          y->setLabelFormat("%.3g");
        }
        lo = y->min();
        hi = y->max();
        chart->addAxis(x, Qt::AlignBottom);
        chart->addAxis(y, Qt::AlignLeft);
        chart->addSeries(line);
        line->attachAxis(x);
        line->attachAxis(y);
        auto* cursor = new QLineSeries;
        cursor->setColor(QColor(25, 80, 200));
        chart->addSeries(cursor);
        cursor->attachAxis(x);
        cursor->attachAxis(y);
        cursors_.push_back({cursor, lo, hi});
        auto* view = new QChartView(chart);
        view->setRenderHint(QPainter::Antialiasing);
        view->setMinimumHeight(150);
        grid->addWidget(view, 0, n++);
      }
      if (n == 0) grid->addWidget(new QLabel("no metrics recorded for this plane"), 0, 0);
      addTab(page, QString::fromStdString(device_ + ": " + plane));
    }
    if (current >= 0 && current < count()) setCurrentIndex(current);
  }
  const RunModel* run_ = nullptr;
  std::string device_;
  std::vector<Cursor> cursors_;
};

/// A device box that explains itself on hover with its current plane states and key metrics.
class DeviceBox : public QGraphicsRectItem {
 public:
  enum class Shape { kDevice, kSwitch, kController, kIstiod };
  DeviceBox(QRectF r, std::function<QString()> describe, Shape shape = Shape::kDevice)
      : QGraphicsRectItem(r), describe_(std::move(describe)), shape_(shape) {
    setAcceptHoverEvents(true);
  }
  Shape box_shape() const { return shape_; }
  // An OpenFlow switch: an octagon-cornered box (a switch chassis) in teal; an SDN controller: a rounded box with
  // a double amber border (a server running the controller); other kinds: the plain box.
  void paint(QPainter* p, const QStyleOptionGraphicsItem* o, QWidget* w) override {
    if (shape_ == Shape::kDevice) return QGraphicsRectItem::paint(p, o, w);
    QRectF r = rect();
    p->setRenderHint(QPainter::Antialiasing);
    if (shape_ == Shape::kSwitch) {
      const double c = 9;
      QPolygonF poly({QPointF(r.left() + c, r.top()), QPointF(r.right() - c, r.top()), QPointF(r.right(), r.top() + c),
                      QPointF(r.right(), r.bottom() - c), QPointF(r.right() - c, r.bottom()), QPointF(r.left() + c, r.bottom()),
                      QPointF(r.left(), r.bottom() - c), QPointF(r.left(), r.top() + c)});
      p->setPen(QPen(kSwitchEdge, 2));
      p->setBrush(kSwitchFill);
      p->drawPolygon(poly);
    } else if (shape_ == Shape::kIstiod) {
      // istiod: a box with Istio's blue double border and a sail in its corner (the mesh's control plane).
      p->setPen(QPen(kIstiodEdge, 2));
      p->setBrush(kIstiodFill);
      p->drawRect(r);
      p->setBrush(Qt::NoBrush);
      p->drawRect(r.adjusted(3, 3, -3, -3));
      p->setPen(Qt::NoPen);
      p->setBrush(kIstiodEdge);
      p->drawPolygon(QPolygonF({QPointF(r.right() - 13, r.top() + 5), QPointF(r.right() - 13, r.top() + 16),
                                QPointF(r.right() - 5, r.top() + 16)}));
    } else {
      p->setPen(QPen(kControllerEdge, 2));
      p->setBrush(kControllerFill);
      p->drawRoundedRect(r, 12, 12);
      p->setBrush(Qt::NoBrush);
      p->drawRoundedRect(r.adjusted(3, 3, -3, -3), 9, 9);
    }
    if (isSelected()) {
      p->setPen(QPen(Qt::black, 1, Qt::DashLine));
      p->setBrush(Qt::NoBrush);
      p->drawRect(r);
    }
  }
  static inline const QColor kSwitchEdge{0, 105, 92}, kSwitchFill{224, 242, 241};
  static inline const QColor kControllerEdge{191, 120, 0}, kControllerFill{255, 243, 214};
  static inline const QColor kIstiodEdge{70, 107, 176}, kIstiodFill{227, 235, 248};

 protected:
  void hoverEnterEvent(QGraphicsSceneHoverEvent* e) override {
    setToolTip(describe_());
    QGraphicsRectItem::hoverEnterEvent(e);
  }

 private:
  std::function<QString()> describe_;
  Shape shape_;
};

/// The OpenFlow channel's line: teal while up (thicker to the switch's master), red dotted once lost, grey dashed
/// while never yet connected.
QPen ChannelPen(const std::string& state, const std::string& role) {
  if (state == "up") {
    QPen pen(QColor(0, 150, 136), role == "master" ? 3.5 : 1.6, Qt::DashDotLine);
    pen.setCapStyle(Qt::FlatCap);
    return pen;
  }
  if (state == "down") return QPen(HealthColor("down"), 2, Qt::DotLine);
  return QPen(QColor(160, 160, 160), 1.2, Qt::DashLine);
}

/// The xDS streams of a box's sidecars to istiod: Istio blue while every one is connected, amber while some are,
/// red dotted once all are lost (the sidecars run on their last configuration).
QPen XdsPen(const std::string& state) {
  if (state == "up") return QPen(DeviceBox::kIstiodEdge, 2.2, Qt::DashDotLine);
  if (state == "partial") return QPen(HealthColor("degraded"), 1.6, Qt::DashLine);
  if (state == "down") return QPen(HealthColor("down"), 2, Qt::DotLine);
  return QPen(QColor(160, 160, 160), 1.2, Qt::DashLine);
}

/// Envoy's colour, for the sidecars' hexagon.
const QColor kEnvoy(172, 97, 153);

/// The Envoy sidecars under a node, a collapsed group of nodes or a service client: a hexagon with how many, then
/// three squares: X the xDS stream to istiod, C the configuration, T the workload certificate (mTLS).
class SidecarStrip : public QGraphicsRectItem {
 public:
  explicit SidecarStrip(QRectF r) : QGraphicsRectItem(r) { setAcceptHoverEvents(true); }
  void Set(int n, const QColor& xds, const QColor& config, const QColor& cert, const QString& tip) {
    if (n == n_ && xds == xds_ && config == config_ && cert == cert_ && tip == toolTip()) return;
    n_ = n;
    xds_ = xds;
    config_ = config;
    cert_ = cert;
    setToolTip(tip);
    update();
  }

 protected:
  void paint(QPainter* p, const QStyleOptionGraphicsItem*, QWidget*) override {
    QRectF r = rect();
    p->setRenderHint(QPainter::Antialiasing);
    p->setPen(QPen(kEnvoy, 1));
    p->setBrush(QColor(248, 236, 245));
    p->drawRoundedRect(r, 3, 3);
    const double cy = r.center().y(), hr = r.height() / 2 - 2;
    QPolygonF hex;
    for (int k = 0; k < 6; ++k) {
      double a = M_PI / 3 * k;
      hex << QPointF(r.left() + 3 + hr + hr * std::cos(a), cy + hr * std::sin(a));
    }
    p->setPen(Qt::NoPen);
    p->setBrush(kEnvoy);
    p->drawPolygon(hex);
    QFont f = p->font();
    f.setPointSizeF(6.5);
    f.setBold(true);
    p->setFont(f);
    p->setPen(kEnvoy);
    const double sq = r.height() - 4;
    const double right = r.right() - 2 - 3 * (sq + 2);
    p->drawText(QRectF(r.left() + 5 + 2 * hr, r.top(), right - r.left() - 5 - 2 * hr, r.height()),
                Qt::AlignLeft | Qt::AlignVCenter, n_ >= 10000 ? QString("%1k").arg(n_ / 1000) : QString::number(n_));
    const QColor colours[3] = {xds_, config_, cert_};
    const char* letters[3] = {"X", "C", "T"};
    f.setPointSizeF(5.5);
    p->setFont(f);
    for (int k = 0; k < 3; ++k) {
      QRectF box(right + 2 + k * (sq + 2), r.top() + 2, sq, sq);
      p->setPen(QPen(QColor(60, 60, 60), 0.8));
      p->setBrush(colours[k]);
      p->drawRect(box);
      p->setPen(Qt::white);
      p->drawText(box, Qt::AlignCenter, letters[k]);
    }
  }

 private:
  int n_ = -1;
  QColor xds_, config_, cert_;
};

/// A collapsed group: one box with its name, how many members are down or degraded, and per plane a strip of
/// its members' health (each pixel the worst of the members it stands for). A click expands it.
class GroupBox : public QGraphicsRectItem {
 public:
  GroupBox(QRectF r, QString label, std::vector<std::string> planes, std::function<void()> on_click)
      : QGraphicsRectItem(r), label_(std::move(label)), planes_(std::move(planes)), on_click_(std::move(on_click)) {
    setAcceptHoverEvents(true);
    setCursor(Qt::PointingHandCursor);
    sev_.assign(planes_.size(), {});
  }
  const std::vector<std::string>& planes() const { return planes_; }
  void SetStates(std::vector<std::vector<uint8_t>> sev) {
    if (sev == sev_) return;
    sev_ = std::move(sev);
    down_ = degraded_ = 0;
    size_t n = sev_.empty() ? 0 : sev_[0].size();
    for (size_t m = 0; m < n; ++m) {
      uint8_t worst = 0;
      for (const auto& p : sev_) worst = std::max(worst, m < p.size() ? p[m] : uint8_t{0});
      down_ += worst == 4;
      degraded_ += worst == 3;
    }
    update();
  }
  QGraphicsRectItem* mismatch = nullptr;

 protected:
  void paint(QPainter* p, const QStyleOptionGraphicsItem*, QWidget*) override {
    QRectF r = rect();
    // Drawn as a small stack of boxes: it stands for many.
    p->setPen(QPen(QColor(90, 90, 90), 2));
    p->setBrush(QColor(238, 238, 238));
    p->drawRect(r);
    p->setPen(QPen(QColor(190, 190, 190), 1));
    p->drawRect(r.adjusted(3, 3, -3, -3));
    QFont f = p->font();
    f.setBold(true);
    p->setFont(f);
    p->setPen(Qt::black);
    p->drawText(QRectF(r.left() + 4, r.top() + 1, r.width() - 8, 16), Qt::AlignLeft | Qt::AlignVCenter, label_);
    f.setBold(false);
    f.setPointSizeF(f.pointSizeF() * 0.8);
    p->setFont(f);
    QString counts = down_ || degraded_ ? QString("%1 down, %2 degraded").arg(down_).arg(degraded_) : QString("all up");
    p->setPen(down_ ? QColor(183, 28, 28) : QColor(80, 80, 80));
    p->drawText(QRectF(r.left() + 4, r.top() + 15, r.width() - 8, 12), Qt::AlignLeft | Qt::AlignVCenter, counts);
    for (size_t k = 0; k < planes_.size(); ++k) {
      double y = r.top() + 29 + 12.0 * static_cast<double>(k);
      p->setPen(Qt::black);
      p->drawText(QRectF(r.left() + 4, y - 1, 12, 11), Qt::AlignCenter, PlaneLetter(planes_[k]));
      double x0 = r.left() + 18, w = r.width() - 24;
      const auto& v = sev_[k];
      size_t n = v.size(), buckets = std::min<size_t>(n, static_cast<size_t>(w));
      // Healthy cells first, then the degraded and down ones at least 3 units wide: one bad member of a
      // thousand still shows.
      for (int pass = 0; pass < 2; ++pass) {
        for (size_t b = 0; b < buckets; ++b) {
          uint8_t worst = 0;
          for (size_t m = b * n / buckets; m < (b + 1) * n / buckets; ++m) worst = std::max(worst, v[m]);
          bool bad = worst >= 3;
          if (bad != (pass == 1)) continue;
          double bw = w / static_cast<double>(buckets) + 0.3, bx = x0 + w * static_cast<double>(b) / static_cast<double>(buckets);
          if (bad && bw < 3) bx = std::clamp(bx - (3 - bw) / 2, x0, x0 + w - 3), bw = 3;
          p->fillRect(QRectF(bx, y, bw, 9), SeverityColor(worst));
        }
      }
      p->setPen(QColor(120, 120, 120));
      p->setBrush(Qt::NoBrush);
      p->drawRect(QRectF(x0, y, w, 9));
    }
  }
  void hoverEnterEvent(QGraphicsSceneHoverEvent* e) override {
    setToolTip(QString("<b>%1</b>: %2 down, %3 degraded<br>strips: each member's plane health, left to right in "
                       "run order<br>click to expand")
                   .arg(label_).arg(down_).arg(degraded_));
    QGraphicsRectItem::hoverEnterEvent(e);
  }
  void mousePressEvent(QGraphicsSceneMouseEvent* e) override { e->accept(); }
  void mouseReleaseEvent(QGraphicsSceneMouseEvent* e) override {
    e->accept();
    if (on_click_) on_click_();
  }

 private:
  QString label_;
  std::vector<std::string> planes_;
  std::vector<std::vector<uint8_t>> sev_;  // plane -> member -> severity
  int down_ = 0, degraded_ = 0;
  std::function<void()> on_click_;
};

/// Devices or groups x time, each cell the worst plane's health then (truth or reported): the whole run at a
/// glance. A pixel that stands for several rows or instants shows the worst of them. A click seeks there and
/// selects the device (the worst member of a group).
class HealthMatrix : public QWidget {
 public:
  explicit HealthMatrix(ReplayWindow* w) : QWidget(w), window_(w) {
    setObjectName("health-matrix");
    setMinimumHeight(120);
    setMouseTracking(true);
  }
  void SetRun(const RunModel* run) {
    run_ = run;
    devices_.clear();
    index_.clear();
    actual_.clear();
    reported_.clear();
    double d = run->duration();
    cols_ = static_cast<int>(std::clamp(std::ceil(d / std::max(1e-6, run->HealthInterval())), 1.0, 600.0));
    std::vector<double> times(static_cast<size_t>(cols_));
    for (int c = 0; c < cols_; ++c) times[static_cast<size_t>(c)] = d * (c + 1) / cols_;  // the sample ending the column
    for (const auto& dev : run->devices()) {
      std::vector<uint8_t> a(times.size(), 0), r(times.size(), 0);
      for (const auto& plane : run->PlanesOf(dev.id)) {
        auto states = run->StatesAt(dev.id, plane, times);
        for (size_t c = 0; c < times.size(); ++c) {
          a[c] = std::max(a[c], Severity(states[c].actual));
          r[c] = std::max(r[c], Severity(states[c].reported));
        }
      }
      index_[dev.id] = devices_.size();
      devices_.push_back(dev.id);
      actual_.push_back(std::move(a));
      reported_.push_back(std::move(r));
    }
    Invalidate();
  }
  void SetRows(const Layout& layout) {
    box_rows_.clear();
    for (const auto& b : layout.boxes) {
      Row row{QString::fromStdString(b.group ? b.label : b.id), {}};
      for (const auto& m : b.members) row.devices.push_back(index_[m]);
      box_rows_.push_back(std::move(row));
    }
    device_rows_.clear();
    for (size_t i = 0; i < devices_.size(); ++i) device_rows_.push_back({QString::fromStdString(devices_[i]), {i}});
    Invalidate();
  }
  void SetPerDevice(bool on) {
    per_device_ = on;
    Invalidate();
  }
  void SetReported(bool on) {
    if (on == reported_view_) return;
    reported_view_ = on;
    Invalidate();
  }
  void SetTime(double t) {
    if (t == t_) return;
    t_ = t;
    update();
  }
  bool reported_view() const { return reported_view_; }
  int rows() const { return static_cast<int>(Rows().size()); }
  int columns() const { return cols_; }
  /// The colour of a row at a time (for tests).
  QColor CellColor(int row, double t) const {
    if (row < 0 || row >= rows() || !run_) return {};
    int c = std::clamp(static_cast<int>(t / std::max(1e-9, run_->duration()) * cols_), 0, cols_ - 1);
    return SeverityColor(RowSeverity(Rows()[static_cast<size_t>(row)], c));
  }
  QString RowName(int row) const { return row >= 0 && row < rows() ? Rows()[static_cast<size_t>(row)].name : QString(); }

 protected:
  static constexpr int kGutter = 130, kTop = 16;
  struct Row {
    QString name;
    std::vector<size_t> devices;
  };
  const std::vector<Row>& Rows() const { return per_device_ ? device_rows_ : box_rows_; }
  uint8_t RowSeverity(const Row& r, int c) const {
    const auto& track = reported_view_ ? reported_ : actual_;
    uint8_t worst = 0;
    for (size_t d : r.devices) worst = std::max(worst, track[d][static_cast<size_t>(c)]);
    return worst;
  }
  void Invalidate() {
    cache_ = QImage();
    update();
  }
  QRect Plot() const { return QRect(kGutter, kTop, std::max(1, width() - kGutter - 20), std::max(1, height() - kTop - 4)); }
  void resizeEvent(QResizeEvent* e) override {
    QWidget::resizeEvent(e);
    cache_ = QImage();
  }
  void paintEvent(QPaintEvent*) override {
    QPainter p(this);
    p.fillRect(rect(), QColor(250, 250, 250));
    if (!run_ || Rows().empty()) return;
    QRect plot = Plot();
    const auto& rows = Rows();
    int n = static_cast<int>(rows.size());
    if (cache_.isNull()) {
      // One pixel row per plot pixel (each the worst of the rows it covers), one column per instant.
      int h = plot.height();
      cache_ = QImage(cols_, h, QImage::Format_RGB32);
      std::vector<uint8_t> worst(static_cast<size_t>(cols_));
      int last_r0 = -1, last_r1 = -1;
      for (int y = 0; y < h; ++y) {
        int r0 = static_cast<int>(static_cast<long>(y) * n / h), r1 = std::max(r0 + 1, static_cast<int>(static_cast<long>(y + 1) * n / h));
        if (r0 != last_r0 || r1 != last_r1) {
          std::fill(worst.begin(), worst.end(), 0);
          for (int r = r0; r < r1; ++r) {
            for (int c = 0; c < cols_; ++c) worst[static_cast<size_t>(c)] = std::max(worst[static_cast<size_t>(c)], RowSeverity(rows[static_cast<size_t>(r)], c));
          }
          last_r0 = r0;
          last_r1 = r1;
        }
        auto* line = reinterpret_cast<QRgb*>(cache_.scanLine(y));
        for (int c = 0; c < cols_; ++c) line[c] = SeverityColor(worst[static_cast<size_t>(c)]).rgb();
      }
    }
    p.drawImage(plot, cache_);
    // Row names where they fit, else how many rows there are.
    p.setPen(Qt::black);
    double rh = static_cast<double>(plot.height()) / n;
    int every = static_cast<int>(std::ceil(12 / std::max(1e-9, rh)));
    if (every <= 4) {
      for (int r = 0; r < n; r += every) {
        p.drawText(QRectF(2, plot.top() + rh * r + rh / 2 - 7, kGutter - 6, 14), Qt::AlignRight | Qt::AlignVCenter,
                   p.fontMetrics().elidedText(rows[static_cast<size_t>(r)].name, Qt::ElideMiddle, kGutter - 8));
      }
    } else {
      p.drawText(QRect(2, plot.top(), kGutter - 6, plot.height()), Qt::AlignRight | Qt::AlignVCenter | Qt::TextWordWrap,
                 QString("%1 %2\n(each pixel row the worst of those it covers)").arg(n).arg(per_device_ ? "devices" : "rows"));
    }
    // Time scale and the cursor.
    p.setPen(QColor(90, 90, 90));
    for (int s = 0; s <= 10; ++s) {
      double x = plot.left() + plot.width() * s / 10.0;
      p.drawLine(QPointF(x, plot.top() - 3), QPointF(x, plot.top()));
      p.drawText(QPointF(x - 10, plot.top() - 4), QString::number(run_->duration() * s / 10, 'g', 4) + "s");
    }
    p.drawText(QRect(2, 0, kGutter, kTop), Qt::AlignLeft | Qt::AlignVCenter, reported_view_ ? "reported" : "truth (actual)");
    double x = plot.left() + plot.width() * (run_->duration() > 0 ? t_ / run_->duration() : 0);
    p.setPen(QPen(QColor(25, 80, 200), 2));
    p.drawLine(QPointF(x, plot.top() - 2), QPointF(x, plot.bottom()));
  }
  std::pair<int, double> At(QPointF pos) const {
    QRect plot = Plot();
    int n = rows();
    int r = std::clamp(static_cast<int>((pos.y() - plot.top()) * n / std::max(1, plot.height())), 0, std::max(0, n - 1));
    double t = std::clamp((pos.x() - plot.left()) / plot.width(), 0.0, 1.0) * run_->duration();
    return {r, t};
  }
  void mousePressEvent(QMouseEvent* e) override;
  void mouseMoveEvent(QMouseEvent* e) override {
    if (!run_ || rows() == 0 || e->position().x() < kGutter) return;
    auto [r, t] = At(e->position());
    const Row& row = Rows()[static_cast<size_t>(r)];
    int c = std::clamp(static_cast<int>(t / std::max(1e-9, run_->duration()) * cols_), 0, cols_ - 1);
    setToolTip(QString("%1 at %2 s: %3").arg(row.name).arg(t, 0, 'f', 1).arg(kStates[RowSeverity(row, c)]));
  }

 private:
  ReplayWindow* window_;
  const RunModel* run_ = nullptr;
  int cols_ = 1;
  std::vector<std::string> devices_;
  std::map<std::string, size_t> index_;
  std::vector<std::vector<uint8_t>> actual_, reported_;  // device -> column -> worst plane's severity
  std::vector<Row> box_rows_, device_rows_;
  bool per_device_ = false, reported_view_ = false;
  double t_ = -1;
  QImage cache_;
};

void HealthMatrix::mousePressEvent(QMouseEvent* e) {
  if (!run_ || rows() == 0) return;
  auto [r, t] = At(e->position());
  const Row& row = Rows()[static_cast<size_t>(r)];
  int c = std::clamp(static_cast<int>(t / std::max(1e-9, run_->duration()) * cols_), 0, cols_ - 1);
  const auto& track = reported_view_ ? reported_ : actual_;
  size_t worst = row.devices.front();
  for (size_t d : row.devices) {
    if (track[d][static_cast<size_t>(c)] > track[worst][static_cast<size_t>(c)]) worst = d;
  }
  window_->SeekTo(t);
  window_->SelectDevice(QString::fromStdString(devices_[worst]));
}

/// What the colours and marks mean, under the topology.
class Legend : public QWidget {
 public:
  /// Whether the run has a service mesh: istiod's shape, the sidecar strip and the xDS stream's line join the legend.
  void SetMesh(bool mesh) {
    if (mesh == mesh_) return;
    mesh_ = mesh;
    setProperty("entries", Entries());
    QResizeEvent e(size(), size());
    resizeEvent(&e);
    update();
  }
  /// Whether the run has an SDN fabric: its shapes and the OpenFlow channel's line join the legend.
  void SetSdn(bool sdn) {
    if (sdn == sdn_) return;
    sdn_ = sdn;
    setProperty("entries", Entries());
    QResizeEvent e(size(), size());
    resizeEvent(&e);
    update();
  }
  Legend() {
    setObjectName("legend");
    setProperty("entries", Entries());
    setFixedHeight(22);
    setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
  }
  QStringList Entries() const {
    QStringList e = {"up", "degraded", "down", "unknown", "absent", "D C M: data, control, management plane", "link idle",
                     "link busy (thicker = fuller)", "link cut", "out-of-band", "red frame: truth and report disagree",
                     "group: click to expand"};
    if (sdn_) {
      e << "OpenFlow switch" << "SDN controller" << "OpenFlow channel up (thick: master)" << "OpenFlow channel lost";
    }
    if (mesh_) {
      e << "istiod" << "Envoy sidecars: X xDS to istiod, C configuration, T certificate" << "xDS streams up"
        << "xDS streams lost (last configuration)";
    }
    return e;
  }

 protected:
  void paintEvent(QPaintEvent*) override {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.fillRect(rect(), QColor(250, 250, 250));
    Draw(&p, width());
  }
  void resizeEvent(QResizeEvent* e) override {
    QWidget::resizeEvent(e);
    QImage scratch(1, 1, QImage::Format_RGB32);
    QPainter p(&scratch);
    p.setFont(font());
    int h = static_cast<int>(Draw(&p, width(), true));
    if (h != height()) setFixedHeight(h);
  }
  /// Draws the entries, wrapping to a new line where one would not fit; returns the height used.
  double Draw(QPainter* painter, int width, bool measure_only = false) {
    QPainter& p = *painter;
    const QStringList e = Entries();
    QFontMetrics fm(font());
    const double line_h = 20;
    double x = 6, cy = line_h / 2;
    // Each entry: a mark of `mark` pixels and its words; a new line when it would pass the right edge.
    auto entry = [&](double mark, const QString& s, const std::function<void(double, double)>& draw) {
      double w = mark + fm.horizontalAdvance(s) + 14;
      if (x + w > width && x > 6) {
        x = 6;
        cy += line_h;
      }
      if (!measure_only) {
        if (draw) draw(x, cy);
        p.setPen(Qt::black);
        p.drawText(QPointF(x + mark, cy + fm.ascent() / 2.0 - 1), s);
      }
      x += w;
    };
    for (int i = 0; i < 5; ++i) {
      QColor c = HealthColor(e[i].toStdString());
      entry(15, e[i], [&](double x0, double y) {
        p.setPen(Qt::black);
        p.setBrush(c);
        p.drawEllipse(QPointF(x0 + 6, y), 6, 6);
      });
    }
    entry(0, e[5], nullptr);
    auto line = [&](QPen pen, const QString& s) {
      entry(30, s, [&, pen](double x0, double y) {
        p.setPen(pen);
        p.drawLine(QPointF(x0, y), QPointF(x0 + 26, y));
      });
    };
    line(QPen(QColor(150, 150, 150), 2), e[6]);
    line(QPen(QColor(170, 40, 190), 6), e[7]);
    line(QPen(HealthColor("down"), 3, Qt::DotLine), e[8]);
    line(QPen(QColor(120, 140, 200), 1, Qt::DashLine), e[9]);
    entry(26, e[10].mid(11), [&](double x0, double y) {
      p.setPen(QPen(QColor(211, 47, 47), 3));
      p.setBrush(Qt::NoBrush);
      p.drawRect(QRectF(x0 + 1, y - 7, 20, 14));
    });
    entry(26, e[11], [&](double x0, double y) {
      p.setPen(QPen(QColor(90, 90, 90), 2));
      p.setBrush(QColor(238, 238, 238));
      p.drawRect(QRectF(x0 + 1, y - 7, 20, 14));
    });
    if (sdn_) {
      // The SDN fabric's marks (issue 19): the two box shapes and the control channel's line style.
      entry(26, e[12], [&](double x0, double y) {
        const double c = 4, l = x0 + 1, r = x0 + 21, t = y - 7, b = y + 7;
        p.setPen(QPen(DeviceBox::kSwitchEdge, 2));
        p.setBrush(DeviceBox::kSwitchFill);
        p.drawPolygon(QPolygonF({QPointF(l + c, t), QPointF(r - c, t), QPointF(r, t + c), QPointF(r, b - c), QPointF(r - c, b),
                                 QPointF(l + c, b), QPointF(l, b - c), QPointF(l, t + c)}));
      });
      entry(26, e[13], [&](double x0, double y) {
        p.setPen(QPen(DeviceBox::kControllerEdge, 2));
        p.setBrush(DeviceBox::kControllerFill);
        p.drawRoundedRect(QRectF(x0 + 1, y - 7, 20, 14), 5, 5);
      });
      line(ChannelPen("up", "master"), e[14]);
      line(ChannelPen("down", ""), e[15]);
    }
    if (mesh_) {
      // The service mesh's marks (issue 20): istiod's box, the sidecars' strip and the xDS stream's line.
      const int m = sdn_ ? 16 : 12;
      entry(26, e[m], [&](double x0, double y) {
        p.setPen(QPen(DeviceBox::kIstiodEdge, 2));
        p.setBrush(DeviceBox::kIstiodFill);
        p.drawRect(QRectF(x0 + 1, y - 7, 20, 14));
      });
      entry(42, e[m + 1], [&](double x0, double y) {
        p.setPen(QPen(kEnvoy, 1));
        p.setBrush(QColor(248, 236, 245));
        p.drawRoundedRect(QRectF(x0 + 1, y - 6, 38, 12), 3, 3);
        p.setPen(Qt::NoPen);
        p.setBrush(kEnvoy);
        QPolygonF hex;
        for (int k = 0; k < 6; ++k) hex << QPointF(x0 + 8 + 4 * std::cos(M_PI / 3 * k), y + 4 * std::sin(M_PI / 3 * k));
        p.drawPolygon(hex);
        const QColor c[3] = {HealthColor("up"), HealthColor("degraded"), HealthColor("down")};
        for (int k = 0; k < 3; ++k) {
          p.setPen(QPen(QColor(60, 60, 60), 0.8));
          p.setBrush(c[k]);
          p.drawRect(QRectF(x0 + 15 + 8 * k, y - 4, 7, 8));
        }
      });
      line(XdsPen("up"), e[m + 2]);
      line(XdsPen("down"), e[m + 3]);
    }
    return cy + line_h / 2 + 2;
  }
  bool sdn_ = false;
  bool mesh_ = false;
};

/// The event log as a model over the run's events: a million rows cost no widgets; the filter keeps
/// the indices of the matching events.
class EventTableModel : public QAbstractTableModel {
 public:
  void SetRun(const RunModel* run) {
    beginResetModel();
    run_ = run;
    Filter({});
    endResetModel();
  }
  void SetFilter(const QStringList& words) {
    beginResetModel();
    Filter(words);
    endResetModel();
  }
  void SetCollapse(bool on) {
    beginResetModel();
    collapse_ = on;
    Filter(words_);
    endResetModel();
  }
  int rowCount(const QModelIndex& = {}) const override { return static_cast<int>(rows_.size()); }
  int columnCount(const QModelIndex& = {}) const override { return 5; }
  QVariant data(const QModelIndex& i, int role) const override {
    if ((role != Qt::DisplayRole && role != Qt::ToolTipRole) || !run_) return {};
    const EventInfo& e = run_->events()[rows_[static_cast<size_t>(i.row())]];
    if (role == Qt::ToolTipRole) {
      size_t n = counts_.empty() ? 1 : counts_[static_cast<size_t>(i.row())];
      QString what = QString::fromStdString(e.kind + " " + e.detail);
      if (n == 1) return what;
      return QString("%1 times from %2 s to %3 s (repetitions folded); the first: %4")
          .arg(n).arg(e.t, 0, 'f', 3).arg(last_[static_cast<size_t>(i.row())], 0, 'f', 3).arg(what);
    }
    size_t n = counts_.empty() ? 1 : counts_[static_cast<size_t>(i.row())];
    switch (i.column()) {
      case 0: return QString::number(e.t, 'f', 3);
      case 1: return QString::fromStdString(e.device);
      case 2: return QString::fromStdString(e.plane);
      case 3:
        if (n > 1) return QString("%1%2 %3").arg(QChar(0x00D7)).arg(n).arg(QString::fromStdString(e.kind));
        return QString::fromStdString(e.kind);
      default: return QString::fromStdString(e.detail);
    }
  }
  QVariant headerData(int section, Qt::Orientation o, int role) const override {
    static const char* kNames[] = {"t (s)", "device", "plane", "kind", "detail"};
    if (role != Qt::DisplayRole || o != Qt::Horizontal) return {};
    return kNames[section];
  }
  double TimeOf(int row) const { return run_->events()[rows_[static_cast<size_t>(row)]].t; }
  /// Last visible row at or before t, -1 if none (rows are in time order).
  int RowAt(double t) const {
    auto it = std::upper_bound(rows_.begin(), rows_.end(), t + 1e-9,
                               [this](double v, size_t idx) { return v < run_->events()[idx].t; });
    return static_cast<int>(it - rows_.begin()) - 1;
  }

 private:
  void Filter(const QStringList& words) {
    words_ = words;
    rows_.clear();
    counts_.clear();
    last_.clear();
    std::map<std::tuple<std::string, std::string, std::string>, size_t> recent;  // repetition -> its row
    if (!run_) return;
    for (size_t i = 0; i < run_->events().size(); ++i) {
      const EventInfo& e = run_->events()[i];
      bool show = true;
      for (const QString& w : words) {
        std::string needle = w.toLower().toStdString();
        auto has = [&](const std::string& s) {
          std::string l = s;
          std::transform(l.begin(), l.end(), l.begin(), ::tolower);
          return l.find(needle) != std::string::npos;
        };
        show &= has(e.device) || has(e.plane) || has(e.kind);
      }
      if (!show) continue;
      if (collapse_) {
        // A repetition (the same device, plane and kind as one of the last rows shown) folds into that row.
        auto key = std::make_tuple(e.device, e.plane, e.kind);
        auto it = recent.find(key);
        if (it != recent.end() && it->second + kFoldWindow >= rows_.size()) {
          ++counts_[it->second];
          last_[it->second] = e.t;
          continue;
        }
        recent[key] = rows_.size();
        counts_.push_back(1);
        last_.push_back(e.t);
      }
      rows_.push_back(i);
    }
  }
  static constexpr size_t kFoldWindow = 8;
  const RunModel* run_ = nullptr;
  bool collapse_ = false;
  QStringList words_;
  std::vector<size_t> rows_, counts_;
  std::vector<double> last_;
};

/// The topology canvas: wheel zooms.
class TopologyView : public QGraphicsView {
 public:
  TopologyView(QGraphicsScene* s, bool* user_zoomed) : QGraphicsView(s), user_zoomed_(user_zoomed) {}
  std::function<void()> on_resize;  // keeps the topology fitted until the user zooms

 protected:
  void resizeEvent(QResizeEvent* e) override {
    QGraphicsView::resizeEvent(e);
    if (on_resize && !*user_zoomed_) on_resize();
  }
  void wheelEvent(QWheelEvent* e) override {
    *user_zoomed_ = true;
    double f = e->angleDelta().y() > 0 ? 1.15 : 1 / 1.15;
    setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
    scale(f, f);
  }

 private:
  bool* user_zoomed_;
};

ReplayWindow::ReplayWindow() {
  setWindowTitle("PlaneLab replay");
  setAcceptDrops(true);
  resize(1400, 900);
  scene_ = new QGraphicsScene(this);
  view_ = new TopologyView(scene_, &user_zoomed_);
  view_->setObjectName("topology");
  static_cast<TopologyView*>(view_)->on_resize = [this]() { Fit(); };
  view_->setRenderHint(QPainter::Antialiasing);
  view_->setDragMode(QGraphicsView::ScrollHandDrag);
  timeline_ = new TimelineWidget(this);
  time_label_ = new QLabel("t = 0s");
  status_ = new QLabel;
  status_->setObjectName("status");
  status_->setWordWrap(true);
  auto* play = new QPushButton("Play/Pause (space)");
  connect(play, &QPushButton::clicked, this, &ReplayWindow::TogglePlay);
  speed_box_ = new QComboBox;
  for (double s : {0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 100.0}) speed_box_->addItem(QString::number(s) + "x", s);
  speed_box_->setCurrentIndex(2);
  connect(speed_box_, qOverload<int>(&QComboBox::currentIndexChanged), this,
          [this](int) { speed_ = speed_box_->currentData().toDouble(); });
  play_timer_ = new QTimer(this);
  play_timer_->setInterval(50);
  connect(play_timer_, &QTimer::timeout, this, [this]() {
    double next = t_ + 0.05 * speed_;
    if (next >= run_.duration()) {
      next = run_.duration();
      play_timer_->stop();
    }
    SeekTo(next);
  });

  auto* controls = new QHBoxLayout;
  controls->addWidget(play);
  controls->addWidget(new QLabel("speed"));
  controls->addWidget(speed_box_);
  controls->addWidget(time_label_);
  controls->addStretch();
  auto* central = new QWidget;
  auto* layout = new QVBoxLayout(central);
  layout->addWidget(status_);
  layout->addWidget(view_, 1);
  legend_ = new Legend;
  layout->addWidget(legend_);
  layout->addWidget(timeline_);
  layout->addLayout(controls);
  setCentralWidget(central);

  auto* log = new QWidget;
  auto* log_layout = new QVBoxLayout(log);
  filter_ = new QLineEdit;
  filter_->setPlaceholderText("filter events: device, plane or kind (e.g. r2, control, fault)");
  connect(filter_, &QLineEdit::textChanged, this, &ReplayWindow::SetEventFilter);
  events_ = new QTableView;
  event_model_ = new EventTableModel;
  event_model_->setParent(this);
  events_->setModel(event_model_);
  events_->horizontalHeader()->setStretchLastSection(true);
  events_->verticalHeader()->setDefaultSectionSize(20);
  events_->setSelectionBehavior(QAbstractItemView::SelectRows);
  events_->setSelectionMode(QAbstractItemView::SingleSelection);
  events_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  connect(events_, &QTableView::clicked, this,
          [this](const QModelIndex& i) { SeekTo(event_model_->TimeOf(i.row())); });
  auto* fold = new QCheckBox("fold repetitions (the same device, plane and kind again)");
  fold->setObjectName("fold-repeats");
  connect(fold, &QCheckBox::toggled, this, &ReplayWindow::SetCollapseRepeats);
  log_layout->addWidget(filter_);
  log_layout->addWidget(fold);
  log_layout->addWidget(events_);
  // Wide enough at the default size for the kind and the start of the detail.
  events_->setColumnWidth(0, 72);
  events_->setColumnWidth(1, 80);
  events_->setColumnWidth(2, 62);
  events_->setColumnWidth(3, 150);
  log->setMinimumWidth(520);
  auto* log_dock = new QDockWidget("Events", this);
  log_dock->setWidget(log);
  addDockWidget(Qt::RightDockWidgetArea, log_dock);
  chart_ = new ChartPanel;
  chart_->setMaximumHeight(260);
  auto* chart_dock = new QDockWidget("Metrics of the selected device", this);
  chart_dock->setWidget(chart_);
  addDockWidget(Qt::BottomDockWidgetArea, chart_dock);
  // The health matrix, in a tab beside the metrics.
  matrix_ = new HealthMatrix(this);
  auto* matrix_page = new QWidget;
  auto* matrix_layout = new QVBoxLayout(matrix_page);
  matrix_layout->setContentsMargins(2, 2, 2, 2);
  auto* rows_box = new QComboBox;
  rows_box->addItem("rows: the boxes drawn (groups collapsed)");
  rows_box->addItem("rows: every device");
  connect(rows_box, qOverload<int>(&QComboBox::currentIndexChanged), this, [this](int i) { matrix_->SetPerDevice(i == 1); });
  auto* matrix_bar = new QHBoxLayout;
  matrix_bar->addWidget(rows_box);
  matrix_bar->addWidget(new QLabel("each cell: the worst plane of the row's devices then (follows the truth/reported view); "
                                   "click to go there"));
  matrix_bar->addStretch();
  matrix_layout->addLayout(matrix_bar);
  matrix_layout->addWidget(matrix_, 1);
  matrix_dock_ = new QDockWidget("Health matrix", this);
  matrix_dock_->setObjectName("health-matrix-dock");
  matrix_dock_->setWidget(matrix_page);
  addDockWidget(Qt::BottomDockWidgetArea, matrix_dock_);
  tabifyDockWidget(chart_dock, matrix_dock_);
  chart_dock->raise();
  connect(scene_, &QGraphicsScene::selectionChanged, this, [this]() {
    for (auto* it : scene_->selectedItems()) {
      if (!it->data(0).toString().isEmpty()) SelectDevice(it->data(0).toString());
    }
  });

  // Window-wide keys, so they work whichever panel has the focus (the filter box keeps its typing).
  auto key = [this](QKeySequence k, std::function<void()> fn) {
    auto* a = new QAction(this);
    a->setShortcut(k);
    a->setShortcutContext(Qt::WindowShortcut);
    connect(a, &QAction::triggered, this, fn);
    addAction(a);
  };
  key(QKeySequence(Qt::Key_Space), [this]() { TogglePlay(); });
  key(QKeySequence(Qt::Key_Right), [this]() { StepEvent(+1); });
  key(QKeySequence(Qt::Key_Left), [this]() { StepEvent(-1); });
  key(QKeySequence(Qt::Key_Home), [this]() { SeekTo(0); });
  key(QKeySequence(Qt::Key_End), [this]() { SeekTo(run_.duration()); });
  auto* file = menuBar()->addMenu("&File");
  file->addAction("&Open run folder...", QKeySequence::Open, this, &ReplayWindow::OpenDialog);
  auto* recent = file->addMenu("Open &recent");
  connect(recent, &QMenu::aboutToShow, this, [this, recent]() {
    recent->clear();
    for (const QString& d : QSettings("PlaneLab", "replay").value("recent").toStringList()) {
      recent->addAction(d, this, [this, d]() { Open(d); });
    }
  });
  file->addAction("&Export PNG...", this, &ReplayWindow::ExportPng);
  file->addAction("Reveal the &truth (student bundle, answers submitted)", this, [this]() {
    if (!Reveal()) ShowError(last_error_);
  });
  auto* tools = addToolBar("View");
  view_action_ = tools->addAction("Operators' view (reported)");
  view_action_->setCheckable(true);
  view_action_->setShortcut(QKeySequence("R"));
  connect(view_action_, &QAction::toggled, this, &ReplayWindow::SetReportedView);
  tools->addAction("Collapse groups", this, [this]() { CollapseAll(); });
  tools->addAction("Health matrix", this, [this]() { ShowMatrix(); });
  tools->addAction("Fit", this, [this]() {
    user_zoomed_ = false;
    Fit();
  });
  tools->addAction("Zoom in", this, [this]() {
    user_zoomed_ = true;
    view_->scale(1.25, 1.25);
  });
  tools->addAction("Zoom out", this, [this]() {
    user_zoomed_ = true;
    view_->scale(0.8, 0.8);
  });
}

ReplayWindow::~ReplayWindow() = default;

void ReplayWindow::ShowError(const QString& message) {
  last_error_ = message;
  status_->setText("<b style='color:#b71c1c'>Cannot open the run:</b> " + message.toHtmlEscaped());
}

void ReplayWindow::ShowDamageIfAny() {
  if (run_.damage().empty() || last_error_ == damage()) return;
  last_error_ = damage();
  status_->setText("<b style='color:#b71c1c'>The run store is damaged; what is drawn may be wrong:</b> " +
                   last_error_.toHtmlEscaped());
}

bool ReplayWindow::Open(const QString& run_dir) {
  RunModel next;
  if (!next.Load(run_dir.toStdString())) {
    ShowError(QString::fromStdString(next.error()));
    return false;
  }
  run_ = std::move(next);
  last_error_.clear();
  setWindowTitle("PlaneLab replay - " + QString::fromStdString(run_.scenario()) +
                 (run_.interrupted() ? " (interrupted)" : ""));
  QString legend = "Truth shows what each plane actually did; the operators' view shows what the dashboard reported. "
                   "A red frame marks devices where the two disagree. Each dot is a plane, lettered D data, C control, "
                   "M management (the legend under the topology has the colours); big tiers and racks are drawn as one "
                   "box with a strip of their members' health: click it to expand.";
  truth_window_.reset();
  bundle_dir_ = run_.student_bundle() ? run_dir : QString();
  view_action_->setEnabled(!run_.student_bundle());
  if (run_.student_bundle()) {
    SetReportedView(true);
    status_->setText(QString("<b>Student bundle, exercise %1</b>: what the operators could see - the dashboard's reported "
                             "health, the monitoring station's series, the routers' logs. The truth is hidden until your "
                             "answers are submitted (planelab console: answer ..., submit)%2. %3 devices, %4 s.")
                         .arg(QString::fromStdString(run_.scenario()).toHtmlEscaped())
                         .arg(answers_submitted() ? "; they are: File > Reveal the truth" : "")
                         .arg(run_.devices().size())
                         .arg(run_.duration()));
  } else if (run_.interrupted()) {
    status_->setText(QString("<b style='color:#b71c1c'>Interrupted run:</b> %1. The replay ends there; faults still "
                             "active then are drawn to that end.<br><b>%2</b>: %3 devices, %4 events, %5 s of %6 s "
                             "recorded. %7")
                         .arg(QString::fromStdString(run_.InterruptionNote()).toHtmlEscaped())
                         .arg(QString::fromStdString(run_.scenario()).toHtmlEscaped())
                         .arg(run_.devices().size())
                         .arg(run_.events().size())
                         .arg(run_.duration())
                         .arg(run_.planned_duration())
                         .arg(legend));
  } else {
    status_->setText(QString("<b>%1</b>: %2 devices, %3 events, %4 s simulated. %5")
                         .arg(QString::fromStdString(run_.scenario()).toHtmlEscaped())
                         .arg(run_.devices().size())
                         .arg(run_.events().size())
                         .arg(run_.duration())
                         .arg(legend));
  }
  timeline_->SetRun(&run_);
  expanded_.clear();
  matrix_->SetRun(&run_);
  LoadSidecars();
  BuildScene();
  event_model_->SetRun(&run_);
  SetEventFilter(filter_->text());
  RememberRecent(run_dir);
  // Start on the first fault's target, the device the story is about.
  selected_.clear();
  for (const auto& f : run_.faults()) {
    if (layout_.box_of.count(f.target)) {
      selected_ = QString::fromStdString(f.target);
      break;
    }
  }
  if (selected_.isEmpty() && !run_.devices().empty()) selected_ = QString::fromStdString(run_.devices()[0].id);
  SeekTo(0);
  return true;
}

void ReplayWindow::BuildScene() {
  scene_->clear();
  items_.clear();
  sidecar_lines_.clear();
  link_lines_.clear();
  channel_lines_.clear();
  group_items_.clear();
  group_handles_.clear();
  layout_ = LayoutTopology(run_, true, expanded_);
  matrix_->SetRows(layout_);
  auto centre = [&](size_t i) {
    const LayoutBox& b = layout_.boxes[i];
    return QPointF(b.x + b.w / 2, b.y + b.h / 2);
  };
  // One line per pair of boxes and network: the links inside a collapsed group are not drawn, those between
  // groups are drawn once (cut when any of them is cut, as busy as the busiest).
  std::map<std::tuple<size_t, size_t, bool>, size_t> line_of;
  QPen link_pen(QColor(150, 150, 150), 2);
  QPen oob_pen(QColor(120, 140, 200), 1, Qt::DashLine);
  for (const auto& l : run_.links()) {
    auto ia = layout_.box_of.find(l.a), ib = layout_.box_of.find(l.b);
    if (ia == layout_.box_of.end() || ib == layout_.box_of.end() || ia->second == ib->second) continue;
    bool oob = l.network == "oob";
    auto key = std::make_tuple(std::min(ia->second, ib->second), std::max(ia->second, ib->second), oob);
    auto it = line_of.find(key);
    if (it != line_of.end()) {
      link_lines_[it->second].links.push_back(l.id);
      continue;
    }
    auto* line = scene_->addLine(QLineF(centre(ia->second), centre(ib->second)), oob ? oob_pen : link_pen);
    line->setZValue(-1);
    line_of[key] = link_lines_.size();
    link_lines_.push_back({line, oob, {l.id}});
  }
  // The OpenFlow control channels (switch <-> controller): a curve of their own beside the control network's
  // links, one per pair of boxes.
  std::map<std::pair<size_t, size_t>, size_t> channel_of;
  for (const auto& ch : run_.control_channels()) {
    auto is = layout_.box_of.find(ch.sw), ic = layout_.box_of.find(ch.controller);
    if (is == layout_.box_of.end() || ic == layout_.box_of.end() || is->second == ic->second) continue;
    auto key = std::make_pair(is->second, ic->second);
    auto it = channel_of.find(key);
    if (it != channel_of.end()) {
      channel_lines_[it->second].channels.push_back(&ch);
      continue;
    }
    QPointF a = centre(is->second), b = centre(ic->second);
    QPointF mid = (a + b) / 2, d = b - a;
    QPointF normal(-d.y(), d.x());
    double len = std::hypot(d.x(), d.y());
    if (len > 0) normal *= 0.12;  // bow the curve sideways by 12 % of its length, off the straight links
    QPainterPath path(a);
    path.quadTo(mid + normal, b);
    auto* item = scene_->addPath(path, ChannelPen("connecting", ""));
    item->setZValue(-0.5);
    channel_of[key] = channel_lines_.size();
    ChannelLine cl;
    cl.path = item;
    cl.sw = layout_.boxes[is->second].id;
    cl.controller = layout_.boxes[ic->second].id;
    cl.channels.push_back(&ch);
    channel_lines_.push_back(std::move(cl));
  }
  for (auto& cl : channel_lines_) {
    cl.path->setToolTip(cl.channels.size() == 1
                            ? QString("OpenFlow channel %1 - %2 (TCP 6653)").arg(QString::fromStdString(cl.sw), QString::fromStdString(cl.controller))
                            : QString("%1 OpenFlow channels %2 - %3").arg(cl.channels.size()).arg(QString::fromStdString(cl.sw), QString::fromStdString(cl.controller)));
  }
  legend_->SetSdn(!run_.control_channels().empty() ||
                  std::any_of(run_.devices().begin(), run_.devices().end(),
                              [](const DeviceInfo& d) { return d.kind == "switch" || d.kind == "sdn-controller"; }));
  for (auto& ll : link_lines_) {
    for (const auto& id : ll.links) ll.handles.push_back(run_.Link(id));
    ll.line->setToolTip(ll.links.size() == 1 ? QString::fromStdString(ll.links[0] + (ll.oob ? " (oob)" : " (data)"))
                                             : QString("%1 %2 links, e.g. %3").arg(ll.links.size()).arg(ll.oob ? "out-of-band" : "data")
                                                   .arg(QString::fromStdString(ll.links[0])));
  }
  QFont letter_font = font();
  letter_font.setPointSizeF(letter_font.pointSizeF() * 0.7);
  for (const auto& b : layout_.boxes) {
    if (b.group) {
      std::vector<std::string> planes;
      for (const char* p : {"data", "control", "management"}) {
        for (const auto& m : b.members) {
          auto mp = run_.PlanesOf(m);
          if (std::find(mp.begin(), mp.end(), p) != mp.end()) {
            planes.push_back(p);
            break;
          }
        }
      }
      std::string name = b.id.substr(6);
      auto* g = new GroupBox(QRectF(b.x, b.y, b.w, b.h), QString::fromStdString(b.label), planes, [this, name]() {
        QTimer::singleShot(0, this, [this, name]() { ExpandGroup(QString::fromStdString(name)); });
      });
      g->setData(1, QString::fromStdString(b.id));
      g->mismatch = scene_->addRect(b.x - 5, b.y - 5, b.w + 10, b.h + 10, QPen(QColor(211, 47, 47), 4), Qt::NoBrush);
      g->mismatch->setVisible(false);
      scene_->addItem(g);
      group_items_[b.id] = g;
      auto& handles = group_handles_[b.id];
      for (const auto& p : planes) {
        handles.emplace_back();
        for (const auto& m : b.members) handles.back().push_back(run_.Plane(m, p));
      }
      continue;
    }
    const double x = b.x, y = b.y;
    const std::string id = b.id;
    DeviceItem item;
    item.mismatch = scene_->addRect(x - 5, y - 5, b.w + 10, b.h + 10, QPen(QColor(211, 47, 47), 4), Qt::NoBrush);
    item.mismatch->setVisible(false);
    const std::string& kind = b.members.empty() ? std::string() : KindOf(b.members.front());
    DeviceBox::Shape shape = kind == "switch"           ? DeviceBox::Shape::kSwitch
                             : kind == "sdn-controller" ? DeviceBox::Shape::kController
                             : kind == "istiod"         ? DeviceBox::Shape::kIstiod
                                                        : DeviceBox::Shape::kDevice;
    item.box = new DeviceBox(QRectF(x, y, b.w, b.h), [this, id]() { return Describe(id); }, shape);
    item.box->setPen(QPen(QColor(60, 60, 60)));
    item.box->setBrush(QBrush(QColor(245, 245, 245)));
    scene_->addItem(item.box);
    item.box->setData(0, QString::fromStdString(id));
    item.box->setData(2, shape == DeviceBox::Shape::kSwitch       ? QString("switch")
                         : shape == DeviceBox::Shape::kController ? QString("controller")
                         : shape == DeviceBox::Shape::kIstiod     ? QString("istiod")
                                                                  : QString("device"));
    item.box->setFlag(QGraphicsItem::ItemIsSelectable);
    auto* label = scene_->addSimpleText(QString::fromStdString(id));
    label->setPos(x + (shape == DeviceBox::Shape::kDevice ? 2 : 7), y + 2);
    if (shape != DeviceBox::Shape::kDevice) {
      // The kind under the box: "OF switch" or "controller", in the shape's colour.
      auto* tag = scene_->addSimpleText(shape == DeviceBox::Shape::kSwitch       ? "OF switch"
                                        : shape == DeviceBox::Shape::kIstiod ? "xDS + CA"
                                                                             : "SDN controller",
                                        letter_font);
      tag->setBrush(shape == DeviceBox::Shape::kSwitch   ? DeviceBox::kSwitchEdge
                    : shape == DeviceBox::Shape::kIstiod ? DeviceBox::kIstiodEdge
                                                         : DeviceBox::kControllerEdge);
      tag->setPos(x + b.w / 2 - tag->boundingRect().width() / 2, y + b.h + 1);
    }
    int k = 0;
    for (const auto& plane : run_.PlanesOf(id)) {
      // Each dot says which plane it is: the API server and the controllers have no data plane, hosts no control.
      auto* letter = scene_->addSimpleText(PlaneLetter(plane), letter_font);
      letter->setPos(x + 9 + 19 * k, y + 17);
      auto* dot = scene_->addEllipse(x + 4 + 19 * k, y + 31, 16, 16, QPen(Qt::black), QBrush(Qt::gray));
      dot->setToolTip(QString::fromStdString(id + " " + plane));
      dot->setData(0, QString::fromStdString(id));
      item.planes[plane] = dot;
      item.handles[plane] = run_.Plane(id, plane);
      ++k;
    }
    items_[id] = item;
  }
  BuildSidecars();
  user_zoomed_ = false;
  Fit();
}

void ReplayWindow::LoadSidecars() {
  sidecar_series_.clear();
  istiod_.clear();
  istiod_version_.clear();
  for (const auto& d : run_.devices()) {
    if (d.kind == "istiod") {
      istiod_ = d.id;
      istiod_version_ = run_.Series(d.id, "control", "pilot_config_version");
      continue;
    }
    SidecarSeries s;
    if (d.kind == "node") {
      s.n = run_.Series(d.id, "data", "sidecars");
      if (s.n.empty()) continue;
      s.connected = run_.Series(d.id, "data", "sidecars_connected");
      s.unconfigured = run_.Series(d.id, "data", "sidecars_unconfigured");
      s.expired = run_.Series(d.id, "data", "sidecars_cert_expired");
    } else if (d.kind == "service-client") {
      s.connected = run_.Series(d.id, "data", "control_plane.connected_state");
      if (s.connected.empty()) continue;
      s.client = true;
      s.version = run_.Series(d.id, "data", "config_version");
      s.expiry = run_.Series(d.id, "data", "cert_expiry_seconds");
    } else {
      continue;
    }
    sidecar_series_[d.id] = std::move(s);
  }
}

void ReplayWindow::BuildSidecars() {
  sidecar_lines_.clear();
  legend_->SetMesh(!istiod_.empty() || !sidecar_series_.empty());
  // One strip per box holding sidecars (a node, a service client, a collapsed group of nodes), under it; its xDS
  // streams as one curve to istiod.
  auto ii = layout_.box_of.find(istiod_);
  const LayoutBox* istiod = ii == layout_.box_of.end() ? nullptr : &layout_.boxes[ii->second];
  for (const auto& b : layout_.boxes) {
    std::vector<std::string> members;
    for (const auto& m : b.members) {
      if (sidecar_series_.count(m)) members.push_back(m);
    }
    if (members.empty()) continue;
    SidecarLine sl;
    sl.members = members;
    sl.view.box = QString::fromStdString(b.id);
    // Below the box and its red frame (5 units around it), inside the gap to the next row.
    sl.strip = new SidecarStrip(QRectF(b.x, b.y + b.h + 8, b.w, 15));
    sl.strip->setZValue(1);
    scene_->addItem(sl.strip);
    if (istiod) {
      QPointF a(b.x + b.w / 2, b.y + b.h + 15), c(istiod->x + istiod->w / 2, istiod->y + istiod->h / 2);
      QPointF mid = (a + c) / 2, d = c - a;
      QPainterPath path(a);
      path.quadTo(mid + QPointF(-d.y(), d.x()) * 0.08, c);
      sl.xds = scene_->addPath(path, XdsPen("none"));
      sl.xds->setZValue(-0.4);
      sl.xds->setToolTip(QString("xDS streams %1 - %2 (gRPC, port 15012)").arg(QString::fromStdString(b.label.empty() ? b.id : b.label),
                                                                              QString::fromStdString(istiod_)));
    }
    sidecar_lines_.push_back(std::move(sl));
  }
}

namespace {
// The last sample at or before t (a gauge's value then), 0 before the first.
double ValueAt(const std::vector<std::pair<double, double>>& s, double t) {
  auto it = std::upper_bound(s.begin(), s.end(), t + 1e-9, [](double v, const std::pair<double, double>& p) { return v < p.first; });
  return it == s.begin() ? 0.0 : std::prev(it)->second;
}
}  // namespace

void ReplayWindow::RefreshSidecars() {
  const double istiod_version = ValueAt(istiod_version_, t_);
  for (auto& sl : sidecar_lines_) {
    int n = 0, connected = 0, unconfigured = 0, expired = 0, stale = 0;
    double version = 0;
    for (const auto& m : sl.members) {
      const SidecarSeries& s = sidecar_series_.at(m);
      if (s.client) {
        // A client's own sidecar: one proxy; its version against istiod's, its certificate's time left.
        ++n;
        bool up = ValueAt(s.connected, t_) > 0.5;
        connected += up;
        version = ValueAt(s.version, t_);
        unconfigured += version <= 0;
        stale += version > 0 && version < istiod_version;
        expired += ValueAt(s.expiry, t_) <= 0;
      } else {
        n += static_cast<int>(ValueAt(s.n, t_));
        connected += static_cast<int>(ValueAt(s.connected, t_));
        unconfigured += static_cast<int>(ValueAt(s.unconfigured, t_));
        expired += static_cast<int>(ValueAt(s.expired, t_));
      }
    }
    SidecarView& v = sl.view;
    v.sidecars = n;
    v.connected = connected;
    v.unconfigured = unconfigured;
    v.cert_expired = expired;
    v.xds = n == 0 ? "none" : connected == n ? "up" : connected == 0 ? "down" : "partial";
    // Configuration: synced (connected: it gets every push), last (running on the last one received: stale as soon
    // as anything changes), unconfigured (some never got one).
    v.config = n == 0 ? "none" : unconfigured > 0 ? "unconfigured" : (connected < n || stale > 0) ? "last" : "synced";
    v.cert = n == 0 ? "none" : expired > 0 ? "expired" : "valid";
    auto colour = [](const QString& state) {
      if (state == "up" || state == "synced" || state == "valid") return HealthColor("up");
      if (state == "partial" || state == "last") return HealthColor("degraded");
      if (state == "down" || state == "unconfigured" || state == "expired") return HealthColor("down");
      return QColor(190, 190, 190);
    };
    v.xds_colour = colour(v.xds);
    v.config_colour = colour(v.config);
    v.cert_colour = colour(v.cert);
    QString tip = QString("<b>%1</b>: %2 Envoy sidecar%3 at %4 s<br>X xDS to istiod: %5 of %2 connected%6<br>C configuration: %7"
                          "<br>T certificate: %8")
                      .arg(v.box.startsWith("group:") ? v.box.mid(6) : v.box)
                      .arg(n)
                      .arg(n == 1 ? "" : "s")
                      .arg(t_, 0, 'f', 1)
                      .arg(connected)
                      .arg(connected < n ? " (the others run on their last configuration)" : "")
                      .arg(unconfigured > 0 ? QString("%1 never configured").arg(unconfigured)
                           : v.config == "last"
                               ? (version > 0 ? QString("version %1, istiod at %2: stale").arg(version).arg(istiod_version)
                                              : QString("the last received, not updated"))
                               : version > 0 ? QString("version %1, synced").arg(version) : QString("synced"))
                      .arg(expired > 0 ? QString("%1 expired or missing: mTLS fails").arg(expired) : QString("valid"));
    sl.strip->Set(n, v.xds_colour, v.config_colour, v.cert_colour, tip);
    if (sl.xds) {
      QPen pen = XdsPen(v.xds.toStdString());
      if (sl.xds->pen() != pen) sl.xds->setPen(pen);
    }
  }
}

std::vector<ReplayWindow::SidecarView> ReplayWindow::SidecarStrips() const {
  std::vector<SidecarView> out;
  for (const auto& sl : sidecar_lines_) out.push_back(sl.view);
  return out;
}

void ReplayWindow::Fit() {
  if (scene_->items().isEmpty()) return;
  QRectF all = scene_->itemsBoundingRect().adjusted(-20, -20, 20, 20);
  scene_->setSceneRect(all);  // not the largest the scene has ever been: no scroll bars once fitted
  view_->fitInView(all, Qt::KeepAspectRatio);
}

void ReplayWindow::resizeEvent(QResizeEvent* e) {
  QMainWindow::resizeEvent(e);
  if (!user_zoomed_) Fit();
}

void ReplayWindow::showEvent(QShowEvent* e) {
  QMainWindow::showEvent(e);
  if (!user_zoomed_) Fit();
}

void ReplayWindow::SeekTo(double t) {
  t_ = std::clamp(t, 0.0, run_.duration());
  Refresh();
  if (truth_window_) truth_window_->SeekTo(t_);
}

bool ReplayWindow::answers_submitted() const {
  return run_.student_bundle() && QFileInfo::exists(QDir(bundle_dir_).filePath("answers.json"));
}

bool ReplayWindow::Reveal(const QString& truth_dir) {
  if (!run_.student_bundle()) {
    last_error_ = "not a student bundle: the truth is already shown (the view toggle)";
    return false;
  }
  if (!answers_submitted()) {
    last_error_ = bundle_dir_ + ": the truth is shown once your answers are submitted (`submit` in planelab console "
                  "writes answers.json)";
    return false;
  }
  // The instructor's class folder keeps the runs beside the bundles: <class>/bundles/<id> and <class>/runs/<id>.
  QString dir = truth_dir;
  if (dir.isEmpty()) dir = QDir(bundle_dir_).filePath("../../runs/" + QDir(bundle_dir_).dirName());
  auto w = std::make_unique<ReplayWindow>();
  if (!w->Open(QDir::cleanPath(dir))) {
    last_error_ = "the truth run: " + w->last_error() + " (the instructor gives it after grading: planelab-replay " +
                  bundle_dir_ + " --reveal RUN_DIR)";
    return false;
  }
  w->SetReportedView(false);
  w->setWindowTitle("PlaneLab replay - the truth behind " + QDir(bundle_dir_).dirName() + "'s incident");
  w->SeekTo(t_);
  truth_window_ = std::move(w);
  if (isVisible()) {
    truth_window_->resize(size());
    truth_window_->move(x() + width() + 8, y());
    truth_window_->show();
  }
  status_->setText(status_->text() + "<br><b>Revealed:</b> the truth is in the window beside this one, at the same time.");
  return true;
}

void ReplayWindow::SetReportedView(bool reported) {
  // A student bundle has no truth to show: it stays on the operators' view (Reveal() shows the truth beside it).
  if (run_.student_bundle()) reported = true;
  reported_ = reported;
  if (view_action_->isChecked() != reported) view_action_->setChecked(reported);
  Refresh();
}

void ReplayWindow::Refresh() {
  time_label_->setText(QString("t = %1 s   view: %2").arg(t_, 0, 'f', 2).arg(reported_ ? "operators (reported)" : "truth (actual)"));
  timeline_->SetTime(t_);
  for (auto& [id, item] : items_) {
    bool disagree = false;
    for (auto& [plane, dot] : item.planes) {
      PlaneState s = run_.StateAt(item.handles[plane], t_);
      QColor c = HealthColor(reported_ ? s.reported : s.actual);
      if (dot->brush().color() != c) dot->setBrush(c);  // untouched items are not redrawn
      // "unknown" on an unmonitored plane is not a disagreement; a wrong report is.
      if (s.reported != "unknown" && s.actual != s.reported && !run_.student_bundle()) disagree = true;
    }
    if (item.mismatch->isVisible() != disagree) item.mismatch->setVisible(disagree);
  }
  for (const auto& b : layout_.boxes) {
    if (!b.group) continue;
    GroupBox* g = group_items_.at(b.id);
    const auto& handles = group_handles_.at(b.id);
    std::vector<std::vector<uint8_t>> sev(g->planes().size(), std::vector<uint8_t>(b.members.size(), 0));
    bool disagree = false;
    for (size_t k = 0; k < g->planes().size(); ++k) {
      for (size_t m = 0; m < b.members.size(); ++m) {
        PlaneState s = run_.StateAt(handles[k][m], t_);
        sev[k][m] = Severity(reported_ ? s.reported : s.actual);
        if (s.reported != "unknown" && s.actual != s.reported && !run_.student_bundle()) disagree = true;
      }
    }
    g->SetStates(std::move(sev));
    if (g->mismatch->isVisible() != disagree) g->mismatch->setVisible(disagree);
  }
  for (auto& ll : link_lines_) {
    bool down = false;
    double u = std::nan("");
    for (const auto& h : ll.handles) {
      down |= RunModel::LinkDownAt(h, t_);
      if (!ll.oob) {
        double v = RunModel::LinkUtilizationAt(h, t_);
        if (!std::isnan(v) && (std::isnan(u) || v > u)) u = v;
      }
    }
    QPen pen = ll.oob ? QPen(QColor(120, 140, 200), 1, Qt::DashLine) : QPen(QColor(150, 150, 150), 2);
    // Utilisation: grey when idle, through blue to purple and thicker as the link fills up.
    if (!ll.oob && !std::isnan(u) && u > 0.001) {
      double f = std::min(1.0, u);
      pen = QPen(QColor(static_cast<int>(60 + 120 * f), static_cast<int>(110 - 80 * f), static_cast<int>(220 - 40 * f)),
                 2 + 6 * f);
    }
    if (down) pen = QPen(HealthColor("down"), ll.oob ? 2 : 3, Qt::DotLine);
    if (ll.line->pen() != pen) ll.line->setPen(pen);
  }
  for (auto& cl : channel_lines_) {
    // Several channels between two boxes (a collapsed group): lost when any is lost, master when any is.
    std::string state = "up", role;
    for (const ControlChannel* ch : cl.channels) {
      std::string s = RunModel::ChannelStateAt(*ch, t_);
      if (s == "down" || (s == "connecting" && state == "up")) state = s;
      if (RunModel::ChannelRoleAt(*ch, t_) == "master") role = "master";
    }
    if (state != "up") role.clear();
    QPen pen = ChannelPen(state, role);
    if (cl.path->pen() != pen) cl.path->setPen(pen);
    cl.view = {QString::fromStdString(cl.sw), QString::fromStdString(cl.controller), QString::fromStdString(state),
               QString::fromStdString(role), pen.color()};
  }
  RefreshSidecars();
  matrix_->SetReported(reported_);
  matrix_->SetTime(t_);
  // Keep the event log on the cursor: the last event at or before t.
  int row = event_model_->RowAt(t_);
  if (row >= 0) {
    events_->blockSignals(true);
    events_->selectRow(row);
    events_->scrollTo(event_model_->index(row, 0));
    events_->blockSignals(false);
  }
  if (!selected_.isEmpty()) chart_->Show(run_, selected_.toStdString(), t_);
  ShowDamageIfAny();
}

QString ReplayWindow::Describe(const std::string& id) const {
  QString tip = QString("<b>%1</b> at %2 s").arg(QString::fromStdString(id)).arg(t_, 0, 'f', 2);
  for (const auto& plane : run_.PlanesOf(id)) {
    PlaneState s = run_.StateAt(id, plane, t_);
    if (run_.student_bundle()) {
      tip += QString("<br>%1: reported <b>%2</b>").arg(QString::fromStdString(plane), QString::fromStdString(s.reported));
      continue;
    }
    tip += QString("<br>%1: actual <b>%2</b>, reported <b>%3</b>")
               .arg(QString::fromStdString(plane), QString::fromStdString(s.actual), QString::fromStdString(s.reported));
  }
  static const std::vector<std::pair<std::string, std::string>> kKey = {
      {"data", "loss_ratio"}, {"data", "latency_p99"}, {"data", "drop_ratio"}, {"data", "fib_routes"},
      {"control", "cpu_utilization"}, {"control", "adjacencies_up"}, {"management", "telemetry_lag"}};
  for (const auto& [plane, metric] : kKey) {
    double v = run_.MetricAt(id, plane, metric, t_);
    if (!std::isnan(v)) tip += QString("<br>%1.%2 = %3").arg(QString::fromStdString(plane), QString::fromStdString(metric)).arg(v, 0, 'g', 4);
  }
  return tip;
}

QColor ReplayWindow::IndicatorColor(const QString& device, const QString& plane) const {
  auto it = items_.find(device.toStdString());
  if (it == items_.end() && !CollapsedGroupOf(device).isEmpty()) {
    // Drawn in a group's strip: the colour of its cell there.
    auto planes = run_.PlanesOf(device.toStdString());
    if (std::find(planes.begin(), planes.end(), plane.toStdString()) == planes.end()) return QColor();
    PlaneState s = run_.StateAt(device.toStdString(), plane.toStdString(), t_);
    return HealthColor(reported_ ? s.reported : s.actual);
  }
  if (it == items_.end() || !it->second.planes.count(plane.toStdString())) return QColor();
  return it->second.planes.at(plane.toStdString())->brush().color();
}

QPoint ReplayWindow::IndicatorCenter(const QString& device, const QString& plane) const {
  auto it = items_.find(device.toStdString());
  if (it == items_.end() || !it->second.planes.count(plane.toStdString())) return {};
  QPointF scene_pt = it->second.planes.at(plane.toStdString())->sceneBoundingRect().center();
  QPoint in_view = view_->mapFromScene(scene_pt);
  return view_->viewport()->mapTo(this, in_view);
}

bool ReplayWindow::Disagrees(const QString& device) const {
  auto it = items_.find(device.toStdString());
  if (it == items_.end() && !CollapsedGroupOf(device).isEmpty() && !run_.student_bundle()) {
    for (const auto& plane : run_.PlanesOf(device.toStdString())) {
      PlaneState s = run_.StateAt(device.toStdString(), plane, t_);
      if (s.reported != "unknown" && s.actual != s.reported) return true;
    }
    return false;
  }
  return it != items_.end() && it->second.mismatch->isVisible();
}

QString ReplayWindow::DeviceShape(const QString& device) const {
  auto it = items_.find(device.toStdString());
  return it == items_.end() ? QString() : it->second.box->data(2).toString();
}

std::vector<ReplayWindow::ChannelView> ReplayWindow::ControlChannelLines() const {
  std::vector<ChannelView> out;
  for (const auto& cl : channel_lines_) out.push_back(cl.view);
  return out;
}

const std::string& ReplayWindow::KindOf(const std::string& device) const {
  static const std::string none;
  for (const auto& d : run_.devices()) {
    if (d.id == device) return d.kind;
  }
  return none;
}

std::vector<std::pair<QString, QRectF>> ReplayWindow::BoxRects() const {
  std::vector<std::pair<QString, QRectF>> out;
  for (const auto& [id, item] : items_) out.emplace_back(QString::fromStdString(id), item.box->mapRectToScene(item.box->rect()));
  for (const auto& [id, g] : group_items_) out.emplace_back(QString::fromStdString(id), g->mapRectToScene(g->rect()));
  return out;
}

QString ReplayWindow::CollapsedGroupOf(const QString& device) const {
  auto it = layout_.box_of.find(device.toStdString());
  if (it == layout_.box_of.end() || !layout_.boxes[it->second].group) return {};
  return QString::fromStdString(layout_.boxes[it->second].id.substr(6));
}

void ReplayWindow::ExpandGroup(const QString& group) {
  if (!group_items_.count("group:" + group.toStdString())) return;
  expanded_.insert(group.toStdString());
  BuildScene();
  Refresh();
}

void ReplayWindow::CollapseAll() {
  expanded_.clear();
  BuildScene();
  Refresh();
}

QWidget* ReplayWindow::legend() const { return legend_; }
QWidget* ReplayWindow::matrix_widget() const { return matrix_; }
int ReplayWindow::MatrixRows() const { return matrix_->rows(); }
QString ReplayWindow::MatrixRowName(int row) const { return matrix_->RowName(row); }
QColor ReplayWindow::MatrixColor(int row, double t) const { return matrix_->CellColor(row, t); }
void ReplayWindow::SetMatrixPerDevice(bool per_device) { matrix_->SetPerDevice(per_device); }
int ReplayWindow::TimelineLanes() const { return timeline_->Lanes(); }

void ReplayWindow::ShowMatrix() {
  matrix_dock_->show();
  matrix_dock_->raise();
}

void ReplayWindow::SetCollapseRepeats(bool on) {
  if (auto* box = findChild<QCheckBox*>("fold-repeats"); box && box->isChecked() != on) {
    box->setChecked(on);  // toggles back into this
    return;
  }
  event_model_->SetCollapse(on);
  Refresh();
}

int ReplayWindow::VisibleEventRows() const { return event_model_->rowCount(); }

void ReplayWindow::SetEventFilter(const QString& text) {
  event_model_->SetFilter(text.split(' ', Qt::SkipEmptyParts));
}

void ReplayWindow::SelectDevice(const QString& device) {
  selected_ = device;
  chart_->Show(run_, device.toStdString(), t_);
  ShowDamageIfAny();
}

void ReplayWindow::StepEvent(int direction) {
  const auto& ev = run_.events();
  if (direction > 0) {
    for (const auto& e : ev) if (e.t > t_ + 1e-9) { SeekTo(e.t); return; }
    SeekTo(run_.duration());
  } else {
    for (auto it = ev.rbegin(); it != ev.rend(); ++it) if (it->t < t_ - 1e-9) { SeekTo(it->t); return; }
    SeekTo(0);
  }
}

void ReplayWindow::TogglePlay() {
  if (play_timer_->isActive()) play_timer_->stop();
  else play_timer_->start();
}

void ReplayWindow::dragEnterEvent(QDragEnterEvent* e) {
  if (e->mimeData()->hasUrls()) e->acceptProposedAction();
}

void ReplayWindow::dropEvent(QDropEvent* e) {
  for (const QUrl& u : e->mimeData()->urls()) {
    Open(u.toLocalFile());
    break;
  }
}

void ReplayWindow::OpenDialog() {
  QString dir = QFileDialog::getExistingDirectory(this, "Open a PlaneLab run folder", "runs");
  if (!dir.isEmpty()) Open(dir);
}

void ReplayWindow::ExportPng() {
  QString file = QFileDialog::getSaveFileName(this, "Export PNG", "replay.png", "PNG images (*.png)");
  if (!file.isEmpty()) grab().save(file, "PNG");
}

void ReplayWindow::RememberRecent(const QString& dir) {
  QSettings s("PlaneLab", "replay");
  QStringList list = s.value("recent").toStringList();
  list.removeAll(dir);
  list.prepend(dir);
  while (list.size() > 8) list.removeLast();
  s.setValue("recent", list);
}

}  // namespace planelab::gui
