#include "sim/util/json_locate.h"

#include <vector>

namespace planelab {

std::string JsonPointerEscape(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

std::pair<int, int> LineColumnOf(const std::string& text, size_t offset) {
  int line = 1, col = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') { ++line; col = 1; } else { ++col; }
  }
  return {line, col};
}

namespace {

struct Frame {
  bool is_object;
  std::string base;  // pointer of the container itself
  std::string key;   // current member key (objects)
  int index = -1;    // current element index (arrays)
  bool expect_key = true;
};

}  // namespace

JsonLineIndex::JsonLineIndex(const std::string& text) {
  std::vector<Frame> stack;
  int line = 1;
  size_t i = 0;
  auto current_pointer = [&]() -> std::string {
    if (stack.empty()) return "";
    const Frame& f = stack.back();
    if (f.is_object) return f.base + "/" + JsonPointerEscape(f.key);
    return f.base + "/" + std::to_string(f.index);
  };
  auto read_string = [&]() -> std::string {
    std::string s;
    ++i;  // opening quote
    while (i < text.size() && text[i] != '"') {
      if (text[i] == '\\' && i + 1 < text.size()) { s += text[i + 1]; i += 2; continue; }
      if (text[i] == '\n') ++line;
      s += text[i++];
    }
    ++i;  // closing quote
    return s;
  };
  auto value_starts = [&]() {
    std::string p = current_pointer();
    if (!lines_.count(p)) lines_[p] = line;
  };
  while (i < text.size()) {
    char c = text[i];
    if (c == '\n') { ++line; ++i; continue; }
    if (c == ' ' || c == '\t' || c == '\r' || c == ',' || c == ':') {
      if (c == ',' && !stack.empty()) {
        Frame& f = stack.back();
        if (f.is_object) f.expect_key = true; else ++f.index;
      }
      ++i;
      continue;
    }
    if (!stack.empty() && stack.back().is_object && stack.back().expect_key) {
      if (c == '"') { stack.back().key = read_string(); stack.back().expect_key = false; continue; }
      if (c == '}') { stack.pop_back(); ++i; continue; }
      ++i;  // malformed: skip
      continue;
    }
    if (c == '}' || c == ']') { if (!stack.empty()) stack.pop_back(); ++i; continue; }
    value_starts();
    if (c == '{' || c == '[') {
      Frame f;
      f.is_object = (c == '{');
      f.base = current_pointer();
      if (!f.is_object) f.index = 0;
      stack.push_back(f);
      ++i;
      // An empty array must not map index 0.
      continue;
    }
    if (c == '"') { read_string(); continue; }
    while (i < text.size() && text[i] != ',' && text[i] != '}' && text[i] != ']' && text[i] != '\n') ++i;
  }
}

int JsonLineIndex::LineOf(const std::string& pointer) const {
  std::string p = pointer;
  while (true) {
    auto it = lines_.find(p);
    if (it != lines_.end()) return it->second;
    if (p.empty()) return 0;
    size_t slash = p.rfind('/');
    p = (slash == std::string::npos) ? "" : p.substr(0, slash);
  }
}

}  // namespace planelab
