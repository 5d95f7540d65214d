#pragma once
// rdstream's settings table: every setting of every command, each declared once — its name and
// type here, everything else (path, default, check, flag, environment, description) in its
// definition in settings.cc, as in Redpanda's configuration.h/.cc (see config/property.h for
// what a declaration holds, and for the precedence). Flags, environment
// variables and config.yaml are all read through these declarations; `rdstream config show`,
// `rdstream config example` (config.example.yaml) and each command's --help are generated from
// them. A default that is a component's own (a tuning value with its reasons beside it) is taken
// from that component's config struct, so that the literal lives in one place.
//
// The file holds the seed's sections exactly as the seed wrote them (`api.randomuser`,
// `databases.cassandra_db.created_users`; docs/compat.md "The configuration file") and
// rdstream's own (`kafka`, `ingest`, `mapping`, `cassandra`, `sink`, `process`, `run`, `cql`,
// `log`). An unknown key anywhere is an error naming its path and the closest known key.
//
// Sections whose shape their owner checks (a mapping list, table columns) are `Section`s: kept
// as parsed YAML here and read by mapping::mapping_from / process::table_from.
//
// Adding a setting: declare it in its section below (path, description, commands, flag, env),
// read it where the component's config is built (src/app/component_configs.cc or the stack's
// cli), and regenerate config.example.yaml (`rdstream config example > config.example.yaml`;
// a unit test keeps them in step).

#include <string>

#include "config/property.h"

namespace rds::config {

class Settings {
 public:
  Settings();
  Settings(const Settings&) = delete;
  Settings& operator=(const Settings&) = delete;

  const Registry& registry() const { return registry_; }
  Registry& registry() { return registry_; }

 private:
  Registry registry_;  // first: every property below registers itself in it

  // Each section keeps a reference to the registry so that its members can register.
  struct Part {
    explicit Part(Registry& r) : reg(r) {}
    Registry& reg;
  };

 public:
  // Where the settings come from (not itself in a file), the log level and the metrics endpoint.
  struct General : Part {
    String config_file;
    String log_level;
    String metrics_address;
    Int stall_threshold_ms;
    explicit General(Registry& r);
  } general{registry_};

  struct Kafka : Part {
    String bootstrap_servers;
    String topic;
    Int partitions;
    Int replication_factor;
    StringMap properties;
    String sasl_password;
    String sasl_password_file;
    String ssl_key_password;
    String ssl_key_password_file;
    String compression;
    Int linger_ms;
    Int batch_size_bytes;
    Int message_timeout_ms;
    String record_format;
    explicit Kafka(Registry& r);
  } kafka{registry_};

  // The seed's `api.randomuser` section, and rdstream's `ingest` and `mapping`.
  struct Ingest : Part {
    String url;
    String format;
    String element;
    SectionProperty seed_mapping;
    SectionProperty mapping;
    String source;
    Int results;
    String seed;
    Int page;
    StringList nat;
    StringList inc;
    StringList exc;
    Double duration_s;
    Int count;
    Double rate;
    Int max_attempts;
    Int retry_initial_ms;
    Int retry_max_ms;
    Int retry_max_elapsed_ms;
    Int connect_timeout_ms;
    Int request_timeout_ms;
    Int max_body_bytes;
    Int flush_timeout_ms;
    explicit Ingest(Registry& r);
  } ingest{registry_};

  // The connection (`cassandra.*`), and the table the processor writes: rdstream's keys in
  // `cassandra:` and the seed's `databases.cassandra_db.created_users`.
  struct Cassandra : Part {
    StringList contact_points;
    Int port;
    String username;
    String password;
    String password_file;
    Bool tls_enabled;
    String tls_ca_file;
    String tls_cert_file;
    String tls_key_file;
    Bool tls_verify_hostname;
    String consistency;
    String compression;
    Int connections_per_host;
    Int connect_timeout_ms;
    Int request_timeout_ms;
    Int heartbeat_interval_ms;
    Int heartbeat_timeout_ms;
    Bool token_aware;
    Bool discover_peers;
    String local_dc;
    Int reconnect_initial_ms;
    Int reconnect_max_ms;
    Int retry_max_retries;
    Int retry_initial_ms;
    Int retry_max_ms;
    // The table.
    String keyspace;
    String table;
    SectionProperty replication;
    String primary_key;
    SectionProperty columns;
    Bool strict_columns;
    Bool text_from_scalars;
    Int max_value_bytes;
    Int max_record_bytes;
    String create_table_path;
    String seed_create_table_path;
    String seed_format;
    SectionProperty seed_schema;
    explicit Cassandra(Registry& r);
  } cassandra{registry_};

