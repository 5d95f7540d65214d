#pragma once
// The ingest rate limit (`--rate N` records per second): a token bucket, refilled continuously at
// the rate, that the ingest loop asks before each small step of records. Pure logic: time comes
// from an injected PacerClock (the real one sleeps by serving the producer's delivery reports; the
// tests' one is a counter), so it is tested without waiting.
//
// Smoothness: a step is about 5 ms of records (at least 1) and the bucket holds two steps, so the
// load arrives in small slices (75 records every 10 ms at 7,500/s, not a page of 1,000 at once),
// and a sleep that overshoots by up to a step loses no tokens. Over any window of T seconds at
// most rate * T + capacity() records are granted.
//
// Thread: one owner (the ingest loop).

#include <atomic>
#include <chrono>
#include <cstdint>

namespace rds::ingest {

// Pure token bucket: `rate` tokens per second, at most `capacity` held, full at `start`.
class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  TokenBucket(double rate_per_s, double capacity, Clock::time_point start);
  // Takes min(max, whole tokens available at `now`) and returns it (0 if none).
  int64_t take(int64_t max, Clock::time_point now);
  // Returns `n` unused tokens (never above the capacity).
  void give_back(int64_t n);
  // How long from `now` until `n` tokens (clamped to the capacity) are available; zero if they are.
  Clock::duration time_until(int64_t n, Clock::time_point now);
  double tokens(Clock::time_point now);
  double capacity() const { return capacity_; }

 private:
  void refill(Clock::time_point now);

  double rate_;
  double capacity_;
  double tokens_;
  Clock::time_point last_;
};

// Where the pacer reads the time and waits. sleep_for may return early (e.g. when a delivery
// report arrived); the pacer then looks at the clock again.
class PacerClock {
 public:
  virtual ~PacerClock() = default;
  virtual std::chrono::steady_clock::time_point now() = 0;
  virtual void sleep_for(std::chrono::steady_clock::duration d) = 0;
};

class RatePacer {
 public:
  using Clock = std::chrono::steady_clock;
  // Longest single wait, so that a stop request is seen within it.
  static constexpr std::chrono::milliseconds kMaxWait{50};
  static constexpr std::chrono::milliseconds kStep{5};

  // rate_per_s > 0 (0 means "no limit": the caller does not make a pacer).
  RatePacer(double rate_per_s, PacerClock& clock);

  // Waits until a step of records may go (min(want, step()) tokens), then grants as many as are
  // available up to `want` (never more than capacity()). Returns 0, without waiting further, when
  // `stop` becomes true or `deadline` passes.
  int64_t acquire(int64_t want, const std::atomic<bool>& stop, Clock::time_point deadline = Clock::time_point::max());
  // Tokens granted but not used (the source had fewer records left) go back to the bucket.
  void give_back(int64_t n) { bucket_.give_back(n); }

  int64_t step() const { return step_; }
  int64_t capacity() const { return static_cast<int64_t>(bucket_.capacity()); }
  double rate() const { return rate_; }

 private:
  double rate_;
  int64_t step_;
  PacerClock& clock_;
  TokenBucket bucket_;
};

}  // namespace rds::ingest
