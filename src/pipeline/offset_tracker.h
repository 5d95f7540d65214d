#pragma once
// Which Kafka offsets may be committed: per partition, records are registered in offset order as
// they are polled and acknowledged in any order as the sink confirms them; the committable offset
// is the one after the longest contiguous acknowledged prefix (style.md "Acknowledge upstream only
// after downstream success").
//
// Pure: no Kafka, no clock, no threads. Not thread-safe: the owner (the processor loop) calls it
// from one thread.
//
// Offsets are not assumed to be consecutive: compacted topics and transaction markers leave gaps,
// so the tracker remembers the offsets it was given and never computes "offset + 1" to find the
// next record. With records 5 and 7 registered (6 being a transaction marker), acknowledging both
// makes 8 committable; acknowledging only 5 makes 6 committable (the offset after the last
// acknowledged record), never 7 or beyond.
//
// Revocation: forget() drops a partition and everything in flight for it. Each registration
// carries the partition's generation, so an acknowledgement that arrives after the partition was
// revoked (and perhaps assigned again, with the same offsets redelivered) is recognised as stale
// and ignored instead of acknowledging the new, unwritten copy.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/topic_partition.h"  // rds::TopicPartition, the Kafka consumer's type too

namespace rds::pipeline {

// What track() hands back and ack() takes: the record's partition, offset and the partition's
// generation at registration time.
struct Ticket {
  TopicPartition tp;
  int64_t offset = -1;
  uint64_t generation = 0;
  bool operator==(const Ticket&) const = default;
};

enum class AckOutcome {
  kAcknowledged,   // the record is now acknowledged
  kDuplicate,      // it already was (a second ack is harmless)
  kStale,          // its partition was revoked since it was registered: ignored
};

// A partition whose committable offset moved since the last take_advanced().
struct CommitPoint {
  TopicPartition tp;
  int64_t next_offset = 0;  // the offset to commit: the next record to read
  bool operator==(const CommitPoint&) const = default;
};

class OffsetTracker {
 public:
  // Registers a polled record. Offsets must be strictly increasing per partition; a smaller or
  // equal offset is kInvalidArgument (the consumer rewound without the partition being forgotten).
  Result<Ticket> track(const TopicPartition& tp, int64_t offset);

  // Acknowledges a record (any order). kNotFound when the ticket's generation is current but the
  // offset was never registered: a caller bug.
  Result<AckOutcome> ack(const Ticket& ticket);

  // The offset after the longest contiguous acknowledged prefix of the partition, or nullopt when
  // nothing has been acknowledged since the partition was first seen (or forgotten).
  std::optional<int64_t> committable(const TopicPartition& tp) const;

  // Partitions whose committable offset advanced since the last call, with that offset; the
  // caller stores them in the consumer. Marks them taken.
  std::vector<CommitPoint> take_advanced();

  // Drops a partition (revoked or lost). Returns how many of its records were still in flight.
  std::size_t forget(const TopicPartition& tp);

  // Records registered and not yet acknowledged.
  std::size_t in_flight(const TopicPartition& tp) const;
  std::size_t in_flight() const { return in_flight_total_; }
  // The oldest unacknowledged offset of a partition (what blocks the commit), if any.
  std::optional<int64_t> first_unacknowledged(const TopicPartition& tp) const;
  std::vector<TopicPartition> partitions() const;

 private:
  struct Entry {
    int64_t offset;
    bool acked;
  };
  struct PartitionState {
    uint64_t generation = 0;
    // Registered records not yet folded into the committed prefix, in offset order. The front is
    // always unacknowledged (acknowledged fronts are popped at once).
    std::deque<Entry> pending;
    std::size_t unacked = 0;
    int64_t last_registered = -1;
    std::optional<int64_t> committable;  // last acknowledged prefix offset + 1
    std::optional<int64_t> taken;        // what take_advanced() last returned
  };

  std::map<TopicPartition, PartitionState> partitions_;
  uint64_t next_generation_ = 1;
  std::size_t in_flight_total_ = 0;
};

}  // namespace rds::pipeline
