// planelab-replay: watch a recorded run plane by plane, or render one instant to a PNG.
#include <QApplication>
#include <QCommandLineParser>
#include <QImage>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "gui/replay_window.h"
#include "sim/util/units.h"

namespace {

bool HasArg(int argc, char** argv, std::initializer_list<const char*> names) {
  for (int i = 1; i < argc; ++i) {
    for (const char* n : names) {
      size_t len = std::strlen(n);
      if (std::strncmp(argv[i], n, len) == 0 && (argv[i][len] == '\0' || argv[i][len] == '=')) return true;
    }
  }
  return false;
}

bool Set(const char* var) { return std::getenv(var) && *std::getenv(var); }

}  // namespace

int main(int argc, char** argv) {
  // Help and screenshots never need a display: choose Qt's offscreen platform before Qt looks for
  // one (it aborts without). A platform the user chose explicitly is kept.
  bool wants_help = HasArg(argc, argv, {"--help", "-h", "--help-all", "-?", "--version", "-v"});
  bool wants_shot = HasArg(argc, argv, {"--screenshot"});
  if (!Set("QT_QPA_PLATFORM") && (wants_help || wants_shot)) setenv("QT_QPA_PLATFORM", "offscreen", 1);
  if (!Set("QT_QPA_PLATFORM") && !Set("DISPLAY") && !Set("WAYLAND_DISPLAY")) {
    std::fprintf(stderr,
                 "planelab-replay: no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset).\n"
                 "  Render one instant instead:  planelab-replay RUN_DIR --at 30s --screenshot out.png\n"
                 "  or run it under a display (e.g. xvfb-run planelab-replay RUN_DIR).\n");
    return 2;
  }
  QApplication app(argc, argv);
  QApplication::setApplicationName("planelab-replay");
  QCommandLineParser parser;
  parser.setApplicationDescription(
      "Replays a PlaneLab run folder: the topology with each device's data, control and management plane "
      "coloured by health, the truth or the operators' view, a timeline with the fault windows, the events "
      "and the metrics of a selected device.\n\nHeadless: planelab-replay RUN_DIR --at 30s --screenshot out.png "
      "[--view truth|reported]");
  parser.addHelpOption();
  parser.addPositionalArgument("RUN_DIR", "a run folder written by `planelab run`");
  QCommandLineOption at(QStringLiteral("at"), "time to show, e.g. 30s or 1.5s", "TIME", "0s");
  QCommandLineOption shot(QStringLiteral("screenshot"), "write the window to this PNG and exit", "FILE");
  QCommandLineOption view(QStringLiteral("view"), "truth (actual health) or reported (operators' view)", "VIEW", "truth");
  parser.addOptions({at, shot, view});
  parser.process(app);
  const QStringList args = parser.positionalArguments();
  bool headless = parser.isSet(shot);
  planelab::gui::ReplayWindow window;
  auto fail = [&](const QString& msg) {
    std::fprintf(stderr, "planelab-replay: %s\n", msg.toUtf8().constData());
    return 2;
  };
  if (parser.value(view) != "truth" && parser.value(view) != "reported") {
    return fail("--view " + parser.value(view) + ": use truth or reported");
  }
  auto when = planelab::ParseDuration(parser.value(at).toStdString());
  if (!when) return fail("--at: " + QString::fromStdString(when.error));
  if (!args.isEmpty() && !window.Open(args.first()) && headless) return fail(window.last_error());
  if (headless) {
    if (args.isEmpty()) return fail("--screenshot needs a RUN_DIR");
    window.SetReportedView(parser.value(view) == "reported");
    window.SeekTo(planelab::ToSeconds(*when.value));
    window.resize(1400, 900);
    window.show();
    QApplication::processEvents();
    window.resize(1400, 900);
    QApplication::processEvents();
    if (!window.grab().save(parser.value(shot), "PNG")) return fail("cannot write " + parser.value(shot));
    return 0;
  }
  if (args.isEmpty() == false) window.SeekTo(planelab::ToSeconds(*when.value));
  window.show();
  return app.exec();
}
