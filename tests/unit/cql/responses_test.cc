#include "cql/responses.h"

#include <gtest/gtest.h>

#include "cql/display.h"
#include "unit/cql/spec_bytes.h"
#include "support/result_matchers.h"

namespace rds::cql {
namespace {

using testing::SpecBytes;

// Returns a copy: callers often pass a temporary Result.
template <typename T>
T expect_message(const Result<Response>& r) {
  EXPECT_OK(r);
  if (!r.ok()) return T{};
  const T* m = std::get_if<T>(&r->message);
  EXPECT_NE(m, nullptr) << "got " << message_name(r->message);
  return m ? *m : T{};
}

TEST(CqlResponseTest, Ready) {
  const std::vector<uint8_t> frame{0x84, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00};
  auto r = decode_response(frame);
  expect_message<ReadyMessage>(r);
  EXPECT_EQ(r->header.stream, 0);
  EXPECT_EQ(message_name(r->message), "READY");
}

TEST(CqlResponseTest, Authenticate) {
  auto frame = SpecBytes::response(
      0x03, SpecBytes().str("org.apache.cassandra.auth.PasswordAuthenticator"));
  const auto& m = expect_message<AuthenticateMessage>(decode_response(frame));
  EXPECT_EQ(m.authenticator, "org.apache.cassandra.auth.PasswordAuthenticator");
}

TEST(CqlResponseTest, AuthChallengeAndSuccess) {
  const auto& c = expect_message<AuthChallengeMessage>(
      decode_response(SpecBytes::response(0x0E, SpecBytes().bytes({1, 2}))));
  EXPECT_EQ(c.token, (std::optional<Bytes>(Bytes{1, 2})));
  const auto& s = expect_message<AuthSuccessMessage>(
      decode_response(SpecBytes::response(0x10, SpecBytes().null_bytes())));
  EXPECT_FALSE(s.token.has_value());
}

TEST(CqlResponseTest, Supported) {
  SpecBytes body;
  body.u16(2)
      .str("COMPRESSION").u16(2).str("snappy").str("lz4")
      .str("CQL_VERSION").u16(1).str("3.4.5");
  const auto& m = expect_message<SupportedMessage>(decode_response(SpecBytes::response(0x06, body)));
  EXPECT_EQ(m.options.at("COMPRESSION"), (std::vector<std::string>{"snappy", "lz4"}));
  EXPECT_EQ(m.options.at("CQL_VERSION"), (std::vector<std::string>{"3.4.5"}));
}

// ---- ERROR: every §9 code -----------------------------------------------------------------------

SpecBytes error_body(int32_t code, const std::string& msg) {
  SpecBytes b;
  b.i32(code).str(msg);
  return b;
}

TEST(CqlResponseTest, ErrorCodesWithoutExtraFields) {
  const std::vector<std::pair<int32_t, CqlErrorCode>> codes = {
      {0x0000, CqlErrorCode::kServerError},    {0x000A, CqlErrorCode::kProtocolError},
      {0x0100, CqlErrorCode::kBadCredentials}, {0x1001, CqlErrorCode::kOverloaded},
      {0x1002, CqlErrorCode::kIsBootstrapping}, {0x1003, CqlErrorCode::kTruncateError},
      {0x2000, CqlErrorCode::kSyntaxError},    {0x2100, CqlErrorCode::kUnauthorized},
      {0x2200, CqlErrorCode::kInvalid},        {0x2300, CqlErrorCode::kConfigError}};
  for (const auto& [raw, code] : codes) {
    auto r = decode_response(SpecBytes::response(0x00, error_body(raw, "boom")));
    const auto& e = expect_message<ErrorMessage>(r);
    EXPECT_EQ(e.code, code) << raw;
    EXPECT_EQ(e.message, "boom");
    EXPECT_TRUE(std::holds_alternative<std::monostate>(e.details));
  }
}

TEST(CqlResponseTest, ErrorUnavailable) {
  auto body = error_body(0x1000, "Cannot achieve consistency level QUORUM");
  body.u16(0x0004).i32(2).i32(1);
  const auto& e = expect_message<ErrorMessage>(decode_response(SpecBytes::response(0x00, body)));
  ASSERT_EQ(e.code, CqlErrorCode::kUnavailable);
  EXPECT_EQ(std::get<UnavailableError>(e.details),
            (UnavailableError{Consistency::kQuorum, 2, 1}));
  const Error err = e.to_error();
  EXPECT_EQ(err.code, ErrorCode::kUnavailable);
  EXPECT_TRUE(err.retriable);
  EXPECT_EQ(err.message,
            "cassandra unavailable: Cannot achieve consistency level QUORUM "
            "(consistency QUORUM, required 2, alive 1)");
}

TEST(CqlResponseTest, ErrorWriteTimeout) {
  auto body = error_body(0x1100, "timed out");
  body.u16(0x0006).i32(1).i32(2).str("BATCH_LOG");
  const auto& e = expect_message<ErrorMessage>(decode_response(SpecBytes::response(0x00, body)));
  EXPECT_EQ(std::get<WriteTimeoutError>(e.details),
            (WriteTimeoutError{Consistency::kLocalQuorum, 1, 2, "BATCH_LOG"}));
  EXPECT_TRUE(classify(e.code).is_timeout);
  EXPECT_EQ(e.to_error().code, ErrorCode::kTimeout);
}

TEST(CqlResponseTest, ErrorReadTimeout) {
  auto body = error_body(0x1200, "timed out");
  body.u16(0x0001).i32(0).i32(1).u8(0);
  const auto& e = expect_message<ErrorMessage>(decode_response(SpecBytes::response(0x00, body)));
  EXPECT_EQ(std::get<ReadTimeoutError>(e.details),
            (ReadTimeoutError{Consistency::kOne, 0, 1, false}));
}

TEST(CqlResponseTest, ErrorReadFailure) {
  auto body = error_body(0x1300, "failed");
  body.u16(0x0005).i32(1).i32(3).i32(2).u8(1);
  const auto& e = expect_message<ErrorMessage>(decode_response(SpecBytes::response(0x00, body)));
  EXPECT_EQ(std::get<ReadFailureError>(e.details),
            (ReadFailureError{Consistency::kAll, 1, 3, 2, true}));
  EXPECT_FALSE(classify(e.code).retriable());
}

// UNAUTHORIZED (0x2100) because the coordinator timed out reading system_auth (met on a node just
// back from a network partition) is a node short of replicas, retried elsewhere; a role refused a
// permission stays a refusal.
TEST(CqlResponseTest, UnauthorizedFromAnAuthLookupTimeoutIsUnavailable) {
  const auto& timed_out = expect_message<ErrorMessage>(decode_response(SpecBytes::response(
      0x00, error_body(0x2100, "Unable to perform authorization of super-user permission: Operation timed out - "
                               "received only 1 responses."))));
  EXPECT_TRUE(timed_out.auth_lookup_failed());
  EXPECT_EQ(timed_out.to_error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(timed_out.to_error().retriable);

  const auto& refused = expect_message<ErrorMessage>(decode_response(SpecBytes::response(
      0x00, error_body(0x2100, "User bob has no MODIFY permission on <table ks.t> or any of its parents"))));
  EXPECT_FALSE(refused.auth_lookup_failed());
  EXPECT_EQ(refused.to_error().code, ErrorCode::kAuth);
  EXPECT_FALSE(refused.to_error().retriable);
}

TEST(CqlResponseTest, ErrorWriteFailure) {
  auto body = error_body(0x1500, "failed");
  body.u16(0x0004).i32(1).i32(2).i32(1).str("SIMPLE");
  const auto& e = expect_message<ErrorMessage>(decode_response(SpecBytes::response(0x00, body)));
  EXPECT_EQ(std::get<WriteFailureError>(e.details),
            (WriteFailureError{Consistency::kQuorum, 1, 2, 1, "SIMPLE"}));
}

TEST(CqlResponseTest, ErrorFunctionFailure) {
  auto body = error_body(0x1400, "udf threw");
  body.str("ks").str("my_fn").u16(2).str("int").str("text");
  const auto& e = expect_message<ErrorMessage>(decode_response(SpecBytes::response(0x00, body)));
  EXPECT_EQ(std::get<FunctionFailureError>(e.details),
            (FunctionFailureError{"ks", "my_fn", {"int", "text"}}));
}

TEST(CqlResponseTest, ErrorAlreadyExists) {
  auto body = error_body(0x2400, "exists");
  body.str("rdstream").str("users");
  const auto& e = expect_message<ErrorMessage>(decode_response(SpecBytes::response(0x00, body)));
  EXPECT_EQ(std::get<AlreadyExistsError>(e.details), (AlreadyExistsError{"rdstream", "users"}));
  EXPECT_EQ(e.to_error().code, ErrorCode::kAlreadyExists);
  EXPECT_FALSE(e.to_error().retriable);
}

TEST(CqlResponseTest, ErrorUnprepared) {
  auto body = error_body(0x2500, "unknown id");
  body.sbytes({0xaa, 0xbb});
  const auto& e = expect_message<ErrorMessage>(decode_response(SpecBytes::response(0x00, body)));
  EXPECT_EQ(std::get<UnpreparedError>(e.details).id, (Bytes{0xaa, 0xbb}));
  EXPECT_TRUE(classify(e.code).is_unprepared);
  EXPECT_TRUE(classify(e.code).retriable());
}

TEST(CqlResponseTest, ErrorUnknownCodeKeepsMessage) {
  const auto& e = expect_message<ErrorMessage>(
      decode_response(SpecBytes::response(0x00, error_body(0x7777, "future"))));
  EXPECT_EQ(static_cast<int32_t>(e.code), 0x7777);
  EXPECT_EQ(to_string(e.code), "unknown(0x7777)");
  EXPECT_EQ(e.to_error().code, ErrorCode::kServer);
}

TEST(CqlResponseTest, ErrorTraitsAndRdsCodes) {
  EXPECT_TRUE(classify(CqlErrorCode::kOverloaded).is_overloaded);
  EXPECT_TRUE(classify(CqlErrorCode::kIsBootstrapping).is_bootstrapping);
  EXPECT_TRUE(classify(CqlErrorCode::kReadTimeout).retriable());
  EXPECT_FALSE(classify(CqlErrorCode::kSyntaxError).retriable());
  EXPECT_TRUE(classify(CqlErrorCode::kBadCredentials).is_auth);
  EXPECT_EQ((ErrorMessage{CqlErrorCode::kBadCredentials, "bad", {}}).to_error().code,
            ErrorCode::kAuth);
  EXPECT_EQ((ErrorMessage{CqlErrorCode::kInvalid, "bad", {}}).to_error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ((ErrorMessage{CqlErrorCode::kProtocolError, "bad", {}}).to_error().code,
            ErrorCode::kProtocol);
}

// ---- RESULT -------------------------------------------------------------------------------------

// RESULT rows, 2 columns (id int, name text) in a global table spec, 2 rows, one NULL cell.
SpecBytes rows_body() {
  SpecBytes b;
  b.i32(0x0002)                        // kind: Rows
      .i32(0x0001)                     // flags: Global_tables_spec
      .i32(2)                          // columns_count
      .str("rdstream").str("users")    // global table spec
      .str("id").u16(0x0009)           // int
      .str("name").u16(0x000D)         // varchar
      .i32(2)                          // rows_count
      .bytes({0, 0, 0, 1}).bytes_str("ann")
      .bytes({0, 0, 0, 2}).null_bytes();
  return b;
}

TEST(CqlResponseTest, RowsWithNullCell) {
  auto r = decode_response(SpecBytes::response(0x08, rows_body()));
  const auto& rows = expect_message<RowsResult>(r);
  EXPECT_EQ(message_name(r->message), "RESULT(rows)");
  ASSERT_EQ(rows.metadata.columns.size(), 2u);
  EXPECT_EQ(rows.metadata.columns[0],
            (ColumnSpec{"rdstream", "users", "id", DataType(TypeId::kInt)}));
  EXPECT_EQ(rows.metadata.columns[1].name, "name");
  EXPECT_FALSE(rows.metadata.has_more_pages());
  ASSERT_EQ(rows.rows.size(), 2u);
  EXPECT_EQ(*rows.value(0, 0), Value(int32_t{1}));
  EXPECT_EQ(*rows.value(0, 1), Value("ann"));
  EXPECT_EQ(*rows.value(1, 0), Value(int32_t{2}));
  EXPECT_TRUE(rows.value(1, 1)->is_null());
  EXPECT_FALSE(rows.value(2, 0).ok());
  auto values = decode_rows(rows, rows.metadata.columns);
  ASSERT_OK(values);
  EXPECT_EQ(to_display((*values)[1][1]), "null");
}

TEST(CqlResponseTest, RowsWithPagingStateAndPerColumnSpecsAndNestedTypes) {
  SpecBytes b;
  b.i32(0x0002).i32(0x0002).i32(2)
      .bytes({0x01, 0x02, 0x03})  // paging state
      .str("ks").str("t").str("tags")
      .u16(0x0021).u16(0x000D).u16(0x0020).u16(0x0009)  // map<text, list<int>>
      .str("ks").str("t").str("addr")
      .u16(0x0030).str("ks").str("address").u16(2)     // udt ks.address {street text, zip int}
      .str("street").u16(0x000D).str("zip").u16(0x0009)
      .i32(1)
      .i32(4 + 4 + 1 + 4 + 4 + 4 + 4)  // the map cell: 1 entry "a" -> [7]
      .i32(1).i32(1).chars("a").i32(12).i32(1).i32(4).i32(7)
      .i32(4 + 2 + 4 + 4)              // the udt cell
      .i32(2).chars("Rd").i32(4).i32(75001);
  auto r = decode_response(SpecBytes::response(0x08, b));
  const auto& rows = expect_message<RowsResult>(r);
  EXPECT_TRUE(rows.metadata.has_more_pages());
  EXPECT_EQ(rows.metadata.paging_state, (std::optional<Bytes>(Bytes{1, 2, 3})));
  EXPECT_EQ(rows.metadata.columns[0].type.to_cql(), "map<text, list<int>>");
  EXPECT_EQ(rows.metadata.columns[1].type.to_cql(), "ks.address");
  EXPECT_EQ(rows.metadata.columns[1].type.field_names,
            (std::vector<std::string>{"street", "zip"}));
  EXPECT_EQ(to_display(*rows.value(0, 0)), "{'a': [7]}");
  EXPECT_EQ(to_display(*rows.value(0, 1)), "{street: 'Rd', zip: 75001}");
}

TEST(CqlResponseTest, RowsWithNoMetadata) {
  SpecBytes b;
  b.i32(0x0002).i32(0x0004).i32(1).i32(1).bytes({0, 0, 0, 9});
  const auto& rows = expect_message<RowsResult>(decode_response(SpecBytes::response(0x08, b)));
  EXPECT_TRUE(rows.metadata.no_metadata());
  EXPECT_TRUE(rows.metadata.columns.empty());
  ASSERT_EQ(rows.rows.size(), 1u);
  EXPECT_FALSE(rows.value(0, 0).ok());  // types must come from the prepared metadata
  auto v = decode_rows(rows, {ColumnSpec{"ks", "t", "c", DataType(TypeId::kInt)}});
  ASSERT_OK(v);
  EXPECT_EQ((*v)[0][0], Value(int32_t{9}));
}

TEST(CqlResponseTest, CustomAndTupleTypesInMetadata) {
  SpecBytes b;
  b.i32(0x0002).i32(0x0001).i32(2).str("ks").str("t")
      .str("c").u16(0x0000).str("org.apache.cassandra.db.marshal.DurationType")
      .str("tp").u16(0x0031).u16(2).u16(0x0009).u16(0x0022).u16(0x000C)  // tuple<int, set<uuid>>
      .i32(0);
  const auto& rows = expect_message<RowsResult>(decode_response(SpecBytes::response(0x08, b)));
  EXPECT_EQ(rows.metadata.columns[0].type,
            DataType::custom("org.apache.cassandra.db.marshal.DurationType"));
  EXPECT_EQ(rows.metadata.columns[1].type.to_cql(), "tuple<int, set<uuid>>");
}

TEST(CqlResponseTest, VoidSetKeyspaceAndSchemaChange) {
  expect_message<VoidResult>(decode_response(SpecBytes::response(0x08, SpecBytes().i32(1))));
  const auto& ks = expect_message<SetKeyspaceResult>(
      decode_response(SpecBytes::response(0x08, SpecBytes().i32(3).str("rdstream"))));
  EXPECT_EQ(ks.keyspace, "rdstream");
  const auto& sc = expect_message<SchemaChangeResult>(decode_response(
      SpecBytes::response(0x08, SpecBytes().i32(5).str("CREATED").str("TABLE").str("rdstream")
                                    .str("users"))));
  EXPECT_EQ(sc.change, (SchemaChange{"CREATED", "TABLE", "rdstream", "users", {}}));
  const auto& fn = expect_message<SchemaChangeResult>(decode_response(SpecBytes::response(
      0x08, SpecBytes().i32(5).str("DROPPED").str("FUNCTION").str("ks").str("f").u16(1)
                .str("int"))));
  EXPECT_EQ(fn.change.arg_types, (std::vector<std::string>{"int"}));
  const auto& kss = expect_message<SchemaChangeResult>(decode_response(SpecBytes::response(
      0x08, SpecBytes().i32(5).str("UPDATED").str("KEYSPACE").str("ks"))));
  EXPECT_EQ(kss.change.keyspace, "ks");
  EXPECT_TRUE(kss.change.name.empty());
}

TEST(CqlResponseTest, Prepared) {
  SpecBytes b;
  b.i32(0x0004)
      .sbytes({0xde, 0xad, 0xbe, 0xef})
      // metadata: global spec, 2 bind markers, pk_count 1 -> index 0
      .i32(0x0001).i32(2).i32(1).u16(0)
      .str("rdstream").str("users")
      .str("id").u16(0x000C).str("name").u16(0x000D)
      // result metadata: No_metadata, 0 columns
      .i32(0x0004).i32(0);
  const auto& p = expect_message<PreparedResult>(decode_response(SpecBytes::response(0x08, b)));
  EXPECT_EQ(p.id, (Bytes{0xde, 0xad, 0xbe, 0xef}));
  EXPECT_EQ(p.metadata.pk_indices, (std::vector<uint16_t>{0}));
  ASSERT_EQ(p.metadata.columns.size(), 2u);
  EXPECT_EQ(p.metadata.columns[0].type, DataType(TypeId::kUuid));
  EXPECT_EQ(p.metadata.columns[1].keyspace, "rdstream");
  EXPECT_TRUE(p.result_metadata.no_metadata());
  EXPECT_EQ(p.result_metadata.column_count, 0);
}

TEST(CqlResponseTest, PreparedSelectWithResultMetadata) {
  SpecBytes b;
  b.i32(0x0004).sbytes({1})
      .i32(0).i32(1).i32(0).str("ks").str("t").str("id").u16(0x0009)
      .i32(1).i32(1).str("ks").str("t").str("name").u16(0x000D);
  const auto& p = expect_message<PreparedResult>(decode_response(SpecBytes::response(0x08, b)));
  EXPECT_TRUE(p.metadata.pk_indices.empty());
  ASSERT_EQ(p.result_metadata.columns.size(), 1u);
  EXPECT_EQ(p.result_metadata.columns[0].name, "name");
}

TEST(CqlResponseTest, Events) {
  auto topo = decode_response(SpecBytes::response(
      0x0C, SpecBytes().str("TOPOLOGY_CHANGE").str("NEW_NODE").u8(4).raw({10, 0, 0, 2}).i32(9042),
      -1));
  const auto& t = expect_message<EventMessage>(topo);
  EXPECT_EQ(topo->header.stream, -1);
  const auto& tc = std::get<TopologyChangeEvent>(t.event);
  EXPECT_EQ(tc.change, "NEW_NODE");
  EXPECT_EQ(tc.address.to_string(), "10.0.0.2:9042");
  const auto& s = expect_message<EventMessage>(decode_response(SpecBytes::response(
      0x0C, SpecBytes().str("STATUS_CHANGE").str("DOWN").u8(4).raw({10, 0, 0, 3}).i32(9042),
      -1)));
  EXPECT_EQ(std::get<StatusChangeEvent>(s.event).change, "DOWN");
  const auto& sc = expect_message<EventMessage>(decode_response(SpecBytes::response(
      0x0C, SpecBytes().str("SCHEMA_CHANGE").str("CREATED").str("TYPE").str("ks").str("addr"),
      -1)));
  EXPECT_EQ(std::get<SchemaChange>(sc.event).name, "addr");
}

TEST(CqlResponseTest, TracingWarningsAndCustomPayloadPrecedeBody) {
  SpecBytes b;
  b.raw({0x55, 0x0e, 0x84, 0x00, 0xe2, 0x9b, 0x41, 0xd4, 0xa7, 0x16, 0x44, 0x66, 0x55, 0x44, 0,
         0})
      .u16(1).str("Aggregation query used without partition key")
      .u16(1).str("p").bytes({7})
      .i32(1);  // RESULT void
  auto r = decode_response(SpecBytes::response(0x08, b, 3, 0x02 | 0x04 | 0x08));
  expect_message<VoidResult>(r);
  ASSERT_TRUE(r->tracing_id.has_value());
  EXPECT_EQ(r->tracing_id->to_string(), "550e8400-e29b-41d4-a716-446655440000");
  EXPECT_EQ(r->warnings, (std::vector<std::string>{"Aggregation query used without partition key"}));
  EXPECT_EQ(r->custom_payload.at("p"), (std::optional<Bytes>(Bytes{7})));
}

TEST(CqlResponseTest, CompressedResponse) {
  auto body = rows_body();
  auto compressed = lz4_compress(body.vec());
  ASSERT_OK(compressed);
  SpecBytes cb;
  cb.raw(*compressed);
  auto frame = SpecBytes::response(0x08, cb, 1, 0x01);
  const auto& rows = expect_message<RowsResult>(decode_response(frame, Compression::kLz4));
  EXPECT_EQ(rows.rows.size(), 2u);
  // Without negotiated compression the flag is a protocol error.
  auto r = decode_response(frame, Compression::kNone);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kProtocol);
}

TEST(CqlResponseTest, ExtraTrailingBytesAreIgnored) {
  // §1: clients should ignore data after the described body.
  expect_message<ReadyMessage>(decode_response(SpecBytes::response(0x02, SpecBytes().raw({1, 2}))));
}

TEST(CqlResponseTest, RequestFramesAndOpcodesAreRejected) {
  auto req = decode_response(SpecBytes::request(0x02, SpecBytes()));
  ASSERT_FALSE(req.ok());
  EXPECT_EQ(req.error().code, ErrorCode::kProtocol);
  auto op = decode_response(SpecBytes::response(0x07, SpecBytes()));
  ASSERT_FALSE(op.ok());
  EXPECT_EQ(op.error().message, "invalid frame: opcode QUERY is not a response");
}

}  // namespace
}  // namespace rds::cql
