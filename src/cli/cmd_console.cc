// `rdstream console`: the web console on 127.0.0.1:9021 (src/console), the role Confluent Control
// Center had in the seed.
#include <memory>

#include "app/console_stage.h"
#include "cli/setting_flags.h"
#include "core/signals.h"

namespace rds::cli {

void register_console(CLI::App& app, Globals& globals) {
  auto flags = std::make_shared<config::FlagValues>();
  CLI::App* cmd = app.add_subcommand(
      "console", "Serve the web console (pipeline, topics, lag, instances, dead letters, table) on 127.0.0.1:9021");
  add_setting_flags(cmd, config::kConsole, *flags);
  cmd->callback([flags, &globals] {
    auto settings = resolve_settings(*flags, config::kConsole);
    if (!settings.ok()) return settings_failed(settings.error(), "console", globals);
    install_stop_signals();
    finish(app::run_console(**settings), "console", globals);
  });
}

}  // namespace rds::cli
