#include "pipeline/offset_tracker.h"

#include <fmt/format.h>

#include <algorithm>

namespace rds::pipeline {

Result<Ticket> OffsetTracker::track(const TopicPartition& tp, int64_t offset) {
  if (offset < 0) {
    return Error(ErrorCode::kInvalidArgument, fmt::format("tracking {} offset {}: offsets are >= 0", to_string(tp), offset));
  }
  auto [it, inserted] = partitions_.try_emplace(tp);
  PartitionState& state = it->second;
  if (inserted) state.generation = next_generation_++;
  if (offset <= state.last_registered) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("tracking {} offset {}: not after the last registered offset {} (the consumer "
                             "rewound without the partition being revoked)",
                             to_string(tp), offset, state.last_registered));
  }
  state.last_registered = offset;
  state.pending.push_back(Entry{offset, false});
  ++state.unacked;
  ++in_flight_total_;
  return Ticket{tp, offset, state.generation};
}

Result<AckOutcome> OffsetTracker::ack(const Ticket& ticket) {
  auto it = partitions_.find(ticket.tp);
  if (it == partitions_.end() || it->second.generation != ticket.generation) return AckOutcome::kStale;
  PartitionState& state = it->second;
  auto entry = std::lower_bound(state.pending.begin(), state.pending.end(), ticket.offset,
                                [](const Entry& e, int64_t offset) { return e.offset < offset; });
  if (entry == state.pending.end() || entry->offset != ticket.offset) {
    // Not pending: either folded into the prefix already (acknowledged before) or never seen.
    if (ticket.offset <= state.last_registered && state.committable && ticket.offset < *state.committable) {
      return AckOutcome::kDuplicate;
    }
    return Error(ErrorCode::kNotFound, fmt::format("acknowledging {} offset {}: never registered",
                                                   to_string(ticket.tp), ticket.offset));
  }
  if (entry->acked) return AckOutcome::kDuplicate;
  entry->acked = true;
  --state.unacked;
  --in_flight_total_;
  while (!state.pending.empty() && state.pending.front().acked) {
    state.committable = state.pending.front().offset + 1;
    state.pending.pop_front();
  }
  return AckOutcome::kAcknowledged;
}

std::optional<int64_t> OffsetTracker::committable(const TopicPartition& tp) const {
  auto it = partitions_.find(tp);
  if (it == partitions_.end()) return std::nullopt;
  return it->second.committable;
}

std::vector<CommitPoint> OffsetTracker::take_advanced() {
  std::vector<CommitPoint> points;
  for (auto& [tp, state] : partitions_) {
    if (state.committable && state.committable != state.taken) {
      points.push_back(CommitPoint{tp, *state.committable});
      state.taken = state.committable;
    }
  }
  return points;
}

std::size_t OffsetTracker::forget(const TopicPartition& tp) {
  auto it = partitions_.find(tp);
  if (it == partitions_.end()) return 0;
  const std::size_t dropped = it->second.unacked;
  in_flight_total_ -= dropped;
  partitions_.erase(it);
  return dropped;
}

std::size_t OffsetTracker::in_flight(const TopicPartition& tp) const {
  auto it = partitions_.find(tp);
  return it == partitions_.end() ? 0 : it->second.unacked;
}

std::optional<int64_t> OffsetTracker::first_unacknowledged(const TopicPartition& tp) const {
  auto it = partitions_.find(tp);
  if (it == partitions_.end() || it->second.pending.empty()) return std::nullopt;
  return it->second.pending.front().offset;
}

std::vector<TopicPartition> OffsetTracker::partitions() const {
  std::vector<TopicPartition> out;
  out.reserve(partitions_.size());
  for (const auto& [tp, state] : partitions_) out.push_back(tp);
  return out;
}

}  // namespace rds::pipeline
