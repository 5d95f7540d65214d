#include "app/latency_tracker.h"

namespace rds::app {

void LatencyTracker::fetched(std::string_view id, std::chrono::steady_clock::time_point at) {
  auto uuid = cql::Uuid::parse(id);
  if (!uuid.ok()) return;  // the validator will dead-letter it; nothing to time
  std::lock_guard<std::mutex> lock(mutex_);
  pending_.emplace(*uuid, at);  // a duplicate id keeps its first fetch time
}

LatencyTracker::Pending::iterator LatencyTracker::find_locked(const cql::Value& id) {
  const auto* uuid = id.get_if<cql::Uuid>();
  return uuid == nullptr ? pending_.end() : pending_.find(*uuid);
}

void LatencyTracker::handed_to_sink(const std::vector<sink::Row>& rows) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& row : rows) {
    if (row.empty()) continue;
    auto it = find_locked(row.front());
    if (it != pending_.end()) to_sink_.record(now - it->second);
  }
}

void LatencyTracker::acknowledged(const cql::Value& id) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = find_locked(id);
  if (it == pending_.end()) return;
  histogram_.record(now - it->second);
  pending_.erase(it);
}

size_t LatencyTracker::pending() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return pending_.size();
}

}  // namespace rds::app
