// The local stack against the real engines: a private stack on non-default ports, checked with
// each engine's own client (Kafka's TopicCommand, cqlsh, psql) and with ours, idempotent `up`,
// failures with their fixes, and `down` leaving no process behind. The steps run in order.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <librdkafka/rdkafka.h>
#include <signal.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "cassandra/blocking_connection.h"
#include "stack/process.h"
#include "stack/stack.h"
#include "support/temp_dir.h"
#include "support/result_matchers.h"

namespace rds::stack {
namespace {

using namespace std::chrono_literals;

std::string run_command(const std::string& command, int* exit_code) {
  std::string out;
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return out;
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), p) != nullptr) out += buf.data();
  int status = ::pclose(p);
  *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

// Every live process whose command line mentions `needle`.
std::vector<pid_t> processes_mentioning(const std::string& needle) {
  std::vector<pid_t> found;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const pid_t pid = std::stoi(name);
    if (pid != ::getpid() && process_matches(pid, needle)) found.push_back(pid);
  }
  return found;
}

class StackIntegrationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir();
    // PostgreSQL runs as the `postgres` user when we are root: it must be able to reach its data.
    std::filesystem::permissions(dir_->path(), std::filesystem::perms::others_exec | std::filesystem::perms::group_exec,
                                 std::filesystem::perm_options::add);
    config_ = new StackConfig();
    config_->state_dir = dir_->path() / "var";
    config_->engine_cache = default_engine_cache();
    config_->kafka_port = 31092;
    config_->kafka_controller_port = 31093;
    config_->cassandra_port = 31042;
    config_->cassandra_storage_port = 31000;
    config_->postgres_port = 31432;
    config_->console_port = 31021;
    config_->registry_port = 31081;
    config_->registry_management_port = 31091;
    const char* bin = std::getenv("RDSTREAM_BIN");  // the console runs the rdstream binary
    if (bin != nullptr) config_->rdstream_binary = bin;
  }
  static void TearDownTestSuite() {
    // Whatever happened above, leave nothing running.
    (void)Stack(*config_).down();
    delete config_;
    delete dir_;
  }
  static const ServiceReport& find(const StackReport& report, ServiceKind kind) {
    for (const auto& s : report.services) {
      if (s.kind == kind) return s;
    }
    static ServiceReport none;
    return none;
  }

  static test::TempDir* dir_;
  static StackConfig* config_;
  static std::map<ServiceKind, int> pids_;
};

test::TempDir* StackIntegrationTest::dir_ = nullptr;
StackConfig* StackIntegrationTest::config_ = nullptr;
std::map<ServiceKind, int> StackIntegrationTest::pids_;

TEST_F(StackIntegrationTest, UpStartsEveryServiceAndWaitsUntilHealthy) {
  auto report = Stack(*config_).up();
  ASSERT_OK(report);
  std::ostringstream printed;
  report->print(printed, true);
  ASSERT_TRUE(report->all_healthy()) << printed.str();
  for (const auto& s : report->services) {
    EXPECT_GT(s.pid, 0);
    pids_[s.kind] = s.pid;
  }
  EXPECT_NE(printed.str().find("127.0.0.1:31092"), std::string::npos);
  EXPECT_NE(printed.str().find("cassandra.log"), std::string::npos);
}

TEST_F(StackIntegrationTest, KafkaAnswersItsOwnToolsAndOurClient) {
  const std::string lib = (config_->engine_cache / ("kafka-" + kafka_version()) / "lib").string();
  const std::string tool = "java -cp '" + lib + "/*' org.apache.kafka.tools.TopicCommand --bootstrap-server 127.0.0.1:31092";
  int rc = -1;
  std::string out = run_command(tool + " --create --topic stack-it --partitions 2", &rc);
  ASSERT_EQ(rc, 0) << out;
  out = run_command(tool + " --list", &rc);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("stack-it"), std::string::npos) << out;

  // And a round trip through librdkafka: produce one record, read the topic's metadata back.
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", "127.0.0.1:31092", err, sizeof err);
  rd_kafka_t* producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  ASSERT_NE(producer, nullptr) << err;
  const char payload[] = "hello";
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"  // librdkafka's RD_KAFKA_V_* macros cast
  ASSERT_EQ(rd_kafka_producev(producer, RD_KAFKA_V_TOPIC("stack-it"), RD_KAFKA_V_VALUE(const_cast<char*>(payload), 5),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END),
            RD_KAFKA_RESP_ERR_NO_ERROR);
