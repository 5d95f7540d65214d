// `rdstream config show | check | example`: the settings table (src/config/settings) from the
// outside. `show` prints what a command would run with and where each value came from; `check`
// validates a file without connecting to anything; `example` prints every setting a file can
// hold, with its default (config.example.yaml is its output).
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "app/component_configs.h"
#include "cli/setting_flags.h"

namespace rds::cli {
namespace {

int show(const config::FlagValues& flags, uint32_t commands, std::string_view name) {
  auto settings = resolve_settings(flags, commands);
  if (!settings.ok()) {
    std::cerr << "rdstream config show: " << settings.error().message << "\n";
    return kExitUsage;
  }
  if (!name.empty()) std::cout << fmt::format("# the settings of `rdstream {}`\n", name);
  std::cout << config::render_effective((*settings)->registry(), commands);
  return kExitOk;
}

}  // namespace

void register_config(CLI::App& app, Globals& globals) {
  CLI::App* cmd = app.add_subcommand("config", "Show, check or write out rdstream's settings");
  cmd->require_subcommand(1);

  // `config show`: every setting; `config show COMMAND [its flags]`: that command's, with its flags.
  CLI::App* show_cmd = cmd->add_subcommand(
      "show", "Print the effective settings (secrets redacted) and where each came from: default, file, environment, "
              "flag. Name a command to see its settings and give its flags.");
  auto all_flags = std::make_shared<config::FlagValues>();
  show_cmd->add_option("--config", [all_flags](const CLI::results_t& r) {
    (*all_flags)["config_file"] = r;
    return true;
  }, "the YAML config file");
  show_cmd->callback([show_cmd, all_flags, &globals] {
    if (show_cmd->get_subcommands().empty()) globals.exit_code = show(*all_flags, 0, "");
  });
  for (const auto& [command, name] : config::command_names()) {
    std::string sub_name(name);
    for (auto& c : sub_name) c = c == ' ' ? '-' : c;  // "stack up" -> "stack-up"
    auto flags = std::make_shared<config::FlagValues>();
    CLI::App* sub = show_cmd->add_subcommand(sub_name, fmt::format("the settings of `rdstream {}`", name));
    add_setting_flags(sub, command, *flags);
    sub->callback([flags, command = command, name = name, &globals] {
      globals.exit_code = show(*flags, command, name);
    });
  }

  CLI::App* check_cmd = cmd->add_subcommand(
      "check", "Validate a config file (the seed's config.yaml or rdstream's) without connecting to anything");
  auto file = std::make_shared<std::string>();
  check_cmd->add_option("file", *file, "the YAML file")->required();
  check_cmd->callback([file, &globals] {
    config::Settings settings;
    Status loaded = config::apply_file(settings.registry(), *file);
    Status checked = loaded.ok() ? app::check_settings(settings) : loaded;
    if (!checked.ok()) {
      std::cerr << "rdstream config check: " << checked.error().message << "\n";
      globals.exit_code = kExitUsage;
      return;
    }
    std::cout << *file << ": ok\n";
  });

  CLI::App* example_cmd =
      cmd->add_subcommand("example", "Print every setting a config file can hold, documented, with its default");
  example_cmd->callback([] { std::cout << config::render_example(settings_table().registry()); });
}

}  // namespace rds::cli
