#include "stack/stack_config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "support/temp_dir.h"
#include "support/result_matchers.h"

namespace rds::stack {
namespace {

bool mentions(const std::vector<std::string>& problems, const std::string& text) {
  for (const auto& p : problems) {
    if (p.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(StackConfigTest, DefaultsAreValid) {
  StackConfig config;
  EXPECT_TRUE(config.problems().empty());
  EXPECT_OK(config.validate());
}

TEST(StackConfigTest, RejectsDuplicatePortsNamingTheSetting) {
  StackConfig config;
  config.cassandra_port = config.kafka_port;
  auto problems = config.problems();
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("cassandra_port: 9092 is used twice"), std::string::npos) << problems[0];
}

TEST(StackConfigTest, EveryServiceHasItsName) {
  for (auto kind : {ServiceKind::kKafka, ServiceKind::kCassandra, ServiceKind::kPostgres, ServiceKind::kConsole,
                    ServiceKind::kRegistry, ServiceKind::kAirflowApiServer, ServiceKind::kAirflowScheduler,
                    ServiceKind::kAirflowDagProcessor, ServiceKind::kAirflowTriggerer}) {
    auto parsed = parse_service(to_string(kind));
    ASSERT_OK(parsed);
    EXPECT_EQ(*parsed, std::vector{kind}) << to_string(kind);
  }
  auto unknown = parse_service("zookeeper");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("registry or airflow"), std::string::npos) << unknown.error().message;
}

TEST(StackConfigTest, RejectsPrivilegedPortsAndBadHeapsAndNonLoopbackHost) {
  StackConfig config;
  config.postgres_port = 80;
  config.kafka_heap_mb = 64;
  config.cassandra_heap_mb = 100000;
  config.host = "0.0.0.0";
  auto problems = config.problems();
  EXPECT_TRUE(mentions(problems, "postgres_port: 80 is a privileged port"));
  EXPECT_TRUE(mentions(problems, "kafka_heap_mb: 64"));
  EXPECT_TRUE(mentions(problems, "cassandra_heap_mb: 100000"));
  EXPECT_TRUE(mentions(problems, "host: '0.0.0.0' is not allowed"));
  Status s = config.validate();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
}

TEST(StackConfigTest, ParsesServiceNames) {
  EXPECT_EQ(*parse_service("kafka"), std::vector{ServiceKind::kKafka});
  EXPECT_EQ(*parse_service("postgresql"), std::vector{ServiceKind::kPostgres});
  // Airflow is its four processes, the api-server first (the others report through it).
  EXPECT_EQ(*parse_service("airflow"), (std::vector{ServiceKind::kAirflowApiServer, ServiceKind::kAirflowScheduler,
                                                     ServiceKind::kAirflowDagProcessor, ServiceKind::kAirflowTriggerer}));
  auto bad = parse_service("redis");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("unknown service 'redis'"), std::string::npos);
}

TEST(StackConfigTest, StateFileRoundTripsPorts) {
  test::TempDir dir;
  StackConfig written;
  written.state_dir = dir.path();
  written.kafka_port = 19092;
  written.postgres_port = 15432;
  written.airflow_port = 18080;
  written.with = {"airflow"};
  ASSERT_OK(save_state_file(written));
  StackConfig read;
  read.state_dir = dir.path();
  ASSERT_OK(load_state_file(read));
  EXPECT_EQ(read.kafka_port, 19092);
  EXPECT_EQ(read.postgres_port, 15432);
  EXPECT_EQ(read.airflow_port, 18080);
  EXPECT_EQ(read.with, std::vector<std::string>{"airflow"});
  EXPECT_EQ(read.cassandra_port, cassandra::kDefaultPort);
}

TEST(StackConfigTest, MissingStateFileIsFineCorruptOneIsAClearError) {
  test::TempDir dir;
  StackConfig config;
  config.state_dir = dir.path();
  EXPECT_OK(load_state_file(config));
  std::ofstream(dir.path() / "stack.json") << "{not json";
  Status s = load_state_file(config);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("is corrupt"), std::string::npos);
  std::ofstream(dir.path() / "stack.json", std::ios::trunc) << R"({"kafka_port": 70000})";
  s = load_state_file(config);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("'kafka_port' must be a port number"), std::string::npos);
  std::ofstream(dir.path() / "stack.json", std::ios::trunc) << R"({"with": "airflow"})";
  s = load_state_file(config);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("'with' must be a list of service names"), std::string::npos);
}

}  // namespace
}  // namespace rds::stack
