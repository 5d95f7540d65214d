#pragma once
// The command line's side of the settings table (config/settings): each command offers the flags
// of the settings it reads, straight from their declarations, and resolves its settings from
// them, the environment and the config file (config/load.h). No command declares a setting flag
// of its own.

#include <CLI/CLI.hpp>

#include <memory>
#include <string>

#include "app/outcome.h"
#include "cli/commands.h"
#include "config/load.h"
#include "config/settings/settings.h"
#include "core/result.h"

namespace rds::cli {

// The table as declared (defaults only): what flags and --help are made from.
const config::Settings& settings_table();

// Adds to `cmd` the flag of every setting `command` reads; the values given land in `values`, by
// setting path, as text (checked when resolved, so every problem is reported the same way).
void add_setting_flags(CLI::App* cmd, config::Command command, config::FlagValues& values);

// A command's settings: defaults < (for the stack commands: the stack's state file) < config file
// < environment < flags. Applies the log level. Errors are kInvalidArgument (or kNotFound for a
// missing file) and name the setting.
Result<std::unique_ptr<config::Settings>> resolve_settings(const config::FlagValues& values, uint32_t command);

// Prints the outcome (summary to stdout, problems to stderr after "rdstream <name>: ") and sets
// the exit code.
void finish(const app::Outcome& outcome, std::string_view name, Globals& globals);
// A settings error: to stderr, exit code kExitUsage.
void settings_failed(const Error& error, std::string_view name, Globals& globals);

}  // namespace rds::cli
