// Classroom exercises (exercises/*.json, schema exercises/exercise.schema.json): an incident drill built on a
// scenario whose parts are drawn per student, the briefing a student gets, the questions, and the grading with
// feedback that teaches the plane lesson. Pure: no ns-3; the CLI runs the variant and makes the bundle.
#pragma once
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace planelab::classroom {

/// Bad exercise, roster, key or answers input: every problem located (file:line: pointer: what and the fix).
/// The CLI prints them and exits 2.
class ExerciseError : public std::runtime_error {
 public:
  explicit ExerciseError(std::vector<std::string> problems);
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  std::vector<std::string> problems_;
};

/// One randomised part of a drill: a name (used as ${name} in the briefing and answers) and its choices, each a
/// label and the scenario values it sets (JSON pointer -> value).
struct VaryAxis {
  std::string name;
  struct Choice {
    std::string label;
    std::vector<std::pair<std::string, nlohmann::json>> set;
  };
  std::vector<Choice> choices;
};

/// One question: `type` is plane (traffic/changes/seeing), device, time (seconds, within a tolerance) or
/// choice (one key of `choices`). `answer` may hold ${axis} placeholders.
struct Question {
  std::string id, type, ask, answer;
  double tolerance_s = 0;
  int points = 1;
  nlohmann::ordered_json choices;             ///< choice: key -> text
  std::map<std::string, std::string> feedback;  ///< wrong answer -> feedback; "*" for any other wrong answer
  std::string right;                           ///< said when right (optional)
};

/// An exercise file, validated.
struct Exercise {
  std::string file, id, title, scenario_file, briefing;
  std::string scenario_text;  ///< the base scenario as read and validated (every variant starts from it)
  uint64_t seed = 1;
  std::vector<VaryAxis> vary;
  std::vector<Question> questions;
  std::vector<std::string> access;    ///< what the student may look at; empty: everything
  nlohmann::ordered_json instructor;  ///< goal, debrief: for the instructor only
};

/// Reads and validates an exercise file: the schema, the scenario it names (relative to the file), and every
/// choice of every axis applied to the scenario alone and checked by the scenario loader (at most 10,000
/// combinations are checked whole). Throws ExerciseError.
Exercise LoadExercise(const std::string& file);

/// A student's variant: the choices drawn for them and the scenario text to run.
struct Variant {
  std::string student;
  std::map<std::string, std::string> labels;  ///< axis -> the label drawn
  uint64_t run_seed = 1;
  std::string scenario_text;                  ///< the scenario with the choices applied, its expectations removed
};

/// The variant of `student`: a deterministic function of the exercise's seed and the student id, so that the
/// same id always gets the same incident and different ids (mostly) different ones.
Variant MakeVariant(const Exercise& ex, const std::string& student);

/// A student id is a file name: letters, digits, '.', '_', '-', '@', at most 64 characters. "" when valid,
/// else why not.
std::string CheckStudentId(const std::string& id);

/// The answer key of a variant (sealed: for the instructor), as JSON.
nlohmann::ordered_json MakeKey(const Exercise& ex, const Variant& v);
/// What the student sees of the questions (no answers, no feedback).
nlohmann::ordered_json StudentQuestions(const Exercise& ex);
/// `text` with every ${axis} replaced by the variant's label.
std::string Substitute(const std::string& text, const std::map<std::string, std::string>& labels);

/// The grade of one answers document against a key.
struct Grade {
  std::string student;
  int score = 0, max = 0;
  struct Item {
    std::string id, given, expected;
    bool right = false;
    int points = 0, max = 0;
    std::string feedback;
  };
  std::vector<Item> items;
  std::string ToText() const;
};

/// Checks an answers document ({"exercise", "student", "answers": {id: value}}) against the key; unknown
/// fields, unknown question ids and another exercise's id are errors (ExerciseError, `where` names the file).
Grade GradeAnswers(const nlohmann::json& key, const nlohmann::json& answers, const std::string& where);

/// The plane words a student may use, normalised: "traffic" (data), "changes" (control), "seeing" (management).
std::string NormalisePlane(const std::string& word);

}  // namespace planelab::classroom
