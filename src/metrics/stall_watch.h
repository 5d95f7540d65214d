#pragma once
// Telling a stall instead of hiding it: when work waits on an engine (writes in flight to
// Cassandra, records waiting for Kafka's delivery reports) and the engine has acknowledged nothing
// for `threshold`, one WARN names the engine, how much waits and for how long; one INFO line tells
// the recovery; rdstream_stalls_total{engine} counts the stalls and rdstream_engine_stalled{engine}
// is 1 meanwhile. An idle engine (nothing waiting) is not stalled.
//
// Pure policy: observe() is given the time, so tests drive it with a fake clock. Not thread-safe:
// one caller (the Observability ticker).

#include <chrono>
#include <cstdint>
#include <string>

#include "metrics/metrics.h"

namespace rds::metrics {

class StallWatch {
 public:
  using Clock = std::chrono::steady_clock;

  // `what` names the waiting work in the log lines: "writes", "records".
  StallWatch(Metrics& metrics, std::string engine, std::string what, std::chrono::milliseconds threshold);

  // `waiting`: work outstanding now; `acknowledged`: a running total of what the engine acknowledged.
  void observe(uint64_t waiting, uint64_t acknowledged, Clock::time_point now);
  bool stalled() const { return stalled_; }

 private:
  std::string engine_;
  std::string what_;
  std::chrono::milliseconds threshold_;
  prometheus::Counter& stalls_;
  prometheus::Gauge& stalled_gauge_;
  uint64_t last_acknowledged_ = 0;
  Clock::time_point last_progress_{};
  bool started_ = false;
  bool stalled_ = false;
  uint64_t most_waiting_ = 0;
};

}  // namespace rds::metrics
