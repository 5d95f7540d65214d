#include "app/latency_tracker.h"

namespace rds::app {
namespace {

std::string key_of(const cql::Uuid& uuid) { return std::string(uuid.bytes.begin(), uuid.bytes.end()); }

}  // namespace

void LatencyTracker::fetched(std::string_view id, std::chrono::steady_clock::time_point at) {
  auto uuid = cql::Uuid::parse(id);
  if (!uuid.ok()) return;  // the validator will dead-letter it; nothing to time
  std::lock_guard<std::mutex> lock(mutex_);
  pending_.emplace(key_of(*uuid), at);  // a duplicate id keeps its first fetch time
}

void LatencyTracker::handed_to_sink(const cql::Value& id) {
  const auto* uuid = id.get_if<cql::Uuid>();
  if (uuid == nullptr) return;
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = pending_.find(key_of(*uuid));
  if (it != pending_.end()) to_sink_.record(now - it->second);
}

void LatencyTracker::acknowledged(const cql::Value& id) {
  const auto* uuid = id.get_if<cql::Uuid>();
  if (uuid == nullptr) return;
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = pending_.find(key_of(*uuid));
  if (it == pending_.end()) return;
  histogram_.record(now - it->second);
  pending_.erase(it);
}

size_t LatencyTracker::pending() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return pending_.size();
}

}  // namespace rds::app
