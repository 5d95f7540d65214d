#include "cli/process_flags.h"

namespace rds::cli {

void add_process_flags(CLI::App* cmd, ProcessFlags& f) {
  cmd->add_option("--group", f.group, "Kafka consumer group (its lag shows in kafka-consumer-groups)")
      ->capture_default_str();
  cmd->add_option("--dlq-topic", f.dead_letter_topic, "dead-letter topic (default <topic>.dlq)");
  cmd->add_option("--max-in-flight", f.max_in_flight, "Cassandra writes in flight")
      ->check(CLI::Range(1, 32768))
      ->capture_default_str();
  add_cassandra_flags(cmd, f.cassandra, "cassandra-");
}

Result<app::ProcessStageSettings> build_process_settings(const ProcessFlags& f, const std::string& config_file,
                                                         const std::string& bootstrap, const std::string& topic) {
  app::ProcessStageSettings s;
  s.config_file = config_file;
  s.bootstrap_servers = bootstrap;
  s.topic = topic;
  s.group_id = f.group;
  s.dead_letter_topic = f.dead_letter_topic;
  s.max_in_flight = f.max_in_flight;
  auto consistency = parse_consistency(f.cassandra.consistency);
  if (!consistency.ok()) return consistency.take_error();
  s.consistency = *consistency;
  auto credentials = resolve_credentials(f.cassandra);
  if (!credentials.ok()) return credentials.take_error();
  s.cassandra.contact_points = {f.cassandra.host};
  s.cassandra.port = f.cassandra.port;
  s.cassandra.credentials = *credentials;
  RDS_TRY(s.cassandra.validate());
  return s;
}

}  // namespace rds::cli
