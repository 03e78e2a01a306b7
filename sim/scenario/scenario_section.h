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
/// loader's shared vocabulary (values are already checked against the schema, so the readers cannot fail).
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

  // The shared vocabulary (sim/util/units.h), for values the schema has already checked.
  static SimTime Duration(const nlohmann::json& v);
  static double PacketRate(const nlohmann::json& v);
  static uint64_t Bytes(const nlohmann::json& v);
  /// Applies "rate", "delay", "cost" and "queue" of a link_params object.
  static void ApplyLinkParams(const nlohmann::json& j, LinkSpec* link);
  /// The scenario's /topology/link_defaults applied to `base`.
  LinkSpec WithLinkDefaults(LinkSpec base) const;
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
