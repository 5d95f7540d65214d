#pragma once
// End-to-end latency for `rdstream run`: the time from a record's fetch (its API batch arrived)
// to Cassandra acknowledging its row, matched by the record's id. Only records fetched by this
// process are measured; rows of older records (a replay of the topic) are ignored. Part of it,
// the time from the fetch until the processor handed the row to the Cassandra sink (producer,
// Kafka, consumer, validation), is kept apart to show where the time goes.
//
// Thread: fetched() on the ingest thread, handed_to_sink() on the processor's thread,
// acknowledged() on the Cassandra session's loop thread; a mutex guards the map of pending ids.
// It sits on every record's path, so lookups allocate nothing (the key is the id's 16 bytes) and
// a hand-over of many rows takes the lock once.

#include <chrono>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "cql/value.h"
#include "sink/cassandra/cassandra_sink.h"
#include "sink/cassandra/cassandra_sink_probe.h"

namespace rds::app {

// Hashes all 16 bytes of an id: a time-based (v1) UUID varies only in its first 8 (its last 8 are
// the clock sequence and the node, the same for every id one host makes).
struct UuidHash {
  size_t operator()(const cql::Uuid& u) const {
    uint64_t hi = 0;
    uint64_t lo = 0;
    std::memcpy(&hi, u.bytes.data(), sizeof hi);
    std::memcpy(&lo, u.bytes.data() + 8, sizeof lo);
    return static_cast<size_t>(hi ^ (lo * 0x9e3779b97f4a7c15ULL));
  }
};

class LatencyTracker {
 public:
  void fetched(std::string_view id, std::chrono::steady_clock::time_point at);
  // Rows whose values[0] is the id (the table's key column comes first).
  void handed_to_sink(const std::vector<sink::Row>& rows);
  void acknowledged(const cql::Value& id);
  // Records fetched whose row is not acknowledged yet.
  size_t pending() const;
  const sink::LatencyHistogram& histogram() const { return histogram_; }
  // Fetch -> handed to the sink, once per hand-over of a row still pending (a retried row again).
  const sink::LatencyHistogram& to_sink_histogram() const { return to_sink_; }

 private:
  using Pending = std::unordered_map<cql::Uuid, std::chrono::steady_clock::time_point, UuidHash>;
  // The pending entry of a row's id, or end(); the caller holds mutex_.
  Pending::iterator find_locked(const cql::Value& id);

  mutable std::mutex mutex_;
  Pending pending_;  // id -> fetch time
  sink::LatencyHistogram histogram_;
  sink::LatencyHistogram to_sink_;
};

}  // namespace rds::app
