#include "cql/requests.h"

#include <gtest/gtest.h>

#include "cql/value.h"
#include "unit/cql/spec_bytes.h"
#include "support/result_matchers.h"

namespace rds::cql {
namespace {

using testing::SpecBytes;

TEST(CqlRequestTest, StartupExactBytes) {
  auto f = encode_startup(0);
  ASSERT_OK(f);
  // §4.1.1: a [string map] {CQL_VERSION: 3.0.0}.
  const std::vector<uint8_t> want{
      0x04, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x16,  // header: v4 request, STARTUP, 22
      0x00, 0x01,                                            // 1 pair
      0x00, 0x0b, 'C', 'Q', 'L', '_', 'V', 'E', 'R', 'S', 'I', 'O', 'N',
      0x00, 0x05, '3', '.', '0', '.', '0'};
  EXPECT_EQ(*f, want);
}

TEST(CqlRequestTest, StartupWithLz4IsNeverCompressed) {
  StartupOptions o;
  o.compression = Compression::kLz4;
  auto f = encode_startup(3, o);
  ASSERT_OK(f);
  SpecBytes body;
  body.u16(2).str("COMPRESSION").str("lz4").str("CQL_VERSION").str("3.0.0");
  EXPECT_EQ(*f, SpecBytes::request(0x01, body, 3));
}

TEST(CqlRequestTest, OptionsHasEmptyBody) {
  EXPECT_EQ(*encode_options(7), (std::vector<uint8_t>{0x04, 0, 0, 7, 0x05, 0, 0, 0, 0}));
}

TEST(CqlRequestTest, AuthResponseWithSaslPlainToken) {
  auto token = plain_auth_token("cassandra", "secret");
  EXPECT_EQ(to_string(ByteView(token)), std::string("\0cassandra\0secret", 17));
  auto f = encode_auth_response(0, token);
  ASSERT_OK(f);
  SpecBytes body;
  body.i32(17).u8(0).chars("cassandra").u8(0).chars("secret");
  EXPECT_EQ(*f, SpecBytes::request(0x0F, body));
}

TEST(CqlRequestTest, SimpleQueryExactBytes) {
  QueryRequest q;
  q.query = "SELECT now() FROM system.local";
  q.params.consistency = Consistency::kOne;
  auto f = encode_query(1, q);
  ASSERT_OK(f);
  SpecBytes body;
  body.lstr("SELECT now() FROM system.local").u16(0x0001).u8(0x00);
  EXPECT_EQ(*f, SpecBytes::request(0x07, body, 1));
}

TEST(CqlRequestTest, QueryWithValuesAndAllOptions) {
  QueryRequest q;
  q.query = "INSERT INTO t (id, name, note) VALUES (?, ?, ?)";
  q.params.consistency = Consistency::kLocalQuorum;
  q.params.values = {*encode_bound(Value(int32_t{42})), *encode_bound(Value("ann")),
                     BoundValue::unset()};
  q.params.skip_metadata = true;
  q.params.page_size = 5000;
  q.params.paging_state = Bytes{0xde, 0xad};
  q.params.serial_consistency = Consistency::kLocalSerial;
  q.params.default_timestamp = 1700000000000000;
  auto f = encode_query(2, q);
  ASSERT_OK(f);
  SpecBytes body;
  body.lstr(q.query)
      .u16(0x0006)         // LOCAL_QUORUM
      .u8(0x01 | 0x02 | 0x04 | 0x08 | 0x10 | 0x20)
      .u16(3)
      .bytes({0, 0, 0, 42})
      .bytes_str("ann")
      .i32(-2)             // §3 [value]: -2 is "not set"
      .i32(5000)
      .bytes({0xde, 0xad})
      .u16(0x0009)         // LOCAL_SERIAL
      .i64(1700000000000000);
  EXPECT_EQ(*f, SpecBytes::request(0x07, body, 2));
}

TEST(CqlRequestTest, QueryWithNamedValues) {
  QueryRequest q;
  q.query = "SELECT * FROM t WHERE id = :id";
  q.params.consistency = Consistency::kOne;
  q.params.values = {BoundValue::null()};
  q.params.value_names = {"id"};
  auto f = encode_query(0, q);
  ASSERT_OK(f);
  SpecBytes body;
  body.lstr(q.query).u16(1).u8(0x41).u16(1).str("id").i32(-1);
  EXPECT_EQ(*f, SpecBytes::request(0x07, body));
}

TEST(CqlRequestTest, InvalidQueryParameters) {
  QueryRequest q;
  q.query = "x";
  q.params.serial_consistency = Consistency::kQuorum;
  EXPECT_EQ(encode_query(0, q).error().code, ErrorCode::kInvalidArgument);
  q.params.serial_consistency.reset();
  q.params.default_timestamp = -1;
  EXPECT_FALSE(encode_query(0, q).ok());
  q.params.default_timestamp.reset();
  q.params.value_names = {"a"};
  EXPECT_FALSE(encode_query(0, q).ok());
  q.params.value_names.clear();
  EXPECT_FALSE(encode_query(-1, q).ok());  // §2.3: request streams are non-negative
}

TEST(CqlRequestTest, PrepareExactBytes) {
  auto f = encode_prepare(4, "SELECT * FROM t WHERE id = ?");
  ASSERT_OK(f);
  EXPECT_EQ(*f, SpecBytes::request(0x09, SpecBytes().lstr("SELECT * FROM t WHERE id = ?"), 4));
}

TEST(CqlRequestTest, ExecuteExactBytes) {
  ExecuteRequest e;
  e.prepared_id = {0x01, 0x02, 0x03, 0x04};
  e.params.consistency = Consistency::kLocalOne;
  e.params.values = {*encode_bound(Value(int64_t{-1}), DataType(TypeId::kBigint))};
  e.params.skip_metadata = true;
  e.params.page_size = 100;
  auto f = encode_execute(9, e);
  ASSERT_OK(f);
  SpecBytes body;
  body.sbytes({1, 2, 3, 4}).u16(0x000A).u8(0x01 | 0x02 | 0x04).u16(1)
      .bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}).i32(100);
  EXPECT_EQ(*f, SpecBytes::request(0x0A, body, 9));
}

