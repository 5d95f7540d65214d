#include "cassandra/stream_ids.h"

#include <gtest/gtest.h>

#include <set>

namespace rds::cassandra {
namespace {

TEST(StreamIdAllocator, HandsOutDistinctIdsUntilExhausted) {
  StreamIdAllocator ids(4);
  std::set<int16_t> seen;
  for (int i = 0; i < 4; ++i) {
    auto id = ids.acquire();
    ASSERT_TRUE(id);
    seen.insert(id->value);
  }
  EXPECT_EQ(seen, (std::set<int16_t>{0, 1, 2, 3}));
  EXPECT_FALSE(ids.acquire());
  EXPECT_EQ(ids.in_use(), 4u);
  EXPECT_TRUE(ids.release(StreamId{2}));
  EXPECT_EQ(ids.acquire()->value, 2);
}

TEST(StreamIdAllocator, StartsAtZero) {
  StreamIdAllocator ids;
  EXPECT_EQ(ids.acquire()->value, 0);
  EXPECT_EQ(ids.acquire()->value, 1);
}

TEST(StreamIdAllocator, RejectsUnknownAndDoubleRelease) {
  StreamIdAllocator ids(8);
  auto id = *ids.acquire();
  EXPECT_TRUE(ids.release(id));
  EXPECT_FALSE(ids.release(id));
  EXPECT_FALSE(ids.release(StreamId{-1}));
  EXPECT_FALSE(ids.release(StreamId{100}));
  EXPECT_EQ(ids.in_use(), 0u);
}

TEST(StreamIdAllocator, FullV4RangeIs32768) {
  StreamIdAllocator ids;
  EXPECT_EQ(ids.capacity(), 32768u);
  int count = 0;
  int16_t max_id = 0;
  while (auto id = ids.acquire()) {
    ++count;
    max_id = std::max(max_id, id->value);
  }
  EXPECT_EQ(count, 32768);
  EXPECT_EQ(max_id, 32767);
  EXPECT_EQ(ids.available(), 0u);
}

}  // namespace
}  // namespace rds::cassandra
