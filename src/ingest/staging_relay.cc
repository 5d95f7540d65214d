#include "ingest/staging_relay.h"

#include <fmt/format.h>

#include "core/log.h"

namespace rds::ingest {
namespace {

// Rows read from PostgreSQL a time while catching up, and marked delivered a time.
constexpr std::size_t kScanRows = 1000;
constexpr std::size_t kMarkRows = 5000;

}  // namespace

StagingRelay::StagingRelay(staging::Store& store, staging::Store& marker, kafka::Producer& producer,
                           RecordEncoder& encoder, std::string run_id)
    : store_(store),
      marker_store_(marker),
      producer_(producer),
      encoder_(encoder),
      run_id_(std::move(run_id)) {
  marker_ = std::thread([this] { marker_loop(); });
}

StagingRelay::~StagingRelay() {
  {
    std::lock_guard<std::mutex> lock(marker_mutex_);
    marker_stop_ = true;
  }
  marker_cv_.notify_all();
  marker_.join();
}

void StagingRelay::marker_loop() {
  std::unique_lock<std::mutex> lock(marker_mutex_);
  while (true) {
    marker_cv_.wait(lock, [this] { return marker_stop_ || !to_mark_.empty(); });
    if (to_mark_.empty()) return;  // stopping, nothing left
    std::vector<int64_t> seqs = std::move(to_mark_.front());
    to_mark_.pop_front();
    lock.unlock();
    const auto started = std::chrono::steady_clock::now();
    auto done = marker_store_.mark_delivered(seqs);
    Marked outcome{std::move(seqs), done.ok() ? ok_status() : Status(done.take_error()),
                   std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started)};
    lock.lock();
    marked_.push_back(std::move(outcome));
  }
}

void StagingRelay::collect_marked() {
  std::vector<Marked> done;
  {
    std::lock_guard<std::mutex> lock(marker_mutex_);
    done.swap(marked_);
  }
  for (auto& m : done) {
    counters_.mark_time += m.took;
    if (m.status.ok()) {
      ledger_.marked(m.seqs);
      counters_.marked += m.seqs.size();
      mark_error_.clear();
    } else {
      ledger_.unmarked(m.seqs);  // taken again next round
      if (m.status.error().message != mark_error_) {
        mark_error_ = m.status.error().message;
        log::warn("ingest", "staging: marking {} rows delivered failed, retrying: {}", m.seqs.size(), mark_error_);
      }
    }
  }
}

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
  const auto started = std::chrono::steady_clock::now();
  auto seqs = store_.stage(rows);
  counters_.stage_time +=
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
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
  collect_marked();
  std::vector<std::vector<int64_t>> batches;
  while (true) {
    auto seqs = ledger_.take_to_mark(kMarkRows);
    if (seqs.empty()) break;
    batches.push_back(std::move(seqs));
  }
  if (!batches.empty()) {
    {
      std::lock_guard<std::mutex> lock(marker_mutex_);
      for (auto& b : batches) to_mark_.push_back(std::move(b));
    }
    marker_cv_.notify_one();
  }
  return ok_status();
}

void StagingRelay::on_delivery(const kafka::DeliveryReport& report) {
  const auto seq = static_cast<int64_t>(report.token);
  if (report.status.ok()) {
    ledger_.delivered(seq);
  } else {
    ledger_.failed(seq);  // still pending in PostgreSQL: produced again from a rescan
  }
}

bool StagingRelay::idle() {
  collect_marked();
  return caught_up_ && ledger_.in_flight() == 0 && ledger_.to_mark() == 0;
}

}  // namespace rds::ingest
