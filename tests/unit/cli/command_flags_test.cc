// Every flag a command offers comes from the settings table, and every flag in the table is
// offered by the commands that read the setting: a flag added by hand to a command, or a table
// flag no command offers, fails here.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "cli/commands.h"
#include "cli/setting_flags.h"

namespace rds::cli {
namespace {

std::set<std::string> flag_names(std::string_view spec) {
  std::set<std::string> names;
  std::stringstream in{std::string(spec)};
  for (std::string name; std::getline(in, name, ',');) names.insert(name);
  return names;
}

// The flags `cmd` offers, as typed ("--topic", "-u"), without --help and positionals.
std::set<std::string> offered(const CLI::App* cmd) {
  std::set<std::string> names;
  for (const CLI::Option* option : cmd->get_options()) {
    for (const auto& n : option->get_lnames()) {
      if (n != "help") names.insert("--" + n);
    }
    for (const auto& n : option->get_snames()) {
      if (n != "h") names.insert("-" + n);
    }
  }
  return names;
}

std::set<std::string> declared(config::Command command) {
  std::set<std::string> names;
  for (const config::PropertyBase* p : settings_table().registry().all()) {
    if (p->meta().flag.empty() || (p->meta().commands & command) == 0) continue;
    for (const auto& n : flag_names(p->meta().flag)) {
      EXPECT_TRUE(names.insert(n).second) << n << " is declared twice for one command (" << p->path() << ")";
    }
  }
  return names;
}

const CLI::App* find_command(const CLI::App& app, std::string_view name) {
  const CLI::App* cmd = &app;
  std::stringstream in{std::string(name)};
  for (std::string part; std::getline(in, part, ' ');) cmd = const_cast<CLI::App*>(cmd)->get_subcommand(part);
  return cmd;
}

struct Registered {
  CLI::App app;
  Globals globals;
  Registered() {
    register_stack(app, globals);
    register_mock_api(app, globals);
    register_ingest(app, globals);
    register_cql(app, globals);
    register_process(app, globals);
    register_run(app, globals);
    register_config(app, globals);
    register_console(app, globals);
    register_schema(app, globals);
    register_replay(app, globals);
  }
};

// A command's own flags that are not settings: what one invocation acts on, never configuration.
std::set<std::string> own_flags(config::Command command) {
  if (command == config::kReplay) return {"--from-staging", "--run", "--since"};
  return {};
}

TEST(CommandFlagsTest, EveryCommandOffersExactlyTheTablesFlags) {
  Registered r;
  for (const auto& [command, name] : config::command_names()) {
    const CLI::App* cmd = find_command(r.app, name);
    ASSERT_NE(cmd, nullptr) << name;
    std::set<std::string> expected = declared(command);
    for (const auto& f : own_flags(command)) expected.insert(f);
    EXPECT_EQ(offered(cmd), expected) << "rdstream " << name;
    // `config show <command>` takes the same flags, so that it shows what the command would run with.
    std::string show_name(name);
    for (auto& c : show_name) c = c == ' ' ? '-' : c;
    const CLI::App* show = find_command(r.app, "config show " + show_name);
    EXPECT_EQ(offered(show), declared(command)) << "rdstream config show " << show_name;
  }
}

TEST(CommandFlagsTest, EveryTableFlagBelongsToACommand) {
  uint32_t all = 0;
  for (const auto& c : config::command_names()) all |= c.command;
  for (const config::PropertyBase* p : settings_table().registry().all()) {
    EXPECT_NE(p->meta().commands & all, 0u) << p->path() << " is read by no command";
    EXPECT_EQ(p->meta().commands & ~all, 0u) << p->path() << " names an unknown command";
  }
}

// The acceptance check: a typo in the cassandra section stops `rdstream process` with the
// hint and exit code 2, before it connects to anything (nothing listens on the port given).
TEST(CommandFlagsTest, ATypoStopsProcessBeforeItConnects) {
  const std::string file = testing::TempDir() + "/typo.yaml";
  std::ofstream(file) << "cassandra:\n  contact_point: x\n";
  Registered r;
  const char* argv[] = {"rdstream", "process", "--config", file.c_str(), "--cassandra-port", "1"};
  testing::internal::CaptureStderr();
  r.app.parse(6, const_cast<char**>(argv));
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(r.globals.exit_code, kExitUsage);
  EXPECT_NE(err.find("cassandra.contact_point: unknown key; did you mean contact_points?"), std::string::npos) << err;
  EXPECT_EQ(err.find("connecting"), std::string::npos) << err;
}

}  // namespace
}  // namespace rds::cli
