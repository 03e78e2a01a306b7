// gNMI-style streaming telemetry between a device's agent and the monitoring station: the subscription the station
// sends, the updates the agent streams, and the agent's rule for when an update goes out (gNMI specification
// §3.5.1.5.2, STREAM subscriptions). Pure, header only.
//
// gNMI runs as protobuf over gRPC (HTTP/2 over TCP, IANA port 9339); here the same messages travel as JSON in UDP
// datagrams on that port, so a lost path loses the stream the way a dead TCP connection would: the station notices
// only because the updates stop, and subscribes again.
#pragma once
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sim/util/units.h"

namespace planelab {

/// gNMI's IANA-registered port.
inline constexpr uint16_t kGnmiPort = 9339;

namespace telemetry {

/// A gNMI subscription's mode: SAMPLE sends every sample_interval; ON_CHANGE sends when the value changes, and again
/// every heartbeat_interval when it does not.
enum class StreamMode { kSample, kOnChange };

/// One stream subscription on the device side: decides, at each of the agent's refreshes, whether an update goes out.
class StreamSubscription {
 public:
  /// heartbeat 0: no heartbeat (the spec: "If the heartbeat interval is set to 0, no heartbeat is sent").
  StreamSubscription(StreamMode mode, SimTime sample_interval, SimTime heartbeat_interval)
      : mode_(mode), sample_(sample_interval), heartbeat_(heartbeat_interval) {}
  /// True when the current value must be sent now; the first call always sends (the initial sync).
  bool Offer(SimTime now, double value) {
    bool send = !sent_any_;
    if (sent_any_ && mode_ == StreamMode::kSample) send = now - last_sent_ >= sample_;
    if (sent_any_ && mode_ == StreamMode::kOnChange) {
      send = value != last_value_ || (heartbeat_ > 0 && now - last_sent_ >= heartbeat_);
    }
    if (send) {
      sent_any_ = true;
      last_sent_ = now;
      last_value_ = value;
    }
    return send;
  }

 private:
  StreamMode mode_;
  SimTime sample_, heartbeat_;
  bool sent_any_ = false;
  SimTime last_sent_ = 0;
  double last_value_ = 0;
};

/// SubscribeRequest: STREAM mode over every path the agent serves.
struct StreamSubscribe {
  StreamMode mode = StreamMode::kSample;
  SimTime sample_interval = 30 * kSec;
  SimTime heartbeat_interval = 0;
};

/// SubscribeResponse carrying a Notification: the device's timestamp and the paths updated.
struct StreamUpdate {
  SimTime timestamp = 0;
  std::map<std::string, double> values;
};

inline std::string EncodeSubscribe(const StreamSubscribe& s) {
  return nlohmann::json({{"subscribe",
                          {{"mode", s.mode == StreamMode::kSample ? "SAMPLE" : "ON_CHANGE"},
                           {"sample_interval", s.sample_interval},
                           {"heartbeat_interval", s.heartbeat_interval}}}})
      .dump();
}

inline std::string EncodeUpdate(const StreamUpdate& u) {
  return nlohmann::json({{"update", {{"timestamp", u.timestamp}, {"values", u.values}}}}).dump();
}

/// The subscription in `text`, or none (not a subscription, or malformed: dropped, as a server rejects it).
inline std::optional<StreamSubscribe> DecodeSubscribe(const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("subscribe")) return std::nullopt;
  const auto& s = j["subscribe"];
  StreamSubscribe out;
  out.mode = s.value("mode", "SAMPLE") == "ON_CHANGE" ? StreamMode::kOnChange : StreamMode::kSample;
  out.sample_interval = s.value("sample_interval", out.sample_interval);
  out.heartbeat_interval = s.value("heartbeat_interval", out.heartbeat_interval);
  return out;
}

inline std::optional<StreamUpdate> DecodeUpdate(const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("update")) return std::nullopt;
  StreamUpdate u;
  u.timestamp = j["update"].value("timestamp", SimTime{0});
  for (auto it = j["update"]["values"].begin(); it != j["update"]["values"].end(); ++it) u.values[it.key()] = it.value();
  return u;
}

}  // namespace telemetry
}  // namespace planelab
