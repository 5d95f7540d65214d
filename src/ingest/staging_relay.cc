#include "ingest/staging_relay.h"

#include <fmt/format.h>

#include "core/log.h"

namespace rds::ingest {
namespace {

// Rows read from PostgreSQL a time while catching up, and marked delivered a time.
constexpr std::size_t kScanRows = 1000;
constexpr std::size_t kMarkRows = 5000;

}  // namespace

StagingRelay::StagingRelay(staging::Store& store, staging::Store& stager, staging::Store& marker,
                           kafka::Producer& producer, RecordEncoder& encoder, std::string run_id)
    : store_(store),
      stager_store_(stager),
      marker_store_(marker),
      producer_(producer),
      encoder_(encoder),
      run_id_(std::move(run_id)) {
  marker_ = std::thread([this] { marker_loop(); });
  stager_ = std::thread([this] { stager_loop(); });
}

StagingRelay::~StagingRelay() {
  {
    std::lock_guard<std::mutex> lock(stager_mutex_);
    stager_stop_ = true;
  }
  stager_cv_.notify_all();
  stager_.join();
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

void StagingRelay::stager_loop() {
  std::unique_lock<std::mutex> lock(stager_mutex_);
  while (true) {
    stager_cv_.wait(lock, [this] { return stager_stop_ || !to_stage_.empty(); });
    if (to_stage_.empty()) return;  // stopping, nothing left
    Page page = std::move(to_stage_.front());
    to_stage_.pop_front();
    lock.unlock();
    const auto started = std::chrono::steady_clock::now();
    auto seqs = stager_store_.stage(page.rows);
    Staged done{std::move(page), std::move(seqs),
                std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started)};
    lock.lock();
    staged_.push_back(std::move(done));
    stager_done_cv_.notify_all();
  }
}

Status StagingRelay::stage(std::span<const mapping::Record> page, std::span<const std::string> raw,
                           std::chrono::system_clock::time_point fetched_at) {
  RDS_TRY(collect_staged());
  if (page.empty()) return ok_status();
  Page p;
  p.rows.reserve(page.size());
  p.values.reserve(page.size());
  const bool with_raw = raw.size() == page.size();
  for (std::size_t i = 0; i < page.size(); ++i) {
    const auto& record = page[i];
    auto value = encoder_.encode(record);
    if (!value.ok()) return value.take_error();
    p.bytes += value->size();
    std::string record_json = encoder_.value_is_record_json() ? *value : mapping::to_json(record);
    p.values.push_back(std::move(*value));
    p.rows.push_back({run_id_, fetched_at, std::string(record.id()), std::move(record_json),
                      with_raw ? std::optional<std::string>(raw[i]) : std::nullopt});
  }
  {
    // At most kStagingDepth pages ahead: past that, fetching waits for PostgreSQL.
    std::unique_lock<std::mutex> lock(stager_mutex_);
    // Finished pages wait in staged_ for this thread to collect them: only the unfinished count.
    stager_done_cv_.wait(lock, [this] { return staging_now_ - staged_.size() < kStagingDepth; });
    to_stage_.push_back(std::move(p));
    ++staging_now_;
  }
  stager_cv_.notify_one();
  return collect_staged();
}

Status StagingRelay::collect_staged() {
  std::deque<Staged> done;
  {
    std::lock_guard<std::mutex> lock(stager_mutex_);
    done.swap(staged_);
    staging_now_ -= done.size();
  }
  stager_done_cv_.notify_all();
  std::optional<Error> failed;
  for (auto& d : done) {
    counters_.stage_time += d.took;
    if (!d.seqs.ok()) {
      // Pages after a failed one may have committed: relay() reads them back rather than trusting
      // memory. The first error stops the run.
      if (!failed) failed = d.seqs.take_error();
      caught_up_ = false;
      continue;
    }
    const std::vector<int64_t>& seqs = *d.seqs;
    counters_.staged += seqs.size();
    counters_.value_bytes += d.page.bytes;
    if (first_seq_ < 0 && !seqs.empty()) first_seq_ = seqs.front();
    if (!caught_up_) continue;  // relay() reads them back in its turn
    for (std::size_t i = 0; i < seqs.size(); ++i) {
      const int64_t seq = seqs[i];
      if (seq <= cursor_) continue;  // a catch-up scan already handled it
      Status queued = produce(seq, d.page.rows[i].user_id, d.page.values[i], false);
      if (!queued.ok()) {
        if (!queued.error().retriable) return queued;
        caught_up_ = false;  // the rest stays pending; relay() takes it from here
        break;
      }
      cursor_ = seq;
    }
  }
  if (failed) return *failed;
  return ok_status();
}

Status StagingRelay::relay() {
  RDS_TRY(collect_staged());
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
      auto value = encode_staged(row.record_json, encoder_);
      if (!value.ok()) {
        // Not produced, not lost: kept with the reason, and the rows after it go on.
        auto moved = store_.set_aside(row.seq, value.error().message);
        if (!moved.ok()) return moved.take_error();
        ++counters_.set_aside;
        log::error("ingest", "staging: row {} (user {}) cannot be produced and is set aside (state 2): {}; see "
                   "set_aside_reason in {}.staged_users",
                   row.seq, row.user_id, value.error().message, store_.schema());
        cursor_ = row.seq;
        continue;
      }
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
  {
    std::lock_guard<std::mutex> lock(stager_mutex_);
    if (staging_now_ > 0) return false;
  }
  return caught_up_ && !ledger_.rescan_due() && ledger_.in_flight() == 0 && ledger_.to_mark() == 0;
}

}  // namespace rds::ingest
