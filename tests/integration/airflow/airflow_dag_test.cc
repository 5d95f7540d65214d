// The seed's workflow with the real Airflow 3: `rdstream stack up --with airflow` on the shared test
// stack, the DAG `user_automation` triggered through Airflow's REST API (a login, then POST
// dagRuns, as the UI does), its run followed until it succeeds, and its users staged in PostgreSQL,
// produced to Kafka and stored in Cassandra by a running `rdstream process`. With the API down for
// longer than ingest's retry budget, the run ends failed after the DAG's retries.
//
// Airflow's processes get their environment from `stack up`: the mock API's URL and a config file of
// this suite's (its topic, staging schema, 3000 users per run, a short API retry budget), and one
// DAG retry 2 s after a failure. The suite stops Airflow again at the end.
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "integration/pipeline/harness.h"
#include "mockapi/mock_api.h"
#include "mockapi/server.h"
#include "support/postgres_query.h"
#include "support/result_matchers.h"

namespace rds::e2e {
namespace {

constexpr int kUsersPerRun = 3000;
constexpr int kPartitions = 3;
constexpr const char* kDag = "user_automation";
constexpr const char* kTask = "stream_data_from_api";

std::string stack_dir() { return env("RDSTREAM_TEST_STACK_DIR"); }

// `rdstream stack <verb> <the shared stack's flags> <extra>` to completion, with extra environment.
int stack_command(const std::string& verb, const std::vector<std::string>& extra,
                  const std::vector<std::pair<std::string, std::string>>& environment, std::string* output) {
  std::string command;
  for (const auto& [k, v] : environment) command += k + "='" + v + "' ";
  command += "'" + env("RDSTREAM_BIN") + "' stack " + verb + " " + env("RDSTREAM_TEST_STACK_FLAGS");
  for (const auto& e : extra) command += " " + e;
  command += " 2>&1";
  FILE* p = ::popen(command.c_str(), "r");
  if (p == nullptr) return -1;
  char buf[4096];
  while (size_t n = std::fread(buf, 1, sizeof buf, p)) output->append(buf, n);
  const int status = ::pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

class AirflowDagTest : public ::testing::Test {
 protected:
  // Once for the suite: the mock API, the suite's config, Airflow started with them.
  static void SetUpTestSuite() {
    if (env("RDSTREAM_BIN").empty() || env("RDSTREAM_TEST_AIRFLOW_PORT").empty()) return;
    api_ = new mockapi::MockApi();
    server_ = new mockapi::MockApiServer(*api_);
    ASSERT_OK(server_->start("127.0.0.1", 0));
    api_port_ = server_->port();
    const auto now = std::chrono::system_clock::now().time_since_epoch().count() % 100'000'000;
    name_ = "airflow_" + std::to_string(::getpid()) + "_" + std::to_string(now);
    config_ = new test::TempDir();
    std::ofstream(config_->path() / "config.yaml")
        << "kafka:\n  topic: " << name_ << "\n  partitions: " << kPartitions << "\n"
        << "ingest:\n  count: " << kUsersPerRun << "\n  max_attempts: 3\n  retry_max_elapsed_ms: 3000\n"
        << "staging:\n  schema: " << name_ << "\n"
        << "cassandra:\n  keyspace: " << name_ << "\n  table: created_users\n";
    // Airflow may still run from an earlier, interrupted run of this suite, with its environment.
    std::string out;
    stack_command("down", {"--only", "airflow"}, {}, &out);
    out.clear();
    const int rc = stack_command("up", {"--with", "airflow"},
                                 {{"RDSTREAM_API_URL", "http://127.0.0.1:" + std::to_string(api_port_) + "/api/"},
                                  {"RDSTREAM_CONFIG", (config_->path() / "config.yaml").string()},
                                  {"RDSTREAM_DAG_RETRIES", "1"},
                                  {"RDSTREAM_DAG_RETRY_DELAY_S", "2"}},
                                 &out);
    std::cout << "[airflow] stack up --with airflow:\n" << out;
    started_ = rc == 0;
  }

  static void TearDownTestSuite() {
    if (started_) {
      std::string out;
      stack_command("down", {"--only", "airflow"}, {}, &out);
      std::cout << "[airflow] stack down --only airflow:\n" << out;
      // Nothing of Airflow's is left: its processes run in the services' directories.
      for (const char* svc : {"airflow-api-server", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer"}) {
        const auto dir = std::filesystem::weakly_canonical(std::filesystem::path(stack_dir()) / svc);
        for (const auto& p : std::filesystem::directory_iterator("/proc")) {
          std::error_code ec;
          const auto cwd = std::filesystem::read_symlink(p.path() / "cwd", ec);
          EXPECT_TRUE(ec || cwd != dir) << p.path() << " still runs in " << dir << ": " << slurp(p.path() / "cmdline");
        }
      }
    }
    if (!name_.empty()) {
      pg_value("SET client_min_messages = warning; DROP SCHEMA IF EXISTS " + name_ + " CASCADE");
      cql_execute("127.0.0.1", cassandra_port(), "DROP KEYSPACE IF EXISTS " + name_);
    }
    if (server_ != nullptr) server_->stop();
    delete server_;
    delete api_;
    delete config_;
    server_ = nullptr;
    api_ = nullptr;
    config_ = nullptr;
  }

  void SetUp() override {
    if (env("RDSTREAM_BIN").empty()) GTEST_SKIP() << "RDSTREAM_BIN and the stack are set up by CTest";
    ASSERT_TRUE(started_) << "`rdstream stack up --with airflow` failed (its output is above)";
    std::ifstream(std::filesystem::path(stack_dir()) / "airflow" / "admin-password") >> password_;
    ASSERT_FALSE(password_.empty()) << "stack up writes the admin password into <state dir>/airflow/admin-password";
    token_ = login();
    ASSERT_FALSE(token_.empty());
  }

  static uint16_t cassandra_port() { return static_cast<uint16_t>(std::stoi(env("RDSTREAM_TEST_CASSANDRA_PORT", "29042"))); }

  static httplib::Client client() {
    httplib::Client c("127.0.0.1", std::stoi(env("RDSTREAM_TEST_AIRFLOW_PORT")));
    c.set_connection_timeout(10, 0);
    c.set_read_timeout(30, 0);
    return c;
  }

  // POST /auth/token with the generated admin password, as the UI's login page does.
  std::string login() {
    const nlohmann::json body = {{"username", "admin"}, {"password", password_}};
    auto r = client().Post("/auth/token", body.dump(), "application/json");
    if (!r || r->status != 201) {
      ADD_FAILURE() << "login: " << (r ? std::to_string(r->status) + " " + r->body : std::string("no answer"));
      return {};
    }
    return nlohmann::json::parse(r->body).value("access_token", "");
  }

  // An authenticated API call; the parsed JSON answer (null on an error, which fails the test).
  nlohmann::json call(const std::string& method, const std::string& path, const nlohmann::json& body = nullptr,
                      int* status = nullptr) {
    httplib::Headers headers = {{"Authorization", "Bearer " + token_}};
    auto c = client();
    auto r = method == "POST" ? c.Post(path, headers, body.dump(), "application/json") : c.Get(path, headers);
    if (status != nullptr) *status = r ? r->status : 0;
    if (!r) {
      ADD_FAILURE() << method << " " << path << ": no answer";
      return nullptr;
    }
    if (status == nullptr && r->status / 100 != 2) {
      ADD_FAILURE() << method << " " << path << ": HTTP " << r->status << " " << r->body;
      return nullptr;
    }
    auto j = nlohmann::json::parse(r->body, nullptr, false);
    return j.is_discarded() ? nlohmann::json(r->body) : j;
  }

  // Waits until the dag-processor has parsed the DAG, and until no run of it is queued or running
  // (the scheduled run Airflow starts for the latest day when the DAG first appears, unpaused).
  void wait_until_idle() {
    ASSERT_TRUE(wait_until(
        [&] {
          int status = 0;
          call("GET", std::string("/api/v2/dags/") + kDag, nullptr, &status);
          return status == 200;
        },
        milliseconds(180'000), milliseconds(1000)))
        << "the DAG " << kDag << " never appeared (see the dag-processor's log)";
    ASSERT_TRUE(wait_until(
        [&] {
          auto runs = call("GET", std::string("/api/v2/dags/") + kDag + "/dagRuns?state=queued&state=running");
          return runs.is_object() && runs.value("total_entries", -1) == 0;
        },
        milliseconds(300'000), milliseconds(1000)))
        << "a run of " << kDag << " is still going";
  }

  // Triggers a run (no logical date: "now", as the UI's Trigger button) and waits for its end.
  std::string trigger_and_wait(const std::string& run_id) {
    auto created = call("POST", std::string("/api/v2/dags/") + kDag + "/dagRuns",
                        {{"dag_run_id", run_id}, {"logical_date", nullptr}, {"note", "rdstream airflow_dag_test"}});
    EXPECT_EQ(created.value("dag_run_id", ""), run_id) << created.dump();
    std::string state;
    wait_until(
        [&] {
          auto run = call("GET", std::string("/api/v2/dags/") + kDag + "/dagRuns/" + run_id);
          state = run.is_object() ? run.value("state", "") : "";
          return state == "success" || state == "failed";
        },
        milliseconds(400'000), milliseconds(1000));
    return state;
  }

  nlohmann::json task_instance(const std::string& run_id) {
    return call("GET", std::string("/api/v2/dags/") + kDag + "/dagRuns/" + run_id + "/taskInstances/" + kTask);
  }
  std::string task_log(const std::string& run_id, int try_number) {
    auto log = call("GET", std::string("/api/v2/dags/") + kDag + "/dagRuns/" + run_id + "/taskInstances/" + kTask +
                               "/logs/" + std::to_string(try_number) + "?full_content=true");
    return log.dump();
  }

  // One value from the stack's PostgreSQL, database rdstream (where staging keeps its outbox).
  static std::string pg_value(const std::string& sql) {
    std::string password;
    std::ifstream(std::filesystem::path(stack_dir()) / "postgres" / "password") >> password;
    return rds::testing::pg_value("host=127.0.0.1 port=" + env("RDSTREAM_TEST_POSTGRES_PORT") +
                                      " dbname=rdstream user=rdstream password=" + password,
                                  sql);
  }
  // Staged rows of the suite's outbox (0 before its first ingest made it).
  static int64_t staged(const std::string& where) {
    if (pg_value("SELECT to_regclass('" + name_ + ".staged_users')").empty()) return 0;
    const std::string n = pg_value("SELECT count(*) FROM " + name_ + ".staged_users" + (where.empty() ? "" : " WHERE " + where));
    return n.empty() ? 0 : std::stoll(n);
  }

  static inline mockapi::MockApi* api_ = nullptr;
  static inline mockapi::MockApiServer* server_ = nullptr;
  static inline int api_port_ = 0;
  static inline std::string name_;
  static inline test::TempDir* config_ = nullptr;
  static inline bool started_ = false;
  std::string password_, token_;
};

TEST_F(AirflowDagTest, TriggeredRunSucceedsAndItsUsersReachCassandra) {
  wait_until_idle();
  const int64_t before = staged("");
  // `rdstream process` runs meanwhile, as in the README, storing what the DAG's ingest produces.
  Child process({env("RDSTREAM_BIN"), "process", "--config", (config_->path() / "config.yaml").string(),
                 "--bootstrap-servers", env("RDSTREAM_TEST_KAFKA"), "--group", name_ + "_group", "--cassandra-host",
                 "127.0.0.1", "--cassandra-port", std::to_string(cassandra_port())},
                config_->path(), "process");

  const std::string run_id = "rdstream_test_" + std::to_string(::getpid());
  const std::string state = trigger_and_wait(run_id);
  ASSERT_EQ(state, "success") << task_log(run_id, 1);
  EXPECT_EQ(task_instance(run_id).value("try_number", 0), 1);
  // The ingest summary is in the task log.
  const std::string log = task_log(run_id, 1);
  EXPECT_NE(log.find("ingest summary: fetched 3000  produced 3000  delivered 3000"), std::string::npos) << log;

  // Staged, produced, marked delivered: every user of the run, once.
  EXPECT_EQ(staged("") - before, kUsersPerRun);
  EXPECT_EQ(staged("state <> 1"), 0) << "rows not marked delivered";
  // Each row keeps the API's user beside the mapped record.
  EXPECT_EQ(staged("raw IS NULL OR raw #>> '{login,uuid}' <> user_id::text"), 0) << "rows without their user's JSON";
  const int64_t distinct = std::stoll(pg_value("SELECT count(DISTINCT user_id) FROM " + name_ + ".staged_users"));
  EXPECT_EQ(distinct, staged(""));

  // Cassandra holds every staged user (this run's and the scheduled one's, if it ran here).
  int64_t rows = 0;
  const bool stored = wait_until(
      [&] {
        std::string error;
        rows = static_cast<int64_t>(
            cql_scan("127.0.0.1", cassandra_port(), "SELECT id FROM " + name_ + ".created_users", &error).size());
        return rows == distinct;
      },
      milliseconds(120'000), milliseconds(1000));
  EXPECT_TRUE(stored) << rows << " rows in Cassandra, " << distinct << " users staged; process: " << process.err_tail();
}

TEST_F(AirflowDagTest, RunFailsWhenTheApiStaysDownBeyondItsRetries) {
  wait_until_idle();
  server_->stop();  // the API is down for the whole run: every try of the task gives up
  const int64_t before = staged("");
  const std::string run_id = "rdstream_test_api_down_" + std::to_string(::getpid());
  const std::string state = trigger_and_wait(run_id);
  ASSERT_OK(server_->start("127.0.0.1", api_port_));
  EXPECT_EQ(state, "failed") << task_log(run_id, 1);
  auto ti = task_instance(run_id);
  EXPECT_EQ(ti.value("state", ""), "failed") << ti.dump();
  EXPECT_EQ(ti.value("try_number", 0), 2) << "one try and the DAG's one retry: " << ti.dump();
  const std::string log = task_log(run_id, 2);
  EXPECT_NE(log.find("giving up on page 1"), std::string::npos) << log;
  EXPECT_NE(log.find("is the API up?"), std::string::npos) << log;
  EXPECT_EQ(staged(""), before) << "nothing fetched, nothing staged";
}

}  // namespace
}  // namespace rds::e2e
