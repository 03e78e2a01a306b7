#include "sim/classroom/exercise.h"


#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "exercise_schema.h"
#include "models/catalog.h"
#include "sim/experiment/overrides.h"
#include "sim/scenario/scenario_error.h"
#include "sim/scenario/scenario_loader.h"
#include "sim/util/hash.h"
#include "sim/util/json_locate.h"
#include "sim/util/schema_check.h"
#include "sim/util/units.h"

namespace planelab::classroom {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

constexpr size_t kMaxExerciseBytes = 1 << 20;   // an exercise is a few kilobytes
constexpr size_t kMaxCombinationsChecked = 10000;

std::string Where(const std::string& file, const JsonLineIndex& lines, const std::string& pointer) {
  int line = lines.LineOf(pointer);
  return file + (line ? ":" + std::to_string(line) : "") + ": " + (pointer.empty() ? "/" : pointer) + ": ";
}

double Seconds(const std::string& text, bool* ok) {
  auto p = ParseDuration(text);
  *ok = static_cast<bool>(p);
  return p ? ToSeconds(*p.value) : 0;
}

std::string LabelOf(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

}  // namespace

ExerciseError::ExerciseError(std::vector<std::string> problems)
    : std::runtime_error(problems.empty() ? "bad exercise input" : problems.front()), problems_(std::move(problems)) {}

std::string CheckStudentId(const std::string& id) {
  static const std::regex ok("^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$");
  if (id.size() > 64 || !std::regex_match(id, ok)) {
    return "the student id \"" + id.substr(0, 80) +
           "\" is not usable as a file name: use letters, digits, '.', '_', '-', '@', at most 64 characters, "
           "starting with a letter or digit";
  }
  return "";
}

std::string NormalisePlane(const std::string& word) {
  std::string w;
  for (char c : word) w += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (w == "traffic" || w == "data" || w == "carrying traffic") return "traffic";
  if (w == "changes" || w == "control" || w == "making changes") return "changes";
  if (w == "seeing" || w == "management" || w == "seeing the system") return "seeing";
  return w;
}

std::string Substitute(const std::string& text, const std::map<std::string, std::string>& labels) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    if (text.compare(i, 2, "${") == 0) {
      size_t end = text.find('}', i);
      if (end != std::string::npos) {
        auto it = labels.find(text.substr(i + 2, end - i - 2));
        if (it != labels.end()) {
          out += it->second;
          i = end + 1;
          continue;
        }
      }
    }
    out += text[i++];
  }
  return out;
}

