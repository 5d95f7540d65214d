#pragma once
// Client-side write timestamps (§4.1.4 flag 0x20, "the default timestamp"), as the DataStax drivers
// make them by default (the Java driver 4's AtomicTimestampGenerator, gocql's DefaultTimestamp):
// microseconds since the epoch from this host's clock, strictly increasing within a session even
// when the clock stands still or steps back.
//
// Why rdstream stamps its writes instead of leaving it to each coordinator:
//  - a statement is stamped once (Statement::timestamp): its attempts (a retry on another
//    coordinator after a timeout) and the sink's re-sends of it carry the first send's timestamp,
//    so one that lands late cannot overwrite a later write of the same row, and a write that
//    timed out but was applied is applied again as the very same cells;
//  - writes to one row are ordered by when rdstream sent them, not by the clocks of whichever
//    nodes coordinated them (`rdstream doctor` checks the nodes' clocks against this host's);
//  - a row's WRITETIME says when the pipeline wrote it, which is how the peers' rows are timed
//    (bench/peers): the coordinator's time also counted its queueing and GC pauses.

#include <atomic>
#include <chrono>
#include <cstdint>

namespace rds::cassandra {

class TimestampGenerator {
 public:
  // The next timestamp given the clock's reading `now_us`: now_us, or one more than the last one
  // given when that is not below it. Any thread.
  int64_t next(int64_t now_us) {
    int64_t last = last_.load(std::memory_order_relaxed);
    int64_t next = 0;
    do {
      next = now_us > last ? now_us : last + 1;
    } while (!last_.compare_exchange_weak(last, next, std::memory_order_relaxed));
    return next;
  }

  int64_t next() {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    return next(std::chrono::duration_cast<std::chrono::microseconds>(now).count());
  }

 private:
  std::atomic<int64_t> last_{0};
};

}  // namespace rds::cassandra
