#include "ingest/rate_pacer.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace rds::ingest {

TokenBucket::TokenBucket(double rate_per_s, double capacity, Clock::time_point start)
    : rate_(rate_per_s), capacity_(capacity), tokens_(capacity), last_(start) {
  assert(rate_per_s > 0 && capacity >= 1);
}

void TokenBucket::refill(Clock::time_point now) {
  if (now <= last_) return;  // a clock that did not move (or a caller's older reading) adds nothing
  const double secs = std::chrono::duration<double>(now - last_).count();
  tokens_ = std::min(capacity_, tokens_ + secs * rate_);
  last_ = now;
}

double TokenBucket::tokens(Clock::time_point now) {
  refill(now);
  return tokens_;
}

// Tokens are doubles refilled by elapsed * rate; a wait computed as needed / rate can land a hair
// short of a whole token in floating point, so counts within kEpsilon of a whole are whole.
constexpr double kEpsilon = 1e-6;

int64_t TokenBucket::take(int64_t max, Clock::time_point now) {
  refill(now);
  const auto whole = static_cast<int64_t>(std::floor(tokens_ + kEpsilon));
  const int64_t n = std::min<int64_t>(std::max<int64_t>(max, 0), whole);
  tokens_ -= static_cast<double>(n);
  return n;
}

void TokenBucket::give_back(int64_t n) {
  if (n > 0) tokens_ = std::min(capacity_, tokens_ + static_cast<double>(n));
}

TokenBucket::Clock::duration TokenBucket::time_until(int64_t n, Clock::time_point now) {
  refill(now);
  const double needed = std::min(static_cast<double>(std::max<int64_t>(n, 1)), capacity_) - tokens_;
  if (needed <= kEpsilon) return Clock::duration::zero();
  const auto ns = std::llround(needed / rate_ * 1e9);
  return std::max<Clock::duration>(std::chrono::nanoseconds(std::max<long long>(ns, 1)), Clock::duration(1));
}

namespace {

int64_t step_for(double rate) {
  const double per_step = rate * std::chrono::duration<double>(RatePacer::kStep).count();
  return std::max<int64_t>(1, static_cast<int64_t>(per_step));
}

}  // namespace

RatePacer::RatePacer(double rate_per_s, PacerClock& clock)
    : rate_(rate_per_s),
      step_(step_for(rate_per_s)),
      clock_(clock),
      bucket_(rate_per_s, static_cast<double>(2 * step_), clock.now()) {}

int64_t RatePacer::acquire(int64_t want, const std::atomic<bool>& stop, Clock::time_point deadline) {
  if (want <= 0) return 0;
  const int64_t needed = std::min(want, step_);
  while (!stop.load()) {
    const auto now = clock_.now();
    const auto wait = bucket_.time_until(needed, now);
    if (wait == Clock::duration::zero()) return bucket_.take(want, now);
    if (now >= deadline) return 0;
    auto d = std::min<Clock::duration>(wait, kMaxWait);
    if (deadline != Clock::time_point::max()) d = std::min<Clock::duration>(d, deadline - now);
    clock_.sleep_for(d);
  }
  return 0;
}

}  // namespace rds::ingest
