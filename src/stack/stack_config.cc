#include "stack/stack_config.h"

#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

namespace rds::stack {

std::string_view to_string(ServiceKind kind) {
  switch (kind) {
    case ServiceKind::kKafka: return "kafka";
    case ServiceKind::kCassandra: return "cassandra";
    case ServiceKind::kPostgres: return "postgres";
    case ServiceKind::kConsole: return "console";
    case ServiceKind::kRegistry: return "registry";
    case ServiceKind::kAirflowApiServer: return "airflow-api-server";
    case ServiceKind::kAirflowScheduler: return "airflow-scheduler";
    case ServiceKind::kAirflowDagProcessor: return "airflow-dag-processor";
    case ServiceKind::kAirflowTriggerer: return "airflow-triggerer";
  }
  return "?";
}

Result<std::vector<ServiceKind>> parse_service(std::string_view name) {
  if (name == "kafka") return std::vector{ServiceKind::kKafka};
  if (name == "cassandra") return std::vector{ServiceKind::kCassandra};
  if (name == "postgres" || name == "postgresql") return std::vector{ServiceKind::kPostgres};
  if (name == "console") return std::vector{ServiceKind::kConsole};
  if (name == "registry") return std::vector{ServiceKind::kRegistry};
  // The api-server first: the others report their health through it.
  constexpr ServiceKind kAirflow[] = {ServiceKind::kAirflowApiServer, ServiceKind::kAirflowScheduler,
                                      ServiceKind::kAirflowDagProcessor, ServiceKind::kAirflowTriggerer};
  if (name == "airflow") return std::vector<ServiceKind>(std::begin(kAirflow), std::end(kAirflow));
  for (auto kind : kAirflow) {
    if (name == to_string(kind)) return std::vector{kind};  // one of them: `stack logs --only airflow-scheduler`
  }
  return Error(ErrorCode::kInvalidArgument, fmt::format("unknown service '{}': expected {}", name, kServiceNames));
}

namespace {

// Every port once: its key in stack.json and problems().
struct PortSetting {
  const char* key;
  uint16_t StackConfig::*member;
};
constexpr PortSetting kPortSettings[] = {
    {"kafka_port", &StackConfig::kafka_port},
    {"kafka_controller_port", &StackConfig::kafka_controller_port},
    {"cassandra_port", &StackConfig::cassandra_port},
    {"cassandra_storage_port", &StackConfig::cassandra_storage_port},
    {"console_port", &StackConfig::console_port},
    {"registry_port", &StackConfig::registry_port},
    {"registry_management_port", &StackConfig::registry_management_port},
    {"postgres_port", &StackConfig::postgres_port},
    {"airflow_port", &StackConfig::airflow_port},
};

}  // namespace

std::string kafka_version() { return RDS_KAFKA_VERSION; }
std::string cassandra_version() { return RDS_CASSANDRA_VERSION; }
std::string cqlsh_version() { return RDS_CQLSH_VERSION; }
std::string apicurio_version() { return RDS_APICURIO_VERSION; }
std::string airflow_venv_name() { return RDS_AIRFLOW_VENV; }
std::filesystem::path default_airflow_dags_dir() { return RDS_AIRFLOW_DAGS_DIR; }

std::filesystem::path default_engine_cache() {
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home != nullptr ? home : "/tmp") / ".cache" / "rdstream" / "engines";
}

bool StackConfig::has(ServiceKind kind) const {
  for (auto s : services) {
    if (s == kind) return true;
  }
  return false;
}

int StackConfig::nodes(ServiceKind kind) const {
  if (kind == ServiceKind::kCassandra) return cassandra_nodes;
  if (kind == ServiceKind::kKafka) return kafka_brokers;
  return 1;
}

std::string StackConfig::node_host(int node) const {
  return node <= 1 ? host : fmt::format("127.0.0.{}", node);
}

std::string StackConfig::kafka_bootstrap() const {
  std::string out;
  for (int n = 1; n <= kafka_brokers; ++n) out += fmt::format("{}{}:{}", n > 1 ? "," : "", node_host(n), kafka_port);
  return out;
}

std::filesystem::path StackConfig::service_dir(ServiceKind kind, int node) const {
  const std::string name(to_string(kind));
  return state_dir / (node <= 1 ? name : fmt::format("{}-{}", name, node));
}