Exercise LoadExercise(const std::string& file) {
  std::vector<std::string> problems;
  auto fail = [&](const std::string& m) {
    problems.push_back(m);
    throw ExerciseError(problems);
  };
  std::error_code ec;
  if (fs::is_directory(file, ec)) fail(file + ": is a folder; give an exercise file such as exercises/net-01.json");
  std::ifstream in(file, std::ios::binary);
  if (!in) fail(file + ": cannot open the exercise file: check the path, and that the file is readable");
  if (fs::is_regular_file(file, ec) && fs::file_size(file, ec) > kMaxExerciseBytes) {
    fail(file + ": larger than 1 MB; an exercise is a few kilobytes");
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  std::string text = buf.str();
  if (text.size() > kMaxExerciseBytes) fail(file + ": larger than 1 MB; an exercise is a few kilobytes");
  JsonLineIndex lines(text, kMaxScenarioNesting);
  if (lines.too_deep_line() > 0) {
    fail(file + ":" + std::to_string(lines.too_deep_line()) + ": the JSON nests deeper than " +
         std::to_string(kMaxScenarioNesting) + " levels here");
  }
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::exception& e) {
    fail(file + ": not valid JSON: " + e.what());
  }
  for (const auto& d : lines.duplicate_keys()) {
    problems.push_back(Where(file, lines, d.pointer) + "this key is given twice in one object (first at line " +
                       std::to_string(d.first_line) + "); JSON keeps only the last one, so remove the other");
  }
  if (!problems.empty()) throw ExerciseError(problems);
  if (auto found = SchemaProblems(doc, kExerciseSchema); !found.empty()) {
    for (const auto& [pointer, what] : found) problems.push_back(Where(file, lines, pointer) + what + " (exercises/exercise.schema.json)");
    throw ExerciseError(problems);
  }
  Exercise ex;
  ex.file = file;
  ex.id = doc["id"];
  ex.title = doc["title"];
  ex.briefing = doc["briefing"];
  ex.seed = doc.value("seed", 1ull);
  ex.instructor = ojson::parse(doc.value("instructor", json::object()).dump());
  if (doc.contains("access")) ex.access = doc["access"].get<std::vector<std::string>>();
  ex.scenario_file = (fs::path(file).parent_path() / doc["scenario"].get<std::string>()).lexically_normal().string();
  std::string& base = ex.scenario_text;
  try {
    base = ReadScenarioFile(ex.scenario_file);
  } catch (const ScenarioError& e) {
    fail(Where(file, lines, "/scenario") + "the scenario " + ex.scenario_file + ": " +
         (e.problems().empty() ? e.what() : e.problems()[0].message));
  }
  // The axes.
  std::set<std::string> names;
  for (size_t i = 0; i < doc["vary"].size(); ++i) {
    const json& a = doc["vary"][i];
    std::string at = "/vary/" + std::to_string(i);
    VaryAxis axis;
    axis.name = a["name"];
    if (!names.insert(axis.name).second) problems.push_back(Where(file, lines, at + "/name") + "two axes are named \"" + axis.name + "\"");
    if (a.contains("pointer")) {
      for (const auto& v : a["values"]) axis.choices.push_back({LabelOf(v), {{a["pointer"].get<std::string>(), v}}});
    } else {
      for (const auto& c : a["choices"]) {
        VaryAxis::Choice ch{LabelOf(c["label"]), {}};
        for (auto it = c["set"].begin(); it != c["set"].end(); ++it) ch.set.push_back({it.key(), it.value()});
        axis.choices.push_back(ch);
      }
    }
    ex.vary.push_back(axis);
  }
  // The questions.
  std::set<std::string> ids;
  for (size_t i = 0; i < doc["questions"].size(); ++i) {
    const json& q = doc["questions"][i];
    std::string at = "/questions/" + std::to_string(i);
    Question question;
    question.id = q["id"];
    question.type = q["type"];
    question.ask = q["ask"];
    question.answer = q["answer"];
    question.points = q.value("points", 1);
    question.right = q.value("right", std::string());
    if (!ids.insert(question.id).second) problems.push_back(Where(file, lines, at + "/id") + "two questions have the id \"" + question.id + "\"");
    if (q.contains("feedback")) {
      for (auto it = q["feedback"].begin(); it != q["feedback"].end(); ++it) question.feedback[it.key()] = it.value();
    }
    if (question.type == "time") {
      bool ok = false;
      question.tolerance_s = Seconds(q.value("tolerance", std::string("5s")), &ok);
      if (!ok) problems.push_back(Where(file, lines, at + "/tolerance") + "not a duration (write e.g. \"5s\")");
    }
    if (question.type == "choice") {
      if (!q.contains("choices")) {
        problems.push_back(Where(file, lines, at) + "a choice question needs \"choices\" (key -> text)");
      } else {
        question.choices = ojson::parse(q["choices"].dump());
        if (question.answer.find("${") == std::string::npos && !q["choices"].contains(question.answer)) {
          problems.push_back(Where(file, lines, at + "/answer") + "the answer \"" + question.answer +
                             "\" is not one of the choices");
        }
      }
    }
    if (question.type == "plane" && question.answer.find("${") == std::string::npos &&
        NormalisePlane(question.answer) != "traffic" && NormalisePlane(question.answer) != "changes" &&
        NormalisePlane(question.answer) != "seeing") {
      problems.push_back(Where(file, lines, at + "/answer") + "a plane answer is traffic, changes or seeing");
    }
    for (size_t p = 0; p < question.answer.size();) {
      size_t s = question.answer.find("${", p);
      if (s == std::string::npos) break;
      size_t e = question.answer.find('}', s);
      std::string name = question.answer.substr(s + 2, e == std::string::npos ? std::string::npos : e - s - 2);
      if (!names.count(name)) problems.push_back(Where(file, lines, at + "/answer") + "no axis is named \"" + name + "\"");
      p = e == std::string::npos ? question.answer.size() : e + 1;
    }
    ex.questions.push_back(question);
  }
  if (!problems.empty()) throw ExerciseError(problems);
  // Every choice must make a valid scenario: each alone, then every combination while there are few.
  const ModelCatalog& catalog = BuiltinCatalog();
  auto check = [&](const std::vector<experiment::Override>& ov, const std::string& what) {
    try {
      std::string t = experiment::ApplyOverrides(base, ex.scenario_file, ov);
      ParseScenarioText(t, ex.scenario_file + " (" + what + ")", catalog);
    } catch (const ScenarioError& e) {
      for (const auto& p : e.problems()) problems.push_back(file + ": " + what + " makes an invalid scenario: " + p.Format());
    } catch (const std::exception& e) {
      problems.push_back(file + ": " + what + " makes an invalid scenario: " + e.what());
    }
  };
  for (size_t ai = 0; ai < ex.vary.size(); ++ai) {
    for (size_t ci = 0; ci < ex.vary[ai].choices.size(); ++ci) {
      std::vector<experiment::Override> ov;
      for (const auto& [p, v] : ex.vary[ai].choices[ci].set) ov.push_back({p, ojson::parse(v.dump())});
      check(ov, "/vary/" + std::to_string(ai) + " choice \"" + ex.vary[ai].choices[ci].label + "\"");
    }
  }
  size_t combos = 1;
  for (const auto& a : ex.vary) combos *= std::max<size_t>(1, a.choices.size());
  if (problems.empty() && combos <= kMaxCombinationsChecked) {
    for (size_t k = 0; k < combos && problems.empty(); ++k) {
      std::vector<experiment::Override> ov;
      std::string what = "the combination";
      size_t rest = k;
      for (const auto& a : ex.vary) {
        const auto& c = a.choices[rest % a.choices.size()];
        rest /= a.choices.size();
        for (const auto& [p, v] : c.set) ov.push_back({p, ojson::parse(v.dump())});
        what += " " + a.name + "=" + c.label;
      }
      check(ov, what);
    }
  }
  if (!problems.empty()) throw ExerciseError(problems);
  return ex;
}

