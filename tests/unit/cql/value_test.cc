#include "cql/display.h"
#include "cql/value.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include "support/result_matchers.h"

namespace rds::cql {
namespace {

DataType T(TypeId id) { return DataType(id); }

Value round_trip(const Value& v, const DataType& t) {
  auto b = encode_value(v, t);
  EXPECT_OK(b);
  if (!b.ok()) return Value();
  auto d = decode_value(t, ByteView(*b));
  EXPECT_OK(d);
  return d.ok() ? *d : Value();
}

void expect_round_trip(const Value& v, const DataType& t) {
  EXPECT_EQ(round_trip(v, t), v) << t.to_cql() << " " << to_display(v);
}

TEST(CqlValueTest, RoundTripsScalarsWithEdgeValues) {
  expect_round_trip(Value(std::string("")), T(TypeId::kVarchar));
  expect_round_trip(Value(std::string("héllo wörld ✓")), T(TypeId::kVarchar));
  expect_round_trip(Value(std::string("plain ascii")), T(TypeId::kAscii));
  expect_round_trip(Value(true), T(TypeId::kBoolean));
  expect_round_trip(Value(false), T(TypeId::kBoolean));
  for (int8_t x : {int8_t{0}, int8_t{-128}, int8_t{127}}) expect_round_trip(Value(x), T(TypeId::kTinyint));
  for (int16_t x : {int16_t{-32768}, int16_t{32767}}) expect_round_trip(Value(x), T(TypeId::kSmallint));
  for (int32_t x : {INT32_MIN, -1, 0, INT32_MAX}) expect_round_trip(Value(x), T(TypeId::kInt));
  for (int64_t x : {INT64_MIN, int64_t{-1}, int64_t{0}, INT64_MAX}) {
    expect_round_trip(Value(x), T(TypeId::kBigint));
    expect_round_trip(Value(x), T(TypeId::kCounter));
    expect_round_trip(Value(Timestamp{x}), T(TypeId::kTimestamp));
  }
  expect_round_trip(Value(1.5f), T(TypeId::kFloat));
  expect_round_trip(Value(-0.0), T(TypeId::kDouble));
  expect_round_trip(Value(std::numeric_limits<double>::infinity()), T(TypeId::kDouble));
  expect_round_trip(Value(std::numeric_limits<double>::denorm_min()), T(TypeId::kDouble));
  expect_round_trip(Value(Blob{}), T(TypeId::kBlob));
  expect_round_trip(Value(Blob{{0, 1, 0xff}}), T(TypeId::kBlob));
  expect_round_trip(Value(Blob{{0xca, 0xfe}}), DataType::custom("org.example.MyType"));
  expect_round_trip(Value(*Uuid::parse("550e8400-e29b-41d4-a716-446655440000")), T(TypeId::kUuid));
  expect_round_trip(Value(*Uuid::parse("e3b8a2c0-1a2b-11ee-be56-0242ac120002")),
                    T(TypeId::kTimeuuid));
  expect_round_trip(Value(Inet::v4(10, 1, 2, 3)), T(TypeId::kInet));
  expect_round_trip(Value(*Inet::parse("fe80::1ff:fe23:4567:890a")), T(TypeId::kInet));
  expect_round_trip(Value(Date{0}), T(TypeId::kDate));
  expect_round_trip(Value(Date{0xffffffffu}), T(TypeId::kDate));
  expect_round_trip(Value(Time{0}), T(TypeId::kTime));
  expect_round_trip(Value(Time{kMaxTimeNanos}), T(TypeId::kTime));
  expect_round_trip(Value(*Varint::parse("-123456789012345678901234567890")), T(TypeId::kVarint));
  expect_round_trip(Value(Decimal{-3, *Varint::parse("12")}), T(TypeId::kDecimal));
  expect_round_trip(Value(Decimal{INT32_MIN, Varint::from_int64(-1)}), T(TypeId::kDecimal));
}

TEST(CqlValueTest, NanDoubleRoundTrips) {
  auto v = round_trip(Value(std::numeric_limits<double>::quiet_NaN()), T(TypeId::kDouble));
  ASSERT_TRUE(v.is<double>());
  EXPECT_TRUE(std::isnan(*v.get_if<double>()));
  auto f = round_trip(Value(std::numeric_limits<float>::quiet_NaN()), T(TypeId::kFloat));
  ASSERT_TRUE(f.is<float>());
  EXPECT_TRUE(std::isnan(*f.get_if<float>()));
}

TEST(CqlValueTest, FixedSizeEncodingsMatchSpec) {
  EXPECT_EQ(*encode_value(Value(int32_t{-2}), T(TypeId::kInt)), (Bytes{0xff, 0xff, 0xff, 0xfe}));
  EXPECT_EQ(*encode_value(Value(int16_t{0x0102}), T(TypeId::kSmallint)), (Bytes{0x01, 0x02}));
  EXPECT_EQ(*encode_value(Value(true), T(TypeId::kBoolean)), (Bytes{0x01}));
  EXPECT_EQ(*encode_value(Value(1.0), T(TypeId::kDouble)),
            (Bytes{0x3f, 0xf0, 0, 0, 0, 0, 0, 0}));
  // §6.5: 2^31 is 1970-01-01.
  EXPECT_EQ(*encode_value(Value(Date::from_days_since_epoch(0)), T(TypeId::kDate)),
            (Bytes{0x80, 0, 0, 0}));
  // Widening: an int given for a bigint column.
  EXPECT_EQ(*encode_value(Value(int32_t{1}), T(TypeId::kBigint)), (Bytes{0, 0, 0, 0, 0, 0, 0, 1}));
}

TEST(CqlValueTest, VarintSpecExamples) {
  // §6.23 table.
  const std::vector<std::pair<int64_t, Bytes>> cases = {
      {0, {0x00}},   {1, {0x01}},   {127, {0x7f}},   {128, {0x00, 0x80}},
      {129, {0x00, 0x81}}, {-1, {0xff}}, {-128, {0x80}}, {-129, {0xff, 0x7f}}};
  for (const auto& [n, bytes] : cases) {
    EXPECT_EQ(Varint::from_int64(n).bytes, bytes) << n;
    EXPECT_EQ(*Varint{bytes}.to_int64(), n);
    EXPECT_EQ(Varint{bytes}.to_string(), std::to_string(n));
    EXPECT_EQ(Varint::parse(std::to_string(n))->bytes, bytes) << n;
  }
  EXPECT_EQ(*Varint::from_int64(INT64_MIN).to_int64(), INT64_MIN);
  EXPECT_EQ(Varint::from_int64(INT64_MIN).to_string(), "-9223372036854775808");
  EXPECT_EQ(Varint::from_int64(INT64_MAX).bytes.size(), 8u);
}

TEST(CqlValueTest, BigVarintConversions) {
  const std::string big = "-340282366920938463463374607431768211457";  // -(2^128 + 1)
  auto v = Varint::parse(big);
  ASSERT_OK(v);
  EXPECT_EQ(v->to_string(), big);
  EXPECT_EQ(v->bytes.size(), 17u);
  auto too_big = v->to_int64();
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(Varint::parse("+00042")->to_string(), "42");
  EXPECT_EQ(Varint::parse("-0")->bytes, (Bytes{0}));
  EXPECT_FALSE(Varint::parse("12a").ok());
  EXPECT_FALSE(Varint::parse("-").ok());
  // Non-minimal encodings from a peer still convert.
  EXPECT_EQ(*(Varint{Bytes{0xff, 0xff, 0x80}}.to_int64()), -128);
}

TEST(CqlValueTest, DecimalText) {
  EXPECT_EQ((Decimal{2, Varint::from_int64(123)}).to_string(), "1.23");
  EXPECT_EQ((Decimal{3, Varint::from_int64(-1)}).to_string(), "-0.001");
  EXPECT_EQ((Decimal{0, Varint::from_int64(5)}).to_string(), "5");
  EXPECT_EQ((Decimal{-2, Varint::from_int64(12)}).to_string(), "1.2E+3");
  EXPECT_EQ((Decimal{7, Varint::from_int64(1)}).to_string(), "1E-7");
  EXPECT_EQ((Decimal{1, Varint::from_int64(0)}).to_string(), "0.0");
  // Decimal cell bytes: [int] scale then varint (§6.6): scale -2, unscaled 12.
  auto d = decode_value(T(TypeId::kDecimal), Bytes{0xff, 0xff, 0xff, 0xfe, 0x0c});
  ASSERT_OK(d);
  EXPECT_EQ(to_display(*d), "1.2E+3");
}

TEST(CqlValueTest, CollectionsUseIntCounts) {
  // §6.11 list<int> [1, 2]: [int] 2, then two [bytes].
  const Bytes want{0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 2};
  const auto t = DataType::list(T(TypeId::kInt));
  EXPECT_EQ(*encode_value(Value(List{{Value(1), Value(2)}}), t), want);
  auto d = decode_value(t, want);
  ASSERT_OK(d);
  EXPECT_EQ(to_display(*d), "[1, 2]");
}

TEST(CqlValueTest, RoundTripsCollectionsTuplesAndUdts) {
  expect_round_trip(Value(List{}), DataType::list(T(TypeId::kVarchar)));
  expect_round_trip(Value(List{{Value("a"), Value("b")}}), DataType::list(T(TypeId::kVarchar)));
  expect_round_trip(Value(Set{{Value(int64_t{1}), Value(int64_t{-1})}}),
                    DataType::set(T(TypeId::kBigint)));
  Map m;
  m.entries.emplace_back(Value("k1"), Value(List{{Value(1.5)}}));
  m.entries.emplace_back(Value("k2"), Value(List{}));
  expect_round_trip(Value(m), DataType::map(T(TypeId::kVarchar),
                                            DataType::list(T(TypeId::kDouble))));
  const auto tt = DataType::tuple({T(TypeId::kInt), T(TypeId::kVarchar), T(TypeId::kBoolean)});
  expect_round_trip(Value(Tuple{{Value(1), Value(), Value(true)}}), tt);
  const auto ut = DataType::udt("ks", "address", {{"street", T(TypeId::kVarchar)},
                                                  {"zip", T(TypeId::kInt)}});
  expect_round_trip(Value(Udt{{{"street", Value("Main St")}, {"zip", Value(12345)}}}), ut);
}

TEST(CqlValueTest, BoundValues) {
  EXPECT_EQ(*encode_bound(Value()), BoundValue::null());
  EXPECT_EQ(*encode_bound(Value(Unset{})), BoundValue::unset());
  EXPECT_EQ(*encode_bound(Value(int32_t{7})), BoundValue::of({0, 0, 0, 7}));
  EXPECT_EQ(*encode_bound(Value("ab")), BoundValue::of({'a', 'b'}));
  EXPECT_FALSE(encode_value(Value(), T(TypeId::kInt)).ok());
}

TEST(CqlValueTest, TypeMismatchAndInvalidValuesAreErrors) {
  auto e = encode_value(Value("x"), T(TypeId::kInt));
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().message, "cannot encode a text value as CQL type int");
  EXPECT_FALSE(encode_value(Value(std::string("caf\xc3\xa9")), T(TypeId::kAscii)).ok());
  EXPECT_FALSE(encode_value(Value(Time{-1}), T(TypeId::kTime)).ok());
  EXPECT_FALSE(encode_value(Value(int64_t{1}), T(TypeId::kInt)).ok());  // no narrowing
  EXPECT_FALSE(encode_value(Value(*Uuid::parse("550e8400-e29b-41d4-a716-446655440000")),
                            T(TypeId::kTimeuuid)).ok());  // version 4 is not a timeuuid
  EXPECT_FALSE(encode_value(Value(Udt{{{"nope", Value(1)}}}),
                            DataType::udt("ks", "u", {{"a", T(TypeId::kInt)}})).ok());
}

TEST(CqlValueTest, WrongLengthsForFixedSizeTypes) {
  auto i3 = decode_value(T(TypeId::kInt), Bytes{0, 0, 1});
  ASSERT_FALSE(i3.ok());
  EXPECT_EQ(i3.error().code, ErrorCode::kProtocol);
  EXPECT_EQ(i3.error().message, "invalid int value: expected 4 bytes, got 3");
  EXPECT_FALSE(decode_value(T(TypeId::kBigint), Bytes{0, 0, 0, 0, 0, 0, 0, 0, 0}).ok());
  EXPECT_FALSE(decode_value(T(TypeId::kUuid), Bytes(15, 0)).ok());
  EXPECT_FALSE(decode_value(T(TypeId::kInet), Bytes(5, 0)).ok());
  EXPECT_FALSE(decode_value(T(TypeId::kBoolean), Bytes{1, 1}).ok());
  EXPECT_FALSE(decode_value(T(TypeId::kDecimal), Bytes{0, 0, 0, 1}).ok());
  EXPECT_FALSE(decode_value(T(TypeId::kTime), Bytes{0xff, 0, 0, 0, 0, 0, 0, 0}).ok());
}

TEST(CqlValueTest, EmptyAndNullCells) {
  // NULL: [bytes] with negative length.
  EXPECT_TRUE(decode_nullable_value(T(TypeId::kInt), std::nullopt)->is_null());
  // §6 "empty" values of non-string types decode as null; empty text stays "".
  EXPECT_TRUE(decode_value(T(TypeId::kInt), ByteView())->is_null());
  EXPECT_EQ(*decode_value(T(TypeId::kVarchar), ByteView()), Value(std::string()));
  EXPECT_EQ(*decode_value(T(TypeId::kBlob), ByteView()), Value(Blob{}));
}

TEST(CqlValueTest, CorruptCollections) {
  const auto t = DataType::list(T(TypeId::kInt));
  auto neg = decode_value(t, Bytes{0xff, 0xff, 0xff, 0xff});
  ASSERT_FALSE(neg.ok());
  EXPECT_EQ(neg.error().code, ErrorCode::kProtocol);
  auto huge = decode_value(t, Bytes{0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 4});
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.error().code, ErrorCode::kTruncated);
  auto elem = decode_value(t, Bytes{0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 1});  // 3-byte int element
  ASSERT_FALSE(elem.ok());
  EXPECT_EQ(elem.error().message, "invalid int value: expected 4 bytes, got 3");
  auto trailing = decode_value(t, Bytes{0, 0, 0, 0, 9});
  ASSERT_FALSE(trailing.ok());
  EXPECT_EQ(trailing.error().message, "invalid list<int> value: 1 trailing bytes");
}

