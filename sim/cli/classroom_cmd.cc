#include "sim/cli/classroom_cmd.h"

#include <readline/history.h>
#include <readline/readline.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "sim/classroom/exercise.h"
#include "sim/classroom/student_bundle.h"
#include "sim/cli/worker_pool.h"
#include "sim/util/atomic_file.h"

namespace planelab {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using ojson = nlohmann::ordered_json;
using classroom::ExerciseError;

constexpr int kExitBadInput = 2;
constexpr size_t kMaxRoster = 10000;

int PrintProblems(const std::vector<std::string>& problems, const std::string& tail) {
  for (const auto& p : problems) std::cerr << "error: " << p << "\n";
  std::cerr << tail << "\n";
  return kExitBadInput;
}


std::optional<json> ReadJsonFile(const std::string& path, std::string* why) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    *why = path + ": no such file";
    return std::nullopt;
  }
  if (fs::file_size(path, ec) > (1u << 20)) {
    *why = path + ": larger than 1 MB; an answers file or key is a few kilobytes";
    return std::nullopt;
  }
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  json j = json::parse(s.str(), nullptr, false);
  if (j.is_discarded()) {
    *why = path + ": not valid JSON";
    return std::nullopt;
  }
  return j;
}

}  // namespace

int CmdExerciseCheck(const std::vector<std::string>& files) {
  int rc = 0;
  for (const auto& f : files) {
    try {
      classroom::Exercise ex = classroom::LoadExercise(f);
      size_t combos = 1;
      for (const auto& a : ex.vary) combos *= a.choices.size();
      std::cout << f << ": valid (exercise " << ex.id << ", " << ex.vary.size() << " randomised parts, " << combos
                << " variants, " << ex.questions.size() << " questions)\n";
    } catch (const ExerciseError& e) {
      PrintProblems(e.problems(), f + ": not valid");
      rc = kExitBadInput;
    }
  }
  return rc;
}

