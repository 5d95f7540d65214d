#include "app/replay_stage.h"

#include <fmt/format.h>

#include "app/component_configs.h"
#include "app/record_format.h"
#include "core/log.h"
#include "kafka/producer.h"
#include "mapping/record.h"
#include "staging/store.h"

namespace rds::app {
namespace {

constexpr std::size_t kReadRows = 1000;

}  // namespace

Outcome run_replay_stage(const config::Settings& settings, const ReplaySelection& selection,
                         const std::atomic<bool>& stop) {
  if (selection.run_id.has_value() == selection.since.has_value()) {
    return Outcome::failed(Error(ErrorCode::kInvalidArgument,
                                 "replay --from-staging: give exactly one of --run ID (as the ingest summary's log "
                                 "names it) or --since TIME (ISO-8601, e.g. 2026-12-05T17:00:00Z)"));
  }
  auto config = staging_store_config(settings);
  if (!config.ok()) return Outcome::failed(config.error());
  auto store = staging::Store::open(*config);
  if (!store.ok()) return Outcome::failed(store.error(), "staging");
  auto encoder = record_encoder(settings, stop);
  if (!encoder.ok()) return Outcome::failed(encoder.error());
  auto made_settings = producer_config(settings);
  if (!made_settings.ok()) return Outcome::failed(made_settings.error());
  const auto& producer_settings = *made_settings;
  // The topic as ingest makes it (the producer does not let the broker create it with its defaults).
  Status topic = kafka::ensure_topic(producer_settings.bootstrap_servers, producer_settings.topic,
                                     static_cast<int>(settings.kafka.partitions()),
                                     static_cast<int>(settings.kafka.replication_factor()), std::chrono::seconds(30),
                                     producer_settings.extra);
  if (!topic.ok()) {
    return Outcome::failed(topic.take_error().with_context(
        kafka::unanswered_hint(producer_settings.bootstrap_servers)));
  }
  uint64_t delivered = 0, failed = 0;
  auto producer = kafka::Producer::create(producer_settings, [&](const kafka::DeliveryReport& report) {
    if (report.status.ok()) {
      ++delivered;
    } else {
      ++failed;
      log::error("replay", "staged row {} not delivered: {}", report.token, report.status.error().message);
    }
  });
  if (!producer.ok()) return Outcome::failed(producer.error());
  const std::string what = selection.run_id ? fmt::format("run {}", *selection.run_id)
                                            : fmt::format("rows fetched since {}", *selection.since);
  log::info("replay", "re-publishing the staged {} to {} as {}", what, producer_settings.topic, (*encoder)->describe());
  uint64_t read = 0;
  int64_t after = 0;
  while (!stop.load()) {
    auto rows = selection.run_id ? (*store)->run_rows(*selection.run_id, after, kReadRows)
                                 : (*store)->rows_since(*selection.since, after, kReadRows);
    if (!rows.ok()) return Outcome::failed(rows.error(), "staging");
    if (rows->empty()) break;
    for (const auto& row : *rows) {
      auto value = ingest::encode_staged(row.record_json, **encoder);
      if (!value.ok()) return Outcome::failed(value.error(), fmt::format("staged row {}", row.seq));
      Status queued = (*producer)->produce(row.user_id, *value, static_cast<uint64_t>(row.seq));
      if (!queued.ok()) return Outcome::failed(queued.error());
      after = row.seq;
      ++read;
    }
    (*producer)->poll(std::chrono::milliseconds(0));
  }
  Status flushed = (*producer)->flush(std::chrono::milliseconds(settings.ingest.flush_timeout_ms()));
  Outcome outcome;
  outcome.summary = fmt::format("replay summary: read {}  produced {}  delivered {}  failed {}\n", read, read,
                                delivered, failed);
  if (read == 0) {
    outcome.problem = fmt::format("no staged rows for {}: check the run id (ingest logs it) or the time\n", what);
    outcome.kind = Outcome::Kind::kBadSettings;
  }
  if (!flushed.ok() || failed > 0 || delivered < read) {
    outcome.problem += "not every replayed record was delivered (see above); replay again\n";
    outcome.kind = Outcome::Kind::kDataLoss;
  }
  return outcome;
}

}  // namespace rds::app
