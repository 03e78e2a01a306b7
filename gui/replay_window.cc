#include "gui/replay_window.h"

#include <QAction>
#include <QDir>
#include <QFileInfo>
#include <QApplication>
#include <QChart>
#include <QChartView>
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

/// The scrubber: the whole run, fault windows as labelled bands, the time cursor; click to seek.
class TimelineWidget : public QWidget {
 public:
  explicit TimelineWidget(ReplayWindow* w) : QWidget(w), window_(w) { setMinimumHeight(54); }
  void SetRun(const RunModel* run) { run_ = run; update(); }
  void SetTime(double t) { t_ = t; update(); }

 protected:
  double X(double t) const { return 10 + (width() - 20) * (run_ && run_->duration() > 0 ? t / run_->duration() : 0); }
  void paintEvent(QPaintEvent*) override {
    QPainter p(this);
    p.fillRect(rect(), QColor(250, 250, 250));
    p.setPen(QColor(120, 120, 120));
    p.drawLine(10, 40, width() - 10, 40);
    if (!run_) return;
    int lane = 0;
    for (const auto& f : run_->faults()) {
      QRectF band(X(f.from), 4 + 12 * (lane % 2), std::max(2.0, X(f.to) - X(f.from)), 12);
      p.fillRect(band, QColor(211, 47, 47, 70));
      p.setPen(QColor(150, 30, 30));
      p.drawText(band.adjusted(3, 0, 200, 0), Qt::AlignVCenter, QString::fromStdString(f.kind + " @ " + f.target));
      ++lane;
    }
    for (int s = 0; s <= 10; ++s) {
      double t = run_->duration() * s / 10;
      p.setPen(QColor(120, 120, 120));
      p.drawLine(QPointF(X(t), 37), QPointF(X(t), 43));
      p.drawText(QPointF(X(t) - 10, 53), QString::number(t, 'g', 4) + "s");
    }
    if (run_->interrupted()) {
      // The run stopped here: say so at the end of the scale instead of drawing the planned end.
      p.setPen(QPen(QColor(183, 28, 28), 2));
      p.drawLine(QPointF(X(run_->duration()), 2), QPointF(X(run_->duration()), 44));
      p.drawText(QRectF(X(run_->duration()) - 160, 2, 156, 14), Qt::AlignRight | Qt::AlignVCenter, "interrupted here");
    }
    p.setPen(QPen(QColor(25, 80, 200), 2));
    p.drawLine(QPointF(X(t_), 2), QPointF(X(t_), 44));
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
        {"data", "latency_p99", "p99 latency (s)"},          {"data", "loss_ratio", "loss ratio"},
        {"data", "drop_ratio", "transit drop ratio"},        {"control", "convergence_p99", "convergence p99 (s)"},
        {"control", "cpu_utilization", "CPU busy"},          {"control", "adjacencies_up", "adjacencies / sessions"},
        {"control", "rib_fib_divergence", "RIB-FIB divergence"}, {"management", "oob_reachable", "OOB path up"},
        {"management", "polls_answered", "polls answered"},  {"management", "telemetry_lag", "telemetry lag (s)"},
        {"management", "stale_devices", "stale dashboard entries"},
        // The orchestrated cluster's kinds.
        {"data", "error_ratio", "error ratio (refused + timed out)"}, {"data", "ready_pods", "pods serving"},
        {"data", "refused", "requests refused (cumulative)"},   {"data", "lb_targets", "load-balancer targets"},
        {"data", "proposals_pending", "writes awaiting apply"}, {"control", "has_leader", "store has a leader"},
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
        x->setLabelFormat("%g");
        auto* y = new QValueAxis;
        y->setLabelFormat("%.3g");
        auto* line = new QLineSeries;
        double lo = 0, hi = 1e-9;
        for (const auto& [ts, v] : values) {
          line->append(ts, v);
          hi = std::max(hi, v);
          lo = std::min(lo, v);
        }
        hi = hi * 1.05 + (hi == 0 ? 1 : 0);
        y->setRange(lo, hi);
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
  DeviceBox(QRectF r, std::function<QString()> describe) : QGraphicsRectItem(r), describe_(std::move(describe)) {
    setAcceptHoverEvents(true);
  }

 protected:
  void hoverEnterEvent(QGraphicsSceneHoverEvent* e) override {
    setToolTip(describe_());
    QGraphicsRectItem::hoverEnterEvent(e);
  }

 private:
  std::function<QString()> describe_;
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
  int rowCount(const QModelIndex& = {}) const override { return static_cast<int>(rows_.size()); }
  int columnCount(const QModelIndex& = {}) const override { return 5; }
  QVariant data(const QModelIndex& i, int role) const override {
    if (role != Qt::DisplayRole || !run_) return {};
    const EventInfo& e = run_->events()[rows_[static_cast<size_t>(i.row())]];
    switch (i.column()) {
      case 0: return QString::number(e.t, 'f', 3);
      case 1: return QString::fromStdString(e.device);
      case 2: return QString::fromStdString(e.plane);
      case 3: return QString::fromStdString(e.kind);
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
    rows_.clear();
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
      if (show) rows_.push_back(i);
    }
  }
  const RunModel* run_ = nullptr;
  std::vector<size_t> rows_;
};

/// The topology canvas: wheel zooms.
class TopologyView : public QGraphicsView {
 public:
  TopologyView(QGraphicsScene* s, bool* user_zoomed) : QGraphicsView(s), user_zoomed_(user_zoomed) {}