int CmdExerciseMake(const ExerciseMakeOptions& o) {
  if (o.student.empty() == o.roster.empty()) {
    std::cerr << "error: give one of --student ID (one student) or --class ROSTER (a file of student ids, one per line)\n";
    return kExitBadInput;
  }
  classroom::Exercise ex;
  try {
    ex = classroom::LoadExercise(o.exercise);
  } catch (const ExerciseError& e) {
    return PrintProblems(e.problems(), "nothing was made.");
  }
  std::vector<std::string> students;
  if (!o.student.empty()) {
    students.push_back(o.student);
  } else {
    std::error_code ec;
    if (!fs::is_regular_file(o.roster, ec)) {
      std::cerr << "error: --class " << o.roster << ": no such roster file (one student id per line)\nnothing was made.\n";
      return kExitBadInput;
    }
    std::ifstream in(o.roster);
    std::string line;
    int n = 0;
    std::set<std::string> seen;
    std::vector<std::string> problems;
    while (std::getline(in, line)) {
      ++n;
      line.erase(0, line.find_first_not_of(" \t\r"));
      line.erase(line.find_last_not_of(" \t\r") + 1);
      if (line.empty() || line[0] == '#') continue;
      if (students.size() >= kMaxRoster) {
        problems.push_back(o.roster + ": more than " + std::to_string(kMaxRoster) + " students");
        break;
      }
      if (auto why = classroom::CheckStudentId(line); !why.empty()) problems.push_back(o.roster + ":" + std::to_string(n) + ": " + why);
      else if (!seen.insert(line).second) problems.push_back(o.roster + ":" + std::to_string(n) + ": \"" + line + "\" is listed twice");
      else students.push_back(line);
    }
    if (!problems.empty()) return PrintProblems(problems, "nothing was made.");
    if (students.empty()) {
      std::cerr << "error: " << o.roster << ": no student ids in it (one per line; # starts a comment)\nnothing was made.\n";
      return kExitBadInput;
    }
  }
  if (o.rounds > 1) {
    // A round: each student answers several short incidents, each its own variant (the id decides the draw).
    std::vector<std::string> expanded;
    for (const auto& s : students) {
      for (int r = 1; r <= o.rounds; ++r) expanded.push_back(s + "." + std::to_string(r));
    }
    students = expanded;
    for (const auto& s : students) {
      if (auto why = classroom::CheckStudentId(s); !why.empty()) {
        std::cerr << "error: --rounds: " << why << "\nnothing was made.\n";
        return kExitBadInput;
      }
    }
  }
  if (auto why = classroom::CheckStudentId(o.student); !o.student.empty() && !why.empty()) {
    std::cerr << "error: --student: " << why << "\nnothing was made.\n";
    return kExitBadInput;
  }
  fs::path out = o.out_dir;
  std::error_code ec;
  for (const auto& s : students) {
    if (fs::exists(out / "bundles" / s, ec)) {
      std::cerr << "error: " << (out / "bundles" / s).string() << " exists already: a bundle is never overwritten (the "
                << "student may have answers in it); give another --out or remove it\nnothing was made.\n";
      return kExitBadInput;
    }
  }
  fs::create_directories(out / "bundles", ec);
  fs::create_directories(out / "keys", ec);
  fs::create_directories(out / "runs", ec);
  if (ec) {
    std::cerr << "error: --out " << o.out_dir << ": cannot be made: " << ec.message() << "\n";
    return kExitBadInput;
  }
  // The variants, then their runs in worker processes, then the bundles and keys.
  std::vector<classroom::Variant> variants;
  std::vector<WorkerJob> jobs;
  for (const auto& s : students) {
    classroom::Variant v = classroom::MakeVariant(ex, s);
    fs::path scen = out / "keys" / (s + ".scenario.json");
    if (!WriteFileAtomically(scen.string(), v.scenario_text)) {
      std::cerr << "error: cannot write " << scen.string() << "\n";
      return 1;
    }
    fs::path run = out / "runs" / s;
    fs::remove_all(run, ec);
    jobs.push_back(WorkerJob{{"run", scen.string(), "--out", run.string(), "--quiet", "--force"},
                             (out / "runs" / (s + ".stderr")).string(), -1});
    variants.push_back(v);
  }
  bool tty = ::isatty(STDERR_FILENO);
  size_t done = 0;
  int stop = RunWorkerJobs(jobs, o.jobs, [&](size_t) {
    ++done;
    if (tty) std::fprintf(stderr, "\r  exercise %s: %zu/%zu runs done   ", ex.id.c_str(), done, jobs.size());
  });
  if (tty) std::fprintf(stderr, "\n");
  if (stop) {
    std::cerr << "interrupted: no bundle was written\n";
    return 128 + stop;
  }
  int rc = 0;
  for (size_t i = 0; i < students.size(); ++i) {
    const auto& s = students[i];
    if (jobs[i].exit_code != 0 && jobs[i].exit_code != 1) {
      std::cerr << "error: the run of " << s << "'s variant failed (exit " << jobs[i].exit_code << "): "
                << LogTail(jobs[i].log, 400) << "\n";
      rc = 1;
      continue;
    }
    try {
      classroom::WriteStudentBundle(ex, variants[i], (out / "runs" / s).string(), (out / "bundles" / s).string());
      ojson key = classroom::MakeKey(ex, variants[i]);
      key["run"] = fs::path("..") / "runs" / s;
      if (!WriteFileAtomically((out / "keys" / (s + ".key.json")).string(), key.dump(2) + "\n")) throw std::runtime_error("cannot write the key");
      std::cout << s << ": bundle " << (out / "bundles" / s).string() << ", key " << (out / "keys" / (s + ".key.json")).string() << "\n";
    } catch (const std::exception& e) {
      std::cerr << "error: " << s << ": " << e.what() << "\n";
      rc = 1;
    }
  }
  std::cout << "hand out " << (out / "bundles").string() << "/<student>/ (each holds only what operators could see); keep "
            << (out / "keys").string() << " and " << (out / "runs").string() << " for yourself\n";
  return rc;
}

