// rdstream's settings table (config/settings): its declarations are sound, the seed's
// config.yaml loads as it is, a typo is named with its fix, and config.example.yaml is in step.
#include "config/settings/settings.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "app/component_configs.h"
#include "app/stack_settings.h"
#include "config/load.h"
#include "support/temp_dir.h"
#include "support/result_matchers.h"

namespace rds::config {
namespace {

const std::string kSeedConfig = std::string(RDS_TEST_DATA_DIR) + "/seed_config.yaml";

std::string error_of(const Status& s) { return s.ok() ? "(ok)" : s.error().message; }

TEST(SettingsTest, DeclarationsAreSound) {
  Settings s;
  std::set<std::string_view> paths, envs;
  for (PropertyBase* p : s.registry().all()) {
    EXPECT_TRUE(paths.insert(p->path()).second) << "path declared twice: " << p->path();
    if (!p->meta().env.empty()) {
      EXPECT_TRUE(envs.insert(p->meta().env).second) << "env declared twice: " << p->meta().env;
    }
    EXPECT_FALSE(p->meta().description.empty()) << p->path();
    EXPECT_EQ(p->meta().flag.find(' '), std::string_view::npos) << p->path();
    EXPECT_FALSE(p->meta().secret && !p->meta().flag.empty()) << p->path() << ": a secret never comes from a flag";
    EXPECT_FALSE(p->meta().secret && p->meta().in_file) << p->path() << ": a secret never comes from config.yaml";
    EXPECT_FALSE(p->is_section() && p->meta().example.empty()) << p->path() << ": a section needs an example";
    // Every default passes its own check, and reads back through YAML as itself.
    if (!p->is_section() && !p->meta().secret) {
      const std::string before = p->value_yaml();
      EXPECT_EQ(p->set_yaml(YAML::Load(before), Source::kFile), "") << p->path() << " = " << before;
      EXPECT_EQ(p->value_yaml(), before) << p->path();
    }
  }
}

TEST(SettingsTest, TheSeedConfigLoadsUnchanged) {
  Settings s;
  ASSERT_EQ(error_of(apply_file(s.registry(), kSeedConfig)), "(ok)");
  EXPECT_EQ(s.ingest.url(), "https://randomuser.me/api/");
  EXPECT_EQ(s.ingest.element(), "result");
  EXPECT_EQ(s.cassandra.seed_create_table_path(), "helpers/create_table_created_users.sql");
  EXPECT_EQ(error_of(app::check_settings(s)), "(ok)");
  auto table = app::table_config(s);
  ASSERT_OK(table);
  EXPECT_EQ(table->qualified_name(), "spark_streams.created_users");
  EXPECT_EQ(table->columns.size(), 11u);
  auto mapping = app::mapping_config(s);
  ASSERT_OK(mapping);
  EXPECT_EQ(mapping->columns.size(), 11u);  // with dob, which the table lacks
}

TEST(SettingsTest, ATypoFailsWithItsHint) {
  test::TempDir dir;
  std::ifstream seed(kSeedConfig);
  std::stringstream text;
  text << seed.rdbuf() << "cassandra:\n  contact_point: x\n";
  const std::string file = (dir.path() / "config.yaml").string();
  std::ofstream(file) << text.str();
  Settings s;
  EXPECT_EQ(error_of(apply_file(s.registry(), file)),
            file + ": cassandra.contact_point: unknown key; did you mean contact_points?");
  Settings t;
  EXPECT_EQ(error_of(apply_yaml_text(t.registry(), "databases: {cassandra_db: {created_user: {}}}", Source::kFile, "")),
            "databases.cassandra_db.created_user: unknown key; did you mean created_users?");
}

TEST(SettingsTest, EachSourceAndThePrecedenceOnTheRealTable) {
  test::TempDir dir;
  const std::string file = (dir.path() / "c.yaml").string();
  std::ofstream(file) << "kafka: {bootstrap_servers: 'file:1', topic: from_file, partitions: 6}\n"
                         "cassandra: {contact_points: [10.0.0.1, 10.0.0.2]}\n";
  std::map<std::string, std::string> env = {{"RDSTREAM_CONFIG", file}, {"RDSTREAM_KAFKA", "env:1"},
                                            {"RDSTREAM_CASSANDRA_PASSWORD", "pw"}};
  const Environment environment = [&env](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  Settings s;
  ASSERT_EQ(error_of(resolve(s.registry(), {{"kafka.topic", {"from_flag"}}}, environment, &s.general.config_file)),
            "(ok)");
  EXPECT_EQ(s.kafka.topic(), "from_flag");
  EXPECT_EQ(s.kafka.bootstrap_servers(), "env:1");
  EXPECT_EQ(s.kafka.partitions(), 6);
  EXPECT_EQ(s.kafka.partitions.source(), Source::kFile);
  EXPECT_EQ(s.process.group(), "rdstream-process");
  EXPECT_EQ(s.cassandra.contact_points(), (std::vector<std::string>{"10.0.0.1", "10.0.0.2"}));
  auto session = app::session_config(s);
  ASSERT_OK(session);
  EXPECT_EQ(session->credentials.password, "pw");
  EXPECT_EQ(session->contact_points.size(), 2u);
  const std::string shown = render_effective(s.registry(), kProcess);
  EXPECT_EQ(shown.find("pw"), std::string::npos);
  EXPECT_NE(shown.find("(environment RDSTREAM_KAFKA)"), std::string::npos);
  EXPECT_NE(shown.find("(flag --topic)"), std::string::npos);
  EXPECT_EQ(shown.find("ingest.rate"), std::string::npos);  // not a setting of `process`
}

TEST(SettingsTest, SettingsReachTheComponents) {
  Settings s;
  ASSERT_EQ(error_of(apply_yaml_text(s.registry(), R"(
kafka: {properties: {socket.keepalive.enable: 'true'}, producer: {linger_ms: 25}}
sink: {retry_budget_ms: 1000, batch_bytes: 2048}
process: {retry_initial_ms: 20, on_rejected_row: dead_letter, count: 7}
cassandra: {request_timeout_ms: 3000, retry: {max_retries: 1}}
)", Source::kFile, "")), "(ok)");
  EXPECT_EQ(app::producer_config(s)->linger_ms, 25);
  EXPECT_EQ(app::producer_config(s)->extra.at("socket.keepalive.enable"), "true");
  EXPECT_EQ(app::consumer_config(s)->extra.at("socket.keepalive.enable"), "true");
  auto table = app::table_config(s);
  ASSERT_OK(table);
  auto sink = app::sink_config(s, *table);
  ASSERT_OK(sink);
  EXPECT_EQ(sink->retry_budget.count(), 1000);
  EXPECT_EQ(sink->batch_max_bytes, 2048);
  const auto processor = app::processor_config(s);
  EXPECT_EQ(processor.retry.initial.count(), 20);
  EXPECT_EQ(processor.permanent_failure, process::PermanentFailureAction::kDeadLetter);
  EXPECT_EQ(processor.stop_after_acknowledged, 7u);
  auto session = app::session_config(s);
  ASSERT_OK(session);
  EXPECT_EQ(session->request_timeout.count(), 3000);
  EXPECT_EQ(session->retry.max_retries, 1);
}

TEST(SettingsTest, KafkaSecretsComeFromTheEnvironmentOrAFileNeverTheConfigFile) {
  test::TempDir dir;
  const std::string config = (dir.path() / "c.yaml").string();
  const std::string password_file = (dir.path() / "pw").string();
  std::ofstream(password_file) << "from-file\n";
  std::ofstream(config) << "kafka: {sasl_password_file: " << password_file
                        << ", properties: {security.protocol: SASL_SSL, sasl.username: u}}\n";
  std::map<std::string, std::string> env = {{"RDSTREAM_CONFIG", config}};
  const Environment environment = [&env](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  {
    Settings s;
    ASSERT_EQ(error_of(resolve(s.registry(), {}, environment, &s.general.config_file)), "(ok)");
    auto properties = app::kafka_client_properties(s);
    ASSERT_OK(properties);
    EXPECT_EQ(properties->at("sasl.password"), "from-file");
    EXPECT_EQ(properties->at("security.protocol"), "SASL_SSL");
    EXPECT_FALSE(properties->contains("ssl.key.password"));
    // Every client gets them: the producer, the consumer, the dead-letter producer.
    EXPECT_EQ(app::producer_config(s)->extra.at("sasl.password"), "from-file");
    EXPECT_EQ(app::consumer_config(s)->extra.at("sasl.password"), "from-file");
    EXPECT_EQ(app::dead_letter_config(s)->extra.at("sasl.password"), "from-file");
    EXPECT_EQ(render_effective(s.registry(), kProcess).find("from-file"), std::string::npos);
  }
  env["RDSTREAM_KAFKA_SASL_PASSWORD"] = "from-env";
  {
    Settings s;
    ASSERT_EQ(error_of(resolve(s.registry(), {}, environment, &s.general.config_file)), "(ok)");
    EXPECT_EQ(app::kafka_client_properties(s)->at("sasl.password"), "from-env");
    EXPECT_EQ(render_effective(s.registry(), kProcess).find("from-env"), std::string::npos);
  }
  std::ofstream(config) << "kafka: {properties: {sasl.password: oops}}\n";
  {
    Settings s;
    const std::string error = error_of(resolve(s.registry(), {}, environment, &s.general.config_file));
    EXPECT_NE(error.find("kafka.properties"), std::string::npos) << error;
    EXPECT_NE(error.find("RDSTREAM_KAFKA_SASL_PASSWORD or kafka.sasl_password_file"), std::string::npos) << error;
    EXPECT_EQ(error.find("oops"), std::string::npos) << error;
  }
}

TEST(SettingsTest, TheCommittedExampleIsTheTablesAndLoadsToTheDefaults) {
  Settings table;
  const std::string example = render_example(table.registry());
  std::ifstream committed(std::string(RDS_SOURCE_DIR) + "/config.example.yaml");
  std::stringstream text;
  text << committed.rdbuf();
  EXPECT_EQ(text.str(), example) << "config.example.yaml is out of step: build/src/cli/rdstream config example > "
                                    "config.example.yaml";
  Settings s;
  ASSERT_EQ(error_of(apply_yaml_text(s.registry(), example, Source::kFile, "config.example.yaml")), "(ok)");
  for (const PropertyBase* p : s.registry().all()) {
    EXPECT_EQ(p->value_yaml(), p->default_yaml()) << p->path();
  }
  EXPECT_EQ(error_of(app::check_settings(s)), "(ok)");
}

TEST(SettingsTest, TheStacksStateFileSitsBelowTheEnvironmentAndTheFlags) {
  test::TempDir dir;
  stack::StackConfig last_up;
  last_up.state_dir = dir.path();
  last_up.kafka_port = 19092;
  last_up.cassandra_port = 19042;
  last_up.postgres_port = 15432;
  ASSERT_OK(stack::save_state_file(last_up));
  Settings s;
  ASSERT_EQ(s.stack.state_dir.set(dir.path().string(), Source::kFlag), "");
  ASSERT_TRUE(apply_environment(s.registry(), [](const char* name) -> const char* {
                return std::string_view(name) == "RDSTREAM_POSTGRES_PORT" ? "25432" : nullptr;
              }).ok());
  ASSERT_EQ(error_of(app::apply_stack_state(s, kStackStatus)), "(ok)");
  auto config = app::stack_config(s);
  ASSERT_OK(config);
  EXPECT_EQ(config->kafka_port, 19092);
  EXPECT_EQ(s.stack.kafka_port.source(), Source::kStateFile);
  EXPECT_EQ(config->cassandra_port, 19042);
  EXPECT_EQ(config->postgres_port, 25432);
  EXPECT_EQ(s.stack.postgres_port.source(), Source::kEnvironment);
}

// `stack up --with airflow` is remembered: status and down act on Airflow too without being told
// again, but a later `up` starts only what it is asked to.
TEST(SettingsTest, TheStackRemembersItsOptionalServicesForStatusAndDownNotForUp) {
  test::TempDir dir;
  stack::StackConfig last_up;
  last_up.state_dir = dir.path();
  last_up.with = {"airflow"};
  ASSERT_OK(stack::save_state_file(last_up));
  auto resolved = [&](uint32_t command) {
    Settings s;
    EXPECT_EQ(s.stack.state_dir.set(dir.path().string(), Source::kFlag), "");
    EXPECT_EQ(error_of(app::apply_stack_state(s, command)), "(ok)");
    auto config = app::stack_config(s);
    EXPECT_OK(config);
    return config.ok() ? config->services : std::vector<stack::ServiceKind>{};
  };
  auto status = resolved(kStackStatus);
  ASSERT_EQ(status.size(), 9u);
  EXPECT_EQ(status[4], stack::ServiceKind::kRegistry);
  EXPECT_EQ(status[5], stack::ServiceKind::kAirflowApiServer);
  EXPECT_EQ(resolved(kStackDown).size(), 9u);
  EXPECT_EQ(resolved(kStackUp).size(), 5u);
  // `--only kafka` is Kafka alone (the staging test stops just Kafka this way).
  Settings only;
  EXPECT_EQ(only.stack.state_dir.set(dir.path().string(), Source::kFlag), "");
  EXPECT_EQ(only.stack.services.set({"kafka"}, Source::kFlag), "");
  EXPECT_EQ(error_of(app::apply_stack_state(only, kStackDown)), "(ok)");
  auto config = app::stack_config(only);
  ASSERT_OK(config);
  EXPECT_EQ(config->services, std::vector{stack::ServiceKind::kKafka});
}

TEST(SettingsTest, OnlyAndWithNameKnownServices) {
  Settings s;
  EXPECT_NE(s.stack.with.set({"hive"}, Source::kFlag).find("unknown service 'hive'"), std::string::npos);
  EXPECT_EQ(s.stack.with.set({"airflow"}, Source::kFlag), "");
  EXPECT_EQ(s.stack.services.set({"postgres"}, Source::kFlag), "");
  auto config = app::stack_config(s);
  ASSERT_OK(config);
  EXPECT_EQ(config->services, (std::vector{stack::ServiceKind::kPostgres, stack::ServiceKind::kAirflowApiServer,
                                           stack::ServiceKind::kAirflowScheduler, stack::ServiceKind::kAirflowDagProcessor,
                                           stack::ServiceKind::kAirflowTriggerer}));
}

}  // namespace
}  // namespace rds::config
