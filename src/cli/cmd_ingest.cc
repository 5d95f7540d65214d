// `rdstream ingest`: users from a randomuser-compatible API (or the generator) into Kafka.
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/ingest_flags.h"
#include "core/log.h"
#include "core/signals.h"

namespace rds::cli {

void register_ingest(CLI::App& app, Globals& globals) {
  auto f = std::make_shared<IngestFlags>();
  CLI::App* cmd = app.add_subcommand("ingest", "Fetch users from a randomuser-compatible API into Kafka");
  add_ingest_flags(cmd, *f);
  cmd->callback([f, cmd, &globals] {
    auto plan = build_ingest_plan(*f, *cmd);
    if (!plan.ok()) {
      std::cerr << "rdstream ingest: " << plan.error().message << "\n";
      globals.exit_code = kExitUsage;
      return;
    }
    log::info("ingest", "seed {} (pass --seed {} to replay this run)", plan->seed, plan->seed);
    const auto& stop = install_stop_signals();
    auto summary = ingest::run_ingest(*plan->source, plan->options, stop);
    if (!summary.ok()) {
      std::cerr << "rdstream ingest: " << summary.error().message << "\n";
      globals.exit_code = summary.error().code == ErrorCode::kInvalidArgument ? kExitUsage : kExitUnavailable;
      return;
    }
    std::cout << "ingest summary: " << summary->to_text() << "\n";
    if (!summary->complete()) {
      if (!summary->source_error.empty()) std::cerr << "rdstream ingest: stopped early: " << summary->source_error << "\n";
      if (summary->failed > 0 || summary->undelivered > 0) {
        globals.exit_code = kExitDataLoss;
      } else {
        globals.exit_code = summary->source_error_code == ErrorCode::kInvalidArgument ? kExitUsage : kExitUnavailable;
      }
    }
  });
}

}  // namespace rds::cli