 protected:
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
  log_layout->addWidget(filter_);
  log_layout->addWidget(events_);
  auto* log_dock = new QDockWidget("Events", this);
  log_dock->setWidget(log);
  addDockWidget(Qt::RightDockWidgetArea, log_dock);
  chart_ = new ChartPanel;
  chart_->setMaximumHeight(260);
  auto* chart_dock = new QDockWidget("Metrics of the selected device", this);
  chart_dock->setWidget(chart_);
  addDockWidget(Qt::BottomDockWidgetArea, chart_dock);

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
                   "A red frame marks devices where the two disagree. Dots, left to right: data, control, management "
                   "plane (green up, amber degraded, red down, grey unknown).";
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
  BuildScene();
  event_model_->SetRun(&run_);
  SetEventFilter(filter_->text());
  RememberRecent(run_dir);
  // Start on the first fault's target, the device the story is about.
  selected_.clear();
  for (const auto& f : run_.faults()) {
    if (items_.count(f.target)) {
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
  link_items_.clear();
  auto pos = LayoutTopology(run_);
  QPen link_pen(QColor(150, 150, 150), 2);
  QPen oob_pen(QColor(120, 140, 200), 1, Qt::DashLine);
  for (const auto& l : run_.links()) {
    if (!pos.count(l.a) || !pos.count(l.b)) continue;
    auto [ax, ay] = pos[l.a];
    auto [bx, by] = pos[l.b];
    auto* line = scene_->addLine(ax + 30, ay + 18, bx + 30, by + 18, l.network == "oob" ? oob_pen : link_pen);
    line->setZValue(-1);
    line->setToolTip(QString::fromStdString(l.id + " (" + l.network + ")"));
    link_items_[l.id] = {line, l.network == "oob"};
  }
  for (const auto& d : run_.devices()) {
    auto [x, y] = pos[d.id];
    DeviceItem item;
    item.mismatch = scene_->addRect(x - 5, y - 5, 70, 56, QPen(QColor(211, 47, 47), 4), Qt::NoBrush);
    item.mismatch->setVisible(false);
    std::string id = d.id;
    item.box = new DeviceBox(QRectF(x, y, 60, 46), [this, id]() { return Describe(id); });
    item.box->setPen(QPen(QColor(60, 60, 60)));
    item.box->setBrush(QBrush(QColor(245, 245, 245)));
    scene_->addItem(item.box);
    item.box->setData(0, QString::fromStdString(d.id));
    item.box->setFlag(QGraphicsItem::ItemIsSelectable);
    auto* label = scene_->addSimpleText(QString::fromStdString(d.id));
    label->setPos(x + 2, y + 2);
    int k = 0;
    for (const auto& plane : run_.PlanesOf(d.id)) {
      auto* dot = scene_->addEllipse(x + 4 + 19 * k, y + 24, 16, 16, QPen(Qt::black), QBrush(Qt::gray));
      dot->setToolTip(QString::fromStdString(d.id + " " + plane));
      dot->setData(0, QString::fromStdString(d.id));
      item.planes[plane] = dot;
      ++k;
    }
    items_[d.id] = item;
  }
  connect(scene_, &QGraphicsScene::selectionChanged, this, [this]() {
    for (auto* it : scene_->selectedItems()) SelectDevice(it->data(0).toString());
  });
  user_zoomed_ = false;
  Fit();
}

void ReplayWindow::Fit() {
  if (!scene_->items().isEmpty()) view_->fitInView(scene_->itemsBoundingRect().adjusted(-20, -20, 20, 20), Qt::KeepAspectRatio);
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
      PlaneState s = run_.StateAt(id, plane, t_);
      QColor c = HealthColor(reported_ ? s.reported : s.actual);
      if (dot->brush().color() != c) dot->setBrush(c);  // untouched items are not redrawn
      // "unknown" on an unmonitored plane is not a disagreement; a wrong report is.
      if (s.reported != "unknown" && s.actual != s.reported && !run_.student_bundle()) disagree = true;
    }
    if (item.mismatch->isVisible() != disagree) item.mismatch->setVisible(disagree);
  }
  for (auto& [id, entry] : link_items_) {
    bool down = run_.LinkDownAt(id, t_);
    QPen pen = entry.second ? QPen(QColor(120, 140, 200), 1, Qt::DashLine) : QPen(QColor(150, 150, 150), 2);
    if (!entry.second) {
      // Utilisation: grey when idle, through blue to purple and thicker as the link fills up.
      double u = run_.LinkUtilizationAt(id, t_);
      if (!std::isnan(u) && u > 0.001) {
        double f = std::min(1.0, u);
        pen = QPen(QColor(static_cast<int>(60 + 120 * f), static_cast<int>(110 - 80 * f), static_cast<int>(220 - 40 * f)),
                   2 + 6 * f);
      }
    }
    if (down) pen = QPen(HealthColor("down"), entry.second ? 2 : 3, Qt::DotLine);
    if (entry.first->pen() != pen) entry.first->setPen(pen);
  }
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
  return it != items_.end() && it->second.mismatch->isVisible();
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
