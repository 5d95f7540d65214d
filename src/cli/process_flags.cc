#include "cli/process_flags.h"

namespace rds::cli {

void add_process_flags(CLI::App* cmd, ProcessFlags& f) {
  cmd->add_option("--group", f.group, "Kafka consumer group (its lag shows in kafka-consumer-groups)")
      ->capture_default_str();
  cmd->add_option("--instance-id", f.instance_id,
                  "static group membership (group.instance.id, unique per member): a member restarted with "
                  "the same id gets its partitions back at once instead of after the session timeout");
  cmd->add_option("--session-timeout-ms", f.session_timeout_ms,
                  "how long the group waits for a silent member before giving its partitions to the others")
      ->check(CLI::Range(1000, 3'600'000))
      ->capture_default_str();
  cmd->add_option("--commit-interval-ms", f.commit_interval_ms,
                  "how often acknowledged offsets are committed (also on revoke and at shutdown)")
      ->check(CLI::Range(int64_t{1}, int64_t{3'600'000}))
      ->capture_default_str();
  cmd->add_option("--dlq-topic", f.dead_letter_topic, "dead-letter topic (default <topic>.dlq)");
  cmd->add_option("--max-in-flight", f.max_in_flight, "Cassandra writes in flight")
      ->check(CLI::Range(1, 32768))
      ->capture_default_str();
  cmd->add_option("--batch-rows", f.batch_rows,
                  "rows that share their replicas go to Cassandra as one unlogged BATCH of at most this many "
                  "(never waiting for more); 1 = one INSERT per request")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option("--prefetch-kbytes", f.prefetch_kbytes,
                  "records fetched ahead from Kafka, in KiB (the largest part of the processor's memory: "
                  "~1.8x this); raise it if polls wait on Kafka")
      ->check(CLI::Range(256, 2'097'151))
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
  s.batch_max_rows = f.batch_rows;
  s.group_instance_id = f.instance_id;
  s.session_timeout_ms = f.session_timeout_ms;
  s.commit_interval = std::chrono::milliseconds(f.commit_interval_ms);
  s.prefetch_kbytes = f.prefetch_kbytes;
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
