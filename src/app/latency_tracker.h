#pragma once
// End-to-end latency for `rdstream run`: the time from a record's fetch (its API batch arrived)
// to Cassandra acknowledging its row, matched by the record's id. Only records fetched by this
// process are measured; rows of older records (a replay of the topic) are ignored. Part of it,
// the time from the fetch until the processor handed the row to the Cassandra sink (producer,
// Kafka, consumer, validation), is kept apart to show where the time goes.
//
// Thread: fetched() on the ingest thread, handed_to_sink() on the processor's thread,
// acknowledged() on the Cassandra session's loop thread; a mutex guards the map of pending ids.

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "cql/value.h"
#include "sink/cassandra/cassandra_sink_probe.h"

namespace rds::app {

class LatencyTracker {
 public:
  void fetched(std::string_view id, std::chrono::steady_clock::time_point at);
  void handed_to_sink(const cql::Value& id);
  void acknowledged(const cql::Value& id);
  // Records fetched whose row is not acknowledged yet.
  size_t pending() const;
  const sink::LatencyHistogram& histogram() const { return histogram_; }
  // Fetch -> handed to the sink, once per hand-over of a row still pending (a retried row again).
  const sink::LatencyHistogram& to_sink_histogram() const { return to_sink_; }

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> pending_;  // 16 uuid bytes -> fetch time
  sink::LatencyHistogram histogram_;
  sink::LatencyHistogram to_sink_;
};

}  // namespace rds::app
