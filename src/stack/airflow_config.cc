#include "stack/airflow_config.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace rds::stack {
namespace {

// airflow.cfg is read by Python's ConfigParser with interpolation: a literal '%' is written '%%'.
std::string cfg_value(std::string_view text) {
  std::string out;
  for (char c : text) {
    out += c;
    if (c == '%') out += '%';
  }
  return out;
}

}  // namespace

std::string percent_encode(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::string render_airflow_cfg(const AirflowLayout& l) {
  const std::string api = fmt::format("http://{}:{}", l.host, l.api_port);
  const std::string db = fmt::format("postgresql+psycopg2://{}:{}@{}:{}/{}", percent_encode(l.db_user),
                                     percent_encode(l.db_password), l.host, l.db_port, l.db_name);
  std::string out = "# Written by `rdstream stack up --with airflow` at every start; edits are overwritten.\n";
  out += "# It holds the metadata database's password and the shared secrets: keep it private (mode 0600).\n\n";
  out += "[core]\n";
  out += fmt::format("dags_folder = {}\n", cfg_value(l.dags_dir.string()));
  out += "executor = LocalExecutor\n";
  out += fmt::format("parallelism = {}\n", l.parallelism);
  out += "load_examples = False\n";
  // The seed's workflow is `airflow dags trigger user_automation`: a paused DAG's run would wait forever.
  out += "dags_are_paused_at_creation = False\n";
  out += "auth_manager = airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager\n";
  out += fmt::format("simple_auth_manager_users = {}:admin\n", kAirflowAdmin);
  out += fmt::format("simple_auth_manager_passwords_file = {}\n",
                     cfg_value((l.home / "simple_auth_manager_passwords.json").string()));
  out += fmt::format("fernet_key = {}\n", cfg_value(l.secrets.fernet_key));
  // Task processes report to the api-server's execution API; the default assumes port 8080.
  out += fmt::format("execution_api_server_url = {}/execution/\n", api);
  out += "\n[database]\n";
  out += fmt::format("sql_alchemy_conn = {}\n", cfg_value(db));
  out += "\n[api]\n";
  out += fmt::format("host = {}\n", l.host);
  out += fmt::format("port = {}\n", l.api_port);
  out += fmt::format("base_url = {}\n", api);
  out += "workers = 1\n";  // its default, 4, is four copies of the app for one user
  out += fmt::format("secret_key = {}\n", cfg_value(l.secrets.api_secret_key));
  out += "\n[api_auth]\n";
  out += fmt::format("jwt_secret = {}\n", cfg_value(l.secrets.jwt_secret));
  out += "\n[logging]\n";
  out += fmt::format("base_log_folder = {}\n", cfg_value((l.home / "logs").string()));
  out += "\n[scheduler]\n";
  out += "enable_health_check = False\n";  // its health server would bind all interfaces
  return out;
}

Result<std::string> airflow_component_status(std::string_view health_body, ServiceKind kind) {
  const char* key = nullptr;
  switch (kind) {
    case ServiceKind::kAirflowApiServer: key = "metadatabase"; break;
    case ServiceKind::kAirflowScheduler: key = "scheduler"; break;
    case ServiceKind::kAirflowDagProcessor: key = "dag_processor"; break;
    case ServiceKind::kAirflowTriggerer: key = "triggerer"; break;
    default: return Error(ErrorCode::kInternal, fmt::format("{} is not an Airflow component", to_string(kind)));
  }
  auto j = nlohmann::json::parse(health_body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return Error(ErrorCode::kProtocol, "the health endpoint's answer is not a JSON object");
  }
  if (!j.contains(key) || !j[key].is_object()) return std::string();
  const auto& status = j[key]["status"];
  return status.is_string() ? status.get<std::string>() : std::string();
}

}  // namespace rds::stack
