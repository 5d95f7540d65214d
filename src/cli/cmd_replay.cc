// `rdstream replay --from-staging --run ID | --since TIME`: staged records back onto the topic.
#include <memory>

#include "app/replay_stage.h"
#include "cli/setting_flags.h"
#include "core/signals.h"

namespace rds::cli {

void register_replay(CLI::App& app, Globals& globals) {
  auto flags = std::make_shared<config::FlagValues>();
  auto selection = std::make_shared<app::ReplaySelection>();
  auto from_staging = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand("replay", "Re-publish staged records (ingest --staging postgres) to the topic");
  cmd->add_flag("--from-staging", *from_staging, "read them from the staging outbox in PostgreSQL (the one source)")
      ->required();
  cmd->add_option_function<std::string>("--run", [selection](const std::string& v) { selection->run_id = v; },
                                        "the run whose records to replay (its id is in ingest's log)");
  cmd->add_option_function<std::string>("--since", [selection](const std::string& v) { selection->since = v; },
                                        "replay records fetched at or after this time (ISO-8601)");
  add_setting_flags(cmd, config::kReplay, *flags);
  // The flag's target lives as long as the callback that reads it (CLI11 writes through the reference).
  cmd->callback([flags, selection, from_staging, &globals] {
    (void)*from_staging;  // required: CLI11 refuses a command line without it
    auto settings = resolve_settings(*flags, config::kReplay);
    if (!settings.ok()) return settings_failed(settings.error(), "replay", globals);
    const auto& stop = install_stop_signals();
    finish(app::run_replay_stage(**settings, *selection, stop), "replay", globals);
  });
}

}  // namespace rds::cli
