#include "ingest/staging_relay.h"

#include <fmt/format.h>

#include "core/log.h"

namespace rds::ingest {
namespace {

// Rows read from PostgreSQL a time while catching up, and marked delivered a time.
constexpr std::size_t kScanRows = 1000;
constexpr std::size_t kMarkRows = 5000;

}  // namespace

StagingRelay::StagingRelay(staging::Store& store, kafka::Producer& producer, RecordEncoder& encoder, std::string run_id)
    : store_(store), producer_(producer), encoder_(encoder), run_id_(std::move(run_id)) {}

Status StagingRelay::produce(int64_t seq, const std::string& key, std::string_view value, bool recovered) {
  // Never block: a full queue (Kafka down or slow) leaves the row pending in PostgreSQL, where
  // relay() finds it later, and fetching goes on.
  Status queued = producer_.produce(key, value, static_cast<uint64_t>(seq), std::chrono::milliseconds(0));
  if (!queued.ok()) return queued;
  RDS_TRY(ledger_.produced(seq));
  counters_.produced += 1;
  if (recovered) counters_.recovered += 1;
  return ok_status();
}

Status StagingRelay::stage(const std::vector<mapping::Record>& page, std::chrono::system_clock::time_point fetched_at) {
  if (page.empty()) return ok_status();
  std::vector<staging::StagedRow> rows;
  std::vector<std::string> values;  // what goes on the topic, kept to produce from memory
  uint64_t bytes = 0;
  rows.reserve(page.size());
  values.reserve(page.size());
  for (const auto& record : page) {
    auto value = encoder_.encode(record);
    if (!value.ok()) return value.take_error();
    bytes += value->size();
    values.push_back(std::move(*value));
    rows.push_back({run_id_, fetched_at, std::string(record.id()), mapping::to_json(record), std::nullopt});
  }
  auto seqs = store_.stage(rows);
  if (!seqs.ok()) return seqs.take_error();
  counters_.staged += seqs->size();
  counters_.value_bytes += bytes;
  if (first_seq_ < 0) first_seq_ = seqs->front();
  if (!caught_up_) return ok_status();  // relay() reads it back in its turn
  for (std::size_t i = 0; i < seqs->size(); ++i) {
    const int64_t seq = (*seqs)[i];
    Status queued = produce(seq, rows[i].user_id, values[i], false);
    if (!queued.ok()) {
      if (!queued.error().retriable) return queued;
      caught_up_ = false;  // the rest stays pending; relay() takes it from here
      return ok_status();
    }
    cursor_ = seq;
  }
  return ok_status();
}

Status StagingRelay::relay() {
  if (auto from = ledger_.take_rescan_from()) {
    cursor_ = std::min(cursor_, *from - 1);
    caught_up_ = false;
  }
  while (!caught_up_) {
    auto rows = store_.pending(cursor_, kScanRows);
    if (!rows.ok()) return rows.take_error();
    if (rows->empty()) {
      caught_up_ = true;
      break;
    }
    for (const auto& row : *rows) {
      if (ledger_.busy(row.seq)) {
        cursor_ = row.seq;
        continue;
      }
      auto record = mapping::record_from_json(row.record_json);
      if (!record.ok()) return record.take_error().with_context(fmt::format("staged row {}", row.seq));
      auto value = encoder_.encode(*record);
      if (!value.ok()) return value.take_error().with_context(fmt::format("staged row {}", row.seq));
      const bool earlier_run = first_seq_ < 0 || row.seq < first_seq_;
      Status queued = produce(row.seq, row.user_id, *value, earlier_run);
      if (!queued.ok()) {
        if (!queued.error().retriable) return queued;
        return mark();  // the queue is full: go on later from here
      }
      cursor_ = row.seq;
    }
  }
  return mark();
}

Status StagingRelay::mark() {
  while (true) {
    auto seqs = ledger_.take_to_mark(kMarkRows);
    if (seqs.empty()) return ok_status();
    auto marked = store_.mark_delivered(seqs);
    if (!marked.ok()) {
      ledger_.unmarked(seqs);
      return marked.take_error();
    }
    ledger_.marked(seqs);
    counters_.marked += seqs.size();
  }
}

void StagingRelay::on_delivery(const kafka::DeliveryReport& report) {
  const auto seq = static_cast<int64_t>(report.token);
  if (report.status.ok()) {
    ledger_.delivered(seq);
  } else {
    ledger_.failed(seq);  // still pending in PostgreSQL: produced again from a rescan
  }
}

bool StagingRelay::idle() const { return caught_up_ && ledger_.in_flight() == 0 && ledger_.to_mark() == 0; }

}  // namespace rds::ingest
