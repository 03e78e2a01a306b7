// Finds the line of a JSON value from its JSON pointer, so errors can say "file:line".
#pragma once
#include <map>
#include <string>

namespace planelab {

/// Maps every JSON pointer in a document ("", "/topology/links/3/b") to the 1-based line
/// where its value starts. Tolerates malformed text: it maps what it could read.
class JsonLineIndex {
 public:
  explicit JsonLineIndex(const std::string& text);
  /// Line of the value at `pointer`, or of its nearest mapped ancestor; 0 when unknown.
  int LineOf(const std::string& pointer) const;

 private:
  std::map<std::string, int> lines_;
};

/// Escapes a key for a JSON pointer (RFC 6901 §3: "~" -> "~0", "/" -> "~1").
std::string JsonPointerEscape(const std::string& key);

/// 1-based line and column of a byte offset in `text`.
std::pair<int, int> LineColumnOf(const std::string& text, size_t offset);

}  // namespace planelab
