#pragma once
// The console's alerts, as pure rules over what each tick saw: the group's lag above a threshold
// for some time, the dead-letter topic growing, an engine down. They show in the UI and as the
// console's metric rdstream_console_alert_active{alert}. Not thread-safe (the collector's lock).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rds::console {

struct AlertRules {
  int64_t lag_records = 10'000;                  // console.lag_alert_records
  std::chrono::seconds lag_for{60};              // console.lag_alert_for_s
  std::chrono::seconds dlq_window{300};          // console.dlq_alert_window_s
};

// What one tick saw; nullopt is unknown (an unknown lag neither raises nor clears the alert).
struct AlertInputs {
  int64_t now_ms = 0;
  std::string group;
  std::optional<int64_t> group_lag;
  std::string dlq_topic;
  std::optional<int64_t> dlq_records;  // the dead-letter topic's end offsets, summed
  struct Engine {
    std::string name;  // "kafka", "cassandra"
    bool up = false;
    std::string detail;
  };
  std::vector<Engine> engines;
};

struct Alert {
  std::string name;      // a bounded set: lag_high, dlq_growing, <engine>_down
  std::string severity;  // "warning" or "critical"
  int64_t since_ms = 0;
  std::string message;   // for a person: what, how much, since when
};

class Alerts {
 public:
  explicit Alerts(AlertRules rules) : rules_(rules) {}
  void evaluate(const AlertInputs& in);
  // The active alerts, in a stable order.
  const std::vector<Alert>& active() const { return active_; }
  // Every alert name evaluate() can raise for these engines (for the metric's series).
  static std::vector<std::string> names(const std::vector<std::string>& engines);

 private:
  void set(const std::string& name, bool on, int64_t since_ms, std::string severity, std::string message);

  AlertRules rules_;
  std::optional<int64_t> lag_above_since_;
  std::optional<int64_t> dlq_last_;        // the dead letters seen at the last growth
  std::optional<int64_t> dlq_grew_at_;
  std::vector<Alert> active_;
};

}  // namespace rds::console
