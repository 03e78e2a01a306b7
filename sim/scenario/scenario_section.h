// A model family's own part of a scenario file — its key, its schema fragment and its parser — registered the
// way device kinds are, as ns-3 declares a model's attributes beside the model. The loader keeps the shared
// work: JSON syntax, the composed schema, units, locations, the topology and cross-references.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/scenario/problems.h"
#include "sim/scenario/scenario.h"

namespace planelab {

/// What a family's parser is handed: its section, the scenario built so far, where problems go, and the
/// loader's shared vocabulary. The schema has checked each value's form; the readers check its range.
class SectionContext {
 public:
  SectionContext(const nlohmann::json& value, std::string pointer, const nlohmann::json& doc, Scenario& scenario,
                 Problems& problems)
      : value(value), pointer(std::move(pointer)), doc(doc), scenario(scenario), problems(problems) {}

  const nlohmann::json& value;  // the section's JSON
  const std::string pointer;    // its JSON pointer, e.g. "/routing"
  const nlohmann::json& doc;    // the whole file, for shared settings such as /topology/link_defaults
  Scenario& scenario;
  Problems& problems;

  /// Reports a problem at `pointer` + `sub` (e.g. "/store/election_timeout").
  void Problem(const std::string& sub, const std::string& message) const { problems.Add(pointer + sub, message); }

  // The shared vocabulary (sim/util/units.h). Each reader takes the value at `sub` below the section (a JSON
  // pointer such as "/store/election_timeout" or "/deployments/0/pod_capacity"). A value that is there and within
  // [min, max] is stored in *out (true). One that is not well formed, or out of the range, is reported at its place
  // with the range it must lie in, and *out keeps what it had (false). A missing value is no problem (false).
  bool ReadDuration(const std::string& sub, SimTime* out, SimTime min = 0, SimTime max = kMaxScenarioTime) const;
  bool ReadBitRate(const std::string& sub, uint64_t* out, uint64_t min = 1, uint64_t max = kMaxBitRate) const;
  bool ReadPacketRate(const std::string& sub, double* out, double min = kMinPacketRate,
                      double max = kMaxPacketRate) const;
  bool ReadBytes(const std::string& sub, uint64_t* out, uint64_t min, uint64_t max) const;
  bool ReadBytes(const std::string& sub, uint32_t* out, uint32_t min, uint32_t max) const;
  /// Applies "rate", "delay", "cost", "mtu" and "queue" of the link_params object at `sub` to `link`.
  void ReadLinkParams(const std::string& sub, LinkSpec* link) const;
  /// The scenario's /topology/link_defaults applied to `base`.
  LinkSpec WithLinkDefaults(LinkSpec base) const;

 private:
  /// The string at `sub`, or null (missing; or not a string, which is reported).
  const nlohmann::json* StringAt(const std::string& sub) const;
  /// Reports `text` at `sub` as outside [low, high] (written as a scenario would write them).
  void OutOfRange(const std::string& sub, const std::string& text, const std::string& low, const std::string& high,
                  const std::string& note = "") const;
};

/// A model family's part of the scenario file.
struct ScenarioSection {
  /// When the loader calls the parser: kTopology sections add devices and links (after the generators, before
  /// the explicit devices, so the topology checks see them); kSettings sections run once the topology is known.
  enum class Stage { kTopology, kSettings };

  std::string key;                   // the top-level key, e.g. "routing"
  std::string help;                  // one line for `planelab schema` readers and the docs
  Stage stage = Stage::kSettings;
  std::string schema;                // JSON Schema of the value under `key`; may $ref "#/definitions/..."
  std::function<void(SectionContext&)> parse;  // called when the file has the key
  /// Optional: checks that need the whole scenario (its faults, say), called after everything is parsed.
  std::function<void(const Scenario&, Problems&)> check;
};

/// A device kind a scenario may declare in topology.devices, and what such a device is by default.
struct DeclarableKind {
  std::string kind;   // e.g. "router"
  std::string group;  // the group every such device joins, e.g. "routers"
  bool managed = false;  // default of "managed": reachable by the monitoring station over out-of-band links
};

/// The sections of every registered model family, in registration order.
class ScenarioSections {
 public:
  /// Lets scenarios declare devices of `kind` in topology.devices (the schema's kind list is made from these).
  void AddDeclarableKind(DeclarableKind kind);
  const std::vector<DeclarableKind>& declarable_kinds() const { return kinds_; }
  const DeclarableKind* FindDeclarableKind(const std::string& kind) const;
  /// Throws std::logic_error when `key` is taken (by a family or by the loader's own keys).
  void Add(ScenarioSection section);
  const std::vector<ScenarioSection>& all() const { return sections_; }
  const ScenarioSection* Find(const std::string& key) const;
  /// The scenario schema: the loader's base schema with each section's fragment under its key.
  const nlohmann::ordered_json& Schema() const;
  const std::string& SchemaText() const;

 private:
  std::vector<ScenarioSection> sections_;
  std::vector<DeclarableKind> kinds_;
  mutable std::shared_ptr<const nlohmann::ordered_json> schema_;
  mutable std::shared_ptr<const std::string> schema_text_;
};

}  // namespace planelab
