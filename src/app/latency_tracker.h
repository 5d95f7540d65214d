#pragma once
// End-to-end latency for `rdstream run`: the time from a record's fetch (its API batch arrived)
// to Cassandra acknowledging its row, matched by the record's id. Only records fetched by this
// process are measured; rows of older records (a replay of the topic) are ignored.
//
// Thread: fetched() on the ingest thread, acknowledged() on the Cassandra session's loop thread;
// a mutex guards the map of pending ids.

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
  void acknowledged(const cql::Value& id);
  // Records fetched whose row is not acknowledged yet.
  size_t pending() const;
  const sink::LatencyHistogram& histogram() const { return histogram_; }

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> pending_;  // 16 uuid bytes -> fetch time
  sink::LatencyHistogram histogram_;
};

}  // namespace rds::app
