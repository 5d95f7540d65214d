// The Cassandra checks end to end against the fake server speaking the real protocol: the
// engines' clocks cannot be skewed here, nor a real table be made to lack a column it was created
// with by rdstream, so the fake answers the system tables as a node with those problems would.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "../../support/fake_cql_server.h"
#include "doctor/doctor.h"

namespace rds::doctor {
namespace {

using test::FakeColumn;
using test::FakeReply;
using test::FakeRequest;

const cql::DataType kText{cql::TypeId::kVarchar};

DoctorConfig config_for(const test::FakeCqlServer& server) {
  DoctorConfig c;
  c.contact_points = {"127.0.0.1"};
  c.cassandra_port = server.port();
  c.credentials = {"cassandra", "cassandra"};
  c.keyspace = "ks";
  c.table = "t";
  c.columns = {{"id", "uuid"}, {"first_name", "text"}, {"dob", "text"}};
  c.timeout = std::chrono::milliseconds(2000);
  return c;
}

// A single node in dc1 whose clock is `skew` off, keyspace ks at RF 1 and table t with `columns`.
test::FakeScript node_script(std::chrono::milliseconds skew, std::vector<std::string> columns) {
  return [skew, columns](const FakeRequest& r) -> std::optional<FakeReply> {
    if (r.opcode != cql::Opcode::kQuery) return std::nullopt;
    if (r.query.find("FROM system.local") != std::string::npos && r.query.find("data_center") != std::string::npos) {
      return test::rows_reply({{"data_center", kText}, {"release_version", kText}}, {{"dc1", "5.0.5"}});
    }
    if (r.query.find("system.peers_v2") != std::string::npos) {
      return test::rows_reply({{"native_address", cql::DataType{cql::TypeId::kInet}},
                               {"native_port", cql::DataType{cql::TypeId::kInt}},
                               {"data_center", kText}},
                              {});
    }
    if (r.query.find("toUnixTimestamp(now())") != std::string::npos) {
      const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now().time_since_epoch());
      return test::rows_reply({{"t", cql::DataType{cql::TypeId::kTimestamp}}},
                              {{cql::Timestamp{(now + skew).count()}}});
    }
    if (r.query.find("system_schema.keyspaces") != std::string::npos) {
      cql::DataType map_type{cql::TypeId::kMap};
      map_type.params = {kText, kText};
      cql::Map replication;
      replication.entries = {{cql::Value("class"), cql::Value("org.apache.cassandra.locator.SimpleStrategy")},
                             {cql::Value("replication_factor"), cql::Value("1")}};
      return test::rows_reply({{"replication", map_type}}, {{cql::Value(replication)}});
    }
    if (r.query.find("system_schema.columns") != std::string::npos) {
      std::vector<std::vector<cql::Value>> rows;
      for (const auto& c : columns) rows.push_back({cql::Value(c)});
      return test::rows_reply({{"column_name", kText}}, rows);
    }
    return std::nullopt;
  };
}

bool has(const Report& report, Finding::Level level, const std::string& subject, const std::string& text) {
  for (const auto& f : report.findings()) {
    if (f.level == level && f.subject == subject && f.text.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(DoctorCassandraTest, AHealthyNodeHasNoProblem) {
  test::FakeCqlServer server;
  server.set_script(node_script(std::chrono::milliseconds(0), {"id", "first_name", "dob"}));
  Report report;
  check_cassandra(config_for(server), report);
  EXPECT_EQ(report.problems(), 0);
  EXPECT_TRUE(has(report, Finding::Level::kOk, "cassandra", "1 of 1 node up in dc1"));
  EXPECT_TRUE(has(report, Finding::Level::kOk, "cassandra table ks.t", "has the 3 columns"));
}

TEST(DoctorCassandraTest, ANodeWhoseClockIsAheadIsNamed) {
  test::FakeCqlServer server;
  server.set_script(node_script(std::chrono::milliseconds(5000), {"id", "first_name", "dob"}));
  Report report;
  check_cassandra(config_for(server), report);
  EXPECT_TRUE(has(report, Finding::Level::kProblem, fmt::format("cassandra 127.0.0.1:{}", server.port()), "ms ahead of"));
}

TEST(DoctorCassandraTest, ATableLackingAColumnIsAProblemWithItsFix) {
  test::FakeCqlServer server;
  server.set_script(node_script(std::chrono::milliseconds(0), {"id", "first_name"}));
  Report report;
  check_cassandra(config_for(server), report);
  ASSERT_TRUE(has(report, Finding::Level::kProblem, "cassandra table ks.t", "lacks the column dob"));
  for (const auto& f : report.findings()) {
    if (f.subject == "cassandra table ks.t") EXPECT_NE(f.fix.find("ALTER TABLE ks.t ADD dob text;"), std::string::npos);
  }
}

TEST(DoctorCassandraTest, RefusedCredentialsAreNamed) {
  test::FakeCqlServer server;
  server.require_credentials("cassandra", "right");
  auto config = config_for(server);
  config.credentials = {"cassandra", "wrong"};
  Report report;
  check_cassandra(config, report);
  ASSERT_TRUE(has(report, Finding::Level::kProblem, fmt::format("cassandra 127.0.0.1:{}", server.port()), "login refused"));
  EXPECT_NE(report.findings().front().fix.find("cassandra.username"), std::string::npos);
}

TEST(DoctorCassandraTest, AContactPointThatDoesNotAnswerIsNamed) {
  test::FakeCqlServer server;
  server.set_accepting(false);
  Report report;
  check_cassandra(config_for(server), report);
  EXPECT_TRUE(has(report, Finding::Level::kProblem, fmt::format("cassandra 127.0.0.1:{}", server.port()),
                  "this contact point does not answer"));
}

}  // namespace
}  // namespace rds::doctor
