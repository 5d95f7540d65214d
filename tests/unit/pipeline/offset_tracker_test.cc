#include "pipeline/offset_tracker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include "support/result_matchers.h"

namespace rds::pipeline {
namespace {

const TopicPartition kP0{"users_created", 0};
const TopicPartition kP1{"users_created", 1};

Ticket must_track(OffsetTracker& tracker, const TopicPartition& tp, int64_t offset) {
  auto ticket = tracker.track(tp, offset);
  EXPECT_OK(ticket);
  return *ticket;
}

AckOutcome must_ack(OffsetTracker& tracker, const Ticket& ticket) {
  auto outcome = tracker.ack(ticket);
  EXPECT_OK(outcome);
  return *outcome;
}

// One type for the consumer and the tracker (core/topic_partition.h): named the same way in logs
// and errors, ordered by topic then partition (the tracker's map key).
TEST(TopicPartitionTest, PrintsAndOrders) {
  EXPECT_EQ(to_string(kP1), "users_created[1]");
  EXPECT_LT(kP0, kP1);
  EXPECT_LT((TopicPartition{"a", 9}), kP0);
  EXPECT_EQ(kP0, (TopicPartition{"users_created", 0}));
}

TEST(OffsetTrackerTest, NothingCommittableBeforeAnyAck) {
  OffsetTracker tracker;
  EXPECT_EQ(tracker.committable(kP0), std::nullopt);
  must_track(tracker, kP0, 0);
  EXPECT_EQ(tracker.committable(kP0), std::nullopt);
  EXPECT_EQ(tracker.in_flight(kP0), 1u);
  EXPECT_EQ(tracker.in_flight(), 1u);
  EXPECT_TRUE(tracker.take_advanced().empty());
}

TEST(OffsetTrackerTest, InOrderAcksAdvanceOneByOne) {
  OffsetTracker tracker;
  std::vector<Ticket> tickets;
  for (int64_t offset = 10; offset < 15; ++offset) tickets.push_back(must_track(tracker, kP0, offset));
  for (const auto& ticket : tickets) {
    EXPECT_EQ(must_ack(tracker, ticket), AckOutcome::kAcknowledged);
    EXPECT_EQ(tracker.committable(kP0), ticket.offset + 1);
  }
  EXPECT_EQ(tracker.in_flight(), 0u);
  EXPECT_EQ(tracker.first_unacknowledged(kP0), std::nullopt);
}

TEST(OffsetTrackerTest, OutOfOrderAckHoldsTheCommitAtTheHole) {
  OffsetTracker tracker;
  auto t0 = must_track(tracker, kP0, 0);
  auto t1 = must_track(tracker, kP0, 1);
  auto t2 = must_track(tracker, kP0, 2);
  must_ack(tracker, t2);
  EXPECT_EQ(tracker.committable(kP0), std::nullopt);
  must_ack(tracker, t0);
  EXPECT_EQ(tracker.committable(kP0), 1);
  EXPECT_EQ(tracker.first_unacknowledged(kP0), 1);
  EXPECT_EQ(tracker.in_flight(kP0), 1u);
  must_ack(tracker, t1);
  EXPECT_EQ(tracker.committable(kP0), 3);
}

TEST(OffsetTrackerTest, GapsInOffsetsAreNotHoles) {
  // 5, 7, 8, 12: 6 is a transaction marker, 9..11 were compacted away.
  OffsetTracker tracker;
  auto t5 = must_track(tracker, kP0, 5);
  auto t7 = must_track(tracker, kP0, 7);
  auto t8 = must_track(tracker, kP0, 8);
  auto t12 = must_track(tracker, kP0, 12);
  must_ack(tracker, t5);
  EXPECT_EQ(tracker.committable(kP0), 6);  // after 5, not past the unacknowledged 7
  must_ack(tracker, t8);
  EXPECT_EQ(tracker.committable(kP0), 6);
  must_ack(tracker, t7);
  EXPECT_EQ(tracker.committable(kP0), 9);
  EXPECT_EQ(tracker.first_unacknowledged(kP0), 12);
  must_ack(tracker, t12);
  EXPECT_EQ(tracker.committable(kP0), 13);
}

TEST(OffsetTrackerTest, FirstRecordNeedNotBeZero) {
  OffsetTracker tracker;
  auto t = must_track(tracker, kP0, 1'000'000'000'000);
  must_ack(tracker, t);
  EXPECT_EQ(tracker.committable(kP0), 1'000'000'000'001);
}

TEST(OffsetTrackerTest, RejectsRewindsAndNegativeOffsets) {
  OffsetTracker tracker;
  must_track(tracker, kP0, 4);
  auto same = tracker.track(kP0, 4);
  ASSERT_FALSE(same.ok());
  EXPECT_EQ(same.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(same.error().message.find("users_created[0]"), std::string::npos);
  EXPECT_FALSE(tracker.track(kP0, 3).ok());
  EXPECT_FALSE(tracker.track(kP1, -1).ok());
  EXPECT_EQ(tracker.in_flight(), 1u);
}

TEST(OffsetTrackerTest, DuplicateAcksAreHarmless) {
  OffsetTracker tracker;
  auto t0 = must_track(tracker, kP0, 0);
  auto t1 = must_track(tracker, kP0, 1);
  must_ack(tracker, t1);
  EXPECT_EQ(must_ack(tracker, t1), AckOutcome::kDuplicate);  // still pending
  must_ack(tracker, t0);
  EXPECT_EQ(must_ack(tracker, t0), AckOutcome::kDuplicate);  // folded into the prefix
  EXPECT_EQ(tracker.committable(kP0), 2);
  EXPECT_EQ(tracker.in_flight(), 0u);
}

TEST(OffsetTrackerTest, AckOfUnregisteredOffsetIsAnError) {
  OffsetTracker tracker;
  auto t0 = must_track(tracker, kP0, 0);
  Ticket bogus = t0;
  bogus.offset = 7;
  auto outcome = tracker.ack(bogus);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error().code, ErrorCode::kNotFound);
}

TEST(OffsetTrackerTest, PartitionsAreIndependent) {
  OffsetTracker tracker;
  auto a0 = must_track(tracker, kP0, 0);
  auto b0 = must_track(tracker, kP1, 0);
  auto b1 = must_track(tracker, kP1, 1);
  const TopicPartition other_topic{"other", 0};
  auto c0 = must_track(tracker, other_topic, 0);
  must_ack(tracker, b0);
  must_ack(tracker, b1);
  EXPECT_EQ(tracker.committable(kP0), std::nullopt);
  EXPECT_EQ(tracker.committable(kP1), 2);
  EXPECT_EQ(tracker.committable(other_topic), std::nullopt);
  EXPECT_EQ(tracker.in_flight(), 2u);
  must_ack(tracker, a0);
  must_ack(tracker, c0);
  EXPECT_EQ(tracker.partitions().size(), 3u);
}

TEST(OffsetTrackerTest, TakeAdvancedReportsEachMoveOnce) {
  OffsetTracker tracker;
  auto a0 = must_track(tracker, kP0, 0);
  auto a1 = must_track(tracker, kP0, 1);
  auto b0 = must_track(tracker, kP1, 0);
  must_ack(tracker, a0);
  must_ack(tracker, b0);
  auto points = tracker.take_advanced();
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[0], (CommitPoint{kP0, 1}));
  EXPECT_EQ(points[1], (CommitPoint{kP1, 1}));
  EXPECT_TRUE(tracker.take_advanced().empty());
  must_ack(tracker, a1);
  points = tracker.take_advanced();
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0], (CommitPoint{kP0, 2}));
}