#pragma GCC diagnostic pop
  EXPECT_EQ(rd_kafka_flush(producer, 30000), RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(rd_kafka_outq_len(producer), 0);
  rd_kafka_destroy(producer);
}

TEST_F(StackIntegrationTest, CassandraAnswersCqlshAndOurClientWithTheSeedCredentials) {
  const std::string cqlsh =
      (config_->engine_cache / ("cqlsh-" + cqlsh_version()) / "bin" / "cqlsh").string();
  int rc = -1;
  std::string out = run_command(cqlsh + " -u cassandra -p cassandra 127.0.0.1 31042 -e 'SELECT release_version FROM system.local'", &rc);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("5.0"), std::string::npos) << out;

  auto conn = cassandra::BlockingConnection::open("127.0.0.1", 31042, {"cassandra", "cassandra"}, 10s);
  ASSERT_OK(conn);
  auto rows = conn->query("SELECT cluster_name FROM system.local", cql::Consistency::kOne, 10s);
  ASSERT_OK(rows);
  // Authentication is on, as in the seed: a wrong password is refused with a clear error.
  auto wrong = cassandra::BlockingConnection::open("127.0.0.1", 31042, {"cassandra", "wrong"}, 10s);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::kAuth) << wrong.error().message;
}

TEST_F(StackIntegrationTest, PostgresAnswersPsql) {
  const auto password_file = config_->state_dir / "postgres" / "password";
  int rc = -1;
  std::string out = run_command("PGPASSWORD=$(cat " + password_file.string() +
                                    ") psql -h 127.0.0.1 -p 31432 -U rdstream -d postgres -tAc 'SELECT 40 + 2'",
                                &rc);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("42"), std::string::npos) << out;
  // Password authentication is on: without the password, psql is refused.
  out = run_command("PGPASSWORD=nope psql -h 127.0.0.1 -p 31432 -U rdstream -d postgres -tAc 'SELECT 1'", &rc);
  EXPECT_NE(rc, 0) << out;
}

TEST_F(StackIntegrationTest, TheConsoleWatchesTheStacksEngines) {
  // `rdstream console`, started by up on the stack's own Kafka and Cassandra: both up in its view.
  httplib::Client client("127.0.0.1", 31021);
  nlohmann::json state;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  bool both_up = false;
  while (!both_up && std::chrono::steady_clock::now() < deadline) {
    auto r = client.Get("/api/state");
    if (r && r->status == 200) {
      state = nlohmann::json::parse(r->body);
      both_up = state["engines"].size() == 2 && state["engines"][0]["up"] == true && state["engines"][1]["up"] == true;
    }
    if (!both_up) std::this_thread::sleep_for(500ms);
  }
  EXPECT_TRUE(both_up) << state.dump(2);
  EXPECT_NE(state["engines"][0]["detail"].get<std::string>().find("127.0.0.1:31092"), std::string::npos) << state.dump();
  auto page = client.Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("rdstream console"), std::string::npos);
}

TEST_F(StackIntegrationTest, TheRegistryKeepsItsSchemasInPostgresAndChecksCompatibility) {
  httplib::Client registry("127.0.0.1", 31081);
  registry.set_read_timeout(30, 0);
  // BACKWARD, set by up (Apicurio starts with NONE).
  auto config = registry.Get("/apis/ccompat/v7/config");
  ASSERT_TRUE(config);
  EXPECT_EQ(nlohmann::json::parse(config->body).value("compatibilityLevel", ""), "BACKWARD") << config->body;
  const std::string v1 = R"({"type":"record","name":"u","fields":[{"name":"id","type":"string"}]})";
  auto created = registry.Post("/apis/ccompat/v7/subjects/stack-it-value/versions",
                               nlohmann::json({{"schema", v1}}).dump(), "application/vnd.schemaregistry.v1+json");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 200) << created->body;
  const int id = nlohmann::json::parse(created->body).value("id", -1);
  EXPECT_GE(id, 0);
  // A field added without a default breaks BACKWARD: refused.
  const std::string breaking =
      R"({"type":"record","name":"u","fields":[{"name":"id","type":"string"},{"name":"x","type":"string"}]})";
  auto refused = registry.Post("/apis/ccompat/v7/subjects/stack-it-value/versions",
                               nlohmann::json({{"schema", breaking}}).dump(), "application/vnd.schemaregistry.v1+json");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 409) << refused->body;

  // Restarted, it still has the schema: it lives in the stack's PostgreSQL, not in memory.
  StackConfig only = *config_;
  only.services = {ServiceKind::kRegistry};
  ASSERT_OK(Stack(only).down());
  StackConfig with_postgres = *config_;
  with_postgres.services = {ServiceKind::kPostgres, ServiceKind::kRegistry};
  auto again = Stack(with_postgres).up();
  ASSERT_OK(again);
  ASSERT_TRUE(again->all_healthy());
  pids_[ServiceKind::kRegistry] = find(*again, ServiceKind::kRegistry).pid;
  auto schema = registry.Get(fmt::format("/apis/ccompat/v7/schemas/ids/{}", id));
  ASSERT_TRUE(schema);
  EXPECT_EQ(schema->status, 200) << schema->body;
  auto versions = registry.Get("/apis/ccompat/v7/subjects/stack-it-value/versions");
  ASSERT_TRUE(versions);
  EXPECT_EQ(nlohmann::json::parse(versions->body), nlohmann::json::array({1})) << versions->body;
}