Variant MakeVariant(const Exercise& ex, const std::string& student) {
  Variant v;
  v.student = student;
  // splitmix64 over FNV-1a of (seed, id): stable across platforms and PlaneLab versions.
  uint64_t state = Fnv1a64(std::to_string(ex.seed) + "\n" + ex.id + "\n" + student);
  auto next = [&]() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  };
  std::vector<experiment::Override> ov;
  for (const auto& a : ex.vary) {
    const auto& c = a.choices[next() % a.choices.size()];
    v.labels[a.name] = c.label;
    for (const auto& [p, val] : c.set) ov.push_back({p, ojson::parse(val.dump())});
  }
  v.run_seed = next() % 1000000 + 1;
  ojson doc = ojson::parse(experiment::ApplyOverrides(ex.scenario_text, ex.scenario_file, ov));
  // The scenario's own expectations would tell the run's story; the key grades the student instead.
  doc.erase("expectations");
  doc["seed"] = v.run_seed;
  doc["name"] = ex.id + "-" + student;
  doc["description"] = "exercise " + ex.id + ", variant of student " + student;
  v.scenario_text = doc.dump(2) + "\n";
  return v;
}

ojson StudentQuestions(const Exercise& ex) {
  ojson qs = ojson::array();
  for (const auto& q : ex.questions) {
    ojson x = {{"id", q.id}, {"type", q.type}, {"ask", q.ask}, {"points", q.points}};
    if (q.type == "choice") x["choices"] = q.choices;
    if (q.type == "plane") x["choices"] = {{"traffic", "carrying traffic (data plane)"}, {"changes", "making changes (control plane)"}, {"seeing", "seeing the system (management plane)"}};
    if (q.type == "time") x["tolerance_s"] = q.tolerance_s;
    qs.push_back(x);
  }
  return qs;
}

ojson MakeKey(const Exercise& ex, const Variant& v) {
  ojson key;
  key["format"] = "planelab.exercise-key/1";
  key["exercise"] = ex.id;
  key["title"] = ex.title;
  key["student"] = v.student;
  key["variant"] = v.labels;
  key["run_seed"] = v.run_seed;
  key["briefing"] = Substitute(ex.briefing, v.labels);
  key["questions"] = ojson::array();
  for (const auto& q : ex.questions) {
    ojson x = {{"id", q.id}, {"type", q.type}, {"ask", q.ask}, {"answer", Substitute(q.answer, v.labels)},
               {"points", q.points}};
    if (q.type == "time") x["tolerance_s"] = q.tolerance_s;
    if (q.type == "choice") x["choices"] = q.choices;
    ojson fb = ojson::object();
    for (const auto& [k, t] : q.feedback) fb[k] = Substitute(t, v.labels);
    x["feedback"] = fb;
    if (!q.right.empty()) x["right"] = Substitute(q.right, v.labels);
    key["questions"].push_back(x);
  }
  key["instructor"] = ex.instructor;
  return key;
}

