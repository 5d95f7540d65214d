#pragma once
// Stream id allocation for one connection (native_protocol_v4.spec §2.3: a request's stream id is
// echoed in its response; v4 ids are signed 16-bit and clients use 0..32767, negative ids being
// the server's events). An id is busy from acquire() until its response arrives, even after the
// request timed out: reusing it earlier would hand a late answer to the wrong request.
//
// Thread: owned by the connection's event-loop thread; not thread-safe.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace rds::cassandra {

// A strong type so a stream id cannot be confused with a count or an index.
struct StreamId {
  int16_t value = 0;
  bool operator==(const StreamId&) const = default;
};

class StreamIdAllocator {
 public:
  static constexpr int kMaxStreams = 32768;

  explicit StreamIdAllocator(int capacity = kMaxStreams);

  // The lowest-numbered free ids are handed out first after construction; afterwards, the most
  // recently released (keeps the working set small). nullopt when all are busy.
  std::optional<StreamId> acquire();
  // Returns false (and changes nothing) for an id that is not busy: a late or duplicate response.
  bool release(StreamId id);
  bool is_busy(StreamId id) const;

  size_t in_use() const { return in_use_; }
  size_t capacity() const { return busy_.size(); }
  size_t available() const { return free_.size(); }

 private:
  std::vector<int16_t> free_;  // a stack
  std::vector<bool> busy_;
  size_t in_use_ = 0;
};

}  // namespace rds::cassandra