std::vector<std::string> StackConfig::problems() const {
  std::vector<std::string> out;
  if (state_dir.empty()) out.push_back("state_dir: must not be empty (use --state-dir DIR)");
  if (host != "127.0.0.1" && host != "localhost") {
    // Binding elsewhere would expose unauthenticated Kafka and PostgreSQL superuser ports.
    out.push_back(fmt::format("host: '{}' is not allowed; the stack binds to 127.0.0.1 only", host));
  }
  std::set<uint16_t> seen;
  for (const auto& p : kPortSettings) {
    const uint16_t value = this->*p.member;
    if (value < 1024) {
      out.push_back(fmt::format("{}: {} is a privileged port; choose one between 1024 and 65535", p.key, value));
    }
    if (!seen.insert(value).second) {
      out.push_back(fmt::format("{}: {} is used twice; every service port must be distinct", p.key, value));
    }
  }
  if (!kafka_advertised_host.empty() && kafka_brokers > 1) {
    out.push_back(fmt::format("kafka_advertised_host: {} is one address, for a single broker; with {} brokers each "
                              "advertises its own 127.0.0.n", kafka_advertised_host, kafka_brokers));
  }
  if (kafka_heap_mb < 128 || kafka_heap_mb > 8192) {
    out.push_back(fmt::format("kafka_heap_mb: {} must be between 128 and 8192", kafka_heap_mb));
  }
  if (cassandra_heap_mb < 512 || cassandra_heap_mb > 8192) {
    out.push_back(fmt::format("cassandra_heap_mb: {} must be between 512 and 8192", cassandra_heap_mb));
  }
  if (start_timeout.count() < 5 || start_timeout.count() > 3600) {
    out.push_back(fmt::format("start_timeout: {} s must be between 5 and 3600", start_timeout.count()));
  }
  for (auto [key, count] : {std::pair{"cassandra_nodes", cassandra_nodes}, std::pair{"kafka_brokers", kafka_brokers}}) {
    if (count < 1 || count > kMaxClusterNodes) {
      out.push_back(fmt::format("{}: {} must be between 1 and {}", key, count, kMaxClusterNodes));
    }
  }
  // JMX ports: one per Cassandra node, all on 127.0.0.1 (Cassandra's local JMX binds loopback).
  for (const auto& p : kPortSettings) {
    const uint16_t value = this->*p.member;
    if (cassandra_nodes > 0 && value >= cassandra_jmx_port && value < cassandra_jmx_port + cassandra_nodes) {
      out.push_back(fmt::format("cassandra_jmx_port: {}..{} (one per node) overlaps {} {}; choose another "
                                "--cassandra-jmx-port", cassandra_jmx_port, cassandra_jmx_port + cassandra_nodes - 1,
                                p.key, value));
    }
  }
  if (cassandra_jmx_port < 1024) {
    out.push_back(fmt::format("cassandra_jmx_port: {} is a privileged port; choose one between 1024 and 65535",
                              cassandra_jmx_port));
  }
  if (only_node < 0) out.push_back(fmt::format("node: {} must be 1 or more", only_node));
  if (services.empty()) out.push_back(fmt::format("services: choose at least one of {}", kServiceNames));
  return out;
}

Status StackConfig::validate() const {
  auto list = problems();
  if (list.empty()) return ok_status();
  std::string message = "invalid stack configuration:";
  for (const auto& p : list) message += "\n  " + p;
  return Error(ErrorCode::kInvalidArgument, message);
}

Status save_state_file(const StackConfig& config) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& p : kPortSettings) j[p.key] = config.*p.member;
  j["with"] = config.with;
  j["cassandra_jmx_port"] = config.cassandra_jmx_port;
  j["cassandra_nodes"] = config.cassandra_nodes;
  j["kafka_brokers"] = config.kafka_brokers;
  j["tls"] = config.tls;
  const auto path = config.state_dir / "stack.json";
  std::ofstream out(path, std::ios::trunc);
  out << j.dump(2) << '\n';
  if (!out) return Error(ErrorCode::kIo, fmt::format("cannot write {}", path.string()));
  return ok_status();
}

Status load_state_file(StackConfig& config) {
  const auto path = config.state_dir / "stack.json";
  std::ifstream in(path);
  if (!in) return ok_status();
  auto j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("{} is corrupt (not a JSON object); delete it and run `rdstream stack up` again",
                             path.string()));
  }
  auto read_port = [&](const char* key, uint16_t& target) -> Status {
    if (!j.contains(key)) return ok_status();
    const auto& v = j[key];
    if (!v.is_number_unsigned() || v.get<uint64_t>() < 1 || v.get<uint64_t>() > 65535) {
      return Error(ErrorCode::kInvalidArgument,
                   fmt::format("{}: '{}' must be a port number; fix or delete the file", path.string(), key));
    }
    target = v.get<uint16_t>();
    return ok_status();
  };
  for (const auto& p : kPortSettings) RDS_TRY(read_port(p.key, config.*p.member));
  RDS_TRY(read_port("cassandra_jmx_port", config.cassandra_jmx_port));
  for (auto [key, target] : {std::pair{"cassandra_nodes", &config.cassandra_nodes},
                             std::pair{"kafka_brokers", &config.kafka_brokers}}) {
    if (!j.contains(key)) continue;
    const auto& v = j[key];
    if (!v.is_number_unsigned() || v.get<uint64_t>() < 1 || v.get<uint64_t>() > kMaxClusterNodes) {
      return Error(ErrorCode::kInvalidArgument,
                   fmt::format("{}: '{}' must be a node count (1..{}); fix or delete the file", path.string(), key,
                               kMaxClusterNodes));
    }
    *target = v.get<int>();
  }
  if (j.contains("tls")) {
    if (!j["tls"].is_boolean()) {
      return Error(ErrorCode::kInvalidArgument,
                   fmt::format("{}: 'tls' must be true or false; fix or delete the file", path.string()));
    }
    config.tls = j["tls"].get<bool>();
  }
  if (j.contains("with")) {
    const auto& w = j["with"];
    config.with.clear();
    for (const auto& name : w.is_array() ? w : nlohmann::json::array({nullptr})) {
      if (!name.is_string()) {
        return Error(ErrorCode::kInvalidArgument,
                     fmt::format("{}: 'with' must be a list of service names; fix or delete the file", path.string()));
      }
      config.with.push_back(name.get<std::string>());
    }
  }
  return ok_status();
}

}  // namespace rds::stack
