#include "app/stack_settings.h"

#include <fmt/format.h>

#include <filesystem>
#include <set>

namespace rds::app {
namespace {

// The stack's ports: the settings that hold them and their StackConfig fields, once.
struct PortSetting {
  config::Int config::Settings::Stack::*stack_member;  // null: cassandra.port (clients read it too)
  uint16_t stack::StackConfig::*field;
};

constexpr PortSetting kPorts[] = {
    {&config::Settings::Stack::kafka_port, &stack::StackConfig::kafka_port},
    {&config::Settings::Stack::kafka_controller_port, &stack::StackConfig::kafka_controller_port},
    {nullptr, &stack::StackConfig::cassandra_port},
    {&config::Settings::Stack::cassandra_storage_port, &stack::StackConfig::cassandra_storage_port},
    {&config::Settings::Stack::cassandra_jmx_port, &stack::StackConfig::cassandra_jmx_port},
    {&config::Settings::Stack::postgres_port, &stack::StackConfig::postgres_port},
    {&config::Settings::Stack::console_port, &stack::StackConfig::console_port},
    {&config::Settings::Stack::registry_port, &stack::StackConfig::registry_port},
    {&config::Settings::Stack::registry_management_port, &stack::StackConfig::registry_management_port},
    {&config::Settings::Stack::airflow_port, &stack::StackConfig::airflow_port},
};

const config::Int& port_setting(const config::Settings& s, const PortSetting& p) {
  return p.stack_member != nullptr ? s.stack.*p.stack_member : s.cassandra.port;
}

config::Int& port_setting(config::Settings& s, const PortSetting& p) {
  return p.stack_member != nullptr ? s.stack.*p.stack_member : s.cassandra.port;
}

}  // namespace

Status apply_stack_state(config::Settings& s, uint32_t command) {
  stack::StackConfig remembered;
  remembered.state_dir = s.stack.state_dir();
  std::error_code ec;
  if (!std::filesystem::exists(remembered.state_dir / "stack.json", ec)) return ok_status();
  RDS_TRY(stack::load_state_file(remembered));
  for (const auto& p : kPorts) port_setting(s, p).set(remembered.*p.field, config::Source::kStateFile);
  s.stack.cassandra_nodes.set(remembered.cassandra_nodes, config::Source::kStateFile);
  s.stack.kafka_brokers.set(remembered.kafka_brokers, config::Source::kStateFile);
  s.stack.tls.set(remembered.tls, config::Source::kStateFile);
  if (command != config::kStackUp) {
    if (auto why = s.stack.with.set(remembered.with, config::Source::kStateFile); !why.empty()) {
      return Error(ErrorCode::kInvalidArgument,
                   fmt::format("{}: 'with': {}; fix or delete the file", (remembered.state_dir / "stack.json").string(), why));
    }
  }
  return ok_status();
}

Result<stack::StackConfig> stack_config(const config::Settings& s) {
  const auto& st = s.stack;
  stack::StackConfig config;
  config.state_dir = st.state_dir();
  for (const auto& p : kPorts) config.*p.field = static_cast<uint16_t>(port_setting(s, p)());
  std::error_code ec;
  config.rdstream_binary = std::filesystem::read_symlink("/proc/self/exe", ec);  // the console runs this binary
  config.engine_cache =
      st.engine_cache().empty() ? stack::default_engine_cache() : std::filesystem::path(st.engine_cache());
  config.cassandra_nodes = static_cast<int>(st.cassandra_nodes());
  config.kafka_brokers = static_cast<int>(st.kafka_brokers());
  config.tls = st.tls();
  config.kafka_heap_mb = static_cast<int>(st.kafka_heap_mb());
  config.kafka_advertised_host = st.kafka_advertised_host();
  config.cassandra_heap_mb = static_cast<int>(st.cassandra_heap_mb());
  config.start_timeout = std::chrono::seconds(st.start_timeout_s());
  config.java_home = st.java_home();
  config.registry_java_home = st.registry_java_home();
  config.registry_heap_mb = static_cast<int>(st.registry_heap_mb());
  config.postgres_bin_dir = st.postgres_bin_dir();
  config.postgres_user = st.postgres_user();
  config.postgres_password = st.postgres_password();
  config.airflow_dags_dir =
      st.airflow_dags_dir().empty() ? stack::default_airflow_dags_dir() : std::filesystem::path(st.airflow_dags_dir());
  config.with = st.with();
  // --only's services and --with's, each once, in the order they must start (the enum's: the
  // registry and Airflow after the PostgreSQL they keep their state in). `--only kafka` means
  // Kafka alone: remembered optional services join only a selection not narrowed by --only.
  const bool with_applies = !st.services.is_set() || st.with.source() > config::Source::kStateFile;
  const std::vector<std::string> none;
  std::set<stack::ServiceKind> kinds;
  for (const std::vector<std::string>* names : {&st.services(), with_applies ? &st.with() : &none}) {
    for (const auto& name : *names) {
      auto parsed = stack::parse_service(name);
      if (!parsed.ok()) return parsed.take_error();
      kinds.insert(parsed->begin(), parsed->end());
    }
  }
  config.services.assign(kinds.begin(), kinds.end());
  RDS_TRY(config.validate());
  return config;
}

}  // namespace rds::app
