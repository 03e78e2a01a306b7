// The replay window: topology with per-plane health, truth vs operators' view, timeline, events, charts.
#pragma once
#include <QMainWindow>
#include <QRectF>
#include <QString>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "gui/run_model.h"
#include "gui/topology_layout.h"

class QGraphicsScene;
class QGraphicsView;
class QGraphicsEllipseItem;
class QGraphicsLineItem;
class QGraphicsPathItem;
class QGraphicsRectItem;
class QLabel;
class QLineEdit;
class QTableView;
class QTimer;
class QComboBox;
class QAction;
class QDockWidget;


namespace planelab::gui {

class TimelineWidget;
class ChartPanel;
class EventTableModel;
class GroupBox;
class SidecarStrip;
class HealthMatrix;
class Legend;

/// Colour of a health state, the same everywhere in the GUI.
QColor HealthColor(const std::string& state);

/// Main window of planelab-replay; the public slots are what tests and the headless mode drive.
class ReplayWindow : public QMainWindow {
  Q_OBJECT
 public:
  ReplayWindow();
  ~ReplayWindow() override;
  /// Opens a run folder; on failure (missing, damaged, incompatible) shows the message in the window and
  /// returns false. An interrupted run opens, marked as such, ending where its data end.
  bool Open(const QString& run_dir);
  const QString& last_error() const { return last_error_; }
  /// Damage found while showing the run (a series SQLite could not read); shown in the window too.
  QString damage() const { return QString::fromStdString(run_.damage()); }
  double time() const { return t_; }
  bool reported_view() const { return reported_; }
  /// Colour currently drawn for a device's plane indicator.
  QColor IndicatorColor(const QString& device, const QString& plane) const;
  /// Centre of that indicator in window coordinates (for screenshot checks).
  QPoint IndicatorCenter(const QString& device, const QString& plane) const;
  /// Whether the device is marked because actual and reported health disagree.
  bool Disagrees(const QString& device) const;
  int VisibleEventRows() const;
  /// The boxes drawn on the topology (devices and collapsed groups): id ("group:NAME" for a group) and
  /// rectangle in scene coordinates, for overlap checks.
  std::vector<std::pair<QString, QRectF>> BoxRects() const;
  /// How a device's box is drawn: "switch" (an OpenFlow switch: chamfered corners), "controller" (an SDN
  /// controller: rounded, amber), "device" (every other kind); "" when the device has no box of its own.
  QString DeviceShape(const QString& device) const;
  /// The OpenFlow control channels drawn (switch <-> controller, their own curved line style), at the current
  /// time: the boxes they join, their state ("up", "down", "connecting"), the controller's role and the colour.
  struct ChannelView {
    QString sw, controller, state, role;
    QColor colour;
  };
  std::vector<ChannelView> ControlChannelLines() const;
  /// The service mesh's sidecars (issue 20), at the current time: one strip per box holding sidecars (a node's
  /// pods', a collapsed group of nodes', a service client's own), drawn under it, with its xDS streams to istiod as
  /// one curve. States: xds "up" | "partial" | "down"; config "synced" | "last" (running on the last configuration
  /// received, stale) | "unconfigured"; cert "valid" | "expired" (expired or missing); "none" without sidecars.
  struct SidecarView {
    QString box;
    int sidecars = 0, connected = 0, unconfigured = 0, cert_expired = 0;
    QString xds, config, cert;
    QColor xds_colour, config_colour, cert_colour;
  };
  std::vector<SidecarView> SidecarStrips() const;
  /// The group a device is drawn in while collapsed, "" when it has a box of its own.
  QString CollapsedGroupOf(const QString& device) const;
  /// Expands a collapsed group (what a click on its box does), or collapses every group again.
  void ExpandGroup(const QString& group);
  void CollapseAll();
  /// The health matrix (devices or groups x time), the legend under the topology.
  HealthMatrix* matrix() const { return matrix_; }
  QWidget* legend() const;
  /// Brings the health matrix's tab to the front.
  void ShowMatrix();
  QWidget* matrix_widget() const;
  /// The matrix's rows (the boxes drawn, or every device), their names and the colour of a row at a time.
  int MatrixRows() const;
  QString MatrixRowName(int row) const;
  QColor MatrixColor(int row, double t) const;
  void SetMatrixPerDevice(bool per_device);
  /// Lanes the timeline stacks the fault windows on (overlapping windows are not printed over each other).
  int TimelineLanes() const;
  /// Whether the event list folds repetitions (the same device, plane and kind again) into one row.
  void SetCollapseRepeats(bool on);
  const RunModel& run() const { return run_; }
  /// A student bundle is open and its answers.json exists: the truth may be revealed.
  bool answers_submitted() const;
  /// Shows the truth beside a student bundle, in a second window kept at the same time: the run `truth_dir`, or
  /// the class folder's runs/<id> beside bundles/<id>. Refused (false, last_error()) before the answers are submitted.
  bool Reveal(const QString& truth_dir = QString());
  ReplayWindow* truth_window() const { return truth_window_.get(); }

