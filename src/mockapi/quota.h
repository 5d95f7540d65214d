#pragma once
// A per-client quota like randomuser's open-source server (20,000 users per 5 minutes, then
// HTTP 429; docs/compat.md "Limits and failures seen in the wild"). Fixed windows per client,
// started by the client's first request. Pure: the caller passes the time. Not thread-safe;
// MockApi serialises calls.

#include <chrono>
#include <cstdint>
#include <string>
#include <unordered_map>

namespace rds::mockapi {

struct QuotaConfig {
  static constexpr std::int64_t kRandomuserUsers = 20000;
  static constexpr std::chrono::seconds kRandomuserWindow{300};

  std::int64_t users = 0;               // users per window and client; 0 = no quota
  std::chrono::seconds window = kRandomuserWindow;
};

struct QuotaDecision {
  bool allowed = true;
  std::chrono::seconds retry_after{0};  // when refused: until the client's window ends (>= 1 s)
  std::int64_t remaining = 0;           // after this request, when allowed
};

class QuotaTracker {
 public:
  using Clock = std::chrono::steady_clock;
  explicit QuotaTracker(QuotaConfig config) : config_(config) {}

  // Charges `users` to `client` if they fit in its window; refused requests are not charged.
  QuotaDecision charge(const std::string& client, std::int64_t users, Clock::time_point now);
  void set_config(QuotaConfig config);
  const QuotaConfig& config() const { return config_; }

 private:
  struct Window {
    Clock::time_point start;
    std::int64_t used = 0;
  };
  void forget_expired(Clock::time_point now);

  QuotaConfig config_;
  std::unordered_map<std::string, Window> windows_;
};

}  // namespace rds::mockapi
