// Prepared statements against the real Cassandra: every supported type round trips, NULL and
// empty values included; tokens match Cassandra's own token(); re-prepare after the server forgot.

#include <gtest/gtest.h>

#include "cassandra/murmur3.h"
#include "cassandra/schema.h"
#include "cassandra/session.h"
#include "integration/cassandra/test_env.h"
#include "support/result_matchers.h"

namespace rds::cassandra {
namespace {

using test::stack_session_config;
using cql::Value;

class CassandraTypes : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto s = Session::connect(stack_session_config());
    ASSERT_OK(s);
    session_ = std::move(*s).release();
    KeyspaceSpec spec;
    spec.name = "rds_client_types";
    ASSERT_OK(create_keyspace(*session_, spec));
    auto status = execute_script(*session_, R"(
      DROP TABLE IF EXISTS rds_client_types.all_types;
      CREATE TABLE rds_client_types.all_types (
        id int PRIMARY KEY, t text, a ascii, u uuid, tu timeuuid, ts timestamp, d date, tm time,
        i int, bi bigint, si smallint, ti tinyint, b boolean, f float, db double, bl blob,
        ip inet, vi varint, dc decimal, l list<int>, s set<text>, m map<text, bigint>);
      CREATE TABLE IF NOT EXISTS rds_client_types.by_text (k text PRIMARY KEY, v int);
    )");
    ASSERT_OK(status);
  }
  static void TearDownTestSuite() {
    delete session_;
    session_ = nullptr;
  }

  static Session* session_;
};
Session* CassandraTypes::session_ = nullptr;

const std::vector<std::string> kColumns = {"t", "a", "u", "tu", "ts", "d", "tm", "i", "bi", "si", "ti",
                                           "b", "f", "db", "bl", "ip", "vi", "dc", "l", "s", "m"};

std::string insert_cql() {
  std::string cols = "id";
  std::string marks = "?";
  for (const auto& c : kColumns) {
    cols += ", " + c;
    marks += ", ?";
  }
  return "INSERT INTO rds_client_types.all_types (" + cols + ") VALUES (" + marks + ")";
}

std::vector<Value> full_row() {
  return {
      Value(std::string("héllo wörld ✓")),
      Value(std::string("plain ascii")),
      Value(*cql::Uuid::parse("550e8400-e29b-41d4-a716-446655440000")),
      Value(*cql::Uuid::parse("e3c2f0a0-0c1b-11ee-be56-0242ac120002")),  // version 1
      Value(cql::Timestamp{1700000000123}),
      Value(cql::Date::from_days_since_epoch(19700)),
      Value(cql::Time{45296789012345}),
      Value(int32_t{-2147483647}),
      Value(int64_t{9007199254740993}),
      Value(int16_t{-32768}),
      Value(int8_t{127}),
      Value(true),
      Value(1.5f),
      Value(-2.25e300),
      Value(cql::Blob{{0x00, 0xff, 0x10}}),
      Value(*cql::Inet::parse("2001:db8::1")),
      Value(*cql::Varint::parse("-123456789012345678901234567890")),
      Value(cql::Decimal{5, *cql::Varint::parse("31415926535")}),
      Value(cql::List{{Value(int32_t{3}), Value(int32_t{1}), Value(int32_t{3})}}),
      Value(cql::Set{{Value(std::string("a")), Value(std::string("b"))}}),
      Value(cql::Map{{{Value(std::string("k1")), Value(int64_t{1})}, {Value(std::string("k2")), Value(int64_t{-2})}}}),
  };
}

std::map<std::string, Value> select_row(Session& session, int32_t id) {
  auto select = session.prepare("SELECT * FROM rds_client_types.all_types WHERE id = ?");
  EXPECT_OK(select);
  auto stmt = (*select)->bind({Value(id)});
  EXPECT_OK(stmt);
  auto r = session.execute_sync(std::move(*stmt));
  EXPECT_OK(r.response);
  std::map<std::string, Value> out;
  if (!r.response.ok()) return out;
  const auto& rows = std::get<cql::RowsResult>(r.response->message);
  EXPECT_EQ(rows.rows.size(), 1u);
  if (rows.rows.empty()) return out;
  for (size_t c = 0; c < rows.metadata.columns.size(); ++c) {
    auto v = rows.value(0, c);
    EXPECT_OK(v) << rows.metadata.columns[c].name;
    if (v.ok()) out[rows.metadata.columns[c].name] = *v;
  }
  return out;
}

TEST_F(CassandraTypes, EveryTypeRoundTrips) {
  auto insert = session_->prepare(insert_cql());
  ASSERT_OK(insert);
  EXPECT_EQ((*insert)->metadata.pk_indices, std::vector<uint16_t>{0});
  auto values = full_row();
  std::vector<Value> bound{Value(int32_t{1})};
  bound.insert(bound.end(), values.begin(), values.end());
  auto stmt = (*insert)->bind(bound);
  ASSERT_OK(stmt);
  auto r = session_->execute_sync(std::move(*stmt));
  ASSERT_OK(r.response);

  auto row = select_row(*session_, 1);
  for (size_t c = 0; c < kColumns.size(); ++c) {
    EXPECT_EQ(row[kColumns[c]], values[c]) << kColumns[c] << ": got " << cql::to_display(row[kColumns[c]]);
  }
}