  // The Cassandra sink: how rows are written.
  struct Sink : Part {
    Int max_in_flight;
    Int batch_rows;
    Int batch_bytes;
    Int request_timeout_ms;
    Int retry_budget_ms;
    Int retry_initial_ms;
    Int retry_max_ms;
    explicit Sink(Registry& r);
  } sink{registry_};

  // The processor: the consumer group, the dead-letter topic, the retry of a paused partition.
  struct Process : Part {
    String group;
    String instance_id;
    Int session_timeout_ms;
    Int max_poll_interval_ms;
    Int commit_interval_ms;
    Int prefetch_kbytes;
    Int prefetch_refill_interval_ms;
    String dlq_topic;
    Int dlq_message_timeout_ms;
    Int dlq_max_message_chars;
    String on_rejected_row;
    Int max_batch;
    Int poll_timeout_ms;
    Int retry_initial_ms;
    Int retry_max_ms;
    Int dead_letter_retry_delay_ms;
    Int revoke_drain_timeout_ms;
    Int shutdown_timeout_ms;
    Int lag_interval_ms;
    Int count;
    Int drain_timeout_s;  // `run` only
    explicit Process(Registry& r);
  } process{registry_};

  struct Cql : Part {
    String consistency;
    Int timeout_s;
    explicit Cql(Registry& r);
  } cql{registry_};

  // The local engines (`rdstream stack`): flags and environment only; `stack up` remembers the
  // ports in <state dir>/stack.json (Source::kStateFile) for the other stack commands.
  struct Stack : Part {
    String state_dir;
    String engine_cache;
    StringList services;
    StringList with;
    Int kafka_port;
    String kafka_advertised_host;
    Int kafka_controller_port;
    Int cassandra_storage_port;
    Int cassandra_jmx_port;
    Int cassandra_nodes;
    Int kafka_brokers;
    Bool tls;
    Int postgres_port;
    Int console_port;
    Int registry_port;
    Int registry_management_port;
    Int registry_heap_mb;
    String registry_java_home;
    Int airflow_port;
    String airflow_dags_dir;
    String postgres_password;
    Int kafka_heap_mb;
    Int cassandra_heap_mb;
    Int start_timeout_s;
    String java_home;
    String postgres_bin_dir;
    String postgres_user;
    Int log_lines;
    explicit Stack(Registry& r);
  } stack{registry_};

  // The schema registry rdstream talks to (its Confluent-compatible API).
  struct SchemaRegistry : Part {
    String url;
    Int timeout_ms;
    Int retry_max_elapsed_ms;
    explicit SchemaRegistry(Registry& r);
  } schema_registry{registry_};

  // ingest --staging postgres: the outbox in PostgreSQL (src/staging, ingest/staging_relay.h).
  struct Staging : Part {
    String backend;
    String postgres_host;
    Int postgres_port;
    String postgres_database;
    String postgres_user;
    String postgres_password_file;
    String schema;
    Int retention_hours;
    Int delete_batch;
    explicit Staging(Registry& r);
  } staging{registry_};

  // `rdstream console`: the web UI (src/console), and what it watches beyond the pipeline's own
  // settings (the topic, the group, the table and the engines are theirs).
  struct Console : Part {
    String address;
    String token;
    String token_file;
    StringList instances;
    Int refresh_ms;
    Int history_minutes;
    Int lag_alert_records;
    Int lag_alert_for_s;
    Int dlq_alert_window_s;
    Int count_ranges;
    Int count_parallelism;
    StringList kafka_log_dirs;
    explicit Console(Registry& r);
  } console{registry_};

  // `rdstream mock-api`: flags only.
  struct MockApi : Part {
    String host;
    Int port;
    Int fault_seed;
    Double rate_429;
    Double rate_5xx;
    Double rate_empty;
    Double rate_truncated;
    Double rate_malformed;
    Double slow_rate;
    Int slow_ms;
    Int retry_after_s;
    Int quota_users;
    Int quota_window_s;
    explicit MockApi(Registry& r);
  } mock_api{registry_};
};

}  // namespace rds::config
