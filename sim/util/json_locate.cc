#include "sim/util/json_locate.h"

#include <algorithm>
#include <limits>
#include <string_view>

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
  int node;              // the container's node
  bool is_object;
  bool expect_key = true;  // objects: the next string is a key
  uint32_t index = 0;      // arrays: the current element's index
  uint32_t key_begin = 0, key_size = 0;  // objects: the current member's key in the index's keys
};

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The four hex digits at text[at..at+4), or -1.
long Hex4(const std::string& text, size_t at) {
  if (at + 4 > text.size()) return -1;
  long v = 0;
  for (size_t k = at; k < at + 4; ++k) {
    int d = HexDigit(text[k]);
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

void AppendUtf8(std::string& out, unsigned long cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// A JSON pointer's reference token, unescaped (RFC 6901 §4).
std::string Unescape(std::string_view token) {
  std::string out;
  for (size_t k = 0; k < token.size(); ++k) {
    if (token[k] == '~' && k + 1 < token.size() && (token[k + 1] == '0' || token[k + 1] == '1')) {
      out += token[k + 1] == '0' ? '~' : '/';
      ++k;
    } else {
      out += token[k];
    }
  }
  return out;
}

}  // namespace

JsonLineIndex::JsonLineIndex(const std::string& text, int max_depth) {
  // Offsets and counts are 32-bit: a text beyond 2 GiB is mapped as far as that.
  const size_t n = std::min<size_t>(text.size(), std::numeric_limits<int32_t>::max());
  std::vector<Frame> stack;
  int line = 1;
  size_t i = 0;
  // Reads the string starting at text[i] (the opening quote); `key` keeps its decoded bytes in keys_.
  auto read_string = [&](bool key) {
    ++i;  // opening quote
    while (i < n && text[i] != '"') {
      if (text[i] == '\\' && i + 1 < n) {
        char e = text[i + 1];
        if (!key) { i += 2; continue; }
        long cp = e == 'u' ? Hex4(text, i + 2) : -1;
        if (cp >= 0) {
          i += 6;
          if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < n && text[i] == '\\' && text[i + 1] == 'u') {
            long low = Hex4(text, i + 2);
            if (low >= 0xDC00 && low <= 0xDFFF) {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
              i += 6;
            }
          }
          AppendUtf8(keys_, static_cast<unsigned long>(cp));
          continue;
        }
        switch (e) {
          case 'b': keys_ += '\b'; break;
          case 'f': keys_ += '\f'; break;
          case 'n': keys_ += '\n'; break;
          case 'r': keys_ += '\r'; break;
          case 't': keys_ += '\t'; break;
          default: keys_ += e;  // '"', '\\', '/' (and, in broken text, whatever follows the backslash)
        }
        i += 2;
        continue;
      }
      if (text[i] == '\n') ++line;
      if (key) keys_ += text[i];
      ++i;
    }
    ++i;  // closing quote
  };
  // A value starts here: a node under the innermost container, keyed by its member key or element index.
  auto value_starts = [&](uint8_t kind) {
    Node node{-1, line, 0, 0, kind};
    if (!stack.empty()) {
      const Frame& f = stack.back();
      node.parent = f.node;
      if (f.is_object) {
        node.key_begin = f.key_begin;
        node.key_size = f.key_size;
      } else {
        node.key_size = f.index;
      }
    }
    nodes_.push_back(node);
    return static_cast<int>(nodes_.size() - 1);
  };
  while (i < n) {
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
      if (c == '"') {
        Frame& f = stack.back();
        f.key_begin = static_cast<uint32_t>(keys_.size());
        read_string(true);
        f.key_size = static_cast<uint32_t>(keys_.size() - f.key_begin);
        f.expect_key = false;
        continue;
      }
      if (c == '}') { stack.pop_back(); ++i; continue; }
      ++i;  // malformed: skip
      continue;
    }
    if (c == '}' || c == ']') { if (!stack.empty()) stack.pop_back(); ++i; continue; }
    if (c == '{' || c == '[') {
      if (max_depth > 0 && stack.size() >= static_cast<size_t>(max_depth)) {
        too_deep_line_ = line;
        break;
      }
      int node = value_starts(c == '{' ? 1 : 2);
      Frame f{node, c == '{'};
      stack.push_back(f);
      ++i;
      // An empty array must not map index 0: elements are mapped when they start.
      continue;
    }
    value_starts(0);
    if (c == '"') { read_string(false); continue; }
    while (i < n && text[i] != ',' && text[i] != '}' && text[i] != ']' && text[i] != '\n') ++i;
  }

  // Children of each node, by a counting sort on the parent: arrays keep document order (their indexes rise);
  // objects are then sorted by key, stably, so a repeated key follows its first occurrence.
  const size_t count = nodes_.size();
  first_.assign(count + 1, 0);
  for (const Node& node : nodes_) {
    if (node.parent >= 0) ++first_[node.parent + 1];
  }
  for (size_t k = 0; k < count; ++k) first_[k + 1] += first_[k];
  children_.resize(first_[count]);
  {
    std::vector<uint32_t> fill(first_.begin(), first_.end() - 1);
    for (size_t k = 0; k < count; ++k) {
      if (nodes_[k].parent >= 0) children_[fill[nodes_[k].parent]++] = static_cast<uint32_t>(k);
    }
  }
  auto key_of = [this](uint32_t k) { return std::string_view(keys_).substr(nodes_[k].key_begin, nodes_[k].key_size); };
  std::vector<std::pair<uint32_t, uint32_t>> repeated;  // (later node, first node)
  for (size_t k = 0; k < count; ++k) {
    if (nodes_[k].kind != 1) continue;
    auto begin = children_.begin() + first_[k], end = children_.begin() + first_[k + 1];
    std::stable_sort(begin, end, [&](uint32_t a, uint32_t b) { return key_of(a) < key_of(b); });
    for (auto it = begin; it != end;) {
      auto run = it + 1;
      while (run != end && key_of(*run) == key_of(*it)) repeated.emplace_back(*run++, *it);
      it = run;
    }
  }
  std::sort(repeated.begin(), repeated.end());
  for (const auto& [later, earlier] : repeated) {
    duplicates_.push_back({PointerOf(static_cast<int>(later)), nodes_[earlier].line, nodes_[later].line});
  }
}

