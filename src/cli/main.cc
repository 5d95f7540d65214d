// rdstream: one binary, one subcommand per stage. See README.md.
#include <CLI/CLI.hpp>

#include <string>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"rdstream: randomuser-compatible API -> Kafka -> Cassandra, in one C++ binary"};
  app.require_subcommand(1);
  // Every setting, the log level included, belongs to the command that reads it
  // (src/config/settings); `rdstream config show` prints them all.

  rds::cli::Globals globals;
  rds::cli::register_stack(app, globals);
  rds::cli::register_mock_api(app, globals);
  rds::cli::register_ingest(app, globals);
  rds::cli::register_cql(app, globals);
  rds::cli::register_process(app, globals);
  rds::cli::register_run(app, globals);
  rds::cli::register_config(app, globals);
  rds::cli::register_console(app, globals);
  rds::cli::register_schema(app, globals);
  rds::cli::register_replay(app, globals);
  rds::cli::register_doctor(app, globals);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : rds::cli::kExitUsage;
  }
  return globals.exit_code;
}
