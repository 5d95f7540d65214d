// rdstream: one binary, one subcommand per stage. See README.md.
#include <CLI/CLI.hpp>

#include <string>

#include "cli/commands.h"
#include "core/log.h"

int main(int argc, char** argv) {
  CLI::App app{"rdstream: randomuser-compatible API -> Kafka -> Cassandra, in one C++ binary"};
  app.require_subcommand(1);
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "debug | info | warn | error | off")
      ->check(CLI::IsMember({"debug", "info", "warn", "error", "off"}))
      ->envname("RDSTREAM_LOG_LEVEL");
  app.parse_complete_callback([&] {
    rds::log::Level level = rds::log::Level::kInfo;
    rds::log::parse_level(log_level, &level);
    rds::log::set_level(level);
  });

  rds::cli::Globals globals;
  rds::cli::register_stack(app, globals);
  rds::cli::register_mock_api(app, globals);
  rds::cli::register_ingest(app, globals);
  rds::cli::register_cql(app, globals);
  rds::cli::register_process(app, globals);
  rds::cli::register_run(app, globals);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : rds::cli::kExitUsage;
  }
  return globals.exit_code;
}
