#include "cql/wire.h"

#include <gtest/gtest.h>

#include "unit/cql/spec_bytes.h"
#include "support/result_matchers.h"

namespace rds::cql {
namespace {

using testing::SpecBytes;

TEST(CqlReaderTest, ReadsEveryPrimitive) {
  SpecBytes b;
  b.u8(0x7f)
      .u16(0xfffe)                      // [short] is unsigned
      .i32(-2)
      .i64(INT64_MIN)
      .str("héllo")
      .lstr("long")
      .raw({0x55, 0x0e, 0x84, 0x00, 0xe2, 0x9b, 0x41, 0xd4, 0xa7, 0x16, 0x44, 0x66, 0x55, 0x44,
            0x00, 0x00})
      .u16(2).str("a").str("")           // [string list]
      .bytes({1, 2, 3})
      .null_bytes()
      .sbytes({9, 8})
      .u8(4).raw({10, 0, 0, 1}).i32(9042)  // [inet]
      .u8(16).raw({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}).i32(7000)
      .u16(1).str("CQL_VERSION").str("3.0.0")                      // [string map]
      .u16(1).str("COMPRESSION").u16(2).str("lz4").str("snappy")   // [string multimap]
      .u16(1).str("k").bytes({0xff})                               // [bytes map]
      .u16(0x000A);                                                // [consistency]
  Reader r(b.vec());
  EXPECT_EQ(*r.read_byte("b"), 0x7f);
  EXPECT_EQ(*r.read_short("s"), 0xfffe);
  EXPECT_EQ(*r.read_int("i"), -2);
  EXPECT_EQ(*r.read_long("l"), INT64_MIN);
  EXPECT_EQ(*r.read_string("s"), "héllo");
  EXPECT_EQ(*r.read_long_string("ls"), "long");
  EXPECT_EQ(r.read_uuid("u")->to_string(), "550e8400-e29b-41d4-a716-446655440000");
  EXPECT_EQ(*r.read_string_list("l"), (std::vector<std::string>{"a", ""}));
  EXPECT_EQ(*r.read_bytes("b"), (std::optional<Bytes>(Bytes{1, 2, 3})));
  EXPECT_EQ(*r.read_bytes("b"), std::nullopt);
  EXPECT_EQ(*r.read_short_bytes("sb"), (Bytes{9, 8}));
  auto e4 = r.read_inet("i4");
  ASSERT_OK(e4);
  EXPECT_EQ(e4->to_string(), "10.0.0.1:9042");
  auto e6 = r.read_inet("i6");
  ASSERT_OK(e6);
  EXPECT_EQ(e6->to_string(), "[::1]:7000");
  EXPECT_EQ(r.read_string_map("m")->at("CQL_VERSION"), "3.0.0");
  EXPECT_EQ(r.read_string_multimap("mm")->at("COMPRESSION"),
            (std::vector<std::string>{"lz4", "snappy"}));
  EXPECT_EQ(r.read_bytes_map("bm")->at("k"), (std::optional<Bytes>(Bytes{0xff})));
  EXPECT_EQ(*r.read_consistency("c"), Consistency::kLocalOne);
  EXPECT_TRUE(r.empty());
}

TEST(CqlReaderTest, TruncatedIntSaysWhatAndHowShort) {
  SpecBytes b;
  b.raw({0x00, 0x01});
  Reader r(b.vec());
  auto v = r.read_int("row count");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, ErrorCode::kTruncated);
  EXPECT_EQ(v.error().message, "truncated frame: expected 4 bytes for [int] row count, 2 left");
}

TEST(CqlReaderTest, HugeBytesLengthIsTruncatedNotAllocated) {
  SpecBytes b;
  b.i32(0x7fffffff).raw({1, 2, 3});
  Reader r(b.vec());
  auto v = r.read_bytes("cell");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, ErrorCode::kTruncated);
  EXPECT_EQ(v.error().message, "truncated frame: expected 2147483647 bytes for [bytes] cell, 3 left");
}

TEST(CqlReaderTest, NegativeLongStringLengthIsProtocolError) {
  SpecBytes b;
  b.i32(-5);
  Reader r(b.vec());
  auto v = r.read_long_string("query");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, ErrorCode::kProtocol);
  EXPECT_EQ(v.error().message, "invalid frame: negative length -5 for [long string] query");
}

TEST(CqlReaderTest, StringLongerThanInput) {
  SpecBytes b;
  b.u16(10).chars("abc");
  Reader r(b.vec());
  auto v = r.read_string("keyspace");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().message, "truncated frame: expected 10 bytes for [string] keyspace, 3 left");
}

TEST(CqlReaderTest, InetWithBadSize) {
  SpecBytes b;
  b.u8(5).raw({1, 2, 3, 4, 5}).i32(1);
  Reader r(b.vec());
  auto v = r.read_inet("node");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, ErrorCode::kProtocol);
}

