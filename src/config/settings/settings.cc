// The definitions of rdstream's settings (see settings.h). One entry per setting: its path, what it
// is for, who reads it, its flag and environment variable, its default and its check.
#include <fmt/format.h>
#include "config/settings/settings.h"

#include <limits>

#include "cassandra/session.h"
#include "ingest/api_source.h"
#include "ingest/ingest_job.h"
#include "kafka/consumer.h"
#include "kafka/producer.h"
#include "mockapi/faults.h"
#include "mockapi/quota.h"
#include "mockapi/server.h"
#include "process/dead_letter.h"
#include "process/processor.h"
#include "process/table_config.h"
#include "registry/client.h"
#include "sink/cassandra/cassandra_sink.h"
#include "stack/stack_config.h"
#include "staging/store.h"

namespace rds::config {
namespace {

// The components' own defaults, read from their config structs (the literals live there).
const kafka::ProducerConfig kProducer{};
const kafka::ConsumerConfig kConsumer{};
const cassandra::SessionConfig kSession{};
const sink::CassandraSinkConfig kSink{};
const process::ProcessorConfig kProcessor{};
const process::DeadLetterConfig kDeadLetter{};
const process::TableConfig kTable{};
const ingest::ApiSourceConfig kApi{};
const ingest::IngestOptions kIngestOptions{};
const stack::StackConfig kStackConfig{};
const staging::StoreConfig kStaging{};
const mockapi::FaultConfig kFaults{};

constexpr int64_t kMaxInt = std::numeric_limits<int32_t>::max();
constexpr int64_t kDay = 86'400'000;  // ms

int64_t ms(std::chrono::milliseconds d) { return d.count(); }

Check<std::string> http_url() {
  return {[](const std::string& v) {
            return v.rfind("http://", 0) == 0 || v.rfind("https://", 0) == 0
                       ? std::string()
                       : "'" + v + "' is not an http:// or https:// URL";
          },
          "an http:// or https:// URL"};
}

// Service names as `rdstream stack` knows them (stack::parse_service); `allow_empty` for --with.
Check<std::vector<std::string>> known_services(bool allow_empty) {
  return {[allow_empty](const std::vector<std::string>& v) -> std::string {
            if (v.empty() && !allow_empty) return fmt::format("choose at least one of {}", stack::kServiceNames);
            for (const auto& s : v) {
              auto parsed = stack::parse_service(s);
              if (!parsed.ok()) return parsed.error().message;
            }
            return {};
          },
          fmt::format("of {}", stack::kServiceNames)};
}

Check<std::string> host_port_or_empty() {
  return {[](const std::string& v) -> std::string {
            if (v.empty()) return {};
            const auto colon = v.rfind(':');
            if (colon == std::string::npos || colon == 0 || colon + 1 == v.size() ||
                v.find_first_not_of("0123456789", colon + 1) != std::string::npos) {
              return "'" + v + "' is not HOST:PORT (e.g. 127.0.0.1:9464)";
            }
            return {};
          },
          "HOST:PORT or empty"};
}

// librdkafka's secret properties: never in the config file (which is shown, copied, committed),
// each with where it comes from instead.
Check<std::map<std::string, std::string>> no_secret_properties() {
  return {[](const std::map<std::string, std::string>& v) -> std::string {
            static const std::pair<const char*, const char*> kSecrets[] = {
                {"sasl.password", "set RDSTREAM_KAFKA_SASL_PASSWORD or kafka.sasl_password_file"},
                {"ssl.key.password", "set RDSTREAM_KAFKA_SSL_KEY_PASSWORD or kafka.ssl_key_password_file"},
                {"ssl.keystore.password", "use a PEM key (ssl.key.location) with RDSTREAM_KAFKA_SSL_KEY_PASSWORD"},
                {"sasl.oauthbearer.client.secret", "not supported by rdstream yet"},
            };
            for (const auto& [key, fix] : kSecrets) {
              if (v.contains(key)) return fmt::format("{}: a secret is never read from the config file; {}", key, fix);
            }
            return {};
          },
          "librdkafka properties, without secrets"};
}

const std::vector<std::string> kConsistencies = {"ANY", "ONE", "TWO", "THREE", "QUORUM", "ALL",
                                                 "LOCAL_QUORUM", "EACH_QUORUM", "LOCAL_ONE"};

}  // namespace

Settings::Settings() = default;

Settings::General::General(Registry& r)
    : Part(r),
      config_file(reg, {.path = "config_file",
                        .description = "the YAML config file: the seed's config.yaml as it is, or rdstream's",
                        .commands = kPipeline | kCql | kConsole | kSchema | kReplay, .flag = "--config",
                        .env = "RDSTREAM_CONFIG", .in_file = false},
                  ""),
      log_level(reg, {.path = "log.level", .description = "log level",
                      .commands = kPipeline | kCql | kStack | kMockApi | kConsole | kSchema | kReplay, .flag = "--log-level",
                      .env = "RDSTREAM_LOG_LEVEL"},
                "info", one_of({"debug", "info", "warn", "error", "off"})),
      metrics_address(reg, {.path = "metrics.address",
                            .description = "serve /metrics, /healthz and /readyz on HOST:PORT (empty: no endpoint)",
                            .commands = kPipeline, .flag = "--metrics-address", .env = "RDSTREAM_METRICS_ADDRESS"},
                      "", host_port_or_empty()),
      stall_threshold_ms(reg, {.path = "metrics.stall_threshold_ms",
                               .description = "an engine that acknowledges nothing this long while work waits is "
                                              "reported stalled (a WARN, then a line when it recovers)",
                               .commands = kPipeline},
                         5'000, range(100, 3'600'000)) {}

Settings::Kafka::Kafka(Registry& r)
    : Part(r),
      bootstrap_servers(reg, {.path = "kafka.bootstrap_servers", .description = "Kafka bootstrap servers (host:port,...)",
                              .commands = kPipeline | kConsole | kReplay, .flag = "--bootstrap-servers", .env = "RDSTREAM_KAFKA"},
                        kafka::kLocalBootstrapServers, non_empty()),
      topic(reg, {.path = "kafka.topic", .description = "the topic of user records (the seed's)",
                  .commands = kPipeline | kConsole | kSchema | kReplay, .flag = "--topic"},
            "users_created", non_empty()),
      partitions(reg, {.path = "kafka.partitions", .description = "partitions of the topics rdstream creates when missing",
                       .commands = kPipeline | kReplay, .flag = "--partitions"},
                 3, range(1, 10'000)),
      replication_factor(reg, {.path = "kafka.replication_factor",
                               .description = "replication factor of the topics rdstream creates when missing "
                                              "(-1: the brokers' default.replication.factor, which the stack sets to "
                                              "3 on a cluster)",
                               .commands = kPipeline | kReplay},
                         -1, range(-1, 32)),
      properties(reg, {.path = "kafka.properties",
                       .description = "librdkafka properties for every Kafka client rdstream makes (e.g. "
                                      "security.protocol, sasl.mechanism, sasl.username, ssl.ca.location); "
                                      "rdstream's offset-management properties cannot be overridden; secrets come "
                                      "from the settings below",
                       .commands = kPipeline | kConsole | kReplay,
                       .example = "{security.protocol: SASL_SSL, sasl.mechanism: SCRAM-SHA-512, sasl.username: "
                                  "rdstream, ssl.ca.location: var/tls/ca.pem}"},
                 {}, no_secret_properties()),
      sasl_password(reg, {.path = "kafka.sasl_password",
                          .description = "the SASL password (librdkafka's sasl.password); from the environment only, "
                                         "or sasl_password_file",
                          .commands = kPipeline | kConsole | kReplay, .env = "RDSTREAM_KAFKA_SASL_PASSWORD",
                          .secret = true, .in_file = false},
                    ""),
      sasl_password_file(reg, {.path = "kafka.sasl_password_file",
                               .description = "file whose first line is the SASL password (used unless the "
                                              "environment sets it; the stack's: <state dir>/kafka/client-password)",
                               .commands = kPipeline | kConsole | kReplay, .flag = "--kafka-password-file"},
                         ""),
      ssl_key_password(reg, {.path = "kafka.ssl_key_password",
                             .description = "the password of ssl.key.location's key (librdkafka's ssl.key.password); "
                                            "from the environment only, or ssl_key_password_file",
                             .commands = kPipeline | kConsole | kReplay, .env = "RDSTREAM_KAFKA_SSL_KEY_PASSWORD",
                             .secret = true, .in_file = false},
                       ""),
      ssl_key_password_file(reg, {.path = "kafka.ssl_key_password_file",
                                  .description = "file whose first line is the client key's password (used unless "
                                                 "the environment sets it)",
                                  .commands = kPipeline | kConsole | kReplay},
                            ""),
      compression(reg, {.path = "kafka.producer.compression", .description = "compression of produced batches",
                        .commands = kIngest | kRun | kReplay, .flag = "--compression"},
                  kProducer.compression, one_of({"none", "gzip", "snappy", "lz4", "zstd"})),
      linger_ms(reg, {.path = "kafka.producer.linger_ms",
                      .description = "how long the producer waits to fill a batch (see kafka/producer.h for the measurements)",
                      .commands = kIngest | kRun | kReplay},
                kProducer.linger_ms, range(0, 60'000)),
      batch_size_bytes(reg, {.path = "kafka.producer.batch_size_bytes", .description = "largest produced batch",
                             .commands = kIngest | kRun | kReplay},
                       kProducer.batch_size_bytes, range(1, kMaxInt)),
      message_timeout_ms(reg, {.path = "kafka.producer.message_timeout_ms",
                               .description = "a record not acknowledged by then is reported failed",
                               .commands = kIngest | kRun | kReplay},
                         kProducer.message_timeout_ms, range(1'000, kMaxInt)),
      record_format(reg, {.path = "kafka.record_format",
                          .description = "how ingest writes records: json (the seed's Spark job reads it) or avro "
                                         "(Confluent-framed, its schema registered under <topic>-value); process reads "
                                         "both, whatever this says",
                          .commands = kIngest | kRun | kReplay, .flag = "--format", .env = "RDSTREAM_RECORD_FORMAT"},
                    "json", one_of({"json", "avro"})) {}

Settings::Ingest::Ingest(Registry& r)
    : Part(r),
      url(reg, {.path = "api.randomuser.url", .description = "the randomuser-compatible API (the seed's key)",
                .commands = kIngest | kRun, .flag = "--url", .env = "RDSTREAM_API_URL"},
          "https://randomuser.me/api/", http_url()),
      format(reg, {.path = "api.randomuser.format", .description = "the API's format (the seed's key; json only)",
                   .commands = kIngest | kRun | kSchema},
             "json", one_of({"json"})),
      element(reg, {.path = "api.randomuser.element",
                    .description = "the response's array of users (the seed wrote 'result'; the API's is 'results')",
                    .commands = kIngest | kRun | kSchema},
              "results", one_of({"results", "result"})),
      seed_mapping(reg, {.path = "api.randomuser.mapping",
                         .description = "the seed's column mapping: `- column: [json, path]` or a format with values "
                                        "(src/mapping/README.md); default the seed's full mapping",
                         .commands = kIngest | kRun | kSchema | kReplay,
                         .example = "[{first_name: [name, first]}, {gender: gender}, "
                                    "{address: {format: '{city}, {country}', values: {city: [location, city], "
                                    "country: [location, country]}}}]"},
                   {}),
      mapping(reg, {.path = "mapping",
                    .description = "rdstream's own mapping, instead of the seed's (src/mapping/README.md)",
                    .commands = kIngest | kRun | kSchema | kReplay,
                    .example = "{id: login.uuid, columns: [{column: first_name, path: name.first}, "
                               "{column: city, template: '{location.city}', optional: true, default: ''}]}"},
              {}),
      source(reg, {.path = "ingest.source", .description = "where records come from: the API, or made in-process (benchmarks)",
                   .commands = kIngest | kRun, .flag = "--source"},
             "api", one_of({"api", "generator"})),
      results(reg, {.path = "ingest.results", .description = "users per API request",
                    .commands = kIngest | kRun, .flag = "--results"},
              1000, range(1, 5'000)),
      seed(reg, {.path = "ingest.seed",
                 .description = "API seed: the same seed and pages give the same users (empty: random, logged)",
                 .commands = kIngest | kRun, .flag = "--seed"},
           ""),
      page(reg, {.path = "ingest.page", .description = "first page", .commands = kIngest | kRun, .flag = "--page"},
           kApi.request.page, range(1, 10'000)),
      nat(reg, {.path = "ingest.nat", .description = "nationalities asked of the API, e.g. GB,US",
                .commands = kIngest | kRun, .flag = "--nat"},
          {}),
      inc(reg, {.path = "ingest.inc", .description = "fields the API includes", .commands = kIngest | kRun,
                .flag = "--inc"},
          {}),
      exc(reg, {.path = "ingest.exc", .description = "fields the API leaves out", .commands = kIngest | kRun,
                .flag = "--exc"},
          {}),
      duration_s(reg, {.path = "ingest.duration_s",
                       .description = "seconds to run (0: until count or Ctrl-C; with only a count given, no limit)",
                       .commands = kIngest | kRun, .flag = "--duration"},
                 std::chrono::duration<double>(*kIngestOptions.duration).count(), real_range(0.0, 1e9)),
      count(reg, {.path = "ingest.count", .description = "stop after this many records (0: no limit)",
                  .commands = kIngest | kRun, .flag = "--count"},
            0, range(0, std::numeric_limits<int64_t>::max())),
      rate(reg, {.path = "ingest.rate", .description = "records per second at most, paced in small steps (0: unlimited)",
                 .commands = kIngest | kRun, .flag = "--rate"},
           kIngestOptions.rate, real_range(0.0, 1e9)),
      max_attempts(reg, {.path = "ingest.max_attempts", .description = "attempts per API request before giving up",
                         .commands = kIngest | kRun, .flag = "--max-attempts"},
                   kApi.retry.max_attempts, range(1, 1'000)),
      retry_initial_ms(reg, {.path = "ingest.retry_initial_ms", .description = "first backoff after a failed API request",
                             .commands = kIngest | kRun},
                       ms(kApi.retry.initial), range(1, kDay)),
      retry_max_ms(reg, {.path = "ingest.retry_max_ms", .description = "longest backoff between API requests",
                         .commands = kIngest | kRun},
                   ms(kApi.retry.max_delay), range(1, kDay)),
      retry_max_elapsed_ms(reg, {.path = "ingest.retry_max_elapsed_ms",
                                 .description = "give up on an API request after this long (0: no limit)",
                                 .commands = kIngest | kRun},
                           ms(kApi.retry.max_elapsed), range(0, kDay)),
      connect_timeout_ms(reg, {.path = "ingest.connect_timeout_ms", .description = "API connect timeout",
                               .commands = kIngest | kRun},
                         ms(kApi.http.connect_timeout), range(1, kDay)),
      request_timeout_ms(reg, {.path = "ingest.request_timeout_ms", .description = "API whole-request timeout",
                               .commands = kIngest | kRun},
                         ms(kApi.http.request_timeout), range(1, kDay)),
      max_body_bytes(reg, {.path = "ingest.max_body_bytes",
                           .description = "largest API response accepted (5000 users are about 6 MiB)",
                           .commands = kIngest | kRun},
                     static_cast<int64_t>(kApi.http.max_body_bytes), range(1'024, 1LL << 32)),
      flush_timeout_ms(reg, {.path = "ingest.flush_timeout_ms",
                             .description = "at the end, how long to wait for the last delivery reports",
                             .commands = kIngest | kRun | kReplay},
                       ms(kIngestOptions.flush_timeout), range(0, kDay)) {}

Settings::Cassandra::Cassandra(Registry& r)
    : Part(r),
      contact_points(reg, {.path = "cassandra.contact_points", .description = "Cassandra hosts to connect to first",
                           .commands = kProcessing | kCql | kConsole, .flag = "--cassandra-host,--host",
                           .env = "RDSTREAM_CASSANDRA_HOST"},
                     kSession.contact_points, non_empty_list()),
      port(reg, {.path = "cassandra.port", .description = "CQL native port (the stack's Cassandra listens there)",
                 .commands = kProcessing | kCql | kStack | kConsole, .flag = "--cassandra-port,--port",
                 .env = "RDSTREAM_CASSANDRA_PORT"},
           kSession.port, range(1, 65'535)),
      username(reg, {.path = "cassandra.username", .description = "user (PasswordAuthenticator)",
                     .commands = kProcessing | kCql | kConsole, .flag = "--cassandra-user,-u,--user",
                     .env = "RDSTREAM_CASSANDRA_USER"},
               "cassandra"),
      password(reg, {.path = "cassandra.password",
                     .description = "password (the seed's default); from the environment only, or password_file",
                     .commands = kProcessing | kCql | kConsole, .env = "RDSTREAM_CASSANDRA_PASSWORD", .secret = true,
                     .in_file = false},
               "cassandra"),
      password_file(reg, {.path = "cassandra.password_file",
                          .description = "file whose first line is the password (used unless the environment sets it)",
                          .commands = kProcessing | kCql | kConsole, .flag = "--cassandra-password-file,--password-file"},
                    ""),
      tls_enabled(reg, {.path = "cassandra.tls.enabled",
                        .description = "CQL over TLS (the nodes' client_encryption_options)",
                        .commands = kProcessing | kCql | kConsole, .flag = "--cassandra-tls",
                        .env = "RDSTREAM_CASSANDRA_TLS"},
                  kSession.tls.enabled),
      tls_ca_file(reg, {.path = "cassandra.tls.ca_file",
                        .description = "PEM file of the CA that signed the nodes' certificates (empty: the system's "
                                       "CAs; the stack's: <state dir>/tls/ca.pem)",
                        .commands = kProcessing | kCql | kConsole, .flag = "--cassandra-ca-file",
                        .env = "RDSTREAM_CASSANDRA_CA_FILE"},
                  kSession.tls.ca_file),
      tls_cert_file(reg, {.path = "cassandra.tls.cert_file",
                          .description = "client certificate (PEM), for nodes with require_client_auth; with key_file",
                          .commands = kProcessing | kCql | kConsole, .env = "RDSTREAM_CASSANDRA_CERT_FILE"},
                    kSession.tls.cert_file),
      tls_key_file(reg, {.path = "cassandra.tls.key_file",
                         .description = "the client certificate's private key (PEM, unencrypted)",
                         .commands = kProcessing | kCql | kConsole, .env = "RDSTREAM_CASSANDRA_KEY_FILE"},
                   kSession.tls.key_file),
      tls_verify_hostname(reg, {.path = "cassandra.tls.verify_hostname",
                                .description = "the node's certificate must name the address connected to (false: "
                                               "any certificate the CA signed)",
                                .commands = kProcessing | kCql | kConsole},
                          kSession.tls.verify_hostname),
      consistency(reg, {.path = "cassandra.consistency", .description = "consistency of the writes",
                        .commands = kProcessing, .flag = "--consistency"},
                  "LOCAL_QUORUM", one_of(kConsistencies)),
      compression(reg, {.path = "cassandra.compression", .description = "frame compression", .commands = kProcessing},
                  "none", one_of({"none", "lz4"})),
      connections_per_host(reg, {.path = "cassandra.connections_per_host", .description = "connections to each node",
                                 .commands = kProcessing},
                           kSession.connections_per_host, range(1, 64)),
      connect_timeout_ms(reg, {.path = "cassandra.connect_timeout_ms",
                               .description = "TCP connect, STARTUP and login", .commands = kProcessing | kConsole},
                         ms(kSession.connect_timeout), range(1, kDay)),
      request_timeout_ms(reg, {.path = "cassandra.request_timeout_ms", .description = "per request",
                               .commands = kProcessing | kConsole},
                         ms(kSession.request_timeout), range(1, kDay)),
      heartbeat_interval_ms(reg, {.path = "cassandra.heartbeat_interval_ms",
                                  .description = "an idle connection is probed this often (0: off)",
                                  .commands = kProcessing},
                            ms(kSession.heartbeat_interval), range(0, kDay)),
      heartbeat_timeout_ms(reg, {.path = "cassandra.heartbeat_timeout_ms",
                                 .description = "a probe unanswered this long closes the connection",
                                 .commands = kProcessing},
                           ms(kSession.heartbeat_timeout), range(1, kDay)),
      token_aware(reg, {.path = "cassandra.token_aware", .description = "send each row to a replica of its partition",
                        .commands = kProcessing},
                  kSession.token_aware),
      discover_peers(reg, {.path = "cassandra.discover_peers",
                           .description = "find the other nodes in system.peers (false: contact points only)",
                           .commands = kProcessing},
                     kSession.discover_peers),
      local_dc(reg, {.path = "cassandra.local_dc",
                     .description = "data centre whose nodes coordinate the writes (empty: that of the first node "
                                    "that answers); other data centres are not used",
                     .commands = kProcessing, .env = "RDSTREAM_CASSANDRA_LOCAL_DC", .example = "dc1"},
               kSession.local_dc),
      reconnect_initial_ms(reg, {.path = "cassandra.reconnect_initial_ms", .description = "first reconnection backoff",
                                 .commands = kProcessing},
                           ms(kSession.reconnect.initial), range(1, kDay)),
      reconnect_max_ms(reg, {.path = "cassandra.reconnect_max_ms", .description = "longest reconnection backoff",
                             .commands = kProcessing},
                       ms(kSession.reconnect.max_delay), range(1, kDay)),
      retry_max_retries(reg, {.path = "cassandra.retry.max_retries",
                              .description = "retries of a request the retry policy allows (0: never)",
                              .commands = kProcessing},
                        kSession.retry.max_retries, range(0, 100)),
      retry_initial_ms(reg, {.path = "cassandra.retry.initial_ms", .description = "delay before the first retry",
                             .commands = kProcessing},
                       ms(kSession.retry.backoff.initial), range(0, kDay)),
      retry_max_ms(reg, {.path = "cassandra.retry.max_ms", .description = "longest delay between retries",
                         .commands = kProcessing},
                   ms(kSession.retry.backoff.max_delay), range(0, kDay)),
      keyspace(reg, {.path = "cassandra.keyspace", .description = "keyspace of the table (created if missing)",
                     .commands = kProcessing | kConsole | kSchema},
               kTable.keyspace),
      table(reg, {.path = "cassandra.table", .description = "the table (created if missing)", .commands = kProcessing | kConsole | kSchema | kReplay},
            kTable.table),
      replication(reg, {.path = "cassandra.replication",
                        .description = "the keyspace's replication when rdstream creates it (default SimpleStrategy with "
                                       "1 on a single node, 3 on a ring of 3 or more: the nodes, up to 3)",
                        .commands = kProcessing | kSchema,
                        .example = "{class: NetworkTopologyStrategy, dc1: 3}"},
                  {}),
      primary_key(reg, {.path = "cassandra.primary_key", .description = "the uuid key column (the record's id)",
                        .commands = kProcessing | kSchema},
                  kTable.primary_key),
      columns(reg, {.path = "cassandra.columns",
                    .description = "the table's columns in CQL types (default: the seed's schema, else the seed's table)",
                    .commands = kProcessing | kSchema | kReplay,
                    .example = "[{name: id, type: uuid}, {name: first_name, type: text}, "
                               "{name: dob, type: text, nullable: true}]"},
              {}),
      strict_columns(reg, {.path = "cassandra.strict_columns",
                           .description = "reject a record with a column the table lacks (false: ignore it, as the "
                                          "seed's dob)",
                           .commands = kProcessing | kSchema},
                     kTable.strict_columns),
      text_from_scalars(reg, {.path = "cassandra.text_from_scalars",
                              .description = "accept JSON numbers and booleans for text columns",
                              .commands = kProcessing | kSchema},
                        kTable.text_from_scalars),
      max_value_bytes(reg, {.path = "cassandra.max_value_bytes", .description = "largest column value accepted",
                            .commands = kProcessing | kSchema},
                      static_cast<int64_t>(kTable.max_value_bytes), range(1, 16LL * 1024 * 1024)),
      max_record_bytes(reg, {.path = "cassandra.max_record_bytes", .description = "largest Kafka record accepted",
                             .commands = kProcessing | kSchema},
                       static_cast<int64_t>(kTable.max_record_bytes), range(2, 64LL * 1024 * 1024)),
      create_table_path(reg, {.path = "cassandra.create_table_path",
                              .description = "a CQL file creating the table, run instead of rdstream's CREATE TABLE",
                              .commands = kProcessing | kSchema},
                        ""),
      seed_create_table_path(reg, {.path = "databases.cassandra_db.created_users.create_table_path",
                                   .description = "the seed's DDL file (as cassandra.create_table_path)",
                                   .commands = kProcessing | kSchema},
                             ""),
      seed_format(reg, {.path = "databases.cassandra_db.created_users.format",
                        .description = "the seed's DDL format", .commands = kProcessing | kSchema},
                  "sql", one_of({"sql", "cql"})),
      seed_schema(reg, {.path = "databases.cassandra_db.created_users.schema",
                        .description = "the seed's table schema in Spark types; id is a uuid whatever it says",
                        .commands = kProcessing | kSchema,
                        .example = "[{column_name: id, data_type: StringType, nullable: false}, "
                                   "{column_name: first_name, data_type: StringType, nullable: false}]"},
                  {}) {}

Settings::Sink::Sink(Registry& r)
    : Part(r),
      max_in_flight(reg, {.path = "sink.max_in_flight", .description = "Cassandra writes in flight, in rows",
                          .commands = kProcessing, .flag = "--max-in-flight"},
                    kSink.max_in_flight, range(1, 32'768)),
      batch_rows(reg, {.path = "sink.batch_rows",
                       .description = "rows that share their replicas go as one unlogged BATCH of at most this many, "
                                      "never waiting for more (1: one INSERT per request)",
                       .commands = kProcessing, .flag = "--batch-rows"},
                 kSink.batch_max_rows, range(1, 1'000)),
      batch_bytes(reg, {.path = "sink.batch_bytes",
                        .description = "bound values per BATCH at most (a larger row goes alone)",
                        .commands = kProcessing},
                  kSink.batch_max_bytes, range(1, 16LL * 1024 * 1024)),
      request_timeout_ms(reg, {.path = "sink.request_timeout_ms",
                               .description = "per write (0: cassandra.request_timeout_ms)", .commands = kProcessing},
                         ms(kSink.request_timeout), range(0, kDay)),
      retry_budget_ms(reg, {.path = "sink.retry_budget_ms",
                            .description = "how long the sink re-sends a row that failed retriably before reporting "
                                           "it (then the processor pauses the partition and retries)",
                            .commands = kProcessing},
                      ms(kSink.retry_budget), range(0, kDay)),
      retry_initial_ms(reg, {.path = "sink.retry_initial_ms", .description = "first delay of a re-send",
                             .commands = kProcessing},
                       ms(kSink.retry_backoff.initial), range(1, kDay)),
      retry_max_ms(reg, {.path = "sink.retry_max_ms", .description = "longest delay between re-sends",
                         .commands = kProcessing},
                   ms(kSink.retry_backoff.max_delay), range(1, kDay)) {}

Settings::Process::Process(Registry& r)
    : Part(r),
      group(reg, {.path = "process.group", .description = "Kafka consumer group (its lag shows in Kafka's tools)",
                  .commands = kProcessing | kConsole, .flag = "--group"},
            "rdstream-process", non_empty()),
      instance_id(reg, {.path = "process.instance_id",
                        .description = "static membership (unique per member): a member restarted with the same id "
                                       "gets its partitions back at once",
                        .commands = kProcessing, .flag = "--instance-id"},
                  ""),
      session_timeout_ms(reg, {.path = "process.session_timeout_ms",
                               .description = "how long the group waits for a silent member before moving its partitions",
                               .commands = kProcessing, .flag = "--session-timeout-ms"},
                         kConsumer.session_timeout_ms, range(1'000, 3'600'000)),
      max_poll_interval_ms(reg, {.path = "process.max_poll_interval_ms",
                                 .description = "longest time between polls before the member is presumed stuck "
                                                "(at least the session timeout)",
                                 .commands = kProcessing},
                           kConsumer.max_poll_interval_ms, range(1'000, kDay)),
      commit_interval_ms(reg, {.path = "process.commit_interval_ms",
                               .description = "how often acknowledged offsets are committed (also on revoke and exit)",
                               .commands = kProcessing, .flag = "--commit-interval-ms"},
                         ms(kConsumer.commit_interval), range(1, 3'600'000)),
      prefetch_kbytes(reg, {.path = "process.prefetch_kbytes",
                            .description = "records fetched ahead, in KiB: most of the processor's memory (~1.8x)",
                            .commands = kProcessing, .flag = "--prefetch-kbytes"},
                      kConsumer.prefetch_kbytes, range(256, 2'097'151)),
      prefetch_refill_interval_ms(reg, {.path = "process.prefetch_refill_interval_ms",
                                        .description = "how soon a full prefetch queue is looked at again",
                                        .commands = kProcessing},
                                  ms(kConsumer.prefetch_refill_interval), range(1, 10'000)),
      dlq_topic(reg, {.path = "process.dlq_topic", .description = "dead-letter topic (empty: <topic>.dlq)",
                      .commands = kProcessing | kConsole, .flag = "--dlq-topic"},
                ""),
      dlq_message_timeout_ms(reg, {.path = "process.dlq_message_timeout_ms",
                                   .description = "a dead letter not acknowledged by then is retried",
                                   .commands = kProcessing},
                             kDeadLetter.message_timeout_ms, range(1'000, kMaxInt)),
      dlq_max_message_chars(reg, {.path = "process.dlq_max_message_chars",
                                  .description = "the rdstream.error.message header is cut beyond this",
                                  .commands = kProcessing},
                            static_cast<int64_t>(kDeadLetter.max_message_chars), range(16, 1'000'000)),
      on_rejected_row(reg, {.path = "process.on_rejected_row",
                            .description = "a row Cassandra rejects for good: stop the processor, or dead-letter it",
                            .commands = kProcessing},
                        kProcessor.permanent_failure == process::PermanentFailureAction::kStop ? "stop" : "dead_letter",
                        one_of({"stop", "dead_letter"})),
      max_batch(reg, {.path = "process.max_batch", .description = "records per poll", .commands = kProcessing},
                static_cast<int64_t>(kProcessor.max_batch), range(1, 100'000)),
      poll_timeout_ms(reg, {.path = "process.poll_timeout_ms", .description = "longest wait of a poll",
                            .commands = kProcessing},
                      ms(kProcessor.poll_timeout), range(0, 10'000)),
      retry_initial_ms(reg, {.path = "process.retry_initial_ms",
                             .description = "first delay before a paused partition's rows are re-sent",
                             .commands = kProcessing},
                       ms(kProcessor.retry.initial), range(1, kDay)),
      retry_max_ms(reg, {.path = "process.retry_max_ms", .description = "longest delay between re-sends",
                         .commands = kProcessing},
                   ms(kProcessor.retry.max_delay), range(1, kDay)),
      dead_letter_retry_delay_ms(reg, {.path = "process.dead_letter_retry_delay_ms",
                                       .description = "delay before a failed dead letter is published again",
                                       .commands = kProcessing},
                                 ms(kProcessor.dead_letter_retry_delay), range(0, kDay)),
      revoke_drain_timeout_ms(reg, {.path = "process.revoke_drain_timeout_ms",
                                    .description = "how long a revoked partition's writes may finish",
                                    .commands = kProcessing},
                              ms(kProcessor.revoke_drain_timeout), range(0, kDay)),
      shutdown_timeout_ms(reg, {.path = "process.shutdown_timeout_ms",
                                .description = "how long in-flight writes may finish at exit", .commands = kProcessing},
                          ms(kProcessor.shutdown_timeout), range(0, kDay)),
      lag_interval_ms(reg, {.path = "process.lag_interval_ms", .description = "how often the lag is refreshed",
                            .commands = kProcessing},
                      ms(kProcessor.lag_interval), range(1, kDay)),
      count(reg, {.path = "process.count",
                  .description = "stop after this many records were stored or dead-lettered (0: until Ctrl-C)",
                  .commands = kProcess, .flag = "--count"},
            0, range(0, std::numeric_limits<int64_t>::max())),
      drain_timeout_s(reg, {.path = "run.drain_timeout_s",
                            .description = "after ingest, how long `run` waits for Cassandra to catch up",
                            .commands = kRun, .flag = "--drain-timeout"},
                      120, range(1, 3'600)) {}

Settings::Cql::Cql(Registry& r)
    : Part(r),
      consistency(reg, {.path = "cql.consistency", .description = "consistency of `rdstream cql` statements",
                        .commands = kCql, .flag = "--consistency"},
                  "LOCAL_ONE", one_of(kConsistencies)),
      timeout_s(reg, {.path = "cql.timeout_s", .description = "seconds per request", .commands = kCql,
                      .flag = "--timeout"},
                30, range(1, 3'600)) {}

Settings::Stack::Stack(Registry& r)
    : Part(r),
      state_dir(reg, {.path = "stack.state_dir", .description = "all stack state: data, logs, pid files, configuration",
                      .commands = kStack | kConsole | kIngest | kRun | kReplay, .flag = "--state-dir", .env = "RDSTREAM_STATE_DIR",
                      .in_file = false},
                kStackConfig.state_dir.string(), non_empty()),
      engine_cache(reg, {.path = "stack.engine_cache",
                         .description = "engine jars and cqlsh from scripts/bootstrap (empty: ~/.cache/rdstream/engines)",
                         .commands = kStack, .env = "RDSTREAM_ENGINE_CACHE", .in_file = false},
                   ""),
      services(reg, {.path = "stack.services", .description = "services to act on", .commands = kStack,
                     .flag = "--only", .in_file = false},
               {"kafka", "cassandra", "postgres", "console", "registry"}, known_services(false)),
      with(reg, {.path = "stack.with",
                 .description = "optional services besides --only's: airflow (its api-server, scheduler, dag-processor "
                                "and triggerer); `up` remembers them for status, down and logs",
                 .commands = kStack, .flag = "--with", .in_file = false},
           {}, known_services(true)),
      kafka_port(reg, {.path = "stack.kafka_port", .description = "Kafka's client port", .commands = kStack,
                       .flag = "--kafka-port", .env = "RDSTREAM_KAFKA_PORT", .in_file = false},
                 kStackConfig.kafka_port, range(1'024, 65'535)),
      kafka_advertised_host(reg, {.path = "stack.kafka_advertised_host",
                                  .description = "the address the broker tells clients to use, when they reach it "
                                                 "through a port forward (empty: the address it listens on); one broker only",
                                  .commands = kStackUp, .flag = "--kafka-advertised-host", .in_file = false},
                            ""),
      kafka_controller_port(reg, {.path = "stack.kafka_controller_port", .description = "KRaft controller port",
                                  .commands = kStack, .flag = "--kafka-controller-port",
                                  .env = "RDSTREAM_KAFKA_CONTROLLER_PORT", .in_file = false},
                            kStackConfig.kafka_controller_port, range(1'024, 65'535)),
      cassandra_storage_port(reg, {.path = "stack.cassandra_storage_port", .description = "Cassandra internode port",
                                   .commands = kStack, .flag = "--cassandra-storage-port",
                                   .env = "RDSTREAM_CASSANDRA_STORAGE_PORT", .in_file = false},
                             kStackConfig.cassandra_storage_port, range(1'024, 65'535)),
      cassandra_jmx_port(reg, {.path = "stack.cassandra_jmx_port",
                               .description = "Cassandra's JMX (nodetool) port on 127.0.0.1; node n uses it + n - 1",
                               .commands = kStack, .flag = "--cassandra-jmx-port", .in_file = false},
                         kStackConfig.cassandra_jmx_port, range(1'024, 65'535)),
      cassandra_nodes(reg, {.path = "stack.cassandra_nodes",
                            .description = "Cassandra nodes in the ring (node n on 127.0.0.n); `up` remembers it",
                            .commands = kStack, .flag = "--cassandra-nodes", .in_file = false},
                      kStackConfig.cassandra_nodes, range(1, stack::kMaxClusterNodes)),
      kafka_brokers(reg, {.path = "stack.kafka_brokers",
                          .description = "Kafka brokers, each also a KRaft controller (broker n on 127.0.0.n); "
                                         "`up` remembers it",
                          .commands = kStack, .flag = "--kafka-brokers", .in_file = false},
                    kStackConfig.kafka_brokers, range(1, stack::kMaxClusterNodes)),
      tls(reg, {.path = "stack.tls",
                .description = "TLS and authentication: a CA made once into <state dir>/tls, Kafka's client "
                               "listener SASL_SSL (SCRAM-SHA-512 and PLAIN, user rdstream, password in <state "
                               "dir>/kafka/client-password; Cassandra stays plaintext for now); `up` remembers it",
                .commands = kStack, .flag = "--tls", .in_file = false},
          kStackConfig.tls),
      postgres_port(reg, {.path = "stack.postgres_port", .description = "PostgreSQL port", .commands = kStack,
                          .flag = "--postgres-port", .env = "RDSTREAM_POSTGRES_PORT", .in_file = false},
                    kStackConfig.postgres_port, range(1'024, 65'535)),
      console_port(reg, {.path = "stack.console_port",
                         .description = "the web console's port (on 127.0.0.1; `rdstream console` for more)",
                         .commands = kStack, .flag = "--console-port", .env = "RDSTREAM_CONSOLE_PORT", .in_file = false},
                   kStackConfig.console_port, range(1'024, 65'535)),
      registry_port(reg, {.path = "stack.registry_port",
                          .description = "the schema registry's port (Confluent-compatible API under /apis/ccompat/v7)",
                          .commands = kStack, .flag = "--registry-port", .env = "RDSTREAM_REGISTRY_PORT", .in_file = false},
                    kStackConfig.registry_port, range(1'024, 65'535)),
      registry_management_port(reg, {.path = "stack.registry_management_port",
                                     .description = "the schema registry's health and metrics port",
                                     .commands = kStack, .flag = "--registry-management-port", .in_file = false},
                               kStackConfig.registry_management_port, range(1'024, 65'535)),
      registry_heap_mb(reg, {.path = "stack.registry_heap_mb", .description = "the schema registry's JVM heap, MiB",
                             .commands = kStackUp, .flag = "--registry-heap-mb", .in_file = false},
                       kStackConfig.registry_heap_mb, range(128, 8'192)),
      registry_java_home(reg, {.path = "stack.registry_java_home",
                               .description = "a JDK 21 or newer for the schema registry (Apicurio 3)",
                               .commands = kStackUp, .env = "RDSTREAM_REGISTRY_JAVA_HOME", .in_file = false},
                         kStackConfig.registry_java_home, non_empty()),
      airflow_port(reg, {.path = "stack.airflow_port",
                         .description = "Airflow's api-server: its UI and REST API (with --with airflow)",
                         .commands = kStack, .flag = "--airflow-port", .env = "RDSTREAM_AIRFLOW_PORT", .in_file = false},
                   kStackConfig.airflow_port, range(1'024, 65'535)),
      airflow_dags_dir(reg, {.path = "stack.airflow_dags_dir",
                             .description = "the DAG folder Airflow reads (empty: this repository's airflow/dags)",
                             .commands = kStackUp, .env = "RDSTREAM_AIRFLOW_DAGS_DIR", .in_file = false},
                       ""),
      postgres_password(reg, {.path = "stack.postgres_password",
                              .description = "PostgreSQL superuser password (empty: generated once into "
                                             "<state dir>/postgres/password)",
                              .commands = kStackUp | kStackStatus | kIngest | kRun | kReplay, .env = "RDSTREAM_POSTGRES_PASSWORD",
                              .secret = true,
                              .in_file = false},
                        ""),
      kafka_heap_mb(reg, {.path = "stack.kafka_heap_mb", .description = "Kafka JVM heap, MiB", .commands = kStackUp,
                          .flag = "--kafka-heap-mb", .in_file = false},
                    kStackConfig.kafka_heap_mb, range(128, 8'192)),
      cassandra_heap_mb(reg, {.path = "stack.cassandra_heap_mb", .description = "Cassandra JVM heap, MiB",
                              .commands = kStackUp, .flag = "--cassandra-heap-mb", .in_file = false},
                        kStackConfig.cassandra_heap_mb, range(512, 8'192)),
      start_timeout_s(reg, {.path = "stack.start_timeout_s", .description = "seconds each engine may take to answer",
                            .commands = kStackUp, .flag = "--start-timeout", .in_file = false},
                      kStackConfig.start_timeout.count(), range(5, 3'600)),
      java_home(reg, {.path = "stack.java_home", .description = "the JDK for the engines (empty: JAVA_HOME, then PATH)",
                      .commands = kStack, .env = "RDSTREAM_JAVA_HOME", .in_file = false},
                ""),
      postgres_bin_dir(reg, {.path = "stack.postgres_bin_dir",
                             .description = "PostgreSQL's programs (empty: the newest /usr/lib/postgresql/<n>/bin)",
                             .commands = kStack, .env = "RDSTREAM_POSTGRES_BIN_DIR", .in_file = false},
                       ""),
      postgres_user(reg, {.path = "stack.postgres_user", .description = "system user PostgreSQL runs as when rdstream is root",
                          .commands = kStack, .env = "RDSTREAM_POSTGRES_USER", .in_file = false},
                    kStackConfig.postgres_user, non_empty()),
      log_lines(reg, {.path = "stack.log_lines", .description = "lines per service", .commands = kStackLogs,
                      .flag = "-n,--lines", .in_file = false},
                50, range(1, 100'000)) {}

Settings::SchemaRegistry::SchemaRegistry(Registry& r)
    : Part(r),
      url(reg, {.path = "registry.url",
                .description = "the schema registry's Confluent-compatible API (the stack's Apicurio, or a Confluent "
                               "Schema Registry's root URL)",
                .commands = kPipeline | kSchema | kReplay, .flag = "--registry-url", .env = "RDSTREAM_REGISTRY_URL"},
          registry::RegistryConfig{}.url, http_url()),
      timeout_ms(reg, {.path = "registry.timeout_ms", .description = "per request to the schema registry",
                       .commands = kPipeline | kSchema | kReplay},
                 ms(registry::RegistryConfig{}.timeout), range(100, 600'000)),
      retry_max_elapsed_ms(reg, {.path = "registry.retry_max_elapsed_ms",
                                 .description = "while the registry is unreachable, ingest --format avro retries "
                                                "registering its schema this long before giving up (producing nothing)",
                                 .commands = kIngest | kRun | kReplay},
                           300'000, range(0, kMaxInt)) {}

Settings::Staging::Staging(Registry& r)
    : Part(r),
      backend(reg, {.path = "staging.backend",
                    .description = "postgres: stage every fetched page in PostgreSQL before producing it (an outbox: "
                                   "nothing fetched is lost to a Kafka outage or a crash; replayable)",
                    .commands = kIngest | kRun, .flag = "--staging", .env = "RDSTREAM_STAGING"},
              "off", one_of({"off", "postgres"})),
      postgres_host(reg, {.path = "staging.postgres_host", .description = "the staging PostgreSQL's host",
                          .commands = kIngest | kRun | kReplay},
                    kStaging.host, non_empty()),
      postgres_port(reg, {.path = "staging.postgres_port", .description = "the staging PostgreSQL's port",
                          .commands = kIngest | kRun | kReplay, .flag = "--staging-port",
                          .env = "RDSTREAM_STAGING_PORT"},
                    kStaging.port, range(1, 65'535)),
      postgres_database(reg, {.path = "staging.postgres_database",
                              .description = "the database (created if missing, when the user may)",
                              .commands = kIngest | kRun | kReplay},
                        kStaging.database, non_empty()),
      postgres_user(reg, {.path = "staging.postgres_user", .description = "the user (the stack's superuser by default)",
                          .commands = kIngest | kRun | kReplay},
                    kStaging.user, non_empty()),
      postgres_password_file(reg, {.path = "staging.postgres_password_file",
                                   .description = "file whose first line is the password (unless "
                                                  "RDSTREAM_POSTGRES_PASSWORD is set; empty: the stack's "
                                                  "<state dir>/postgres/password)",
                                   .commands = kIngest | kRun | kReplay},
                             ""),
      schema(reg, {.path = "staging.schema", .description = "the schema of the outbox table and its migrations",
                   .commands = kIngest | kRun | kReplay},
             kStaging.schema, non_empty()),
      retention_hours(reg, {.path = "staging.retention_hours",
                            .description = "delivered rows older than this are deleted at the start of a run (0: kept)",
                            .commands = kIngest | kRun},
                      168, range(0, 1'000'000)),
      delete_batch(reg, {.path = "staging.delete_batch", .description = "rows deleted per statement by retention",
                         .commands = kIngest | kRun},
                   10'000, range(1, 1'000'000)) {}

Settings::Console::Console(Registry& r)
    : Part(r),
      address(reg, {.path = "console.address",
                    .description = "serve the console on HOST:PORT (any address but loopback needs a token)",
                    .commands = kConsole, .flag = "--address", .env = "RDSTREAM_CONSOLE_ADDRESS"},
              "127.0.0.1:9021", host_port_or_empty()),
      token(reg, {.path = "console.token",
                  .description = "the console's access token (Bearer, or basic auth's password); from the "
                                 "environment only, or token_file",
                  .commands = kConsole, .env = "RDSTREAM_CONSOLE_TOKEN", .secret = true, .in_file = false},
            ""),
      token_file(reg, {.path = "console.token_file", .description = "a file holding the console's access token",
                       .commands = kConsole, .flag = "--token-file"},
                 ""),
      instances(reg, {.path = "console.instances",
                      .description = "metrics addresses (HOST:PORT) of rdstream instances to watch, beyond those "
                                     "the consumer group's members announce",
                      .commands = kConsole, .flag = "--instance"},
                {}),
      refresh_ms(reg, {.path = "console.refresh_ms", .description = "how often the engines and instances are read",
                       .commands = kConsole, .flag = "--refresh-ms"},
                 1'000, range(250, 10'000)),
      history_minutes(reg, {.path = "console.history_minutes", .description = "how much history the charts keep",
                            .commands = kConsole},
                      15, range(1, 240)),
      lag_alert_records(reg, {.path = "console.lag_alert_records",
                              .description = "alert when the group's lag stays above this many records...",
                              .commands = kConsole},
                        10'000, range(1, std::numeric_limits<int64_t>::max())),
      lag_alert_for_s(reg, {.path = "console.lag_alert_for_s", .description = "...for this many seconds",
                            .commands = kConsole},
                      60, range(0, 86'400)),
      dlq_alert_window_s(reg, {.path = "console.dlq_alert_window_s",
                               .description = "alert while the dead-letter topic grew within this many seconds",
                               .commands = kConsole},
                         300, range(1, 86'400)),
      count_ranges(reg, {.path = "console.count_ranges",
                         .description = "token ranges of an exact row count (each one SELECT count(*))",
                         .commands = kConsole},
                   256, range(1, 65'536)),
      count_parallelism(reg, {.path = "console.count_parallelism",
                              .description = "token ranges of an exact count read at once", .commands = kConsole},
                        4, range(1, 64)),
      kafka_log_dirs(reg, {.path = "console.kafka_log_dirs",
                           .description = "Kafka log directories on this machine, to size topics (empty: the "
                                          "stack's, if it runs here)",
                           .commands = kConsole},
                     {}) {}

Settings::MockApi::MockApi(Registry& r)
    : Part(r),
      host(reg, {.path = "mock_api.host", .description = "address to bind (loopback by default)", .commands = kMockApi,
                 .flag = "--host", .in_file = false},
           mockapi::MockApiServer::kDefaultHost, non_empty()),
      port(reg, {.path = "mock_api.port", .description = "port (0 picks a free one)", .commands = kMockApi,
                 .flag = "--port", .in_file = false},
           mockapi::MockApiServer::kDefaultPort, range(0, 65'535)),
      fault_seed(reg, {.path = "mock_api.fault_seed", .description = "seed of the fault decisions and server-picked seeds",
                       .commands = kMockApi, .flag = "--fault-seed", .in_file = false},
                 static_cast<int64_t>(kFaults.seed), range(0, std::numeric_limits<int64_t>::max())),
      rate_429(reg, {.path = "mock_api.rate_429", .description = "share of requests answered 429 + Retry-After",
                     .commands = kMockApi, .flag = "--rate-429", .in_file = false},
               kFaults.rate_429, real_range(0.0, 1.0)),
      rate_5xx(reg, {.path = "mock_api.rate_5xx", .description = "share answered 500, 502 or 503", .commands = kMockApi,
                     .flag = "--rate-5xx", .in_file = false},
               kFaults.rate_5xx, real_range(0.0, 1.0)),
      rate_empty(reg, {.path = "mock_api.rate_empty", .description = "share answered 200 with an empty results array",
                       .commands = kMockApi, .flag = "--rate-empty", .in_file = false},
                 kFaults.rate_empty, real_range(0.0, 1.0)),
      rate_truncated(reg, {.path = "mock_api.rate_truncated", .description = "share answered with a truncated body",
                           .commands = kMockApi, .flag = "--rate-truncated", .in_file = false},
                     kFaults.rate_truncated, real_range(0.0, 1.0)),
      rate_malformed(reg, {.path = "mock_api.rate_malformed", .description = "share answered with malformed JSON",
                           .commands = kMockApi, .flag = "--rate-malformed", .in_file = false},
                     kFaults.rate_malformed, real_range(0.0, 1.0)),
      slow_rate(reg, {.path = "mock_api.slow_rate", .description = "share of responses delayed by --slow-ms",
                      .commands = kMockApi, .flag = "--slow-rate", .in_file = false},
                kFaults.slow_rate, real_range(0.0, 1.0)),
      slow_ms(reg, {.path = "mock_api.slow_ms", .description = "delay of slow responses, in milliseconds",
                    .commands = kMockApi, .flag = "--slow-ms", .in_file = false},
              ms(kFaults.slow), range(0, 600'000)),
      retry_after_s(reg, {.path = "mock_api.retry_after_s", .description = "Retry-After sent with injected 429s",
                          .commands = kMockApi, .flag = "--retry-after-s", .in_file = false},
                    kFaults.retry_after.count(), range(0, 86'400)),
      quota_users(reg, {.path = "mock_api.quota_users",
                        .description = "users per window per client, then 429 (0: off; randomuser.me allows 20000 "
                                       "per 300 s)",
                        .commands = kMockApi, .flag = "--quota-users", .in_file = false},
                  0, range(0, std::numeric_limits<int64_t>::max())),
      quota_window_s(reg, {.path = "mock_api.quota_window_s", .description = "quota window in seconds",
                           .commands = kMockApi, .flag = "--quota-window-s", .in_file = false},
                     mockapi::QuotaConfig::kRandomuserWindow.count(), range(1, 86'400)) {}

}  // namespace rds::config
