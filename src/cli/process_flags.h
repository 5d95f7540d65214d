#pragma once
// The process flags, shared by `rdstream process` and `rdstream run`.

#include <CLI/CLI.hpp>

#include <string>

#include "app/process_stage.h"
#include "cli/cassandra_flags.h"
#include "core/result.h"

namespace rds::cli {

struct ProcessFlags {
  std::string group = "rdstream-process";
  std::string dead_letter_topic;
  int max_in_flight = sink::CassandraSinkConfig::kDefaultMaxInFlight;
  int batch_rows = sink::CassandraSinkConfig::kDefaultBatchMaxRows;
  std::string instance_id;
  int session_timeout_ms = 45'000;
  int64_t commit_interval_ms = kafka::ConsumerConfig::kDefaultCommitInterval.count();
  int prefetch_kbytes = kafka::ConsumerConfig{}.prefetch_kbytes;
  CassandraFlags cassandra;
};

// Adds --group, --instance-id, --session-timeout-ms, --commit-interval-ms, --dlq-topic,
// --max-in-flight, --prefetch-kbytes and the --cassandra-* flags. Kafka and --config come
// from the caller (they are shared with ingest in `run`).
void add_process_flags(CLI::App* cmd, ProcessFlags& flags);

Result<app::ProcessStageSettings> build_process_settings(const ProcessFlags& flags, const std::string& config_file,
                                                         const std::string& bootstrap, const std::string& topic);

}  // namespace rds::cli
