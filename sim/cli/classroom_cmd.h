// The classroom commands (docs/classroom.md): `planelab exercise make|check|grade` and `planelab console`.
#pragma once
#include <string>
#include <vector>

namespace planelab {

struct ExerciseMakeOptions {
  std::string exercise, student, roster, out_dir;
  int jobs = 1;
  int rounds = 1;  ///< > 1: each student gets this many incidents, as <id>.1 ... <id>.N (a warm-up round)
};
/// 0 every bundle made, 1 a run failed (the others are kept), 2 bad input (nothing made).
int CmdExerciseMake(const ExerciseMakeOptions& o);
/// Validates exercise files (schema, scenario, every choice): 0 valid, 2 not.
int CmdExerciseCheck(const std::vector<std::string>& files);
/// Grades one answers file against a key, or a folder of keys against a folder of answers (--csv gradebook).
int CmdExerciseGrade(const std::string& key, const std::string& answers, const std::string& csv);

struct ConsoleOptions {
  std::string bundle;
  std::vector<std::string> commands;  ///< --cmd: run these and exit (non-interactive)
  std::string at;                     ///< --at: the clock to start from
  std::string answers_path;           ///< where `submit` writes (default <bundle>/answers.json)
};
/// The operator console: interactive (readline: history, tab completion) or non-interactive with --cmd (exit 2
/// on the first command that is not one).
int CmdConsole(const ConsoleOptions& o);

}  // namespace planelab
