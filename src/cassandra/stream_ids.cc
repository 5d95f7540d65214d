#include "cassandra/stream_ids.h"

#include <algorithm>

namespace rds::cassandra {

StreamIdAllocator::StreamIdAllocator(int capacity) {
  const int n = std::clamp(capacity, 1, kMaxStreams);
  busy_.assign(static_cast<size_t>(n), false);
  free_.reserve(static_cast<size_t>(n));
  for (int id = n - 1; id >= 0; --id) free_.push_back(static_cast<int16_t>(id));
}

std::optional<StreamId> StreamIdAllocator::acquire() {
  if (free_.empty()) return std::nullopt;
  const int16_t id = free_.back();
  free_.pop_back();
  busy_[static_cast<size_t>(id)] = true;
  ++in_use_;
  return StreamId{id};
}

bool StreamIdAllocator::release(StreamId id) {
  if (!is_busy(id)) return false;
  busy_[static_cast<size_t>(id.value)] = false;
  free_.push_back(id.value);
  --in_use_;
  return true;
}

bool StreamIdAllocator::is_busy(StreamId id) const {
  return id.value >= 0 && static_cast<size_t>(id.value) < busy_.size() && busy_[static_cast<size_t>(id.value)];
}

}  // namespace rds::cassandra
