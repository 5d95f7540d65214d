#include "app/process_stage.h"

#include <fmt/format.h>

#include <algorithm>

#include "cassandra/schema.h"
#include "core/log.h"
#include "kafka/producer.h"

namespace rds::app {

// Passes rows to the CassandraSink and tells the observers about each row handed over and each
// acknowledged one.
class ProcessStage::ObservingWriter final : public process::RowWriter {
 public:
  ObservingWriter(sink::CassandraSink& sink, RowAcknowledged observer, RowHandedToSink handed)
      : sink_(sink), observer_(std::move(observer)), handed_(std::move(handed)) {}

  void write(std::vector<sink::Row> rows, sink::RowCallback done) override {
    if (handed_) handed_(rows);
    if (!observer_) {
      sink_.write(std::move(rows), std::move(done));
      return;
    }
    // The sink takes the rows; keep the ids (values[0]) to report acknowledged ones.
    auto ids = std::make_shared<std::vector<sink::Row>>();
    ids->reserve(rows.size());
    for (const auto& row : rows) ids->push_back(sink::Row{row.empty() ? cql::Value() : row.front()});
    sink_.write(std::move(rows), [ids, done = std::move(done), this](size_t index, const sink::RowOutcome& outcome) {
      if (outcome.status.ok() && index < ids->size()) observer_((*ids)[index]);
      done(index, outcome);
    });
  }
  Status drain(std::chrono::milliseconds timeout) override { return sink_.drain(timeout); }

 private:
  sink::CassandraSink& sink_;
  RowAcknowledged observer_;
  RowHandedToSink handed_;
};

bool ProcessStage::has_been_assigned() const {
  // The consumer's counters are atomics: safe to read while run() uses the consumer.
  return processor_->consumer().counters().partitions_assigned.load(std::memory_order_relaxed) > 0;
}

ProcessStage::~ProcessStage() {
  processor_.reset();
  if (sink_) sink_->close();
}

Result<std::unique_ptr<ProcessStage>> ProcessStage::create(const ProcessStageSettings& settings,
                                                           RowAcknowledged on_row_acknowledged,
                                                           RowHandedToSink on_row_handed) {
  auto table = settings.config_file.empty() ? Result<process::TableConfig>(process::default_table())
                                            : process::load_table_file(settings.config_file);
  if (!table.ok()) return table.take_error();
  RDS_TRY(table->validate());

  std::unique_ptr<ProcessStage> stage(new ProcessStage());
  auto session = cassandra::Session::connect(settings.cassandra);
  if (!session.ok()) {
    return session.take_error().with_context(
        fmt::format("connecting to Cassandra on {}:{} (is it up? rdstream stack up)",
                    settings.cassandra.contact_points.empty() ? "?" : settings.cassandra.contact_points.front(),
                    settings.cassandra.port));
  }
  stage->session_ = std::move(*session);

  // Keyspace and table, idempotently (as the seed's Spark job did before streaming).
  cassandra::KeyspaceSpec keyspace;
  keyspace.name = table->keyspace;
  keyspace.strategy = table->replication.strategy;
  keyspace.replication_factor = table->replication.replication_factor;
  keyspace.dc_factors = table->replication.dc_factors;
  RDS_TRY(cassandra::create_keyspace(*stage->session_, keyspace));
  Status created = table->create_table_path.empty()
                       ? cassandra::execute_script(*stage->session_, table->create_table_statement())
                       : cassandra::execute_file(*stage->session_, table->create_table_path);
  if (!created.ok()) return created.take_error().with_context(fmt::format("creating {}", table->qualified_name()));

  sink::CassandraSinkConfig sink_config;
  sink_config.insert_cql = table->insert_statement();
  sink_config.consistency = settings.consistency;
  sink_config.max_in_flight = settings.max_in_flight;
  sink_config.batch_max_rows = settings.batch_max_rows;
  stage->sink_ = std::make_unique<sink::CassandraSink>(*stage->session_, sink_config);
  RDS_TRY(stage->sink_->start());
  stage->validator_ = std::make_unique<process::RecordValidator>(std::move(*table));
  stage->writer_ = std::make_unique<ObservingWriter>(*stage->sink_, std::move(on_row_acknowledged),
                                                    std::move(on_row_handed));

  // The topic may not exist yet (a fresh stack): create both it and its dead-letter topic, so the
  // group can join at once and the first bad record has somewhere to go.
  const std::string dlq = settings.dead_letter_topic.empty() ? settings.topic + std::string(process::DeadLetterConfig::kDefaultSuffix)
                                                             : settings.dead_letter_topic;
  for (const auto& topic : {settings.topic, dlq}) {
    Status made = kafka::ensure_topic(settings.bootstrap_servers, topic, settings.topic_partitions, 1,
                                      std::chrono::seconds(30));
    if (!made.ok()) return made.take_error().with_context(fmt::format("is Kafka up on {}?", settings.bootstrap_servers));
  }

  kafka::ConsumerConfig consumer;
  consumer.bootstrap_servers = settings.bootstrap_servers;
  consumer.group_id = settings.group_id;
  consumer.group_instance_id = settings.group_instance_id;
  consumer.session_timeout_ms = settings.session_timeout_ms;
  consumer.max_poll_interval_ms = std::max(consumer.max_poll_interval_ms, settings.session_timeout_ms);
  consumer.commit_interval = settings.commit_interval;
  consumer.prefetch_kbytes = settings.prefetch_kbytes;
  consumer.topics = {settings.topic};
  process::DeadLetterConfig dead_letter;
  dead_letter.bootstrap_servers = settings.bootstrap_servers;
  dead_letter.topic = settings.dead_letter_topic;
  process::ProcessorConfig processor_config;
  processor_config.stop_after_acknowledged = settings.stop_after_acknowledged;
  auto processor = process::Processor::create(consumer, dead_letter, processor_config, *stage->validator_,
                                              *stage->writer_, stage->probe_);
  if (!processor.ok()) return processor.take_error();
  stage->processor_ = std::move(*processor);
  log::info("process", "{} (group {}) -> {} on {}:{}", settings.topic, settings.group_id,
            stage->validator_->table().qualified_name(), settings.cassandra.contact_points.front(),
            settings.cassandra.port);
  return stage;
}

}  // namespace rds::app
