#include "mockapi/faults.h"

#include <fmt/format.h>

#include <cmath>

namespace rds::mockapi {
namespace {

std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// The n-th uniform draw for a request, in [0, 1).
double draw(std::uint64_t seed, std::uint64_t request, std::uint64_t n) {
  const std::uint64_t bits = mix64(mix64(seed ^ mix64(request)) + n * 0x9E3779B97F4A7C15ULL);
  return static_cast<double>(bits >> 11) * 0x1.0p-53;
}

}  // namespace

Status FaultConfig::validate(std::string_view path) const {
  const std::pair<const char*, double> rates[] = {
      {"rate_429", rate_429},           {"rate_5xx", rate_5xx},
      {"rate_empty", rate_empty},       {"rate_truncated", rate_truncated},
      {"rate_malformed", rate_malformed}, {"slow_rate", slow_rate}};
  for (const auto& [name, rate] : rates) {
    if (!(rate >= 0 && rate <= 1)) {
      return Error(ErrorCode::kInvalidArgument, fmt::format("{}.{}: must be between 0 and 1, got {}", path, name, rate));
    }
  }
  const double total = rate_429 + rate_5xx + rate_empty + rate_truncated + rate_malformed;
  if (total > 1 + 1e-9) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("{}: the failure rates add up to {}, more than 1", path, total));
  }
  if (slow.count() < 0) return Error(ErrorCode::kInvalidArgument, fmt::format("{}.slow_ms: must be >= 0", path));
  if (retry_after.count() < 0) {
    return Error(ErrorCode::kInvalidArgument, fmt::format("{}.retry_after_s: must be >= 0", path));
  }
  return ok_status();
}

Result<FaultConfig> apply_fault_patch(const FaultConfig& base, const nlohmann::json& patch) {
  if (!patch.is_object()) return Error(ErrorCode::kInvalidArgument, "faults: expected a JSON object");
  FaultConfig config = base;
  for (const auto& [key, value] : patch.items()) {
    auto bad = [&, &k = key](std::string_view what) {
      return Error(ErrorCode::kInvalidArgument, fmt::format("faults.{}: {}", k, what));
    };
    double* rate = key == "rate_429"         ? &config.rate_429
                   : key == "rate_5xx"       ? &config.rate_5xx
                   : key == "rate_empty"     ? &config.rate_empty
                   : key == "rate_truncated" ? &config.rate_truncated
                   : key == "rate_malformed" ? &config.rate_malformed
                   : key == "slow_rate"      ? &config.slow_rate
                                             : nullptr;
    if (rate) {
      if (!value.is_number()) return bad("expected a number");
      *rate = value.get<double>();
    } else if (key == "seed" || key == "slow_ms" || key == "retry_after_s") {
      if (!value.is_number_integer() || value.get<std::int64_t>() < 0) return bad("expected an integer >= 0");
      const auto number = value.get<std::int64_t>();
      if (key == "seed") config.seed = static_cast<std::uint64_t>(number);
      if (key == "slow_ms") config.slow = std::chrono::milliseconds(number);
      if (key == "retry_after_s") config.retry_after = std::chrono::seconds(number);
    } else {
      return bad("unknown key (expected seed, rate_429, rate_5xx, rate_empty, rate_truncated, "
                 "rate_malformed, slow_rate, slow_ms or retry_after_s)");
    }
  }
  RDS_TRY(config.validate());
  return config;
}

nlohmann::json to_json(const FaultConfig& c) {
  return {{"seed", c.seed},
          {"rate_429", c.rate_429},
          {"rate_5xx", c.rate_5xx},
          {"rate_empty", c.rate_empty},
          {"rate_truncated", c.rate_truncated},
          {"rate_malformed", c.rate_malformed},
          {"slow_rate", c.slow_rate},
          {"slow_ms", c.slow.count()},
          {"retry_after_s", c.retry_after.count()}};
}

std::string_view to_string(Fault fault) {
  switch (fault) {
    case Fault::kNone: return "none";
    case Fault::kStatus429: return "status_429";
    case Fault::kStatus5xx: return "status_5xx";
    case Fault::kEmpty: return "empty";
    case Fault::kTruncated: return "truncated";
    case Fault::kMalformed: return "malformed";
  }
  return "unknown";
}

FaultDecision decide_fault(const FaultConfig& config, std::uint64_t request_number) {
  FaultDecision decision;
  // One draw picks at most one failure: the rates are slices of [0, 1).
  const double pick = draw(config.seed, request_number, 0);
  const std::pair<Fault, double> slices[] = {{Fault::kStatus429, config.rate_429},
                                             {Fault::kStatus5xx, config.rate_5xx},
                                             {Fault::kEmpty, config.rate_empty},
                                             {Fault::kTruncated, config.rate_truncated},
                                             {Fault::kMalformed, config.rate_malformed}};
  double edge = 0;
  for (const auto& [fault, rate] : slices) {
    edge += rate;
    if (pick < edge) {
      decision.fault = fault;
      break;
    }
  }
  if (decision.fault == Fault::kStatus429) decision.status = 429;
  if (decision.fault == Fault::kStatus5xx) {
    static constexpr int kStatuses[] = {500, 502, 503};
    decision.status = kStatuses[static_cast<int>(draw(config.seed, request_number, 1) * 3)];
  }
  decision.position = draw(config.seed, request_number, 2);
  if (config.slow_rate > 0 && draw(config.seed, request_number, 3) < config.slow_rate) {
    decision.delay = config.slow;
  }
  return decision;
}

}  // namespace rds::mockapi
