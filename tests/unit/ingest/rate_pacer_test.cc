// The ingest rate limit (TokenBucket, RatePacer) on a fake clock: the rate is respected over long
// windows (neither above nor, when the loop keeps up, below), grants come in small steps and never
// above the bucket, a long idle does not bank a burst, and a stop request or a deadline ends a wait.
#include "ingest/rate_pacer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <vector>

namespace rds::ingest {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::duration;
using std::chrono::milliseconds;
using std::chrono::seconds;

// Time moves only when the pacer sleeps (by what it asked, plus `oversleep`) or a test advances it.
class FakeClock final : public PacerClock {
 public:
  Clock::time_point now() override { return now_; }
  void sleep_for(Clock::duration d) override {
    EXPECT_GT(d, Clock::duration::zero()) << "a zero wait would spin";
    EXPECT_LE(d, Clock::duration(RatePacer::kMaxWait)) << "a longer wait would not see a stop request in time";
    ++sleeps;
    now_ += d + oversleep;
    if (on_sleep) on_sleep();
  }
  void advance(Clock::duration d) { now_ += d; }

  Clock::duration oversleep{0};
  int sleeps = 0;
  std::function<void()> on_sleep;

 private:
  Clock::time_point now_ = Clock::time_point() + std::chrono::hours(1);
};

struct Grant {
  Clock::time_point at;
  int64_t n;
};

// Asks for `want` records at a time until `window` of fake time passed; `work` is the time the
// caller spends producing each grant.
std::vector<Grant> run_for(RatePacer& pacer, FakeClock& clock, Clock::duration window, int64_t want,
                           Clock::duration work = Clock::duration::zero()) {
  std::atomic<bool> stop{false};
  std::vector<Grant> grants;
  const auto end = clock.now() + window;
  while (clock.now() < end) {
    const int64_t n = pacer.acquire(want, stop);
    EXPECT_GT(n, 0);
    grants.push_back({clock.now(), n});
    clock.advance(work);
  }
  return grants;
}

int64_t total(const std::vector<Grant>& grants) {
  int64_t sum = 0;
  for (const auto& g : grants) sum += g.n;
  return sum;
}

// The most a correct pacer may have granted by its last grant: the bucket it started with plus
// the rate times the time since `start`.
int64_t allowed_by_last_grant(const std::vector<Grant>& grants, Clock::time_point start, const RatePacer& pacer) {
  const double secs = duration<double>(grants.back().at - start).count();
  return static_cast<int64_t>(pacer.rate() * secs + 1e-6) + pacer.capacity();
}

TEST(TokenBucketTest, RefillsAtTheRateUpToItsCapacity) {
  const auto t0 = Clock::time_point() + seconds(5);
  TokenBucket bucket(100.0, 10.0, t0);
  EXPECT_EQ(bucket.take(1000, t0), 10);  // starts full, hands out at most its capacity
  EXPECT_EQ(bucket.take(1, t0), 0);
  EXPECT_EQ(bucket.time_until(1, t0), milliseconds(10));
  EXPECT_EQ(bucket.time_until(5, t0), milliseconds(50));
  EXPECT_EQ(bucket.time_until(50, t0), milliseconds(100)) << "asking for more than fits waits only for a full bucket";
  EXPECT_EQ(bucket.take(1000, t0 + milliseconds(35)), 3);  // 3.5 tokens: whole ones only
  EXPECT_NEAR(bucket.tokens(t0 + milliseconds(35)), 0.5, 1e-9);
  EXPECT_EQ(bucket.take(1000, t0 + seconds(60)), 10);  // a long idle does not bank more than the capacity
  bucket.give_back(4);
  EXPECT_EQ(bucket.take(1000, t0 + seconds(60)), 4);
  bucket.give_back(1000);
  EXPECT_DOUBLE_EQ(bucket.tokens(t0 + seconds(60)), 10.0);
  // A clock reading older than the last one adds nothing.
  EXPECT_EQ(bucket.take(1000, t0), 10);
  EXPECT_EQ(bucket.take(1000, t0), 0);
}

TEST(RatePacerTest, StepsAreAboutFiveMillisecondsOfRecordsAndTheBucketTwoSteps) {
  FakeClock clock;
  EXPECT_EQ(RatePacer(7500, clock).step(), 37);
  EXPECT_EQ(RatePacer(7500, clock).capacity(), 74);
  EXPECT_EQ(RatePacer(1, clock).step(), 1);
  EXPECT_EQ(RatePacer(1, clock).capacity(), 2);
  EXPECT_EQ(RatePacer(0.2, clock).step(), 1);
  EXPECT_EQ(RatePacer(1'000'000, clock).step(), 5000);
}

TEST(RatePacerTest, TheRateIsRespectedOverAWindow) {
  for (double rate : {7500.0, 1000.0, 37.0, 2.5}) {
    FakeClock clock;
    RatePacer pacer(rate, clock);
    const auto start = clock.now();
    const auto grants = run_for(pacer, clock, seconds(20), 1000);
    // Never above rate * elapsed + what the bucket held at the start; when the loop keeps up,
    // never meaningfully below.
    EXPECT_LE(total(grants), allowed_by_last_grant(grants, start, pacer)) << "rate " << rate;
    EXPECT_GE(total(grants), static_cast<int64_t>(rate * 20) - pacer.step()) << "rate " << rate;
  }
}

TEST(RatePacerTest, ASlowLoopThatOversleepsLosesNoRate) {
  // Real sleeps overshoot and producing takes time: the bucket's second step absorbs it.
  FakeClock clock;
  clock.oversleep = milliseconds(2);
  RatePacer pacer(7500, clock);
  const auto start = clock.now();
  const auto grants = run_for(pacer, clock, seconds(10), 1000, milliseconds(1));
  EXPECT_GE(total(grants), static_cast<int64_t>(7500 * 10 * 0.99));
  EXPECT_LE(total(grants), allowed_by_last_grant(grants, start, pacer));
}

TEST(RatePacerTest, NoGrantAndNoWindowExceedsTheBucket) {
  // A whole page of 1000 is asked for each time; it must go out in slices, never at once.
  FakeClock clock;
  RatePacer pacer(7500, clock);
  const auto grants = run_for(pacer, clock, seconds(5), 1000);
  ASSERT_GT(grants.size(), 500u);
  for (const auto& g : grants) EXPECT_LE(g.n, pacer.capacity());
  // Any 10 ms window holds at most rate * 10 ms + the bucket: 75 + 74, far below a page.
  const auto window = milliseconds(10);
  for (size_t i = 0; i < grants.size(); ++i) {
    int64_t in_window = 0;
    for (size_t j = i; j < grants.size() && grants[j].at - grants[i].at < window; ++j) in_window += grants[j].n;
    ASSERT_LE(in_window, 75 + pacer.capacity()) << "burst at grant " << i;
  }
}

TEST(RatePacerTest, ALongIdleDoesNotBankABurst) {
  FakeClock clock;
  RatePacer pacer(1000, clock);
  std::atomic<bool> stop{false};
  EXPECT_EQ(pacer.acquire(1'000'000, stop), pacer.capacity());
  clock.advance(seconds(60));
  EXPECT_EQ(pacer.acquire(1'000'000, stop), pacer.capacity());
  const auto before = clock.now();
  EXPECT_EQ(pacer.acquire(1'000'000, stop), pacer.step());
  EXPECT_EQ(clock.now() - before, milliseconds(5)) << "waits for one step, not for a full bucket";
}

TEST(RatePacerTest, SmallWantsAreGrantedAsSoonAsTheirTokensAreThere) {
  FakeClock clock;
  RatePacer pacer(1000, clock);  // step 5
  std::atomic<bool> stop{false};
  EXPECT_EQ(pacer.acquire(10, stop), 10);
  const auto before = clock.now();
  EXPECT_EQ(pacer.acquire(1, stop), 1);
  EXPECT_EQ(clock.now() - before, milliseconds(1));
  EXPECT_EQ(pacer.acquire(0, stop), 0);
}

TEST(RatePacerTest, GivenBackTokensAreUsedNext) {
  FakeClock clock;
  RatePacer pacer(1000, clock);
  std::atomic<bool> stop{false};
  EXPECT_EQ(pacer.acquire(10, stop), 10);
  pacer.give_back(3);
  const auto before = clock.now();
  EXPECT_EQ(pacer.acquire(3, stop), 3);
  EXPECT_EQ(clock.now(), before) << "no wait for tokens that were given back";
}

TEST(RatePacerTest, AStopRequestEndsAWaitAtOnce) {
  FakeClock clock;
  RatePacer pacer(0.1, clock);  // one record per 10 s
  std::atomic<bool> stop{false};
  ASSERT_EQ(pacer.acquire(2, stop), 2);
  clock.on_sleep = [&] {
    if (clock.sleeps == 3) stop.store(true);
  };
  const auto before = clock.now();
  EXPECT_EQ(pacer.acquire(1, stop), 0);
  EXPECT_EQ(clock.sleeps, 3) << "the wait goes on after the stop request";
  EXPECT_LE(clock.now() - before, 3 * RatePacer::kMaxWait);
  // Already stopped: no wait at all, even with tokens due.
  clock.advance(seconds(100));
  EXPECT_EQ(pacer.acquire(1, stop), 0);
  EXPECT_EQ(clock.sleeps, 3);
}

TEST(RatePacerTest, ADeadlineEndsAWaitWithoutSleepingPastIt) {
  FakeClock clock;
  RatePacer pacer(0.5, clock);
  std::atomic<bool> stop{false};
  ASSERT_EQ(pacer.acquire(2, stop), 2);
  const auto deadline = clock.now() + milliseconds(120);
  EXPECT_EQ(pacer.acquire(1, stop, deadline), 0);
  EXPECT_EQ(clock.now(), deadline);
}

}  // namespace
}  // namespace rds::ingest
