#include "sim/util/prometheus_text.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <sstream>

namespace planelab::prom {

namespace {

std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

bool ValidName(const std::string& n) {
  if (n.empty() || !(std::isalpha(static_cast<unsigned char>(n[0])) || n[0] == '_' || n[0] == ':')) return false;
  for (char c : n) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':')) return false;
  }
  return true;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::string EncodeExposition(const std::vector<ExpositionSample>& samples) {
  std::string out;
  std::set<std::string> described;
  for (const auto& s : samples) {
    if (described.insert(s.name).second) {
      // HELP text escapes backslash and newline (exposition format 0.0.4).
      std::string help;
      for (char c : s.help) {
        if (c == '\\') help += "\\\\";
        else if (c == '\n') help += "\\n";
        else help += c;
      }
      out += "# HELP " + s.name + " " + help + "\n# TYPE " + s.name + " " + s.type + "\n";
    }
    out += s.name;
    if (!s.label_name.empty()) out += "{" + s.label_name + "=\"" + s.label_value + "\"}";
    out += " " + FormatValue(s.value) + "\n";
  }
  return out;
}

std::optional<std::map<std::string, double>> ParseExposition(const std::string& text) {
  std::map<std::string, double> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t name_end = line.find_first_of("{ ");
    if (name_end == std::string::npos) return std::nullopt;
    std::string name = line.substr(0, name_end);
    if (!ValidName(name)) return std::nullopt;
    size_t rest = name_end;
    if (line[rest] == '{') {
      // Label values are quoted and may contain '}' escaped or not: find the closing brace outside quotes.
      bool quoted = false;
      for (++rest; rest < line.size(); ++rest) {
        char c = line[rest];
        if (quoted && c == '\\') ++rest;
        else if (c == '"') quoted = !quoted;
        else if (c == '}' && !quoted) break;
      }
      if (rest >= line.size()) return std::nullopt;
      ++rest;
    }
    while (rest < line.size() && line[rest] == ' ') ++rest;
    std::string value = line.substr(rest);
    size_t space = value.find(' ');  // an optional timestamp follows
    if (space != std::string::npos) value = value.substr(0, space);
    if (value.empty()) return std::nullopt;
    double v;
    if (value == "NaN") v = std::nan("");
    else if (value == "+Inf") v = INFINITY;
    else if (value == "-Inf") v = -INFINITY;
    else {
      char* end = nullptr;
      v = std::strtod(value.c_str(), &end);
      if (end != value.c_str() + value.size()) return std::nullopt;
    }
    out[name] = v;
  }
  return out;
}

std::string HttpGetRequest(const std::string& host, const std::string& path) {
  // Prometheus 2.x sends this Accept header and keeps the User-Agent "Prometheus/<version>".
  return "GET " + path + " HTTP/1.1\r\nHost: " + host +
         "\r\nUser-Agent: Prometheus/2.45.0\r\nAccept: text/plain;version=0.0.4;q=1,*/*;q=0.1\r\n"
         "X-Prometheus-Scrape-Timeout-Seconds: 10\r\nContent-Length: 0\r\n\r\n";
}

std::string HttpOkResponse(const std::string& body) {
  return "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

bool HttpMessageReader::Feed(const char* data, size_t size) {
  if (failed_) return false;
  if (complete_) return true;  // bytes after a complete message are not ours (one exchange per reader)
  size_t i = 0;
  while (!in_body_ && i < size) {
    head_ += data[i++];
    if (head_.size() > kMaxHeaderBytes) return !(failed_ = true);
    if (head_.size() < 4 || head_.compare(head_.size() - 4, 4, "\r\n\r\n") != 0) continue;
    in_body_ = true;
    std::istringstream lines(head_);
    std::string line;
    std::getline(lines, line);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    start_line_ = line;
    if (start_line_.empty()) return !(failed_ = true);
    while (std::getline(lines, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      if (Lower(line.substr(0, colon)) != "content-length") continue;
      std::string v = line.substr(colon + 1);
      while (!v.empty() && v.front() == ' ') v.erase(v.begin());
      char* end = nullptr;
      unsigned long long n = std::strtoull(v.c_str(), &end, 10);
      if (v.empty() || end != v.c_str() + v.size() || n > kMaxBodyBytes) return !(failed_ = true);
      length_ = static_cast<size_t>(n);
    }
    body_.reserve(length_);
  }
  if (in_body_) {
    size_t take = std::min(size - i, length_ - body_.size());
    body_.append(data + i, take);
    complete_ = body_.size() == length_;
  }
  return true;
}

int HttpMessageReader::status() const {
  if (start_line_.rfind("HTTP/", 0) != 0) return 0;
  size_t sp = start_line_.find(' ');
  if (sp == std::string::npos) return 0;
  return std::atoi(start_line_.c_str() + sp + 1);
}

}  // namespace planelab::prom