TEST_F(StackIntegrationTest, SecondUpIsIdempotentAndStatusIsHealthy) {
  auto report = Stack(*config_).up();
  ASSERT_OK(report);
  ASSERT_TRUE(report->all_healthy());
  for (const auto& s : report->services) {
    EXPECT_EQ(s.pid, pids_[s.kind]) << "a second up must not start " << to_string(s.kind) << " again";
    EXPECT_NE(s.detail.find("already running"), std::string::npos);
  }
  auto status = Stack(*config_).status();
  EXPECT_TRUE(status.all_healthy());
}

TEST_F(StackIntegrationTest, ASecondStackOnTheSamePortsIsRefusedAndTheFirstIsUntouched) {
  test::TempDir other;
  std::filesystem::permissions(other.path(), std::filesystem::perms::others_exec, std::filesystem::perm_options::add);
  StackConfig clash = *config_;
  clash.state_dir = other.path() / "var";
  clash.services = {ServiceKind::kKafka, ServiceKind::kPostgres};
  auto report = Stack(clash).up();
  ASSERT_OK(report);
  EXPECT_EQ(find(*report, ServiceKind::kKafka).state, ServiceState::kFailed);
  EXPECT_NE(find(*report, ServiceKind::kKafka).detail.find("already in use"), std::string::npos);
  EXPECT_NE(find(*report, ServiceKind::kPostgres).detail.find("--postgres-port"), std::string::npos);
  // Its `down` finds nothing of its own to stop, and the first stack is still healthy.
  ASSERT_OK(Stack(clash).down());
  EXPECT_TRUE(Stack(*config_).status().all_healthy());
}

TEST_F(StackIntegrationTest, DownStopsEveryProcessItStarted) {
  auto report = Stack(*config_).down();
  ASSERT_OK(report);
  for (const auto& [kind, pid] : pids_) {
    EXPECT_FALSE(process_alive(pid)) << to_string(kind) << " pid " << pid << " still running";
  }
  EXPECT_TRUE(processes_mentioning(std::filesystem::absolute(config_->state_dir).string()).empty());
  auto status = Stack(*config_).status();
  for (const auto& s : status.services) EXPECT_EQ(s.state, ServiceState::kStopped);
  // A second down is harmless.
  EXPECT_OK(Stack(*config_).down());
}

TEST_F(StackIntegrationTest, AServiceThatDiesDuringStartUpIsReportedWithItsLog) {
  // Corrupt Kafka's metadata: the broker refuses to start; we must say so and show why.
  const auto meta = config_->state_dir / "kafka" / "data" / "meta.properties";
  ASSERT_TRUE(std::filesystem::exists(meta));
  std::ofstream(meta, std::ios::trunc) << "version=1\nnode.id=7\ncluster.id=not-this-cluster\n";
  StackConfig kafka_only = *config_;
  kafka_only.services = {ServiceKind::kKafka};
  auto report = Stack(kafka_only).up();
  ASSERT_OK(report);
  const auto& kafka = find(*report, ServiceKind::kKafka);
  EXPECT_EQ(kafka.state, ServiceState::kFailed);
  EXPECT_NE(kafka.detail.find("exited during start-up"), std::string::npos) << kafka.detail;
  EXPECT_NE(kafka.detail.find("delete"), std::string::npos) << kafka.detail;
  EXPECT_FALSE(kafka.log_tail.empty());
  EXPECT_TRUE(processes_mentioning(std::filesystem::absolute(config_->state_dir).string()).empty());
}

}  // namespace
}  // namespace rds::stack
