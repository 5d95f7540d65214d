#include "app/latency_tracker.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace rds::app {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr const char* kA = "69464f42-9273-46ec-a128-18cf37536cc4";
constexpr const char* kB = "2359886a-30c0-4711-9da8-3e2e692e9fa0";

cql::Value id(const char* text) { return cql::Value(*cql::Uuid::parse(text)); }
sink::Row row(const char* text) { return sink::Row{id(text), cql::Value(std::string("x"))}; }

TEST(LatencyTrackerTest, TimesFetchToAcknowledgementOfTheSameId) {
  LatencyTracker tracker;
  tracker.fetched(kA, steady_clock::now() - milliseconds(40));
  tracker.fetched(kB, steady_clock::now());
  EXPECT_EQ(tracker.pending(), 2u);

  tracker.handed_to_sink({row(kA), sink::Row{}, row(kB)});  // an empty row is skipped
  EXPECT_EQ(tracker.to_sink_histogram().count(), 2u);
  EXPECT_EQ(tracker.histogram().count(), 0u);

  tracker.acknowledged(id(kA));
  EXPECT_EQ(tracker.pending(), 1u);
  ASSERT_EQ(tracker.histogram().count(), 1u);
  // At least the 40 ms since its fetch (the histogram reports bucket upper bounds).
  EXPECT_GE(tracker.histogram().quantile(0.5), milliseconds(40));
}

TEST(LatencyTrackerTest, IgnoresIdsItDidNotFetchAndCountsEachIdOnce) {
  LatencyTracker tracker;
  tracker.fetched("not-a-uuid", steady_clock::now());  // dead-lettered later: nothing to time
  EXPECT_EQ(tracker.pending(), 0u);

  tracker.fetched(kA, steady_clock::now());
  tracker.fetched(kA, steady_clock::now());  // a duplicate keeps one entry
  EXPECT_EQ(tracker.pending(), 1u);
  tracker.acknowledged(id(kB));                         // a replayed row of an older run
  tracker.acknowledged(cql::Value(std::string(kA)));    // not a uuid value
  EXPECT_EQ(tracker.histogram().count(), 0u);
  tracker.acknowledged(id(kA));
  tracker.acknowledged(id(kA));  // acknowledged twice (a retried write): timed once
  EXPECT_EQ(tracker.histogram().count(), 1u);
  EXPECT_EQ(tracker.pending(), 0u);
}

TEST(LatencyTrackerTest, HashSeesBothHalvesOfAnId) {
  // Two time-based ids of one host: the same clock sequence and node, another time.
  const auto a = *cql::Uuid::parse("5b6962dd-3f90-11ef-8a3c-0242ac120002");
  const auto b = *cql::Uuid::parse("5b6962de-3f90-11ef-8a3c-0242ac120002");
  EXPECT_NE(UuidHash{}(a), UuidHash{}(b));
  // And two random ids that share their first half.
  const auto c = *cql::Uuid::parse("69464f42-9273-46ec-a128-18cf37536cc4");
  const auto d = *cql::Uuid::parse("69464f42-9273-46ec-a128-18cf37536cc5");
  EXPECT_NE(UuidHash{}(c), UuidHash{}(d));
}

}  // namespace
}  // namespace rds::app
