#include "cassandra/murmur3.h"

#include <gtest/gtest.h>

#include <string>

namespace rds::cassandra {
namespace {

std::string repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out.append(s);
  return out;
}

// Vectors shared by the DataStax Python, Ruby and Elixir drivers' test suites, which check
// against Cassandra's Murmur3Partitioner (tails with bytes >= 0x80 exercise the signed quirk).
TEST(Murmur3, KnownCassandraTokens) {
  EXPECT_EQ(murmur3_token("123"), -7468325962851647638LL);
  EXPECT_EQ(murmur3_token(repeat(std::string("\x00\xff\x10\xfa\x99", 5), 10)), 5837342703291459765LL);
  EXPECT_EQ(murmur3_token(repeat("\xfe", 8)), -8927430733708461935LL);
  EXPECT_EQ(murmur3_token(repeat("\x10", 8)), 1446172840243228796LL);
  EXPECT_EQ(murmur3_token("9223372036854775807"), 7162290910810015547LL);
}

TEST(Murmur3, SixteenByteBlocks) {
  // 16 bytes: one full block, empty tail (Ruby driver vector).
  const std::string key("\x01\x02\x03\x04\x05\x06\a\b\t\n\v\f\r\x0E\x0F\x10", 16);
  EXPECT_EQ(murmur3_token(key), -5563837382979743776LL);
  const std::string key2("\x02\x03\x04\x05\x06\a\b\t\n\v\f\r\x0E\x0F\x10\x11", 16);
  EXPECT_EQ(murmur3_token(key2), -1513403162740402161LL);
}

TEST(Murmur3, EmptyKeyIsZero) {
  EXPECT_EQ(murmur3_token(std::string_view()), 0);
}

TEST(Murmur3, CompositeRoutingKey) {
  EXPECT_EQ(composite_routing_key({{1, 2, 3}}), (std::vector<uint8_t>{1, 2, 3}));
  EXPECT_EQ(composite_routing_key({{0xAA}, {0xBB, 0xCC}}),
            (std::vector<uint8_t>{0, 1, 0xAA, 0, 0, 2, 0xBB, 0xCC, 0}));
}

}  // namespace
}  // namespace rds::cassandra