TEST(CqlRequestTest, BatchExactBytes) {
  BatchRequest b;
  b.type = BatchType::kUnlogged;
  b.statements.push_back(BatchStatement::of_query("INSERT INTO t (a) VALUES (1)"));
  b.statements.push_back(
      BatchStatement::of_prepared({0xab, 0xcd}, {BoundValue::of({0, 0, 0, 1}), BoundValue::null()}));
  b.consistency = Consistency::kQuorum;
  b.default_timestamp = 123;
  auto f = encode_batch(5, b);
  ASSERT_OK(f);
  SpecBytes body;
  body.u8(1).u16(2)
      .u8(0).lstr("INSERT INTO t (a) VALUES (1)").u16(0)
      .u8(1).sbytes({0xab, 0xcd}).u16(2).bytes({0, 0, 0, 1}).i32(-1)
      .u16(0x0004).u8(0x20).i64(123);
  EXPECT_EQ(*f, SpecBytes::request(0x0D, body, 5));
}

TEST(CqlRequestTest, LoggedAndCounterBatchTypes) {
  BatchRequest b;
  b.type = BatchType::kCounter;
  b.consistency = Consistency::kOne;
  b.serial_consistency = Consistency::kSerial;
  auto f = encode_batch(0, b);
  ASSERT_OK(f);
  SpecBytes body;
  body.u8(2).u16(0).u16(1).u8(0x10).u16(0x0008);
  EXPECT_EQ(*f, SpecBytes::request(0x0D, body));
  b.type = BatchType::kLogged;
  EXPECT_EQ((*encode_batch(0, b))[kHeaderSize], 0);
}

TEST(CqlRequestTest, RegisterExactBytes) {
  auto f = encode_register(0, {"TOPOLOGY_CHANGE", "STATUS_CHANGE"});
  ASSERT_OK(f);
  EXPECT_EQ(*f, SpecBytes::request(0x0B, SpecBytes().u16(2).str("TOPOLOGY_CHANGE")
                                                .str("STATUS_CHANGE")));
}

TEST(CqlRequestTest, TracingAndCustomPayloadFlags) {
  FrameOptions o;
  o.tracing = true;
  o.custom_payload = BytesMap{{"k", Bytes{1}}};
  auto f = encode_prepare(0, "SELECT 1", o);
  ASSERT_OK(f);
  SpecBytes body;
  body.u16(1).str("k").bytes({1}).lstr("SELECT 1");  // §2.2: payload precedes the body
  EXPECT_EQ(*f, SpecBytes::request(0x09, body, 0, 0x02 | 0x04));
}

TEST(CqlRequestTest, CompressedQueryBodyDecompressesToPlainBody) {
  QueryRequest q;
  q.query = std::string(500, 'x');
  q.params.consistency = Consistency::kOne;
  FrameOptions o;
  o.compression = Compression::kLz4;
  auto f = encode_query(0, q, o);
  ASSERT_OK(f);
  auto view = split_frame(*f);
  ASSERT_OK(view);
  EXPECT_TRUE(view->header.has_flag(kFlagCompression));
  EXPECT_LT(view->body.size(), 500u);
  auto plain = lz4_decompress(view->body);
  ASSERT_OK(plain);
  SpecBytes want;
  want.lstr(q.query).u16(1).u8(0);
  EXPECT_EQ(*plain, want.vec());
}

}  // namespace
}  // namespace rds::cql
