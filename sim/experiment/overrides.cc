#include "sim/experiment/overrides.h"

#include <new>
#include <stdexcept>

#include "sim/scenario/scenario_loader.h"

namespace planelab::experiment {

using ojson = nlohmann::ordered_json;

std::string Override::Text() const { return pointer + "=" + (value.is_string() ? value.get<std::string>() : value.dump()); }

Override ParseOverride(const std::string& arg) {
  size_t eq = arg.find('=');
  if (eq == std::string::npos) {
    throw std::invalid_argument("--set " + arg + ": give POINTER=VALUE, e.g. --set /faults/0/until=30s");
  }
  Override o;
  o.pointer = arg.substr(0, eq);
  if (o.pointer.empty() || o.pointer[0] != '/') {
    throw std::invalid_argument("--set " + arg + ": \"" + o.pointer +
                                "\" is not a JSON pointer; it starts with '/', e.g. /faults/0/until");
  }
  std::string v = arg.substr(eq + 1);
  ojson parsed = ojson::parse(v, nullptr, false);
  o.value = parsed.is_discarded() ? ojson(v) : parsed;
  return o;
}

namespace {

[[noreturn]] void Refuse(const std::string& path, const std::string& pointer, const std::string& why) {
  throw ScenarioError({{path, 0, pointer, why}});
}

void Apply(ojson& doc, const std::string& path, const Override& o) {
  nlohmann::json_pointer<std::string> ptr;
  try {
    ptr = nlohmann::json_pointer<std::string>(o.pointer);
  } catch (const std::exception& e) {
    Refuse(path, o.pointer, "--set: not a valid JSON pointer (" + std::string(e.what()) + ")");
  }
  // Walk to the parent, naming the first token that does not exist.
  std::vector<std::string> tokens;
  {
    std::string p = o.pointer;
    size_t at = 1;
    while (true) {
      size_t next = p.find('/', at);
      std::string t = p.substr(at, next == std::string::npos ? std::string::npos : next - at);
      std::string un;
      for (size_t i = 0; i < t.size(); ++i) {
        if (t[i] == '~' && i + 1 < t.size()) {
          un += t[i + 1] == '1' ? '/' : '~';
          ++i;
        } else {
          un += t[i];
        }
      }
      tokens.push_back(un);
      if (next == std::string::npos) break;
      at = next + 1;
    }
  }
  ojson* node = &doc;
  std::string walked;
  auto index_of = [&](const std::string& t, size_t size, bool allow_end) -> size_t {
    bool digits = !t.empty() && t.find_first_not_of("0123456789") == std::string::npos && (t == "0" || t[0] != '0');
    if (t == "-" && allow_end) return size;
    if (!digits || t.size() > 9) {
      Refuse(path, walked.empty() ? "/" : walked,
             "--set " + o.pointer + ": \"" + t + "\" is not an index of this array (it has " + std::to_string(size) +
                 " items)");
    }
    size_t i = std::stoul(t);
    if (i > size || (i == size && !allow_end)) {
      Refuse(path, walked.empty() ? "/" : walked,
             "--set " + o.pointer + ": no item " + t + " here; this array has " + std::to_string(size) + " items");
    }
    return i;
  };
  for (size_t k = 0; k + 1 < tokens.size(); ++k) {
    const std::string& t = tokens[k];
    if (node->is_object()) {
      auto it = node->find(t);
      if (it == node->end()) {
        Refuse(path, walked.empty() ? "/" : walked,
               "--set " + o.pointer + ": there is no \"" + t + "\" here, so nothing to set under it (an override "
               "can add a key, but only to an object the scenario has)");
      }
      node = &*it;
    } else if (node->is_array()) {
      node = &(*node)[index_of(t, node->size(), false)];
    } else {
      Refuse(path, walked.empty() ? "/" : walked,
             "--set " + o.pointer + ": this is " + std::string(node->type_name()) + ", not an object or array");
    }
    walked += "/" + t;
  }
  const std::string& last = tokens.back();
  if (node->is_object()) {
    (*node)[last] = o.value;
  } else if (node->is_array()) {
    size_t i = index_of(last, node->size(), true);
    if (i == node->size()) node->push_back(o.value);
    else (*node)[i] = o.value;
  } else {
    Refuse(path, walked.empty() ? "/" : walked,
           "--set " + o.pointer + ": this is " + std::string(node->type_name()) + ", not an object or array");
  }
}

}  // namespace

std::string ApplyOverrides(const std::string& text, const std::string& path, const std::vector<Override>& overrides) {
  if (overrides.empty()) return text;
  // What the loader refuses before it parses (size, nesting, repeated keys), refused before this parses: the
  // document written below would have lost a repeated key, and dumping 100,000 nested lists overflows the stack.
  CheckScenarioText(text, path);
  ojson doc = ojson::parse(text, nullptr, false);
  if (doc.is_discarded()) return text;
  for (const auto& o : overrides) Apply(doc, path, o);
  return doc.dump(2) + "\n";
}

std::string OverriddenPath(const std::string& path, const std::vector<Override>& overrides) {
  if (overrides.empty()) return path;
  std::string s = path + " (with";
  for (size_t i = 0; i < overrides.size(); ++i) s += (i ? ", --set " : " --set ") + overrides[i].Text();
  return s + ")";
}

Scenario LoadScenarioWithOverrides(const std::string& path, const std::vector<Override>& overrides,
                                   const ModelCatalog& catalog) {
  if (overrides.empty()) return LoadScenarioFile(path, catalog);
  std::string text;
  try {
    text = ApplyOverrides(ReadScenarioFile(path), path, overrides);
  } catch (const std::bad_alloc&) {
    throw ScenarioError({{path, 0, "", "there is not enough memory to load this scenario; make its topology smaller"}});
  }
  return ParseScenarioText(text, OverriddenPath(path, overrides), catalog);
}

}  // namespace planelab::experiment
