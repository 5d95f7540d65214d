#pragma once
// Fault injection for the mock API: which requests fail, and how. Decisions are a pure function
// of (fault seed, request number), so a test that sends the same requests sees the same faults.

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <string_view>

#include "core/result.h"

namespace rds::mockapi {

struct FaultConfig {
  std::uint64_t seed = 1;
  // Probabilities in [0, 1]; the failure rates together must not exceed 1.
  double rate_429 = 0;        // HTTP 429 + JSON error + Retry-After
  double rate_5xx = 0;        // 500 (JSON error), 502 or 503 (an HTML page, like a proxy)
  double rate_empty = 0;      // 200 with "results": []
  double rate_truncated = 0;  // 200 with the body cut short
  double rate_malformed = 0;  // 200 with a corrupted byte
  double slow_rate = 0;       // independent of the above: delay the response by slow_ms
  std::chrono::milliseconds slow{0};
  std::chrono::seconds retry_after{1};  // sent with injected 429s

  // Errors name the key: "faults.rate_429: must be between 0 and 1".
  Status validate(std::string_view path = "faults") const;
};

// Applies the keys present in `patch` (the names above, `slow_ms`, `retry_after_s`) on top of
// `base`; unknown keys and wrong types are errors. Used by `POST /_faults`.
Result<FaultConfig> apply_fault_patch(const FaultConfig& base, const nlohmann::json& patch);
nlohmann::json to_json(const FaultConfig& config);

enum class Fault { kNone, kStatus429, kStatus5xx, kEmpty, kTruncated, kMalformed };
std::string_view to_string(Fault fault);

struct FaultDecision {
  Fault fault = Fault::kNone;
  int status = 200;                    // for kStatus5xx: 500, 502 or 503
  std::chrono::milliseconds delay{0};
  double position = 0;                 // in [0, 1): where to cut or corrupt the body
};

FaultDecision decide_fault(const FaultConfig& config, std::uint64_t request_number);

}  // namespace rds::mockapi
