// `rdstream schema`: the schema registry from the command line. `subjects` lists subjects and their
// versions; `show` prints a version's schema; `derive` prints the Avro schema the configuration's
// records have (mapping and table); `check` asks the registry whether that schema may be registered
// under `<topic>-value` before anything is deployed.
#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "app/component_configs.h"
#include "cli/setting_flags.h"

namespace rds::cli {
namespace {

struct Context {
  std::unique_ptr<config::Settings> settings;
  std::unique_ptr<registry::RegistryClient> client;
};

// The settings and a client, or the exit code already set and nullopt.
std::optional<Context> open(const config::FlagValues& flags, std::string_view name, Globals& globals, bool client = true) {
  auto settings = resolve_settings(flags, config::kSchema);
  if (!settings.ok()) {
    settings_failed(settings.error(), name, globals);
    return std::nullopt;
  }
  Context c{std::move(*settings), nullptr};
  if (client) {
    auto made = registry::RegistryClient::create(app::registry_config(*c.settings));
    if (!made.ok()) {
      settings_failed(made.error(), name, globals);
      return std::nullopt;
    }
    c.client = std::move(*made);
  }
  return c;
}

int fail(const Error& e, std::string_view name) {
  std::cerr << "rdstream " << name << ": " << e.message << "\n";
  if (e.code == ErrorCode::kUnavailable || e.code == ErrorCode::kTimeout) {
    std::cerr << "  is the schema registry up? `rdstream stack up` starts one on 127.0.0.1:8081\n";
    return kExitUnavailable;
  }
  return e.code == ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
}

std::string pretty(const std::string& schema) {
  const auto j = nlohmann::json::parse(schema, nullptr, false);
  return j.is_discarded() ? schema : j.dump(2);
}

}  // namespace

void register_schema(CLI::App& app, Globals& globals) {
  CLI::App* cmd = app.add_subcommand("schema", "The schema registry: subjects, schemas, and a config's schema checked before deploying");
  cmd->require_subcommand(1);
  // The settings' flags belong to `schema`; each subcommand passes them through (fallthrough), so
  // `rdstream schema check --topic t` works as well as `rdstream schema --topic t check`.
  auto flags = std::make_shared<config::FlagValues>();
  add_setting_flags(cmd, config::kSchema, *flags);

  CLI::App* subjects = cmd->add_subcommand("subjects", "List the registry's subjects and their versions");
  subjects->fallthrough();
  subjects->callback([flags, &globals] {
    auto c = open(*flags, "schema subjects", globals);
    if (!c) return;
    auto list = c->client->subjects();
    if (!list.ok()) return void(globals.exit_code = fail(list.error(), "schema subjects"));
    if (list->empty()) std::cout << "no subjects in " << c->client->url() << "\n";
    for (const auto& subject : *list) {
      auto versions = c->client->versions(subject);
      std::cout << subject << "  versions: "
                << (versions.ok() ? fmt::format("{}", fmt::join(*versions, ", ")) : versions.error().message) << "\n";
    }
  });

  auto subject = std::make_shared<std::string>();
  auto version = std::make_shared<std::string>("latest");
  CLI::App* show = cmd->add_subcommand("show", "Print a subject's schema (default: <topic>-value, latest)");
  show->add_option("subject", *subject, "the subject (default: the topic's value subject)");
  show->add_option("--version", *version, "a version number, or latest")->capture_default_str();
  show->fallthrough();
  show->callback([flags, subject, version, &globals] {
    auto c = open(*flags, "schema show", globals);
    if (!c) return;
    const std::string name = subject->empty() ? registry::value_subject(c->settings->kafka.topic()) : *subject;
    auto v = c->client->version(name, *version);
    if (!v.ok()) return void(globals.exit_code = fail(v.error(), "schema show"));
    std::cout << fmt::format("# {} version {} (id {})\n{}\n", v->subject, v->version, v->id, pretty(v->schema));
  });

  CLI::App* derive = cmd->add_subcommand("derive", "Print the Avro schema of the records this configuration produces");
  derive->fallthrough();
  derive->callback([flags, &globals] {
    auto c = open(*flags, "schema derive", globals, /*client=*/false);
    if (!c) return;
    auto schema = app::record_avro_schema(*c->settings);
    if (!schema.ok()) return settings_failed(schema.error(), "schema derive", globals);
    std::cout << pretty(*schema) << "\n";
  });

  CLI::App* check = cmd->add_subcommand(
      "check", "Ask the registry whether this configuration's schema may be registered under <topic>-value");
  check->fallthrough();
  check->callback([flags, &globals] {
    auto c = open(*flags, "schema check", globals);
    if (!c) return;
    auto schema = app::record_avro_schema(*c->settings);
    if (!schema.ok()) return settings_failed(schema.error(), "schema check", globals);
    const std::string name = registry::value_subject(c->settings->kafka.topic());
    auto versions = c->client->versions(name);
    if (!versions.ok() && versions.error().code == ErrorCode::kNotFound) {
      std::cout << name << ": no version yet; this schema would be its version 1\n";
      return;
    }
    if (!versions.ok()) return void(globals.exit_code = fail(versions.error(), "schema check"));
    auto result = c->client->check(name, *schema);
    if (!result.ok()) return void(globals.exit_code = fail(result.error(), "schema check"));
    if (result->compatible) {
      std::cout << name << ": compatible with its latest version; it may be registered\n";
      return;
    }
    std::cerr << "rdstream schema check: " << name << ": not compatible with its latest version";
    for (const auto& m : result->messages) std::cerr << "\n  " << m;
    std::cerr << "\n  fix: give an added field a default, keep the removed ones' defaults, keep the types "
                 "(BACKWARD compatibility), or use another topic\n";
    globals.exit_code = kExitUsage;
  });
}

}  // namespace rds::cli