int JsonLineIndex::Child(int node, const std::string& token) const {
  const Node& parent = nodes_[node];
  auto begin = children_.begin() + first_[node], end = children_.begin() + first_[node + 1];
  if (parent.kind == 1) {
    std::string_view want(token);
    auto it = std::lower_bound(begin, end, want, [this](uint32_t k, std::string_view key) {
      return std::string_view(keys_).substr(nodes_[k].key_begin, nodes_[k].key_size) < key;
    });
    if (it == end || std::string_view(keys_).substr(nodes_[*it].key_begin, nodes_[*it].key_size) != want) return -1;
    return static_cast<int>(*it);
  }
  if (parent.kind == 2) {
    if (token.empty() || token.size() > 10) return -1;
    uint64_t index = 0;
    for (char c : token) {
      if (c < '0' || c > '9') return -1;
      index = index * 10 + static_cast<uint64_t>(c - '0');
    }
    auto it = std::lower_bound(begin, end, index, [this](uint32_t k, uint64_t want) { return nodes_[k].key_size < want; });
    if (it == end || nodes_[*it].key_size != index) return -1;
    return static_cast<int>(*it);
  }
  return -1;
}

std::string JsonLineIndex::PointerOf(int node) const {
  std::vector<std::string> tokens;
  for (int k = node; nodes_[k].parent >= 0; k = nodes_[k].parent) {
    const Node& n = nodes_[k];
    if (nodes_[n.parent].kind == 1) tokens.push_back(JsonPointerEscape(keys_.substr(n.key_begin, n.key_size)));
    else tokens.push_back(std::to_string(n.key_size));
  }
  std::string pointer;
  for (auto it = tokens.rbegin(); it != tokens.rend(); ++it) pointer += "/" + *it;
  return pointer;
}

int JsonLineIndex::LineOf(const std::string& pointer) const {
  if (nodes_.empty()) return 0;
  int current = 0;  // the document's value
  if (pointer.empty() || pointer[0] != '/') return nodes_[current].line;
  size_t pos = 1;
  while (true) {
    size_t slash = pointer.find('/', pos);
    std::string_view token = std::string_view(pointer).substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
    int next = Child(current, Unescape(token));
    if (next < 0) return nodes_[current].line;
    current = next;
    if (slash == std::string::npos) return nodes_[current].line;
    pos = slash + 1;
  }
}

}  // namespace planelab
