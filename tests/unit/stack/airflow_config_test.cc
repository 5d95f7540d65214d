// The stack's airflow.cfg and the reading of Airflow's health endpoint, without Airflow.
#include "stack/airflow_config.h"

#include <gtest/gtest.h>

#include "support/result_matchers.h"

namespace rds::stack {
namespace {

AirflowLayout layout() {
  AirflowLayout l;
  l.home = "/srv/rds/var/airflow";
  l.dags_dir = "/srv/rds/airflow/dags";
  l.host = "127.0.0.1";
  l.api_port = 18080;
  l.db_port = 15432;
  l.db_user = "rdstream";
  l.db_password = "p@ss%w/rd";
  l.secrets = {"fernet-key=", "jwt", "session"};
  return l;
}

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos;
}

TEST(AirflowConfigTest, BindsLoopbackAndPointsTasksAtTheApiServersPort) {
  const std::string cfg = render_airflow_cfg(layout());
  EXPECT_TRUE(has_line(cfg, "host = 127.0.0.1")) << cfg;
  EXPECT_TRUE(has_line(cfg, "port = 18080")) << cfg;
  EXPECT_TRUE(has_line(cfg, "execution_api_server_url = http://127.0.0.1:18080/execution/")) << cfg;
  EXPECT_TRUE(has_line(cfg, "base_url = http://127.0.0.1:18080")) << cfg;
  EXPECT_TRUE(has_line(cfg, "enable_health_check = False")) << cfg;
}

TEST(AirflowConfigTest, SmallLocalExecutorNoExamplesDagsUnpaused) {
  const std::string cfg = render_airflow_cfg(layout());
  EXPECT_TRUE(has_line(cfg, "executor = LocalExecutor")) << cfg;
  EXPECT_TRUE(has_line(cfg, "parallelism = 4")) << cfg;
  EXPECT_TRUE(has_line(cfg, "load_examples = False")) << cfg;
  EXPECT_TRUE(has_line(cfg, "dags_are_paused_at_creation = False")) << cfg;
  EXPECT_TRUE(has_line(cfg, "workers = 1")) << cfg;
  EXPECT_TRUE(has_line(cfg, "dags_folder = /srv/rds/airflow/dags")) << cfg;
  EXPECT_TRUE(has_line(cfg, "simple_auth_manager_users = admin:admin")) << cfg;
  EXPECT_TRUE(has_line(cfg, "simple_auth_manager_passwords_file = /srv/rds/var/airflow/simple_auth_manager_passwords.json"))
      << cfg;
}

TEST(AirflowConfigTest, PasswordIsUrlEncodedAndPercentSignsEscapedForConfigParser) {
  const std::string cfg = render_airflow_cfg(layout());
  // p@ss%w/rd -> p%40ss%25w%2Frd in the URL -> every % doubled in the file.
  EXPECT_TRUE(has_line(cfg, "sql_alchemy_conn = postgresql+psycopg2://rdstream:p%%40ss%%25w%%2Frd@127.0.0.1:15432/airflow"))
      << cfg;
  EXPECT_EQ(percent_encode("a-Z_0.~ /:@%"), "a-Z_0.~%20%2F%3A%40%25");
}

TEST(AirflowConfigTest, SecretsGoWhereEveryProcessReadsThem) {
  const std::string cfg = render_airflow_cfg(layout());
  EXPECT_TRUE(has_line(cfg, "fernet_key = fernet-key=")) << cfg;
  EXPECT_TRUE(has_line(cfg, "jwt_secret = jwt")) << cfg;
  EXPECT_TRUE(has_line(cfg, "secret_key = session")) << cfg;
}

TEST(AirflowConfigTest, ReadsEachComponentsStatusFromTheHealthAnswer) {
  const std::string body = R"({"metadatabase": {"status": "healthy"},
    "scheduler": {"status": "healthy", "latest_scheduler_heartbeat": "2026-12-05T20:00:00+00:00"},
    "triggerer": {"status": "unhealthy", "latest_triggerer_heartbeat": null},
    "dag_processor": {"status": null, "latest_dag_processor_heartbeat": null}})";
  EXPECT_EQ(*airflow_component_status(body, ServiceKind::kAirflowApiServer), "healthy");
  EXPECT_EQ(*airflow_component_status(body, ServiceKind::kAirflowScheduler), "healthy");
  EXPECT_EQ(*airflow_component_status(body, ServiceKind::kAirflowTriggerer), "unhealthy");
  EXPECT_EQ(*airflow_component_status(body, ServiceKind::kAirflowDagProcessor), "");
  EXPECT_EQ(*airflow_component_status("{}", ServiceKind::kAirflowScheduler), "");
  EXPECT_FALSE(airflow_component_status("<html>", ServiceKind::kAirflowScheduler).ok());
  EXPECT_FALSE(airflow_component_status(body, ServiceKind::kKafka).ok());
}

}  // namespace
}  // namespace rds::stack