TEST_F(CassandraTypes, NullsRoundTrip) {
  auto insert = session_->prepare(insert_cql());
  ASSERT_OK(insert);
  std::vector<Value> bound{Value(int32_t{2})};
  bound.resize(kColumns.size() + 1);  // Value() is Null
  auto stmt = (*insert)->bind(bound);
  ASSERT_OK(stmt);
  ASSERT_OK(session_->execute_sync(std::move(*stmt)).response);
  auto row = select_row(*session_, 2);
  for (const auto& c : kColumns) EXPECT_TRUE(row[c].is_null()) << c;
}

TEST_F(CassandraTypes, EmptyValues) {
  auto insert = session_->prepare(insert_cql());
  ASSERT_OK(insert);
  std::vector<Value> bound{Value(int32_t{3}), Value(std::string()), Value(std::string())};
  bound.resize(kColumns.size() + 1);
  bound[15] = Value(cql::Blob{});                              // bl
  bound[19] = Value(cql::List{});                              // l
  auto stmt = (*insert)->bind(bound);
  ASSERT_OK(stmt);
  // §6 "empty" value of a non-string type (what old Thrift clients wrote): zero bytes for `i`.
  stmt->values[8] = cql::BoundValue::of({});
  auto r = session_->execute_sync(std::move(*stmt));
  ASSERT_OK(r.response);
  auto row = select_row(*session_, 3);
  EXPECT_EQ(row["t"], Value(std::string()));
  EXPECT_EQ(row["a"], Value(std::string()));
  EXPECT_EQ(row["bl"], Value(cql::Blob{}));
  EXPECT_TRUE(row["i"].is_null());  // empty int decodes as null, as other drivers do
  EXPECT_TRUE(row["l"].is_null());  // Cassandra stores an empty collection as no cells
}

TEST_F(CassandraTypes, BindRejectsWrongValues) {
  auto insert = session_->prepare("INSERT INTO rds_client_types.by_text (k, v) VALUES (?, ?)");
  ASSERT_OK(insert);
  auto few = (*insert)->bind({Value(std::string("x"))});
  ASSERT_FALSE(few.ok());
  EXPECT_EQ(few.error().code, ErrorCode::kInvalidArgument);
  auto wrong = (*insert)->bind({Value(std::string("x")), Value(std::string("not an int"))});
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().message.find("binding value 1 (v int)"), std::string::npos) << wrong.error().message;
}

TEST_F(CassandraTypes, TokensMatchCassandra) {
  auto insert = session_->prepare("INSERT INTO rds_client_types.by_text (k, v) VALUES (?, ?)");
  auto token = session_->prepare("SELECT token(k) FROM rds_client_types.by_text WHERE k = ?");
  ASSERT_OK(insert);
  ASSERT_OK(token);
  // Lengths 0..40 cover every tail length; bytes >= 0x80 exercise the signed-tail quirk.
  std::vector<std::string> keys = {"123", "é", "ünïcödé-ключ", "þþþþþþþþþþþþþþþþþ", "\xc3\xbf\xc3\xbf\xc3\xbf"};
  for (int n = 1; n <= 40; ++n) keys.push_back(std::string(static_cast<size_t>(n), static_cast<char>('a' + n % 26)) + "ÿ");
  for (const auto& key : keys) {
    auto s = (*insert)->bind({Value(key), Value(int32_t{1})});
    ASSERT_OK(s);
    ASSERT_TRUE(s->routing_key.has_value());
    const Token expected = murmur3_token(*s->routing_key);
    auto w = session_->execute_sync(std::move(*s));
    ASSERT_OK(w.response);
    auto q = (*token)->bind({Value(key)});
    auto r = session_->execute_sync(std::move(*q));
    ASSERT_OK(r.response);
    const auto& rows = std::get<cql::RowsResult>(r.response->message);
    ASSERT_EQ(rows.rows.size(), 1u);
    auto v = rows.value(0, 0);
    ASSERT_OK(v) << key;
    ASSERT_TRUE(v->get_if<int64_t>()) << key;
    EXPECT_EQ(*v->get_if<int64_t>(), expected) << "key '" << key << "'";
  }
  // The only node is the replica of everything.
  auto replicas = session_->replicas("rds_client_types", cql::Bytes{'1', '2', '3'});
  ASSERT_EQ(replicas.size(), 1u);
}

TEST_F(CassandraTypes, RepreparesAfterTheServerForgot) {
  ASSERT_OK(execute_script(*session_, "CREATE TABLE IF NOT EXISTS rds_client_types.reprep (id int PRIMARY KEY, v text)"));
  const std::string cql = "INSERT INTO rds_client_types.reprep (id, v) VALUES (?, ?)";
  auto insert = session_->prepare(cql);
  ASSERT_OK(insert);
  ASSERT_OK(session_->execute_sync(*(*insert)->bind({Value(int32_t{1}), Value("a")})).response);
  // Dropping the table invalidates its prepared statements on the server.
  ASSERT_TRUE(execute_script(*session_, "DROP TABLE rds_client_types.reprep;"
                                        "CREATE TABLE rds_client_types.reprep (id int PRIMARY KEY, v text)").ok());
  auto r = session_->execute_sync(*(*insert)->bind({Value(int32_t{2}), Value("b")}));
  ASSERT_OK(r.response);
  EXPECT_EQ(r.attempts, 2);  // UNPREPARED, then the retry after re-preparing
  auto count = session_->query("SELECT COUNT(*) FROM rds_client_types.reprep", cql::Consistency::kOne);
  ASSERT_OK(count);
  EXPECT_EQ(*std::get<cql::RowsResult>(count->message).value(0, 0)->get_if<int64_t>(), 1);
}

}  // namespace
}  // namespace rds::cassandra
