// `rdstream stack up | down | status | logs`: the local engines (see src/stack/README.md).
#include <iostream>
#include <memory>
#include <filesystem>
#include <string>

#include "cli/commands.h"
#include "cli/setting_flags.h"
#include "core/log.h"
#include "stack/stack.h"

namespace rds::cli {
namespace {

// The stack's ports: the settings that hold them and their StackConfig fields, once.
struct PortSetting {
  config::Int config::Settings::Stack::*stack_member;  // or null: cassandra.port
  uint16_t stack::StackConfig::*field;
};

config::Int& port_setting(config::Settings& s, const PortSetting& p) {
  return p.stack_member != nullptr ? s.stack.*p.stack_member : s.cassandra.port;
}

constexpr PortSetting kPorts[] = {
    {&config::Settings::Stack::kafka_port, &stack::StackConfig::kafka_port},
    {&config::Settings::Stack::kafka_controller_port, &stack::StackConfig::kafka_controller_port},
    {nullptr, &stack::StackConfig::cassandra_port},
    {&config::Settings::Stack::cassandra_storage_port, &stack::StackConfig::cassandra_storage_port},
    {&config::Settings::Stack::postgres_port, &stack::StackConfig::postgres_port},
};

// defaults < <state_dir>/stack.json (the ports the last `up` used) < environment < flags: the
// remembered ports go in as Source::kStateFile, below what the environment and the flags set.
Result<stack::StackConfig> build_config(const config::FlagValues& flags) {
  auto resolved = resolve_settings(flags);
  if (!resolved.ok()) return resolved.take_error();
  config::Settings& s = **resolved;
  const auto& st = s.stack;
  stack::StackConfig config;
  config.state_dir = st.state_dir();
  if (std::filesystem::exists(config.state_dir / "stack.json")) {
    stack::StackConfig remembered;
    remembered.state_dir = config.state_dir;
    RDS_TRY(stack::load_state_file(remembered));
    for (const auto& p : kPorts) port_setting(s, p).set(remembered.*p.field, config::Source::kStateFile);
  }
  for (const auto& p : kPorts) config.*p.field = static_cast<uint16_t>(port_setting(s, p)());
  config.engine_cache = st.engine_cache().empty() ? stack::default_engine_cache() : std::filesystem::path(st.engine_cache());
  config.kafka_heap_mb = static_cast<int>(st.kafka_heap_mb());
  config.cassandra_heap_mb = static_cast<int>(st.cassandra_heap_mb());
  config.start_timeout = std::chrono::seconds(st.start_timeout_s());
  config.java_home = st.java_home();
  config.postgres_bin_dir = st.postgres_bin_dir();
  config.postgres_user = st.postgres_user();
  config.postgres_password = st.postgres_password();
  config.services.clear();
  for (const auto& name : st.services()) {
    auto kind = stack::parse_service(name);
    if (!kind.ok()) return kind.take_error();
    config.services.push_back(*kind);
  }
  RDS_TRY(config.validate());
  return config;
}

int report_config_error(const Error& e) {
  std::cerr << "rdstream stack: " << e.message << "\n";
  return kExitUsage;
}

}  // namespace

void register_stack(CLI::App& app, Globals& globals) {
  CLI::App* stack_cmd = app.add_subcommand("stack", "Run Kafka, Cassandra and PostgreSQL as local processes");
  stack_cmd->require_subcommand(1);
  // One set of flag values per subcommand: only one of them runs.
  auto flags = std::make_shared<config::FlagValues>();

  CLI::App* up = stack_cmd->add_subcommand("up", "Start the engines (idempotent) and wait until they answer");
  add_setting_flags(up, config::kStackUp, *flags);
  up->callback([flags, &globals] {
    auto config = build_config(*flags);
    if (!config.ok()) {
      globals.exit_code = report_config_error(config.error());
      return;
    }
    stack::Stack stack(*config);
    auto report = stack.up();
    if (!report.ok()) {
      std::cerr << "rdstream stack up: " << report.error().message << "\n";
      globals.exit_code = kExitUnavailable;
      return;
    }
    report->print(std::cout, /*with_hints=*/true);
    globals.exit_code = report->all_healthy() ? kExitOk : kExitUnavailable;
  });

  CLI::App* down = stack_cmd->add_subcommand("down", "Stop the engines this stack started and wait for them");
  add_setting_flags(down, config::kStackDown, *flags);
  down->callback([flags, &globals] {
    auto config = build_config(*flags);
    if (!config.ok()) {
      globals.exit_code = report_config_error(config.error());
      return;
    }
    stack::Stack stack(*config);
    auto report = stack.down();
    if (!report.ok()) {
      std::cerr << "rdstream stack down: " << report.error().message << "\n";
      globals.exit_code = kExitFailure;
      return;
    }
    for (const auto& s : report->services) {
      std::cout << fmt::format("{:<10} {}\n", stack::to_string(s.kind), s.detail.empty() ? "not running" : s.detail);
    }
  });

  CLI::App* status = stack_cmd->add_subcommand("status", "Show each engine's state, asking it a real request");
  add_setting_flags(status, config::kStackStatus, *flags);
  status->callback([flags, &globals] {
    auto config = build_config(*flags);
    if (!config.ok()) {
      globals.exit_code = report_config_error(config.error());
      return;
    }
    auto report = stack::Stack(*config).status();
    report.print(std::cout, /*with_hints=*/true);
    globals.exit_code = report.all_healthy() ? kExitOk : kExitUnavailable;
  });

  CLI::App* logs = stack_cmd->add_subcommand("logs", "Print the last lines of each engine's log");
  add_setting_flags(logs, config::kStackLogs, *flags);
  logs->callback([flags, &globals] {
    auto config = build_config(*flags);
    auto settings = resolve_settings(*flags);
    if (!config.ok() || !settings.ok()) {
      globals.exit_code = report_config_error(!config.ok() ? config.error() : settings.error());
      return;
    }
    std::cout << stack::Stack(*config).logs(static_cast<int>((*settings)->stack.log_lines()));
  });
}

}  // namespace rds::cli
