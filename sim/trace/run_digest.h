// The content digest of a run store: what RunStoreWriter::Finish() records in meta "content_digest" and
// RunStoreReader::VerifyContent() recomputes, so a reader can tell an intact store from one whose bytes
// changed (bit rot, a bad copy, an edit) even where SQLite's own checks see a well-formed file.
#pragma once
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace planelab::digest {

/// The format written to meta "content_digest": "<kFormat> <table>=<rows>:<16 hex> ..." for every table.
inline constexpr const char* kFormat = "planelab.digest/1";
/// The tables covered, in the order they are written.
inline constexpr const char* kTables[] = {"meta", "devices", "links", "series", "events", "samples", "health"};
/// Meta keys left out of the digest: the digest itself, and the completion flag an interrupted run sets
/// after the last batch.
inline bool Excluded(std::string_view meta_key) { return meta_key == "content_digest" || meta_key == "complete"; }

/// FNV-1a over a row's typed values (type tag, then the value in a fixed byte order), finished with a
/// 64-bit mixer so that the per-table sum below spreads.
class RowHash {
 public:
  void Int(int64_t v) {
    Tag(1);
    Le(static_cast<uint64_t>(v));
  }
  void Real(double v) {
    if (v == 0) v = 0;  // SQLite stores an integral REAL as an integer: -0.0 reads back as 0.0
    uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    Tag(2);
    Le(bits);
  }
  void Text(std::string_view s) {
    Tag(3);
    Le(s.size());
    Bytes(s.data(), s.size());
  }
  void Blob(const void* p, size_t n) {
    Tag(4);
    Le(n);
    Bytes(p, n);
  }
  void Null() { Tag(5); }
  uint64_t Done() const {
    uint64_t z = h_ + 0x9e3779b97f4a7c15ull;  // splitmix64's finaliser
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }

 private:
  void Tag(uint8_t t) { Bytes(&t, 1); }
  void Le(uint64_t v) {
    unsigned char b[8];
    for (int i = 0; i < 8; ++i) b[i] = static_cast<unsigned char>(v >> (8 * i));
    Bytes(b, 8);
  }
  void Bytes(const void* p, size_t n) {
    const auto* c = static_cast<const unsigned char*>(p);
    for (size_t i = 0; i < n; ++i) h_ = (h_ ^ c[i]) * 1099511628211ull;
  }
  uint64_t h_ = 14695981039346656037ull;
};

/// A table's digest: its row count and the sum of its rows' hashes (independent of row order, so the
/// writer can add rows as they stream in and the reader can scan in any order).
struct TableDigest {
  uint64_t rows = 0, sum = 0;
  void Add(uint64_t row_hash) {
    ++rows;
    sum += row_hash;
  }
  bool operator==(const TableDigest& o) const { return rows == o.rows && sum == o.sum; }
};

using Digest = std::map<std::string, TableDigest>;

inline std::string Format(const Digest& d) {
  std::string out = kFormat;
  for (const char* t : kTables) {
    auto it = d.find(t);
    TableDigest td = it == d.end() ? TableDigest{} : it->second;
    char hex[17];
    for (int i = 0; i < 16; ++i) hex[i] = "0123456789abcdef"[(td.sum >> (60 - 4 * i)) & 0xf];
    hex[16] = 0;
    out += std::string(" ") + t + "=" + std::to_string(td.rows) + ":" + hex;
  }
  return out;
}

/// Parses Format()'s text; nullopt if it is not one (another format, or damaged).
inline std::optional<Digest> Parse(const std::string& text) {
  std::string_view s(text);
  std::string_view head(kFormat);
  if (s.substr(0, head.size()) != head) return std::nullopt;
  s.remove_prefix(head.size());
  Digest d;
  while (!s.empty()) {
    if (s[0] != ' ') return std::nullopt;
    s.remove_prefix(1);
    size_t eq = s.find('='), colon = s.find(':'), end = s.find(' ');
    if (end == std::string_view::npos) end = s.size();
    if (eq == std::string_view::npos || colon == std::string_view::npos || !(eq < colon && colon < end)) return std::nullopt;
    std::string name(s.substr(0, eq));
    std::string_view rows = s.substr(eq + 1, colon - eq - 1), sum = s.substr(colon + 1, end - colon - 1);
    if (rows.empty() || rows.size() > 19 || sum.size() != 16 || d.count(name)) return std::nullopt;
    TableDigest td;
    for (char c : rows) {
      if (c < '0' || c > '9') return std::nullopt;
      td.rows = td.rows * 10 + static_cast<uint64_t>(c - '0');
    }
    for (char c : sum) {
      int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (v < 0) return std::nullopt;
      td.sum = (td.sum << 4) | static_cast<uint64_t>(v);
    }
    d[name] = td;
    s.remove_prefix(end);
  }
  for (const char* t : kTables) {
    if (!d.count(t)) return std::nullopt;
  }
  return d;
}

}  // namespace planelab::digest
