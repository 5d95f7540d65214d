// `rdstream process`: the Kafka consumer group that validates records and writes them to
// Cassandra, committing offsets only after Cassandra acknowledged (the seed's Spark job's role).
#include <memory>

#include "app/run_stage.h"
#include "cli/setting_flags.h"
#include "core/signals.h"

namespace rds::cli {

void register_process(CLI::App& app, Globals& globals) {
  auto flags = std::make_shared<config::FlagValues>();
  CLI::App* cmd =
      app.add_subcommand("process", "Consume the topic into Cassandra (consumer group, DLQ, commit after write)");
  add_setting_flags(cmd, config::kProcess, *flags);
  cmd->callback([flags, &globals] {
    auto settings = resolve_settings(*flags, config::kProcess);
    if (!settings.ok()) return settings_failed(settings.error(), "process", globals);
    install_stop_signals();
    finish(app::run_process_stage(**settings), "process", globals);
  });
}

}  // namespace rds::cli
