// The relay's delivery states: a row is produced once at a time, marked only after its delivery
// report, produced again after a failure (from a rescan), and kept out of the relay's way while
// its mark is in flight.
#include "staging/ledger.h"

#include <gtest/gtest.h>

#include "support/result_matchers.h"

namespace rds::staging {
namespace {

TEST(DeliveryLedgerTest, DeliveredRowsAreMarkedOnceInOrder) {
  DeliveryLedger ledger;
  for (int64_t seq : {3, 1, 2}) ASSERT_OK(ledger.produced(seq));
  EXPECT_EQ(ledger.in_flight(), 3u);
  EXPECT_FALSE(ledger.produced(2).ok()) << "in flight: not produced twice";
  ledger.delivered(2);
  ledger.delivered(1);
  EXPECT_EQ(ledger.in_flight(), 1u);
  EXPECT_TRUE(ledger.busy(1)) << "delivered but not marked: still not to be produced";
  EXPECT_EQ(ledger.take_to_mark(10), (std::vector<int64_t>{1, 2}));
  EXPECT_TRUE(ledger.take_to_mark(10).empty()) << "taken once";
  EXPECT_TRUE(ledger.busy(2)) << "its mark is in flight";
  ledger.marked({1, 2});
  EXPECT_FALSE(ledger.busy(1));
  EXPECT_EQ(ledger.to_mark(), 0u);
  ledger.delivered(3);
  ledger.delivered(3);  // a report twice: once
  EXPECT_EQ(ledger.take_to_mark(10), (std::vector<int64_t>{3}));
}

TEST(DeliveryLedgerTest, AFailedMarkIsTakenAgain) {
  DeliveryLedger ledger;
  for (int64_t seq : {1, 2, 3}) {
    ASSERT_OK(ledger.produced(seq));
    ledger.delivered(seq);
  }
  EXPECT_EQ(ledger.take_to_mark(2), (std::vector<int64_t>{1, 2}));
  ledger.unmarked({1, 2});
  EXPECT_EQ(ledger.to_mark(), 3u);
  EXPECT_EQ(ledger.take_to_mark(10), (std::vector<int64_t>{1, 2, 3}));
}

TEST(DeliveryLedgerTest, AFailedDeliveryIsProducedAgainFromARescan) {
  DeliveryLedger ledger;
  for (int64_t seq : {5, 6, 7}) ASSERT_OK(ledger.produced(seq));
  EXPECT_EQ(ledger.take_rescan_from(), std::nullopt);
  ledger.failed(7);
  ledger.failed(6);
  ledger.delivered(5);
  EXPECT_EQ(ledger.take_rescan_from(), 6) << "the lowest failed seq";
  EXPECT_EQ(ledger.take_rescan_from(), std::nullopt);
  EXPECT_FALSE(ledger.busy(6));
  EXPECT_TRUE(ledger.busy(5));
  ASSERT_OK(ledger.produced(6));  // produced again
  ledger.failed(42);              // unknown: ignored
  EXPECT_EQ(ledger.take_rescan_from(), std::nullopt);
}

}  // namespace
}  // namespace rds::staging