std::string Grade::ToText() const {
  std::ostringstream o;
  o << student << ": " << score << " of " << max << " points (" << (max ? score * 100 / max : 0) << " %)\n";
  for (const auto& it : items) {
    o << "  " << it.id << ": " << (it.right ? "right" : "wrong") << " (" << it.points << "/" << it.max << ")";
    if (!it.right) o << " - you answered \"" << (it.given.empty() ? "(nothing)" : it.given) << "\"";
    o << "\n";
    if (!it.feedback.empty()) o << "      " << it.feedback << "\n";
  }
  return o.str();
}

Grade GradeAnswers(const json& key, const json& answers, const std::string& where) {
  std::vector<std::string> problems;
  if (!answers.is_object()) throw ExerciseError({where + ": an answers file is a JSON object {\"exercise\", \"student\", \"answers\"}"});
  for (auto it = answers.begin(); it != answers.end(); ++it) {
    if (it.key() != "exercise" && it.key() != "student" && it.key() != "answers" && it.key() != "submitted_at_s") {
      problems.push_back(where + ": /" + it.key() + ": unknown field; an answers file has exercise, student and answers");
    }
  }
  if (!answers.contains("exercise") || !answers["exercise"].is_string()) {
    problems.push_back(where + ": /exercise: missing; write the exercise id the bundle names");
  } else if (answers["exercise"] != key.value("exercise", std::string())) {
    problems.push_back(where + ": /exercise: these are answers to exercise \"" + answers["exercise"].get<std::string>() +
                       "\", the key is of \"" + key.value("exercise", std::string()) + "\"");
  }
  if (!answers.contains("answers") || !answers["answers"].is_object()) {
    problems.push_back(where + ": /answers: missing; an object of question id -> answer");
  }
  std::set<std::string> qids;
  for (const auto& q : key["questions"]) qids.insert(q["id"].get<std::string>());
  if (answers.contains("answers") && answers["answers"].is_object()) {
    for (auto it = answers["answers"].begin(); it != answers["answers"].end(); ++it) {
      if (!qids.count(it.key())) {
        std::string known;
        for (const auto& q : qids) known += (known.empty() ? "" : ", ") + q;
        problems.push_back(where + ": /answers/" + it.key() + ": no such question; the questions are " + known);
      } else if (!it.value().is_string() && !it.value().is_number()) {
        problems.push_back(where + ": /answers/" + it.key() + ": an answer is a string or a number");
      }
    }
  }
  if (!problems.empty()) throw ExerciseError(problems);
  Grade g;
  g.student = key.value("student", std::string());
  for (const auto& q : key["questions"]) {
    Grade::Item it;
    it.id = q["id"];
    it.max = q["points"];
    it.expected = q["answer"];
    g.max += it.max;
    const json& a = answers["answers"];
    if (a.contains(it.id)) it.given = a[it.id].is_string() ? a[it.id].get<std::string>() : a[it.id].dump();
    std::string type = q["type"];
    if (type == "plane") {
      it.right = NormalisePlane(it.given) == NormalisePlane(it.expected);
    } else if (type == "time") {
      bool ok1 = false, ok2 = false;
      std::string given = it.given;
      if (!given.empty() && given.find_first_not_of("0123456789.") == std::string::npos) given += "s";
      double x = Seconds(given, &ok1), y = Seconds(it.expected, &ok2);
      it.right = ok1 && ok2 && std::fabs(x - y) <= q.value("tolerance_s", 0.0) + 1e-9;
    } else {
      it.right = it.given == it.expected;
    }
    it.points = it.right ? it.max : 0;
    g.score += it.points;
    const json& fb = q["feedback"];
    if (it.right) {
      it.feedback = q.value("right", std::string());
    } else {
      std::string k = type == "plane" ? NormalisePlane(it.given) : it.given;
      if (fb.contains(k)) it.feedback = fb[k];
      else if (fb.contains("*")) it.feedback = fb["*"];
      if (it.given.empty()) it.feedback = "no answer. " + it.feedback;
    }
    g.items.push_back(it);
  }
  return g;
}

}  // namespace planelab::classroom
