#pragma once
// From the settings table to each component's config: the one place where a setting meets the
// component that uses it. Pure: nothing here connects to anything (a password file and a DDL
// file are the only things read), so `rdstream config check` runs all of it to validate a file.
// Errors name the setting's path and what to change.

#include <memory>
#include <string>

#include "cassandra/session.h"
#include "config/settings/settings.h"
#include "core/result.h"
#include "ingest/api_source.h"
#include "ingest/ingest_job.h"
#include "ingest/record_source.h"
#include "kafka/consumer.h"
#include "kafka/producer.h"
#include "mapping/mapping_config.h"
#include "process/dead_letter.h"
#include "process/processor.h"
#include "process/table_config.h"
#include "registry/client.h"
#include "sink/cassandra/cassandra_sink.h"
#include "staging/store.h"

namespace rds::app {

// The mapping: rdstream's `mapping` section if set, else the seed's `api.randomuser.mapping`,
// else the seed's full mapping.
Result<mapping::MappingConfig> mapping_config(const config::Settings& s);
// The table: the seed's schema or rdstream's columns (else the seed's table), with the
// `cassandra.*` table keys on top; validated.
Result<process::TableConfig> table_config(const config::Settings& s);

// The librdkafka properties every Kafka client gets last: kafka.properties, with sasl.password and
// ssl.key.password from the environment (RDSTREAM_KAFKA_SASL_PASSWORD,
// RDSTREAM_KAFKA_SSL_KEY_PASSWORD) or their files (kafka.sasl_password_file,
// kafka.ssl_key_password_file); never from the config file (its check refuses them there).
Result<kafka::Properties> kafka_client_properties(const config::Settings& s);
// Each with kafka_client_properties as its `extra`.
Result<kafka::ProducerConfig> producer_config(const config::Settings& s);
Result<kafka::ConsumerConfig> consumer_config(const config::Settings& s);
Result<process::DeadLetterConfig> dead_letter_config(const config::Settings& s);
process::ProcessorConfig processor_config(const config::Settings& s);
// A secret setting: its environment variable, else the first line of its file setting, else its
// default (kNotFound naming the file setting when the file cannot be read).
Result<std::string> secret(const config::String& value, const config::String& file);
// The password: RDSTREAM_CASSANDRA_PASSWORD, else cassandra.password_file, else the seed's default.
Result<cassandra::Credentials> cassandra_credentials(const config::Settings& s);
// cassandra.tls.*: for the session and every BlockingConnection opened from settings.
cassandra::TlsConfig cassandra_tls(const config::Settings& s);
Result<cassandra::SessionConfig> session_config(const config::Settings& s);
Result<cql::Consistency> parse_consistency(const std::string& name);
Result<sink::CassandraSinkConfig> sink_config(const config::Settings& s, const process::TableConfig& table);

// What `rdstream ingest` (and the ingest half of `run`) runs: a record source and the options.
struct IngestPlan {
  std::unique_ptr<ingest::RecordSource> source;
  ingest::IngestOptions options;
  std::string seed;  // the API seed used (a random one when none was set), for replays
};
Result<IngestPlan> ingest_plan(const config::Settings& s);

// Everything the process stage is built from, validated (so that a bad setting is reported before
// anything connects).
struct ProcessConfigs {
  process::TableConfig table;
  cassandra::SessionConfig session;
  sink::CassandraSinkConfig sink;
  kafka::ConsumerConfig consumer;
  process::DeadLetterConfig dead_letter;
  process::ProcessorConfig processor;
};
Result<ProcessConfigs> process_configs(const config::Settings& s);

// ingest --staging postgres: the store's settings, its password from RDSTREAM_POSTGRES_PASSWORD,
// staging.postgres_password_file or the stack's generated file; nullopt when staging is off.
Result<std::optional<staging::StoreConfig>> staging_config(const config::Settings& s);
// The same, whatever staging.backend says (`replay --from-staging` reads the outbox).
Result<staging::StoreConfig> staging_store_config(const config::Settings& s);

// The schema registry's client settings.
registry::RegistryConfig registry_config(const config::Settings& s);
// The Avro schema of the records this configuration produces: a record named after the table, in
// namespace "rdstream", one string field per record column in the record's order (`id` first); a
// column the table declares nullable, or that the table lacks, is a union with null, default null.
Result<std::string> record_avro_schema(const config::Settings& s);

// Every component config a command builds, built and validated, without connecting: `config check`.
Status check_settings(const config::Settings& s);

}  // namespace rds::app