TEST(CqlReaderTest, ValueNullUnsetAndInvalid) {
  SpecBytes b;
  b.i32(-1).i32(-2).bytes({5}).i32(-3);
  Reader r(b.vec());
  EXPECT_EQ(*r.read_value("v"), BoundValue::null());
  EXPECT_EQ(*r.read_value("v"), BoundValue::unset());
  EXPECT_EQ(*r.read_value("v"), BoundValue::of({5}));
  auto bad = r.read_value("bind value");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kProtocol);
  EXPECT_EQ(bad.error().message,
            "invalid frame: length -3 for [value] bind value (only -1 and -2 may be negative)");
}

TEST(CqlWriterTest, WritesSpecLayout) {
  Writer w;
  w.write_short(0x0102);
  w.write_int(-1);
  w.write_long(1);
  w.write_string("ab");
  w.write_long_string("c");
  w.write_value(BoundValue::null());
  w.write_value(BoundValue::unset());
  w.write_value(BoundValue::of({7}));
  w.write_short_bytes(Bytes{1});
  w.write_inet(Endpoint{Inet::v4(127, 0, 0, 1), 9042});
  w.write_string_multimap({{"k", {"v1", "v2"}}});
  SpecBytes want;
  want.u16(0x0102).i32(-1).i64(1).str("ab").lstr("c").i32(-1).i32(-2).bytes({7}).sbytes({1})
      .u8(4).raw({127, 0, 0, 1}).i32(9042)
      .u16(1).str("k").u16(2).str("v1").str("v2");
  EXPECT_OK(w);
  EXPECT_EQ(w.bytes(), want.vec());
}

TEST(CqlWriterTest, OversizedStringIsStickyError) {
  Writer w;
  w.write_string(std::string(70000, 'x'));
  w.write_int(1);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(w.status().error().message.find("65535"), std::string::npos);
}

TEST(CqlUuidTest, ParseAndFormat) {
  auto u = Uuid::parse("550E8400-e29b-41d4-a716-446655440000");
  ASSERT_OK(u);
  EXPECT_EQ(u->to_string(), "550e8400-e29b-41d4-a716-446655440000");
  EXPECT_FALSE(Uuid::parse("550e8400e29b41d4a716446655440000").ok());
  EXPECT_FALSE(Uuid::parse("550e8400-e29b-41d4-a716-44665544000g").ok());
  for (const char* bad : {"", "550e8400-e29b-41d4-a716-44665544000", "550e8400-e29b-41d4-a716-4466554400000",
                          "{550e8400-e29b-41d4-a716-446655440000}", "550e8400-e29b-41d4-a716-44665544000 ",
                          " 550e8400-e29b-41d4-a716-44665544000", "550e8400e-29b-41d4-a716-446655440000",
                          "550e8400-e29b-41d4-a716-4466554400-0", "550e8400-e29b+41d4-a716-446655440000",
                          "550e8400-e29b-41d4-a716-44665544000\x80", "g50e8400-e29b-41d4-a716-446655440000"}) {
    EXPECT_FALSE(Uuid::parse(bad).ok()) << bad;
  }
  EXPECT_EQ(Uuid::parse("FFFFFFFF-ffff-FFFF-ffff-0123456789aB")->to_string(), "ffffffff-ffff-ffff-ffff-0123456789ab");
  EXPECT_EQ(Uuid::parse("00000000-0000-0000-0000-000000000000")->bytes, Uuid{}.bytes);
}

TEST(CqlHexTest, FromHexIsTheInverseOfToHex) {
  const Bytes bytes = {0x00, 0x0f, 0xa5, 0xff};
  EXPECT_EQ(to_hex(ByteView(bytes)), "000fa5ff");
  EXPECT_EQ(from_hex("000fa5ff"), bytes);
  EXPECT_EQ(from_hex("000FA5Ff"), bytes);
  EXPECT_EQ(from_hex(""), Bytes{});
  EXPECT_EQ(from_hex("abc"), std::nullopt);   // odd count
  EXPECT_EQ(from_hex("0g"), std::nullopt);    // not a digit
  EXPECT_EQ(from_hex("0x00"), std::nullopt);  // no prefix accepted
}

TEST(CqlInetTest, ParseAndFormat) {
  EXPECT_EQ(Inet::parse("192.168.1.20")->to_string(), "192.168.1.20");
  auto v6 = Inet::parse("2001:db8::ff00:42:8329");
  ASSERT_OK(v6);
  EXPECT_EQ(v6->size, 16);
  EXPECT_EQ(v6->to_string(), "2001:db8::ff00:42:8329");
  EXPECT_FALSE(Inet::parse("300.1.1.1").ok());
}

TEST(CqlConsistencyTest, Names) {
  EXPECT_EQ(to_string(Consistency::kLocalQuorum), "LOCAL_QUORUM");
  EXPECT_EQ(to_string(static_cast<Consistency>(0x42)), "UNKNOWN(0x0042)");
}

}  // namespace
}  // namespace rds::cql