TEST(OffsetTrackerTest, ForgetDropsInFlightAndStaleAcksAreIgnored) {
  OffsetTracker tracker;
  auto old0 = must_track(tracker, kP0, 0);
  auto old1 = must_track(tracker, kP0, 1);
  must_track(tracker, kP1, 0);
  EXPECT_EQ(tracker.forget(kP0), 2u);
  EXPECT_EQ(tracker.in_flight(), 1u);
  EXPECT_EQ(tracker.committable(kP0), std::nullopt);
  EXPECT_EQ(must_ack(tracker, old0), AckOutcome::kStale);  // partition gone
  // Assigned again and redelivered from the committed offset: the old ack must not count.
  auto new0 = must_track(tracker, kP0, 0);
  auto new1 = must_track(tracker, kP0, 1);
  EXPECT_NE(new0.generation, old0.generation);
  EXPECT_EQ(must_ack(tracker, old1), AckOutcome::kStale);
  EXPECT_EQ(must_ack(tracker, old0), AckOutcome::kStale);
  EXPECT_EQ(tracker.committable(kP0), std::nullopt);
  EXPECT_EQ(tracker.in_flight(kP0), 2u);
  must_ack(tracker, new0);
  must_ack(tracker, new1);
  EXPECT_EQ(tracker.committable(kP0), 2);
  EXPECT_EQ(tracker.forget(TopicPartition{"never", 9}), 0u);
}

