#include "cli/setting_flags.h"

#include <fmt/format.h>

#include <iostream>

#include "app/stack_settings.h"
#include "core/log.h"

namespace rds::cli {

const config::Settings& settings_table() {
  static const config::Settings table;
  return table;
}

namespace {

// What --help shows after a flag: TEXT, INT, NUMBER, BOOL, LIST or K=V,...
std::string flag_type(const std::string& type_doc) {
  static const std::pair<std::string_view, std::string_view> kTypes[] = {
      {"string", "TEXT"}, {"integer", "INT"}, {"number", "NUMBER"}, {"true or false", "BOOL"},
      {"list", "LIST"},   {"map", "K=V,..."}};
  for (const auto& [prefix, name] : kTypes) {
    if (type_doc.rfind(prefix, 0) == 0) return std::string(name);
  }
  return "VALUE";
}

}  // namespace

void add_setting_flags(CLI::App* cmd, config::Command command, config::FlagValues& values) {
  for (const config::PropertyBase* p : settings_table().registry().all()) {
    const config::Meta& meta = p->meta();
    if (meta.flag.empty() || (meta.commands & command) == 0) continue;
    std::string help(meta.description);
    if (!meta.env.empty()) help += fmt::format(" (env {})", meta.env);
    const std::string path(p->path());
    // A true-or-false setting's flag alone means true (`--tls`); `--tls=false` turns it off.
    const bool boolean = flag_type(p->type_doc()) == "BOOL";
    CLI::Option* option = cmd->add_option(
        std::string(meta.flag),
        [&values, path, boolean](const CLI::results_t& given) {
          auto& slot = values[path];
          if (boolean && (given.empty() || (given.size() == 1 && given.front().empty()))) {
            slot.emplace_back("true");
            return true;
          }
          slot.insert(slot.end(), given.begin(), given.end());
          return true;
        },
        help);
    option->type_name(flag_type(p->type_doc()));
    if (boolean) option->expected(0, 1);
    // CLI11 hands an option given without its value its default string: none, for `--tls` to mean true.
    option->default_str(boolean ? std::string() : p->default_yaml());
    // A list flag may be repeated (--nat GB --nat US) or comma-separated; a repeated scalar
    // flag: the last one wins.
    option->multi_option_policy(p->is_list() ? CLI::MultiOptionPolicy::TakeAll : CLI::MultiOptionPolicy::TakeLast);
  }
}

Result<std::unique_ptr<config::Settings>> resolve_settings(const config::FlagValues& values, uint32_t command) {
  auto settings = std::make_unique<config::Settings>();
  RDS_TRY(config::resolve(settings->registry(), values, config::process_environment(), &settings->general.config_file));
  if ((command & config::kStack) != 0) RDS_TRY(app::apply_stack_state(*settings, command));
  log::Level level = log::Level::kInfo;
  log::parse_level(settings->general.log_level(), &level);
  log::set_level(level);
  return settings;
}

void finish(const app::Outcome& outcome, std::string_view name, Globals& globals) {
  std::cout << outcome.summary << std::flush;
  if (!outcome.problem.empty()) std::cerr << "rdstream " << name << ": " << outcome.problem;
  switch (outcome.kind) {
    case app::Outcome::Kind::kOk: globals.exit_code = kExitOk; break;
    case app::Outcome::Kind::kBadSettings: globals.exit_code = kExitUsage; break;
    case app::Outcome::Kind::kUnavailable: globals.exit_code = kExitUnavailable; break;
    case app::Outcome::Kind::kDataLoss: globals.exit_code = kExitDataLoss; break;
  }
}

void settings_failed(const Error& error, std::string_view name, Globals& globals) {
  std::cerr << "rdstream " << name << ": " << error.message << "\n";
  globals.exit_code = kExitUsage;
}

}  // namespace rds::cli
