#pragma once
// One file per subcommand (cmd_<name>.cc). Each registers itself on the root CLI11 app and sets
// the exit code through the shared ExitCode slot when it runs.

#include <CLI/CLI.hpp>

namespace rds::cli {

// Distinct exit codes so scripts can tell bad config from unreachable services from data errors.
enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,        // generic failure
  kExitUsage = 2,          // bad flags or configuration
  kExitUnavailable = 3,    // a service could not be reached or started
  kExitDataLoss = 4,       // records were not delivered / written
};

struct Globals {
  int exit_code = kExitOk;
};

void register_stack(CLI::App& app, Globals& globals);
void register_mock_api(CLI::App& app, Globals& globals);
void register_ingest(CLI::App& app, Globals& globals);
void register_cql(CLI::App& app, Globals& globals);
void register_process(CLI::App& app, Globals& globals);
void register_run(CLI::App& app, Globals& globals);
void register_config(CLI::App& app, Globals& globals);
void register_console(CLI::App& app, Globals& globals);
void register_schema(CLI::App& app, Globals& globals);
void register_replay(CLI::App& app, Globals& globals);
void register_doctor(CLI::App& app, Globals& globals);

}  // namespace rds::cli
