// Exercise files, variants and grading (sim/classroom/exercise.h), alone: no run, no bundle.
#include "sim/classroom/exercise.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

using namespace planelab::classroom;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string Pack(const std::string& id) { return std::string(PLANELAB_SOURCE_DIR) + "/exercises/" + id + ".json"; }

fs::path Scratch(const std::string& name, const std::string& text) {
  fs::path dir = fs::temp_directory_path() / "exercise_test";
  fs::create_directories(dir);
  fs::path p = dir / name;
  std::ofstream(p) << text;
  return p;
}

TEST(Exercise, AStudentsVariantDependsOnTheIdAlone) {
  Exercise ex = LoadExercise(Pack("net-01"));
  Variant a = MakeVariant(ex, "ada"), again = MakeVariant(ex, "ada");
  EXPECT_EQ(a.labels, again.labels);
  EXPECT_EQ(a.scenario_text, again.scenario_text);
  EXPECT_EQ(a.run_seed, again.run_seed);
  // Over a class, the draws spread over the choices.
  std::set<std::string> devices;
  for (int i = 0; i < 30; ++i) devices.insert(MakeVariant(ex, "student" + std::to_string(i)).labels.at("device"));
  EXPECT_EQ(devices.size(), 3u);
  // The scenario keeps no expectation (they would tell the story) and runs with the variant's seed.
  json doc = json::parse(a.scenario_text);
  EXPECT_FALSE(doc.contains("expectations"));
  EXPECT_EQ(doc["faults"][0]["target"], a.labels.at("device"));
  EXPECT_EQ(doc["seed"], a.run_seed);
}

TEST(Exercise, TheKeyResolvesPlaceholdersAndGradingTeaches) {
  Exercise ex = LoadExercise(Pack("net-01"));
  Variant v = MakeVariant(ex, "grace");
  json key = json::parse(MakeKey(ex, v).dump());
  json right = {{"exercise", "net-01"}, {"student", "grace"},
                {"answers", {{"plane", "data"}, {"device", v.labels.at("device")}, {"start", v.labels.at("start")}, {"cause", "asic-dead"}}}};
  Grade g = GradeAnswers(key, right, "answers.json");
  EXPECT_EQ(g.score, g.max);
  EXPECT_EQ(g.max, 10);
  // A time within the tolerance counts; a plain number is seconds.
  double start = std::stod(v.labels.at("start"));
  right["answers"]["start"] = std::to_string(static_cast<int>(start) + 2);
  EXPECT_EQ(GradeAnswers(key, right, "a").score, 10);
  json wrong = {{"exercise", "net-01"}, {"answers", {{"plane", "seeing"}, {"cause", "oob-down"}}}};
  Grade w = GradeAnswers(key, wrong, "answers.json");
  EXPECT_EQ(w.score, 0);
  ASSERT_EQ(w.items.size(), 4u);
  EXPECT_NE(w.items[0].feedback.find("the SNMP agent runs on the route processor"), std::string::npos) << w.items[0].feedback;
  EXPECT_NE(w.items[1].feedback.find("no answer"), std::string::npos);
  EXPECT_NE(w.items[3].feedback.find("SSH and the dashboard worked"), std::string::npos);
  EXPECT_NE(w.ToText().find("0 of 10 points"), std::string::npos);
}

TEST(Exercise, AnswersFilesAreCheckedStrictly) {
  Exercise ex = LoadExercise(Pack("net-01"));
  json key = json::parse(MakeKey(ex, MakeVariant(ex, "ada")).dump());
  auto problems = [&](const json& a) {
    try {
      GradeAnswers(key, a, "answers.json");
    } catch (const ExerciseError& e) {
      std::string all;
      for (const auto& p : e.problems()) all += p + "\n";
      return all;
    }
    return std::string();
  };
  EXPECT_NE(problems({{"exercise", "net-02"}, {"answers", json::object()}}).find("answers to exercise \"net-02\""), std::string::npos);
  EXPECT_NE(problems({{"exercise", "net-01"}, {"answers", json::object()}, {"score", 10}}).find("/score: unknown field"), std::string::npos);
  EXPECT_NE(problems({{"exercise", "net-01"}, {"answers", {{"root", "x"}}}}).find("/answers/root: no such question"), std::string::npos);
  EXPECT_NE(problems(json::array()).find("a JSON object"), std::string::npos);
}

TEST(Exercise, BrokenExerciseFilesAreLocated) {
  auto problems = [](const std::string& text) {
    try {
      LoadExercise(Scratch("broken.json", text).string());
    } catch (const ExerciseError& e) {
      std::string all;
      for (const auto& p : e.problems()) all += p + "\n";
      return all;
    }
    return std::string();
  };
  std::string base = R"({"id": "x-1", "title": "t", "scenario": ")" + std::string(PLANELAB_SOURCE_DIR) +
                     R"(/scenarios/incidents/dead-asic.json", "briefing": "b", "vary": [VARY], "questions": [QUESTIONS]})";
  auto make = [&](const std::string& vary, const std::string& qs) {
    std::string s = base;
    s.replace(s.find("VARY"), 4, vary);
    s.replace(s.find("QUESTIONS"), 9, qs);
    return s;
  };
  std::string q = R"({"id": "plane", "type": "plane", "ask": "?", "answer": "traffic"})";
  // A choice that makes an invalid scenario: named with the scenario loader's own message.
  std::string bad_choice = problems(make(R"({"name": "d", "pointer": "/faults/0/target", "values": ["r2", "r9"]})", q));
  EXPECT_NE(bad_choice.find("choice \"r9\" makes an invalid scenario"), std::string::npos) << bad_choice;
  EXPECT_NE(problems(make("", R"({"id": "d", "type": "device", "ask": "?", "answer": "${nope}"})")).find("no axis is named \"nope\""), std::string::npos);
  EXPECT_NE(problems(make("", R"({"id": "p", "type": "plane", "ask": "?", "answer": "everything"})")).find("traffic, changes or seeing"), std::string::npos);
  EXPECT_NE(problems(make("", R"({"id": "c", "type": "choice", "ask": "?", "answer": "z", "choices": {"a": "A", "b": "B"}})")).find("not one of the choices"), std::string::npos);
  EXPECT_NE(problems(make(R"({"name": "d", "pointer": "/faults/0/target", "values": []})", q)).find("/vary/0"), std::string::npos);
  EXPECT_NE(problems("{\"id\": 1,\n \"id\": 2}").find("given twice"), std::string::npos);
  EXPECT_NE(problems("not json").find("not valid JSON"), std::string::npos);
}

TEST(Exercise, StudentIdsAreFileNames) {
  EXPECT_EQ(CheckStudentId("ada.lovelace@uni-1"), "");
  EXPECT_NE(CheckStudentId("../etc"), "");
  EXPECT_NE(CheckStudentId(""), "");
  EXPECT_NE(CheckStudentId(std::string(65, 'a')), "");
  EXPECT_NE(CheckStudentId("a b"), "");
}

TEST(Exercise, EveryShippedExerciseLoads) {
  int n = 0;
  for (const auto& e : fs::directory_iterator(std::string(PLANELAB_SOURCE_DIR) + "/exercises")) {
    if (e.path().extension() != ".json" || e.path().filename() == "exercise.schema.json") continue;
    EXPECT_NO_THROW(LoadExercise(e.path().string())) << e.path();
    Exercise ex = LoadExercise(e.path().string());
    EXPECT_GE(ex.vary.size(), 2u) << e.path();
    ++n;
  }
  EXPECT_GE(n, 11);
}

}  // namespace
