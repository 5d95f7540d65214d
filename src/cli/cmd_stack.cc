// `rdstream stack up | down | status | logs | stop-node | start-node`: the local engines (src/stack/).
#include <iostream>
#include <memory>
#include <string>

#include "app/stack_settings.h"
#include "cli/commands.h"
#include "cli/setting_flags.h"
#include "core/log.h"
#include "stack/stack.h"

namespace rds::cli {
namespace {

Result<stack::StackConfig> build_config(const config::FlagValues& flags, config::Command command) {
  auto settings = resolve_settings(flags, command);
  if (!settings.ok()) return settings.take_error();
  return app::stack_config(**settings);
}

int report_config_error(const Error& e) {
  std::cerr << "rdstream stack: " << e.message << "\n";
  return kExitUsage;
}

}  // namespace

void register_stack(CLI::App& app, Globals& globals) {
  CLI::App* stack_cmd = app.add_subcommand("stack", "Run Kafka, Cassandra, PostgreSQL, the console, the schema registry (and Airflow) as local processes");
  stack_cmd->require_subcommand(1);
  // One set of flag values per subcommand: only one of them runs.
  auto flags = std::make_shared<config::FlagValues>();

  CLI::App* up = stack_cmd->add_subcommand("up", "Start the engines (idempotent) and wait until they answer");
  add_setting_flags(up, config::kStackUp, *flags);
  up->callback([flags, &globals] {
    auto config = build_config(*flags, config::kStackUp);
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
    auto config = build_config(*flags, config::kStackDown);
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
      std::cout << fmt::format("{:<21} {}\n", s.name, s.detail.empty() ? "not running" : s.detail);
    }
  });

  CLI::App* status = stack_cmd->add_subcommand("status", "Show each engine's state, asking it a real request");
  add_setting_flags(status, config::kStackStatus, *flags);
  status->callback([flags, &globals] {
    auto config = build_config(*flags, config::kStackStatus);
    if (!config.ok()) {
      globals.exit_code = report_config_error(config.error());
      return;
    }
    auto report = stack::Stack(*config).status();
    report.print(std::cout, /*with_hints=*/true);
    globals.exit_code = report.all_healthy() ? kExitOk : kExitUnavailable;
  });

  // One node of a cluster (or the single one): for fault tests and for people trying failures.
  struct NodeArgs {
    std::string service;
    int node = 0;
    bool kill = false;
  };
  auto node_args = std::make_shared<NodeArgs>();
  auto narrowed = [flags, node_args](config::Command command) -> Result<stack::StackConfig> {
    auto config = build_config(*flags, command);
    if (!config.ok()) return config.take_error();
    return stack::Stack::one_node(std::move(*config), node_args->service, node_args->node);
  };

  CLI::App* stop_node = stack_cmd->add_subcommand(
      "stop-node", "Stop one node or broker of the stack (`stack stop-node cassandra 2`) and wait until it is gone");
  stop_node->add_option("service", node_args->service, "kafka or cassandra")->required();
  stop_node->add_option("node", node_args->node, "its number, as `stack status` shows it (1 for a single node)")
      ->required();
  stop_node->add_flag("--kill", node_args->kill, "SIGKILL it at once, as a crash would (no clean shutdown)");
  add_setting_flags(stop_node, config::kStackDown, *flags);
  stop_node->callback([narrowed, node_args, &globals] {
    auto config = narrowed(config::kStackDown);
    if (!config.ok()) {
      globals.exit_code = report_config_error(config.error());
      return;
    }
    auto report = stack::Stack(*config).down(node_args->kill);
    if (!report.ok()) {
      std::cerr << "rdstream stack stop-node: " << report.error().message << "\n";
      globals.exit_code = kExitFailure;
      return;
    }
    for (const auto& s : report->services) {
      std::cout << fmt::format("{:<21} {}\n", s.name, s.detail.empty() ? "not running" : (node_args->kill && s.detail == "stopped" ? "killed" : s.detail));
    }
  });

  CLI::App* start_node = stack_cmd->add_subcommand(
      "start-node", "Start one node or broker of the stack again (`stack start-node cassandra 2`) and wait until it answers");
  start_node->add_option("service", node_args->service, "kafka or cassandra")->required();
  start_node->add_option("node", node_args->node, "its number, as `stack status` shows it")->required();
  add_setting_flags(start_node, config::kStackUp, *flags);
  start_node->callback([narrowed, &globals] {
    auto config = narrowed(config::kStackUp);
    if (!config.ok()) {
      globals.exit_code = report_config_error(config.error());
      return;
    }
    auto report = stack::Stack(*config).up();
    if (!report.ok()) {
      std::cerr << "rdstream stack start-node: " << report.error().message << "\n";
      globals.exit_code = kExitUnavailable;
      return;
    }
    report->print(std::cout, /*with_hints=*/false);
    globals.exit_code = report->all_healthy() ? kExitOk : kExitUnavailable;
  });

  CLI::App* logs = stack_cmd->add_subcommand("logs", "Print the last lines of each engine's log");
  add_setting_flags(logs, config::kStackLogs, *flags);
  logs->callback([flags, &globals] {
    auto config = build_config(*flags, config::kStackLogs);
    auto settings = resolve_settings(*flags, config::kStackLogs);
    if (!config.ok() || !settings.ok()) {
      globals.exit_code = report_config_error(!config.ok() ? config.error() : settings.error());
      return;
    }
    std::cout << stack::Stack(*config).logs(static_cast<int>((*settings)->stack.log_lines()));
  });
}

}  // namespace rds::cli
