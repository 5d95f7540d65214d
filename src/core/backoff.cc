#include "core/backoff.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <random>
#include <string>

namespace rds {

using std::chrono::milliseconds;

std::optional<Jitter> parse_jitter(std::string_view text) {
  if (text == "none") return Jitter::kNone;
  if (text == "full") return Jitter::kFull;
  if (text == "decorrelated") return Jitter::kDecorrelated;
  return std::nullopt;
}

std::string_view to_string(Jitter jitter) {
  switch (jitter) {
    case Jitter::kNone: return "none";
    case Jitter::kFull: return "full";
    case Jitter::kDecorrelated: return "decorrelated";
  }
  return "unknown";
}

std::string_view to_string(StopReason reason) {
  switch (reason) {
    case StopReason::kNone: return "none";
    case StopReason::kAttemptsExhausted: return "attempts_exhausted";
    case StopReason::kTimeBudgetExhausted: return "time_budget_exhausted";
  }
  return "unknown";
}

Status BackoffConfig::validate(std::string_view path) const {
  auto bad = [&](std::string_view field, std::string_view what) {
    return Error(ErrorCode::kInvalidArgument, fmt::format("{}.{}: {}", path, field, what));
  };
  if (initial.count() <= 0) return bad("initial_ms", "must be > 0");
  if (max_delay < initial) return bad("max_delay_ms", "must be >= initial_ms");
  if (!(multiplier >= 1.0) || !std::isfinite(multiplier)) return bad("multiplier", "must be >= 1");
  if (max_attempts < 0) return bad("max_attempts", "must be >= 0 (0 = no limit)");
  if (max_elapsed.count() < 0) return bad("max_elapsed_ms", "must be >= 0 (0 = no limit)");
  return ok_status();
}

UniformSource seeded_uniform_source(std::uint64_t seed) {
  return [state = seed]() mutable {
    // splitmix64: tiny, good enough for jitter, and reproducible across platforms.
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return static_cast<double>(z >> 11) * 0x1.0p-53;
  };
}

Backoff::Backoff(BackoffConfig config, UniformSource random)
    : config_(config), random_(std::move(random)), previous_(config.initial) {
  if (!random_) random_ = seeded_uniform_source(std::random_device{}());
}

void Backoff::reset() {
  failures_ = 0;
  previous_ = config_.initial;
}

milliseconds Backoff::jittered_delay() {
  const double initial = static_cast<double>(config_.initial.count());
  const double cap = static_cast<double>(config_.max_delay.count());
  // Clamp the random value: a scripted source might return 1.0 exactly.
  const double u = std::clamp(random_(), 0.0, 1.0);
  double delay = 0;
  switch (config_.jitter) {
    case Jitter::kNone:
    case Jitter::kFull: {
      // pow() overflows to inf for large n, and min() then yields the cap, which is what we want.
      const double base = std::min(cap, initial * std::pow(config_.multiplier, failures_ - 1));
      delay = config_.jitter == Jitter::kNone ? base : u * base;
      break;
    }
    case Jitter::kDecorrelated: {
      const double upper = std::max(initial, 3.0 * static_cast<double>(previous_.count()));
      delay = std::min(cap, initial + u * (upper - initial));
      break;
    }
  }
  return milliseconds(static_cast<milliseconds::rep>(std::llround(delay)));
}

BackoffDecision Backoff::on_failure(milliseconds elapsed,
                                    std::optional<std::chrono::seconds> retry_after) {
  ++failures_;
  BackoffDecision decision;
  if (config_.max_attempts > 0 && failures_ >= config_.max_attempts) {
    decision.stop = StopReason::kAttemptsExhausted;
    return decision;
  }
  milliseconds delay = jittered_delay();
  previous_ = delay;
  if (retry_after && *retry_after > delay) delay = *retry_after;
  if (config_.max_elapsed.count() > 0 && elapsed + delay > config_.max_elapsed) {
    decision.stop = StopReason::kTimeBudgetExhausted;
    return decision;
  }
  decision.retry = true;
  decision.delay = delay;
  return decision;
}

std::optional<std::chrono::seconds> parse_retry_after(std::string_view header) {
  while (!header.empty() && (header.front() == ' ' || header.front() == '\t')) header.remove_prefix(1);
  while (!header.empty() && (header.back() == ' ' || header.back() == '\t')) header.remove_suffix(1);
  if (header.empty()) return std::nullopt;
  long long seconds = 0;
  const auto* end = header.data() + header.size();
  auto [ptr, ec] = std::from_chars(header.data(), end, seconds);
  if (ec != std::errc() || ptr != end || seconds < 0) return std::nullopt;
  return std::chrono::seconds(seconds);
}

}  // namespace rds
