#include "mockapi/quota.h"

namespace rds::mockapi {

QuotaDecision QuotaTracker::charge(const std::string& client, std::int64_t users, Clock::time_point now) {
  QuotaDecision decision;
  if (config_.users <= 0) return decision;
  // Bound memory when many clients come and go.
  if (windows_.size() > 4096) forget_expired(now);
  auto [it, inserted] = windows_.try_emplace(client, Window{now, 0});
  Window& window = it->second;
  if (now - window.start >= config_.window) window = Window{now, 0};
  if (window.used + users > config_.users) {
    const auto left = window.start + config_.window - now;
    decision.allowed = false;
    // Round up: retrying a little late is fine, a little early earns another 429.
    decision.retry_after = std::max(std::chrono::seconds(1), std::chrono::ceil<std::chrono::seconds>(left));
    return decision;
  }
  window.used += users;
  decision.remaining = config_.users - window.used;
  return decision;
}

void QuotaTracker::set_config(QuotaConfig config) {
  config_ = config;
  windows_.clear();
}

void QuotaTracker::forget_expired(Clock::time_point now) {
  std::erase_if(windows_, [&](const auto& entry) { return now - entry.second.start >= config_.window; });
}

}  // namespace rds::mockapi
