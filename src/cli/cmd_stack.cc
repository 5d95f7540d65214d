// `rdstream stack up | down | status | logs`: the local engines (see src/stack/README.md).
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "cli/commands.h"
#include "core/log.h"
#include "stack/stack.h"

namespace rds::cli {
namespace {

struct StackFlags {
  std::optional<std::string> state_dir;
  std::optional<uint16_t> kafka_port, kafka_controller_port, cassandra_port, cassandra_storage_port, postgres_port;
  std::optional<int> kafka_heap_mb, cassandra_heap_mb, start_timeout_s;
  std::vector<std::string> only;
  int log_lines = 50;
};

void add_common_flags(CLI::App* cmd, StackFlags& f) {
  cmd->add_option("--state-dir", f.state_dir, "directory for all stack state (default ./var; env RDSTREAM_STATE_DIR)");
  cmd->add_option("--only", f.only, "services to act on: kafka, cassandra, postgres (default all)")
      ->delimiter(',')
      ->check(CLI::IsMember({"kafka", "cassandra", "postgres"}));
  cmd->add_option("--kafka-port", f.kafka_port, "Kafka client port (default 9092)");
  cmd->add_option("--kafka-controller-port", f.kafka_controller_port, "KRaft controller port (default 9093)");
  cmd->add_option("--cassandra-port", f.cassandra_port, "CQL native port (default 9042)");
  cmd->add_option("--cassandra-storage-port", f.cassandra_storage_port, "Cassandra internode port (default 7000)");
  cmd->add_option("--postgres-port", f.postgres_port, "PostgreSQL port (default 5432)");
}

// defaults < <state_dir>/stack.json < RDSTREAM_* environment < flags.
Result<stack::StackConfig> build_config(const StackFlags& f) {
  stack::StackConfig config;
  config.engine_cache = stack::default_engine_cache();
  RDS_TRY(stack::apply_environment(config));
  if (f.state_dir) config.state_dir = *f.state_dir;
  RDS_TRY(stack::load_state_file(config));
  RDS_TRY(stack::apply_environment(config));  // the environment wins over the remembered ports
  if (f.kafka_port) config.kafka_port = *f.kafka_port;
  if (f.kafka_controller_port) config.kafka_controller_port = *f.kafka_controller_port;
  if (f.cassandra_port) config.cassandra_port = *f.cassandra_port;
  if (f.cassandra_storage_port) config.cassandra_storage_port = *f.cassandra_storage_port;
  if (f.postgres_port) config.postgres_port = *f.postgres_port;
  if (f.kafka_heap_mb) config.kafka_heap_mb = *f.kafka_heap_mb;
  if (f.cassandra_heap_mb) config.cassandra_heap_mb = *f.cassandra_heap_mb;
  if (f.start_timeout_s) config.start_timeout = std::chrono::seconds(*f.start_timeout_s);
  if (!f.only.empty()) {
    config.services.clear();
    for (const auto& name : f.only) {
      auto kind = stack::parse_service(name);
      if (!kind.ok()) return kind.take_error();
      config.services.push_back(*kind);
    }
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
  auto flags = std::make_shared<StackFlags>();
  CLI::App* stack_cmd = app.add_subcommand("stack", "Run Kafka, Cassandra and PostgreSQL as local processes");
  stack_cmd->require_subcommand(1);

  CLI::App* up = stack_cmd->add_subcommand("up", "Start the engines (idempotent) and wait until they answer");
  add_common_flags(up, *flags);
  up->add_option("--kafka-heap-mb", flags->kafka_heap_mb, "Kafka JVM heap (default 512)");
  up->add_option("--cassandra-heap-mb", flags->cassandra_heap_mb, "Cassandra JVM heap (default 1024)");
  up->add_option("--start-timeout", flags->start_timeout_s, "seconds each engine may take to answer (default 240)");
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
  add_common_flags(down, *flags);
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
  add_common_flags(status, *flags);
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
  add_common_flags(logs, *flags);
  logs->add_option("-n,--lines", flags->log_lines, "lines per service")->check(CLI::Range(1, 100000));
  logs->callback([flags, &globals] {
    auto config = build_config(*flags);
    if (!config.ok()) {
      globals.exit_code = report_config_error(config.error());
      return;
    }
    std::cout << stack::Stack(*config).logs(flags->log_lines);
  });
}

}  // namespace rds::cli
