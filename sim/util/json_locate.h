// Finds the line of a JSON value from its JSON pointer, so errors can say "file:line".
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace planelab {

/// Maps every JSON pointer in a document ("", "/topology/links/3/b") to the 1-based line where its value starts.
/// Tolerates malformed text: it maps what it could read. One pass over the text; its memory is linear in the
/// text's size (a tree of the values with their member keys, not the pointer string of every value), so a
/// deeply nested or huge file costs what its bytes cost. The same pass finds keys given twice in one object and,
/// with a depth limit, the first value nested too deep.
class JsonLineIndex {
 public:
  /// `max_depth` > 0 stops the scan at the first '[' or '{' that opens level max_depth + 1 (the document's own
  /// object or array is level 1); too_deep_line() then says where.
  explicit JsonLineIndex(const std::string& text, int max_depth = 0);
  /// Line of the value at `pointer`, or of its nearest mapped ancestor; 0 when unknown. When an object gives a
  /// key twice, its first occurrence is the one mapped.
  int LineOf(const std::string& pointer) const;

  /// A key given twice in one object: where the later one is, and where the first was.
  struct DuplicateKey {
    std::string pointer;  // of the member, e.g. "/duration"
    int first_line = 0;
    int line = 0;
  };
  /// Every repeated key, ordered by where the repetition is.
  const std::vector<DuplicateKey>& duplicate_keys() const { return duplicates_; }
  /// The line of the first container nested deeper than `max_depth`; 0 when none (or no limit was given).
  int too_deep_line() const { return too_deep_line_; }

 private:
  struct Node {
    int32_t parent;     // -1 for a top-level value
    int32_t line;
    uint32_t key_begin;  // object members: the decoded key in keys_
    uint32_t key_size;   // object members: its size; array elements: the index
    uint8_t kind;        // 0 scalar, 1 object, 2 array
  };
  int Child(int node, const std::string& token) const;
  std::string PointerOf(int node) const;

  std::vector<Node> nodes_;         // in document order
  std::string keys_;                // the member keys, decoded, back to back
  std::vector<uint32_t> first_;     // children of node i: children_[first_[i], first_[i + 1])
  std::vector<uint32_t> children_;  // arrays: in document order; objects: by key, then document order
  std::vector<DuplicateKey> duplicates_;
  int too_deep_line_ = 0;
};

/// Escapes a key for a JSON pointer (RFC 6901 §3: "~" -> "~0", "/" -> "~1").
std::string JsonPointerEscape(const std::string& key);

/// 1-based line and column of a byte offset in `text`.
std::pair<int, int> LineColumnOf(const std::string& text, size_t offset);

}  // namespace planelab