int CmdExerciseGrade(const std::string& key_path, const std::string& answers_path, const std::string& csv) {
  std::error_code ec;
  bool class_mode = fs::is_directory(key_path, ec);
  if (class_mode != fs::is_directory(answers_path, ec)) {
    std::cerr << "error: give a key file and an answers file, or a folder of keys (<student>.key.json) and a folder of "
                 "answers (<student>.json)\n";
    return kExitBadInput;
  }
  auto grade_one = [&](const std::string& kp, const std::string& ap, classroom::Grade* g, std::string* why) {
    auto key = ReadJsonFile(kp, why);
    if (!key) return false;
    if (!key->is_object() || key->value("format", std::string()) != "planelab.exercise-key/1") {
      *why = kp + ": not an answer key (made by `planelab exercise make`)";
      return false;
    }
    auto ans = ReadJsonFile(ap, why);
    if (!ans) return false;
    try {
      *g = classroom::GradeAnswers(*key, *ans, ap);
    } catch (const ExerciseError& e) {
      *why = "";
      for (const auto& p : e.problems()) *why += (why->empty() ? "" : "\n") + p;
      return false;
    }
    if (ans->contains("student") && (*ans)["student"].is_string() && (*ans)["student"] != key->value("student", std::string())) {
      *why = ap + ": /student: these are " + (*ans)["student"].get<std::string>() + "'s answers, the key is " +
             key->value("student", std::string()) + "'s";
      return false;
    }
    return true;
  };
  if (!class_mode) {
    classroom::Grade g;
    std::string why;
    if (!grade_one(key_path, answers_path, &g, &why)) {
      std::cerr << "error: " << why << "\nnothing was graded.\n";
      return kExitBadInput;
    }
    std::cout << g.ToText();
    return 0;
  }
  // A class: every key, with its student's answers when handed in.
  std::vector<std::string> keys;
  for (const auto& e : fs::directory_iterator(key_path, ec)) {
    std::string f = e.path().filename().string();
    if (f.size() > 9 && f.compare(f.size() - 9, 9, ".key.json") == 0) keys.push_back(e.path().string());
  }
  std::sort(keys.begin(), keys.end());
  if (keys.empty()) {
    std::cerr << "error: " << key_path << ": no keys (<student>.key.json) in it\n";
    return kExitBadInput;
  }
  std::vector<std::string> header = {"student", "score", "max", "percent", "status"};
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> qids;
  int bad = 0;
  for (const auto& k : keys) {
    std::string student = fs::path(k).filename().string();
    student = student.substr(0, student.size() - 9);
    std::string ap = (fs::path(answers_path) / (student + ".json")).string();
    classroom::Grade g;
    std::string why, status = "graded";
    if (!fs::exists(ap, ec)) {
      status = "no answers";
      std::string w2;
      auto key = ReadJsonFile(k, &w2);
      if (key) g = classroom::GradeAnswers(*key, json{{"exercise", key->value("exercise", std::string())}, {"answers", json::object()}}, ap);
      g.score = 0;
    } else if (!grade_one(k, ap, &g, &why)) {
      std::cerr << "error: " << why << "\n";
      ++bad;
      status = "unreadable answers";
      continue;
    }
    if (qids.empty()) {
      for (const auto& it : g.items) {
        qids.push_back(it.id);
        header.push_back(it.id);
      }
    }
    std::vector<std::string> row = {student, std::to_string(g.score), std::to_string(g.max),
                                    std::to_string(g.max ? g.score * 100 / g.max : 0), status};
    for (const auto& it : g.items) row.push_back(std::to_string(it.points));
    rows.push_back(row);
    std::cout << student << ": " << g.score << "/" << g.max << (status == "graded" ? "" : " (" + status + ")") << "\n";
  }
  if (!csv.empty()) {
    std::ostringstream o;
    for (size_t i = 0; i < header.size(); ++i) o << (i ? "," : "") << header[i];
    o << "\n";
    for (const auto& r : rows) {
      for (size_t i = 0; i < r.size(); ++i) o << (i ? "," : "") << r[i];
      o << "\n";
    }
    if (!WriteFileAtomically(csv, o.str())) {
      std::cerr << "error: cannot write " << csv << "\n";
      return 1;
    }
    std::cout << "gradebook: " << csv << " (" << rows.size() << " students)\n";
  }
  return bad ? kExitBadInput : 0;
}

namespace {
classroom::OperatorConsole* g_console = nullptr;
char* CompleteWord(const char* text, int state) {
  static std::vector<std::string> matches;
  static size_t i;
  if (state == 0) {
    matches = g_console ? g_console->Complete(text) : std::vector<std::string>{};
    i = 0;
  }
  return i < matches.size() ? strdup(matches[i++].c_str()) : nullptr;
}
char** Completion(const char* text, int, int) {
  rl_attempted_completion_over = 1;
  return rl_completion_matches(text, CompleteWord);
}
}  // namespace

int CmdConsole(const ConsoleOptions& o) {
  std::unique_ptr<classroom::OperatorConsole> c;
  try {
    c = std::make_unique<classroom::OperatorConsole>(o.bundle);
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitBadInput;
  }
  if (!o.answers_path.empty()) c->set_answers_path(o.answers_path);
  bool err = false;
  if (!o.at.empty()) {
    std::string out = c->Execute("time " + o.at, &err);
    if (err) {
      std::cerr << "error: --at: " << out;
      return kExitBadInput;
    }
  }
  if (!o.commands.empty()) {
    for (const auto& cmd : o.commands) {
      std::string out = c->Execute(cmd, &err);
      if (err) {
        std::cerr << "error: " << cmd << ": " << out.substr(out.rfind("% ", 0) == 0 ? 2 : 0);
        return kExitBadInput;
      }
      std::cout << out;
    }
    return 0;
  }
  g_console = c.get();
  rl_attempted_completion_function = Completion;
  std::cout << "PlaneLab operator console - exercise " << c->exercise() << ", student " << c->student()
            << ". `help` lists the commands; Tab completes; the clock starts at t=" << static_cast<int>(c->now()) << "s.\n";
  for (;;) {
    std::string prompt = "ops[t=" + std::to_string(static_cast<int>(c->now())) + "s]> ";
    char* line = readline(::isatty(STDIN_FILENO) ? prompt.c_str() : "");
    if (!line) break;
    std::string s = line;
    free(line);
    if (s.find_first_not_of(" \t") == std::string::npos) continue;
    add_history(s.c_str());
    if (s == "quit" || s == "exit") break;
    std::cout << c->Execute(s, &err) << std::flush;
  }
  g_console = nullptr;
  return 0;
}

}  // namespace planelab