 public slots:
  void SeekTo(double t);
  void SetReportedView(bool reported);
  void SetEventFilter(const QString& text);
  void SelectDevice(const QString& device);
  void StepEvent(int direction);
  void TogglePlay();

 protected:
  void dragEnterEvent(QDragEnterEvent* e) override;
  void dropEvent(QDropEvent* e) override;
  void resizeEvent(QResizeEvent* e) override;
  void showEvent(QShowEvent* e) override;

 private:
  void BuildScene();
  void Refresh();
  /// The mesh's series (nodes' sidecar gauges, clients' sidecar, istiod's version), read once per run.
  void LoadSidecars();
  void BuildSidecars();
  void RefreshSidecars();
  void ShowError(const QString& message);
  void ShowDamageIfAny();
  void OpenDialog();
  void ExportPng();
  void RememberRecent(const QString& dir);
  /// Hover text of a device: plane states and key metrics at the cursor.
  QString Describe(const std::string& id) const;
  const std::string& KindOf(const std::string& device) const;

  struct DeviceItem {
    QGraphicsRectItem* box = nullptr;
    std::map<std::string, QGraphicsEllipseItem*> planes;
    std::map<std::string, RunModel::PlaneHandle> handles;
    QGraphicsRectItem* mismatch = nullptr;
  };
  struct LinkLine {
    QGraphicsLineItem* line = nullptr;
    bool oob = false;
    std::vector<std::string> links;  // one, or every link between two boxes when a group is collapsed
    std::vector<RunModel::LinkHandle> handles;
  };
  struct ChannelLine {
    QGraphicsPathItem* path = nullptr;
    std::string sw, controller;                  // the boxes' ids (a group's id when collapsed)
    std::vector<const ControlChannel*> channels;  // one, or every channel between two boxes
    ChannelView view;
  };
  RunModel run_;
  QString last_error_;
  double t_ = 0;
  bool reported_ = false;
  double speed_ = 1.0;
  std::map<std::string, DeviceItem> items_;
  std::vector<LinkLine> link_lines_;
  std::vector<ChannelLine> channel_lines_;
  struct SidecarSeries {
    bool client = false;
    std::vector<std::pair<double, double>> n, connected, unconfigured, expired, version, expiry;
  };
  std::map<std::string, SidecarSeries> sidecar_series_;  // devices with sidecars
  std::string istiod_;
  std::vector<std::pair<double, double>> istiod_version_;
  struct SidecarLine {
    SidecarStrip* strip = nullptr;
    QGraphicsPathItem* xds = nullptr;
    std::vector<std::string> members;
    SidecarView view;
  };
  std::vector<SidecarLine> sidecar_lines_;
  std::map<std::string, GroupBox*> group_items_;  // group box id -> item
  std::map<std::string, std::vector<std::vector<RunModel::PlaneHandle>>> group_handles_;  // id -> plane -> member
  Layout layout_;
  std::set<std::string> expanded_;  // groups the user expanded
  HealthMatrix* matrix_;
  Legend* legend_;
  QDockWidget* matrix_dock_;
  QGraphicsScene* scene_;
  QGraphicsView* view_;
  TimelineWidget* timeline_;
  ChartPanel* chart_;
  QLabel* time_label_;
  QLabel* status_;
  QLineEdit* filter_;
  QTableView* events_;
  EventTableModel* event_model_;
  QTimer* play_timer_;
  QComboBox* speed_box_;
  QAction* view_action_;
  QString selected_;
  QString bundle_dir_;
  std::unique_ptr<ReplayWindow> truth_window_;
  bool user_zoomed_ = false;  // until the user zooms, the topology is kept fitted to the view
  void Fit();
};

}  // namespace planelab::gui
