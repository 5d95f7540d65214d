// `rdstream run`: the main job, ingest and process together (src/app/run_stage.h).
#include <memory>

#include "app/run_stage.h"
#include "cli/setting_flags.h"
#include "core/signals.h"

namespace rds::cli {

void register_run(CLI::App& app, Globals& globals) {
  auto flags = std::make_shared<config::FlagValues>();
  CLI::App* cmd = app.add_subcommand("run", "The main job: ingest and process together, then a summary");
  add_setting_flags(cmd, config::kRun, *flags);
  cmd->callback([flags, &globals] {
    auto settings = resolve_settings(*flags, config::kRun);
    if (!settings.ok()) return settings_failed(settings.error(), "run", globals);
    const auto& stop = install_stop_signals();
    finish(app::run_pipeline(**settings, stop), "run", globals);
  });
}

}  // namespace rds::cli
