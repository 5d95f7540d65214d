#include "app/process_stage.h"

#include <fmt/format.h>

#include <algorithm>

#include "app/component_configs.h"
#include "app/record_format.h"
#include "cassandra/schema.h"
#include "core/log.h"
#include "kafka/producer.h"
#include "metrics/endpoint.h"

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

Result<std::unique_ptr<ProcessStage>> ProcessStage::create(const config::Settings& settings,
                                                           metrics::Metrics& metrics,
                                                           std::string_view metrics_address,
                                                           RowAcknowledged on_row_acknowledged,
                                                           RowHandedToSink on_row_handed) {
  // Every setting first, so that a bad one is reported before anything connects.
  auto configs = process_configs(settings);
  if (!configs.ok()) return configs.take_error();
  auto& table = configs->table;
  if (!metrics_address.empty()) {
    configs->consumer.client_id = metrics::announce_metrics(configs->consumer.client_id, metrics_address);
  }
  const std::string& bootstrap = settings.kafka.bootstrap_servers();
  const std::string host = configs->session.contact_points.front();
  const uint16_t port = configs->session.port;

  std::unique_ptr<ProcessStage> stage(new ProcessStage());
  stage->probe_ = std::make_unique<process::ProcessorProbe>(metrics);
  auto session = cassandra::Session::connect(configs->session);
  if (!session.ok()) {
    return session.take_error().with_context(
        fmt::format("connecting to Cassandra on {}:{} (is it up? rdstream stack up)", host, port));
  }
  stage->session_ = std::move(*session);

  // Keyspace and table, idempotently (as the seed's Spark job did before streaming).
  cassandra::KeyspaceSpec keyspace;
  keyspace.name = table.keyspace;
  keyspace.strategy = table.replication.strategy;
  keyspace.replication_factor = table.replication.replication_factor;
  keyspace.dc_factors = table.replication.dc_factors;
  if (!settings.cassandra.replication.is_set()) {
    // Unset: 1 on a single node, as the seed made it; on a ring, 3 (or every node when fewer), so
    // that a LOCAL_QUORUM write survives one node down.
    const int nodes = static_cast<int>(stage->session_->hosts().size());
    keyspace.replication_factor = std::clamp(nodes, 1, 3);
  }
  RDS_TRY(cassandra::create_keyspace(*stage->session_, keyspace));
  Status created = table.create_table_path.empty()
                       ? cassandra::execute_script(*stage->session_, table.create_table_statement())
                       : cassandra::execute_file(*stage->session_, table.create_table_path);
  if (!created.ok()) return created.take_error().with_context(fmt::format("creating {}", table.qualified_name()));

  stage->sink_ = std::make_unique<sink::CassandraSink>(*stage->session_, configs->sink, &metrics);
  RDS_TRY(stage->sink_->start());
  auto decoder = record_decoder(settings, table);
  if (!decoder.ok()) return decoder.take_error();
  stage->decoder_ = std::move(*decoder);
  stage->validator_ = std::make_unique<process::RecordValidator>(std::move(table));
  stage->writer_ = std::make_unique<ObservingWriter>(*stage->sink_, std::move(on_row_acknowledged),
                                                    std::move(on_row_handed));

  // The topic may not exist yet (a fresh stack): create both it and its dead-letter topic, so the
  // group can join at once and the first bad record has somewhere to go.
  const std::string& topic = settings.kafka.topic();
  for (const auto& name : {topic, configs->dead_letter.topic_for(topic)}) {
    Status made = kafka::ensure_topic(bootstrap, name, static_cast<int>(settings.kafka.partitions()),
                                      static_cast<int>(settings.kafka.replication_factor()), std::chrono::seconds(30),
                                      configs->consumer.extra);
    if (!made.ok()) return made.take_error().with_context(kafka::unanswered_hint(bootstrap));
  }

  auto processor = process::Processor::create(configs->consumer, configs->dead_letter, configs->processor, *stage->validator_,
                                              *stage->writer_, *stage->probe_, stage->decoder_.get());
  if (!processor.ok()) return processor.take_error();
  stage->processor_ = std::move(*processor);
  log::info("process", "{} (group {}) -> {} on {}:{}", topic, configs->consumer.group_id,
            stage->validator_->table().qualified_name(), host, port);
  return stage;
}

}  // namespace rds::app
