// `rdstream process`: the Kafka consumer group that validates records and writes them to
// Cassandra, committing offsets only after Cassandra acknowledged (the seed's Spark job's role).
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/process_flags.h"
#include "core/signals.h"

namespace rds::cli {
namespace {

struct ProcessCommandFlags {
  ProcessFlags process;
  std::string config_file;
  std::string bootstrap = "127.0.0.1:9092";
  std::string topic = "users_created";
  uint64_t count = 0;
};

}  // namespace

void register_process(CLI::App& app, Globals& globals) {
  auto f = std::make_shared<ProcessCommandFlags>();
  CLI::App* cmd = app.add_subcommand("process", "Consume the topic into Cassandra (consumer group, DLQ, commit after write)");
  cmd->add_option("--config", f->config_file, "config.yaml: the table schema (the seed's databases section or rdstream's)")
      ->check(CLI::ExistingFile);
  add_kafka_flags(cmd, f->bootstrap, f->topic);
  add_process_flags(cmd, f->process);
  cmd->add_option("--count", f->count, "stop after this many records were stored or dead-lettered (default: until Ctrl-C)");
  cmd->callback([f, &globals] {
    auto settings = build_process_settings(f->process, f->config_file, f->bootstrap, f->topic);
    if (!settings.ok()) {
      std::cerr << "rdstream process: " << settings.error().message << "\n";
      globals.exit_code = kExitUsage;
      return;
    }
    settings->stop_after_acknowledged = f->count;
    install_stop_signals();
    auto stage = app::ProcessStage::create(*settings);
    if (!stage.ok()) {
      std::cerr << "rdstream process: " << stage.error().message << "\n";
      globals.exit_code = stage.error().code == ErrorCode::kInvalidArgument ? kExitUsage : kExitUnavailable;
      return;
    }
    auto report = (*stage)->run();
    if (!report.ok()) {
      std::cerr << "rdstream process: " << report.error().message << "\n";
      globals.exit_code = kExitUnavailable;
      return;
    }
    // "retries" are the processor's (a partition paused and its rows re-sent); "Cassandra retries"
    // the sink's own re-sends within its retry budget (an outage shorter than it shows only there).
    std::cout << fmt::format(
        "process summary: consumed {}  stored {}  dead-lettered {}  retries {}  Cassandra retries {}  left in flight {}\n",
        report->consumed, report->stored, report->dead_lettered, report->retries,
        (*stage)->sink().probe().snapshot().retries, report->left_in_flight);
  });
}

}  // namespace rds::cli
