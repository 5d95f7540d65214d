#pragma once
// What the stack's Airflow is told, as pure functions (unit-tested without Airflow): its
// airflow.cfg, and the reading of its health endpoint. The I/O is in airflow_service.cc.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/result.h"
#include "stack/stack_config.h"

namespace rds::stack {

// Generated once per state directory and kept in <airflow home>/secrets.json (mode 0600): the
// processes must share them (a task's token is signed by the api-server with jwt_secret and checked
// by it again; connections are encrypted with fernet_key), and a restart must not change them.
struct AirflowSecrets {
  std::string fernet_key;      // 32 random bytes, URL-safe base64 (Fernet's format)
  std::string jwt_secret;      // [api_auth] jwt_secret
  std::string api_secret_key;  // [api] secret_key (UI sessions)
};

struct AirflowLayout {
  std::filesystem::path home;      // AIRFLOW_HOME: airflow.cfg, secrets, logs, the admin password
  std::filesystem::path dags_dir;  // the seed's DAG is airflow/dags/user_automation.py
  std::string host;                // 127.0.0.1: the api-server listens here only
  uint16_t api_port = kDefaultAirflowPort;
  // Its metadata database, in the stack's PostgreSQL.
  uint16_t db_port = kDefaultPostgresPort;
  std::string db_user;
  std::string db_password;
  std::string db_name = "airflow";
  // LocalExecutor forks this many workers (~135 MB each); Airflow's default, 32, would be 4 GB
  // for a DAG that runs one task at a time.
  int parallelism = 4;
  AirflowSecrets secrets;
};

inline constexpr const char* kAirflowAdmin = "admin";

// The whole airflow.cfg. Everything rdstream decides is in it (not in the environment), so that
// `airflow ...` run by a person with AIRFLOW_HOME set sees the same Airflow as the services.
std::string render_airflow_cfg(const AirflowLayout& layout);

// RFC 3986 percent-encoding of everything but unreserved characters (a password in a URL).
std::string percent_encode(std::string_view text);

// The status one component reports in GET /api/v2/monitor/health ("healthy", "unhealthy", or
// "" when it never ran): metadatabase for the api-server itself, else scheduler, dag_processor
// and triggerer. An unparsable body is an error.
Result<std::string> airflow_component_status(std::string_view health_body, ServiceKind kind);

}  // namespace rds::stack
