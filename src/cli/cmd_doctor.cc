// `rdstream doctor`: checks what `rdstream run` would use with the same configuration and flags
// (so `rdstream run ...` becomes `rdstream doctor ...`), and names each problem with its fix.
// Exit 0 when nothing is wrong (warnings allowed), 1 when a problem was found.
#include <algorithm>
#include <iostream>
#include <memory>

#include "app/component_configs.h"
#include "cli/setting_flags.h"
#include "doctor/doctor.h"

namespace rds::cli {
namespace {

Result<doctor::DoctorConfig> doctor_config(const config::Settings& s, int instances) {
  auto configs = app::process_configs(s);
  if (!configs.ok()) return configs.take_error();
  doctor::DoctorConfig c;
  c.bootstrap_servers = s.kafka.bootstrap_servers();
  auto properties = app::kafka_client_properties(s);
  if (!properties.ok()) return properties.take_error();
  c.kafka_properties.insert(properties->begin(), properties->end());
  c.topic = s.kafka.topic();
  c.instances = instances;
  c.contact_points = configs->session.contact_points;
  c.cassandra_port = configs->session.port;
  c.credentials = configs->session.credentials;
  c.tls = configs->session.tls;
  c.consistency = configs->session.default_consistency;
  const auto& table = configs->table;
  c.keyspace = table.keyspace;
  c.table = table.table;
  // As process_stage creates it: the configured factor, else min(3, nodes) (known only there).
  c.replication_factor_to_create =
      s.cassandra.replication.is_set() && table.replication.strategy == "SimpleStrategy" ? table.replication.replication_factor : 0;
  for (const auto& col : table.columns) c.columns.push_back({col.name, col.type.to_cql()});
  return c;
}

}  // namespace

void register_doctor(CLI::App& app, Globals& globals) {
  auto flags = std::make_shared<config::FlagValues>();
  auto instances = std::make_shared<int>(1);
  CLI::App* cmd = app.add_subcommand(
      "doctor", "Check what `run` would use (the same flags): hosts, TLS, credentials, listeners, topic, keyspace, "
                "clocks, columns; each problem with its fix");
  add_setting_flags(cmd, config::kRun, *flags);
  cmd->add_option("--instances", *instances, "how many `rdstream process` instances will share the topic")
      ->check(CLI::Range(1, 10'000));
  cmd->callback([flags, instances, &globals] {
    auto settings = resolve_settings(*flags, config::kRun);
    if (!settings.ok()) return settings_failed(settings.error(), "doctor", globals);
    auto config = doctor_config(**settings, *instances);
    if (!config.ok()) return settings_failed(config.error(), "doctor", globals);
    std::cout << "rdstream doctor: Kafka at " << config->bootstrap_servers << ", Cassandra at "
              << config->contact_points.front() << ":" << config->cassandra_port << "\n\n";
    const auto report = doctor::run_doctor(*config);
    report.print(std::cout);
    globals.exit_code = report.problems() > 0 ? kExitFailure : kExitOk;
  });
}

}  // namespace rds::cli
