#include "app/component_configs.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>

#include "avro/codec.h"
#include "core/log.h"
#include "ingest/api_source.h"
#include "mapping/mapper.h"
#include "mapping/mapper.h"

namespace rds::app {
namespace {

using config::Source;
using std::chrono::milliseconds;

const YAML::Node& node_of(const config::SectionProperty& p) { return p().node; }

std::string random_seed() {
  static const char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::random_device rd;
  std::string out;
  for (int i = 0; i < 12; ++i) out += kChars[rd() % (sizeof kChars - 1)];
  return out;
}

// A backoff from the defaults of `base` with the two delays a setting pair gives.
BackoffConfig backoff(BackoffConfig base, int64_t initial_ms, int64_t max_ms) {
  base.initial = milliseconds(initial_ms);
  base.max_delay = milliseconds(max_ms);
  return base;
}

}  // namespace

Result<mapping::MappingConfig> mapping_config(const config::Settings& s) {
  if (s.ingest.mapping.is_set()) return mapping::parse_native_mapping(node_of(s.ingest.mapping));
  if (s.ingest.seed_mapping.is_set()) return mapping::parse_seed_mapping(node_of(s.ingest.seed_mapping));
  return mapping::default_mapping();
}

Result<process::TableConfig> table_config(const config::Settings& s) {
  const auto& c = s.cassandra;
  process::TableConfig table = process::default_table();
  if (c.seed_schema.is_set()) {
    auto columns = process::parse_seed_schema(node_of(c.seed_schema));
    if (!columns.ok()) return columns.take_error();
    table.columns = std::move(*columns);
    table.form = process::TableConfigForm::kSeed;
  }
  table.create_table_path = c.seed_create_table_path();
  if (c.columns.is_set()) {
    auto columns = process::parse_columns(node_of(c.columns));
    if (!columns.ok()) return columns.take_error();
    table.columns = std::move(*columns);
  }
  if (c.replication.is_set()) {
    auto replication = process::parse_replication(node_of(c.replication));
    if (!replication.ok()) return replication.take_error();
    table.replication = std::move(*replication);
  }
  for (const config::PropertyBase* p :
       std::initializer_list<const config::PropertyBase*>{&c.keyspace, &c.table, &c.primary_key, &c.columns,
                                                          &c.replication, &c.strict_columns, &c.text_from_scalars,
                                                          &c.max_value_bytes, &c.max_record_bytes, &c.create_table_path}) {
    if (p->is_set()) table.form = process::TableConfigForm::kNative;
  }
  table.keyspace = c.keyspace();
  table.table = c.table();
  table.primary_key = c.primary_key();
  table.strict_columns = c.strict_columns();
  table.text_from_scalars = c.text_from_scalars();
  table.max_value_bytes = static_cast<std::size_t>(c.max_value_bytes());
  table.max_record_bytes = static_cast<std::size_t>(c.max_record_bytes());
  if (c.create_table_path.is_set()) table.create_table_path = c.create_table_path();
  RDS_TRY(table.validate("cassandra"));
  return table;
}

Result<kafka::Properties> kafka_client_properties(const config::Settings& s) {
  kafka::Properties out = s.kafka.properties();
  const std::pair<const config::String*, const config::String*> secrets[] = {
      {&s.kafka.sasl_password, &s.kafka.sasl_password_file},
      {&s.kafka.ssl_key_password, &s.kafka.ssl_key_password_file},
  };
  const char* const keys[] = {"sasl.password", "ssl.key.password"};
  for (size_t i = 0; i < std::size(secrets); ++i) {
    auto value = secret(*secrets[i].first, *secrets[i].second);
    if (!value.ok()) return value.take_error();
    if (!value->empty()) out[keys[i]] = std::move(*value);
  }
  return out;
}

Result<kafka::ProducerConfig> producer_config(const config::Settings& s) {
  auto properties = kafka_client_properties(s);
  if (!properties.ok()) return properties.take_error();
  kafka::ProducerConfig p;
  p.bootstrap_servers = s.kafka.bootstrap_servers();
  p.topic = s.kafka.topic();
  p.compression = s.kafka.compression();
  p.linger_ms = static_cast<int>(s.kafka.linger_ms());
  p.batch_size_bytes = static_cast<int>(s.kafka.batch_size_bytes());
  p.message_timeout_ms = static_cast<int>(s.kafka.message_timeout_ms());
  p.extra = std::move(*properties);
  return p;
}

Result<kafka::ConsumerConfig> consumer_config(const config::Settings& s) {
  auto properties = kafka_client_properties(s);
  if (!properties.ok()) return properties.take_error();
  const auto& p = s.process;
  kafka::ConsumerConfig c;
  c.bootstrap_servers = s.kafka.bootstrap_servers();
  c.topics = {s.kafka.topic()};
  c.group_id = p.group();
  c.group_instance_id = p.instance_id();
  c.session_timeout_ms = static_cast<int>(p.session_timeout_ms());
  // Kafka refuses a poll interval below the session timeout.
  c.max_poll_interval_ms = static_cast<int>(std::max(p.max_poll_interval_ms(), p.session_timeout_ms()));
  c.commit_interval = milliseconds(p.commit_interval_ms());
  c.prefetch_kbytes = static_cast<int>(p.prefetch_kbytes());
  c.prefetch_refill_interval = milliseconds(p.prefetch_refill_interval_ms());
  c.extra = std::move(*properties);
  return c;
}

Result<process::DeadLetterConfig> dead_letter_config(const config::Settings& s) {
  auto properties = kafka_client_properties(s);
  if (!properties.ok()) return properties.take_error();
  process::DeadLetterConfig d;
  d.bootstrap_servers = s.kafka.bootstrap_servers();
  d.topic = s.process.dlq_topic();
  d.message_timeout_ms = static_cast<int>(s.process.dlq_message_timeout_ms());
  d.max_message_chars = static_cast<std::size_t>(s.process.dlq_max_message_chars());
  d.extra = std::move(*properties);
  return d;
}

process::ProcessorConfig processor_config(const config::Settings& s) {
  const auto& p = s.process;
  process::ProcessorConfig c;
  c.max_batch = static_cast<std::size_t>(p.max_batch());
  c.poll_timeout = milliseconds(p.poll_timeout_ms());
  c.retry = backoff(c.retry, p.retry_initial_ms(), p.retry_max_ms());
  c.dead_letter_retry_delay = milliseconds(p.dead_letter_retry_delay_ms());
  c.permanent_failure = p.on_rejected_row() == "dead_letter" ? process::PermanentFailureAction::kDeadLetter
                                                             : process::PermanentFailureAction::kStop;
  c.revoke_drain_timeout = milliseconds(p.revoke_drain_timeout_ms());
  c.shutdown_timeout = milliseconds(p.shutdown_timeout_ms());
  c.lag_interval = milliseconds(p.lag_interval_ms());
  c.stop_after_acknowledged = static_cast<uint64_t>(p.count());
  return c;
}

Result<std::string> secret(const config::String& value, const config::String& file) {
  // The environment's value wins over the file; the file over the default.
  if (value.source() >= Source::kEnvironment || file().empty()) return value();
  std::ifstream in(file());
  std::string line;
  if (!in || !std::getline(in, line)) {
    return Error(ErrorCode::kNotFound, fmt::format("{}: cannot read a line from {}", file.path(), file()));
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

Result<std::optional<staging::StoreConfig>> staging_config(const config::Settings& s) {
  if (s.staging.backend() != "postgres") return std::optional<staging::StoreConfig>();
  auto c = staging_store_config(s);
  if (!c.ok()) return c.take_error();
  return std::optional<staging::StoreConfig>(std::move(*c));
}

Result<staging::StoreConfig> staging_store_config(const config::Settings& s) {
  staging::StoreConfig c;
  c.host = s.staging.postgres_host();
  c.port = static_cast<uint16_t>(s.staging.postgres_port());
  c.database = s.staging.postgres_database();
  c.user = s.staging.postgres_user();
  c.schema = s.staging.schema();
  if (s.stack.postgres_password.source() >= Source::kEnvironment) {
    c.password = s.stack.postgres_password();
  } else {
    // The file given, else the one the stack generated for its PostgreSQL.
    const std::string file = !s.staging.postgres_password_file().empty()
                                 ? s.staging.postgres_password_file()
                                 : (std::filesystem::path(s.stack.state_dir()) / "postgres" / "password").string();
    std::ifstream in(file);
    if (!in || !std::getline(in, c.password) || c.password.empty()) {
      return Error(ErrorCode::kInvalidArgument,
                   fmt::format("staging: no PostgreSQL password: {} cannot be read. Set RDSTREAM_POSTGRES_PASSWORD, "
                               "staging.postgres_password_file, or --state-dir to the stack's state directory",
                               file));
    }
    if (c.password.back() == '\r') c.password.pop_back();
  }
  RDS_TRY(c.validate("staging"));
  return c;
}

Result<cassandra::Credentials> cassandra_credentials(const config::Settings& s) {
  auto password = secret(s.cassandra.password, s.cassandra.password_file);
  if (!password.ok()) return password.take_error();
  return cassandra::Credentials{s.cassandra.username(), std::move(*password)};
}

cassandra::TlsConfig cassandra_tls(const config::Settings& s) {
  const auto& c = s.cassandra;
  return cassandra::TlsConfig{c.tls_enabled(), c.tls_ca_file(), c.tls_cert_file(), c.tls_key_file(),
                              c.tls_verify_hostname()};
}

Result<cql::Consistency> parse_consistency(const std::string& name) {
  static const std::pair<const char*, cql::Consistency> kNames[] = {
      {"ANY", cql::Consistency::kAny},         {"ONE", cql::Consistency::kOne},
      {"TWO", cql::Consistency::kTwo},         {"THREE", cql::Consistency::kThree},
      {"QUORUM", cql::Consistency::kQuorum},   {"ALL", cql::Consistency::kAll},
      {"LOCAL_QUORUM", cql::Consistency::kLocalQuorum}, {"EACH_QUORUM", cql::Consistency::kEachQuorum},
      {"LOCAL_ONE", cql::Consistency::kLocalOne}};
  for (const auto& [n, c] : kNames) {
    if (name == n) return c;
  }
  return Error(ErrorCode::kInvalidArgument,
               fmt::format("unknown consistency '{}': use ONE, QUORUM, LOCAL_QUORUM, LOCAL_ONE, ALL, ...", name));
}

Result<cassandra::SessionConfig> session_config(const config::Settings& s) {
  const auto& c = s.cassandra;
  cassandra::SessionConfig session;
  session.contact_points = c.contact_points();
  session.port = static_cast<uint16_t>(c.port());
  auto credentials = cassandra_credentials(s);
  if (!credentials.ok()) return credentials.take_error();
  session.credentials = std::move(*credentials);
  session.tls = cassandra_tls(s);
  session.compression = c.compression() == "lz4" ? cql::Compression::kLz4 : cql::Compression::kNone;
  session.connections_per_host = static_cast<int>(c.connections_per_host());
  session.connect_timeout = milliseconds(c.connect_timeout_ms());
  session.request_timeout = milliseconds(c.request_timeout_ms());
  session.heartbeat_interval = milliseconds(c.heartbeat_interval_ms());
  session.heartbeat_timeout = milliseconds(c.heartbeat_timeout_ms());
  auto consistency = parse_consistency(c.consistency());
  if (!consistency.ok()) return consistency.take_error().with_context("cassandra.consistency");
  session.default_consistency = *consistency;
  session.token_aware = c.token_aware();
  session.discover_peers = c.discover_peers();
  session.local_dc = c.local_dc();
  session.reconnect = backoff(session.reconnect, c.reconnect_initial_ms(), c.reconnect_max_ms());
  session.retry.max_retries = static_cast<int>(c.retry_max_retries());
  session.retry.backoff = backoff(session.retry.backoff, c.retry_initial_ms(), c.retry_max_ms());
  RDS_TRY(session.validate("cassandra"));
  return session;
}

Result<sink::CassandraSinkConfig> sink_config(const config::Settings& s, const process::TableConfig& table) {
  sink::CassandraSinkConfig sink;
  sink.insert_cql = table.insert_statement();
  auto consistency = parse_consistency(s.cassandra.consistency());
  if (!consistency.ok()) return consistency.take_error().with_context("cassandra.consistency");
  sink.consistency = *consistency;
  sink.max_in_flight = static_cast<int>(s.sink.max_in_flight());
  sink.batch_max_rows = static_cast<int>(s.sink.batch_rows());
  sink.batch_max_bytes = static_cast<int>(s.sink.batch_bytes());
  sink.request_timeout = milliseconds(s.sink.request_timeout_ms());
  sink.retry_budget = milliseconds(s.sink.retry_budget_ms());
  sink.retry_backoff = backoff(sink.retry_backoff, s.sink.retry_initial_ms(), s.sink.retry_max_ms());
  RDS_TRY(sink.validate("sink"));
  return sink;
}

Result<IngestPlan> ingest_plan(const config::Settings& s) {
  const auto& in = s.ingest;
  auto mapping_config_result = mapping_config(s);
  if (!mapping_config_result.ok()) return mapping_config_result.take_error();
  auto mapper = mapping::Mapper::create(*mapping_config_result);
  if (!mapper.ok()) return mapper.take_error();
  IngestPlan plan;
  plan.seed = in.seed().empty() ? random_seed() : in.seed();
  // This run's name for its staged rows (replay --run): when it started, and its seed.
  plan.options.run_id = fmt::format("{:%Y%m%dT%H%M%S}Z-{}", fmt::gmtime(std::time(nullptr)), plan.seed);
  const int results = static_cast<int>(in.results());
  if (in.source() == "generator") {
    plan.source = std::make_unique<ingest::GeneratorSource>(plan.seed, static_cast<int>(in.page()));
  } else {
    ingest::ApiSourceConfig api;
    api.url = in.url();
    api.request.results = results;
    api.request.seed = plan.seed;
    api.request.page = static_cast<int>(in.page());
    api.request.nationalities = in.nat();
    api.request.inc = in.inc();
    api.request.exc = in.exc();
    api.retry.max_attempts = static_cast<int>(in.max_attempts());
    api.retry.initial = milliseconds(in.retry_initial_ms());
    api.retry.max_delay = milliseconds(in.retry_max_ms());
    api.retry.max_elapsed = milliseconds(in.retry_max_elapsed_ms());
    api.http.connect_timeout = milliseconds(in.connect_timeout_ms());
    api.http.request_timeout = milliseconds(in.request_timeout_ms());
    api.http.max_body_bytes = static_cast<size_t>(in.max_body_bytes());
    RDS_TRY(api.request.validate("ingest"));
    plan.source = std::make_unique<ingest::ApiSource>(std::move(api), std::move(*mapper));
  }
  auto& options = plan.options;
  auto producer = producer_config(s);
  if (!producer.ok()) return producer.take_error();
  options.producer = std::move(*producer);
  RDS_TRY(options.producer.validate());
  options.topic_partitions = static_cast<int>(s.kafka.partitions());
  options.topic_replication_factor = static_cast<int>(s.kafka.replication_factor());
  options.batch_records = results;
  if (in.count() > 0) options.count = static_cast<uint64_t>(in.count());
  options.rate = in.rate();
  options.flush_timeout = milliseconds(in.flush_timeout_ms());
  // A count alone means "this many records", however long that takes; a duration given beside it
  // still limits the run.
  if (in.duration_s() == 0 || (options.count && !in.duration_s.is_set())) {
    options.duration.reset();
  } else {
    options.duration = milliseconds(static_cast<int64_t>(in.duration_s() * 1000));
  }
  options.progress_line = ::isatty(STDERR_FILENO) != 0;
  RDS_TRY(options.validate());
  return plan;
}

Result<ProcessConfigs> process_configs(const config::Settings& s) {
  auto table = table_config(s);
  if (!table.ok()) return table.take_error();
  auto session = session_config(s);
  if (!session.ok()) return session.take_error();
  auto sink = sink_config(s, *table);
  if (!sink.ok()) return sink.take_error();
  auto consumer = consumer_config(s);
  if (!consumer.ok()) return consumer.take_error();
  auto dead_letter = dead_letter_config(s);
  if (!dead_letter.ok()) return dead_letter.take_error();
  ProcessConfigs configs{std::move(*table),    std::move(*session),     std::move(*sink),
                         std::move(*consumer), std::move(*dead_letter), processor_config(s)};
  RDS_TRY(configs.consumer.validate());
  RDS_TRY(configs.dead_letter.validate());
  RDS_TRY(configs.processor.validate());
  return configs;
}

Status check_settings(const config::Settings& s) {
  auto plan = ingest_plan(s);
  if (!plan.ok()) return plan.take_error();
  auto configs = process_configs(s);
  if (!configs.ok()) return configs.take_error();
  if (auto client = registry::RegistryClient::create(registry_config(s)); !client.ok()) return client.take_error();
  if (auto staging = staging_config(s); !staging.ok()) return staging.take_error();
  if (s.kafka.record_format() == "avro") {
    // The schema ingest would register: derived and parsed here, registered only by ingest.
    auto schema = record_avro_schema(s);
    if (!schema.ok()) return schema.take_error();
    auto parsed = avro::Schema::parse(*schema);
    if (!parsed.ok()) return parsed.take_error().with_context("the record schema derived for kafka.record_format avro");
  }
  return ok_status();
}

registry::RegistryConfig registry_config(const config::Settings& s) {
  registry::RegistryConfig r;
  r.url = s.schema_registry.url();
  r.timeout = milliseconds(s.schema_registry.timeout_ms());
  return r;
}

Result<std::string> record_avro_schema(const config::Settings& s) {
  auto mapping = mapping_config(s);
  if (!mapping.ok()) return mapping.take_error();
  auto mapper = mapping::Mapper::create(*mapping);
  if (!mapper.ok()) return mapper.take_error();
  auto table = table_config(s);
  if (!table.ok()) return table.take_error();
  std::vector<avro::Field> fields;
  for (const auto& column : mapper->columns()) {
    avro::Field f;
    f.name = column;
    const auto spec = std::find_if(table->columns.begin(), table->columns.end(),
                                   [&](const process::ColumnSpec& c) { return c.name == column; });
    f.nullable = column != mapping::MappingConfig::kIdColumn && (spec == table->columns.end() || spec->nullable);
    if (f.nullable) f.default_value = std::optional<std::string>();  // default null: fields can be added
    fields.push_back(std::move(f));
  }
  return avro::record_schema_json(table->table, "rdstream", fields);
}

}  // namespace rds::app