TEST(CqlDisplayTest, LooksLikeCqlsh) {
  EXPECT_EQ(to_display(Value()), "null");
  EXPECT_EQ(to_display(Value("it's")), "it's");
  EXPECT_EQ(to_display(Value(List{{Value("it's"), Value()}})), "['it''s', null]");
  EXPECT_EQ(to_display(Value(true)), "True");
  EXPECT_EQ(to_display(Value(int64_t{-42})), "-42");
  EXPECT_EQ(to_display(Value(Blob{{0x0a, 0xff}})), "0x0aff");
  EXPECT_EQ(to_display(Value(Blob{})), "0x");
  EXPECT_EQ(to_display(Value(*Uuid::parse("550E8400-E29B-41D4-A716-446655440000"))),
            "550e8400-e29b-41d4-a716-446655440000");
  EXPECT_EQ(to_display(Value(Timestamp{0})), "1970-01-01 00:00:00.000000+0000");
  EXPECT_EQ(to_display(Value(Timestamp{1704164645678})), "2024-01-02 03:04:05.678000+0000");
  EXPECT_EQ(to_display(Value(Timestamp{-1})), "1969-12-31 23:59:59.999000+0000");
  EXPECT_EQ(to_display(Value(Timestamp{INT64_MIN})), "-9223372036854775808");
  EXPECT_EQ(to_display(Value(Date::from_days_since_epoch(19724))), "2024-01-02");
  EXPECT_EQ(to_display(Value(Date{0})), "-2147483648");  // out of civil range: raw days
  EXPECT_EQ(to_display(Value(Time{3723000000123})), "01:02:03.000000123");
  EXPECT_EQ(to_display(Value(1.5f)), "1.5");
  EXPECT_EQ(to_display(Value(3.14159265358979)), "3.14159265359");
  EXPECT_EQ(to_display(Value(std::numeric_limits<double>::quiet_NaN())), "NaN");
  EXPECT_EQ(to_display(Value(-std::numeric_limits<double>::infinity())), "-Infinity");
  EXPECT_EQ(to_display(Value(*Inet::parse("::1"))), "::1");
  EXPECT_EQ(to_display(Value(Varint::from_int64(-129))), "-129");
  Map m;
  m.entries.emplace_back(Value("a"), Value(1));
  EXPECT_EQ(to_display(Value(m)), "{'a': 1}");
  EXPECT_EQ(to_display(Value(Set{{Value(1), Value(2)}})), "{1, 2}");
  EXPECT_EQ(to_display(Value(Tuple{{Value(1), Value("x")}})), "(1, 'x')");
  EXPECT_EQ(to_display(Value(Udt{{{"zip", Value(1)}}})), "{zip: 1}");
}

TEST(CqlDataTypeTest, CqlNames) {
  EXPECT_EQ(DataType::map(T(TypeId::kVarchar), DataType::list(T(TypeId::kInt))).to_cql(),
            "map<text, list<int>>");
  EXPECT_EQ(DataType::tuple({T(TypeId::kInt), T(TypeId::kUuid)}).to_cql(), "tuple<int, uuid>");
  EXPECT_EQ(DataType::udt("ks", "addr", {}).to_cql(), "ks.addr");
}

}  // namespace
}  // namespace rds::cql
