// planelab-replay: watch a recorded run plane by plane, or render one instant to a PNG.
#include <QApplication>
#include <QCommandLineParser>
#include <QImage>
#include <QPainter>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>

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
  bool wants_shot = HasArg(argc, argv, {"--screenshot", "--dump"});
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
      "[--view truth|reported] [--dump story.txt]\n\n"
      "A student bundle (planelab exercise make: bundles/<id>) opens in student mode: the operators' view only, no truth "
      "toggle; once its answers are submitted, File > Reveal the truth (or --reveal) shows the run beside it.\n\n"
      "A damaged run folder (a run.sqlite SQLite reports corrupt or whose content does not match the digest "
      "written with it, a value of the wrong type, files that do not match manifest.json) is refused with what is "
      "wrong; so is a manifest or store of another schema version. An interrupted run (a .partial-<PID> folder, an "
      "INTERRUPTED marker, or no summary.json or manifest.json) opens marked as interrupted, ending where its data "
      "end; headless, it is refused unless --partial is given.\n\n"
      "Exit status (headless): 0 written, 2 the run folder or an option was refused (the message says why).");
  parser.addHelpOption();
  parser.addPositionalArgument("RUN_DIR", "a run folder written by `planelab run`");
  QCommandLineOption at(QStringLiteral("at"), "time to show, e.g. 30s or 1.5s", "TIME", "0s");
  QCommandLineOption shot(QStringLiteral("screenshot"), "write the window to this PNG and exit", "FILE");
  QCommandLineOption view(QStringLiteral("view"), "truth (actual health) or reported (operators' view)", "VIEW", "truth");
  QCommandLineOption dump(QStringLiteral("dump"),
                          "write what the replay loaded (devices, links, events, fault windows, health, link state, "
                          "every metric series) as text to this file ('-': standard output) and exit",
                          "FILE");
  QCommandLineOption partial(QStringLiteral("partial"),
                             "headless: render an interrupted run too, up to where its data end (it is marked as "
                             "interrupted; a warning says so)");
  QCommandLineOption reveal(QStringLiteral("reveal"),
                            "a student bundle whose answers are submitted: show the truth beside it (the class folder's "
                            "runs/<id>, or --truth RUN_DIR); headless, both go into the screenshot side by side");
  QCommandLineOption truth(QStringLiteral("truth"), "the run behind a student bundle, for --reveal", "RUN_DIR");
  QCommandLineOption matrix(QStringLiteral("matrix"), "bring the health matrix (devices or groups x time) to the front");
  QCommandLineOption expand(QStringLiteral("expand"),
                            "expand a collapsed group of a big topology (e.g. leaves, hosts, \"nodes of rack-2\"); "
                            "may be repeated",
                            "GROUP");
  QCommandLineOption fold(QStringLiteral("fold-repeats"),
                          "fold repetitions in the event list (the same device, plane and kind again) into one row");
  parser.addOptions({at, shot, view, dump, partial, reveal, truth, matrix, expand, fold});
  parser.process(app);
  const QStringList args = parser.positionalArguments();
  bool headless = parser.isSet(shot) || parser.isSet(dump);
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
  for (const QString& g : parser.values(expand)) window.ExpandGroup(g);
  if (parser.isSet(matrix)) window.ShowMatrix();
  if (parser.isSet(fold)) window.SetCollapseRepeats(true);
  if (window.run().student_bundle() && parser.isSet(view) && parser.value(view) == "truth") {
    return fail(args.first() + ": a student bundle holds the operators' view only; after submitting your answers, "
                "--reveal shows the truth beside it");
  }
  if (parser.isSet(reveal) || parser.isSet(truth)) {
    if (args.isEmpty()) return fail("--reveal needs a student bundle");
    if (!window.Reveal(parser.value(truth))) {
      if (headless) return fail(window.last_error());
      std::fprintf(stderr, "planelab-replay: %s\n", window.last_error().toUtf8().constData());
    }
  }
  if (headless) {
    if (args.isEmpty()) return fail(QString(parser.isSet(shot) ? "--screenshot" : "--dump") + " needs a RUN_DIR");
    const planelab::gui::RunModel& run = window.run();
    if (run.interrupted()) {
      QString note = args.first() + ": " + QString::fromStdString(run.InterruptionNote());
      if (!parser.isSet(partial)) return fail(note + ". Add --partial to render what it recorded.");
      std::fprintf(stderr, "planelab-replay: warning: %s; rendering it as interrupted (--partial).\n",
                   note.toUtf8().constData());
    }
    window.SetReportedView(parser.value(view) == "reported" || window.run().student_bundle());
    window.SeekTo(planelab::ToSeconds(*when.value));
    QImage image;
    if (parser.isSet(shot)) {
      window.resize(1400, 900);
      window.show();
      QApplication::processEvents();
      window.resize(1400, 900);
      QApplication::processEvents();
      image = window.grab().toImage();
      if (auto* t = window.truth_window()) {
        // Revealed: the operators' view on the left, the truth on the right, at the same instant.
        t->resize(1400, 900);
        t->show();
        QApplication::processEvents();
        QImage right = t->grab().toImage();
        QImage both(image.width() + right.width() + 8, std::max(image.height(), right.height()), QImage::Format_RGB32);
        both.fill(Qt::white);
        QPainter painter(&both);
        painter.drawImage(0, 0, image);
        painter.drawImage(image.width() + 8, 0, right);
        painter.end();
        image = both;
      }
    }
    std::string story;
    if (parser.isSet(dump)) {
      try {
        story = run.Story();
      } catch (const std::exception& e) {
        return fail(QString::fromStdString(e.what()));
      }
    }
    // Damage met while drawing (a chart's series): nothing is written that could be taken for the run.
    if (!window.damage().isEmpty()) return fail(window.damage());
    if (parser.isSet(shot) && !image.save(parser.value(shot), "PNG")) return fail("cannot write " + parser.value(shot));
    if (parser.isSet(dump)) {
      if (parser.value(dump) == "-") {
        std::fwrite(story.data(), 1, story.size(), stdout);
      } else {
        std::ofstream out(parser.value(dump).toStdString(), std::ios::binary);
        out << story;
        if (!out) return fail("cannot write " + parser.value(dump));
      }
    }
    return 0;
  }
  if (args.isEmpty() == false) window.SeekTo(planelab::ToSeconds(*when.value));
  window.show();
  return app.exec();
}
