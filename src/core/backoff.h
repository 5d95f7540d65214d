#pragma once
// Retry backoff as a pure decision: the caller reports a failed attempt, the policy answers
// "retry after D" or "stop, because ...". No sleeping, no clock reads: the caller passes the time
// elapsed since its first attempt, and the random source is injected so tests are deterministic.
//
// Delays (attempt n = number of failures so far, starting at 1):
//   kNone          base(n) = min(max_delay, initial * multiplier^(n-1))
//   kFull          uniform(0, base(n))                       ("full jitter")
//   kDecorrelated  min(max_delay, uniform(initial, 3 * previous delay))
// A server-provided Retry-After is a floor: the delay is never shorter, even above max_delay
// (the server knows better than our cap; retrying earlier would only earn another 429).
// Not thread-safe: one Backoff per retry loop.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

#include "core/result.h"

namespace rds {

enum class Jitter { kNone, kFull, kDecorrelated };

// Parses "none" | "full" | "decorrelated".
std::optional<Jitter> parse_jitter(std::string_view text);
std::string_view to_string(Jitter jitter);

struct BackoffConfig {
  static constexpr std::chrono::milliseconds kDefaultInitial{100};
  static constexpr std::chrono::milliseconds kDefaultMaxDelay{30'000};

  std::chrono::milliseconds initial = kDefaultInitial;
  std::chrono::milliseconds max_delay = kDefaultMaxDelay;
  double multiplier = 2.0;
  Jitter jitter = Jitter::kFull;
  int max_attempts = 0;                      // total attempts, the first included; 0 = no limit
  std::chrono::milliseconds max_elapsed{0};  // time budget since the first attempt; 0 = none

  // Checks ranges; errors name the field ("backoff.multiplier: must be >= 1").
  Status validate(std::string_view path = "backoff") const;
};

// Returns a uniform double in [0, 1). Injected so that tests can script the jitter.
using UniformSource = std::function<double()>;

// A seeded source (splitmix64); the default Backoff uses one seeded from std::random_device.
UniformSource seeded_uniform_source(std::uint64_t seed);

enum class StopReason { kNone, kAttemptsExhausted, kTimeBudgetExhausted };
std::string_view to_string(StopReason reason);

struct BackoffDecision {
  bool retry = false;
  std::chrono::milliseconds delay{0};   // meaningful when retry
  StopReason stop = StopReason::kNone;  // why not, when !retry
};

class Backoff {
 public:
  explicit Backoff(BackoffConfig config, UniformSource random = {});

  // Called after attempt number attempts()+1 failed. `elapsed` is the time since the first attempt
  // began; `retry_after` is the server's Retry-After, if it sent one.
  BackoffDecision on_failure(std::chrono::milliseconds elapsed,
                             std::optional<std::chrono::seconds> retry_after = std::nullopt);

  // After a success: the next failure starts again from `initial`.
  void reset();

  int failures() const { return failures_; }
  const BackoffConfig& config() const { return config_; }

 private:
  std::chrono::milliseconds jittered_delay();

  BackoffConfig config_;
  UniformSource random_;
  int failures_ = 0;
  std::chrono::milliseconds previous_;  // for decorrelated jitter
};

// Parses an HTTP Retry-After header in its delta-seconds form ("120"). The HTTP-date form is not
// supported (randomuser and our mock send seconds) and yields nullopt, as does garbage.
std::optional<std::chrono::seconds> parse_retry_after(std::string_view header);

}  // namespace rds