TEST(OffsetTrackerTest, ForgetAllowsARewind) {
  OffsetTracker tracker;
  must_track(tracker, kP0, 10);
  tracker.forget(kP0);
  EXPECT_OK(tracker.track(kP0, 3));
}

// The reference: committable = (last acknowledged offset of the longest acknowledged prefix) + 1.
std::optional<int64_t> reference_committable(const std::vector<int64_t>& offsets, const std::set<int64_t>& acked) {
  std::optional<int64_t> result;
  for (int64_t offset : offsets) {
    if (!acked.count(offset)) break;
    result = offset + 1;
  }
  return result;
}

TEST(OffsetTrackerTest, RandomizedAckOrdersMatchTheReference) {
  std::mt19937_64 rng(20240601);
  for (int round = 0; round < 300; ++round) {
    OffsetTracker tracker;
    const int count = 1 + static_cast<int>(rng() % 60);
    std::vector<int64_t> offsets;
    int64_t offset = static_cast<int64_t>(rng() % 1000);
    for (int n = 0; n < count; ++n) {
      offsets.push_back(offset);
      offset += 1 + static_cast<int64_t>(rng() % 4 == 0 ? rng() % 5 : 0);  // gaps now and then
    }
    std::vector<Ticket> tickets;
    for (int64_t o : offsets) tickets.push_back(must_track(tracker, kP0, o));
    std::shuffle(tickets.begin(), tickets.end(), rng);
    // Ack a random subset in random order (sometimes twice), checking after every step.
    const std::size_t acks = rng() % (tickets.size() + 1);
    std::set<int64_t> acked;
    std::optional<int64_t> previous;
    for (std::size_t n = 0; n < acks; ++n) {
      must_ack(tracker, tickets[n]);
      if (rng() % 8 == 0) {
        EXPECT_EQ(must_ack(tracker, tickets[n]), AckOutcome::kDuplicate);
      }
      acked.insert(tickets[n].offset);
      const auto expected = reference_committable(offsets, acked);
      ASSERT_EQ(tracker.committable(kP0), expected) << "round " << round << " step " << n;
      // Monotone, and never past an unacknowledged record.
      if (previous) {
        ASSERT_TRUE(expected.has_value());
        ASSERT_GE(*expected, *previous);
      }
      previous = expected;
      if (expected) {
        for (int64_t o : offsets) {
          if (!acked.count(o)) {
            ASSERT_LE(*expected, o);
            break;
          }
        }
      }
      ASSERT_EQ(tracker.in_flight(), offsets.size() - acked.size());
    }
    if (acks == tickets.size()) {
      EXPECT_EQ(tracker.committable(kP0), offsets.back() + 1);
      EXPECT_EQ(tracker.in_flight(), 0u);
    }
  }
}

TEST(OffsetTrackerTest, InterleavedTrackAndAckAcrossPartitions) {
  std::mt19937_64 rng(7);
  OffsetTracker tracker;
  std::map<int32_t, std::vector<int64_t>> offsets;
  std::map<int32_t, std::set<int64_t>> acked;
  std::vector<Ticket> outstanding;
  std::map<int32_t, int64_t> next;
  for (int step = 0; step < 5000; ++step) {
    const int32_t partition = static_cast<int32_t>(rng() % 4);
    const TopicPartition tp{"t", partition};
    if (rng() % 2 == 0 || outstanding.empty()) {
      const int64_t o = next[partition];
      next[partition] = o + 1 + static_cast<int64_t>(rng() % 3);
      outstanding.push_back(must_track(tracker, tp, o));
      offsets[partition].push_back(o);
    } else {
      const std::size_t pick = rng() % outstanding.size();
      Ticket ticket = outstanding[pick];
      outstanding.erase(outstanding.begin() + static_cast<std::ptrdiff_t>(pick));
      must_ack(tracker, ticket);
      acked[ticket.tp.partition].insert(ticket.offset);
      ASSERT_EQ(tracker.committable(ticket.tp),
                reference_committable(offsets[ticket.tp.partition], acked[ticket.tp.partition]));
    }
    ASSERT_EQ(tracker.in_flight(), outstanding.size());
  }
}

}  // namespace
}  // namespace rds::pipeline
