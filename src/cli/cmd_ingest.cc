// `rdstream ingest`: users from a randomuser-compatible API (or the generator) into Kafka.
#include <memory>

#include "app/ingest_stage.h"
#include "cli/setting_flags.h"
#include "core/signals.h"

namespace rds::cli {

void register_ingest(CLI::App& app, Globals& globals) {
  auto flags = std::make_shared<config::FlagValues>();
  CLI::App* cmd = app.add_subcommand("ingest", "Fetch users from a randomuser-compatible API into Kafka");
  add_setting_flags(cmd, config::kIngest, *flags);
  cmd->callback([flags, &globals] {
    auto settings = resolve_settings(*flags, config::kIngest);
    if (!settings.ok()) return settings_failed(settings.error(), "ingest", globals);
    const auto& stop = install_stop_signals();
    finish(app::run_ingest_stage(**settings, stop), "ingest", globals);
  });
}

}  // namespace rds::cli
