// Prometheus's text exposition format (version 0.0.4) and the HTTP/1.1 exchange of a scrape, as bytes: what a
// component's /metrics endpoint writes and what the scraper reads back. Pure, bounded and tested alone.
#pragma once
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace planelab::prom {

/// One sample of an exposition: a metric family's name, its type and help, one label and the value.
struct ExpositionSample {
  std::string name;        // [a-zA-Z_:][a-zA-Z0-9_:]*
  std::string type;        // counter | gauge
  std::string help;
  std::string label_name;  // "" for no label
  std::string label_value;
  double value = 0;
};

/// The exposition text: # HELP and # TYPE before each family's first sample, then `name{label="v"} value`.
std::string EncodeExposition(const std::vector<ExpositionSample>& samples);

/// The samples of an exposition text by series name (labels dropped; a later series of one name wins). Comment
/// lines are skipped; a malformed line makes the whole body invalid (nullopt), as Prometheus fails such a scrape.
std::optional<std::map<std::string, double>> ParseExposition(const std::string& text);

/// The scraper's request: `GET path HTTP/1.1` with Prometheus's Accept header.
std::string HttpGetRequest(const std::string& host, const std::string& path);
/// The endpoint's answer: 200 with the exposition's content type and length.
std::string HttpOkResponse(const std::string& body);

/// Reads an HTTP/1.1 message (request or response) from a byte stream, fed as it arrives. Header lines and the
/// body are bounded before anything is kept, so a peer cannot make the reader allocate without limit.
class HttpMessageReader {
 public:
  static constexpr size_t kMaxHeaderBytes = 16 * 1024;
  static constexpr size_t kMaxBodyBytes = 16 * 1024 * 1024;  // Prometheus's body_size_limit is 0 (none); bounded here

  /// Takes more bytes; returns false once the message is malformed or too large (the connection should close).
  bool Feed(const char* data, size_t size);
  bool complete() const { return complete_; }
  /// The start line ("GET /metrics HTTP/1.1", "HTTP/1.1 200 OK").
  const std::string& start_line() const { return start_line_; }
  /// The status code of a response (0 for a request or an unparsed start line).
  int status() const;
  const std::string& body() const { return body_; }

 private:
  std::string head_, start_line_, body_;
  bool in_body_ = false, complete_ = false, failed_ = false;
  size_t length_ = 0;
};

}  // namespace planelab::prom
